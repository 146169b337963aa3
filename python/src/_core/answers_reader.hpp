// Reading Python answers (plain dicts, DataFrame cells) straight into the engine's answer chunk
// (prescreen/answer_chunk.hpp), so batches screen without the GIL and without building json. What
// this reader does not take goes the json way (convert.hpp), which converts it or words the error.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "prescreen/answer_chunk.hpp"
#include "prescreen/key_cache.hpp"
#include "prescreen/table_column.hpp"

namespace prescreen::python {

namespace py = pybind11;
/// The row keys met in a batch (prescreen/key_cache.hpp), each held here as long as the cache.
/// Destroyed with the GIL held.
struct RowKeys {
    KeyCache cache;
    py::list held;
};

/// A plain Python answer viewed as an AnswerValue: None, bool, a 64-bit int, a float, a str (its
/// text viewed in place, valid while the object lives). False for anything else, lone surrogates and
/// bigger ints included: the caller sends those the json way, which converts them or says why not.
bool scalar_answer(PyObject* object, AnswerValue& value);

/// Append the answers of a plain dict (str keys; None, bool, 64-bit int, finite float, str, and
/// lists or tuples of those) to `chunk` as one row of entries. False, with nothing added, when the
/// row needs the json path, which converts it or words the error. `keys` (optional) finds keys
/// seen before by address.
bool read_dict_answers(PyObject* row, const Protocol& protocol, AnswerChunk& chunk, RowKeys* keys);

/// Row `row` of a DataFrame's columns (object cells read by prescreen._frame through the engine's
/// cell reader) as one row of entries; false, with nothing added, when a cell needs the json path.
bool read_frame_entries(const Protocol& protocol, const std::vector<TableColumn>& columns, std::size_t row, AnswerChunk& chunk);
/// The same row as a dict of its answered cells, for the json path.
py::dict frame_row(const std::vector<TableColumn>& columns, std::size_t row);

}  // namespace prescreen::python
