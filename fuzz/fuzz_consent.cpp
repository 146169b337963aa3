// Consent verify and status: any JSON as a record, with and without a seal key.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto record = fuzz::parse(fuzz::as_text(data, size));
    if (!record) return 0;
    const auto plain = prescreen::verify_consent(*record);
    const auto sealed = prescreen::verify_consent(*record, "clinic-seal-key");
    if (!plain.contains("valid") || !sealed.contains("valid")) __builtin_trap();
    try {
        (void)prescreen::consent_status(*record, "2026-11-25", {*record}).dump();
    } catch (const prescreen::UsageError&) {
    }
    return 0;
}
