// Differential: the compiled evaluator against the simple reference interpreter kept in the tests
// (tests/cpp/reference_logic.hpp), on random rules built from the input bytes, in json-logic-js mode.
// Any disagreement, or an engine error where the reference has a value, is a crash; so is
// Logic::truthy disagreeing with the truthiness of the value.
#include <cstdio>

#include "../tests/cpp/reference_logic.hpp"
#include "prescreen/logic.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    reference::RuleMaker maker(data, size);
    const prescreen::json rule = maker.rule();
    prescreen::json expected;
    try {
        expected = reference::normalise(reference::apply(rule, reference::fuzz_data()));
    } catch (const reference::Undecided&) {
        return 0;
    }
    prescreen::json got;
    try {
        got = prescreen::apply_logic(rule, reference::fuzz_data());
    } catch (const prescreen::ProtocolError& e) {
        std::fprintf(stderr, "engine error %s on %s (reference: %s)\n", e.diagnostics().at(0).code.c_str(), rule.dump().c_str(),
                     expected.dump().c_str());
        __builtin_trap();
    }
    if (got != expected) {
        std::fprintf(stderr, "differ on %s\n  engine    %s\n  reference %s\n", rule.dump().c_str(), got.dump().c_str(),
                     expected.dump().c_str());
        __builtin_trap();
    }
    // Logic::truthy's own paths (folded constants, fused key tests, lists not built) give the
    // truthiness of that value (a null one may have been NaN or an infinity: it decides nothing).
    if (!expected.is_null() &&
        prescreen::Logic::compile(rule).truthy(prescreen::LogicData(reference::fuzz_data())) != reference::truthy(expected)) {
        std::fprintf(stderr, "truthy differs on %s (value %s)\n", rule.dump().c_str(), expected.dump().c_str());
        __builtin_trap();
    }
    return 0;
}
