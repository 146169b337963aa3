// The WebAssembly package's entry points: JSON text in, JSON text out, as plain C exports.
// The screening path (form, screen) is here, compiled for speed; the entry points that run once per
// pack, page or record are in cold_calls.cpp, compiled for size (calls.hpp).
//
// No embind: its generic invoker (the glue cannot generate one without eval) and its byte-by-byte
// string conversion cost more than a screening, and its glue and type registry were a tenth of the
// package. JavaScript writes each text argument into an argument buffer in the module's memory
// (prescreen_arg), calls the entry point, and reads the result text from prescreen_output;
// src/string_calls.js (linked into the glue) wraps that as module.loadProtocol(text, ...) etc.
//
// Every entry point returns either {"ok": <result>} or {"error": {code, path, message, diagnostics}}
// and catches everything, so no C++ exception ever reaches JavaScript (TOOLCHAIN.md, trap 4). The
// "ok" wrapper keeps a result that happens to contain an "error" key (apply_logic can return any
// value) distinct from a failure. wasm/index.js turns error envelopes into ProtocolError.
//
// Protocols live in a registry keyed by a small integer handle; JavaScript frees them with
// dispose() (explicitly or through a FinalizationRegistry), so nothing is leaked by embind objects.
//
// NaN and Infinity cross the boundary as described in non_finite.hpp (no in-band marker in
// ordinary text).
#include <emscripten/emscripten.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "calls.hpp"
#include "non_finite.hpp"
#include "prescreen/logic.hpp"
#include "prescreen/prescreen.hpp"
#include "prescreen/screening.hpp"

namespace prescreen::wasm {

using prescreen_wasm::decode_non_finite;
using prescreen_wasm::starts_with_marker;

// ---- input -------------------------------------------------------------------------------------

// Parse JSON text given by JavaScript with the engine's limits and messages.
json parse_input(std::string_view text, std::size_t max_bytes) {
    const auto& limits = prescreen::default_limits();
    std::vector<Diagnostic> diagnostics;
    const bool encoded = starts_with_marker(text);  // non_finite.hpp
    if (encoded) text.remove_prefix(prescreen_wasm::kMarker.size());
    auto value = prescreen::parse_json(text, diagnostics, max_bytes, limits.max_nesting_depth);
    if (!value) throw InputError{std::move(diagnostics)};
    if (encoded) decode_non_finite(*value);
    return std::move(*value);
}

json parse_document(const std::string& text) { return parse_input(text, prescreen::default_limits().max_document_bytes); }
json parse_answers(const std::string& text) { return parse_input(text, prescreen::default_limits().max_answers_bytes); }

// One copy of the catch handlers for every entry point: inlined into each (as a template would
// be) they were most of the bindings' code, about 4 KB per entry point.
__attribute__((noinline)) std::string run_entry(std::string (*call)(void*), void* body) {
    return guarded([&]() -> std::string {
        try {
            return call(body);
        } catch (InputError& e) {
            return error(e.diagnostics);
        }
    });
}

// ---- protocol registry -------------------------------------------------------------------------

namespace {

std::unordered_map<std::uint32_t, prescreen::Protocol>& registry() {
    static std::unordered_map<std::uint32_t, prescreen::Protocol> protocols;
    return protocols;
}

}  // namespace

std::uint32_t keep(prescreen::Protocol protocol) {
    static std::uint32_t next_handle = 1;
    const std::uint32_t handle = next_handle++;
    registry().emplace(handle, std::move(protocol));
    return handle;
}

const prescreen::Protocol& lookup(std::uint32_t handle) {
    auto it = registry().find(handle);
    if (it == registry().end())
        throw prescreen::UsageError({"protocol_disposed", "",
                                     "this protocol was disposed (or never loaded); load it again"});
    return it->second;
}

namespace {

// The result text of the call before last, kept for its memory (put() below): screen() writes into
// it, so a screening neither allocates nor regrows its text.
std::string& spare_text() {
    static std::string spare;
    return spare;
}

// ---- entry points ------------------------------------------------------------------------------

bool dispose_protocol(std::uint32_t handle) { return registry().erase(handle) > 0; }

std::uint32_t live_protocols() { return static_cast<std::uint32_t>(registry().size()); }

std::string form(std::uint32_t handle, const std::string& answers, const std::string& today, const std::string& locale,
                 prescreen::FormTexts texts) {
    return entry([&] { return ok(lookup(handle).form(parse_answers(answers), context(today, locale), texts)); });
}

std::string screen(std::uint32_t handle, const std::string& answers, const std::string& today, const std::string& locale) {
    return entry([&] {
        const prescreen::Protocol& protocol = lookup(handle);
        const prescreen::Context ctx = context(today, locale);
        // Answers as text go straight to result text through the engine's one screening path
        // (its fast reader, else its full parser); only encoded NaN/Infinity need a tree first.
        if (!starts_with_marker(answers)) {
            static prescreen::ScreeningRecord record;  // keeps its memory from call to call
            protocol.screen_into(prescreen::Answers::document_text(answers), ctx, record);
            if (const Diagnostic* e = record.error()) return error(*e);
            std::string out = std::move(spare_text());
            out.assign("{\"ok\":");
            protocol.write_text(record, out);
            out += '}';
            return out;
        }
        return ok(protocol.screen(parse_answers(answers), ctx));
    });
}

std::string engine_version() { return prescreen::version_string; }

}  // namespace

}  // namespace prescreen::wasm

using namespace prescreen::wasm;

// ---- the C exports ------------------------------------------------------------------------------
// Text arguments live in buffers that keep their memory from call to call; the result of the last
// call stays in one output buffer until the next call. Nothing here throws (entry() catches).

namespace {

std::string arguments[4];
std::string output;

__attribute__((noinline)) std::size_t put(std::string text) {  // one copy for every export
    output.swap(text);
    spare_text() = std::move(text);  // the output before, for the next screening to write into
    return output.size();
}

}  // namespace

#define PRESCREEN_EXPORT extern "C" EMSCRIPTEN_KEEPALIVE

/// Sizes text argument `index` (0-3) to `size` bytes and returns where to write it; sizing down
/// afterwards to the bytes written keeps the address and the bytes.
PRESCREEN_EXPORT char* prescreen_arg(unsigned index, std::size_t size) {
    std::string& a = arguments[index & 3];
    a.resize(size);
    return a.data();
}
PRESCREEN_EXPORT const char* prescreen_output() { return output.data(); }

PRESCREEN_EXPORT std::size_t prescreen_load_protocol() { return put(load_protocol(arguments[0], arguments[1], arguments[2])); }
PRESCREEN_EXPORT std::size_t prescreen_lint_protocol() { return put(lint_protocol(arguments[0], arguments[1], arguments[2])); }
PRESCREEN_EXPORT int prescreen_dispose_protocol(std::uint32_t handle) { return dispose_protocol(handle) ? 1 : 0; }
PRESCREEN_EXPORT std::uint32_t prescreen_live_protocols() { return live_protocols(); }
PRESCREEN_EXPORT std::size_t prescreen_protocol_items(std::uint32_t h) { return put(protocol_items(h)); }
PRESCREEN_EXPORT std::size_t prescreen_protocol_rules(std::uint32_t h) { return put(protocol_rules(h)); }
PRESCREEN_EXPORT std::size_t prescreen_protocol_parameters(std::uint32_t h) { return put(protocol_parameters(h)); }
PRESCREEN_EXPORT std::size_t prescreen_protocol_document(std::uint32_t h) { return put(protocol_document(h)); }
PRESCREEN_EXPORT std::size_t prescreen_protocol_overrides(std::uint32_t h) { return put(protocol_overrides(h)); }
/// answers, today, locale; with_texts 0 gives the questionnaire state alone (a keystroke)
PRESCREEN_EXPORT std::size_t prescreen_form(std::uint32_t h, int with_texts) {
    auto texts = with_texts ? prescreen::FormTexts::included : prescreen::FormTexts::omitted;
    return put(form(h, arguments[0], arguments[1], arguments[2], texts));
}
/// locale
PRESCREEN_EXPORT std::size_t prescreen_texts(std::uint32_t h) { return put(texts(h, arguments[0])); }
PRESCREEN_EXPORT std::size_t prescreen_screen(std::uint32_t h) { return put(screen(h, arguments[0], arguments[1], arguments[2])); }
/// answers, request, today, locale
PRESCREEN_EXPORT std::size_t prescreen_consent(std::uint32_t h) {
    return put(consent(h, arguments[0], arguments[1], arguments[2], arguments[3]));
}
/// request, today, locale
PRESCREEN_EXPORT std::size_t prescreen_information_record(std::uint32_t h) {
    return put(information_record(h, arguments[0], arguments[1], arguments[2]));
}
/// answers, today, locale
PRESCREEN_EXPORT std::size_t prescreen_consent_document(std::uint32_t h) {
    return put(consent_document(h, arguments[0], arguments[1], arguments[2]));
}
/// record, seal key
PRESCREEN_EXPORT std::size_t prescreen_verify_consent() { return put(verify_consent(arguments[0], arguments[1])); }
/// record, at, events, seal key
PRESCREEN_EXPORT std::size_t prescreen_consent_status() {
    return put(consent_status(arguments[0], arguments[1], arguments[2], arguments[3]));
}
/// rule, data, today
PRESCREEN_EXPORT std::size_t prescreen_apply_logic() { return put(apply_logic(arguments[0], arguments[1], arguments[2], arguments[3])); }
PRESCREEN_EXPORT std::size_t prescreen_canonical_json() { return put(canonical_json(arguments[0])); }
PRESCREEN_EXPORT std::size_t prescreen_engine_version() { return put(engine_version()); }
