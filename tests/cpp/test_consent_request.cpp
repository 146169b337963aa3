// The consent and pre-visit requests read from one JSON object (prescreen.hpp,
// consent_request_from_json): what the WebAssembly package and the Python module hand the engine.
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "prescreen/prescreen.hpp"

namespace {

using prescreen::json;

// The code and path of the UsageError `read` throws.
template <class Read>
std::pair<std::string, std::string> refusal(Read&& read) {
    try {
        read();
    } catch (const prescreen::UsageError& e) {
        return {e.diagnostic().code, e.diagnostic().path};
    }
    return {"", ""};
}

}  // namespace

TEST_CASE("a consent request object gives every field by name", "[consent][request]") {
    const auto r = prescreen::consent_request_from_json(json::parse(R"({
        "acknowledged": ["risk_redness", "aftercare"], "signature": {"name": "Alex", "role": "patient"},
        "signed_at": "2026-11-25T10:31:00Z", "information_shown_at": "2026-11-25T10:20:00Z",
        "patient_reference": "P-1", "practitioner_override": null, "seal_key": "",
        "countersignature": {"name": "Dr Lee"}, "procedure": {"device_model": "Pen A6"}})"));
    CHECK(r.acknowledged == std::vector<std::string>{"risk_redness", "aftercare"});
    CHECK(r.signature["name"] == "Alex");
    CHECK(r.signed_at == "2026-11-25T10:31:00Z");
    CHECK(r.information_shown_at == "2026-11-25T10:20:00Z");
    CHECK(r.patient_reference == "P-1");
    CHECK(r.practitioner_override.is_null());
    REQUIRE(r.seal_key.has_value());  // an empty key given is a key (the consent step refuses it)
    CHECK(r.seal_key->empty());
    CHECK(r.countersignature["name"] == "Dr Lee");
    CHECK(r.information_record.is_null());
    CHECK(r.procedure["device_model"] == "Pen A6");
    // Absent and null fields keep their defaults.
    const auto empty = prescreen::consent_request_from_json(json::parse(R"({"signature": null, "seal_key": null})"));
    CHECK(empty.signature == json::object());
    CHECK_FALSE(empty.seal_key.has_value());
}

TEST_CASE("a bad consent request is refused with the field's path", "[consent][request]") {
    using P = std::pair<std::string, std::string>;
    const auto consent = [](const char* text) { return refusal([&] { prescreen::consent_request_from_json(json::parse(text)); }); };
    CHECK(consent(R"([1])") == P{"wrong_type", ""});
    CHECK(consent(R"({"acknowledged": "risk_redness"})") == P{"wrong_type", "/acknowledged"});
    CHECK(consent(R"({"acknowledged": ["a", 2]})") == P{"wrong_type", "/acknowledged/1"});
    CHECK(consent(R"({"signed_at": 20261125})") == P{"wrong_type", "/signed_at"});
    CHECK(consent(R"({"seal_key": 7})") == P{"wrong_type", "/seal_key"});
    CHECK(consent(R"({"signed/at": "x"})") == P{"unknown_field", "/signed~1at"});
    const auto visit = [](const char* text) { return refusal([&] { prescreen::information_request_from_json(json::parse(text)); }); };
    CHECK(visit(R"({"read_at": false})") == P{"wrong_type", "/read_at"});
    CHECK(visit(R"({"signature": {}})") == P{"unknown_field", "/signature"});  // not part of the pre-visit step
}

TEST_CASE("a pre-visit request object gives every field by name", "[consent][request]") {
    const auto r = prescreen::information_request_from_json(json::parse(R"({
        "acknowledged": ["read_information"], "information_shown_at": "2026-11-24T18:00:00Z",
        "read_at": "2026-11-24T18:05:00Z", "patient_reference": null, "seal_key": "k"})"));
    CHECK(r.acknowledged == std::vector<std::string>{"read_information"});
    CHECK(r.information_shown_at == "2026-11-24T18:00:00Z");
    CHECK(r.read_at == "2026-11-24T18:05:00Z");
    CHECK(r.patient_reference.empty());
    CHECK(r.seal_key == std::optional<std::string>("k"));
}
