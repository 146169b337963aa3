// A rule's practitioner-override policy (`override` in a pack rule; mn-ref-v2 §5), checked at load.
// The consent step enforces it; this file only says whether the policy is well formed.
#pragma once

#include <string>
#include <vector>

#include "protocol_model.hpp"

namespace prescreen::detail {

/// Problems with `policy` (the value of a rule's "override" key at `path`), for a rule with this
/// outcome; `dated` = a deferral with a waiting period. Empty when the policy is well formed.
std::vector<Diagnostic> check_override_policy(const json& policy, const std::string& path, Outcome outcome, bool dated);

}  // namespace prescreen::detail
