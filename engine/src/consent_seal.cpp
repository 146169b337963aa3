// Timestamps, digests, seals, keys and visible names for consent records and events.
#include "consent_seal.hpp"

#include <cmath>

#include "dates.hpp"
#include "json_input.hpp"

namespace prescreen::consent_detail {

std::optional<long long> parse_timestamp(std::string_view t) {
    if (t.size() < 10) return std::nullopt;
    auto date = parse_iso_date(t.substr(0, 10));
    if (!date) return std::nullopt;
    long long seconds = to_day_number(*date) * 86400LL;
    if (t.size() == 10) return seconds;
    auto digits = [&](std::size_t at, std::size_t n) -> int {
        if (at + n > t.size()) return -1;
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (t[i] < '0' || t[i] > '9') return -1;
            v = v * 10 + (t[i] - '0');
        }
        return v;
    };
    if (t[10] != 'T' && t[10] != 't') return std::nullopt;
    int hh = digits(11, 2), mm = (t.size() > 13 && t[13] == ':') ? digits(14, 2) : -1;
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return std::nullopt;
    std::size_t pos = 16;
    int ss = 0;
    if (pos < t.size() && t[pos] == ':') {
        ss = digits(pos + 1, 2);
        if (ss < 0 || ss > 60) return std::nullopt;
        pos += 3;
        if (pos < t.size() && t[pos] == '.') {
            ++pos;
            std::size_t start = pos;
            while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
            if (pos == start) return std::nullopt;
        }
    }
    seconds += hh * 3600LL + mm * 60LL + ss;
    if (pos == t.size()) return std::nullopt;  // a time without a zone is ambiguous
    if ((t[pos] == 'Z' || t[pos] == 'z') && pos + 1 == t.size()) return seconds;
    if ((t[pos] == '+' || t[pos] == '-') && pos + 6 == t.size() && t[pos + 3] == ':') {
        int oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
        long long offset = oh * 3600LL + om * 60LL;
        return t[pos] == '+' ? seconds - offset : seconds + offset;
    }
    return std::nullopt;
}

Date day_of(long long seconds) { return from_day_number(seconds / 86400 - (seconds % 86400 < 0 ? 1 : 0)); }

void require_key(std::string_view key, const char* path) {
    if (key.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos)
        throw UsageError({"empty_seal_key", path,
                          "the seal key is empty or only white space: give the back office's key, or no key at all"});
}

namespace {

// Code points that show nothing on their own: white space, controls, format characters (zero
// width, direction marks, BOM), fillers, combining marks, variation selectors, tags, noncharacters.
bool invisible(char32_t c) {
    struct Range { char32_t from, to; };
    static constexpr Range ranges[] = {
        {0x0000, 0x0020}, {0x007F, 0x00A0}, {0x00AD, 0x00AD}, {0x0300, 0x036F}, {0x034F, 0x034F},
        {0x061C, 0x061C}, {0x115F, 0x1160}, {0x1680, 0x1680}, {0x17B4, 0x17B5}, {0x180B, 0x180F},
        {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x2000, 0x200F}, {0x2028, 0x202F}, {0x205F, 0x206F},
        {0x20D0, 0x20FF}, {0x2800, 0x2800}, {0x3000, 0x3000}, {0x3164, 0x3164}, {0xE000, 0xF8FF},
        {0xFDD0, 0xFDEF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xFFA0, 0xFFA0},
        {0xFFF0, 0xFFFF}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0000, 0x10FFFF},
    };
    for (const auto& r : ranges)
        if (c >= r.from && c <= r.to) return true;
    return (c & 0xFFFE) == 0xFFFE;  // U+xFFFE, U+xFFFF in every plane
}

}  // namespace

bool has_visible_character(std::string_view s) {
    bool visible = false;
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char b = static_cast<unsigned char>(s[i]);
        std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
        for (std::size_t k = 1; k < len; ++k) {
            const unsigned char n = static_cast<unsigned char>(s[i + k]);
            if ((n & 0xC0) != 0x80) return false;
            c = (c << 6) | (n & 0x3F);
        }
        static constexpr char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (c < least[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;  // overlong, surrogate
        visible = visible || !invisible(c);
        i += len;
    }
    return visible;
}

namespace {

bool is_v1(const json& object) { return object.is_object() && object.value("record_type", json()) == record_type_v1; }

// Constant-time comparison, so a seal cannot be guessed byte by byte from timing.
bool same_secret(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace

std::string digest_input(const json& object) {
    json copy = object;
    copy.erase("digest");
    copy.erase("seal");
    if (is_v1(object)) copy.erase("withdrawal");  // v1 kept a mutable withdrawal outside the digest
    return canonical_json(copy);
}

std::string seal_input(const json& object) {
    if (is_v1(object)) return digest_input(object);
    // The seal covers the whole record and every member of `seal` but its value and the two
    // detached public-key signatures over the digest (the back office's Ed25519 `signature` and
    // `countersignature`, docs/clinic.md): each proves itself with the clinic's public key, so they
    // can be added after sealing.
    json copy = object;
    if (auto it = copy.find("seal"); it != copy.end() && it->is_object())
        for (const char* detached : {"value", "signature", "countersignature"}) it->erase(detached);
    return canonical_json(copy);
}

void digest_and_seal(json& object, const std::optional<std::string>& key) {
    object.erase("seal");
    object["digest"] = sha256_hex(digest_input(object));
    if (!key) return;
    object["seal"] = json{{"algorithm", seal_algorithm}};
    const std::string mac = hmac_sha256_hex(*key, seal_input(object));
    object["seal"]["value"] = mac;
}

void check_digest_and_seal(const json& object, std::optional<std::string_view> key, std::vector<Diagnostic>& problems) {
    if (object.contains("digest") && object["digest"].is_string() &&
        !same_secret(sha256_hex(digest_input(object)), object["digest"].get<std::string>()))
        problems.push_back({"digest_mismatch", "/digest", "the content does not match its digest: it was changed after signing"});
    if (!key) return;
    auto seal = object.find("seal");
    if (seal == object.end() || !seal->is_object() || !seal->contains("value") || !(*seal)["value"].is_string()) {
        problems.push_back({"seal_missing", "/seal", "not sealed: with a seal key, only sealed records and events are accepted"});
        return;
    }
    if (seal->value("algorithm", json()) != seal_algorithm)
        problems.push_back({"seal_algorithm_unknown", "/seal/algorithm", std::string("the seal algorithm must be ") + seal_algorithm});
    else if (!same_secret(hmac_sha256_hex(*key, seal_input(object)), (*seal)["value"].get<std::string>()))
        problems.push_back({"seal_mismatch", "/seal/value", "the seal does not match: wrong key or a changed record"});
}

void check_numbers(const json& v, const std::string& path, std::vector<Diagnostic>& problems) {
    constexpr double limit = 9007199254740991.0;  // 2^53 - 1: the largest integer every runtime holds exactly
    if (v.is_number_float()) {
        const double d = v.get<double>();
        // 1.0 is the integer 1 (JavaScript cannot tell them apart; canonical JSON writes 1).
        if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > limit)
            problems.push_back({"non_integer_number", path, "a consent record holds integers only (within ±2^53)"});
    } else if (v.is_number_unsigned()) {
        if (v.get<std::uint64_t>() > 9007199254740991ULL)
            problems.push_back({"non_integer_number", path, "a consent record holds integers only (within ±2^53)"});
    } else if (v.is_number_integer()) {
        const std::int64_t i = v.get<std::int64_t>();
        if (i > 9007199254740991LL || i < -9007199254740991LL)
            problems.push_back({"non_integer_number", path, "a consent record holds integers only (within ±2^53)"});
    } else if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it) check_numbers(it.value(), pointer_join(path, it.key()), problems);
    } else if (v.is_array()) {
        for (std::size_t i = 0; i < v.size(); ++i) check_numbers(v[i], pointer_join(path, i), problems);
    }
}

json verification(const std::vector<Diagnostic>& problems) {
    json list = json::array();
    for (const auto& d : problems) list.push_back(d.to_json());
    return json{{"valid", problems.empty()}, {"problems", std::move(list)}};
}

}  // namespace prescreen::consent_detail
