// Batch screening: rows are read under the GIL in chunks; each chunk is screened by `threads`
// threads with the GIL released: threads - 1 workers, joined by the calling thread once it has read
// the next chunk (reading needs the GIL, so only the caller can do it). While the workers start on
// that next chunk the caller wraps the previous results. Memory is bounded by two chunks, so
// generators of millions of rows stream.
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <cstring>

#include "prescreen/prescreen.hpp"
#include "protocol_internal.hpp"
#include "results.hpp"

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
    bool insert(PyObject* object, int slot, std::string_view id) {
        if (used_ >= kSize / 2) return false;
        std::size_t i = position(object);
        while (table_[i].object) i = (i + 1) & (kSize - 1);
        Py_INCREF(object);
        table_[i] = Key{object, slot, id};
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
    std::vector<detail::AnswerEntry> entries;
    std::vector<detail::AnswerInput> elements;
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
/// path, which converts it or words the error. `keys` (optional) finds keys seen before by address.
bool read_dict_answers(PyObject* row, const detail::CompiledProtocol& protocol, AnswerEntries& out, KeyCache* keys);

struct Chunk : AnswerEntries {
    // Before screening — Entries: a plain dict read straight into answer entries (the fast path);
    // Answers: converted to json (anything else a row may hold); Text: a JSONL line;
    // Done: the result is already known (a conversion error).
    // After — Record: screened into records[i]; Text: the engine's JSON text in out_texts[i] (lines
    // only the full parser reads); Done: json in results[i] (errors).
    enum class Kind : unsigned char { Entries, Answers, Text, Done, Record };
    std::vector<Kind> kinds;
    std::vector<json> values;  // answers (Answers), or the finished result/error (Done)
    std::vector<std::string> texts;
    // Results (see Kind):
    std::vector<detail::ScreeningRecord> records;
    std::vector<std::string> out_texts;
    std::vector<json> results;

    // Entries rows: row i uses entries[entry_first[i] .. entry_first[i] + entry_count[i]).
    std::vector<std::size_t> entry_first, entry_count;

    std::atomic<std::size_t> next{0};  // next row a thread takes
    unsigned pending = 0;              // workers still on this chunk (guarded by the pool's mutex)
    bool started = false;
    std::size_t size() const { return kinds.size(); }
    /// Empty again, keeping the memory of every vector for the next chunk.
    void clear();
};

/// One numpy column as raw memory (read without the GIL-bound numpy API per cell).
struct ColumnView {
    char kind = 'O';
    std::size_t itemsize = 8;
    const char* data = nullptr;
    std::ptrdiff_t stride = 0;
};


/// Column-wise rows of a pandas DataFrame (prepared by prescreen._frame).
struct FrameColumns {
    std::vector<std::string> ids;
    std::vector<py::object> arrays;       // 1-D numpy arrays (kinds f, i, u, b or O)
    std::vector<bool> multi_choice;       // str cells are ';'-separated lists
    std::vector<bool> integer;            // whole floats become integers
    std::size_t rows = 0;
};

class Batch {
public:
    Batch(prescreen::Protocol protocol, Context context, unsigned threads, std::size_t chunk_size);
    ~Batch();

    void set_rows(py::object iterable);
    void set_frame(FrameColumns frame);

    /// The next chunk of results (list), or None when every row has been returned.
    py::object next_chunk();

private:
    std::unique_ptr<Chunk> convert_next();
    void start(Chunk& chunk);
    void wait(Chunk& chunk);
    void convert_row(PyObject* row, Chunk& chunk, std::size_t index);
    bool read_entries(PyObject* row, Chunk& chunk, std::size_t index);
    bool read_frame_entries(const FrameColumns& f, const std::vector<ColumnView>& views, std::size_t row, Chunk& chunk,
                            std::size_t index);
    void read_frame_json(const FrameColumns& f, const std::vector<ColumnView>& views, std::size_t row, Chunk& chunk,
                         std::size_t index);

    void fit_chunks_to(std::size_t rows);
    void worker_loop();
    void screen_rows(Chunk& chunk);  // take rows of the chunk until none is left (workers and caller)
    void screen_row(Chunk& chunk, std::size_t index);

    prescreen::Protocol protocol_;
    Context context_;
    std::optional<Date> today_;  // parsed once; unset (invalid today) = every row takes the json path
    std::shared_ptr<const ScreeningContext> shared_;  // what the batch's results share
    unsigned threads_;
    std::size_t chunk_size_;
    py::object iterator_;
    std::optional<FrameColumns> frame_;
    std::size_t frame_next_ = 0;
    bool exhausted_ = false;
    std::unique_ptr<Chunk> running_;
    std::unique_ptr<Chunk> spare_;  // the chunk last returned, cleared for reuse
    KeyCache keys_;
    py::object invalid_row_type_;
    // Persistent workers for the whole batch: a thread per chunk would give every chunk a cold malloc
    // arena (measured: 2-3x slower than one thread reusing its memory).
    std::mutex mutex_;
    std::condition_variable work_ready_, chunk_done_;
    Chunk* job_ = nullptr;
    std::uint64_t generation_ = 0;
    bool stop_ = false;
    std::vector<std::thread> workers_;
};

void register_batch(py::module_& m);

}  // namespace prescreen::python
