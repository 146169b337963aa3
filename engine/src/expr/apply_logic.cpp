// prescreen::Logic and apply_logic: JsonLogic over free data (json-logic-js semantics + domain operations).
#include <utility>

#include "dates.hpp"
#include "expr/internal.hpp"
#include "prescreen/logic.hpp"

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

template <class Body>
auto run(Body&& body) {
    try {
        return body();
    } catch (const expr::EvalError& e) {
        throw ProtocolError({Diagnostic{e.code, "", e.message}});
    }
}
}  // namespace

LogicData::LogicData(const json& data, const Context& context) : data_(&data), today_(context.today) {
    const Limits& limits = default_limits();
    if (data.is_structured() && data_too_deep(data, limits.max_nesting_depth))
        throw ProtocolError({Diagnostic{"nesting_too_deep", "",
                                        "data nested deeper than " + std::to_string(limits.max_nesting_depth) + " levels"}});
    if (!today_.empty() && !parse_iso_date(today_))
        throw UsageError(Diagnostic{"invalid_date", "", "today \"" + today_ + "\" is not a real calendar date (YYYY-MM-DD)"});
}

Logic Logic::compile(const json& rule, const Limits& limits) {
    std::vector<Diagnostic> diagnostics;
    auto program = expr::compile(rule, expr::Scope{}, "", limits, diagnostics);
    if (!program) throw ProtocolError(std::move(diagnostics));
    return Logic(std::move(program));
}

json Logic::apply(const LogicData& data) const {
    expr::Frame frame;
    frame.data = &data.data();
    frame.today = data.today();
    return run([&] {
        expr::Arena arena;  // owns computed values until to_json has copied the result
        return expr::to_json(expr::evaluate(*program_, frame, arena));
    });
}

bool Logic::truthy(const LogicData& data) const {
    expr::Frame frame;
    frame.data = &data.data();
    frame.today = data.today();
    return run([&] {
        expr::Arena arena;  // allocates only if the rule computes a string or array
        return expr::truthy(expr::evaluate(*program_, frame, arena));
    });
}

json apply_logic(const json& rule, const json& data, const Context& context) {
    const Logic logic = Logic::compile(rule);
    return logic.apply(LogicData(data, context));
}

}  // namespace prescreen
