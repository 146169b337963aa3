// Loading a protocol pack: validate everything, report every problem at once, then compile.
#include <algorithm>
#include <cstring>
#include <cctype>
#include <cmath>
#include <functional>
#include <set>

#include "override_policy.hpp"
#include "json_input.hpp"
#include "number_text.hpp"
#include "protocol_model.hpp"

namespace prescreen {

namespace detail {

std::size_t CompiledProtocol::locale_index(std::string_view locale) const {
    for (std::size_t i = 0; i < locales.size(); ++i)
        if (locales[i] == locale) return i;
    // "en" matches "en-GB": fall back on the language alone, then on the pack's first locale.
    auto language = locale.substr(0, locale.find('-'));
    for (std::size_t i = 0; i < locales.size(); ++i)
        if (!language.empty() && std::string_view(locales[i]).substr(0, locales[i].find('-')) == language) return i;
    return 0;
}

std::size_t ItemIndex::hash(std::string_view s) noexcept {
    std::uint64_t head = 0, tail = 0;
    if (s.size() >= 8) {
        std::memcpy(&head, s.data(), 8);
        std::memcpy(&tail, s.data() + s.size() - 8, 8);
    } else {
        for (char c : s) head = (head << 8) | static_cast<unsigned char>(c);
    }
    std::uint64_t h = (head ^ (tail * 0x9E3779B97F4A7C15ull) ^ s.size()) * 0xBF58476D1CE4E5B9ull;
    return static_cast<std::size_t>(h ^ (h >> 31));
}

void ItemIndex::build(const std::vector<std::string_view>& ids) {
    std::size_t size = 16;
    while (size < ids.size() * 2) size *= 2;  // at most half full: short probe sequences
    table_.assign(size, {std::string_view(), -1});
    mask_ = size - 1;
    for (std::size_t slot = 0; slot < ids.size(); ++slot) {
        std::size_t i = hash(ids[slot]) & mask_;
        while (table_[i].second >= 0) i = (i + 1) & mask_;
        table_[i] = {ids[slot], static_cast<int>(slot)};
    }
}

int CompiledProtocol::find_item(std::string_view item_id) const {
    if (item_index.built()) return item_index.find(item_id);
    auto it = item_slot.find(item_id);
    return it == item_slot.end() ? -1 : it->second;
}

bool CompiledProtocol::permits(Outcome outcome) const {
    return std::find(permitted_outcomes.begin(), permitted_outcomes.end(), outcome) != permitted_outcomes.end();
}

namespace {

const char* type_name(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return "a boolean";
        case json::value_t::string: return "a string";
        case json::value_t::array: return "an array";
        case json::value_t::object: return "an object";
        case json::value_t::number_float: return "a number";
        default: return "an integer";
    }
}

bool valid_id(const std::string& id) {
    if (id.empty() || !std::isalpha(static_cast<unsigned char>(id[0]))) return false;
    return std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool is_integral_number(const json& v) {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    double d = v.get<double>();
    return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15;
}

// Validation helpers that append diagnostics and keep going, so one load reports every problem.
class Loader {
public:
    Loader(const Limits& limits, std::vector<Diagnostic>& diagnostics) : limits_(limits), diags_(diagnostics) {}

    void error(std::string code, std::string path, std::string message) {
        diags_.push_back({std::move(code), std::move(path), std::move(message)});
    }

    // Check that `v` is an object whose keys are all known, and that required keys are present.
    bool object(const json& v, const std::string& path, std::initializer_list<const char*> required,
                std::initializer_list<const char*> optional, const char* what) {
        if (!v.is_object()) {
            error("wrong_type", path, std::string(what) + " must be an object, not " + type_name(v));
            return false;
        }
        for (auto it = v.begin(); it != v.end(); ++it) {
            const std::string& k = it.key();
            if (!k.empty() && k[0] == '$') continue;
            bool known = std::any_of(required.begin(), required.end(), [&](const char* r) { return k == r; }) ||
                         std::any_of(optional.begin(), optional.end(), [&](const char* o) { return k == o; });
            if (!known) {
                std::string allowed;
                for (auto* r : required) allowed += std::string(allowed.empty() ? "" : ", ") + r;
                for (auto* o : optional) allowed += std::string(allowed.empty() ? "" : ", ") + o;
                error("unknown_key", pointer_join(path, k),
                      "unknown key \"" + k + "\" in " + what + " (allowed: " + allowed + ")");
            }
        }
        for (auto* r : required)
            if (!v.contains(r))
                error(std::string(r) == "message" || std::string(r) == "clinician_note" ? "missing_message" : "missing_key",
                      pointer_join(path, r), std::string(what) + " needs \"" + r + "\"");
        return true;
    }

    const std::string* string(const json& obj, const char* key, const std::string& path) {
        auto it = obj.find(key);
        if (it == obj.end()) return nullptr;
        if (!it->is_string()) {
            error("wrong_type", pointer_join(path, key), std::string("\"") + key + "\" must be a string, not " + type_name(*it));
            return nullptr;
        }
        return &it->get_ref<const std::string&>();
    }

    std::optional<bool> boolean(const json& obj, const char* key, const std::string& path) {
        auto it = obj.find(key);
        if (it == obj.end()) return std::nullopt;
        if (!it->is_boolean()) {
            error("wrong_type", pointer_join(path, key), std::string("\"") + key + "\" must be true or false, not " + type_name(*it));
            return std::nullopt;
        }
        return it->get<bool>();
    }

    std::optional<double> number(const json& obj, const char* key, const std::string& path, bool integral = false) {
        auto it = obj.find(key);
        if (it == obj.end()) return std::nullopt;
        if (!it->is_number() || (integral && !is_integral_number(*it))) {
            error("wrong_type", pointer_join(path, key),
                  std::string("\"") + key + "\" must be " + (integral ? "a whole number" : "a number") + ", not " + type_name(*it));
            return std::nullopt;
        }
        return it->get<double>();
    }

    // An id: a string matching ^[A-Za-z][A-Za-z0-9_]*$, unique within `seen`.
    std::string id(const json& obj, const std::string& path, std::set<std::string>& seen, const char* what) {
        const std::string* s = string(obj, "id", path);
        if (!s) return {};
        if (!valid_id(*s)) {
            error("invalid_value", pointer_join(path, "id"),
                  std::string(what) + " id \"" + *s + "\" must start with a letter and use only letters, digits and _");
            return *s;
        }
        if (!seen.insert(*s).second)
            error("duplicate_id", pointer_join(path, "id"), std::string("another ") + what + " already uses the id \"" + *s + "\"");
        return *s;
    }

    // A text: a plain string, or an object with every locale of the pack.
    Text text(const json& obj, const char* key, const std::string& path, bool required) {
        Text t;
        t.by_locale.resize(locales.size());
        auto it = obj.find(key);
        if (it == obj.end()) return t;  // a missing required key is reported by object()
        std::string p = pointer_join(path, key);
        if (it->is_string()) {
            if (required && it->get_ref<const std::string&>().empty())
                error("missing_message", p, std::string("\"") + key + "\" must not be empty");
            std::fill(t.by_locale.begin(), t.by_locale.end(), it->get<std::string>());
        } else if (it->is_object()) {
            for (auto kv = it->begin(); kv != it->end(); ++kv) {
                if (std::find(locales.begin(), locales.end(), kv.key()) == locales.end())
                    error("unknown_locale", pointer_join(p, kv.key()), "\"" + kv.key() + "\" is not one of the pack's locales");
                else if (!kv->is_string())
                    error("wrong_type", pointer_join(p, kv.key()), "a translation must be a string");
            }
            for (std::size_t i = 0; i < locales.size(); ++i) {
                auto tr = it->find(locales[i]);
                if (tr == it->end() || !tr->is_string() || tr->get_ref<const std::string&>().empty())
                    error("missing_translation", pointer_join(p, locales[i]), "no \"" + locales[i] + "\" text for \"" + key + "\"");
                else
                    t.by_locale[i] = tr->get<std::string>();
            }
        } else {
            error("wrong_type", p, std::string("\"") + key + "\" must be a string or an object of translations, not " + type_name(*it));
        }
        return t;
    }

    std::shared_ptr<const expr::Program> logic(const json& obj, const char* key, const std::string& path,
                                               const expr::Scope& scope) {
        auto it = obj.find(key);
        if (it == obj.end()) return nullptr;
        return expr::compile(*it, scope, pointer_join(path, key), limits_, diags_);
    }

    std::vector<std::string> locales;

private:
    const Limits& limits_;
    std::vector<Diagnostic>& diags_;
};

std::optional<expr::ItemType> parse_item_type(const std::string& t) {
    using T = expr::ItemType;
    static const std::pair<const char*, T> types[] = {{"boolean", T::Boolean}, {"choice", T::Choice},
                                                      {"multi-choice", T::MultiChoice}, {"date", T::Date},
                                                      {"integer", T::Integer}, {"decimal", T::Decimal},
                                                      {"text", T::Text}, {"display", T::Display}};
    for (auto& [name, type] : types)
        if (t == name) return type;
    return std::nullopt;
}

expr::Value to_value(const json& v) {
    if (v.is_boolean()) return expr::Value::from_bool(v.get<bool>());
    if (v.is_number()) return expr::Value::from_number(v.get<double>());
    if (v.is_string()) return expr::Value::from_view(v.get_ref<const std::string&>());
    return expr::Value::null();
}

}  // namespace

namespace {

// What rendering a result needs in the order json::dump() writes it: trace keys sorted as a JSON
// object sorts them, constant values already serialised.
Fragment whole(json value) {
    std::string text = value.dump();
    return {std::move(value), std::move(text)};
}

Fragment members(json object) {
    std::string text = object.dump();
    return {std::move(object), text.substr(1, text.size() - 2)};  // without { and }
}

void prepare_rendering(CompiledProtocol& p) {
    const std::size_t locales = std::max<std::size_t>(1, p.locales.size());
    for (std::size_t l = 0; l < locales; ++l) {
        for (auto& rule : p.rules) {
            rule.head.push_back(members({{"clinician_note", rule.clinician_note.in(l)}}));
            rule.middle.push_back(members({{"message", rule.message.in(l)},
                                           {"outcome", outcome_name(rule.outcome)},
                                           {"rule", rule.id},
                                           {"sources", rule.sources}}));
        }
        for (auto& ins : p.aftercare)
            ins.rendered.push_back(whole({{"id", ins.id}, {"phase", ins.phase}, {"text", ins.text.in(l)}}));
        for (auto& plan : p.plans)
            plan.rendered.push_back(whole({{"plan", plan.id},
                                           {"sessions", plan.sessions},
                                           {"interval_weeks", plan.interval_weeks},
                                           {"text", plan.text.in(l)},
                                           {"follow_up", p.has_follow_up ? json{{"weeks", p.follow_up_weeks},
                                                                                {"text", p.follow_up_text.in(l)}}
                                                                         : json(nullptr)}}));
    }
    for (auto& param : p.parameters) param.value_text = param.value.dump();
    for (auto& rule : p.rules) {
        rule.trace_items_by_id = rule.trace_items;
        std::sort(rule.trace_items_by_id.begin(), rule.trace_items_by_id.end(),
                  [&](int a, int b) { return p.items[a].id < p.items[b].id; });
        rule.trace_parameters_by_name = rule.trace_parameters;
        std::sort(rule.trace_parameters_by_name.begin(), rule.trace_parameters_by_name.end(),
                  [&](int a, int b) { return p.parameters[a].name < p.parameters[b].name; });
    }
    for (int slot : p.visibility_order)
        if (p.items[slot].enable_when) p.conditional_order.push_back(slot);
    for (std::size_t slot = 0; slot < p.items.size(); ++slot)
        if (p.items[slot].required && p.items[slot].type != expr::ItemType::Display)
            p.required_slots.push_back(static_cast<int>(slot));
    std::vector<std::string_view> ids;
    for (const auto& item : p.items) ids.push_back(item.id);
    p.item_index.build(ids);
    p.identity_json = p.identity();
    p.identity_text = p.identity_json.dump();
}

}  // namespace

std::shared_ptr<const CompiledProtocol> compile_protocol(const json& doc, const json& overrides, const Limits& limits,
                                                         std::vector<Diagnostic>& diags) {
    const std::size_t errors_before = diags.size();
    auto p = std::make_shared<CompiledProtocol>();
    p->limits = limits;
    Loader L(limits, diags);
    if (!check_json_value(doc, limits.max_nesting_depth, "", diags)) return nullptr;
    if (!L.object(doc, "", {"format", "id", "version", "title", "locales", "pages", "items", "rules"},
                  {"policy", "parameters", "aftercare", "course", "consent", "sources", "fhir", "logic"}, "the protocol"))
        return nullptr;
    p->document = doc;
    p->digest = sha256_hex(canonical_json(doc));

    if (auto* f = L.string(doc, "format", ""); f && *f != "prescreen-protocol/1")
        L.error("invalid_value", "/format", "unsupported format \"" + *f + "\" (this engine reads prescreen-protocol/1)");
    if (auto* s = L.string(doc, "id", "")) p->id = *s;
    if (auto* s = L.string(doc, "version", "")) p->version = *s;
    L.string(doc, "policy", "");

    // Locales first: every text is checked against them.
    if (auto it = doc.find("locales"); it != doc.end()) {
        if (!it->is_array() || it->empty()) L.error("wrong_type", "/locales", "\"locales\" must be a non-empty array of language tags");
        else
            for (std::size_t i = 0; i < it->size(); ++i) {
                if (!(*it)[i].is_string() || (*it)[i].get_ref<const std::string&>().empty())
                    L.error("wrong_type", pointer_join("/locales", i), "a locale must be a language tag such as \"en-GB\"");
                else
                    p->locales.push_back((*it)[i].get<std::string>());
            }
    }
    if (p->locales.empty()) p->locales.push_back("en-GB");
    L.locales = p->locales;
    L.text(doc, "title", "", true);

    // Sources.
    std::set<std::string> source_ids;
    if (auto it = doc.find("sources"); it != doc.end()) {
        if (!it->is_object()) L.error("wrong_type", "/sources", "\"sources\" must be an object of id → source");
        else
            for (auto s = it->begin(); s != it->end(); ++s) {
                std::string path = pointer_join("/sources", s.key());
                source_ids.insert(s.key());
                if (L.object(*s, path, {"title"}, {"url", "note", "authority"}, "a source")) {
                    L.string(*s, "title", path);
                    L.string(*s, "url", path);
                }
            }
    }
    auto check_sources = [&](const json& obj, const std::string& path, bool required) {
        auto it = obj.find("sources");
        if (it == obj.end()) {
            if (required) L.error("missing_key", pointer_join(path, "sources"), "a rule must cite at least one source");
            return json::array();
        }
        if (!it->is_array() || (required && it->empty())) {
            L.error("wrong_type", pointer_join(path, "sources"), "\"sources\" must be a non-empty array of source ids");
            return json::array();
        }
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& s = (*it)[i];
            if (!s.is_string()) L.error("wrong_type", pointer_join(pointer_join(path, "sources"), i), "a source id must be a string");
            else if (!source_ids.count(s.get<std::string>()))
                L.error("unknown_source", pointer_join(pointer_join(path, "sources"), i),
                        "source \"" + s.get<std::string>() + "\" is not in the pack's \"sources\"");
        }
        return *it;
    };

    // Pages.
    std::set<std::string> page_ids;
    if (auto it = doc.find("pages"); it != doc.end()) {
        if (!it->is_array()) L.error("wrong_type", "/pages", "\"pages\" must be an array");
        else
            for (std::size_t i = 0; i < it->size(); ++i) {
                std::string path = pointer_join("/pages", i);
                if (!L.object((*it)[i], path, {"id", "title"}, {"description"}, "a page")) continue;
                p->pages.push_back(L.id((*it)[i], path, page_ids, "page"));
                L.text((*it)[i], "title", path, true);
                L.text((*it)[i], "description", path, false);
            }
    }

    // Parameters, then overrides.
    if (auto it = doc.find("parameters"); it != doc.end()) {
        if (!it->is_object()) L.error("wrong_type", "/parameters", "\"parameters\" must be an object of name → parameter");
        else
            for (auto kv = it->begin(); kv != it->end(); ++kv) {
                std::string path = pointer_join("/parameters", kv.key());
                const json& def = kv.value();
                if (!valid_id(kv.key()))
                    L.error("invalid_value", path, "parameter name \"" + kv.key() + "\" must start with a letter and use only letters, digits and _");
                if (!L.object(def, path, {"type", "default"}, {"unit", "min", "max", "options", "description", "sources"}, "a parameter"))
                    continue;
                Parameter param;
                param.name = kv.key();
                param.definition = def;
                const std::string* type = L.string(def, "type", path);
                if (type) param.type = *type;
                static const std::set<std::string> types{"integer", "decimal", "boolean", "string", "duration"};
                if (type && !types.count(*type))
                    L.error("invalid_value", pointer_join(path, "type"), "parameter type must be integer, decimal, boolean, string or duration");
                if (param.type == "duration") {
                    const std::string* unit = L.string(def, "unit", path);
                    if (!unit) L.error("missing_key", pointer_join(path, "unit"), "a duration needs \"unit\": days, months or years");
                    else if (!(param.unit = parse_date_unit(*unit)))
                        L.error("invalid_value", pointer_join(path, "unit"), "unit must be days, months or years");
                }
                bool integral = param.type == "integer" || param.type == "duration";
                auto min = L.number(def, "min", path, integral), max = L.number(def, "max", path, integral);
                if (min && max && *min > *max) L.error("invalid_value", pointer_join(path, "min"), "min is greater than max");
                L.text(def, "description", path, false);
                check_sources(def, path, false);
                // Check a value (the default or an override) against type and range.
                auto check = [&](const json& v, const std::string& vpath, const char* wrong_type_code,
                                 const char* range_code) {
                    bool ok_type = (integral && is_integral_number(v)) || (param.type == "decimal" && v.is_number()) ||
                                   (param.type == "boolean" && v.is_boolean()) || (param.type == "string" && v.is_string());
                    if (!ok_type) {
                        L.error(wrong_type_code, vpath, "\"" + param.name + "\" is a " + param.type + " parameter; got " + type_name(v));
                        return false;
                    }
                    if (v.is_number()) {
                        double d = v.get<double>();
                        if ((min && d < *min) || (max && d > *max)) {
                            L.error(range_code, vpath,
                                    "\"" + param.name + "\" must be between " + (min ? number_text(*min) : "-∞") + " and " +
                                        (max ? number_text(*max) : "∞") + "; got " + v.dump());
                            return false;
                        }
                    }
                    if (v.is_string() && def.contains("options") && def["options"].is_array()) {
                        bool found = false;
                        for (const auto& o : def["options"]) found = found || o == v;
                        if (!found) {
                            L.error(range_code, vpath, "\"" + param.name + "\" must be one of " + def["options"].dump());
                            return false;
                        }
                    }
                    return true;
                };
                if (def.contains("default") && type) {
                    if (check(def["default"], pointer_join(path, "default"), "wrong_type", "invalid_value"))
                        param.value = is_integral_number(def["default"]) && integral
                                          ? json(static_cast<long long>(def["default"].get<double>()))
                                          : def["default"];
                }
                if (overrides.is_object() && overrides.contains(param.name) && type) {
                    const json& ov = overrides[param.name];
                    if (check(ov, pointer_join("/overrides", param.name), "override_wrong_type", "override_out_of_range"))
                        param.value = integral ? json(static_cast<long long>(ov.get<double>())) : ov;
                }
                p->parameter_index[param.name] = static_cast<int>(p->parameters.size());
                p->parameters.push_back(std::move(param));
            }
    }
    if (!overrides.is_null() && !overrides.is_object())
        L.error("wrong_type", "/overrides", "overrides must be an object of parameter name → value");
    else if (overrides.is_object())
        for (auto kv = overrides.begin(); kv != overrides.end(); ++kv)
            if (!p->parameter_index.count(kv.key()))
                L.error("override_unknown_parameter", pointer_join("/overrides", kv.key()),
                        "the protocol has no parameter \"" + kv.key() + "\"");
    p->overrides = overrides.is_object() ? overrides : json::object();
    for (const auto& param : p->parameters) p->parameter_values.push_back(to_value(param.value));

    // Items: ids first (conditions may refer to later items), then everything else.
    const json* items = nullptr;
    if (auto it = doc.find("items"); it != doc.end()) {
        if (!it->is_array()) L.error("wrong_type", "/items", "\"items\" must be an array");
        else if (it->size() > limits.max_items)
            L.error("too_many_items", "/items",
                    "the pack has " + std::to_string(it->size()) + " items; the limit is " + std::to_string(limits.max_items));
        else items = &*it;
    }
    std::set<std::string> item_ids;
    if (items) {
        for (std::size_t i = 0; i < items->size(); ++i) {
            const json& def = (*items)[i];
            std::string path = pointer_join("/items", i);
            Item item;
            item.definition = def;
            if (L.object(def, path, {"id", "type", "page", "text"},
                         {"help", "required", "enable_when", "options", "min", "max", "max_length", "not_future", "min_date", "fhir"},
                         "an item")) {
                item.id = L.id(def, path, item_ids, "item");
                if (const std::string* t = L.string(def, "type", path)) {
                    if (auto type = parse_item_type(*t)) item.type = *type;
                    else L.error("invalid_value", pointer_join(path, "type"),
                                 "item type \"" + *t + "\" is not one of boolean, choice, multi-choice, date, integer, decimal, text, display");
                }
            }
            expr::ItemInfo info{item.id, item.type, {}};
            if (def.is_object() && (item.type == expr::ItemType::Choice || item.type == expr::ItemType::MultiChoice)) {
                auto opts = def.find("options");
                if (opts == def.end() || !opts->is_array() || opts->empty())
                    L.error("missing_key", pointer_join(path, "options"), "a choice item needs a non-empty \"options\" array");
                else {
                    std::set<std::string> values;
                    for (std::size_t k = 0; k < opts->size(); ++k) {
                        std::string opath = pointer_join(pointer_join(path, "options"), k);
                        if (!L.object((*opts)[k], opath, {"value", "label"}, {"help"}, "an option")) continue;
                        const std::string* v = L.string((*opts)[k], "value", opath);
                        if (v && !values.insert(*v).second)
                            L.error("duplicate_id", pointer_join(opath, "value"), "option \"" + *v + "\" appears twice");
                        if (v) item.options.push_back(*v);
                        L.text((*opts)[k], "label", opath, true);
                        L.text((*opts)[k], "help", opath, false);
                    }
                }
                info.options = item.options;
            } else if (def.is_object() && def.contains("options")) {
                L.error("invalid_value", pointer_join(path, "options"), "only choice and multi-choice items have options");
            }
            p->item_slot.emplace(item.id, static_cast<int>(i));
            p->item_info.push_back(std::move(info));
            p->items.push_back(std::move(item));
        }
    }
    expr::Scope answers_scope;
    answers_scope.items = &p->item_info;
    if (auto it = doc.find("logic"); it != doc.end()) {  // the JsonLogic dialect (docs/jsonlogic.md)
        if (*it == "core") answers_scope.dialect = Dialect::Core;
        else if (*it != "json-logic-js")
            diags.push_back(Diagnostic{"invalid_value", "/logic", "\"logic\" must be \"json-logic-js\" or \"core\", not " + it->dump()});
    }
    answers_scope.find_item = [&p](std::string_view id) { return p->find_item(id); };
    answers_scope.find_parameter = [&p](std::string_view name) {
        auto it = p->parameter_index.find(std::string(name));
        return it == p->parameter_index.end() ? -1 : it->second;
    };
    if (items) {
        for (std::size_t i = 0; i < items->size(); ++i) {
            const json& def = (*items)[i];
            if (!def.is_object()) continue;
            std::string path = pointer_join("/items", i);
            Item& item = p->items[i];
            if (const std::string* page = L.string(def, "page", path)) {
                auto pos = std::find(p->pages.begin(), p->pages.end(), *page);
                if (pos == p->pages.end()) L.error("unknown_page", pointer_join(path, "page"), "no page has the id \"" + *page + "\"");
                else item.page = static_cast<int>(pos - p->pages.begin());
            }
            L.text(def, "text", path, true);
            L.text(def, "help", path, false);
            item.required = L.boolean(def, "required", path).value_or(false);
            bool numeric = item.type == expr::ItemType::Integer || item.type == expr::ItemType::Decimal;
            auto check_applies = [&](const char* key, bool applies, const char* which) {
                if (def.contains(key) && !applies)
                    L.error("invalid_value", pointer_join(path, key), std::string("\"") + key + "\" applies only to " + which + " items");
            };
            check_applies("required", item.type != expr::ItemType::Display, "question (not display)");
            check_applies("min", numeric, "integer and decimal");
            check_applies("max", numeric, "integer and decimal");
            check_applies("max_length", item.type == expr::ItemType::Text, "text");
            check_applies("not_future", item.type == expr::ItemType::Date, "date");
            check_applies("min_date", item.type == expr::ItemType::Date, "date");
            item.min = L.number(def, "min", path, item.type == expr::ItemType::Integer);
            item.max = L.number(def, "max", path, item.type == expr::ItemType::Integer);
            if (item.min && item.max && *item.min > *item.max) L.error("invalid_value", pointer_join(path, "min"), "min is greater than max");
            if (auto ml = L.number(def, "max_length", path, true)) item.max_length = static_cast<std::size_t>(std::max(0.0, *ml));
            item.not_future = L.boolean(def, "not_future", path).value_or(false);
            if (const std::string* md = L.string(def, "min_date", path)) {
                item.min_date = parse_iso_date(*md);
                if (!item.min_date) L.error("invalid_date", pointer_join(path, "min_date"), "\"" + *md + "\" is not a real date (YYYY-MM-DD)");
            }
            item.enable_when = L.logic(def, "enable_when", path, answers_scope);
        }
        // enable_when must not depend on itself, directly or through other items.
        const std::size_t n = p->items.size();
        std::vector<int> state(n, 0);  // 0 new, 1 on stack, 2 done
        std::vector<int> stack;
        std::set<int> reported;
        std::function<void(int)> visit = [&](int v) {
            state[v] = 1;
            stack.push_back(v);
            if (p->items[v].enable_when)
                for (int u : p->items[v].enable_when->items_used) {
                    if (state[u] == 1) {
                        auto from = std::find(stack.begin(), stack.end(), u);
                        std::string cycle;
                        for (auto k = from; k != stack.end(); ++k) cycle += p->items[*k].id + " → ";
                        cycle += p->items[u].id;
                        if (reported.insert(u).second)
                            L.error("enable_when_cycle", pointer_join(pointer_join("/items", v), "enable_when"),
                                    "visibility depends on itself: " + cycle);
                    } else if (state[u] == 0) {
                        visit(u);
                    }
                }
            stack.pop_back();
            state[v] = 2;
            p->visibility_order.push_back(v);
        };
        for (std::size_t v = 0; v < n; ++v)
            if (state[v] == 0) visit(static_cast<int>(v));
    }

    // Rules.
    const json* rules = nullptr;
    if (auto it = doc.find("rules"); it != doc.end()) {
        if (!it->is_array()) L.error("wrong_type", "/rules", "\"rules\" must be an array");
        else if (it->size() > limits.max_rules)
            L.error("too_many_rules", "/rules",
                    "the pack has " + std::to_string(it->size()) + " rules; the limit is " + std::to_string(limits.max_rules));
        else rules = &*it;
    }
    std::set<std::string> rule_ids;
    if (rules) {
        for (std::size_t i = 0; i < rules->size(); ++i) {
            const json& def = (*rules)[i];
            std::string path = pointer_join("/rules", i);
            Rule rule;
            if (L.object(def, path, {"id", "when", "outcome", "message", "clinician_note", "sources"},
                         {"defer", "category", "title", "override"}, "a rule")) {
                rule.id = L.id(def, path, rule_ids, "rule");
                if (const std::string* o = L.string(def, "outcome", path)) {
                    auto outcome = parse_outcome(*o);
                    if (!outcome || *outcome == Outcome::Eligible || *outcome == Outcome::Incomplete)
                        L.error("invalid_value", pointer_join(path, "outcome"),
                                "a rule's outcome must be not_eligible, deferred, refer or eligible_with_precautions; got \"" + *o + "\"");
                    else rule.outcome = *outcome;
                }
                if (const std::string* c = L.string(def, "category", path)) {
                    static const std::set<std::string> categories{"absolute", "temporary", "relative", "precaution"};
                    if (!categories.count(*c))
                        L.error("invalid_value", pointer_join(path, "category"), "category must be absolute, temporary, relative or precaution");
                }
                L.text(def, "title", path, false);
                rule.message = L.text(def, "message", path, true);
                rule.clinician_note = L.text(def, "clinician_note", path, true);
                rule.sources = check_sources(def, path, true);
                rule.when = L.logic(def, "when", path, answers_scope);
                if (auto d = def.find("defer"); d != def.end()) {
                    std::string dpath = pointer_join(path, "defer");
                    if (rule.outcome != Outcome::Deferred)
                        L.error("invalid_value", dpath, "only a deferred rule can have a waiting period");
                    if (L.object(*d, dpath, {"after", "wait"}, {}, "a waiting period")) {
                        auto after = d->find("after");
                        if (after != d->end() && (!after->is_array() || after->empty()))
                            L.error("wrong_type", pointer_join(dpath, "after"), "\"after\" must be a non-empty array of date item ids");
                        else if (after != d->end())
                            for (std::size_t k = 0; k < after->size(); ++k) {
                                std::string apath = pointer_join(pointer_join(dpath, "after"), k);
                                const json& a = (*after)[k];
                                int slot = a.is_string() ? p->find_item(a.get<std::string>()) : -1;
                                if (!a.is_string()) L.error("wrong_type", apath, "an event must be a date item id");
                                else if (slot < 0) L.error("unknown_item", apath, "no item has the id \"" + a.get<std::string>() + "\"");
                                else if (p->items[slot].type != expr::ItemType::Date)
                                    L.error("type_mismatch", apath, "\"" + a.get<std::string>() + "\" is not a date item");
                                else rule.defer_after.push_back(slot);
                            }
                        if (const std::string* w = L.string(*d, "wait", dpath)) {
                            auto pi = p->parameter_index.find(*w);
                            if (pi == p->parameter_index.end())
                                L.error("unknown_parameter", pointer_join(dpath, "wait"), "no parameter is named \"" + *w + "\"");
                            else if (p->parameters[pi->second].type != "duration")
                                L.error("type_mismatch", pointer_join(dpath, "wait"), "\"" + *w + "\" is not a duration parameter");
                            else rule.defer_wait = pi->second;
                        }
                    }
                }
                if (auto o = def.find("override"); o != def.end())
                    for (Diagnostic& problem : check_override_policy(*o, pointer_join(path, "override"), rule.outcome, rule.defer_wait >= 0))
                        L.error(std::move(problem.code), std::move(problem.path), std::move(problem.message));
                if (rule.when) {
                    rule.trace_items = rule.when->items_used;
                    rule.trace_parameters = rule.when->parameters_used;
                }
                for (int s : rule.defer_after) rule.trace_items.push_back(s);
                if (rule.defer_wait >= 0) rule.trace_parameters.push_back(rule.defer_wait);
                for (auto* v : {&rule.trace_items, &rule.trace_parameters}) {
                    std::sort(v->begin(), v->end());
                    v->erase(std::unique(v->begin(), v->end()), v->end());
                }
            }
            p->rule_index[rule.id] = static_cast<int>(i);
            p->rules.push_back(std::move(rule));
        }
    }

    // Aftercare and course may also ask which rules fired and what the outcome is.
    expr::Scope result_scope = answers_scope;
    result_scope.find_rule = [&p](std::string_view id) {
        auto it = p->rule_index.find(std::string(id));
        return it == p->rule_index.end() ? -1 : it->second;
    };
    result_scope.allow_outcome = true;
    if (auto it = doc.find("aftercare"); it != doc.end()) {
        std::set<std::string> ids;
        if (!it->is_array()) L.error("wrong_type", "/aftercare", "\"aftercare\" must be an array of instructions");
        else
            for (std::size_t i = 0; i < it->size(); ++i) {
                std::string path = pointer_join("/aftercare", i);
                if (!L.object((*it)[i], path, {"id", "phase", "text"}, {"when", "sources"}, "an aftercare instruction")) continue;
                Instruction ins;
                ins.id = L.id((*it)[i], path, ids, "instruction");
                if (auto* ph = L.string((*it)[i], "phase", path)) ins.phase = *ph;
                ins.text = L.text((*it)[i], "text", path, true);
                ins.when = L.logic((*it)[i], "when", path, result_scope);
                check_sources((*it)[i], path, false);
                p->aftercare.push_back(std::move(ins));
            }
    }
    if (auto it = doc.find("course"); it != doc.end()) {
        if (L.object(*it, "/course", {"plans"}, {"follow_up"}, "the course")) {
            std::set<std::string> ids;
            auto plans = it->find("plans");
            if (plans != it->end() && !plans->is_array()) L.error("wrong_type", "/course/plans", "\"plans\" must be an array");
            else if (plans != it->end())
                for (std::size_t i = 0; i < plans->size(); ++i) {
                    std::string path = pointer_join("/course/plans", i);
                    const json& def = (*plans)[i];
                    if (!L.object(def, path, {"id", "sessions", "interval_weeks", "text"}, {"when", "sources"}, "a course plan")) continue;
                    CoursePlan plan;
                    plan.id = L.id(def, path, ids, "plan");
                    plan.sessions = static_cast<long long>(L.number(def, "sessions", path, true).value_or(0));
                    plan.interval_weeks = static_cast<long long>(L.number(def, "interval_weeks", path, true).value_or(0));
                    plan.text = L.text(def, "text", path, true);
                    plan.when = L.logic(def, "when", path, result_scope);
                    check_sources(def, path, false);
                    p->plans.push_back(std::move(plan));
                }
            if (auto fu = it->find("follow_up"); fu != it->end() &&
                                                  L.object(*fu, "/course/follow_up", {"weeks", "text"}, {}, "the follow-up")) {
                p->has_follow_up = true;
                p->follow_up_weeks = static_cast<long long>(L.number(*fu, "weeks", "/course/follow_up", true).value_or(0));
                p->follow_up_text = L.text(*fu, "text", "/course/follow_up", true);
            }
        }
    }

    // Consent document.
    if (auto it = doc.find("consent"); it != doc.end()) {
        const json& c = *it;
        if (L.object(c, "/consent", {"version", "title", "sections", "acknowledgements"},
                     {"permitted_outcomes", "validity", "cooling_off", "signature", "intro", "override_registers"},
                     "the consent document")) {
            p->has_consent = true;
            p->consent_digest = sha256_hex(canonical_json(c));
            L.string(c, "version", "/consent");
            L.text(c, "title", "/consent", true);
            L.text(c, "intro", "/consent", false);
            if (auto po = c.find("permitted_outcomes"); po != c.end()) {
                p->permitted_outcomes.clear();
                if (!po->is_array()) L.error("wrong_type", "/consent/permitted_outcomes", "must be an array of outcomes");
                else
                    for (std::size_t i = 0; i < po->size(); ++i) {
                        auto o = (*po)[i].is_string() ? parse_outcome((*po)[i].get<std::string>()) : std::nullopt;
                        if (!o) L.error("invalid_value", pointer_join("/consent/permitted_outcomes", i), "not an outcome");
                        else p->permitted_outcomes.push_back(*o);
                    }
            }
            for (const char* key : {"validity", "cooling_off"})
                if (const std::string* name = L.string(c, key, "/consent")) {
                    auto pi = p->parameter_index.find(*name);
                    if (pi == p->parameter_index.end())
                        L.error("unknown_parameter", pointer_join("/consent", key), "no parameter is named \"" + *name + "\"");
                    else if (p->parameters[pi->second].type != "duration")
                        L.error("type_mismatch", pointer_join("/consent", key), "\"" + *name + "\" is not a duration parameter");
                }
            std::set<std::string> section_ids, ack_ids;
            static const std::set<std::string> kinds{"procedure", "benefits", "risks", "alternatives", "aftercare",
                                                     "cooling_off", "withdrawal", "data", "other"};
            if (auto s = c.find("sections"); s != c.end() && s->is_array()) {
                for (std::size_t i = 0; i < s->size(); ++i) {
                    std::string path = pointer_join("/consent/sections", i);
                    if (!L.object((*s)[i], path, {"id", "kind", "title", "text"}, {"sources"}, "a consent section")) continue;
                    L.id((*s)[i], path, section_ids, "section");
                    if (auto* k = L.string((*s)[i], "kind", path); k && !kinds.count(*k))
                        L.error("invalid_value", pointer_join(path, "kind"), "unknown section kind \"" + *k + "\"");
                    L.text((*s)[i], "title", path, true);
                    L.text((*s)[i], "text", path, true);
                    check_sources((*s)[i], path, false);
                }
            } else if (s != c.end()) {
                L.error("wrong_type", "/consent/sections", "\"sections\" must be an array");
            }
            if (auto a = c.find("acknowledgements"); a != c.end() && a->is_array()) {
                for (std::size_t i = 0; i < a->size(); ++i) {
                    std::string path = pointer_join("/consent/acknowledgements", i);
                    if (!L.object((*a)[i], path, {"id", "text"}, {"section", "required", "material_risk", "sources", "stage"},
                                  "an acknowledgement"))
                        continue;
                    L.id((*a)[i], path, ack_ids, "acknowledgement");
                    if (auto* sec = L.string((*a)[i], "section", path); sec && !section_ids.count(*sec))
                        L.error("unknown_section", pointer_join(path, "section"), "no consent section has the id \"" + *sec + "\"");
                    L.text((*a)[i], "text", path, true);
                    L.boolean((*a)[i], "required", path);
                    L.boolean((*a)[i], "material_risk", path);
                    check_sources((*a)[i], path, false);
                }
            } else if (a != c.end()) {
                L.error("wrong_type", "/consent/acknowledgements", "\"acknowledgements\" must be an array");
            }
            if (auto sig = c.find("signature"); sig != c.end() && L.object(*sig, "/consent/signature", {}, {"roles", "countersign"}, "the signature")) {
                if (auto r = sig->find("roles"); r != sig->end() && !r->is_array())
                    L.error("wrong_type", "/consent/signature/roles", "\"roles\" must be an array of strings");
            }
        }
    }

    p->consent = compile_consent_document(*p, doc, diags);  // consent_document.cpp
    if (diags.size() > errors_before) return nullptr;
    prepare_rendering(*p);
    return p;
}

}  // namespace detail
}  // namespace prescreen
