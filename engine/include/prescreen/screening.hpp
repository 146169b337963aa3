// prescreen's low-level screening API: the one path every runtime takes from answers to a result.
//
//   Answers            where an answer set comes from: a json tree, JSON text (one JSONL line) or
//                      entries a binding has already read (Python dicts, DataFrame cells). Text is
//                      read by a fast reader when it can be, else by the full parser — inside the
//                      engine, so every diagnostic is the same whichever way answers arrive.
//   ScreeningRecord    what one screening concluded (outcome, dates, fired rules, missing answers,
//                      issues), or the error that took its place: a few hundred bytes, written to
//                      JSON only when asked (Protocol::write / write_text, one writer for both).
//   BatchExecutor      the engine's thread pool: exactly one record per input, in input order, a
//                      bounded number of chunks in flight, an optional progress callback. The CLI,
//                      Protocol::screen_batch and Python's screen_many all screen through it.
//
// Protocol::screen(json) and friends in prescreen.hpp are this path, rendered to json.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "prescreen/date.hpp"
#include "prescreen/prescreen.hpp"

namespace prescreen {

/// Outcomes from least to most strict; the strictest finding wins.
enum class Outcome : std::uint8_t { Eligible, EligibleWithPrecautions, Refer, Incomplete, Deferred, NotEligible };
/// "eligible", "eligible_with_precautions", "refer", "incomplete", "deferred", "not_eligible".
const char* outcome_name(Outcome outcome);
std::optional<Outcome> parse_outcome(std::string_view name);
/// Every outcome, strictest first (the order of reports and of docs/results.md).
const std::vector<Outcome>& outcomes_strictest_first();

/// One answer as given, before validation: a view of JSON text, a json value or a binding's object.
/// Whoever builds it keeps the viewed text (and `elements`) alive until the screening returns.
struct AnswerValue {
    enum class Type : std::uint8_t { Null, Bool, Number, String, Array, Other };  // Other: an object
    Type type = Type::Null;
    bool boolean = false;
    double number = 0;
    std::string_view text;
    const AnswerValue* elements = nullptr;  // Array
    std::size_t size = 0;
};

/// One question id and its answer. `slot` is the item's slot when the reader already looked it up
/// (Protocol::find_item; -1: no such item), -2 when not yet.
struct AnswerEntry {
    std::string_view id;
    AnswerValue value;
    int slot = -2;
};

/// Where an answer set comes from. A view: it keeps pointers to what it was made from.
class Answers {
public:
    /// A json value, as Protocol::screen takes it: anything but an object is an issue at the root
    /// (outcome incomplete), not an error.
    static Answers tree(const json& answers) { return Answers(Kind::Tree, &answers); }
    /// A row of a batch: a json value that is not an object is this row's error (not_an_object).
    static Answers row(const json& answers) { return Answers(Kind::Row, &answers); }
    /// JSON text (one JSONL line). Malformed text, limits, duplicate keys, a value that is not an
    /// object: this row's error.
    static Answers text(std::string_view json_text) {
        Answers a(Kind::Text, nullptr);
        a.text_ = json_text;
        return a;
    }
    /// JSON text read as tree() reads its value: a value that is not an object is an issue at the
    /// root (outcome incomplete); text that is not JSON is still an error.
    static Answers document_text(std::string_view json_text) {
        Answers a(Kind::DocumentText, nullptr);
        a.text_ = json_text;
        return a;
    }
    /// Entries a binding has read; ids must not repeat.
    static Answers entries(const AnswerEntry* entries, std::size_t count) {
        Answers a(Kind::Entries, nullptr);
        a.entries_ = entries;
        a.count_ = count;
        return a;
    }

    /// A row that failed before it reached the engine (a binding could not convert it): its record
    /// is this error, so a batch still gives exactly one record per row. `error` must outlive it.
    static Answers failed(const Diagnostic& error) {
        Answers a(Kind::Failed, nullptr);
        a.failure_ = &error;
        return a;
    }

    enum class Kind : std::uint8_t { Tree, Row, Text, DocumentText, Entries, Failed };
    Kind kind() const { return kind_; }
    const json& json_value() const { return *tree_; }
    std::string_view json_text() const { return text_; }
    const AnswerEntry* entry_data() const { return entries_; }
    std::size_t entry_count() const { return count_; }
    const Diagnostic& failure() const { return *failure_; }

private:
    Answers(Kind kind, const json* tree) : kind_(kind), tree_(tree) {}
    Kind kind_;
    const json* tree_ = nullptr;
    std::string_view text_;
    const AnswerEntry* entries_ = nullptr;
    std::size_t count_ = 0;
    const Diagnostic* failure_ = nullptr;
};

/// An answer that cannot be used, and what the patient is told about it.
struct AnswerIssue {
    int slot = -1;  // the item's slot; -1 = no such item, or the answers as a whole
    std::string item, code, path, message;
    /// {"code", "item", "message", "path"}: the shape of every diagnostic with an item.
    json to_json() const;
    /// "item:code", the form the result table lists issues in.
    std::string label() const;
};

namespace detail {
struct RecordData;
}

/// What one screening concluded, or the error that took its place. Opaque and movable; reused
/// across rows it keeps its memory. Written to JSON by Protocol::write / write_text. When error() is set, nothing
/// else in the record is meaningful.
class ScreeningRecord {
public:
    struct Finding {
        std::uint32_t rule = 0;           // index into the pack's rules (Protocol::rule_id)
        std::optional<Date> defer_until;  // deferring rules only; unset = no computable end
    };

    ScreeningRecord();
    ~ScreeningRecord();
    ScreeningRecord(ScreeningRecord&&) noexcept;
    ScreeningRecord& operator=(ScreeningRecord&&) noexcept;

    /// The error in place of a result (bad JSON text, a rule that failed at run time...), or null.
    const Diagnostic* error() const;
    bool ok() const { return error() == nullptr; }

    Outcome outcome() const;
    std::optional<Date> defer_until() const;  // the headline date, when there is one
    bool consent_permitted() const;
    const Date& today() const;                // the screening date
    const std::vector<Finding>& findings() const;
    const std::vector<int>& missing_required() const;   // item slots (Protocol::item_id)
    const std::vector<AnswerIssue>& issues() const;     // issues of visible items and unknown ids

    // Engine-internal. The data is made when the record is first written, on the thread that
    // screens it (a batch's records cost the thread that reads the rows nothing); a record never
    // written reads as a default one.
    detail::RecordData& data();
    const detail::RecordData& data() const;

private:
    std::unique_ptr<detail::RecordData> data_;
};

/// Answers validated once (Protocol::prepare), to be decided on later, many times if need be.
class PreparedAnswers {
public:
    PreparedAnswers();
    ~PreparedAnswers();
    PreparedAnswers(PreparedAnswers&&) noexcept;
    PreparedAnswers& operator=(PreparedAnswers&&) noexcept;
    const Diagnostic* error() const;  // the answers could not be read at all

    struct Data;
    Data& data() { return *data_; }  // engine-internal
    const Data& data() const { return *data_; }

private:
    std::unique_ptr<Data> data_;
};

/// The decision alone: outcome, headline date and fired rules, without the record's traces,
/// aftercare and course (Protocol::decide) — what counting outcomes over many answer sets needs.
struct ScreeningDecision {
    Outcome outcome{};
    std::optional<Date> defer_until;
    std::vector<std::uint32_t> fired;  // rule indices, in rule order
};

/// {"error": {"code", "path", "message", "diagnostics"?}}: the one envelope of a row that could not
/// be screened, in every runtime. `diagnostics` is written only when there are more than one.
json error_envelope(const Diagnostic& diagnostic, const std::vector<Diagnostic>& diagnostics = {});

/// The engine's pool of screening threads, kept for as many batches as its owner likes.
/// `threads` counts the calling thread, which screens too: threads - 1 workers (0 = one per core).
/// Exactly one record per input, at the input's index. A job keeps views into its inputs: they and
/// the records must outlive finish().
class BatchExecutor {
public:
    explicit BatchExecutor(unsigned threads = 0);
    ~BatchExecutor();
    BatchExecutor(const BatchExecutor&) = delete;
    BatchExecutor& operator=(const BatchExecutor&) = delete;
    unsigned threads() const { return static_cast<unsigned>(workers_.size()) + 1; }

    struct Job;
    /// Start screening inputs[0..count) into records[0..count) on the workers and return at once,
    /// so the caller can read the next chunk meanwhile. At most one job runs at a time: start()
    /// first finishes a job still running (the bounded queue).
    Job* start(const Protocol& protocol, const Context& context, const Answers* inputs, ScreeningRecord* records,
               std::size_t count);
    /// The calling thread screens what is left of the job, then waits for the workers. Throws
    /// UsageError for an invalid `today` (before any row is screened, from start()).
    void finish(Job* job);
    /// start + finish.
    void screen(const Protocol& protocol, const Context& context, const Answers* inputs, ScreeningRecord* records,
                std::size_t count);

    /// Streams chunks: `read(inputs)` refills `inputs` (returns false when there is nothing more);
    /// `write(records, count)` gets each chunk's records in input order while the next chunk is
    /// screened; `progress(rows_done)` (optional) after each chunk. Two chunks at most in memory.
    /// `read` must keep the viewed data of the last two chunks alive (it is given which buffer).
    void stream(const Protocol& protocol, const Context& context,
                const std::function<bool(std::vector<Answers>& inputs, int buffer)>& read,
                const std::function<void(const ScreeningRecord* records, std::size_t count)>& write,
                const std::function<void(std::size_t rows_done)>& progress = {});

private:
    void worker_loop();
    void work_on(Job& job);
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable work_ready_, job_done_;
    std::unique_ptr<Job> job_;
    std::atomic<std::uint64_t> generation_{0};  // written under mutex_; read without it while spinning
    bool stop_ = false;
};

}  // namespace prescreen
