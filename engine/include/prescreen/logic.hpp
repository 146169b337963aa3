// JsonLogic rules compiled once and evaluated many times (json-logic-js semantics plus prescreen's
// domain operations: docs/jsonlogic.md). apply_logic() in prescreen.hpp is compile + apply.
#pragma once

#include <memory>

#include "prescreen/prescreen.hpp"

namespace prescreen {

namespace expr {
struct Program;
}

/// Data checked once against the engine's limits (nesting depth), to evaluate many rules on.
/// Holds a reference: `data` must outlive it.
class LogicData {
public:
    /// Throws ProtocolError (nesting_too_deep) or UsageError (invalid_date for a bad `today`).
    explicit LogicData(const json& data, const Context& context = {});
    const json& data() const { return *data_; }
    std::string_view today() const { return today_; }

private:
    const json* data_;
    std::string today_;
};

/// A compiled JsonLogic rule. Cheap to copy (shared), safe to use from many threads.
class Logic {
public:
    /// Throws ProtocolError listing every problem of the rule.
    static Logic compile(const json& rule, const Limits& limits = default_limits());
    /// The rule's value on `data`. Throws ProtocolError when it fails at run time (e.g. `throw`).
    json apply(const LogicData& data) const;
    /// JsonLogic truthiness of the rule's value, without building the value as json.
    bool truthy(const LogicData& data) const;

private:
    explicit Logic(std::shared_ptr<const expr::Program> program) : program_(std::move(program)) {}
    std::shared_ptr<const expr::Program> program_;
};

}  // namespace prescreen
