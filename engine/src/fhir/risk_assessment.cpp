// A screening result as an R4 RiskAssessment (docs/fhir.md, "RiskAssessment"): the outcome of the
// whole screening and one prediction per finding, naming its rule and sources.
#include "fhir/pack_view.hpp"

namespace prescreen::fhir {

using namespace detail;

namespace {
constexpr const char* kOutcomeSystem = "urn:prescreen:outcome";
constexpr const char* kRuleSystem = "urn:prescreen:rule";
constexpr const char* kOutcomeExtension = "urn:prescreen:fhir:screening-outcome";
constexpr const char* kDeferUntilExtension = "urn:prescreen:fhir:defer-until";

std::string str(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

json risk_assessment(const json& result, const json& subject) {
    if (!result.is_object() || !result.contains("outcome") || !result.contains("protocol") || !result["protocol"].is_object())
        throw ProtocolError({{"not_a_result", "", "not a screening result (it needs \"outcome\" and \"protocol\")"}});
    const json& protocol = result["protocol"];
    const std::string outcome = str(result, "outcome");
    json ra = {
        {"resourceType", "RiskAssessment"},
        {"status", "final"},
        {"subject", subject.is_object() ? subject : json{{"display", "patient"}}},
        {"method", {{"coding", json::array({{{"system", kProtocolSystem}, {"code", str(protocol, "id")},
                                             {"version", str(protocol, "version")}}})},
                    {"text", "prescreen protocol " + str(protocol, "id") + " " + str(protocol, "version") + " (digest " +
                                 str(protocol, "digest") + ")"}}},
        {"code", {{"coding", json::array({{{"system", kOutcomeSystem}, {"code", outcome}}})},
                  {"text", "Contraindication screening before treatment: " + outcome}}},
        {"extension", json::array({{{"url", kOutcomeExtension}, {"valueCode", outcome}}})},
    };
    if (result.contains("today") && result["today"].is_string()) ra["occurrenceDateTime"] = result["today"];
    if (result.contains("defer_until") && result["defer_until"].is_string())
        ra["extension"].push_back({{"url", kDeferUntilExtension}, {"valueDate", result["defer_until"]}});
    json predictions = json::array();
    for (const auto& f : result.value("findings", json::array())) {
        if (!f.is_object()) continue;
        json prediction = {
            {"outcome", {{"coding", json::array({{{"system", kRuleSystem}, {"code", str(f, "rule")}},
                                                 {{"system", kOutcomeSystem}, {"code", str(f, "outcome")}}})},
                         {"text", str(f, "message")}}}};
        std::string rationale = str(f, "clinician_note");
        std::string sources;
        for (const auto& s : f.value("sources", json::array()))
            if (s.is_string()) {
                if (!sources.empty()) sources += ", ";
                sources += s.get_ref<const std::string&>();
            }
        // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
        if (!sources.empty()) {
            if (!rationale.empty()) rationale += ' ';
            rationale.append("Sources: ").append(sources).append(".");
        }
        if (!rationale.empty()) prediction["rationale"] = rationale;
        if (f.contains("defer_until") && f["defer_until"].is_string()) {
            json period = {{"end", f["defer_until"]}};
            if (result.contains("today") && result["today"].is_string()) period["start"] = result["today"];
            prediction["whenPeriod"] = std::move(period);
        }
        predictions.push_back(std::move(prediction));
    }
    if (!predictions.empty()) ra["prediction"] = std::move(predictions);
    json notes = json::array();
    for (const auto& id : result.value("missing_required", json::array()))
        if (id.is_string()) notes.push_back({{"text", "Required answer missing: " + id.get<std::string>()}});
    if (!notes.empty()) ra["note"] = std::move(notes);
    return ra;
}

}  // namespace prescreen::fhir
