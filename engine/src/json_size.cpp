#include "prescreen/json_size.hpp"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace prescreen {

namespace {

// Extra bytes each byte takes in a JSON string: 1 for \" \\ \b \f \n \r \t, 5 for other controls (\u00XX).
struct EscapeCost {
    unsigned char extra[256] = {};
    constexpr EscapeCost() {
        for (int c = 0; c < 0x20; ++c) extra[c] = 5;
        for (int c : {'\b', '\f', '\n', '\r', '\t', '"', '\\'}) extra[c] = 1;
    }
};
constexpr EscapeCost kEscape;

}  // namespace

std::size_t json_string_bytes(std::string_view text) noexcept {
    std::size_t bytes = 2 + text.size();
    for (const char c : text) bytes += kEscape.extra[static_cast<unsigned char>(c)];
    return bytes;
}

std::size_t json_number_bytes(double number) noexcept {
    if (!std::isfinite(number)) return json_null_bytes;
    // Whole numbers in the int64 range are written in digits (as json holds integers); others as
    // the engine's writer does (nlohmann's shortest form; libc++ has no floating-point to_chars).
    if (number == std::floor(number) && std::fabs(number) < 9.0e15) {
        char text[24];
        return static_cast<std::size_t>(std::to_chars(text, text + sizeof text, static_cast<long long>(number)).ptr - text);
    }
    return nlohmann::json(number).dump().size();
}

}  // namespace prescreen
