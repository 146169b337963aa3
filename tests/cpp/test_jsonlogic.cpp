// JsonLogic: the official suite (100 %), domain operations, compile diagnostics and limits.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>

#include "expr/expr.hpp"
#include "prescreen/prescreen.hpp"

using prescreen::json;
namespace expr = prescreen::expr;

namespace {

json read_json(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

json logic(const json& rule, const json& data = json::object(), const std::string& today = "") {
    prescreen::Context context;
    context.today = today;
    return prescreen::apply_logic(rule, data, context);
}

// Thrown diagnostics of apply_logic (compile or runtime), or an empty list.
std::vector<prescreen::Diagnostic> logic_errors(const json& rule, const json& data = json::object(),
                                                 const std::string& today = "") {
    try {
        logic(rule, data, today);
    } catch (const prescreen::ProtocolError& e) {
        return e.diagnostics();
    }
    return {};
}

// A protocol-like scope for compile diagnostics.
struct TestScope {
    std::vector<expr::ItemInfo> items{
        {"smoker", expr::ItemType::Boolean, {}},
        {"age_years", expr::ItemType::Integer, {}},
        {"weight", expr::ItemType::Decimal, {}},
        {"last_dose", expr::ItemType::Date, {}},
        {"skin_type", expr::ItemType::Choice, {"I", "II", "III"}},
        {"conditions", expr::ItemType::MultiChoice, {"acne", "rosacea", "eczema"}},
        {"notes", expr::ItemType::Text, {}},
    };
    std::vector<std::string> parameters{"washout", "min_age"};
    std::vector<std::string> rules{"r_smoker", "r_pregnant"};
    expr::Scope scope;
    TestScope(bool with_rules = false, bool outcome = false) {
        scope.items = &items;
        scope.find_item = [this](std::string_view id) {
            for (std::size_t i = 0; i < items.size(); ++i)
                if (items[i].id == id) return int(i);
            return -1;
        };
        scope.find_parameter = [this](std::string_view id) {
            for (std::size_t i = 0; i < parameters.size(); ++i)
                if (parameters[i] == id) return int(i);
            return -1;
        };
        if (with_rules)
            scope.find_rule = [this](std::string_view id) {
                for (std::size_t i = 0; i < rules.size(); ++i)
                    if (rules[i] == id) return int(i);
                return -1;
            };
        scope.allow_outcome = outcome;
    }
};

std::vector<prescreen::Diagnostic> compile_errors(const json& rule, const expr::Scope& scope,
                                                   const std::string& base = "/rules/3/when",
                                                   const prescreen::Limits& limits = prescreen::default_limits()) {
    std::vector<prescreen::Diagnostic> diagnostics;
    auto program = expr::compile(rule, scope, base, limits, diagnostics);
    CHECK((program == nullptr) == !diagnostics.empty());
    return diagnostics;
}

std::string describe(const std::vector<prescreen::Diagnostic>& ds) {
    std::string s;
    for (const auto& d : ds) s += d.code + " " + d.path + ": " + d.message + "\n";
    return s;
}

void expect_one(const std::vector<prescreen::Diagnostic>& ds, const std::string& code, const std::string& path) {
    INFO(describe(ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].code == code);
    CHECK(ds[0].path == path);
}

}  // namespace

TEST_CASE("jsonlogic: official tests.json passes 100 %", "[jsonlogic]") {
    static const json suite = read_json(PRESCREEN_SHARED_DIR "/conformance/jsonlogic/tests.json");
    std::size_t index = 0;
    for (const auto& test : suite) {
        ++index;
        if (test.is_string()) continue;
        DYNAMIC_SECTION("case " << index << ": " << test[0].dump()) {
            const json& rule = test[0];
            const json& data = test[1];
            const json& expected = test[2];
            json got;
            std::string error;
            try {
                got = logic(rule, data);
            } catch (const prescreen::ProtocolError& e) {
                error = e.what();
                for (const auto& d : e.diagnostics()) error += " | " + d.code + " " + d.path + " " + d.message;
            }
            INFO("rule:     " << rule.dump());
            INFO("data:     " << data.dump());
            INFO("expected: " << expected.dump());
            INFO("got:      " << got.dump() << (error.empty() ? "" : " error: " + error));
            CHECK(error.empty());
            CHECK(got == expected);
        }
    }
}

TEST_CASE("jsonlogic: JavaScript coercions", "[jsonlogic]") {
    CHECK(logic({{"cat", {1.0, 0.1, 1e21, 1e-7, 123456789012.5}}}) == "10.11e+211e-7123456789012.5");
    CHECK(logic({{"cat", {json::array({1, json::array({2, 3}), nullptr}), nullptr, true}}}) == "1,2,3,true");
    CHECK(logic({{"+", {"1", 1}}}) == 2);
    CHECK(logic({{"+", {"3px", "2"}}}) == 5);  // parseFloat
    CHECK(logic({{"-", {"3px", 1}}}).is_null());  // NaN -> null
    CHECK(logic({{"/", {1, 0}}}).is_null());      // Infinity -> null
    CHECK(logic({{"*", {"2"}}}) == "2");          // reduce without initial value returns the argument
    CHECK(logic({{"==", {json::array({1}), 1}}}) == true);
    CHECK(logic({{"==", {json::array({1, 2}), "1,2"}}}) == true);
    CHECK(logic({{"==", {nullptr, 0}}}) == false);
    CHECK(logic({{"==", {false, "0"}}}) == true);
    CHECK(logic({{"==", {" \n 12 ", 12}}}) == true);
    CHECK(logic({{"==", {"0x10", 16}}}) == true);
    CHECK(logic({{"<", {nullptr, 1}}}) == true);
    CHECK(logic({{"<", {"a", "b"}}}) == true);
    CHECK(logic({{"<", {"10", "9"}}}) == true);  // both strings: lexicographic
    CHECK(logic({{"<", {"10", 9}}}) == false);
    CHECK(logic({{"!!", json::array({json::array()})}}) == false);  // [] is falsy
    CHECK(logic({{"!!", json::array({json::object({{"a", 1}, {"b", 2}})})}}) == true);
    CHECK(logic({{"in", {1, "a1"}}}) == true);
    CHECK(logic({{"in", {"", ""}}}) == false);
    CHECK(logic({{"substr", {"jsonlogic", -5, -2}}}) == "log");
    CHECK(logic({{"substr", {"héllo", 1, 3}}}) == "éll");
    CHECK(logic({{"var", "a.length"}}, {{"a", {1, 2, 3}}}) == 3);
    CHECK(logic({{"var", 1}}, json::array({"x", "y"})) == "y");
    CHECK(logic({{"var", {"a.b", 7}}}, {{"a", {{"b", nullptr}}}}).is_null());
    CHECK(logic({{"var", {"a.c", 7}}}, {{"a", {{"b", nullptr}}}}) == 7);
    CHECK(logic({{"reduce", {{{"var", "a"}}, {{"var", ""}}, 0}}}, {{"a", {1}}}) ==
          json({{"current", 1}, {"accumulator", 0}}));
    CHECK(logic({{"log", "x"}}) == "x");
    // values read out of an evaluation-owned object outlive it (ASan caught a dangling view here)
    CHECK(logic({{"try", {{{"throw", "Some error"}}, {{"val", "type"}}}}}) == "Some error");
    CHECK(logic({{"??", {{{"try", {{{"throw", "E"}}, {{"val", "type"}}}}}}}}) == "E");
    CHECK(logic({{"max", json::array()}}).is_null());
    CHECK(logic(json({{"a", 1}, {"b", 2}})) == json({{"a", 1}, {"b", 2}}));
    CHECK(logic({{"===", {{{"var", "a"}}, {{"var", "a"}}}}}, {{"a", {1}}}) == true);  // same object
    CHECK(logic({{"===", {json::array({1}), json::array({1})}}}) == false);               // two arrays
    CHECK(logic({{"map", {{{"map", {{1, 2}, {{"cat", {"n", {{"var", ""}}}}}}}}, {{"var", ""}}}}}) ==
          json({"n1", "n2"}));
}

TEST_CASE("jsonlogic: domain operations", "[jsonlogic]") {
    CHECK(logic({{"today", json::array()}}, json::object(), "2026-11-25") == "2026-11-25");
    CHECK(logic({{"today", json::array()}}).is_null());
    CHECK(logic({{"date_add", {"2026-08-31", 6, "months"}}}) == "2027-02-28");
    CHECK(logic({{"date_add", {"2024-02-29", 1, "years"}}}) == "2025-03-01");  // the age rule's anniversary
    CHECK(logic({{"date_add", {"2026-01-31", 1, "months"}}}) == "2026-02-28");
    CHECK(logic({{"date_add", {"2026-12-25", 10, "days"}}}) == "2027-01-04");
    CHECK(logic({{"date_add", {"2026-03-10", -10, "days"}}}) == "2026-02-28");
    CHECK(logic({{"date_add", {{{"var", "d"}}, {{"var", "n"}}, {{"var", "u"}}}}},
                {{"d", "2026-01-01"}, {"n", 2}, {"u", "years"}}) == "2028-01-01");
    CHECK(logic({{"date_add", {nullptr, 6, "months"}}}).is_null());
    CHECK(logic({{"date_add", {{{"var", "missing"}}, 6, "months"}}}).is_null());
    CHECK(logic({{"date_diff", {"2026-01-01", "2026-03-01", "days"}}}) == 59);
    CHECK(logic({{"date_diff", {"2026-01-31", "2026-02-28", "months"}}}) == 0);  // completes on 1 March
    CHECK(logic({{"date_diff", {"2026-01-31", "2026-03-01", "months"}}}) == 1);
    CHECK(logic({{"date_diff", {"2026-01-15", "2026-03-15", "months"}}}) == 2);
    CHECK(logic({{"date_diff", {"2026-03-15", "2026-01-15", "months"}}}) == -2);
    CHECK(logic({{"date_diff", {"2000-11-25", "2026-11-24", "years"}}}) == 25);
    CHECK(logic({{"date_diff", {"2026-01-01", nullptr, "days"}}}).is_null());
    CHECK(logic({{"age", {"2000-11-25"}}}, json::object(), "2026-11-25") == 26);  // on the birthday
    CHECK(logic({{"age", {"2000-11-26"}}}, json::object(), "2026-11-25") == 25);
    CHECK(logic({{"age", {"2008-02-29"}}}, json::object(), "2026-02-28") == 17);  // born 29 Feb: 18 on 1 March
    CHECK(logic({{"age", {"2008-02-29"}}}, json::object(), "2026-03-01") == 18);
    CHECK(logic({{"age", {"2000-01-01"}}}).is_null());  // no today
    CHECK(logic({{"age", {{{"var", "dob"}}}}}, {{"dob", nullptr}}, "2026-11-25").is_null());
    CHECK(logic({{"<", {{{"date_add", {{{"var", "d"}}, 6, "months"}}}, {{"today", json::array()}}}}},
                {{"d", "2026-05-25"}}, "2026-11-25") == false);  // allowed *on* event + N

    SECTION("impossible dates at run time are invalid_date") {
        auto ds = logic_errors({{"date_add", {{{"var", "d"}}, 1, "days"}}}, {{"d", "2026-02-30"}});
        expect_one(ds, "invalid_date", "");
        ds = logic_errors({{"age", {{{"var", "d"}}}}}, {{"d", "25/11/2000"}}, "2026-11-25");
        expect_one(ds, "invalid_date", "");
        ds = logic_errors({{"date_diff", {"2026-01-01", {{"var", "d"}}, "days"}}}, {{"d", 5}});
        expect_one(ds, "invalid_date", "");
        ds = logic_errors({{"date_add", {"2026-01-01", 1, {{"var", "u"}}}}}, {{"u", "weeks"}});
        expect_one(ds, "bad_arguments", "");
    }
    SECTION("literal impossible dates are compile errors") {
        expect_one(logic_errors({{"date_add", {"2026-02-30", 1, "days"}}}), "invalid_date", "/date_add/0");
        expect_one(logic_errors({{"date_diff", {"2026-01-01", "2026-13-01", "days"}}}), "invalid_date", "/date_diff/1");
        expect_one(logic_errors({{"age", {"1990-02-29"}}}), "invalid_date", "/age/0");
        expect_one(logic_errors({{"date_add", {"2026-01-01", 1, "weeks"}}}), "bad_arguments", "/date_add/2");
        expect_one(logic_errors({{"date_add", {"2026-01-01", 1.5, "days"}}}), "bad_arguments", "/date_add/1");
        expect_one(logic_errors({{"date_add", {"2026-01-01", 1}}}), "bad_arguments", "/date_add");
        expect_one(logic_errors({{"today", {1}}}), "bad_arguments", "/today");
    }
    SECTION("free-data scope has no param, answered, fired or outcome") {
        expect_one(logic_errors({{"param", "washout"}}), "unknown_parameter", "/param");
        expect_one(logic_errors({{"answered", "x"}}), "unknown_operation", "/answered");
        expect_one(logic_errors({{"fired", "r"}}), "unknown_operation", "/fired");
        expect_one(logic_errors({{"outcome", json::array()}}), "unknown_operation", "/outcome");
    }
    SECTION("an invalid today is a usage error") {
        CHECK_THROWS_AS(logic({{"today", json::array()}}, json::object(), "2026-02-30"), prescreen::UsageError);
    }
}

TEST_CASE("jsonlogic: protocol scope", "[jsonlogic]") {
    TestScope t(true, true);
    std::vector<expr::Value> answers(t.items.size());
    std::vector<expr::Value> parameters{expr::Value::from_number(6), expr::Value::from_number(18)};
    std::vector<std::uint8_t> fired{0, 1};
    const std::vector<expr::Value> conditions{expr::Value::from_view("acne"), expr::Value::from_view("eczema")};
    answers[0] = expr::Value::from_bool(true);
    answers[3] = expr::Value::from_view("2026-06-01");
    answers[4] = expr::Value::from_view("II");
    answers[5] = expr::Value::from_array_view(&conditions);
    expr::Frame frame;
    frame.items = answers.data();
    frame.parameters = parameters.data();
    frame.fired = fired.data();
    frame.outcome = "deferred";
    frame.today = "2026-11-25";

    auto run = [&](const json& rule) {
        std::vector<prescreen::Diagnostic> ds;
        auto program = expr::compile(rule, t.scope, "/rules/0/when", prescreen::default_limits(), ds);
        INFO(rule.dump() << "\n" << describe(ds));
        REQUIRE(program);
        expr::Arena arena;
        const json result = expr::to_json(expr::evaluate(*program, frame, arena));
        CHECK(expr::evaluate_truthy(*program, frame) == expr::truthy(expr::evaluate(*program, frame, arena)));
        return result;
    };
    CHECK(run({{"==", {{{"var", "smoker"}}, true}}}) == true);
    CHECK(run({{"==", {true, {{"var", "smoker"}}}}}) == true);
    CHECK(run({{"<", {{{"var", "last_dose"}}, "2026-01-01"}}}) == false);
    CHECK(run({{">", {"2027-01-01", {{"var", "last_dose"}}}}}) == true);
    CHECK(run({{"!=", {{{"var", "age_years"}}, 3}}}) == true);  // unanswered
    CHECK(run({{"var", {"age_years", 42}}}) == 42);
    CHECK(run({{"in", {"acne", {{"var", "conditions"}}}}}) == true);
    CHECK(run({{"in", {{{"var", "skin_type"}}, {"I", "II"}}}}) == true);
    CHECK(run({{"some", {{{"var", "conditions"}}, {{"==", {{{"var", ""}}, "eczema"}}}}}}) == true);
    CHECK(run({{"missing", {"smoker", "age_years", "notes"}}}) == json({"age_years", "notes"}));
    CHECK(run({{"missing", json::array({json::array({"smoker", "weight"})})}}) == json({"weight"}));
    CHECK(run({{"missing_some", {1, {"smoker", "weight"}}}}) == json::array());
    CHECK(run({{"missing_some", {2, {"smoker", "weight"}}}}) == json({"weight"}));
    CHECK(run({{"param", "washout"}}) == 6);
    CHECK(run({{"date_add", {{{"var", "last_dose"}}, {{"param", "washout"}}, "months"}}}) == "2026-12-01");
    CHECK(run({{"answered", "smoker"}}) == true);
    CHECK(run({{"answered", "weight"}}) == false);
    CHECK(run({{"fired", "r_pregnant"}}) == true);
    CHECK(run({{"fired", "r_smoker"}}) == false);
    CHECK(run({{"outcome", json::array()}}) == "deferred");
    CHECK(run({{"today", json::array()}}) == "2026-11-25");
    CHECK(run({{"and", {{{"var", "smoker"}}, {{"!", {{"var", "weight"}}}}}}}) == true);
    // Fused forms (InConstSlot, BetweenSlot) keep JavaScript semantics; run() also checks that
    // evaluate_truthy's fast path agrees with evaluate().
    CHECK(run({{"in", {"eczema", {{"var", "conditions"}}}}}) == true);
    CHECK(run({{"in", {"rosacea", {{"var", "conditions"}}}}}) == false);
    CHECK(run({{"in", {"I", {{"var", "skin_type"}}}}}) == true);  // substring of "II"
    CHECK(run({{"in", {"x", {{"var", "notes"}}}}}) == false);     // unanswered
    CHECK(run({{"<=", {0, {{"var", "age_years"}}, 13}}}) == true);  // null compares as 0
    CHECK(run({{"<", {0, {{"var", "age_years"}}, 13}}}) == false);
    CHECK(run({{"<", {"2026-01-01", {{"var", "last_dose"}}, "2027-01-01"}}}) == true);
    CHECK(run({{"<", {"2026-07-01", {{"var", "last_dose"}}, "2027-01-01"}}}) == false);
    CHECK(run({{"or", {{{"!", {{"var", "smoker"}}}}, {{"in", {"acne", {{"var", "conditions"}}}}}}}}) == true);
    {
        std::vector<prescreen::Diagnostic> ds;
        auto simple = expr::compile({{"and", {{{"==", {{{"var", "smoker"}}, true}}}, {{"in", {"acne", {{"var", "conditions"}}}}},
                                              {{"<=", {18, {{"var", "age_years"}}, 70}}}, {{"!!", {{"var", "notes"}}}}}}},
                                    t.scope, "", prescreen::default_limits(), ds);
        REQUIRE(simple);
        CHECK(simple->simple);
        auto general = expr::compile({{"and", {{{"var", "smoker"}}, {{"param", "min_age"}}}}}, t.scope, "",
                                     prescreen::default_limits(), ds);
        REQUIRE(general);
        CHECK_FALSE(general->simple);
    }

    std::vector<prescreen::Diagnostic> ds;
    auto program = expr::compile({{"and", {{{"==", {{{"var", "smoker"}}, true}}}, {{"param", "min_age"}},
                                           {{"fired", "r_smoker"}}, {{"missing", {"notes", "weight"}}}}}},
                                 t.scope, "", prescreen::default_limits(), ds);
    REQUIRE(program);
    CHECK(program->items_used == std::vector<int>{0, 2, 6});
    CHECK(program->parameters_used == std::vector<int>{1});
    CHECK(program->rules_used == std::vector<int>{0});
}

TEST_CASE("jsonlogic: compile diagnostics with paths", "[jsonlogic]") {
    TestScope t;
    const auto& s = t.scope;
    expect_one(compile_errors({{"==", {{{"var", "x"}}, 1}}}, s), "unknown_item", "/rules/3/when/==/0/var");
    expect_one(compile_errors({{"!", {{"var", "nope"}}}}, s), "unknown_item", "/rules/3/when/!/var");
    expect_one(compile_errors({{"var", "smoker.0"}}, s), "unknown_item", "/rules/3/when/var");
    expect_one(compile_errors({{"missing", {"smoker", "nope"}}}, s), "unknown_item", "/rules/3/when/missing/1");
    expect_one(compile_errors({{"missing_some", {1, {"nope"}}}}, s), "unknown_item", "/rules/3/when/missing_some/1/0");
    expect_one(compile_errors({{"answered", "nope"}}, s), "unknown_item", "/rules/3/when/answered");
    expect_one(compile_errors({{"and", {true, {{"frobnicate", {1}}}}}}, s), "unknown_operation",
               "/rules/3/when/and/1/frobnicate");
    expect_one(compile_errors({{"param", "nope"}}, s), "unknown_parameter", "/rules/3/when/param");
    expect_one(compile_errors({{"fired", "r_smoker"}}, s), "unknown_operation", "/rules/3/when/fired");
    expect_one(compile_errors({{"outcome", json::array()}}, s), "unknown_operation", "/rules/3/when/outcome");
    expect_one(compile_errors({{"*", json::array()}}, s), "bad_arguments", "/rules/3/when/*");
    expect_one(compile_errors({{"a/b~", 1}}, s), "unknown_operation", "/rules/3/when/a~1b~0");
    {
        TestScope r(true);
        expect_one(compile_errors({{"fired", "nope"}}, r.scope), "unknown_rule", "/rules/3/when/fired");
    }
    SECTION("type checks") {
        expect_one(compile_errors({{"==", {{{"var", "smoker"}}, 1}}}, s), "type_mismatch", "/rules/3/when/==/1");
        expect_one(compile_errors({{"===", {"yes", {{"var", "smoker"}}}}}, s), "type_mismatch", "/rules/3/when/===/0");
        expect_one(compile_errors({{">", {{{"var", "age_years"}}, "18"}}}, s), "type_mismatch", "/rules/3/when/>/1");
        expect_one(compile_errors({{"<=", {{{"var", "weight"}}, true}}}, s), "type_mismatch", "/rules/3/when/<=/1");
        expect_one(compile_errors({{"<", {{{"var", "last_dose"}}, "yesterday"}}}, s), "type_mismatch", "/rules/3/when/</1");
        expect_one(compile_errors({{"<", {{{"var", "last_dose"}}, 20260101}}}, s), "type_mismatch", "/rules/3/when/</1");
        expect_one(compile_errors({{"<", {{{"var", "last_dose"}}, "2026-02-30"}}}, s), "invalid_date", "/rules/3/when/</1");
        expect_one(compile_errors({{"==", {{{"var", "skin_type"}}, "IV"}}}, s), "not_an_option", "/rules/3/when/==/1");
        expect_one(compile_errors({{"!=", {{{"var", "skin_type"}}, 4}}}, s), "type_mismatch", "/rules/3/when/!=/1");
        expect_one(compile_errors({{"in", {"psoriasis", {{"var", "conditions"}}}}}, s), "not_an_option", "/rules/3/when/in/0");
        expect_one(compile_errors({{"in", {{{"var", "skin_type"}}, {"I", "V"}}}}, s), "not_an_option", "/rules/3/when/in/1/1");
        const auto ds = compile_errors({{"==", {{{"var", "smoker"}}, 1}}}, s);
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].message.find("smoker") != std::string::npos);
        CHECK(ds[0].message.find("boolean") != std::string::npos);
        // allowed
        CHECK(compile_errors({{"==", {{{"var", "smoker"}}, nullptr}}}, s).empty());
        CHECK(compile_errors({{"==", {{{"var", "age_years"}}, 3.5}}}, s).empty());
        CHECK(compile_errors({{"<", {{{"var", "last_dose"}}, "2026-01-01"}}}, s).empty());
        CHECK(compile_errors({{"in", {"rosacea", {{"var", "conditions"}}}}}, s).empty());
        CHECK(compile_errors({{"==", {{{"var", "notes"}}, 5}}}, s).empty());
    }
    SECTION("every problem is reported") {
        const auto ds = compile_errors({{"or", {{{"var", "a"}}, {{"var", "b"}}, {{"zz", 1}}}}}, s);
        CHECK(ds.size() == 3);
    }
}

TEST_CASE("jsonlogic: expression depth limit", "[jsonlogic]") {
    prescreen::Limits limits;
    limits.max_expression_depth = 10;
    auto nested = [](std::size_t levels) {
        json rule = true;
        for (std::size_t i = 0; i < levels; ++i) rule = json{{"!", rule}};
        return rule;
    };
    expr::Scope free_scope;
    {
        std::vector<prescreen::Diagnostic> ds;
        auto program = expr::compile(nested(10), free_scope, "", limits, ds);
        REQUIRE(program);
        expr::Arena arena;
        CHECK(expr::to_json(expr::evaluate(*program, expr::Frame{}, arena)) == true);
    }
    {
        std::vector<prescreen::Diagnostic> ds;
        auto program = expr::compile(nested(11), free_scope, "/x", limits, ds);
        CHECK(!program);
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].code == "expression_too_deep");
        CHECK(ds[0].path == "/x/!/!/!/!/!/!/!/!/!/!");
    }
    SECTION("100000 levels: a diagnostic, not a crash") {
        std::string text;
        for (int i = 0; i < 100000; ++i) text += "{\"!\":";
        text += "true";
        text += std::string(100000, '}');
        const json deep = json::parse(text);
        const auto ds = logic_errors(deep);
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].code == "expression_too_deep");
        std::string arrays = std::string(100000, '[') + std::string(100000, ']');
        CHECK(logic_errors(json::parse(arrays)).at(0).code == "expression_too_deep");
        std::string objects;
        for (int i = 0; i < 100000; ++i) objects += "{\"a\":1,\"b\":";
        objects += "0" + std::string(100000, '}');
        CHECK(logic_errors(json::parse(objects)).at(0).code == "expression_too_deep");
        CHECK(logic_errors({{"var", ""}}, json::parse(arrays)).at(0).code == "nesting_too_deep");
    }
}

TEST_CASE("jsonlogic: random rules never crash", "[jsonlogic]") {
    // Deterministic generator over every operation and awkward literals; any outcome is fine
    // except a crash or an exception other than ProtocolError / UsageError.
    std::uint64_t state = 0x9e3779b97f4a7c15ull;
    auto next = [&](std::uint64_t n) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state % n;
    };
    const char* ops[] = {"var", "missing", "missing_some", "if", "?:", "and", "or", "!", "!!", "==", "===", "!=",
                         "!==", "<", "<=", ">", ">=", "max", "min", "+", "-", "*", "/", "%", "in", "cat", "substr",
                         "merge", "map", "filter", "reduce", "all", "none", "some", "log", "today", "date_add",
                         "date_diff", "age", "val", "exists", "??", "throw", "try", "preserve", "param", "nope"};
    const json literals[] = {nullptr, true, false, 0, 1, -1, 2.5, 1e308, "", "a", "a.b", "2026-02-28", "2026-02-30",
                             "days", "months", json::array(), json::array({1, "x"}), json::object(),
                             json({{"a", 1}, {"b", 2}})};
    std::function<json(int)> gen = [&](int depth) -> json {
        if (depth == 0 || next(3) == 0) return literals[next(std::size(literals))];
        const std::size_t argc = next(4);
        json args = json::array();
        for (std::size_t i = 0; i < argc; ++i) args.push_back(gen(depth - 1));
        if (argc == 1 && next(2)) return json{{ops[next(std::size(ops))], args[0]}};
        return json{{ops[next(std::size(ops))], args}};
    };
    const json data = {{"a", {{"b", {1, 2, "x"}}}}, {"", 3}, {"list", {1, "2", nullptr, json::array({3})}}};
    TestScope t(true, true);
    std::vector<expr::Value> answers(t.items.size());
    expr::Frame frame;
    frame.items = answers.data();
    std::size_t ok = 0;
    for (int i = 0; i < 20000; ++i) {
        const json rule = gen(5);
        INFO(rule.dump());
        try {
            logic(rule, data, "2026-11-25");
            ++ok;
        } catch (const prescreen::ProtocolError&) {
        } catch (const prescreen::UsageError&) {
        }
        std::vector<prescreen::Diagnostic> ds;
        if (auto program = expr::compile(rule, t.scope, "", prescreen::default_limits(), ds)) {
            try {
                expr::Arena arena;
                (void)expr::to_json(expr::evaluate(*program, frame, arena));
            } catch (const expr::EvalError&) {
            }
        }
    }
    CHECK(ok > 1000);
}
