// Reading Python answers (plain dicts, DataFrame cells) straight into the engine's answer entries
// (prescreen/screening.hpp), so batches screen without the GIL and without building json. What
// this reader does not know goes the json way (convert.hpp), which converts it or words the error.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prescreen/screening.hpp"

namespace prescreen::python {

namespace py = pybind11;
using json = nlohmann::json;

/// Storage for copied text that never moves (views into it stay valid while the chunk lives).
/// clear() keeps the memory for the next chunk.
class ByteArena {
public:
    std::string_view copy(const char* data, std::size_t size) {
        while (size > free_) {
            if (used_ == blocks_.size()) {
                // Blocks grow from 1 KB (one screen() call) to 64 KB (batch chunks); never zeroed.
                const std::size_t size_wanted = std::max<std::size_t>(size, std::size_t(1024) << std::min<std::size_t>(blocks_.size(), 6));
                blocks_.push_back({std::unique_ptr<char[]>(new char[size_wanted]), size_wanted});
            }
            next_ = blocks_[used_].data.get();
            free_ = blocks_[used_].size;
            ++used_;
        }
        std::memcpy(next_, data, size);
        std::string_view view(next_, size);
        next_ += size;
        free_ -= size;
        return view;
    }
    void clear() {
        used_ = 0;
        next_ = nullptr;
        free_ = 0;
    }

private:
    struct Block {
        std::unique_ptr<char[]> data;
        std::size_t size;
    };
    std::vector<Block> blocks_;
    std::size_t used_ = 0;  // blocks in use; the one being filled is blocks_[used_ - 1]
    char* next_ = nullptr;
    std::size_t free_ = 0;
};

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

/// Answers of plain dict rows (and DataFrame cells) as engine entries, for screening without the
/// GIL: text is copied into `bytes` or viewed in the protocol (known ids) or a cached key object.
struct AnswerEntries {
    std::vector<AnswerEntry> entries;
    std::vector<AnswerValue> elements;
    // Array entries point at their elements only once reading is done (the elements vector stops
    // growing): per array entry, its index and its first element.
    struct ArrayEntry {
        std::size_t entry, first;
    };
    std::vector<ArrayEntry> arrays;
    ByteArena bytes;

    void fix_element_pointers() {
        for (const ArrayEntry& a : arrays) entries[a.entry].value.elements = elements.data() + a.first;
    }
};

/// Append the answers of a plain dict (str keys; None, bool, 64-bit int, finite float, str, and
/// lists or tuples of those) to `out`. False, with nothing appended, when the row needs the json
/// path, which converts it or words the error (a row over Limits::max_answers_bytes as JSON text
/// stops being read when it reaches the limit). `keys` (optional) finds keys seen before by address.
bool read_dict_answers(PyObject* row, const Protocol& protocol, AnswerEntries& out, KeyCache* keys);

/// One numpy column as raw memory (read without the GIL-bound numpy API per cell).
struct ColumnView {
    char kind = 'O';
    std::size_t itemsize = 8;
    const char* data = nullptr;
    std::ptrdiff_t stride = 0;
    // A coded column: row i's cell is data[codes[i]] (-1: unanswered). Few distinct values (yes/no
    // columns) are read once each instead of once per row.
    const char* codes = nullptr;
    std::ptrdiff_t codes_stride = 0;
    // The column's item, looked up once per chunk rather than once per cell.
    int slot = -1;
    std::string_view id;          // the item's id (or the column name when no item has it)
    std::size_t member_bytes = 0;  // "id": and a comma, as compact JSON (the answers' size limit)
};


/// Column-wise rows of a pandas DataFrame (prepared by prescreen._frame).
struct FrameColumns {
    std::vector<std::string> ids;
    std::vector<py::object> arrays;       // 1-D numpy arrays (kinds f, i, u, b or O)
    std::vector<py::object> codes;        // per column: None, or int64 row codes into arrays[c] (ColumnView)
    std::size_t rows = 0;
};

/// Row `row` of a frame as entries appended to `out`; false (nothing appended) when a cell needs
/// the json path (read_frame_json).
bool read_frame_entries(const Protocol& protocol, const FrameColumns& frame, const std::vector<ColumnView>& views,
                        std::size_t row, AnswerEntries& out);
/// Row `row` of a frame as json answers; false with `error` when a cell cannot become JSON.
bool read_frame_json(const Protocol& protocol, const FrameColumns& frame, const std::vector<ColumnView>& views, std::size_t row, json& answers,
                     Diagnostic& error);
/// The columns' raw memory (numpy arrays) and items, taken once per chunk.
std::vector<ColumnView> column_views(const Protocol& protocol, const FrameColumns& frame);

}  // namespace prescreen::python
