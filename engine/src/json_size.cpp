#include "prescreen/json_size.hpp"

#include <charconv>
#include <cmath>

namespace prescreen {

std::size_t json_string_bytes(std::string_view text) noexcept {
    std::size_t bytes = 2 + text.size();
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u == '"' || u == '\\') bytes += 1;
        else if (u < 0x20) bytes += (u == '\b' || u == '\f' || u == '\n' || u == '\r' || u == '\t') ? 1 : 5;  // \uXXXX
    }
    return bytes;
}

std::size_t json_number_bytes(double number) noexcept {
    if (!std::isfinite(number)) return json_null_bytes;
    char text[32];
    // Whole numbers in the int64 range are written in digits (as json holds integers).
    const bool whole = number == std::floor(number) && std::fabs(number) < 9.0e15;
    const auto written = whole ? std::to_chars(text, text + sizeof text, static_cast<long long>(number))
                               : std::to_chars(text, text + sizeof text, number);
    return static_cast<std::size_t>(written.ptr - text);
}

}  // namespace prescreen
