// The WebAssembly entry points off the screening path (calls.hpp): loading and linting a pack, its
// parts, its texts, consent records and their checks, apply_logic and canonical_json. Compiled for
// size (wasm/CMakeLists.txt); form() and screen() stay in bindings.cpp, compiled for speed.
#include <optional>

#include "calls.hpp"
#include "non_finite.hpp"
#include "prescreen/logic.hpp"

namespace prescreen::wasm {

using prescreen_wasm::encode_non_finite;
using prescreen_wasm::starts_with_marker;

namespace {

// A seal key arrives as JSON text ("\"key\""), or "" for no key: an empty key given is still a key,
// which the engine refuses (empty_seal_key).
std::optional<std::string> key_of(const std::string& seal_key) {
    if (seal_key.empty()) return std::nullopt;
    json key = parse_document(seal_key);
    if (!key.is_string()) throw prescreen::UsageError({"wrong_type", "/seal_key", "the seal key must be a string"});
    return key.get<std::string>();
}

}  // namespace

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
        json summary = {{"id", protocol.id()}, {"version", protocol.version()}, {"digest", protocol.digest()}};
        summary["handle"] = keep(std::move(protocol));
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

std::string protocol_items(std::uint32_t handle) { return entry([&] { return ok(lookup(handle).items()); }); }
std::string protocol_rules(std::uint32_t handle) { return entry([&] { return ok(lookup(handle).rules()); }); }
std::string protocol_parameters(std::uint32_t handle) {
    return entry([&] { return ok(lookup(handle).parameters()); });
}
std::string protocol_document(std::uint32_t handle) { return entry([&] { return ok(lookup(handle).document()); }); }
std::string protocol_overrides(std::uint32_t handle) {
    return entry([&] { return ok(lookup(handle).overrides()); });
}

std::string texts(std::uint32_t handle, const std::string& locale) {
    return entry([&] { return ok(lookup(handle).texts(prescreen::Context{"", locale})); });
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

}  // namespace prescreen::wasm
