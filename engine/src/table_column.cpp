#include "prescreen/table_column.hpp"

#include <cmath>
#include <cstring>

#include "prescreen/json_size.hpp"

namespace prescreen {

namespace {

template <class T>
T cell_as(const char* cell) {
    T value;
    std::memcpy(&value, cell, sizeof value);
    return value;
}

double number_of(char kind, std::size_t itemsize, const char* cell) {
    if (kind == 'f') return itemsize == 4 ? cell_as<float>(cell) : cell_as<double>(cell);
    const bool is_signed = kind == 'i';
    switch (itemsize) {
        case 1: return is_signed ? cell_as<std::int8_t>(cell) : cell_as<std::uint8_t>(cell);
        case 2: return is_signed ? cell_as<std::int16_t>(cell) : cell_as<std::uint16_t>(cell);
        case 4: return is_signed ? cell_as<std::int32_t>(cell) : cell_as<std::uint32_t>(cell);
        default: return is_signed ? static_cast<double>(cell_as<std::int64_t>(cell)) : static_cast<double>(cell_as<std::uint64_t>(cell));
    }
}

}  // namespace

void TableColumn::name_for(const Protocol& protocol, std::string_view name) {
    slot = protocol.find_item(name);
    id = slot >= 0 ? std::string_view(protocol.item_id(slot)) : name;
    member_bytes = json_string_bytes(id) + 2;
}

TableColumn::Cell TableColumn::read(std::size_t row, AnswerValue& value, const void*& object) const {
    const char* cell = data + static_cast<std::ptrdiff_t>(row) * stride;
    if (codes) {
        const auto code = cell_as<std::int64_t>(codes + static_cast<std::ptrdiff_t>(row) * codes_stride);
        if (code < 0) return Cell::Unanswered;
        cell = data + static_cast<std::ptrdiff_t>(code) * stride;
    }
    value = AnswerValue{};
    switch (kind) {
        case 'b':
            value.type = AnswerValue::Type::Bool;
            value.boolean = *cell != 0;
            return Cell::Answer;
        case 'f':
        case 'i':
        case 'u':
            value.type = AnswerValue::Type::Number;
            value.number = number_of(kind, itemsize, cell);
            if (std::isnan(value.number)) return Cell::Unanswered;
            return std::isinf(value.number) ? Cell::NotFinite : Cell::Answer;
        default:
            object = cell_as<const void*>(cell);
            return Cell::Object;
    }
}

}  // namespace prescreen
