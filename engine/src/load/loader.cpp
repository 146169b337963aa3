// Small readers shared by the load steps.
#include "loader.hpp"

namespace prescreen::detail {

const char* type_name(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return "a boolean";
        case json::value_t::string: return "a string";
        case json::value_t::array: return "an array";
        case json::value_t::object: return "an object";
        case json::value_t::number_float: return "a number";
        default: return "an integer";
    }
}

bool valid_id(const std::string& id) {
    if (id.empty() || !std::isalpha(static_cast<unsigned char>(id[0]))) return false;
    return std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool is_integral_number(const json& v) {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    double d = v.get<double>();
    return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15;
}

std::optional<expr::ItemType> parse_item_type(const std::string& t) {
    using T = expr::ItemType;
    static const std::pair<const char*, T> types[] = {{"boolean", T::Boolean}, {"choice", T::Choice},
                                                      {"multi-choice", T::MultiChoice}, {"date", T::Date},
                                                      {"integer", T::Integer}, {"decimal", T::Decimal},
                                                      {"text", T::Text}, {"display", T::Display}};
    for (auto& [name, type] : types)
        if (t == name) return type;
    return std::nullopt;
}

expr::Value to_value(const json& v) {
    if (v.is_boolean()) return expr::Value::from_bool(v.get<bool>());
    if (v.is_number()) return expr::Value::from_number(v.get<double>());
    if (v.is_string()) return expr::Value::from_view(v.get_ref<const std::string&>());
    return expr::Value::null();
}

}  // namespace prescreen::detail
