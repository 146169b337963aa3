// The result table of a batch as numpy arrays, from the engine's ResultColumns (prescreen/
// result_table.hpp): no Python object per row or per finding. Protocol.screen_frame and
// screen_parquet turn them into Arrow list columns (or Python lists) in one call each.
#pragma once

#include <pybind11/pybind11.h>

#include "prescreen/result_table.hpp"
#include "results.hpp"

namespace prescreen::python {

/// The columns as prescreen._table_columns reads them: outcome int8, defer_until and today int64
/// days (INT64_MIN: none), consent_permitted int8; findings and missing_required as (offsets,
/// codes), issues as (offsets, object array of labels); error_code/path/message object arrays
/// (None but on error rows); strings: {rule_ids, rule_outcomes, rule_messages, rule_notes,
/// item_ids, protocol: (id, version, digest)} in the batch's locale.
py::dict table_columns(const ResultColumns& columns, const ScreeningContext& context);

/// _object_lists(offsets, codes, names): a flat list column as an object array of Python lists.
void register_table_columns(py::module_& m);

}  // namespace prescreen::python
