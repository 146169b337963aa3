// prescreen._core: consent verification, status, events and the pre-visit record. A record or event
// that cannot even become JSON (NaN, a 2^64 integer, a lone surrogate, deep nesting, duplicate keys
// in text) is an invalid record with a code and a path, never a traceback.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "convert.hpp"
#include "prescreen/prescreen.hpp"
#include "results.hpp"

namespace py = pybind11;
using prescreen::json;
using namespace prescreen::python;

namespace {

// A record given as a result object, JSON text (str/bytes, read by the engine's strict reader) or
// Python objects. On failure returns the problem instead of raising.
std::optional<prescreen::Diagnostic> read_record(py::handle record, json& out) {
    if (py::isinstance<JsonResult>(record)) {
        out = record.cast<const JsonResult&>().value();
        return std::nullopt;
    }
    if (PyUnicode_Check(record.ptr()) || PyBytes_Check(record.ptr())) {
        std::string text;
        if (PyBytes_Check(record.ptr())) {
            text = std::string(py::cast<py::bytes>(record));
        } else {
            Py_ssize_t size = 0;
            const char* data = PyUnicode_AsUTF8AndSize(record.ptr(), &size);
            if (!data) {
                PyErr_Clear();
                return prescreen::Diagnostic{"invalid_text", "", "the text is not valid Unicode (a lone surrogate?)"};
            }
            text.assign(data, static_cast<std::size_t>(size));
        }
        try {
            out = prescreen::read_json(text);
        } catch (const prescreen::UsageError& e) {
            return e.diagnostic();
        }
        return std::nullopt;
    }
    ConversionError error;
    if (!to_json(record.ptr(), out, error)) return error.diagnostic();
    return std::nullopt;
}

json record_or_raise(py::handle record, const char* argument) {
    json out;
    if (auto problem = read_record(record, out))
        throw prescreen::UsageError({problem->code, problem->path, std::string(argument) + ": " + problem->message});
    return out;
}

std::optional<std::string> key_argument(py::handle key) {
    if (key.is_none()) return std::nullopt;
    if (PyUnicode_Check(key.ptr())) return py::cast<std::string>(key);
    if (PyBytes_Check(key.ptr())) return std::string(py::cast<py::bytes>(key));
    throw py::type_error(std::string("seal_key: expected str, bytes or None, got ") + Py_TYPE(key.ptr())->tp_name);
}

std::string instant(py::handle at, const char* argument) {
    if (PyUnicode_Check(at.ptr())) return py::cast<std::string>(at);
    json value;
    ConversionError error;
    if (!at.is_none() && to_json(at.ptr(), value, error) && value.is_string()) return value.get<std::string>();
    throw py::type_error(std::string(argument) + ": expected an ISO date-time string or datetime.datetime, got " +
                         Py_TYPE(at.ptr())->tp_name);
}

std::vector<std::string> id_list(py::handle ids, const char* argument) {
    json list = to_json_or_raise(ids, argument);
    if (!list.is_array()) throw py::type_error(std::string(argument) + ": expected a list of acknowledgement ids");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (!list[i].is_string())
            throw py::type_error(std::string(argument) + "[" + std::to_string(i) + "]: expected str, got " + list[i].type_name());
        out.push_back(list[i].get<std::string>());
    }
    return out;
}

prescreen::ConsentEventRequest event_request(py::handle at, py::handle recorded_by, py::handle reason, py::handle seal_key) {
    prescreen::ConsentEventRequest request;
    if (!at.is_none()) request.at = instant(at, "at");
    request.recorded_by = to_json_or_raise(recorded_by, "recorded_by");
    request.reason = str_argument(reason, "reason");
    request.seal_key = key_argument(seal_key);
    return request;
}

}  // namespace

void register_consent(py::module_& m) {
    m.def(
        "verify_consent",
        [](py::handle record, py::handle seal_key) {
            auto key = key_argument(seal_key);
            json r;
            if (auto problem = read_record(record, r)) {
                if (key) prescreen::verify_consent(json::object(), *key);  // a blank key is still refused
                return ConsentVerification(json{{"valid", false}, {"problems", json::array({problem->to_json()})}});
            }
            return ConsentVerification(prescreen::verify_consent(r, key));
        },
        py::arg("record"), py::arg("seal_key") = py::none(),
        "Recompute a consent record's digest (and seal, given the key); reports every problem. A record that "
        "is not JSON at all is invalid with that problem. An empty or blank key raises UsageError empty_seal_key.");

    m.def(
        "consent_status",
        [](py::handle record, py::handle at, py::handle events, py::handle seal_key) {
            json r = record_or_raise(record, "record");
            std::string when = instant(at, "at");
            std::vector<json> list;
            if (!events.is_none()) {
                std::size_t i = 0;
                for (py::handle item : events) list.push_back(record_or_raise(item, ("events[" + std::to_string(i++) + "]").c_str()));
            }
            return ConsentStatus(prescreen::consent_status(r, when, list, key_argument(seal_key)));
        },
        py::arg("record"), py::arg("at"), py::arg("events") = py::none(), py::kw_only(), py::arg("seal_key") = py::none(),
        "Status of a consent record at a date or date-time: active, expired, withdrawn, superseded, not_yet_signed "
        "or invalid. `events`: withdrawal/supersession events and later records; with `seal_key` only sealed ones count.");

    m.def(
        "withdraw_consent",
        [](py::handle record, py::handle at, py::handle recorded_by, py::handle reason, py::handle seal_key) {
            json r = record_or_raise(record, "record");
            return to_python(prescreen::withdraw_consent(r, event_request(at, recorded_by, reason, seal_key)));
        },
        py::arg("record"), py::kw_only(), py::arg("at"), py::arg("recorded_by"), py::arg("reason") = py::none(),
        py::arg("seal_key") = py::none(), "A withdrawal event for the record (a dict to store with it), sealed given the key.");

    m.def(
        "supersede_consent",
        [](py::handle record, py::handle newer, py::handle at, py::handle recorded_by, py::handle reason, py::handle seal_key) {
            json r = record_or_raise(record, "record");
            json n = record_or_raise(newer, "newer");
            return to_python(prescreen::supersede_consent(r, n, event_request(at, recorded_by, reason, seal_key)));
        },
        py::arg("record"), py::arg("newer"), py::kw_only(), py::arg("at") = py::none(), py::arg("recorded_by"),
        py::arg("reason") = py::none(), py::arg("seal_key") = py::none(),
        "A supersession event: `newer` replaces `record` (from when it was signed unless `at` is given).");

    m.def(
        "verify_consent_event",
        [](py::handle event, py::handle seal_key) {
            auto key = key_argument(seal_key);
            json e;
            if (auto problem = read_record(event, e))
                return ConsentVerification(json{{"valid", false}, {"problems", json::array({problem->to_json()})}});
            return ConsentVerification(prescreen::verify_consent_event(e, key));
        },
        py::arg("event"), py::arg("seal_key") = py::none(), "Verify a withdrawal or supersession event on its own.");

    py::object protocol = m.attr("Protocol");
    protocol.attr("information_record") = py::cpp_function(
        [](const prescreen::Protocol& p, py::handle today, py::handle acknowledged, py::handle information_shown_at,
           py::handle read_at, py::handle patient_reference, py::handle seal_key, py::handle locale) {
            prescreen::Context c;
            c.today = iso_date_argument(today, "today");
            c.locale = str_argument(locale, "locale");
            prescreen::InformationRequest request;
            request.acknowledged = id_list(acknowledged, "acknowledged");
            request.information_shown_at = instant(information_shown_at, "information_shown_at");
            request.read_at = instant(read_at, "read_at");
            request.patient_reference = str_argument(patient_reference, "patient_reference");
            request.seal_key = key_argument(seal_key);
            return ConsentRecord(p.information_record(request, c));
        },
        py::name("information_record"), py::is_method(protocol), py::sibling(py::getattr(protocol, "information_record", py::none())),
        py::kw_only(), py::arg("today"), py::arg("acknowledged"), py::arg("information_shown_at"), py::arg("read_at"),
        py::arg("patient_reference") = py::none(), py::arg("seal_key") = py::none(), py::arg("locale") = py::none(),
        "The pre-visit record of two-step consent: the information was shown and read (pre_visit acknowledgements), "
        "in the language the patient read (`locale`, recorded).");
}
