// From answers to a decision: validate answers into slots, compute visibility (FHIR enableWhen
// semantics), run the rules, and render the results as JSON.
#include <algorithm>
#include <cmath>

#include "json_input.hpp"
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

AnswerSet parse_answers(const CompiledProtocol& p, const json& answers, const Date& today) {
    const std::size_t n = p.items.size();
    AnswerSet a;
    a.values.resize(n);
    a.text.resize(n);
    a.lists.resize(n);
    a.dates.resize(n);
    a.invalid.assign(n, 0);
    a.given.assign(n, 0);
    if (!answers.is_object()) return a;

    // Paths are built only when there is an issue: valid answers cost no allocation here.
    struct Path {
        const std::string& id;
        std::optional<std::size_t> index;
        operator std::string() const {
            std::string p = pointer_join(std::string(), id);
            return index ? pointer_join(p, *index) : p;
        }
    };
    auto issue = [&](int slot, const std::string& item, std::string code, const Path& path, std::string message) {
        a.issues.push_back({{"item", item}, {"code", std::move(code)}, {"path", std::string(path)}, {"message", std::move(message)}});
        a.issue_slot.push_back(slot);
        if (slot >= 0) a.invalid[slot] = 1;
    };

    for (auto it = answers.begin(); it != answers.end(); ++it) {
        const std::string& id = it.key();
        const json& v = it.value();
        const Path path{id, std::nullopt};
        const int slot = p.find_item(id);
        if (slot < 0) {
            issue(-1, id, "unknown_item", path, "This questionnaire has no question \"" + id + "\".");
            continue;
        }
        if (v.is_null()) continue;  // null = unanswered
        const Item& item = p.items[slot];
        a.given[slot] = 1;
        switch (item.type) {
            case ItemType::Boolean:
                if (v.is_boolean()) a.values[slot] = Value::from_bool(v.get<bool>());
                else issue(slot, id, "wrong_type", path, "Please answer yes or no.");
                break;
            case ItemType::Choice: {
                if (!v.is_string()) { issue(slot, id, "wrong_type", path, "Please choose one of the options."); break; }
                auto pos = std::find(item.options.begin(), item.options.end(), v.get_ref<const std::string&>());
                if (pos == item.options.end()) issue(slot, id, "not_an_option", path, "\"" + v.get<std::string>() + "\" is not one of the options.");
                else a.values[slot] = Value::from_view(*pos);  // a view of the protocol's own string
                break;
            }
            case ItemType::MultiChoice: {
                if (!v.is_array()) { issue(slot, id, "wrong_type", path, "Please choose from the options (a list)."); break; }
                auto& list = a.lists[slot];
                bool ok = true;
                for (std::size_t i = 0; i < v.size(); ++i) {
                    const json& e = v[i];
                    const Path epath{id, i};
                    if (!e.is_string()) { issue(slot, id, "wrong_type", epath, "Each choice must be one of the options."); ok = false; continue; }
                    auto pos = std::find(item.options.begin(), item.options.end(), e.get_ref<const std::string&>());
                    if (pos == item.options.end()) {
                        issue(slot, id, "not_an_option", epath, "\"" + e.get<std::string>() + "\" is not one of the options.");
                        ok = false;
                        continue;
                    }
                    bool dup = std::any_of(list.begin(), list.end(), [&](const Value& x) { return x.string.data() == pos->data(); });
                    if (dup) { issue(slot, id, "duplicate_option", epath, "\"" + e.get<std::string>() + "\" is chosen twice."); ok = false; continue; }
                    list.push_back(Value::from_view(*pos));
                }
                if (!ok) list.clear();
                else if (!list.empty()) a.values[slot] = Value::from_array_view(&list);
                else a.given[slot] = 0;  // an empty list counts as unanswered
                break;
            }
            case ItemType::Date: {
                if (!v.is_string() || !looks_like_iso_date(v.get_ref<const std::string&>())) {
                    issue(slot, id, "wrong_type", path, "Please enter a date (YYYY-MM-DD).");
                    break;
                }
                auto d = parse_iso_date(v.get_ref<const std::string&>());
                if (!d) { issue(slot, id, "impossible_date", path, v.get<std::string>() + " is not a real date."); break; }
                if (item.not_future && today < *d) { issue(slot, id, "future_date", path, "This date is in the future."); break; }
                if (item.min_date && *d < *item.min_date) {
                    issue(slot, id, "before_min_date", path, "Please check this date: it is before " + format_iso_date(*item.min_date) + ".");
                    break;
                }
                a.text[slot] = v.get<std::string>();
                a.values[slot] = Value::from_view(a.text[slot]);
                a.dates[slot] = *d;
                break;
            }
            case ItemType::Integer:
            case ItemType::Decimal: {
                bool integer = item.type == ItemType::Integer;
                double d = v.is_number() ? v.get<double>() : 0;
                if (!v.is_number() || !std::isfinite(d) || (integer && d != std::floor(d))) {
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
                if (!v.is_string()) { issue(slot, id, "wrong_type", path, "Please enter text."); break; }
                const std::string& s = v.get_ref<const std::string&>();
                if (item.max_length && code_points(s) > *item.max_length) {
                    issue(slot, id, "too_long", path, "Please use at most " + std::to_string(*item.max_length) + " characters.");
                    break;
                }
                if (s.empty()) { a.given[slot] = 0; break; }
                a.text[slot] = s;
                a.values[slot] = Value::from_view(a.text[slot]);
                break;
            }
            case ItemType::Display:
                issue(slot, id, "wrong_type", path, "\"" + id + "\" is information only and takes no answer.");
                break;
        }
    }
    return a;
}

void decide(const CompiledProtocol& p, const AnswerSet& a, const Date& today, std::string_view today_text, Decision& d) {
    const std::size_t n = p.items.size();
    // Start from all answers (Values are trivially copyable: one contiguous copy, which also pulls
    // the answer set into cache in order) and all items visible; the visibility pass below then
    // clears the hidden ones.
    d.effective.assign(a.values.begin(), a.values.end());
    // Multi-choice answers point at their option lists elsewhere in the answer set; start loading
    // those (typically cold) lines now so the rules that read them do not wait for memory.
    for (const Value& v : d.effective)
        if (v.kind == expr::Kind::Array && v.array) __builtin_prefetch(v.array->data());
    // resize + fill (a memset) rather than assign(), which is an out-of-line call per vector.
    d.visible.resize(n);
    std::fill(d.visible.begin(), d.visible.end(), std::uint8_t{1});
    d.fired.resize(p.rules.size());
    std::fill(d.fired.begin(), d.fired.end(), std::uint8_t{0});
    d.rule_defer_until.assign(p.rules.size(), std::nullopt);
    d.missing_required.clear();
    d.visible_issues = false;

    expr::Frame frame;
    frame.items = d.effective.data();
    frame.parameters = p.parameter_values.data();
    frame.today = today_text;
    // Conditions made only of answer tests (Program::simple) cannot fail at run time, so they skip
    // test()'s error reporting: one call less per condition.
    auto holds = [&](const expr::Program& program, const char* list, std::size_t index, const char* key) {
        return program.simple ? expr::evaluate_truthy(program, frame) : test(program, frame, list, index, key);
    };

    // Visibility in dependency order: an item's controlling items are settled before it, so one
    // pass reaches the fixed point (an enable_when reads only its controlling items, never a slot
    // still to be settled). Hidden items become Null, so they read as unanswered.
    for (int slot : p.visibility_order) {
        const Item& item = p.items[slot];
        if (!item.enable_when || holds(*item.enable_when, "/items/", slot, "/enable_when")) continue;
        d.visible[slot] = 0;
        d.effective[slot] = Value::null();
    }
    // Plain pointers and a local flag: the compiler can keep them in registers for the whole loop.
    const std::uint8_t* visible = d.visible.data();
    const std::uint8_t* invalid = a.invalid.data();
    const Value* effective = d.effective.data();
    bool visible_issues = false;
    for (std::size_t slot = 0; slot < n; ++slot) {
        if (!visible[slot]) continue;
        visible_issues |= invalid[slot] != 0;
        const Item& item = p.items[slot];
        if (item.required && item.type != ItemType::Display && effective[slot].kind == expr::Kind::Null)
            d.missing_required.push_back(static_cast<int>(slot));
    }
    d.visible_issues = visible_issues;

    Outcome outcome = Outcome::Eligible;
    for (std::size_t r = 0; r < p.rules.size(); ++r) {
        const Rule& rule = p.rules[r];
        if (!rule.when || !holds(*rule.when, "/rules/", r, "/when")) continue;
        if (rule.defer_wait >= 0) {
            // The waiting period runs from the latest answered event date ("at least N": treatment
            // is allowed on event + N). No event date known: open-ended, re-screen.
            std::optional<Date> event;
            for (int slot : rule.defer_after) {
                if (d.effective[slot].kind != expr::Kind::String) continue;  // hidden or unanswered
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
    d.defer_until.reset();
    if (outcome == Outcome::Deferred)
        for (std::size_t r = 0; r < p.rules.size(); ++r)
            if (d.fired[r] && p.rules[r].outcome == Outcome::Deferred && d.rule_defer_until[r] &&
                (!d.defer_until || *d.defer_until < *d.rule_defer_until[r]))
                d.defer_until = d.rule_defer_until[r];
}

namespace {

json visible_issues(const CompiledProtocol& p, const AnswerSet& a, const Decision& d) {
    json out = json::array();
    for (std::size_t i = 0; i < a.issues.size(); ++i) {
        int slot = a.issue_slot[i];
        if (slot < 0 || d.visible[slot]) out.push_back(a.issues[i]);
    }
    (void)p;
    return out;
}

json missing_ids(const CompiledProtocol& p, const Decision& d) {
    json out = json::array();
    for (int slot : d.missing_required) out.push_back(p.items[slot].id);
    return out;
}

json date_or_null(const std::optional<Date>& date) { return date ? json(format_iso_date(*date)) : json(nullptr); }

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
        bool has = d.effective[slot].kind != expr::Kind::Null;
        answered += has;
        if (item.required) {
            ++required;
            answered_required += has;
        }
    }
    json issues = visible_issues(p, a, d);
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

json render_screening(const CompiledProtocol& p, const AnswerSet& a, const Decision& d, std::string_view today,
                      std::size_t locale) {
    json findings = json::array();
    for (std::size_t r = 0; r < p.rules.size(); ++r) {
        if (!d.fired[r]) continue;
        const Rule& rule = p.rules[r];
        json trace_answers = json::object(), trace_parameters = json::object();
        for (int slot : rule.trace_items) trace_answers[p.items[slot].id] = expr::to_json(d.effective[slot]);
        for (int pi : rule.trace_parameters) trace_parameters[p.parameters[pi].name] = p.parameters[pi].value;
        findings.push_back({{"rule", rule.id},
                            {"outcome", outcome_name(rule.outcome)},
                            {"defer_until", rule.outcome == Outcome::Deferred ? date_or_null(d.rule_defer_until[r]) : json(nullptr)},
                            {"message", rule.message.in(locale)},
                            {"clinician_note", rule.clinician_note.in(locale)},
                            {"sources", rule.sources},
                            {"trace", {{"answers", std::move(trace_answers)}, {"parameters", std::move(trace_parameters)}}}});
    }

    // Aftercare and course conditions may read answers, fired rules and the outcome.
    expr::Frame frame;
    frame.items = d.effective.data();
    frame.parameters = p.parameter_values.data();
    frame.fired = d.fired.data();
    frame.outcome = outcome_name(d.outcome);
    frame.today = today;
    json aftercare = json::array();
    for (const Instruction& ins : p.aftercare)
        if (!ins.when || test(*ins.when, frame, "/aftercare/", &ins - p.aftercare.data(), "/when"))
            aftercare.push_back({{"id", ins.id}, {"phase", ins.phase}, {"text", ins.text.in(locale)}});

    const bool permitted = p.permits(d.outcome);
    json course = nullptr;
    if (permitted)
        for (const CoursePlan& plan : p.plans)
            if (!plan.when || test(*plan.when, frame, "/course/plans/", &plan - p.plans.data(), "/when")) {
                course = {{"plan", plan.id},
                          {"sessions", plan.sessions},
                          {"interval_weeks", plan.interval_weeks},
                          {"text", plan.text.in(locale)},
                          {"follow_up", p.has_follow_up ? json{{"weeks", p.follow_up_weeks}, {"text", p.follow_up_text.in(locale)}}
                                                        : json(nullptr)}};
                break;
            }

    return json{{"protocol", p.identity()},
                {"today", std::string(today)},
                {"outcome", outcome_name(d.outcome)},
                {"defer_until", date_or_null(d.defer_until)},
                {"consent_permitted", permitted},
                {"findings", std::move(findings)},
                {"missing_required", missing_ids(p, d)},
                {"issues", visible_issues(p, a, d)},
                {"aftercare", std::move(aftercare)},
                {"course", std::move(course)}};
}

}  // namespace prescreen::detail
