// What consent records, pre-visit records and events share: timestamps, digests, seals, keys and
// the checks on names a person signs with.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dates.hpp"
#include "prescreen/prescreen.hpp"

namespace prescreen::consent_detail {

inline constexpr const char* record_type_v1 = "prescreen.consent/1";
inline constexpr const char* record_type = "prescreen.consent/2";
inline constexpr const char* information_type = "prescreen.consent-information/1";
inline constexpr const char* event_type = "prescreen.consent-event/1";
inline constexpr const char* seal_algorithm = "HMAC-SHA-256";

/// Seconds since 1970 for "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM[:SS[.f...]](Z|±HH:MM)".
std::optional<long long> parse_timestamp(std::string_view text);
/// The UTC calendar day of a timestamp.
Date day_of(long long seconds);

/// A key that was given must hold something other than white space: a blank key never turns a
/// seal off or on. Throws UsageError empty_seal_key at `path`.
void require_key(std::string_view key, const char* path);

/// True when `utf8` holds at least one character a person can see (not white space, not an
/// invisible format character such as U+200B, not a control character). False for invalid UTF-8.
bool has_visible_character(std::string_view utf8);

/// Canonical bytes the digest covers: everything but `digest` and `seal` (a v1 record: and `withdrawal`).
std::string digest_input(const json& object);
/// Canonical bytes the seal covers: everything but `seal.value`, so the algorithm is covered too
/// (a v1 record: the digest input, as v1 sealed it).
std::string seal_input(const json& object);

/// Set `digest`, and `seal` when a key is given (the key already checked by require_key).
void digest_and_seal(json& object, const std::optional<std::string>& key);

/// Check the digest and, with a key, the seal of a record or event; append problems.
void check_digest_and_seal(const json& object, std::optional<std::string_view> key, std::vector<Diagnostic>& problems);

/// Numbers a record may hold: integers within ±(2^53 − 1), so every runtime reads them exactly.
void check_numbers(const json& value, const std::string& path, std::vector<Diagnostic>& problems);

/// {"valid": problems.empty(), "problems": [...]}.
json verification(const std::vector<Diagnostic>& problems);

}  // namespace prescreen::consent_detail
