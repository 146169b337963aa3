// A text answer of nothing but spaces, tabs or line breaks says nothing: it counts as unanswered,
// like an empty one (so " " in "other medicines" neither satisfies a required question nor fires a
// rule that reads the text).
#pragma once

#include <string_view>

namespace prescreen::detail {

inline bool is_blank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

}  // namespace prescreen::detail
