// json-logic-js's yes/no connectives, written once for every tier that tests a rule rather than
// evaluating it: `!`, `!!`, `and` and `or` over a node's children, short-circuiting, each child
// tested by the caller's own test (the pack's inline leaves, free data's key tests, the evaluator).
// `and` of no arguments is false, `!` of none true, `!!` of none false, as json-logic-js has them.
#pragma once

#include <cstdint>

#include "expr/internal.hpp"

namespace prescreen::expr {

inline bool is_connective(Op op) { return op == Op::Not || op == Op::NotNot || op == Op::And || op == Op::Or; }

/// `n` (a connective) with each child, by its node index, tested by `test`.
template <class Test>
__attribute__((always_inline)) inline bool test_connective(const Node& n, Test&& test) {
    switch (n.op) {
        case Op::Not: return n.count ? !test(n.first) : true;
        case Op::NotNot: return n.count ? test(n.first) : false;
        case Op::And:
            for (std::uint32_t i = 0; i < n.count; ++i)
                if (!test(n.first + i)) return false;
            return n.count != 0;
        default:  // Op::Or
            for (std::uint32_t i = 0; i < n.count; ++i)
                if (test(n.first + i)) return true;
            return false;
    }
}

}  // namespace prescreen::expr
