// Canonical JSON for digests (RFC 8785 style): keys sorted, no insignificant whitespace.
// nlohmann::json keeps object keys in a std::map, so iteration is already byte-wise sorted, which
// equals RFC 8785's UTF-16 order for every key outside the astral planes.
#include <cmath>

#include "json_input.hpp"
#include "prescreen/prescreen.hpp"

namespace prescreen {

namespace {

void write(const json& v, std::string& out) {
    switch (v.type()) {
        case json::value_t::object: {
            out += '{';
            bool first = true;
            for (auto it = v.begin(); it != v.end(); ++it) {
                if (!first) out += ',';
                first = false;
                out += json(it.key()).dump(-1, ' ', false, json::error_handler_t::strict);
                out += ':';
                write(it.value(), out);
            }
            out += '}';
            return;
        }
        case json::value_t::array: {
            out += '[';
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (i) out += ',';
                write(v[i], out);
            }
            out += ']';
            return;
        }
        case json::value_t::number_float: {
            // A number with no fraction is written as an integer: JavaScript holds 0.0 and 0 as the
            // same value, so a digest must not depend on which was written. NaN and Infinity have
            // no JSON form at all (nlohmann would write null, colliding with a real null).
            const double d = v.get<double>();
            if (!std::isfinite(d)) throw UsageError({"not_finite", "", "NaN and Infinity have no canonical JSON form"});
            if (std::floor(d) == d && std::fabs(d) <= 9007199254740991.0) {
                out += json(static_cast<std::int64_t>(d)).dump();
                return;
            }
            out += v.dump();
            return;
        }
        default:
            out += v.dump(-1, ' ', false, json::error_handler_t::strict);
    }
}

}  // namespace

std::string canonical_json(const json& value) {
    std::vector<Diagnostic> problems;
    if (!check_json_value(value, default_limits().max_nesting_depth, "", problems)) throw UsageError(problems.front());
    std::string out;
    write(value, out);
    return out;
}

}  // namespace prescreen
