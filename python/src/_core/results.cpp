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

// Column names of the result table, made once.
enum Column { kOutcome, kDeferUntil, kFindings, kFindingOutcomes, kPatientMessages, kClinicianNotes, kConsentPermitted,
              kMissingRequired, kIssues, kToday, kProtocolId, kProtocolVersion, kProtocolDigest, kColumns };
// The names are the engine's (prescreen/result_table.hpp): its columns after `row`, in this order.
const py::object& column_name(int column) {
    static py::object* objects = [] {
        auto* made = new py::object[kColumns];
        const auto& names = result_table_columns();
        for (int c = 0; c < kColumns; ++c)
            made[c] = py::reinterpret_steal<py::object>(PyUnicode_InternFromString(names.at(c + 1).c_str()));
        return made;
    }();
    return objects[column];
}

// The result-table fields of one screening (prescreen.io.result_row's), from its record: a table of
// a million results never writes or parses their JSON. `put(column, value)` receives each field.
template <class Put>
void table_fields(const ScreeningResult& r, Put&& put) {
    const ScreeningContext& context = *r.context;
    const Protocol& p = context.protocol;
    ResultLists lists = result_lists(r.record, context);
    put(kOutcome, outcome_str(r.record.outcome()));
    const auto until = r.record.defer_until();
    put(kDeferUntil, until ? py::object(py::str(format_iso_date(*until))) : py::none());
    put(kFindings, std::move(lists.findings));
    put(kFindingOutcomes, std::move(lists.finding_outcomes));
    put(kPatientMessages, std::move(lists.patient_messages));
    put(kClinicianNotes, std::move(lists.clinician_notes));
    put(kConsentPermitted, py::bool_(r.record.consent_permitted()));
    put(kMissingRequired, std::move(lists.missing_required));
    put(kIssues, std::move(lists.issues));
    put(kToday, py::str(context.today_text));
    put(kProtocolId, py::str(p.id()));
    put(kProtocolVersion, py::str(p.version()));
    put(kProtocolDigest, py::str(p.digest()));
}

const json& field(const JsonResult& r, const char* key) {
    static const json null_value = nullptr;
    if (!r.value().is_object()) return null_value;
    auto it = r.value().find(key);
    return it == r.value().end() ? null_value : *it;
}

template <class T>
py::class_<T, JsonResult> result_class(py::module_& m, const char* name, const char* doc) {
    return py::class_<T, JsonResult>(m, name, doc);
}

py::list findings_of(const JsonResult& r) {
    py::list out;
    const json& list = field(r, "findings");
    if (list.is_array())
        for (const auto& f : list) out.append(py::cast(Finding(f)));
    return out;
}

py::list finding_ids(const JsonResult& r) {
    py::list out;
    const json& list = field(r, "findings");
    if (list.is_array())
        for (const auto& f : list) {
            if (f.is_object() && f.contains("rule")) out.append(to_python(f["rule"]));
            else if (f.is_string()) out.append(to_python(f));
        }
    return out;
}

}  // namespace

ResultLists result_lists(const ScreeningRecord& record, const ScreeningContext& context) {
    ResultLists lists;
    for (const auto& f : record.findings()) {
        const auto& strings = context.strings_of(f.rule);
        lists.findings.append(strings.id);
        lists.finding_outcomes.append(strings.outcome);
        lists.patient_messages.append(strings.message);
        lists.clinician_notes.append(strings.clinician_note);
    }
    for (int slot : record.missing_required()) lists.missing_required.append(context.item_id_str(slot));
    for (const auto& issue : record.issues()) lists.issues.append(py::str(issue.label()));
    return lists;
}

const py::object& ScreeningContext::item_id_str(int slot) const {
    if (item_strings.empty()) {
        item_strings.reserve(protocol.item_count());
        for (std::size_t i = 0; i < protocol.item_count(); ++i) item_strings.push_back(py::str(protocol.item_id(static_cast<int>(i))));
    }
    return item_strings[static_cast<std::size_t>(slot)];
}

const ScreeningContext::RuleStrings& ScreeningContext::strings_of(std::uint32_t rule) const {
    if (rule_strings.empty()) {
        rule_strings.reserve(protocol.rule_count());
        for (std::size_t r = 0; r < protocol.rule_count(); ++r)
            rule_strings.push_back({py::str(protocol.rule_id(r)), outcome_str(protocol.rule_outcome(r)),
                                    py::str(protocol.rule_message(r, locale)), py::str(protocol.rule_clinician_note(r, locale))});
    }
    return rule_strings[rule];
}

py::object wrap_screening(ScreeningRecord record, const std::shared_ptr<const ScreeningContext>& context) {
    if (record.error()) return py::cast(RowError(context->protocol.write(record)));
    return py::cast(ScreeningResult(std::move(record), context));
}

json ScreeningResult::write_tree() const {
    if (!context) return JsonResult::write_tree();
    return context->protocol.write(record);
}

std::string ScreeningResult::write_text() const {
    if (!context) return JsonResult::write_text();
    std::string text;
    context->protocol.write_text(record, text);
    return text;
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
    m.def("_result_from_json", [](const std::string& kind, std::string text) -> py::object {
        if (kind == "ScreeningResult") return py::cast(ScreeningResult(std::move(text), FromText{}));
        if (kind == "RowError") return py::cast(RowError(std::move(text), FromText{}));
        if (kind == "FormState") return py::cast(FormState(std::move(text), FromText{}));
        if (kind == "Finding") return py::cast(Finding(std::move(text), FromText{}));
        if (kind == "ConsentRecord") return py::cast(ConsentRecord(std::move(text), FromText{}));
        if (kind == "ConsentVerification") return py::cast(ConsentVerification(std::move(text), FromText{}));
        if (kind == "ConsentStatus") return py::cast(ConsentStatus(std::move(text), FromText{}));
        throw py::value_error("kind: not a result type: " + kind);
    }, py::arg("kind"), py::arg("text"), "Internal (unpickling): a result from its JSON text.");
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
        .def("__getitem__",
             [](const JsonResult& r, const std::string& key) {
                 if (!r.value().is_object() || !r.value().contains(key)) throw py::key_error(key);
                 return to_python(r.value()[key]);
             })
        .def("__contains__",
             [](const JsonResult& r, const std::string& key) { return r.value().is_object() && r.value().contains(key); })
        .def("keys",
             [](const JsonResult& r) {
                 py::list out;
                 if (r.value().is_object())
                     for (const auto& [k, v] : r.value().items()) out.append(k);
                 return out;
             },
             "Top-level keys of the JSON object.")
        .def("__eq__",
             [](const JsonResult& a, py::object other) -> py::object {
                 if (py::isinstance<JsonResult>(other)) {
                     return py::bool_(typeid(a) == typeid(other.cast<const JsonResult&>()) &&
                                      a.value() == other.cast<const JsonResult&>().value());
                 }
                 return py::reinterpret_borrow<py::object>(Py_NotImplemented);
             })
        .def("__hash__", [](const JsonResult& r) { return py::hash(py::str(r.value().dump())); })
        .def("__reduce__",
             [](py::object self) {
                 // Pickled as its JSON text: the copy reads its fields from the JSON, as results read back do.
                 return py::make_tuple(py::module_::import("prescreen._core").attr("_result_from_json"),
                                       py::make_tuple(py::type::of(self).attr("__name__"), self.cast<const JsonResult&>().text()));
             })
        .def("__repr__",
             [](py::object self) {
                 const auto& r = self.cast<const JsonResult&>();
                 std::string text = r.value().dump(-1, ' ', false, json::error_handler_t::replace);
                 if (text.size() > 200) text = text.substr(0, 197) + "...";
                 return std::string(py::str(py::type::of(self).attr("__name__"))) + "(" + text + ")";
             })
        .def("__getattr__", [](const JsonResult& r, const std::string& name) -> py::object {
            // Every top-level field is an attribute too (typed ones are defined on the subclasses).
            if (r.value().is_object()) {
                auto it = r.value().find(name);
                if (it != r.value().end()) return to_python(*it);
            }
            throw py::attribute_error(name);
        });

    result_class<FormState>(m, "FormState",
                            "Questionnaire state from Protocol.form(): visible items, missing required items, issues.")
        .def_property_readonly("visible", [](const FormState& r) { return to_python(field(r, "visible")); },
                               "Visible item ids in questionnaire order.")
        .def_property_readonly("missing_required",
                               [](const FormState& r) { return to_python(field(r, "missing_required")); },
                               "Visible required items without a valid answer.")
        .def_property_readonly("issues", [](const FormState& r) { return to_python(field(r, "issues")); },
                               "Invalid answers: dicts with item, code, path, message.")
        .def_property_readonly("ignored", [](const FormState& r) { return to_python(field(r, "ignored")); },
                               "Answered items that are not visible (their answers are not used).")
        .def_property_readonly("progress", [](const FormState& r) { return to_python(field(r, "progress")); },
                               "{answered, required, answered_required, percent}.")
        .def_property_readonly("complete", [](const FormState& r) { return to_python(field(r, "complete")); },
                               "No missing required items and no issues.")
        .def_property_readonly("protocol", [](const FormState& r) { return to_python(field(r, "protocol")); },
                               "{id, version, digest} of the protocol used.");

    result_class<ScreeningResult>(m, "ScreeningResult", "Outcome of Protocol.screen() for one answer set.")
        .def_property_readonly("ok", [](const ScreeningResult&) { return true; },
                               "True (a RowError in a batch has ok = False).")
        .def_property_readonly("outcome",
                               [](const ScreeningResult& r) {
                                   if (r.context) return outcome_str(r.record.outcome());
                                   return to_python(field(r, "outcome"));
                               },
                               "not_eligible | deferred | incomplete | refer | eligible_with_precautions | eligible.")
        .def_property_readonly("defer_until",
                               [](const ScreeningResult& r) -> py::object {
                                   if (!r.context) return to_date(field(r, "defer_until"));
                                   const auto d = r.record.defer_until();
                                   return d ? date_object(*d) : py::none();
                               },
                               "datetime.date treatment may start, or None (open-ended or not deferred).")
        .def_property_readonly("today",
                               [](const ScreeningResult& r) {
                                   return r.context ? date_object(r.record.today()) : to_date(field(r, "today"));
                               },
                               "The screening date (datetime.date).")
        .def_property_readonly("consent_permitted",
                               [](const ScreeningResult& r) -> py::object {
                                   if (r.context) return py::bool_(r.record.consent_permitted());
                                   return to_python(field(r, "consent_permitted"));
                               },
                               "The outcome allows consent to be recorded.")
        .def_property_readonly("findings", &findings_of, "Fired rules (Finding), in the pack's rule order.")
        .def_property_readonly("finding_ids",
                               [](const ScreeningResult& r) {
                                   if (!r.context) return finding_ids(r);
                                   py::list out;
                                   const auto& strings = *r.context;
                                   for (const auto& f : r.record.findings()) out.append(strings.strings_of(f.rule).id);
                                   return out;
                               },
                               "Rule ids of the findings.")
        .def_property_readonly("missing_required",
                               [](const ScreeningResult& r) { return to_python(field(r, "missing_required")); },
                               "Visible required items without a valid answer.")
        .def_property_readonly("issues", [](const ScreeningResult& r) { return to_python(field(r, "issues")); },
                               "Invalid answers (dicts with item, code, path, message).")
        .def_property_readonly("aftercare", [](const ScreeningResult& r) { return to_python(field(r, "aftercare")); },
                               "Aftercare instructions (dicts with id, phase, text).")
        .def_property_readonly("course", [](const ScreeningResult& r) { return to_python(field(r, "course")); },
                               "Course plan dict or None.")
        .def_property_readonly("protocol", [](const ScreeningResult& r) { return to_python(field(r, "protocol")); },
                               "{id, version, digest} of the protocol used.")
        .def_property_readonly("error", [](const ScreeningResult&) { return py::none(); }, "None (no error).")
        .def("_table_fields",
             [](const ScreeningResult& r) -> py::object {
                 if (!r.context) return py::none();
                 py::dict row;
                 table_fields(r, [&](int column, py::object value) { PyDict_SetItem(row.ptr(), column_name(column).ptr(), value.ptr()); });
                 return std::move(row);
             },
             "Internal (prescreen.io): the result-table fields of a batch result, read from its record; None\n"
             "for other results (their fields are read from to_dict()).");

    result_class<Finding>(m, "Finding", "One fired rule of a screening.")
        .def_property_readonly("rule", [](const Finding& r) { return to_python(field(r, "rule")); }, "Rule id.")
        .def_property_readonly("outcome", [](const Finding& r) { return to_python(field(r, "outcome")); },
                               "The rule's outcome.")
        .def_property_readonly("defer_until", [](const Finding& r) { return to_date(field(r, "defer_until")); },
                               "datetime.date or None.")
        .def_property_readonly("message", [](const Finding& r) { return to_python(field(r, "message")); },
                               "Plain-language message for the patient.")
        .def_property_readonly("clinician_note", [](const Finding& r) { return to_python(field(r, "clinician_note")); },
                               "Note for the practitioner.")
        .def_property_readonly("sources", [](const Finding& r) { return to_python(field(r, "sources")); },
                               "Source ids.")
        .def_property_readonly("trace", [](const Finding& r) { return to_python(field(r, "trace")); },
                               "{answers, parameters} the rule read.");

    result_class<RowError>(m, "RowError",
                           "In a batch, the result of a row that could not be screened: {\"error\": {code, path, message}}.")
        .def_property_readonly("ok", [](const RowError&) { return false; }, "False.")
        .def_property_readonly("outcome", [](const RowError&) { return py::none(); }, "None.")
        .def_property_readonly("error", [](const RowError& r) { return to_python(field(r, "error")); },
                               "{code, path, message}.")
        .def_property_readonly("code", [](const RowError& r) { return to_python(field(r, "error").value("code", "")); },
                               "Error code, e.g. malformed_json.")
        .def_property_readonly("path", [](const RowError& r) { return to_python(field(r, "error").value("path", "")); },
                               "JSON Pointer into the row.")
        .def_property_readonly("message",
                               [](const RowError& r) { return to_python(field(r, "error").value("message", "")); },
                               "What went wrong.");

    result_class<ConsentRecord>(m, "ConsentRecord",
                                "A canonical consent record (docs/consent.md). ``to_dict()`` is what you store.")
        .def_property_readonly("digest", [](const ConsentRecord& r) { return to_python(field(r, "digest")); },
                               "SHA-256 hex of the canonical record.")
        .def_property_readonly("valid_until", [](const ConsentRecord& r) { return to_date(field(r, "valid_until")); },
                               "datetime.date after which the consent has expired.")
        .def_property_readonly("signed_at", [](const ConsentRecord& r) { return to_python(field(r, "signed_at")); },
                               "ISO date-time of the signature.");

    result_class<ConsentVerification>(m, "ConsentVerification", "Result of verify_consent(): valid and problems.")
        .def_property_readonly("valid", [](const ConsentVerification& r) { return to_python(field(r, "valid")); },
                               "True when no problem was found.")
        .def_property_readonly("problems",
                               [](const ConsentVerification& r) { return to_python(field(r, "problems")); },
                               "Every problem found (dicts with code, path, message).")
        .def("__bool__", [](const ConsentVerification& r) { return field(r, "valid") == true; });

    result_class<ConsentStatus>(m, "ConsentStatus", "Result of consent_status().")
        .def_property_readonly("status", [](const ConsentStatus& r) { return to_python(field(r, "status")); },
                               "active | expired | withdrawn | superseded | not_yet_signed | invalid.")
        .def_property_readonly("valid_until", [](const ConsentStatus& r) { return to_date(field(r, "valid_until")); },
                               "datetime.date or None.")
        .def_property_readonly("problems", [](const ConsentStatus& r) { return to_python(field(r, "problems")); },
                               "Verification problems (when invalid).");
}

}  // namespace prescreen::python
