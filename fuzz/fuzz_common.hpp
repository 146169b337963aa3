// Shared by the libFuzzer targets. A target may only see ProtocolError / UsageError (documented
// ways of refusing input); any other exception escapes, aborts, and libFuzzer keeps the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "json_input.hpp"
#include "prescreen/prescreen.hpp"

namespace fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// JSON through the engine's own guarded reader (size, depth, duplicates): never nlohmann's
/// recursive parser on raw fuzz input.
inline std::optional<prescreen::json> parse(std::string_view text) {
    std::vector<prescreen::Diagnostic> diagnostics;
    const auto& limits = prescreen::default_limits();
    auto value = prescreen::parse_json_document(text, limits.max_document_bytes, limits.max_nesting_depth, diagnostics);
    if (!value && diagnostics.empty()) __builtin_trap();  // a refusal must say why
    return value;
}

/// The pack the answer targets run against: the micro-needling pack when present, else the
/// synthetic benchmark pack.
inline const prescreen::Protocol& protocol() {
    static const prescreen::Protocol p = [] {
        for (const char* rel : {"/protocols/microneedling/protocol.json", "/bench/data/synthetic-pack.json"}) {
            std::ifstream in(std::string(PRESCREEN_SOURCE_DIR) + rel, std::ios::binary);
            if (!in) continue;
            std::ostringstream s;
            s << in.rdbuf();
            return prescreen::Protocol::load(s.str());
        }
        std::abort();
    }();
    return p;
}

inline const prescreen::Context& context() {
    static const prescreen::Context c{"2026-11-25", ""};
    return c;
}

}  // namespace fuzz
