// How many bytes an answer takes as compact JSON text, the measure of Limits::max_answers_bytes.
// A binding that reads answers from its own objects (Python dicts, DataFrame cells) counts with
// these while it reads, and stops at the limit before spending memory on the rest, so an answer
// set is refused at the same size whether it arrives as text or as objects.
#pragma once

#include <cstddef>
#include <string_view>

namespace prescreen {

/// A JSON string: its quotes plus each byte, with the escapes JSON needs ('"', '\\', controls).
std::size_t json_string_bytes(std::string_view text) noexcept;

/// A JSON number as the engine writes it (integers in digits, others in their shortest form).
std::size_t json_number_bytes(double number) noexcept;

/// `null`, `true`, `false`.
constexpr std::size_t json_null_bytes = 4;
constexpr std::size_t json_bool_bytes(bool value) noexcept { return value ? 4 : 5; }

}  // namespace prescreen
