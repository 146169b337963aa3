#include "table_columns.hpp"

#include <limits>

#include "prescreen/date.hpp"

namespace prescreen::python {

namespace {

constexpr std::int64_t kNoDate = std::numeric_limits<std::int64_t>::min();  // numpy's NaT

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

// A 1-D object array of `n` cells, None but where `fill` puts a str.
template <class Fill>
py::array object_array(std::size_t n, Fill&& fill) {
    static py::object* empty = new py::object(py::module_::import("numpy").attr("empty"));
    py::array out = (*empty)(n, py::arg("dtype") = "O");  // numpy.empty fills object arrays with None
    auto** cells = static_cast<PyObject**>(out.mutable_data());
    fill([&](std::size_t i, const std::string& text) {
        Py_XDECREF(cells[i]);
        cells[i] = py::str(text).release().ptr();
    });
    return out;
}

std::int32_t size32(std::size_t n) { return static_cast<std::int32_t>(n); }

}  // namespace

TableColumns::TableColumns(std::size_t rows_hint) {
    outcome_.reserve(rows_hint);
    consent_.reserve(rows_hint);
    defer_until_.reserve(rows_hint);
    today_.reserve(rows_hint);
    finding_offsets_.reserve(rows_hint + 1);
    missing_offsets_.reserve(rows_hint + 1);
    issue_offsets_.reserve(rows_hint + 1);
}

void TableColumns::add(const ScreeningRecord& record, const ScreeningContext&) {
    if (const Diagnostic* error = record.error()) {
        errors_.push_back({outcome_.size(), error->code, error->path, error->message});
        outcome_.push_back(-1);
        consent_.push_back(-1);
        defer_until_.push_back(kNoDate);
        today_.push_back(kNoDate);
    } else {
        outcome_.push_back(outcome_code(record.outcome()));
        consent_.push_back(record.consent_permitted() ? 1 : 0);
        const auto until = record.defer_until();
        defer_until_.push_back(until ? days_since_1970(*until) : kNoDate);
        today_.push_back(days_since_1970(record.today()));
        for (const auto& f : record.findings()) finding_rules_.push_back(static_cast<std::int32_t>(f.rule));
        for (int slot : record.missing_required()) missing_items_.push_back(slot);
        for (const auto& issue : record.issues()) issue_labels_.push_back(issue.label());
    }
    finding_offsets_.push_back(size32(finding_rules_.size()));
    missing_offsets_.push_back(size32(missing_items_.size()));
    issue_offsets_.push_back(size32(issue_labels_.size()));
}

py::dict TableColumns::finish(const ScreeningContext& context) {
    py::dict out;
    out["outcome"] = numpy_copy(outcome_);
    out["defer_until"] = numpy_copy(defer_until_);
    out["consent_permitted"] = numpy_copy(consent_);
    out["today"] = numpy_copy(today_);
    out["findings"] = py::make_tuple(numpy_copy(finding_offsets_), numpy_copy(finding_rules_));
    out["missing_required"] = py::make_tuple(numpy_copy(missing_offsets_), numpy_copy(missing_items_));
    out["issues"] = py::make_tuple(numpy_copy(issue_offsets_), object_array(issue_labels_.size(), [&](auto put) {
        for (std::size_t i = 0; i < issue_labels_.size(); ++i) put(i, issue_labels_[i]);
    }));
    const char* error_columns[3] = {"error_code", "error_path", "error_message"};
    for (int c = 0; c < 3; ++c)
        out[error_columns[c]] = object_array(outcome_.size(), [&](auto put) {
            for (const auto& e : errors_) put(e.row, c == 0 ? e.code : c == 1 ? e.path : e.message);
        });
    const Protocol& p = context.protocol;
    py::list ids, outcomes, messages, notes, items;
    for (std::size_t r = 0; r < p.rule_count(); ++r) {
        const auto& strings = context.strings_of(static_cast<std::uint32_t>(r));
        ids.append(strings.id);
        outcomes.append(strings.outcome);
        messages.append(strings.message);
        notes.append(strings.clinician_note);
    }
    for (std::size_t i = 0; i < p.item_count(); ++i) items.append(context.item_id_str(static_cast<int>(i)));
    py::dict strings;
    strings["rule_ids"] = ids;
    strings["rule_outcomes"] = outcomes;
    strings["rule_messages"] = messages;
    strings["rule_notes"] = notes;
    strings["item_ids"] = items;
    strings["protocol"] = py::make_tuple(p.id(), p.version(), p.digest());
    out["strings"] = strings;
    return out;
}

py::array object_lists(py::array_t<std::int32_t, py::array::c_style | py::array::forcecast> offsets,
                       py::array_t<std::int32_t, py::array::c_style | py::array::forcecast> codes, py::sequence names) {
    const auto n = offsets.size() > 0 ? static_cast<std::size_t>(offsets.size() - 1) : 0;
    const std::int32_t* off = offsets.data();
    const std::int32_t* code = codes.data();
    const auto count = static_cast<std::int32_t>(codes.size());
    std::vector<py::object> strings;
    strings.reserve(static_cast<std::size_t>(py::len(names)));
    for (py::handle name : names) strings.push_back(py::reinterpret_borrow<py::object>(name));
    for (std::size_t i = 0; i < n; ++i)
        if (off[i] < 0 || off[i] > off[i + 1] || off[i + 1] > count) throw py::value_error("offsets: not increasing within the codes");
    for (std::int32_t k = 0; k < count; ++k)
        if (code[k] < 0 || static_cast<std::size_t>(code[k]) >= strings.size()) throw py::value_error("codes: index out of range");
    static py::object* empty = new py::object(py::module_::import("numpy").attr("empty"));
    py::array out = (*empty)(n, py::arg("dtype") = "O");  // filled with None
    auto** cells = static_cast<PyObject**>(out.mutable_data());
    for (std::size_t i = 0; i < n; ++i) {
        PyObject* list = PyList_New(off[i + 1] - off[i]);
        if (!list) throw py::error_already_set();
        for (std::int32_t k = off[i]; k < off[i + 1]; ++k) {
            PyObject* s = strings[static_cast<std::size_t>(code[k])].ptr();
            Py_INCREF(s);
            PyList_SET_ITEM(list, k - off[i], s);
        }
        Py_XDECREF(cells[i]);
        cells[i] = list;
    }
    return out;
}

void register_table_columns(py::module_& m) {
    m.def("_object_lists", &object_lists, py::arg("offsets"), py::arg("codes"), py::arg("names"),
          "Internal (prescreen._table_columns): a flat list column (offsets, codes into names) as an object\n"
          "array of Python lists sharing the names' strings.");
}

}  // namespace prescreen::python

