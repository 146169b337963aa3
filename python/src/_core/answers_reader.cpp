#include "answers_reader.hpp"

#include <pybind11/numpy.h>

#include <cmath>

#include "convert.hpp"
#include "prescreen/json_size.hpp"

namespace prescreen::python {

namespace {

// What a row has added to the chunk so far, to drop it again when the row needs the json path.
struct RowMark {
    AnswerEntries& chunk;
    std::size_t entries, arrays, elements;
    explicit RowMark(AnswerEntries& c) : chunk(c), entries(c.entries.size()), arrays(c.arrays.size()), elements(c.elements.size()) {}
    bool give_up() const {
        chunk.entries.resize(entries);
        chunk.arrays.resize(arrays);
        chunk.elements.resize(elements);
        return false;
    }
};

// The answers' bytes as compact JSON text, counted down from Limits::max_answers_bytes while a row
// is read: a row over the limit stops here (false), before its memory is spent, and the json path
// words the document_too_large error.
struct ByteBudget {
    std::size_t left;
    bool spend(std::size_t bytes) {
        if (bytes > left) return false;
        left -= bytes;
        return true;
    }
};

std::size_t value_bytes(const AnswerValue& in) {
    using Type = AnswerValue::Type;
    switch (in.type) {
        case Type::Null: return json_null_bytes;
        case Type::Bool: return json_bool_bytes(in.boolean);
        case Type::Number: return json_number_bytes(in.number);
        case Type::String: return json_string_bytes(in.text);
        default: return 0;  // arrays pay per element as they are read
    }
}

// One Python answer as an AnswerInput for the fast path: None, bool, a 64-bit int, a finite float,
// a str (copied into the chunk: workers read it without the GIL while other Python threads may
// change the row), and when `lists` a list or tuple of those. False: the value needs the json path,
// which converts it or words the error (lone surrogates, NaN, big ints, dates, subclasses...).
bool read_value(PyObject* o, AnswerEntries& chunk, AnswerValue& in, bool lists, ByteBudget& budget) {
    using Type = AnswerValue::Type;
    if (o == Py_None) {
        in.type = Type::Null;
        return true;
    }
    if (o == Py_True || o == Py_False) {
        in.type = Type::Bool;
        in.boolean = o == Py_True;
        return true;
    }
    if (PyUnicode_CheckExact(o)) {
        Py_ssize_t size = 0;
        const char* data = PyUnicode_AsUTF8AndSize(o, &size);
        if (!data) { PyErr_Clear(); return false; }
        in.type = Type::String;
        in.text = chunk.bytes.copy(data, static_cast<std::size_t>(size));
        return true;
    }
    if (PyLong_CheckExact(o)) {
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (overflow != 0 || (v == -1 && PyErr_Occurred())) { PyErr_Clear(); return false; }
        in.type = Type::Number;
        in.number = static_cast<double>(v);  // as json::get<double>() reads an int64
        return true;
    }
    if (PyFloat_CheckExact(o)) {
        in.type = Type::Number;
        in.number = PyFloat_AS_DOUBLE(o);
        return std::isfinite(in.number);
    }
    if (lists && (PyList_CheckExact(o) || PyTuple_CheckExact(o))) {
        const Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
        PyObject** items = PySequence_Fast_ITEMS(o);
        // [], commas, and at least a byte per element: a list far over the limit stops before it is read.
        if (!budget.spend(1 + 2 * static_cast<std::size_t>(n))) return false;
        budget.left += static_cast<std::size_t>(n);  // each element pays its own bytes
        in.type = Type::Array;
        in.size = static_cast<std::size_t>(n);
        chunk.arrays.push_back({chunk.entries.size(), chunk.elements.size()});  // the entry is pushed next
        for (Py_ssize_t k = 0; k < n; ++k) {
            AnswerValue element;
            if (!read_value(items[k], chunk, element, false, budget) || !budget.spend(value_bytes(element))) return false;
            if (element.type != Type::String) {  // only strings can be choices
                element = AnswerValue{};
                element.type = Type::Other;
            }
            chunk.elements.push_back(element);
        }
        return true;
    }
    return false;
}

// Row `row`'s cell of a column; null for a coded column's unanswered row.
const char* cell_at(const ColumnView& v, std::size_t row) {
    if (!v.codes) return v.data + static_cast<std::ptrdiff_t>(row) * v.stride;
    const std::int64_t code = *reinterpret_cast<const std::int64_t*>(v.codes + static_cast<std::ptrdiff_t>(row) * v.codes_stride);
    return code < 0 ? nullptr : v.data + static_cast<std::ptrdiff_t>(code) * v.stride;
}

double float_cell(const ColumnView& v, const char* cell) {
    return v.itemsize == 4 ? static_cast<double>(*reinterpret_cast<const float*>(cell)) : *reinterpret_cast<const double*>(cell);
}

std::int64_t int_cell(const ColumnView& v, const char* cell) {
    switch (v.itemsize) {
        case 1: return *reinterpret_cast<const std::int8_t*>(cell);
        case 2: return *reinterpret_cast<const std::int16_t*>(cell);
        case 4: return *reinterpret_cast<const std::int32_t*>(cell);
        default: return *reinterpret_cast<const std::int64_t*>(cell);
    }
}

std::uint64_t uint_cell(const ColumnView& v, const char* cell) {
    switch (v.itemsize) {
        case 1: return *reinterpret_cast<const std::uint8_t*>(cell);
        case 2: return *reinterpret_cast<const std::uint16_t*>(cell);
        case 4: return *reinterpret_cast<const std::uint32_t*>(cell);
        default: return *reinterpret_cast<const std::uint64_t*>(cell);
    }
}

}  // namespace

bool read_dict_answers(PyObject* row, const Protocol& p, AnswerEntries& out, KeyCache* keys) {
    if (!PyDict_CheckExact(row) || p.limits().max_nesting_depth < 2) return false;
    const RowMark mark(out);
    ByteBudget budget{p.limits().max_answers_bytes};
    if (!budget.spend(1)) return false;  // { (each key pays its comma or the closing brace)
    PyObject *key = nullptr, *value = nullptr;
    Py_ssize_t pos = 0;
    while (PyDict_Next(row, &pos, &key, &value)) {
        AnswerEntry entry;
        std::size_t member_bytes = 0;  // "id": and , or }
        if (const KeyCache::Key* known = keys ? keys->find(key) : nullptr) {
            entry.slot = known->slot;
            entry.id = known->id;
            member_bytes = known->member_bytes;
        } else {
            if (!PyUnicode_CheckExact(key)) return mark.give_up();
            Py_ssize_t size = 0;
            const char* data = PyUnicode_AsUTF8AndSize(key, &size);
            if (!data) { PyErr_Clear(); return mark.give_up(); }
            const std::string_view text(data, static_cast<std::size_t>(size));
            entry.slot = p.find_item(text);
            entry.id = entry.slot >= 0 ? std::string_view(p.item_id(entry.slot)) : text;
            member_bytes = json_string_bytes(entry.id) + 2;
            // Not cached: the key may go with the row, so the entry keeps a copy of an unknown id.
            if (!(keys && keys->insert(key, entry.slot, entry.id, member_bytes)) && entry.slot < 0)
                entry.id = out.bytes.copy(data, text.size());
        }
        if (!budget.spend(member_bytes)) return mark.give_up();
        if (!read_value(value, out, entry.value, true, budget) || !budget.spend(value_bytes(entry.value))) return mark.give_up();
        out.entries.push_back(entry);
    }
    return true;
}

bool read_frame_entries(const Protocol& p, const FrameColumns& f, const std::vector<ColumnView>& views, std::size_t row,
                        AnswerEntries& chunk) {
    using Type = AnswerValue::Type;
    if (p.limits().max_nesting_depth < 2) return false;
    const RowMark mark(chunk);
    ByteBudget budget{p.limits().max_answers_bytes};
    if (!budget.spend(1)) return false;  // {
    for (std::size_t c = 0; c < views.size(); ++c) {
        const ColumnView& v = views[c];
        const char* cell = cell_at(v, row);
        if (!cell) continue;  // unanswered
        AnswerEntry entry;
        entry.slot = v.slot;
        entry.id = v.id;
        AnswerValue& in = entry.value;
        switch (v.kind) {
            case 'f': {
                const double d = float_cell(v, cell);
                if (std::isnan(d)) continue;  // unanswered
                if (std::isinf(d)) return mark.give_up();
                in.type = Type::Number;
                in.number = d;
                break;
            }
            case 'i': in.type = Type::Number; in.number = static_cast<double>(int_cell(v, cell)); break;
            case 'u': in.type = Type::Number; in.number = static_cast<double>(uint_cell(v, cell)); break;
            case 'b': in.type = Type::Bool; in.boolean = *reinterpret_cast<const bool*>(cell); break;
            default: {
                PyObject* o = *reinterpret_cast<PyObject* const*>(cell);
                if (is_missing(o)) continue;
                // Cells were read by the engine's cell reader (prescreen._frame): "a;b" is a list already.
                if (!read_value(o, chunk, in, true, budget)) return mark.give_up();
            }
        }
        if (!budget.spend(v.member_bytes + value_bytes(entry.value))) return mark.give_up();
        chunk.entries.push_back(entry);
    }
    return true;
}

bool read_frame_json(const Protocol& p, const FrameColumns& f, const std::vector<ColumnView>& views, std::size_t row,
                     json& answers, Diagnostic& failure) {
    answers = json::object();
    std::size_t left = 0;
    const ToJsonOptions cell_options = answer_options(p, left, /*missing_is_null=*/true);
    const auto too_large = [&] {
        failure = python::too_large(cell_options.max_bytes).diagnostic();
        return false;
    };
    if (left < 1) return too_large();
    left -= 1;  // {
    for (std::size_t c = 0; c < views.size(); ++c) {
        const ColumnView& v = views[c];
        const std::string& id = f.ids[c];
        const char* cell = cell_at(v, row);
        if (!cell) continue;  // unanswered
        json* value = nullptr;  // the cell's answer once it is one
        switch (v.kind) {
            case 'f': {
                const double d = float_cell(v, cell);
                if (std::isnan(d)) break;  // unanswered
                if (std::isinf(d)) {
                    failure = {"not_finite", "/" + json_pointer_token(id), "row['" + id + "']: infinity is not a JSON number"};
                    return false;
                }
                value = &(answers[id] = d);  // a whole number is an integer to the engine
                break;
            }
            case 'i': value = &(answers[id] = int_cell(v, cell)); break;
            case 'u': value = &(answers[id] = uint_cell(v, cell)); break;
            case 'b': value = &(answers[id] = *reinterpret_cast<const bool*>(cell)); break;
            default: {
                PyObject* o = *reinterpret_cast<PyObject* const*>(cell);
                if (is_missing(o)) break;
                ConversionError error;
                json converted;
                const std::size_t before = left;
                if (!to_json(o, converted, error, cell_options)) {
                    if (error.code != "document_too_large")
                        error.segments.insert(error.segments.begin(), ConversionError::Segment{false, 0, id});
                    failure = {error.code, error.pointer(), error.python_path("row") + ": " + error.message};
                    return false;
                }
                left = before;  // counted again below, with the other cells
                if (!converted.is_null()) value = &(answers[id] = std::move(converted));
            }
        }
        if (value) {  // "id":value and , or }
            const std::size_t bytes = json_string_bytes(id) + 2 + value->dump().size();
            if (bytes > left) return too_large();
            left -= bytes;
        }
    }
    return true;
}

std::vector<ColumnView> column_views(const Protocol& p, const FrameColumns& f) {
    std::vector<ColumnView> views;
    for (std::size_t c = 0; c < f.arrays.size(); ++c) {
        py::array arr = py::reinterpret_borrow<py::array>(f.arrays[c]);
        ColumnView v;
        v.kind = arr.dtype().kind();
        v.itemsize = static_cast<std::size_t>(arr.itemsize());
        v.data = static_cast<const char*>(arr.data());
        v.stride = arr.strides(0);
        if (c < f.codes.size() && !f.codes[c].is_none()) {
            py::array codes = py::reinterpret_borrow<py::array>(f.codes[c]);
            v.codes = static_cast<const char*>(codes.data());
            v.codes_stride = codes.strides(0);
        }
        v.slot = p.find_item(f.ids[c]);
        v.id = v.slot >= 0 ? std::string_view(p.item_id(v.slot)) : std::string_view(f.ids[c]);
        v.member_bytes = json_string_bytes(v.id) + 2;
        views.push_back(v);
    }
    return views;
}

}  // namespace prescreen::python
