// embind surface of the FHIR R4 mapping (prescreen/fhir.hpp): JSON text in, an envelope out,
// {"ok": <resource>} or {"error": {code, path, message, diagnostics}}, as in bindings.cpp, so
// wasm/index.js turns failures into ProtocolError and no C++ exception reaches JavaScript.
//
// A protocol arrives as its document and overrides (JSON text, from Protocol.document/.overrides)
// and is compiled here; the last one is kept, so a page exporting one pack compiles it once.
#include <emscripten/bind.h>

#include <optional>
#include <string>

#include "prescreen/fhir.hpp"

namespace {

using prescreen::Diagnostic;
using prescreen::json;

std::string envelope_error(const std::string& code, const std::string& path, const std::string& message,
                           const std::vector<Diagnostic>& diagnostics) {
    json list = json::array();
    for (const auto& d : diagnostics) list.push_back(d.to_json());
    json body = {{"code", code}, {"path", path}, {"message", message}, {"diagnostics", std::move(list)}};
    return json{{"error", std::move(body)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

template <class Body>
std::string guarded(Body&& body) {
    try {
        json envelope = json::object();
        envelope["ok"] = body();
        return envelope.dump(-1, ' ', false, json::error_handler_t::replace);
    } catch (const prescreen::ProtocolError& e) {
        const auto& d = e.diagnostics();
        if (d.size() == 1) return envelope_error(d.front().code, d.front().path, e.what(), d);
        return envelope_error("protocol_error", d.empty() ? "" : d.front().path, e.what(), d);
    } catch (const prescreen::UsageError& e) {
        return envelope_error(e.diagnostic().code, e.diagnostic().path, e.diagnostic().message, {e.diagnostic()});
    } catch (const std::bad_alloc&) {
        return envelope_error("out_of_memory", "", "the engine ran out of memory", {});
    } catch (const std::exception& e) {
        return envelope_error("internal_error", "", std::string("unexpected engine error: ") + e.what(), {});
    } catch (...) {
        return envelope_error("internal_error", "", "unexpected engine error", {});
    }
}

json parse(const std::string& text, const char* what) {
    json value = json::parse(text, nullptr, false);
    if (value.is_discarded()) throw prescreen::UsageError({"malformed_json", "", std::string(what) + " is not valid JSON"});
    return value;
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
    return guarded([&] { return prescreen::fhir::questionnaire(protocol_of(document, overrides), locale); });
}

std::string fhir_questionnaire_response(std::string document, std::string overrides, std::string answers,
                                        std::string today, std::string locale) {
    return guarded([&] {
        return prescreen::fhir::questionnaire_response(protocol_of(document, overrides), parse(answers, "the answers"),
                                                       {today, locale});
    });
}

std::string fhir_answers_from_response(std::string document, std::string overrides, std::string response) {
    return guarded([&] {
        return prescreen::fhir::answers_from_response(protocol_of(document, overrides), parse(response, "the response"));
    });
}

std::string fhir_import_questionnaire(std::string resource) {
    return guarded([&] { return prescreen::fhir::import_questionnaire_text(resource); });
}

std::string fhir_consent(std::string record) {
    return guarded([&] { return prescreen::fhir::consent(parse(record, "the consent record")); });
}

std::string fhir_provenance(std::string record) {
    return guarded([&] { return prescreen::fhir::provenance(parse(record, "the consent record")); });
}

std::string fhir_risk_assessment(std::string result, std::string subject) {
    return guarded([&] {
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
