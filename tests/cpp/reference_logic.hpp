// A deliberately simple JsonLogic interpreter (json-logic-js 2.0.5 semantics) straight over JSON: no
// compilation, no views, no fast paths. It exists only to check the engine's compiled evaluator
// (tests/cpp/test_logic_reference.cpp and fuzz/fuzz_logic_diff.cpp). It covers the operations the
// random rules use; where JavaScript's answer depends on object identity (two arrays compared with
// ==) or on behaviour the engine documents as different, it throws Undecided and the case is skipped.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

namespace reference {

using nlohmann::json;

struct Undecided {};  // not comparable (identity, or outside the covered operations)

inline bool is_nan(const json& v) { return v.is_number_float() && std::isnan(v.get<double>()); }

inline std::string js_number_text(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    if (d == 0) return "0";
    if (std::fabs(d) >= 1e21 || std::fabs(d) < 1e-6) throw Undecided{};  // exponent notation: not covered
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    return std::string(buf, r.ptr);
}

inline std::string to_string(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return v.get<bool>() ? "true" : "false";
        case json::value_t::string: return v.get<std::string>();
        case json::value_t::array: {
            std::string s;
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (i) s += ",";
                if (!v[i].is_null()) s += to_string(v[i]);
            }
            return s;
        }
        case json::value_t::object: return "[object Object]";
        default: return js_number_text(v.get<double>());
    }
}

inline std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\n\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\n\r") - b + 1);
}

inline double to_number(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return 0;
        case json::value_t::boolean: return v.get<bool>() ? 1 : 0;
        case json::value_t::string: {
            const std::string t = trim(v.get<std::string>());
            if (t.empty()) return 0;
            // Number("Infinity") is Infinity (a computed 1/0 turned to text, e.g. [1/0] compared).
            if (t == "Infinity" || t == "+Infinity") return INFINITY;
            if (t == "-Infinity") return -INFINITY;
            for (char c : t)
                if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+')) return NAN;
            char* end = nullptr;
            const double d = std::strtod(t.c_str(), &end);
            return *end == '\0' ? d : NAN;
        }
        case json::value_t::array: return v.size() > 1 ? NAN : to_number(json(to_string(v)));  // [x]: ToNumber(String([x]))
        case json::value_t::object: return NAN;
        default: return v.get<double>();
    }
}

inline double parse_float(const json& v) {
    const std::string t = trim(to_string(v));
    for (const char* sign : {"", "+", "-"})  // parseFloat reads "Infinity" too (a computed 1/0 as text)
        if (t.rfind(std::string(sign) + "Infinity", 0) == 0) return *sign == '-' ? -INFINITY : INFINITY;
    std::size_t n = 0;
    if (n < t.size() && (t[n] == '-' || t[n] == '+')) ++n;
    const std::size_t digits_from = n;
    while (n < t.size() && std::isdigit(static_cast<unsigned char>(t[n]))) ++n;
    if (n < t.size() && t[n] == '.') {
        ++n;
        while (n < t.size() && std::isdigit(static_cast<unsigned char>(t[n]))) ++n;
    }
    const std::string prefix = t.substr(0, n);
    if (n == digits_from || prefix == "-" || prefix == "+" || prefix == "." || prefix == "-." || prefix == "+.") return NAN;
    return std::strtod(prefix.c_str(), nullptr);
}

inline bool truthy(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return false;
        case json::value_t::boolean: return v.get<bool>();
        case json::value_t::string: return !v.get_ref<const std::string&>().empty();
        case json::value_t::array: return !v.empty();
        case json::value_t::object: return true;
        default: {
            const double d = v.get<double>();
            return d != 0 && !std::isnan(d);
        }
    }
}

inline json to_primitive(const json& v) { return v.is_structured() ? json(to_string(v)) : v; }

inline bool loose_equal(const json& a, const json& b) {
    if (a.is_structured() && b.is_structured()) throw Undecided{};  // identity
    if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
    if (a.is_structured() || b.is_structured()) return loose_equal(to_primitive(a), to_primitive(b));
    if (a.is_string() && b.is_string()) return a == b;
    return to_number(a) == to_number(b);
}

inline bool strict_equal(const json& a, const json& b) {
    if (a.is_structured() || b.is_structured()) {
        if (a.is_structured() && b.is_structured()) throw Undecided{};  // identity
        return false;
    }
    if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
    return a.type() == b.type() && a == b;
}

// -1 less, 0 equal, 1 greater, 2 unordered
inline int compare(const json& x, const json& y) {
    const json a = to_primitive(x), b = to_primitive(y);
    if (a.is_string() && b.is_string()) {
        const int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
        return c < 0 ? -1 : c > 0;
    }
    const double p = to_number(a), q = to_number(b);
    if (std::isnan(p) || std::isnan(q)) return 2;
    return p < q ? -1 : p > q;
}

inline json apply(const json& rule, const json& data);

inline json var_lookup(const json& name, const json& data, bool& found) {
    found = true;
    if (name.is_null() || (name.is_string() && name.get_ref<const std::string&>().empty())) return data;
    const std::string path = to_string(name);
    json current = data;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = path.find('.', start);
        const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (part == "length") throw Undecided{};
        if (current.is_object() && current.contains(part)) {
            current = current[part];
        } else if (current.is_array() && !part.empty() && part.find_first_not_of("0123456789") == std::string::npos &&
                   (part.size() == 1 || part[0] != '0') && part.size() < 9 && std::stoul(part) < current.size()) {
            current = current[std::stoul(part)];
        } else if (current.is_string()) {
            throw Undecided{};  // indexing into strings: not covered
        } else {
            found = false;
            return nullptr;
        }
        if (dot == std::string::npos) break;
        if (current.is_null()) {
            found = false;
            return nullptr;
        }
        start = dot + 1;
    }
    return current;
}

inline json apply(const json& rule, const json& data) {
    if (rule.is_array()) {
        json out = json::array();
        for (const auto& r : rule) out.push_back(reference::apply(r, data));
        return out;
    }
    if (!rule.is_object() || rule.size() != 1) return rule;
    const std::string& op = rule.begin().key();
    const json& raw = rule.begin().value();
    const json args = raw.is_array() ? raw : json::array({raw});
    auto arg = [&](std::size_t i) { return i < args.size() ? reference::apply(args[i], data) : json(nullptr); };

    if (op == "var") {
        if (args.empty()) return data;
        bool found;
        json v = var_lookup(arg(0), data, found);
        if (!found) return args.size() > 1 ? arg(1) : json(nullptr);
        return v;
    }
    if (op == "if" || op == "?:") {
        std::size_t i = 0;
        for (; i + 1 < args.size(); i += 2)
            if (truthy(reference::apply(args[i], data))) return reference::apply(args[i + 1], data);
        return i < args.size() ? reference::apply(args[i], data) : json(nullptr);
    }
    if (op == "and" || op == "or") {
        if (args.empty()) throw Undecided{};  // undefined in JavaScript
        json current;
        for (const auto& a : args) {
            current = reference::apply(a, data);
            if (truthy(current) == (op == "or")) return current;
        }
        return current;
    }
    if (op == "!") return !truthy(arg(0));
    if (op == "!!") return truthy(arg(0));
    if (op == "==") return loose_equal(arg(0), arg(1));
    if (op == "!=") return !loose_equal(arg(0), arg(1));
    if (op == "===") return strict_equal(arg(0), arg(1));
    if (op == "!==") return !strict_equal(arg(0), arg(1));
    if (op == "<" || op == "<=") {
        auto holds = [&](int c) { return c == -1 || (op == "<=" && c == 0); };
        const json a = arg(0), b = arg(1);
        if (args.size() > 2) {
            const json c = arg(2);
            return holds(compare(a, b)) && holds(compare(b, c));
        }
        return holds(compare(a, b));
    }
    if (op == ">") return compare(arg(0), arg(1)) == 1;
    if (op == ">=") {
        const int c = compare(arg(0), arg(1));
        return c == 1 || c == 0;
    }
    if (op == "+") {
        double sum = 0;
        for (std::size_t i = 0; i < args.size(); ++i) sum += parse_float(arg(i));
        return sum;
    }
    if (op == "*") {
        if (args.empty()) throw Undecided{};
        if (args.size() == 1) return arg(0);
        double product = parse_float(arg(0));
        for (std::size_t i = 1; i < args.size(); ++i) product *= parse_float(arg(i));
        return product;
    }
    if (op == "-") {
        if (args.size() < 2) return -to_number(arg(0));
        return to_number(arg(0)) - to_number(arg(1));
    }
    if (op == "/") return to_number(arg(0)) / to_number(arg(1));
    if (op == "%") return std::fmod(to_number(arg(0)), to_number(arg(1)));
    if (op == "max" || op == "min") {
        double r = op == "max" ? -INFINITY : INFINITY;
        bool nan = false;
        for (std::size_t i = 0; i < args.size(); ++i) {
            const double x = to_number(arg(i));
            nan = nan || std::isnan(x);
            r = op == "max" ? std::max(r, x) : std::min(r, x);
        }
        return nan ? NAN : r;
    }
    if (op == "cat") {
        std::string s;
        for (std::size_t i = 0; i < args.size(); ++i) {
            const json v = arg(i);
            if (!v.is_null()) s += to_string(v);
        }
        return s;
    }
    if (op == "in") {
        const json needle = arg(0), hay = arg(1);
        // json-logic-js: `if (!b || typeof b.indexOf === "undefined") return false`
        if (hay.is_string())
            return !hay.get_ref<const std::string&>().empty() && hay.get<std::string>().find(to_string(needle)) != std::string::npos;
        if (hay.is_array()) {
            for (const auto& e : hay)
                if (strict_equal(e, needle)) return true;
            return false;
        }
        return false;
    }
    if (op == "merge") {
        json out = json::array();
        for (std::size_t i = 0; i < args.size(); ++i) {
            const json v = arg(i);
            if (v.is_array())
                for (const auto& e : v) out.push_back(e);
            else
                out.push_back(v);
        }
        return out;
    }
    if (op == "missing") {
        json keys = args;
        if (!args.empty()) {
            const json first = arg(0);
            if (first.is_array()) keys = first;
            else {
                keys = json::array();
                for (std::size_t i = 0; i < args.size(); ++i) keys.push_back(arg(i));
            }
        }
        json out = json::array();
        for (const auto& k : keys) {
            bool found;
            const json v = var_lookup(k, data, found);
            if (!found || v.is_null() || v == "") out.push_back(k);
        }
        return out;
    }
    if (op == "map" || op == "filter" || op == "all" || op == "some" || op == "none" || op == "reduce") {
        const json source = arg(0);
        if (!source.is_array() && !source.is_null()) throw Undecided{};  // strings and objects: JavaScript quirks
        if (op == "reduce") {
            json acc = args.size() > 2 ? arg(2) : json(nullptr);
            if (!source.is_array()) return acc;
            for (const auto& e : source) {
                json scope = json::object();
                scope["current"] = e;
                scope["accumulator"] = acc;
                acc = args.size() > 1 ? reference::apply(args[1], scope) : json(nullptr);
            }
            return acc;
        }
        if (source.is_null() && op == "all") throw Undecided{};  // null.length throws in JavaScript
        const json list = source.is_array() ? source : json::array();
        auto test = [&](const json& e) { return args.size() > 1 && truthy(reference::apply(args[1], e)); };
        if (op == "map") {
            json out = json::array();
            for (const auto& e : list) out.push_back(args.size() > 1 ? reference::apply(args[1], e) : json(nullptr));
            return out;
        }
        if (op == "filter") {
            json out = json::array();
            for (const auto& e : list)
                if (test(e)) out.push_back(e);
            return out;
        }
        if (list.empty()) return op == "none";
        for (const auto& e : list) {
            const bool t = test(e);
            if (op == "all" && !t) return false;
            if (op != "all" && t) return op == "some";
        }
        return op != "some";
    }
    throw Undecided{};
}

// The engine's JSON for a value: NaN and Infinity are null.
inline json normalise(const json& v) {
    if (v.is_number_float() && !std::isfinite(v.get<double>())) return nullptr;
    if (v.is_array()) {
        json out = json::array();
        for (const auto& e : v) out.push_back(normalise(e));
        return out;
    }
    if (v.is_object()) {  // reduce's {current, accumulator} may hold a NaN too
        json out = json::object();
        for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = normalise(it.value());
        return out;
    }
    return v;
}

// A random rule over the operations above, read from `bytes` (fuzz input or a seeded generator).
class RuleMaker {
public:
    RuleMaker(const std::uint8_t* bytes, std::size_t size) : p_(bytes), end_(bytes + size) {}

    json rule(int depth = 0) {
        if (depth >= 4 || next() % 3 == 0) return leaf();
        static const char* const ops[] = {"if", "and", "or", "!", "!!", "==", "!=", "===", "!==", "<", "<=", ">", ">=", "+", "-",
                                          "*", "/", "%", "max", "min", "cat", "in", "merge", "missing", "map", "filter", "all",
                                          "some", "none", "reduce"};
        const std::string op = ops[next() % (sizeof ops / sizeof *ops)];
        std::size_t count = 1 + next() % 3;
        // binary operations get both operands (a missing one is JavaScript's undefined: not covered)
        if (op == "==" || op == "!=" || op == "===" || op == "!==" || op == ">" || op == ">=" || op == "/" || op == "%" ||
            op == "in")
            count = 2;
        if (op == "-") count = 1 + next() % 2;
        if (op == "<" || op == "<=") count = 2 + next() % 2;
        json args = json::array();
        for (std::size_t i = 0; i < count; ++i) args.push_back(rule(depth + 1));
        if (op == "map" || op == "filter" || op == "all" || op == "some" || op == "none" || op == "reduce") {
            args = json::array({iterable(), rule(depth + 1)});
            if (op == "reduce") args.push_back(leaf());
        }
        return json{{op, args}};
    }

private:
    const std::uint8_t* p_;
    const std::uint8_t* end_;

    unsigned next() { return p_ < end_ ? *p_++ : 0; }

    json iterable() {
        static const char* const vars[] = {"xs", "ys", "zs", "nothing"};
        if (next() % 2) return json{{"var", vars[next() % 4]}};
        return json::array({1, "a", 2.5, nullptr});
    }

    json leaf() {
        const unsigned k = next() % 24;
        static const char* const vars[] = {"n", "s", "b", "xs", "ys", "o.k", "nothing", "", "current", "accumulator", "z", "e"};
        if (k < 12) return json{{"var", vars[k]}};
        switch (k) {
            case 12: return nullptr;
            case 13: return true;
            case 14: return false;
            case 15: return 0;
            case 16: return 2;
            case 17: return -1.5;
            case 18: return "";
            case 19: return "a";
            case 20: return "2.5";
            case 21: return " 3 ";
            case 22: return json::array({1, 2});
            default: return json::array({"a", "b"});
        }
    }
};

inline const json& fuzz_data() {
    static const json data = json::parse(
        R"({"n": 3, "s": "a1", "b": true, "xs": [1, 2, 3], "ys": ["a", "b"], "zs": [[1], [], [2, 3]],
            "o": {"k": 5}, "z": null, "e": ""})");
    return data;
}

}  // namespace reference
