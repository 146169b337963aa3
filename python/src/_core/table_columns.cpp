#include "table_columns.hpp"

#include <limits>

#include "prescreen/date.hpp"

namespace prescreen::python {

namespace {

constexpr std::int64_t kNoDate = std::numeric_limits<std::int64_t>::min();  // numpy's NaT

// The object columns, in the result table's order (prescreen/result_table.hpp).
constexpr const char* kObjectColumns[12] = {"findings", "finding_outcomes", "patient_messages", "clinician_notes",
                                            "missing_required", "issues", "protocol_id", "protocol_version",
                                            "protocol_digest", "error_code", "error_path", "error_message"};
enum { kFindings, kFindingOutcomes, kPatientMessages, kClinicianNotes, kMissingRequired, kIssues, kProtocolId,
       kProtocolVersion, kProtocolDigest, kErrorCode, kErrorPath, kErrorMessage };

std::int8_t outcome_code(Outcome outcome) {
    const auto& order = outcomes_strictest_first();
    for (std::size_t i = 0; i < order.size(); ++i)
        if (order[i] == outcome) return static_cast<std::int8_t>(i);
    return -1;
}

template <class T>
py::array_t<T> numpy_copy(const std::vector<T>& values) {
    py::array_t<T> out(static_cast<py::ssize_t>(values.size()));
    if (!values.empty()) std::copy(values.begin(), values.end(), out.mutable_data());
    return out;
}

py::array object_array(std::vector<py::object>& values) {
    static py::object* empty = new py::object(py::module_::import("numpy").attr("empty"));
    py::array out = (*empty)(values.size(), py::arg("dtype") = "O");
    auto** cells = static_cast<PyObject**>(out.mutable_data());
    for (std::size_t i = 0; i < values.size(); ++i) {
        Py_XDECREF(cells[i]);  // numpy.empty fills object arrays with None
        cells[i] = values[i].release().ptr();
    }
    values.clear();
    return out;
}

}  // namespace

TableColumns::TableColumns(std::size_t rows_hint) {
    outcome_.reserve(rows_hint);
    consent_.reserve(rows_hint);
    defer_until_.reserve(rows_hint);
    today_.reserve(rows_hint);
    for (auto& column : objects_) column.reserve(rows_hint);
}

void TableColumns::add(const ScreeningRecord& record, const ScreeningContext& context) {
    if (const Diagnostic* error = record.error()) {
        outcome_.push_back(-1);
        consent_.push_back(-1);
        defer_until_.push_back(kNoDate);
        today_.push_back(kNoDate);
        for (int c = kFindings; c <= kIssues; ++c) objects_[c].push_back(py::list());
        for (int c = kProtocolId; c <= kProtocolDigest; ++c) objects_[c].push_back(py::none());
        objects_[kErrorCode].push_back(py::str(error->code));
        objects_[kErrorPath].push_back(py::str(error->path));
        objects_[kErrorMessage].push_back(py::str(error->message));
        return;
    }
    if (context.protocol_strings.empty())
        context.protocol_strings = {py::str(context.protocol.id()), py::str(context.protocol.version()),
                                    py::str(context.protocol.digest())};
    outcome_.push_back(outcome_code(record.outcome()));
    consent_.push_back(record.consent_permitted() ? 1 : 0);
    const auto until = record.defer_until();
    defer_until_.push_back(until ? days_since_1970(*until) : kNoDate);
    today_.push_back(days_since_1970(record.today()));
    ResultLists lists = result_lists(record, context);
    objects_[kFindings].push_back(std::move(lists.findings));
    objects_[kFindingOutcomes].push_back(std::move(lists.finding_outcomes));
    objects_[kPatientMessages].push_back(std::move(lists.patient_messages));
    objects_[kClinicianNotes].push_back(std::move(lists.clinician_notes));
    objects_[kMissingRequired].push_back(std::move(lists.missing_required));
    objects_[kIssues].push_back(std::move(lists.issues));
    for (int c = 0; c < 3; ++c) objects_[kProtocolId + c].push_back(context.protocol_strings[c]);
    for (int c = kErrorCode; c <= kErrorMessage; ++c) objects_[c].push_back(py::none());
}

py::dict TableColumns::finish() {
    py::dict out;
    out["outcome"] = numpy_copy(outcome_);
    out["defer_until"] = numpy_copy(defer_until_);
    out["consent_permitted"] = numpy_copy(consent_);
    out["today"] = numpy_copy(today_);
    for (int c = 0; c < 12; ++c) out[kObjectColumns[c]] = object_array(objects_[c]);
    return out;
}

}  // namespace prescreen::python
