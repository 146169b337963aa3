#include "convert.hpp"

#include <datetime.h>

#include <cmath>
#include <cstring>

#include "prescreen/date.hpp"
#include "prescreen/json_size.hpp"
#include "results.hpp"

namespace prescreen::python {

namespace {

std::string type_name(PyObject* object) { return Py_TYPE(object)->tp_name; }
bool type_name_is(PyObject* object, const char* name) { return std::strcmp(Py_TYPE(object)->tp_name, name) == 0; }

std::string repr_short(PyObject* object) {
    const auto text = py::reinterpret_steal<py::object>(PyObject_Repr(object));
    const char* data = text ? PyUnicode_AsUTF8(text.ptr()) : nullptr;
    if (!data) PyErr_Clear();
    std::string result = data ? data : "<" + type_name(object) + ">";
    return result.size() > 60 ? result.substr(0, 57) + "..." : result;
}

// One conversion: the options, the budget of an answer set and the error, where it went wrong.
struct Converter {
    const ToJsonOptions& options;
    ConversionError& error;

    bool fail(bool type_error, const char* code, std::string message) {
        error.type_error = type_error;
        error.code = code;
        error.message = std::move(message);
        return false;
    }
    // Spend `bytes` of the answers' budget (when there is one); false when it runs out.
    bool spend(std::size_t bytes) {
        if (!options.bytes_left) return true;
        if (bytes > *options.bytes_left) return error = too_large(options.max_bytes), false;
        *options.bytes_left -= bytes;
        return true;
    }
    // The value failed below `segment`; document_too_large is about the whole answer set (path "").
    bool below(ConversionError::Segment segment) {
        if (error.code != "document_too_large") error.segments.insert(error.segments.begin(), std::move(segment));
        return false;
    }
    bool text(PyObject* object, std::string& out, const char* what) {
        Py_ssize_t size = 0;
        const char* data = PyUnicode_AsUTF8AndSize(object, &size);
        if (!data) return PyErr_Clear(), fail(false, "invalid_text", std::string(what) + " is not valid Unicode (lone surrogate)");
        out.assign(data, static_cast<std::size_t>(size));
        return true;
    }
    bool string(std::string text, json& out) {
        out = std::move(text);
        return spend(json_string_bytes(out.get_ref<const std::string&>()));
    }
    // What `made` (a new reference: a numpy scalar's item(), a datetime's isoformat()...) converts to.
    bool via(PyObject* object, PyObject* made, json& out, std::size_t depth, const char* what = "cannot convert ") {
        const auto plain = py::reinterpret_steal<py::object>(made);
        if (!plain) return PyErr_Clear(), fail(true, "wrong_type", what + type_name(object) + " to a JSON value");
        return value(plain.ptr(), out, depth);
    }
    bool value(PyObject* object, json& out, std::size_t depth);
};

bool Converter::value(PyObject* object, json& out, std::size_t depth) {
    if (depth > options.max_depth)
        return fail(false, "nesting_too_deep", "nested more than " + std::to_string(options.max_depth) + " levels deep");
    if (object == Py_None) return out = nullptr, spend(json_null_bytes);
    if (object == Py_True || object == Py_False) return out = object == Py_True, spend(json_bool_bytes(object == Py_True));
    if (PyUnicode_Check(object)) {
        std::string s;
        return text(object, s, "text") && string(std::move(s), out);
    }
    if (PyLong_Check(object)) {
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(object, &overflow);
        if (overflow == 0 && v == -1 && PyErr_Occurred())
            return PyErr_Clear(), fail(true, "wrong_type", "cannot convert " + type_name(object) + " to an integer");
        if (overflow == 0) return out = static_cast<std::int64_t>(v), spend(out.dump().size());
        const unsigned long long u = overflow > 0 ? PyLong_AsUnsignedLongLong(object) : 0;
        if (overflow > 0 && !PyErr_Occurred()) return out = static_cast<std::uint64_t>(u), spend(out.dump().size());
        return PyErr_Clear(), fail(false, "out_of_range", "integer " + repr_short(object) + " does not fit in 64 bits");
    }
    if (PyFloat_Check(object)) {
        const double v = PyFloat_AS_DOUBLE(object);
        if (std::isnan(v) && options.missing_is_null) return out = nullptr, true;
        if (!std::isfinite(v))
            return fail(false, "not_finite", std::string(std::isnan(v) ? "NaN" : "infinity") + " is not a JSON number (use None for an unanswered item)");
        return out = v, spend(json_number_bytes(v));
    }
    if (PyDict_Check(object)) {
        if (!spend(1)) return false;  // { (each key pays its comma or the closing brace)
        out = json::object();
        auto& target = out.get_ref<json::object_t&>();
        PyObject *key = nullptr, *item = nullptr;
        Py_ssize_t pos = 0;
        std::string name;
        while (PyDict_Next(object, &pos, &key, &item)) {
            if (!PyUnicode_Check(key)) return fail(true, "wrong_type", "keys must be str, not " + type_name(key) + " (" + repr_short(key) + ")");
            if (!text(key, name, "key") || !spend(json_string_bytes(name) + 2)) return false;  // "key": and , or }
            if (!value(item, target[name], depth + 1)) return below({false, 0, name});
        }
        return target.empty() ? spend(1) : true;  // {}
    }
    if (PyList_Check(object) || PyTuple_Check(object)) {
        const auto n = static_cast<std::size_t>(PySequence_Fast_GET_SIZE(object));
        // [], a comma between elements and at least one byte each: a list far over the limit stops here.
        if (!spend(2 + 2 * n - (n > 0 ? 1 : 0))) return false;
        if (options.bytes_left) *options.bytes_left += n;  // each element pays its own
        out = json::array();
        auto& target = out.get_ref<json::array_t&>();
        target.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            if (!value(PySequence_Fast_GET_ITEM(object, i), target[i], depth + 1)) return below({true, i, {}});
        return true;
    }
    if (py::isinstance<JsonResult>(object)) {  // a result (e.g. a ConsentRecord) is its JSON
        out = py::handle(object).cast<const JsonResult&>().value();
        return spend(options.bytes_left ? out.dump().size() : 0);
    }
    if (type_name_is(object, "NaTType") || type_name_is(object, "NAType")) return out = nullptr, true;  // pandas' "no value"
    const bool midnight = PyDateTime_Check(object) && PyDateTime_DATE_GET_HOUR(object) == 0 && PyDateTime_DATE_GET_MINUTE(object) == 0 &&
                          PyDateTime_DATE_GET_SECOND(object) == 0 && PyDateTime_DATE_GET_MICROSECOND(object) == 0 &&
                          py::handle(object).attr("tzinfo").is_none();
    if (PyDateTime_Check(object) && !midnight) return via(object, PyObject_CallMethod(object, "isoformat", nullptr), out, depth);
    if (PyDate_Check(object))
        return string(format_iso_date({PyDateTime_GET_YEAR(object), PyDateTime_GET_MONTH(object), PyDateTime_GET_DAY(object)}), out);
    if (type_name_is(object, "numpy.datetime64")) {  // ISO text; NaT -> null
        std::string s;
        const auto text_object = py::reinterpret_steal<py::object>(PyObject_Str(object));
        if (!text_object) return PyErr_Clear(), fail(true, "wrong_type", "cannot convert numpy.datetime64");
        if (!text(text_object.ptr(), s, "text")) return false;
        if (s == "NaT") return out = nullptr, spend(json_null_bytes);
        return string(s.size() > 10 && s.compare(10, std::string::npos, "T00:00:00") == 0 ? s.substr(0, 10) : s, out);
    }
    if (std::strncmp(Py_TYPE(object)->tp_name, "numpy.", 6) == 0)
        return via(object, PyObject_CallMethod(object, type_name_is(object, "numpy.ndarray") ? "tolist" : "item", nullptr), out, depth);
    if (PyBytes_Check(object) || PyByteArray_Check(object)) return fail(true, "wrong_type", "bytes are not a JSON value (decode them to str)");
    static PyObject* mapping = py::module_::import("collections.abc").attr("Mapping").cast<py::object>().release().ptr();
    static PyObject* sequence = py::module_::import("collections.abc").attr("Sequence").cast<py::object>().release().ptr();
    const auto is_a = [object](PyObject* abc) {
        const int found = PyObject_IsInstance(object, abc);
        if (found < 0) PyErr_Clear();
        return found == 1;
    };
    if (is_a(mapping)) {
        py::dict as_dict;
        return via(object, PyDict_Merge(as_dict.ptr(), object, 1) == 0 ? as_dict.release().ptr() : nullptr, out, depth, "cannot read mapping ");
    }
    if (is_a(sequence)) return via(object, PySequence_List(object), out, depth, "cannot read sequence ");
    return fail(true, "wrong_type", "cannot convert " + type_name(object) + " (" + repr_short(object) +
                                        ") to a JSON value (use dict, list, str, int, float, bool, None or datetime.date)");
}

}  // namespace

void init_convert() {
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI) throw py::error_already_set();
}

std::string ConversionError::pointer() const {
    std::string p;
    for (const auto& s : segments) p += "/" + (s.is_index ? std::to_string(s.index) : json_pointer_token(s.key));
    return p;
}

std::string ConversionError::python_path(std::string_view root) const {
    std::string p(root);
    for (const auto& s : segments) p += s.is_index ? "[" + std::to_string(s.index) + "]" : "['" + s.key + "']";
    return p;
}

void ConversionError::raise(std::string_view argument) const {
    const std::string text = python_path(argument) + ": " + message;
    if (type_error) throw py::type_error(text);
    throw py::value_error(text);
}

bool is_missing(PyObject* object) {
    if (object == Py_None) return true;
    if (PyFloat_Check(object)) return std::isnan(PyFloat_AS_DOUBLE(object));
    return type_name_is(object, "NAType") || type_name_is(object, "NaTType");
}

bool to_json(PyObject* object, json& out, ConversionError& error, const ToJsonOptions& options, std::size_t depth) {
    return Converter{options, error}.value(object, out, depth);
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

py::object made(PyObject* object) {
    if (!object) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(object);
}

}  // namespace

py::object to_python(const json& value) {
    switch (value.type()) {
        case json::value_t::boolean: return py::bool_(value.get<bool>());
        case json::value_t::number_integer: return made(PyLong_FromLongLong(value.get<std::int64_t>()));
        case json::value_t::number_unsigned: return made(PyLong_FromUnsignedLongLong(value.get<std::uint64_t>()));
        case json::value_t::number_float: return made(PyFloat_FromDouble(value.get<double>()));
        case json::value_t::string: {
            const auto& s = value.get_ref<const std::string&>();
            return made(PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace"));
        }
        case json::value_t::array: {
            const auto& a = value.get_ref<const json::array_t&>();
            py::list list(a.size());
            for (std::size_t i = 0; i < a.size(); ++i) PyList_SET_ITEM(list.ptr(), static_cast<Py_ssize_t>(i), to_python(a[i]).release().ptr());
            return list;
        }
        case json::value_t::object: {
            py::dict dict;
            for (const auto& [key, item] : value.get_ref<const json::object_t&>())
                if (PyDict_SetItem(dict.ptr(), made(PyUnicode_DecodeUTF8(key.data(), static_cast<Py_ssize_t>(key.size()), "replace")).ptr(),
                                   to_python(item).ptr()) != 0)
                    throw py::error_already_set();
            return dict;
        }
        default: return py::none();
    }
}

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
