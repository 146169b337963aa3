// The JSONL path: every line of the input through Protocol::screen_text, which never throws for
// bad input and gives exactly one result or one {"error": ...} per line; and through the fast path
// Protocol::screen_line, which must write exactly screen_text(line).dump() (a differential check of
// its own reader and text writer against the full parser and json tree).
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& p = fuzz::protocol();
    std::string_view text = fuzz::as_text(data, size);
    std::string fast;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        const auto line = text.substr(0, newline);
        const auto result = p.screen_text(line, fuzz::context());
        if (!result.contains("outcome") && !result.contains("error")) __builtin_trap();
        fast.clear();
        p.screen_line(line, fuzz::context(), fast);
        if (fast != result.dump()) __builtin_trap();
        if (newline == std::string_view::npos) break;
        text.remove_prefix(newline + 1);
    }
    return 0;
}
