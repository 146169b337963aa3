// An R4 Questionnaire as a pack (docs/fhir.md, "Questionnaire import"). Top-level groups become
// pages; everything else becomes a flat item list in document order, each nested item's
// visibility joined with its parent's (R4: a disabled item disables all its descendants) and its
// place in the tree kept in `fhir.parent`, so export and responses nest as the original did.
#include <algorithm>
#include <set>

#include "fhir/import_model.hpp"
#include "fhir/pack_view.hpp"
#include "json_input.hpp"
#include "protocol_model.hpp"

namespace prescreen::fhir {

using namespace detail;

namespace {

// Deeper item nesting than this is refused: the pack's conditions nest one level per item level
// (max_expression_depth), and no real form comes close.
constexpr int kMaxItemDepth = 48;

const std::set<std::string>& r4_questionnaire_elements() {
    static const std::set<std::string> s = {
        "resourceType", "id", "meta", "implicitRules", "language", "text", "contained", "extension",
        "modifierExtension", "url", "identifier", "version", "name", "title", "derivedFrom", "status",
        "experimental", "subjectType", "date", "publisher", "contact", "description", "useContext",
        "jurisdiction", "purpose", "copyright", "approvalDate", "lastReviewDate", "effectivePeriod", "code", "item"};
    return s;
}
const std::set<std::string>& r4_item_elements() {
    static const std::set<std::string> s = {
        "id", "extension", "modifierExtension", "linkId", "definition", "code", "prefix", "text", "type",
        "enableWhen", "enableBehavior", "required", "repeats", "readOnly", "maxLength", "answerValueSet",
        "answerOption", "initial", "item"};
    return s;
}
// Elements R5 added (checked against the R5 StructureDefinition): named as such in the warning.
const std::set<std::string>& r5_only_elements() {
    static const std::set<std::string> s = {"versionAlgorithmString", "versionAlgorithmCoding", "copyrightLabel",
                                            "answerConstraint", "disabledDisplay"};
    return s;
}

void check_elements(const json& obj, const std::string& path, const std::set<std::string>& known, Diagnostics& d) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        std::string k = it.key();
        std::string base = !k.empty() && k[0] == '_' ? k.substr(1) : k;  // _text: the primitive's extensions
        if (known.count(base)) continue;
        if (r5_only_elements().count(base))
            d.warn("fhir_r5_element", pointer_join(path, k), "\"" + k + "\" is an R5 element, not R4: ignored");
        else
            d.warn("fhir_unknown_element", pointer_join(path, k), "\"" + k + "\" is not an R4 element: ignored");
    }
    if (auto m = obj.find("modifierExtension"); m != obj.end())
        d.error("fhir_modifier_extension", pointer_join(path, "modifierExtension"),
                "a modifierExtension changes the meaning of its element and prescreen does not know it");
}

std::string sanitize_id(const std::string& link_id, const char* prefix, std::set<std::string>& used) {
    std::string id;
    for (char c : link_id) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (ok) id += c;
        else if (!id.empty() && id.back() != '_') id += '_';
    }
    while (!id.empty() && id.back() == '_') id.pop_back();
    if (id.empty() || !std::isalpha((unsigned char)id[0])) id = prefix + id;
    std::string unique = id;
    for (int n = 2; !used.insert(unique).second; ++n) unique = id + "_" + std::to_string(n);
    return unique;
}

std::string pack_id_of(const json& r) {
    std::string source = r.value("id", "");
    if (source.empty()) source = r.value("name", "");
    std::string id;
    for (char c : source) {
        char l = static_cast<char>(std::tolower((unsigned char)c));
        id += (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == '.' || l == '-' ? l : '-';
    }
    return id.empty() ? "questionnaire" : id;
}

// Translations of a primitive (R4 translation extension): language -> text.
std::vector<std::pair<std::string, std::string>> translations(const json& obj, const char* element) {
    std::vector<std::pair<std::string, std::string>> out;
    auto ext = obj.find(std::string("_") + element);
    if (ext == obj.end() || !ext->is_object() || !ext->contains("extension") || !(*ext)["extension"].is_array()) return out;
    for (const auto& e : (*ext)["extension"]) {
        if (!e.is_object() || e.value("url", "") != kTranslation || !e.contains("extension")) continue;
        std::string lang, content;
        for (const auto& part : e["extension"]) {
            if (part.value("url", "") == "lang" && part.contains("valueCode")) lang = part["valueCode"].get<std::string>();
            if (part.value("url", "") == "content" && part.contains("valueString")) content = part["valueString"].get<std::string>();
        }
        if (!lang.empty()) out.push_back({lang, content});
    }
    return out;
}

bool has_item_control(const json& item, const char* code) {
    auto ext = item.find("extension");
    if (ext == item.end() || !ext->is_array()) return false;
    for (const auto& e : *ext)
        if (e.is_object() && e.value("url", "") == kItemControl && e.contains("valueCodeableConcept"))
            for (const auto& c : e["valueCodeableConcept"].value("coding", json::array()))
                if (c.value("code", "") == code) return true;
    return false;
}

struct Importer {
    const json& r;
    const Limits& limits;
    Diagnostics d;
    std::vector<ImportItem> items;
    std::unordered_map<std::string, int> by_link_id;
    std::unordered_map<std::string, std::vector<json>> value_sets;  // contained, by "#id": Codings
    std::vector<std::string> locales;

    json text(const json& obj, const char* element, const std::string& fallback) {
        std::string base = obj.contains(element) && obj[element].is_string() ? obj[element].get<std::string>() : fallback;
        if (locales.size() < 2) return base;
        json out = json::object();
        for (const auto& l : locales) out[l] = base;
        for (const auto& [lang, content] : translations(obj, element))
            if (out.contains(lang)) out[lang] = content;
        return out;
    }

    void read_value_sets() {
        auto contained = r.find("contained");
        if (contained == r.end() || !contained->is_array()) return;
        for (const auto& res : *contained) {
            if (!res.is_object() || res.value("resourceType", "") != "ValueSet" || !res.contains("id")) continue;
            std::vector<json> codings;
            if (res.contains("expansion") && res["expansion"].contains("contains"))
                for (const auto& c : res["expansion"]["contains"])
                    codings.push_back({{"system", c.value("system", "")}, {"code", c.value("code", "")}, {"display", c.value("display", "")}});
            else if (res.contains("compose"))
                for (const auto& inc : res["compose"].value("include", json::array()))
                    for (const auto& c : inc.value("concept", json::array()))
                        codings.push_back({{"system", inc.value("system", "")}, {"code", c.value("code", "")}, {"display", c.value("display", "")}});
            for (auto& c : codings) {
                if (c["system"] == "") c.erase("system");
                if (c["display"] == "") c.erase("display");
            }
            value_sets["#" + res["id"].get<std::string>()] = std::move(codings);
        }
    }

    // Every item, depth first in document order, without recursion.
    void collect() {
        auto top = r.find("item");
        if (top == r.end()) {
            d.error("fhir_missing_element", "/item", "the Questionnaire has no items");
            return;
        }
        struct Pending { const json* def; std::string path; int parent; int depth; };
        std::vector<Pending> stack;
        auto push_children = [&](const json& list, const std::string& path, int parent, int depth) {
            if (!list.is_array()) {
                d.error("fhir_wrong_type", path, "\"item\" must be an array");
                return;
            }
            for (std::size_t i = list.size(); i-- > 0;) stack.push_back({&list[i], pointer_join(path, i), parent, depth});
        };
        push_children(*top, "/item", -1, 1);
        std::set<std::string> langs;
        while (!stack.empty()) {
            Pending p = stack.back();
            stack.pop_back();
            if (items.size() >= limits.max_items) {
                d.error("too_many_items", "/item",
                        "the Questionnaire has more than " + std::to_string(limits.max_items) + " items (the limit)");
                return;
            }
            const json& def = *p.def;
            if (!def.is_object()) {
                d.error("fhir_wrong_type", p.path, "an item must be an object");
                continue;
            }
            ImportItem it;
            it.def = p.def;
            it.path = p.path;
            it.parent = p.parent;
            it.depth = p.depth;
            if (!def.contains("linkId") || !def["linkId"].is_string() || def["linkId"].get_ref<const std::string&>().empty()) {
                d.error("fhir_missing_element", p.path + "/linkId", "an item needs a linkId");
                continue;
            }
            it.link_id = def["linkId"].get<std::string>();
            it.r4_type = def.value("type", json()).is_string() ? def["type"].get<std::string>() : std::string();
            if (!by_link_id.emplace(it.link_id, static_cast<int>(items.size())).second)
                d.error("fhir_duplicate_link_id", p.path + "/linkId", "linkId \"" + it.link_id + "\" is used twice (R4 que-2)");
            check_elements(def, p.path, r4_item_elements(), d);
            for (const auto& [lang, _] : translations(def, "text")) langs.insert(lang);
            const int self = static_cast<int>(items.size());
            items.push_back(std::move(it));
            if (auto children = def.find("item"); children != def.end()) {
                if (p.depth >= kMaxItemDepth)
                    d.error("fhir_nesting_too_deep", p.path + "/item",
                            "items are nested more than " + std::to_string(kMaxItemDepth) + " levels deep (the limit)");
                else push_children(*children, p.path + "/item", self, p.depth + 1);
            }
        }
        for (const auto& l : langs)
            if (l != locales.front()) locales.push_back(l);
    }

    // Type, options and the pack id of every item.
    void classify() {
        std::set<std::string> item_ids, page_ids;
        for (std::size_t i = 0; i < items.size(); ++i) {
            ImportItem& it = items[i];
            const json& def = *it.def;
            const std::string& t = it.r4_type;
            const std::string tpath = it.path + "/type";
            if (t == "group" && it.parent < 0) {
                it.is_page = true;
                it.id = sanitize_id(it.link_id, "p_", page_ids);
                continue;
            }
            if (t == "display" && it.parent >= 0 && !items[it.parent].is_page && items[it.parent].r4_type != "group" &&
                has_item_control(def, "help")) {
                it.is_help = true;  // becomes the parent question's help text
                continue;
            }
            if (t == "boolean" || t == "decimal" || t == "integer" || t == "date") it.pack_type = t;
            else if (t == "string" || t == "text" || t == "time" || t == "dateTime" || t == "url") it.pack_type = "text";
            else if (t == "choice" || t == "open-choice") it.pack_type = def.value("repeats", false) ? "multi-choice" : "choice";
            else if (t == "group" || t == "display") it.pack_type = "display";
            else if (t == "attachment" || t == "reference" || t == "quantity") {
                d.warn("fhir_unsupported_type", tpath, "prescreen has no " + t + " questions: imported as display text, not answerable");
                it.pack_type = "display";
            } else if (t == "coding" || t == "question") {
                d.error("fhir_unknown_item_type", tpath, "item type \"" + t + "\" is R5, not R4");
            } else {
                d.error("fhir_unknown_item_type", tpath, "item type " + def.value("type", json()).dump() + " is not an R4 item type");
            }
            if (it.pack_type.empty()) continue;
            it.id = sanitize_id(it.link_id, "q_", item_ids);
            if (t == "open-choice")
                d.warn("fhir_open_choice_free_text", tpath, "free-text answers to open-choice are not accepted: only the options");
            if (def.value("repeats", false) && it.pack_type != "multi-choice")
                d.warn("fhir_repeats_unsupported", it.path + "/repeats",
                       t == "group" ? "repeating groups are imported as one occurrence" : "only choice questions can repeat in prescreen");
            if (it.pack_type == "choice" || it.pack_type == "multi-choice") read_options(it);
        }
    }

    void read_options(ImportItem& it) {
        const json& def = *it.def;
        std::vector<std::pair<std::string, json>> raw;  // value[x] key, value
        if (auto vs = def.find("answerValueSet"); vs != def.end()) {
            auto found = vs->is_string() ? value_sets.find(vs->get<std::string>()) : value_sets.end();
            if (found == value_sets.end()) {
                d.warn("fhir_value_set_not_contained", it.path + "/answerValueSet",
                       "the answer value set " + vs->dump() + " is not contained in the Questionnaire: imported as a free-text question");
                it.pack_type = "text";
                it.r4_type = "choice";
                return;
            }
            for (const auto& c : found->second) raw.push_back({"valueCoding", c});
        }
        if (auto opts = def.find("answerOption"); opts != def.end() && opts->is_array()) {
            for (std::size_t k = 0; k < opts->size(); ++k) {
                std::string key = value_key((*opts)[k]);
                if (key.empty() || key == "valueReference") {
                    d.warn("fhir_unsupported_option", pointer_join(it.path + "/answerOption", k),
                           "an answerOption without a Coding, string, integer, date or time value is skipped");
                    continue;
                }
                raw.push_back({key, (*opts)[k][key]});
            }
        }
        if (raw.empty()) {
            d.warn("fhir_no_options", it.path, "a choice question without options: imported as a free-text question");
            it.pack_type = "text";
            it.r4_type = "choice";
            return;
        }
        std::set<std::string> used;
        for (std::size_t k = 0; k < raw.size(); ++k) {
            auto& [key, v] = raw[k];
            std::string value;
            if (key == "valueCoding") {
                value = v.is_object() ? v.value("code", "") : "";
                if (v.is_object() && !v.contains("system"))
                    d.warn("fhir_coding_without_system", pointer_join(it.path + "/answerOption", k) + "/valueCoding",
                           "the option's Coding has no system: it is matched by code alone");
            } else if (v.is_number_integer()) value = std::to_string(v.get<long long>());
            else if (v.is_string()) value = v.get<std::string>();
            else value = v.dump();
            std::string unique = value;
            for (int n = 2; !used.insert(unique).second; ++n) unique = value + "_" + std::to_string(n);
            if (unique != value)
                d.warn("fhir_duplicate_option", pointer_join(it.path + "/answerOption", k),
                       "two options share the code \"" + value + "\": this one is \"" + unique + "\" in the pack");
            it.options.push_back({unique, key, v});
        }
    }

    json option_label(const ImportItem& it, std::size_t k) {
        const ImportOption& o = it.options[k];
        std::string base = o.key == "valueCoding" ? o.fhir_value.value("display", o.value) : o.value;
        if (locales.size() < 2) return base;
        json out = json::object();
        for (const auto& l : locales) out[l] = base;
        if (o.key == "valueCoding")
            for (const auto& [lang, content] : translations(o.fhir_value, "display"))
                if (out.contains(lang)) out[lang] = content;
        return out;
    }

    json extension_bounds(const ImportItem& it, json& item, json& kept) {
        const json& def = *it.def;
        auto ext = def.find("extension");
        if (ext == def.end() || !ext->is_array()) return nullptr;
        json jsonlogic = nullptr;
        for (std::size_t k = 0; k < ext->size(); ++k) {
            const json& e = (*ext)[k];
            const std::string epath = pointer_join(it.path + "/extension", k);
            const std::string url = e.is_object() ? e.value("url", "") : "";
            const std::string key = value_key(e);
            bool numeric = it.pack_type == "integer" || it.pack_type == "decimal";
            if ((url == kMinValue || url == kMaxValue) && numeric && (key == "valueInteger" || key == "valueDecimal")) {
                item[url == kMinValue ? "min" : "max"] = e[key];
            } else if (url == kMinValue && it.pack_type == "date" && key == "valueDate") {
                item["min_date"] = e[key];
            } else if (url == kNotFuture && it.pack_type == "date") {
                item["not_future"] = true;
            } else if (url == kEnableWhenJsonLogic && key == "valueString") {
                jsonlogic = json::parse(e[key].get<std::string>(), nullptr, false);
                if (jsonlogic.is_discarded()) {
                    d.error("fhir_invalid_value", epath + "/valueString", "the JsonLogic condition is not valid JSON");
                    jsonlogic = nullptr;
                }
            } else {
                kept.push_back(e);
                if (url == kItemControl) continue;  // a rendering hint, kept for export
                bool expression = url.find("Expression") != std::string::npos || url.find("/variable") != std::string::npos;
                if (expression)
                    d.warn("fhir_expression_unsupported", epath,
                           "FHIRPath/CQL expressions (" + url + ") are not evaluated by prescreen; kept for export only" +
                               (url.find("enableWhenExpression") != std::string::npos ? ": the item is always enabled here" : ""));
                else
                    d.warn("fhir_extension_not_applied", epath, "extension " + url + " is not applied by prescreen; kept for export only");
            }
        }
        return jsonlogic;
    }

    json build() {
        check_elements(r, "", r4_questionnaire_elements(), d);
        if (auto ext = r.find("extension"); ext != r.end() && ext->is_array())
            for (std::size_t k = 0; k < ext->size(); ++k)
                d.warn("fhir_extension_not_applied", pointer_join("/extension", k),
                       "extension " + (*ext)[k].value("url", std::string("?")) + " is not applied by prescreen; kept for export only");
        locales.push_back(r.value("language", json("en")).is_string() ? r.value("language", "en") : "en");
        for (const auto& [lang, _] : translations(r, "title"))
            if (std::find(locales.begin(), locales.end(), lang) == locales.end()) locales.push_back(lang);
        read_value_sets();
        collect();
        classify();  // errors so far do not stop the conditions from being checked too

        const std::string title_fallback = r.value("title", r.value("name", std::string("Questionnaire")));
        json pages = json::array(), pack_items = json::array(), fhir_pages = json::object();
        std::vector<std::string> page_of(items.size());
        std::vector<int> pack_index(items.size(), -1);
        std::string loose_page;  // the page for top-level questions outside any group
        std::set<std::string> page_ids;
        for (const auto& it : items) if (it.is_page) page_ids.insert(it.id);
        for (std::size_t i = 0; i < items.size(); ++i) {
            ImportItem& it = items[i];
            const json& def = *it.def;
            const json* parent_logic = it.parent >= 0 && !items[it.parent].logic.is_null() ? &items[it.parent].logic : nullptr;
            json kept = json::array();
            json item = json::object();
            json own = nullptr;
            if (!it.is_help && (it.is_page || !it.pack_type.empty())) {
                json jsonlogic = extension_bounds(it, item, kept);
                own = jsonlogic.is_null() ? enable_when_logic(items, by_link_id, it, d) : jsonlogic;
            }
            if (!own.is_null())
                it.logic = parent_logic ? json{{"and", json::array({*parent_logic, own})}} : own;
            else if (parent_logic)
                it.logic = *parent_logic;

            if (it.is_page) {
                page_of[i] = it.id;
                json page = {{"id", it.id}, {"title", text(def, "text", it.link_id)}};
                pages.push_back(std::move(page));
                json entry = {{"link_id", it.link_id}};
                if (!own.is_null()) entry["enable_when"] = own;
                fhir_pages[it.id] = std::move(entry);
                loose_page.clear();
                if (def.value("required", false))
                    d.warn("fhir_required_group", it.path + "/required", "a required group (some answer below it) is not enforced");
                continue;
            }
            if (it.parent >= 0) page_of[i] = page_of[it.parent];
            else {
                if (loose_page.empty()) {
                    std::set<std::string> used = page_ids;
                    loose_page = sanitize_id("page_" + std::to_string(pages.size() + 1), "p_", used);
                    page_ids.insert(loose_page);
                    pages.push_back({{"id", loose_page}, {"title", text(r, "title", title_fallback)}});
                    fhir_pages[loose_page] = {{"link_id", nullptr}};
                }
                page_of[i] = loose_page;
            }
            if (it.is_help) {
                int owner = pack_index[it.parent];
                if (owner >= 0) pack_items[owner]["help"] = text(def, "text", "");
                continue;
            }
            if (it.pack_type.empty()) continue;

            item["id"] = it.id;
            item["type"] = it.pack_type;
            item["page"] = page_of[i];
            item["text"] = text(def, "text", it.link_id);
            // A pack text is never empty: an untitled group shows its linkId here, and export leaves it untitled.
            const bool untitled = !def.contains("text") || def["text"] == "";
            if (untitled && it.pack_type == "display")
                d.warn("fhir_text_missing", it.path, "the " + it.r4_type + " has no text: its linkId is shown instead");
            if (def.value("required", false)) {
                if (it.pack_type == "display") {
                    if (it.r4_type == "group")
                        d.warn("fhir_required_group", it.path + "/required", "a required group (some answer below it) is not enforced");
                } else item["required"] = true;
            }
            if (!it.logic.is_null()) item["enable_when"] = it.logic;
            if (auto ml = def.find("maxLength"); ml != def.end()) {
                if (it.pack_type == "text" && ml->is_number_integer()) item["max_length"] = *ml;
                else d.warn("fhir_max_length_not_applied", it.path + "/maxLength", "maxLength applies only to text questions here");
            }
            json fhir = {{"link_id", it.link_id}};
            if (untitled) fhir["untitled"] = true;
            if (it.r4_type != it.pack_type) fhir["type"] = it.r4_type;
            if (it.parent >= 0 && !items[it.parent].is_page) fhir["parent"] = items[it.parent].link_id;
            if (!it.options.empty()) {
                json options = json::array(), stored = json::object();
                const json* given = def.contains("answerOption") ? &def["answerOption"] : nullptr;
                for (std::size_t k = 0; k < it.options.size(); ++k) {
                    options.push_back({{"value", it.options[k].value}, {"label", option_label(it, k)}});
                    // The answerOption as written (initialSelected, extensions such as ordinalValue).
                    stored[it.options[k].value] = given && k < given->size() && !def.contains("answerValueSet")
                                                      ? (*given)[k]
                                                      : json{{it.options[k].key, it.options[k].fhir_value}};
                }
                item["options"] = std::move(options);
                fhir["options"] = std::move(stored);
            }
            if (auto vs = def.find("answerValueSet"); vs != def.end()) fhir["answer_value_set"] = *vs;
            for (const char* k : {"code", "definition", "prefix"})
                if (def.contains(k)) fhir[k] = def[k];
            if (def.value("readOnly", false)) fhir["read_only"] = true;
            if (auto init = def.find("initial"); init != def.end()) fhir["initial"] = *init;
            if (!kept.empty()) fhir["extension"] = std::move(kept);
            item["fhir"] = std::move(fhir);
            pack_index[i] = static_cast<int>(pack_items.size());
            pack_items.push_back(std::move(item));
        }
        if (pack_items.empty() && d.errors.empty())
            d.error("fhir_missing_element", "/item", "the Questionnaire has no items prescreen can import");
        if (!d.errors.empty()) return nullptr;

        json resource = json::object();  // the Questionnaire's own elements, without its (large) item tree
        for (auto it = r.begin(); it != r.end(); ++it)
            if (it.key() != "item") resource[it.key()] = it.value();
        json warnings = json::array();
        for (const auto& w : d.warnings) warnings.push_back(w.to_json());
        json fhir = {{"resource", std::move(resource)}, {"pages", std::move(fhir_pages)}, {"import_warnings", std::move(warnings)}};
        if (r.contains("url") && r["url"].is_string()) fhir["url"] = r["url"];
        json locales_json = locales;
        return json{{"format", "prescreen-protocol/1"},
                    {"id", pack_id_of(r)},
                    {"version", r.value("version", json("1")).is_string() ? r.value("version", "1") : "1"},
                    {"title", text(r, "title", title_fallback)},
                    {"locales", locales_json},
                    {"pages", std::move(pages)},
                    {"items", std::move(pack_items)},
                    {"rules", json::array()},
                    {"fhir", std::move(fhir)}};
    }
};

}  // namespace

namespace {

// The import proper, for a resource whose size and nesting are already checked.
json import_checked(const json& resource, const Limits& limits) {
    if (!resource.is_object() || resource.value("resourceType", json()) != "Questionnaire") {
        std::string got = resource.is_object() && resource.contains("resourceType") ? resource["resourceType"].dump() : "none";
        throw ProtocolError({{"fhir_not_a_questionnaire", resource.is_object() ? "/resourceType" : "",
                              "not an R4 Questionnaire (resourceType is " + got + ")"}});
    }
    Importer im{resource, limits, {}, {}, {}, {}, {}};
    json pack = im.build();
    if (!im.d.errors.empty()) throw ProtocolError(im.d.errors);

    // The engine's own load checks are the last (cycles, type mismatches), without copying the pack
    // or computing its digest: their paths are turned back into paths in the Questionnaire.
    std::vector<Diagnostic> problems = prescreen::detail::check_protocol(pack, limits);
    if (!problems.empty()) {
        std::vector<std::string> item_path;
        for (const auto& it : im.items)
            if (!it.pack_type.empty() && !it.is_help) item_path.push_back(it.path);
        for (auto& p : problems) {
            if (p.path.rfind("/items/", 0) == 0) {
                std::size_t end = p.path.find('/', 7);
                std::size_t n = std::stoul(p.path.substr(7, end - 7));
                if (n < item_path.size()) {
                    std::string rest = end == std::string::npos ? "" : p.path.substr(end);
                    p.message += " (pack path " + p.path + ")";
                    p.path = item_path[n] + (rest.rfind("/enable_when", 0) == 0 ? "/enableWhen" : "");
                }
            }
        }
        throw ProtocolError(problems);
    }
    return pack;
}

}  // namespace

json import_questionnaire(const json& resource, const Limits& limits) {
    std::vector<Diagnostic> read;
    if (!check_json_value(resource, limits.max_nesting_depth, "", read)) throw ProtocolError(read);
    return import_checked(resource, limits);
}

json import_questionnaire_text(std::string_view text, const Limits& limits) {
    // The reader checks size, nesting and text as it parses: no second walk over the tree.
    std::vector<Diagnostic> read;
    auto parsed = parse_json_document(text, limits.max_document_bytes, limits.max_nesting_depth, read);
    if (!parsed) throw ProtocolError(read);
    return import_checked(*parsed, limits);
}

}  // namespace prescreen::fhir
