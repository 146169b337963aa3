#include "batch.hpp"

#include <unistd.h>

#include "convert.hpp"
#include "table_columns.hpp"

namespace prescreen::python {

namespace {

struct Pool {
    std::mutex mutex;
    pid_t owner = getpid();
    std::vector<std::unique_ptr<BatchExecutor>> idle;
};

// Never destroyed: its threads wait for work until the process ends (joining them from a static
// destructor after the interpreter is gone would gain nothing).
Pool& pool() {
    static Pool* p = new Pool;
    return *p;
}

}  // namespace

std::unique_ptr<BatchExecutor> ExecutorPool::take(unsigned threads) {
    Pool& p = pool();
    {
        std::lock_guard<std::mutex> lock(p.mutex);
        if (p.owner != getpid()) {
            // After fork(): these executors' threads do not exist here. Their memory is let go
            // without destroying them (a destructor would wait for threads that never answer).
            for (auto& e : p.idle) (void)e.release();
            p.idle.clear();
            p.owner = getpid();
        }
        for (auto it = p.idle.begin(); it != p.idle.end(); ++it) {
            if ((*it)->threads() == threads) {
                std::unique_ptr<BatchExecutor> found = std::move(*it);
                p.idle.erase(it);
                return found;
            }
        }
    }
    return std::make_unique<BatchExecutor>(threads);
}

void ExecutorPool::give(std::unique_ptr<BatchExecutor> executor) {
    Pool& p = pool();
    std::unique_ptr<BatchExecutor> dropped;  // destroyed (threads joined) outside the lock
    {
        std::lock_guard<std::mutex> lock(p.mutex);
        if (p.owner != getpid()) {
            (void)executor.release();
            return;
        }
        constexpr std::size_t kKept = 4;  // a few thread counts or concurrent batches
        if (p.idle.size() >= kKept) {
            dropped = std::move(p.idle.front());
            p.idle.erase(p.idle.begin());
        }
        p.idle.push_back(std::move(executor));
    }
}

void Chunk::add_row(Kind kind) {
    kinds.push_back(kind);
    entry_first.push_back(entries.size());
    entry_count.push_back(0);
}

void Chunk::seal() {
    fix_element_pointers();
    inputs.clear();
    std::size_t value = 0, text = 0, failure = 0;
    for (std::size_t i = 0; i < size(); ++i) {
        switch (kinds[i]) {
            case Kind::Entries: inputs.push_back(Answers::entries(entries.data() + entry_first[i], entry_count[i])); break;
            case Kind::Json: inputs.push_back(Answers::row(values[value++])); break;
            case Kind::Text: inputs.push_back(Answers::text(texts[text++])); break;
            case Kind::Failed: inputs.push_back(Answers::failed(failures[failure++])); break;
        }
    }
    // Records move into the results they become, so each chunk gets fresh ones.
    records.clear();
    records.resize(size());
}

void Chunk::clear() {
    kinds.clear();
    entry_first.clear();
    entry_count.clear();
    values.clear();
    texts.clear();
    failures.clear();
    inputs.clear();
    records.clear();
    entries.clear();
    elements.clear();
    arrays.clear();
    bytes.clear();
}

Batch::Batch(prescreen::Protocol protocol, Context context, unsigned threads, std::size_t chunk_size)
    : protocol_(std::move(protocol)), context_(std::move(context)), chunk_size_(chunk_size ? chunk_size : 1024),
      executor_(ExecutorPool::take(threads ? threads : 1)) {
    invalid_row_type_ = py::module_::import("prescreen._types").attr("InvalidRow");
    shared_ = std::make_shared<const ScreeningContext>(
        ScreeningContext{protocol_, context_.today, protocol_.locale_index(context_.locale), {}});
}

Batch::~Batch() {
    py::gil_scoped_release release;  // a chunk still being screened is finished without the GIL
    executor_->finish(job_);
    ExecutorPool::give(std::move(executor_));
}

// A batch of known size gets at least two chunks per thread, so reading and screening overlap even
// for a thousand rows (chunks are only made smaller, never larger than asked).
static std::size_t fitted(std::size_t chunk_size, std::size_t rows, unsigned threads) {
    const std::size_t per_thread = (rows + 2 * threads - 1) / (2 * threads);
    return std::min(chunk_size, std::max<std::size_t>(per_thread, 64));
}

void Batch::set_rows(py::object iterable) {
    if (PyList_CheckExact(iterable.ptr()) || PyTuple_CheckExact(iterable.ptr()))
        chunk_size_ = fitted(chunk_size_, static_cast<std::size_t>(PySequence_Fast_GET_SIZE(iterable.ptr())), executor_->threads());
    iterator_ = py::reinterpret_steal<py::object>(PyObject_GetIter(iterable.ptr()));
    if (!iterator_) throw py::error_already_set();
}

void Batch::set_frame(FrameColumns frame) {
    chunk_size_ = fitted(chunk_size_, frame.rows, executor_->threads());
    frame_ = std::move(frame);
}

// One row: a plain dict straight into entries (the fast path); anything else converted to json or
// taken as a JSONL line; what cannot be read becomes the row's error, worded here.
void Batch::read_row(PyObject* row, Chunk& chunk) {
    const std::size_t first = chunk.entries.size();
    if (read_dict_answers(row, protocol_, chunk, &keys_)) {
        chunk.add_row(Chunk::Kind::Entries);
        chunk.entry_first.back() = first;
        chunk.entry_count.back() = chunk.entries.size() - first;
        return;
    }
    auto failed = [&](Diagnostic d) {
        chunk.add_row(Chunk::Kind::Failed);
        chunk.failures.push_back(std::move(d));
    };
    if (PyUnicode_Check(row) || PyBytes_Check(row)) {
        // JSON text (one JSONL line): read by the engine on a worker thread.
        Py_ssize_t size = 0;
        const char* data = nullptr;
        if (PyBytes_Check(row)) {
            char* raw = nullptr;
            PyBytes_AsStringAndSize(row, &raw, &size);
            data = raw;
        } else {
            data = PyUnicode_AsUTF8AndSize(row, &size);
        }
        if (!data) {
            PyErr_Clear();
            return failed({"malformed_json", "", "the line is not valid UTF-8 text"});
        }
        chunk.add_row(Chunk::Kind::Text);
        chunk.texts.emplace_back(data, static_cast<std::size_t>(size));
        return;
    }
    if (!PyDict_Check(row)) {
        const int invalid = PyObject_IsInstance(row, invalid_row_type_.ptr());
        if (invalid < 0) throw py::error_already_set();
        if (invalid == 1) {
            py::handle h(row);
            return failed({py::cast<std::string>(h.attr("code")), py::cast<std::string>(h.attr("path")),
                           py::cast<std::string>(h.attr("message"))});
        }
    }
    // Dicts the fast reader did not take, other mappings, anything else: the engine says what is
    // wrong with whatever converts (a row that is not an object is its not_an_object error).
    ConversionError error;
    json value;
    std::size_t bytes_left = 0;
    if (!to_json(row, value, error, answer_options(protocol_, bytes_left)))
        return failed({error.code, error.pointer(), error.python_path(PyDict_Check(row) ? "answers" : "row") + ": " + error.message});
    chunk.add_row(Chunk::Kind::Json);
    chunk.values.push_back(std::move(value));
}

void Batch::read_frame_row(const std::vector<ColumnView>& views, std::size_t row, Chunk& chunk) {
    const std::size_t first = chunk.entries.size();
    if (read_frame_entries(protocol_, *frame_, views, row, chunk)) {
        chunk.add_row(Chunk::Kind::Entries);
        chunk.entry_first.back() = first;
        chunk.entry_count.back() = chunk.entries.size() - first;
        return;
    }
    // A cell the fast reader does not know (a date object, a list, infinity...): the row as json.
    json answers;
    Diagnostic failure;
    if (read_frame_json(protocol_, *frame_, views, row, answers, failure)) {
        chunk.add_row(Chunk::Kind::Json);
        chunk.values.push_back(std::move(answers));
    } else {
        chunk.add_row(Chunk::Kind::Failed);
        chunk.failures.push_back(std::move(failure));
    }
}

// The first chunks are small and grow (64, 128, ... up to chunk_size): the workers start on the
// first 64 rows while the rest are read, instead of waiting for a whole chunk to be read.
std::size_t Batch::next_size() {
    const std::size_t size = std::min(chunk_size_, ramp_);
    ramp_ = std::min(chunk_size_, ramp_ * 2);
    return size;
}

std::unique_ptr<Chunk> Batch::read_next() {
    if (exhausted_) return nullptr;
    std::unique_ptr<Chunk> chunk = spare_ ? std::move(spare_) : std::make_unique<Chunk>();
    const std::size_t wanted = next_size();
    if (frame_) {
        const std::size_t begin = frame_next_, end = std::min(frame_->rows, begin + wanted);
        frame_next_ = end;
        if (end == frame_->rows) exhausted_ = true;
        if (begin >= end) return nullptr;
        const std::vector<ColumnView> views = column_views(protocol_, *frame_);
        for (std::size_t row = begin; row < end; ++row) read_frame_row(views, row, *chunk);
    } else {
        for (std::size_t i = 0; i < wanted; ++i) {
            PyObject* row = PyIter_Next(iterator_.ptr());
            if (!row) {
                if (PyErr_Occurred()) throw py::error_already_set();
                exhausted_ = true;
                break;
            }
            py::object holder = py::reinterpret_steal<py::object>(row);
            read_row(row, *chunk);
        }
        if (chunk->size() == 0) return nullptr;
    }
    chunk->seal();
    return chunk;
}

std::unique_ptr<Chunk> Batch::next_screened() {
    if (!running_) {
        running_ = read_next();
        if (!running_) return nullptr;
        job_ = executor_->start(protocol_, context_, running_->inputs.data(), running_->records.data(), running_->size());
    }
    // Read the next chunk while this one is screened.
    std::unique_ptr<Chunk> upcoming;
    try {
        upcoming = read_next();
    } catch (...) {
        {
            py::gil_scoped_release release;
            executor_->finish(job_);
        }
        job_ = nullptr;
        running_.reset();
        throw;
    }
    {
        py::gil_scoped_release release;
        executor_->finish(job_);  // the calling thread screens too, now that it has read ahead
    }
    job_ = nullptr;
    std::unique_ptr<Chunk> done = std::move(running_);
    running_ = std::move(upcoming);
    if (running_)
        job_ = executor_->start(protocol_, context_, running_->inputs.data(), running_->records.data(), running_->size());
    return done;
}

void Batch::recycle(std::unique_ptr<Chunk> done) {
    done->clear();
    spare_ = std::move(done);
}

py::object Batch::next_chunk() {
    std::unique_ptr<Chunk> done = next_screened();
    if (!done) return py::none();
    py::list out(done->size());
    for (std::size_t i = 0; i < done->size(); ++i) {
        py::object result = wrap_screening(std::move(done->records[i]), shared_);
        PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), result.release().ptr());
    }
    recycle(std::move(done));
    return out;
}

py::dict Batch::table(py::object progress) {
    TableColumns columns(frame_ ? frame_->rows : 0);
    std::size_t rows_done = 0;
    while (std::unique_ptr<Chunk> done = next_screened()) {
        for (std::size_t i = 0; i < done->size(); ++i) columns.add(done->records[i], *shared_);
        rows_done += done->size();
        recycle(std::move(done));
        if (!progress.is_none()) progress(rows_done);
    }
    return columns.finish(*shared_);
}

void register_batch(py::module_& m) {
    py::class_<Batch>(m, "_Batch", "Internal: chunked, pipelined batch screening (use Protocol.screen_many).")
        .def("next_chunk", &Batch::next_chunk)
        .def("table", &Batch::table, py::arg("progress") = py::none());
}

}  // namespace prescreen::python
