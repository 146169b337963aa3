// Batch screening from Python: rows are read under the GIL a chunk at a time (answers_reader.hpp)
// and screened by the engine's BatchExecutor with the GIL released. While one chunk is screened
// the calling thread reads the next, then joins the screening; memory is bounded by two chunks, so
// generators of millions of rows stream.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "answers_reader.hpp"
#include "prescreen/screening.hpp"
#include "results.hpp"

namespace prescreen::python {

/// One chunk of rows: what each row was read into, the engine's inputs over them, and the records.
struct Chunk : AnswerEntries {
    enum class Kind : unsigned char { Entries, Json, Text, Failed };
    std::vector<Kind> kinds;
    std::vector<std::size_t> entry_first, entry_count;  // Entries rows
    std::vector<json> values;                           // Json rows
    std::vector<std::string> texts;                     // Text rows (JSONL lines)
    std::vector<Diagnostic> failures;                   // Failed rows
    std::vector<Answers> inputs;                        // one per row, made once reading is done
    std::vector<ScreeningRecord> records;               // one per row
    std::size_t size() const { return kinds.size(); }
    void add_row(Kind kind);
    /// Reading is done: point the entries at their elements and make the engine's inputs.
    void seal();
    /// Empty again, keeping the memory of every vector for the next chunk.
    void clear();
};

/// Screening threads kept from batch to batch. Starting a thread per batch cost more than screening
/// a 1,000-row batch on a busy machine (the new thread waits to be scheduled, and its malloc arena
/// starts cold), so a finished batch gives its executor back and the next batch with the same
/// thread count takes it. A child process after fork() has none of the parent's threads: there
/// the pool starts again empty.
class ExecutorPool {
public:
    static std::unique_ptr<BatchExecutor> take(unsigned threads);
    static void give(std::unique_ptr<BatchExecutor> executor);
};

class Batch {
public:
    Batch(prescreen::Protocol protocol, Context context, unsigned threads, std::size_t chunk_size);
    ~Batch();

    void set_rows(py::object iterable);
    void set_frame(FrameColumns frame);

    /// The next chunk of results (list), or None when every row has been returned.
    py::object next_chunk();
    /// Every row left, screened into the result table's columns (table_columns.hpp) rather than
    /// result objects; `progress(rows_done)` (None: not called) after each chunk.
    py::dict table(py::object progress);

private:
    /// The next chunk screened (its records filled), or null when every row has been screened.
    std::unique_ptr<Chunk> next_screened();
    void recycle(std::unique_ptr<Chunk> done);
    std::unique_ptr<Chunk> read_next();
    std::size_t next_size();
    void read_row(PyObject* row, Chunk& chunk);
    void read_frame_row(const std::vector<ColumnView>& views, std::size_t row, Chunk& chunk);

    prescreen::Protocol protocol_;
    Context context_;
    std::shared_ptr<const ScreeningContext> shared_;  // what the batch's results share
    std::size_t chunk_size_;
    std::size_t ramp_ = 64;  // size of the next chunk while the first chunks grow
    py::object iterator_;
    std::optional<FrameColumns> frame_;
    std::size_t frame_next_ = 0;
    bool exhausted_ = false;
    std::unique_ptr<BatchExecutor> executor_;  // taken from the pool of idle executors, given back at the end
    std::unique_ptr<Chunk> running_;
    BatchExecutor::Job* job_ = nullptr;
    std::unique_ptr<Chunk> spare_;  // the chunk last returned, cleared for reuse
    KeyCache keys_;
    py::object invalid_row_type_;
};

void register_batch(py::module_& m);

}  // namespace prescreen::python
