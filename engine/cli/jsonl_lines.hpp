// The lines of a JSONL stream, for `prescreen screen`: split on \n only (a bare CR is JSON
// whitespace; a CR before the \n is dropped), each read up to a limit (the rest of a longer line
// is skipped, never held). Read a block at a time and split with memchr: taking the stream's
// characters one by one cost more than screening them (a third of the command's instructions).
#pragma once

#include <cstring>
#include <istream>
#include <string>
#include <vector>

enum class LineRead { line, too_long, end };

class JsonlLines {
public:
    explicit JsonlLines(std::istream& in) : in_(in), block_(1 << 16) {}

    /// The next line into `line` (cleared when too long), or end when the stream has no more.
    LineRead next(std::size_t max, std::string& line) {
        line.clear();
        bool any = false, over = false;
        for (;;) {
            if (at_ == end_ && !refill()) break;
            any = true;
            const char* start = block_.data() + at_;
            const std::size_t available = end_ - at_;
            const auto* newline = static_cast<const char*>(std::memchr(start, '\n', available));
            const std::size_t n = newline ? static_cast<std::size_t>(newline - start) : available;
            // Up to max + 1 bytes are kept: one more than the limit may still be a CR before the \n.
            if (!over && n > max + 1 - line.size()) over = true;
            if (!over) line.append(start, n);
            at_ += n;
            if (newline) {
                ++at_;
                break;
            }
        }
        if (!any) return LineRead::end;
        if (!over && !line.empty() && line.back() == '\r') line.pop_back();
        if (line.size() > max) over = true;
        if (over) line.clear();
        return over ? LineRead::too_long : LineRead::line;
    }

private:
    // A block, or what is left of the input (std::cin, synchronised with C stdio, reads it with
    // fread, which waits for the block or the end; a chunk of the command waits for 8,192 lines anyway).
    bool refill() {
        at_ = 0;
        end_ = static_cast<std::size_t>(in_.rdbuf()->sgetn(block_.data(), static_cast<std::streamsize>(block_.size())));
        return end_ > 0;
    }

    std::istream& in_;
    std::vector<char> block_;
    std::size_t at_ = 0, end_ = 0;
};
