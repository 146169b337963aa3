// Tree-walking evaluator over the compiled nodes. The compiler has validated every shape, so this
// file only implements semantics. Values read from the frame, the data or the program are views
// (no allocation, no reference counting); only computed strings and arrays own memory.
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include "dates.hpp"
#include "expr/internal.hpp"
#include "expr/yes_no.hpp"

namespace prescreen::expr {

namespace {

// The data `var` reads: a value, or the {current, accumulator} pair inside `reduce`.
// `parent` and `index` are the scope stack of `val`'s climbing ({"val": [[2], "x"]}): each iterator
// (and each `try` fallback) is two levels, its element and then {"index": i}.
struct Data {
    const Value* value = nullptr;
    const Value* current = nullptr;
    const Value* accumulator = nullptr;
    const Data* parent = nullptr;
    std::size_t index = 0;
};

const Value kNull{};

// CmpSlotConst: same-kind comparisons inline, everything else through JavaScript's rules.
__attribute__((always_inline)) inline bool compare_slot(const Node& n, const Value& v) {
    const Value& c = n.constant;
    // `answer == true` is most screening rules: a predictable branch instead of the jump table.
    if (n.flags == kBoolEq && v.kind == Kind::Bool) return v.boolean == c.boolean;
    if (v.kind == c.kind) {
        switch (n.flags) {
            case kBoolEq: return v.boolean == c.boolean;
            case kBoolNe: return v.boolean != c.boolean;
            case kNumEq: return v.number == c.number;
            case kNumNe: return v.number != c.number;
            case kNumLt: return v.number < c.number;
            case kNumLe: return v.number <= c.number;
            case kNumGt: return v.number > c.number;
            case kNumGe: return v.number >= c.number;
            case kStrEq: return v.str() == c.str();
            case kStrNe: return v.str() != c.str();
            case kStrLt: return v.str().compare(c.str()) < 0;
            case kStrLe: return v.str().compare(c.str()) <= 0;
            case kStrGt: return v.str().compare(c.str()) > 0;
            case kStrGe: return v.str().compare(c.str()) >= 0;
            default: break;
        }
    }
    return compare_aux(n.aux, v, c);
}

// InSlotConst: a choice answer among literal options; strict equality as Array.indexOf.
inline bool in_slot_const(const Node& n, const Value& v) {
    if (v.kind == Kind::String) {
        for (const Value& e : *n.constant.items())
            if (e.kind == Kind::String && e.str() == v.str()) return true;
        return false;
    }
    for (const Value& e : *n.constant.items())
        if (strict_equal(e, v)) return true;
    return false;
}

// InConstSlot: a literal option among a multi-choice answer's options (a substring test on text).
// When the literal is one of the item's first 64 options (kOptionBit), an answer's choices are
// one bit each in the frame's option_bits: one load instead of walking the list.
inline bool in_const_slot(const Node& n, const Value& v, const std::uint64_t* option_bits) {
    if (v.kind == Kind::Array && (n.flags & kOptionBit) && option_bits) return (option_bits[n.index] >> n.aux) & 1;
    if (v.kind == Kind::Array && v.items()) {
        for (const Value& e : *v.items())
            if (e.kind == Kind::String && e.str() == n.constant.str()) return true;
        return false;
    }
    return js_in(n.constant, v);
}

// BetweenSlot: low < v < high (or <=) like the three-argument "<" / "<="; the literals are
// never undefined, so both comparisons always apply.
inline bool between_slot(const Node* nodes, const Node& n, const Value& v) {
    const Value& low = nodes[n.first].constant;
    const Value& high = nodes[n.first + 2].constant;
    if (n.aux & kCoreCompare) return compare_aux(n.aux, low, v) && compare_aux(n.aux, v, high);
    const Op op = Op(n.aux);
    return compare_fast(op, low, v) && compare_fast(op, v, high);
}

inline bool truthy_slot(const Value& v) { return v.kind == Kind::Bool ? v.boolean : truthy(v); }

// Program::simple programs: the same semantics as Evaluator::test for these operations. Leaves
// are inline (no call, no saved registers); only and/or/!/!! go through test_simple_tree.
bool test_simple_tree(const Node* nodes, const Node& n, const Frame& f);

__attribute__((always_inline)) inline bool test_simple(const Node* nodes, const Node& n, const Frame& f) {
    const Value* items = f.items;
    switch (n.op) {
        case Op::CmpSlotConst:
            // A yes/no answer against true/false: the one-byte brief, not the Value's cache line.
            if (f.brief && (n.flags == kBoolEq || n.flags == kBoolNe)) {
                const Brief b = f.brief[n.index];
                if (b == Brief::Unanswered) return n.flags == kBoolNe;  // null == true/false is false
                if (b != Brief::Other) return ((b == Brief::Yes) == n.constant.boolean) != (n.flags == kBoolNe);
            }
            return compare_slot(n, items[n.index]);
        case Op::InSlotConst: return in_slot_const(n, items[n.index]);
        case Op::InConstSlot: return in_const_slot(n, items[n.index], f.option_bits);
        case Op::BetweenSlot: return between_slot(nodes, n, items[n.index]);
        case Op::Answered: return items[n.index].kind != Kind::Null;
        case Op::VarSlot: return truthy_slot(items[n.index]);
        default: return test_simple_tree(nodes, n, f);
    }
}

// The compiler marks only the leaves above and the connectives simple.
__attribute__((noinline)) bool test_simple_tree(const Node* nodes, const Node& n, const Frame& f) {
    return test_connective(n, [&](std::uint32_t child) { return test_simple(nodes, nodes[child], f); });
}

// json-logic-js `missing`: a key counts as missing when absent, null or "" (every form of `missing`).
inline bool missing_value(const Value& v) { return v.kind == Kind::Null || (v.kind == Kind::String && v.str().empty()); }

// ---- fused tests over free data (CmpPathConst, InPathConst, InConstPath, BetweenPath) ----------
// PRESCREEN_COLD: apply_logic's paths, not the pack's; small in WebAssembly, full speed natively.

PRESCREEN_COLD bool fused_test(const Node* nodes, const Node& n, const Value& v) {
    switch (n.op) {
        case Op::CmpPathConst: return compare_slot(n, v);
        case Op::InPathConst: return in_slot_const(n, v);
        case Op::InConstPath:
            if (v.kind == Kind::Array && !v.items() && v.doc()) {  // free data: the JSON array itself
                for (const auto& e : *v.doc()) {
                    const std::string* text = e.get_ptr<const std::string*>();
                    if (text && *text == n.constant.str()) return true;
                }
                return false;
            }
            return in_const_slot(n, v, nullptr);
        default: return between_slot(nodes, n, v);
    }
}

// A top-level key of the data through the frame's key table (LogicData); null when absent.
PRESCREEN_COLD const nlohmann::json* top_json(const Frame& f, std::uint64_t hash, std::string_view key) {
    for (std::size_t at = hash & f.data_keys_mask;; at = (at + 1) & f.data_keys_mask) {
        const DataKey& k = f.data_keys[at];
        if (!k.entry) return nullptr;
        if (k.hash == hash && same_key(k.entry->first, key)) return &k.entry->second;
    }
}

// CmpPathConst on a JSON value of the literal's kind, read in place: 1 or 0; -1 when the kinds
// differ. (get_ptr, not get: nothing here can throw, which keeps the WebAssembly build small.)
PRESCREEN_COLD int compare_json(const Node& n, const nlohmann::json& j) {
    const Value& c = n.constant;
    if (n.flags == kBoolEq || n.flags == kBoolNe) {
        const bool* b = j.get_ptr<const bool*>();
        return b ? int((*b == c.boolean) == (n.flags == kBoolEq)) : -1;
    }
    if (n.flags >= kNumEq && n.flags <= kNumGe) {
        double x;
        if (const double* p = j.get_ptr<const double*>()) x = *p;
        else if (const std::int64_t* q = j.get_ptr<const std::int64_t*>()) x = double(*q);
        else if (const std::uint64_t* u = j.get_ptr<const std::uint64_t*>()) x = double(*u);
        else return -1;
        switch (n.flags) {
            case kNumEq: return x == c.number;
            case kNumNe: return x != c.number;
            case kNumLt: return x < c.number;
            case kNumLe: return x <= c.number;
            case kNumGt: return x > c.number;
            default: return x >= c.number;
        }
    }
    if (n.flags >= kStrEq && n.flags <= kStrGe) {
        const std::string* text = j.get_ptr<const std::string*>();
        if (!text) return -1;
        const int cmp = std::string_view(*text).compare(c.str());
        switch (n.flags) {
            case kStrEq: return cmp == 0;
            case kStrNe: return cmp != 0;
            case kStrLt: return cmp < 0;
            case kStrLe: return cmp <= 0;
            case kStrGt: return cmp > 0;
            default: return cmp >= 0;
        }
    }
    return -1;
}

// A fused test of a top-level key (`names` has one segment, the frame a key table). The JSON is
// read in place when the answer has the literal's kind; anything else takes JavaScript's rules.
PRESCREEN_COLD bool test_top_key(const Node* nodes, const Node& n, const Names& names, const Frame& f) {
    const nlohmann::json* j = top_json(f, names.first_hash, names.path[0]);
    if (!j) return fused_test(nodes, n, Value::null());
    if (n.op == Op::CmpPathConst) {
        const int r = compare_json(n, *j);
        if (r >= 0) return r;
    } else if (n.op == Op::InPathConst) {  // a JSON string among literal strings
        if (const std::string* text = j->get_ptr<const std::string*>()) {
            for (const Value& e : *n.constant.items())
                if (e.kind == Kind::String && e.str() == *text) return true;
            return false;
        }
    }
    return fused_test(nodes, n, from_json_view(*j));  // InConstPath reads a JSON array in place too
}

// json-logic-js `missing` of one top-level key: absent, null or "".
PRESCREEN_COLD bool top_key_missing(const Frame& f, std::uint64_t hash, std::string_view key) {
    const nlohmann::json* j = top_json(f, hash, key);
    if (!j) return true;
    return missing_value(from_json_view(*j));
}

// Program::simple_data programs (compile.cpp, simple_data): tests of top-level keys, constants and
// missing/missing_some of top-level keys under and/or/!/!!/if, without an evaluator.
PRESCREEN_COLD bool test_simple_data(const Program& p, const Node& n, const Frame& f) {
    switch (n.op) {
        case Op::Const: return truthy(n.constant);
        case Op::VarPath: {
            const Names& names = p.names[std::size_t(n.index)];
            const nlohmann::json* j = top_json(f, names.first_hash, names.path[0]);
            return j && truthy(from_json_view(*j));
        }
        case Op::MissingPaths: {
            const Names& keys = p.names[std::size_t(n.index)];
            for (std::size_t i = 0; i < keys.path.size(); ++i)
                if (top_key_missing(f, keys.key_hashes[i], keys.keys[i][0])) return true;
            return false;
        }
        case Op::MissingSomePaths: {
            const Names& keys = p.names[std::size_t(n.index)];
            std::size_t missing = 0;
            for (std::size_t i = 0; i < keys.path.size(); ++i) missing += top_key_missing(f, keys.key_hashes[i], keys.keys[i][0]);
            return missing && double(keys.path.size() - missing) < n.constant.number;
        }
        case Op::If: {  // in a test, the chosen branch is tested too
            std::uint32_t i = 0;
            for (; i + 1 < n.count; i += 2)
                if (test_simple_data(p, p.nodes[n.first + i], f)) return test_simple_data(p, p.nodes[n.first + i + 1], f);
            return i < n.count && test_simple_data(p, p.nodes[n.first + i], f);
        }
        case Op::Not: case Op::NotNot: case Op::And: case Op::Or:
            return test_connective(n, [&](std::uint32_t child) { return test_simple_data(p, p.nodes[child], f); });
        default: return test_top_key(p.nodes.data(), n, p.names[std::size_t(n.index)], f);
    }
}

bool is_index(std::string_view s, std::size_t& index) {
    if (s.empty() || s.size() > 15 || (s.size() > 1 && s[0] == '0')) return false;
    std::size_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + std::size_t(c - '0');
    }
    index = v;
    return true;
}

std::size_t utf8_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead >> 5) == 0x6) return 2;
    if ((lead >> 4) == 0xe) return 3;
    if ((lead >> 3) == 0x1e) return 4;
    return 1;
}

// Code point boundaries of a UTF-8 string (string positions count code points).
std::vector<std::size_t> code_points(std::string_view s) {
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < s.size(); i += utf8_length(static_cast<unsigned char>(s[i]))) offsets.push_back(i);
    offsets.push_back(s.size());
    return offsets;
}

// data[segment] like JavaScript property access on JSON values; false = undefined.
bool step(const Value& in, std::string_view seg, Value& out) {
    switch (in.kind) {
        case Kind::Object: {
            const nlohmann::json::object_t* object = in.doc() ? in.doc()->get_ptr<const nlohmann::json::object_t*>() : nullptr;
            if (!object) return false;
            // Objects in data are small: a walk comparing lengths first beats the tree's string comparisons.
            if (object->size() <= 8) {
                for (const auto& [key, value] : *object)
                    if (same_key(key, seg)) return out = from_json_view(value), true;
                return false;
            }
            const auto it = object->find(seg);
            if (it == object->end()) return false;
            out = from_json_view(it->second);
            return true;
        }
        case Kind::Array: {
            std::size_t i;
            if (seg == "length") {
                out = Value::from_number(double(array_size(in)));
                return true;
            }
            if (!is_index(seg, i) || i >= array_size(in)) return false;
            out = array_at(in, i);
            return true;
        }
        case Kind::String: {
            std::size_t i = 0;
            const bool length = seg == "length";
            if (!length && !is_index(seg, i)) return false;  // "apple".b: no need to count code points
            const auto offsets = code_points(in.str());
            const std::size_t n = offsets.size() - 1;
            if (length) {
                out = Value::from_number(double(n));
                return true;
            }
            if (i >= n) return false;
            out = Value::from_view(in.str().substr(offsets[i], offsets[i + 1] - offsets[i]));
            return true;
        }
        default: return false;
    }
}

double to_integer(const Value& v) {
    const double d = to_number(v);
    if (std::isnan(d)) return 0;
    return std::trunc(d);
}

// String.prototype.substr on code points.
std::string_view js_substr(std::string_view s, const std::vector<std::size_t>& offsets, double start,
                           bool has_length, double length) {
    const double size = double(offsets.size() - 1);
    double from = start;
    if (from < 0) from = std::max(size + from, 0.0);
    else from = std::min(from, size);
    double len = has_length ? length : size;
    len = std::min(std::max(len, 0.0), size - from);
    const auto b = std::size_t(from), e = std::size_t(from + len);
    return s.substr(offsets[b], offsets[e] - offsets[b]);
}

std::string iso(const Date& d) {
    std::string s(10, '-');
    const int parts[3][3] = {{d.year, 0, 4}, {d.month, 5, 2}, {d.day, 8, 2}};
    for (const auto& [value, at, width] : parts)
        for (int i = width - 1, v = value; i >= 0; --i, v /= 10) s[std::size_t(at + i)] = char('0' + v % 10);
    return s;
}

[[noreturn]] void fail(const char* code, std::string message) { throw EvalError{code, std::move(message)}; }

Date date_arg(const Value& v, const char* op) {
    if (v.kind == Kind::String) {
        if (auto d = parse_iso_date(v.str())) return *d;
        fail("invalid_date", std::string(op) + ": \"" + std::string(v.str()) + "\" is not a real calendar date (YYYY-MM-DD)");
    }
    fail("invalid_date", std::string(op) + ": expected an ISO date (YYYY-MM-DD), got " + to_json(v).dump());
}

DateUnit unit_arg(std::uint8_t aux, const Value& v, const char* op) {
    if (aux) return DateUnit(aux - 1);
    if (v.kind == Kind::String)
        if (auto u = parse_date_unit(v.str())) return *u;
    fail("bad_arguments", std::string(op) + ": unit must be \"days\", \"months\" or \"years\", got " + to_json(v).dump());
}

class Evaluator {
public:
    Evaluator(const Program& program, const Frame& frame, Arena* arena)
        : program_(program), nodes_(program.nodes.data()), f_(frame), arena_(arena),
          core_(program.dialect == Dialect::Core), steps_left_(program.max_steps) {}
    ~Evaluator() {
        if (!lent_) return;
        lent_->arena.clear();  // its values go with the evaluation; its storage stays for the next
        lent_->busy = false;
    }
    Evaluator(const Evaluator&) = delete;
    Evaluator& operator=(const Evaluator&) = delete;

    // The hot operations of screening rules get a small function of their own (small stack frame);
    // everything else lives in eval_rest / test_rest.
    Value eval(std::uint32_t index, const Data& d) {
        const Node& n = nodes_[index];
        switch (n.op) {
            case Op::Const:
                if (n.constant.kind == Kind::String || n.constant.kind == Kind::Number || n.constant.kind == Kind::Bool)
                    return n.constant;
                break;
            case Op::VarSlot:
                if (n.count) break;
                return slot(n.index);
            case Op::VarPath: return var_path(n, d);  // free data and iterators' elements
            case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Mod:
                if (core_) break;
                return js_arithmetic(n, d);
            case Op::CmpSlotConst:
            case Op::Not:
            case Op::NotNot: return Value::from_bool(test(index, d));
            default: break;
        }
        return eval_rest(index, d);
    }

    // Small functions of their own, so a `var` or a sum inside an iterator does not pay for
    // eval_rest's large frame.
    __attribute__((noinline)) Value var_path(const Node& n, const Data& d) {
        // Returned straight from where it is (two registers), not built in a local that the
        // lookup writes through a reference and the return then reloads.
        if (n.flags & kWholeData) return whole(d);
        // Inside `reduce` (no element value): its pair, chosen by the compiler's flags, without
        // reading the path or comparing its first segment with "current" and "accumulator".
        if (!d.value && (n.flags & (kCurrent | kAccumulator))) {
            const Value& pair = (n.flags & kCurrent) ? *d.current : *d.accumulator;
            if (n.flags & kOneKey) return pair;
            Value out = pair;
            if (rest_of_path(n, out)) return out;
            return n.count ? eval(n.first, d) : Value::null();
        }
        const Names& names_n = names(n);  // (a whole-data var has none)
        const auto& path = names_n.path;
        Value out;
        if (lookup(d, path.size(), [&](std::size_t i) { return std::string_view(path[i]); }, out, names_n.first_hash)) return out;
        return n.count ? eval(n.first, d) : Value::null();
    }

    // The path after its first segment, walked from `out` in place; false when it leads nowhere.
    bool rest_of_path(const Node& n, Value& out) {
        const auto& path = names(n).path;
        for (std::size_t i = 1; i < path.size(); ++i)
            if (out.kind == Kind::Null || !step(out, path[i], out)) return false;
        return true;
    }

    bool test(std::uint32_t index, const Data& d) {
        const Node& n = nodes_[index];
        switch (n.op) {
            case Op::CmpSlotConst: return compare_slot(n, slot(n.index));
            case Op::VarSlot:
                if (n.count) break;
                return truthy_slot(slot(n.index));
            case Op::InSlotConst: return in_slot_const(n, slot(n.index));
            case Op::InConstSlot: return in_const_slot(n, slot(n.index), f_.option_bits);
            case Op::BetweenSlot: return between_slot(nodes_, n, slot(n.index));
            case Op::CmpPathConst: case Op::InPathConst: case Op::InConstPath: case Op::BetweenPath:
                return test_path(n, d);
            case Op::Not: case Op::NotNot: case Op::And: case Op::Or:
                return test_connective(n, [&](std::uint32_t child) { return test(child, d); });
            default: break;
        }
        return test_rest(index, d);
    }

    __attribute__((noinline)) Value eval_rest(std::uint32_t index, const Data& d) {
        const Node& n = nodes_[index];
        switch (n.op) {
            case Op::Const: {
                const Value& c = n.constant;
                switch (c.kind) {
                    case Kind::String: return Value::from_view(c.str());
                    case Kind::Array: return c.items() ? Value::from_array_view(c.items()) : c;  // folded, or `preserve`d JSON
                    case Kind::Null: return Value::null();
                    default: return c;
                }
            }
            case Op::MakeArray: {
                std::vector<Value> items = arena().spare();
                items.reserve(n.count);
                for (std::uint32_t i = 0; i < n.count; ++i) items.push_back(eval(n.first + i, d));
                return arena().array(std::move(items));
            }
            case Op::VarSlot: {
                const Value& v = slot(n.index);
                if (v.kind == Kind::Null && n.count) return eval(n.first, d);
                return v;
            }
            case Op::VarPath: return var_path(n, d);
            case Op::VarDynamic: {
                const Value name = n.count ? eval(n.first, d) : undefined_value();
                Value out;
                if (var_by_name(d, name, out)) return out;
                return n.count > 1 ? eval(n.first + 1, d) : Value::null();
            }
            case Op::MissingSlots:
            case Op::MissingSomeSlots: {
                const Names& keys = names(n);
                std::vector<Value> missing = arena().spare();
                for (std::size_t i = 0; i < keys.slots.size(); ++i) {
                    const Value& v = slot(keys.slots[i]);
                    if (missing_value(v))
                        missing.push_back(Value::from_view(keys.path[i]));
                }
                if (n.op == Op::MissingSomeSlots && double(keys.slots.size() - missing.size()) >= n.constant.number)
                    missing.clear();
                return arena().array(std::move(missing));
            }
            case Op::MissingPaths:
            case Op::MissingSomePaths: return missing_list(n, d);
            case Op::Missing: {
                std::vector<Value> args = arena().spare();
                for (std::uint32_t i = 0; i < n.count; ++i) args.push_back(eval(n.first + i, d));
                const Value missing = !args.empty() && args[0].kind == Kind::Array ? missing_keys(d, args[0])
                                                                                   : missing_keys(d, Value::from_array_view(&args));
                arena().recycle(std::move(args));
                return missing;
            }
            case Op::MissingSome: {
                const Value need = arg(n, 0, d);
                const Value options = arg(n, 1, d);
                if (options.kind != Kind::Array) fail("bad_arguments", "missing_some: the second argument must be an array");
                Value keys = options;
                if (array_size(options) && array_at(options, 0).kind == Kind::Array) keys = array_at(options, 0);
                Value missing = missing_keys(d, keys);
                const Value present = Value::from_number(double(array_size(options)) - double(array_size(missing)));
                if (compare_op(Op::Ge, present, need)) return arena().array({});
                return missing;
            }
            case Op::If: {
                std::uint32_t i = 0;
                for (; i + 1 < n.count; i += 2)
                    if (test(n.first + i, d)) return eval(n.first + i + 1, d);
                if (i < n.count) return eval(n.first + i, d);
                return Value::null();
            }
            case Op::And:
            case Op::Or: {
                Value current = core_ ? Value::from_bool(false) : undefined_value();  // core: {"and": []} is false
                for (std::uint32_t i = 0; i < n.count; ++i) {
                    current = eval(n.first + i, d);
                    if (truthy(current) == (n.op == Op::Or)) return current;
                }
                return current;
            }
            case Op::InSlotConst: case Op::InConstSlot: case Op::BetweenSlot:
            case Op::Not: case Op::NotNot:
            case Op::Eq: case Op::StrictEq: case Op::Ne: case Op::StrictNe:
            case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
            case Op::CmpSlotConst:
            case Op::InPathConst: case Op::InConstPath: case Op::CmpPathConst: case Op::BetweenPath:
            case Op::All: case Op::None: case Op::Some:
            case Op::Answered: case Op::Fired:
                return Value::from_bool(test(index, d));
            case Op::Max: case Op::Min: case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Mod:
                if (core_) return core_arithmetic(n, d);
                if (n.op == Op::Add || n.op == Op::Sub || n.op == Op::Mul || n.op == Op::Div || n.op == Op::Mod)
                    return js_arithmetic(n, d);
                {
                double r = n.op == Op::Max ? -HUGE_VAL : HUGE_VAL;
                bool nan = false;
                for (std::uint32_t i = 0; i < n.count; ++i) {
                    const double x = to_number(eval(n.first + i, d));
                    if (std::isnan(x)) nan = true;
                    r = n.op == Op::Max ? std::max(r, x) : std::min(r, x);
                }
                return Value::from_number(nan ? NAN : r);
                }
            default: break;
        }
        return eval_rest2(index, d);
    }

    __attribute__((noinline)) Value js_arithmetic(const Node& n, const Data& d) {
        switch (n.op) {
            case Op::Add: {
                double sum = 0;
                for (std::uint32_t i = 0; i < n.count; ++i) sum = sum + parse_float(eval(n.first + i, d));
                return Value::from_number(sum);
            }
            case Op::Mul: {
                Value first = eval(n.first, d);
                if (n.count == 1) return first;  // Array.reduce without initial value: untouched
                double product = parse_float(first);
                for (std::uint32_t i = 1; i < n.count; ++i) product = product * parse_float(eval(n.first + i, d));
                return Value::from_number(product);
            }
            case Op::Sub: {
                const Value a = arg(n, 0, d);
                const Value b = arg(n, 1, d);
                if (is_undefined(b)) return Value::from_number(-to_number(a));
                return Value::from_number(to_number(a) - to_number(b));
            }
            case Op::Div: return Value::from_number(to_number(arg(n, 0, d)) / to_number(arg(n, 1, d)));
            case Op::Mod: return Value::from_number(std::fmod(to_number(arg(n, 0, d)), to_number(arg(n, 1, d))));
            default: return Value::null();
        }
    }

    PRESCREEN_COLD Value eval_rest2(std::uint32_t index, const Data& d) {
        const Node& n = nodes_[index];
        switch (n.op) {
            case Op::In: {
                const Value a = arg(n, 0, d);
                const Value b = arg(n, 1, d);
                return Value::from_bool(js_in(a, b));
            }
            case Op::Cat: {
                std::string out;
                for_each_operand(n, d, [&](const Value& v) {
                    if (v.kind != Kind::Null) append_js_string(v, out);
                    spend(1);
                    if (out.size() > program_.max_bytes) over_budget("the text computed by \"cat\" is larger than the memory budget");
                });
                return keep(arena().string(std::move(out)));
            }
            case Op::Substr: {
                const Value source = arg(n, 0, d);
                const Value start = arg(n, 1, d);
                const Value end = arg(n, 2, d);
                std::string text;
                append_js_string(source, text);
                const auto offsets = code_points(text);
                const double from = to_integer(start);
                std::string_view result;
                if (js_compare(end, Value::from_number(0)) == Order::Less) {
                    std::string_view tail = js_substr(text, offsets, from, false, 0);
                    const auto tail_offsets = code_points(tail);
                    result = js_substr(tail, tail_offsets, 0, true, double(tail_offsets.size() - 1) + to_integer(end));
                } else {
                    result = js_substr(text, offsets, from, !is_undefined(end), to_integer(end));
                }
                return arena().string(std::string(result));
            }
            case Op::Merge: {
                std::vector<Value> out = arena().spare();
                for (std::uint32_t i = 0; i < n.count; ++i) {
                    Value v = eval(n.first + i, d);
                    if (v.kind == Kind::Array) {
                        const std::size_t size = array_size(v);
                        spend(size);
                        for (std::size_t k = 0; k < size; ++k) out.push_back(array_at(v, k));
                    } else {
                        out.push_back(std::move(v));
                    }
                }
                return keep(arena().array(std::move(out)));
            }
            case Op::Map:
            case Op::Filter: {
                const Value source = arg(n, 0, d);
                std::vector<Value> out = arena().spare();
                if (source.kind == Kind::Array) {
                    const std::size_t size = array_size(source);
                    out.reserve(size);
                    for (std::size_t i = 0; i < size; ++i) {
                        spend(1);
                        Value element = array_at(source, i);
                        const Data inner{&element, nullptr, nullptr, &d, i};
                        if (n.op == Op::Map) out.push_back(n.count > 1 ? eval(n.first + 1, inner) : Value::null());
                        else if (n.count > 1 && test(n.first + 1, inner)) out.push_back(std::move(element));
                    }
                }
                return keep(arena().array(std::move(out)));
            }
            case Op::Reduce: {
                const Value source = arg(n, 0, d);
                Value accumulator = n.count > 2 ? eval(n.first + 2, d) : Value::null();
                if (source.kind != Kind::Array) return accumulator;
                const std::size_t size = array_size(source);
                for (std::size_t i = 0; i < size; ++i) {
                    spend(1);
                    const Value element = array_at(source, i);
                    const Data inner{nullptr, &element, &accumulator, &d, i};
                    Value next = n.count > 1 ? eval(n.first + 1, inner) : undefined_value();
                    accumulator = std::move(next);
                }
                return accumulator;
            }
            case Op::Log: return arg(n, 0, d);
            case Op::Today: return f_.today.empty() ? Value::null() : Value::from_view(f_.today);
            case Op::DateAdd: {
                const Value date = eval(n.first, d);
                const Value amount = eval(n.first + 1, d);
                const Value unit = eval(n.first + 2, d);
                if (date.kind == Kind::Null || amount.kind == Kind::Null) return Value::null();
                const Date from = date_arg(date, "date_add");
                if (amount.kind != Kind::Number || amount.number != std::trunc(amount.number) || std::fabs(amount.number) > 1e7)
                    fail("bad_arguments", "date_add: the amount must be a whole number, got " + to_json(amount).dump());
                const auto result = add_period(from, static_cast<long long>(amount.number), unit_arg(n.aux, unit, "date_add"));
                if (!result) fail("invalid_date", "date_add: the result is outside years 1..9999");
                return arena().string(iso(*result));
            }
            case Op::DateDiff: {
                const Value from = eval(n.first, d);
                const Value to = eval(n.first + 1, d);
                const Value unit = eval(n.first + 2, d);
                if (from.kind == Kind::Null || to.kind == Kind::Null) return Value::null();
                const Date a = date_arg(from, "date_diff");
                const Date b = date_arg(to, "date_diff");
                return Value::from_number(double(period_between(a, b, unit_arg(n.aux, unit, "date_diff"))));
            }
            case Op::Age: {
                const Value dob = eval(n.first, d);
                if (dob.kind == Kind::Null || f_.today.empty()) return Value::null();
                const Date birth = date_arg(dob, "age");
                const Date today = date_arg(Value::from_view(f_.today), "today");
                return Value::from_number(double(period_between(birth, today, DateUnit::Years)));
            }
            case Op::Param: return f_.parameters ? f_.parameters[n.index] : Value::null();
            case Op::Outcome: return f_.outcome.empty() ? Value::null() : Value::from_view(f_.outcome);
            case Op::Val:
            case Op::Exists: {
                Value out;
                bool found;
                if (n.flags & kWholeData) {
                    out = whole(d);
                    found = true;
                } else if (n.flags & kClimb) {
                    found = climb(d, n.aux, names(n).path, out);
                } else if (n.count == 0) {
                    const Names& names_n = names(n);
                    const auto& path = names_n.path;
                    found = lookup(d, path.size(), [&](std::size_t i) { return std::string_view(path[i]); }, out,
                                   names_n.first_hash);
                } else {
                    std::vector<std::string> segments(n.count);
                    for (std::uint32_t i = 0; i < n.count; ++i) append_js_string(eval(n.first + i, d), segments[i]);
                    found = lookup(d, segments.size(), [&](std::size_t i) { return std::string_view(segments[i]); }, out);
                }
                if (n.op == Op::Exists) return Value::from_bool(found);
                return found ? out : Value::null();
            }
            case Op::Coalesce:
                for (std::uint32_t i = 0; i < n.count; ++i) {
                    Value v = eval(n.first + i, d);
                    if (v.kind != Kind::Null) return v;
                }
                return Value::null();
            case Op::Throw: {
                const Value v = arg(n, 0, d);
                Value type = v;
                if (v.kind == Kind::Object && v.doc() && v.doc()->is_object() && v.doc()->contains("type"))
                    type = from_json_view((*v.doc())["type"]);
                std::string text;
                append_js_string(type, text);
                fail("thrown", text);
            }
            case Op::Try: {
                // Each fallback sees {"type": <error>} as its data (compat-tables semantics).
                Value context = Value::null();
                Data current = d;
                for (std::uint32_t i = 0; i < n.count; ++i) {
                    try {
                        return eval(n.first + i, current);
                    } catch (const EvalError& e) {
                        if (i + 1 == n.count) throw;
                        context = arena().object(nlohmann::json{{"type", error_type(e)}});
                        current = Data{&context, nullptr, nullptr, &d, 0};
                    }
                }
                return Value::null();
            }
            default: break;
        }
        return Value::null();
    }

    // Everything test() does not take inline (the connectives are all its own).
    __attribute__((noinline)) bool test_rest(std::uint32_t index, const Data& d) {
        const Node& n = nodes_[index];
        switch (n.op) {
            case Op::CmpSlotConst: return compare_aux(n.aux, slot(n.index), n.constant);
            case Op::VarSlot:
                if (n.count) break;
                return truthy(slot(n.index));
            case Op::Eq: case Op::StrictEq: case Op::Ne: case Op::StrictNe: case Op::Gt: case Op::Ge:
            case Op::Lt: case Op::Le:
                if (core_) {  // chained and lazy: a < b < c stops at the first pair that fails
                    Value a = eval(n.first, d);
                    for (std::uint32_t i = 1; i < n.count; ++i) {
                        const Value b = eval(n.first + i, d);
                        if (!core_compare(n.op, a, b)) return false;
                        a = b;
                    }
                    return true;
                }
                if (n.op == Op::Lt || n.op == Op::Le) {
                    const Value a = arg(n, 0, d);
                    const Value b = arg(n, 1, d);
                    const Value c = arg(n, 2, d);
                    if (is_undefined(c)) return compare_op(n.op, a, b);
                    return compare_op(n.op, a, b) && compare_op(n.op, b, c);
                }
                {
                const Value a = arg(n, 0, d);
                const Value b = arg(n, 1, d);
                return compare_fast(n.op, a, b);
            }
            case Op::All: case Op::None: case Op::Some: {
                const Value source = arg(n, 0, d);
                if (core_ && source.kind != Kind::Array) not_an_array(n.op, source);
                const std::size_t size = source.kind == Kind::Array ? array_size(source) : 0;
                if (size == 0) return n.op == Op::None;
                for (std::size_t i = 0; i < size; ++i) {
                    spend(1);
                    const Value element = array_at(source, i);
                    const Data inner{&element, nullptr, nullptr, &d, i};
                    const bool t = n.count > 1 && test(n.first + 1, inner);
                    if (n.op == Op::All && !t) return false;
                    if (n.op != Op::All && t) return n.op == Op::Some;
                }
                return n.op != Op::Some;
            }
            case Op::Answered: return slot(n.index).kind != Kind::Null;
            case Op::Fired: return f_.fired && f_.fired[n.index] != 0;
            // The truthiness of map's and filter's list without building it: every element is still
            // evaluated (an error stays an error); only the list is not made.
            case Op::Map: case Op::Filter: return test_list(n, d);
            case Op::MissingPaths: case Op::MissingSomePaths: return test_missing(n, d);
            default: break;
        }
        return truthy(eval(index, d));
    }

    PRESCREEN_COLD bool test_list(const Node& n, const Data& d) {
                const Value source = arg(n, 0, d);
                if (source.kind != Kind::Array) return false;
                const std::size_t size = array_size(source);
                bool any = false;
                for (std::size_t i = 0; i < size; ++i) {
                    spend(1);
                    const Value element = array_at(source, i);
                    const Data inner{&element, nullptr, nullptr, &d, i};
                    if (n.op == Op::Map) {
                        if (n.count > 1) eval(n.first + 1, inner);
                        any = true;
                    } else if (n.count > 1 && test(n.first + 1, inner)) {
                        any = true;
                    }
                }
                return any;
    }

    // MissingPaths / MissingSomePaths: the keys missing, as json-logic-js lists them.
    PRESCREEN_COLD Value missing_list(const Node& n, const Data& d) {
        const Names& keys = names(n);
        std::vector<Value> missing = arena().spare();
        for (std::size_t i = 0; i < keys.path.size(); ++i)
            if (key_missing(keys, i, d)) missing.push_back(Value::from_view(keys.path[i]));
        if (n.op == Op::MissingSomePaths && double(keys.path.size() - missing.size()) >= n.constant.number) missing.clear();
        return arena().array(std::move(missing));
    }

    // The truthiness of `missing`'s list without building it: is any key missing (and, for
    // missing_some, too few present)?
    PRESCREEN_COLD bool test_missing(const Node& n, const Data& d) {
        const Names& keys = names(n);
        std::size_t missing = 0;
        for (std::size_t i = 0; i < keys.path.size(); ++i) {
            missing += key_missing(keys, i, d);
            if (missing && n.op == Op::MissingPaths) return true;
        }
        return missing && double(keys.path.size() - missing) < n.constant.number;
    }

private:
    const Program& program_;
    const Node* nodes_;
    const Frame& f_;
    Arena* arena_;                        // where computed values live; null until needed
    std::optional<Arena> owned_arena_;    // evaluate_truthy's arena, when this thread's is lent out
    struct Lent {
        Arena arena;
        bool busy = false;
    };
    static Lent& lent_arena() {
        thread_local Lent lent;
        return lent;
    }
    Lent* lent_ = nullptr;                // this thread's arena, while this evaluation has it
    const bool core_;                     // JSON Logic Core semantics (Program::dialect)
    std::uint64_t steps_left_;            // the evaluation budget: loop steps still allowed

    [[noreturn]] PRESCREEN_COLD void over_budget(const char* what) const {
        fail("evaluation_budget_exceeded", std::string(what) + " (Limits::max_evaluation_steps " + std::to_string(program_.max_steps) +
                                               ", max_evaluation_bytes " + std::to_string(program_.max_bytes) + ")");
    }

    [[noreturn]] PRESCREEN_COLD void not_an_array(Op op, const Value& source) const {
        fail("bad_arguments", std::string(op == Op::All ? "all" : op == Op::Some ? "some" : "none") +
                                  ": the first argument must be an array, got " + to_json(source).dump());
    }

    // One step per element an iterator visits and per element merge or cat copies: evaluation is
    // otherwise bounded by the rule's size, so this bounds its time.
    void spend(std::size_t steps) {
        if (steps > steps_left_) over_budget("the rule takes more steps than its budget");
        steps_left_ -= steps;
    }

    Value keep(Value v) const {
        if (arena_ && arena_->bytes() > program_.max_bytes) over_budget("the rule computes more data than its memory budget");
        return v;
    }

    // The error's `type` a `try` fallback sees: the thrown value, or JSON Logic Core's error names.
    PRESCREEN_COLD std::string error_type(const EvalError& e) const {
        if (e.code == "thrown") return e.message;
        if (!core_) return e.code;
        if (e.code == "not_a_number") return "NaN";
        if (e.code == "bad_arguments") return "Invalid Arguments";
        return e.code;
    }

    // {"val": [[levels], path...]}: two levels per iterator (its element, then {"index": i}); past
    // the outermost data stays there.
    PRESCREEN_COLD bool climb(const Data& d, std::size_t levels, const std::vector<std::string>& path, Value& out) {
        const Data* at = &d;
        while (levels >= 2 && at->parent) {
            at = at->parent;
            levels -= 2;
        }
        if (levels == 1 && at->parent) {  // the iterator's own level
            if (path.size() == 1 && path[0] == "index") {
                out = Value::from_number(double(at->index));
                return true;
            }
            return false;
        }
        if (path.empty()) {
            out = whole(*at);
            return true;
        }
        return lookup(*at, path.size(), [&](std::size_t i) { return std::string_view(path[i]); }, out);
    }

    // The operands of a variadic operation: its arguments, or (kSpread) the elements of its one
    // computed argument when that is an array.
    template <class Fn>
    void for_each_operand(const Node& n, const Data& d, Fn&& fn) {
        if (n.flags & kSpread) {
            const Value list = eval(n.first, d);
            if (list.kind != Kind::Array) return fn(list);
            const std::size_t size = array_size(list);
            for (std::size_t i = 0; i < size; ++i) fn(array_at(list, i));
            return;
        }
        for (std::uint32_t i = 0; i < n.count; ++i) fn(eval(n.first + i, d));
    }

    // JSON Logic Core arithmetic: Number() of each operand (null 0, booleans 0/1, numeric strings);
    // anything else, or a result that is not a finite number, is not_a_number.
    PRESCREEN_COLD Value core_arithmetic(const Node& n, const Data& d) {
        double r = 0;
        std::size_t count = 0;
        for_each_operand(n, d, [&](const Value& v) {
            const double x = core_number(v);
            if (count == 0) r = x;
            else switch (n.op) {
                case Op::Add: r += x; break;
                case Op::Sub: r -= x; break;
                case Op::Mul: r *= x; break;
                case Op::Div: r /= x; break;
                case Op::Mod: r = std::fmod(r, x); break;
                case Op::Max: r = std::max(r, x); break;
                case Op::Min: r = std::min(r, x); break;
                default: break;
            }
            ++count;
        });
        if (count == 0) {
            if (n.op == Op::Add) return Value::from_number(0);
            if (n.op == Op::Mul) return Value::from_number(1);
            fail("bad_arguments", "the operation needs at least one argument");
        }
        if (count == 1) {
            if (n.op == Op::Sub) r = -r;
            else if (n.op == Op::Div) r = 1 / r;
            else if (n.op == Op::Mod) fail("bad_arguments", "\"%\" takes at least two arguments");
        }
        if (!std::isfinite(r)) fail("not_a_number", "the result is not a finite number");
        return Value::from_number(r);
    }

    const Names& names(const Node& n) const { return program_.names[std::size_t(n.index)]; }

    const Value& slot(int index) const { return f_.items ? f_.items[index] : kNull; }

    Value arg(const Node& n, std::uint32_t i, const Data& d) {
        return i < n.count ? eval(n.first + i, d) : undefined_value();
    }

    // The whole data; inside `reduce` that is the {current, accumulator} object, built on demand.
    Value whole(const Data& d) {
        if (d.value) return *d.value;
        return arena().object(nlohmann::json{{"current", to_json(*d.current)}, {"accumulator", to_json(*d.accumulator)}});
    }

    // The arena of evaluate(), or for evaluate_truthy (most conditions never compute a string or
    // array, so they never need one) this thread's, kept between evaluations so that their arrays
    // reuse each other's storage; a nested evaluation while it is lent out gets one of its own.
    Arena& arena() {
        if (!arena_) {
            Lent& lent = lent_arena();
            if (!lent.busy) {
                lent.busy = true;
                lent_ = &lent;
                arena_ = &lent.arena;
            } else {
                arena_ = &owned_arena_.emplace();
            }
        }
        return *arena_;
    }

    // json-logic-js `var`: walk the dotted path; false when a step is undefined or hits null.
    PRESCREEN_COLD bool top_key(std::uint64_t hash, std::string_view key, Value& out) const {  // size, in wasm only
        const nlohmann::json* j = top_json(f_, hash, key);
        if (j) out = from_json_view(*j);
        return j != nullptr;
    }

    // `first_hash` (key_hash of the first segment, 0 = not known) finds the first key in the frame's
    // key table when the path starts at the top of the data.
    template <class Segment>
    bool lookup(const Data& d, std::size_t count, Segment&& segment, Value& out, std::uint64_t first_hash = 0) {
        // The walk goes on in `out` itself (step reads its input before it writes its output): no
        // copy of a Value per step. Callers read `out` only when the lookup succeeds.
        Value& current = out;
        current = Value();
        std::size_t i = 0;
        if (first_hash && count && f_.data_keys && !d.parent && d.value) {
            if (!top_key(first_hash, segment(0), current)) return false;  // every key is in the table: absent
            i = 1;
        }
        for (; i < count; ++i) {
            const std::string_view seg = segment(i);
            if (i == 0 && !d.value) {
                if (seg == "current") current = *d.current;
                else if (seg == "accumulator") current = *d.accumulator;
                else return false;
                continue;
            }
            const Value& from = i == 0 ? *d.value : current;
            if (from.kind == Kind::Null) return false;
            if (!step(from, seg, current)) return false;
        }
        return true;
    }

    // The fused tests over free data: a top-level key through the frame's key table, any other
    // path (inside an iterator, or dotted) by walking it.
    PRESCREEN_COLD bool test_path(const Node& n, const Data& d) {
        if (n.index < 0) return fused_test(nodes_, n, whole(d));  // {"var": ""}: the element itself
        const Names& names_n = names(n);
        if (names_n.path.size() == 1 && f_.data_keys && d.value && !d.parent) return test_top_key(nodes_, n, names_n, f_);
        return fused_test(nodes_, n, path_value(n, d));
    }

    // The value at a fused node's literal path (Names), null when there is none (`var` without a default).
    Value path_value(const Node& n, const Data& d) {
        const Names& names_n = names(n);
        const auto& path = names_n.path;
        Value out;
        if (lookup(d, path.size(), [&](std::size_t i) { return std::string_view(path[i]); }, out, names_n.first_hash))
            return out;
        return Value::null();
    }

    // json-logic-js `missing`: key i is absent, null or "".
    bool key_missing(const Names& keys, std::size_t i, const Data& d) {
        const auto& segments = keys.keys[i];
        Value v;
        if (!lookup(d, segments.size(), [&](std::size_t k) { return std::string_view(segments[k]); }, v, keys.key_hashes[i]))
            return true;
        return missing_value(v);
    }

    PRESCREEN_COLD bool var_by_name(const Data& d, const Value& name, Value& out) {  // free data only
        if (name.kind == Kind::Null || (name.kind == Kind::String && name.str().empty())) {
            out = whole(d);
            return true;
        }
        std::string text;  // a number's name as JavaScript writes it; a string is read in place
        if (name.kind != Kind::String) append_js_string(name, text);
        const std::string_view whole_name = name.kind == Kind::String ? name.str() : std::string_view(text);
        // Split at the dots into a few views on the stack (`missing` and computed `var` names are
        // a key or two deep); a longer path gets a vector.
        constexpr std::size_t kInline = 8;
        std::string_view inline_parts[kInline];
        std::vector<std::string_view> more;
        std::size_t count = 0;
        each_path_segment(whole_name, [&](std::string_view part) {
            if (count < kInline) inline_parts[count] = part;
            else {
                if (more.empty()) more.assign(inline_parts, inline_parts + kInline);
                more.push_back(part);
            }
            ++count;
        });
        const std::string_view* parts = more.empty() ? inline_parts : more.data();
        const std::uint64_t hash = f_.data_keys ? key_hash(parts[0]) : 0;  // the top-level table, as for a literal path
        return lookup(d, count, [&](std::size_t i) { return parts[i]; }, out, hash);
    }

    Value missing_keys(const Data& d, const Value& keys) {
        std::vector<Value> missing = arena().spare();
        const std::size_t size = array_size(keys);
        for (std::size_t i = 0; i < size; ++i) {
            Value key = array_at(keys, i);
            Value value;
            if (!var_by_name(d, key, value)) value = Value::null();
            if (missing_value(value))
                missing.push_back(std::move(key));
        }
        return arena().array(std::move(missing));
    }
};

}  // namespace

Value evaluate(const Program& program, const Frame& frame, Arena& arena) {
    const Node& root = program.nodes[program.root];
    if (root.op == Op::CmpSlotConst)
        return Value::from_bool(compare_slot(root, frame.items ? frame.items[root.index] : kNull));
    Evaluator evaluator(program, frame, &arena);
    if (!frame.data) return evaluator.eval(program.root, Data{&kNull});
    const Value data = from_json_view(*frame.data);
    return evaluator.eval(program.root, Data{&data});
}

PRESCREEN_COLD bool evaluate_constant(const Program& program, std::uint32_t index, Arena& arena, Value& out) {
    const Frame nothing;  // no data, answers or date: what a pure operation reads is its arguments
    try {
        Evaluator evaluator(program, nothing, &arena);
        out = evaluator.eval(index, Data{&kNull});
        return true;
    } catch (const EvalError&) {
        return false;
    }
}

namespace {
__attribute__((noinline)) bool evaluate_truthy_general(const Program& program, const Frame& frame) {
    const Node& root = program.nodes[program.root];
    if (root.op == Op::CmpSlotConst) return compare_slot(root, frame.items ? frame.items[root.index] : kNull);
    if (root.op == Op::Const) return truthy(root.constant);  // folded at compile time
    if (program.simple_data && frame.data_keys) return test_simple_data(program, root, frame);
    Evaluator evaluator(program, frame, nullptr);
    if (!frame.data) return evaluator.test(program.root, Data{&kNull});
    const Value data = from_json_view(*frame.data);
    return evaluator.test(program.root, Data{&data});
}
}  // namespace

bool evaluate_truthy(const Program& program, const Frame& frame) {
    // Kept small: most protocol conditions are simple and should not pay for the evaluator's setup.
    if (program.simple && frame.items)
        return test_simple(program.nodes.data(), program.nodes[program.root], frame);
    return evaluate_truthy_general(program, frame);
}

}  // namespace prescreen::expr
