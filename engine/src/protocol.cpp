// prescreen::Protocol: load, identity, form, screen, batch.
#include <algorithm>
#include <thread>

#include "json_input.hpp"
#include "protocol_model.hpp"
#include "protocol_internal.hpp"
#include "prescreen/screening.hpp"

namespace prescreen {

using detail::CompiledProtocol;

Protocol::Protocol(std::shared_ptr<const CompiledProtocol> impl) : impl_(std::move(impl)) {}

namespace {

std::shared_ptr<const CompiledProtocol> compile_text(std::string_view text, const json& overrides, const Limits& limits,
                                                     std::vector<Diagnostic>& diagnostics,
                                                     const json& translations = json()) {
    auto document = parse_json_document(text, limits.max_document_bytes, limits.max_nesting_depth, diagnostics);
    if (!document) return nullptr;
    return detail::compile_protocol(std::move(*document), overrides, limits, diagnostics, translations);
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

Protocol Protocol::load_translated(std::string_view text, const json& translations, const json& overrides,
                                   const Limits& limits) {
    std::vector<Diagnostic> diagnostics;
    auto impl = compile_text(text, overrides, limits, diagnostics, translations);
    if (!impl) throw ProtocolError(std::move(diagnostics));
    return Protocol(std::move(impl));
}

Protocol Protocol::from_json_translated(const json& document, const json& translations, const json& overrides,
                                        const Limits& limits) {
    std::vector<Diagnostic> diagnostics;
    auto impl = detail::compile_protocol(document, overrides, limits, diagnostics, translations);
    if (!impl) throw ProtocolError(std::move(diagnostics));
    return Protocol(std::move(impl));
}

std::vector<Diagnostic> Protocol::lint_translated(std::string_view text, const json& translations, const json& overrides,
                                                  const Limits& limits) {
    std::vector<Diagnostic> diagnostics;
    compile_text(text, overrides, limits, diagnostics, translations);
    return diagnostics;
}

const std::string& Protocol::id() const noexcept { return impl_->id; }
const std::string& Protocol::version() const noexcept { return impl_->version; }
const std::string& Protocol::digest() const noexcept { return impl_->digest; }
const json& Protocol::document() const noexcept { return impl_->document; }
const json& Protocol::overrides() const noexcept { return impl_->overrides; }
const Limits& Protocol::limits() const noexcept { return impl_->limits; }

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

}  // namespace detail

json Protocol::form(const json& answers, const Context& context, FormTexts texts) const {
    return form_of(Answers::tree(answers), context, texts);
}

json Protocol::texts(const Context& context) const {
    // A page asking for Welsh wording is told there is none, rather than shown English.
    std::optional<std::size_t> locale =
        context.locale.empty() ? std::optional<std::size_t>(locale_index("")) : find_locale(context.locale);
    if (!locale)
        throw UsageError({"unknown_locale", "/locale", id() + " has no texts in \"" + context.locale + "\""});
    return detail::all_texts(*impl_, *locale);
}

json Protocol::screen(const json& answers, const Context& context) const {
    ScreeningRecord record;
    screen_into(Answers::tree(answers), context, record);
    if (const Diagnostic* error = record.error()) throw ProtocolError({*error});  // a rule failed at run time
    return write(record);
}

json Protocol::screen_text(std::string_view answers_json, const Context& context) const {
    ScreeningRecord record;
    screen_into(Answers::text(answers_json), context, record);
    return write(record);
}

void Protocol::screen_line(std::string_view answers_json, const Context& context, std::string& out) const {
    thread_local ScreeningRecord record;  // its vectors keep their memory from line to line
    screen_into(Answers::text(answers_json), context, record);
    write_text(record, out);
}

}  // namespace prescreen
