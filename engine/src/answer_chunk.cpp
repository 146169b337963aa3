#include "prescreen/answer_chunk.hpp"

#include <algorithm>

#include "prescreen/json_size.hpp"

namespace prescreen {

void ByteArena::next_block(std::size_t size) {
    while (size > free_) {
        if (used_ == blocks_.size()) {
            const std::size_t wanted = std::max<std::size_t>(size, std::size_t(1024) << std::min<std::size_t>(blocks_.size(), 6));
            blocks_.push_back({std::unique_ptr<char[]>(new char[wanted]), wanted});  // never zeroed
        }
        next_ = blocks_[used_].data.get();
        free_ = blocks_[used_].size;
        ++used_;
    }
}

namespace {

std::size_t value_bytes(const AnswerValue& value) {
    switch (value.type) {
        case AnswerValue::Type::Null: return json_null_bytes;
        case AnswerValue::Type::Bool: return json_bool_bytes(value.boolean);
        case AnswerValue::Type::Number: return json_number_bytes(value.number);
        case AnswerValue::Type::String: return json_string_bytes(value.text);
        default: return 0;  // a list's elements pay as they are read
    }
}

}  // namespace

bool AnswerChunk::begin_row(const Limits& limits) {
    row_ = {entries_.size(), lists_.size(), elements_.size()};
    budget_ = limits.max_answers_bytes;
    return limits.max_nesting_depth >= 2 && spend(1);  // { (each answer pays its comma or the closing brace)
}

bool AnswerChunk::begin_list(std::size_t size, AnswerValue& value) {
    // [], the commas and at least a byte per element: a list far over the limit stops here.
    if (!spend(2 + 2 * size - (size > 0 ? 1 : 0))) return false;
    budget_ += size;  // each element pays its own bytes
    value = AnswerValue{};
    value.type = AnswerValue::Type::Array;
    value.size = size;
    lists_.push_back({entries_.size(), elements_.size()});  // its entry is added next
    return true;
}

bool AnswerChunk::element(const AnswerValue& value) {
    if (!spend(value_bytes(value))) return false;
    if (value.type == AnswerValue::Type::String) {
        elements_.push_back(value);
    } else {
        elements_.emplace_back();
        elements_.back().type = AnswerValue::Type::Other;
    }
    return true;
}

bool AnswerChunk::add(const AnswerEntry& entry, std::size_t member_bytes) {
    if (!spend(member_bytes + value_bytes(entry.value))) return false;
    entries_.push_back(entry);
    return true;
}

bool AnswerChunk::drop_row() {
    entries_.resize(row_.entries);
    lists_.resize(row_.lists);
    elements_.resize(row_.elements);
    return false;
}

void AnswerChunk::add_json(json answers) {
    rows_.push_back({Answers::Kind::Row, values_.size(), 1});
    values_.push_back(std::move(answers));
}

void AnswerChunk::add_text(std::string_view text) {
    rows_.push_back({Answers::Kind::Text, texts_.size(), 1});
    texts_.push_back(bytes_.copy(text));
}

void AnswerChunk::add_failed(Diagnostic error) {
    rows_.push_back({Answers::Kind::Failed, failures_.size(), 1});
    failures_.push_back(std::move(error));
}

const std::vector<Answers>& AnswerChunk::seal() {
    for (const ListEntry& l : lists_) entries_[l.entry].value.elements = elements_.data() + l.first;
    inputs_.clear();
    for (const Row& r : rows_) {
        switch (r.kind) {
            case Answers::Kind::Entries: inputs_.push_back(Answers::entries(entries_.data() + r.first, r.count)); break;
            case Answers::Kind::Row: inputs_.push_back(Answers::row(values_[r.first])); break;
            case Answers::Kind::Text: inputs_.push_back(Answers::text(texts_[r.first])); break;
            default: inputs_.push_back(Answers::failed(failures_[r.first])); break;
        }
    }
    return inputs_;
}

void AnswerChunk::clear() {
    rows_.clear();
    entries_.clear();
    elements_.clear();
    lists_.clear();
    values_.clear();
    texts_.clear();
    failures_.clear();
    inputs_.clear();
    records.clear();
    bytes_.clear();
}

}  // namespace prescreen
