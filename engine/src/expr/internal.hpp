// Private to expr/: the compiled node layout and the JavaScript value semantics shared by the
// compiler (constant folding, type checks) and the evaluator.
#pragma once

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.hpp"

namespace prescreen::expr {

enum class Op : std::uint8_t {
    Const,        // constant (scalar, folded array, literal object); evaluates to a view
    MakeArray,    // array literal with computed elements
    VarSlot,      // protocol item by slot; child 0 = default
    VarPath,      // free data, pre-split path (Node::path); flags & kWholeData = "" ; child 0 = default
    VarDynamic,   // free data, child 0 = name, child 1 = default
    MissingSlots, // protocol scope: Node::slots with names in Node::path
    Missing,      // free data
    MissingSome,  // free data: child 0 = need, child 1 = options
    MissingSomeSlots,  // protocol scope: Node::constant = need, Node::slots + Node::path
    If, And, Or, Not, NotNot,
    Eq, StrictEq, Ne, StrictNe, Lt, Le, Gt, Ge,
    InSlotConst,   // fused `{"in": [{"var": item}, [literals]]}`: index = slot, constant = the array
    InConstSlot,   // fused `{"in": [literal string, {"var": item}]}`: index = slot, constant = the string
    CmpSlotConst,  // fused `cmp(var item, literal)`: aux = comparison Op, flags = fast_compare_code
    BetweenSlot,   // fused `{"<": [literal, {"var": item}, literal]}` (or "<="): aux = Op, index = slot,
                   // children 0 and 2 are the literals
    Max, Min, Add, Sub, Mul, Div, Mod,
    In, Cat, Substr, Merge,
    Map, Filter, Reduce, All, None, Some,
    Log,
    Today, DateAdd, DateDiff, Age, Param, Answered, Fired, Outcome,
    // community extensions (json-logic/compat-tables): val, exists, ??, throw, try
    Val,          // Node::path segments (no dot splitting); flags & kWholeData = []; children = dynamic segments
    Exists,       // like Val, true when the path exists
    Coalesce, Throw, Try,
    // Fused tests over free data, like the four *Slot ones: `var` of a literal path, index = its
    // Names (the path). Last, so the pack's operations keep their values (and switch tables).
    InPathConst, InConstPath, CmpPathConst, BetweenPath,
    MissingPaths,      // free data, literal keys: Node::names keys (pre-split), texts in path
    MissingSomePaths,  // the same; Node::constant = need
};

// Off the screening path: optimised for size where the compiler can (clang, i.e. the WebAssembly
// build, whose gzip budget is tight); g++ (native) ignores it and keeps its -O level.
#if defined(__clang__)
#define PRESCREEN_COLD __attribute__((minsize, noinline))
#else
#define PRESCREEN_COLD
#endif

constexpr std::uint8_t kWholeData = 1;
constexpr std::uint8_t kOptionBit = 2;  // InConstSlot: the literal is option `aux` (< 64) of the item
constexpr std::uint8_t kSpread = 4;     // core arithmetic, max, min, cat: one computed argument whose
                                        // array value is the argument list ({"+": {"merge": ...}})
constexpr std::uint8_t kClimb = 8;      // Val: `aux` levels up the scope stack first ({"val": [[2], "x"]})
// VarPath: the path starts with "current" / "accumulator" (inside `reduce`, its pair), and is only
// that one segment (kOneKey).
constexpr std::uint8_t kCurrent = 16;
constexpr std::uint8_t kAccumulator = 32;
constexpr std::uint8_t kOneKey = 64;
// CmpSlotConst / BetweenSlot keep the comparison in `aux`; this bit says the rule is `core` JsonLogic.
constexpr std::uint8_t kCoreCompare = 0x80;

// CmpSlotConst: the comparison to run inline when the answer has the literal's kind.
enum FastCompare : std::uint8_t {
    kFastNone = 0,
    kBoolEq = 8, kBoolNe,
    kNumEq = 16, kNumNe, kNumLt, kNumLe, kNumGt, kNumGe,
    kStrEq = 24, kStrNe, kStrLt, kStrLe, kStrGt, kStrGe,
};

// Half a cache line per node (32 bytes, a 16-byte Value included): screening conditions are a
// node or three each, and evaluating one should touch as little memory as possible. Rarely used
// lists live in Program::names.
struct alignas(32) Node {
    Op op = Op::Const;
    std::uint8_t aux = 0;
    std::uint8_t flags = 0;
    std::uint32_t first = 0;  // children are nodes[first .. first + count)
    std::uint32_t count = 0;
    std::int32_t index = -1;  // slot / parameter / rule; var, val, exists, missing: Program::names index
    Value constant;
};
static_assert(sizeof(Node) == 32, "two Nodes fill one cache line");

// The literal path of var/val/exists, or the item ids and slots of missing/missing_some (or, over
// free data, their keys: each one's text in `path`, its segments in `keys`).
struct Names {
    std::vector<std::string> path;
    std::vector<int> slots;
    std::uint64_t first_hash = 0;  // key_hash(path[0]): LogicData's key table
    std::vector<std::vector<std::string>> keys;
    std::vector<std::uint64_t> key_hashes;  // key_hash(keys[i][0])
};

// Node `index` of a program being compiled, evaluated with no data (the compiler folds constants).
// False when evaluation fails: the error is then left to run time.
bool evaluate_constant(const Program& program, std::uint32_t index, Arena& arena, Value& out);

// A key of free data equal to a `var` segment: the lengths first (most keys of an object differ
// there), then the bytes. (A byte loop instead of memcmp was measured: 40 % slower on the 30-rule
// workload's longer keys.)
inline bool same_key(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

// A json-logic-js path ("a.b.0") split at its dots, each segment given to `segment` in order (the
// compiler's literal paths and the evaluator's computed names).
template <class Segment>
void each_path_segment(std::string_view name, Segment&& segment) {
    for (std::size_t start = 0;;) {
        const std::size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) return segment(name.substr(start));
        segment(name.substr(start, dot - start));
        start = dot + 1;
    }
}

// FNV-1a: the hash of LogicData's key table and of `var` names at compile time.
inline std::uint64_t key_hash(std::string_view key) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
    return h;
}

// An upper bound on a protocol condition's evaluation budget use (cost.cpp): loop steps and the
// bytes of the largest array it can build. Answers are bounded, so both are finite unless a
// `reduce` grows without bound.
struct StaticCost {
    double steps = 0;
    double bytes = 0;
};
StaticCost static_cost(const Program& program, const std::vector<ItemInfo>& items);

// ---- JavaScript semantics -------------------------------------------------------------------
// `undefined` (a missing positional argument) is a Null whose `boolean` flag is set.
inline Value undefined_value() { Value v; v.boolean = true; return v; }
inline bool is_undefined(const Value& v) { return v.kind == Kind::Null && v.boolean; }

/// One level of a JSON document as a Value (strings are views, arrays and objects point at the json).
Value from_json_view(const nlohmann::json& j);

std::size_t array_size(const Value& v);
Value array_at(const Value& v, std::size_t i);  // full copy

void append_js_number(double d, std::string& out);
std::string js_number(double d);
void append_js_string(const Value& v, std::string& out);  // ToString (arrays joined by ",")
double string_to_number(std::string_view s);                // JS StringToNumber
double to_number(const Value& v);                           // JS ToNumber
double parse_float(const Value& v);                         // JS parseFloat(ToString(v))

bool strict_equal(const Value& a, const Value& b);
bool js_in(const Value& needle, const Value& haystack);  // json-logic-js `in` (substring or element)
bool loose_equal(const Value& a, const Value& b);
enum class Order : std::uint8_t { Less, Equal, Greater, Unordered };
Order js_compare(const Value& a, const Value& b);  // abstract relational comparison
bool compare_op(Op op, const Value& a, const Value& b);
// JSON Logic Core comparison: arrays and objects, or a number against a non-numeric string, are the
// EvalError not_a_number; === and !== are strict; otherwise strings compare as strings and the rest
// as numbers (null 0, booleans 0/1).
bool core_compare(Op op, const Value& a, const Value& b);
double core_number(const Value& v);  // Number(v); arrays, objects and non-numeric strings are not_a_number
// compare_op or core_compare, as a fused node's `aux` says (kCoreCompare).
inline bool compare_aux(std::uint8_t aux, const Value& a, const Value& b) {
    return (aux & kCoreCompare) ? core_compare(Op(aux & 0x7f), a, b) : compare_op(Op(aux), a, b);
}

inline std::uint8_t fast_compare_code(Op op, Kind kind) {
    int o;
    switch (op) {
        case Op::Eq: case Op::StrictEq: o = 0; break;
        case Op::Ne: case Op::StrictNe: o = 1; break;
        case Op::Lt: o = 2; break;
        case Op::Le: o = 3; break;
        case Op::Gt: o = 4; break;
        case Op::Ge: o = 5; break;
        default: return kFastNone;
    }
    if (kind == Kind::Bool) return o <= 1 ? std::uint8_t(8 + o) : std::uint8_t(kFastNone);
    if (kind == Kind::Number) return std::uint8_t(16 + o);
    if (kind == Kind::String) return std::uint8_t(24 + o);
    return kFastNone;
}

/// compare_op with the same-kind cases inline (the hot path of screening rules).
__attribute__((always_inline)) inline bool compare_fast(Op op, const Value& a, const Value& b) {
    if (a.kind == b.kind) {
        switch (a.kind) {
            case Kind::Bool:
            case Kind::Number: {
                const double x = a.kind == Kind::Bool ? double(a.boolean) : a.number;
                const double y = b.kind == Kind::Bool ? double(b.boolean) : b.number;
                switch (op) {
                    case Op::Eq: case Op::StrictEq: return x == y;
                    case Op::Ne: case Op::StrictNe: return x != y;
                    case Op::Lt: return x < y;
                    case Op::Le: return x <= y;
                    case Op::Gt: return x > y;
                    case Op::Ge: return x >= y;
                    default: break;
                }
                break;
            }
            case Kind::String:
                switch (op) {
                    case Op::Eq: case Op::StrictEq: return a.str() == b.str();
                    case Op::Ne: case Op::StrictNe: return a.str() != b.str();
                    case Op::Lt: return a.str().compare(b.str()) < 0;
                    case Op::Le: return a.str().compare(b.str()) <= 0;
                    case Op::Gt: return a.str().compare(b.str()) > 0;
                    case Op::Ge: return a.str().compare(b.str()) >= 0;
                    default: break;
                }
                break;
            default: break;
        }
    }
    return compare_op(op, a, b);
}

}  // namespace prescreen::expr
