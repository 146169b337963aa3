// NaN and Infinity across the JavaScript boundary, without confusing a string with a number.
//
// JSON has no NaN or Infinity. When (and only when) a value holds one, wasm/index.js sends the text
// prefixed with U+FDD0 (a noncharacter: no JSON text starts with it), writes each non-finite number
// as the string "\uFDD0NaN" / "\uFDD0Infinity" / "\uFDD0-Infinity", and escapes every string of its
// own that starts with U+FDD0 by one more U+FDD0. Text without the prefix is never decoded, so a
// patient's name "\uFDD0NaN" stays a string; with the prefix the escape keeps it one too.
// Results (apply_logic) go back the same way, flagged by "non_finite": true in the envelope.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "prescreen/prescreen.hpp"

namespace prescreen_wasm {

using prescreen::json;

inline constexpr std::string_view kMarker = "\xEF\xB7\x90";  // U+FDD0 in UTF-8

inline bool starts_with_marker(std::string_view s) { return s.size() >= kMarker.size() && s.compare(0, kMarker.size(), kMarker) == 0; }

// Both run only for values holding NaN or Infinity: compiled for size.
/// Decode marker strings of a prefixed text's value, in place, without recursion.
__attribute__((minsize)) inline void decode_non_finite(json& root) {
    std::vector<json*> stack{&root};
    while (!stack.empty()) {
        json* v = stack.back();
        stack.pop_back();
        if (v->is_string()) {
            const auto& s = v->get_ref<const std::string&>();
            if (!starts_with_marker(s)) continue;
            std::string_view rest = std::string_view(s).substr(kMarker.size());
            if (rest == "NaN") *v = std::numeric_limits<double>::quiet_NaN();
            else if (rest == "Infinity") *v = std::numeric_limits<double>::infinity();
            else if (rest == "-Infinity") *v = -std::numeric_limits<double>::infinity();
            else if (starts_with_marker(rest)) *v = std::string(rest);  // an escaped string of the caller's
        } else if (v->is_structured()) {
            for (auto& child : *v) stack.push_back(&child);
        }
    }
}

/// Encode non-finite doubles as marker strings (and escape marker-led strings). Returns true when
/// anything non-finite was found; otherwise the value is left exactly as it was.
__attribute__((minsize)) inline bool encode_non_finite(json& root) {
    bool any = false;
    std::vector<json*> all;
    std::vector<json*> stack{&root};
    while (!stack.empty()) {
        json* v = stack.back();
        stack.pop_back();
        all.push_back(v);
        if (v->is_number_float() && !std::isfinite(v->get<double>())) any = true;
        else if (v->is_structured())
            for (auto& child : *v) stack.push_back(&child);
    }
    if (!any) return false;
    for (json* v : all) {
        if (v->is_number_float()) {
            const double d = v->get<double>();
            if (std::isnan(d)) *v = std::string(kMarker) + "NaN";
            else if (std::isinf(d)) *v = std::string(kMarker) + (d > 0 ? "Infinity" : "-Infinity");
        } else if (v->is_string() && starts_with_marker(v->get_ref<const std::string&>())) {
            *v = std::string(kMarker) + v->get<std::string>();
        }
    }
    return true;
}

}  // namespace prescreen_wasm
