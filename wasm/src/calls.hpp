// What the WebAssembly entry points share (bindings.cpp, compiled for speed) and the entry points
// off the screening path (cold_calls.cpp, compiled for size: they run once per pack, page or
// consent record, and at -O3 their inlined json code was 5 KB of the gzipped package).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "envelope.hpp"
#include "prescreen/prescreen.hpp"

namespace prescreen::wasm {

/// JSON text from JavaScript that the engine's strict reader refused.
struct InputError {
    std::vector<Diagnostic> diagnostics;
};

/// JSON text read with the engine's limits and messages (encoded NaN/Infinity decoded: non_finite.hpp).
json parse_input(std::string_view text, std::size_t max_bytes);
json parse_document(const std::string& text);
json parse_answers(const std::string& text);

/// Runs `call(body)` under every catch handler, one copy for all entry points.
std::string run_entry(std::string (*call)(void*), void* body);

template <class Body>
std::string entry(Body&& body) {
    using Plain = std::remove_reference_t<Body>;
    return run_entry([](void* b) -> std::string { return (*static_cast<Plain*>(b))(); }, &body);
}

/// The protocol registry: a loaded protocol kept under a new handle, and found by it.
std::uint32_t keep(prescreen::Protocol protocol);
const prescreen::Protocol& lookup(std::uint32_t handle);

inline prescreen::Context context(const std::string& today, const std::string& locale) { return prescreen::Context{today, locale}; }

// ---- cold_calls.cpp --------------------------------------------------------------------------
std::string load_protocol(const std::string& text, const std::string& overrides_text, const std::string& translations_text);
std::string lint_protocol(const std::string& text, const std::string& overrides_text, const std::string& translations_text);
std::string protocol_items(std::uint32_t handle);
std::string protocol_rules(std::uint32_t handle);
std::string protocol_parameters(std::uint32_t handle);
std::string protocol_document(std::uint32_t handle);
std::string protocol_overrides(std::uint32_t handle);
std::string texts(std::uint32_t handle, const std::string& locale);
std::string consent(std::uint32_t handle, const std::string& answers, const std::string& request, const std::string& today,
                    const std::string& locale);
std::string information_record(std::uint32_t handle, const std::string& request_text, const std::string& today,
                               const std::string& locale);
std::string consent_document(std::uint32_t handle, const std::string& answers, const std::string& today, const std::string& locale);
std::string verify_consent(const std::string& record, const std::string& seal_key);
std::string consent_status(const std::string& record, const std::string& at, const std::string& events_text,
                           const std::string& seal_key);
std::string apply_logic(const std::string& rule, const std::string& data, const std::string& today, const std::string& dialect);
std::string canonical_json(const std::string& value);

}  // namespace prescreen::wasm
