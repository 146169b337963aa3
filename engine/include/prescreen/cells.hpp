// Table cells as answers: the one coercion every tabular path uses (CSV files, DataFrame and
// Parquet columns, Dask partitions, the command line), so the same table gives the same answers
// whichever way it reaches the engine. JSON answers (the form, dicts, JSONL) are not coerced:
// there a string for a yes/no question is the patient's mistake and stays `wrong_type`.
//
// What a cell means, by the type of its item (docs/cells.md):
//   every item      a cell that is empty or only white space is unanswered
//   boolean         true/false, yes/no, y/n, 1/0 in any case, spaces around ignored; numbers 1 and 0
//   integer/decimal a decimal number written in full ("12", "-3.5", " 4 "), spaces around ignored
//   date            an ISO date, spaces around ignored; a midnight time after it ("T00:00:00") dropped
//   choice          the option id, spaces around ignored
//   multi-choice    option ids separated by ";" (or a list), each trimmed, empty parts dropped
//   text            as written
// A cell that does not fit is passed on as it is, so the engine refuses it with the same issue
// (wrong_type, not_an_option, impossible_date...) on every path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "prescreen/screening.hpp"

namespace prescreen {

class CellReader {
public:
    /// Reads cells for `protocol`'s items (the item types are looked up once, here).
    explicit CellReader(const Protocol& protocol);

    /// Item `slot`'s answer from one cell (slot -1: not an item, the cell is passed on as it is).
    /// Strings in the result view the cell's text. A list (multi-choice) has its parts appended to
    /// `parts`: the result's `size` counts them and its `elements` is null, to be pointed at them by
    /// the caller once `parts` stops growing (a vector may move its elements as it grows).
    AnswerValue read(int slot, const AnswerValue& cell, std::vector<AnswerValue>& parts) const;

    /// True when the item is a yes/no question (a whole-number column of 1/0 is read as yes/no).
    bool is_boolean(int slot) const;
    /// True when the item takes a whole number (a float column's whole values are its answers).
    bool is_integer(int slot) const;

private:
    std::vector<std::uint8_t> types_;  // by slot: the item's type
};

/// The item id nearest to a column name that is not an item (fewest edits, ignoring case, "-" and
/// " " read as "_"), or "" when none is close: for "did you mean" in warnings about columns.
std::string nearest_item_id(const Protocol& protocol, std::string_view name);

}  // namespace prescreen
