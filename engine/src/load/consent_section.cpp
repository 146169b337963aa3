// The consent section as written: its keys, sections and acknowledgements (consent_document.cpp compiles it).
#include <set>

#include "pack_load.hpp"

namespace prescreen::detail {

std::vector<std::shared_ptr<const expr::Program>> check_consent_section(PackLoad& pack) {
    Loader& L = pack.L;
    CompiledProtocol& p = pack.p;
    const json& doc = pack.doc;
    std::vector<std::shared_ptr<const expr::Program>> when;  // by acknowledgement
    if (auto it = doc.find("consent"); it != doc.end()) {
        const json& c = *it;
        if (L.object(c, "/consent", {"version", "title", "sections", "acknowledgements"},
                     {"permitted_outcomes", "validity", "cooling_off", "signature", "intro", "override_registers"},
                     "the consent document")) {
            p.has_consent = true;
            p.consent_digest = sha256_hex(canonical_json(c));
            L.string(c, "version", "/consent");
            L.text(c, "title", "/consent", true);
            L.text(c, "intro", "/consent", false);
            if (auto po = c.find("permitted_outcomes"); po != c.end()) {
                p.permitted_outcomes.clear();
                if (!po->is_array()) L.error("wrong_type", "/consent/permitted_outcomes", "must be an array of outcomes");
                else
                    for (std::size_t i = 0; i < po->size(); ++i) {
                        auto o = (*po)[i].is_string() ? parse_outcome((*po)[i].get<std::string>()) : std::nullopt;
                        if (!o) L.error("invalid_value", pointer_join("/consent/permitted_outcomes", i), "not an outcome");
                        else p.permitted_outcomes.push_back(*o);
                    }
            }
            for (const char* key : {"validity", "cooling_off"})
                if (const std::string* name = L.string(c, key, "/consent")) {
                    auto pi = p.parameter_index.find(*name);
                    if (pi == p.parameter_index.end())
                        L.error("unknown_parameter", pointer_join("/consent", key), "no parameter is named \"" + *name + "\"");
                    else if (p.parameters[pi->second].type != "duration")
                        L.error("type_mismatch", pointer_join("/consent", key), "\"" + *name + "\" is not a duration parameter");
                }
            std::set<std::string> section_ids, ack_ids;
            static const std::set<std::string> kinds{"procedure", "benefits", "risks", "alternatives", "aftercare",
                                                     "cooling_off", "withdrawal", "data", "other"};
            if (auto s = c.find("sections"); s != c.end() && s->is_array()) {
                for (std::size_t i = 0; i < s->size(); ++i) {
                    std::string path = pointer_join("/consent/sections", i);
                    if (!L.object((*s)[i], path, {"id", "kind", "title", "text"}, {"sources"}, "a consent section")) continue;
                    L.id((*s)[i], path, section_ids, "section");
                    if (auto* k = L.string((*s)[i], "kind", path); k && !kinds.count(*k))
                        L.error("invalid_value", pointer_join(path, "kind"), "unknown section kind \"" + *k + "\"");
                    L.text((*s)[i], "title", path, true);
                    L.text((*s)[i], "text", path, true);
                    pack.check_sources((*s)[i], path, false);
                }
            } else if (s != c.end()) {
                L.error("wrong_type", "/consent/sections", "\"sections\" must be an array");
            }
            if (auto a = c.find("acknowledgements"); a != c.end() && a->is_array()) {
                for (std::size_t i = 0; i < a->size(); ++i) {
                    std::string path = pointer_join("/consent/acknowledgements", i);
                    when.emplace_back();
                    if (!L.object((*a)[i], path, {"id", "text"},
                                  {"section", "required", "material_risk", "sources", "stage", "when", "with_override"},
                                  "an acknowledgement"))
                        continue;
                    // Over the screening, like aftercare: answers, {"fired": rule}, {"outcome": []}.
                    when.back() = L.logic((*a)[i], "when", path, pack.result_scope);
                    L.id((*a)[i], path, ack_ids, "acknowledgement");
                    if (auto* sec = L.string((*a)[i], "section", path); sec && !section_ids.count(*sec))
                        L.error("unknown_section", pointer_join(path, "section"), "no consent section has the id \"" + *sec + "\"");
                    L.text((*a)[i], "text", path, true);
                    L.boolean((*a)[i], "required", path);
                    L.boolean((*a)[i], "material_risk", path);
                    L.boolean((*a)[i], "with_override", path);
                    pack.check_sources((*a)[i], path, false);
                }
            } else if (a != c.end()) {
                L.error("wrong_type", "/consent/acknowledgements", "\"acknowledgements\" must be an array");
            }
            if (auto sig = c.find("signature"); sig != c.end() && L.object(*sig, "/consent/signature", {}, {"roles", "countersign"}, "the signature")) {
                if (auto r = sig->find("roles"); r != sig->end() && !r->is_array())
                    L.error("wrong_type", "/consent/signature/roles", "\"roles\" must be an array of strings");
            }
        }
    }
    return when;
}

}  // namespace prescreen::detail
