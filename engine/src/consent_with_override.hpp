// An acknowledgement with `with_override: true` (the pack's finding_override: "my practitioner has
// explained why they decided that I can be treated despite a reason in my answers") concerns only a
// consent where a practitioner override is in play: at signing, when the request carries one; in the
// consent document, read before anyone has overridden anything, when a finding fired that the pack
// lets a practitioner override (CONTRAINDICATIONS-v2 §5, §6). Checked at load (consent_section.cpp).
#pragma once

#include "protocol_model.hpp"

namespace prescreen::detail {

/// True when the acknowledgement's definition says `with_override: true`.
bool applies_with_override_only(const CompiledProtocol& protocol, const ConsentAcknowledgement& ack);

/// True when a finding fired whose override policy lets a practitioner override it.
bool override_possible(const CompiledProtocol& protocol, const Decision& decision);

}  // namespace prescreen::detail
