// Answers into slots: each answer checked against its item (type, options, bounds, dates), with
// the issue the patient is told when it cannot be used. Visibility and rules come later (decide.cpp).
#include <algorithm>
#include <cmath>

#include "blank_text.hpp"
#include "json_input.hpp"
#include "number_text.hpp"
#include "protocol_model.hpp"
#include "protocol_internal.hpp"

namespace prescreen::detail {

namespace {

using expr::ItemType;
using expr::Value;

// Unicode code points in UTF-8 text (max_length counts characters, not bytes).
std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

}  // namespace

void parse_answers(const CompiledProtocol& p, const AnswerEntry* entries, std::size_t count, const Date& today,
                   AnswerSet& a) {
    using Type = AnswerInput::Type;
    const std::size_t n = p.items.size();
    a.values.assign(n, Value{});
    if (a.text.size() != n) a.text.resize(n);
    if (a.lists.size() != n) a.lists.resize(n);
    if (a.dates.size() != n) a.dates.resize(n);
    a.option_bits.assign(n, 0);
    a.invalid.assign(n, 0);
    a.any_invalid = false;
    a.given.assign(n, 0);
    a.issues.clear();

    // Paths are built only when there is an issue: valid answers cost no allocation here.
    struct Path {
        std::string_view id;
        std::optional<std::size_t> index;
        operator std::string() const {
            std::string p = pointer_join(std::string(), id);
            return index ? pointer_join(p, *index) : p;
        }
    };
    auto issue = [&](int slot, std::string_view item, std::string code, const Path& path, std::string message) {
        a.issues.push_back({slot, std::string(item), std::move(code), std::string(path), std::move(message)});
        if (slot >= 0) a.invalid[slot] = a.any_invalid = true;
    };
    auto quoted = [](std::string_view text) {
        std::string out = "\"";
        out += text;
        return out + "\"";
    };
    auto find_option = [](const Item& item, std::string_view value) {
        return std::find(item.options.begin(), item.options.end(), value);
    };

    for (std::size_t e = 0; e < count; ++e) {
        const std::string_view id = entries[e].id;
        const AnswerInput& v = entries[e].value;
        const Path path{id, std::nullopt};
        const int slot = entries[e].slot >= -1 ? entries[e].slot : p.find_item(id);
        if (slot < 0) {
            issue(-1, id, "unknown_item", path, "This questionnaire has no question " + quoted(id) + ".");
            continue;
        }
        if (v.type == Type::Null) continue;  // null = unanswered
        const Item& item = p.items[slot];
        a.given[slot] = 1;
        switch (item.type) {
            case ItemType::Boolean:
                if (v.type == Type::Bool) a.values[slot] = Value::from_bool(v.boolean);
                else issue(slot, id, "wrong_type", path, "Please answer yes or no.");
                break;
            case ItemType::Choice: {
                if (v.type != Type::String) { issue(slot, id, "wrong_type", path, "Please choose one of the options."); break; }
                auto pos = find_option(item, v.text);
                if (pos == item.options.end()) issue(slot, id, "not_an_option", path, quoted(v.text) + " is not one of the options.");
                else a.values[slot] = Value::from_view(*pos);  // a view of the protocol's own string
                break;
            }
            case ItemType::MultiChoice: {
                if (v.type != Type::Array) { issue(slot, id, "wrong_type", path, "Please choose from the options (a list)."); break; }
                auto& list = a.lists[slot];
                list.clear();
                bool ok = true;
                for (std::size_t i = 0; i < v.size; ++i) {
                    const AnswerInput& el = v.elements[i];
                    const Path epath{id, i};
                    if (el.type != Type::String) { issue(slot, id, "wrong_type", epath, "Each choice must be one of the options."); ok = false; continue; }
                    auto pos = find_option(item, el.text);
                    if (pos == item.options.end()) {
                        issue(slot, id, "not_an_option", epath, quoted(el.text) + " is not one of the options.");
                        ok = false;
                        continue;
                    }
                    bool dup = std::any_of(list.begin(), list.end(), [&](const Value& x) { return x.str().data() == pos->data(); });
                    if (dup) { issue(slot, id, "duplicate_option", epath, quoted(el.text) + " is chosen twice."); ok = false; continue; }
                    list.push_back(Value::from_view(*pos));
                    if (pos - item.options.begin() < 64) a.option_bits[slot] |= std::uint64_t(1) << (pos - item.options.begin());
                }
                if (!ok) {
                    list.clear();
                    a.option_bits[slot] = 0;
                } else if (!list.empty()) {
                    a.values[slot] = Value::from_array_view(&list);
                } else {
                    a.given[slot] = 0;  // an empty list counts as unanswered
                }
                break;
            }
            case ItemType::Date: {
                if (v.type != Type::String || !looks_like_iso_date(v.text)) {
                    issue(slot, id, "wrong_type", path, "Please enter a date (YYYY-MM-DD).");
                    break;
                }
                auto d = parse_iso_date(v.text);
                if (!d) { issue(slot, id, "impossible_date", path, std::string(v.text) + " is not a real date."); break; }
                if (item.not_future && today < *d) { issue(slot, id, "future_date", path, "This date is in the future."); break; }
                if (item.min_date && *d < *item.min_date) {
                    issue(slot, id, "before_min_date", path, "Please check this date: it is before " + format_iso_date(*item.min_date) + ".");
                    break;
                }
                if (item.plausible_min_age || item.plausible_max_age) {
                    long long age = period_between(*d, today, DateUnit::Years);
                    if ((item.plausible_min_age && age < *item.plausible_min_age) || (item.plausible_max_age && age > *item.plausible_max_age)) {
                        issue(slot, id, "implausible_age", path,
                              "Please check the year: this date of birth gives an age of " + std::to_string(age) + ".");
                        break;
                    }
                }
                a.text[slot].assign(v.text);
                a.values[slot] = Value::from_view(a.text[slot]);
                a.dates[slot] = *d;
                break;
            }
            case ItemType::Integer:
            case ItemType::Decimal: {
                bool integer = item.type == ItemType::Integer;
                double d = v.type == Type::Number ? v.number : 0;
                if (v.type != Type::Number || !std::isfinite(d) || (integer && d != std::floor(d))) {
                    issue(slot, id, "wrong_type", path, integer ? "Please enter a whole number." : "Please enter a number.");
                    break;
                }
                if ((item.min && d < *item.min) || (item.max && d > *item.max)) {
                    std::string range = item.min && item.max ? "between " + number_text(*item.min) + " and " + number_text(*item.max)
                                        : item.min       ? "at least " + number_text(*item.min)
                                                         : "at most " + number_text(*item.max);
                    issue(slot, id, "out_of_bounds", path, "Please enter a number " + range + ".");
                    break;
                }
                a.values[slot] = Value::from_number(d);
                break;
            }
            case ItemType::Text: {
                if (v.type != Type::String) { issue(slot, id, "wrong_type", path, "Please enter text."); break; }
                if (item.max_length && code_points(v.text) > *item.max_length) {
                    issue(slot, id, "too_long", path, "Please use at most " + std::to_string(*item.max_length) + " characters.");
                    break;
                }
                if (is_blank(v.text)) { a.given[slot] = 0; break; }  // blank = unanswered
                a.text[slot].assign(v.text);
                a.values[slot] = Value::from_view(a.text[slot]);
                break;
            }
            case ItemType::Display:
                issue(slot, id, "wrong_type", path, quoted(id) + " is information only and takes no answer.");
                break;
        }
    }

    a.brief.resize(n);
    for (std::size_t slot = 0; slot < n; ++slot) a.brief[slot] = brief_of(a.values[slot]);

    // Issues in id order whatever order the entries came in (a JSON object's keys are sorted; a
    // Python dict keeps insertion order), so every runtime reports them identically.
    // Sorted by (id, position): as stable as std::stable_sort, and a third of its code in WebAssembly.
    if (a.issues.size() > 1) {
        std::vector<std::uint32_t> order(a.issues.size());
        for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
            const int c = a.issues[x].item.compare(a.issues[y].item);
            return c < 0 || (c == 0 && x < y);
        });
        std::vector<AnswerIssue> sorted;
        sorted.reserve(order.size());
        for (std::uint32_t i : order) sorted.push_back(std::move(a.issues[i]));
        a.issues = std::move(sorted);
    }
}

namespace {

// A json value as an AnswerInput view. Array elements go to `storage`, reserved by the caller so
// the views stay put.
AnswerInput input_view(const json& v, std::vector<AnswerInput>& storage) {
    AnswerInput in;
    switch (v.type()) {
        case json::value_t::null: in.type = AnswerInput::Type::Null; break;
        case json::value_t::boolean: in.type = AnswerInput::Type::Bool; in.boolean = v.get<bool>(); break;
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float: in.type = AnswerInput::Type::Number; in.number = v.get<double>(); break;
        case json::value_t::string: in.type = AnswerInput::Type::String; in.text = v.get_ref<const std::string&>(); break;
        case json::value_t::array:
            in.type = AnswerInput::Type::Array;
            in.size = v.size();
            in.elements = storage.data() + storage.size();
            for (const json& e : v) {
                AnswerInput el;  // only strings can be choices; other kinds are just "not a string"
                el.type = e.is_string() ? AnswerInput::Type::String : AnswerInput::Type::Other;
                if (e.is_string()) el.text = e.get_ref<const std::string&>();
                storage.push_back(el);
            }
            break;
        default: in.type = AnswerInput::Type::Other; break;
    }
    return in;
}

}  // namespace

void parse_answers(const CompiledProtocol& p, const json& answers, const Date& today, AnswerSet& a) {
    std::vector<AnswerEntry> entries;
    std::vector<AnswerInput> elements;
    if (answers.is_object()) {
        std::size_t total = 0;
        for (const json& v : answers) total += v.is_array() ? v.size() : 0;
        elements.reserve(total);
        entries.reserve(answers.size());
        for (auto it = answers.begin(); it != answers.end(); ++it) entries.push_back({it.key(), input_view(it.value(), elements)});
    }
    parse_answers(p, entries.data(), entries.size(), today, a);
}

// Answers that cannot be read at all (not an object, too deep, NaN) become one issue at the root.
AnswerSet read_answers(const CompiledProtocol& p, const json& answers, const Date& today) {
    AnswerSet a;
    read_answers(p, answers, today, a);
    return a;
}

void read_answers(const CompiledProtocol& p, const json& answers, const Date& today, AnswerSet& a) {
    std::vector<Diagnostic> problems;
    if (!answers.is_object())
        problems.push_back({"not_an_object", "", "answers must be an object of question id → answer"});
    else
        check_json_value(answers, p.limits.max_nesting_depth, "", problems);
    if (problems.empty()) return parse_answers(p, answers, today, a);
    parse_answers(p, nullptr, 0, today, a);
    for (const auto& d : problems) a.issues.push_back({-1, "", d.code, d.path, d.message});
}

}  // namespace prescreen::detail
