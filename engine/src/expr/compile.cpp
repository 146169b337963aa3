// JsonLogic -> flat node tree. Everything evaluation later relies on (argument shapes, item and
// parameter names, literal dates, depth) is validated here, so evaluation needs no checks on the rule.
#include <algorithm>
#include <optional>
#include <cmath>
#include <utility>

#include "dates.hpp"
#include "expr/internal.hpp"

namespace prescreen::expr {

namespace {

using nlohmann::json;

// Evaluation recurses once per level, so the depth is capped whatever the Limits say: 1000 levels
// stay far inside the smallest stack we run on (WebAssembly).
constexpr std::size_t kHardDepthCap = 1000;

struct OpName {
    std::string_view name;
    Op op;
};

constexpr OpName kOps[] = {
    {"var", Op::VarPath},       {"missing", Op::Missing},   {"missing_some", Op::MissingSome},
    {"if", Op::If},             {"?:", Op::If},             {"and", Op::And},
    {"or", Op::Or},             {"!", Op::Not},             {"!!", Op::NotNot},
    {"==", Op::Eq},             {"===", Op::StrictEq},      {"!=", Op::Ne},
    {"!==", Op::StrictNe},      {"<", Op::Lt},              {"<=", Op::Le},
    {">", Op::Gt},              {">=", Op::Ge},             {"max", Op::Max},
    {"min", Op::Min},           {"+", Op::Add},             {"-", Op::Sub},
    {"*", Op::Mul},             {"/", Op::Div},             {"%", Op::Mod},
    {"in", Op::In},             {"cat", Op::Cat},           {"substr", Op::Substr},
    {"merge", Op::Merge},       {"map", Op::Map},           {"filter", Op::Filter},
    {"reduce", Op::Reduce},     {"all", Op::All},           {"none", Op::None},
    {"some", Op::Some},         {"log", Op::Log},           {"today", Op::Today},
    {"date_add", Op::DateAdd},  {"date_diff", Op::DateDiff}, {"age", Op::Age},
    {"param", Op::Param},       {"answered", Op::Answered}, {"fired", Op::Fired},
    {"outcome", Op::Outcome},   {"val", Op::Val},           {"exists", Op::Exists},
    {"??", Op::Coalesce},       {"throw", Op::Throw},       {"try", Op::Try},
    {"preserve", Op::Const},
};

const char* type_name(ItemType t) {
    switch (t) {
        case ItemType::Boolean: return "boolean";
        case ItemType::Choice: return "choice";
        case ItemType::MultiChoice: return "multi-choice";
        case ItemType::Date: return "date";
        case ItemType::Integer: return "integer";
        case ItemType::Decimal: return "decimal";
        case ItemType::Text: return "text";
        case ItemType::Display: return "display";
    }
    return "?";
}

const char* json_kind(const json& j) {
    if (j.is_null()) return "null";
    if (j.is_boolean()) return "a boolean";
    if (j.is_number()) return "a number";
    if (j.is_string()) return "a string";
    if (j.is_array()) return "an array";
    return "an object";
}

bool is_comparison(Op op) {
    return op == Op::Eq || op == Op::StrictEq || op == Op::Ne || op == Op::StrictNe || op == Op::Lt ||
           op == Op::Le || op == Op::Gt || op == Op::Ge;
}

std::vector<std::string> split_path(std::string_view name) {
    std::vector<std::string> parts;
    each_path_segment(name, [&](std::string_view part) { parts.emplace_back(part); });
    return parts;
}

class Compiler {
public:
    Compiler(const Scope& scope, const Limits& limits, std::vector<Diagnostic>& diagnostics, Program& program)
        : scope_(scope), diagnostics_(diagnostics), program_(program), nodes_(program.nodes) {
        max_depth_ = std::min<std::size_t>(limits.max_expression_depth, kHardDepthCap);
        core_ = scope.dialect == Dialect::Core;
    }

    bool failed = false;
    std::vector<int> items, parameters, rules;

    void compile(const json& j, std::uint32_t at, const std::string& path, std::size_t depth, bool in_iter) {
        if (j.is_array()) {
            if (!enter(depth, path)) return;
            const std::uint32_t first = reserve(j.size());
            for (std::size_t i = 0; i < j.size(); ++i)
                compile(j[i], first + std::uint32_t(i), path + "/" + std::to_string(i), depth + 1, in_iter);
            bool constant = true;
            for (std::size_t i = 0; i < j.size(); ++i) constant = constant && nodes_[first + i].op == Op::Const;
            Node& n = nodes_[at];
            if (constant) {
                std::vector<Value> values;
                values.reserve(j.size());
                for (std::size_t i = 0; i < j.size(); ++i) values.push_back(nodes_[first + i].constant);
                n.op = Op::Const;
                n.constant = program_.constants.array(std::move(values));
            } else {
                n.op = Op::MakeArray;
                n.first = first;
                n.count = std::uint32_t(j.size());
            }
            return;
        }
        if (j.is_object() && j.size() == 1) {
            if (!enter(depth, path)) return;
            compile_operation(j, at, path, depth + 1, in_iter);
            if (!failed) fold(at);
            return;
        }
        if (j.is_object()) {  // not logic (json-logic-js passes such objects through as data)
            if (!object_fits(j, depth, path)) return;
            nodes_[at].constant = program_.constants.object(j);
            return;
        }
        nodes_[at].constant = literal(j);
    }

private:
    const Scope& scope_;
    std::vector<Diagnostic>& diagnostics_;
    Program& program_;
    std::vector<Node>& nodes_;
    std::size_t max_depth_;
    bool core_ = false;

    void error(const char* code, const std::string& path, std::string message) {
        diagnostics_.push_back(Diagnostic{code, path, std::move(message)});
        failed = true;
    }

    bool enter(std::size_t depth, const std::string& path) {
        if (depth + 1 > max_depth_) {
            error("expression_too_deep", path,
                  "expression nested deeper than " + std::to_string(max_depth_) + " levels");
            return false;
        }
        return true;
    }

    // Literal objects are copied into the program; bound their nesting without recursing.
    bool object_fits(const json& j, std::size_t depth, const std::string& path) {
        std::vector<std::pair<const json*, std::size_t>> stack{{&j, depth + 1}};
        while (!stack.empty()) {
            auto [node, d] = stack.back();
            stack.pop_back();
            if (d > max_depth_) {
                error("expression_too_deep", path,
                      "literal object nested deeper than " + std::to_string(max_depth_) + " levels");
                return false;
            }
            if (node->is_structured())
                for (const auto& child : *node)
                    if (child.is_structured()) stack.emplace_back(&child, d + 1);
        }
        return true;
    }

    // A scalar literal; strings are copied into the program (the rule's json may not outlive it).
    Value literal(const json& j) {
        switch (j.type()) {
            case json::value_t::boolean: return Value::from_bool(j.get<bool>());
            case json::value_t::number_integer:
            case json::value_t::number_unsigned:
            case json::value_t::number_float: return from_json_view(j);
            case json::value_t::string: return program_.constants.string(j.get<std::string>());
            default: return Value::null();
        }
    }

    static std::vector<const json*> array_items(const json& array) {
        std::vector<const json*> items;
        for (const auto& e : array) items.push_back(&e);
        return items;
    }

    // The Names entry of node `at`, made on first use.
    Names& names_of(std::uint32_t at) {
        if (nodes_[at].index < 0) {
            nodes_[at].index = std::int32_t(program_.names.size());
            program_.names.emplace_back();
        }
        return program_.names[std::size_t(nodes_[at].index)];
    }

    std::uint32_t reserve(std::size_t count) {
        const auto first = std::uint32_t(nodes_.size());
        nodes_.resize(nodes_.size() + count);
        return first;
    }

    int lookup_item(std::string_view name) const {
        if (scope_.find_item) return scope_.find_item(name);
        for (std::size_t i = 0; i < scope_.items->size(); ++i)
            if ((*scope_.items)[i].id == name) return int(i);
        return -1;
    }

    bool protocol() const { return scope_.items != nullptr; }

    const ItemInfo* item_of(const Node& n) const {
        if (n.op == Op::VarSlot || (n.op == Op::CmpSlotConst)) return &(*scope_.items)[std::size_t(n.index)];
        return nullptr;
    }

    void compile_operation(const json& j, std::uint32_t at, const std::string& path, std::size_t depth,
                           bool in_iter) {
        const auto it = j.begin();
        const std::string& name = it.key();
        const json& value = it.value();
        std::vector<const json*> args;
        if (value.is_array())
            for (const auto& a : value) args.push_back(&a);
        else
            args.push_back(&value);
        const std::string op_path = path + "/" + json_pointer_token(name);
        auto arg_path = [&](std::size_t i) { return value.is_array() ? op_path + "/" + std::to_string(i) : op_path; };

        const OpName* found = nullptr;
        for (const auto& candidate : kOps)
            if (candidate.name == name) found = &candidate;
        if (!found) {
            error("unknown_operation", op_path, "unknown operation \"" + name + "\"");
            return;
        }
        Op op = found->op;
        if (core_ && !core_arguments(op, name, value, args, at, op_path, depth, in_iter)) return;

        // Compile args [from, to) as the node's children; `iter_from` = first arg seen per element.
        auto children = [&](std::size_t count, std::size_t iter_from = SIZE_MAX) {
            const std::uint32_t first = reserve(count);
            nodes_[at].first = first;
            nodes_[at].count = std::uint32_t(count);
            for (std::size_t i = 0; i < count; ++i)
                compile(*args[i], first + std::uint32_t(i), arg_path(i), depth, in_iter || i >= iter_from);
        };
        auto set_op = [&](Op o) { nodes_[at].op = o; };
        auto string_arg = [&](const char* what) -> const std::string* {
            if (args.size() != 1 || !args[0]->is_string()) {
                error("bad_arguments", op_path, "\"" + name + "\" takes one literal " + what + " name");
                return nullptr;
            }
            return &args[0]->get_ref<const std::string&>();
        };

        switch (op) {
            case Op::Const: {  // preserve: the argument is data, never logic
                const json& data = value.is_array() && value.size() == 1 ? value[0] : value;
                if (data.is_object() && !object_fits(data, depth, path)) return;
                if (data.is_array() && !object_fits(data, depth, path)) return;
                if (data.is_structured()) {
                    nodes_[at].constant = program_.constants.object(data);
                } else {
                    nodes_[at].constant = literal(data);
                }
                return;
            }
            case Op::Val:
            case Op::Exists: {
                if (protocol() && !in_iter) {
                    error("unknown_operation", op_path,
                          "\"" + name + "\" reads free data; in protocol conditions use \"var\" or \"answered\"");
                    return;
                }
                set_op(op);
                if (value.is_array() && value.empty()) {
                    nodes_[at].flags = kWholeData;
                    return;
                }
                std::size_t from = 0;
                if (args[0]->is_array()) {  // scope climbing: [[levels], path...]
                    const json& up = *args[0];
                    if (op != Op::Val || up.size() != 1 || !up[0].is_number() || std::fabs(up[0].get<double>()) > 255 ||
                        up[0].get<double>() != std::trunc(up[0].get<double>())) {
                        error("bad_arguments", arg_path(0), "\"" + name + "\": scope climbing takes [[levels], path...] with whole levels up to 255");
                        return;
                    }
                    nodes_[at].flags = kClimb;
                    nodes_[at].aux = std::uint8_t(std::fabs(up[0].get<double>()));
                    from = 1;
                }
                bool literal_path = true;
                for (std::size_t i = from; i < args.size(); ++i) literal_path = literal_path && args[i]->is_primitive();
                if (!literal_path && from) {
                    error("bad_arguments", arg_path(1), "\"val\": scope climbing takes a literal path");
                    return;
                }
                if (literal_path) {
                    names_of(at);
                    for (std::size_t i = from; i < args.size(); ++i) {
                        const json* a = args[i];
                        std::string seg;
                        append_js_string(from_json_view(*a), seg);  // a view: only read here
                        names_of(at).path.push_back(std::move(seg));
                    }
                    if (!names_of(at).path.empty()) names_of(at).first_hash = key_hash(names_of(at).path[0]);
                    return;
                }
                children(args.size());
                return;
            }
            case Op::VarPath: {
                const json* name_arg = args.empty() ? nullptr : args[0];
                if (value.is_array() && value.empty()) name_arg = nullptr;
                if (protocol() && !in_iter) {
                    std::string id;
                    if (name_arg && name_arg->is_string()) id = name_arg->get<std::string>();
                    else if (name_arg && name_arg->is_number()) id = js_number(name_arg->get<double>());
                    else {
                        error("unknown_item", op_path, "\"var\" must name a questionnaire item");
                        return;
                    }
                    const int slot = lookup_item(id);
                    if (slot < 0) {
                        error("unknown_item", op_path, "unknown item \"" + id + "\"");
                        return;
                    }
                    set_op(Op::VarSlot);
                    nodes_[at].index = slot;
                    items.push_back(slot);
                    if (args.size() > 1) {  // default
                        const std::uint32_t first = reserve(1);
                        nodes_[at].first = first;
                        nodes_[at].count = 1;
                        compile(*args[1], first, arg_path(1), depth, in_iter);
                    }
                    return;
                }
                const bool whole = !name_arg || name_arg->is_null() ||
                                   (name_arg->is_string() && name_arg->get_ref<const std::string&>().empty());
                if (whole) {
                    set_op(Op::VarPath);
                    nodes_[at].flags = kWholeData;
                    return;
                }
                if (name_arg->is_primitive()) {
                    std::string text;
                    append_js_string(from_json_view(*name_arg), text);
                    set_op(Op::VarPath);
                    names_of(at).path = split_path(text);
                    const std::string& key = names_of(at).path[0];
                    names_of(at).first_hash = key_hash(key);
                    std::uint8_t flags = key == "current" ? kCurrent : key == "accumulator" ? kAccumulator : 0;
                    if (names_of(at).path.size() == 1) flags |= kOneKey;
                    nodes_[at].flags = flags;
                    if (args.size() > 1) {
                        const std::uint32_t first = reserve(1);
                        nodes_[at].first = first;
                        nodes_[at].count = 1;
                        compile(*args[1], first, arg_path(1), depth, in_iter);
                    }
                    return;
                }
                set_op(Op::VarDynamic);
                children(std::min<std::size_t>(args.size(), 2));
                return;
            }
            case Op::Missing:
                if (protocol() && !in_iter) {
                    std::vector<const json*> keys = args;
                    std::vector<std::string> key_paths;
                    if (args.size() == 1 && args[0]->is_array()) {
                        keys.clear();
                        for (std::size_t i = 0; i < args[0]->size(); ++i) {
                            keys.push_back(&(*args[0])[i]);
                            key_paths.push_back(arg_path(0) + "/" + std::to_string(i));
                        }
                    } else {
                        for (std::size_t i = 0; i < args.size(); ++i) key_paths.push_back(arg_path(i));
                    }
                    if (!resolve_keys(keys, key_paths, at, name)) return;
                    set_op(Op::MissingSlots);
                    return;
                }
                if (!core_ && literal_keys(args.size() == 1 && args[0]->is_array() ? array_items(*args[0]) : args, at)) {
                    set_op(Op::MissingPaths);
                    return;
                }
                set_op(op);
                children(args.size());
                return;
            case Op::MissingSome:
                if (protocol() && !in_iter) {
                    if (args.size() != 2 || !args[0]->is_number() || !args[1]->is_array()) {
                        error("bad_arguments", op_path, "\"missing_some\" takes [count, [item ids]]");
                        return;
                    }
                    std::vector<const json*> keys;
                    std::vector<std::string> key_paths;
                    for (std::size_t i = 0; i < args[1]->size(); ++i) {
                        keys.push_back(&(*args[1])[i]);
                        key_paths.push_back(arg_path(1) + "/" + std::to_string(i));
                    }
                    if (!resolve_keys(keys, key_paths, at, name)) return;
                    set_op(Op::MissingSomeSlots);
                    nodes_[at].constant = Value::from_number(args[0]->get<double>());
                    return;
                }
                if (!core_ && args.size() == 2 && args[0]->is_number() && args[1]->is_array() &&
                    literal_keys(array_items(*args[1]), at)) {
                    set_op(Op::MissingSomePaths);
                    nodes_[at].constant = Value::from_number(args[0]->get<double>());
                    return;
                }
                set_op(op);
                children(args.size());
                return;
            case Op::Map: case Op::Filter: case Op::All: case Op::None: case Op::Some:
                set_op(op);
                children(args.size(), 1);
                // the element logic is arg 1 only; later args are outer-scoped but never used
                return;
            case Op::Reduce: {
                set_op(op);
                const std::uint32_t first = reserve(args.size());
                nodes_[at].first = first;
                nodes_[at].count = std::uint32_t(args.size());
                for (std::size_t i = 0; i < args.size(); ++i)
                    compile(*args[i], first + std::uint32_t(i), arg_path(i), depth, in_iter || i == 1);
                return;
            }
            case Op::Mul:
                if (value.is_array() && value.empty() && !core_) {
                    error("bad_arguments", op_path, "\"*\" needs at least one argument");
                    return;
                }
                break;
            case Op::Today:
                if (!(value.is_array() && value.empty())) {
                    error("bad_arguments", op_path, "\"today\" takes no arguments: {\"today\": []}");
                    return;
                }
                set_op(op);
                return;
            case Op::Outcome:
                if (!scope_.allow_outcome) {
                    error("unknown_operation", op_path, "\"outcome\" is only available in aftercare and course conditions");
                    return;
                }
                if (!(value.is_array() && value.empty())) {
                    error("bad_arguments", op_path, "\"outcome\" takes no arguments: {\"outcome\": []}");
                    return;
                }
                set_op(op);
                return;
            case Op::Param: {
                const std::string* p = string_arg("parameter");
                if (!p) return;
                const int index = scope_.find_parameter ? scope_.find_parameter(*p) : -1;
                if (index < 0) {
                    error("unknown_parameter", op_path, "unknown parameter \"" + *p + "\"");
                    return;
                }
                set_op(op);
                nodes_[at].index = index;
                parameters.push_back(index);
                return;
            }
            case Op::Answered: {
                if (!protocol()) {
                    error("unknown_operation", op_path, "\"answered\" is only available in protocol conditions");
                    return;
                }
                const std::string* id = string_arg("item");
                if (!id) return;
                const int slot = lookup_item(*id);
                if (slot < 0) {
                    error("unknown_item", op_path, "unknown item \"" + *id + "\"");
                    return;
                }
                set_op(op);
                nodes_[at].index = slot;
                items.push_back(slot);
                return;
            }
            case Op::Fired: {
                if (!scope_.find_rule) {
                    error("unknown_operation", op_path,
                          "\"fired\" is only available in aftercare and course conditions");
                    return;
                }
                const std::string* id = string_arg("rule");
                if (!id) return;
                const int index = scope_.find_rule(*id);
                if (index < 0) {
                    error("unknown_rule", op_path, "unknown rule \"" + *id + "\"");
                    return;
                }
                set_op(op);
                nodes_[at].index = index;
                rules.push_back(index);
                return;
            }
            case Op::DateAdd: case Op::DateDiff: case Op::Age: {
                const std::size_t want = op == Op::Age ? 1 : 3;
                if (args.size() != want) {
                    error("bad_arguments", op_path,
                          op == Op::Age ? "\"age\" takes [date_of_birth]"
                                        : "\"" + name + "\" takes [" + (op == Op::DateAdd ? "date, amount, unit]" : "from, to, unit]"));
                    return;
                }
                set_op(op);
                children(want);
                const std::uint32_t first = nodes_[at].first;
                const std::size_t date_args = op == Op::DateDiff ? 2 : 1;
                for (std::size_t i = 0; i < date_args; ++i) check_date_literal(nodes_[first + i], *args[i], arg_path(i));
                if (op == Op::DateAdd) {
                    const Node& amount = nodes_[first + 1];
                    if (amount.op == Op::Const && amount.constant.kind != Kind::Null &&
                        (amount.constant.kind != Kind::Number || amount.constant.number != std::trunc(amount.constant.number)))
                        error("bad_arguments", arg_path(1), "the amount of \"date_add\" must be a whole number, got " + args[1]->dump());
                }
                if (op != Op::Age) {
                    const Node& unit = nodes_[first + 2];
                    if (unit.op == Op::Const) {
                        const auto u = unit.constant.kind == Kind::String ? parse_date_unit(unit.constant.str()) : std::nullopt;
                        if (!u) error("bad_arguments", arg_path(2), "unit must be \"days\", \"months\" or \"years\", got " + args[2]->dump());
                        else nodes_[at].aux = std::uint8_t(int(*u) + 1);
                    }
                }
                return;
            }
            default: break;
        }

        set_op(op);
        children(args.size());

        if (protocol() && !in_iter && (is_comparison(op) || op == Op::In)) type_check(at, op, args, arg_path);
        if (is_comparison(op) && nodes_[at].count == 2) fuse(at, op);
        if ((op == Op::Lt || op == Op::Le) && nodes_[at].count == 3) fuse_between(at, op);
        if (op == Op::In && nodes_[at].count == 2) {
            Node& n = nodes_[at];
            const Node& needle = nodes_[n.first];
            const Node& hay = nodes_[n.first + 1];
            if (fusable_var(needle) && hay.op == Op::Const && hay.constant.kind == Kind::Array && hay.constant.items()) {
                n.index = needle.index;
                n.constant = hay.constant;
                n.op = needle.op == Op::VarSlot ? Op::InSlotConst : Op::InPathConst;
                n.count = 0;
            } else if (needle.op == Op::Const && needle.constant.kind == Kind::String && fusable_var(hay)) {
                // an option of a multi-choice item (or a substring of a text)
                const bool slot = hay.op == Op::VarSlot;
                n.index = hay.index;
                n.constant = needle.constant;
                n.op = slot ? Op::InConstSlot : Op::InConstPath;
                n.count = 0;
                if (slot && scope_.items) {  // a multi-choice item's own option: test its bit
                    const ItemInfo& item = (*scope_.items)[static_cast<std::size_t>(hay.index)];
                    const auto& options = item.options;
                    auto pos = std::find(options.begin(), options.end(), needle.constant.str());
                    if (item.type == ItemType::MultiChoice && pos != options.end() && pos - options.begin() < 64) {
                        n.flags |= kOptionBit;
                        n.aux = static_cast<std::uint8_t>(pos - options.begin());
                    }
                }
            }
        }
    }

    // JSON Logic Core's stricter argument shapes (docs/jsonlogic.md). Returns false when the node is
    // finished (an error, or a spread argument list compiled here).
    bool core_arguments(Op op, const std::string& name, const json& value, const std::vector<const json*>& args,
                        std::uint32_t at, const std::string& op_path, std::size_t depth, bool in_iter) {
        const bool iterator = op == Op::Map || op == Op::Filter || op == Op::Reduce || op == Op::All ||
                              op == Op::Some || op == Op::None;
        const bool structural = iterator || is_comparison(op) || op == Op::If || op == Op::And || op == Op::Or;
        const bool arithmetic = op == Op::Add || op == Op::Sub || op == Op::Mul || op == Op::Div || op == Op::Mod ||
                                op == Op::Max || op == Op::Min || op == Op::Cat;
        auto invalid = [&](const std::string& why) {
            error("bad_arguments", op_path, "\"" + name + "\" " + why);
            return false;
        };
        if (structural && !value.is_array()) return invalid("takes an array of arguments");
        if (is_comparison(op) && args.size() < 2) return invalid("compares at least two arguments");
        if (arithmetic && value.is_object() && value.size() == 1) {
            // {"+": {"merge": [...]}}: the argument list is computed.
            nodes_[at].op = op;
            nodes_[at].flags = kSpread;
            const std::uint32_t first = reserve(1);
            nodes_[at].first = first;
            nodes_[at].count = 1;
            compile(value, first, op_path, depth, in_iter);
            return false;
        }
        if (op == Op::Mod && args.size() < 2) return invalid("takes at least two arguments");
        if ((op == Op::Sub || op == Op::Div) && args.empty()) return invalid("takes at least one argument");
        if (iterator && (args.empty() || args[0]->is_null())) return invalid("needs an array to iterate over");
        if ((op == Op::Map || op == Op::Filter) && (args.size() < 2 || args[1]->is_null()))
            return invalid("needs a rule for each element");
        return true;
    }

    bool resolve_keys(const std::vector<const json*>& keys, const std::vector<std::string>& key_paths,
                      std::uint32_t at, const std::string& op_name) {
        bool ok = true;
        std::vector<std::string> names;
        std::vector<int> slots;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (!keys[i]->is_string()) {
                error("bad_arguments", key_paths[i], "\"" + op_name + "\" takes literal item ids");
                ok = false;
                continue;
            }
            const std::string& id = keys[i]->get_ref<const std::string&>();
            const int slot = lookup_item(id);
            if (slot < 0) {
                error("unknown_item", key_paths[i], "unknown item \"" + id + "\"");
                ok = false;
                continue;
            }
            names.push_back(id);
            slots.push_back(slot);
            items.push_back(slot);
        }
        Names& entry = names_of(at);
        entry.path = std::move(names);
        entry.slots = std::move(slots);
        return ok;
    }

    void check_date_literal(const Node& n, const json& j, const std::string& path) {
        if (n.op != Op::Const || n.constant.kind == Kind::Null) return;
        if (n.constant.kind != Kind::String) {
            error("invalid_date", path, "expected an ISO date (YYYY-MM-DD), got " + j.dump());
        } else if (!parse_iso_date(n.constant.str())) {
            error("invalid_date", path, "\"" + std::string(n.constant.str()) + "\" is not a real calendar date (YYYY-MM-DD)");
        }
    }

    template <class PathFn>
    void type_check(std::uint32_t at, Op op, const std::vector<const json*>& args, PathFn&& arg_path) {
        const Node& parent = nodes_[at];
        auto child = [&](std::size_t i) -> const Node& { return nodes_[parent.first + i]; };
        if (op == Op::In) {
            if (parent.count < 2) return;
            const Node& needle = child(0);
            const Node& hay = child(1);
            if (hay.op == Op::VarSlot && needle.op == Op::Const) {
                const ItemInfo& item = (*scope_.items)[std::size_t(hay.index)];
                if (item.type == ItemType::MultiChoice) check_option(item, needle.constant, *args[0], arg_path(0));
            } else if (needle.op == Op::VarSlot && hay.op == Op::Const && hay.constant.kind == Kind::Array &&
                       args[1]->is_array()) {
                const ItemInfo& item = (*scope_.items)[std::size_t(needle.index)];
                if (item.type == ItemType::Choice)
                    for (std::size_t i = 0; i < args[1]->size(); ++i)
                        check_option(item, (*hay.constant.items())[i], (*args[1])[i], arg_path(1) + "/" + std::to_string(i));
            }
            return;
        }
        for (std::uint32_t v = 0; v < parent.count; ++v) {
            if (child(v).op != Op::VarSlot) continue;
            const ItemInfo& item = (*scope_.items)[std::size_t(child(v).index)];
            for (std::uint32_t c = 0; c < parent.count; ++c) {
                if (c == v || child(c).op != Op::Const) continue;
                const Value& lit = child(c).constant;
                const json& lj = *args[c];
                if (lit.kind == Kind::Null) continue;
                const std::string where = arg_path(c);
                auto mismatch = [&](const char* expected) {
                    error("type_mismatch", where,
                          "item \"" + item.id + "\" is a " + type_name(item.type) + " item (" + expected +
                              ") but is compared with " + lj.dump() + " (" + json_kind(lj) + ")");
                };
                switch (item.type) {
                    case ItemType::Boolean:
                        if (lit.kind != Kind::Bool) mismatch("true or false");
                        break;
                    case ItemType::Integer:
                    case ItemType::Decimal:
                        if (lit.kind != Kind::Number) mismatch("a number");
                        break;
                    case ItemType::Date:
                        if (lit.kind != Kind::String) mismatch("an ISO date");
                        else if (!parse_iso_date(lit.str())) {
                            if (looks_like_iso_date(lit.str()))
                                error("invalid_date", where,
                                      "\"" + std::string(lit.str()) + "\" is not a real calendar date (compared with item \"" + item.id + "\")");
                            else
                                mismatch("an ISO date YYYY-MM-DD");
                        }
                        break;
                    case ItemType::Choice: check_option(item, lit, lj, where); break;
                    default: break;
                }
            }
        }
    }

    void check_option(const ItemInfo& item, const Value& lit, const json& lj, const std::string& where) {
        if (lit.kind == Kind::Null) return;
        if (lit.kind != Kind::String) {
            error("type_mismatch", where,
                  "item \"" + item.id + "\" is a " + type_name(item.type) + " item (its values are option strings) but is compared with " +
                      lj.dump() + " (" + json_kind(lj) + ")");
            return;
        }
        if (std::find(item.options.begin(), item.options.end(), lit.str()) == item.options.end()) {
            std::string options;
            for (const auto& o : item.options) options += (options.empty() ? "" : ", ") + o;
            error("not_an_option", where,
                  "\"" + std::string(lit.str()) + "\" is not an option of " + type_name(item.type) + " item \"" + item.id +
                      "\" (options: " + options + ")");
        }
    }

    // `{"<=": [low, {"var": item}, high]}` (a range check) in one node; the literals stay children.
    void fuse_between(std::uint32_t at, Op op) {
        Node& n = nodes_[at];
        const Node& low = nodes_[n.first];
        const Node& var = nodes_[n.first + 1];
        const Node& high = nodes_[n.first + 2];
        if (low.op != Op::Const || high.op != Op::Const || !fusable_var(var)) return;
        n.index = var.index;
        n.aux = std::uint8_t(std::uint8_t(op) | (core_ ? kCoreCompare : 0));
        n.op = var.op == Op::VarSlot ? Op::BetweenSlot : Op::BetweenPath;
    }

    // `cmp(var item, literal)` in one node: the common shape of screening rules. The literal goes
    // right (c < v is v > c in JavaScript too) and `flags` selects an inline same-kind comparison.
    void fuse(std::uint32_t at, Op op) {
        Node& n = nodes_[at];
        const Node& a = nodes_[n.first];
        const Node& b = nodes_[n.first + 1];
        const Node* var = nullptr;
        const Node* lit = nullptr;
        if (fusable_var(a) && b.op == Op::Const) { var = &a; lit = &b; }
        else if (fusable_var(b) && a.op == Op::Const) {
            var = &b;
            lit = &a;
            if (op == Op::Lt) op = Op::Gt;
            else if (op == Op::Gt) op = Op::Lt;
            else if (op == Op::Le) op = Op::Ge;
            else if (op == Op::Ge) op = Op::Le;
        }
        if (!var) return;
        n.index = var->index;
        n.constant = lit->constant;
        n.aux = std::uint8_t(std::uint8_t(op) | (core_ ? kCoreCompare : 0));
        // core: null == false is true, so the one-byte yes/no shortcuts (unanswered = no match) do not apply
        n.flags = core_ && n.constant.kind == Kind::Bool ? std::uint8_t(kFastNone) : fast_compare_code(op, n.constant.kind);
        n.op = var->op == Op::VarSlot ? Op::CmpSlotConst : Op::CmpPathConst;
        n.count = 0;
    }

    // A variable a fused node can read itself: an answer slot, or a literal path into free data
    // (index = its Names; -1 = the whole data, an iterator's element), either without a default.
    static bool fusable_var(const Node& v) { return v.count == 0 && (v.op == Op::VarSlot || v.op == Op::VarPath); }

    // Constant folding: an operation whose arguments are all constants, and which reads nothing
    // but them, is evaluated once here. One that fails (a bad date, the budget) is left to fail
    // at run time, as it would have.
    PRESCREEN_COLD void fold(std::uint32_t at) {
        const Node& n = nodes_[at];
        if (!pure(n.op)) return;
        for (std::uint32_t i = 0; i < n.count; ++i)
            if (nodes_[n.first + i].op != Op::Const) return;
        Arena scratch;
        Value v;
        if (!evaluate_constant(program_, at, scratch, v) || !foldable(v)) return;
        Node& folded = nodes_[at];
        folded.constant = copy_constant(v);
        folded.op = Op::Const;
        folded.count = 0;
        folded.flags = 0;
        folded.aux = 0;
    }

    // Operations that read only their arguments (no data, answers, parameters, date or outcome) and
    // have no effect besides their value.
    static bool pure(Op op) {
        switch (op) {
            case Op::If: case Op::And: case Op::Or: case Op::Not: case Op::NotNot:
            case Op::Eq: case Op::StrictEq: case Op::Ne: case Op::StrictNe: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
            case Op::Max: case Op::Min: case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Mod:
            case Op::In: case Op::Cat: case Op::Substr: case Op::Merge:
            case Op::Map: case Op::Filter: case Op::Reduce: case Op::All: case Op::None: case Op::Some:
            case Op::DateAdd: case Op::DateDiff: case Op::Coalesce:
                return true;
            default: return false;
        }
    }

    // `undefined` has no constant form (a Const null is null).
    static bool foldable(const Value& v) {
        if (is_undefined(v)) return false;
        if (v.kind != Kind::Array || !v.items()) return true;
        for (const Value& e : *v.items())
            if (!foldable(e)) return false;
        return true;
    }

    // A value computed in a scratch arena, owned by the program.
    PRESCREEN_COLD Value copy_constant(const Value& v) {
        switch (v.kind) {
            case Kind::String: return program_.constants.string(std::string(v.str()));
            case Kind::Array: {
                if (!v.items()) return program_.constants.object(to_json(v));
                std::vector<Value> items;
                items.reserve(v.items()->size());
                for (const Value& e : *v.items()) items.push_back(copy_constant(e));
                return program_.constants.array(std::move(items));
            }
            case Kind::Object: return program_.constants.object(to_json(v));
            default: return v;
        }
    }

    // `missing` / `missing_some` over free data with literal keys: each key split once, here.
    PRESCREEN_COLD bool literal_keys(const std::vector<const json*>& keys, std::uint32_t at) {
        for (const json* k : keys)
            if (!k->is_string() || k->get_ref<const std::string&>().empty()) return false;
        Names& entry = names_of(at);
        for (const json* k : keys) {
            const std::string& key = k->get_ref<const std::string&>();
            entry.path.push_back(key);
            entry.keys.push_back(split_path(key));
            entry.key_hashes.push_back(key_hash(entry.keys.back()[0]));
        }
        return true;
    }
};

// Only operations that read answer slots and literals (no data, no arena, no errors) under
// and/or/!/!!: evaluate_truthy runs such a program without setting up an evaluator.
bool simple(const std::vector<Node>& nodes, std::uint32_t index) {
    const Node& n = nodes[index];
    switch (n.op) {
        case Op::CmpSlotConst: case Op::InSlotConst: case Op::InConstSlot: case Op::BetweenSlot:
        case Op::Answered: return true;
        case Op::VarSlot: return n.count == 0;  // a default would need the evaluator
        case Op::Not: case Op::NotNot: case Op::And: case Op::Or:
            for (std::uint32_t i = 0; i < n.count; ++i)
                if (!simple(nodes, n.first + i)) return false;
            return true;
        default: return false;
    }
}

// The same over free data (json-logic-js dialect): constants, and `var`, fused tests and missing /
// missing_some of top-level keys (one segment each), under and/or/!/!!/if.
bool simple_data(const Program& p, std::uint32_t index) {
    const Node& n = p.nodes[index];
    switch (n.op) {
        case Op::Const: return true;
        case Op::CmpPathConst: case Op::InPathConst: case Op::InConstPath: case Op::BetweenPath:
            return n.index >= 0 && p.names[std::size_t(n.index)].path.size() == 1;
        case Op::VarPath:
            return n.count == 0 && !(n.flags & kWholeData) && p.names[std::size_t(n.index)].path.size() == 1;
        case Op::MissingPaths: case Op::MissingSomePaths:
            for (const auto& key : p.names[std::size_t(n.index)].keys)
                if (key.size() != 1) return false;
            return true;
        case Op::Not: case Op::NotNot: case Op::And: case Op::Or: case Op::If:
            for (std::uint32_t i = 0; i < n.count; ++i)
                if (!simple_data(p, n.first + i)) return false;
            return true;
        default: return false;
    }
}

void sort_unique(std::vector<int>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

std::shared_ptr<const Program> compile(const nlohmann::json& rule, const Scope& scope, const std::string& path,
                                       const Limits& limits, std::vector<Diagnostic>& diagnostics) {
    auto program = std::make_shared<Program>();
    program->nodes.resize(1);
    program->root = 0;
    // Before compiling: constant folding evaluates with the program's dialect and budget.
    program->dialect = scope.dialect;
    program->max_steps = limits.max_evaluation_steps;
    program->max_bytes = limits.max_evaluation_bytes;
    Compiler compiler(scope, limits, diagnostics, *program);
    compiler.compile(rule, 0, path, 0, false);
    if (compiler.failed) return nullptr;
    if (scope.items) {  // answers are bounded, so the budget can be checked before any screening
        const StaticCost cost = static_cost(*program, *scope.items);
        if (cost.steps > double(limits.max_evaluation_steps) || cost.bytes > double(limits.max_evaluation_bytes)) {
            auto figure = [](double x) { return x >= 1e18 ? std::string("unbounded") : std::to_string((long long)(x)); };
            diagnostics.push_back(Diagnostic{
                "evaluation_budget_exceeded", path,
                "this condition can take " + figure(cost.steps) + " steps and build " + figure(cost.bytes) +
                    " bytes; the evaluation budget is " + std::to_string(limits.max_evaluation_steps) + " steps and " +
                    std::to_string(limits.max_evaluation_bytes) + " bytes (Limits::max_evaluation_steps / _bytes)"});
            return nullptr;
        }
    }
    program->items_used = std::move(compiler.items);
    program->parameters_used = std::move(compiler.parameters);
    program->rules_used = std::move(compiler.rules);
    sort_unique(program->items_used);
    sort_unique(program->parameters_used);
    sort_unique(program->rules_used);
    program->nodes.shrink_to_fit();
    // core comparisons can fail at run time (not_a_number), so core programs always take the evaluator
    program->simple = scope.items != nullptr && scope.dialect == Dialect::JsonLogicJs && simple(program->nodes, program->root);
    program->simple_data = scope.items == nullptr && scope.dialect == Dialect::JsonLogicJs && simple_data(*program, program->root);
    if (program->simple) {
        auto term_of = [](const Node& n) -> std::optional<BoolTerm> {
            if (n.op != Op::CmpSlotConst || (n.flags != kBoolEq && n.flags != kBoolNe)) return std::nullopt;
            return BoolTerm{n.index, n.constant.boolean, n.flags == kBoolNe};
        };
        const Node& root = program->nodes[program->root];
        if (auto t = term_of(root)) {
            program->terms = {*t};
            program->exact = true;
        } else if ((root.op == Op::And || root.op == Op::Or) && root.count > 0) {
            std::size_t found = 0;
            for (std::uint32_t i = 0; i < root.count; ++i)
                if (auto t = term_of(program->nodes[root.first + i])) {
                    program->terms.push_back(*t);
                    ++found;
                }
            program->exact = found == root.count;
            program->any_of = root.op == Op::Or;
            if (program->any_of && !program->exact) program->terms.clear();  // an `or` needs all its children
        }
    }
    return program;
}

}  // namespace prescreen::expr
