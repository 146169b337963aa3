// The result table built column by column straight from screening records, flat: numpy arrays for
// the outcome (codes in the engine's order), dates (day numbers) and consent; the list columns as
// offsets and codes (rule indices, item slots) with the strings they index given once per batch,
// so no Python object is made per row or per finding. Protocol.screen_frame and screen_parquet
// turn them into Arrow list columns (or Python lists) in one call each.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <vector>

#include "results.hpp"

namespace prescreen::python {

class TableColumns {
public:
    explicit TableColumns(std::size_t rows_hint);
    /// One row: a screening record (a result or an error) of a batch sharing `context`.
    void add(const ScreeningRecord& record, const ScreeningContext& context);
    /// The columns (prescreen/result_table.hpp) as docs/python (prescreen._table_columns) reads them:
    ///   outcome int8 (index in outcomes strictest first, -1 for an error), defer_until and today
    ///   int64 days since 1970 (INT64_MIN: none), consent_permitted int8 (1, 0, -1 for an error);
    ///   findings: (offsets int32[n+1], rule indices int32) — finding_outcomes, patient_messages and
    ///   clinician_notes are the same rules' strings; missing_required: (offsets, item slots);
    ///   issues: (offsets, object array of labels); error_code/path/message: object arrays (None
    ///   but on error rows); strings: {rule_ids, rule_outcomes, rule_messages, rule_notes,
    ///   item_ids, protocol: (id, version, digest)} in the batch's locale.
    py::dict finish(const ScreeningContext& context);

private:
    std::vector<std::int8_t> outcome_, consent_;
    std::vector<std::int64_t> defer_until_, today_;
    std::vector<std::int32_t> finding_offsets_{0}, finding_rules_, missing_offsets_{0}, missing_items_, issue_offsets_{0};
    std::vector<std::string> issue_labels_;
    struct Error {
        std::size_t row;
        std::string code, path, message;
    };
    std::vector<Error> errors_;
};

/// _object_lists(offsets, codes, names): a flat list column as an object array of Python lists.
void register_table_columns(py::module_& m);

}  // namespace prescreen::python
