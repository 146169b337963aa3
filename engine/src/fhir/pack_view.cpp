#include "fhir/pack_view.hpp"

#include <algorithm>

namespace prescreen::fhir::detail {

namespace {

const json* object_member(const json* obj, const char* key) {
    if (!obj || !obj->is_object()) return nullptr;
    auto it = obj->find(key);
    return it == obj->end() ? nullptr : &*it;
}

std::string string_member(const json* obj, const char* key) {
    const json* v = object_member(obj, key);
    return v && v->is_string() ? v->get<std::string>() : std::string();
}

// The R4 type a pack item is exported as; `fhir.type` refines prescreen's type where several R4
// types share one (text stands for string, url, time and dateTime; choice for open-choice).
std::string r4_type_of(const std::string& type, const std::string& fhir_type) {
    if (type == "choice" || type == "multi-choice") return fhir_type == "open-choice" ? "open-choice" : "choice";
    if (type == "text") {
        static const char* kinds[] = {"string", "text", "url", "time", "dateTime"};
        for (const char* k : kinds)
            if (fhir_type == k) return k;
        return "text";
    }
    if (type == "display") return fhir_type == "group" ? "group" : "display";
    return type;  // boolean, date, integer, decimal
}

}  // namespace

std::string text_in(const json& text, const std::vector<std::string>& locales, std::size_t locale) {
    if (text.is_string()) return text.get<std::string>();
    if (!text.is_object()) return {};
    if (locale < locales.size())
        if (auto it = text.find(locales[locale]); it != text.end() && it->is_string()) return it->get<std::string>();
    if (!locales.empty())
        if (auto it = text.find(locales.front()); it != text.end() && it->is_string()) return it->get<std::string>();
    return {};
}

void put_text(json& out, const char* element, const json& text, const std::vector<std::string>& locales,
              std::size_t locale) {
    out[element] = text_in(text, locales, locale);
    if (!text.is_object() || locales.size() < 2) return;
    json extensions = json::array();
    for (std::size_t i = 0; i < locales.size(); ++i) {
        if (i == locale) continue;
        extensions.push_back({{"url", kTranslation},
                              {"extension", json::array({{{"url", "lang"}, {"valueCode", locales[i]}},
                                                         {{"url", "content"}, {"valueString", text_in(text, locales, i)}}})}});
    }
    out[std::string("_") + element] = {{"extension", std::move(extensions)}};
}

std::string base64(std::string_view bytes) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 | (unsigned char)bytes[i + 2];
        out += table[v >> 18 & 63];
        out += table[v >> 12 & 63];
        out += table[v >> 6 & 63];
        out += table[v & 63];
    }
    if (i < bytes.size()) {
        unsigned v = (unsigned char)bytes[i] << 16 | (i + 1 < bytes.size() ? (unsigned char)bytes[i + 1] << 8 : 0);
        out += table[v >> 18 & 63];
        out += table[v >> 12 & 63];
        out += i + 1 < bytes.size() ? table[v >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

std::string resource_id(std::string_view id) {
    std::string out;
    for (char c : id) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        out += ok ? c : '-';
        if (out.size() == 64) break;
    }
    return out.empty() ? "questionnaire" : out;
}

std::string value_key(const json& object, const char* prefix) {
    if (!object.is_object()) return {};
    const std::size_t n = std::char_traits<char>::length(prefix);
    for (auto it = object.begin(); it != object.end(); ++it)
        if (it.key().size() > n && it.key().compare(0, n, prefix) == 0 && std::isupper((unsigned char)it.key()[n]))
            return it.key();
    return {};
}

std::size_t PackView::locale_index(std::string_view locale) const {
    for (std::size_t i = 0; i < locales.size(); ++i)
        if (locales[i] == locale) return i;
    // By its language alone ("fr" for "fr-FR"), as the engine chooses a form's texts; a language the
    // pack has no texts in is refused rather than answered in the first locale.
    auto language = [](std::string_view tag) { return tag.substr(0, tag.find('-')); };
    for (std::size_t i = 0; i < locales.size(); ++i)
        if (language(locales[i]) == language(locale)) return i;
    throw UsageError({"unknown_locale", "/locale", "the pack has no texts in \"" + std::string(locale) + "\""});
}

json PackView::option_value(const PackItem& item, const json& option, std::size_t locale) const {
    const std::string value = option.value("value", "");
    if (const json* stored = object_member(object_member(item.fhir, "options"), value.c_str())) {
        std::string key = value_key(*stored);
        if (!key.empty()) return json{{key, (*stored)[key]}};
    }
    json coding = {{"system", std::string(kProtocolSystem) + ":" + protocol->id() + ":" + item.id}, {"code", value}};
    if (auto label = option.find("label"); label != option.end()) put_text(coding, "display", *label, locales, locale);
    return json{{"valueCoding", std::move(coding)}};
}

json PackView::answer_values(const PackItem& item, const json& answer, std::size_t locale) const {
    json out = json::array();
    auto option_for = [&](const json& value) -> json {
        if (const json* options = object_member(item.def, "options"); options && options->is_array())
            for (const auto& o : *options)
                if (o.is_object() && o.value("value", json()) == value) return option_value(item, o, locale);
        return json{{"valueString", value}};  // not reached for a valid answer
    };
    if (item.type == "boolean") out.push_back({{"valueBoolean", answer}});
    else if (item.type == "integer") out.push_back({{"valueInteger", answer.is_number_float() ? json((long long)answer.get<double>()) : answer}});
    else if (item.type == "decimal") out.push_back({{"valueDecimal", answer}});
    else if (item.type == "date") out.push_back({{"valueDate", answer}});
    else if (item.type == "choice") out.push_back(option_for(answer));
    else if (item.type == "multi-choice") {
        for (const auto& v : answer) out.push_back(option_for(v));
    } else if (item.type == "text") {
        const char* key = item.r4_type == "time" ? "valueTime" : item.r4_type == "dateTime" ? "valueDateTime"
                        : item.r4_type == "url" ? "valueUri" : "valueString";
        out.push_back({{key, answer}});
    }
    return out;
}

PackView view_of(const Protocol& protocol) {
    PackView v;
    v.protocol = &protocol;
    v.doc = &protocol.document();
    const json& doc = *v.doc;
    for (const auto& l : doc.at("locales")) v.locales.push_back(l.get<std::string>());
    v.fhir = object_member(v.doc, "fhir");
    if (v.fhir && !v.fhir->is_object()) v.fhir = nullptr;

    // Pages: a group each, unless an imported pack says the page stands for the top level.
    const json& pages = doc.at("pages");
    std::vector<int> page_node(pages.size(), -1);
    const json* page_links = object_member(v.fhir, "pages");
    for (std::size_t i = 0; i < pages.size(); ++i) {
        std::string id = pages[i].value("id", "");
        Node node;
        node.page = static_cast<int>(i);
        node.link_id = id;
        if (const json* entry = object_member(page_links, id.c_str()); entry && entry->is_object()) {
            auto link = entry->find("link_id");
            if (link != entry->end() && link->is_null()) continue;  // items sit at the top level
            if (link != entry->end() && link->is_string()) node.link_id = link->get<std::string>();
        }
        page_node[i] = static_cast<int>(v.nodes.size());
        v.nodes.push_back(std::move(node));
    }
    std::unordered_map<std::string, int> page_index;
    for (std::size_t i = 0; i < pages.size(); ++i) page_index[pages[i].value("id", "")] = static_cast<int>(i);

    // Items, each under its fhir.parent (an earlier item) or else its page.
    std::vector<int> page_first_use(pages.size(), -1);
    std::vector<int> order;  // top-level order: a page's group where its first item is
    const json& items = doc.at("items");
    for (std::size_t i = 0; i < items.size(); ++i) {
        PackItem it;
        it.def = &items[i];
        it.id = items[i].value("id", "");
        it.type = items[i].value("type", "");
        it.page = items[i].value("page", "");
        it.fhir = object_member(it.def, "fhir");
        if (it.fhir && !it.fhir->is_object()) it.fhir = nullptr;
        it.link_id = string_member(it.fhir, "link_id");
        if (it.link_id.empty()) it.link_id = it.id;
        it.r4_type = r4_type_of(it.type, string_member(it.fhir, "type"));
        it.parent = string_member(it.fhir, "parent");
        v.by_id[it.id] = static_cast<int>(i);
        v.by_link_id[it.link_id] = static_cast<int>(i);

        Node node;
        node.item = static_cast<int>(i);
        node.link_id = it.link_id;
        const int self = static_cast<int>(v.nodes.size());
        v.nodes.push_back(node);
        v.node_of_item.push_back(self);

        int parent = -1;
        if (!it.parent.empty())
            if (auto p = v.by_link_id.find(it.parent); p != v.by_link_id.end() && p->second < static_cast<int>(i))
                parent = v.node_of_item[p->second];
        int page = page_index.count(it.page) ? page_index[it.page] : -1;
        if (parent < 0 && page >= 0 && page_node[page] >= 0) {
            parent = page_node[page];
            if (page_first_use[page] < 0) {
                page_first_use[page] = 1;
                order.push_back(parent);
            }
        }
        if (parent >= 0) v.nodes[parent].children.push_back(self);
        else order.push_back(self);
        v.items.push_back(std::move(it));
    }
    // A page without items has no group: R4 requires a group to have children (que-1).
    v.roots = std::move(order);
    return v;
}

}  // namespace prescreen::fhir::detail
