#include "prescreen/json_builder.hpp"

#include <charconv>
#include <cmath>

#include "prescreen/json_size.hpp"

namespace prescreen {

namespace {

std::size_t integer_bytes(std::int64_t v) {
    char text[24];
    return static_cast<std::size_t>(std::to_chars(text, text + sizeof text, v).ptr - text);
}
std::size_t integer_bytes(std::uint64_t v) {
    char text[24];
    return static_cast<std::size_t>(std::to_chars(text, text + sizeof text, v).ptr - text);
}

// The key under which `child` sits in `object` (found by address: only a problem needs it).
std::string key_of(const json& object, const json* child) {
    for (auto it = object.begin(); it != object.end(); ++it)
        if (&it.value() == child) return it.key();
    return {};
}

}  // namespace

bool JsonBuilder::null() { return spend(json_null_bytes) && place(nullptr, false); }
bool JsonBuilder::boolean(bool v) { return spend(json_bool_bytes(v)) && place(v, false); }
bool JsonBuilder::integer(std::int64_t v) { return spend(integer_bytes(v)) && place(v, false); }
bool JsonBuilder::integer(std::uint64_t v) { return spend(integer_bytes(v)) && place(v, false); }

bool JsonBuilder::number(double v) {
    if (!std::isfinite(v))
        return fail("not_finite", std::string(std::isnan(v) ? "NaN" : "infinity") + " is not a JSON number (leave an unanswered item out, or give null)");
    return spend(json_number_bytes(v)) && place(v, false);
}

bool JsonBuilder::string(std::string v) { return spend(json_string_bytes(v)) && place(std::move(v), false); }

bool JsonBuilder::value(json v) {
    return spend(limits_.max_answers_bytes ? v.dump(-1, ' ', false, json::error_handler_t::replace).size() : 0) &&
           place(std::move(v), false);
}

bool JsonBuilder::begin_object() {
    return spend(1) && place(json::object(), true);  // { (each key pays its comma or the closing brace)
}

bool JsonBuilder::key(std::string k) {
    if (!spend(json_string_bytes(k) + 2)) return false;  // "key": and , or }
    auto [it, inserted] = open_.back()->get_ref<json::object_t&>().try_emplace(std::move(k));
    if (!inserted) {
        slot_ = &it->second;  // the place of the repeated key
        return fail("duplicate_key", "the key \"" + it->first + "\" appears more than once in the same object");
    }
    slot_ = &it->second;
    return true;
}

bool JsonBuilder::end_object() {
    const bool empty = open_.back()->empty();
    open_.pop_back();
    return empty ? spend(1) : true;  // {}
}

bool JsonBuilder::begin_array(std::size_t size) {
    // [], a comma between elements and at least one byte each: an array far over the limit stops here.
    if (!spend(2 + 2 * size - (size > 0 ? 1 : 0))) return false;
    bytes_left_ += size;  // each element pays its own
    if (!place(json::array(), true)) return false;
    open_.back()->get_ref<json::array_t&>().reserve(size);
    return true;
}

bool JsonBuilder::end_array() {
    open_.pop_back();
    return true;
}

bool JsonBuilder::refuse(std::string code, std::string message) { return fail(std::move(code), std::move(message)); }

bool JsonBuilder::place(json&& v, bool container) {
    if (container && open_.size() + 1 > limits_.max_depth)
        return fail("nesting_too_deep", "arrays and objects are nested more than " + std::to_string(limits_.max_depth) + " levels deep");
    json* at = &root_;
    if (!open_.empty() && open_.back()->is_array()) {
        auto& array = open_.back()->get_ref<json::array_t&>();
        array.push_back(std::move(v));
        at = &array.back();
    } else if (!open_.empty()) {
        *slot_ = std::move(v);
        at = slot_;
    } else {
        root_ = std::move(v);
    }
    if (container) open_.push_back(at);
    return true;
}

bool JsonBuilder::spend(std::size_t bytes) {
    if (!limits_.max_answers_bytes) return true;
    if (bytes > bytes_left_) {
        const std::string limit = std::to_string(limits_.max_answers_bytes);
        return fail("document_too_large", "the answers take more than " + limit + " bytes as JSON text; the limit is " + limit, true);
    }
    bytes_left_ -= bytes;
    return true;
}

bool JsonBuilder::fail(std::string code, std::string message, bool at_root) {
    // Where the refused value goes: the open containers, then its index or key in the innermost.
    problem_steps_.clear();
    for (std::size_t i = 0; !at_root && i < open_.size(); ++i) {
        const json& parent = *open_[i];
        const json* child = i + 1 < open_.size() ? open_[i + 1] : slot_;
        if (parent.is_array()) problem_steps_.push_back({true, i + 1 < open_.size() ? parent.size() - 1 : parent.size(), {}});
        else if (child) problem_steps_.push_back({false, 0, key_of(parent, child)});
    }
    std::string path;
    for (const Step& s : problem_steps_) {  // appended: GCC 12 warns falsely (-Wrestrict) on "/" + std::string
        path += '/';
        path += s.is_index ? std::to_string(s.index) : json_pointer_token(s.key);
    }
    problem_ = Diagnostic{std::move(code), std::move(path), std::move(message)};
    return false;
}

}  // namespace prescreen
