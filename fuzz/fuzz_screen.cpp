// Answers -> form and screen on a fixed pack. Bad answers never throw (DESIGN.md): they are issues.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& p = fuzz::protocol();
    const auto answers = fuzz::parse(fuzz::as_text(data, size));
    if (!answers) return 0;
    const auto form = p.form(*answers, fuzz::context());
    const auto result = p.screen(*answers, fuzz::context());
    if (!result.contains("outcome")) __builtin_trap();
    (void)form.dump();
    (void)result.dump();
    return 0;
}
