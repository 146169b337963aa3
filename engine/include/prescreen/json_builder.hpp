// Building a json value one event at a time, under the limits JSON text is read with. The engine's
// own text reader builds through it, and so does a binding converting its host's objects (Python
// dicts and lists), so a value is refused alike however it arrives: the nesting limit, a repeated
// key, a number that is not finite, and, for an answer set, its size as compact JSON text. The
// size is counted as the value is built, so a huge one is refused before the rest of it is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "prescreen/prescreen.hpp"

namespace prescreen {

class JsonBuilder {
public:
    struct Limits {
        std::size_t max_depth = 256;      // arrays and objects open at once (Limits::max_nesting_depth)
        std::size_t max_answers_bytes = 0;  // an answer set's compact JSON text (Limits::max_answers_bytes); 0: not counted
    };
    explicit JsonBuilder(Limits limits) : limits_(limits), bytes_left_(limits.max_answers_bytes) {}

    // Each puts one value where the next one goes (the root, the next array element, the value of
    // the last key), and returns false once the value is refused: problem() then says why and where.
    bool null();
    bool boolean(bool value);
    bool integer(std::int64_t value);
    bool integer(std::uint64_t value);
    bool number(double value);  // NaN and infinities are refused (not_finite)
    bool string(std::string value);
    bool value(json value);     // a value built already (a result a binding holds as json)
    bool begin_object();
    bool key(std::string key);  // the next value's key; a repeated one is refused (duplicate_key)
    bool end_object();
    bool begin_array(std::size_t size = 0);  // size, when known, lets a huge array be refused at once
    bool end_array();
    /// The host's own refusal of the value that goes here (one it cannot convert): code, message.
    bool refuse(std::string code, std::string message);

    /// The first refusal: its code, its message, and the JSON Pointer of the value refused (empty
    /// for document_too_large, which is about the whole answer set).
    const std::optional<Diagnostic>& problem() const { return problem_; }
    /// The same place as the pointer's tokens, outermost first (for a host's own path syntax).
    struct Step {
        bool is_index = false;
        std::size_t index = 0;
        std::string key;
    };
    const std::vector<Step>& problem_steps() const { return problem_steps_; }

    /// The value built (when nothing was refused and every container was closed).
    json take() { return std::move(root_); }

private:
    bool place(json&& v, bool container);
    bool spend(std::size_t bytes);
    bool fail(std::string code, std::string message, bool at_root = false);

    Limits limits_;
    std::size_t bytes_left_;
    json root_;
    std::vector<json*> open_;  // the containers open, outermost first
    json* slot_ = nullptr;     // where the value after a key goes
    std::optional<Diagnostic> problem_;
    std::vector<Step> problem_steps_;
};

}  // namespace prescreen
