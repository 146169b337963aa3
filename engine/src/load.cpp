// Loading a protocol pack: validate everything, report every problem at once, then compile. One
// step per section of the pack (load/*.cpp), in the order their references need.
#include <algorithm>

#include "json_input.hpp"
#include "load/pack_load.hpp"
#include "protocol_model.hpp"

namespace prescreen {

namespace detail {

std::optional<std::size_t> CompiledProtocol::find_locale(std::string_view locale) const {
    for (std::size_t i = 0; i < locales.size(); ++i)
        if (locales[i] == locale) return i;
    // "en" matches "en-GB": fall back on the language alone.
    auto language = locale.substr(0, locale.find('-'));
    for (std::size_t i = 0; i < locales.size(); ++i)
        if (!language.empty() && std::string_view(locales[i]).substr(0, locales[i].find('-')) == language) return i;
    return std::nullopt;
}

std::size_t CompiledProtocol::locale_index(std::string_view locale) const { return find_locale(locale).value_or(0); }

bool CompiledProtocol::permits(Outcome outcome) const {
    return std::find(permitted_outcomes.begin(), permitted_outcomes.end(), outcome) != permitted_outcomes.end();
}

namespace {

// What the decision and the renderer need prepared once the pack is known to be valid.
void prepare(CompiledProtocol& p) {
    for (auto& param : p.parameters) param.value_text = param.value.dump();
    for (auto& rule : p.rules) {
        // Trace keys in the order a JSON object writes them.
        rule.trace_items_by_id = rule.trace_items;
        std::sort(rule.trace_items_by_id.begin(), rule.trace_items_by_id.end(),
                  [&](int a, int b) { return p.items[a].id < p.items[b].id; });
        rule.trace_parameters_by_name = rule.trace_parameters;
        std::sort(rule.trace_parameters_by_name.begin(), rule.trace_parameters_by_name.end(),
                  [&](int a, int b) { return p.parameters[a].name < p.parameters[b].name; });
    }
    for (int slot : p.visibility_order)
        if (p.items[slot].enable_when) p.conditional_order.push_back(slot);
    for (std::size_t slot = 0; slot < p.items.size(); ++slot)
        if (p.items[slot].required && p.items[slot].type != expr::ItemType::Display)
            p.required_slots.push_back(static_cast<int>(slot));
    p.identity_json = p.identity();
    p.identity_text = p.identity_json.dump();
    prepare_result_text(p);
}

}  // namespace

namespace {

// Every step of a load, into `p` (whose document holds the pack). `for_use`: also what only a pack
// in use needs (its digest). False when a step added a diagnostic.
bool run_load(CompiledProtocol& p, const json& overrides, const Limits& limits, std::vector<Diagnostic>& diags,
              const json& translations, bool for_use) {
    const std::size_t errors_before = diags.size();
    const json& doc = p.document;
    p.limits = limits;
    Loader L(limits, diags);
    if (!check_json_value(doc, limits.max_nesting_depth, "", diags)) return false;
    if (!L.object(doc, "", {"format", "id", "version", "title", "locales", "pages", "items", "rules"},
                  {"policy", "parameters", "aftercare", "course", "consent", "sources", "fhir", "logic", "translations"}, "the protocol"))
        return false;
    PackLoad pack{doc, overrides, limits, L, p, {}, {}, {}};
    pack.translations = &translations;
    pack.for_use = for_use;
    load_identity(pack);  // locales first: every text is checked against them
    load_sources(pack);
    load_pages(pack);
    load_parameters(pack);
    load_items(pack);
    order_visibility(pack);
    load_rules(pack);
    load_aftercare(pack);
    load_course(pack);
    const auto acknowledgement_when = check_consent_section(pack);
    p.consent = compile_consent_document(p, doc, acknowledgement_when, diags);  // consent_document.cpp
    finish_translations(pack);
    return diags.size() == errors_before;
}

}  // namespace

std::shared_ptr<const CompiledProtocol> compile_protocol(json document, const json& overrides, const Limits& limits,
                                                         std::vector<Diagnostic>& diags, const json& translations) {
    auto p = std::make_shared<CompiledProtocol>();
    // The pack as loaded, kept once; every step reads it from here (translations replace it last).
    p->document = std::move(document);
    if (!run_load(*p, overrides, limits, diags, translations, true)) return nullptr;
    prepare(*p);
    return p;
}

std::vector<Diagnostic> check_protocol(json& document, const Limits& limits) {
    std::vector<Diagnostic> diags;
    CompiledProtocol p;
    p.document = std::move(document);  // moved, not copied: nodes keep their addresses
    run_load(p, json::object(), limits, diags, json(), false);
    document = std::move(p.document);  // what p points into is destroyed with p, unread
    return diags;
}

}  // namespace detail
}  // namespace prescreen
