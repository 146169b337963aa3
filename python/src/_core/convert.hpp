// Python objects <-> nlohmann::json, directly through the CPython API (no json.dumps round trip).
// Python never interprets answers: it only changes their representation. Dates given as
// datetime.date become ISO strings; the engine decides whether they are valid.
#pragma once

#include <pybind11/pybind11.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prescreen/date.hpp"
#include "prescreen/json_builder.hpp"
#include "prescreen/prescreen.hpp"

namespace prescreen::python {

namespace py = pybind11;
using json = nlohmann::json;

/// Why a Python value could not become JSON: the engine's JsonBuilder refusal (code, JSON Pointer,
/// message), or the converter's own for a Python object that has no JSON form.
struct ConversionError {
    Diagnostic diagnostic;
    std::vector<JsonBuilder::Step> steps;  // where, outermost first

    std::string python_path(std::string_view root) const;  // e.g. answers['areas'][2]
    /// TypeError for an object of the wrong kind, ValueError for a bad value; naming the argument.
    [[noreturn]] void raise(std::string_view argument) const;
};

struct ToJsonOptions {
    JsonBuilder::Limits limits;    // answers: the protocol's depth and size limits (answer_options)
    bool missing_is_null = false;  // NaN (and pandas NA/NaT) means "unanswered" (DataFrame cells)
};

/// The options for an answer set: the protocol's nesting limit and max_answers_bytes.
ToJsonOptions answer_options(const Protocol& protocol, bool missing_is_null = false);

/// Call once at module import (datetime C API).
void init_convert();

/// Convert; on failure fill `error` and return false.
bool to_json(PyObject* object, json& out, ConversionError& error, const ToJsonOptions& options = {});

/// Convert or raise TypeError/ValueError naming `argument`.
json to_json_or_raise(py::handle object, std::string_view argument, const ToJsonOptions& options = {});

/// True for None, float NaN, pandas.NA and pandas.NaT (the "missing" markers of a DataFrame).
bool is_missing(PyObject* object);

/// JSON -> plain Python objects (dict, list, str, int, float, bool, None).
py::object to_python(const json& value);
/// datetime.date of an engine date; of a json value: the date for an ISO date string, else the value.
py::object date_object(const Date& date);
py::object to_date(const json& value);

// ---- arguments: each checked once here, and named in what is raised -------------------------
/// TypeError "<argument>: expected <expected>, got <type of object>".
[[noreturn]] void wrong_type(std::string_view argument, std::string_view expected, py::handle object);
/// A JSON value given as a result object, JSON text (str/bytes, read by the engine's strict reader)
/// or Python objects; false with the problem when it is none.
bool read_json_value(py::handle value, json& out, Diagnostic& problem, std::string_view argument);
/// read_json_value, raising UsageError (its message naming `argument`) for the problem.
json json_argument(py::handle value, std::string_view argument);
/// `today` as str or datetime.date -> validated ISO string. Raises TypeError/ValueError naming `argument`.
std::string iso_date_argument(py::handle value, std::string_view argument, bool allow_none = false);
/// A date-time string, or datetime.date/datetime as ISO text (the engine validates it).
std::string instant_argument(py::handle value, std::string_view argument);
/// An optional str argument (None -> empty).
std::string str_argument(py::handle value, std::string_view argument);
/// str (as UTF-8) or bytes.
std::string text_argument(py::handle value, std::string_view argument);
/// A str or bytes key, or None (nullopt).
std::optional<std::string> key_argument(py::handle value, std::string_view argument = "seal_key");
/// An int in [low, high] (bool refused); None gives `none`.
long int_argument(py::handle value, std::string_view argument, long low, long high, long none = -1);
/// today and locale; the locale must be one of the pack's languages (ValueError naming those it has).
Context context_arguments(const Protocol& protocol, py::handle today, py::handle locale);

}  // namespace prescreen::python
