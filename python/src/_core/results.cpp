#include "results.hpp"

#include <pybind11/stl.h>

#include "convert.hpp"
#include "prescreen/result_table.hpp"

namespace prescreen::python {

namespace {

// One Python str per outcome, made once: a million results share six strings.
py::object outcome_str(Outcome outcome) {
    static py::object* names[6] = {};
    auto& name = names[static_cast<int>(outcome)];
    if (!name) name = new py::object(py::str(outcome_name(outcome)));
    return *name;
}

// The result table's column names after `row` (prescreen/result_table.hpp), as Python str made once.
enum Column { kOutcome, kDeferUntil, kFindings, kFindingOutcomes, kPatientMessages, kClinicianNotes, kConsentPermitted,
              kMissingRequired, kIssues, kToday, kProtocolId, kProtocolVersion, kProtocolDigest, kColumns };
const py::object& column_name(int column) {
    static py::object* objects = [] {
        auto* made = new py::object[kColumns];
        for (int c = 0; c < kColumns; ++c) made[c] = py::reinterpret_steal<py::object>(PyUnicode_InternFromString(result_table_columns().at(c + 1).c_str()));
        return made;
    }();
    return objects[column];
}

// The result-table fields of one screening (prescreen.io.result_row's), from its record: a table of
// a million results never writes or parses their JSON. `put(column, value)` receives each field.
template <class Put>
void table_fields(const ScreeningResult& r, Put&& put) {
    const ScreeningContext& context = *r.context;
    py::list findings, outcomes, messages, notes, missing, issues;
    for (const auto& f : r.record.findings()) {
        const auto& strings = context.strings_of(f.rule);
        findings.append(strings.id);
        outcomes.append(strings.outcome);
        messages.append(strings.message);
        notes.append(strings.clinician_note);
    }
    for (int slot : r.record.missing_required()) missing.append(context.item_id_str(slot));
    for (const auto& issue : r.record.issues()) issues.append(py::str(issue.label()));
    const auto until = r.record.defer_until();
    put(kOutcome, outcome_str(r.record.outcome()));
    put(kDeferUntil, until ? py::object(py::str(format_iso_date(*until))) : py::none());
    put(kFindings, std::move(findings));
    put(kFindingOutcomes, std::move(outcomes));
    put(kPatientMessages, std::move(messages));
    put(kClinicianNotes, std::move(notes));
    put(kConsentPermitted, py::bool_(r.record.consent_permitted()));
    put(kMissingRequired, std::move(missing));
    put(kIssues, std::move(issues));
    put(kToday, py::str(context.today_text));
    put(kProtocolId, py::str(context.protocol.id()));
    put(kProtocolVersion, py::str(context.protocol.version()));
    put(kProtocolDigest, py::str(context.protocol.digest()));
}

// A top-level field ("error/code": one level down), null when absent.
const json& field(const JsonResult& r, std::string_view key) {
    static const json null_value = nullptr;
    const json* at = &r.value();
    for (std::size_t start = 0; start <= key.size();) {
        const std::size_t end = std::min(key.find('/', start), key.size());
        if (!at->is_object()) return null_value;
        const auto it = at->find(key.substr(start, end - start));
        if (it == at->end()) return null_value;
        at = &*it;
        start = end + 1;
    }
    return *at;
}

// A result class: its JSON's generic reading is the base's (prescreen/_results.py names the fields).
template <class T>
py::class_<T, JsonResult> result_class(py::module_& m, const char* name, const char* doc) {
    py::class_<T, JsonResult> c(m, name, doc);
    c.def_static("_from_json", [](std::string text) { return T(std::move(text), FromText{}); }, py::arg("text"),
                 "Internal (unpickling): a result from its JSON text.");
    return c;
}

py::tuple result_columns(const py::list& results) {
    const Py_ssize_t n = PyList_GET_SIZE(results.ptr());
    std::vector<py::list> columns;
    for (int c = 0; c < kColumns; ++c) columns.emplace_back(n);  // PyList_New(n): every item is set below
    py::list others;
    for (Py_ssize_t i = 0; i < n; ++i) {
        py::handle item = PyList_GET_ITEM(results.ptr(), i);
        const ScreeningResult* r = py::isinstance<ScreeningResult>(item) ? &item.cast<const ScreeningResult&>() : nullptr;
        if (r && r->context) {
            table_fields(*r, [&](int column, py::object value) { PyList_SET_ITEM(columns[column].ptr(), i, value.release().ptr()); });
            continue;
        }
        for (int c = 0; c < kColumns; ++c) PyList_SET_ITEM(columns[c].ptr(), i, py::none().release().ptr());
        others.append(i);
    }
    py::dict table;
    for (int c = 0; c < kColumns; ++c) table[column_name(c)] = columns[c];
    return py::make_tuple(table, others);
}

}  // namespace

const py::object& ScreeningContext::item_id_str(int slot) const {
    for (std::size_t i = item_strings.size(); i < protocol.item_count(); ++i) item_strings.push_back(py::str(protocol.item_id(static_cast<int>(i))));
    return item_strings[static_cast<std::size_t>(slot)];
}

const ScreeningContext::RuleStrings& ScreeningContext::strings_of(std::uint32_t rule) const {
    for (std::size_t r = rule_strings.size(); r < protocol.rule_count(); ++r)
        rule_strings.push_back({py::str(protocol.rule_id(r)), outcome_str(protocol.rule_outcome(r)),
                                py::str(protocol.rule_message(r, locale)), py::str(protocol.rule_clinician_note(r, locale))});
    return rule_strings[rule];
}

py::object wrap_screening(ScreeningRecord record, const std::shared_ptr<const ScreeningContext>& context) {
    if (record.error()) return py::cast(RowError(context->protocol.write(record)));
    return py::cast(ScreeningResult(std::move(record), context));
}

json ScreeningResult::write_tree() const { return context ? context->protocol.write(record) : JsonResult::write_tree(); }

std::string ScreeningResult::write_text() const {
    if (!context) return JsonResult::write_text();
    std::string text;
    context->protocol.write_text(record, text);
    return text;
}

void register_results(py::module_& m) {
    m.attr("result_columns") = py::cast(result_table_columns());
    m.attr("result_list_columns") = py::cast(result_table_list_columns());
    py::list outcomes;
    for (Outcome o : outcomes_strictest_first()) outcomes.append(outcome_str(o));
    m.attr("outcomes") = outcomes;
    m.def("_table_fields_of", [](py::handle result) { return to_python(result_table_fields(to_json_or_raise(result, "result"))); },
          py::arg("result"), "Internal (prescreen.io): the result-table fields of a result given as a dict.");
    m.def("_result_columns", &result_columns, py::arg("results"),
          "Internal (prescreen.io.results_frame): (columns, other_rows) — the result table's columns read from\n"
          "the results' records; rows of other results are None and listed in other_rows.");
    // Attributes, hashing, pickling, repr and each class's named fields are written over these in
    // prescreen/_results.py.
    py::class_<JsonResult>(m, "Result",
                           "Base of every result: a read-only view of the engine's JSON.\n\n"
                           "Attributes convert on access; ``to_dict()`` is exactly the C++ JSON as Python objects and\n"
                           "``to_json()`` the C++ JSON text. ``result[key]`` reads one top-level field as plain JSON\n"
                           "(dates stay ISO strings).")
        .def("to_dict", [](const JsonResult& r) { return to_python(r.value()); },
             "The result as plain Python objects, equal to the C++ JSON.")
        .def(
            "to_json",
            [](const JsonResult& r, py::object indent) {
                if (indent.is_none()) return r.text();
                return r.value().dump(py::cast<int>(indent), ' ', false, json::error_handler_t::replace);
            },
            py::arg("indent") = py::none(), "The result as JSON text, exactly as the C++ API serialises it.")
        .def("keys",
             [](const JsonResult& r) {
                 py::list out;
                 if (r.value().is_object())
                     for (const auto& [k, v] : r.value().items()) out.append(k);
                 return out;
             },
             "Top-level keys of the JSON object.")
        .def("__getitem__",
             [](const JsonResult& r, const std::string& key) {
                 if (!r.value().is_object() || !r.value().contains(key)) throw py::key_error(key);
                 return to_python(r.value()[key]);
             })
        .def("__contains__", [](const JsonResult& r, const std::string& key) { return r.value().is_object() && r.value().contains(key); })
        .def("__eq__",
             [](const JsonResult& a, py::object other) -> py::object {
                 if (!py::isinstance<JsonResult>(other)) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
                 const auto& b = other.cast<const JsonResult&>();
                 return py::bool_(typeid(a) == typeid(b) && a.value() == b.value());
             })
        .def("_field", [](const JsonResult& r, std::string_view key, bool date) { return date ? to_date(field(r, key)) : to_python(field(r, key)); },
             py::arg("key"), py::arg("date") = false, "Internal: a field (\"error/code\": one level down) as Python, None when absent.");

    m.def("_field_reader",
          [](std::string key, bool date) {
              return py::cpp_function([key, date](const JsonResult& r) { return date ? to_date(field(r, key)) : to_python(field(r, key)); });
          },
          py::arg("key"), py::arg("date") = false, "Internal (prescreen/_results.py): a compiled reader of one field, for a property.");
    result_class<FormState>(m, "FormState", "Questionnaire state from Protocol.form(): visible items, missing required items, issues.");
    // Read from the record when there is one (results of screen() and batches), else from the JSON.
    const auto from_record = [](auto read, const char* key, bool date = false) {
        return [read, key, date](const ScreeningResult& r) -> py::object {
            if (r.context) return read(r.record, *r.context);
            return date ? to_date(field(r, key)) : to_python(field(r, key));
        };
    };
    result_class<ScreeningResult>(m, "ScreeningResult", "Outcome of Protocol.screen() for one answer set.")
        .def_property_readonly(
            "outcome", from_record([](const ScreeningRecord& s, const ScreeningContext&) { return outcome_str(s.outcome()); }, "outcome"),
            "not_eligible | deferred | incomplete | refer | eligible_with_precautions | eligible.")
        .def_property_readonly("defer_until", from_record([](const ScreeningRecord& s, const ScreeningContext&) -> py::object {
                                   const auto d = s.defer_until();
                                   return d ? date_object(*d) : py::none();
                               }, "defer_until", true),
                               "datetime.date treatment may start, or None (open-ended or not deferred).")
        .def_property_readonly(
            "today", from_record([](const ScreeningRecord& s, const ScreeningContext&) { return date_object(s.today()); }, "today", true),
            "The screening date (datetime.date).")
        .def_property_readonly("consent_permitted", from_record([](const ScreeningRecord& s, const ScreeningContext&) -> py::object {
                                   return py::bool_(s.consent_permitted());
                               }, "consent_permitted"),
                               "The outcome allows consent to be recorded.")
        .def_property_readonly(
            "findings",
            [](const ScreeningResult& r) {
                py::list out;
                if (const json& list = field(r, "findings"); list.is_array())
                    for (const auto& f : list) out.append(py::cast(Finding(f)));
                return out;
            },
            "Fired rules (Finding), in the pack's rule order.")
        .def_property_readonly(
            "finding_ids",
            [](const ScreeningResult& r) {
                py::list out;
                if (r.context)
                    for (const auto& f : r.record.findings()) out.append(r.context->strings_of(f.rule).id);
                else if (const json& list = field(r, "findings"); list.is_array())
                    for (const auto& f : list)
                        if (f.is_object() && f.contains("rule")) out.append(to_python(f["rule"]));
                        else if (f.is_string()) out.append(to_python(f));
                return out;
            },
            "Rule ids of the findings.")
        .def("_table_fields",
             [](const ScreeningResult& r) -> py::object {
                 if (!r.context) return py::none();
                 py::dict row;
                 table_fields(r, [&](int column, py::object value) { PyDict_SetItem(row.ptr(), column_name(column).ptr(), value.ptr()); });
                 return std::move(row);
             },
             "Internal (prescreen.io): the result-table fields of a batch result, read from its record; None\n"
             "for other results (their fields are read from to_dict()).");
    result_class<Finding>(m, "Finding", "One fired rule of a screening.");
    result_class<RowError>(m, "RowError", "In a batch, the result of a row that could not be screened: {\"error\": {code, path, message}}.");
    result_class<ConsentRecord>(m, "ConsentRecord", "A canonical consent record (docs/consent.md). ``to_dict()`` is what you store.");
    result_class<ConsentVerification>(m, "ConsentVerification", "Result of verify_consent(): valid and problems.");
    result_class<ConsentStatus>(m, "ConsentStatus", "Result of consent_status().");
}

}  // namespace prescreen::python
