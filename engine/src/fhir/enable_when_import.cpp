// enableWhen -> JsonLogic with R4 semantics (research/fhir/FHIR.md §3, the clarified operator
// definitions): "=" and the comparisons are true when at least one answer matches, "!=" when no
// answer equals (so it is true for an unanswered item), "exists" tests for an answer. The engine
// makes a hidden item's answer null, so a disabled controlling item counts as unanswered.
#include <cmath>

#include "fhir/import_model.hpp"
#include "fhir/pack_view.hpp"
#include "json_input.hpp"

namespace prescreen::fhir::detail {

namespace {

json var(const ImportItem& t) { return json{{"var", t.id}}; }
json answered(const ImportItem& t) { return json{{"!=", json::array({var(t), nullptr})}}; }

// a op b for two numbers or two strings (ISO dates and times compare as text).
bool holds(const std::string& op, const json& a, const json& b) {
    int c;
    if (a.is_number() && b.is_number()) {
        double x = a.get<double>(), y = b.get<double>();
        c = x < y ? -1 : x > y ? 1 : 0;
    } else if (a.is_string() && b.is_string()) {
        c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    } else {
        c = a == b ? 0 : 2;  // booleans: only = / != make sense
    }
    if (op == "=") return c == 0;
    if (op == "!=") return c != 0;
    if (c == 2) return false;
    if (op == ">") return c > 0;
    if (op == "<") return c < 0;
    if (op == ">=") return c >= 0;
    return c <= 0;
}

// "Some answer of `t` is one of `values`" in JsonLogic.
json any_of_values(const ImportItem& t, const std::vector<std::string>& values) {
    if (values.empty()) return false;
    if (t.pack_type == "multi-choice") {
        json terms = json::array();
        for (const auto& v : values) terms.push_back({{"in", json::array({v, var(t)})}});
        return terms.size() == 1 ? terms[0] : json{{"or", terms}};
    }
    if (values.size() == 1) return json{{"==", json::array({var(t), values[0]})}};
    return json{{"in", json::array({var(t), values})}};
}

json negate(const json& logic) {
    if (logic.is_boolean()) return !logic.get<bool>();
    return json{{"!", json::array({logic})}};
}

json condition(const ImportItem& t, const std::string& op, const std::string& key, const json& answer,
               const std::string& path, Diagnostics& d) {
    const std::string apath = pointer_join(path, key);
    auto mismatch = [&](const std::string& why) {
        d.warn("fhir_answer_type_mismatch", apath,
               why + ": under R4 no answer can equal it, so the condition is " + (op == "!=" ? "always true" : "never true"));
        return json(op == "!=");
    };
    if (t.pack_type == "choice" || t.pack_type == "multi-choice") {
        if (key == "answerCoding" && (!answer.is_object() || !answer.contains("system")))
            d.warn("fhir_coding_without_system", apath, "the Coding has no system: it is compared by code alone");
        const bool ordered = op != "=" && op != "!=";
        if (ordered && key == "answerCoding") {
            d.warn("fhir_operator_not_applicable", pointer_join(path, "operator"),
                   "\"" + op + "\" does not apply to Codings: the condition is never true");
            return false;
        }
        std::vector<std::string> matching;
        bool comparable = false;
        for (const auto& o : t.options) {
            const std::string wanted = "answer" + o.key.substr(5);
            bool numbers = (key == "answerInteger" || key == "answerDecimal") && o.key == "valueInteger";
            if (wanted != key && !numbers) continue;
            comparable = true;
            bool match;
            if (key == "answerCoding")
                match = answer.is_object() && o.fhir_value.value("code", json()) == answer.value("code", json()) &&
                        (!answer.contains("system") || o.fhir_value.value("system", json()) == answer["system"]);
            else
                match = holds(op == "!=" ? "=" : op, o.fhir_value, answer);
            if (match) matching.push_back(o.value);
        }
        if (!comparable) return mismatch("the options of \"" + t.link_id + "\" are not of the type of " + key);
        if (matching.empty() && !ordered)
            d.warn("fhir_answer_not_an_option", apath, "no option of \"" + t.link_id + "\" is " + answer.dump());
        if (op == "!=" && t.pack_type == "choice" && matching.size() == 1)
            return json{{"!=", json::array({var(t), matching[0]})}};
        json some = any_of_values(t, matching);
        return op == "!=" ? negate(some) : some;
    }

    // Single-valued questions: the answer type must be the item's.
    json lit = answer;
    const std::string& r4 = t.r4_type;
    bool ok = false;
    if (t.pack_type == "boolean") ok = key == "answerBoolean";
    else if (t.pack_type == "integer" || t.pack_type == "decimal") ok = key == "answerInteger" || key == "answerDecimal";
    else if (t.pack_type == "date") ok = key == "answerDate" || key == "answerDateTime";
    else if (t.pack_type == "text") {
        if (r4 == "time") ok = key == "answerTime";
        else if (r4 == "dateTime") ok = key == "answerDateTime" || key == "answerDate";
        else if (r4 == "url") ok = key == "answerUri" || key == "answerString";
        else if (r4 == "choice" && key == "answerCoding" && answer.is_object() && answer.contains("code")) {
            ok = true;  // an external value set: the answer is kept as its code
            lit = answer["code"];
        } else ok = key == "answerString";
    }
    if (!ok) return mismatch("\"" + t.link_id + "\" is a " + r4 + " question, the condition gives " + key);
    if (t.pack_type == "boolean" ? !lit.is_boolean() : (t.pack_type == "integer" || t.pack_type == "decimal") ? !lit.is_number() : !lit.is_string()) {
        d.error("fhir_wrong_type", apath, key + " has the wrong JSON type: " + lit.dump());
        return false;
    }
    if (t.pack_type == "date" && (key == "answerDateTime" || lit.get_ref<const std::string&>().size() != 10)) {
        // R4 (R5 xver text): a comparison of different precisions is indeterminate: enabled, with a warning.
        d.warn("fhir_indeterminate_date", apath,
               lit.dump() + " is not a full date: the comparison is indeterminate, so the item is enabled whenever \"" +
                   t.link_id + "\" is answered");
        return answered(t);
    }
    if (t.pack_type == "boolean" && op != "=" && op != "!=") {
        d.warn("fhir_operator_not_applicable", pointer_join(path, "operator"),
               "\"" + op + "\" does not apply to booleans: the condition is never true");
        return false;
    }
    if (op == "=") return json{{"==", json::array({var(t), lit})}};
    if (op == "!=") return json{{"!=", json::array({var(t), lit})}};
    // JsonLogic compares null as 0; R4 says an unanswered item matches no comparison.
    return json{{"and", json::array({answered(t), {{op, json::array({var(t), lit})}}})}};
}

}  // namespace

json enable_when_logic(const std::vector<ImportItem>& items, const std::unordered_map<std::string, int>& by_link_id,
                       const ImportItem& item, Diagnostics& d) {
    const json& def = *item.def;
    auto ew = def.find("enableWhen");
    if (ew == def.end()) {
        if (def.contains("enableBehavior"))
            d.warn("fhir_enable_behavior_alone", item.path + "/enableBehavior", "enableBehavior without enableWhen has no effect");
        return nullptr;
    }
    const std::string base = item.path + "/enableWhen";
    if (!ew->is_array() || ew->empty()) {
        d.error("fhir_wrong_type", base, "enableWhen must be a non-empty array");
        return nullptr;
    }
    json terms = json::array();
    for (std::size_t i = 0; i < ew->size(); ++i) {
        const json& c = (*ew)[i];
        const std::string path = pointer_join(base, i);
        if (!c.is_object()) {
            d.error("fhir_wrong_type", path, "an enableWhen must be an object");
            continue;
        }
        auto q = c.find("question");
        if (q == c.end() || !q->is_string()) {
            d.error("fhir_missing_element", path + "/question", "an enableWhen needs \"question\" (a linkId)");
            continue;
        }
        const std::string op = c.value("operator", "");
        static const char* ops[] = {"exists", "=", "!=", ">", "<", ">=", "<="};
        if (std::none_of(std::begin(ops), std::end(ops), [&](const char* o) { return op == o; })) {
            d.error("fhir_invalid_operator", path + "/operator",
                    "operator must be one of exists, =, !=, >, <, >=, <= (got " + (c.contains("operator") ? c["operator"].dump() : "nothing") + ")");
            continue;
        }
        const std::string key = value_key(c, "answer");
        if (key.empty()) {
            d.error("fhir_missing_element", path, "an enableWhen needs an answer[x]");
            continue;
        }
        auto target = by_link_id.find(q->get<std::string>());
        if (target == by_link_id.end()) {
            d.error("fhir_unknown_link_id", path + "/question", "no item has the linkId \"" + q->get<std::string>() + "\"");
            continue;
        }
        const ImportItem& t = items[target->second];
        if (t.r4_type == "group" || t.r4_type == "display") {
            d.error("fhir_enable_when_not_a_question", path + "/question",
                    "\"" + t.link_id + "\" is a " + t.r4_type + " item, which has no answers");
            continue;
        }
        if (op == "exists" && key != "answerBoolean") {
            d.error("fhir_exists_needs_boolean", pointer_join(path, key), "operator exists takes answerBoolean (R4 que-7)");
            continue;
        }
        if (t.pack_type.empty() || t.pack_type == "display") {
            // Not imported as a question (e.g. attachment): it is never answered here.
            d.warn("fhir_condition_on_unsupported_item", path + "/question",
                   "\"" + t.link_id + "\" cannot be answered in prescreen, so it counts as unanswered");
            terms.push_back(op == "exists" ? json(!c[key].get<bool>()) : json(op == "!="));
            continue;
        }
        if (op == "exists") {
            if (!c[key].is_boolean()) {
                d.error("fhir_wrong_type", pointer_join(path, key), "answerBoolean must be true or false");
                continue;
            }
            terms.push_back(c[key].get<bool>() ? answered(t) : json{{"==", json::array({var(t), nullptr})}});
            continue;
        }
        terms.push_back(condition(t, op, key, c[key], path, d));
    }
    if (terms.empty()) return nullptr;
    if (terms.size() == 1) return terms[0];
    std::string behavior = def.value("enableBehavior", "");
    if (behavior.empty()) {
        // que-12 fires only above two conditions; R4's element comment and LHC-Forms say "or".
        d.warn("fhir_missing_enable_behavior", item.path + "/enableBehavior",
               "two or more enableWhen without enableBehavior: read as \"any\"");
        behavior = "any";
    } else if (behavior != "any" && behavior != "all") {
        d.error("fhir_invalid_value", item.path + "/enableBehavior", "enableBehavior must be \"all\" or \"any\"");
        return nullptr;
    }
    return json{{behavior == "all" ? "and" : "or", terms}};
}

}  // namespace prescreen::fhir::detail
