// Protocol load: any text as a pack. lint() never throws; a pack that loads is then used once.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);
    const auto diagnostics = prescreen::Protocol::lint(text);
    for (const auto& d : diagnostics)
        if (d.code.empty() || d.message.empty()) __builtin_trap();  // every problem has a code and a message
    if (!diagnostics.empty()) return 0;
    try {
        const auto p = prescreen::Protocol::load(text);
        (void)p.form(prescreen::json::object(), fuzz::context());
        (void)p.screen(prescreen::json::object(), fuzz::context());
        (void)prescreen::canonical_json(p.document());
    } catch (const prescreen::ProtocolError&) {
        __builtin_trap();  // lint said it loads
    } catch (const prescreen::UsageError&) {
    }
    return 0;
}
