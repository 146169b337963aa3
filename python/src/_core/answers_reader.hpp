// Reading Python answers (plain dicts, DataFrame cells) straight into the engine's answer chunk
// (prescreen/answer_chunk.hpp), so batches screen without the GIL and without building json. What
// this reader does not take goes the json way (convert.hpp), which converts it or words the error.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "prescreen/answer_chunk.hpp"
#include "prescreen/table_column.hpp"

namespace prescreen::python {

namespace py = pybind11;
/// Item slots of the row keys met in a batch, by the key object. Rows usually share their key
/// strings (csv.DictReader, DataFrame.to_dict("records"), rows built by one piece of code), so
/// most keys are found by address without reading their text. The cache holds a reference to
/// every key it stores: no other string can take a cached address, and the key's UTF-8 text
/// (which entries view) lives as long as the batch. Destroyed with the GIL held.
class KeyCache {
public:
    struct Key {
        PyObject* object = nullptr;
        int slot = -1;
        std::string_view id;
        std::size_t member_bytes = 0;  // "id": and a comma, as compact JSON
    };
    KeyCache() : table_(kSize) {}
    KeyCache(const KeyCache&) = delete;
    KeyCache& operator=(const KeyCache&) = delete;
    ~KeyCache() {
        for (const Key& k : table_) Py_XDECREF(k.object);
    }
    const Key* find(PyObject* object) const {
        for (std::size_t i = position(object);; i = (i + 1) & (kSize - 1)) {
            const Key& k = table_[i];
            if (k.object == object) return &k;
            if (!k.object) return nullptr;
        }
    }
    /// False when full (at most half the table is used, so probes stay short).
    bool insert(PyObject* object, int slot, std::string_view id, std::size_t member_bytes) {
        if (used_ >= kSize / 2) return false;
        std::size_t i = position(object);
        while (table_[i].object) i = (i + 1) & (kSize - 1);
        Py_INCREF(object);
        table_[i] = Key{object, slot, id, member_bytes};
        ++used_;
        return true;
    }

private:
    static constexpr std::size_t kSize = 1024;  // room for 512 distinct key objects
    static std::size_t position(PyObject* object) {
        return (reinterpret_cast<std::uintptr_t>(object) >> 4) * 0x9E3779B97F4A7C15ull >> 54;  // top 10 bits
    }
    std::vector<Key> table_;
    std::size_t used_ = 0;
};

/// Append the answers of a plain dict (str keys; None, bool, 64-bit int, finite float, str, and
/// lists or tuples of those) to `chunk` as one row of entries. False, with nothing added, when the
/// row needs the json path, which converts it or words the error. `keys` (optional) finds keys
/// seen before by address.
bool read_dict_answers(PyObject* row, const Protocol& protocol, AnswerChunk& chunk, KeyCache* keys);

/// Row `row` of a DataFrame's columns (object cells read by prescreen._frame through the engine's
/// cell reader) as one row of entries; false, with nothing added, when a cell needs the json path.
bool read_frame_entries(const Protocol& protocol, const std::vector<TableColumn>& columns, std::size_t row, AnswerChunk& chunk);
/// The same row as a dict of its answered cells, for the json path.
py::dict frame_row(const std::vector<TableColumn>& columns, std::size_t row);

}  // namespace prescreen::python
