// The result table: one flat row per screened answer set, the columns analysts read (CSV, Parquet,
// DataFrames, reports). Defined once here; Python's prescreen.io takes its columns from this list.
#pragma once

#include <string>
#include <vector>

#include "prescreen/prescreen.hpp"

namespace prescreen {

/// Every column, in order: row, outcome, defer_until, findings, finding_outcomes, patient_messages,
/// clinician_notes, consent_permitted, missing_required, issues, today, protocol_id,
/// protocol_version, protocol_digest, error_code, error_path, error_message.
const std::vector<std::string>& result_table_columns();
/// The columns that hold lists (findings, ..., issues).
const std::vector<std::string>& result_table_list_columns();

/// The table fields (every column but `row`) of a result given as JSON — a screening result or an
/// {"error": ...} envelope, e.g. read back from a JSONL file. Missing fields are null, lists empty.
json result_table_fields(const json& result);

}  // namespace prescreen
