// prescreen::Protocol: load, identity, form, screen, batch.
#include <algorithm>
#include <atomic>
#include <thread>

#include "answer_line.hpp"
#include "json_input.hpp"
#include "protocol_model.hpp"
#include "protocol_internal.hpp"

namespace prescreen {

using detail::CompiledProtocol;

Protocol::Protocol(std::shared_ptr<const CompiledProtocol> impl) : impl_(std::move(impl)) {}

namespace {

std::shared_ptr<const CompiledProtocol> compile_text(std::string_view text, const json& overrides, const Limits& limits,
                                                     std::vector<Diagnostic>& diagnostics) {
    auto document = parse_json_document(text, limits.max_document_bytes, limits.max_nesting_depth, diagnostics);
    if (!document) return nullptr;
    return detail::compile_protocol(*document, overrides, limits, diagnostics);
}

}  // namespace

Protocol Protocol::load(std::string_view text, const json& overrides, const Limits& limits) {
    std::vector<Diagnostic> diagnostics;
    auto impl = compile_text(text, overrides, limits, diagnostics);
    if (!impl) throw ProtocolError(std::move(diagnostics));
    return Protocol(std::move(impl));
}

Protocol Protocol::from_json(const json& document, const json& overrides, const Limits& limits) {
    std::vector<Diagnostic> diagnostics;
    auto impl = detail::compile_protocol(document, overrides, limits, diagnostics);
    if (!impl) throw ProtocolError(std::move(diagnostics));
    return Protocol(std::move(impl));
}

std::vector<Diagnostic> Protocol::lint(std::string_view text, const json& overrides, const Limits& limits) {
    std::vector<Diagnostic> diagnostics;
    compile_text(text, overrides, limits, diagnostics);
    return diagnostics;
}

const std::string& Protocol::id() const noexcept { return impl_->id; }
const std::string& Protocol::version() const noexcept { return impl_->version; }
const std::string& Protocol::digest() const noexcept { return impl_->digest; }
const json& Protocol::document() const noexcept { return impl_->document; }
const json& Protocol::overrides() const noexcept { return impl_->overrides; }

json Protocol::items() const { return impl_->document.value("items", json::array()); }

json Protocol::rules() const {
    json out = json::array();
    for (const auto& def : impl_->document.value("rules", json::array())) {
        json r = def;
        r.erase("when");  // summaries: what a rule is, not how it is written
        out.push_back(std::move(r));
    }
    return out;
}

json Protocol::parameters() const {
    json out = json::object();
    for (const auto& p : impl_->parameters) {
        json entry = p.definition;
        entry["value"] = p.value;
        out[p.name] = std::move(entry);
    }
    return out;
}

namespace detail {

Date require_today(const Context& context) {
    if (context.today.empty())
        throw UsageError({"missing_today", "/today", "today is required (an ISO date such as 2026-11-25): the engine reads no clock"});
    auto today = parse_iso_date(context.today);
    if (!today)
        throw UsageError({"invalid_today", "/today", "today must be a real ISO date YYYY-MM-DD; got \"" + context.today + "\""});
    return *today;
}

// Answers that cannot be read at all (not an object, too deep, NaN) become one issue at the root.
AnswerSet read_answers(const CompiledProtocol& p, const json& answers, const Date& today) {
    std::vector<Diagnostic> problems;
    if (!answers.is_object())
        problems.push_back({"not_an_object", "", "answers must be an object of question id → answer"});
    else
        check_json_value(answers, p.limits.max_nesting_depth, "", problems);
    if (problems.empty()) return parse_answers(p, answers, today);
    AnswerSet a = parse_answers(p, json::object(), today);
    for (const auto& d : problems) {
        a.issues.push_back({-1, "", d.code, d.path, d.message});
    }
    return a;
}

void screen_record(const CompiledProtocol& p, const json& answers, const Date& today, std::string_view today_text,
                   ScreeningRecord& record) {
    AnswerSet a = read_answers(p, answers, today);
    Decision d;
    decide(p, a, today, today_text, d);
    record_screening(p, a, d, today_text, record);
}

json screen_one(const CompiledProtocol& p, const json& answers, const Date& today, const Context& context) {
    ScreeningRecord r;
    screen_record(p, answers, today, context.today, r);
    return render_screening(p, r, context.today, p.locale_index(context.locale));
}

json error_envelope(const Diagnostic& d) { return json{{"error", d.to_json()}}; }

}  // namespace detail

json Protocol::form(const json& answers, const Context& context) const {
    Date today = detail::require_today(context);
    detail::AnswerSet a = detail::read_answers(*impl_, answers, today);
    detail::Decision d;
    detail::decide(*impl_, a, today, context.today, d);
    return detail::render_form(*impl_, a, d);
}

namespace detail {

json form_entries(const CompiledProtocol& p, const AnswerEntry* entries, std::size_t count, const Date& today,
                  std::string_view today_text) {
    AnswerSet a;
    parse_answers(p, entries, count, today, a);
    Decision d;
    decide(p, a, today, today_text, d);
    return render_form(p, a, d);
}

}  // namespace detail

json Protocol::screen(const json& answers, const Context& context) const {
    return detail::screen_one(*impl_, answers, detail::require_today(context), context);
}

json Protocol::screen_text(std::string_view answers_json, const Context& context) const {
    Date today = detail::require_today(context);
    std::vector<Diagnostic> problems;
    auto answers = parse_json_document(answers_json, impl_->limits.max_answers_bytes, impl_->limits.max_nesting_depth, problems);
    if (!answers) return detail::error_envelope(problems.front());
    if (!answers->is_object())
        return detail::error_envelope({"not_an_object", "", "answers must be an object of question id → answer"});
    try {
        return detail::screen_one(*impl_, *answers, today, context);
    } catch (const ProtocolError& e) {
        return detail::error_envelope(e.diagnostics().front());
    }
}

namespace detail {

void screen_entries(const CompiledProtocol& p, const AnswerEntry* entries, std::size_t count, const Date& today,
                    std::string_view today_text, ScreeningRecord& record) {
    // Per-thread scratch: rows are screened one after another with no allocation per row.
    thread_local AnswerSet answers;
    thread_local Decision decision;
    parse_answers(p, entries, count, today, answers);
    decide(p, answers, today, today_text, decision);
    record_screening(p, answers, decision, today_text, record);
}

void screen_entries_text(const CompiledProtocol& p, const AnswerEntry* entries, std::size_t count, const Date& today,
                         const Context& context, std::string& out) {
    thread_local ScreeningRecord record;  // its vectors keep their memory from row to row
    try {
        screen_entries(p, entries, count, today, context.today, record);
    } catch (const ProtocolError& e) {  // a rule that fails at run time, for this row only
        out += error_envelope(e.diagnostics().front()).dump();
        return;
    }
    render_screening_text(p, record, context.today, p.locale_index(context.locale), out);
}

}  // namespace detail

void Protocol::screen_line(std::string_view answers_json, const Context& context, std::string& out) const {
    const Date today = detail::require_today(context);
    thread_local detail::AnswerLineReader reader;
    if (reader.read(answers_json, *impl_, impl_->limits.max_answers_bytes))
        return detail::screen_entries_text(*impl_, reader.entries(), reader.size(), today, context, out);
    out += screen_text(answers_json, context).dump();  // the full parser gives the exact diagnostic
}

std::vector<json> Protocol::screen_batch(const std::vector<json>& answers, const Context& context, unsigned threads) const {
    const Date today = detail::require_today(context);
    std::vector<json> results(answers.size());
    auto work = [&](std::size_t i) {
        try {
            if (!answers[i].is_object())
                results[i] = detail::error_envelope({"not_an_object", "", "answers must be an object of question id → answer"});
            else
                results[i] = detail::screen_one(*impl_, answers[i], today, context);
        } catch (const ProtocolError& e) {  // a rule that fails at run time, for this row only
            results[i] = detail::error_envelope(e.diagnostics().front());
        } catch (const std::exception& e) {  // one bad row never loses the batch
            results[i] = detail::error_envelope({"internal_error", "", e.what()});
        }
    };
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, (answers.size() + 63) / 64));
    if (threads <= 1) {
        for (std::size_t i = 0; i < answers.size(); ++i) work(i);
        return results;
    }
    // Workers take chunks from a shared counter; each result lands in its own slot, so order holds.
    std::atomic<std::size_t> next{0};
    constexpr std::size_t chunk = 64;
    auto worker = [&] {
        for (std::size_t start; (start = next.fetch_add(chunk)) < answers.size();)
            for (std::size_t i = start; i < std::min(start + chunk, answers.size()); ++i) work(i);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    return results;
}

}  // namespace prescreen
