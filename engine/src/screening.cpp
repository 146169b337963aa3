// The one screening path: answers from any source -> answer set -> decision -> record -> result.
// Every runtime comes through here (prescreen/screening.hpp); so does the choice between the fast
// line reader and the full parser, and the wrapping of a failure into a row's error.
#include <new>

#include "answer_line.hpp"
#include "json_input.hpp"
#include "prescreen/screening.hpp"
#include "protocol_internal.hpp"
#include "protocol_model.hpp"
#include "record_recycling.hpp"

namespace prescreen {

using detail::CompiledProtocol;

// A record's data is recycled rather than freed (record_recycling.cpp).
ScreeningRecord::ScreeningRecord() = default;
ScreeningRecord::~ScreeningRecord() { detail::give_record_data(std::move(data_)); }
ScreeningRecord::ScreeningRecord(ScreeningRecord&&) noexcept = default;
ScreeningRecord& ScreeningRecord::operator=(ScreeningRecord&& other) noexcept {
    if (this != &other) {
        detail::give_record_data(std::move(data_));
        data_ = std::move(other.data_);
    }
    return *this;
}

detail::RecordData& ScreeningRecord::data() {
    if (!data_) data_ = detail::take_record_data();
    return *data_;
}
const detail::RecordData& ScreeningRecord::data() const {
    static const detail::RecordData unwritten;
    return data_ ? *data_ : unwritten;
}

const Diagnostic* ScreeningRecord::error() const { return data().error ? &*data().error : nullptr; }
Outcome ScreeningRecord::outcome() const { return data().outcome; }
std::optional<Date> ScreeningRecord::defer_until() const { return data().defer_until; }
bool ScreeningRecord::consent_permitted() const { return data().consent_permitted; }
const Date& ScreeningRecord::today() const { return data().today; }
const std::vector<ScreeningRecord::Finding>& ScreeningRecord::findings() const { return data().findings; }
const std::vector<int>& ScreeningRecord::missing_required() const { return data().missing_required; }
const std::vector<AnswerIssue>& ScreeningRecord::issues() const { return data().issues; }

struct PreparedAnswers::Data {
    detail::AnswerSet answers;
    std::optional<Diagnostic> error;
    Date today;
    std::string today_text;
    std::size_t locale = 0;
};
PreparedAnswers::PreparedAnswers() : data_(std::make_unique<Data>()) {}
PreparedAnswers::~PreparedAnswers() = default;
PreparedAnswers::PreparedAnswers(PreparedAnswers&&) noexcept = default;
PreparedAnswers& PreparedAnswers::operator=(PreparedAnswers&&) noexcept = default;
const Diagnostic* PreparedAnswers::error() const { return data_->error ? &*data_->error : nullptr; }

namespace {

// Per-thread scratch: rows are screened one after another with no allocation per row.
struct Scratch {
    detail::AnswerSet answers;
    detail::Decision decision;
    detail::AnswerLineReader reader;
};
Scratch& scratch() {
    thread_local Scratch s;
    return s;
}

const Diagnostic& not_an_object() {
    static const Diagnostic d{"not_an_object", "", "answers must be an object of question id → answer"};
    return d;
}

// Answers from any source into `a`. False, with `error`, when they cannot be read at all.
bool read(const CompiledProtocol& p, const Answers& in, const Date& today, detail::AnswerSet& a,
          std::optional<Diagnostic>& error) {
    switch (in.kind()) {
        case Answers::Kind::Tree:
            detail::read_answers(p, in.json_value(), today, a);
            return true;
        case Answers::Kind::Row:
            if (!in.json_value().is_object()) return error = not_an_object(), false;
            detail::read_answers(p, in.json_value(), today, a);
            return true;
        case Answers::Kind::Failed:
            return error = in.failure(), false;
        case Answers::Kind::Entries:
            detail::parse_answers(p, in.entry_data(), in.entry_count(), today, a);
            return true;
        case Answers::Kind::Text:
        case Answers::Kind::DocumentText: {
            // The fast reader takes the common flat object and never decides an error itself;
            // anything else goes to the full parser, which words the exact diagnostic.
            detail::AnswerLineReader& reader = scratch().reader;
            if (reader.read(in.json_text(), p, p.limits.max_answers_bytes)) {
                detail::parse_answers(p, reader.entries(), reader.size(), today, a);
                return true;
            }
            std::vector<Diagnostic> problems;
            auto parsed = parse_json_document(in.json_text(), p.limits.max_answers_bytes, p.limits.max_nesting_depth, problems);
            if (!parsed) return error = problems.front(), false;
            if (!parsed->is_object() && in.kind() == Answers::Kind::Text) return error = not_an_object(), false;
            detail::read_answers(p, *parsed, today, a);
            return true;
        }
    }
    return true;
}

// Runs one step of a screening; a failure becomes the row's error, never the batch's or the process's.
template <class Step>
void guarded(std::optional<Diagnostic>& error, Step&& step) {
    try {
        step();
    } catch (const ProtocolError& e) {  // a rule that fails at run time
        error = e.diagnostics().empty() ? Diagnostic{"protocol_error", "", e.what()} : e.diagnostics().front();
    } catch (const std::bad_alloc&) {
        error = Diagnostic{"out_of_memory", "", "the engine ran out of memory screening these answers"};
    } catch (const UsageError& e) {
        error = e.diagnostic();
    } catch (const std::exception& e) {
        error = Diagnostic{"internal_error", "", std::string("unexpected engine error: ") + e.what()};
    }
}

void decide_into(const CompiledProtocol& p, const detail::AnswerSet& a, const Date& today, std::string_view today_text,
                 detail::RecordData& r) {
    detail::Decision& d = scratch().decision;
    detail::decide(p, a, today, today_text, d);
    detail::record_screening(p, a, d, today_text, r);
}

}  // namespace

void Protocol::screen_into(const Answers& answers, const Context& context, ScreeningRecord& record) const {
    const Date today = detail::require_today(context);
    detail::RecordData& r = record.data();
    r.error.reset();
    r.today = today;
    r.locale = impl_->locale_index(context.locale);
    guarded(r.error, [&] {
        detail::AnswerSet& a = scratch().answers;
        if (read(*impl_, answers, today, a, r.error)) decide_into(*impl_, a, today, context.today, r);
    });
}

json Protocol::form_of(const Answers& answers, const Context& context, FormTexts texts) const {
    const Date today = detail::require_today(context);
    detail::AnswerSet& a = scratch().answers;
    std::optional<Diagnostic> error;
    if (!read(*impl_, answers, today, a, error)) throw UsageError(*error);
    detail::Decision& d = scratch().decision;
    detail::decide(*impl_, a, today, context.today, d);
    return detail::render_form(*impl_, a, d, impl_->locale_index(context.locale), texts == FormTexts::included);
}

PreparedAnswers Protocol::prepare(const Answers& answers, const Context& context) const {
    PreparedAnswers prepared;
    PreparedAnswers::Data& data = prepared.data();
    data.today = detail::require_today(context);
    data.today_text = context.today;
    data.locale = impl_->locale_index(context.locale);
    guarded(data.error, [&] { read(*impl_, answers, data.today, data.answers, data.error); });
    return prepared;
}

void Protocol::screen_into(const PreparedAnswers& answers, ScreeningRecord& record) const {
    const PreparedAnswers::Data& data = answers.data();
    detail::RecordData& r = record.data();
    r.error = data.error;
    r.today = data.today;
    r.locale = data.locale;
    if (!r.error) guarded(r.error, [&] { decide_into(*impl_, data.answers, data.today, data.today_text, r); });
}

void Protocol::decide(const PreparedAnswers& answers, ScreeningDecision& out) const {
    const PreparedAnswers::Data& data = answers.data();
    if (data.error) throw UsageError(*data.error);
    detail::Decision& d = scratch().decision;
    detail::decide(*impl_, data.answers, data.today, data.today_text, d);
    out.outcome = d.outcome;
    out.defer_until = d.defer_until;
    out.fired.clear();
    for (std::size_t r = 0; r < d.fired.size(); ++r)
        if (d.fired[r]) out.fired.push_back(static_cast<std::uint32_t>(r));
}

json Protocol::write(const ScreeningRecord& record) const { return detail::render_screening(*impl_, record.data()); }

void Protocol::write_text(const ScreeningRecord& record, std::string& out) const {
    detail::render_screening_text(*impl_, record.data(), out);
}

std::size_t Protocol::locale_index(std::string_view locale) const { return impl_->locale_index(locale); }
std::optional<std::size_t> Protocol::find_locale(std::string_view locale) const { return impl_->find_locale(locale); }
int Protocol::find_item(std::string_view id) const { return impl_->find_item(id); }
std::size_t Protocol::item_count() const { return impl_->items.size(); }
const std::string& Protocol::item_id(int slot) const { return impl_->items.at(static_cast<std::size_t>(slot)).id; }
std::size_t Protocol::rule_count() const { return impl_->rules.size(); }
const std::string& Protocol::rule_id(std::size_t rule) const { return impl_->rules.at(rule).id; }
Outcome Protocol::rule_outcome(std::size_t rule) const { return impl_->rules.at(rule).outcome; }
const std::string& Protocol::rule_message(std::size_t rule, std::size_t locale) const {
    return impl_->rules.at(rule).message.in(locale);
}
const std::string& Protocol::rule_clinician_note(std::size_t rule, std::size_t locale) const {
    return impl_->rules.at(rule).clinician_note.in(locale);
}

}  // namespace prescreen
