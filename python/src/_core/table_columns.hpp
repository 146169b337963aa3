// The result table built column by column straight from screening records: numpy arrays for the
// outcome (codes in the engine's order), dates (day numbers) and consent, and object arrays for
// the rest. Protocol.screen_frame makes its DataFrame from these without one result object per
// row (the per-row objects and their dicts were most of its time).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <vector>

#include "results.hpp"

namespace prescreen::python {

class TableColumns {
public:
    explicit TableColumns(std::size_t rows_hint);
    /// One row: a screening record (a result or an error) of a batch sharing `context`.
    void add(const ScreeningRecord& record, const ScreeningContext& context);
    /// {column: array} for the result table's columns but `row` (prescreen/result_table.hpp):
    /// outcome int8 (index in outcomes strictest first, -1 for an error), defer_until and today
    /// int64 days since 1970 (INT64_MIN: none), consent_permitted int8 (1, 0, -1 for an error),
    /// the others 1-D object arrays (lists, str or None).
    py::dict finish();

private:
    std::vector<std::int8_t> outcome_, consent_;
    std::vector<std::int64_t> defer_until_, today_;
    std::vector<py::object> objects_[12];  // the object columns (table_columns.cpp: kObjectColumns)
};

}  // namespace prescreen::python
