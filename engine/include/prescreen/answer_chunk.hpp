// A chunk of answer sets as a binding reads them from its own objects (Python dicts, DataFrame
// rows): each row is answer entries the binding read itself (the fast path), a json value, JSON
// text, or the error that stopped it being read. seal() turns the rows into the engine's inputs,
// one per row and in row order; a BatchPipeline (prescreen/batch_pipeline.hpp) screens them.
//
// Entries are counted against Limits::max_answers_bytes as compact JSON text while they are read
// (prescreen/json_size.hpp), so a row over the limit is given up before its memory is spent and
// goes the json way, which words the error: an answer set is refused at the same size whichever
// way it arrives.
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prescreen/json_size.hpp"
#include "prescreen/screening.hpp"

namespace prescreen {

/// Storage for copied text that never moves: views into it stay valid until clear(), which keeps
/// the memory for the next chunk. Blocks grow from 1 KB (one answer set) to 64 KB (batch chunks).
class ByteArena {
public:
    std::string_view copy(std::string_view text) {
        if (text.size() > free_) next_block(text.size());
        if (!text.empty()) std::memcpy(next_, text.data(), text.size());
        const std::string_view view(next_, text.size());
        next_ += text.size();
        free_ -= text.size();
        return view;
    }
    void clear() {
        used_ = 0;
        next_ = nullptr;
        free_ = 0;
    }

private:
    void next_block(std::size_t size);
    struct Block {
        std::unique_ptr<char[]> data;
        std::size_t size;
    };
    std::vector<Block> blocks_;
    std::size_t used_ = 0;  // blocks in use; the one being filled is blocks_[used_ - 1]
    char* next_ = nullptr;
    std::size_t free_ = 0;
};

class AnswerChunk {
public:
    // ---- a row of entries, read by the binding: begin_row, then add (and copy, begin_list,
    // element) per answer, then end_row; drop_row when the row must go the json way instead.
    /// False when the limits leave no room for even an empty answer set (the json path says why).
    bool begin_row(const Limits& limits) {
        row_ = {entries_.size(), lists_.size(), elements_.size()};
        budget_ = limits.max_answers_bytes;
        return limits.max_nesting_depth >= 2 && spend(1);  // { (each answer pays its comma or the closing brace)
    }
    /// Charge `bytes` of JSON text to the row; false once the row is over max_answers_bytes.
    bool spend(std::size_t bytes) {
        if (bytes > budget_) return false;
        budget_ -= bytes;
        return true;
    }
    /// A string answer's text, copied: the engine reads it later on other threads, while the
    /// binding's own object may change or go.
    std::string_view copy(std::string_view text) { return bytes_.copy(text); }
    /// `value` becomes a list of `size` elements, for the entry added next (or the open entry's
    /// own value); its elements follow, one element() call each.
    bool begin_list(std::size_t size, AnswerValue& value) {
        // [], the commas and at least a byte per element: a list far over the limit stops here.
        if (!spend(2 + 2 * size - (size > 0 ? 1 : 0))) return false;
        budget_ += size;  // each element pays its own bytes
        const bool open = !entries_.empty() && &value == &entries_.back().value;
        value = AnswerValue{};
        value.type = AnswerValue::Type::Array;
        value.size = size;
        lists_.push_back({entries_.size() - (open ? 1 : 0), elements_.size()});
        return true;
    }
    /// One list element; only strings can be choices, anything else is kept as Type::Other.
    bool element(const AnswerValue& value) {
        if (!spend(value_bytes(value))) return false;
        AnswerValue& kept = elements_.emplace_back(value);
        if (kept.type != AnswerValue::Type::String) kept = AnswerValue{}, kept.type = AnswerValue::Type::Other;
        return true;
    }
    /// One answer, charged with `member_bytes` ("id": and a comma) and its value's bytes.
    bool add(const AnswerEntry& entry, std::size_t member_bytes) {
        if (!spend(member_bytes + value_bytes(entry.value))) return false;
        entries_.push_back(entry);
        return true;
    }
    /// The same in place, for a reader's inner loop: open_entry() appends an empty answer for the
    /// reader to fill in where it stays (its value's list too), keep_entry() charges it as add()
    /// does. Copying an entry just filled in costs a store-forwarding stall per field (measured:
    /// half of a Python batch's reading time).
    AnswerEntry& open_entry() { return entries_.emplace_back(); }
    bool keep_entry(std::size_t member_bytes) { return spend(member_bytes + value_bytes(entries_.back().value)); }
    void drop_entry() { entries_.pop_back(); }  // an unanswered cell: no answer after all
    void end_row() { rows_.push_back({Answers::Kind::Entries, row_.entries, entries_.size() - row_.entries}); }
    /// Forget what the row added so far; returns false, for `return chunk.drop_row();`.
    bool drop_row() {
        entries_.resize(row_.entries);
        lists_.resize(row_.lists);
        elements_.resize(row_.elements);
        return false;
    }

    // ---- rows that came another way ----
    void add_json(json answers);           // read as Answers::row
    void add_text(std::string_view text);  // JSON text (copied), read as Answers::text
    void add_failed(Diagnostic error);     // the row's error, as Answers::failed

    std::size_t size() const { return rows_.size(); }
    /// Reading is done: the engine's inputs, one per row in row order (valid until clear()).
    const std::vector<Answers>& seal();
    /// Empty again, keeping the memory of every part for the next chunk.
    void clear();

    /// One record per row, fresh for each chunk (the records move on into the results they become).
    std::vector<ScreeningRecord> records;

private:
    static std::size_t value_bytes(const AnswerValue& value) {  // a list's elements pay as they are read
        switch (value.type) {
            case AnswerValue::Type::Null: return json_null_bytes;
            case AnswerValue::Type::Bool: return json_bool_bytes(value.boolean);
            case AnswerValue::Type::Number: return json_number_bytes(value.number);
            case AnswerValue::Type::String: return json_string_bytes(value.text);
            default: return 0;
        }
    }
    struct Row {
        Answers::Kind kind;
        std::size_t first, count;  // Entries: entries_[first..first+count); others: index in their list
    };
    struct ListEntry {
        std::size_t entry, first;  // a list answer: its entry and its first element
    };
    struct Mark {
        std::size_t entries = 0, lists = 0, elements = 0;
    };
    std::vector<Row> rows_;
    std::vector<AnswerEntry> entries_;
    std::vector<AnswerValue> elements_;
    std::vector<ListEntry> lists_;  // elements_ may move while it grows: pointed at in seal()
    std::vector<json> values_;
    std::vector<std::string_view> texts_;
    std::vector<Diagnostic> failures_;
    std::vector<Answers> inputs_;
    ByteArena bytes_;
    Mark row_;
    std::size_t budget_ = 0;
};

}  // namespace prescreen
