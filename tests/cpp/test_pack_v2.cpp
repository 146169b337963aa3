// Pack 2.0.0 (mn-ref-v2) engine support: the override policy's shape is checked at load, a blank
// free-text answer counts as unanswered, and the free-text review puts the text in the trace.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "prescreen/prescreen.hpp"

namespace {

using prescreen::json;

json pack() {
    std::ifstream in(std::string(PRESCREEN_SOURCE_DIR) + "/protocols/microneedling/protocol.json", std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
}

json first_case_answers() {
    std::ifstream in(std::string(PRESCREEN_SOURCE_DIR) + "/protocols/microneedling/cases.json", std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return json::parse(text.str()).at("cases").at(0).at("answers");
}

std::size_t rule_index(const json& doc, const std::string& id) {
    for (std::size_t i = 0; i < doc.at("rules").size(); ++i)
        if (doc["rules"][i].at("id") == id) return i;
    FAIL("no rule " << id);
    return 0;
}

// Load `doc` and return the diagnostics (empty when it loads).
std::vector<prescreen::Diagnostic> problems(const json& doc) {
    try {
        (void)prescreen::Protocol::load(doc.dump());
    } catch (const prescreen::ProtocolError& error) {
        return error.diagnostics();
    }
    return {};
}

bool has(const std::vector<prescreen::Diagnostic>& list, const std::string& code, const std::string& path) {
    for (const auto& d : list)
        if (d.code == code && d.path == path) return true;
    return false;
}

}  // namespace

TEST_CASE("override policy: the shipped pack's policies load", "[pack_v2]") {
    CHECK(problems(pack()).empty());
}

TEST_CASE("override policy: malformed policies are refused with a path", "[pack_v2]") {
    const json base = pack();
    const std::size_t refer = rule_index(base, "anticoagulant");            // refer
    const std::size_t dated = rule_index(base, "sunburn_recent");           // deferred with a wait
    const std::size_t open = rule_index(base, "pregnancy");                 // deferred, open-ended
    const std::string rp = "/rules/" + std::to_string(refer) + "/override";
    const std::string dp = "/rules/" + std::to_string(dated) + "/override";
    const std::string op = "/rules/" + std::to_string(open) + "/override";

    auto with = [&](std::size_t rule, json policy) {
        json doc = base;
        doc["rules"][rule]["override"] = std::move(policy);
        return problems(doc);
    };
    CHECK(has(with(refer, json::array()), "wrong_type", rp));
    CHECK(has(with(refer, {{"allowed", true}, {"to", {"eligible"}}}), "missing_key", rp + "/by"));
    CHECK(has(with(refer, {{"allowed", true}, {"by", {"GMC"}}}), "missing_key", rp + "/to"));
    CHECK(has(with(refer, {{"alowed", true}}), "unknown_key", rp + "/alowed"));
    CHECK(has(with(refer, {{"alowed", true}}), "missing_key", rp + "/allowed"));
    CHECK(has(with(refer, {{"allowed", "yes"}}), "wrong_type", rp + "/allowed"));
    CHECK(has(with(refer, {{"allowed", true}, {"by", {"GMC", "Harley Street"}}, {"to", {"eligible"}}}), "invalid_value", rp + "/by/1"));
    // An override never makes a finding stricter, and a referral cannot become a deferral.
    CHECK(has(with(refer, {{"allowed", true}, {"by", {"GMC"}}, {"to", {"not_eligible"}}}), "invalid_value", rp + "/to/0"));
    CHECK(has(with(refer, {{"allowed", true}, {"by", {"GMC"}}, {"to", {"deferred"}}}), "invalid_value", rp + "/to/0"));
    CHECK(has(with(refer, {{"allowed", true}, {"by", {"GMC"}}, {"to", {"incomplete"}}}), "invalid_value", rp + "/to/0"));
    // not_before belongs to dated deferrals only; a dated deferral may stay deferred with an earlier date.
    CHECK(has(with(refer, {{"allowed", true}, {"by", {"GMC"}}, {"to", {"eligible"}}, {"not_before", "parameter_min"}}),
              "invalid_value", rp + "/not_before"));
    CHECK(has(with(open, {{"allowed", true}, {"by", {"GMC"}}, {"to", {"eligible"}}, {"not_before", "parameter_min"}}),
              "invalid_value", op + "/not_before"));
    CHECK(with(dated, {{"allowed", true}, {"by", {"NMC"}}, {"to", {"deferred"}}, {"not_before", "parameter_min"}}).empty());
    CHECK(has(with(dated, {{"allowed", true}, {"by", {"NMC"}}, {"to", {"deferred"}}, {"not_before", "yesterday"}}),
              "invalid_value", dp + "/not_before"));
    // Keys that only make sense one way round.
    CHECK(has(with(open, {{"allowed", false}, {"by", {"GMC"}}}), "invalid_value", op + "/by"));
    CHECK(has(with(refer, {{"allowed", true}, {"by", {"GMC"}}, {"to", {"eligible"}}, {"acknowledge", true}}),
              "invalid_value", rp + "/acknowledge"));
    CHECK(with(open, {{"allowed", false}, {"$comment", "labelling contraindication"}}).empty());
}

TEST_CASE("free text: any non-blank answer is put in front of the practitioner", "[pack_v2]") {
    const auto protocol = prescreen::Protocol::load(pack().dump());
    const prescreen::Context today{"2026-11-25", ""};
    json answers = first_case_answers();
    for (const char* field : {"other_medicines", "other_conditions", "other_allergies"}) {
        INFO(field);
        answers[field] = " \t\n ";
        json result = protocol.screen(answers, today);
        CHECK(result.at("outcome") == "eligible");
        answers[field] = "  chlorhexidine anaphylaxis  ";
        result = protocol.screen(answers, today);
        CHECK(result.at("outcome") == "eligible_with_precautions");
        REQUIRE(result.at("findings").size() == 1);
        const json& finding = result["findings"][0];
        CHECK(finding.at("rule") == "free_text_review");
        CHECK(finding.at("trace").at("answers").at(field) == "  chlorhexidine anaphylaxis  ");
        answers.erase(field);
    }
}

TEST_CASE("a blank text answer does not satisfy a required text question", "[pack_v2]") {
    const auto protocol = prescreen::Protocol::load(pack().dump());
    json answers = first_case_answers();
    answers["treatment_areas"] = {"other"};
    answers["treatment_areas_other"] = "   ";
    const json form = protocol.form(answers, prescreen::Context{"2026-11-25", ""});
    CHECK(form.at("missing_required") == json::array({"treatment_areas_other"}));
}
