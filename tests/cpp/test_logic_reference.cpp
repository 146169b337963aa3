// The compiled evaluator against the deliberately simple reference interpreter (reference_logic.hpp):
// the reference is first checked on the official suite, then both run the same random rules.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>

#include "prescreen/prescreen.hpp"
#include "reference_logic.hpp"

using prescreen::json;

TEST_CASE("reference interpreter agrees with the official JsonLogic suite where it decides", "[logic][reference]") {
    std::ifstream in(PRESCREEN_SHARED_DIR "/conformance/jsonlogic/tests.json");
    std::stringstream ss;
    ss << in.rdbuf();
    int decided = 0;
    for (const auto& c : json::parse(ss.str())) {
        if (!c.is_array()) continue;
        try {
            const json got = reference::normalise(reference::apply(c[0], c[1]));
            INFO(c.dump());
            CHECK(got == c[2]);
            ++decided;
        } catch (const reference::Undecided&) {
        }
    }
    CHECK(decided >= 200);  // of 277: the rest use operations or quirks the reference leaves out
}

TEST_CASE("compiled evaluator equals the reference interpreter on 20,000 random rules", "[logic][reference]") {
    std::mt19937 random(20261201);
    int decided = 0;
    for (int i = 0; i < 20000; ++i) {
        std::uint8_t bytes[64];
        for (auto& b : bytes) b = std::uint8_t(random());
        reference::RuleMaker maker(bytes, sizeof bytes);
        const json rule = maker.rule();
        json expected;
        try {
            expected = reference::normalise(reference::apply(rule, reference::fuzz_data()));
        } catch (const reference::Undecided&) {
            continue;
        }
        ++decided;
        INFO(rule.dump());
        json got;
        REQUIRE_NOTHROW(got = prescreen::apply_logic(rule, reference::fuzz_data()));
        REQUIRE(got == expected);
    }
    CHECK(decided >= 10000);
}
