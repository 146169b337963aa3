// The consent section of a pack, compiled once at load: acknowledgements by stage and with the
// condition under which each applies, the periods, the signature requirements and the default
// override registers (docs/protocol-format.md).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.hpp"
#include "prescreen/prescreen.hpp"

namespace prescreen::detail {

struct CompiledProtocol;
struct AnswerSet;
struct Decision;

struct ConsentAcknowledgement {
    std::string id;
    std::size_t index = 0;   // position in the pack's /consent/acknowledgements
    bool required = true;
    bool pre_visit = false;  // stage "pre_visit": confirmed before the visit (information read)
    // `when`: the acknowledgement applies (is shown, and required if `required`) only to a screening
    // for which this holds, e.g. a finding-specific risk (CONTRAINDICATIONS-v2 §6). Null = everyone.
    std::shared_ptr<const expr::Program> when;
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
/// `when` holds each acknowledgement's compiled condition by its position (check_consent_section).
/// Appends diagnostics; returns null when the pack has no consent section.
std::shared_ptr<const ConsentDocument> compile_consent_document(const CompiledProtocol& protocol, const json& document,
                                                                const std::vector<std::shared_ptr<const expr::Program>>& when,
                                                                std::vector<Diagnostic>& diagnostics);

/// By acknowledgement (document order): 1 when it applies to this screening (no `when`, or its
/// `when` holds over the answers, the fired rules and the outcome). ProtocolError when a `when`
/// fails at run time (path /consent/acknowledgements/<i>/when).
std::vector<char> applicable_acknowledgements(const CompiledProtocol& protocol, const AnswerSet& answers,
                                              const Decision& decision, std::string_view today);

/// The locale a consent document is read in: the context's (exact tag, else its language), the
/// pack's first when none is given. UsageError unknown_locale (path /locale) for one the pack lacks.
std::size_t consent_locale(const CompiledProtocol& protocol, const Context& context);

}  // namespace prescreen::detail
