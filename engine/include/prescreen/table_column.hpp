// A column of a table in raw memory (a numpy array, an Arrow buffer), read as one item's answers
// without the runtime's API per cell: numbers and booleans are read here, cells holding the
// runtime's own objects are handed back to the binding. The kinds are numpy's dtype kinds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "prescreen/screening.hpp"

namespace prescreen {

struct TableColumn {
    char kind = 'O';  // 'f' float (4 or 8 bytes), 'i' signed and 'u' unsigned (1-8), 'b' bool, 'O' objects
    std::size_t itemsize = 8;
    const char* data = nullptr;
    std::ptrdiff_t stride = 0;
    // A coded column: row i's cell is data[codes[i]] (int64; -1: unanswered). A yes/no column has
    // few distinct values, each read once rather than once per row.
    const char* codes = nullptr;
    std::ptrdiff_t codes_stride = 0;
    // The column's item, looked up once (name_for): its slot, its id (the column name when no
    // item has it; viewed, so the name must outlive the column) and "id": plus a comma as JSON.
    int slot = -1;
    std::string_view id;
    std::size_t member_bytes = 0;

    void name_for(const Protocol& protocol, std::string_view name);

    enum class Cell { Answer, Unanswered, NotFinite, Object };
    /// Row `row`'s cell: a number or a boolean in `value` (Answer); Unanswered for NaN and a coded
    /// column's -1; NotFinite for an infinity; Object for a cell of kind 'O', whose pointer-sized
    /// content (the binding's object) is put in `object`.
    Cell read(std::size_t row, AnswerValue& value, const void*& object) const;
};

}  // namespace prescreen
