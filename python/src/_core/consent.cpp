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
    return to_json_or_raise(answers, "answers", answer_options(p));
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
    // consent() and information_record() check their Python arguments in prescreen/_consent.py and
    // give the request as one object, read by the engine as the WebAssembly package's is.
    protocol.def(
        "_consent",
        [](const prescreen::Protocol& p, py::handle answers, py::handle request, py::handle today, py::handle locale, py::handle seal_key,
           py::handle information_record) {
            const json a = answers_argument(p, answers);
            const prescreen::Context c = context_of(today, locale);
            prescreen::ConsentRequest r = prescreen::consent_request_from_json(to_json_or_raise(request, "request"));
            r.seal_key = key_argument(seal_key);
            // A result, JSON text or a dict: read as every JSON argument is.
            if (!information_record.is_none()) r.information_record = json_argument(information_record, "information_record");
            py::gil_scoped_release release;
            return ConsentRecord(p.consent(a, r, c));
        },
        py::arg("answers"), py::arg("request"), py::kw_only(), py::arg("today"), py::arg("locale"), py::arg("seal_key"),
        py::arg("information_record"));
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
        "_information_record",
        [](const prescreen::Protocol& p, py::handle request, py::handle today, py::handle locale, py::handle seal_key) {
            const prescreen::Context c = context_of(today, locale);
            prescreen::InformationRequest r = prescreen::information_request_from_json(to_json_or_raise(request, "request"));
            r.seal_key = key_argument(seal_key);
            return ConsentRecord(p.information_record(r, c));
        },
        py::arg("request"), py::kw_only(), py::arg("today"), py::arg("locale"), py::arg("seal_key"));

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
