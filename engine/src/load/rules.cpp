// Rules: each finding's condition, outcome, messages, sources, waiting period and override policy.
#include <set>
#include "../override_policy.hpp"

#include "pack_load.hpp"

namespace prescreen::detail {

void load_rules(PackLoad& pack) {
    Loader& L = pack.L;
    CompiledProtocol& p = pack.p;
    const json& doc = pack.doc;
    const json* rules = nullptr;
    if (auto it = doc.find("rules"); it != doc.end()) {
        if (!it->is_array()) L.error("wrong_type", "/rules", "\"rules\" must be an array");
        else if (it->size() > pack.limits.max_rules)
            L.error("too_many_rules", "/rules",
                    "the pack has " + std::to_string(it->size()) + " rules; the limit is " + std::to_string(pack.limits.max_rules));
        else rules = &*it;
    }
    std::set<std::string> rule_ids;
    if (rules) {
        for (std::size_t i = 0; i < rules->size(); ++i) {
            const json& def = (*rules)[i];
            std::string path = pointer_join("/rules", i);
            Rule rule;
            if (L.object(def, path, {"id", "when", "outcome", "message", "clinician_note", "sources"},
                         {"defer", "category", "title", "override"}, "a rule")) {
                rule.id = L.id(def, path, rule_ids, "rule");
                if (const std::string* o = L.string(def, "outcome", path)) {
                    auto outcome = parse_outcome(*o);
                    if (!outcome || *outcome == Outcome::Eligible || *outcome == Outcome::Incomplete)
                        L.error("invalid_value", pointer_join(path, "outcome"),
                                "a rule's outcome must be not_eligible, deferred, refer or eligible_with_precautions; got \"" + *o + "\"");
                    else rule.outcome = *outcome;
                }
                if (const std::string* c = L.string(def, "category", path)) {
                    static const std::set<std::string> categories{"absolute", "temporary", "relative", "precaution"};
                    if (!categories.count(*c))
                        L.error("invalid_value", pointer_join(path, "category"), "category must be absolute, temporary, relative or precaution");
                }
                L.text(def, "title", path, false, /*for_patient=*/false);
                rule.message = L.text(def, "message", path, true);
                rule.clinician_note = L.text(def, "clinician_note", path, true, /*for_patient=*/false);
                rule.sources = pack.check_sources(def, path, true);
                rule.when = L.logic(def, "when", path, pack.answers_scope);
                if (auto d = def.find("defer"); d != def.end()) {
                    std::string dpath = pointer_join(path, "defer");
                    // not_eligible may name its own end too (under the minimum age: until the birthday).
                    if (rule.outcome != Outcome::Deferred && rule.outcome != Outcome::NotEligible)
                        L.error("invalid_value", dpath, "only a deferred or not_eligible rule can have a waiting period");
                    if (L.object(*d, dpath, {"after", "wait"}, {}, "a waiting period")) {
                        auto after = d->find("after");
                        if (after != d->end() && (!after->is_array() || after->empty()))
                            L.error("wrong_type", pointer_join(dpath, "after"), "\"after\" must be a non-empty array of date item ids");
                        else if (after != d->end())
                            for (std::size_t k = 0; k < after->size(); ++k) {
                                std::string apath = pointer_join(pointer_join(dpath, "after"), k);
                                const json& a = (*after)[k];
                                int slot = a.is_string() ? p.find_item(a.get<std::string>()) : -1;
                                if (!a.is_string()) L.error("wrong_type", apath, "an event must be a date item id");
                                else if (slot < 0) L.error("unknown_item", apath, "no item has the id \"" + a.get<std::string>() + "\"");
                                else if (p.items[slot].type != expr::ItemType::Date)
                                    L.error("type_mismatch", apath, "\"" + a.get<std::string>() + "\" is not a date item");
                                else rule.defer_after.push_back(slot);
                            }
                        if (const std::string* w = L.string(*d, "wait", dpath)) {
                            auto pi = p.parameter_index.find(*w);
                            if (pi == p.parameter_index.end())
                                L.error("unknown_parameter", pointer_join(dpath, "wait"), "no parameter is named \"" + *w + "\"");
                            else if (p.parameters[pi->second].type != "duration")
                                L.error("type_mismatch", pointer_join(dpath, "wait"), "\"" + *w + "\" is not a duration parameter");
                            else rule.defer_wait = pi->second;
                        }
                    }
                }
                const bool dated = rule.outcome == Outcome::Deferred && rule.defer_wait >= 0;
                if (auto o = def.find("override"); o != def.end()) {
                    std::vector<Diagnostic> problems;
                    rule.override_policy = read_override_policy(*o, pointer_join(path, "override"), rule.outcome, dated, problems);
                    for (Diagnostic& problem : problems) L.error(std::move(problem.code), std::move(problem.path), std::move(problem.message));
                } else {
                    rule.override_policy = default_override_policy(rule.outcome, dated);
                }
                if (rule.when) {
                    rule.trace_items = rule.when->items_used;
                    rule.trace_parameters = rule.when->parameters_used;
                }
                for (int s : rule.defer_after) rule.trace_items.push_back(s);
                if (rule.defer_wait >= 0) rule.trace_parameters.push_back(rule.defer_wait);
                for (auto* v : {&rule.trace_items, &rule.trace_parameters}) {
                    std::sort(v->begin(), v->end());
                    v->erase(std::unique(v->begin(), v->end()), v->end());
                }
            }
            p.rule_index[rule.id] = static_cast<int>(i);
            p.rules.push_back(std::move(rule));
        }
    }

    // Aftercare and course may also ask which rules fired and what the outcome is.
    pack.result_scope = pack.answers_scope;
    pack.result_scope.find_rule = [cp = &p](std::string_view id) {
        auto it = cp->rule_index.find(std::string(id));
        return it == cp->rule_index.end() ? -1 : it->second;
    };
    pack.result_scope.allow_outcome = true;
}

}  // namespace prescreen::detail
