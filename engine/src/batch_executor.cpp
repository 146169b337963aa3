// The engine's screening threads. Persistent: a thread per chunk would give every chunk a cold
// malloc arena (measured 2-3x slower than threads that keep their memory). Rows are taken in small
// blocks from a shared counter and each record lands at its row's index, so order always holds.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "prescreen/screening.hpp"
#include "protocol_internal.hpp"

namespace prescreen {

struct BatchExecutor::Job {
    const Protocol* protocol = nullptr;
    Context context;
    const Answers* inputs = nullptr;
    ScreeningRecord* records = nullptr;
    std::size_t count = 0;
    std::atomic<std::size_t> next{0};
    unsigned pending = 0;  // workers still on this job (guarded by the mutex)
};

BatchExecutor::BatchExecutor(unsigned threads) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned t = 1; t < threads; ++t) workers_.emplace_back([this] { worker_loop(); });
}

BatchExecutor::~BatchExecutor() {
    if (job_) finish(job_.get());
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    work_ready_.notify_all();
    for (auto& t : workers_) t.join();
}

void BatchExecutor::work_on(Job& job) {
    constexpr std::size_t block = 16;  // rows per take: few atomic operations, still even at the end
    for (;;) {
        const std::size_t begin = job.next.fetch_add(block);
        if (begin >= job.count) return;
        const std::size_t end = std::min(job.count, begin + block);
        for (std::size_t i = begin; i < end; ++i) job.protocol->screen_into(job.inputs[i], job.context, job.records[i]);
    }
}

namespace {
// A batch hands its workers a chunk every few hundred microseconds, and waking a thread that went to
// sleep takes tens of them (a tenth of a 1,000-row batch): a thread waiting for the next step stays
// awake this long first.
constexpr std::chrono::microseconds kAwake{100};
}  // namespace

void BatchExecutor::worker_loop() {
    std::uint64_t seen = 0;
    for (;;) {
        const auto until = std::chrono::steady_clock::now() + kAwake;
        while (generation_.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < until)
            std::this_thread::yield();
        Job* job = nullptr;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            work_ready_.wait(lock, [&] { return stop_ || generation_ != seen; });
            if (stop_) return;
            seen = generation_;
            job = job_.get();
        }
        work_on(*job);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (--job->pending == 0) job_done_.notify_all();
        }
    }
}

BatchExecutor::Job* BatchExecutor::start(const Protocol& protocol, const Context& context, const Answers* inputs,
                                         ScreeningRecord* records, std::size_t count) {
    detail::require_today(context);  // a bad date fails the call, before any row
    if (job_) finish(job_.get());      // one job in flight: the queue is bounded
    auto job = std::make_unique<Job>();
    job->protocol = &protocol;
    job->context = context;
    job->inputs = inputs;
    job->records = records;
    job->count = count;
    Job* started = job.get();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job->pending = static_cast<unsigned>(workers_.size());
        job_ = std::move(job);
        ++generation_;
    }
    work_ready_.notify_all();
    return started;
}

void BatchExecutor::finish(Job* job) {
    if (!job || job != job_.get()) return;
    work_on(*job);  // the calling thread screens too
    std::unique_lock<std::mutex> lock(mutex_);
    const auto until = std::chrono::steady_clock::now() + kAwake;  // the workers are on their last rows
    while (job->pending != 0 && std::chrono::steady_clock::now() < until) {
        lock.unlock();
        std::this_thread::yield();
        lock.lock();
    }
    job_done_.wait(lock, [&] { return job->pending == 0; });
    job_.reset();
}

void BatchExecutor::screen(const Protocol& protocol, const Context& context, const Answers* inputs,
                           ScreeningRecord* records, std::size_t count) {
    finish(start(protocol, context, inputs, records, count));
}

void BatchExecutor::stream(const Protocol& protocol, const Context& context,
                           const std::function<bool(std::vector<Answers>&, int)>& read,
                           const std::function<void(const ScreeningRecord*, std::size_t)>& write,
                           const std::function<void(std::size_t)>& progress) {
    detail::require_today(context);
    std::vector<Answers> inputs[2];
    std::vector<ScreeningRecord> records[2];
    auto fill = [&](int b) {
        inputs[b].clear();
        return read(inputs[b], b) && !inputs[b].empty();
    };
    auto launch = [&](int b) {
        if (records[b].size() < inputs[b].size()) records[b].resize(inputs[b].size());
        return start(protocol, context, inputs[b].data(), records[b].data(), inputs[b].size());
    };
    int current = 0;
    if (!fill(current)) return;
    Job* job = launch(current);
    std::size_t done = 0;
    // A reader or writer that throws must not leave workers on inputs about to be destroyed.
    struct Drain {
        BatchExecutor& executor;
        ~Drain() {
            if (executor.job_) executor.finish(executor.job_.get());
        }
    } drain{*this};
    for (;;) {
        const int upcoming = 1 - current;
        const bool more = fill(upcoming);  // read the next chunk while this one is screened
        finish(job);
        job = more ? launch(upcoming) : nullptr;  // screened while this chunk is written
        write(records[current].data(), inputs[current].size());
        done += inputs[current].size();
        if (progress) progress(done);
        if (!job) return;
        current = upcoming;
    }
}

// Here rather than in protocol.cpp: a program that never screens a batch (the WebAssembly form) then
// links no thread code.
std::vector<json> Protocol::screen_batch(const std::vector<json>& answers, const Context& context, unsigned threads) const {
    detail::require_today(context);
    std::vector<Answers> inputs;
    inputs.reserve(answers.size());
    for (const json& a : answers) inputs.push_back(Answers::row(a));
    std::vector<ScreeningRecord> records(answers.size());
    // Small batches are not worth waking threads for (64 rows per thread at least).
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, (answers.size() + 63) / 64)));
    BatchExecutor executor(threads);
    executor.screen(*this, context, inputs.data(), records.data(), inputs.size());
    std::vector<json> results;
    results.reserve(records.size());
    for (const ScreeningRecord& r : records) results.push_back(write(r));
    return results;
}

}  // namespace prescreen
