// FHIR R4: pack -> Questionnaire -> import round trips, answers <-> QuestionnaireResponse, import of
// the third-party samples checked against an independent R4 enableWhen evaluator written here (not
// the engine's), bad input, Consent/Provenance/RiskAssessment.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "prescreen/fhir.hpp"

using prescreen::json;
namespace fs = std::filesystem;
namespace fhir = prescreen::fhir;

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const fs::path source_dir(PRESCREEN_SOURCE_DIR);
const fs::path samples_dir = fs::path(PRESCREEN_SHARED_DIR) / "fhir-samples";

prescreen::Protocol small_clinic() { return prescreen::Protocol::load(read_text(source_dir / "tests/vectors/packs/small-clinic.json")); }
prescreen::Protocol microneedling() { return prescreen::Protocol::load(read_text(source_dir / "protocols/microneedling/protocol.json")); }

// Every answer set of the shared vectors that is an answers object, with its today.
std::vector<std::pair<json, std::string>> vector_answer_sets() {
    std::vector<std::pair<json, std::string>> out;
    for (const auto& entry : fs::directory_iterator(source_dir / "tests/vectors")) {
        if (entry.path().extension() != ".json") continue;
        json v = json::parse(read_text(entry.path()));
        if (!v.contains("answers") || !v["answers"].is_object() || v.value("protocol", json()) != "tests/vectors/packs/small-clinic.json")
            continue;
        out.push_back({v["answers"], v.value("context", json::object()).value("today", "2026-11-25")});
    }
    return out;
}

std::vector<std::string> diagnostic_codes(const prescreen::ProtocolError& e) {
    std::vector<std::string> codes;
    for (const auto& d : e.diagnostics()) codes.push_back(d.code + " " + d.path);
    return codes;
}

json import_error(const json& q) {
    try {
        fhir::import_questionnaire(q);
    } catch (const prescreen::ProtocolError& e) {
        return e.to_json()["error"]["diagnostics"];
    }
    return nullptr;
}

bool has_diag(const json& list, const std::string& code, const std::string& path) {
    for (const auto& d : list)
        if (d["code"] == code && d["path"] == path) return true;
    return false;
}

// Every linkId in a QuestionnaireResponse (items and items under answers).
void collect_link_ids(const json& items, std::set<std::string>& out) {
    for (const auto& it : items) {
        out.insert(it["linkId"].get<std::string>());
        if (it.contains("item")) collect_link_ids(it["item"], out);
        for (const auto& a : it.value("answer", json::array()))
            if (a.contains("item")) collect_link_ids(a["item"], out);
    }
}

// ---------------------------------------------------------------------------------------------
// An independent R4 enableWhen evaluator over the Questionnaire JSON itself (FHIR.md §3): the
// clarified operator definitions, any/all, a disabled item disables its descendants, a disabled
// question counts as unanswered, iterated to a fixed point. Answers: linkId -> list of FHIR answer
// values ({"valueCoding": ...}).
struct Reference {
    struct Q {
        const json* def;
        int parent;
    };
    std::vector<Q> items;
    std::map<std::string, int> index;

    explicit Reference(const json& questionnaire) {
        std::function<void(const json&, int)> walk = [&](const json& list, int parent) {
            for (const auto& it : list) {
                int self = static_cast<int>(items.size());
                items.push_back({&it, parent});
                index[it["linkId"].get<std::string>()] = self;
                if (it.contains("item")) walk(it["item"], self);
            }
        };
        walk(questionnaire["item"], -1);
    }

    static int compare(const json& a, const json& b, bool& comparable) {
        comparable = true;
        if (a.is_number() && b.is_number()) return a.get<double>() < b.get<double>() ? -1 : a.get<double>() > b.get<double>();
        if (a.is_string() && b.is_string()) return a.get<std::string>().compare(b.get<std::string>()) < 0 ? -1 : a == b ? 0 : 1;
        if (a.is_boolean() && b.is_boolean()) return a == b ? 0 : 2;
        comparable = false;
        return 2;
    }

    // Does one answer value (valueX) satisfy `op` against the condition's answerX?
    static bool matches(const json& answer, const std::string& op, const std::string& akey, const json& expected) {
        std::string vkey;
        for (auto it = answer.begin(); it != answer.end(); ++it)
            if (it.key().rfind("value", 0) == 0) vkey = it.key();
        const std::string type = akey.substr(6), vtype = vkey.substr(5);
        const json& v = answer[vkey];
        if (type == "Coding") {
            if (vtype != "Coding") return false;
            bool same = v.value("code", "") == expected.value("code", "") &&
                        (!expected.contains("system") || v.value("system", "") == expected.value("system", ""));
            return op == "=" && same;
        }
        bool numbers = (type == "Integer" || type == "Decimal") && (vtype == "Integer" || vtype == "Decimal");
        if (!numbers && type != vtype) return false;
        bool comparable;
        int c = compare(v, expected, comparable);
        if (!comparable) return false;
        if (op == "=") return c == 0;
        if (c == 2) return false;
        if (op == ">") return c > 0;
        if (op == "<") return c < 0;
        if (op == ">=") return c >= 0;
        return c <= 0;
    }

    std::set<std::string> enabled(const std::map<std::string, json>& answers, bool questions_only = true) const {
        std::vector<char> on(items.size(), 1);
        for (int round = 0; round < 100; ++round) {
            bool changed = false;
            for (std::size_t i = 0; i < items.size(); ++i) {
                const json& def = *items[i].def;
                bool e = items[i].parent < 0 || on[items[i].parent];
                if (e && def.contains("enableWhen")) {
                    bool all = def.value("enableBehavior", "any") == "all";
                    bool result = all;
                    for (const auto& c : def["enableWhen"]) {
                        const std::string q = c["question"], op = c["operator"];
                        std::string akey;
                        for (auto it = c.begin(); it != c.end(); ++it)
                            if (it.key().rfind("answer", 0) == 0) akey = it.key();
                        const int qi = index.at(q);
                        json values = json::array();
                        if (on[qi] && answers.count(q)) values = answers.at(q);  // disabled = unanswered
                        bool r;
                        if (op == "exists") r = (!values.empty()) == c[akey].get<bool>();
                        else if (op == "!=") {
                            r = true;
                            for (const auto& v : values) r = r && !matches(v, "=", akey, c[akey]);
                        } else {
                            r = false;
                            for (const auto& v : values) r = r || matches(v, op, akey, c[akey]);
                        }
                        result = all ? result && r : result || r;
                    }
                    e = result;
                }
                if (on[i] != e) {
                    on[i] = e;
                    changed = true;
                }
            }
            if (!changed) break;
        }
        std::set<std::string> out;
        for (std::size_t i = 0; i < items.size(); ++i) {
            const std::string t = (*items[i].def)["type"];
            // prescreen has no attachment, reference or quantity questions (imported as display text).
            bool question = t != "group" && t != "display" && t != "attachment" && t != "reference" && t != "quantity";
            if (on[i] && (question || !questions_only)) out.insert((*items[i].def)["linkId"].get<std::string>());
        }
        return out;
    }
};

// Candidate answers for a question: every option, and values around every literal any enableWhen
// compares it with, so every branch of every condition is taken.
std::vector<json> candidates(const json& item, const json& questionnaire, const std::string& link_id) {
    std::vector<json> out;
    const std::string type = item["type"];
    std::map<std::string, std::vector<json>> vs;
    for (const auto& res : questionnaire.value("contained", json::array()))
        for (const auto& inc : res.value("compose", json::object()).value("include", json::array()))
            for (const auto& c : inc.value("concept", json::array()))
                vs["#" + res["id"].get<std::string>()].push_back({{"valueCoding", {{"system", inc["system"]}, {"code", c["code"]}}}});
    for (const auto& o : item.value("answerOption", json::array())) {
        json a;
        for (auto it = o.begin(); it != o.end(); ++it)
            if (it.key().rfind("value", 0) == 0) a[it.key()] = it.value();
        out.push_back(a);
    }
    if (item.contains("answerValueSet") && vs.count(item["answerValueSet"])) out = vs[item["answerValueSet"]];
    if (type == "boolean") out = {{{"valueBoolean", true}}, {{"valueBoolean", false}}};
    std::function<void(const json&)> scan = [&](const json& list) {
        for (const auto& it : list) {
            for (const auto& c : it.value("enableWhen", json::array())) {
                if (c["question"] != link_id) continue;
                for (auto kv = c.begin(); kv != c.end(); ++kv) {
                    if (kv.key().rfind("answer", 0) != 0) continue;
                    const json& lit = kv.value();
                    if (type == "integer" || type == "decimal") {
                        const char* key = type == "integer" ? "valueInteger" : "valueDecimal";
                        for (double d : {-1.0, 0.0, 1.0})
                            out.push_back({{key, type == "integer" ? json((long long)(lit.get<double>() + d)) : json(lit.get<double>() + d)}});
                    } else if (type == "date" && lit.is_string()) {
                        out.push_back({{"valueDate", "1999-12-31"}});
                        out.push_back({{"valueDate", lit}});
                        out.push_back({{"valueDate", "2000-01-02"}});
                    } else if (type == "time" && lit.is_string()) {
                        out.push_back({{"valueTime", "10:00:00"}});
                        out.push_back({{"valueTime", lit}});
                        out.push_back({{"valueTime", "12:00:00"}});
                    } else if ((type == "string" || type == "text") && lit.is_string()) {
                        out.push_back({{"valueString", lit}});
                        out.push_back({{"valueString", "something else"}});
                    }
                }
            }
            if (it.contains("item")) scan(it["item"]);
        }
    };
    scan(questionnaire["item"]);
    if ((type == "string" || type == "text") && out.empty()) out.push_back({{"valueString", "free text"}});
    return out;
}

// answers (linkId -> values) as a flat QuestionnaireResponse, read back into pack answers.
json pack_answers(const prescreen::Protocol& p, const std::map<std::string, json>& answers) {
    json items = json::array();
    for (const auto& [link, values] : answers) items.push_back({{"linkId", link}, {"answer", values}});
    json qr = {{"resourceType", "QuestionnaireResponse"}, {"status", "in-progress"}, {"item", items}};
    json back = fhir::answers_from_response(p, qr);
    INFO(back["issues"].dump());
    REQUIRE(back["issues"].empty());
    return back["answers"];
}

std::set<std::string> engine_enabled(const prescreen::Protocol& p, const json& answers) {
    json state = p.form(answers, {"2026-11-25", ""});
    std::map<std::string, json> item_of;
    for (const auto& it : p.document()["items"]) item_of[it["id"]] = it;
    std::set<std::string> out;
    for (const auto& id : state["visible"]) {
        const json& it = item_of[id];
        if (it["type"] == "display") continue;
        out.insert(it["fhir"]["link_id"].get<std::string>());
    }
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST_CASE("FHIR: the micro-needling pack exports as a Questionnaire", "[fhir]") {
    auto p = microneedling();
    json q = fhir::questionnaire(p);
    CHECK(q["resourceType"] == "Questionnaire");
    CHECK(q["url"] == "urn:prescreen:protocol:microneedling");
    CHECK(q["version"] == p.version());
    CHECK(q["status"] == "active");
    CHECK(q["identifier"][1] == json({{"system", "urn:prescreen:protocol-digest"}, {"value", p.digest()}}));
    // Pages are groups; every item is there with its id as linkId.
    CHECK(q["item"].size() == p.document()["pages"].size());
    CHECK(q["item"][0]["type"] == "group");
    std::map<std::string, json> by_link;
    std::function<void(const json&)> walk = [&](const json& list) {
        for (const auto& it : list) {
            by_link[it["linkId"]] = it;
            if (it.contains("item")) walk(it["item"]);
        }
    };
    walk(q["item"]);
    for (const auto& it : p.document()["items"]) CHECK(by_link.count(it["id"].get<std::string>()) == 1);
    // The conditions of this pack are all simple, so they are all plain enableWhen.
    CHECK(by_link["pregnant"]["enableWhen"] ==
          json::parse(R"([{"question":"sex","operator":"!=","answerCoding":{"system":"urn:prescreen:protocol:microneedling:sex","code":"male"}}])"));
    CHECK(by_link["treatment_areas_other"]["enableWhen"][0]["operator"] == "=");
    CHECK(by_link["treatment_areas"]["repeats"] == true);
    CHECK(by_link["isotretinoin_last_dose"]["enableWhen"] ==
          json::parse(R"([{"question":"isotretinoin_past","operator":"=","answerBoolean":true}])"));
    CHECK(by_link["date_of_birth"]["required"] == true);
    CHECK(by_link["date_of_birth"]["extension"][0] == json({{"url", "http://hl7.org/fhir/StructureDefinition/minValue"}, {"valueDate", "1900-01-01"}}));
    for (auto& [link, it] : by_link) CHECK(it.value("extension", json::array()).dump().find("jsonlogic") == std::string::npos);
}

TEST_CASE("FHIR: a locale the pack has no texts in is refused, not answered in its first locale", "[fhir]") {
    auto p = small_clinic();
    CHECK(fhir::questionnaire(p, "fr")["language"] == "fr-FR");  // by language, as form() chooses
    for (auto call : {std::function<void()>([&] { (void)fhir::questionnaire(p, "cy"); }),
                      std::function<void()>([&] { (void)fhir::questionnaire_response(p, json::object(), {"2026-11-25", "cy"}); })}) {
        try {
            call();
            FAIL("Welsh was answered");
        } catch (const prescreen::UsageError& e) {
            CHECK(e.diagnostic().code == "unknown_locale");
            CHECK(e.diagnostic().path == "/locale");
        }
    }
}

TEST_CASE("FHIR: translations and bounds are exported", "[fhir]") {
    auto p = small_clinic();
    json q = fhir::questionnaire(p, "fr-FR");
    CHECK(q["language"] == "fr-FR");
    const json& sessions = q["item"][1]["item"][10];
    REQUIRE(sessions["linkId"] == "sessions_before");
    CHECK(sessions["extension"][0] == json({{"url", "http://hl7.org/fhir/StructureDefinition/minValue"}, {"valueInteger", 0}}));
    CHECK(sessions["extension"][1] == json({{"url", "http://hl7.org/fhir/StructureDefinition/maxValue"}, {"valueInteger", 50}}));
    json en = fhir::questionnaire(p, "en-GB");
    CHECK(en["title"] == "Small test protocol");
    CHECK(q["title"] == "Petit protocole de test");
    const json& tr = en["_title"]["extension"][0];
    CHECK(tr["url"] == "http://hl7.org/fhir/StructureDefinition/translation");
    CHECK(tr["extension"][0] == json({{"url", "lang"}, {"valueCode", "fr-FR"}}));
}

TEST_CASE("FHIR: conditions enableWhen cannot state exactly travel as JsonLogic", "[fhir]") {
    json doc = json::parse(read_text(source_dir / "tests/vectors/packs/small-clinic.json"));
    // A standalone "<" is true in JsonLogic for an unanswered item (null < 5), false in R4.
    doc["items"].push_back({{"id", "few_sessions"}, {"type", "boolean"}, {"page", "health"}, {"text", "Few?"},
                            {"enable_when", {{"<", json::array({{{"var", "sessions_before"}}, 5})}}}});
    doc["items"].push_back({{"id", "nested_logic"}, {"type", "boolean"}, {"page", "health"}, {"text", "Nested?"},
                            {"enable_when", json::parse(R"({"or":[{"and":[{"==":[{"var":"cream"},true]},{"==":[{"var":"sex"},"female"]}]},{"==":[{"var":"drug_current"},true]}]})")}});
    doc["items"].push_back({{"id", "guarded"}, {"type", "boolean"}, {"page", "health"}, {"text", "Guarded?"},
                            {"enable_when", json::parse(R"({"and":[{"!=":[{"var":"sessions_before"},null]},{"<":[{"var":"sessions_before"},5]}]})")}});
    auto p = prescreen::Protocol::from_json(doc);
    json q = fhir::questionnaire(p);
    const json& health = q["item"][1]["item"];
    const json& few = health[health.size() - 3];
    REQUIRE(few["linkId"] == "few_sessions");
    CHECK_FALSE(few.contains("enableWhen"));
    CHECK(few["extension"][0]["url"] == "urn:prescreen:fhir:enable-when-jsonlogic");
    CHECK(json::parse(few["extension"][0]["valueString"].get<std::string>()) == doc["items"][doc["items"].size() - 3]["enable_when"]);
    CHECK(health[health.size() - 2]["extension"][0]["url"] == "urn:prescreen:fhir:enable-when-jsonlogic");
    const json& guarded = health[health.size() - 1];
    CHECK(guarded["enableBehavior"] == "all");
    CHECK(guarded["enableWhen"] == json::parse(R"([{"question":"sessions_before","operator":"exists","answerBoolean":true},
                                                   {"question":"sessions_before","operator":"<","answerInteger":5}])"));

    // And the round trip keeps visibility for all three.
    auto back = prescreen::Protocol::from_json(fhir::import_questionnaire(q));
    for (json answers : {json::object(), json{{"sessions_before", 3}}, json{{"sessions_before", 7}},
                         json{{"cream", true}, {"sex", "female"}}, json{{"drug_current", true}}, json{{"cream", true}, {"sex", "male"}}}) {
        INFO(answers.dump());
        CHECK(back.form(answers, {"2026-11-25", ""})["visible"] == p.form(answers, {"2026-11-25", ""})["visible"]);
    }
}

TEST_CASE("FHIR: pack -> Questionnaire -> import keeps visibility for every shared vector's answers", "[fhir]") {
    auto p = small_clinic();
    json pack = fhir::import_questionnaire(fhir::questionnaire(p));
    CHECK(pack["fhir"]["import_warnings"] == json::array());
    auto back = prescreen::Protocol::from_json(pack);
    CHECK(back.document()["locales"] == p.document()["locales"]);
    CHECK(back.items().size() == p.items().size());
    auto sets = vector_answer_sets();
    REQUIRE(sets.size() >= 40);
    for (const auto& [answers, today] : sets) {
        INFO(answers.dump());
        json a = p.form(answers, {today, ""}), b = back.form(answers, {today, ""});
        CHECK(a["visible"] == b["visible"]);
        CHECK(a["missing_required"] == b["missing_required"]);
        CHECK(a["issues"] == b["issues"]);
    }
    // The micro-needling pack and its own cases, too.
    auto mn = microneedling();
    auto mn_back = prescreen::Protocol::from_json(fhir::import_questionnaire(fhir::questionnaire(mn)));
    json cases = json::parse(read_text(source_dir / "protocols/microneedling/cases.json"));
    int checked = 0;
    for (const auto& c : cases.is_array() ? cases : cases.value("cases", json::array())) {
        if (!c.contains("answers")) continue;
        ++checked;
        CHECK(mn.form(c["answers"], {"2026-11-25", ""})["visible"] == mn_back.form(c["answers"], {"2026-11-25", ""})["visible"]);
    }
    CHECK(checked >= 10);
    // Exporting the import again gives the same Questionnaire items.
    CHECK(fhir::questionnaire(mn_back)["item"] == fhir::questionnaire(mn)["item"]);
}

TEST_CASE("FHIR: answers -> QuestionnaireResponse -> answers keeps exactly the visible ones", "[fhir]") {
    auto p = small_clinic();
    for (const auto& [answers, today] : vector_answer_sets()) {
        INFO(answers.dump());
        json state = p.form(answers, {today, ""});
        json qr = fhir::questionnaire_response(p, answers, {today, ""});
        CHECK(qr["resourceType"] == "QuestionnaireResponse");
        CHECK(qr["questionnaire"] == "urn:prescreen:protocol:small-clinic|1.2.0");
        CHECK(qr["authored"] == today);
        CHECK(qr["status"] == (state["complete"] == true ? "completed" : "in-progress"));
        json expected = json::object();
        std::set<std::string> visible, invalid;
        for (const auto& v : state["visible"]) visible.insert(v);
        for (const auto& i : state["issues"]) invalid.insert(i["item"].get<std::string>());
        for (auto& [id, value] : answers.items())
            if (visible.count(id) && !invalid.count(id) && !value.is_null() && !(value.is_array() && value.empty())) expected[id] = value;
        json back = fhir::answers_from_response(p, qr);
        CHECK(back["issues"] == json::array());
        CHECK(back["answers"] == expected);
        std::set<std::string> links;
        collect_link_ids(qr.value("item", json::array()), links);
        for (const auto& id : state["ignored"]) CHECK(links.count(id.get<std::string>()) == 0);  // hidden answers never appear
    }
}

TEST_CASE("FHIR: a hidden answer never reaches the QuestionnaireResponse", "[fhir]") {
    auto p = small_clinic();
    json answers = {{"sex", "male"}, {"pregnant", true}, {"drug_current", true}, {"drug_past", true}, {"drug_last_dose", "2026-01-01"}};
    json qr = fhir::questionnaire_response(p, answers, {"2026-11-25", ""});
    std::set<std::string> links;
    collect_link_ids(qr["item"], links);
    CHECK(links == std::set<std::string>{"about", "sex", "health", "drug_current"});
    CHECK(qr["item"][0]["item"][0]["answer"][0]["valueCoding"]["code"] == "male");
}

TEST_CASE("FHIR: responses with unknown linkIds and wrong value types give issues with paths", "[fhir]") {
    auto p = small_clinic();
    json qr = json::parse(R"({"resourceType":"QuestionnaireResponse","status":"completed","questionnaire":"urn:other|1",
      "item":[{"linkId":"health","item":[
        {"linkId":"nope","answer":[{"valueBoolean":true}]},
        {"linkId":"drug_current","answer":[{"valueString":"yes"}]},
        {"linkId":"cream","answer":[{"valueBoolean":true},{"valueBoolean":false}]},
        {"linkId":"cold_sores","answer":[{"valueCoding":{"code":"sometimes"}}]},
        {"linkId":"sessions_before","answer":[{"valueInteger":3}]}]}]})");
    json back = fhir::answers_from_response(p, qr);
    CHECK(back["answers"] == json({{"cream", true}, {"sessions_before", 3}}));
    json codes = json::array();
    for (const auto& i : back["issues"]) codes.push_back(i["code"].get<std::string>() + " " + i["path"].get<std::string>());
    CHECK(codes == json::parse(R"(["fhir_other_questionnaire /questionnaire",
        "fhir_unknown_link_id /item/0/item/0/linkId",
        "fhir_wrong_value_type /item/0/item/1/answer/0/valueString",
        "fhir_repeated_answer /item/0/item/2/answer/1",
        "fhir_wrong_value_type /item/0/item/3/answer/0/valueCoding"])"));
    CHECK(fhir::answers_from_response(p, json::array())["issues"][0]["code"] == "fhir_not_a_response");
}

TEST_CASE("FHIR: every shared sample imports and its visibility follows R4", "[fhir][samples]") {
    int samples = 0;
    std::vector<fs::path> files;  // the shared samples and the real ones committed under tests/fhir
    for (const fs::path& dir : {samples_dir, source_dir / "tests/fhir"})
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.path().extension() == ".json") files.push_back(entry.path());
    for (const auto& file : files) {
        const fs::directory_entry entry(file);
        json resource = json::parse(read_text(entry.path()));
        if (resource["resourceType"] != "Questionnaire") continue;
        ++samples;
        INFO("sample " << entry.path().filename().string());
        json pack = fhir::import_questionnaire(resource);
        auto p = prescreen::Protocol::from_json(pack);
        Reference ref(resource);

        // Candidate answers for every question some enableWhen reads.
        std::vector<std::pair<std::string, std::vector<json>>> controls;
        std::set<std::string> seen;
        for (const auto& q : ref.items)
            for (const auto& c : q.def->value("enableWhen", json::array()))
                if (seen.insert(c["question"].get<std::string>()).second) {
                    const json& target = *ref.items[ref.index.at(c["question"])].def;
                    controls.push_back({c["question"], candidates(target, resource, c["question"])});
                }
        std::vector<std::map<std::string, json>> sets = {{}};
        for (const auto& [link, values] : controls)
            for (const auto& v : values) {
                const json& target = *ref.items[ref.index.at(link)].def;
                sets.push_back({{link, json::array({v})}});
                if (target.value("repeats", false) && values.size() > 1)  // two answers to a repeating question
                    sets.push_back({{link, json::array({values[0], v})}});
            }
        std::mt19937 rng(17);
        for (int n = 0; n < 300 && !controls.empty(); ++n) {
            std::map<std::string, json> s;
            for (const auto& [link, values] : controls)
                if (!values.empty() && rng() % 3 != 0) s[link] = json::array({values[rng() % values.size()]});
            sets.push_back(s);
        }
        int differing = 0;
        std::set<std::string> ever_enabled, ever_disabled;
        for (const auto& s : sets) {
            json answers = pack_answers(p, s);
            auto expected = ref.enabled(s);
            auto actual = engine_enabled(p, answers);
            if (expected != actual) {
                ++differing;
                UNSCOPED_INFO("answers " << json(s).dump());
            }
            CHECK(expected == actual);
            auto all_enabled = ref.enabled(s, false);  // groups too
            for (const auto& q : ref.items) {
                const std::string link = (*q.def)["linkId"];
                (all_enabled.count(link) ? ever_enabled : ever_disabled).insert(link);
            }
        }
        CHECK(differing == 0);
        // Every conditional question was seen both enabled and disabled (where R4 allows it).
        int conditional = 0, both = 0;
        for (const auto& q : ref.items)
            if (q.def->contains("enableWhen")) {
                ++conditional;
                both += ever_enabled.count((*q.def)["linkId"]) && ever_disabled.count((*q.def)["linkId"]);
            }
        if (conditional) CHECK(both > 0);
    }
    CHECK(samples == 5);
}

TEST_CASE("FHIR: the HL7 R4 example Questionnaire-bb nests under questions as R4 says", "[fhir][samples]") {
    json q = json::parse(read_text(source_dir / "tests/fhir/hl7-r4-example-questionnaire-bb.json"));
    json pack = fhir::import_questionnaire(q);
    auto p = prescreen::Protocol::from_json(pack);
    auto visible = [&](const json& answers) {
        json state = p.form(answers, {"2026-11-25", ""});
        std::set<std::string> out;
        for (const auto& id : state["visible"]) out.insert(id.get<std::string>());
        return out;
    };
    // The doses group (and its questions) appears once Vitamin K has an answer; the Codings have no system.
    CHECK(visible(json::object()).count("vitaminiKDose1") == 0);
    CHECK(visible(json{{"vitaminKgiven", "ORAL"}}).count("vitaminiKDose1") == 1);
    CHECK(visible(json{{"vitaminKgiven", "ORAL"}}).count("hepBgivenDate") == 1);  // no condition of its own
    CHECK(has_diag(pack["fhir"]["import_warnings"], "fhir_coding_without_system", "/item/0/item/0/item/1/answerOption/0/valueCoding"));
    // The response keeps the nesting: doses under the answer to vitaminKgiven (qrs-1).
    json qr = fhir::questionnaire_response(p, json{{"vitaminKgiven", "ORAL"}, {"vitaminiKDose1", "2026-01-01T10:00:00Z"}}, {"2026-11-25", ""});
    CHECK(qr["questionnaire"] == "http://hl7.org/fhir/Questionnaire/bb|1");
    const json& neonatal = qr["item"][0]["item"][0];
    REQUIRE(neonatal["linkId"] == "neonatalInformation");
    CHECK(neonatal["item"][0]["linkId"] == "vitaminKgiven");
    CHECK(neonatal["item"][0]["answer"][0]["item"][0]["linkId"] == "vitaminKgivenDoses");
    CHECK(neonatal["item"][0]["answer"][0]["item"][0]["item"][0]["answer"][0] == json({{"valueDateTime", "2026-01-01T10:00:00Z"}}));
}

TEST_CASE("FHIR: the SDC enableWhen sample follows R4 typing literally", "[fhir][samples]") {
    json resource = json::parse(read_text(samples_dir / "questionnaire-sdc-test-enablewhen.json"));
    json pack = fhir::import_questionnaire(resource);
    json warnings = pack["fhir"]["import_warnings"];
    // answerString "2" against a question whose options are Codings can never be equal in R4.
    CHECK(has_diag(warnings, "fhir_answer_type_mismatch", "/item/0/item/6/enableWhen/0/answerString"));
    CHECK(has_diag(warnings, "fhir_value_set_not_contained", "/item/1/item/0/answerValueSet"));
    CHECK(has_diag(warnings, "fhir_extension_not_applied", "/item/5/item/0/extension/0") == false);  // itemControl: a kept hint
    auto p = prescreen::Protocol::from_json(pack);
    // Original linkIds are kept and responses use them.
    json items = p.document()["items"];
    CHECK(items[0]["fhir"]["link_id"] == "83d5c1a6-5dc3-44d0-9d9e-d687c72e143e");
    CHECK(items[0]["id"] == "q_83d5c1a6_5dc3_44d0_9d9e_d687c72e143e");
    // A time question and its > / <= conditions.
    json answers = pack_answers(p, {{"datetime_question", json::array({{{"valueTime", "12:00:00"}}})}});
    auto on = engine_enabled(p, answers);
    CHECK(on.count("datetime_question_greter_than") == 1);
    CHECK(on.count("datetime_question_less_than_equal") == 0);
}

TEST_CASE("FHIR: the PHQ-9 samples import with their contained value set and response", "[fhir][samples]") {
    json q = json::parse(read_text(samples_dir / "questionnaire-sdc-profile-example-PHQ9.json"));
    json pack = fhir::import_questionnaire(q);
    auto p = prescreen::Protocol::from_json(pack);
    json first = p.document()["items"][0];
    CHECK(first["type"] == "choice");
    CHECK(first["options"].size() == 4);
    CHECK(first["options"][0]["value"] == "Not-at-all");
    CHECK(has_diag(pack["fhir"]["import_warnings"], "fhir_unsupported_type", "/item/0/item/9/type"));
    CHECK((has_diag(pack["fhir"]["import_warnings"], "fhir_expression_unsupported", "/item/0/item/9/extension/0") ||
           has_diag(pack["fhir"]["import_warnings"], "fhir_expression_unsupported", "/item/0/item/9/extension/1")));
    json qr = json::parse(read_text(samples_dir / "questionnaireresponse-sdc-profile-example-PHQ9.json"));
    json back = fhir::answers_from_response(p, qr);
    CHECK(back["answers"].size() == 9);
    CHECK(back["answers"]["H1_T1_Q1"] == "Not-at-all");
    // The total score is a quantity computed by FHIRPath: reported, not silently dropped.
    bool reported = false;
    for (const auto& i : back["issues"]) reported = reported || i["code"] == "fhir_wrong_value_type";
    CHECK(reported);
    // And a response made by prescreen for these answers has the original nesting and linkIds.
    json made = fhir::questionnaire_response(p, back["answers"], {"2026-11-25", ""});
    CHECK(made["questionnaire"] == "http://hl7.org/fhir/uv/sdc/Questionnaire/questionnaire-sdc-profile-example-PHQ9|" + q["version"].get<std::string>());
    CHECK(made["item"][0]["linkId"] == "H1/T1");
    CHECK(made["item"][0]["item"][0]["linkId"] == "H1/T1/Q1");
    CHECK(made["item"][0]["item"][0]["answer"][0]["valueCoding"]["system"] == "http://hl7.org/fhir/uv/sdc/CodeSystem/CSPHQ9");
}

TEST_CASE("FHIR import: every operator and answer type, nesting and R4 corner cases", "[fhir]") {
    json q = json::parse(R"({"resourceType":"Questionnaire","status":"active","url":"http://example.org/q","item":[
      {"linkId":"b","type":"boolean","text":"B"},
      {"linkId":"n","type":"integer","text":"N"},
      {"linkId":"d","type":"decimal","text":"D"},
      {"linkId":"dt","type":"date","text":"Date"},
      {"linkId":"s","type":"string","text":"S"},
      {"linkId":"c","type":"choice","text":"C","repeats":true,"answerOption":[
         {"valueCoding":{"system":"http://x","code":"a","display":"A"}},{"valueCoding":{"system":"http://x","code":"b","display":"B"}}]},
      {"linkId":"ci","type":"choice","text":"CI","answerOption":[{"valueInteger":1},{"valueInteger":5},{"valueInteger":10}]},
      {"linkId":"e_exists","type":"boolean","text":"x","enableWhen":[{"question":"b","operator":"exists","answerBoolean":true}]},
      {"linkId":"e_not_exists","type":"boolean","text":"x","enableWhen":[{"question":"b","operator":"exists","answerBoolean":false}]},
      {"linkId":"e_ne","type":"boolean","text":"x","enableWhen":[{"question":"b","operator":"!=","answerBoolean":true}]},
      {"linkId":"e_gt","type":"boolean","text":"x","enableWhen":[{"question":"n","operator":">","answerInteger":3}]},
      {"linkId":"e_lt","type":"boolean","text":"x","enableWhen":[{"question":"n","operator":"<","answerInteger":3}]},
      {"linkId":"e_ge","type":"boolean","text":"x","enableWhen":[{"question":"d","operator":">=","answerDecimal":1.5}]},
      {"linkId":"e_le","type":"boolean","text":"x","enableWhen":[{"question":"dt","operator":"<=","answerDate":"2000-01-01"}]},
      {"linkId":"e_s","type":"boolean","text":"x","enableWhen":[{"question":"s","operator":"=","answerString":"yes"}]},
      {"linkId":"e_c","type":"boolean","text":"x","enableWhen":[{"question":"c","operator":"=","answerCoding":{"system":"http://x","code":"b"}}]},
      {"linkId":"e_cne","type":"boolean","text":"x","enableWhen":[{"question":"c","operator":"!=","answerCoding":{"system":"http://x","code":"b"}}]},
      {"linkId":"e_ci","type":"boolean","text":"x","enableWhen":[{"question":"ci","operator":">","answerInteger":4}]},
      {"linkId":"e_all","type":"boolean","text":"x","enableBehavior":"all","enableWhen":[
         {"question":"b","operator":"=","answerBoolean":true},{"question":"n","operator":">","answerInteger":3}]},
      {"linkId":"e_any","type":"boolean","text":"x","enableWhen":[
         {"question":"b","operator":"=","answerBoolean":true},{"question":"n","operator":">","answerInteger":3}]},
      {"linkId":"parent","type":"boolean","text":"P","enableWhen":[{"question":"b","operator":"=","answerBoolean":true}],
       "item":[{"linkId":"child","type":"string","text":"child"},
               {"linkId":"child_help","type":"display","text":"Some help","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl",
                 "valueCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/questionnaire-item-control","code":"help"}]}}]}]},
      {"linkId":"on_child","type":"boolean","text":"x","enableWhen":[{"question":"child","operator":"!=","answerString":"z"}]},
      {"linkId":"ro","type":"string","text":"ro","readOnly":true,"initial":[{"valueString":"fixed"}]}
    ]})");
    json pack = fhir::import_questionnaire(q);
    CHECK(pack["fhir"]["import_warnings"].size() == 1);  // e_any: two conditions without enableBehavior
    CHECK(has_diag(pack["fhir"]["import_warnings"], "fhir_missing_enable_behavior", "/item/19/enableBehavior"));
    auto p = prescreen::Protocol::from_json(pack);
    auto on = [&](const json& answers) {
        std::set<std::string> out;
        json state = p.form(answers, {"2026-11-25", ""});
        for (const auto& id : state["visible"]) out.insert(id.get<std::string>());
        return out;
    };
    auto none = on(json::object());
    // Unanswered: exists false and != are true, everything else false; the child of a disabled
    // question is disabled, and a condition on it sees it as unanswered.
    for (const char* id : {"e_not_exists", "e_ne", "e_cne", "on_child", "ro"}) CHECK(none.count(id) == 1);
    for (const char* id : {"e_exists", "e_gt", "e_lt", "e_ge", "e_le", "e_s", "e_c", "e_ci", "e_all", "e_any", "parent", "child"})
        CHECK(none.count(id) == 0);
    auto some = on(json{{"b", true}, {"n", 4}, {"d", 1.5}, {"dt", "1999-05-01"}, {"s", "yes"}, {"c", json::array({"a", "b"})},
                        {"ci", "5"}, {"child", "z"}});
    for (const char* id : {"e_exists", "e_gt", "e_ge", "e_le", "e_s", "e_c", "e_ci", "e_all", "e_any", "parent", "child"})
        CHECK(some.count(id) == 1);
    for (const char* id : {"e_not_exists", "e_ne", "e_lt", "e_cne", "on_child"}) CHECK(some.count(id) == 0);
    auto other = on(json{{"b", false}, {"n", 3}, {"c", json::array({"a"})}, {"ci", "1"}});
    CHECK(other.count("e_lt") == 0);
    CHECK(other.count("e_cne") == 1);
    CHECK(other.count("e_ci") == 0);
    CHECK(other.count("e_all") == 0);
    CHECK(other.count("e_any") == 0);
    // Kept in the fhir field: linkIds, nesting, readOnly, initial, help text.
    json items = pack["items"];
    json child, parent, ro;
    for (const auto& it : items) {
        if (it["id"] == "child") child = it;
        if (it["id"] == "parent") parent = it;
        if (it["id"] == "ro") ro = it;
    }
    CHECK(child["fhir"]["parent"] == "parent");
    CHECK(parent["help"] == "Some help");
    CHECK(ro["fhir"]["read_only"] == true);
    CHECK(ro["fhir"]["initial"] == json::parse(R"([{"valueString":"fixed"}])"));
    // The export rebuilds the tree with the original linkIds and only the child's own condition.
    json again = fhir::questionnaire(p);
    CHECK(again["url"] == "http://example.org/q");
    json top = again["item"];
    json exported_parent;
    for (const auto& it : top) if (it["linkId"] == "parent") exported_parent = it;
    REQUIRE(exported_parent.contains("item"));
    CHECK(exported_parent["item"][0]["linkId"] == "parent-help");
    CHECK(exported_parent["item"][0]["text"] == "Some help");
    CHECK(exported_parent["item"][1]["linkId"] == "child");
    CHECK_FALSE(exported_parent["item"][1].contains("enableWhen"));
    CHECK(exported_parent["enableWhen"] == q["item"][20]["enableWhen"]);
}

TEST_CASE("FHIR import: bad input gives diagnostics with paths, never a crash", "[fhir][bad-input]") {
    CHECK(has_diag(import_error(json::parse(R"({"resourceType":"Patient"})")), "fhir_not_a_questionnaire", "/resourceType"));
    CHECK(has_diag(import_error(json::array({1, 2})), "fhir_not_a_questionnaire", ""));
    try {
        fhir::import_questionnaire_text("{\"resourceType\": \"Questionnaire\", ");
        FAIL("no error");
    } catch (const prescreen::ProtocolError& e) {
        CHECK(e.diagnostics()[0].code == "malformed_json");
    }
    // R5-only elements and types.
    json r5 = json::parse(R"({"resourceType":"Questionnaire","status":"active","copyrightLabel":"CC0","item":[
        {"linkId":"a","type":"choice","text":"A","answerConstraint":"optionsOrString","disabledDisplay":"hidden",
         "answerOption":[{"valueCoding":{"system":"http://x","code":"1"}}]}]})");
    json pack = fhir::import_questionnaire(r5);
    CHECK(has_diag(pack["fhir"]["import_warnings"], "fhir_r5_element", "/copyrightLabel"));
    CHECK(has_diag(pack["fhir"]["import_warnings"], "fhir_r5_element", "/item/0/answerConstraint"));
    CHECK(has_diag(pack["fhir"]["import_warnings"], "fhir_r5_element", "/item/0/disabledDisplay"));
    r5["item"][0]["type"] = "coding";
    CHECK(has_diag(import_error(r5), "fhir_unknown_item_type", "/item/0/type"));
    // enableWhen naming a missing linkId; exists with a non-boolean; a bad operator.
    json bad = json::parse(R"({"resourceType":"Questionnaire","status":"active","item":[
        {"linkId":"a","type":"boolean","text":"A"},
        {"linkId":"b","type":"boolean","text":"B","enableWhen":[{"question":"zz","operator":"=","answerBoolean":true}]},
        {"linkId":"c","type":"boolean","text":"C","enableWhen":[{"question":"a","operator":"exists","answerString":"x"}]},
        {"linkId":"d","type":"boolean","text":"D","enableWhen":[{"question":"a","operator":"~","answerBoolean":true}]},
        {"linkId":"a","type":"boolean","text":"again"}]})");
    json errors = import_error(bad);
    CHECK(has_diag(errors, "fhir_unknown_link_id", "/item/1/enableWhen/0/question"));
    CHECK(has_diag(errors, "fhir_exists_needs_boolean", "/item/2/enableWhen/0/answerString"));
    CHECK(has_diag(errors, "fhir_invalid_operator", "/item/3/enableWhen/0/operator"));
    CHECK(has_diag(errors, "fhir_duplicate_link_id", "/item/4/linkId"));
    // A Coding with no system is compared by code alone, with a warning.
    json nosys = json::parse(R"({"resourceType":"Questionnaire","status":"active","item":[
        {"linkId":"a","type":"choice","text":"A","answerOption":[{"valueCoding":{"system":"http://x","code":"1"}}]},
        {"linkId":"b","type":"boolean","text":"B","enableWhen":[{"question":"a","operator":"=","answerCoding":{"code":"1"}}]}]})");
    json nosys_pack = fhir::import_questionnaire(nosys);
    CHECK(has_diag(nosys_pack["fhir"]["import_warnings"], "fhir_coding_without_system", "/item/1/enableWhen/0/answerCoding"));
    CHECK(prescreen::Protocol::from_json(nosys_pack).form(json{{"a", "1"}}, {"2026-11-25", ""})["visible"] == json({"a", "b"}));
    // A cycle is a diagnostic at the Questionnaire's path.
    json cycle = json::parse(R"({"resourceType":"Questionnaire","status":"active","item":[
        {"linkId":"a","type":"boolean","text":"A","enableWhen":[{"question":"b","operator":"=","answerBoolean":true}]},
        {"linkId":"b","type":"boolean","text":"B","enableWhen":[{"question":"a","operator":"=","answerBoolean":true}]}]})");
    json cycle_errors = import_error(cycle);
    REQUIRE(cycle_errors.is_array());
    CHECK((has_diag(cycle_errors, "enable_when_cycle", "/item/0/enableWhen") || has_diag(cycle_errors, "enable_when_cycle", "/item/1/enableWhen")));
    // A modifierExtension cannot be ignored.
    json modifier = json::parse(R"({"resourceType":"Questionnaire","status":"active","item":[
        {"linkId":"a","type":"boolean","text":"A","modifierExtension":[{"url":"http://x","valueBoolean":true}]}]})");
    CHECK(has_diag(import_error(modifier), "fhir_modifier_extension", "/item/0/modifierExtension"));
}

TEST_CASE("FHIR import: 10,000 items and deep nesting are refused with a path", "[fhir][bad-input]") {
    json big = {{"resourceType", "Questionnaire"}, {"status", "active"}, {"item", json::array()}};
    for (int i = 0; i < 10000; ++i) big["item"].push_back({{"linkId", "q" + std::to_string(i)}, {"type", "boolean"}, {"text", "Q"}});
    CHECK(has_diag(import_error(big), "too_many_items", "/item"));
    // Under the limit (a pack allows 2,000 items), a large form imports.
    big["item"].erase(big["item"].begin() + 1500, big["item"].end());
    CHECK(prescreen::Protocol::from_json(fhir::import_questionnaire(big)).items().size() == 1500);

    auto nested = [](int depth) {
        json leaf = {{"linkId", "leaf"}, {"type", "boolean"}, {"text", "L"}};
        for (int i = 0; i < depth; ++i) leaf = {{"linkId", "g" + std::to_string(i)}, {"type", "group"}, {"text", "G"}, {"item", json::array({leaf})}};
        return json{{"resourceType", "Questionnaire"}, {"status", "active"}, {"item", json::array({leaf})}};
    };
    std::string path = "/item/0";
    for (int i = 0; i < 47; ++i) path += "/item/0";
    CHECK(has_diag(import_error(nested(60)), "fhir_nesting_too_deep", path + "/item"));
    CHECK(has_diag(import_error(nested(400)), "nesting_too_deep", "") == false);
    CHECK(import_error(nested(400))[0]["code"] == "nesting_too_deep");
    CHECK(prescreen::Protocol::from_json(fhir::import_questionnaire(nested(30))).items().size() == 30);
    std::string deep_text(100000, '[');
    try {
        fhir::import_questionnaire_text(deep_text);
        FAIL("no error");
    } catch (const prescreen::ProtocolError& e) {
        CHECK(e.diagnostics()[0].code == "nesting_too_deep");
    }
}

TEST_CASE("FHIR: a consent record becomes a Consent and a Provenance", "[fhir][consent]") {
    auto p = small_clinic();
    prescreen::ConsentRequest req;
    req.acknowledged = {"photos", "risk_infection", "risk_redness"};
    req.signature = {{"name", "Alex Patient"}, {"role", "patient"}};
    req.signed_at = "2026-11-25T10:31:00Z";
    req.information_shown_at = "2026-11-25T10:20:00Z";
    req.patient_reference = "P-0001";
    req.seal_key = "back-office-key";
    json answers = json::parse(R"({"areas":["face"],"blood_thinner":false,"cold_sores":"history","cream":false,
        "date_of_birth":"1990-05-15","drug_current":false,"drug_past":false,"pregnant":false,"sex":"female","steel_allergy":false})");
    json record = p.consent(answers, req, {"2026-11-25", ""});
    json c = fhir::consent(record);
    CHECK(c["resourceType"] == "Consent");
    CHECK(c["status"] == "active");
    CHECK(c["scope"]["coding"][0]["code"] == "treatment");
    CHECK(c["patient"]["identifier"]["value"] == "P-0001");
    CHECK(c["dateTime"] == "2026-11-25T10:31:00Z");
    CHECK(c["identifier"][0]["value"] == record["digest"]);
    CHECK(c["provision"]["period"]["end"] == record["valid_until"]);
    CHECK(c["provision"]["code"].size() == 3);
    CHECK(c["provision"]["code"][1]["coding"][0]["code"] == "risk_infection");
    CHECK(c["sourceAttachment"]["contentType"] == "application/json");
    CHECK(c["policy"][0]["uri"] == "urn:prescreen:protocol:small-clinic:consent:" + record["document"]["version"].get<std::string>());
    json prov = fhir::provenance(record);
    CHECK(prov["resourceType"] == "Provenance");
    CHECK(prov["recorded"] == "2026-11-25T10:31:00Z");
    CHECK(prov["target"][0]["identifier"]["value"] == record["digest"]);
    CHECK(prov["signature"][0]["who"]["display"] == "Alex Patient");
    // The attachment holds the canonical record: base64 of canonical_json(record).
    json withdrawn = record;
    withdrawn["withdrawal"] = {{"at", "2026-12-01T09:00:00Z"}, {"reason", "changed my mind"}};
    json cw = fhir::consent(withdrawn);
    CHECK(cw["status"] == "inactive");
    CHECK(cw["provision"]["period"]["end"] == "2026-12-01T09:00:00Z");
    // Since issue 12 a withdrawal is its own sealed event: a field added to the record breaks its
    // digest (the FHIR mapping reading withdrawal events is still to do: docs/fhir.md).
    CHECK(prescreen::verify_consent(withdrawn, "back-office-key")["valid"] == false);
    try {
        fhir::consent(json{{"record_type", "other"}});
        FAIL("no error");
    } catch (const prescreen::ProtocolError& e) {
        CHECK(diagnostic_codes(e) == std::vector<std::string>{"not_a_record /record_type"});
    }
}

TEST_CASE("FHIR: a screening result becomes a RiskAssessment naming findings and sources", "[fhir]") {
    auto p = small_clinic();
    json answers = json::parse(R"({"areas":["face"],"blood_thinner":false,"cold_sores":"never","cream":false,"date_of_birth":"1990-05-15",
        "drug_current":true,"pregnant":false,"sex":"female","steel_allergy":false})");
    json result = p.screen(answers, {"2026-11-25", ""});
    REQUIRE(result["outcome"] == "deferred");
    json ra = fhir::risk_assessment(result);
    CHECK(ra["resourceType"] == "RiskAssessment");
    CHECK(ra["status"] == "final");
    CHECK(ra["occurrenceDateTime"] == "2026-11-25");
    CHECK(ra["code"]["coding"][0] == json({{"system", "urn:prescreen:outcome"}, {"code", "deferred"}}));
    CHECK(ra["prediction"].size() == result["findings"].size());
    CHECK(ra["prediction"][0]["outcome"]["coding"][0]["code"] == result["findings"][0]["rule"]);
    CHECK(ra["prediction"][0]["rationale"].get<std::string>().find("Sources: S1") != std::string::npos);
    CHECK(ra["method"]["coding"][0]["version"] == "1.2.0");
    try {
        fhir::risk_assessment(json::object());
        FAIL("no error");
    } catch (const prescreen::ProtocolError& e) {
        CHECK(diagnostic_codes(e) == std::vector<std::string>{"not_a_result "});
    }
}

// ---------------------------------------------------------------------------------------------
// tests/vectors/fhir/*.json: the same cases run by the Python and JavaScript vector tests, so the
// three runtimes give identical resources. PRESCREEN_UPDATE_VECTORS=1 rewrites `expected`.

namespace {

json run_fhir_vector(const json& v) {
    const std::string op = v["operation"];
    auto protocol = [&] { return prescreen::Protocol::load(read_text(source_dir / v["protocol"].get<std::string>())); };
    try {
        if (op == "fhir_questionnaire") return fhir::questionnaire(protocol(), v.value("locale", ""));
        if (op == "fhir_questionnaire_response")
            return fhir::questionnaire_response(protocol(), v["answers"], {v["context"]["today"], v.value("locale", "")});
        if (op == "fhir_answers_from_response") return fhir::answers_from_response(protocol(), v["response"]);
        if (op == "fhir_import_questionnaire") return fhir::import_questionnaire(v["resource"]);
        if (op == "fhir_consent") return fhir::consent(v["record"]);
        if (op == "fhir_provenance") return fhir::provenance(v["record"]);
        if (op == "fhir_risk_assessment") return fhir::risk_assessment(v["result"]);
    } catch (const prescreen::ProtocolError& e) {
        return json{{"error", {{"diagnostics", e.to_json()["error"]["diagnostics"]}}}};
    }
    FAIL("unknown operation " << op);
    return nullptr;
}

std::vector<fs::path> fhir_vector_files() {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(source_dir / "tests/vectors/fhir"))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

TEST_CASE("FHIR vectors give the expected resources", "[fhir][vectors]") {
    REQUIRE(fhir_vector_files().size() >= 12);
    const fs::path file = GENERATE(from_range(fhir_vector_files()));
    INFO("vector " << file.filename().string());
    json v = json::parse(read_text(file));
    json actual = run_fhir_vector(v);
    if (std::getenv("PRESCREEN_UPDATE_VECTORS")) {
        v["expected"] = actual;
        std::ofstream(file) << v.dump(2, ' ', false) << "\n";
    }
    for (auto& [pointer, value] : v["checks"].items()) {
        INFO("check " << pointer);
        json::json_pointer ptr(pointer);
        REQUIRE(actual.contains(ptr));
        CHECK(actual.at(ptr) == value);
    }
    CHECK(actual == v["expected"]);
}
