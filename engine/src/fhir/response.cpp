// A pack's answers <-> an R4 QuestionnaireResponse (docs/fhir.md, "QuestionnaireResponse").
// Out: only valid answers to items visible under those answers, nested as the Questionnaire nests
// them (R4: "SHALL only include items that are enabled"). In: every answer that maps back, and an
// issue with a JSON Pointer for each that does not.
#include <set>

#include "fhir/pack_view.hpp"
#include "json_input.hpp"

namespace prescreen::fhir {

using namespace detail;

json questionnaire_response(const Protocol& protocol, const json& answers, const Context& context) {
    const json state = protocol.form(answers, context);  // visibility and validity, from the engine
    PackView v = view_of(protocol);
    const std::size_t locale = context.locale.empty() ? 0 : v.locale_index(context.locale);
    std::set<std::string> visible, invalid;
    for (const auto& id : state["visible"]) visible.insert(id.get<std::string>());
    for (const auto& issue : state["issues"])
        if (issue.contains("item") && issue["item"].is_string()) invalid.insert(issue["item"].get<std::string>());

    // Bottom-up over the outline (children come after their parents), keeping what survives.
    std::vector<json> built(v.nodes.size());
    for (std::size_t k = v.nodes.size(); k-- > 0;) {
        const Node& node = v.nodes[k];
        json children = json::array();
        for (int c : node.children)
            if (!built[c].is_null()) children.push_back(std::move(built[c]));
        json out = {{"linkId", node.link_id}};
        if (node.item < 0) {  // a page's group
            if (children.empty()) continue;
            const json& page = v.doc->at("pages")[node.page];
            if (auto t = page.find("title"); t != page.end()) out["text"] = text_in(*t, v.locales, locale);
            out["item"] = std::move(children);
            built[k] = std::move(out);
            continue;
        }
        const PackItem& it = v.items[node.item];
        if (!visible.count(it.id)) continue;  // a hidden item and everything under it never appear
        if (auto t = it.def->find("text"); t != it.def->end()) out["text"] = text_in(*t, v.locales, locale);
        if (it.type == "display") {
            if (children.empty()) continue;  // display text carries no answer
            out["item"] = std::move(children);
            built[k] = std::move(out);
            continue;
        }
        const json* answer = nullptr;
        if (answers.is_object())
            if (auto a = answers.find(it.id); a != answers.end()) answer = &*a;
        bool answered = answer && !answer->is_null() && !(answer->is_array() && answer->empty()) && !invalid.count(it.id);
        if (!answered && children.empty()) continue;
        if (answered) {
            out["answer"] = v.answer_values(it, *answer, locale);
            // R4 qrs-1: children of a question go under its answer.
            if (!children.empty()) out["answer"][0]["item"] = std::move(children);
        } else {
            out["item"] = std::move(children);
        }
        built[k] = std::move(out);
    }
    json items = json::array();
    for (int r : v.roots)
        if (!built[r].is_null()) items.push_back(std::move(built[r]));

    json qr = {{"resourceType", "QuestionnaireResponse"},
               {"questionnaire", questionnaire_url(protocol) + "|" + protocol.version()},
               {"status", state.value("complete", false) ? "completed" : "in-progress"},
               {"authored", context.today}};
    if (!items.empty()) qr["item"] = std::move(items);
    return qr;
}

namespace {

// The pack answer for one QuestionnaireResponse answer value, or null with `problem` set.
json answer_of(const PackView& v, const PackItem& it, const json& answer, std::string& problem) {
    const std::string key = value_key(answer);
    if (key.empty()) {
        problem = "the answer has no value[x]";
        return nullptr;
    }
    const json& value = answer[key];
    auto expect = [&](bool ok, const char* wanted) -> json {
        if (ok) return value;
        problem = "item \"" + it.link_id + "\" (" + it.r4_type + ") takes " + wanted + ", not " + key;
        return nullptr;
    };
    if (it.type == "boolean") return expect(key == "valueBoolean" && value.is_boolean(), "valueBoolean");
    if (it.type == "integer") return expect(key == "valueInteger" && value.is_number_integer(), "valueInteger");
    if (it.type == "decimal") return expect((key == "valueDecimal" || key == "valueInteger") && value.is_number(), "valueDecimal");
    if (it.type == "date") return expect(key == "valueDate" && value.is_string(), "valueDate");
    if (it.type == "text") {
        bool ok = value.is_string() && (key == "valueString" || (key == "valueTime" && it.r4_type == "time") ||
                                        (key == "valueDateTime" && it.r4_type == "dateTime") ||
                                        (key == "valueUri" && it.r4_type == "url"));
        return expect(ok, it.r4_type == "time" ? "valueTime" : it.r4_type == "dateTime" ? "valueDateTime"
                          : it.r4_type == "url" ? "valueUri" : "valueString");
    }
    if (it.type == "choice" || it.type == "multi-choice") {
        for (const auto& o : it.def->at("options")) {
            json ov = v.option_value(it, o, 0);
            const std::string okey = value_key(ov);
            if (okey != key) continue;
            bool same = key == "valueCoding"
                            ? value.is_object() && value.value("code", json()) == ov[okey].value("code", json()) &&
                                  (!value.contains("system") || value["system"] == ov[okey].value("system", json()))
                            : value == ov[okey];
            if (same) return o["value"];
        }
        problem = "the answer " + value.dump() + " is not one of the options of \"" + it.link_id + "\"";
        return nullptr;
    }
    problem = "item \"" + it.link_id + "\" takes no answer";
    return nullptr;
}

}  // namespace

json answers_from_response(const Protocol& protocol, const json& response) {
    PackView v = view_of(protocol);
    json answers = json::object(), issues = json::array();
    auto issue = [&](const char* code, const std::string& path, const std::string& message) {
        issues.push_back({{"code", code}, {"path", path}, {"message", message}});
    };
    if (!response.is_object() || response.value("resourceType", "") != "QuestionnaireResponse") {
        issue("fhir_not_a_response", response.is_object() ? "/resourceType" : "",
              "not a QuestionnaireResponse (resourceType must be \"QuestionnaireResponse\")");
        return json{{"answers", answers}, {"issues", issues}};
    }
    if (auto q = response.find("questionnaire"); q != response.end()) {
        std::string canonical = q->is_string() ? q->get<std::string>() : std::string();
        if (canonical.substr(0, canonical.find('|')) != questionnaire_url(protocol))
            issue("fhir_other_questionnaire", "/questionnaire",
                  "the response is for " + q->dump() + ", not " + questionnaire_url(protocol));
    }
    // Depth-first with an explicit stack: a response nested thousands deep cannot exhaust ours.
    std::vector<std::pair<const json*, std::string>> stack;  // an item array and its path
    if (auto items = response.find("item"); items != response.end()) stack.push_back({&*items, "/item"});
    std::vector<std::pair<const json*, std::string>> pending;
    std::set<std::string> seen;
    while (!stack.empty()) {
        auto [list, path] = stack.back();
        stack.pop_back();
        if (!list->is_array()) {
            issue("fhir_wrong_type", path, "\"item\" must be an array");
            continue;
        }
        // Push in reverse so items are read in document order.
        for (std::size_t i = list->size(); i-- > 0;) pending.push_back({&(*list)[i], pointer_join(path, i)});
        while (!pending.empty()) {
            auto [item, ipath] = pending.back();
            pending.pop_back();
            if (!item->is_object() || !item->contains("linkId") || !(*item)["linkId"].is_string()) {
                issue("fhir_wrong_type", ipath, "a response item needs a string linkId");
                continue;
            }
            const std::string link = (*item)["linkId"].get<std::string>();
            if (auto sub = item->find("item"); sub != item->end()) stack.push_back({&*sub, ipath + "/item"});
            auto found = v.by_link_id.find(link);
            if (found == v.by_link_id.end()) {
                bool is_page = false;
                for (const auto& n : v.nodes) is_page = is_page || (n.item < 0 && n.link_id == link);
                if (!is_page) issue("fhir_unknown_link_id", ipath + "/linkId", "no item of the protocol has the linkId \"" + link + "\"");
                continue;
            }
            const PackItem& it = v.items[found->second];
            if (!seen.insert(link).second) {
                issue("fhir_repeated_item", ipath, "\"" + link + "\" appears more than once (repeating groups are not supported)");
                continue;
            }
            auto list_answers = item->find("answer");
            if (list_answers == item->end()) continue;
            if (!list_answers->is_array()) {
                issue("fhir_wrong_type", ipath + "/answer", "\"answer\" must be an array");
                continue;
            }
            json values = json::array();
            for (std::size_t k = 0; k < list_answers->size(); ++k) {
                const json& a = (*list_answers)[k];
                std::string apath = pointer_join(ipath + "/answer", k);
                if (auto sub = a.find("item"); a.is_object() && sub != a.end()) stack.push_back({&*sub, apath + "/item"});
                std::string problem;
                json value = answer_of(v, it, a, problem);
                if (!problem.empty()) {
                    std::string key = value_key(a);
                    issue("fhir_wrong_value_type", key.empty() ? apath : apath + "/" + key, problem);
                    continue;
                }
                if (it.type != "multi-choice" && !values.empty()) {
                    issue("fhir_repeated_answer", apath, "\"" + link + "\" takes one answer");
                    continue;
                }
                values.push_back(std::move(value));
            }
            if (values.empty()) continue;
            answers[it.id] = it.type == "multi-choice" ? values : values[0];
        }
    }
    return json{{"answers", std::move(answers)}, {"issues", std::move(issues)}};
}

}  // namespace prescreen::fhir
