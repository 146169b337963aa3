#include "prescreen/answer_chunk.hpp"

#include <algorithm>


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
