#include "batch.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstring>
#include <thread>

#include "answer_line.hpp"
#include "convert.hpp"
#include "dates.hpp"
#include "protocol_internal.hpp"
#include "results.hpp"

namespace prescreen::python {

namespace {

json error_row(const std::string& code, const std::string& path, const std::string& message) {
    return json{{"error", {{"code", code}, {"path", path}, {"message", message}}}};
}

// Screen one converted row; the engine's own error envelope for anything it refuses.
json screen_one(const prescreen::Protocol& protocol, const Context& context, Chunk& chunk, std::size_t i) {
    try {
        // A row that is not an object is a batch error row, as Protocol::screen_batch and screen_text
        // make it (screen() of one such value instead returns `incomplete`); the engine words it.
        if (!chunk.values[i].is_object()) return protocol.screen_batch({chunk.values[i]}, context, 1).front();
        return protocol.screen(chunk.values[i], context);
    } catch (const UsageError& e) {
        return json{{"error", e.diagnostic().to_json()}};
    } catch (const ProtocolError& e) {
        const auto& d = e.diagnostics();
        return d.empty() ? error_row("protocol_error", "", e.what()) : json{{"error", d.front().to_json()}};
    } catch (const std::exception& e) {
        return error_row("internal_error", "", e.what());
    }
}

}  // namespace

Batch::Batch(prescreen::Protocol protocol, Context context, unsigned threads, std::size_t chunk_size)
    : protocol_(std::move(protocol)), context_(std::move(context)), threads_(threads ? threads : 1),
      chunk_size_(chunk_size ? chunk_size : 1024) {
    invalid_row_type_ = py::module_::import("prescreen._types").attr("InvalidRow");
    today_ = parse_iso_date(context_.today);
    if (today_)
        shared_ = std::make_shared<const ScreeningContext>(
            ScreeningContext{protocol_, *today_, context_.today, protocol_.compiled().locale_index(context_.locale)});
}

Batch::~Batch() {
    {
        py::gil_scoped_release release;
        if (running_ && running_->started) wait(*running_);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        work_ready_.notify_all();
        for (auto& t : workers_) t.join();
    }
}

void Batch::worker_loop() {
    std::uint64_t seen = 0;
    for (;;) {
        Chunk* c = nullptr;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            work_ready_.wait(lock, [&] { return stop_ || generation_ != seen; });
            if (stop_) return;
            seen = generation_;
            c = job_;
        }
        screen_rows(*c);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (--c->pending == 0) chunk_done_.notify_all();
        }
    }
}

void Batch::screen_rows(Chunk& c) {
    const std::size_t n = c.size();
    constexpr std::size_t block = 32;
    for (;;) {
        const std::size_t begin = c.next.fetch_add(block);
        if (begin >= n) return;
        const std::size_t end = std::min(n, begin + block);
        for (std::size_t i = begin; i < end; ++i) screen_row(c, i);
    }
}

namespace {

// Screen row i into its record; a rule that fails at run time gives this row the error envelope.
template <class Screen>
void screen_into_record(Chunk& c, std::size_t i, Screen&& screen) {
    try {
        screen(c.records[i]);
        c.kinds[i] = Chunk::Kind::Record;
    } catch (const ProtocolError& e) {
        c.kinds[i] = Chunk::Kind::Done;
        c.results[i] = detail::error_envelope(e.diagnostics().front());
    } catch (const std::exception& e) {  // never lose the batch (nor the process) to one row
        c.kinds[i] = Chunk::Kind::Done;
        c.results[i] = error_row("internal_error", "", e.what());
    }
}

}  // namespace

// One row on a worker thread (no GIL): its result lands in the chunk at the row's index.
void Batch::screen_row(Chunk& c, std::size_t i) {
    const auto& p = protocol_.compiled();
    switch (c.kinds[i]) {
        case Chunk::Kind::Entries:
            screen_into_record(c, i, [&](detail::ScreeningRecord& r) {
                detail::screen_entries(p, c.entries.data() + c.entry_first[i], c.entry_count[i], *today_, context_.today, r);
            });
            return;
        case Chunk::Kind::Text:
            // A JSONL line: the fast reader takes the common flat object, then it is screened like
            // a dict row. Anything else gets the engine's full parser and its exact diagnostic.
            if (today_) {
                thread_local detail::AnswerLineReader reader;
                if (reader.read(c.texts[i], p, p.limits.max_answers_bytes)) {
                    screen_into_record(c, i, [&](detail::ScreeningRecord& r) {
                        detail::screen_entries(p, reader.entries(), reader.size(), *today_, context_.today, r);
                    });
                    return;
                }
            }
            try {
                protocol_.screen_line(c.texts[i], context_, c.out_texts[i]);
            } catch (const UsageError& e) {
                c.kinds[i] = Chunk::Kind::Done;
                c.results[i] = json{{"error", e.diagnostic().to_json()}};
            } catch (const std::exception& e) {  // never lose the batch (nor the process) to one row
                c.kinds[i] = Chunk::Kind::Done;
                c.results[i] = error_row("internal_error", "", e.what());
            }
            return;
        case Chunk::Kind::Answers:
            if (today_ && c.values[i].is_object()) {
                screen_into_record(c, i, [&](detail::ScreeningRecord& r) {
                    detail::screen_record(p, c.values[i], *today_, context_.today, r);
                });
                return;
            }
            c.results[i] = screen_one(protocol_, context_, c, i);
            return;
        case Chunk::Kind::Done: c.results[i] = std::move(c.values[i]); return;
        case Chunk::Kind::Record: return;  // not reached: rows are screened once
    }
}

// A batch of known size gets at least two chunks per thread, so reading and screening overlap
// even for a thousand rows (chunks are only made smaller, never larger than asked).
void Batch::fit_chunks_to(std::size_t rows) {
    const std::size_t per_thread = (rows + 2 * threads_ - 1) / (2 * threads_);
    chunk_size_ = std::min(chunk_size_, std::max<std::size_t>(per_thread, 64));
}

void Batch::set_rows(py::object iterable) {
    if (PyList_CheckExact(iterable.ptr()) || PyTuple_CheckExact(iterable.ptr()))
        fit_chunks_to(static_cast<std::size_t>(PySequence_Fast_GET_SIZE(iterable.ptr())));
    iterator_ = py::reinterpret_steal<py::object>(PyObject_GetIter(iterable.ptr()));
    if (!iterator_) throw py::error_already_set();
}

void Batch::set_frame(FrameColumns frame) {
    fit_chunks_to(frame.rows);
    frame_ = std::move(frame);
}

namespace {

// What a row has added to the chunk so far, to drop it again when the row needs the json path.
struct RowMark {
    AnswerEntries& chunk;
    std::size_t entries, arrays, elements;
    explicit RowMark(AnswerEntries& c) : chunk(c), entries(c.entries.size()), arrays(c.arrays.size()), elements(c.elements.size()) {}
    bool give_up() const {
        chunk.entries.resize(entries);
        chunk.arrays.resize(arrays);
        chunk.elements.resize(elements);
        return false;
    }
};

// One Python answer as an AnswerInput for the fast path: None, bool, a 64-bit int, a finite float,
// a str (copied into the chunk: workers read it without the GIL while other Python threads may
// change the row), and when `lists` a list or tuple of those. False: the value needs the json path,
// which converts it or words the error (lone surrogates, NaN, big ints, dates, subclasses...).
bool read_value(PyObject* o, AnswerEntries& chunk, detail::AnswerInput& in, bool lists) {
    using Type = detail::AnswerInput::Type;
    if (o == Py_None) {
        in.type = Type::Null;
        return true;
    }
    if (o == Py_True || o == Py_False) {
        in.type = Type::Bool;
        in.boolean = o == Py_True;
        return true;
    }
    if (PyUnicode_CheckExact(o)) {
        Py_ssize_t size = 0;
        const char* data = PyUnicode_AsUTF8AndSize(o, &size);
        if (!data) { PyErr_Clear(); return false; }
        in.type = Type::String;
        in.text = chunk.bytes.copy(data, static_cast<std::size_t>(size));
        return true;
    }
    if (PyLong_CheckExact(o)) {
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (overflow != 0 || (v == -1 && PyErr_Occurred())) { PyErr_Clear(); return false; }
        in.type = Type::Number;
        in.number = static_cast<double>(v);  // as json::get<double>() reads an int64
        return true;
    }
    if (PyFloat_CheckExact(o)) {
        in.type = Type::Number;
        in.number = PyFloat_AS_DOUBLE(o);
        return std::isfinite(in.number);
    }
    if (lists && (PyList_CheckExact(o) || PyTuple_CheckExact(o))) {
        const Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
        PyObject** items = PySequence_Fast_ITEMS(o);
        in.type = Type::Array;
        in.size = static_cast<std::size_t>(n);
        chunk.arrays.push_back({chunk.entries.size(), chunk.elements.size()});  // the entry is pushed next
        for (Py_ssize_t k = 0; k < n; ++k) {
            detail::AnswerInput element;
            if (!read_value(items[k], chunk, element, false)) return false;
            if (element.type != Type::String) {  // only strings can be choices
                element = detail::AnswerInput{};
                element.type = Type::Other;
            }
            chunk.elements.push_back(element);
        }
        return true;
    }
    return false;
}

}  // namespace

bool read_dict_answers(PyObject* row, const detail::CompiledProtocol& p, AnswerEntries& out, KeyCache* keys) {
    if (!PyDict_CheckExact(row) || p.limits.max_nesting_depth < 2) return false;
    const RowMark mark(out);
    PyObject *key = nullptr, *value = nullptr;
    Py_ssize_t pos = 0;
    while (PyDict_Next(row, &pos, &key, &value)) {
        detail::AnswerEntry entry;
        if (const KeyCache::Key* known = keys ? keys->find(key) : nullptr) {
            entry.slot = known->slot;
            entry.id = known->id;
        } else {
            if (!PyUnicode_CheckExact(key)) return mark.give_up();
            Py_ssize_t size = 0;
            const char* data = PyUnicode_AsUTF8AndSize(key, &size);
            if (!data) { PyErr_Clear(); return mark.give_up(); }
            const std::string_view text(data, static_cast<std::size_t>(size));
            entry.slot = p.find_item(text);
            entry.id = entry.slot >= 0 ? std::string_view(p.items[entry.slot].id) : text;
            // Not cached: the key may go with the row, so the entry keeps a copy of an unknown id.
            if (!(keys && keys->insert(key, entry.slot, entry.id)) && entry.slot < 0) entry.id = out.bytes.copy(data, text.size());
        }
        if (!read_value(value, out, entry.value, true)) return mark.give_up();
        out.entries.push_back(entry);
    }
    return true;
}

// The fast path for the common row: a dict of str -> values read_value knows. Anything else
// takes the json path.
bool Batch::read_entries(PyObject* row, Chunk& chunk, std::size_t i) {
    const std::size_t first = chunk.entries.size();
    if (!today_ || !read_dict_answers(row, protocol_.compiled(), chunk, &keys_)) return false;
    chunk.kinds[i] = Chunk::Kind::Entries;
    chunk.entry_first[i] = first;
    chunk.entry_count[i] = chunk.entries.size() - first;
    return true;
}

void Batch::convert_row(PyObject* row, Chunk& chunk, std::size_t i) {
    if (read_entries(row, chunk, i)) return;
    if (PyDict_Check(row)) {
        ConversionError error;
        if (to_json(row, chunk.values[i], error)) {
            chunk.kinds[i] = Chunk::Kind::Answers;
        } else {
            chunk.kinds[i] = Chunk::Kind::Done;
            chunk.values[i] = error_row(error.code, error.pointer(), error.python_path("answers") + ": " + error.message);
        }
        return;
    }
    if (PyUnicode_Check(row) || PyBytes_Check(row)) {
        // JSON text (one JSONL line): parsed by the engine on a worker thread.
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
            chunk.kinds[i] = Chunk::Kind::Done;
            chunk.values[i] = error_row("malformed_json", "", "the line is not valid UTF-8 text");
            return;
        }
        chunk.kinds[i] = Chunk::Kind::Text;
        chunk.texts[i].assign(data, static_cast<std::size_t>(size));
        return;
    }
    int invalid = PyObject_IsInstance(row, invalid_row_type_.ptr());
    if (invalid < 0) throw py::error_already_set();
    if (invalid == 1) {
        py::handle h(row);
        chunk.kinds[i] = Chunk::Kind::Done;
        chunk.values[i] = error_row(py::cast<std::string>(h.attr("code")), py::cast<std::string>(h.attr("path")),
                                    py::cast<std::string>(h.attr("message")));
        return;
    }
    // Other mappings convert like dicts; anything else goes to the engine, which says what is wrong.
    ConversionError error;
    json value;
    if (!to_json(row, value, error)) {
        chunk.kinds[i] = Chunk::Kind::Done;
        chunk.values[i] = error_row(error.code, error.pointer(), error.python_path("row") + ": " + error.message);
        return;
    }
    chunk.kinds[i] = Chunk::Kind::Answers;
    chunk.values[i] = std::move(value);
}

void Chunk::clear() {
    kinds.clear();
    values.clear();
    texts.clear();
    records.clear();
    out_texts.clear();
    results.clear();
    entries.clear();
    elements.clear();
    arrays.clear();
    entry_first.clear();
    entry_count.clear();
    bytes.clear();
    next.store(0);
    pending = 0;
    started = false;
}

namespace {

const char* cell_at(const ColumnView& v, std::size_t row) { return v.data + static_cast<std::ptrdiff_t>(row) * v.stride; }

double float_cell(const ColumnView& v, const char* cell) {
    return v.itemsize == 4 ? static_cast<double>(*reinterpret_cast<const float*>(cell)) : *reinterpret_cast<const double*>(cell);
}

std::int64_t int_cell(const ColumnView& v, const char* cell) {
    switch (v.itemsize) {
        case 1: return *reinterpret_cast<const std::int8_t*>(cell);
        case 2: return *reinterpret_cast<const std::int16_t*>(cell);
        case 4: return *reinterpret_cast<const std::int32_t*>(cell);
        default: return *reinterpret_cast<const std::int64_t*>(cell);
    }
}

std::uint64_t uint_cell(const ColumnView& v, const char* cell) {
    switch (v.itemsize) {
        case 1: return *reinterpret_cast<const std::uint8_t*>(cell);
        case 2: return *reinterpret_cast<const std::uint16_t*>(cell);
        case 4: return *reinterpret_cast<const std::uint32_t*>(cell);
        default: return *reinterpret_cast<const std::uint64_t*>(cell);
    }
}

// "a;b;c" -> a, b, c: spaces around values trimmed, empty parts dropped.
template <class Part>
void split_choices(std::string_view text, Part&& part) {
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t stop = text.find(';', start);
        if (stop == std::string_view::npos) stop = text.size();
        std::string_view piece = text.substr(start, stop - start);
        const auto l = piece.find_first_not_of(" \t");
        if (l != std::string_view::npos) part(piece.substr(l, piece.find_last_not_of(" \t") - l + 1));
        start = stop + 1;
    }
}

}  // namespace

bool Batch::read_frame_entries(const FrameColumns& f, const std::vector<ColumnView>& views, std::size_t row, Chunk& chunk,
                               std::size_t i) {
    using Type = detail::AnswerInput::Type;
    if (!today_ || protocol_.compiled().limits.max_nesting_depth < 2) return false;
    const auto& p = protocol_.compiled();
    const RowMark mark(chunk);
    for (std::size_t c = 0; c < views.size(); ++c) {
        const ColumnView& v = views[c];
        const char* cell = cell_at(v, row);
        detail::AnswerEntry entry;
        entry.slot = p.find_item(f.ids[c]);
        entry.id = entry.slot >= 0 ? std::string_view(p.items[entry.slot].id) : std::string_view(f.ids[c]);
        detail::AnswerInput& in = entry.value;
        switch (v.kind) {
            case 'f': {
                const double d = float_cell(v, cell);
                if (std::isnan(d)) continue;  // unanswered
                if (std::isinf(d)) return mark.give_up();
                in.type = Type::Number;
                in.number = d;
                break;
            }
            case 'i': in.type = Type::Number; in.number = static_cast<double>(int_cell(v, cell)); break;
            case 'u': in.type = Type::Number; in.number = static_cast<double>(uint_cell(v, cell)); break;
            case 'b': in.type = Type::Bool; in.boolean = *reinterpret_cast<const bool*>(cell); break;
            default: {
                PyObject* o = *reinterpret_cast<PyObject* const*>(cell);
                if (is_missing(o)) continue;
                if (!(f.multi_choice[c] && PyUnicode_CheckExact(o))) {
                    if (!read_value(o, chunk, in, true)) return mark.give_up();
                    break;
                }
                // "a;b" in a multi-choice column: the choices, as the json path splits them.
                Py_ssize_t size = 0;
                const char* data = PyUnicode_AsUTF8AndSize(o, &size);
                if (!data) { PyErr_Clear(); return mark.give_up(); }
                const std::string_view text = chunk.bytes.copy(data, static_cast<std::size_t>(size));
                in.type = Type::Array;
                chunk.arrays.push_back({chunk.entries.size(), chunk.elements.size()});  // the entry is pushed next
                split_choices(text, [&](std::string_view part) {
                    detail::AnswerInput element;
                    element.type = Type::String;
                    element.text = part;
                    chunk.elements.push_back(element);
                    ++in.size;
                });
                if (in.size == 0) {  // nothing chosen: unanswered, as the json path leaves it out
                    chunk.arrays.pop_back();
                    continue;
                }
            }
        }
        chunk.entries.push_back(entry);
    }
    chunk.kinds[i] = Chunk::Kind::Entries;
    chunk.entry_first[i] = mark.entries;
    chunk.entry_count[i] = chunk.entries.size() - mark.entries;
    return true;
}

void Batch::read_frame_json(const FrameColumns& f, const std::vector<ColumnView>& views, std::size_t row, Chunk& chunk,
                            std::size_t i) {
    chunk.kinds[i] = Chunk::Kind::Answers;
    json& answers = chunk.values[i] = json::object();
    ToJsonOptions cell_options;
    cell_options.missing_is_null = true;
    for (std::size_t c = 0; c < views.size(); ++c) {
        const ColumnView& v = views[c];
        const std::string& id = f.ids[c];
        const char* cell = cell_at(v, row);
        switch (v.kind) {
            case 'f': {
                const double d = float_cell(v, cell);
                if (std::isnan(d)) break;  // unanswered
                if (std::isinf(d)) {
                    chunk.kinds[i] = Chunk::Kind::Done;
                    chunk.values[i] = error_row("not_finite", "/" + id, "row['" + id + "']: infinity is not a JSON number");
                    return;
                }
                if (f.integer[c] && d == std::floor(d) && std::fabs(d) < 9.0e15) answers[id] = static_cast<std::int64_t>(d);
                else answers[id] = d;
                break;
            }
            case 'i': answers[id] = int_cell(v, cell); break;
            case 'u': answers[id] = uint_cell(v, cell); break;
            case 'b': answers[id] = *reinterpret_cast<const bool*>(cell); break;
            default: {
                PyObject* o = *reinterpret_cast<PyObject* const*>(cell);
                if (is_missing(o)) break;
                if (f.multi_choice[c] && PyUnicode_Check(o)) {
                    const std::string text = py::cast<std::string>(py::handle(o));
                    json list = json::array();
                    split_choices(text, [&](std::string_view part) { list.push_back(std::string(part)); });
                    if (!list.empty()) answers[id] = std::move(list);
                    break;
                }
                if (f.integer[c] && PyFloat_Check(o)) {
                    const double d = PyFloat_AS_DOUBLE(o);
                    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
                        answers[id] = static_cast<std::int64_t>(d);
                        break;
                    }
                }
                ConversionError error;
                json value;
                if (!to_json(o, value, error, cell_options)) {
                    error.segments.insert(error.segments.begin(), ConversionError::Segment{false, 0, id});
                    chunk.kinds[i] = Chunk::Kind::Done;
                    chunk.values[i] = error_row(error.code, error.pointer(), error.python_path("row") + ": " + error.message);
                    return;
                }
                if (!value.is_null()) answers[id] = std::move(value);
            }
        }
    }
}

std::unique_ptr<Chunk> Batch::convert_next() {
    if (exhausted_) return nullptr;
    std::unique_ptr<Chunk> chunk = spare_ ? std::move(spare_) : std::make_unique<Chunk>();
    if (frame_) {
        const FrameColumns& f = *frame_;
        std::size_t begin = frame_next_;
        std::size_t end = std::min(f.rows, begin + chunk_size_);
        frame_next_ = end;
        if (begin >= end) {
            exhausted_ = true;
            return nullptr;
        }
        if (end == f.rows) exhausted_ = true;
        const std::size_t n = end - begin;
        chunk->kinds.assign(n, Chunk::Kind::Entries);
        chunk->values.resize(n);
        chunk->texts.resize(n);
        chunk->entry_first.assign(n, 0);
        chunk->entry_count.assign(n, 0);
        std::vector<ColumnView> views;
        for (const auto& a : f.arrays) {
            py::array arr = py::reinterpret_borrow<py::array>(a);
            ColumnView v;
            v.kind = arr.dtype().kind();
            v.itemsize = static_cast<std::size_t>(arr.itemsize());
            v.data = static_cast<const char*>(arr.data());
            v.stride = arr.strides(0);
            views.push_back(v);
        }
        // Row by row: each row's cells become entries, or — when a cell needs more than the fast
        // reader knows (a date object, a list, infinity...) — the row is built as json instead.
        for (std::size_t k = 0; k < n; ++k) {
            if (read_frame_entries(f, views, begin + k, *chunk, k)) continue;
            read_frame_json(f, views, begin + k, *chunk, k);
        }
        chunk->fix_element_pointers();
        return chunk;
    }

    chunk->kinds.reserve(chunk_size_);
    for (std::size_t i = 0; i < chunk_size_; ++i) {
        PyObject* row = PyIter_Next(iterator_.ptr());
        if (!row) {
            if (PyErr_Occurred()) throw py::error_already_set();
            exhausted_ = true;
            break;
        }
        py::object holder = py::reinterpret_steal<py::object>(row);
        chunk->kinds.push_back(Chunk::Kind::Done);
        chunk->values.emplace_back();
        chunk->texts.emplace_back();
        chunk->entry_first.push_back(0);
        chunk->entry_count.push_back(0);
        convert_row(row, *chunk, chunk->kinds.size() - 1);
    }
    if (chunk->kinds.empty()) return nullptr;
    chunk->fix_element_pointers();
    return chunk;
}

void Batch::start(Chunk& chunk) {
    if (workers_.empty())  // the calling thread is the last of `threads`
        for (unsigned t = 1; t < threads_; ++t) workers_.emplace_back([this] { worker_loop(); });
    chunk.results.resize(chunk.size());
    chunk.out_texts.resize(chunk.size());
    chunk.records.resize(chunk.size());
    chunk.next.store(0);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        chunk.pending = static_cast<unsigned>(workers_.size());
        chunk.started = true;
        job_ = &chunk;
        ++generation_;
    }
    work_ready_.notify_all();
}

// Called without the GIL.
void Batch::wait(Chunk& chunk) {
    std::unique_lock<std::mutex> lock(mutex_);
    chunk_done_.wait(lock, [&] { return chunk.pending == 0; });
    chunk.started = false;
}

py::object Batch::next_chunk() {
    if (!running_) {
        running_ = convert_next();
        if (!running_) return py::none();
        start(*running_);
    }
    // Convert the next chunk while this one is being screened.
    std::unique_ptr<Chunk> upcoming;
    try {
        upcoming = convert_next();
    } catch (...) {
        {
            py::gil_scoped_release release;
            wait(*running_);
        }
        running_.reset();
        throw;
    }
    {
        py::gil_scoped_release release;
        screen_rows(*running_);  // the calling thread screens too, now that it has read ahead
        wait(*running_);
    }
    std::unique_ptr<Chunk> done = std::move(running_);
    running_ = std::move(upcoming);
    if (running_) start(*running_);
    py::list out(done->size());
    for (std::size_t i = 0; i < done->size(); ++i) {
        py::object result;
        switch (done->kinds[i]) {
            case Chunk::Kind::Record: result = wrap_screening_record(std::move(done->records[i]), shared_); break;
            case Chunk::Kind::Text: result = wrap_screening_text(std::move(done->out_texts[i])); break;
            default: result = wrap_screening(std::move(done->results[i]));
        }
        PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), result.release().ptr());
    }
    done->clear();
    spare_ = std::move(done);
    return out;
}

void register_batch(py::module_& m) {
    py::class_<Batch>(m, "_Batch", "Internal: chunked, pipelined batch screening (use Protocol.screen_many).")
        .def("next_chunk", &Batch::next_chunk);
}

}  // namespace prescreen::python
