// Table cells (CSV text, DataFrame columns) through the engine's one cell coercion
// (prescreen/cells.hpp), handed back as the Python values they mean: prescreen.io.read_csv and
// the DataFrame path both read their cells here, so they cannot disagree.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <optional>

#include "answers_reader.hpp"
#include "convert.hpp"
#include "prescreen/cells.hpp"

namespace prescreen::python {

namespace {

py::object borrowed(PyObject* o) { return py::reinterpret_borrow<py::object>(o); }

py::object text_object(std::string_view text) {
    return py::reinterpret_steal<py::object>(PyUnicode_FromStringAndSize(text.data(), static_cast<Py_ssize_t>(text.size())));
}

// One Python cell read as item `slot`'s answer. What the reader cannot take as a plain value (a
// date object, a dict, a lone surrogate...) is handed back unchanged, for the engine to judge.
py::object read_cell(const CellReader& reader, int slot, PyObject* cell, std::vector<AnswerValue>& parts) {
    using Type = AnswerValue::Type;
    if (is_missing(cell)) return py::none();
    AnswerValue in;
    std::vector<AnswerValue> elements;
    if (PyList_CheckExact(cell) || PyTuple_CheckExact(cell)) {
        const Py_ssize_t n = PySequence_Fast_GET_SIZE(cell);
        elements.resize(static_cast<std::size_t>(n));
        for (Py_ssize_t k = 0; k < n; ++k)  // not all text: the engine says which
            if (!scalar_answer(PySequence_Fast_GET_ITEM(cell, k), elements[k]) || elements[k].type != Type::String) return borrowed(cell);
        in.type = Type::Array;
        in.elements = elements.data();
        in.size = elements.size();
    } else if (!scalar_answer(cell, in)) {
        return borrowed(cell);
    }
    parts.clear();
    const AnswerValue out = reader.read(slot, in, parts);
    switch (out.type) {
        case Type::Null: return py::none();
        case Type::Bool: return py::bool_(out.boolean);
        case Type::Number:
            if (reader.is_integer(slot) && out.number == std::floor(out.number) && std::fabs(out.number) < 9.0e15)
                return py::int_(static_cast<long long>(out.number));
            if (in.type == Type::Number) return borrowed(cell);
            return py::float_(out.number);
        case Type::String:
            if (in.type == Type::String && out.text.size() == in.text.size()) return borrowed(cell);
            return text_object(out.text);
        case Type::Array: {
            py::list list;
            for (const AnswerValue& part : parts) list.append(text_object(part.text));
            return list;
        }
        default: return borrowed(cell);
    }
}

// One CSV row (a list of str) as an answers dict: item columns read as cells, other named columns
// (metadata) kept as text, columns named None left out; empty cells are unanswered and left out.
class CellRow {
public:
    CellRow(const Protocol& protocol, const std::vector<std::optional<std::string>>& columns) : reader_(protocol) {
        for (const auto& name : columns) {
            names_.push_back(name ? py::object(py::str(*name)) : py::object(py::none()));
            slots_.push_back(name ? protocol.find_item(*name) : -1);
        }
    }
    py::dict operator()(py::list cells) {
        if (static_cast<std::size_t>(cells.size()) != names_.size())
            throw py::value_error("cells: " + std::to_string(cells.size()) + " cells, the header has " + std::to_string(names_.size()));
        py::dict row;
        for (std::size_t c = 0; c < names_.size(); ++c) {
            if (names_[c].is_none()) continue;
            PyObject* cell = PyList_GET_ITEM(cells.ptr(), static_cast<Py_ssize_t>(c));
            if (PyUnicode_Check(cell) && PyUnicode_GET_LENGTH(cell) == 0) continue;
            py::object value = slots_[c] >= 0 ? read_cell(reader_, slots_[c], cell, parts_) : borrowed(cell);
            if (!value.is_none()) PyDict_SetItem(row.ptr(), names_[c].ptr(), value.ptr());
        }
        return row;
    }

private:
    CellReader reader_;
    std::vector<py::object> names_;
    std::vector<int> slots_;
    std::vector<AnswerValue> parts_;
};

// A DataFrame column (1-D numpy object array) read as item `id`'s cells into `out` (same length).
void read_cell_column(const Protocol& protocol, const std::string& id, py::array values, py::array out) {
    const int slot = protocol.find_item(id);
    if (slot < 0) throw py::value_error("id: the pack has no item '" + id + "'");
    if (values.ndim() != 1 || out.ndim() != 1 || values.shape(0) != out.shape(0) || values.dtype().kind() != 'O' ||
        out.dtype().kind() != 'O')
        throw py::value_error("values, out: expected two 1-D object arrays of one length");
    const CellReader reader(protocol);
    std::vector<AnswerValue> parts;
    const char* in = static_cast<const char*>(values.data());
    char* target = static_cast<char*>(out.mutable_data());
    for (py::ssize_t i = 0; i < values.shape(0); ++i) {
        PyObject* cell = *reinterpret_cast<PyObject* const*>(in + i * values.strides(0));
        PyObject*& slot_ref = *reinterpret_cast<PyObject**>(target + i * out.strides(0));
        PyObject* value = read_cell(reader, slot, cell, parts).release().ptr();
        Py_XDECREF(slot_ref);
        slot_ref = value;
    }
}

}  // namespace

}  // namespace prescreen::python

void register_cells(pybind11::module_& m) {
    using namespace prescreen::python;
    using prescreen::nearest_item_id;
    py::class_<CellRow>(m, "_CellRow", "Internal (prescreen.io.read_csv): one CSV row as answers, by the engine's cell reader.")
        .def(py::init<const prescreen::Protocol&, const std::vector<std::optional<std::string>>&>(), py::arg("protocol"), py::arg("columns"))
        .def("__call__", &CellRow::operator(), py::arg("cells"));
    m.def("_read_cell_column", &read_cell_column, py::arg("protocol"), py::arg("id"), py::arg("values"), py::arg("out"),
          "Internal (DataFrame input): a column's cells read as item `id`'s answers, into `out`.");
    m.def("_nearest_item", &nearest_item_id, py::arg("protocol"), py::arg("name"),
          "The item id nearest to a column name ('' when none is close), for 'did you mean'.");
}
