#include "convert.hpp"

#include <datetime.h>

#include <cmath>
#include <cstring>

#include "prescreen/date.hpp"
#include "prescreen/json_size.hpp"
#include "results.hpp"

namespace prescreen::python {

namespace {

py::object& abc_mapping() {
    static py::object* cls = new py::object(py::module_::import("collections.abc").attr("Mapping"));
    return *cls;
}
py::object& abc_sequence() {
    static py::object* cls = new py::object(py::module_::import("collections.abc").attr("Sequence"));
    return *cls;
}

bool type_name_is(PyObject* object, const char* name) { return std::strcmp(Py_TYPE(object)->tp_name, name) == 0; }

bool fail(ConversionError& error, bool type_error, const char* code, std::string message) {
    error.type_error = type_error;
    error.code = code;
    error.message = std::move(message);
    return false;
}

std::string type_name(PyObject* object) { return Py_TYPE(object)->tp_name; }

std::string repr_short(PyObject* object) {
    PyObject* text = PyObject_Repr(object);
    if (!text) {
        PyErr_Clear();
        return "<" + type_name(object) + ">";
    }
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(text, &size);
    std::string result = data ? std::string(data, static_cast<std::size_t>(size)) : "<" + type_name(object) + ">";
    if (!data) PyErr_Clear();
    Py_DECREF(text);
    if (result.size() > 60) result = result.substr(0, 57) + "...";
    return result;
}

bool convert_string(PyObject* object, json& out, ConversionError& error) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(object, &size);
    if (!data) {
        PyErr_Clear();
        return fail(error, false, "invalid_text", "text is not valid Unicode (lone surrogate)");
    }
    out = std::string(data, static_cast<std::size_t>(size));
    return true;
}

bool convert_key(PyObject* key, std::string& out, ConversionError& error) {
    if (!PyUnicode_Check(key)) {
        return fail(error, true, "wrong_type", "keys must be str, not " + type_name(key) + " (" + repr_short(key) + ")");
    }
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(key, &size);
    if (!data) {
        PyErr_Clear();
        return fail(error, false, "invalid_text", "key is not valid Unicode (lone surrogate)");
    }
    out.assign(data, static_cast<std::size_t>(size));
    return true;
}

// Spend `bytes` of the answers' budget (when there is one); false when it runs out.
bool spend(const ToJsonOptions& options, std::size_t bytes, ConversionError& error) {
    if (!options.bytes_left) return true;
    if (bytes <= *options.bytes_left) {
        *options.bytes_left -= bytes;
        return true;
    }
    error = too_large(options.max_bytes);
    return false;
}

// document_too_large is about the whole answer set (path ""), wherever the budget ran out.
bool at_root(const ConversionError& error) { return error.code == "document_too_large"; }

void prepend_key(ConversionError& error, std::string key) {
    if (at_root(error)) return;
    ConversionError::Segment s;
    s.key = std::move(key);
    error.segments.insert(error.segments.begin(), std::move(s));
}
void prepend_index(ConversionError& error, std::size_t index) {
    if (at_root(error)) return;
    ConversionError::Segment s;
    s.is_index = true;
    s.index = index;
    error.segments.insert(error.segments.begin(), std::move(s));
}

bool convert_date(PyObject* object, json& out) {
    Date d{PyDateTime_GET_YEAR(object), PyDateTime_GET_MONTH(object), PyDateTime_GET_DAY(object)};
    out = format_iso_date(d);
    return true;
}

// Calls `method` on object and converts what it returns (numpy scalars and arrays).
bool convert_via(PyObject* object, const char* method, json& out, ConversionError& error, const ToJsonOptions& options,
                 std::size_t depth) {
    PyObject* plain = PyObject_CallMethod(object, method, nullptr);
    if (!plain) {
        PyErr_Clear();
        return fail(error, true, "wrong_type", "cannot convert " + type_name(object) + " to a JSON value");
    }
    bool ok = to_json(plain, out, error, options, depth);
    Py_DECREF(plain);
    return ok;
}

}  // namespace

void init_convert() {
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI) throw py::error_already_set();
}

std::string ConversionError::pointer() const {
    std::string p;
    for (const auto& s : segments) {
        p += '/';
        if (s.is_index) {
            p += std::to_string(s.index);
        } else {
            p += json_pointer_token(s.key);
        }
    }
    return p;
}

std::string ConversionError::python_path(std::string_view root) const {
    std::string p(root);
    for (const auto& s : segments) {
        if (s.is_index) p += "[" + std::to_string(s.index) + "]";
        else p += "['" + s.key + "']";
    }
    return p;
}

void ConversionError::raise(std::string_view argument) const {
    std::string text = python_path(argument) + ": " + message;
    if (type_error) throw py::type_error(text);
    throw py::value_error(text);
}

bool is_missing(PyObject* object) {
    if (object == Py_None) return true;
    if (PyFloat_Check(object)) return std::isnan(PyFloat_AS_DOUBLE(object));
    return type_name_is(object, "NAType") || type_name_is(object, "NaTType");
}

bool to_json(PyObject* object, json& out, ConversionError& error, const ToJsonOptions& options, std::size_t depth) {
    if (depth > options.max_depth) {
        return fail(error, false, "nesting_too_deep",
                    "nested more than " + std::to_string(options.max_depth) + " levels deep");
    }
    if (object == Py_None) {
        out = nullptr;
        return spend(options, json_null_bytes, error);
    }
    if (object == Py_True || object == Py_False) {
        out = object == Py_True;
        return spend(options, json_bool_bytes(object == Py_True), error);
    }
    if (PyUnicode_Check(object))
        return convert_string(object, out, error) &&
               spend(options, json_string_bytes(out.get_ref<const std::string&>()), error);
    if (PyLong_Check(object)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(object, &overflow);
        if (overflow == 0) {
            if (v == -1 && PyErr_Occurred()) {
                PyErr_Clear();
                return fail(error, true, "wrong_type", "cannot convert " + type_name(object) + " to an integer");
            }
            out = static_cast<std::int64_t>(v);
            return spend(options, out.dump().size(), error);
        }
        if (overflow > 0) {
            unsigned long long u = PyLong_AsUnsignedLongLong(object);
            if (!PyErr_Occurred()) {
                out = static_cast<std::uint64_t>(u);
                return spend(options, out.dump().size(), error);
            }
            PyErr_Clear();
        }
        return fail(error, false, "out_of_range", "integer " + repr_short(object) + " does not fit in 64 bits");
    }
    if (PyFloat_Check(object)) {
        double v = PyFloat_AS_DOUBLE(object);
        if (!std::isfinite(v)) {
            if (options.missing_is_null && std::isnan(v)) {
                out = nullptr;
                return true;
            }
            return fail(error, false, "not_finite",
                        std::string(std::isnan(v) ? "NaN" : "infinity") +
                            " is not a JSON number (use None for an unanswered item)");
        }
        out = v;
        return spend(options, json_number_bytes(v), error);
    }
    if (PyDict_Check(object)) {
        if (!spend(options, 2, error)) return false;  // {}
        out = json::object();
        auto& target = out.get_ref<json::object_t&>();
        PyObject *key = nullptr, *value = nullptr;
        Py_ssize_t pos = 0;
        std::string name;
        bool first = true;
        while (PyDict_Next(object, &pos, &key, &value)) {
            if (!convert_key(key, name, error)) return false;
            if (!spend(options, json_string_bytes(name) + (first ? 1 : 2), error)) return false;  // "key": and a comma
            first = false;
            json& slot = target[name];
            if (!to_json(value, slot, error, options, depth + 1)) {
                prepend_key(error, name);
                return false;
            }
        }
        return true;
    }
    if (PyList_Check(object) || PyTuple_Check(object)) {
        PyObject* seq = object;
        Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
        // [], a comma between elements and at least one byte each: a list far over the limit stops here.
        if (!spend(options, 2 + 2 * static_cast<std::size_t>(n) - (n > 0 ? 1 : 0), error)) return false;
        if (options.bytes_left) *options.bytes_left += static_cast<std::size_t>(n);  // each element pays its own
        out = json::array();
        auto& target = out.get_ref<json::array_t&>();
        target.resize(static_cast<std::size_t>(n));
        PyObject** items = PySequence_Fast_ITEMS(seq);
        for (Py_ssize_t i = 0; i < n; ++i) {
            if (!to_json(items[i], target[static_cast<std::size_t>(i)], error, options, depth + 1)) {
                prepend_index(error, static_cast<std::size_t>(i));
                return false;
            }
        }
        return true;
    }
    if (type_name_is(object, "NaTType") || type_name_is(object, "NAType")) {
        out = nullptr;  // pandas' missing markers always mean "no value"
        return true;
    }
    if (PyDateTime_Check(object)) {
        bool midnight = PyDateTime_DATE_GET_HOUR(object) == 0 && PyDateTime_DATE_GET_MINUTE(object) == 0 &&
                        PyDateTime_DATE_GET_SECOND(object) == 0 && PyDateTime_DATE_GET_MICROSECOND(object) == 0;
        PyObject* tz = PyObject_GetAttrString(object, "tzinfo");
        bool naive = tz == Py_None;
        Py_XDECREF(tz);
        if (!tz) PyErr_Clear();
        if (midnight && naive) return convert_date(object, out) && spend(options, json_string_bytes(out.get_ref<const std::string&>()), error);
        return convert_via(object, "isoformat", out, error, options, depth);
    }
    if (PyDate_Check(object))
        return convert_date(object, out) && spend(options, json_string_bytes(out.get_ref<const std::string&>()), error);
    const char* tp = Py_TYPE(object)->tp_name;
    if (std::strncmp(tp, "numpy.", 6) == 0) {
        if (std::strcmp(tp, "numpy.ndarray") == 0) return convert_via(object, "tolist", out, error, options, depth);
        if (std::strcmp(tp, "numpy.datetime64") == 0) {
            // numpy datetime64 -> ISO text; NaT -> null.
            PyObject* text = PyObject_Str(object);
            if (!text) {
                PyErr_Clear();
                return fail(error, true, "wrong_type", "cannot convert numpy.datetime64");
            }
            bool ok = convert_string(text, out, error);
            Py_DECREF(text);
            if (ok && out == "NaT") out = nullptr;
            else if (ok && out.get_ref<const std::string&>().size() > 10 &&
                     out.get_ref<const std::string&>().substr(10) == "T00:00:00")
                out = out.get_ref<const std::string&>().substr(0, 10);
            return ok && spend(options, out.dump().size(), error);
        }
        return convert_via(object, "item", out, error, options, depth);
    }
    if (PyBytes_Check(object) || PyByteArray_Check(object)) {
        return fail(error, true, "wrong_type", "bytes are not a JSON value (decode them to str)");
    }
    int is_mapping = PyObject_IsInstance(object, abc_mapping().ptr());
    if (is_mapping < 0) PyErr_Clear();
    if (is_mapping == 1) {
        PyObject* as_dict = PyDict_New();
        if (!as_dict || PyDict_Merge(as_dict, object, 1) != 0) {
            PyErr_Clear();
            Py_XDECREF(as_dict);
            return fail(error, true, "wrong_type", "cannot read mapping " + type_name(object));
        }
        bool ok = to_json(as_dict, out, error, options, depth);
        Py_DECREF(as_dict);
        return ok;
    }
    int is_sequence = PyObject_IsInstance(object, abc_sequence().ptr());
    if (is_sequence < 0) PyErr_Clear();
    if (is_sequence == 1) {
        PyObject* as_list = PySequence_List(object);
        if (!as_list) {
            PyErr_Clear();
            return fail(error, true, "wrong_type", "cannot read sequence " + type_name(object));
        }
        bool ok = to_json(as_list, out, error, options, depth);
        Py_DECREF(as_list);
        return ok;
    }
    return fail(error, true, "wrong_type",
                "cannot convert " + type_name(object) + " (" + repr_short(object) +
                    ") to a JSON value (use dict, list, str, int, float, bool, None or datetime.date)");
}

ToJsonOptions answer_options(const Protocol& protocol, std::size_t& bytes_left, bool missing_is_null) {
    ToJsonOptions options;
    options.missing_is_null = missing_is_null;
    options.max_depth = protocol.limits().max_nesting_depth;
    bytes_left = options.max_bytes = protocol.limits().max_answers_bytes;
    options.bytes_left = &bytes_left;
    return options;
}

ConversionError too_large(std::size_t limit) {
    ConversionError error;
    error.type_error = false;
    error.code = "document_too_large";
    error.message = "the answers take more than " + std::to_string(limit) + " bytes as JSON text; the limit is " +
                    std::to_string(limit);
    return error;
}

json to_json_or_raise(py::handle object, std::string_view argument, const ToJsonOptions& options) {
    json out;
    ConversionError error;
    if (!to_json(object.ptr(), out, error, options)) error.raise(argument);
    return out;
}

namespace {

PyObject* new_string(const std::string& s) {
    PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
    if (!o) throw py::error_already_set();
    return o;
}

PyObject* build(const json& value) {
    switch (value.type()) {
        case json::value_t::null:
            Py_RETURN_NONE;
        case json::value_t::boolean:
            if (value.get<bool>()) Py_RETURN_TRUE;
            Py_RETURN_FALSE;
        case json::value_t::number_integer:
            return PyLong_FromLongLong(value.get<std::int64_t>());
        case json::value_t::number_unsigned:
            return PyLong_FromUnsignedLongLong(value.get<std::uint64_t>());
        case json::value_t::number_float:
            return PyFloat_FromDouble(value.get<double>());
        case json::value_t::string:
            return new_string(value.get_ref<const std::string&>());
        case json::value_t::array: {
            const auto& a = value.get_ref<const json::array_t&>();
            PyObject* list = PyList_New(static_cast<Py_ssize_t>(a.size()));
            if (!list) throw py::error_already_set();
            for (std::size_t i = 0; i < a.size(); ++i) {
                PyObject* item = nullptr;
                try {
                    item = build(a[i]);
                } catch (...) {
                    Py_DECREF(list);
                    throw;
                }
                PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), item);
            }
            return list;
        }
        case json::value_t::object: {
            PyObject* dict = PyDict_New();
            if (!dict) throw py::error_already_set();
            for (const auto& [key, item] : value.items()) {
                PyObject* k = nullptr;
                PyObject* v = nullptr;
                try {
                    k = new_string(key);
                    v = build(item);
                } catch (...) {
                    Py_XDECREF(k);
                    Py_DECREF(dict);
                    throw;
                }
                int rc = PyDict_SetItem(dict, k, v);
                Py_DECREF(k);
                Py_DECREF(v);
                if (rc != 0) {
                    Py_DECREF(dict);
                    throw py::error_already_set();
                }
            }
            return dict;
        }
        case json::value_t::binary:
        case json::value_t::discarded:
            break;
    }
    Py_RETURN_NONE;
}

}  // namespace

py::object to_python(const json& value) { return py::reinterpret_steal<py::object>(build(value)); }

py::object date_object(const Date& d) {
    PyObject* o = PyDate_FromDate(d.year, d.month, d.day);
    if (!o) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(o);
}

py::object to_date(const json& value) {
    const auto d = value.is_string() ? parse_iso_date(value.get_ref<const std::string&>()) : std::nullopt;
    return d ? date_object(*d) : to_python(value);
}

void wrong_type(std::string_view argument, std::string_view expected, py::handle object) {
    throw py::type_error(std::string(argument) + ": expected " + std::string(expected) + ", got " + type_name(object.ptr()));
}

bool read_json_value(py::handle value, json& out, Diagnostic& problem, std::string_view argument) {
    if (py::isinstance<JsonResult>(value)) {
        out = value.cast<const JsonResult&>().value();
        return true;
    }
    ConversionError error;
    if (!PyUnicode_Check(value.ptr()) && !PyBytes_Check(value.ptr())) {
        if (to_json(value.ptr(), out, error)) return true;
        problem = error.diagnostic();
    } else if (!PyBytes_Check(value.ptr()) && !PyUnicode_AsUTF8(value.ptr())) {
        PyErr_Clear();
        problem = {"invalid_text", "", "the text is not valid Unicode (a lone surrogate?)"};
    } else {
        try {
            out = read_json(text_argument(value, argument));
            return true;
        } catch (const UsageError& e) {
            problem = e.diagnostic();
        }
    }
    return false;
}

json json_argument(py::handle value, std::string_view argument) {
    json out;
    Diagnostic problem;
    if (!read_json_value(value, out, problem, argument))
        throw UsageError({problem.code, problem.path, std::string(argument) + ": " + problem.message});
    return out;
}

std::string iso_date_argument(py::handle value, std::string_view argument, bool allow_none) {
    PyObject* o = value.ptr();
    if (o == Py_None && allow_none) return {};
    if (o == Py_None)
        throw py::type_error(std::string(argument) + ": required, give an ISO date string (\"2026-11-25\") or datetime.date");
    // datetime.datetime is a date too: its calendar date is used.
    if (PyDate_Check(o)) return format_iso_date(Date{PyDateTime_GET_YEAR(o), PyDateTime_GET_MONTH(o), PyDateTime_GET_DAY(o)});
    if (!PyUnicode_Check(o)) wrong_type(argument, "an ISO date string or datetime.date", value);
    std::string text = py::cast<std::string>(value);
    if (!parse_iso_date(text))
        throw py::value_error(std::string(argument) + ": '" + text + "' is not a valid ISO calendar date (YYYY-MM-DD, a day that exists)");
    return text;
}

std::string instant_argument(py::handle at, std::string_view argument) {
    if (PyUnicode_Check(at.ptr())) return py::cast<std::string>(at);
    json value;
    ConversionError error;
    if (!at.is_none() && to_json(at.ptr(), value, error) && value.is_string()) return value.get<std::string>();
    wrong_type(argument, "an ISO date or date-time string, datetime.date or datetime.datetime", at);
}

std::string str_argument(py::handle value, std::string_view argument) {
    if (value.is_none()) return {};
    if (!PyUnicode_Check(value.ptr())) wrong_type(argument, "str", value);
    return py::cast<std::string>(value);
}

std::string text_argument(py::handle value, std::string_view argument) {
    if (PyUnicode_Check(value.ptr())) return py::cast<std::string>(value);
    if (PyBytes_Check(value.ptr())) return std::string(py::cast<py::bytes>(value));
    wrong_type(argument, "str or bytes", value);
}

std::optional<std::string> key_argument(py::handle value, std::string_view argument) {
    if (value.is_none()) return std::nullopt;
    if (!PyUnicode_Check(value.ptr()) && !PyBytes_Check(value.ptr())) wrong_type(argument, "str, bytes or None", value);
    return text_argument(value, argument);
}

std::vector<std::string> ids_argument(py::handle value, std::string_view argument) {
    const json list = to_json_or_raise(value, argument);
    if (!list.is_array()) throw py::type_error(std::string(argument) + ": expected a list of acknowledgement ids");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (!list[i].is_string())
            throw py::type_error(std::string(argument) + "[" + std::to_string(i) + "]: expected str, got " + list[i].type_name());
        out.push_back(list[i].get<std::string>());
    }
    return out;
}

long int_argument(py::handle value, std::string_view argument, long low, long high, long none) {
    if (value.is_none() && none >= 0) return none;
    if (!PyLong_Check(value.ptr()) || PyBool_Check(value.ptr())) wrong_type(argument, none >= 0 ? "int or None" : "int", value);
    const long n = py::cast<long>(value);
    if (n < low || n > high)
        throw py::value_error(std::string(argument) + ": must be between " + std::to_string(low) + " and " + std::to_string(high) +
                              ", got " + std::to_string(n));
    return n;
}

Context context_arguments(const Protocol& p, py::handle today, py::handle locale) {
    Context context{iso_date_argument(today, "today"), str_argument(locale, "locale")};
    if (!context.locale.empty() && !p.find_locale(context.locale)) {
        std::string known;
        for (const auto& l : p.document().value("locales", json::array())) known += (known.empty() ? "" : ", ") + l.get<std::string>();
        throw py::value_error("locale: " + p.id() + " has no texts in '" + context.locale + "' (it has " + known +
                              "); leave locale out for its default");
    }
    return context;
}

}  // namespace prescreen::python
