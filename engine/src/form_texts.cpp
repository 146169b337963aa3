// The texts a form shows, in one locale (form()'s `texts`): rendered beside render_form, in a file
// of its own so the WebAssembly build can compile it for size (wasm/CMakeLists.txt, "cold" sources).
#include <algorithm>

#include "protocol_model.hpp"

namespace prescreen::detail {

// A pack value in one locale: a translation object ({"en-GB": ..., "ar": ...}, complete: load
// refuses one that is not) becomes its text; everything else is copied with its texts localized.
json localized(const json& value, const std::string& locale) {
    if (value.is_array()) {
        json out = json::array();
        for (const json& entry : value) out.push_back(localized(entry, locale));
        return out;
    }
    if (!value.is_object()) return value;
    if (auto it = value.find(locale); it != value.end() && it->is_string()) return *it;
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = localized(it.value(), locale);
    return out;
}

// What the page shows, in the context's locale: the visible items' texts and options, the pages
// holding them, and (once the answers are complete, the only time a patient can reach it) the
// consent document. The page then holds no copy of the pack's wording and cannot pick another
// translation than the results do.
json form_texts(const CompiledProtocol& p, const Decision& d, std::size_t l, bool complete) {
    const std::string& locale = p.locales[std::min(l, p.locales.size() - 1)];
    const json& document = p.document;
    json items = json::object(), pages = json::object();
    std::vector<char> page_shown(p.pages.size(), 0);
    for (std::size_t slot = 0; slot < p.items.size(); ++slot) {
        if (!d.visible[slot]) continue;
        const Item& item = p.items[slot];
        json& entry = items[item.id] = json::object();
        for (const char* key : {"text", "help", "options"})
            if (auto it = item.definition.find(key); it != item.definition.end()) entry[key] = localized(*it, locale);
        if (item.page >= 0) page_shown[item.page] = 1;
    }
    if (auto it = document.find("pages"); it != document.end())
        for (std::size_t i = 0; i < p.pages.size() && i < it->size(); ++i)
            if (page_shown[i]) pages[p.pages[i]] = localized((*it)[i], locale);
    json out = json{{"locale", locale}, {"items", std::move(items)}, {"pages", std::move(pages)}};
    // A translation loaded beside the pack says whether a clinician has reviewed it (the page says so).
    if (l < p.translation_review.size() && p.translation_review[l].is_object()) {
        json review = json::object();
        for (auto it = p.translation_review[l].begin(); it != p.translation_review[l].end(); ++it)
            if (it.key().empty() || it.key()[0] != '$') review[it.key()] = it.value();
        out["review"] = std::move(review);
    }
    if (auto it = document.find("title"); it != document.end()) out["title"] = localized(*it, locale);
    if (auto it = document.find("consent"); complete && it != document.end()) out["consent"] = localized(*it, locale);
    return out;
}

}  // namespace prescreen::detail
