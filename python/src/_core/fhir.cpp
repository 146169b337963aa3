// prescreen._core FHIR functions: thin wrappers over the public prescreen/fhir.hpp. JSON text in and
// out (prescreen.fhir converts to and from dicts), so every runtime returns the core's JSON.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <vector>

#include "prescreen/fhir.hpp"

namespace py = pybind11;
using prescreen::json;

void register_fhir(py::module_& m) {
    m.def(
        "fhir_questionnaire",
        [](const prescreen::Protocol& p, const std::string& locale) { return prescreen::fhir::questionnaire(p, locale).dump(); },
        py::arg("protocol"), py::arg("locale") = "", "The pack as an R4 Questionnaire (JSON text).");
    m.def(
        "fhir_questionnaire_response",
        [](const prescreen::Protocol& p, const std::string& answers, const std::string& today, const std::string& locale) {
            return prescreen::fhir::questionnaire_response(p, prescreen::read_json(answers), {today, locale}).dump();
        },
        py::arg("protocol"), py::arg("answers"), py::arg("today"), py::arg("locale") = "",
        "Answers (JSON text) as an R4 QuestionnaireResponse holding only answers to enabled items (JSON text).");
    m.def(
        "fhir_answers_from_response",
        [](const prescreen::Protocol& p, const std::string& response) {
            return prescreen::fhir::answers_from_response(p, prescreen::read_json(response)).dump();
        },
        py::arg("protocol"), py::arg("response"), "A QuestionnaireResponse (JSON text) as {answers, issues} (JSON text).");
    m.def(
        "fhir_import_questionnaire",
        [](const std::string& resource) {
            json pack;
            {
                py::gil_scoped_release release;
                pack = prescreen::fhir::import_questionnaire_text(resource);
            }
            return pack.dump();
        },
        py::arg("resource"), "An R4 Questionnaire (JSON text) as a pack document (JSON text). Raises ProtocolError.");
    m.def(
        "fhir_consent", [](const std::string& record) { return prescreen::fhir::consent(prescreen::read_json(record)).dump(); },
        py::arg("record"), "A consent record (JSON text) as an R4 Consent (JSON text).");
    m.def(
        "fhir_consent_at",
        [](const std::string& record, const std::string& at, const std::string& events, std::optional<std::string> seal_key) {
            const json list = prescreen::read_json(events);
            if (!list.is_array()) throw py::value_error("events: a list of consent events and later records");
            std::vector<json> items(list.begin(), list.end());
            std::optional<std::string_view> key;
            if (seal_key) key = *seal_key;
            return prescreen::fhir::consent(prescreen::read_json(record), at, items, key).dump();
        },
        py::arg("record"), py::arg("at"), py::arg("events"), py::arg("seal_key") = py::none(),
        "A consent record (JSON text) as an R4 Consent whose status comes from its events at `at` (JSON text).");
    m.def(
        "fhir_provenance", [](const std::string& record) { return prescreen::fhir::provenance(prescreen::read_json(record)).dump(); },
        py::arg("record"), "A consent record (JSON text) as an R4 Provenance (JSON text).");
    m.def(
        "fhir_risk_assessment",
        [](const std::string& result, const std::string& subject) {
            return prescreen::fhir::risk_assessment(prescreen::read_json(result), subject.empty() ? json(nullptr) : prescreen::read_json(subject)).dump();
        },
        py::arg("result"), py::arg("subject") = "", "A screening result (JSON text) as an R4 RiskAssessment (JSON text).");
}
