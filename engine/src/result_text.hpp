// The parts of a screening result that never change for a pack and locale, serialised once at load
// so that render.cpp writes a result by copying them (private to the engine).
#pragma once

#include <string>
#include <vector>

#include "prescreen/prescreen.hpp"

namespace prescreen::detail {

struct CompiledProtocol;

/// A constant value as json (for results built as trees) and as its text (for results written
/// as text): json::dump() of `value`; for members of an object, without the enclosing braces.
struct Fragment {
    json value;
    std::string text;
};

/// One locale's constant result parts.
struct ResultText {
    struct Finding {
        Fragment before_defer_until;  // members: clinician_note
        Fragment before_trace;        // members: message, outcome, rule, sources
    };
    std::vector<Finding> findings;    // by rule
    std::vector<Fragment> aftercare;  // by instruction: the whole entry
    std::vector<Fragment> courses;    // by plan: the whole course object
};

/// One ResultText per locale of the pack (at least one), in CompiledProtocol::result_text.
void prepare_result_text(CompiledProtocol& protocol);

}  // namespace prescreen::detail
