// Parameters (a clinic may override their values within their range), then the overrides.
#include <set>
#include "../number_text.hpp"

#include "pack_load.hpp"

namespace prescreen::detail {

void load_parameters(PackLoad& pack) {
    Loader& L = pack.L;
    CompiledProtocol& p = pack.p;
    const json& doc = pack.doc;
    const json& overrides = pack.overrides;
    if (auto it = doc.find("parameters"); it != doc.end()) {
        if (!it->is_object()) L.error("wrong_type", "/parameters", "\"parameters\" must be an object of name → parameter");
        else
            for (auto kv = it->begin(); kv != it->end(); ++kv) {
                std::string path = pointer_join("/parameters", kv.key());
                const json& def = kv.value();
                if (!valid_id(kv.key()))
                    L.error("invalid_value", path, "parameter name \"" + kv.key() + "\" must start with a letter and use only letters, digits and _");
                if (!L.object(def, path, {"type", "default"}, {"unit", "min", "max", "options", "description", "sources"}, "a parameter"))
                    continue;
                Parameter param;
                param.name = kv.key();
                param.definition = def;
                const std::string* type = L.string(def, "type", path);
                if (type) param.type = *type;
                static const std::set<std::string> types{"integer", "decimal", "boolean", "string", "duration"};
                if (type && !types.count(*type))
                    L.error("invalid_value", pointer_join(path, "type"), "parameter type must be integer, decimal, boolean, string or duration");
                if (param.type == "duration") {
                    const std::string* unit = L.string(def, "unit", path);
                    if (!unit) L.error("missing_key", pointer_join(path, "unit"), "a duration needs \"unit\": days, months or years");
                    else if (!(param.unit = parse_date_unit(*unit)))
                        L.error("invalid_value", pointer_join(path, "unit"), "unit must be days, months or years");
                }
                bool integral = param.type == "integer" || param.type == "duration";
                auto min = L.number(def, "min", path, integral), max = L.number(def, "max", path, integral);
                if (min && max && *min > *max) L.error("invalid_value", pointer_join(path, "min"), "min is greater than max");
                L.text(def, "description", path, false, /*for_patient=*/false);
                pack.check_sources(def, path, false);
                // Check a value (the default or an override) against type and range.
                auto check = [&](const json& v, const std::string& vpath, const char* wrong_type_code,
                                 const char* range_code) {
                    bool ok_type = (integral && is_integral_number(v)) || (param.type == "decimal" && v.is_number()) ||
                                   (param.type == "boolean" && v.is_boolean()) || (param.type == "string" && v.is_string());
                    if (!ok_type) {
                        L.error(wrong_type_code, vpath, "\"" + param.name + "\" is a " + param.type + " parameter; got " + type_name(v));
                        return false;
                    }
                    if (v.is_number()) {
                        double d = v.get<double>();
                        if ((min && d < *min) || (max && d > *max)) {
                            L.error(range_code, vpath,
                                    "\"" + param.name + "\" must be between " + (min ? number_text(*min) : "-∞") + " and " +
                                        (max ? number_text(*max) : "∞") + "; got " + v.dump());
                            return false;
                        }
                    }
                    if (v.is_string() && def.contains("options") && def["options"].is_array()) {
                        bool found = false;
                        for (const auto& o : def["options"]) found = found || o == v;
                        if (!found) {
                            L.error(range_code, vpath, "\"" + param.name + "\" must be one of " + def["options"].dump());
                            return false;
                        }
                    }
                    return true;
                };
                if (def.contains("default") && type) {
                    if (check(def["default"], pointer_join(path, "default"), "wrong_type", "invalid_value"))
                        param.value = is_integral_number(def["default"]) && integral
                                          ? json(static_cast<long long>(def["default"].get<double>()))
                                          : def["default"];
                }
                if (overrides.is_object() && overrides.contains(param.name) && type) {
                    const json& ov = overrides[param.name];
                    if (check(ov, pointer_join("/overrides", param.name), "override_wrong_type", "override_out_of_range"))
                        param.value = integral ? json(static_cast<long long>(ov.get<double>())) : ov;
                }
                p.parameter_index[param.name] = static_cast<int>(p.parameters.size());
                p.parameters.push_back(std::move(param));
            }
    }
    if (!overrides.is_null() && !overrides.is_object())
        L.error("wrong_type", "/overrides", "overrides must be an object of parameter name → value");
    else if (overrides.is_object())
        for (auto kv = overrides.begin(); kv != overrides.end(); ++kv)
            if (!p.parameter_index.count(kv.key()))
                L.error("override_unknown_parameter", pointer_join("/overrides", kv.key()),
                        "the protocol has no parameter \"" + kv.key() + "\"");
    p.overrides = overrides.is_object() ? overrides : json::object();
    for (const auto& param : p.parameters) p.parameter_values.push_back(to_value(param.value));
}

}  // namespace prescreen::detail
