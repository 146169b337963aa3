// Two ways to emit one JSON result from the same rendering code: as a json tree (the C++ and
// binding APIs) or straight to compact text (JSONL and the WebAssembly boundary, where building a
// tree only to dump it costs most of the time). The text is byte for byte json::dump(): callers
// write object keys in sorted order, as nlohmann's std::map does.
#pragma once

#include <algorithm>
#include <cmath>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "expr/expr.hpp"

namespace prescreen::detail {

/// The bytes of the eight in `w` (little-endian) that a JSON string cannot hold as they are: '"',
/// '\\' and control characters (below 0x20), each marked by its high bit. SWAR (the classic
/// has-zero-byte trick): the lowest mark is exact; bytes after it may be marked too, which only
/// sends a caller to look closer.
inline std::uint64_t quote_backslash_or_control(std::uint64_t w) {
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    auto zero_bytes = [&](std::uint64_t x) { return (x - ones) & ~x & highs; };
    const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
    return below_space | zero_bytes(w ^ (ones * '"')) | zero_bytes(w ^ (ones * '\\'));
}

/// Appends to a std::string through a raw cursor into its storage, trimmed to what was written
/// when the sink goes. Why: Emscripten links a prebuilt libc++ whose std::string push_back and
/// append are out-of-line calls with a capacity check each (9 % of a WebAssembly screening in
/// `node --cpu-prof`); here a character is one store. Nothing else may touch the string meanwhile.
class TextSink {
public:
    /// `expect`: the bytes about to be written (more is fine: the room doubles as needed).
    explicit TextSink(std::string& s, std::size_t expect = 1024) : s_(s) { reset(s.size(), s.size() + std::max<std::size_t>(expect, 16)); }
    ~TextSink() { s_.resize(static_cast<std::size_t>(at_ - s_.data())); }
    TextSink(const TextSink&) = delete;
    TextSink& operator=(const TextSink&) = delete;

    void put(char c) {
        if (at_ == end_) grow(1);
        *at_++ = c;
    }
    void put(const char* p, std::size_t n) {
        if (static_cast<std::size_t>(end_ - at_) < n) grow(n);
        std::memcpy(at_, p, n);
        at_ += n;
    }
    void put(std::string_view v) { put(v.data(), v.size()); }

private:
    void reset(std::size_t used, std::size_t size) {
        s_.resize(size);
        at_ = s_.data() + used;
        end_ = s_.data() + s_.size();
    }
    // Out of line: the rare path, kept out of every put() the writer's callers inline.
    __attribute__((noinline)) void grow(std::size_t n) {
        const std::size_t used = static_cast<std::size_t>(at_ - s_.data());
        reset(used, std::max(used + n, 2 * s_.size()));
    }

    std::string& s_;
    char* at_ = nullptr;
    char* end_ = nullptr;
};

/// `s` as a JSON string, written to `out` (a TextSink), escaped as json::dump() escapes it
/// (ensure_ascii off): " \ and control characters; \u00xx in lower case. The bytes are not
/// checked for UTF-8.
inline void write_json_string(TextSink& out, std::string_view s) {
    out.put('"');
    std::size_t run = 0;
    std::size_t i = 0;
    // Most text needs no escaping: skip eight bytes at a time while none is " \ or a control.
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        if (quote_backslash_or_control(w)) break;
    }
    for (; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.put(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"': out.put("\\\"", 2); break;
            case '\\': out.put("\\\\", 2); break;
            case '\b': out.put("\\b", 2); break;
            case '\f': out.put("\\f", 2); break;
            case '\n': out.put("\\n", 2); break;
            case '\r': out.put("\\r", 2); break;
            case '\t': out.put("\\t", 2); break;
            default: {
                static const char hex[] = "0123456789abcdef";
                const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                out.put(esc, sizeof esc);
            }
        }
    }
    out.put(s.data() + run, s.size() - run);
    out.put('"');
}

/// The same, appended to a string.
inline void append_json_string(std::string& out, std::string_view s) {
    TextSink sink(out, s.size() + 2);
    write_json_string(sink, s);
}

/// Compact JSON text, appended to `out` (through a TextSink: `out` is complete when the writer goes).
class JsonTextWriter {
public:
    explicit JsonTextWriter(std::string& out) : out_(out) {}

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }
    void key(std::string_view k) {
        separate();
        quote(k);
        out_.put(':');
        after_key_ = true;
    }
    void string(std::string_view s) { separate(); quote(s); }
    void integer(long long n) {
        separate();
        char buf[24];
        auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
        out_.put(buf, static_cast<std::size_t>(end - buf));
    }
    void boolean(bool b) { separate(); out_.put(b ? std::string_view("true") : std::string_view("false")); }
    void null() { separate(); out_.put("null", 4); }
    /// A json value as json::dump() writes it (the usual scalars without a temporary string).
    void value(const nlohmann::json& j) {
        switch (j.type()) {
            case nlohmann::json::value_t::null: return null();
            case nlohmann::json::value_t::boolean: return boolean(j.get<bool>());
            case nlohmann::json::value_t::number_integer: return integer(j.get<std::int64_t>());
            case nlohmann::json::value_t::string: return string(j.get_ref<const std::string&>());
            default: separate(); out_.put(j.dump());
        }
    }
    /// A constant value with its json::dump() text prepared at load.
    void constant(const nlohmann::json&, std::string_view text) { separate(); out_.put(text); }
    /// Constant members of the open object (keys in order), their text prepared at load.
    void members(const nlohmann::json&, std::string_view text) { separate(); out_.put(text); }
    /// An evaluator value as expr::to_json(v).dump() writes it.
    void value(const expr::Value& v) {
        switch (v.kind) {
            case expr::Kind::Null: null(); return;
            case expr::Kind::Bool: boolean(v.boolean); return;
            case expr::Kind::Number: {
                const double d = v.number;
                if (!std::isfinite(d)) return null();
                if (d == std::trunc(d) && std::fabs(d) < 9223372036854775808.0) return integer(static_cast<long long>(d));
                separate();
                char buf[64];
                char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, d);  // what dump() uses
                out_.put(buf, static_cast<std::size_t>(end - buf));
                return;
            }
            case expr::Kind::String: string(v.str()); return;
            case expr::Kind::Array:
                if (!v.items()) return value(expr::to_json(v));
                begin_array();
                for (const expr::Value& e : *v.items()) value(e);
                end_array();
                return;
            case expr::Kind::Object: value(expr::to_json(v)); return;
        }
    }

private:
    // One bit per open container (results nest a few levels; 64 is far more): 1 = it has an element.
    void open(char c) {
        separate();
        out_.put(c);
        ++depth_;
        has_element_ &= ~bit();
    }
    void close(char c) {
        out_.put(c);
        --depth_;
    }
    // A comma before every element but the first of its container; none right after a key.
    void separate() {
        if (after_key_) { after_key_ = false; return; }
        if (depth_ == 0) return;
        if (has_element_ & bit()) out_.put(',');
        else has_element_ |= bit();
    }
    std::uint64_t bit() const { return std::uint64_t(1) << ((depth_ - 1) & 63); }
    void quote(std::string_view s) { write_json_string(out_, s); }

    TextSink out_;
    std::uint64_t has_element_ = 0;
    unsigned depth_ = 0;
    bool after_key_ = false;
};

/// A json tree, built in place.
class JsonTreeWriter {
public:
    void begin_object() { open(nlohmann::json::object()); }
    void end_object() { stack_.pop_back(); }
    void begin_array() { open(nlohmann::json::array()); }
    void end_array() { stack_.pop_back(); }
    void key(std::string_view k) { key_.assign(k); }
    void string(std::string_view s) { put(std::string(s)); }
    void integer(long long n) { put(n); }
    void boolean(bool b) { put(b); }
    void null() { put(nullptr); }
    void value(const nlohmann::json& j) { put(j); }
    void constant(const nlohmann::json& j, std::string_view) { put(j); }
    void members(const nlohmann::json& object, std::string_view) {
        for (const auto& [k, v] : object.items()) (*stack_.back())[k] = v;
    }
    void value(const expr::Value& v) { put(expr::to_json(v)); }

    nlohmann::json take() { return std::move(root_); }

private:
    nlohmann::json* put(nlohmann::json v) {
        if (stack_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        nlohmann::json& parent = *stack_.back();
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        return &(parent[key_] = std::move(v));
    }
    void open(nlohmann::json empty) { stack_.push_back(put(std::move(empty))); }

    nlohmann::json root_;
    std::vector<nlohmann::json*> stack_;
    std::string key_;
};

}  // namespace prescreen::detail
