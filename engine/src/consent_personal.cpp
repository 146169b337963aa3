// The consent document for one patient (CONTRAINDICATIONS-v2 §6; Montgomery: the risks a person in
// this patient's position would find significant). An acknowledgement's `when` says to whom it
// applies: a finding-specific risk (keloid, PIH, anticoagulant, ...) is shown, and required, only
// when its finding fired; consent() applies the same rule at signing (docs/consent.md).
#include <set>

#include "consent_with_override.hpp"
#include "protocol_internal.hpp"
#include "protocol_model.hpp"

namespace prescreen {

namespace detail {

std::vector<char> applicable_acknowledgements(const CompiledProtocol& p, const AnswerSet& a, const Decision& d,
                                              std::string_view today) {
    const ConsentDocument& doc = *p.consent;
    std::vector<char> applies(doc.acknowledgements.size(), 1);
    // What aftercare conditions read (decide.cpp): answers, fired rules, the outcome.
    const expr::Frame frame = result_frame(p, a, d, today);
    for (std::size_t i = 0; i < doc.acknowledgements.size(); ++i) {
        const ConsentAcknowledgement& ack = doc.acknowledgements[i];
        if (!ack.when) continue;
        try {
            applies[i] = expr::evaluate_truthy(*ack.when, frame);
        } catch (const expr::EvalError& e) {
            throw ProtocolError({{e.code, "/consent/acknowledgements/" + std::to_string(ack.index) + "/when", e.message}});
        }
    }
    return applies;
}

bool applies_with_override_only(const CompiledProtocol& p, const ConsentAcknowledgement& ack) {
    // The one flag read from the pack's JSON at call time (a boolean, checked at load).
    const json& def = p.document.at("consent").at("acknowledgements").at(ack.index);
    auto it = def.find("with_override");
    return it != def.end() && it->is_boolean() && it->get<bool>();
}

bool override_possible(const CompiledProtocol& p, const Decision& d) {
    for (std::size_t r = 0; r < p.rules.size(); ++r)
        if (d.fired[r] && p.rules[r].override_policy.allowed) return true;
    return false;
}

std::size_t consent_locale(const CompiledProtocol& p, const Context& context) {
    if (context.locale.empty()) return 0;
    if (auto l = p.find_locale(context.locale)) return *l;
    std::string known;
    for (const auto& l : p.locales) known += (known.empty() ? "" : ", ") + l;
    throw UsageError({"unknown_locale", "/locale",
                      "the consent document has no texts in \"" + context.locale + "\" (it has " + known +
                          "): a record must name the language the patient read"});
}

}  // namespace detail

json Protocol::consent_document(const json& answers, const Context& context) const {
    const detail::CompiledProtocol& p = *impl_;
    const Date today = detail::require_today(context);
    if (!p.has_consent || !p.consent)
        throw UsageError({"no_consent_document", "/consent", "this protocol has no consent document"});
    const detail::ConsentDocument& doc = *p.consent;
    const std::string& locale = p.locales[detail::consent_locale(p, context)];

    detail::AnswerSet a = detail::read_answers(p, answers, today);
    detail::Decision d;
    detail::decide(p, a, today, context.today, d);
    std::vector<char> applies = detail::applicable_acknowledgements(p, a, d, context.today);
    const bool may_override = detail::override_possible(p, d);
    for (std::size_t i = 0; i < doc.acknowledgements.size(); ++i)
        if (applies[i] && !may_override && detail::applies_with_override_only(p, doc.acknowledgements[i])) applies[i] = 0;

    const json& c = p.document.at("consent");
    const json& defs = c.at("acknowledgements");
    json acknowledgements = json::array();
    std::set<std::string> sections_shown, sections_with_acknowledgements;
    for (std::size_t i = 0; i < doc.acknowledgements.size(); ++i) {
        const detail::ConsentAcknowledgement& ack = doc.acknowledgements[i];
        const json& def = defs[ack.index];
        const std::string section = def.value("section", "");
        sections_with_acknowledgements.insert(section);
        if (!applies[i]) continue;
        sections_shown.insert(section);
        acknowledgements.push_back({{"id", ack.id},
                                    {"section", section.empty() ? json(nullptr) : json(section)},
                                    {"stage", ack.pre_visit ? "pre_visit" : "consultation"},
                                    {"required", ack.required},
                                    {"material_risk", def.value("material_risk", false)},
                                    {"text", detail::localized(def["text"], locale)},
                                    {"sources", def.value("sources", json::array())}});
    }
    // A section that only introduces acknowledgements none of which applies ("Risks that apply to
    // you in particular" for a patient with no such finding) is left out.
    json sections = json::array();
    for (const json& s : c.at("sections")) {
        const std::string id = s.value("id", "");
        if (sections_with_acknowledgements.count(id) && !sections_shown.count(id)) continue;
        sections.push_back(detail::localized(s, locale));
    }
    json findings = json::array();
    for (std::size_t r = 0; r < p.rules.size(); ++r)
        if (d.fired[r]) findings.push_back(p.rules[r].id);
    return json{{"protocol", p.identity()},
                {"document", {{"version", doc.version}, {"digest", p.consent_digest}}},
                {"locale", locale},
                {"title", detail::localized(c.at("title"), locale)},
                {"intro", c.contains("intro") ? detail::localized(c.at("intro"), locale) : json(nullptr)},
                {"sections", std::move(sections)},
                {"acknowledgements", std::move(acknowledgements)},
                {"outcome", outcome_name(d.outcome)},
                {"consent_permitted", p.permits(d.outcome)},
                {"findings", std::move(findings)}};
}

}  // namespace prescreen
