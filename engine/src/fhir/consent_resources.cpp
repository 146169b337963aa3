// A consent record (docs/consent.md) as an R4 Consent and a Provenance carrying its signature
// (docs/fhir.md, "Consent and Provenance"). The record itself travels inside the Consent as its
// canonical JSON, so an EHR can store it and later verify it with verify_consent.
#include "consent_seal.hpp"
#include "fhir/pack_view.hpp"
#include "prescreen/consent.hpp"

namespace prescreen::fhir {

using namespace detail;
using consent_detail::parse_timestamp;

namespace {

// Records made since issue 12 are prescreen.consent/2; engine 0.1's /1 records are read too.
constexpr const char* kRecordType = "prescreen.consent/2";
constexpr const char* kRecordTypeV1 = "prescreen.consent/1";
constexpr const char* kRecordDigestSystem = "urn:prescreen:consent-record-digest";
constexpr const char* kAcknowledgementSystem = "urn:prescreen:consent-acknowledgement";
constexpr const char* kConsentStatusExtension = "urn:prescreen:fhir:consent-status";
constexpr const char* kStatusAtExtension = "urn:prescreen:fhir:consent-status-at";

void require_record(const json& record) {
    if (!record.is_object() || (record.value("record_type", json()) != kRecordType && record.value("record_type", json()) != kRecordTypeV1))
        throw ProtocolError({{"not_a_record", record.is_object() ? "/record_type" : "",
                              std::string("not a consent record (record_type must be \"") + kRecordType + "\")"}});
    std::vector<Diagnostic> missing;
    for (const char* key : {"digest", "signed_at", "protocol", "document", "signer"})
        if (!record.contains(key)) missing.push_back({"missing_field", std::string("/") + key, std::string("the record has no ") + key});
    if (!missing.empty()) throw ProtocolError(missing);
}

std::string str(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json patient_of(const json& record) {
    std::string ref = str(record, "patient_reference");
    if (!ref.empty()) return json{{"identifier", {{"value", ref}}}, {"display", str(record["signer"], "name")}};
    return json{{"display", str(record["signer"], "name")}};
}

json record_reference(const json& record) {
    return json{{"type", "Consent"}, {"identifier", {{"system", kRecordDigestSystem}, {"value", str(record, "digest")}}}};
}

// The Consent for a record, given its FHIR status and, when it stopped, the time it did.
json consent_resource(const json& record, const char* status, const std::optional<std::string>& ended_at) {
    const json& protocol = record["protocol"];
    const json& document = record["document"];
    json consent = {
        {"resourceType", "Consent"},
        {"id", resource_id("consent-" + str(record, "digest").substr(0, 32))},
        {"identifier", json::array({{{"system", kRecordDigestSystem}, {"value", str(record, "digest")}}})},
        {"status", status},
        {"scope", {{"coding", json::array({{{"system", "http://terminology.hl7.org/CodeSystem/consentscope"},
                                            {"code", "treatment"}, {"display", "Treatment"}}})}}},
        {"category", json::array({{{"coding", json::array({{{"system", "http://loinc.org"}, {"code", "59284-0"},
                                                             {"display", "Patient Consent"}}})}}})},
        {"patient", patient_of(record)},
        {"dateTime", str(record, "signed_at")},
        {"policy", json::array({{{"uri", std::string(kProtocolSystem) + ":" + str(protocol, "id") + ":consent:" +
                                             str(document, "version")}}})},
    };
    // What was consented to: the treatment in this protocol version, for the validity period, with
    // each acknowledged material risk named.
    json provision = {{"type", "permit"}};
    json period = {{"start", str(record, "signed_at")}};
    if (record.contains("valid_until") && record["valid_until"].is_string()) period["end"] = record["valid_until"];
    if (ended_at) period["end"] = *ended_at;
    provision["period"] = period;
    json codes = json::array();
    for (const auto& a : record.value("acknowledgements", json::array()))
        if (a.is_string()) codes.push_back({{"coding", json::array({{{"system", kAcknowledgementSystem}, {"code", a}}})}});
    if (!codes.empty()) provision["code"] = std::move(codes);
    consent["provision"] = std::move(provision);
    consent["sourceAttachment"] = {{"contentType", "application/json"},
                                   {"data", base64(canonical_json(record))},
                                   {"title", "prescreen consent record " + str(protocol, "id") + " " + str(protocol, "version") +
                                                 " (digest " + str(record, "digest") + ")"}};
    return consent;
}

// When a withdrawn or superseded record stopped: the earliest verified event about it that took
// effect by `at` (a later record for the same patient counts from its signature). consent_status has
// already verified that one exists; this only finds its time.
std::optional<std::string> ended_at(const json& record, const std::string& status, long long at,
                                    const std::vector<json>& events, std::optional<std::string_view> seal_key) {
    std::optional<std::pair<long long, std::string>> first;
    auto consider = [&](const json& time) {
        if (!time.is_string()) return;
        auto t = parse_timestamp(time.get<std::string>());
        if (t && *t <= at && (!first || *t < first->first)) first = std::make_pair(*t, time.get<std::string>());
    };
    for (const json& e : events) {
        if (!e.is_object()) continue;
        if (e.value("record_type", json()) == "prescreen.consent-event/1") {
            const bool wanted = e.value("event", json()) == (status == "withdrawn" ? "withdrawal" : "supersession");
            if (wanted && e.value("record_digest", json()) == record["digest"] &&
                verify_consent_event(e, seal_key)["valid"].get<bool>())
                consider(e["at"]);
        } else if (status == "superseded" && e.value("digest", json()) != record["digest"] &&
                   e.value("protocol", json()).is_object() && e["protocol"].value("id", json()) == record["protocol"].value("id", json()) &&
                   e.value("patient_reference", json()) == record.value("patient_reference", json()) &&
                   e.value("signed_at", json()) > record["signed_at"] && verify_consent(e, seal_key)["valid"].get<bool>()) {
            consider(e["signed_at"]);
        }
    }
    if (!first) return std::nullopt;
    return first->second;
}

}  // namespace

json consent(const json& record) {
    require_record(record);
    // A record alone: active as far as it can tell (no file proves a negative, docs/consent.md). A v1
    // record's withdrawal field, covered by nothing, is still read as before.
    const bool withdrawn = record.contains("withdrawal") && record["withdrawal"].is_object();
    std::optional<std::string> end;
    if (withdrawn && record["withdrawal"].contains("at") && record["withdrawal"]["at"].is_string())
        end = record["withdrawal"]["at"].get<std::string>();
    return consent_resource(record, withdrawn ? "inactive" : "active", end);
}

json consent(const json& record, std::string_view at, const std::vector<json>& events,
             std::optional<std::string_view> seal_key) {
    require_record(record);
    const json state = consent_status(record, at, events, seal_key);  // UsageError for a bad `at`
    // A record that does not verify, or an event that is refused, is an error, never a quiet "active".
    std::vector<Diagnostic> problems;
    for (const json& p : state["problems"])
        problems.push_back({p.value("code", ""), p.value("path", ""), p.value("message", "")});
    if (!problems.empty()) throw ProtocolError(problems);
    const std::string status = state["status"].get<std::string>();
    // R4 consent-state-codes: a consent that no longer applies (withdrawn, superseded, expired) is
    // inactive; one signed after `at` was not yet given (proposed). The extension keeps which.
    const char* fhir_status = status == "active" ? "active" : status == "not_yet_signed" ? "proposed" : "inactive";
    std::optional<std::string> end;
    if (status == "withdrawn" || status == "superseded")
        end = ended_at(record, status, *parse_timestamp(at), events, seal_key);
    json resource = consent_resource(record, fhir_status, end);
    resource["extension"] = json::array({{{"url", kConsentStatusExtension}, {"valueCode", status}},
                                         {{"url", kStatusAtExtension}, {"valueDateTime", std::string(at)}}});
    return resource;
}

json provenance(const json& record) {
    require_record(record);
    json signed_bytes = {{"digest", record["digest"]}};
    if (record.contains("seal")) signed_bytes["seal"] = record["seal"];
    json who = {{"display", str(record["signer"], "name")}};
    json provenance = {
        {"resourceType", "Provenance"},
        {"target", json::array({record_reference(record)})},
        {"recorded", str(record, "signed_at")},
        {"agent", json::array({{{"type", {{"coding", json::array({{{"system", "http://terminology.hl7.org/CodeSystem/provenance-participant-type"},
                                                                   {"code", "author"}, {"display", "Author"}}})}}},
                                {"who", who}}})},
        {"signature", json::array({{{"type", json::array({{{"system", "urn:iso-astm:E1762-95:2013"},
                                                           {"code", "1.2.840.10065.1.12.1.7"},
                                                           {"display", "Consent Signature"}}})},
                                    {"when", str(record, "signed_at")},
                                    {"who", who},
                                    {"sigFormat", "application/json"},
                                    {"data", base64(canonical_json(signed_bytes))}}})},
    };
    return provenance;
}

}  // namespace prescreen::fhir
