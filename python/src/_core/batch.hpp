// Batch screening: rows are converted to JSON under the GIL in chunks; each chunk is screened on
// worker threads with the GIL released while the calling thread converts the next chunk and wraps the
// previous results. Memory is bounded by two chunks, so generators of millions of rows stream.
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
class ByteArena {
public:
    std::string_view copy(const char* data, std::size_t size) {
        if (size > free_) {
            const std::size_t block = std::max<std::size_t>(size, 64 * 1024);
            blocks_.push_back(std::make_unique<char[]>(block));
            next_ = blocks_.back().get();
            free_ = block;
        }
        std::memcpy(next_, data, size);
        std::string_view view(next_, size);
        next_ += size;
        free_ -= size;
        return view;
    }

private:
    std::vector<std::unique_ptr<char[]>> blocks_;
    char* next_ = nullptr;
    std::size_t free_ = 0;
};

struct Chunk {
    // Entries: a plain dict read straight into answer entries (the fast path);
    // Answers: converted to json (anything else a row may hold); Text: a JSONL line;
    // Done: the result is already known (a conversion error).
    enum class Kind : unsigned char { Entries, Answers, Text, Done };
    std::vector<Kind> kinds;
    std::vector<json> values;  // answers (Answers), or the finished result/error (Done)
    std::vector<std::string> texts;
    // Results: a screening record (Entries rows, and Text rows the fast reader takes, which become
    // Entries once screened), the engine's JSON text (other Text rows) or json (the rest).
    std::vector<detail::ScreeningRecord> records;
    std::vector<std::string> out_texts;
    std::vector<json> results;

    // Entries rows: row i uses entries[entry_first[i] .. entry_first[i] + entry_count[i]).
    std::vector<detail::AnswerEntry> entries;
    std::vector<detail::AnswerInput> elements;
    std::vector<std::size_t> element_first;  // per Array entry, in order: its first element
    std::vector<std::size_t> entry_first, entry_count;
    ByteArena bytes;

    std::atomic<std::size_t> next{0};  // next row a worker takes
    unsigned pending = 0;              // workers still on this chunk (guarded by the pool's mutex)
    bool started = false;
    std::size_t size() const { return kinds.size(); }
};

/// One numpy column as raw memory (read without the GIL-bound numpy API per cell).
struct ColumnView {
    char kind = 'O';
    std::size_t itemsize = 8;
    const char* data = nullptr;
    std::ptrdiff_t stride = 0;
};

void fix_element_pointers(Chunk& chunk);

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

    void worker_loop();
    void screen_row(Chunk& chunk, std::size_t index);
    void screen_entries(Chunk& chunk, std::size_t index, const detail::AnswerEntry* entries, std::size_t count);

    prescreen::Protocol protocol_;
    Context context_;
    std::optional<Date> today_;  // parsed once; unset (invalid today) = every row takes the json path
    std::shared_ptr<const BatchContext> shared_;  // what the batch's results share
    unsigned threads_;
    std::size_t chunk_size_;
    py::object iterator_;
    std::optional<FrameColumns> frame_;
    std::size_t frame_next_ = 0;
    bool exhausted_ = false;
    std::unique_ptr<Chunk> running_;
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
