// Compiling the consent section at load, so a consent call reads no pack JSON (the rules' override
// policies are read with the rules: override_policy.cpp).
#include "consent_document.hpp"

#include "json_input.hpp"
#include "protocol_model.hpp"

namespace prescreen::detail {

const ConsentAcknowledgement* ConsentDocument::find(const std::string& id) const {
    for (const auto& a : acknowledgements)
        if (a.id == id) return &a;
    return nullptr;
}

namespace {

bool string_list(const json& v) {
    if (!v.is_array()) return false;
    for (const auto& s : v)
        if (!s.is_string() || s.get_ref<const std::string&>().empty()) return false;
    return true;
}

}  // namespace

std::shared_ptr<const ConsentDocument> compile_consent_document(const CompiledProtocol& p, const json& doc,
                                                                const std::vector<std::shared_ptr<const expr::Program>>& when,
                                                                std::vector<Diagnostic>& diags) {
    auto error = [&](const char* code, std::string path, std::string message) {
        diags.push_back({code, std::move(path), std::move(message)});
    };

    auto it = doc.find("consent");
    if (it == doc.end() || !it->is_object()) return nullptr;
    const json& c = *it;
    auto out = std::make_shared<ConsentDocument>();
    if (c.contains("version") && c["version"].is_string()) out->version = c["version"].get<std::string>();
    for (const char* key : {"validity", "cooling_off"}) {
        if (!c.contains(key) || !c[key].is_string()) continue;
        auto pi = p.parameter_index.find(c[key].get<std::string>());
        if (pi != p.parameter_index.end() && p.parameters[pi->second].type == "duration")
            (std::string(key) == "validity" ? out->validity : out->cooling_off) = pi->second;
    }
    if (auto a = c.find("acknowledgements"); a != c.end() && a->is_array()) {
        for (std::size_t i = 0; i < a->size(); ++i) {
            const json& def = (*a)[i];
            if (!def.is_object() || !def.contains("id") || !def["id"].is_string()) continue;
            ConsentAcknowledgement ack;
            ack.id = def["id"].get<std::string>();
            ack.index = i;
            if (i < when.size()) ack.when = when[i];
            if (def.contains("required") && def["required"].is_boolean()) ack.required = def["required"].get<bool>();
            if (auto s = def.find("stage"); s != def.end()) {
                if (*s == "pre_visit") ack.pre_visit = true;
                else if (*s != "consultation")
                    error("invalid_value", pointer_join(pointer_join("/consent/acknowledgements", i), "stage"),
                          "stage must be \"pre_visit\" (confirmed before the visit) or \"consultation\"");
            }
            // The pre-visit record is made from no answers (Protocol::information_record): what is
            // confirmed before the visit is the same for every patient.
            if (ack.pre_visit && def.contains("when"))
                error("invalid_value", pointer_join(pointer_join("/consent/acknowledgements", i), "when"),
                      "a pre_visit acknowledgement is the same for every patient: only consultation acknowledgements "
                      "can depend on the screening (\"when\")");
            if (ack.pre_visit && def.contains("with_override") && def["with_override"] == true)
                error("invalid_value", pointer_join(pointer_join("/consent/acknowledgements", i), "with_override"),
                      "a pre_visit acknowledgement is confirmed before anyone could override a finding: only "
                      "consultation acknowledgements can be \"with_override\"");
            out->acknowledgements.push_back(std::move(ack));
        }
    }
    if (auto sig = c.find("signature"); sig != c.end() && sig->is_object())
        if (auto cs = sig->find("countersign"); cs != sig->end()) {
            if (cs->is_boolean()) out->countersign = cs->get<bool>();
            else error("wrong_type", "/consent/signature/countersign", "\"countersign\" must be true or false");
        }
    if (auto regs = c.find("override_registers"); regs != c.end()) {
        if (string_list(*regs)) out->override_registers = regs->get<std::vector<std::string>>();
        else error("wrong_type", "/consent/override_registers", "\"override_registers\" must be an array of register names");
    }
    return out;
}

}  // namespace prescreen::detail
