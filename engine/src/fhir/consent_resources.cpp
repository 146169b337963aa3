// A consent record (docs/consent.md) as an R4 Consent and a Provenance carrying its signature
// (docs/fhir.md, "Consent and Provenance"). The record itself travels inside the Consent as its
// canonical JSON, so an EHR can store it and later verify it with verify_consent.
#include "fhir/pack_view.hpp"

namespace prescreen::fhir {

using namespace detail;

namespace {

// Records made since issue 12 are prescreen.consent/2; engine 0.1's /1 records are read too.
constexpr const char* kRecordType = "prescreen.consent/2";
constexpr const char* kRecordTypeV1 = "prescreen.consent/1";
constexpr const char* kRecordDigestSystem = "urn:prescreen:consent-record-digest";
constexpr const char* kAcknowledgementSystem = "urn:prescreen:consent-acknowledgement";

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

}  // namespace

json consent(const json& record) {
    require_record(record);
    const json& protocol = record["protocol"];
    const json& document = record["document"];
    const bool withdrawn = record.contains("withdrawal") && record["withdrawal"].is_object();
    json consent = {
        {"resourceType", "Consent"},
        {"id", resource_id("consent-" + str(record, "digest").substr(0, 32))},
        {"identifier", json::array({{{"system", kRecordDigestSystem}, {"value", str(record, "digest")}}})},
        {"status", withdrawn ? "inactive" : "active"},
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
    if (withdrawn && record["withdrawal"].contains("at")) period["end"] = record["withdrawal"]["at"];
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
