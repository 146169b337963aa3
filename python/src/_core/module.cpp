// prescreen._core: the pybind11 surface over the C++ engine. Everything clinical (rules, dates,
// digests) is computed by the engine; this file only converts arguments and results.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "answers_reader.hpp"
#include "convert.hpp"
#include "prescreen/logic.hpp"
#include "prescreen/prescreen.hpp"
#include "results.hpp"
#include "table_columns.hpp"

namespace py = pybind11;
using prescreen::json;
using namespace prescreen::python;

void register_consent(py::module_& m, py::class_<prescreen::Protocol>& protocol);  // consent.cpp
void register_batch(py::module_& m, py::class_<prescreen::Protocol>& protocol);    // batch.cpp
void register_cells(py::module_& m);                                                // cells.cpp
void register_fhir(py::module_& m);                                                 // fhir.cpp

namespace {

py::object diagnostic_object(const prescreen::Diagnostic& d) {
    return py::module_::import("prescreen._types").attr("Diagnostic")(d.code, d.path, d.message);
}

py::list diagnostic_list(const std::vector<prescreen::Diagnostic>& list) {
    py::list out;
    for (const auto& d : list) out.append(diagnostic_object(d));
    return out;
}

json overrides_argument(py::handle overrides) {
    if (overrides.is_none()) return json::object();
    json value = to_json_or_raise(overrides, "overrides");
    if (!value.is_object()) wrong_type("overrides", "a mapping of parameter name to value", overrides);
    return value;
}

// Answers as form() and screen() give them to the engine: a plain dict read straight into answer
// entries (as batch rows are), anything else converted to json, which words what is wrong with it.
// Any JSON value: a non-object is the engine's to report (issue not_an_object, outcome incomplete),
// exactly as in C++ and JavaScript. Only what cannot become JSON at all raises.
struct Answers {
    prescreen::AnswerChunk chunk;
    json value;
    Answers(const prescreen::Protocol& p, py::handle answers) {
        if (read_dict_answers(answers.ptr(), p, chunk, nullptr)) return;
        if (PyUnicode_Check(answers.ptr()) || PyBytes_Check(answers.ptr()) || py::hasattr(answers, "__fspath__"))
            // A file name or JSON text is never an answer set: say so rather than screen it as one.
            throw py::type_error(std::string("answers: expected a mapping of question id to answer, got ") +
                                 Py_TYPE(answers.ptr())->tp_name +
                                 " (a file or JSON text? read it first: json.loads(text); many rows: screen_many)");
        value = to_json_or_raise(answers, "answers", answer_options(p));
    }
    prescreen::Answers input() { return chunk.size() ? chunk.seal()[0] : prescreen::Answers::tree(value); }
};

// Translation documents loaded beside a pack (docs/languages.md): each a dict or JSON text.
json translations_argument(py::handle translations) {
    if (translations.is_none()) return json();
    if (PyUnicode_Check(translations.ptr()) || PyBytes_Check(translations.ptr()) || PyDict_Check(translations.ptr()) ||
        !PySequence_Check(translations.ptr()))
        throw py::type_error("translations: expected a list of translation documents (dicts or JSON text)");
    json out = json::array();
    std::size_t i = 0;
    for (py::handle t : py::reinterpret_borrow<py::sequence>(translations))
        out.push_back(json_argument(t, "translations[" + std::to_string(i++) + "]"));
    return out;
}

prescreen::Protocol load(py::handle source, py::handle overrides, py::handle translations) {
    const json o = overrides_argument(overrides), t = translations_argument(translations);
    if (!PyUnicode_Check(source.ptr()) && !PyBytes_Check(source.ptr())) {
        const json document = to_json_or_raise(source, "source");
        if (!document.is_object()) wrong_type("source", "JSON text or a dict holding the protocol pack", source);
        py::gil_scoped_release release;
        return prescreen::Protocol::from_json_translated(document, t, o);
    }
    const std::string text = text_argument(source, "source");
    py::gil_scoped_release release;
    return prescreen::Protocol::load_translated(text, t, o);
}

// The engine's one strict reader over str or bytes, without the GIL.
json read_text(py::handle text) {
    const std::string data = text_argument(text, "text");
    py::gil_scoped_release release;
    return prescreen::read_json(data);
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
            py::object cls = py::module_::import("prescreen._types").attr("ProtocolError");
            PyErr_SetObject(cls.ptr(), cls(e.what(), diagnostic_list(e.diagnostics())).ptr());
        } catch (const prescreen::UsageError& e) {
            py::object cls = py::module_::import("prescreen._types").attr("UsageError");
            PyErr_SetObject(cls.ptr(), cls(e.what(), diagnostic_object(e.diagnostic())).ptr());
        } catch (const json::exception& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        }
    });

    register_results(m);
    register_cells(m);
    register_table_columns(m);

    py::class_<prescreen::Protocol> protocol(m, "Protocol", "A compiled, immutable protocol pack; safe to share between threads.");
    protocol
        .def(py::init([](const py::args&, const py::kwargs&) -> prescreen::Protocol* {
                 throw py::type_error("Protocol(...): load a pack with Protocol.from_file(path) or Protocol.from_json(text)");
             }),
             "Not a constructor: use Protocol.from_file(path) or Protocol.from_json(text).")
        .def_static("from_json", &load, py::arg("source"),
                    py::arg("overrides") = py::none(), py::kw_only(), py::arg("translations") = py::none(),
                    "Load a pack from JSON text (str/bytes) or a dict, with translation documents (dicts or JSON\n"
                    "text) merged in. Raises ProtocolError listing every problem (a missing translated text too).")
        .def_static(
            "lint",
            [](py::handle source, py::handle overrides) {
                const json o = overrides_argument(overrides);
                const bool text = PyUnicode_Check(source.ptr()) || PyBytes_Check(source.ptr());
                const std::string pack = text ? text_argument(source, "source") : to_json_or_raise(source, "source").dump();
                std::vector<prescreen::Diagnostic> found;
                {
                    py::gil_scoped_release release;
                    found = prescreen::Protocol::lint(pack, o);
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
        .def_property_readonly("rules", [](const prescreen::Protocol& p) { return to_python(p.rules()); }, "Rule summaries (list of dicts).")
        .def_property_readonly("parameters", [](const prescreen::Protocol& p) { return to_python(p.parameters()); },
                               "Effective parameter values with defaults and ranges.")
        .def_property_readonly("document", [](const prescreen::Protocol& p) { return to_python(p.document()); }, "The pack as loaded (dict).")
        .def_property_readonly("overrides", [](const prescreen::Protocol& p) { return to_python(p.overrides()); },
                               "The parameter overrides given at load (dict).")
        .def("to_json", [](const prescreen::Protocol& p) { return p.document().dump(); }, "The pack as JSON text.")
        .def(
            "form",
            [](const prescreen::Protocol& p, py::handle answers, py::handle today, py::handle locale, py::handle texts) {
                if (!PyBool_Check(texts.ptr())) throw py::type_error("texts must be True or False");
                Answers a(p, answers);
                const prescreen::Context c = context_arguments(p, today, locale);
                const auto wording = texts.ptr() == Py_True ? prescreen::FormTexts::included : prescreen::FormTexts::omitted;
                py::gil_scoped_release release;
                return FormState(p.form_of(a.input(), c, wording));
            },
            py::arg("answers"), py::kw_only(), py::arg("today"), py::arg("locale") = py::none(), py::arg("texts") = true,
            "Questionnaire state for answers: visible items, missing required items, issues, progress, and\n"
            "(texts=True) the visible items' texts; texts=False gives the state alone.")
        .def(
            "texts", [](const prescreen::Protocol& p, py::handle locale) { return to_python(p.texts({"", str_argument(locale, "locale")})); },
            py::kw_only(), py::arg("locale") = py::none(),
            "Every text a form can show in one locale (items, pages, title, consent document) as a dict;\n"
            "ValueError (code unknown_locale) for a locale the pack has no texts in.")
        .def(
            "screen",
            [](const prescreen::Protocol& p, py::handle answers, py::handle today, py::handle locale) {
                Answers a(p, answers);
                const prescreen::Context c = context_arguments(p, today, locale);
                // The result keeps the engine's record and writes its JSON when first read, as batch results do.
                prescreen::ScreeningRecord record;
                {
                    py::gil_scoped_release release;
                    p.screen_into(a.input(), c, record);
                }
                if (const prescreen::Diagnostic* error = record.error()) throw prescreen::ProtocolError({*error});
                return ScreeningResult(std::move(record), std::make_shared<const ScreeningContext>(p, c));
            },
            py::arg("answers"), py::kw_only(), py::arg("today"), py::arg("locale") = py::none(),
            "Screen one answer set: outcome, defer_until, findings, aftercare, course.")
        // from_file, equality, repr and pickling: prescreen/_protocol.py.
        ;
    register_batch(m, protocol);    // Protocol._batch, _frame_batch
    register_consent(m, protocol);  // Protocol.consent, consent_document, information_record; verify_consent, ...

    m.def(
        "_load_state",
        [](const std::string& text, const std::string& overrides) {
            const json o = json::parse(overrides);
            py::gil_scoped_release release;
            return prescreen::Protocol::load(text, o);
        },
        "Internal: unpickle a Protocol.");
    m.def(
        "apply_logic",
        [](py::handle rule, py::handle data, py::handle today, const std::string& dialect) {
            const json r = to_json_or_raise(rule, "rule"), d = data.is_none() ? json::object() : to_json_or_raise(data, "data");
            const prescreen::Context c{iso_date_argument(today, "today", true), ""};
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
    m.def("canonical_json", [](py::handle value) { return prescreen::canonical_json(to_json_or_raise(value, "value")); }, py::arg("value"),
          "Canonical JSON text (sorted keys, no whitespace, integers only) used for digests.");
    m.def("parse_json", [](py::handle text) { return to_python(read_text(text)); }, py::arg("text"),
          "The engine's one strict JSON reader (duplicate keys, NaN, lone surrogates, depth and size refused):\n"
          "plain Python objects, or UsageError with the code and JSON Pointer path.");
    m.def("canonical_json_text", [](py::handle text) { return prescreen::canonical_json(read_text(text)); }, py::arg("text"),
          "canonical_json of JSON text, read by parse_json's reader (no Python objects in between).");
    m.def(
        "_parse_json_canonical",
        [](py::handle text) {
            const json value = read_text(text);
            return py::make_tuple(to_python(value), prescreen::canonical_json(value));
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
    register_fhir(m);  // the prescreen.fhir functions
}
