// Aftercare instructions, each with the condition under which it applies.
#include <set>

#include "pack_load.hpp"

namespace prescreen::detail {

void load_aftercare(PackLoad& pack) {
    Loader& L = pack.L;
    CompiledProtocol& p = pack.p;
    const json& doc = pack.doc;
    if (auto it = doc.find("aftercare"); it != doc.end()) {
        std::set<std::string> ids;
        if (!it->is_array()) L.error("wrong_type", "/aftercare", "\"aftercare\" must be an array of instructions");
        else
            for (std::size_t i = 0; i < it->size(); ++i) {
                std::string path = pointer_join("/aftercare", i);
                if (!L.object((*it)[i], path, {"id", "phase", "text"}, {"when", "sources"}, "an aftercare instruction")) continue;
                Instruction ins;
                ins.id = L.id((*it)[i], path, ids, "instruction");
                if (auto* ph = L.string((*it)[i], "phase", path)) ins.phase = *ph;
                ins.text = L.text((*it)[i], "text", path, true);
                ins.when = L.logic((*it)[i], "when", path, pack.result_scope);
                pack.check_sources((*it)[i], path, false);
                p.aftercare.push_back(std::move(ins));
            }
    }
}

}  // namespace prescreen::detail
