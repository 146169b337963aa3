// The headline date of a screening (reference policy mn-ref-v2 §4, for every pack).
#pragma once

#include <optional>

#include "protocol_model.hpp"

namespace prescreen::detail {

/// The result's `defer_until`: the latest date of the deferrals that fired, but only when the
/// outcome is `deferred`, every deferral that fired has a date, and no `refer` or `not_eligible`
/// finding fired. Otherwise none: there is no single day the patient can come back on, and each
/// finding keeps its own date.
std::optional<Date> headline_defer_until(const CompiledProtocol& protocol, const Decision& decision);

}  // namespace prescreen::detail
