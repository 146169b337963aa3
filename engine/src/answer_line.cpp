#include "answer_line.hpp"

#include "json_writer.hpp"  // quote_backslash_or_control

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace prescreen::detail {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Length of the well-formed UTF-8 sequence at `p` (RFC 3629: no overlongs, no surrogates, at
// most U+10FFFF), or 0. The full parser rejects exactly these.
std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
    const unsigned char c = p[0];
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (end - p < static_cast<std::ptrdiff_t>(len) || p[1] < lo || p[1] > hi) return 0;
    for (std::size_t k = 2; k < len; ++k)
        if ((p[k] & 0xC0) != 0x80) return 0;
    return len;
}

}  // namespace

void AnswerLineReader::skip_space() {
    while (at_ < end_ && is_space(*at_)) ++at_;
}

// A JSON string at `at_` (which is on the opening quote).
bool AnswerLineReader::string(std::string_view& out) {
    const char* start = ++at_;
    std::string* decoded = nullptr;
    const char* run = start;
    while (at_ < end_) {
        // Straight to the next byte that needs a look (the closing quote, an escape, a control
        // character or a multi-byte UTF-8 sequence), eight bytes at a time.
        for (std::uint64_t w; end_ - at_ >= 8; at_ += 8) {
            std::memcpy(&w, at_, 8);
            if (const std::uint64_t look = quote_backslash_or_control(w) | (w & 0x8080808080808080ull)) {
                at_ += std::countr_zero(look) / 8;  // little-endian: the lowest mark is the first such byte
                break;
            }
        }
        if (at_ == end_) break;  // the line ended inside the string
        const unsigned char c = static_cast<unsigned char>(*at_);
        if (c == '"') {
            if (decoded) {
                decoded->append(run, at_);
                out = *decoded;
            } else {
                out = std::string_view(start, static_cast<std::size_t>(at_ - start));
            }
            ++at_;
            return true;
        }
        if (c < 0x20) return false;  // a raw control character is not JSON
        if (c >= 0x80) {
            std::size_t len = utf8_sequence(reinterpret_cast<const unsigned char*>(at_), reinterpret_cast<const unsigned char*>(end_));
            if (len == 0) return false;
            at_ += len;
            continue;
        }
        if (c != '\\') {
            ++at_;
            continue;
        }
        // An escape: decode into storage that outlives the views (reused across lines).
        if (!decoded) {
            if (unescaped_used_ == unescaped_.size()) unescaped_.emplace_back();
            decoded = &unescaped_[unescaped_used_++];
            decoded->clear();
        }
        decoded->append(run, at_);
        if (end_ - at_ < 2) return false;
        switch (at_[1]) {
            case '"': *decoded += '"'; break;
            case '\\': *decoded += '\\'; break;
            case '/': *decoded += '/'; break;
            case 'b': *decoded += '\b'; break;
            case 'f': *decoded += '\f'; break;
            case 'n': *decoded += '\n'; break;
            case 'r': *decoded += '\r'; break;
            case 't': *decoded += '\t'; break;
            default: return false;  // \u (and anything invalid): the full parser decides
        }
        at_ += 2;
        run = at_;
    }
    return false;
}

// A JSON number (RFC 8259 grammar) read as the full parser reads it, then as a double.
bool AnswerLineReader::number(double& out) {
    const char* start = at_;
    const bool negative = at_ < end_ && *at_ == '-';
    if (negative) ++at_;
    if (at_ >= end_) return false;
    // The digits as an integer, for the exact path below (digit counts past 19 only mark it unusable).
    std::uint64_t mantissa = 0;
    int digits = 0, fraction_digits = 0;
    auto digit = [&] {
        if (digits < 19) mantissa = mantissa * 10 + static_cast<std::uint64_t>(*at_ - '0');
        ++digits;
        ++at_;
    };
    if (*at_ == '0') ++at_;
    else if (*at_ >= '1' && *at_ <= '9') while (at_ < end_ && *at_ >= '0' && *at_ <= '9') digit();
    else return false;
    if (at_ < end_ && *at_ == '.') {
        ++at_;
        if (at_ >= end_ || *at_ < '0' || *at_ > '9') return false;
        const int before = digits;
        while (at_ < end_ && *at_ >= '0' && *at_ <= '9') digit();
        fraction_digits = digits - before;
    }
    bool exponent = false;
    if (at_ < end_ && (*at_ == 'e' || *at_ == 'E')) {
        exponent = true;
        ++at_;
        if (at_ < end_ && (*at_ == '+' || *at_ == '-')) ++at_;
        if (at_ >= end_ || *at_ < '0' || *at_ > '9') return false;
        while (at_ < end_ && *at_ >= '0' && *at_ <= '9') ++at_;
    }
    // Clinger's exact path (the one every correctly rounded reader takes first): an integer of at
    // most 53 bits over a power of ten up to 1e22, both exact doubles, so one IEEE division is
    // correctly rounded, the same double strtod and from_chars give. Answers' numbers (ages,
    // counts, "2.5") nearly all take it; Emscripten's strtod does 128-bit soft-float arithmetic.
    static constexpr double kPowers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                         1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (!exponent && digits <= 19 && mantissa <= (std::uint64_t(1) << 53) && fraction_digits <= 22) {
        const double magnitude = static_cast<double>(mantissa) / kPowers[fraction_digits];
        out = negative && (mantissa != 0 || fraction_digits > 0) ? -magnitude : magnitude;  // "-0" is the integer 0
        return true;
    }
    // Correctly rounded, like strtod and like an integer converted to double: the same value the
    // full path gets from json::get<double>().
#if defined(__GLIBCXX__)
    auto [ptr, ec] = std::from_chars(start, at_, out);
    if (ec != std::errc() || ptr != at_) return false;
#else
    // libc++ 14 (Emscripten) has no floating-point from_chars; there the C library's locale is
    // always "C", so strtod reads the same digits the same way.
    char text[64];  // numbers in answers are short; a longer one takes the full parser
    const auto length = static_cast<std::size_t>(at_ - start);
    if (length >= sizeof text) return false;
    std::memcpy(text, start, length);
    text[length] = '\0';
    char* stop = nullptr;
    out = std::strtod(text, &stop);
    if (stop != text + length) return false;
#endif
    if (out == 0 && std::string_view(start, static_cast<std::size_t>(at_ - start)).find_first_of(".eE") == std::string_view::npos)
        out = 0;  // "-0" is the integer 0 to the full parser, not the double -0.0
    return std::isfinite(out);
}

// The literal `word` at `at_` (true, false, null): consumed, or false.
bool AnswerLineReader::literal(std::string_view word) {
    // true, false and null: their first four bytes as one word, then the 'e' of false.
    if (static_cast<std::size_t>(end_ - at_) < word.size()) return false;
    std::uint32_t have, want;
    std::memcpy(&have, at_, 4);
    std::memcpy(&want, word.data(), 4);
    if (have != want || (word.size() == 5 && at_[4] != word[4])) return false;
    at_ += word.size();
    return true;
}

bool AnswerLineReader::value(AnswerInput& out, bool in_array) {
    if (at_ >= end_) return false;
    switch (*at_) {
        case '"':
            out.type = AnswerInput::Type::String;
            return string(out.text);
        case 't':
        case 'f':
            out.type = AnswerInput::Type::Bool;
            out.boolean = *at_ == 't';
            return literal(out.boolean ? "true" : "false");
        case 'n':
            out.type = AnswerInput::Type::Null;
            return literal("null");
        case '[': {
            if (in_array) return false;  // nested arrays: the full parser
            ++at_;
            out.type = AnswerInput::Type::Array;
            const std::size_t first = elements_.size();
            skip_space();
            if (at_ < end_ && *at_ == ']') {
                ++at_;
            } else {
                for (;;) {
                    AnswerInput element;
                    skip_space();
                    if (!value(element, true)) return false;
                    // Only strings can be choices: other kinds only need to read as "not a string".
                    if (element.type != AnswerInput::Type::String) {
                        element = AnswerInput{};
                        element.type = AnswerInput::Type::Other;
                    }
                    elements_.push_back(element);
                    skip_space();
                    if (at_ >= end_) return false;
                    if (*at_ == ',') { ++at_; continue; }
                    if (*at_ == ']') { ++at_; break; }
                    return false;
                }
            }
            out.size = elements_.size() - first;
            element_start_.push_back(first);  // pointers are set once elements_ stops growing
            return true;
        }
        case '{': return false;  // objects as answers: the full parser
        default:
            if (*at_ == '-' || (*at_ >= '0' && *at_ <= '9')) {
                out.type = AnswerInput::Type::Number;
                return number(out.number);
            }
            return false;
    }
}

bool AnswerLineReader::read(std::string_view text, const CompiledProtocol& protocol, std::size_t max_bytes) {
    entries_.clear();
    elements_.clear();
    element_start_.clear();
    unescaped_used_ = 0;
    if (text.size() > max_bytes || protocol.limits.max_nesting_depth < 2) return false;
    at_ = text.data();
    end_ = text.data() + text.size();

    skip_space();
    if (at_ >= end_ || *at_ != '{') return false;
    ++at_;
    skip_space();
    if (at_ < end_ && *at_ == '}') {
        ++at_;
    } else {
        for (;;) {
            skip_space();
            if (at_ >= end_ || *at_ != '"') return false;
            AnswerEntry entry;
            if (!string(entry.id)) return false;
            skip_space();
            if (at_ >= end_ || *at_ != ':') return false;
            ++at_;
            skip_space();
            if (!value(entry.value, false)) return false;
            entries_.push_back(entry);
            skip_space();
            if (at_ >= end_) return false;
            if (*at_ == ',') { ++at_; continue; }
            if (*at_ == '}') { ++at_; break; }
            return false;
        }
    }
    skip_space();
    if (at_ != end_) return false;  // trailing text

    // A repeated key is an error the full parser reports: find it by slot, unknown ids through a
    // small hash table (not pairwise: a line of 130,000 unknown keys must not take n² comparisons).
    seen_.assign(protocol.items.size(), 0);
    std::size_t unknown = 0;
    int previous = -1;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        const int slot = entries_[i].slot = protocol.find_item_near(entries_[i].id, previous + 1);
        previous = slot;
        if (slot >= 0) {
            if (seen_[slot]++) return false;
        } else {
            ++unknown;
        }
    }
    if (unknown > 1 && repeated_unknown_id(unknown)) return false;

    std::size_t array = 0;
    for (auto& entry : entries_)
        if (entry.value.type == AnswerInput::Type::Array) entry.value.elements = elements_.data() + element_start_[array++];
    return true;
}

// Open addressing over the unknown ids' entry indexes (FNV-1a); the table is kept between lines.
bool AnswerLineReader::repeated_unknown_id(std::size_t count) {
    std::size_t size = 4;
    while (size < 2 * count) size *= 2;
    unknown_ids_.assign(size, ~std::uint32_t(0));
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].slot >= 0) continue;
        const std::string_view id = entries_[i].id;
        std::uint64_t h = 1469598103934665603ULL;
        for (char c : id) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        for (std::size_t at = h & (size - 1);; at = (at + 1) & (size - 1)) {
            if (unknown_ids_[at] == ~std::uint32_t(0)) {
                unknown_ids_[at] = static_cast<std::uint32_t>(i);
                break;
            }
            if (entries_[unknown_ids_[at]].id == id) return true;
        }
    }
    return false;
}

}  // namespace prescreen::detail
