// Helpers shared by protocol.cpp and consent.cpp.
#pragma once

#include "protocol_model.hpp"

namespace prescreen::detail {

/// Validated `today` from the context; throws UsageError (missing_today / invalid_today).
Date require_today(const Context& context);
/// Answers into slots; unreadable answers (not an object, too deep, NaN) become issues.
AnswerSet read_answers(const CompiledProtocol& protocol, const json& answers, const Date& today);
json error_envelope(const Diagnostic& diagnostic);
/// Screen one answer set (any json: what is not an object of answers becomes an issue) into a
/// record. Throws ProtocolError when a rule fails at run time.
void screen_record(const CompiledProtocol& protocol, const json& answers, const Date& today, std::string_view today_text,
                   ScreeningRecord& record);
/// Screen answers given as entries (the fast path of JSONL and of the bindings' batches) into a
/// record. Throws ProtocolError when a rule fails at run time.
void screen_entries(const CompiledProtocol& protocol, const AnswerEntry* entries, std::size_t count, const Date& today,
                    std::string_view today_text, ScreeningRecord& record);
/// The questionnaire state (Protocol::form) of answers given as entries.
json form_entries(const CompiledProtocol& protocol, const AnswerEntry* entries, std::size_t count, const Date& today,
                  std::string_view today_text);
/// screen_entries, appending the result as JSON text (screen(...).dump()) to `out`, or for a rule that
/// fails at run time this row's {"error": ...} envelope.
void screen_entries_text(const CompiledProtocol& protocol, const AnswerEntry* entries, std::size_t count,
                         const Date& today, const Context& context, std::string& out);

}  // namespace prescreen::detail

namespace prescreen::detail {
/// Seconds since 1970 at midnight UTC of `date`.
long long to_day_number_seconds(const Date& date);
}  // namespace prescreen::detail
