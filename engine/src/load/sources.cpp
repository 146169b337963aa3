// The pack's sources, and the check that a rule, parameter or instruction cites only those.
#include "pack_load.hpp"

namespace prescreen::detail {

void load_sources(PackLoad& pack) {
    Loader& L = pack.L;
    auto it = pack.doc.find("sources");
    if (it == pack.doc.end()) return;
    if (!it->is_object()) {
        L.error("wrong_type", "/sources", "\"sources\" must be an object of id → source");
        return;
    }
    for (auto source = it->begin(); source != it->end(); ++source) {
        std::string path = pointer_join("/sources", source.key());
        pack.source_ids.insert(source.key());
        if (L.object(*source, path, {"title"}, {"url", "note", "authority"}, "a source")) {
            L.string(*source, "title", path);
            L.string(*source, "url", path);
        }
    }
}

json PackLoad::check_sources(const json& obj, const std::string& path, bool required) {
    auto it = obj.find("sources");
    if (it == obj.end()) {
        if (required) L.error("missing_key", pointer_join(path, "sources"), "a rule must cite at least one source");
        return json::array();
    }
    if (!it->is_array() || (required && it->empty())) {
        L.error("wrong_type", pointer_join(path, "sources"), "\"sources\" must be a non-empty array of source ids");
        return json::array();
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
        const json& id = (*it)[i];
        if (!id.is_string()) L.error("wrong_type", pointer_join(pointer_join(path, "sources"), i), "a source id must be a string");
        else if (!source_ids.count(id.get<std::string>()))
            L.error("unknown_source", pointer_join(pointer_join(path, "sources"), i),
                    "source \"" + id.get<std::string>() + "\" is not in the pack's \"sources\"");
    }
    return *it;
}

}  // namespace prescreen::detail
