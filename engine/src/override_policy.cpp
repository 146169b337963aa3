// Shape of a rule's override policy (docs/protocol-format.md, "Override policy"):
//   {"allowed": false}                                      never overridable (re-screen when resolved)
//   {"allowed": false, "acknowledge": true}                  a precaution the practitioner acknowledges
//   {"allowed": true, "by": ["GMC", ...], "to": [...],      who may override and to which outcomes;
//    "not_before": "parameter_min", "consulted": true,      dated deferrals: never before event + the
//    "prescriber": true}                                     parameter's minimum; who was consulted
#include "override_policy.hpp"

#include <algorithm>
#include <set>

namespace prescreen::detail {

namespace {

const std::set<std::string> kRegisters{"GMC", "NMC", "GDC", "GPhC", "HCPC", "other_statutory", "JCCP", "none"};

std::string at(const std::string& path, const std::string& key) { return path + "/" + key; }

}  // namespace

OverridePolicy default_override_policy(Outcome outcome, bool dated) {
    OverridePolicy policy;
    policy.allowed = outcome == Outcome::Refer || outcome == Outcome::EligibleWithPrecautions ||
                     (outcome == Outcome::Deferred && dated);
    return policy;
}

OverridePolicy read_override_policy(const json& policy, const std::string& path, Outcome outcome, bool dated,
                                    std::vector<Diagnostic>& problems) {
    OverridePolicy out;
    auto error = [&](std::string code, std::string where, std::string message) {
        problems.push_back({std::move(code), std::move(where), std::move(message)});
    };
    if (!policy.is_object()) {
        error("wrong_type", path, "an override policy must be an object");
        return out;
    }
    static const std::set<std::string> keys{"allowed", "by", "to", "not_before", "consulted", "prescriber", "acknowledge"};
    for (auto it = policy.begin(); it != policy.end(); ++it)
        if (!it.key().empty() && it.key()[0] != '$' && !keys.count(it.key()))
            error("unknown_key", at(path, it.key()),
                  "unknown key \"" + it.key() + "\" in an override policy (allowed: allowed, by, to, not_before, consulted, prescriber, acknowledge)");
    for (auto [flag, field] : {std::pair{"allowed", &out.allowed}, {"consulted", &out.consulted},
                               {"prescriber", &out.prescriber}, {"acknowledge", &out.acknowledge}})
        if (auto v = policy.find(flag); v != policy.end()) {
            if (v->is_boolean()) *field = v->get<bool>();
            else error("wrong_type", at(path, flag), std::string("\"") + flag + "\" must be true or false");
        }
    auto allowed = policy.find("allowed");
    if (allowed == policy.end()) {
        error("missing_key", at(path, "allowed"), "an override policy needs \"allowed\"");
        return out;
    }
    if (!out.allowed) {
        for (const char* key : {"by", "to", "not_before", "consulted", "prescriber"})
            if (policy.contains(key))
                error("invalid_value", at(path, key), std::string("\"") + key + "\" applies only when \"allowed\" is true");
        return out;
    }
    if (policy.contains("acknowledge")) error("invalid_value", at(path, "acknowledge"), "\"acknowledge\" applies only when \"allowed\" is false");
    auto by = policy.find("by");
    if (by == policy.end() || !by->is_array() || by->empty())
        error("missing_key", at(path, "by"), "an override that is allowed names the registers whose members may make it (\"by\")");
    else
        for (std::size_t i = 0; i < by->size(); ++i) {
            if (!(*by)[i].is_string() || !kRegisters.count((*by)[i].get<std::string>()))
                error("invalid_value", at(path, "by") + "/" + std::to_string(i),
                      "a register must be one of GMC, NMC, GDC, GPhC, HCPC, other_statutory, JCCP, none");
            else out.registers.push_back((*by)[i].get<std::string>());
        }
    auto to = policy.find("to");
    if (to == policy.end() || !to->is_array() || to->empty())
        error("missing_key", at(path, "to"), "an override that is allowed lists the outcomes it may set (\"to\")");
    else
        for (std::size_t i = 0; i < to->size(); ++i) {
            auto o = (*to)[i].is_string() ? parse_outcome((*to)[i].get<std::string>()) : std::nullopt;
            // Less strict than the rule; a dated deferral may also stay deferred with an earlier date.
            bool ok = o && *o != Outcome::Incomplete && (*o < outcome || (dated && *o == Outcome::Deferred));
            if (!ok)
                error("invalid_value", at(path, "to") + "/" + std::to_string(i),
                      "an override sets an outcome less strict than the rule's (or, for a dated deferral, \"deferred\" with an earlier date)");
            else out.to.push_back(*o);
        }
    if (auto nb = policy.find("not_before"); nb != policy.end()) {
        if (!dated) error("invalid_value", at(path, "not_before"), "\"not_before\" applies only to a deferral with a waiting period");
        else if (!nb->is_string() || nb->get<std::string>() != "parameter_min")
            error("invalid_value", at(path, "not_before"), "\"not_before\" must be \"parameter_min\" (event date + the waiting period's minimum)");
        else out.not_before_minimum = true;
    }
    return out;
}

}  // namespace prescreen::detail
