// Canonical JSON for digests (RFC 8785 style): keys sorted, no insignificant whitespace.
// nlohmann::json keeps object keys in a std::map, so iteration is already byte-wise sorted, which
// equals RFC 8785's UTF-16 order for every key outside the astral planes.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "json_input.hpp"
#include "json_writer.hpp"
#include "prescreen/prescreen.hpp"

namespace prescreen {

namespace {

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), which is
// what json::dump() with the strict handler accepts. ASCII is skipped eight bytes at a time.
bool well_formed_utf8(std::string_view s) {
    std::size_t i = 0;
    const auto* b = reinterpret_cast<const unsigned char*>(s.data());
    while (i < s.size()) {
        if (i + 8 <= s.size()) {
            std::uint64_t w;
            std::memcpy(&w, b + i, 8);
            if (!(w & 0x8080808080808080ull)) { i += 8; continue; }
        }
        const unsigned char c = b[i];
        if (c < 0x80) { ++i; continue; }
        std::size_t n;
        unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) n = 1;
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
        else return false;
        if (i + n >= s.size()) return false;  // the sequence is cut off
        if (b[i + 1] < lo || b[i + 1] > hi) return false;
        for (std::size_t k = 2; k <= n; ++k)
            if ((b[i + k] & 0xC0) != 0x80) return false;
        i += n + 1;
    }
    return true;
}

void integer(std::int64_t n, std::string& out) {
    char buf[24];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
}

// Text that is not UTF-8 goes through json::dump()'s strict handler, which throws the json
// exception callers already turn into `invalid_utf8`.
void refuse_unless_utf8(const std::string& s) {
    if (!well_formed_utf8(s)) (void)json(s).dump(-1, ' ', false, json::error_handler_t::strict);
}

// The canonical text, escaped as json::dump() escapes (json_writer.hpp) but without a serializer,
// a temporary string and a locale lookup per value: that was most of a pack's load.
void write(const json& v, std::string& out) {
    switch (v.type()) {
        case json::value_t::object: {
            out += '{';
            bool first = true;
            for (auto it = v.begin(); it != v.end(); ++it) {
                if (!first) out += ',';
                first = false;
                refuse_unless_utf8(it.key());
                detail::append_json_string(out, it.key());
                out += ':';
                write(it.value(), out);
            }
            out += '}';
            return;
        }
        case json::value_t::array: {
            out += '[';
            bool first = true;
            for (const json& e : v) {
                if (!first) out += ',';
                first = false;
                write(e, out);
            }
            out += ']';
            return;
        }
        case json::value_t::string:
            refuse_unless_utf8(v.get_ref<const std::string&>());
            detail::append_json_string(out, v.get_ref<const std::string&>());
            return;
        case json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
        case json::value_t::null: out += "null"; return;
        case json::value_t::number_integer: integer(v.get<std::int64_t>(), out); return;
        case json::value_t::number_float: {
            // A number with no fraction is written as an integer: JavaScript holds 0.0 and 0 as the
            // same value, so a digest must not depend on which was written. NaN and Infinity have
            // no JSON form at all (nlohmann would write null, colliding with a real null).
            const double d = v.get<double>();
            if (!std::isfinite(d)) throw UsageError({"not_finite", "", "NaN and Infinity have no canonical JSON form"});
            if (std::floor(d) == d && std::fabs(d) <= 9007199254740991.0) return integer(static_cast<std::int64_t>(d), out);
            out += v.dump();
            return;
        }
        default:
            out += v.dump(-1, ' ', false, json::error_handler_t::strict);  // unsigned, binary
    }
}

}  // namespace

std::string canonical_json(const json& value) {
    std::vector<Diagnostic> problems;
    if (!check_json_value(value, default_limits().max_nesting_depth, "", problems)) throw UsageError(problems.front());
    return detail::canonical_json_checked(value);
}

namespace detail {

std::string canonical_json_checked(const json& value) {
    std::string out;
    write(value, out);
    return out;
}

}  // namespace detail

}  // namespace prescreen
