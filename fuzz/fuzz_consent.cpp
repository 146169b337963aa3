// Consent verification, status and events (issue 12):
//  1. the input mutates a sealed record (xor, insert or replace bytes at a position it chooses);
//     whatever still parses and differs from the record must never verify with the key;
//  2. the input as any JSON record, with and without a key: verify and status never crash;
//  3. the input as a consent or pre-visit request object: read, or refused with a UsageError.
#include "fuzz_common.hpp"

namespace {

const std::string key = "clinic-seal-key";

// A sealed record of the small test pack, with an override and a drawn signature (most fields).
const prescreen::json& sealed() {
    static const prescreen::json record = [] {
        std::ifstream in(std::string(PRESCREEN_SOURCE_DIR) + "/tests/vectors/packs/small-clinic.json", std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        const auto p = prescreen::Protocol::load(s.str());
        prescreen::ConsentRequest r;
        r.acknowledged = {"risk_redness", "risk_infection"};
        r.signature = {{"name", "Alex Patient"}, {"strokes", {{{1, 2}, {3, 4}}}}};
        r.signed_at = "2026-11-25T10:31:00Z";
        r.information_shown_at = "2026-11-25T10:20:00Z";
        r.patient_reference = "P-0001";
        r.practitioner_override = {{"finding", "thinner"}, {"name", "Dr Lee"}, {"role", "doctor"}, {"register", "GMC"},
                                   {"registration_number", "1234567"}, {"reason", "GP consulted"}, {"patient_informed", true}};
        r.seal_key = key;
        prescreen::json answers = {{"date_of_birth", "1990-05-15"}, {"sex", "female"}, {"areas", {"face"}},
                                   {"pregnant", false}, {"drug_current", false}, {"drug_past", false}, {"cream", false},
                                   {"steel_allergy", false}, {"blood_thinner", true}, {"cold_sores", "never"}};
        return p.consent(answers, r, prescreen::Context{"2026-11-25", ""});
    }();
    return record;
}

std::string mutate(const std::string& text, const std::uint8_t* data, std::size_t size) {
    if (size < 3) return text;
    std::string out = text;
    const std::size_t pos = ((std::size_t(data[1]) << 8) | data[2]) % (out.size() + 1);
    const std::string_view rest = fuzz::as_text(data + 3, size - 3);
    switch (data[0] % 3) {
        case 0:  // xor
            for (std::size_t i = 0; i < rest.size() && pos + i < out.size(); ++i) out[pos + i] ^= rest[i];
            break;
        case 1:  // insert
            out.insert(pos, rest);
            break;
        default:  // replace a range (its length is the first byte of the rest)
            if (!rest.empty()) out.replace(pos, std::min<std::size_t>(std::uint8_t(rest[0]), out.size() - pos), rest.substr(1));
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const prescreen::json& record = sealed();
    static const std::string text = record.dump();
    if (const auto changed = fuzz::parse(mutate(text, data, size)); changed && *changed != record) {
        if (prescreen::verify_consent(*changed, key)["valid"] == true) __builtin_trap();  // a forgery verified
        const auto status = prescreen::consent_status(*changed, "2026-12-01", {}, key);
        if (status["status"] != "invalid") __builtin_trap();
    }

    const auto any = fuzz::parse(fuzz::as_text(data, size));
    if (!any) return 0;
    const auto plain = prescreen::verify_consent(*any);
    const auto keyed = prescreen::verify_consent(*any, key);
    if (!plain.contains("valid") || !keyed.contains("valid")) __builtin_trap();
    (void)prescreen::verify_consent_event(*any, key);
    try {
        (void)prescreen::consent_status(record, "2026-12-01", {*any}, key).dump();
        (void)prescreen::consent_status(*any, "2026-11-25", {*any, record}).dump();
    } catch (const prescreen::UsageError&) {
    }
    try {
        (void)prescreen::consent_request_from_json(*any);
    } catch (const prescreen::UsageError&) {
    }
    try {
        (void)prescreen::information_request_from_json(*any);
    } catch (const prescreen::UsageError&) {
    }
    return 0;
}
