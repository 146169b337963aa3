// Numbers in words meant for people (messages to patients and pack authors): 12, not 12.0.
#pragma once

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

namespace prescreen::detail {

inline std::string number_text(double d) {
    if (d == std::floor(d) && std::fabs(d) < 9.0e15) return std::to_string(static_cast<long long>(d));
    return nlohmann::json(d).dump();  // the shortest text that reads back as the same double
}

}  // namespace prescreen::detail
