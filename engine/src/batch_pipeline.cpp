#include "prescreen/batch_pipeline.hpp"

#include <unistd.h>

#include <algorithm>
#include <mutex>

namespace prescreen {

namespace {

// Idle executors, never destroyed: their threads wait for work until the process ends.
struct Pool {
    std::mutex mutex;
    pid_t owner = getpid();
    std::vector<std::unique_ptr<BatchExecutor>> idle;

    static Pool& get() {
        static Pool* pool = new Pool;
        return *pool;
    }
    // After fork() the idle executors' threads do not exist here: their memory is let go without
    // destroying them (a destructor would wait for threads that never answer). Mutex held.
    bool forked() {
        if (owner == getpid()) return false;
        for (auto& e : idle) (void)e.release();
        idle.clear();
        owner = getpid();
        return true;
    }
};

std::unique_ptr<BatchExecutor> take(unsigned threads) {
    Pool& pool = Pool::get();
    std::lock_guard<std::mutex> lock(pool.mutex);
    pool.forked();
    auto it = std::find_if(pool.idle.begin(), pool.idle.end(), [&](const auto& e) { return e->threads() == threads; });
    if (it == pool.idle.end()) return std::make_unique<BatchExecutor>(threads);
    std::unique_ptr<BatchExecutor> found = std::move(*it);
    pool.idle.erase(it);
    return found;
}

void give(std::unique_ptr<BatchExecutor> executor) {
    Pool& pool = Pool::get();
    std::unique_ptr<BatchExecutor> dropped;  // destroyed (threads joined) outside the lock
    std::lock_guard<std::mutex> lock(pool.mutex);
    if (pool.forked()) return (void)executor.release();  // taken before fork()
    if (pool.idle.size() >= 4) {  // a few thread counts or concurrent batches
        dropped = std::move(pool.idle.front());
        pool.idle.erase(pool.idle.begin());
    }
    pool.idle.push_back(std::move(executor));
}

// Idle chunks, kept between batches: a chunk's memory (the rows' entries and copied text, a few MB
// for a thousand rows) would otherwise go back to the kernel when a batch ends and be faulted in
// again by the next one (measured: 2,800 page faults a batch of 10,000 rows, a tenth of its time).
// At most four are kept (two per batch in flight), with their memory and nothing else.
struct ChunkPool {
    std::mutex mutex;
    std::vector<std::unique_ptr<AnswerChunk>> idle;

    static ChunkPool& get() {
        static ChunkPool* pool = new ChunkPool;
        return *pool;
    }
};

std::unique_ptr<AnswerChunk> take_chunk() {
    ChunkPool& pool = ChunkPool::get();
    std::lock_guard<std::mutex> lock(pool.mutex);
    if (pool.idle.empty()) return std::make_unique<AnswerChunk>();
    std::unique_ptr<AnswerChunk> chunk = std::move(pool.idle.back());
    pool.idle.pop_back();
    return chunk;
}

void give_chunk(std::unique_ptr<AnswerChunk> chunk) {
    if (!chunk) return;
    chunk->clear();  // its rows' records go now, on this thread; the storage stays
    ChunkPool& pool = ChunkPool::get();
    std::lock_guard<std::mutex> lock(pool.mutex);
    if (pool.idle.size() < 4) pool.idle.push_back(std::move(chunk));
}

}  // namespace

BatchPipeline::BatchPipeline(Protocol protocol, Context context, unsigned threads, std::size_t chunk_size, std::size_t rows)
    : protocol_(std::move(protocol)), context_(std::move(context)), chunk_size_(std::max<std::size_t>(chunk_size, 1)) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    if (rows) chunk_size_ = std::min(chunk_size_, std::max<std::size_t>((rows + 2 * threads - 1) / (2 * threads), 64));
    executor_ = take(threads);
}

BatchPipeline::~BatchPipeline() {
    executor_->finish(job_);
    give(std::move(executor_));
    give_chunk(std::move(running_));
    give_chunk(std::move(done_));
    give_chunk(std::move(spare_));
}

std::unique_ptr<AnswerChunk> BatchPipeline::read_chunk(const Read& read) {
    if (exhausted_) return nullptr;
    std::unique_ptr<AnswerChunk> chunk = spare_ ? std::move(spare_) : take_chunk();
    chunk->clear();
    const std::size_t wanted = std::min(chunk_size_, ramp_);
    ramp_ = std::min(chunk_size_, ramp_ * 2);
    exhausted_ = !read(*chunk, wanted);
    if (chunk->size() == 0) return nullptr;
    return chunk;
}

void BatchPipeline::start(AnswerChunk& chunk) {
    chunk.records.resize(chunk.size());
    job_ = executor_->start(protocol_, context_, chunk.seal().data(), chunk.records.data(), chunk.size());
}

AnswerChunk* BatchPipeline::next(const Read& read, const Wait& wait) {
    if (done_) spare_ = std::move(done_);
    if (!running_) {
        running_ = read_chunk(read);
        if (!running_) return nullptr;
        start(*running_);
    }
    std::unique_ptr<AnswerChunk> upcoming;
    try {
        upcoming = read_chunk(read);  // read the next chunk while this one is screened
    } catch (...) {
        wait([&] { executor_->finish(job_); });
        job_ = nullptr;
        running_.reset();
        throw;
    }
    wait([&] { executor_->finish(job_); });  // the calling thread screens too, now that it has read ahead
    job_ = nullptr;
    done_ = std::move(running_);
    running_ = std::move(upcoming);
    if (running_) start(*running_);
    return done_.get();
}

}  // namespace prescreen
