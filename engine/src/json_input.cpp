#include "json_input.hpp"

#include "prescreen/json_builder.hpp"

#include <cmath>
#include <cstdio>
#include <set>

namespace prescreen {

namespace {

// Line and column (1-based, columns in bytes) of a byte offset, for messages authors can act on.
std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') { ++line; column = 1; }
        else ++column;
    }
    return {line, column};
}

// nlohmann's message quotes the bytes it last read, which may be the invalid UTF-8 it is
// complaining about; a message must itself be valid JSON text, so show such bytes as \xNN.
std::string printable(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool valid = len > 0 && i + len <= text.size() && c >= 0x20 && !(c == 0xC0 || c == 0xC1 || c > 0xF4);
        for (std::size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
        if (valid && len > 1) {  // reject overlong and surrogate encodings the cheap way: round-trip check
            const unsigned char d = static_cast<unsigned char>(text[i + 1]);
            if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d > 0x9F) || (c == 0xF0 && d < 0x90) || (c == 0xF4 && d > 0x8F)) valid = false;
        }
        if (valid) {
            out.append(text, i, len);
            i += len;
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
            ++i;
        }
    }
    return out;
}

// nlohmann's SAX events into the engine's JsonBuilder (prescreen/json_builder.hpp), which enforces
// the nesting limit and refuses duplicate keys (nlohmann's DOM parser would keep the last one), as
// it does for a value a binding builds from its own objects.
class StrictSax {
public:
    explicit StrictSax(std::size_t max_depth) : builder(JsonBuilder::Limits{max_depth, 0}) {}

    bool null() { return builder.null(); }
    bool boolean(bool v) { return builder.boolean(v); }
    bool number_integer(json::number_integer_t v) { return builder.integer(static_cast<std::int64_t>(v)); }
    bool number_unsigned(json::number_unsigned_t v) { return builder.integer(static_cast<std::uint64_t>(v)); }
    bool number_float(json::number_float_t v, const std::string&) { return builder.number(v); }
    bool string(std::string& v) { return builder.string(std::move(v)); }
    bool binary(json::binary_t&) { return false; }  // never produced by the JSON reader
    bool start_object(std::size_t) { return builder.begin_object(); }
    bool end_object() { return builder.end_object(); }
    bool start_array(std::size_t) { return builder.begin_array(); }
    bool end_array() { return builder.end_array(); }
    bool key(std::string& k) { return builder.key(std::move(k)); }
    bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& ex) {
        error_position = position;
        error_token = token;
        error_message = ex.what();
        return false;
    }

    JsonBuilder builder;
    std::size_t error_position = 0;
    std::string error_token;
    std::string error_message;
};

}  // namespace

std::optional<json> parse_json_document(std::string_view text, std::size_t max_bytes, std::size_t max_depth,
                                        std::vector<Diagnostic>& diagnostics) {
    if (text.size() > max_bytes) {
        diagnostics.push_back({"document_too_large", "",
                               "the document is " + std::to_string(text.size()) + " bytes; the limit is " +
                                   std::to_string(max_bytes)});
        return std::nullopt;
    }
    StrictSax sax(max_depth);
    bool ok = false;
    try {
        ok = json::sax_parse(text.begin(), text.end(), &sax, json::input_format_t::json, true);
    } catch (const std::exception& e) {  // defensive: the SAX interface reports errors as values
        diagnostics.push_back({"malformed_json", "", e.what()});
        return std::nullopt;
    }
    if (ok) return sax.builder.take();
    if (const auto& problem = sax.builder.problem()) {
        diagnostics.push_back(*problem);
        return std::nullopt;
    }
    auto [line, column] = line_column(text, sax.error_position > 0 ? sax.error_position - 1 : 0);
    std::string message = sax.error_message;
    // nlohmann's message starts "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    if (auto colon = message.find(": "); colon != std::string::npos && message.find("parse error") != std::string::npos)
        message = message.substr(colon + 2);
    diagnostics.push_back({"malformed_json", "",
                           "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + printable(message)});
    return std::nullopt;
}

bool check_json_value(const json& value, std::size_t max_depth, const std::string& path,
                      std::vector<Diagnostic>& diagnostics) {
    // Iterative walk (a value built by a binding may be deeper than the C++ stack allows); the
    // pointer of the problem is only built when there is one.
    struct Entry { const json* value; std::size_t depth; };
    std::vector<Entry> stack{{&value, 0}};
    while (!stack.empty()) {
        Entry e = stack.back();
        stack.pop_back();
        const bool not_finite = e.value->is_number_float() && !std::isfinite(e.value->get<double>());
        const bool too_deep = e.value->is_structured() && e.depth + 1 > max_depth;
        if (not_finite || too_deep) {
            diagnostics.push_back({not_finite ? "not_finite" : "nesting_too_deep", path + pointer_to(value, e.value),
                                   not_finite ? "numbers must be finite (NaN and Infinity are not JSON)"
                                              : "arrays and objects are nested more than " + std::to_string(max_depth) + " levels deep"});
            return false;
        }
        if (e.value->is_object())
            for (auto it = e.value->begin(); it != e.value->end(); ++it) stack.push_back({&it.value(), e.depth + 1});
        else if (e.value->is_array())
            for (const auto& v : *e.value) stack.push_back({&v, e.depth + 1});
    }
    return true;
}

std::string pointer_to(const json& root, const json* target) {
    // Depth-first search with an explicit stack of (node, pointer).
    std::vector<std::pair<const json*, std::string>> stack{{&root, ""}};
    while (!stack.empty()) {
        auto [node, p] = std::move(stack.back());
        stack.pop_back();
        if (node == target) return p;
        if (node->is_object())
            for (auto it = node->begin(); it != node->end(); ++it) stack.push_back({&it.value(), pointer_join(p, it.key())});
        else if (node->is_array())
            for (std::size_t i = 0; i < node->size(); ++i) stack.push_back({&(*node)[i], pointer_join(p, i)});
    }
    return "";
}

std::optional<json> parse_json(std::string_view text, std::vector<Diagnostic>& problems, std::size_t max_bytes,
                               std::size_t max_depth) {
    return parse_json_document(text, max_bytes, max_depth, problems);
}

json read_json(std::string_view text, std::size_t max_bytes, std::size_t max_depth) {
    std::vector<Diagnostic> problems;
    auto value = parse_json_document(text, max_bytes, max_depth, problems);
    if (!value) throw UsageError(problems.empty() ? Diagnostic{"malformed_json", "", "not valid JSON"} : problems.front());
    return std::move(*value);
}

}  // namespace prescreen
