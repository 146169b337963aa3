// The headline date (mn-ref-v2 §4). A single "earliest date" is shown only when it is true: with an
// open-ended deferral ("until healed") or a finding a practitioner must clear, the patient could not
// be treated on the latest date anyway, so the result gives none and each finding keeps its own.
#include "headline_date.hpp"

namespace prescreen::detail {

std::optional<Date> headline_defer_until(const CompiledProtocol& p, const Decision& d) {
    if (d.outcome != Outcome::Deferred) return std::nullopt;
    std::optional<Date> latest;
    for (std::size_t r = 0; r < p.rules.size(); ++r) {
        if (!d.fired[r]) continue;
        switch (p.rules[r].outcome) {
            case Outcome::Refer:
            case Outcome::NotEligible: return std::nullopt;
            case Outcome::Deferred:
                if (!d.rule_defer_until[r]) return std::nullopt;  // open-ended: until resolved
                if (!latest || *latest < *d.rule_defer_until[r]) latest = d.rule_defer_until[r];
                break;
            default: break;  // precautions never suppress the date
        }
    }
    return latest;
}

}  // namespace prescreen::detail
