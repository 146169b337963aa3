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
    CHECK(protocol.version() == "1.0.0");
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
            if (f.at("outcome") != "deferred") CHECK(f.at("defer_until").is_null());
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
