// The FHIR Consent's status from the record's events (docs/fhir.md "Consent status"): withdrawal and
// supersession events, later records and the validity period, read by consent_status, never by a
// field of the record.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <sstream>

#include "prescreen/consent.hpp"
#include "prescreen/fhir.hpp"

using prescreen::json;

namespace {

const prescreen::Protocol& small_pack() {
    static const prescreen::Protocol p = [] {
        std::ifstream in(std::string(PRESCREEN_SOURCE_DIR) + "/tests/vectors/packs/small-clinic.json", std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return prescreen::Protocol::from_json(json::parse(s.str()));
    }();
    return p;
}

const std::string key = "back-office-key";
const json answers = json::parse(R"({"areas": ["face"], "blood_thinner": false, "cold_sores": "never", "cream": false,
    "date_of_birth": "1990-05-15", "drug_current": false, "drug_past": false, "pregnant": false,
    "sex": "female", "steel_allergy": false})");

json record_signed(const std::string& day) {
    prescreen::ConsentRequest r;
    r.acknowledged = {"risk_redness", "risk_infection"};
    r.signature = {{"name", "Alex Patient"}, {"role", "patient"}};
    r.signed_at = day + "T10:31:00Z";
    r.information_shown_at = day + "T10:20:00Z";
    r.patient_reference = "P-0001";
    r.seal_key = key;
    return small_pack().consent(answers, r, prescreen::Context{day, ""});
}

prescreen::ConsentEventRequest event_at(const std::string& at, std::optional<std::string> seal_key = key) {
    prescreen::ConsentEventRequest e;
    e.at = at;
    e.recorded_by = {{"name", "Sam Reception"}, {"role", "reception"}};
    e.reason = "changed my mind";
    e.seal_key = std::move(seal_key);
    return e;
}

std::string status_extension(const json& consent) {
    for (const auto& e : consent.value("extension", json::array()))
        if (e["url"] == "urn:prescreen:fhir:consent-status") return e["valueCode"];
    return "(none)";
}

std::vector<std::string> error_codes(const std::function<void()>& call) {
    std::vector<std::string> codes;
    try {
        call();
    } catch (const prescreen::ProtocolError& e) {
        for (const auto& d : e.diagnostics()) codes.push_back(d.code + " " + d.path);
    }
    return codes;
}

}  // namespace

TEST_CASE("FHIR Consent: withdrawn by a sealed event from the moment it took effect", "[fhir][consent]") {
    const json record = record_signed("2026-11-25");
    const json withdrawal = prescreen::withdraw_consent(record, event_at("2026-12-01T09:00:00Z"));

    const json before = prescreen::fhir::consent(record, "2026-12-01T08:59:59Z", {withdrawal}, key);
    CHECK(before["status"] == "active");
    CHECK(status_extension(before) == "active");
    CHECK(before["provision"]["period"] == json{{"start", "2026-11-25T10:31:00Z"}, {"end", record["valid_until"]}});

    const json after = prescreen::fhir::consent(record, "2026-12-01T09:00:00Z", {withdrawal}, key);
    CHECK(after["status"] == "inactive");
    CHECK(status_extension(after) == "withdrawn");
    CHECK(after["provision"]["period"]["end"] == "2026-12-01T09:00:00Z");
    // Apart from the status and the period, the same resource as from the record alone.
    json plain = prescreen::fhir::consent(record);
    CHECK(plain["status"] == "active");
    CHECK_FALSE(plain.contains("extension"));
    plain["status"] = "inactive";
    plain["provision"]["period"]["end"] = "2026-12-01T09:00:00Z";
    json without = after;
    without.erase("extension");
    CHECK(without == plain);
}

TEST_CASE("FHIR Consent: superseded by an event or by a later sealed record; expired; not yet signed", "[fhir][consent]") {
    const json record = record_signed("2026-11-25");
    const json later = record_signed("2026-12-10");
    const json supersession = prescreen::supersede_consent(record, later, event_at("2026-12-03T12:00:00Z"));

    const json by_event = prescreen::fhir::consent(record, "2026-12-04", {supersession}, key);
    CHECK(by_event["status"] == "inactive");
    CHECK(status_extension(by_event) == "superseded");
    CHECK(by_event["provision"]["period"]["end"] == "2026-12-03T12:00:00Z");

    const json by_record = prescreen::fhir::consent(record, "2026-12-11", {later}, key);
    CHECK(status_extension(by_record) == "superseded");
    CHECK(by_record["provision"]["period"]["end"] == "2026-12-10T10:31:00Z");
    // The later record itself stays active.
    CHECK(prescreen::fhir::consent(later, "2026-12-11", {record, supersession}, key)["status"] == "active");

    const json expired = prescreen::fhir::consent(record, "2027-11-26", {}, key);  // valid_until 2026-11-25 + 12 months
    CHECK(record["valid_until"] == "2027-11-25");
    CHECK(expired["status"] == "inactive");
    CHECK(status_extension(expired) == "expired");
    CHECK(prescreen::fhir::consent(record, "2027-11-25", {}, key)["status"] == "active");

    const json early = prescreen::fhir::consent(record, "2026-11-25T10:00:00Z", {}, key);
    CHECK(early["status"] == "proposed");
    CHECK(status_extension(early) == "not_yet_signed");
}

TEST_CASE("FHIR Consent: a forged event or an unsealed record is an error, never a quiet status", "[fhir][consent]") {
    const json record = record_signed("2026-11-25");
    const json unsealed = prescreen::withdraw_consent(record, event_at("2026-12-01T09:00:00Z", std::nullopt));
    CHECK(error_codes([&] { prescreen::fhir::consent(record, "2026-12-02", {unsealed}, key); }) ==
          std::vector<std::string>{"seal_missing /events/0/seal"});
    json edited = record;
    edited["signer"]["name"] = "Someone Else";
    const auto codes = error_codes([&] { prescreen::fhir::consent(edited, "2026-12-02", {}, key); });
    REQUIRE_FALSE(codes.empty());
    CHECK(codes[0] == "digest_mismatch /digest");
    CHECK(error_codes([&] { prescreen::fhir::consent(json{{"record_type", "x"}}, "2026-12-02", {}, key); }) ==
          std::vector<std::string>{"not_a_record /record_type"});
    try {
        prescreen::fhir::consent(record, "yesterday", {}, key);
        FAIL("a bad time was accepted");
    } catch (const prescreen::UsageError& e) {
        CHECK(e.diagnostic().code == "invalid_timestamp");
        CHECK(e.diagnostic().path == "/at");
    }
}
