// prescreen::apply_logic: JsonLogic over free data (json-logic-js semantics + domain operations).
#include <utility>

#include "dates.hpp"
#include "expr/internal.hpp"

namespace prescreen {

namespace {
// Evaluation walks data one level at a time but converts nested arrays recursively (to_json,
// ToString), so data nesting is bounded like any document the engine is given.
bool data_too_deep(const json& data, std::size_t limit) {
    std::vector<std::pair<const json*, std::size_t>> stack{{&data, 1}};
    while (!stack.empty()) {
        auto [node, depth] = stack.back();
        stack.pop_back();
        if (depth > limit) return true;
        for (const auto& child : *node)
            if (child.is_structured()) stack.emplace_back(&child, depth + 1);
    }
    return false;
}
}  // namespace

json apply_logic(const json& rule, const json& data, const Context& context) {
    const Limits& limits = default_limits();
    std::vector<Diagnostic> diagnostics;
    const auto program = expr::compile(rule, expr::Scope{}, "", limits, diagnostics);
    if (!program) throw ProtocolError(std::move(diagnostics));
    if (data.is_structured() && data_too_deep(data, limits.max_nesting_depth))
        throw ProtocolError({Diagnostic{"nesting_too_deep", "",
                                        "data nested deeper than " + std::to_string(limits.max_nesting_depth) + " levels"}});
    if (!context.today.empty() && !parse_iso_date(context.today))
        throw UsageError(Diagnostic{"invalid_date", "", "today \"" + context.today + "\" is not a real calendar date (YYYY-MM-DD)"});
    expr::Frame frame;
    frame.data = &data;
    frame.today = context.today;
    try {
        expr::Arena arena;  // owns computed values until to_json has copied the result
        return expr::to_json(expr::evaluate(*program, frame, arena));
    } catch (const expr::EvalError& e) {
        throw ProtocolError({Diagnostic{e.code, "", e.message}});
    }
}

}  // namespace prescreen
