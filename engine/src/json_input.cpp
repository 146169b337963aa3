#include "json_input.hpp"

#include <cmath>
#include <set>

namespace prescreen {

std::string pointer_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

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

// SAX handler that builds the document like nlohmann's DOM parser but also enforces the nesting
// limit and rejects duplicate keys (nlohmann would silently keep the last one).
class StrictSax : public nlohmann::detail::json_sax_dom_parser<json> {
public:
    using base = nlohmann::detail::json_sax_dom_parser<json>;
    StrictSax(json& root, std::size_t max_depth) : base(root, false), max_depth_(max_depth) {}

    bool null() { element(); return base::null(); }
    bool boolean(bool v) { element(); return base::boolean(v); }
    bool number_integer(json::number_integer_t v) { element(); return base::number_integer(v); }
    bool number_unsigned(json::number_unsigned_t v) { element(); return base::number_unsigned(v); }
    bool number_float(json::number_float_t v, const std::string& s) { element(); return base::number_float(v, s); }
    bool string(std::string& v) { element(); return base::string(v); }

    bool start_object(std::size_t n) {
        element();
        if (!enter()) return false;
        frames_.push_back({false, 0, {}, {}});
        return base::start_object(n);
    }
    bool end_object() {
        frames_.pop_back();
        return base::end_object();
    }
    bool start_array(std::size_t n) {
        element();
        if (!enter()) return false;
        frames_.push_back({true, 0, {}, {}});
        return base::start_array(n);
    }
    bool end_array() {
        frames_.pop_back();
        return base::end_array();
    }
    bool key(std::string& k) {
        Frame& f = frames_.back();
        if (!f.keys.insert(k).second) {
            problem = Diagnostic{"duplicate_key", pointer(frames_.size() - 1) + "/" + pointer_token(k),
                                 "the key \"" + k + "\" appears more than once in the same object"};
            return false;
        }
        f.key = k;
        return base::key(k);
    }
    bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& ex) {
        error_position = position;
        error_token = token;
        error_message = ex.what();
        return false;
    }

    std::optional<Diagnostic> problem;
    std::size_t error_position = 0;
    std::string error_token;
    std::string error_message;

private:
    struct Frame {
        bool array;
        std::size_t count;        // elements seen so far (arrays)
        std::string key;          // current key (objects)
        std::set<std::string> keys;
    };
    void element() {
        if (!frames_.empty() && frames_.back().array) ++frames_.back().count;
    }
    bool enter() {
        if (frames_.size() + 1 > max_depth_) {
            problem = Diagnostic{"nesting_too_deep", pointer(frames_.size()),
                                 "arrays and objects are nested more than " + std::to_string(max_depth_) + " levels deep"};
            return false;
        }
        return true;
    }
    // JSON Pointer of the element currently being read in frames_[0..depth).
    std::string pointer(std::size_t depth) const {
        std::string p;
        for (std::size_t i = 0; i < depth && i < frames_.size(); ++i) {
            const Frame& f = frames_[i];
            p += "/" + (f.array ? std::to_string(f.count ? f.count - 1 : 0) : pointer_token(f.key));
        }
        return p;
    }

    std::size_t max_depth_;
    std::vector<Frame> frames_;
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
    json root;
    StrictSax sax(root, max_depth);
    bool ok = false;
    try {
        ok = json::sax_parse(text.begin(), text.end(), &sax, json::input_format_t::json, true);
    } catch (const std::exception& e) {  // defensive: the SAX interface reports errors as values
        diagnostics.push_back({"malformed_json", "", e.what()});
        return std::nullopt;
    }
    if (ok) return root;
    if (sax.problem) {
        diagnostics.push_back(*sax.problem);
        return std::nullopt;
    }
    auto [line, column] = line_column(text, sax.error_position > 0 ? sax.error_position - 1 : 0);
    std::string message = sax.error_message;
    // nlohmann's message starts "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    if (auto colon = message.find(": "); colon != std::string::npos && message.find("parse error") != std::string::npos)
        message = message.substr(colon + 2);
    diagnostics.push_back({"malformed_json", "",
                           "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message});
    return std::nullopt;
}

bool check_json_value(const json& value, std::size_t max_depth, const std::string& path,
                      std::vector<Diagnostic>& diagnostics) {
    // Iterative walk: a value built by a binding may be deeper than the C++ stack allows.
    struct Entry { const json* value; std::size_t depth; std::string path; };
    std::vector<Entry> stack{{&value, 0, path}};
    while (!stack.empty()) {
        Entry e = std::move(stack.back());
        stack.pop_back();
        if (e.value->is_number_float() && !std::isfinite(e.value->get<double>())) {
            diagnostics.push_back({"not_finite", e.path, "numbers must be finite (NaN and Infinity are not JSON)"});
            return false;
        }
        if (!e.value->is_structured()) continue;
        if (e.depth + 1 > max_depth) {
            diagnostics.push_back({"nesting_too_deep", e.path,
                                   "arrays and objects are nested more than " + std::to_string(max_depth) + " levels deep"});
            return false;
        }
        if (e.value->is_object()) {
            for (auto it = e.value->begin(); it != e.value->end(); ++it)
                stack.push_back({&it.value(), e.depth + 1, pointer_join(e.path, it.key())});
        } else {
            std::size_t i = 0;
            for (const auto& v : *e.value) stack.push_back({&v, e.depth + 1, pointer_join(e.path, i++)});
        }
    }
    return true;
}

}  // namespace prescreen
