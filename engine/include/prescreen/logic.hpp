// JsonLogic rules compiled once and evaluated many times (json-logic-js or JSON Logic Core semantics,
// plus prescreen's domain operations: docs/jsonlogic.md). apply_logic() is compile + apply.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "prescreen/prescreen.hpp"

namespace prescreen {

namespace expr {
struct Program;
/// A top-level key of free data in LogicData's open-addressing table: `var` names hash once, at
/// compile time, so a lookup is one probe and one string comparison instead of a walk down the
/// object's tree of keys.
struct DataKey {
    std::uint64_t hash = 0;
    const json::object_t::value_type* entry = nullptr;  // the key and its value; null: empty slot
};
}

/// Which JsonLogic a rule is written in (docs/jsonlogic.md): `json-logic-js` (the official suite,
/// JavaScript coercions, the default) or `core` (JSON Logic Core: variadic arithmetic, chained
/// comparisons, NaN and bad arguments are errors, scope climbing in `val`).
enum class Dialect : unsigned char { JsonLogicJs, Core };

/// "json-logic-js" or "core"; anything else is a UsageError (code unknown_dialect).
Dialect parse_dialect(std::string_view name);

/// Data checked once against the engine's limits (nesting depth), to evaluate many rules on.
/// Holds a reference: `data` must outlive it.
class LogicData {
public:
    /// Throws ProtocolError (nesting_too_deep) or UsageError (invalid_date for a bad `today`).
    explicit LogicData(const json& data, const Context& context = {});
    const json& data() const { return *data_; }
    std::string_view today() const { return today_; }
    /// The top-level keys when the data is an object (size a power of two; empty otherwise).
    const std::vector<expr::DataKey>& keys() const { return keys_; }

private:
    const json* data_;
    std::string today_;
    std::vector<expr::DataKey> keys_;
};

/// A compiled JsonLogic rule. Cheap to copy (shared), safe to use from many threads.
class Logic {
public:
    /// Throws ProtocolError listing every problem of the rule.
    static Logic compile(const json& rule, const Limits& limits = default_limits(), Dialect dialect = Dialect::JsonLogicJs);
    static Logic compile(const json& rule, Dialect dialect) { return compile(rule, default_limits(), dialect); }
    /// The rule's value on `data`. Throws ProtocolError when it fails at run time (e.g. `throw`).
    json apply(const LogicData& data) const;
    /// JsonLogic truthiness of the rule's value, without building the value as json.
    bool truthy(const LogicData& data) const;

private:
    explicit Logic(std::shared_ptr<const expr::Program> program) : program_(std::move(program)) {}
    std::shared_ptr<const expr::Program> program_;
};

/// apply_logic (prescreen.hpp) in the given dialect.
json apply_logic(const json& rule, const json& data, const Context& context, Dialect dialect);

}  // namespace prescreen
