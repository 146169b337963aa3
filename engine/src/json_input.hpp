// Reading JSON text safely: size and nesting limits, duplicate keys, line/column in messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prescreen/prescreen.hpp"

namespace prescreen {

/// Parse `text` as one JSON document. On any problem append a diagnostic (codes: document_too_large,
/// malformed_json, nesting_too_deep, duplicate_key) and return nullopt. Never throws.
std::optional<json> parse_json_document(std::string_view text, std::size_t max_bytes, std::size_t max_depth,
                                        std::vector<Diagnostic>& diagnostics);

// Built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
inline std::string pointer_join(const std::string& base, std::string_view token) {
    std::string out = base;
    out += '/';
    out += json_pointer_token(token);
    return out;
}
inline std::string pointer_join(const std::string& base, std::size_t index) {
    std::string out = base;
    out += '/';
    out += std::to_string(index);
    return out;
}

/// Check an already-built json value (e.g. from a binding) against the nesting limit and for
/// numbers that are not finite. Returns false and appends a diagnostic on the first problem.
bool check_json_value(const json& value, std::size_t max_depth, const std::string& path,
                      std::vector<Diagnostic>& diagnostics);

namespace detail {
/// canonical_json() of a value check_json_value() has passed already (a pack at load): the same
/// text, without walking the tree a second time.
std::string canonical_json_checked(const json& value);
}  // namespace detail

/// JSON Pointer of `target` (a value inside `root`), for diagnostics.
std::string pointer_to(const json& root, const json* target);

}  // namespace prescreen
