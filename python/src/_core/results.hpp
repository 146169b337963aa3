// Result objects: thin holders of the engine's JSON. Attributes convert lazily on access, so a batch
// of a million results costs one small object each until someone looks inside; `to_dict()` is exactly
// the C++ JSON as Python objects and `to_json()` the C++ JSON text.
#pragma once

#include <pybind11/pybind11.h>

#include "prescreen/prescreen.hpp"
#include "prescreen/screening.hpp"

namespace prescreen::python {

namespace py = pybind11;
using json = nlohmann::json;

struct FromText {};  // tag: a result held as the engine's JSON text, parsed on first look inside

struct JsonResult {
    JsonResult() = default;
    explicit JsonResult(json v) : value_(std::move(v)), parsed_(true) {}
    // Results that arrive as text (JSONL lines) are parsed only when someone reads a field, and
    // to_json() returns the text as it is.
    JsonResult(std::string text, FromText) : text_(std::move(text)) {}
    // Declared explicitly: a user-declared destructor would otherwise turn every move into a deep copy.
    JsonResult(JsonResult&&) noexcept = default;
    JsonResult& operator=(JsonResult&&) noexcept = default;
    JsonResult(const JsonResult&) = default;
    JsonResult& operator=(const JsonResult&) = default;
    virtual ~JsonResult() = default;

    const json& value() const {
        if (!parsed_) {
            value_ = text_.empty() ? write_tree() : json::parse(text_);
            parsed_ = true;
        }
        return value_;
    }
    /// Compact JSON text, exactly json::dump().
    std::string text() const {
        if (!text_.empty()) return text_;
        if (!parsed_) return write_text();
        return value_.dump(-1, ' ', false, json::error_handler_t::replace);
    }

protected:
    // A result held in another form (a batch's screening record) writes its JSON when first asked.
    virtual json write_tree() const { return nullptr; }
    virtual std::string write_text() const { return value_.dump(); }

private:
    mutable json value_;
    std::string text_;  // empty when built from a json value or written on demand
    mutable bool parsed_ = false;
};
struct FormState : JsonResult { using JsonResult::JsonResult; };
/// What the results of one screen() call or one batch share: the protocol, the screening date and
/// the locale, and Python strings of the rules' texts once a result table has needed them.
struct ScreeningContext {
    ScreeningContext(const Protocol& p, const Context& c) : protocol(p), today_text(c.today), locale(p.locale_index(c.locale)) {}
    prescreen::Protocol protocol;
    std::string today_text;
    std::size_t locale = 0;  // index into the pack's locales
    // By rule: id, outcome, message and clinician note as Python str, made on first use (with the
    // GIL held; results are created and destroyed only under the GIL).
    struct RuleStrings {
        py::object id, outcome, message, clinician_note;
    };
    mutable std::vector<RuleStrings> rule_strings;
    const RuleStrings& strings_of(std::uint32_t rule) const;
    mutable std::vector<py::object> item_strings;  // item ids as Python str, by slot, made on first use
    const py::object& item_id_str(int slot) const;
};

struct ScreeningResult : JsonResult {
    using JsonResult::JsonResult;
    // The engine's record of the screening (a few hundred bytes, where the JSON is about 4 KB).
    // Outcome, deferral and finding ids are read from it; the JSON is written from it on first
    // access to anything else. Results built from JSON (other rows of a batch) have no context.
    ScreeningResult(ScreeningRecord record, std::shared_ptr<const ScreeningContext> context)
        : context(std::move(context)), record(std::move(record)) {}
    std::shared_ptr<const ScreeningContext> context;
    ScreeningRecord record;

protected:
    json write_tree() const override;
    std::string write_text() const override;
};
struct Finding : JsonResult { using JsonResult::JsonResult; };
struct RowError : JsonResult { using JsonResult::JsonResult; };  // {"error": {code, path, message}}
struct ConsentRecord : JsonResult { using JsonResult::JsonResult; };
struct ConsentVerification : JsonResult { using JsonResult::JsonResult; };
struct ConsentStatus : JsonResult { using JsonResult::JsonResult; };

/// A screening's result object: ScreeningResult, or RowError when the record is an error (its
/// envelope is written at once: errors are rare and small).
py::object wrap_screening(ScreeningRecord record, const std::shared_ptr<const ScreeningContext>& context);
void register_results(py::module_& m);

}  // namespace prescreen::python
