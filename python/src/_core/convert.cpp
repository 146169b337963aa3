#include "convert.hpp"

#include <datetime.h>

#include <cmath>
#include <cstring>

#include "prescreen/date.hpp"
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

// One conversion: Python objects walked into the engine's JsonBuilder, which counts the answers'
// size, keeps the nesting limit and says where a value was refused; this only knows Python's types.
struct Converter {
    const ToJsonOptions& options;
    JsonBuilder& out;

    bool text(PyObject* object, std::string& s, const char* what) {
        Py_ssize_t size = 0;
        const char* data = PyUnicode_AsUTF8AndSize(object, &size);
        if (!data) return PyErr_Clear(), out.refuse("invalid_text", std::string(what) + " is not valid Unicode (lone surrogate)");
        s.assign(data, static_cast<std::size_t>(size));
        return true;
    }
    // What `made` (a new reference: a numpy scalar's item(), a datetime's isoformat()...) converts to.
    bool via(PyObject* object, PyObject* made, const char* what = "cannot convert ") {
        const auto plain = py::reinterpret_steal<py::object>(made);
        if (!plain) return PyErr_Clear(), out.refuse("wrong_type", what + type_name(object) + " to a JSON value");
        return value(plain.ptr());
    }
    bool value(PyObject* object);
};

bool Converter::value(PyObject* object) {
    if (object == Py_None) return out.null();
    if (object == Py_True || object == Py_False) return out.boolean(object == Py_True);
    if (PyUnicode_Check(object)) {
        std::string s;
        return text(object, s, "text") && out.string(std::move(s));
    }
    if (PyLong_Check(object)) {
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(object, &overflow);
        if (overflow == 0 && v == -1 && PyErr_Occurred())
            return PyErr_Clear(), out.refuse("wrong_type", "cannot convert " + type_name(object) + " to an integer");
        if (overflow == 0) return out.integer(static_cast<std::int64_t>(v));
        const unsigned long long u = overflow > 0 ? PyLong_AsUnsignedLongLong(object) : 0;
        if (overflow > 0 && !PyErr_Occurred()) return out.integer(static_cast<std::uint64_t>(u));
        return PyErr_Clear(), out.refuse("out_of_range", "integer " + repr_short(object) + " does not fit in 64 bits");
    }
    if (PyFloat_Check(object)) {
        const double v = PyFloat_AS_DOUBLE(object);
        return std::isnan(v) && options.missing_is_null ? out.null() : out.number(v);
    }
    if (PyDict_Check(object)) {
        if (!out.begin_object()) return false;
        PyObject *key = nullptr, *item = nullptr;
        Py_ssize_t pos = 0;
        std::string name;
        while (PyDict_Next(object, &pos, &key, &item)) {
            if (!PyUnicode_Check(key)) return out.refuse("wrong_type", "keys must be str, not " + type_name(key) + " (" + repr_short(key) + ")");
            if (!text(key, name, "key") || !out.key(std::move(name)) || !value(item)) return false;
        }
        return out.end_object();
    }
    if (PyList_Check(object) || PyTuple_Check(object)) {
        const auto n = static_cast<std::size_t>(PySequence_Fast_GET_SIZE(object));
        if (!out.begin_array(n)) return false;
        for (std::size_t i = 0; i < n; ++i)
            if (!value(PySequence_Fast_GET_ITEM(object, i))) return false;
        return out.end_array();
    }
    if (py::isinstance<JsonResult>(object)) return out.value(py::handle(object).cast<const JsonResult&>().value());  // e.g. a ConsentRecord
    if (type_name_is(object, "NaTType") || type_name_is(object, "NAType")) return out.null();  // pandas' "no value"
    const bool midnight = PyDateTime_Check(object) && PyDateTime_DATE_GET_HOUR(object) == 0 && PyDateTime_DATE_GET_MINUTE(object) == 0 &&
                          PyDateTime_DATE_GET_SECOND(object) == 0 && PyDateTime_DATE_GET_MICROSECOND(object) == 0 &&
                          py::handle(object).attr("tzinfo").is_none();
    if (PyDateTime_Check(object) && !midnight) return via(object, PyObject_CallMethod(object, "isoformat", nullptr));
    if (PyDate_Check(object))
        return out.string(format_iso_date({PyDateTime_GET_YEAR(object), PyDateTime_GET_MONTH(object), PyDateTime_GET_DAY(object)}));
    if (type_name_is(object, "numpy.datetime64")) {  // ISO text; NaT -> null
        std::string s;
        const auto text_object = py::reinterpret_steal<py::object>(PyObject_Str(object));
        if (!text_object) return PyErr_Clear(), out.refuse("wrong_type", "cannot convert numpy.datetime64");
        if (!text(text_object.ptr(), s, "text")) return false;
        if (s == "NaT") return out.null();
        return out.string(s.size() > 10 && s.compare(10, std::string::npos, "T00:00:00") == 0 ? s.substr(0, 10) : s);
    }
    if (std::strncmp(Py_TYPE(object)->tp_name, "numpy.", 6) == 0)
        return via(object, PyObject_CallMethod(object, type_name_is(object, "numpy.ndarray") ? "tolist" : "item", nullptr));
    if (PyBytes_Check(object) || PyByteArray_Check(object)) return out.refuse("wrong_type", "bytes are not a JSON value (decode them to str)");
    static PyObject* mapping = py::module_::import("collections.abc").attr("Mapping").cast<py::object>().release().ptr();
    static PyObject* sequence = py::module_::import("collections.abc").attr("Sequence").cast<py::object>().release().ptr();
    const auto is_a = [object](PyObject* abc) {
        const int found = PyObject_IsInstance(object, abc);
        if (found < 0) PyErr_Clear();
        return found == 1;
    };
    if (is_a(mapping)) {
        py::dict as_dict;
        return via(object, PyDict_Merge(as_dict.ptr(), object, 1) == 0 ? as_dict.release().ptr() : nullptr, "cannot read mapping ");
    }
    if (is_a(sequence)) return via(object, PySequence_List(object), "cannot read sequence ");
    return out.refuse("wrong_type", "cannot convert " + type_name(object) + " (" + repr_short(object) +
                                        ") to a JSON value (use dict, list, str, int, float, bool, None or datetime.date)");
}

}  // namespace

void init_convert() {
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI) throw py::error_already_set();
}

std::string ConversionError::python_path(std::string_view root) const {
    std::string p(root);
    for (const auto& s : steps) p += s.is_index ? "[" + std::to_string(s.index) + "]" : "['" + s.key + "']";
    return p;
}

void ConversionError::raise(std::string_view argument) const {
    const std::string text = python_path(argument) + ": " + diagnostic.message;
    if (diagnostic.code == "wrong_type") throw py::type_error(text);
    throw py::value_error(text);
}

bool is_missing(PyObject* object) {
    if (object == Py_None) return true;
    if (PyFloat_Check(object)) return std::isnan(PyFloat_AS_DOUBLE(object));
    return type_name_is(object, "NAType") || type_name_is(object, "NaTType");
}

bool to_json(PyObject* object, json& out, ConversionError& error, const ToJsonOptions& options) {
    JsonBuilder builder(options.limits);
    if (Converter{options, builder}.value(object)) return out = builder.take(), true;
    error = {*builder.problem(), builder.problem_steps()};
    return false;
}

ToJsonOptions answer_options(const Protocol& protocol, bool missing_is_null) {
    return {{protocol.limits().max_nesting_depth, protocol.limits().max_answers_bytes}, missing_is_null};
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
        problem = error.diagnostic;
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
