#include "answers_reader.hpp"

#include <cmath>

#include "convert.hpp"
#include "prescreen/json_size.hpp"

namespace prescreen::python {

bool scalar_answer(PyObject* o, AnswerValue& in) {
    using Type = AnswerValue::Type;
    in = AnswerValue{};
    if (o == Py_None) return true;
    if (o == Py_True || o == Py_False) {
        in.type = Type::Bool;
        in.boolean = o == Py_True;
        return true;
    }
    if (PyUnicode_CheckExact(o)) {
        Py_ssize_t size = 0;
        const char* data = PyUnicode_AsUTF8AndSize(o, &size);
        if (!data) return PyErr_Clear(), false;
        in.type = Type::String;
        in.text = std::string_view(data, static_cast<std::size_t>(size));
        return true;
    }
    if (PyLong_CheckExact(o)) {
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (overflow != 0 || (v == -1 && PyErr_Occurred())) return PyErr_Clear(), false;
        in.type = Type::Number;
        in.number = static_cast<double>(v);  // as json::get<double>() reads an int64
        return true;
    }
    if (!PyFloat_CheckExact(o)) return false;
    in.type = Type::Number;
    in.number = PyFloat_AS_DOUBLE(o);
    return true;
}

namespace {

// One Python answer for the fast path: a scalar_answer with a finite number and its text copied
// (workers read it without the GIL while other Python threads may change the row), and when
// `lists` a list or tuple of those. False: the value needs the json path, which converts it or
// words the error (NaN, dates, subclasses...).
bool read_value(PyObject* o, AnswerChunk& chunk, AnswerValue& in, bool lists) {
    if (scalar_answer(o, in)) {
        if (in.type == AnswerValue::Type::String) in.text = chunk.copy(in.text);
        return in.type != AnswerValue::Type::Number || std::isfinite(in.number);
    }
    if (!lists || !(PyList_CheckExact(o) || PyTuple_CheckExact(o))) return false;
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    PyObject** items = PySequence_Fast_ITEMS(o);
    if (!chunk.begin_list(static_cast<std::size_t>(n), in)) return false;
    AnswerValue element;
    for (Py_ssize_t k = 0; k < n; ++k)
        if (!read_value(items[k], chunk, element, false) || !chunk.element(element)) return false;
    return true;
}

}  // namespace

bool read_dict_answers(PyObject* row, const Protocol& p, AnswerChunk& chunk, RowKeys* keys) {
    if (!PyDict_CheckExact(row) || !chunk.begin_row(p.limits())) return false;
    PyObject *key = nullptr, *value = nullptr;
    Py_ssize_t pos = 0;
    while (PyDict_Next(row, &pos, &key, &value)) {
        AnswerEntry& entry = chunk.open_entry();
        std::size_t member_bytes = 0;  // "id": and , or }
        if (const KeyCache::Key* known = keys ? keys->cache.find(key) : nullptr) {
            entry.slot = known->slot;
            entry.id = known->id;
            member_bytes = known->member_bytes;
        } else {
            Py_ssize_t size = 0;
            const char* data = PyUnicode_CheckExact(key) ? PyUnicode_AsUTF8AndSize(key, &size) : nullptr;
            if (!data) return PyErr_Clear(), chunk.drop_row();
            const std::string_view text(data, static_cast<std::size_t>(size));
            entry.slot = p.find_item(text);
            entry.id = entry.slot >= 0 ? std::string_view(p.item_id(entry.slot)) : text;
            member_bytes = json_string_bytes(entry.id) + 2;
            // Not cached: the key may go with the row, so the entry keeps a copy of an unknown id.
            if (keys && keys->cache.insert(key, entry.slot, entry.id, member_bytes)) keys->held.append(py::handle(key));
            else if (entry.slot < 0) entry.id = chunk.copy(text);
        }
        if (!read_value(value, chunk, entry.value, true) || !chunk.keep_entry(member_bytes)) return chunk.drop_row();
    }
    chunk.end_row();
    return true;
}

bool read_frame_entries(const Protocol& p, const std::vector<TableColumn>& columns, std::size_t row, AnswerChunk& chunk) {
    if (!chunk.begin_row(p.limits())) return false;
    for (const TableColumn& column : columns) {
        AnswerEntry& entry = chunk.open_entry();
        entry.id = column.id;
        entry.slot = column.slot;
        const void* object = nullptr;
        switch (column.read(row, entry.value, object)) {
            case TableColumn::Cell::Unanswered: chunk.drop_entry(); continue;
            case TableColumn::Cell::NotFinite: return chunk.drop_row();
            case TableColumn::Cell::Object:
                if (is_missing(static_cast<PyObject*>(const_cast<void*>(object)))) {
                    chunk.drop_entry();
                    continue;
                }
                // Cells were read by the engine's cell reader (prescreen._frame): "a;b" is a list already.
                if (!read_value(static_cast<PyObject*>(const_cast<void*>(object)), chunk, entry.value, true)) return chunk.drop_row();
                break;
            case TableColumn::Cell::Answer: break;
        }
        if (!chunk.keep_entry(column.member_bytes)) return chunk.drop_row();
    }
    chunk.end_row();
    return true;
}

py::dict frame_row(const std::vector<TableColumn>& columns, std::size_t row) {
    py::dict out;
    for (const TableColumn& column : columns) {
        AnswerValue value;
        const void* object = nullptr;
        py::object cell;
        switch (column.read(row, value, object)) {
            case TableColumn::Cell::Unanswered: continue;
            case TableColumn::Cell::Object:
                cell = py::reinterpret_borrow<py::object>(static_cast<PyObject*>(const_cast<void*>(object)));
                if (is_missing(cell.ptr())) continue;
                break;
            default:
                if (value.type == AnswerValue::Type::Bool) cell = py::bool_(value.boolean);
                else if (column.kind == 'f') cell = py::float_(value.number);
                else cell = py::reinterpret_steal<py::object>(PyLong_FromDouble(value.number));
        }
        out[py::str(column.id.data(), column.id.size())] = cell;
    }
    return out;
}

}  // namespace prescreen::python
