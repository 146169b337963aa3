// Result objects: thin holders of the engine's JSON. Attributes convert lazily on access, so a batch
// of a million results costs one small object each until someone looks inside; `to_dict()` is exactly
// the C++ JSON as Python objects and `to_json()` the C++ JSON text.
#pragma once

#include <pybind11/pybind11.h>

#include "prescreen/prescreen.hpp"

namespace prescreen::python {

namespace py = pybind11;
using json = nlohmann::json;

struct JsonResult {
    json value;
    JsonResult() = default;
    explicit JsonResult(json v) : value(std::move(v)) {}
    // Declared explicitly: a user-declared destructor would otherwise turn every move into a deep copy.
    JsonResult(JsonResult&&) noexcept = default;
    JsonResult& operator=(JsonResult&&) noexcept = default;
    JsonResult(const JsonResult&) = default;
    JsonResult& operator=(const JsonResult&) = default;
    virtual ~JsonResult() = default;
};
struct FormState : JsonResult { using JsonResult::JsonResult; };
struct ScreeningResult : JsonResult { using JsonResult::JsonResult; };
struct Finding : JsonResult { using JsonResult::JsonResult; };
struct RowError : JsonResult { using JsonResult::JsonResult; };  // {"error": {code, path, message}}
struct ConsentRecord : JsonResult { using JsonResult::JsonResult; };
struct ConsentVerification : JsonResult { using JsonResult::JsonResult; };
struct ConsentStatus : JsonResult { using JsonResult::JsonResult; };

/// A batch row's result: ScreeningResult, or RowError when the engine answered {"error": ...}.
py::object wrap_screening(json value);

void register_results(py::module_& m);

}  // namespace prescreen::python
