// prescreen::Logic and apply_logic: JsonLogic over free data (json-logic-js semantics + domain operations).
#include <utility>

#include "dates.hpp"
#include "expr/internal.hpp"
#include "prescreen/logic.hpp"

namespace prescreen {

namespace {
// Evaluation walks data one level at a time but converts nested arrays recursively (to_json,
// ToString), so data nesting is bounded like any document the engine is given. The recursion stops
// at `limit`, so it is never deeper than that, and it allocates nothing (one LogicData per answer set).
bool data_too_deep(const json& data, std::size_t limit) {
    if (limit == 0) return true;
    for (const auto& child : data)
        if (child.is_structured() && data_too_deep(child, limit - 1)) return true;
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
    if (data.is_object()) {  // at most two thirds full, so a probe ends soon (an empty object: four empty slots)
        std::size_t size = 4;
        while (2 * size < 3 * data.size()) size *= 2;
        keys_.resize(size);
        for (const auto& entry : data.get_ref<const json::object_t&>()) {
            const std::uint64_t h = expr::key_hash(entry.first);
            std::size_t at = h & (size - 1);
            while (keys_[at].entry) at = (at + 1) & (size - 1);
            keys_[at] = expr::DataKey{h, &entry};
        }
    }
}

namespace {
expr::Frame frame_of(const LogicData& data) {
    expr::Frame frame;
    frame.data = &data.data();
    frame.today = data.today();
    if (!data.keys().empty()) {
        frame.data_keys = data.keys().data();
        frame.data_keys_mask = data.keys().size() - 1;
    }
    return frame;
}
}  // namespace

Dialect parse_dialect(std::string_view name) {
    if (name == "json-logic-js") return Dialect::JsonLogicJs;
    if (name == "core") return Dialect::Core;
    throw UsageError(Diagnostic{"unknown_dialect", "", "unknown JsonLogic dialect \"" + std::string(name) +
                                                           "\" (expected \"json-logic-js\" or \"core\")"});
}

Logic Logic::compile(const json& rule, const Limits& limits, Dialect dialect) {
    std::vector<Diagnostic> diagnostics;
    expr::Scope scope;
    scope.dialect = dialect;
    auto program = expr::compile(rule, scope, "", limits, diagnostics);
    if (!program) throw ProtocolError(std::move(diagnostics));
    return Logic(std::move(program));
}

json Logic::apply(const LogicData& data) const {
    const expr::Frame frame = frame_of(data);
    return run([&] {
        expr::Arena arena;  // owns computed values until to_json has copied the result
        return expr::to_json(expr::evaluate(*program_, frame, arena));
    });
}

bool Logic::truthy(const LogicData& data) const {
    const expr::Frame frame = frame_of(data);
    return run([&] { return expr::evaluate_truthy(*program_, frame); });  // builds no result value
}

json apply_logic(const json& rule, const json& data, const Context& context) {
    return apply_logic(rule, data, context, Dialect::JsonLogicJs);
}

json apply_logic(const json& rule, const json& data, const Context& context, Dialect dialect) {
    const Logic logic = Logic::compile(rule, default_limits(), dialect);
    return logic.apply(LogicData(data, context));
}

}  // namespace prescreen
