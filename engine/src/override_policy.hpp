// A rule's practitioner-override policy (`override` in a pack rule; mn-ref-v2 §5): read and checked
// once at load into the rule; the consent step enforces it (consent.cpp).
#pragma once

#include <string>
#include <vector>

#include "prescreen/prescreen.hpp"
#include "prescreen/screening.hpp"

namespace prescreen::detail {

/// Whether and by whom a rule's finding may be overridden by a practitioner (CONTRAINDICATIONS-v2 §5).
struct OverridePolicy {
    bool allowed = false;
    std::vector<std::string> registers;  // accepted registers; empty = the consent document's default list
    std::vector<Outcome> to;             // the outcomes an override may set
    bool consulted = false;              // the override must name who was consulted
    bool prescriber = false;             // ... and that one was the prescriber
    bool acknowledge = false;            // not overridable, but the practitioner acknowledges it
    bool not_before_minimum = false;     // a dated deferral: never before the event + the wait's minimum
};

/// Without an `override` in the rule: what CONTRAINDICATIONS-v2 §5 says for its outcome. A
/// not_eligible finding and an open-ended deferral clear only by re-screening; a dated deferral, a
/// referral and a precaution may be overridden by a practitioner on an accepted register.
OverridePolicy default_override_policy(Outcome outcome, bool dated);

/// Read `policy` (the value of a rule's "override" key at `path`) for a rule with this outcome;
/// `dated` = a deferral with a waiting period. Each problem is appended to `problems`.
OverridePolicy read_override_policy(const json& policy, const std::string& path, Outcome outcome, bool dated,
                                    std::vector<Diagnostic>& problems);

}  // namespace prescreen::detail
