// From answers to a decision: validate answers into slots, compute visibility (FHIR enableWhen
// semantics), run the rules, and render the results as JSON.
#include <algorithm>
#include <cmath>

#include "blank_text.hpp"
#include "headline_date.hpp"
#include "json_input.hpp"
#include "json_writer.hpp"
#include "protocol_model.hpp"

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

std::string number_text(double d) { return json(d).dump(); }

// A condition that fails at run time (e.g. a `throw` or a bad date computed inside a pack's rule)
// is a fault of the pack: report it as a ProtocolError pointing at the condition.
bool test(const expr::Program& program, const expr::Frame& frame, const char* list, std::size_t index, const char* key) {
    try {
        return expr::evaluate_truthy(program, frame);
    } catch (const expr::EvalError& e) {
        throw ProtocolError({{e.code, std::string(list) + std::to_string(index) + key, e.message}});
    }
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
                    bool dup = std::any_of(list.begin(), list.end(), [&](const Value& x) { return x.string.data() == pos->data(); });
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
    if (a.issues.size() > 1)
        std::stable_sort(a.issues.begin(), a.issues.end(),
                         [](const AnswerIssue& x, const AnswerIssue& y) { return x.item < y.item; });
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

AnswerSet parse_answers(const CompiledProtocol& p, const json& answers, const Date& today) {
    AnswerSet a;
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
    return a;
}

void decide(const CompiledProtocol& p, const AnswerSet& a, const Date& today, std::string_view today_text, Decision& d) {
    const std::size_t n = p.items.size();
    // Conditions read the answers in place; only when an item that turns out hidden has an answer
    // are they copied (once) so that item can read as unanswered.
    d.values = a.values.data();
    d.brief = a.brief.data();
    // resize + fill (a memset) rather than assign(), which is an out-of-line call per vector.
    d.visible.resize(n);
    std::fill(d.visible.begin(), d.visible.end(), std::uint8_t{1});
    d.fired.resize(p.rules.size());
    std::fill(d.fired.begin(), d.fired.end(), std::uint8_t{0});
    d.rule_defer_until.resize(p.rules.size());  // set for each rule that fires; read only for those
    d.missing_required.clear();

    expr::Frame frame;
    frame.items = d.values;
    frame.option_bits = a.option_bits.data();
    frame.brief = d.brief;
    frame.parameters = p.parameter_values.data();
    frame.today = today_text;
    // Conditions made only of answer tests (Program::simple) cannot fail at run time, so they skip
    // test()'s error reporting: one call less per condition.
    // Yes/no tests (Program::terms) are answered right here from the brief when they decide.
    auto holds = [&](const expr::Program& program, const char* list, std::size_t index, const char* key) {
        if (!program.terms.empty()) {
            bool known = true;
            for (const expr::BoolTerm& term : program.terms) {
                const int r = term.test(d.brief[term.slot]);
                if (r == int(program.any_of)) return program.any_of;  // a true term of an `or`, a false one of an `and`
                known &= r >= 0;
            }
            if (known && program.exact) return !program.any_of;
        }
        return program.simple ? expr::evaluate_truthy(program, frame) : test(program, frame, list, index, key);
    };

    // Visibility in dependency order: an item's controlling items are settled before it, so one
    // pass reaches the fixed point (an enable_when reads only its controlling items, never a slot
    // still to be settled). Hidden items become Null, so they read as unanswered.
    for (int slot : p.conditional_order) {
        if (holds(*p.items[slot].enable_when, "/items/", slot, "/enable_when")) continue;
        d.visible[slot] = 0;
        if (d.brief[slot] == Brief::Unanswered) continue;  // hidden and unanswered: nothing to hide
        if (d.values == a.values.data()) {
            d.hidden_copy.assign(a.values.begin(), a.values.end());
            d.hidden_brief.assign(a.brief.begin(), a.brief.end());
            d.values = frame.items = d.hidden_copy.data();
            d.brief = frame.brief = d.hidden_brief.data();
        }
        d.hidden_copy[slot] = Value::null();
        d.hidden_brief[slot] = Brief::Unanswered;
    }
    // Plain pointers and a local flag: the compiler can keep them in registers for the whole loop.
    const std::uint8_t* visible = d.visible.data();
    const Brief* brief = d.brief;
    for (int slot : p.required_slots)
        if (visible[slot] && brief[slot] == Brief::Unanswered) d.missing_required.push_back(slot);
    bool visible_issues = false;
    if (a.any_invalid)
        for (std::size_t slot = 0; slot < n; ++slot) visible_issues |= visible[slot] && a.invalid[slot];
    d.visible_issues = visible_issues;

    Outcome outcome = Outcome::Eligible;
    for (std::size_t r = 0; r < p.rules.size(); ++r) {
        const Rule& rule = p.rules[r];
        if (!rule.when || !holds(*rule.when, "/rules/", r, "/when")) continue;
        d.rule_defer_until[r].reset();
        if (rule.defer_wait >= 0) {
            // The waiting period runs from the latest answered event date ("at least N": treatment
            // is allowed on event + N). No event date known: open-ended, re-screen.
            std::optional<Date> event;
            for (int slot : rule.defer_after) {
                if (d.values[slot].kind != expr::Kind::String) continue;  // hidden or unanswered
                const Date& date = a.dates[slot];
                if (!event || *event < date) event = date;
            }
            if (event) {
                const Parameter& wait = p.parameters[rule.defer_wait];
                auto until = add_period(*event, wait.value.get<long long>(), *wait.unit);
                if (until && !(today < *until)) continue;  // the wait is over
                d.rule_defer_until[r] = until;
            }
        }
        d.fired[r] = 1;
        outcome = std::max(outcome, rule.outcome);
    }
    if ((!d.missing_required.empty() || d.visible_issues) && outcome < Outcome::Deferred)
        outcome = std::max(outcome, Outcome::Incomplete);
    d.outcome = outcome;
    d.defer_until = headline_defer_until(p, d);
}

namespace {

// An answer to a hidden item is not used, so its issue is not shown.
bool shown(const AnswerIssue& issue, const Decision& d) { return issue.slot < 0 || d.visible[issue.slot]; }

json visible_issues(const AnswerSet& a, const Decision& d) {
    json out = json::array();
    for (const AnswerIssue& issue : a.issues)
        if (shown(issue, d)) out.push_back(issue.to_json());
    return out;
}

json missing_ids(const CompiledProtocol& p, const Decision& d) {
    json out = json::array();
    for (int slot : d.missing_required) out.push_back(p.items[slot].id);
    return out;
}


}  // namespace

json render_form(const CompiledProtocol& p, const AnswerSet& a, const Decision& d) {
    json visible = json::array(), ignored = json::array();
    long long answered = 0, required = 0, answered_required = 0;
    for (std::size_t slot = 0; slot < p.items.size(); ++slot) {
        const Item& item = p.items[slot];
        if (!d.visible[slot]) {
            if (a.given[slot]) ignored.push_back(item.id);
            continue;
        }
        visible.push_back(item.id);
        if (item.type == ItemType::Display) continue;
        bool has = d.values[slot].kind != expr::Kind::Null;
        answered += has;
        if (item.required) {
            ++required;
            answered_required += has;
        }
    }
    json issues = visible_issues(a, d);
    bool complete = d.missing_required.empty() && issues.empty();
    return json{{"protocol", p.identity()},
                {"visible", std::move(visible)},
                {"missing_required", missing_ids(p, d)},
                {"issues", std::move(issues)},
                {"ignored", std::move(ignored)},
                {"progress",
                 {{"answered", answered},
                  {"required", required},
                  {"answered_required", answered_required},
                  {"percent", required == 0 ? 100 : answered_required * 100 / required}}},
                {"complete", complete}};
}

void record_screening(const CompiledProtocol& p, const AnswerSet& a, const Decision& d, std::string_view today,
                      ScreeningRecord& r) {
    // Aftercare and course conditions may read answers, fired rules and the outcome.
    expr::Frame frame;
    frame.items = d.values;
    frame.option_bits = a.option_bits.data();
    frame.brief = d.brief;
    frame.parameters = p.parameter_values.data();
    frame.fired = d.fired.data();
    frame.outcome = outcome_name(d.outcome);
    frame.today = today;

    r.outcome = d.outcome;
    r.consent_permitted = p.permits(d.outcome);
    r.defer_until = d.defer_until;

    r.aftercare_bits = 0;
    r.more_aftercare_bits.assign(p.aftercare.size() > 64 ? (p.aftercare.size() - 1) / 64 : 0, 0);
    for (std::size_t i = 0; i < p.aftercare.size(); ++i) {
        const Instruction& ins = p.aftercare[i];
        if (!ins.when || test(*ins.when, frame, "/aftercare/", i, "/when")) r.add_aftercare(i);
    }

    r.course = -1;
    if (r.consent_permitted)
        for (std::size_t i = 0; i < p.plans.size(); ++i)
            if (!p.plans[i].when || test(*p.plans[i].when, frame, "/course/plans/", i, "/when")) {
                r.course = static_cast<int>(i);
                break;
            }

    r.findings.clear();
    r.trace.clear();
    for (std::size_t i = 0; i < p.rules.size(); ++i) {
        if (!d.fired[i]) continue;
        const Rule& rule = p.rules[i];
        ScreeningRecord::Finding& f = r.findings.emplace_back();
        f.rule = static_cast<std::uint32_t>(i);
        if (rule.outcome == Outcome::Deferred) f.defer_until = d.rule_defer_until[i];
        for (int slot : rule.trace_items_by_id) r.trace.push_back(expr::to_json(d.values[slot]));
    }

    r.missing_required = d.missing_required;

    r.issues.clear();
    for (const AnswerIssue& issue : a.issues)
        if (shown(issue, d)) r.issues.push_back(issue);
}

namespace {

void write_date_or_null(auto& out, const std::optional<Date>& date) {
    if (date) out.string(format_iso_date(*date));
    else out.null();
}

// One screening result from its record. Keys are written in sorted order (the order of a JSON
// object in nlohmann and so of json::dump()), so the text writer's output is byte for byte the
// tree's dump().
template <class Writer>
void write_screening(const CompiledProtocol& p, const ScreeningRecord& r, std::string_view today, std::size_t locale,
                     Writer& out) {
    // Locale index into the prepared fragments (a pack without locales has one set).
    const std::size_t l = std::min(locale, p.locales.empty() ? 0 : p.locales.size() - 1);
    out.begin_object();
    out.key("aftercare");
    out.begin_array();
    for (std::size_t i = 0; i < p.aftercare.size(); ++i)
        if (r.aftercare(i)) out.constant(p.aftercare[i].rendered[l].value, p.aftercare[i].rendered[l].text);
    out.end_array();

    out.key("consent_permitted");
    out.boolean(r.consent_permitted);

    out.key("course");
    if (r.course >= 0) out.constant(p.plans[r.course].rendered[l].value, p.plans[r.course].rendered[l].text);
    else out.null();

    out.key("defer_until");
    write_date_or_null(out, r.defer_until);

    out.key("findings");
    out.begin_array();
    const json* trace = r.trace.data();
    for (const ScreeningRecord::Finding& f : r.findings) {
        const Rule& rule = p.rules[f.rule];
        out.begin_object();
        out.members(rule.head[l].value, rule.head[l].text);  // clinician_note
        out.key("defer_until");
        write_date_or_null(out, f.defer_until);
        out.members(rule.middle[l].value, rule.middle[l].text);  // message, outcome, rule, sources
        out.key("trace");
        out.begin_object();
        out.key("answers");
        out.begin_object();
        for (int slot : rule.trace_items_by_id) {
            out.key(p.items[slot].id);
            out.value(*trace++);
        }
        out.end_object();
        out.key("parameters");
        out.begin_object();
        for (int pi : rule.trace_parameters_by_name) {
            out.key(p.parameters[pi].name);
            out.constant(p.parameters[pi].value, p.parameters[pi].value_text);
        }
        out.end_object();
        out.end_object();
        out.end_object();
    }
    out.end_array();

    out.key("issues");
    out.begin_array();
    for (const AnswerIssue& issue : r.issues) {
        out.begin_object();
        out.key("code");
        out.string(issue.code);
        out.key("item");
        out.string(issue.item);
        out.key("message");
        out.string(issue.message);
        out.key("path");
        out.string(issue.path);
        out.end_object();
    }
    out.end_array();

    out.key("missing_required");
    out.begin_array();
    for (int slot : r.missing_required) out.string(p.items[slot].id);
    out.end_array();

    out.key("outcome");
    out.string(outcome_name(r.outcome));
    out.key("protocol");
    out.constant(p.identity_json, p.identity_text);
    out.key("today");
    out.string(today);
    out.end_object();
}

}  // namespace

json render_screening(const CompiledProtocol& p, const ScreeningRecord& r, std::string_view today, std::size_t locale) {
    JsonTreeWriter out;
    write_screening(p, r, today, locale, out);
    return out.take();
}

void render_screening_text(const CompiledProtocol& p, const ScreeningRecord& r, std::string_view today,
                           std::size_t locale, std::string& text) {
    JsonTextWriter out(text);
    write_screening(p, r, today, locale, out);
}

}  // namespace prescreen::detail
