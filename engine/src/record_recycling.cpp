// Why records are recycled: in a Python batch the worker threads make each row's record and the
// thread that reads the rows frees them later, when the results are let go. That free was a tenth
// of a two-thread batch's time on the one thread everything else waits for, and most of it
// malloc's cross-thread path; making the record again on the worker cost the worker its share.
// Records given back are kept instead, with their vectors' memory, and reused: the classic
// magazine scheme (Bonwick, "Magazines and Vmem", USENIX 2001). Each thread keeps a magazine of
// records for itself; full magazines go to a shared depot where another thread takes them, so the
// thread that frees feeds the threads that screen with one lock per 256 records.
//
// The depot is only ever try-locked: a thread never waits for it (and a child process after fork()
// cannot deadlock on a lock another thread held), and when the depot is busy or full records are
// simply freed or made as before.
#include "record_recycling.hpp"

#include <mutex>
#include <vector>

namespace prescreen::detail {

namespace {

constexpr std::size_t kMagazine = 256;   // records a thread keeps to itself
constexpr std::size_t kDepot = 32;       // full magazines kept for other threads: 8,192 records, a few MB

using Magazine = std::vector<RecordData*>;

struct Depot {
    std::mutex mutex;
    std::vector<Magazine> full;

    static Depot& get() {
        static Depot* depot = new Depot;  // never destroyed: threads may give records back during exit
        return *depot;
    }
};

struct Local {
    Magazine records;
    bool closed = false;  // the thread is ending: records are freed and made as usual
    ~Local() {
        for (RecordData* r : records) delete r;
        records.clear();
        closed = true;
    }
};

Local& local() {
    thread_local Local l;
    return l;
}

}  // namespace

std::unique_ptr<RecordData> take_record_data() {
    Local& l = local();
    Magazine& mine = l.records;
    if (l.closed) return std::make_unique<RecordData>();
    if (mine.empty()) {
        Depot& depot = Depot::get();
        std::unique_lock<std::mutex> lock(depot.mutex, std::try_to_lock);
        if (lock.owns_lock() && !depot.full.empty()) {
            mine.swap(depot.full.back());
            depot.full.pop_back();
        }
    }
    if (mine.empty()) return std::make_unique<RecordData>();
    std::unique_ptr<RecordData> data(mine.back());
    mine.pop_back();
    data->clear();  // here, on the thread about to write it, rather than on the one that gave it back
    return data;
}

void give_record_data(std::unique_ptr<RecordData> data) noexcept {
    Local& l = local();
    if (!data || l.closed) return;
    Magazine& mine = l.records;
    try {
        if (mine.capacity() < kMagazine) mine.reserve(kMagazine);
        if (mine.size() == kMagazine) {
            Magazine fresh;
            fresh.reserve(kMagazine);
            Depot& depot = Depot::get();
            std::unique_lock<std::mutex> lock(depot.mutex, std::try_to_lock);
            if (!lock.owns_lock() || depot.full.size() >= kDepot) return;  // enough kept: `data` is freed
            depot.full.push_back(std::move(mine));
            mine = std::move(fresh);
        }
    } catch (const std::bad_alloc&) {
        return;  // no memory for a magazine: `data` is freed
    }
    mine.push_back(data.release());  // within the reserved capacity: no allocation
}

}  // namespace prescreen::detail
