// Withdrawal and supersession: events bound to a record's digest, digested and sealed like records.
#include "consent_seal.hpp"
#include "json_input.hpp"

namespace prescreen {

using namespace consent_detail;

namespace {

[[noreturn]] void refuse(std::string code, std::string path, std::string message) {
    throw UsageError(Diagnostic{std::move(code), std::move(path), std::move(message)});
}

std::optional<std::string_view> key_view(const std::optional<std::string>& key) {
    return key ? std::optional<std::string_view>(*key) : std::nullopt;
}

// The record an event is about must itself verify (and be a signed consent).
long long signed_consent(const json& record, const std::optional<std::string>& key, const char* path) {
    json v = verify_consent(record, key_view(key));
    if (!v["valid"].get<bool>())
        refuse("invalid_record", std::string(path) + v["problems"][0]["path"].get<std::string>(),
               "the consent record does not verify: " + v["problems"][0]["message"].get<std::string>());
    if (record["record_type"] != record_type && record["record_type"] != record_type_v1)
        refuse("invalid_record", std::string(path) + "/record_type", "events apply to signed consent records only");
    return *parse_timestamp(record["signed_at"].get<std::string>());
}

json event_of(const char* kind, const json& record, const ConsentEventRequest& request, const std::string& at, long long signed_at) {
    auto t = parse_timestamp(at);
    if (!t) refuse("invalid_timestamp", "/at", "at must be an ISO date-time with a zone, e.g. 2026-12-01T09:00:00Z");
    if (*t < signed_at) refuse("event_before_signature", "/at", "the event is dated before the consent was signed");
    const json& by = request.recorded_by;
    if (!by.is_object() || !by.contains("name") || !by["name"].is_string() || !has_visible_character(by["name"].get<std::string>()))
        refuse("missing_recorder", "/recorded_by/name", "the name of the person recording the event is required");
    for (auto it = by.begin(); it != by.end(); ++it)
        if ((it.key() != "name" && it.key() != "role") || !it->is_string())
            refuse("unknown_field", "/recorded_by/" + json_pointer_token(it.key()), "recorded_by holds a name and a role (texts)");
    json event = {{"record_type", event_type},
                  {"event", kind},
                  {"record_digest", record["digest"]},
                  {"at", at},
                  {"recorded_by", {{"name", by["name"]}, {"role", by.value("role", json(""))}}},
                  {"reason", request.reason}};
    return event;
}

void seal(json& event, const std::optional<std::string>& key) {
    try {
        digest_and_seal(event, key);
    } catch (const json::exception&) {
        refuse("invalid_utf8", "", "a text in the event is not valid UTF-8");
    }
}

}  // namespace

json withdraw_consent(const json& record, const ConsentEventRequest& request) {
    if (request.seal_key) require_key(*request.seal_key, "/seal_key");
    const long long signed_at = signed_consent(record, request.seal_key, "/record");
    json event = event_of("withdrawal", record, request, request.at, signed_at);
    seal(event, request.seal_key);
    return event;
}

json supersede_consent(const json& record, const json& newer, const ConsentEventRequest& request) {
    if (request.seal_key) require_key(*request.seal_key, "/seal_key");
    const long long signed_at = signed_consent(record, request.seal_key, "/record");
    const long long newer_at = signed_consent(newer, request.seal_key, "/newer");
    if (newer["protocol"]["id"] != record["protocol"]["id"] ||
        newer.value("patient_reference", json()) != record.value("patient_reference", json()))
        refuse("not_the_same_consent", "/newer", "the newer record is for another protocol or patient");
    if (newer_at <= signed_at) refuse("not_later", "/newer/signed_at", "the newer record was not signed after this one");
    const std::string at = request.at.empty() ? newer["signed_at"].get<std::string>() : request.at;
    json event = event_of("supersession", record, request, at, signed_at);
    event["superseded_by"] = newer["digest"];
    seal(event, request.seal_key);
    return event;
}

json verify_consent_event(const json& event, std::optional<std::string_view> seal_key) {
    if (seal_key) require_key(*seal_key, "/seal_key");
    std::vector<Diagnostic> problems;
    if (!event.is_object() || event.value("record_type", json()) != event_type) {
        problems.push_back({"not_an_event", "", std::string("not a consent event (record_type must be \"") + event_type + "\")"});
        return verification(problems);
    }
    if (!check_json_value(event, default_limits().max_nesting_depth, "", problems)) return verification(problems);
    auto text = [&](const char* key) {
        auto it = event.find(key);
        if (it == event.end()) problems.push_back({"missing_field", std::string("/") + key, std::string("the event has no ") + key});
        else if (!it->is_string()) problems.push_back({"wrong_type", std::string("/") + key, std::string(key) + " must be a text"});
        else return true;
        return false;
    };
    for (const char* k : {"record_digest", "digest", "reason"}) text(k);
    if (text("event") && event["event"] != "withdrawal" && event["event"] != "supersession")
        problems.push_back({"invalid_value", "/event", "event must be \"withdrawal\" or \"supersession\""});
    if (text("at") && !parse_timestamp(event["at"].get<std::string>()))
        problems.push_back({"invalid_timestamp", "/at", "at is not an ISO date-time with a zone"});
    if (event.value("event", json()) == "supersession") text("superseded_by");
    const json by = event.value("recorded_by", json());
    if (!by.is_object() || !by.value("name", json()).is_string() || !has_visible_character(by["name"].get<std::string>()))
        problems.push_back({"missing_recorder", "/recorded_by/name", "the event does not name who recorded it"});
    check_numbers(event, "", problems);
    try {
        check_digest_and_seal(event, seal_key, problems);
    } catch (const json::exception&) {
        problems.push_back({"invalid_utf8", "", "the event holds text that is not valid UTF-8"});
    }
    return verification(problems);
}

}  // namespace prescreen
