// Result objects: thin holders of the engine's JSON. Attributes convert lazily on access, so a batch
// of a million results costs one small object each until someone looks inside; `to_dict()` is exactly
// the C++ JSON as Python objects and `to_json()` the C++ JSON text.
#pragma once

#include <pybind11/pybind11.h>

#include "prescreen/prescreen.hpp"
#include "protocol_internal.hpp"

namespace prescreen::python {

namespace py = pybind11;
using json = nlohmann::json;

struct FromText {};  // tag: a result held as the engine's JSON text, parsed on first look inside

struct JsonResult {
    JsonResult() = default;
    explicit JsonResult(json v) : value_(std::move(v)), parsed_(true) {}
    // Batch results arrive as text (the engine writes it without building a tree): a million rows
    // cost one string each until someone reads a field, and to_json() returns the text as it is.
    JsonResult(std::string text, FromText) : text_(std::move(text)) {}
    // Declared explicitly: a user-declared destructor would otherwise turn every move into a deep copy.
    JsonResult(JsonResult&&) noexcept = default;
    JsonResult& operator=(JsonResult&&) noexcept = default;
    JsonResult(const JsonResult&) = default;
    JsonResult& operator=(const JsonResult&) = default;
    virtual ~JsonResult() = default;

    const json& value() const {
        if (!parsed_) {
            value_ = json::parse(text_);
            parsed_ = true;
        }
        return value_;
    }
    /// Compact JSON text, exactly json::dump().
    std::string text() const {
        return text_.empty() ? value_.dump(-1, ' ', false, json::error_handler_t::replace) : text_;
    }

private:
    mutable json value_;
    std::string text_;  // empty when built from a json value
    mutable bool parsed_ = false;
};
struct FormState : JsonResult { using JsonResult::JsonResult; };
/// What every result of one batch shares: the protocol (for rule ids) and the screening date.
struct BatchContext {
    prescreen::Protocol protocol;
    Date today;
};

struct ScreeningResult : JsonResult {
    using JsonResult::JsonResult;
    // From a batch: outcome, deferral and finding ids kept natively, so reading them does not parse
    // the text. Valid when `batch` is set.
    std::shared_ptr<const BatchContext> batch;
    detail::ScreeningSummary summary;
};
struct Finding : JsonResult { using JsonResult::JsonResult; };
struct RowError : JsonResult { using JsonResult::JsonResult; };  // {"error": {code, path, message}}
struct ConsentRecord : JsonResult { using JsonResult::JsonResult; };
struct ConsentVerification : JsonResult { using JsonResult::JsonResult; };
struct ConsentStatus : JsonResult { using JsonResult::JsonResult; };

/// A batch row's result: ScreeningResult, or RowError when the engine answered {"error": ...}.
py::object wrap_screening(json value);
/// The same from the engine's result text (ScreeningResult, or RowError for {"error": ...}).
py::object wrap_screening_text(std::string text);
/// A batch row's text with its summary (ScreeningResult whose common fields need no parsing).
py::object wrap_screening_text(std::string text, const std::shared_ptr<const BatchContext>& batch,
                               detail::ScreeningSummary summary);

void register_results(py::module_& m);

}  // namespace prescreen::python
