// The micro-needling pack's patient cases (protocols/microneedling/cases.json), screened by the engine.
// Each case names the expected outcome, defer_until and finding rule ids (in rule order); some also
// name the course plan and aftercare instructions. The case id is in every failure message.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "prescreen/prescreen.hpp"

namespace {

using prescreen::json;

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

const std::string& pack_text() {
    static const std::string text = read_text(std::string(PRESCREEN_SOURCE_DIR) + "/protocols/microneedling/protocol.json");
    return text;
}

const json& cases() {
    static const json doc = json::parse(read_text(std::string(PRESCREEN_SOURCE_DIR) + "/protocols/microneedling/cases.json"));
    return doc.at("cases");
}

std::string describe_diagnostics(const prescreen::ProtocolError& error) {
    std::string text;
    for (const auto& d : error.diagnostics()) text += "\n  " + d.code + " " + d.path + ": " + d.message;
    return text;
}

// One compiled protocol per distinct set of overrides (most cases use the reference policy).
const prescreen::Protocol& protocol_for(const json& overrides) {
    static std::map<std::string, prescreen::Protocol> cache;
    const std::string key = overrides.dump();
    auto found = cache.find(key);
    if (found != cache.end()) return found->second;
    try {
        return cache.emplace(key, prescreen::Protocol::load(pack_text(), overrides)).first->second;
    } catch (const prescreen::ProtocolError& error) {
        FAIL("the micro-needling pack did not load with overrides " << key << ":" << describe_diagnostics(error));
        throw;
    }
}

std::vector<std::string> finding_rules(const json& result) {
    std::vector<std::string> rules;
    for (const auto& finding : result.at("findings")) rules.push_back(finding.at("rule").get<std::string>());
    return rules;
}

std::vector<std::string> aftercare_ids(const json& result) {
    std::vector<std::string> ids;
    if (result.contains("aftercare") && result["aftercare"].is_array())
        for (const auto& a : result["aftercare"]) ids.push_back(a.at("id").get<std::string>());
    return ids;
}

}  // namespace

TEST_CASE("micro-needling pack loads without diagnostics", "[microneedling]") {
    const auto diagnostics = prescreen::Protocol::lint(pack_text());
    std::string listed;
    for (const auto& d : diagnostics) listed += "\n  " + d.code + " " + d.path + ": " + d.message;
    INFO("lint diagnostics:" << listed);
    CHECK(diagnostics.empty());
    const auto& protocol = protocol_for(json::object());
    CHECK(protocol.id() == "microneedling");
    CHECK(protocol.version() == "2.0.0");
    CHECK(protocol.digest().size() == 64);
}

TEST_CASE("micro-needling patient cases", "[microneedling]") {
    REQUIRE(cases().size() >= 60);
    for (const auto& c : cases()) {
        const std::string id = c.at("id").get<std::string>();
        DYNAMIC_SECTION(id) {
            INFO("case " << id << ": " << c.at("description").get<std::string>());
            const json overrides = c.value("overrides", json::object());
            const auto& protocol = protocol_for(overrides);
            json result;
            try {
                result = protocol.screen(c.at("answers"), prescreen::Context{c.at("today").get<std::string>(), ""});
            } catch (const std::exception& error) {
                FAIL("case " << id << ": screen threw " << error.what());
            }
            INFO("result: " << result.dump());
            const json& expected = c.at("expected");
            CHECK(result.at("outcome") == expected.at("outcome"));
            CHECK(result.at("defer_until") == expected.at("defer_until"));
            CHECK(finding_rules(result) == expected.at("findings").get<std::vector<std::string>>());

            if (expected.contains("course_plan")) {
                if (expected["course_plan"].is_null()) {
                    CHECK(result.at("course").is_null());
                } else {
                    REQUIRE(result.at("course").is_object());
                    CHECK(result["course"].at("plan") == expected["course_plan"]);
                }
            }
            // A finding's own date ("clears on"), e.g. the birthday an under-age patient may come back.
            const json finding_dates = expected.value("finding_dates", json::object());
            for (const auto& [rule, date] : finding_dates.items()) {
                INFO("date of finding " << rule);
                json own = "(no such finding)";
                for (const auto& finding : result.at("findings"))
                    if (finding.at("rule") == rule) own = finding.at("defer_until");
                CHECK(own == date);
            }
            if (expected.contains("missing_required")) CHECK(result.at("missing_required") == expected["missing_required"]);
            if (expected.contains("issues")) {
                json issues = json::array();
                for (const auto& issue : result.at("issues")) issues.push_back({{"item", issue.at("item")}, {"code", issue.at("code")}});
                CHECK(issues == expected["issues"]);
            }
            const auto given = aftercare_ids(result);
            for (const auto& want : expected.value("aftercare_includes", json::array())) {
                INFO("aftercare should include " << want.get<std::string>());
                CHECK(std::find(given.begin(), given.end(), want.get<std::string>()) != given.end());
            }
            for (const auto& unwanted : expected.value("aftercare_excludes", json::array())) {
                INFO("aftercare should not include " << unwanted.get<std::string>());
                CHECK(std::find(given.begin(), given.end(), unwanted.get<std::string>()) == given.end());
            }
        }
    }
}

TEST_CASE("micro-needling findings carry what the clinician needs", "[microneedling]") {
    const auto& protocol = protocol_for(json::object());
    const json& pack = protocol.document();
    std::map<std::string, json> rules;
    for (const auto& r : pack.at("rules")) rules[r.at("id").get<std::string>()] = r;
    // Every rule fires in at least one case; check each finding's message, note, sources and outcome there.
    for (const auto& c : cases()) {
        const std::string id = c.at("id").get<std::string>();
        const json overrides = c.value("overrides", json::object());
        const json result = protocol_for(overrides).screen(c.at("answers"), prescreen::Context{c.at("today").get<std::string>(), ""});
        for (const auto& f : result.at("findings")) {
            const std::string rule = f.at("rule").get<std::string>();
            INFO("case " << id << ", finding " << rule);
            REQUIRE(rules.count(rule) == 1);
            CHECK(f.at("outcome") == rules[rule].at("outcome"));
            CHECK(f.at("message") == rules[rule].at("message"));
            CHECK(f.at("clinician_note") == rules[rule].at("clinician_note"));
            CHECK(f.at("sources") == rules[rule].at("sources"));
            // A date only for a rule with a waiting period (a deferral, or under the minimum age).
            if (!rules[rule].contains("defer")) CHECK(f.at("defer_until").is_null());
            else if (f.at("outcome") == "not_eligible") CHECK(f.at("defer_until").is_string());
        }
    }
}

TEST_CASE("micro-needling overrides outside the sources' range are refused", "[microneedling]") {
    const std::vector<std::pair<json, std::string>> bad = {
        {{{"isotretinoin_washout", 13}}, "override_out_of_range"},
        {{{"topical_retinoid_washout", 0}}, "override_out_of_range"},
        {{{"toxin_filler_washout", 7}}, "override_out_of_range"},
        {{{"min_age", 16}}, "override_out_of_range"},
        {{{"isotretinoin_washout", "6"}}, "override_wrong_type"},
        {{{"retinoid_washout", 5}}, "override_unknown_parameter"},
    };
    for (const auto& [overrides, code] : bad) {
        INFO("overrides " << overrides.dump() << " should give " << code);
        bool threw = false;
        try {
            (void)prescreen::Protocol::load(pack_text(), overrides);
        } catch (const prescreen::ProtocolError& error) {
            threw = true;
            const auto& d = error.diagnostics();
            CHECK(std::any_of(d.begin(), d.end(), [&](const prescreen::Diagnostic& x) { return x.code == code; }));
        }
        CHECK(threw);
    }
}

namespace {
const json& case_answers(const std::string& id) {
    for (const auto& c : cases())
        if (c.at("id") == id) return c.at("answers");
    FAIL("no case " << id);
    throw std::logic_error("unreachable");
}
}  // namespace

TEST_CASE("micro-needling consent: required acknowledgements, validity and cooling-off from parameters", "[microneedling]") {
    const auto& protocol = protocol_for(json::object());
    const json& document = protocol.document().at("consent");
    // The photograph choices are never required; finding-specific acknowledgements (`when`) only
    // of the patients they concern (mn-ref-v2 §6), so a patient with nothing to flag is asked for
    // the required ones without a `when`.
    std::vector<std::string> all, required;
    for (const auto& a : document.at("acknowledgements")) {
        all.push_back(a.at("id").get<std::string>());
        if (a.value("required", false) && !a.contains("when") && !a.value("with_override", false))  // finding_override: with an override only
            required.push_back(a.at("id").get<std::string>());
    }
    CHECK(required.size() < all.size());
    CHECK(std::find(required.begin(), required.end(), "voluntary") != required.end());
    CHECK(std::find(required.begin(), required.end(), "photo_marketing") == required.end());

    prescreen::ConsentRequest request;
    request.acknowledged = all;
    request.signature = {{"name", "Alex Patient"}, {"role", "patient"}};
    request.countersignature = {{"name", "Sam Lee"}, {"role", "nurse"}};  // the pack demands it (signature.countersign)
    request.signed_at = "2026-11-25T10:31:00Z";
    request.information_shown_at = "2026-11-25T10:20:00Z";
    const prescreen::Context today{"2026-11-25", ""};

    SECTION("eligible patient signs") {
        const json record = protocol.consent(case_answers("clean_female_35_face_fine_lines"), request, today);
        CHECK(record.at("document").at("version") == document.at("version"));
        CHECK(record.at("required_acknowledgements").get<std::vector<std::string>>() == required);
        CHECK(record.at("valid_until") == "2027-11-25");
        CHECK(record.at("cooling_off").at("offered") == true);
        CHECK(record.at("cooling_off").at("treatment_not_before") == "2026-11-26");
        const json verdict = prescreen::verify_consent(record);
        INFO(verdict.dump());
        CHECK(verdict.at("valid") == true);
    }
    SECTION("clinic overrides change validity and cooling-off") {
        const auto& custom = protocol_for({{"consent_validity", 6}, {"cooling_off_days", 14}});
        const json record = custom.consent(case_answers("clean_female_35_face_fine_lines"), request, today);
        CHECK(record.at("valid_until") == "2027-05-25");
        CHECK(record.at("cooling_off").at("treatment_not_before") == "2026-12-09");
    }
    SECTION("eligible with precautions may sign") {
        const json record = protocol.consent(case_answers("cold_sore_history"), request, today);
        CHECK(record.at("screening").at("outcome") == "eligible_with_precautions");
        CHECK(record.at("screening").at("findings") == json::array({"hsv_history"}));
        std::vector<std::string> herpes = required;  // the herpes acknowledgement, in document order
        herpes.insert(std::find(herpes.begin(), herpes.end(), "alternatives_discussed"), "finding_herpes");
        CHECK(record.at("required_acknowledgements").get<std::vector<std::string>>() == herpes);
    }
    SECTION("a material risk left unticked is refused") {
        auto partial = request;
        partial.acknowledged.erase(std::remove(partial.acknowledged.begin(), partial.acknowledged.end(), "risk_scarring"),
                                   partial.acknowledged.end());
        CHECK_THROWS_AS(protocol.consent(case_answers("clean_female_35_face_fine_lines"), partial, today), prescreen::UsageError);
    }
    for (const char* id : {"isotretinoin_stopped_one_day_inside", "anticoagulant_apixaban", "bleeding_disorder",
                           "incomplete_no_date_of_birth"}) {
        DYNAMIC_SECTION("no consent without an override: " << id) {
            try {
                (void)protocol.consent(case_answers(id), request, today);
                FAIL("consent was recorded for " << id);
            } catch (const prescreen::UsageError& error) {
                CHECK(error.diagnostic().code == "consent_not_permitted");
            }
        }
    }
    SECTION("a referral with a recorded practitioner override may sign") {
        auto overridden = request;
        overridden.practitioner_override = {{"finding", "anticoagulant"},
                                            {"name", "Dr Sam Practitioner"},
                                            {"role", "doctor"},
                                            {"register", "GMC"},
                                            {"registration_number", "7654321"},
                                            {"reason", "Discussed with the prescriber; apixaban continued; expect more bruising."},
                                            {"consulted", "Dr A Prescriber, GP"},  // pack 2.0.0: consulted is required
                                            {"patient_informed", true}};
        const json record = protocol.consent(case_answers("anticoagulant_apixaban"), overridden, today);
        CHECK(record.at("screening").at("outcome") == "refer");
        CHECK(record.at("overrides").at(0).at("registration_number") == "7654321");
        CHECK(prescreen::verify_consent(record).at("valid") == true);
    }
    SECTION("an override without a registration number is refused (CONTRAINDICATIONS-v2 §5)") {
        auto overridden = request;
        overridden.practitioner_override = {{"finding", "anticoagulant"}, {"name", "Dr Sam Practitioner"}, {"role", "doctor"},
                                            {"register", "GMC"}, {"reason", "Discussed."}, {"patient_informed", true}};
        try {
            (void)protocol.consent(case_answers("anticoagulant_apixaban"), overridden, today);
            FAIL("an override without a registration number was accepted");
        } catch (const prescreen::UsageError& error) {
            CHECK(error.diagnostic().code == "override_incomplete");
            CHECK(error.diagnostic().path == "/practitioner_override/registration_number");
        }
    }
}
