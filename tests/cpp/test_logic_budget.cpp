// The expression budget (issue 12.8) and the `core` dialect in packs: runaway rules stop with
// evaluation_budget_exceeded at run time (free data) or are refused at load (packs, where answers
// are bounded and the cost can be estimated).
#include <catch2/catch.hpp>

#include <chrono>

#include "prescreen/logic.hpp"
#include "prescreen/prescreen.hpp"

using prescreen::json;

namespace {

json pack_with_rule(const json& when, const char* logic = nullptr) {
    json pack = json::parse(R"({
      "format": "prescreen-protocol/1", "id": "t", "version": "1", "title": "T", "locales": ["en-GB"],
      "pages": [{"id": "p", "title": "P"}],
      "items": [{"id": "flag", "type": "boolean", "page": "p", "text": "Flag?"},
                {"id": "n", "type": "integer", "page": "p", "text": "N?"},
                {"id": "areas", "type": "multi-choice", "page": "p", "text": "Areas?",
                 "options": [{"value": "face", "label": "Face"}, {"value": "neck", "label": "Neck"}]}],
      "rules": [{"id": "r", "outcome": "refer", "message": "m", "clinician_note": "n", "sources": ["S1"]}],
      "sources": {"S1": {"title": "Source"}}
    })");
    pack["rules"][0]["when"] = when;
    if (logic) pack["logic"] = logic;
    return pack;
}

json range(int n) {
    json a = json::array();
    for (int i = 0; i < n; ++i) a.push_back(i);
    return a;
}

std::string code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const prescreen::ProtocolError& e) {
        return e.diagnostics().at(0).code;
    }
    return "no error";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("budget: nested some over 3,000-element arrays stops with evaluation_budget_exceeded", "[logic][budget]") {
    const json data = {{"a", range(3000)}};
    // each element is a number, so the inner `some` iterates nothing: 3,000 steps
    const json rule = json::parse(R"({"some": [{"var": "a"}, {"some": [{"var": ""}, false]}]})");
    // the inner `some` climbs back to the data's `a`: 3,000 x 3,000 steps
    const json nested = {{"some", {{{"var", "a"}}, {{"some", {{{"val", {json::array({2}), "a"}}}, false}}}}}};
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(code_of([&] { prescreen::apply_logic(nested, data); }) == "evaluation_budget_exceeded");
    CHECK(seconds_since(t0) < 1.0);
    CHECK(prescreen::apply_logic(rule, data) == false);  // 3,000 steps: well inside the budget
}

TEST_CASE("budget: reduce with merge doubling stops before memory is spent", "[logic][budget]") {
    const json rule = json::parse(
        R"({"reduce": [{"var": "a"}, {"merge": [{"var": "accumulator"}, {"var": "accumulator"}]}, [1]]})");
    const json data = {{"a", range(60)}};
    const auto t0 = std::chrono::steady_clock::now();
    try {
        prescreen::apply_logic(rule, data);
        FAIL("expected evaluation_budget_exceeded");
    } catch (const prescreen::ProtocolError& e) {
        REQUIRE(e.diagnostics().size() == 1);
        CHECK(e.diagnostics()[0].code == "evaluation_budget_exceeded");
        CHECK(e.diagnostics()[0].path == "");
        CHECK(e.diagnostics()[0].message.find("max_evaluation_steps 1000000") != std::string::npos);
    }
    CHECK(seconds_since(t0) < 1.0);
    // cat doubling a text hits the memory budget instead
    const json text = json::parse(R"({"reduce": [{"var": "a"}, {"cat": [{"var": "accumulator"}, {"var": "accumulator"}]}, "ab"]})");
    CHECK(code_of([&] { prescreen::apply_logic(text, data); }) == "evaluation_budget_exceeded");
}

TEST_CASE("budget: a smaller budget in Limits is honoured", "[logic][budget]") {
    prescreen::Limits limits = prescreen::default_limits();
    limits.max_evaluation_steps = 10;
    const auto logic = prescreen::Logic::compile(json::parse(R"({"map": [{"var": "a"}, {"+": [{"var": ""}, 1]}]})"), limits);
    const json ten = {{"a", range(10)}}, eleven = {{"a", range(11)}};
    CHECK(logic.apply(prescreen::LogicData(ten)).size() == 10);
    CHECK(code_of([&] { logic.apply(prescreen::LogicData(eleven)); }) == "evaluation_budget_exceeded");
}

TEST_CASE("budget: a pack rule that can exceed the budget is refused at load and by lint", "[logic][budget][load]") {
    // 3,000 x 3,000 literal elements: 9,000,000 steps
    const json big = range(3000);
    const json nested = {{"some", {big, {{"some", {big, {{"==", {{{"var", ""}}, -1}}}}}}}}};
    auto ds = prescreen::Protocol::lint(pack_with_rule(nested).dump());
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].code == "evaluation_budget_exceeded");
    CHECK(ds[0].path == "/rules/0/when");
    CHECK(ds[0].message.find("9003000 steps") != std::string::npos);
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(code_of([&] { prescreen::Protocol::load(pack_with_rule(nested).dump()); }) == "evaluation_budget_exceeded");
    CHECK(seconds_since(t0) < 1.0);

    // reduce doubling over a 40-element literal: 2^40 elements
    const json doubling = json::parse(
        R"({"some": [{"reduce": [[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40],
            {"merge": [{"var": "accumulator"}, {"var": "accumulator"}]}, [1]]}, {"var": ""}]})");
    ds = prescreen::Protocol::lint(pack_with_rule(doubling).dump());
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].code == "evaluation_budget_exceeded");
    CHECK(ds[0].message.find("17592186044416 bytes") != std::string::npos);  // 2^40 elements of 16 bytes (a Value)

    // bounded iteration over an answer (at most its two options) is fine
    const json fine = json::parse(R"({"some": [{"var": "areas"}, {"==": [{"var": ""}, "face"]}]})");
    CHECK(prescreen::Protocol::lint(pack_with_rule(fine).dump()).empty());
}

TEST_CASE("core dialect in a pack: \"logic\": \"core\"", "[logic][core][load]") {
    // null == 0 is true in JSON Logic Core, false in json-logic-js: an unanswered n counts as 0
    const json when = json::parse(R"({"==": [{"var": "n"}, 0]})");
    const auto js = prescreen::Protocol::load(pack_with_rule(when).dump());
    const auto core = prescreen::Protocol::load(pack_with_rule(when, "core").dump());
    const json unanswered = json::object();
    CHECK(js.screen(unanswered, {"2026-12-01", ""})["findings"].size() == 0);
    CHECK(core.screen(unanswered, {"2026-12-01", ""})["findings"].size() == 1);
    // core arguments are checked at load: {"==": [x]} compares nothing
    auto ds = prescreen::Protocol::lint(pack_with_rule(json::parse(R"({"==": [{"var": "n"}]})"), "core").dump());
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].code == "bad_arguments");
    CHECK(ds[0].path == "/rules/0/when/==");
    ds = prescreen::Protocol::lint(pack_with_rule(when, "jsonlogic").dump());
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].code == "invalid_value");
    CHECK(ds[0].path == "/logic");
}

TEST_CASE("core dialect through apply_logic", "[logic][core]") {
    using prescreen::Dialect;
    const json none = nullptr;
    CHECK(prescreen::apply_logic(json::parse(R"({"/": [8, 2, 2]})"), none, {}, Dialect::Core) == 2);
    CHECK(prescreen::apply_logic(json::parse(R"({"/": [8, 2, 2]})"), none) == 4);  // json-logic-js: two arguments
    CHECK(prescreen::apply_logic(json::parse(R"({"<": [1, 2, 3, 4]})"), none, {}, Dialect::Core) == true);
    CHECK(prescreen::apply_logic(json::parse(R"({"+": {"merge": [[1, 2], 3]}})"), none, {}, Dialect::Core) == 6);
    CHECK(code_of([&] { prescreen::apply_logic(json::parse(R"({"/": [1, 0]})"), none, {}, Dialect::Core); }) == "not_a_number");
    CHECK(prescreen::apply_logic(json::parse(R"({"try": [{"/": [1, 0]}, {"val": "type"}]})"), none, {}, Dialect::Core) == "NaN");
    CHECK(prescreen::apply_logic(json::parse(R"({"map": [[1, 2], {"+": [{"val": []}, {"val": [[1], "index"]}]}]})"), none, {},
                                 Dialect::Core) == json::array({1, 3}));
    CHECK(prescreen::parse_dialect("core") == Dialect::Core);
    CHECK(prescreen::parse_dialect("json-logic-js") == Dialect::JsonLogicJs);
    try {
        prescreen::parse_dialect("jsonlogic");
        FAIL("expected UsageError");
    } catch (const prescreen::UsageError& e) {
        CHECK(e.diagnostic().code == "unknown_dialect");
    }
}
