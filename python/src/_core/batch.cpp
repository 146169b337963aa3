// Batch screening from Python (Protocol._batch, Protocol._frame_batch): rows are read under the GIL
// a chunk at a time (answers_reader.hpp) and screened by the engine's BatchPipeline with the GIL
// released, the calling thread reading the next chunk meanwhile. Generators of millions of rows
// stream: at most two chunks are in memory.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "answers_reader.hpp"
#include "convert.hpp"
#include "prescreen/batch_pipeline.hpp"
#include "table_columns.hpp"

namespace prescreen::python {

namespace {

// A DataFrame's columns (prepared by prescreen._frame) as raw memory, checked once here: the
// engine reads them without bounds checks.
struct Frame {
    std::vector<std::string> ids;
    std::vector<py::object> arrays, codes;  // codes[c]: None, or int64 row codes into arrays[c]
    std::size_t rows = 0;
    std::vector<TableColumn> columns;

    Frame(const Protocol& p, std::vector<std::string> i, std::vector<py::object> a, std::vector<py::object> k, std::size_t n)
        : ids(std::move(i)), arrays(std::move(a)), codes(std::move(k)), rows(n), columns(ids.size()) {
        if (arrays.size() != ids.size() || (!codes.empty() && codes.size() != ids.size()))
            throw py::value_error("columns: ids, arrays and codes differ in length");
        for (std::size_t c = 0; c < ids.size(); ++c) {
            const std::string where = "arrays[" + std::to_string(c) + "]", codes_where = "codes[" + std::to_string(c) + "]";
            if (!py::isinstance<py::array>(arrays[c]) || py::reinterpret_borrow<py::array>(arrays[c]).ndim() != 1)
                throw py::value_error(where + ": expected a 1-D numpy array");
            const auto values = py::reinterpret_borrow<py::array>(arrays[c]);
            TableColumn& column = columns[c];
            column.kind = values.dtype().kind();
            column.itemsize = static_cast<std::size_t>(values.itemsize());
            column.data = static_cast<const char*>(values.data());
            column.stride = values.strides(0);
            column.name_for(p, ids[c]);
            if (std::string_view("fiubO").find(column.kind) == std::string_view::npos)
                throw py::value_error(where + ": expected numbers, booleans or objects");
            if (c >= codes.size() || codes[c].is_none()) {
                if (static_cast<std::size_t>(values.shape(0)) < rows) throw py::value_error(where + ": shorter than the rows");
                continue;
            }
            if (column.kind != 'O') throw py::value_error(where + ": a coded column's values must be objects");
            if (!py::isinstance<py::array_t<std::int64_t>>(codes[c]) || py::reinterpret_borrow<py::array>(codes[c]).ndim() != 1 ||
                static_cast<std::size_t>(py::reinterpret_borrow<py::array>(codes[c]).shape(0)) < rows)
                throw py::value_error(codes_where + ": expected a 1-D int64 array as long as the rows");
            const auto row_codes = py::reinterpret_borrow<py::array_t<std::int64_t>>(codes[c]);
            auto view = row_codes.unchecked<1>();
            for (py::ssize_t i = 0; i < row_codes.shape(0); ++i)
                if (view(i) >= values.shape(0)) throw py::value_error(codes_where + ": a code past the values");
            column.codes = reinterpret_cast<const char*>(row_codes.data());
            column.codes_stride = row_codes.strides(0);
        }
    }
};

class Batch {
public:
    Batch(const Protocol& p, const Context& c, unsigned threads, std::size_t chunk_size, py::object rows, std::unique_ptr<Frame> frame)
        : frame_(std::move(frame)),
          shared_(std::make_shared<const ScreeningContext>(p, c)),
          invalid_row_(py::module_::import("prescreen._types").attr("InvalidRow")) {
        std::size_t known = frame_ ? frame_->rows : 0;
        if (PyList_CheckExact(rows.ptr()) || PyTuple_CheckExact(rows.ptr())) known = static_cast<std::size_t>(PySequence_Fast_GET_SIZE(rows.ptr()));
        if (!frame_) iterator_ = py::reinterpret_steal<py::object>(PyObject_GetIter(rows.ptr()));
        if (!frame_ && !iterator_) throw py::error_already_set();
        pipeline_ = std::make_unique<BatchPipeline>(p, c, threads, chunk_size, known);
    }
    ~Batch() {
        py::gil_scoped_release release;  // a chunk still being screened is finished without the GIL
        pipeline_.reset();
    }

    /// The next chunk of results (list), or None when every row has been returned.
    py::object next_chunk() {
        AnswerChunk* done = next();
        if (!done) return py::none();
        py::list out(done->size());
        for (std::size_t i = 0; i < done->size(); ++i)
            PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), wrap_screening(std::move(done->records[i]), shared_).release().ptr());
        return out;
    }

    /// Every row left, screened into the result table's columns (table_columns.hpp) rather than
    /// result objects; `progress(rows_done)` (None: not called) after each chunk.
    py::dict table(py::object progress) {
        ResultColumns columns;
        columns.reserve(frame_ ? frame_->rows : 0);
        while (AnswerChunk* done = next()) {
            for (const ScreeningRecord& record : done->records) columns.add(record);
            if (!progress.is_none()) progress(columns.rows());
        }
        return table_columns(columns, *shared_);
    }

private:
    AnswerChunk* next() {
        return pipeline_->next([this](AnswerChunk& chunk, std::size_t wanted) { return frame_ ? read_frame(chunk, wanted) : read_rows(chunk, wanted); },
                               [](const std::function<void()>& finish) {
                                   py::gil_scoped_release release;
                                   finish();
                               });
    }

    bool read_rows(AnswerChunk& chunk, std::size_t wanted) {
        for (std::size_t i = 0; i < wanted; ++i) {
            PyObject* row = PyIter_Next(iterator_.ptr());
            if (!row && PyErr_Occurred()) throw py::error_already_set();
            if (!row) return false;
            const auto holder = py::reinterpret_steal<py::object>(row);
            read_row(row, chunk);
        }
        return true;
    }

    bool read_frame(AnswerChunk& chunk, std::size_t wanted) {
        const Protocol& p = shared_->protocol;
        for (const std::size_t end = std::min(frame_->rows, next_row_ + wanted); next_row_ < end; ++next_row_)
            if (!read_frame_entries(p, frame_->columns, next_row_, chunk)) read_json(frame_row(frame_->columns, next_row_).ptr(), chunk, "row", true);
        return next_row_ < frame_->rows;
    }

    // One row: a plain dict straight into entries (the fast path); a JSONL line for the engine to
    // read; an InvalidRow as its error; anything else converted to json, the engine saying what is
    // wrong with whatever converts (a row that is not an object is its not_an_object error).
    void read_row(PyObject* row, AnswerChunk& chunk) {
        if (read_dict_answers(row, shared_->protocol, chunk, &keys_)) return;
        if (PyUnicode_Check(row) || PyBytes_Check(row)) {
            Py_ssize_t size = 0;
            char* data = nullptr;
            if (PyBytes_Check(row)) PyBytes_AsStringAndSize(row, &data, &size);
            else data = const_cast<char*>(PyUnicode_AsUTF8AndSize(row, &size));
            if (!data) return PyErr_Clear(), chunk.add_failed({"malformed_json", "", "the line is not valid UTF-8 text"});
            return chunk.add_text({data, static_cast<std::size_t>(size)});
        }
        const int invalid = PyDict_Check(row) ? 0 : PyObject_IsInstance(row, invalid_row_.ptr());
        if (invalid < 0) throw py::error_already_set();
        const py::handle h(row);
        if (invalid) return chunk.add_failed({h.attr("code").cast<std::string>(), h.attr("path").cast<std::string>(), h.attr("message").cast<std::string>()});
        read_json(row, chunk, PyDict_Check(row) ? "answers" : "row", false);
    }

    void read_json(PyObject* row, AnswerChunk& chunk, const char* root, bool missing_is_null) {
        json value;
        ConversionError error;
        if (to_json(row, value, error, answer_options(shared_->protocol, missing_is_null))) return chunk.add_json(std::move(value));
        chunk.add_failed({error.diagnostic.code, error.diagnostic.path, error.python_path(root) + ": " + error.diagnostic.message});
    }

    std::unique_ptr<Frame> frame_;
    std::size_t next_row_ = 0;
    std::shared_ptr<const ScreeningContext> shared_;  // what the batch's results share
    py::object iterator_, invalid_row_;
    RowKeys keys_;  // destroyed with the GIL held, after the pipeline
    std::unique_ptr<BatchPipeline> pipeline_;
};

}  // namespace

}  // namespace prescreen::python

using namespace prescreen::python;

void register_batch(py::module_& m, py::class_<prescreen::Protocol>& protocol) {
    py::class_<Batch>(m, "_Batch", "Internal: chunked, pipelined batch screening (use Protocol.screen_many).")
        .def("next_chunk", &Batch::next_chunk)
        .def("table", &Batch::table, py::arg("progress") = py::none());
    const auto threads = [](py::handle t) { return static_cast<unsigned>(int_argument(t, "threads", 1, 1024, 0)); };
    const auto chunk = [](py::handle n) { return static_cast<std::size_t>(int_argument(n, "chunk_size", 1, 10'000'000)); };
    protocol.def(
        "_batch",
        [=](const prescreen::Protocol& p, py::object rows, py::handle today, py::handle locale, py::handle t, py::handle n) {
            return std::make_unique<Batch>(p, context_arguments(p, today, locale), threads(t), chunk(n), rows, nullptr);
        },
        py::arg("rows"), py::kw_only(), py::arg("today"), py::arg("locale") = py::none(), py::arg("threads") = py::none(),
        py::arg("chunk_size") = 1024);
    protocol.def(
        "_frame_batch",
        [=](const prescreen::Protocol& p, std::vector<std::string> ids, std::vector<py::object> arrays, std::size_t rows, py::handle today,
            py::handle locale, py::handle t, py::handle n, std::vector<py::object> codes) {
            const prescreen::Context c = context_arguments(p, today, locale);
            auto frame = std::make_unique<Frame>(p, std::move(ids), std::move(arrays), std::move(codes), rows);
            return std::make_unique<Batch>(p, c, threads(t), chunk(n), py::none(), std::move(frame));
        },
        py::arg("ids"), py::arg("arrays"), py::arg("rows"), py::kw_only(), py::arg("today"), py::arg("locale") = py::none(),
        py::arg("threads") = py::none(), py::arg("chunk_size") = 1024, py::arg("codes") = std::vector<py::object>{});
}
