#include "table_columns.hpp"

#include <pybind11/numpy.h>

namespace prescreen::python {

namespace {

template <class T>
py::array_t<T> numpy_copy(const std::vector<T>& values) {
    py::array_t<T> out(static_cast<py::ssize_t>(values.size()));
    std::copy(values.begin(), values.end(), out.mutable_data());
    return out;
}

// A 1-D object array of `n` cells, None but where `fill(cells)` puts a new reference.
template <class Fill>
py::array object_array(std::size_t n, Fill&& fill) {
    static py::object* empty = new py::object(py::module_::import("numpy").attr("empty"));
    py::array out = (*empty)(n, py::arg("dtype") = "O");  // numpy.empty fills object arrays with None
    fill([cells = static_cast<PyObject**>(out.mutable_data())](std::size_t i, PyObject* value) {
        Py_XDECREF(cells[i]);
        cells[i] = value;
    });
    return out;
}

}  // namespace

py::dict table_columns(const ResultColumns& columns, const ScreeningContext& context) {
    py::dict out;
    out["outcome"] = numpy_copy(columns.outcome);
    out["defer_until"] = numpy_copy(columns.defer_until);
    out["consent_permitted"] = numpy_copy(columns.consent_permitted);
    out["today"] = numpy_copy(columns.today);
    out["findings"] = py::make_tuple(numpy_copy(columns.finding_offsets), numpy_copy(columns.finding_rules));
    out["missing_required"] = py::make_tuple(numpy_copy(columns.missing_offsets), numpy_copy(columns.missing_items));
    out["issues"] = py::make_tuple(numpy_copy(columns.issue_offsets), object_array(columns.issue_labels.size(), [&](auto put) {
        for (std::size_t i = 0; i < columns.issue_labels.size(); ++i) put(i, py::str(columns.issue_labels[i]).release().ptr());
    }));
    const char* error_columns[3] = {"error_code", "error_path", "error_message"};
    for (int c = 0; c < 3; ++c)
        out[error_columns[c]] = object_array(columns.rows(), [&](auto put) {
            for (const auto& e : columns.errors)
                put(e.row, py::str(c == 0 ? e.diagnostic.code : c == 1 ? e.diagnostic.path : e.diagnostic.message).release().ptr());
        });
    const Protocol& p = context.protocol;
    py::list ids, outcomes, messages, notes, items;
    for (std::uint32_t r = 0; r < p.rule_count(); ++r) {
        const auto& strings = context.strings_of(r);
        ids.append(strings.id);
        outcomes.append(strings.outcome);
        messages.append(strings.message);
        notes.append(strings.clinician_note);
    }
    for (std::size_t i = 0; i < p.item_count(); ++i) items.append(context.item_id_str(static_cast<int>(i)));
    out["strings"] = py::dict(py::arg("rule_ids") = ids, py::arg("rule_outcomes") = outcomes, py::arg("rule_messages") = messages,
                              py::arg("rule_notes") = notes, py::arg("item_ids") = items,
                              py::arg("protocol") = py::make_tuple(p.id(), p.version(), p.digest()));
    return out;
}

py::array object_lists(py::array_t<std::int32_t, py::array::c_style | py::array::forcecast> offsets,
                       py::array_t<std::int32_t, py::array::c_style | py::array::forcecast> codes, py::sequence names) {
    const auto n = offsets.size() > 0 ? static_cast<std::size_t>(offsets.size() - 1) : 0;
    const std::int32_t* off = offsets.data();
    const std::int32_t* code = codes.data();
    const auto count = static_cast<std::int32_t>(codes.size());
    std::vector<py::object> strings;
    for (py::handle name : names) {
        if (!PyUnicode_CheckExact(name.ptr())) throw py::type_error("names: expected str (the lists are left untracked)");
        strings.push_back(py::reinterpret_borrow<py::object>(name));
    }
    for (std::size_t i = 0; i < n; ++i)
        if (off[i] < 0 || off[i] > off[i + 1] || off[i + 1] > count) throw py::value_error("offsets: not increasing within the codes");
    for (std::int32_t k = 0; k < count; ++k)
        if (code[k] < 0 || static_cast<std::size_t>(code[k]) >= strings.size()) throw py::value_error("codes: index out of range");
    return object_array(n, [&](auto put) {
        for (std::size_t i = 0; i < n; ++i) {
            PyObject* list = PyList_New(off[i + 1] - off[i]);
            if (!list) throw py::error_already_set();
            for (std::int32_t k = off[i]; k < off[i + 1]; ++k)
                PyList_SET_ITEM(list, k - off[i], py::object(strings[static_cast<std::size_t>(code[k])]).release().ptr());
            // Untracked (as CPython untracks dicts of atomic values): a list of str is in no cycle, and the
            // collector would walk 1.2 million per 200,000 rows. A cycle made through one later leaks.
            PyObject_GC_UnTrack(list);
            put(i, list);
        }
    });
}

void register_table_columns(py::module_& m) {
    m.def("_object_lists", &object_lists, py::arg("offsets"), py::arg("codes"), py::arg("names"),
          "Internal (prescreen._table_columns): a flat list column (offsets, codes into names) as an object\n"
          "array of Python lists sharing the names' strings.");
}

}  // namespace prescreen::python
