// The pack's pages, in order.
#include <set>

#include "pack_load.hpp"

namespace prescreen::detail {

void load_pages(PackLoad& pack) {
    Loader& L = pack.L;
    std::set<std::string> page_ids;
    pack.each_entry(pack.doc, "pages", "/pages", "\"pages\" must be an array", {"id", "title"}, {"description"}, "a page",
                    [&](const json& def, const std::string& path) {
        pack.p.pages.push_back(L.id(def, path, page_ids, "page"));
        L.text(def, "title", path, true);
        L.text(def, "description", path, false);
    });
}

}  // namespace prescreen::detail
