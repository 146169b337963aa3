// JsonLogic values with JavaScript semantics (json-logic-js runs on JavaScript, so its coercions
// are the reference: ToNumber, ToString, Abstract Equality, Abstract Relational Comparison).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "expr/internal.hpp"

namespace prescreen::expr {

Value Arena::string(std::string text) {
    bytes_ += text.size();
    strings_.push_back(std::make_unique<const std::string>(std::move(text)));
    return Value::from_view(*strings_.back());
}

Value Arena::array(std::vector<Value> items) {
    bytes_ += items.size() * sizeof(Value);
    std::unique_ptr<std::vector<Value>> holder;
    if (holders_.empty()) {
        holder = std::make_unique<std::vector<Value>>();
    } else {
        holder = std::move(holders_.back());
        holders_.pop_back();
    }
    holder->swap(items);  // the holder's own (empty) storage goes to the spares
    recycle(std::move(items));
    arrays_.push_back(std::move(holder));
    return Value::from_array_view(arrays_.back().get());
}

std::vector<Value> Arena::spare() {
    if (spares_.empty()) return {};
    std::vector<Value> out = std::move(spares_.back());
    spares_.pop_back();
    return out;
}

void Arena::recycle(std::vector<Value> items) {
    if (items.capacity() == 0) return;
    items.clear();
    spares_.push_back(std::move(items));
}

Value Arena::object(nlohmann::json document) {
    objects_.push_back(std::make_unique<const nlohmann::json>(std::move(document)));
    return from_json_view(*objects_.back());
}

void Arena::clear() {
    strings_.clear();
    objects_.clear();
    std::size_t kept = 0;
    for (const auto& a : arrays_) kept += a->capacity() * sizeof(Value);
    for (const auto& v : spares_) kept += v.capacity() * sizeof(Value);
    if (kept > kKeptBytes) {  // a large evaluation's memory goes back, not kept for small ones
        holders_.clear();
        spares_.clear();
    } else {
        for (auto& a : arrays_) {
            a->clear();
            holders_.push_back(std::move(a));
        }
    }
    arrays_.clear();
    bytes_ = 0;
}

Program::Program() = default;
Program::~Program() = default;
Program::Program(Program&&) noexcept = default;
Program& Program::operator=(Program&&) noexcept = default;

// The kind is switched on once; get_ptr reads the value without get<>'s conversions (and throws).
Value from_json_view(const nlohmann::json& j) {
    using J = nlohmann::json;
    switch (j.type()) {
        case J::value_t::boolean: return Value::from_bool(*j.get_ptr<const J::boolean_t*>());
        case J::value_t::number_integer: return Value::from_number(double(*j.get_ptr<const J::number_integer_t*>()));
        case J::value_t::number_unsigned: return Value::from_number(double(*j.get_ptr<const J::number_unsigned_t*>()));
        case J::value_t::number_float: return Value::from_number(*j.get_ptr<const J::number_float_t*>());
        case J::value_t::string: return Value::from_view(*j.get_ptr<const J::string_t*>());
        case J::value_t::array: return Value::from_json_array(&j);  // elements converted on access
        case J::value_t::object: return Value::from_json_object(&j);
        default: return Value::null();
    }
}

std::size_t array_size(const Value& v) {
    if (v.kind != Kind::Array) return 0;
    if (v.in_json) return v.object_ ? v.object_->size() : 0;
    return v.array_ ? v.array_->size() : 0;
}

Value array_at(const Value& v, std::size_t i) {
    if (v.in_json) return from_json_view((*v.object_)[i]);
    return (*v.array_)[i];
}

bool truthy(const Value& v) {
    switch (v.kind) {
        case Kind::Null: return false;
        case Kind::Bool: return v.boolean;
        case Kind::Number: return v.number != 0 && !std::isnan(v.number);
        case Kind::String: return !v.str().empty();
        case Kind::Array: return array_size(v) != 0;  // json-logic-js: [] is falsy
        case Kind::Object: return true;
    }
    return false;
}

nlohmann::json to_json(const Value& v) {
    switch (v.kind) {
        case Kind::Null: return nullptr;
        case Kind::Bool: return v.boolean;
        case Kind::Number: {
            const double d = v.number;
            if (!std::isfinite(d)) return nullptr;
            // Integral values print as integers (as JavaScript prints them below 1e21); int64 covers 2^63.
            if (d == std::trunc(d) && std::fabs(d) < 9223372036854775808.0) return static_cast<std::int64_t>(d);
            return d;
        }
        case Kind::String: return std::string(v.str());
        case Kind::Array: {
            if (!v.items()) return v.doc() ? *v.doc() : nlohmann::json::array();
            nlohmann::json out = nlohmann::json::array();
            for (const Value& e : *v.items()) out.push_back(to_json(e));
            return out;
        }
        case Kind::Object: return v.doc() ? *v.doc() : nlohmann::json::object();
    }
    return nullptr;
}

// ---- numbers ----------------------------------------------------------------------------------

// Number::toString (ECMA-262 6.1.6.1.20) from the shortest round-trip digits.
void append_js_number(double d, std::string& out) {
    if (std::isnan(d)) { out += "NaN"; return; }
    if (d == 0) { out += '0'; return; }
    if (std::isinf(d)) { out += d < 0 ? "-Infinity" : "Infinity"; return; }
    if (d < 0) { out += '-'; d = -d; }
    // Shortest "%.Ne" that round-trips (Emscripten's libc++ 14 has no floating-point to_chars).
    char buf[64];
    int len = 0;
    for (int precision = 0; precision <= 17; ++precision) {
        len = std::snprintf(buf, sizeof buf, "%.*e", precision, d);
        if (std::strtod(buf, nullptr) == d) break;
    }
    struct { const char* ptr; } res{buf + len};
    // buf = "d[.ddd]e[+-]xx"
    char digits[32];
    int k = 0;
    const char* p = buf;
    for (; p < res.ptr && *p != 'e'; ++p)
        if (*p != '.') digits[k++] = *p;
    int exp10 = std::atoi(p + 1);
    while (k > 1 && digits[k - 1] == '0') --k;
    const int n = exp10 + 1;  // value = 0.d1d2..dk * 10^n
    if (k <= n && n <= 21) {
        out.append(digits, k);
        out.append(n - k, '0');
    } else if (0 < n && n <= 21) {
        out.append(digits, n);
        out += '.';
        out.append(digits + n, k - n);
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(-n, '0');
        out.append(digits, k);
    } else {
        out += digits[0];
        if (k > 1) {
            out += '.';
            out.append(digits + 1, k - 1);
        }
        out += 'e';
        out += n - 1 < 0 ? '-' : '+';
        out += std::to_string(std::abs(n - 1));
    }
}

std::string js_number(double d) {
    std::string s;
    append_js_number(d, s);
    return s;
}

namespace {

// JavaScript WhiteSpace and LineTerminator (ASCII, NBSP, BOM, U+2028/2029 and the Zs spaces).
std::size_t space_length(std::string_view s, std::size_t i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || (c >= 0x09 && c <= 0x0d)) return 1;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xa0) return 2;
    if (c == 0xe1 && s.substr(i, 3) == "\xe1\x9a\x80") return 3;
    if (c == 0xef && s.substr(i, 3) == "\xef\xbb\xbf") return 3;
    if (c == 0xe3 && s.substr(i, 3) == "\xe3\x80\x80") return 3;
    if (c == 0xe2 && i + 2 < s.size()) {
        const unsigned char c1 = static_cast<unsigned char>(s[i + 1]), c2 = static_cast<unsigned char>(s[i + 2]);
        if (c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8a) || c2 == 0xa8 || c2 == 0xa9 || c2 == 0xaf)) return 3;
        if (c1 == 0x81 && c2 == 0x9f) return 3;
    }
    return 0;
}

// Bytes of JavaScript white space (and line terminators) at the start of s.
std::size_t leading_space(std::string_view s) {
    std::size_t b = 0;
    while (b < s.size()) {
        const std::size_t n = space_length(s, b);
        if (!n) break;
        b += n;
    }
    return b;
}

std::string_view trim_js(std::string_view s) {
    s.remove_prefix(leading_space(s));
    // trailing: scan forward and remember the end of the last non-space character
    std::size_t end = 0, i = 0;
    while (i < s.size()) {
        const std::size_t n = space_length(s, i);
        if (n) { i += n; continue; }
        ++i;
        end = i;
    }
    return s.substr(0, end);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Length of the longest StrUnsignedDecimalLiteral prefix (without Infinity), 0 if none.
std::size_t decimal_prefix(std::string_view s) {
    std::size_t i = 0, int_digits = 0, frac_digits = 0;
    while (i < s.size() && is_digit(s[i])) { ++i; ++int_digits; }
    if (i < s.size() && s[i] == '.') {
        std::size_t j = i + 1;
        while (j < s.size() && is_digit(s[j])) { ++j; ++frac_digits; }
        if (int_digits || frac_digits) i = j;
    }
    if (!int_digits && !frac_digits) return 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        std::size_t exp_digits = 0;
        while (j < s.size() && is_digit(s[j])) { ++j; ++exp_digits; }
        if (exp_digits) i = j;
    }
    return i;
}

double parse_decimal(std::string_view s) {
    // strtod (not from_chars: Emscripten's libc++ 14 lacks the floating-point overloads) on a
    // NUL-terminated copy; the caller has already checked the decimal syntax.
    const std::string text(s);
    errno = 0;
    double d = std::strtod(text.c_str(), nullptr);
    if (errno == ERANGE) {
        // Either overflow or underflow: decide by the exponent's sign.
        bool neg_exp = false;
        for (std::size_t i = 0; i < s.size(); ++i)
            if ((s[i] == 'e' || s[i] == 'E') && i + 1 < s.size() && s[i + 1] == '-') neg_exp = true;
        d = neg_exp ? 0.0 : HUGE_VAL;
    }
    return d;
}

double parse_radix(std::string_view s, int radix) {
    if (s.empty()) return NAN;
    double v = 0;
    for (char c : s) {
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'z') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'Z') d = c - 'A' + 10;
        else return NAN;
        if (d >= radix) return NAN;
        v = v * radix + d;
    }
    return v;
}

}  // namespace

double string_to_number(std::string_view text) {
    std::string_view s = trim_js(text);
    if (s.empty()) return 0;
    if (s.size() > 2 && s[0] == '0') {
        const char x = s[1];
        if (x == 'x' || x == 'X') return parse_radix(s.substr(2), 16);
        if (x == 'o' || x == 'O') return parse_radix(s.substr(2), 8);
        if (x == 'b' || x == 'B') return parse_radix(s.substr(2), 2);
    }
    bool negative = false;
    std::string_view body = s;
    if (body[0] == '+' || body[0] == '-') {
        negative = body[0] == '-';
        body.remove_prefix(1);
    }
    if (body == "Infinity") return negative ? -HUGE_VAL : HUGE_VAL;
    const std::size_t n = decimal_prefix(body);
    if (n == 0 || n != body.size()) return NAN;
    const double d = parse_decimal(body);
    return negative ? -d : d;
}

double to_number(const Value& v) {
    switch (v.kind) {
        case Kind::Null: return is_undefined(v) ? NAN : 0.0;
        case Kind::Bool: return v.boolean ? 1.0 : 0.0;
        case Kind::Number: return v.number;
        case Kind::String: return string_to_number(v.str());
        case Kind::Array: {
            std::string s;
            append_js_string(v, s);
            return string_to_number(s);
        }
        case Kind::Object: return NAN;
    }
    return NAN;
}

double parse_float(const Value& v) {
    if (v.kind == Kind::Number) return v.number == 0 ? 0.0 : v.number;
    std::string tmp;
    std::string_view s;
    if (v.kind == Kind::String) {
        s = v.str();
    } else {
        append_js_string(v, tmp);
        s = tmp;
    }
    s.remove_prefix(leading_space(s));
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.substr(0, 8) == "Infinity") return negative ? -HUGE_VAL : HUGE_VAL;
    const std::size_t n = decimal_prefix(s);
    if (n == 0) return NAN;
    const double d = parse_decimal(s.substr(0, n));
    return negative ? -d : d;
}

void append_js_string(const Value& v, std::string& out) {
    switch (v.kind) {
        case Kind::Null: out += is_undefined(v) ? "undefined" : "null"; return;
        case Kind::Bool: out += v.boolean ? "true" : "false"; return;
        case Kind::Number: append_js_number(v.number, out); return;
        case Kind::String: out.append(v.str()); return;
        case Kind::Array: {
            const std::size_t n = array_size(v);
            for (std::size_t i = 0; i < n; ++i) {
                if (i) out += ',';
                const Value e = array_at(v, i);
                if (e.kind != Kind::Null) append_js_string(e, out);  // join: null/undefined -> ""
            }
            return;
        }
        case Kind::Object: out += "[object Object]"; return;
    }
}

// ---- equality and order ---------------------------------------------------------------------

namespace {
bool same_array(const Value& a, const Value& b) {
    if (a.items() || b.items()) return a.items() == b.items();
    return a.doc() == b.doc();
}

// ToPrimitive of an array or object: its string, built in `storage` (owned by the caller).
Value primitive(const Value& v, std::string& storage) {
    if (v.kind == Kind::Array) {
        append_js_string(v, storage);
        return Value::from_view(storage);
    }
    return Value::from_view("[object Object]");
}
}  // namespace

bool strict_equal(const Value& a, const Value& b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
        case Kind::Null: return is_undefined(a) == is_undefined(b);
        case Kind::Bool: return a.boolean == b.boolean;
        case Kind::Number: return a.number == b.number;
        case Kind::String: return a.str() == b.str();
        case Kind::Array: return same_array(a, b);
        case Kind::Object: return a.doc() == b.doc();
    }
    return false;
}

bool js_in(const Value& a, const Value& b) {
    if (b.kind == Kind::String) {  // String.prototype.indexOf
        if (b.str().empty()) return false;
        if (a.kind == Kind::String) return b.str().find(a.str()) != std::string_view::npos;
        std::string needle;
        append_js_string(a, needle);
        return b.str().find(needle) != std::string_view::npos;
    }
    if (b.kind != Kind::Array) return false;
    if (b.items()) {  // Array.prototype.indexOf: strict equality
        for (const Value& e : *b.items())
            if (strict_equal(e, a)) return true;
        return false;
    }
    const std::size_t size = array_size(b);
    for (std::size_t i = 0; i < size; ++i)
        if (strict_equal(array_at(b, i), a)) return true;
    return false;
}

// Abstract Equality Comparison (ECMA-262 7.2.14).
bool loose_equal(const Value& a, const Value& b) {
    if (a.kind == b.kind) {
        if (a.kind == Kind::Null) return true;  // null == undefined
        return strict_equal(a, b);
    }
    if (a.kind == Kind::Null || b.kind == Kind::Null) return false;
    if (a.kind == Kind::Bool) return loose_equal(Value::from_number(a.boolean ? 1 : 0), b);
    if (b.kind == Kind::Bool) return loose_equal(a, Value::from_number(b.boolean ? 1 : 0));
    if (a.kind == Kind::Number && b.kind == Kind::String) return a.number == string_to_number(b.str());
    if (a.kind == Kind::String && b.kind == Kind::Number) return string_to_number(a.str()) == b.number;
    const bool a_obj = a.kind == Kind::Array || a.kind == Kind::Object;
    const bool b_obj = b.kind == Kind::Array || b.kind == Kind::Object;
    std::string storage;
    if (a_obj && !b_obj) return loose_equal(primitive(a, storage), b);
    if (b_obj && !a_obj) return loose_equal(a, primitive(b, storage));
    return false;  // array vs object: different objects
}

// Abstract Relational Comparison (ECMA-262 7.2.13) with ToPrimitive(hint Number).
Order js_compare(const Value& a, const Value& b) {
    if (a.kind == Kind::Number && b.kind == Kind::Number) {
        if (a.number < b.number) return Order::Less;
        if (a.number > b.number) return Order::Greater;
        if (a.number == b.number) return Order::Equal;
        return Order::Unordered;
    }
    const bool a_obj = a.kind == Kind::Array || a.kind == Kind::Object;
    const bool b_obj = b.kind == Kind::Array || b.kind == Kind::Object;
    if (a_obj || b_obj) {
        std::string storage_a, storage_b;
        const Value pa = a_obj ? primitive(a, storage_a) : a;
        const Value pb = b_obj ? primitive(b, storage_b) : b;
        return js_compare(pa, pb);
    }
    if (a.kind == Kind::String && b.kind == Kind::String) {
        // UTF-8 byte order is code point order (JavaScript compares UTF-16 units; they differ only
        // between astral characters and U+E000..U+FFFF).
        const int c = a.str().compare(b.str());
        return c < 0 ? Order::Less : c > 0 ? Order::Greater : Order::Equal;
    }
    const double x = to_number(a), y = to_number(b);
    if (x < y) return Order::Less;
    if (x > y) return Order::Greater;
    if (x == y) return Order::Equal;
    return Order::Unordered;
}

bool compare_op(Op op, const Value& a, const Value& b) {
    switch (op) {
        case Op::Eq: return loose_equal(a, b);
        case Op::Ne: return !loose_equal(a, b);
        case Op::StrictEq: return strict_equal(a, b);
        case Op::StrictNe: return !strict_equal(a, b);
        case Op::Lt: return js_compare(a, b) == Order::Less;
        case Op::Gt: return js_compare(a, b) == Order::Greater;
        case Op::Le: { const Order o = js_compare(a, b); return o == Order::Less || o == Order::Equal; }
        case Op::Ge: { const Order o = js_compare(a, b); return o == Order::Greater || o == Order::Equal; }
        default: return false;
    }
}

PRESCREEN_COLD double core_number(const Value& v) {
    switch (v.kind) {
        case Kind::Null: return 0;
        case Kind::Bool: return v.boolean ? 1 : 0;
        case Kind::Number: return v.number;
        case Kind::String: {
            const double d = string_to_number(v.str());
            if (!std::isnan(d)) return d;
            break;
        }
        default: break;
    }
    throw EvalError{"not_a_number", "not a number: " + to_json(v).dump()};
}

PRESCREEN_COLD bool core_compare(Op op, const Value& a, const Value& b) {
    if (op == Op::StrictEq) return strict_equal(a, b);
    if (op == Op::StrictNe) return !strict_equal(a, b);
    const bool structured = a.kind == Kind::Array || a.kind == Kind::Object || b.kind == Kind::Array || b.kind == Kind::Object;
    if (structured) throw EvalError{"not_a_number", "arrays and objects cannot be compared"};
    int order;  // -1, 0, 1; 2 = unordered (a null against a non-numeric string)
    if (a.kind == Kind::String && b.kind == Kind::String) {
        const int c = a.str().compare(b.str());
        order = c < 0 ? -1 : c > 0;
    } else if ((a.kind == Kind::Null && b.kind == Kind::String && std::isnan(string_to_number(b.str()))) ||
               (b.kind == Kind::Null && a.kind == Kind::String && std::isnan(string_to_number(a.str())))) {
        order = 2;
    } else {
        const double x = core_number(a), y = core_number(b);
        order = x < y ? -1 : x > y;
    }
    switch (op) {
        case Op::Eq: return order == 0;
        case Op::Ne: return order != 0;
        case Op::Lt: return order == -1;
        case Op::Le: return order == -1 || order == 0;
        case Op::Gt: return order == 1;
        case Op::Ge: return order == 1 || order == 0;
        default: return false;
    }
}

void string_too_long() { throw std::length_error("a JsonLogic string of 4 GiB or more"); }

}  // namespace prescreen::expr
