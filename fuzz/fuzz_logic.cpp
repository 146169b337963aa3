// JsonLogic compile + apply: input is "RULE\nDATA" (DATA optional). A bad rule is a ProtocolError.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);
    const auto newline = text.find('\n');
    const auto rule = fuzz::parse(text.substr(0, newline));
    if (!rule) return 0;
    prescreen::json input = prescreen::json::object();
    if (newline != std::string_view::npos) {
        auto parsed = fuzz::parse(text.substr(newline + 1));
        if (!parsed) return 0;
        input = std::move(*parsed);
    }
    try {
        (void)prescreen::apply_logic(*rule, input, fuzz::context()).dump();
    } catch (const prescreen::ProtocolError& e) {
        if (e.diagnostics().empty()) __builtin_trap();
    } catch (const prescreen::UsageError&) {
    }
    return 0;
}
