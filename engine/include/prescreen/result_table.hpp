// The result table: one flat row per screened answer set, the columns analysts read (CSV, Parquet,
// DataFrames, reports). Defined once here; Python's prescreen.io takes its columns from this list.
#pragma once

#include <cstdint>
#include <limits>
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

class ScreeningRecord;

/// The result table of a batch built column by column from its screening records, with no text
/// per row: a binding turns each column into one array (Python: numpy arrays, Arrow list columns)
/// and names the codes once per batch (Protocol::rule_id, item_id, rule_message...).
struct ResultColumns {
    static constexpr std::int64_t no_date = std::numeric_limits<std::int64_t>::min();  // numpy's NaT
    std::vector<std::int8_t> outcome;            // index in outcomes_strictest_first(); -1: an error row
    std::vector<std::int8_t> consent_permitted;  // 1, 0; -1: an error row
    std::vector<std::int64_t> defer_until, today;  // days since 1970-01-01, or no_date
    // List columns as offsets (rows + 1 of them, the first 0) into their values: findings as rule
    // indices (finding_outcomes, patient_messages and clinician_notes are the same rules' texts),
    // missing_required as item slots, issues as "item:code" labels.
    std::vector<std::int32_t> finding_offsets{0}, finding_rules, missing_offsets{0}, missing_items, issue_offsets{0};
    std::vector<std::string> issue_labels;
    struct Error {
        std::size_t row;
        Diagnostic diagnostic;
    };
    std::vector<Error> errors;  // error rows (error_code, error_path, error_message), in row order

    void reserve(std::size_t rows);
    void add(const ScreeningRecord& record);  // the next row: a result or an error
    std::size_t rows() const { return outcome.size(); }
};

}  // namespace prescreen
