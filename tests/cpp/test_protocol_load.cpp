// Loading packs: every problem reported at once, each with a stable code and a JSON Pointer.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "prescreen/prescreen.hpp"

using prescreen::json;

namespace {

std::string small_pack_text() {
    std::ifstream in(std::string(PRESCREEN_SOURCE_DIR) + "/tests/vectors/packs/small-clinic.json");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

json minimal() {
    return json::parse(R"({
      "format": "prescreen-protocol/1", "id": "t", "version": "1", "title": "T", "locales": ["en-GB"],
      "pages": [{"id": "p", "title": "P"}],
      "parameters": {"wait": {"type": "duration", "unit": "days", "default": 5, "min": 1, "max": 10}},
      "items": [{"id": "flag", "type": "boolean", "page": "p", "text": "Flag?"},
                {"id": "when", "type": "date", "page": "p", "text": "When?"},
                {"id": "n", "type": "integer", "page": "p", "text": "N?"},
                {"id": "colour", "type": "choice", "page": "p", "text": "Colour?",
                 "options": [{"value": "red", "label": "Red"}]}],
      "rules": [{"id": "r", "when": {"==": [{"var": "flag"}, true]}, "outcome": "refer",
                 "message": "m", "clinician_note": "n", "sources": ["S1"]}],
      "sources": {"S1": {"title": "Source"}}
    })");
}

std::vector<prescreen::Diagnostic> lint(const json& pack, const json& overrides = json::object()) {
    return prescreen::Protocol::lint(pack.dump(), overrides);
}

bool has(const std::vector<prescreen::Diagnostic>& ds, const std::string& code, const std::string& path) {
    return std::any_of(ds.begin(), ds.end(), [&](const auto& d) { return d.code == code && d.path == path; });
}

std::string dump(const std::vector<prescreen::Diagnostic>& ds) {
    std::string s;
    for (const auto& d : ds) s += d.code + " " + d.path + ": " + d.message + "\n";
    return s;
}

}  // namespace

TEST_CASE("a valid pack loads with identity and digest", "[load]") {
    auto p = prescreen::Protocol::load(small_pack_text());
    CHECK(p.id() == "small-clinic");
    CHECK(p.version() == "1.2.0");
    CHECK(p.digest().size() == 64);
    CHECK(p.items().size() == 17);
    CHECK(p.parameters()["drug_washout"]["value"] == 6);
    CHECK_FALSE(p.rules()[0].contains("when"));
}

TEST_CASE("the digest ignores formatting and key order", "[load][digest]") {
    json pack = json::parse(small_pack_text());
    auto a = prescreen::Protocol::load(small_pack_text());
    auto b = prescreen::Protocol::load(pack.dump());      // minimal whitespace, sorted keys
    auto c = prescreen::Protocol::load(pack.dump(8));     // different indentation
    CHECK(a.digest() == b.digest());
    CHECK(a.digest() == c.digest());
    CHECK(a.digest() == prescreen::sha256_hex(prescreen::canonical_json(pack)));
    pack["version"] = "1.2.1";
    CHECK(prescreen::Protocol::from_json(pack).digest() != a.digest());
}

TEST_CASE("malformed JSON reports line and column", "[load]") {
    auto ds = prescreen::Protocol::lint("{\n  \"id\": \"x\",\n  \"version\": ,\n}");
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].code == "malformed_json");
    CHECK(ds[0].message.rfind("line 3, column 14", 0) == 0);
}

TEST_CASE("NaN, Infinity and invalid UTF-8 are malformed JSON", "[load]") {
    CHECK(prescreen::Protocol::lint(R"({"id": NaN})")[0].code == "malformed_json");
    CHECK(prescreen::Protocol::lint(R"({"id": Infinity})")[0].code == "malformed_json");
    CHECK(prescreen::Protocol::lint("{\"id\": \"\xff\xfe\"}")[0].code == "malformed_json");
}

TEST_CASE("duplicate keys are reported with their path", "[load]") {
    auto ds = prescreen::Protocol::lint(R"({"id": "a", "pages": [{"id": "p", "id": "q"}]})");
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].code == "duplicate_key");
    CHECK(ds[0].path == "/pages/0/id");
}

TEST_CASE("documents over the size and nesting limits are refused", "[load][limits]") {
    prescreen::Limits limits;
    limits.max_document_bytes = 100;
    CHECK(prescreen::Protocol::lint(std::string(101, ' '), json::object(), limits)[0].code == "document_too_large");
    CHECK(prescreen::Protocol::lint(std::string(100, ' '), json::object(), limits)[0].code == "malformed_json");
    std::string deep = std::string(100000, '[') + std::string(100000, ']');
    auto ds = prescreen::Protocol::lint(deep);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].code == "nesting_too_deep");
    limits = prescreen::Limits{};
    limits.max_nesting_depth = 3;
    CHECK(prescreen::Protocol::lint("[[[1]]]", json::object(), limits)[0].code == "wrong_type");  // at the limit: parses
    CHECK(prescreen::Protocol::lint("[[[[1]]]]", json::object(), limits)[0].code == "nesting_too_deep");
}

TEST_CASE("every problem in a pack is reported at once", "[load]") {
    json pack = minimal();
    pack["colour"] = "blue";                                                   // unknown key
    pack["items"].push_back({{"id", "flag"}, {"type", "boolean"}, {"page", "p"}, {"text", "again"}});  // duplicate id
    pack["items"][2]["page"] = "nowhere";                                      // unknown page
    pack["rules"][0]["when"] = {{"==", {{{"var", "ghost"}}, true}}};          // unknown item
    pack["rules"].push_back({{"id", "r2"}, {"when", {{"frob", {1}}}}, {"outcome", "refer"},
                             {"clinician_note", "n"}, {"sources", {"S9"}}});  // unknown op, missing message, unknown source
    auto ds = lint(pack);
    INFO(dump(ds));
    CHECK(has(ds, "unknown_key", "/colour"));
    CHECK(has(ds, "duplicate_id", "/items/4/id"));
    CHECK(has(ds, "unknown_page", "/items/2/page"));
    CHECK(has(ds, "unknown_item", "/rules/0/when/==/0/var"));
    CHECK(has(ds, "unknown_operation", "/rules/1/when/frob"));
    CHECK(has(ds, "missing_message", "/rules/1/message"));
    CHECK(has(ds, "unknown_source", "/rules/1/sources/0"));
    CHECK_THROWS_AS(prescreen::Protocol::from_json(pack), prescreen::ProtocolError);
    try {
        prescreen::Protocol::from_json(pack);
    } catch (const prescreen::ProtocolError& e) {
        CHECK(e.diagnostics().size() == ds.size());
        CHECK(e.to_json()["error"]["diagnostics"].size() == ds.size());
    }
}

TEST_CASE("enable_when cycles are load errors", "[load]") {
    json pack = minimal();
    pack["items"][0]["enable_when"] = {{"==", {{{"var", "n"}}, 1}}};
    pack["items"][2]["enable_when"] = {{"==", {{{"var", "flag"}}, true}}};
    auto ds = lint(pack);
    INFO(dump(ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].code == "enable_when_cycle");
    CHECK(ds[0].message.find("flag → n → flag") != std::string::npos);
    pack["items"][0]["enable_when"] = {{"==", {{{"var", "flag"}}, true}}};  // itself
    pack["items"][2].erase("enable_when");
    CHECK(lint(pack).at(0).code == "enable_when_cycle");
}

TEST_CASE("type mismatches in conditions are load errors", "[load][types]") {
    json pack = minimal();
    pack["rules"][0]["when"] = {{"==", {{{"var", "flag"}}, 1}}};
    CHECK(has(lint(pack), "type_mismatch", "/rules/0/when/==/1"));
    pack["rules"][0]["when"] = {{"<", {{{"var", "when"}}, "yesterday"}}};
    CHECK(lint(pack).at(0).code == "type_mismatch");
    pack["rules"][0]["when"] = {{"<", {{{"var", "when"}}, "2026-01-01"}}};
    CHECK(lint(pack).empty());
    pack["rules"][0]["when"] = {{"==", {{{"var", "colour"}}, "blue"}}};
    CHECK(lint(pack).at(0).code == "not_an_option");
}

TEST_CASE("parameter overrides are checked against the declared range", "[load][parameters]") {
    json pack = minimal();
    CHECK(lint(pack, {{"wait", 10}}).empty());
    auto over = lint(pack, {{"wait", 11}});
    REQUIRE(over.size() == 1);
    CHECK(over[0].code == "override_out_of_range");
    CHECK(over[0].path == "/overrides/wait");
    CHECK(lint(pack, {{"wait", "soon"}}).at(0).code == "override_wrong_type");
    CHECK(lint(pack, {{"wait", 2.5}}).at(0).code == "override_wrong_type");
    CHECK(lint(pack, {{"nope", 1}}).at(0).code == "override_unknown_parameter");
    auto p = prescreen::Protocol::from_json(pack, {{"wait", 7}});
    CHECK(p.parameters()["wait"]["value"] == 7);
    CHECK(p.overrides() == json{{"wait", 7}});
    pack["parameters"]["wait"]["default"] = 20;
    CHECK(lint(pack).at(0).code == "invalid_value");
}

TEST_CASE("missing translations are reported per locale", "[load]") {
    json pack = minimal();
    pack["locales"] = {"en-GB", "cy-GB"};
    pack["rules"][0]["message"] = {{"en-GB", "Hello"}};
    auto ds = lint(pack);
    CHECK(has(ds, "missing_translation", "/rules/0/message/cy-GB"));
}

TEST_CASE("waiting periods need date events and duration parameters", "[load]") {
    json pack = minimal();
    pack["rules"][0]["outcome"] = "deferred";
    pack["rules"][0]["defer"] = {{"after", {"flag"}}, {"wait", "nope"}};
    auto ds = lint(pack);
    INFO(dump(ds));
    CHECK(has(ds, "type_mismatch", "/rules/0/defer/after/0"));
    CHECK(has(ds, "unknown_parameter", "/rules/0/defer/wait"));
    pack["rules"][0]["defer"] = {{"after", {"when"}}, {"wait", "wait"}};
    CHECK(lint(pack).empty());
    pack["rules"][0]["outcome"] = "refer";
    CHECK(lint(pack).at(0).code == "invalid_value");
}

TEST_CASE("item and rule limits are enforced", "[load][limits]") {
    json pack = minimal();
    prescreen::Limits limits;
    limits.max_items = 4;
    CHECK(prescreen::Protocol::lint(pack.dump(), json::object(), limits).empty());
    limits.max_items = 3;
    CHECK(prescreen::Protocol::lint(pack.dump(), json::object(), limits).at(0).code == "too_many_items");
    limits = prescreen::Limits{};
    limits.max_rules = 0;
    CHECK(prescreen::Protocol::lint(pack.dump(), json::object(), limits).at(0).code == "too_many_rules");
}

TEST_CASE("today is required and must be a real date", "[usage]") {
    auto p = prescreen::Protocol::load(small_pack_text());
    CHECK_THROWS_AS(p.screen(json::object(), {}), prescreen::UsageError);
    try {
        p.form(json::object(), {"2026-02-30", ""});
        FAIL("no exception");
    } catch (const prescreen::UsageError& e) {
        CHECK(e.diagnostic().code == "invalid_today");
        CHECK(e.diagnostic().path == "/today");
    }
}

TEST_CASE("screen_text and screen_batch give one result or one error per input, in order", "[batch]") {
    auto p = prescreen::Protocol::load(small_pack_text());
    prescreen::Context ctx{"2026-11-25", ""};
    CHECK(p.screen_text("{\"sex\": ", ctx)["error"]["code"] == "malformed_json");
    CHECK(p.screen_text("[1]", ctx)["error"]["code"] == "not_an_object");
    CHECK(p.screen_text("{\"a\":1,\"a\":2}", ctx)["error"]["code"] == "duplicate_key");
    CHECK(p.screen_text("{\"steel_allergy\": true}", ctx)["outcome"] == "not_eligible");
    std::vector<json> inputs;
    for (int i = 0; i < 1000; ++i)
        inputs.push_back(i % 7 == 3 ? json("not an object") : json{{"steel_allergy", i % 2 == 0}});
    for (unsigned threads : {1u, 2u, 4u}) {
        auto results = p.screen_batch(inputs, ctx, threads);
        REQUIRE(results.size() == inputs.size());
        for (int i = 0; i < 1000; ++i) {
            if (i % 7 == 3) CHECK(results[i]["error"]["code"] == "not_an_object");
            else CHECK(results[i]["outcome"] == (i % 2 == 0 ? "not_eligible" : "incomplete"));
        }
    }
}

TEST_CASE("a rule that fails at run time is a protocol error for that input only", "[batch]") {
    json pack = minimal();
    pack["rules"][0]["when"] = {{"if", {{{"var", "flag"}}, {{"throw", "boom"}}, false}}};
    auto p = prescreen::Protocol::from_json(pack);
    prescreen::Context ctx{"2026-11-25", ""};
    CHECK(p.screen({{"flag", false}}, ctx)["outcome"] == "eligible");
    try {
        p.screen({{"flag", true}}, ctx);
        FAIL("no exception");
    } catch (const prescreen::ProtocolError& e) {
        CHECK(e.diagnostics().at(0).path == "/rules/0/when");
    }
    CHECK(p.screen_text("{\"flag\": true}", ctx)["error"]["path"] == "/rules/0/when");
    auto results = p.screen_batch({{{"flag", true}}, {{"flag", false}}}, ctx, 2);
    CHECK(results[0]["error"]["path"] == "/rules/0/when");
    CHECK(results[1]["outcome"] == "eligible");
}
