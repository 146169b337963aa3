// The pack's identity (format, id, version, digest) and its locales, which every text is checked against.
#include "pack_load.hpp"

namespace prescreen::detail {

void load_identity(PackLoad& pack) {
    Loader& L = pack.L;
    CompiledProtocol& p = pack.p;
    const json& doc = pack.doc;
    if (pack.for_use) p.digest = sha256_hex(canonical_json_checked(doc));  // compile_protocol checked doc

    if (auto* f = L.string(doc, "format", ""); f && *f != "prescreen-protocol/1")
        L.error("invalid_value", "/format", "unsupported format \"" + *f + "\" (this engine reads prescreen-protocol/1)");
    if (auto* s = L.string(doc, "id", "")) p.id = *s;
    if (auto* s = L.string(doc, "version", "")) p.version = *s;
    L.string(doc, "policy", "");

    // Locales first: every text is checked against them.
    if (auto it = doc.find("locales"); it != doc.end()) {
        if (!it->is_array() || it->empty()) L.error("wrong_type", "/locales", "\"locales\" must be a non-empty array of language tags");
        else
            for (std::size_t i = 0; i < it->size(); ++i) {
                if (!(*it)[i].is_string() || (*it)[i].get_ref<const std::string&>().empty())
                    L.error("wrong_type", pointer_join("/locales", i), "a locale must be a language tag such as \"en-GB\"");
                else
                    p.locales.push_back((*it)[i].get<std::string>());
            }
    }
    if (p.locales.empty()) p.locales.push_back("en-GB");
    L.locales = p.locales;
    load_translations(pack);  // their locales follow the pack's own (translations.cpp)
    L.text(doc, "title", "", true);
}

}  // namespace prescreen::detail
