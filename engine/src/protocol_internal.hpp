// Helpers shared by protocol.cpp and consent.cpp.
#pragma once

#include "protocol_model.hpp"

namespace prescreen::detail {

/// Validated `today` from the context; throws UsageError (missing_today / invalid_today).
Date require_today(const Context& context);
/// Answers into slots; unreadable answers (not an object, too deep, NaN) become issues.
AnswerSet read_answers(const CompiledProtocol& protocol, const json& answers, const Date& today);
json error_envelope(const Diagnostic& diagnostic);
/// What a binding keeps of a screening besides its text, to answer the common questions (outcome,
/// deferral, finding ids) without parsing the text.
struct ScreeningSummary {
    bool ok = false;  // false: the text is an {"error": ...} envelope
    Outcome outcome = Outcome::Eligible;
    std::optional<Date> defer_until;
    bool consent_permitted = false;
    std::vector<std::uint32_t> fired;  // rule indices, in rule order
};

/// Screen answers given as entries, appending the result as JSON text: screen(...).dump(). Throws
/// ProtocolError when a rule fails at run time (nothing is appended then).
void screen_entries_to_text(const CompiledProtocol& protocol, const AnswerEntry* entries, std::size_t count,
                            const Date& today, const Context& context, std::string& out,
                            ScreeningSummary* summary = nullptr);
/// The same for batches: a rule failing at run time gives this row the {"error": ...} envelope.
/// The fast path of JSONL and of the bindings' batches.
void screen_entries_text(const CompiledProtocol& protocol, const AnswerEntry* entries, std::size_t count,
                         const Date& today, const Context& context, std::string& out,
                         ScreeningSummary* summary = nullptr);

}  // namespace prescreen::detail

namespace prescreen::detail {
/// Seconds since 1970 at midnight UTC of `date`.
long long to_day_number_seconds(const Date& date);
}  // namespace prescreen::detail
