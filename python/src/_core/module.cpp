// prescreen._core: the pybind11 surface over the C++ engine. Everything clinical (rules, dates,
// digests) is computed by the engine; this file only converts arguments and results.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "batch.hpp"
#include "convert.hpp"
#include "prescreen/logic.hpp"
#include "prescreen/prescreen.hpp"
#include "prescreen/screening.hpp"
#include "results.hpp"
#include "table_columns.hpp"  // register_table_columns

void register_consent(pybind11::module_& m);  // consent.cpp
void register_cells(pybind11::module_& m);    // cells.cpp: the engine's cell reader for tables

namespace py = pybind11;
using prescreen::json;
using namespace prescreen::python;

namespace {

py::object errors_module() { return py::module_::import("prescreen._types"); }

py::object diagnostic_object(const prescreen::Diagnostic& d) {
    return errors_module().attr("Diagnostic")(d.code, d.path, d.message);
}

py::list diagnostic_list(const std::vector<prescreen::Diagnostic>& list) {
    py::list out;
    for (const auto& d : list) out.append(diagnostic_object(d));
    return out;
}

json overrides_argument(py::handle overrides) {
    if (overrides.is_none()) return json::object();
    json value = to_json_or_raise(overrides, "overrides");
    if (!value.is_object()) {
        throw py::type_error("overrides: expected a mapping of parameter name to value, got " +
                             std::string(Py_TYPE(overrides.ptr())->tp_name));
    }
    return value;
}

// Any JSON value: a non-object is the engine's to report (issue not_an_object, outcome incomplete),
// exactly as in C++ and JavaScript. Only what cannot become JSON at all raises, naming the argument.
json answers_argument(const prescreen::Protocol& p, py::handle answers, const char* argument = "answers") {
    std::size_t bytes_left = 0;
    return to_json_or_raise(answers, argument, answer_options(p, bytes_left));
}

// Answers as form() and screen() give them to the engine: a plain dict read straight into answer
// entries (as batch rows are), anything else converted to json, which words what is wrong with it.
struct Answers {
    AnswerEntries entries;
    json value;
    bool plain = false;
    Answers(const prescreen::Protocol& p, py::handle answers)
        : plain(read_dict_answers(answers.ptr(), p, entries, nullptr)) {
        if (plain) entries.fix_element_pointers();
        else if (PyUnicode_Check(answers.ptr()) || PyBytes_Check(answers.ptr()) || py::hasattr(answers, "__fspath__"))
            // A file name or JSON text is never an answer set: say so rather than screen it as one.
            throw py::type_error(std::string("answers: expected a mapping of question id to answer, got ") +
                                 Py_TYPE(answers.ptr())->tp_name +
                                 " (a file or JSON text? read it first: json.loads(text); many rows: screen_many)");
        else value = answers_argument(p, answers);
    }
    prescreen::Answers input() const {
        return plain ? prescreen::Answers::entries(entries.entries.data(), entries.entries.size())
                     : prescreen::Answers::tree(value);
    }
};

// The frame's arrays are read as raw memory without bounds checks: check their shapes once here.
void check_frame_columns(const FrameColumns& f) {
    for (std::size_t c = 0; c < f.arrays.size(); ++c) {
        if (!py::isinstance<py::array>(f.arrays[c]) || py::reinterpret_borrow<py::array>(f.arrays[c]).ndim() != 1)
            throw py::value_error("arrays[" + std::to_string(c) + "]: expected a 1-D numpy array");
        const py::array values = py::reinterpret_borrow<py::array>(f.arrays[c]);
        const bool coded = c < f.codes.size() && !f.codes[c].is_none();
        if (!coded) {
            if (static_cast<std::size_t>(values.shape(0)) < f.rows)
                throw py::value_error("arrays[" + std::to_string(c) + "]: shorter than the rows");
            continue;
        }
        if (values.dtype().kind() != 'O') throw py::value_error("arrays[" + std::to_string(c) + "]: a coded column's values must be objects");
        if (!py::isinstance<py::array_t<std::int64_t>>(f.codes[c]) || py::reinterpret_borrow<py::array>(f.codes[c]).ndim() != 1 ||
            static_cast<std::size_t>(py::reinterpret_borrow<py::array>(f.codes[c]).shape(0)) < f.rows)
            throw py::value_error("codes[" + std::to_string(c) + "]: expected a 1-D int64 array as long as the rows");
        const auto codes = py::reinterpret_borrow<py::array_t<std::int64_t>>(f.codes[c]);
        auto view = codes.unchecked<1>();
        for (py::ssize_t i = 0; i < codes.shape(0); ++i)
            if (view(i) >= values.shape(0)) throw py::value_error("codes[" + std::to_string(c) + "]: a code past the values");
    }
}

// `locale` must be one of the pack's languages: an analyst asking for Welsh gets told, not English.
std::string locale_argument(const prescreen::Protocol& p, py::handle locale) {
    std::string text = str_argument(locale, "locale");
    if (!text.empty() && !p.find_locale(text)) {
        std::string known;
        for (const auto& l : p.document().value("locales", json::array())) known += (known.empty() ? "" : ", ") + l.get<std::string>();
        throw py::value_error("locale: " + p.id() + " has no texts in '" + text + "' (it has " + known +
                              "); leave locale out for its default");
    }
    return text;
}

prescreen::Context context_arguments(const prescreen::Protocol& p, py::handle today, py::handle locale) {
    prescreen::Context context;
    context.today = iso_date_argument(today, "today");
    context.locale = locale_argument(p, locale);
    return context;
}

std::string text_argument(py::handle value, const char* argument) {
    if (PyUnicode_Check(value.ptr())) return py::cast<std::string>(value);
    if (PyBytes_Check(value.ptr())) return std::string(py::cast<py::bytes>(value));
    throw py::type_error(std::string(argument) + ": expected str or bytes, got " + Py_TYPE(value.ptr())->tp_name);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        errno = errno ? errno : ENOENT;
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, path.c_str());
        throw py::error_already_set();
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::string path_argument(py::handle path) {
    py::object fs = py::module_::import("os").attr("fspath");
    py::object p;
    try {
        p = fs(path);
    } catch (py::error_already_set&) {
        throw py::type_error(std::string("path: expected str or os.PathLike, got ") + Py_TYPE(path.ptr())->tp_name);
    }
    if (PyBytes_Check(p.ptr())) return std::string(py::cast<py::bytes>(p));
    return py::cast<std::string>(p);
}

// Translation documents loaded beside a pack (docs/languages.md): each a dict or JSON text.
json translations_argument(py::handle translations) {
    if (translations.is_none()) return json();
    if (PyUnicode_Check(translations.ptr()) || PyBytes_Check(translations.ptr()) || PyDict_Check(translations.ptr()) ||
        !PySequence_Check(translations.ptr()))
        throw py::type_error("translations: expected a list of translation documents (dicts or JSON text)");
    json out = json::array();
    py::sequence list = py::reinterpret_borrow<py::sequence>(translations);
    for (py::ssize_t i = 0; i < static_cast<py::ssize_t>(list.size()); ++i) {
        py::object t = list[i];
        const std::string where = "translations[" + std::to_string(i) + "]";
        if (PyUnicode_Check(t.ptr()) || PyBytes_Check(t.ptr())) {
            try {
                out.push_back(prescreen::read_json(text_argument(t, where.c_str())));
            } catch (const prescreen::UsageError& e) {
                throw py::value_error(where + ": " + e.what());
            }
        } else {
            out.push_back(to_json_or_raise(t, where.c_str()));
        }
    }
    return out;
}

prescreen::Protocol load_any(py::handle source, py::handle overrides, py::handle translations) {
    json o = overrides_argument(overrides);
    json t = translations_argument(translations);
    if (PyUnicode_Check(source.ptr()) || PyBytes_Check(source.ptr())) {
        std::string text = text_argument(source, "source");
        py::gil_scoped_release release;
        return prescreen::Protocol::load_translated(text, t, o);
    }
    json document = to_json_or_raise(source, "source");
    if (!document.is_object()) {
        throw py::type_error("source: expected JSON text or a dict holding the protocol pack, got " +
                             std::string(Py_TYPE(source.ptr())->tp_name));
    }
    py::gil_scoped_release release;
    return prescreen::Protocol::from_json_translated(document, t, o);
}

unsigned threads_argument(py::handle threads) {
    if (threads.is_none()) {
        unsigned n = std::thread::hardware_concurrency();
        return n ? n : 1;
    }
    if (!PyLong_Check(threads.ptr()) || PyBool_Check(threads.ptr()))
        throw py::type_error(std::string("threads: expected int or None, got ") + Py_TYPE(threads.ptr())->tp_name);
    long n = py::cast<long>(threads);
    if (n < 1 || n > 1024) throw py::value_error("threads: must be between 1 and 1024, got " + std::to_string(n));
    return static_cast<unsigned>(n);
}

std::size_t chunk_argument(py::handle chunk) {
    if (!PyLong_Check(chunk.ptr()) || PyBool_Check(chunk.ptr()))
        throw py::type_error(std::string("chunk_size: expected int, got ") + Py_TYPE(chunk.ptr())->tp_name);
    long n = py::cast<long>(chunk);
    if (n < 1 || n > 10'000'000) throw py::value_error("chunk_size: must be between 1 and 10000000, got " + std::to_string(n));
    return static_cast<std::size_t>(n);
}

std::string instant_argument(py::handle at, const char* argument) {
    // A date-time string, or datetime.date/datetime (converted to ISO text); the engine validates it.
    if (PyUnicode_Check(at.ptr())) return py::cast<std::string>(at);
    json value;
    ConversionError error;
    if (!at.is_none() && to_json(at.ptr(), value, error) && value.is_string()) return value.get<std::string>();
    throw py::type_error(std::string(argument) + ": expected an ISO date or date-time string, datetime.date or datetime.datetime, got " +
                         Py_TYPE(at.ptr())->tp_name);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "prescreen._core: pybind11 bindings of the prescreen C++ engine (use the `prescreen` package).";
    init_convert();
    m.attr("engine_version") = prescreen::version_string;

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const prescreen::ProtocolError& e) {
            py::object cls = errors_module().attr("ProtocolError");
            py::object exc = cls(e.what(), diagnostic_list(e.diagnostics()));
            PyErr_SetObject(cls.ptr(), exc.ptr());
        } catch (const prescreen::UsageError& e) {
            py::object cls = errors_module().attr("UsageError");
            py::object exc = cls(e.what(), diagnostic_object(e.diagnostic()));
            PyErr_SetObject(cls.ptr(), exc.ptr());
        } catch (const json::exception& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        }
    });

    register_results(m);
    register_batch(m);
    register_cells(m);
    register_table_columns(m);

    py::class_<prescreen::Protocol>(m, "Protocol",
                                    "A compiled, immutable protocol pack; safe to share between threads.")
        .def(py::init([](const py::args&, const py::kwargs&) -> prescreen::Protocol* {
                 throw py::type_error("Protocol(...): load a pack with Protocol.from_file(path) or Protocol.from_json(text)");
             }),
             "Not a constructor: use Protocol.from_file(path) or Protocol.from_json(text).")
        .def_static("from_json", &load_any, py::arg("source"), py::arg("overrides") = py::none(), py::kw_only(),
                    py::arg("translations") = py::none(),
                    "Load a pack from JSON text (str/bytes) or a dict, with translation documents (dicts or JSON\n"
                    "text) merged in. Raises ProtocolError listing every problem (a missing translated text too).")
        .def_static(
            "from_file",
            [](py::handle path, py::handle overrides, py::handle translations) {
                std::string text = read_file(path_argument(path));
                json o = overrides_argument(overrides);
                json t = translations_argument(translations);
                py::gil_scoped_release release;
                return prescreen::Protocol::load_translated(text, t, o);
            },
            py::arg("path"), py::arg("overrides") = py::none(), py::kw_only(), py::arg("translations") = py::none(),
            "Load a pack from a JSON file, with translation documents merged in. Raises OSError or ProtocolError.")
        .def_static(
            "lint",
            [](py::handle source, py::handle overrides) {
                json o = overrides_argument(overrides);
                std::string text;
                if (PyUnicode_Check(source.ptr()) || PyBytes_Check(source.ptr())) text = text_argument(source, "source");
                else text = to_json_or_raise(source, "source").dump();
                std::vector<prescreen::Diagnostic> found;
                {
                    py::gil_scoped_release release;
                    found = prescreen::Protocol::lint(text, o);
                }
                return diagnostic_list(found);
            },
            py::arg("source"), py::arg("overrides") = py::none(),
            "Every problem in a pack (JSON text or dict) as a list of Diagnostic, without raising.")
        .def_property_readonly("id", &prescreen::Protocol::id, "Protocol id.")
        .def_property_readonly("version", &prescreen::Protocol::version, "Protocol version.")
        .def_property_readonly("digest", &prescreen::Protocol::digest, "SHA-256 hex of the canonical pack.")
        .def_property_readonly("items", [](const prescreen::Protocol& p) { return to_python(p.items()); },
                               "Item definitions in questionnaire order (list of dicts).")
        .def_property_readonly("rules", [](const prescreen::Protocol& p) { return to_python(p.rules()); },
                               "Rule summaries (list of dicts).")
        .def_property_readonly("parameters", [](const prescreen::Protocol& p) { return to_python(p.parameters()); },
                               "Effective parameter values with defaults and ranges.")
        .def_property_readonly("document", [](const prescreen::Protocol& p) { return to_python(p.document()); },
                               "The pack as loaded (dict).")
        .def_property_readonly("overrides", [](const prescreen::Protocol& p) { return to_python(p.overrides()); },
                               "The parameter overrides given at load (dict).")
        .def("to_json", [](const prescreen::Protocol& p) { return p.document().dump(); },
             "The pack as JSON text.")
        .def(
            "form",
            [](const prescreen::Protocol& p, py::handle answers, py::handle today, py::handle locale, py::handle texts) {
                if (!PyBool_Check(texts.ptr())) throw py::type_error("texts must be True or False");
                const Answers a(p, answers);
                prescreen::Context c = context_arguments(p, today, locale);
                auto wording = texts.ptr() == Py_True ? prescreen::FormTexts::included : prescreen::FormTexts::omitted;
                json r;
                {
                    py::gil_scoped_release release;
                    r = p.form_of(a.input(), c, wording);
                }
                return FormState(std::move(r));
            },
            py::arg("answers"), py::kw_only(), py::arg("today"), py::arg("locale") = py::none(), py::arg("texts") = true,
            "Questionnaire state for answers: visible items, missing required items, issues, progress, and\n"
            "(texts=True) the visible items' texts; texts=False gives the state alone.")
        .def(
            "texts",
            [](const prescreen::Protocol& p, py::handle locale) {
                return to_python(p.texts(prescreen::Context{"", str_argument(locale, "locale")}));
            },
            py::kw_only(), py::arg("locale") = py::none(),
            "Every text a form can show in one locale (items, pages, title, consent document) as a dict;\n"
            "ValueError (code unknown_locale) for a locale the pack has no texts in.")
        .def(
            "screen",
            [](const prescreen::Protocol& p, py::handle answers, py::handle today, py::handle locale) {
                const Answers a(p, answers);
                prescreen::Context c = context_arguments(p, today, locale);
                // The result keeps the engine's record and writes its JSON when first read, as batch results do.
                prescreen::ScreeningRecord record;
                {
                    py::gil_scoped_release release;
                    p.screen_into(a.input(), c, record);
                }
                if (const prescreen::Diagnostic* error = record.error()) throw prescreen::ProtocolError({*error});
                auto context = std::make_shared<const ScreeningContext>(ScreeningContext{p, c.today, p.locale_index(c.locale), {}});
                return ScreeningResult(std::move(record), std::move(context));
            },
            py::arg("answers"), py::kw_only(), py::arg("today"), py::arg("locale") = py::none(),
            "Screen one answer set: outcome, defer_until, findings, aftercare, course.")
        .def(
            "_batch",
            [](const prescreen::Protocol& p, py::object rows, py::handle today, py::handle locale, py::handle threads,
               py::handle chunk_size) {
                prescreen::Context c = context_arguments(p, today, locale);
                auto batch = std::make_unique<Batch>(p, c, threads_argument(threads), chunk_argument(chunk_size));
                batch->set_rows(rows);
                return batch;
            },
            py::arg("rows"), py::kw_only(), py::arg("today"), py::arg("locale") = py::none(),
            py::arg("threads") = py::none(), py::arg("chunk_size") = 1024)
        .def(
            "_frame_batch",
            [](const prescreen::Protocol& p, std::vector<std::string> ids, std::vector<py::object> arrays,
               std::size_t rows, py::handle today,
               py::handle locale, py::handle threads, py::handle chunk_size, std::vector<py::object> codes) {
                prescreen::Context c = context_arguments(p, today, locale);
                auto batch = std::make_unique<Batch>(p, c, threads_argument(threads), chunk_argument(chunk_size));
                FrameColumns f;
                f.ids = std::move(ids);
                f.arrays = std::move(arrays);
                f.codes = std::move(codes);
                f.rows = rows;
                if (f.arrays.size() != f.ids.size() || (!f.codes.empty() && f.codes.size() != f.ids.size()))
                    throw py::value_error("columns: ids, arrays and codes differ in length");
                check_frame_columns(f);
                batch->set_frame(std::move(f));
                return batch;
            },
            py::arg("ids"), py::arg("arrays"), py::arg("rows"),
            py::kw_only(), py::arg("today"), py::arg("locale") = py::none(), py::arg("threads") = py::none(),
            py::arg("chunk_size") = 1024, py::arg("codes") = std::vector<py::object>{})
        .def(
            "consent",
            [](const prescreen::Protocol& p, py::handle answers, py::handle today, py::handle acknowledged,
               py::handle signature, py::handle signed_at, py::handle information_shown_at,
               py::handle patient_reference, py::handle practitioner_override, py::handle seal_key, py::handle locale,
               py::handle countersignature, py::handle information_record, py::handle procedure) {
                json a = answers_argument(p, answers);
                // The locale goes to the engine as given: it refuses one the pack lacks (unknown_locale, /locale).
                prescreen::Context c{iso_date_argument(today, "today"), str_argument(locale, "locale")};
                prescreen::ConsentRequest request;
                json ack = to_json_or_raise(acknowledged, "acknowledged");
                if (!ack.is_array()) throw py::type_error("acknowledged: expected a list of acknowledgement ids");
                for (std::size_t i = 0; i < ack.size(); ++i) {
                    if (!ack[i].is_string())
                        throw py::type_error("acknowledged[" + std::to_string(i) + "]: expected str, got " + ack[i].type_name());
                    request.acknowledged.push_back(ack[i].get<std::string>());
                }
                request.signature = to_json_or_raise(signature, "signature");
                if (!request.signature.is_object()) throw py::type_error("signature: expected a mapping like {'name': ..., 'role': 'patient'}");
                request.signed_at = instant_argument(signed_at, "signed_at");
                request.information_shown_at = instant_argument(information_shown_at, "information_shown_at");
                request.patient_reference = str_argument(patient_reference, "patient_reference");
                request.practitioner_override = to_json_or_raise(practitioner_override, "practitioner_override");
                if (!request.practitioner_override.is_null() && !request.practitioner_override.is_object() && !request.practitioner_override.is_array())
                    throw py::type_error("practitioner_override: expected None, a mapping {'finding': ..., 'name': ..., ...} or a list of them");
                if (!seal_key.is_none()) request.seal_key = text_argument(seal_key, "seal_key");
                request.countersignature = to_json_or_raise(countersignature, "countersignature");
                request.information_record = py::isinstance<JsonResult>(information_record)
                                                 ? information_record.cast<const JsonResult&>().value()
                                                 : to_json_or_raise(information_record, "information_record");
                request.procedure = to_json_or_raise(procedure, "procedure");
                json r;
                {
                    py::gil_scoped_release release;
                    r = p.consent(a, request, c);
                }
                return ConsentRecord(std::move(r));
            },
            py::arg("answers"), py::kw_only(), py::arg("today"), py::arg("acknowledged"), py::arg("signature"),
            py::arg("signed_at"), py::arg("information_shown_at"), py::arg("patient_reference") = py::none(),
            py::arg("practitioner_override") = py::none(), py::arg("seal_key") = py::none(),
            py::arg("locale") = py::none(), py::arg("countersignature") = py::none(),
            py::arg("information_record") = py::none(), py::arg("procedure") = py::none(),
            "Screen again and return the canonical consent record; UsageError (a ValueError) with code "
            "consent_not_permitted when the outcome does not permit consent.")
        .def(
            "consent_document",
            [](const prescreen::Protocol& p, py::handle answers, py::handle today, py::handle locale) {
                json a = answers_argument(p, answers);
                prescreen::Context c{iso_date_argument(today, "today"), str_argument(locale, "locale")};
                json r;
                {
                    py::gil_scoped_release release;
                    r = p.consent_document(a, c);
                }
                return to_python(r);
            },
            py::arg("answers"), py::kw_only(), py::arg("today"), py::arg("locale") = py::none(),
            "The consent document for this patient: texts in the locale and only the acknowledgements that "
            "apply to this screening, each with its stage and whether it is required (docs/consent.md).")
        .def("__eq__",
             [](const prescreen::Protocol& a, py::object b) -> py::object {
                 if (!py::isinstance<prescreen::Protocol>(b)) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
                 const auto& o = b.cast<const prescreen::Protocol&>();
                 return py::bool_(a.digest() == o.digest() && a.overrides() == o.overrides());
             })
        .def("__hash__", [](const prescreen::Protocol& p) { return py::hash(py::str(p.digest() + p.overrides().dump())); })
        .def("__repr__",
             [](const prescreen::Protocol& p) {
                 return "Protocol(id='" + p.id() + "', version='" + p.version() + "', digest='" + p.digest().substr(0, 12) + "...')";
             })
        .def("__reduce__", [](py::object self) {
            // Pickled by its JSON text and overrides: the receiving process recompiles the same pack.
            const auto& p = self.cast<const prescreen::Protocol&>();
            return py::make_tuple(py::module_::import("prescreen._types").attr("_restore_protocol"),
                                  py::make_tuple(p.document().dump(), p.overrides().dump()));
        });

    m.def(
        "_load_state",
        [](const std::string& text, const std::string& overrides) {
            json o = json::parse(overrides);
            py::gil_scoped_release release;
            return prescreen::Protocol::load(text, o);
        },
        "Internal: unpickle a Protocol.");

    register_consent(m);  // consent.cpp: verify_consent, consent_status, events, information_record

    m.def(
        "apply_logic",
        [](py::handle rule, py::handle data, py::handle today, const std::string& dialect) {
            json r = to_json_or_raise(rule, "rule");
            json d = data.is_none() ? json::object() : to_json_or_raise(data, "data");
            prescreen::Context c;
            c.today = iso_date_argument(today, "today", true);
            const prescreen::Dialect chosen = prescreen::parse_dialect(dialect);
            json result;
            {
                py::gil_scoped_release release;
                result = prescreen::apply_logic(r, d, c, chosen);
            }
            return to_python(result);
        },
        py::arg("rule"), py::arg("data") = py::none(), py::arg("today") = py::none(), py::arg("dialect") = "json-logic-js",
        "Evaluate a JsonLogic rule against data, in the dialect \"json-logic-js\" (default) or \"core\" "
        "(docs/jsonlogic.md), plus prescreen's date operations.");

    m.def(
        "_protocol_error_envelope",
        [](py::handle diagnostics) {
            std::vector<prescreen::Diagnostic> list;
            for (const json& d : to_json_or_raise(diagnostics, "diagnostics"))
                list.push_back({d.value("code", ""), d.value("path", ""), d.value("message", "")});
            return to_python(prescreen::ProtocolError(std::move(list)).to_json());
        },
        py::arg("diagnostics"), "Internal (ProtocolError.to_dict): the engine's error envelope for these problems.");

    m.def(
        "canonical_json",
        [](py::handle value) {
            json v = to_json_or_raise(value, "value");
            return prescreen::canonical_json(v);
        },
        py::arg("value"), "Canonical JSON text (sorted keys, no whitespace, integers only) used for digests.");

    m.def(
        "parse_json",
        [](py::handle text) {
            const std::string data = text_argument(text, "text");
            json value;
            {
                py::gil_scoped_release release;
                value = prescreen::read_json(data);
            }
            return to_python(value);
        },
        py::arg("text"),
        "The engine's one strict JSON reader (duplicate keys, NaN, lone surrogates, depth and size refused):\n"
        "plain Python objects, or UsageError with the code and JSON Pointer path.");
    m.def(
        "canonical_json_text",
        [](py::handle text) {
            const std::string data = text_argument(text, "text");
            py::gil_scoped_release release;
            return prescreen::canonical_json(prescreen::read_json(data));
        },
        py::arg("text"), "canonical_json of JSON text, read by parse_json's reader (no Python objects in between).");
    m.def(
        "_parse_json_canonical",
        [](py::handle text) {
            const std::string data = text_argument(text, "text");
            json value;
            std::string canonical;
            {
                py::gil_scoped_release release;
                value = prescreen::read_json(data);
                canonical = prescreen::canonical_json(value);
            }
            return py::make_tuple(to_python(value), canonical);
        },
        py::arg("text"), "Internal (back office): parse_json and canonical_json_text of one text, read once.");
    m.def(
        "sha256_hex",
        [](py::handle data) {
            const std::string bytes = text_argument(data, "data");
            py::gil_scoped_release release;  // other request threads go on while a body is hashed
            return prescreen::sha256_hex(bytes);
        },
        py::arg("data"), "SHA-256 of str (UTF-8) or bytes as lower-case hex.");
    { void bind_fhir(py::module_&); bind_fhir(m); }  // fhir.cpp: the prescreen.fhir functions
}
