// From validated answers to a decision: visibility in dependency order (FHIR enableWhen
// semantics), the rules, the outcome and its dates; then the record of what was concluded.
#include <algorithm>

#include "headline_date.hpp"
#include "protocol_model.hpp"

namespace prescreen::detail {

namespace {

using expr::Value;

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

expr::Frame result_frame(const CompiledProtocol& p, const AnswerSet& a, const Decision& d, std::string_view today) {
    expr::Frame frame;
    frame.items = d.values;
    frame.option_bits = a.option_bits.data();
    frame.brief = d.brief;
    frame.parameters = p.parameter_values.data();
    frame.fired = d.fired.data();
    frame.outcome = outcome_name(d.outcome);
    frame.today = today;
    return frame;
}

void record_screening(const CompiledProtocol& p, const AnswerSet& a, const Decision& d, std::string_view today,
                      RecordData& r) {
    // Aftercare and course conditions may read answers, fired rules and the outcome.
    const expr::Frame frame = result_frame(p, a, d, today);

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
        RecordData::Finding& f = r.findings.emplace_back();
        f.rule = static_cast<std::uint32_t>(i);
        if (rule.defer_wait >= 0 || rule.outcome == Outcome::Deferred) f.defer_until = d.rule_defer_until[i];
        for (int slot : rule.trace_items_by_id) r.trace.push_back(expr::to_json(d.values[slot]));
    }

    r.missing_required = d.missing_required;

    r.issues.clear();
    for (const AnswerIssue& issue : a.issues)
        if (d.shows(issue)) r.issues.push_back(issue);
}

}  // namespace prescreen::detail
