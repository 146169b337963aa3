// A pack as an R4 Questionnaire (docs/fhir.md, "Questionnaire export").
#include "fhir/enable_when.hpp"
#include "fhir/pack_view.hpp"

namespace prescreen::fhir {

using namespace detail;

namespace {

const json* member(const json* obj, const char* key) {
    if (!obj || !obj->is_object()) return nullptr;
    auto it = obj->find(key);
    return it == obj->end() ? nullptr : &*it;
}

// The JsonLogic a node imposes on its children: an item's enable_when, or an imported page's.
const json* node_logic(const PackView& v, const Node& node) {
    if (node.item >= 0) return member(v.items[node.item].def, "enable_when");
    const std::string page_id = v.doc->at("pages")[node.page].value("id", "");
    return member(member(member(v.fhir, "pages"), page_id.c_str()), "enable_when");
}

void put_condition(const PackView& v, json& out, const json* logic, const json* parent_logic) {
    if (!logic) return;
    json own = own_condition(*logic, parent_logic);
    if (own.is_null() || own == true) return;
    json conditions;
    std::string behavior;
    if (enable_when_of(v, own, conditions, behavior)) {
        out["enableWhen"] = std::move(conditions);
        if (!behavior.empty()) out["enableBehavior"] = behavior;
    } else {
        out["extension"].push_back({{"url", kEnableWhenJsonLogic}, {"valueString", own.dump()}});
    }
}

json item_of(const PackView& v, const PackItem& it, std::size_t locale, const json* parent_logic) {
    const json& def = *it.def;
    json out = json::object();
    out["linkId"] = it.link_id;
    for (const char* kept : {"definition", "code", "prefix"})
        if (const json* k = member(it.fhir, kept)) out[kept] = *k;
    const json* untitled = member(it.fhir, "untitled");
    if (auto text = def.find("text"); text != def.end() && !(untitled && *untitled == true))
        put_text(out, "text", *text, v.locales, locale);
    out["type"] = it.r4_type;
    out["extension"] = json::array();
    put_condition(v, out, member(&def, "enable_when"), parent_logic);
    if (def.value("required", false)) out["required"] = true;
    if (it.type == "multi-choice") out["repeats"] = true;
    if (const json* ro = member(it.fhir, "read_only"); ro && *ro == true) out["readOnly"] = true;
    if (auto ml = def.find("max_length"); ml != def.end()) out["maxLength"] = *ml;
    if (it.type == "choice" || it.type == "multi-choice") {
        if (const json* vs = member(it.fhir, "answer_value_set"); vs && vs->is_string()) {
            out["answerValueSet"] = *vs;
        } else {
            json options = json::array();
            const json* stored = member(it.fhir, "options");
            for (const auto& o : def.at("options")) {
                const std::string value = o.value("value", "");
                if (const json* s = member(stored, value.c_str()); s && s->is_object()) options.push_back(*s);
                else options.push_back(v.option_value(it, o, locale));
            }
            out["answerOption"] = std::move(options);
        }
    } else if (const json* vs = member(it.fhir, "answer_value_set"); vs && vs->is_string()) {
        out["answerValueSet"] = *vs;
    }
    if (const json* initial = member(it.fhir, "initial"); initial && initial->is_array()) out["initial"] = *initial;
    const char* number_key = it.type == "integer" ? "valueInteger" : "valueDecimal";
    if (auto m = def.find("min"); m != def.end()) out["extension"].push_back({{"url", kMinValue}, {number_key, *m}});
    if (auto m = def.find("max"); m != def.end()) out["extension"].push_back({{"url", kMaxValue}, {number_key, *m}});
    if (auto m = def.find("min_date"); m != def.end()) out["extension"].push_back({{"url", kMinValue}, {"valueDate", *m}});
    if (def.value("not_future", false)) out["extension"].push_back({{"url", kNotFuture}, {"valueBoolean", true}});
    if (const json* ext = member(it.fhir, "extension"); ext && ext->is_array())
        for (const auto& e : *ext) out["extension"].push_back(e);
    if (out["extension"].empty()) out.erase("extension");
    // Help text: a display child with itemControl "help" (the SDC convention).
    if (auto help = def.find("help"); help != def.end()) {
        json h = {{"linkId", it.link_id + "-help"}, {"type", "display"}};
        put_text(h, "text", *help, v.locales, locale);
        h["extension"] = json::array({{{"url", kItemControl},
                                       {"valueCodeableConcept",
                                        {{"coding", json::array({{{"system", kItemControlSystem}, {"code", "help"}}})}}}}});
        out["item"].push_back(std::move(h));
    }
    return out;
}

}  // namespace

std::string questionnaire_url(const Protocol& protocol) {
    const json* fhir = member(&protocol.document(), "fhir");
    if (const json* url = member(fhir, "url"); url && url->is_string() && !url->get_ref<const std::string&>().empty())
        return url->get<std::string>();
    return std::string(kProtocolSystem) + ":" + protocol.id();
}

json questionnaire(const Protocol& protocol, std::string_view locale_name) {
    PackView v = view_of(protocol);
    const std::size_t locale = locale_name.empty() ? 0 : v.locale_index(locale_name);

    // Children are always created after their parent, so building from the last node backwards
    // finishes every child before its parent needs it (no recursion, however deep the nesting).
    std::vector<int> parent(v.nodes.size(), -1);
    for (std::size_t n = 0; n < v.nodes.size(); ++n)
        for (int c : v.nodes[n].children) parent[c] = static_cast<int>(n);
    std::vector<json> built(v.nodes.size());
    for (std::size_t k = v.nodes.size(); k-- > 0;) {
        const Node& node = v.nodes[k];
        const json* parent_logic = parent[k] >= 0 ? node_logic(v, v.nodes[parent[k]]) : nullptr;
        json out;
        if (node.item >= 0) {
            out = item_of(v, v.items[node.item], locale, parent_logic);
        } else {
            const json& page = v.doc->at("pages")[node.page];
            out = {{"linkId", node.link_id}};
            if (auto t = page.find("title"); t != page.end()) put_text(out, "text", *t, v.locales, locale);
            out["type"] = "group";
            out["extension"] = json::array();
            put_condition(v, out, node_logic(v, node), nullptr);
            if (out["extension"].empty()) out.erase("extension");
        }
        for (int c : node.children) out["item"].push_back(std::move(built[c]));
        // An item that became a group but lost its children in an edit is written as display text.
        if (out["type"] == "group" && !out.contains("item")) out["type"] = "display";
        built[k] = std::move(out);
    }

    const json& doc = *v.doc;
    const json* resource = member(v.fhir, "resource");
    json q = resource && resource->is_object() ? *resource : json::object();
    q.erase("item");
    q["resourceType"] = "Questionnaire";
    if (!q.contains("id")) q["id"] = resource_id(protocol.id());
    q["url"] = questionnaire_url(protocol);
    q["version"] = protocol.version();
    json identifiers = json::array();
    if (auto ids = q.find("identifier"); ids != q.end() && ids->is_array())
        for (const auto& i : *ids)
            if (i.value("system", "") != kProtocolSystem && i.value("system", "") != kDigestSystem) identifiers.push_back(i);
    identifiers.push_back({{"system", kProtocolSystem}, {"value", protocol.id()}});
    identifiers.push_back({{"system", kDigestSystem}, {"value", protocol.digest()}});
    q["identifier"] = std::move(identifiers);
    if (!q.contains("status")) q["status"] = "active";
    put_text(q, "title", doc.at("title"), v.locales, locale);
    q["language"] = v.locales.empty() ? std::string("en") : v.locales[locale];
    json items = json::array();
    for (int r : v.roots) items.push_back(std::move(built[r]));
    q["item"] = std::move(items);
    return q;
}

}  // namespace prescreen::fhir
