// The consent section of a pack, compiled once at load: acknowledgements by stage, the periods,
// the signature requirements and the default override registers (docs/protocol-format.md).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "prescreen/prescreen.hpp"

namespace prescreen::detail {

struct CompiledProtocol;

struct ConsentAcknowledgement {
    std::string id;
    bool required = true;
    bool pre_visit = false;  // stage "pre_visit": confirmed before the visit (information read)
};

struct ConsentDocument {
    std::string version;
    std::vector<ConsentAcknowledgement> acknowledgements;  // document order
    int validity = -1, cooling_off = -1;                   // duration parameter indexes, -1 = none
    bool countersign = false;                               // a practitioner countersignature is required
    std::vector<std::string> override_registers;            // default accepted registers (empty = any)

    const ConsentAcknowledgement* find(const std::string& id) const;
};

/// Check the consent-specific parts of `document` (acknowledgements' `stage`,
/// `signature.countersign`, `consent.override_registers`) and compile the consent section.
/// Appends diagnostics; returns null when the pack has no consent section.
std::shared_ptr<const ConsentDocument> compile_consent_document(const CompiledProtocol& protocol, const json& document,
                                                                std::vector<Diagnostic>& diagnostics);

}  // namespace prescreen::detail
