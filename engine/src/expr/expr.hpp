// JsonLogic, compiled once at load into an evaluable tree; evaluation never re-parses JSON.
// Semantics follow json-logic-js (the official tests.json passes 100 %), plus the domain
// operations documented in docs/jsonlogic.md (dates, today, param, answered, fired, outcome).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "prescreen/logic.hpp"
#include "prescreen/prescreen.hpp"

namespace prescreen::expr {

enum class Kind : std::uint8_t { Null, Bool, Number, String, Array, Object };

[[noreturn]] void string_too_long();  // throws std::length_error

/// A JsonLogic value: trivially copyable, so copying one never touches memory it points at.
/// Strings, arrays and objects are views: into the compiled program (literals), into an answer
/// set, into free data, or into an Arena that owns the values computed during evaluation.
/// Sixteen bytes, so that the evaluator returns one in two registers: a larger Value went back
/// through memory, and a Value stored field by field and reloaded as a block stalled the load on
/// store forwarding (perf: half of `reduce`'s time on one instruction).
struct Value {
    Kind kind = Kind::Null;
    bool boolean = false;      // Bool: the value; Null: set for `undefined` (internal.hpp)
    bool in_json = false;      // Array: the elements are the JSON array `object_` (free data), not `array_`
    std::uint32_t length = 0;  // String: its bytes (documents are far smaller than 4 GiB: from_view checks)
    union {
        double number = 0;                  // Number
        const char* chars_;                 // String
        const std::vector<Value>* array_;   // Array, unless in_json
        const nlohmann::json* object_;      // Object (free data, literals, try/reduce contexts); Array when in_json
    };

    static Value null() { return {}; }
    static Value from_bool(bool b) { Value v; v.kind = Kind::Bool; v.boolean = b; return v; }
    static Value from_number(double n) { Value v; v.kind = Kind::Number; v.number = n; return v; }
    /// A view; the caller keeps `text` alive for as long as the value is used.
    static Value from_view(std::string_view text) {
        if constexpr (sizeof(std::size_t) > 4)
            if (text.size() > UINT32_MAX) string_too_long();
        Value v;
        v.kind = Kind::String;
        v.chars_ = text.data();
        v.length = static_cast<std::uint32_t>(text.size());
        return v;
    }
    static Value from_array_view(const std::vector<Value>* items) { Value v; v.kind = Kind::Array; v.array_ = items; return v; }
    /// A JSON array or object of free data or a literal, read in place (elements converted on access).
    static Value from_json_array(const nlohmann::json* j) { Value v; v.kind = Kind::Array; v.in_json = true; v.object_ = j; return v; }
    static Value from_json_object(const nlohmann::json* j) { Value v; v.kind = Kind::Object; v.object_ = j; return v; }

    /// A string's text (empty for any other kind).
    std::string_view str() const { return kind == Kind::String ? std::string_view(chars_, length) : std::string_view(); }
    /// An array's elements when they are Values (computed, literal); null for a JSON array or another kind.
    const std::vector<Value>* items() const { return kind == Kind::Array && !in_json ? array_ : nullptr; }
    /// The JSON document of an object, or of an array of free data; null otherwise.
    const nlohmann::json* doc() const { return kind == Kind::Object || (kind == Kind::Array && in_json) ? object_ : nullptr; }
};
static_assert(std::is_trivially_copyable_v<Value>, "Values are copied freely on the hot path");
static_assert(sizeof(Value) == 16, "a Value is returned in two registers");

/// An answer in one byte, for the checks every screening makes on every item (answered? yes or
/// no?): 40 items fit one cache line, where their full Values take ten.
enum class Brief : std::uint8_t { Unanswered, No, Yes, Other };
inline Brief brief_of(const Value& v) {
    if (v.kind == Kind::Null) return Brief::Unanswered;
    if (v.kind == Kind::Bool) return v.boolean ? Brief::Yes : Brief::No;
    return Brief::Other;
}

/// Owns the strings, arrays and JSON objects that Values point at. Every element is a separate
/// heap object behind a unique_ptr, so its address stays put while the arena grows (a Value may
/// point into an array that is itself still being built). An empty arena allocates nothing.
///
/// Arrays' storage outlives clear(): an arena kept from one evaluation to the next (the evaluator
/// keeps one per thread) lends it to the arrays of the next through spare(), so map, filter,
/// merge and missing stop allocating once warm (they were a third of the official suite's time).
class Arena {
public:
    Value string(std::string text);
    Value array(std::vector<Value> items);
    Value object(nlohmann::json document);  // a JSON document as a Value (objects, arrays, ...)
    /// An empty vector, with the capacity of an array of an earlier evaluation when there is one:
    /// build an array in it and give it to array(), or back to recycle().
    std::vector<Value> spare();
    void recycle(std::vector<Value> items);
    bool empty() const { return strings_.empty() && arrays_.empty() && objects_.empty(); }
    /// Lets every value go; arrays' storage is kept for spare() unless it is large.
    void clear();
    /// Bytes of strings and array elements held (the evaluation budget's memory measure).
    std::size_t bytes() const { return bytes_; }

private:
    static constexpr std::size_t kKeptBytes = 64 * 1024;  // storage kept across clear(), at most
    std::size_t bytes_ = 0;
    std::vector<std::unique_ptr<const std::string>> strings_;
    std::vector<std::unique_ptr<std::vector<Value>>> arrays_;
    std::vector<std::unique_ptr<std::vector<Value>>> holders_;  // arrays' holders after clear(), empty
    std::vector<std::vector<Value>> spares_;                    // empty vectors with capacity
    std::vector<std::unique_ptr<const nlohmann::json>> objects_;
};

bool truthy(const Value& value);          // JavaScript truthiness ("" 0 null false NaN and [] are falsy)
nlohmann::json to_json(const Value& value);  // NaN/Infinity become null, integral doubles become integers

/// Questionnaire item types (shared with the protocol model; the compiler type-checks comparisons).
enum class ItemType : std::uint8_t { Boolean, Choice, MultiChoice, Date, Integer, Decimal, Text, Display };

struct ItemInfo {
    std::string id;
    ItemType type = ItemType::Text;
    std::vector<std::string> options;  // choice / multi-choice values
};

/// The names a rule may use. A default Scope is "free data": `var` reads the data document
/// (apply_logic). A protocol Scope resolves `var` names to answer slots at compile time, so an
/// unknown item id is a load error and evaluation is an array index.
struct Scope {
    const std::vector<ItemInfo>* items = nullptr;                 // slot i = items[i]; null = free data
    std::function<int(std::string_view)> find_item;              // id -> slot, -1 unknown
    std::function<int(std::string_view)> find_parameter;         // name -> index, -1 unknown
    std::function<int(std::string_view)> find_rule;              // id -> index, -1 unknown; empty = `fired` not allowed
    bool allow_outcome = false;                                   // `{"outcome": []}` allowed
    Dialect dialect = Dialect::JsonLogicJs;
};

/// One yes/no test of a Program's terms (below).
struct BoolTerm {
    int slot = -1;
    bool value = false;    // compared with true or false
    bool negated = false;  // != / !==

    /// 1 true, 0 false, -1 unknown (the answer is not yes/no/unanswered).
    int test(Brief b) const {
        if (b == Brief::Unanswered) return negated;  // null == true/false is false
        if (b == Brief::Other) return -1;
        return ((b == Brief::Yes) == value) != negated;
    }
};

/// A compiled rule. Opaque outside expr/.
struct Node;
struct Names;
struct Program {
    // What evaluation reads first comes first (one cache line with the control block).
    std::vector<Node> nodes;             // flat tree; root is nodes[root]
    std::uint32_t root = 0;
    bool simple = false;                 // only answer-slot tests joined by and/or/!: evaluate_truthy's fast path
    bool simple_data = false;            // the same over free data: fused tests of top-level keys
    // Yes/no tests callers can run inline from a one-byte Brief, without the evaluator's dispatch.
    // Each is `{"==": [{"var": item}, true]}` (or != / === / !==, true or false). With `any_of`
    // false (the root is one test, or an `and` of which these are children): one definitely false
    // term makes the condition false; all definitely true make it true only when `exact` (every
    // child is such a term). With `any_of` (an `or` of terms only): one true term makes it true, all
    // false make it false. A term on an answer that is neither yes/no nor unanswered decides
    // nothing: evaluate_truthy then gives the answer.
    std::vector<BoolTerm> terms;
    bool any_of = false, exact = false;
    std::vector<Names> names;            // paths and slot lists of var/val/missing nodes (Node::index)
    Arena constants;                     // literal strings, arrays and objects the nodes point at
    std::vector<int> items_used;         // sorted, unique answer slots the rule reads
    std::vector<int> parameters_used;    // sorted, unique parameter indices
    std::vector<int> rules_used;         // sorted, unique rule indices (`fired`)
    Dialect dialect = Dialect::JsonLogicJs;
    // The evaluation budget (Limits::max_evaluation_steps / _bytes): exceeding either at run time is
    // the EvalError evaluation_budget_exceeded.
    std::uint64_t max_steps = 0, max_bytes = 0;
    ~Program();
    Program();
    Program(Program&&) noexcept;
    Program& operator=(Program&&) noexcept;
};

/// Compile `rule`; on problems append diagnostics (paths under `path`) and return nullptr.
std::shared_ptr<const Program> compile(const nlohmann::json& rule, const Scope& scope, const std::string& path,
                                       const Limits& limits, std::vector<Diagnostic>& diagnostics);

/// What a Program reads while it runs.
struct Frame {
    const Value* items = nullptr;        // answers by slot (protocol scope); Null = unanswered
    const std::uint64_t* option_bits = nullptr;  // by slot: bit i = multi-choice option i chosen (may be null)
    const Brief* brief = nullptr;        // by slot: items in one byte each (may be null)
    const Value* parameters = nullptr;   // effective parameter values by index
    const std::uint8_t* fired = nullptr; // rule index -> 1 when that rule fired
    std::string_view outcome;            // overall outcome (aftercare/course conditions)
    const nlohmann::json* data = nullptr;  // free data (apply_logic)
    const DataKey* data_keys = nullptr;    // its top-level keys by hash (LogicData::keys), may be null
    std::size_t data_keys_mask = 0;        // table size - 1
    std::string_view today;              // ISO date, empty = not given
};

/// Runtime error (bad date given to a date operation, `throw`, ...), turned into a Diagnostic by callers.
struct EvalError {
    std::string code;
    std::string message;
};

/// Evaluate; throws EvalError for runtime errors. Never recurses deeper than the compiled depth.
/// The result may point into `arena` (computed strings, arrays, objects), into the program or
/// into the frame: use it while all three live.
Value evaluate(const Program& program, const Frame& frame, Arena& arena);

/// truthy(evaluate(program, frame)) without building the result value (conditions, the hot path).
bool evaluate_truthy(const Program& program, const Frame& frame);

}  // namespace prescreen::expr
