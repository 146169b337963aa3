// Reading one JSONL answers line straight into AnswerEntry views, without building a json tree.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "protocol_model.hpp"

namespace prescreen::detail {

/// The fast reader for the common line: one JSON object whose values are null, booleans, numbers,
/// strings, or arrays of those. It accepts only what the full parser (parse_json_document) would
/// accept and read identically; for anything else — malformed JSON, deeper nesting, a repeated key,
/// a line over the size limit, a `\u` escape or a number that is not finite — read() returns false
/// and the caller takes the full parser, which reports the exact diagnostic. So this reader never
/// decides an error itself, and its results are the full path's results.
class AnswerLineReader {
public:
    /// `protocol` finds repeated keys (by slot); `max_bytes` is Limits::max_answers_bytes.
    bool read(std::string_view text, const CompiledProtocol& protocol, std::size_t max_bytes);
    const AnswerEntry* entries() const { return entries_.data(); }
    std::size_t size() const { return entries_.size(); }

private:
    bool value(AnswerInput& out, bool in_array);
    bool string(std::string_view& out);
    bool number(double& out);
    bool literal(std::string_view word);
    void skip_space();

    const char* at_ = nullptr;
    const char* end_ = nullptr;
    std::vector<AnswerEntry> entries_;
    std::vector<AnswerInput> elements_;
    std::vector<std::size_t> element_start_;  // per entry: first element index (arrays)
    std::deque<std::string> unescaped_;        // strings that had escapes; deque keeps views valid
    std::size_t unescaped_used_ = 0;
    std::vector<std::uint8_t> seen_;           // by slot, for repeated keys
    std::vector<std::uint32_t> unknown_ids_;   // hash table of unknown ids' entry indexes, for repeated keys
    bool repeated_unknown_id(std::size_t count);
};

}  // namespace prescreen::detail
