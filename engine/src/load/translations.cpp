// Translations given at load (docs/languages.md): one document per locale, kept beside the pack so a
// page loads only the language its patient chose. The pack declares each translated locale and its
// clinical review under "translations"; a translation must give every patient text of the pack, or
// the load fails with a missing_translation per text. The pack's digest (and its consent section's)
// covers the pack as written, so a record names the same pack whichever language was shown.
#include "pack_load.hpp"
#include <cstdlib>

#include "../dates.hpp"

namespace prescreen::detail {

namespace {

std::string unescape_token(const std::string& token) {
    std::string out;
    for (std::size_t i = 0; i < token.size(); ++i) {
        if (token[i] == '~' && i + 1 < token.size()) {
            out += token[i + 1] == '1' ? '/' : '~';
            ++i;
        } else {
            out += token[i];
        }
    }
    return out;
}

// An array element's name in a text address: its id, else its option value, else its index.
std::string element_name(const json& element, std::size_t index) {
    if (element.is_object()) {
        if (auto id = element.find("id"); id != element.end() && id->is_string()) return id->get<std::string>();
        if (auto v = element.find("value"); v != element.end()) return v->is_string() ? v->get<std::string>() : v->dump();
    }
    return std::to_string(index);
}

// The element a JSON Pointer the loader made names (object keys and array indices, no "-").
json* element_at(json& doc, const std::string& pointer) {
    json* at = &doc;
    std::size_t start = 1;
    while (at && start <= pointer.size()) {
        std::size_t end = pointer.find('/', start);
        if (end == std::string::npos) end = pointer.size();
        std::string token = unescape_token(pointer.substr(start, end - start));
        if (at->is_array()) {
            std::size_t index = std::strtoul(token.c_str(), nullptr, 10);
            at = index < at->size() ? &(*at)[index] : nullptr;
        } else if (at->is_object()) {
            auto it = at->find(token);
            at = it != at->end() ? &*it : nullptr;
        } else {
            at = nullptr;
        }
        start = end + 1;
    }
    return at;
}

}  // namespace

// A text's address in a translation: its JSON Pointer with array indices replaced by the ids of the
// elements ("/items/12/options/1/label" -> "/items/pregnant/options/yes/label"), so that reordering
// the pack's items cannot attach a translation to the wrong question.
std::string text_address(const json& pack, const std::string& pointer) {
    std::string out;
    const json* at = &pack;
    std::size_t start = 1;
    while (start <= pointer.size()) {
        std::size_t end = pointer.find('/', start);
        if (end == std::string::npos) end = pointer.size();
        std::string token = unescape_token(pointer.substr(start, end - start));
        std::string name = token;
        if (at && at->is_array()) {
            std::size_t index = token.find_first_not_of("0123456789") == std::string::npos && !token.empty()
                                    ? std::stoul(token) : at->size();
            at = index < at->size() ? &(*at)[index] : nullptr;
            name = at ? element_name(*at, index) : token;
        } else if (at && at->is_object()) {
            auto it = at->find(token);
            at = it != at->end() ? &*it : nullptr;
        }
        out += "/";
        out += json_pointer_token(name);
        start = end + 1;
    }
    return out;
}

void Loader::translate(Text& t, const std::string& pointer, bool for_patient) {
    const std::size_t written = locales.size() - translations.size();
    if (for_patient) {
        const std::string address = text_address(*pack, pointer);
        for (std::size_t i = 0; i < translations.size(); ++i) {
            Translation& tr = translations[i];
            auto it = tr.texts->find(address);
            if (it != tr.texts->end()) tr.used.insert(address);  // an empty text is missing, not unknown
            if (it == tr.texts->end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
                std::string english = t.by_locale[0].size() > 60 ? t.by_locale[0].substr(0, 57) + "..." : t.by_locale[0];
                error("missing_translation", pointer_join(pointer, tr.locale),
                      "the \"" + tr.locale + "\" translation has no text \"" + address + "\" (" + locales[0] + ": \"" + english + "\")");
                continue;
            }
            t.by_locale[written + i] = it->get<std::string>();
        }
    }
    translated.emplace_back(pointer, t.by_locale);
}

// The pack's "translations": which locales may be loaded beside it and whether a clinician has
// reviewed each ({"ar": {"reviewed": false}}, or {"reviewed": true, "reviewer": ..., "reviewed_on": ...}).
// Then the translation documents themselves: their locales join the pack's, in the order given.
void load_translations(PackLoad& pack) {
    Loader& L = pack.L;
    CompiledProtocol& p = pack.p;
    const json* declared = nullptr;
    if (auto it = pack.doc.find("translations"); it != pack.doc.end()) {
        if (!it->is_object()) {
            L.error("wrong_type", "/translations", "\"translations\" must be an object: locale -> {\"reviewed\": ...}");
        } else {
            declared = &*it;
            for (auto d = it->begin(); d != it->end(); ++d) {
                if (!d.key().empty() && d.key()[0] == '$') continue;
                std::string path = pointer_join("/translations", d.key());
                if (std::find(p.locales.begin(), p.locales.end(), d.key()) != p.locales.end())
                    L.error("invalid_value", path, "\"" + d.key() + "\" is written in the pack itself; a translation is for another locale");
                if (!L.object(*d, path, {"reviewed"}, {"reviewer", "reviewed_on"}, "a translation's review")) continue;
                auto reviewed = L.boolean(*d, "reviewed", path);
                const std::string* reviewer = L.string(*d, "reviewer", path);
                const std::string* on = L.string(*d, "reviewed_on", path);
                if (on && !parse_iso_date(*on))
                    L.error("invalid_date", pointer_join(path, "reviewed_on"), "\"reviewed_on\" must be a date such as \"2026-12-01\"");
                if (reviewed.value_or(false) && (!reviewer || reviewer->empty() || !on))
                    L.error("missing_key", path, "a reviewed translation names its \"reviewer\" and the date \"reviewed_on\"");
            }
        }
    }
    if (!pack.translations || pack.translations->is_null()) return;
    const json& given = *pack.translations;
    if (!given.is_array()) {
        L.error("wrong_type", "/translations", "the translations given at load must be an array of translation documents");
        return;
    }
    for (std::size_t i = 0; i < given.size(); ++i) {
        const json& t = given[i];
        std::string path = pointer_join("/translations", i);
        if (!L.object(t, path, {"format", "protocol", "locale", "texts"}, {}, "a translation")) continue;
        if (auto* f = L.string(t, "format", path); f && *f != "prescreen-translation/1")
            L.error("invalid_value", pointer_join(path, "format"), "unsupported format \"" + *f + "\" (this engine reads prescreen-translation/1)");
        if (auto* id = L.string(t, "protocol", path); id && *id != p.id)
            L.error("invalid_value", pointer_join(path, "protocol"), "this translation is of \"" + *id + "\", not of \"" + p.id + "\"");
        const std::string* locale = L.string(t, "locale", path);
        if (!locale) continue;
        path = pointer_join("/translations", *locale);  // from here on, named by its locale
        if (!declared || !declared->contains(*locale)) {
            L.error("unknown_locale", path, "the pack does not declare a \"" + *locale + "\" translation under \"translations\"");
            continue;
        }
        if (std::find(p.locales.begin(), p.locales.end(), *locale) != p.locales.end()) {
            L.error("duplicate_id", path, "a \"" + *locale + "\" translation was given twice");
            continue;
        }
        auto texts_it = t.find("texts");
        if (texts_it == t.end()) continue;  // reported by object()
        const json& texts = *texts_it;
        if (!texts.is_object()) {
            L.error("wrong_type", pointer_join(path, "texts"), "\"texts\" must be an object: text address -> text");
            continue;
        }
        p.locales.push_back(*locale);
        p.translation_review.resize(p.locales.size());
        p.translation_review.back() = (*declared)[*locale];
        L.translations.push_back({*locale, &texts, {}});
    }
    L.locales = p.locales;
    L.pack = &pack.doc;
}

// After every section has loaded: texts the translations give that the pack has no patient text
// for (removed, renamed, or a text for the clinic), and the pack as the form reads it, with each
// translated text as a translation object.
void finish_translations(PackLoad& pack) {
    Loader& L = pack.L;
    CompiledProtocol& p = pack.p;
    if (L.translations.empty()) return;
    for (const Loader::Translation& tr : L.translations)
        for (auto it = tr.texts->begin(); it != tr.texts->end(); ++it)
            if (!tr.used.count(it.key()))
                L.error("unknown_translation", pointer_join(pointer_join(pointer_join("/translations", tr.locale), "texts"), it.key()),
                        "the pack has no patient text \"" + it.key() + "\" (removed or renamed; clinician notes, rule titles and "
                        "parameter descriptions stay in " + p.locales[0] + ")");
    // The pack's texts become translation objects in place: nothing reads the document as written
    // after this step (the digest and every check are done).
    json& document = p.document;
    for (const auto& [pointer, by_locale] : L.translated) {
        json text = json::object();
        for (std::size_t i = 0; i < p.locales.size(); ++i) text[p.locales[i]] = by_locale[i];
        if (json* at = element_at(document, pointer)) *at = std::move(text);
    }
    p.translation_review.resize(p.locales.size());
}

}  // namespace prescreen::detail
