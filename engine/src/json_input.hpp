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

/// RFC 6901 escaping of one reference token.
std::string pointer_token(std::string_view token);
inline std::string pointer_join(const std::string& base, std::string_view token) {
    return base + "/" + pointer_token(token);
}
inline std::string pointer_join(const std::string& base, std::size_t index) {
    return base + "/" + std::to_string(index);
}

/// Check an already-built json value (e.g. from a binding) against the nesting limit and for
/// numbers that are not finite. Returns false and appends a diagnostic on the first problem.
bool check_json_value(const json& value, std::size_t max_depth, const std::string& path,
                      std::vector<Diagnostic>& diagnostics);

}  // namespace prescreen
