// The WebAssembly package's entry points: JSON text in, JSON text out, as plain C exports.
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

#include "non_finite.hpp"
#include "prescreen/logic.hpp"
#include "prescreen/prescreen.hpp"
#include "prescreen/screening.hpp"
#include "envelope.hpp"

namespace {

using namespace prescreen::wasm;

using prescreen_wasm::decode_non_finite;
using prescreen_wasm::encode_non_finite;
using prescreen_wasm::starts_with_marker;

// ---- input -------------------------------------------------------------------------------------

struct InputError {
    std::vector<Diagnostic> diagnostics;
};

// Parse JSON text given by JavaScript with the engine's limits and messages. `where` prefixes the
// diagnostic paths (e.g. "/answers") only when the caller wants to say which argument was bad.
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

template <class Body>
std::string entry(Body&& body) {
    using Plain = std::remove_reference_t<Body>;
    return run_entry([](void* b) -> std::string { return (*static_cast<Plain*>(b))(); }, &body);
}

// ---- protocol registry -------------------------------------------------------------------------

std::unordered_map<std::uint32_t, prescreen::Protocol>& registry() {
    static std::unordered_map<std::uint32_t, prescreen::Protocol> protocols;
    return protocols;
}
std::uint32_t next_handle = 1;

const prescreen::Protocol& lookup(std::uint32_t handle) {
    auto it = registry().find(handle);
    if (it == registry().end())
        throw prescreen::UsageError({"protocol_disposed", "",
                                     "this protocol was disposed (or never loaded); load it again"});
    return it->second;
}

prescreen::Context context(const std::string& today, const std::string& locale) {
    return prescreen::Context{today, locale};
}

// The result text of the call before last, kept for its memory (put() below): screen() writes into
// it, so a screening neither allocates nor regrows its text.
std::string& spare_text() {
    static std::string spare;
    return spare;
}

// ---- entry points ------------------------------------------------------------------------------

// `translations_text`: a JSON array of translation documents (docs/languages.md), or empty for none.
std::string load_protocol(const std::string& text, const std::string& overrides_text, const std::string& translations_text) {
    return entry([&] {
        json overrides = overrides_text.empty() ? json::object() : parse_document(overrides_text);
        json translations = translations_text.empty() ? json() : parse_document(translations_text);
        // A pack holding encoded NaN/Infinity is parsed here so the engine sees the real numbers;
        // otherwise the engine reads the text itself (its own limits and messages).
        auto protocol = starts_with_marker(text)
                            ? prescreen::Protocol::from_json_translated(parse_document(text), translations, overrides)
                            : prescreen::Protocol::load_translated(text, translations, overrides);
        std::uint32_t handle = next_handle++;
        json summary = {{"handle", handle}, {"id", protocol.id()}, {"version", protocol.version()},
                        {"digest", protocol.digest()}};
        registry().emplace(handle, std::move(protocol));
        return ok(std::move(summary));
    });
}

std::string lint_protocol(const std::string& text, const std::string& overrides_text, const std::string& translations_text) {
    return entry([&] {
        json overrides = overrides_text.empty() ? json::object() : parse_document(overrides_text);
        json translations = translations_text.empty() ? json() : parse_document(translations_text);
        std::vector<Diagnostic> diagnostics;
        if (starts_with_marker(text)) {
            try {
                prescreen::Protocol::from_json_translated(parse_document(text), translations, overrides);
            } catch (const prescreen::ProtocolError& e) {
                diagnostics = e.diagnostics();
            }
        } else {
            diagnostics = prescreen::Protocol::lint_translated(text, translations, overrides);
        }
        return ok(diagnostics_json(diagnostics));
    });
}

bool dispose_protocol(std::uint32_t handle) { return registry().erase(handle) > 0; }

std::uint32_t live_protocols() { return static_cast<std::uint32_t>(registry().size()); }

std::string protocol_items(std::uint32_t handle) { return entry([&] { return ok(lookup(handle).items()); }); }
std::string protocol_rules(std::uint32_t handle) { return entry([&] { return ok(lookup(handle).rules()); }); }
std::string protocol_parameters(std::uint32_t handle) {
    return entry([&] { return ok(lookup(handle).parameters()); });
}
std::string protocol_document(std::uint32_t handle) { return entry([&] { return ok(lookup(handle).document()); }); }
std::string protocol_overrides(std::uint32_t handle) {
    return entry([&] { return ok(lookup(handle).overrides()); });
}

std::string form(std::uint32_t handle, const std::string& answers, const std::string& today, const std::string& locale,
                 prescreen::FormTexts texts) {
    return entry([&] { return ok(lookup(handle).form(parse_answers(answers), context(today, locale), texts)); });
}

std::string texts(std::uint32_t handle, const std::string& locale) {
    return entry([&] { return ok(lookup(handle).texts(prescreen::Context{"", locale})); });
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

std::string consent(std::uint32_t handle, const std::string& answers, const std::string& request, const std::string& today,
                    const std::string& locale) {
    return entry([&] {
        const auto& protocol = lookup(handle);
        json parsed_answers = parse_answers(answers);
        auto parsed_request = prescreen::consent_request_from_json(parse_document(request));
        return ok(protocol.consent(parsed_answers, parsed_request, context(today, locale)));
    });
}

// The pre-visit record's request ({acknowledged, information_shown_at, read_at, patient_reference, seal_key}).
std::string information_record(std::uint32_t handle, const std::string& request_text, const std::string& today,
                               const std::string& locale) {
    return entry([&] {
        const auto request = prescreen::information_request_from_json(parse_document(request_text));
        return ok(lookup(handle).information_record(request, context(today, locale)));
    });
}

std::string consent_document(std::uint32_t handle, const std::string& answers, const std::string& today,
                             const std::string& locale) {
    return entry([&] { return ok(lookup(handle).consent_document(parse_answers(answers), context(today, locale))); });
}

// A seal key arrives as JSON text ("\"key\""), or "" for no key: an empty key given is still a key,
// which the engine refuses (empty_seal_key).
std::optional<std::string> key_of(const std::string& seal_key) {
    if (seal_key.empty()) return std::nullopt;
    json key = parse_document(seal_key);
    if (!key.is_string()) throw prescreen::UsageError({"wrong_type", "/seal_key", "the seal key must be a string"});
    return key.get<std::string>();
}

std::string verify_consent(const std::string& record, const std::string& seal_key) {
    return entry([&] { return ok(prescreen::verify_consent(parse_document(record), key_of(seal_key))); });
}

std::string consent_status(const std::string& record, const std::string& at, const std::string& events_text, const std::string& seal_key) {
    return entry([&] {
        json parsed = parse_document(record);
        std::vector<json> events;
        if (!events_text.empty()) {
            json list = parse_document(events_text);
            if (!list.is_array())
                throw prescreen::UsageError({"wrong_type", "", "events must be a list of consent events or records"});
            for (auto& r : list) events.push_back(std::move(r));
        }
        return ok(prescreen::consent_status(parsed, at, events, key_of(seal_key)));
    });
}

std::string apply_logic(const std::string& rule, const std::string& data, const std::string& today,
                        const std::string& dialect) {
    return entry([&] {
        json parsed_rule = parse_document(rule);
        json parsed_data = data.empty() ? json::object() : parse_document(data);
        json result = prescreen::apply_logic(parsed_rule, parsed_data, context(today, ""), prescreen::parse_dialect(dialect));
        bool non_finite = encode_non_finite(result);
        json envelope = {{"ok", std::move(result)}};
        if (non_finite) envelope["non_finite"] = true;
        return dump(envelope);
    });
}

std::string canonical_json(const std::string& value) {
    return entry([&] { return ok(prescreen::canonical_json(parse_document(value))); });
}

std::string engine_version() { return prescreen::version_string; }

}  // namespace

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
