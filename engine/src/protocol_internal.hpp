// Steps shared by the screening path (screening.cpp) and consent (consent.cpp).
#pragma once

#include "protocol_model.hpp"

namespace prescreen::detail {

/// Validated `today` from the context; throws UsageError (missing_today / invalid_today).
Date require_today(const Context& context);
/// Answers into slots; unreadable answers (not an object, too deep, NaN) become issues at the root.
AnswerSet read_answers(const CompiledProtocol& protocol, const json& answers, const Date& today);
void read_answers(const CompiledProtocol& protocol, const json& answers, const Date& today, AnswerSet& out);

/// Seconds since 1970 at midnight UTC of `date`.
long long to_day_number_seconds(const Date& date);

}  // namespace prescreen::detail
