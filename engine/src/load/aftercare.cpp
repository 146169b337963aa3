// Aftercare instructions, each with the condition under which it applies.
#include <set>

#include "pack_load.hpp"

namespace prescreen::detail {

void load_aftercare(PackLoad& pack) {
    Loader& L = pack.L;
    std::set<std::string> ids;
    pack.each_entry(pack.doc, "aftercare", "/aftercare", "\"aftercare\" must be an array of instructions",
                    {"id", "phase", "text"}, {"when", "sources"}, "an aftercare instruction",
                    [&](const json& def, const std::string& path) {
        Instruction ins;
        ins.id = L.id(def, path, ids, "instruction");
        if (auto* ph = L.string(def, "phase", path)) ins.phase = *ph;
        ins.text = L.text(def, "text", path, true);
        ins.when = L.logic(def, "when", path, pack.result_scope);
        pack.check_sources(def, path, false);
        pack.p.aftercare.push_back(std::move(ins));
    });
}

}  // namespace prescreen::detail
