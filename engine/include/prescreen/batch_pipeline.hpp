// A batch screened chunk by chunk, for a binding that reads its rows itself (prescreen/
// answer_chunk.hpp): while one chunk is screened on the executor's threads, the caller reads the
// next; then the caller joins the screening. At most two chunks are in memory, so inputs of
// millions of rows stream. Exactly one record per row, in row order.
#pragma once

#include <functional>
#include <memory>

#include "prescreen/answer_chunk.hpp"
#include "prescreen/screening.hpp"

namespace prescreen {

class BatchPipeline {
public:
    /// `threads` counts the calling thread (0: one per core); `rows` when known (0: not known)
    /// makes chunks small enough for two per thread, so reading and screening overlap even for a
    /// thousand rows. The executor is taken from a process-wide pool of idle ones with the same
    /// thread count and given back at the end: starting threads per batch cost more than
    /// screening a small batch (cold threads, cold malloc arenas). A child process after fork()
    /// has none of its parent's threads, and starts a pool of its own. Chunks are pooled the same
    /// way (at most four kept, their storage only), so a batch does not fault in again the memory
    /// the batch before it gave back.
    BatchPipeline(Protocol protocol, Context context, unsigned threads, std::size_t chunk_size, std::size_t rows = 0);
    ~BatchPipeline();  // finishes a chunk still being screened
    BatchPipeline(const BatchPipeline&) = delete;
    BatchPipeline& operator=(const BatchPipeline&) = delete;

    /// Reads up to `wanted` rows into the chunk; false when there are no more after these.
    using Read = std::function<bool(AnswerChunk& chunk, std::size_t wanted)>;
    /// Runs `finish` (joining the screening): a binding can let other threads of its runtime go
    /// on meanwhile (Python releases the GIL here).
    using Wait = std::function<void(const std::function<void()>& finish)>;

    /// The next chunk screened (its `records` filled), or null when every row has been. `read` is
    /// called for the chunk after it while that one is screened. The chunk stays valid until the
    /// next call. First chunks are small and grow (64, 128, ... chunk_size), so the workers start
    /// while the rest is read.
    AnswerChunk* next(const Read& read, const Wait& wait);

private:
    std::unique_ptr<AnswerChunk> read_chunk(const Read& read);
    void start(AnswerChunk& chunk);

    Protocol protocol_;
    Context context_;
    std::size_t chunk_size_, ramp_ = 64;
    bool exhausted_ = false;
    std::unique_ptr<BatchExecutor> executor_;
    BatchExecutor::Job* job_ = nullptr;
    std::unique_ptr<AnswerChunk> running_, done_, spare_;
};

}  // namespace prescreen
