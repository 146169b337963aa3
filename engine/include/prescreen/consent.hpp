// prescreen — consent events (withdrawal, supersession) and the strict JSON reader.
//
// A consent record never changes after it is signed. What happens to it later is an event: its own
// small object, bound to the record by the record's digest and sealed by the back office with the
// same key, so that neither can be moved, removed or forged without the seal failing. The record
// format, the events and what a record file alone can and cannot prove are in docs/consent.md.
#pragma once

#include "prescreen/prescreen.hpp"

namespace prescreen {

/// Who recorded an event, when and why.
struct ConsentEventRequest {
    std::string at;                          // ISO date-time the event took effect
    json recorded_by = json::object();       // {"name": ..., "role": ...} of the person recording it
    std::string reason;                      // what the patient said (withdrawal); may be empty
    std::optional<std::string> seal_key;     // back office: seal with this key (empty or blank refused)
};

/// A withdrawal event for `record` (which must verify, with the key when one is given).
/// Throws UsageError: invalid_record, invalid_timestamp, event_before_signature, missing_recorder,
/// empty_seal_key.
json withdraw_consent(const json& record, const ConsentEventRequest& request);

/// A supersession event: `newer` (a later record for the same protocol and patient) replaces
/// `record` from request.at (default: when `newer` was signed). Both must verify.
json supersede_consent(const json& record, const json& newer, const ConsentEventRequest& request);

/// Verify one event on its own: shape, digest and (with `seal_key`) seal. {"valid", "problems"}.
json verify_consent_event(const json& event, std::optional<std::string_view> seal_key = std::nullopt);

}  // namespace prescreen
