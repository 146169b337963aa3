// embind surface of the FHIR R4 mapping (prescreen/fhir.hpp): JSON text in, an envelope out,
// {"ok": <resource>} or {"error": {code, path, message, diagnostics}}, as in bindings.cpp, so
// wasm/index.js turns failures into ProtocolError and no C++ exception reaches JavaScript.
//
// A protocol arrives as its document and overrides (JSON text, from Protocol.document/.overrides)
// and is compiled here; the last one is kept, so a page exporting one pack compiles it once.
#include <emscripten/bind.h>

#include <optional>
#include <string>

#include "envelope.hpp"
#include "prescreen/fhir.hpp"

namespace {

using namespace prescreen::wasm;

// Every entry point returns {"ok": <resource>} or the engine's error envelope (envelope.hpp).
template <class Body>
std::string enveloped(Body&& body) {
    return guarded([&] { return ok(body()); });
}

json parse(const std::string& text, const char* what) {
    std::vector<Diagnostic> problems;  // the engine's one strict reader (duplicate keys refused)
    auto value = prescreen::parse_json(text, problems);
    if (!value) throw prescreen::UsageError({problems.front().code, problems.front().path, std::string(what) + ": " + problems.front().message});
    return std::move(*value);
}

const prescreen::Protocol& protocol_of(const std::string& document, const std::string& overrides) {
    static std::string last_document, last_overrides;
    static std::optional<prescreen::Protocol> last;
    if (!last || document != last_document || overrides != last_overrides) {
        last.reset();
        last = prescreen::Protocol::load(document, overrides.empty() ? json::object() : parse(overrides, "overrides"));
        last_document = document;
        last_overrides = overrides;
    }
    return *last;
}

std::string fhir_questionnaire(std::string document, std::string overrides, std::string locale) {
    return enveloped([&] { return prescreen::fhir::questionnaire(protocol_of(document, overrides), locale); });
}

std::string fhir_questionnaire_response(std::string document, std::string overrides, std::string answers,
                                        std::string today, std::string locale) {
    return enveloped([&] {
        return prescreen::fhir::questionnaire_response(protocol_of(document, overrides), parse(answers, "the answers"),
                                                       {today, locale});
    });
}

std::string fhir_answers_from_response(std::string document, std::string overrides, std::string response) {
    return enveloped([&] {
        return prescreen::fhir::answers_from_response(protocol_of(document, overrides), parse(response, "the response"));
    });
}

std::string fhir_import_questionnaire(std::string resource) {
    return enveloped([&] { return prescreen::fhir::import_questionnaire_text(resource); });
}

std::string fhir_consent(std::string record) {
    return enveloped([&] { return prescreen::fhir::consent(parse(record, "the consent record")); });
}

std::string fhir_provenance(std::string record) {
    return enveloped([&] { return prescreen::fhir::provenance(parse(record, "the consent record")); });
}

std::string fhir_risk_assessment(std::string result, std::string subject) {
    return enveloped([&] {
        return prescreen::fhir::risk_assessment(parse(result, "the screening result"),
                                                subject.empty() ? json(nullptr) : parse(subject, "the subject"));
    });
}

}  // namespace

EMSCRIPTEN_BINDINGS(prescreen_fhir) {
    using emscripten::function;
    function("fhirQuestionnaire", &fhir_questionnaire);
    function("fhirQuestionnaireResponse", &fhir_questionnaire_response);
    function("fhirAnswersFromResponse", &fhir_answers_from_response);
    function("fhirImportQuestionnaire", &fhir_import_questionnaire);
    function("fhirConsent", &fhir_consent);
    function("fhirProvenance", &fhir_provenance);
    function("fhirRiskAssessment", &fhir_risk_assessment);
}
