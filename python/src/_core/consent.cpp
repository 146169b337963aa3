// prescreen._core: consent records, their verification, status and events, and the pre-visit
// record. A record or event that cannot even become JSON (NaN, a 2^64 integer, a lone surrogate,
// deep nesting, duplicate keys in text) is an invalid record with a code and a path, never a traceback.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "convert.hpp"
#include "prescreen/prescreen.hpp"
#include "results.hpp"

namespace py = pybind11;
using prescreen::json;
using namespace prescreen::python;

namespace {

// Answers for the consent calls: any JSON value (the engine reports one that is not an object).
json answers_argument(const prescreen::Protocol& p, py::handle answers) {
    std::size_t bytes_left = 0;
    return to_json_or_raise(answers, "answers", answer_options(p, bytes_left));
}

// The locale goes to the engine as given: it refuses one the pack lacks (unknown_locale, /locale).
prescreen::Context context_of(py::handle today, py::handle locale) {
    return {iso_date_argument(today, "today"), str_argument(locale, "locale")};
}

// verify_consent and verify_consent_event: a record that is not JSON at all is invalid with that problem.
template <class Verify>
ConsentVerification verification(py::handle record, py::handle seal_key, Verify&& verify, bool refuse_blank_key) {
    const auto key = key_argument(seal_key);
    json r;
    prescreen::Diagnostic problem;
    if (read_json_value(record, r, problem, "record")) return ConsentVerification(verify(r, key));
    if (key && refuse_blank_key) verify(json::object(), key);  // a blank key is still refused
    return ConsentVerification(json{{"valid", false}, {"problems", json::array({problem.to_json()})}});
}

prescreen::ConsentEventRequest event_request(py::handle at, py::handle recorded_by, py::handle reason, py::handle seal_key) {
    return {at.is_none() ? std::string() : instant_argument(at, "at"), to_json_or_raise(recorded_by, "recorded_by"),
            str_argument(reason, "reason"), key_argument(seal_key)};
}

}  // namespace

void register_consent(py::module_& m, py::class_<prescreen::Protocol>& protocol) {
    protocol.def(
        "consent",
        [](const prescreen::Protocol& p, py::handle answers, py::handle today, py::handle acknowledged, py::handle signature,
           py::handle signed_at, py::handle information_shown_at, py::handle patient_reference, py::handle practitioner_override,
           py::handle seal_key, py::handle locale, py::handle countersignature, py::handle information_record, py::handle procedure) {
            const json a = answers_argument(p, answers);
            const prescreen::Context c = context_of(today, locale);
            prescreen::ConsentRequest request;
            request.acknowledged = ids_argument(acknowledged, "acknowledged");
            request.signature = to_json_or_raise(signature, "signature");
            if (!request.signature.is_object()) throw py::type_error("signature: expected a mapping like {'name': ..., 'role': 'patient'}");
            request.signed_at = instant_argument(signed_at, "signed_at");
            request.information_shown_at = instant_argument(information_shown_at, "information_shown_at");
            request.patient_reference = str_argument(patient_reference, "patient_reference");
            request.practitioner_override = to_json_or_raise(practitioner_override, "practitioner_override");
            if (!request.practitioner_override.is_null() && !request.practitioner_override.is_object() && !request.practitioner_override.is_array())
                throw py::type_error("practitioner_override: expected None, a mapping {'finding': ..., 'name': ..., ...} or a list of them");
            request.seal_key = key_argument(seal_key);
            request.countersignature = to_json_or_raise(countersignature, "countersignature");
            if (!information_record.is_none()) request.information_record = json_argument(information_record, "information_record");
            request.procedure = to_json_or_raise(procedure, "procedure");
            py::gil_scoped_release release;
            return ConsentRecord(p.consent(a, request, c));
        },
        py::arg("answers"), py::kw_only(), py::arg("today"), py::arg("acknowledged"), py::arg("signature"), py::arg("signed_at"),
        py::arg("information_shown_at"), py::arg("patient_reference") = py::none(), py::arg("practitioner_override") = py::none(),
        py::arg("seal_key") = py::none(), py::arg("locale") = py::none(), py::arg("countersignature") = py::none(),
        py::arg("information_record") = py::none(), py::arg("procedure") = py::none(),
        "Screen again and return the canonical consent record; UsageError (a ValueError) with code "
        "consent_not_permitted when the outcome does not permit consent.");
    protocol.def(
        "consent_document",
        [](const prescreen::Protocol& p, py::handle answers, py::handle today, py::handle locale) {
            const json a = answers_argument(p, answers);
            const prescreen::Context c = context_of(today, locale);
            json r;
            {
                py::gil_scoped_release release;
                r = p.consent_document(a, c);
            }
            return to_python(r);
        },
        py::arg("answers"), py::kw_only(), py::arg("today"), py::arg("locale") = py::none(),
        "The consent document for this patient: texts in the locale and only the acknowledgements that "
        "apply to this screening, each with its stage and whether it is required (docs/consent.md).");
    protocol.def(
        "information_record",
        [](const prescreen::Protocol& p, py::handle today, py::handle acknowledged, py::handle information_shown_at,
           py::handle read_at, py::handle patient_reference, py::handle seal_key, py::handle locale) {
            const prescreen::Context c = context_of(today, locale);
            return ConsentRecord(p.information_record({ids_argument(acknowledged, "acknowledged"),
                                                       instant_argument(information_shown_at, "information_shown_at"),
                                                       instant_argument(read_at, "read_at"),
                                                       str_argument(patient_reference, "patient_reference"), key_argument(seal_key)},
                                                      c));
        },
        py::kw_only(), py::arg("today"), py::arg("acknowledged"), py::arg("information_shown_at"), py::arg("read_at"),
        py::arg("patient_reference") = py::none(), py::arg("seal_key") = py::none(), py::arg("locale") = py::none(),
        "The pre-visit record of two-step consent: the information was shown and read (pre_visit acknowledgements), "
        "in the language the patient read (`locale`, recorded).");

    m.def(
        "verify_consent",
        [](py::handle record, py::handle seal_key) {
            return verification(record, seal_key, [](const json& r, const auto& key) { return prescreen::verify_consent(r, key); }, true);
        },
        py::arg("record"), py::arg("seal_key") = py::none(),
        "Recompute a consent record's digest (and seal, given the key); reports every problem. A record that "
        "is not JSON at all is invalid with that problem. An empty or blank key raises UsageError empty_seal_key.");
    m.def(
        "verify_consent_event",
        [](py::handle event, py::handle seal_key) {
            return verification(event, seal_key, [](const json& e, const auto& key) { return prescreen::verify_consent_event(e, key); }, false);
        },
        py::arg("event"), py::arg("seal_key") = py::none(), "Verify a withdrawal or supersession event on its own.");
    m.def(
        "consent_status",
        [](py::handle record, py::handle at, py::handle events, py::handle seal_key) {
            const json r = json_argument(record, "record");
            const std::string when = instant_argument(at, "at");
            std::vector<json> list;
            if (!events.is_none())
                for (py::handle item : events) list.push_back(json_argument(item, "events[" + std::to_string(list.size()) + "]"));
            return ConsentStatus(prescreen::consent_status(r, when, list, key_argument(seal_key)));
        },
        py::arg("record"), py::arg("at"), py::arg("events") = py::none(), py::kw_only(), py::arg("seal_key") = py::none(),
        "Status of a consent record at a date or date-time: active, expired, withdrawn, superseded, not_yet_signed "
        "or invalid. `events`: withdrawal/supersession events and later records; with `seal_key` only sealed ones count.");
    m.def(
        "withdraw_consent",
        [](py::handle record, py::handle at, py::handle recorded_by, py::handle reason, py::handle seal_key) {
            return to_python(prescreen::withdraw_consent(json_argument(record, "record"), event_request(at, recorded_by, reason, seal_key)));
        },
        py::arg("record"), py::kw_only(), py::arg("at"), py::arg("recorded_by"), py::arg("reason") = py::none(),
        py::arg("seal_key") = py::none(), "A withdrawal event for the record (a dict to store with it), sealed given the key.");
    m.def(
        "supersede_consent",
        [](py::handle record, py::handle newer, py::handle at, py::handle recorded_by, py::handle reason, py::handle seal_key) {
            const json r = json_argument(record, "record"), n = json_argument(newer, "newer");
            return to_python(prescreen::supersede_consent(r, n, event_request(at, recorded_by, reason, seal_key)));
        },
        py::arg("record"), py::arg("newer"), py::kw_only(), py::arg("at") = py::none(), py::arg("recorded_by"),
        py::arg("reason") = py::none(), py::arg("seal_key") = py::none(),
        "A supersession event: `newer` replaces `record` (from when it was signed unless `at` is given).");
}
