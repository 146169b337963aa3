// The consent and pre-visit requests given as one JSON object (the WebAssembly package's and the
// Python module's form of them): every field checked here once, each problem a UsageError with
// the field's JSON Pointer, so every runtime refuses a bad request with the same code and path.
#include <initializer_list>

#include "prescreen/prescreen.hpp"

namespace prescreen {

namespace {

[[noreturn]] void wrong_type(const std::string& path, const std::string& message) { throw UsageError({"wrong_type", path, message}); }

// A request object whose fields are all among `known` (`what` names the request in the message).
const json& request_object(const json& request, std::initializer_list<const char*> known, const char* what) {
    if (!request.is_object()) wrong_type("", std::string("the ") + what + " must be an object");
    for (auto it = request.begin(); it != request.end(); ++it) {
        bool found = false;
        for (const char* k : known) found = found || it.key() == k;
        if (!found)
            throw UsageError({"unknown_field", "/" + json_pointer_token(it.key()), std::string("unknown ") + what + " field \"" + it.key() + "\""});
    }
    return request;
}

// A string field; absent or null leaves `out` as it is.
bool string_field(const json& request, const char* key, std::string& out) {
    const auto it = request.find(key);
    if (it == request.end() || it->is_null()) return false;
    if (!it->is_string()) wrong_type(std::string("/") + key, std::string(key) + " must be a string");
    out = it->get<std::string>();
    return true;
}

std::vector<std::string> acknowledged_field(const json& request) {
    std::vector<std::string> ids;
    const auto it = request.find("acknowledged");
    if (it == request.end() || it->is_null()) return ids;
    if (!it->is_array()) wrong_type("/acknowledged", "acknowledged must be a list of ids");
    for (std::size_t i = 0; i < it->size(); ++i) {
        if (!(*it)[i].is_string()) wrong_type("/acknowledged/" + std::to_string(i), "acknowledgement ids are strings");
        ids.push_back((*it)[i].get<std::string>());
    }
    return ids;
}

// A seal key given is a key, even "" (which the engine then refuses: empty_seal_key).
std::optional<std::string> key_field(const json& request) {
    std::string key;
    if (!string_field(request, "seal_key", key)) return std::nullopt;
    return key;
}

// A JSON field taken as it is (the consent step checks its shape); absent is null.
json value_field(const json& request, const char* key) {
    const auto it = request.find(key);
    return it == request.end() ? json() : *it;
}

}  // namespace

ConsentRequest consent_request_from_json(const json& request) {
    request_object(request,
                   {"acknowledged", "signature", "signed_at", "information_shown_at", "patient_reference", "practitioner_override",
                    "seal_key", "countersignature", "information_record", "procedure"},
                   "consent request");
    ConsentRequest r;
    r.acknowledged = acknowledged_field(request);
    if (json signature = value_field(request, "signature"); !signature.is_null()) r.signature = std::move(signature);
    string_field(request, "signed_at", r.signed_at);
    string_field(request, "information_shown_at", r.information_shown_at);
    string_field(request, "patient_reference", r.patient_reference);
    r.practitioner_override = value_field(request, "practitioner_override");
    r.seal_key = key_field(request);
    r.countersignature = value_field(request, "countersignature");
    r.information_record = value_field(request, "information_record");
    r.procedure = value_field(request, "procedure");
    return r;
}

InformationRequest information_request_from_json(const json& request) {
    request_object(request, {"acknowledged", "information_shown_at", "read_at", "patient_reference", "seal_key"}, "pre-visit request");
    InformationRequest r;
    r.acknowledged = acknowledged_field(request);
    string_field(request, "information_shown_at", r.information_shown_at);
    string_field(request, "read_at", r.read_at);
    string_field(request, "patient_reference", r.patient_reference);
    r.seal_key = key_field(request);
    return r;
}

}  // namespace prescreen
