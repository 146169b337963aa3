// The pack's pages, in order.
#include <set>

#include "pack_load.hpp"

namespace prescreen::detail {

void load_pages(PackLoad& pack) {
    Loader& L = pack.L;
    CompiledProtocol& p = pack.p;
    const json& doc = pack.doc;
    std::set<std::string> page_ids;
    if (auto it = doc.find("pages"); it != doc.end()) {
        if (!it->is_array()) L.error("wrong_type", "/pages", "\"pages\" must be an array");
        else
            for (std::size_t i = 0; i < it->size(); ++i) {
                std::string path = pointer_join("/pages", i);
                if (!L.object((*it)[i], path, {"id", "title"}, {"description"}, "a page")) continue;
                p.pages.push_back(L.id((*it)[i], path, page_ids, "page"));
                L.text((*it)[i], "title", path, true);
                L.text((*it)[i], "description", path, false);
            }
    }
}

}  // namespace prescreen::detail
