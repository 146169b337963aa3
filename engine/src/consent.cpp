// Consent records: canonical, SHA-256 digested, optionally HMAC-sealed; verification and status.
#include <algorithm>
#include <set>

#include "json_input.hpp"
#include "protocol_internal.hpp"
#include "protocol_model.hpp"

namespace prescreen {

namespace {

constexpr const char* record_type = "prescreen.consent/1";

// Seconds since 1970 for "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM[:SS[.f...]](Z|±HH:MM)".
std::optional<long long> parse_timestamp(std::string_view t) {
    if (t.size() < 10) return std::nullopt;
    auto date = parse_iso_date(t.substr(0, 10));
    if (!date) return std::nullopt;
    long long seconds = detail::to_day_number_seconds(*date);
    if (t.size() == 10) return seconds;
    auto digits = [&](std::size_t at, std::size_t n) -> int {
        if (at + n > t.size()) return -1;
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (t[i] < '0' || t[i] > '9') return -1;
            v = v * 10 + (t[i] - '0');
        }
        return v;
    };
    if (t[10] != 'T' && t[10] != 't') return std::nullopt;
    int hh = digits(11, 2), mm = (t.size() > 13 && t[13] == ':') ? digits(14, 2) : -1;
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return std::nullopt;
    std::size_t pos = 16;
    int ss = 0;
    if (pos < t.size() && t[pos] == ':') {
        ss = digits(pos + 1, 2);
        if (ss < 0 || ss > 60) return std::nullopt;
        pos += 3;
        if (pos < t.size() && t[pos] == '.') {
            ++pos;
            std::size_t start = pos;
            while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
            if (pos == start) return std::nullopt;
        }
    }
    seconds += hh * 3600LL + mm * 60LL + ss;
    if (pos == t.size()) return std::nullopt;  // a time without a zone is ambiguous
    if ((t[pos] == 'Z' || t[pos] == 'z') && pos + 1 == t.size()) return seconds;
    if ((t[pos] == '+' || t[pos] == '-') && pos + 6 == t.size() && t[pos + 3] == ':') {
        int oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
        long long offset = oh * 3600LL + om * 60LL;
        return t[pos] == '+' ? seconds - offset : seconds + offset;
    }
    return std::nullopt;
}

std::string digest_of(json record) {
    record.erase("digest");
    record.erase("seal");
    record.erase("withdrawal");
    return canonical_json(record);
}

// Constant-time comparison, so a seal cannot be guessed byte by byte from timing.
bool same_secret(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

void find_non_integers(const json& v, const std::string& path, std::vector<Diagnostic>& problems) {
    if (v.is_number_float())
        problems.push_back({"non_integer_number", path, "a consent record holds integers only"});
    else if (v.is_object())
        for (auto it = v.begin(); it != v.end(); ++it) find_non_integers(it.value(), pointer_join(path, it.key()), problems);
    else if (v.is_array())
        for (std::size_t i = 0; i < v.size(); ++i) find_non_integers(v[i], pointer_join(path, i), problems);
}

Diagnostic usage(std::string code, std::string path, std::string message) {
    return Diagnostic{std::move(code), std::move(path), std::move(message)};
}

}  // namespace

namespace detail {
long long to_day_number_seconds(const Date& date) { return to_day_number(date) * 86400LL; }
}  // namespace detail

json Protocol::consent(const json& answers, const ConsentRequest& request, const Context& context) const {
    const detail::CompiledProtocol& p = *impl_;
    const Date today = detail::require_today(context);
    if (!p.has_consent) throw UsageError(usage("no_consent_document", "/consent", "this protocol has no consent document"));

    detail::AnswerSet a = detail::read_answers(p, answers, today);
    detail::Decision d;
    detail::decide(p, a, today, context.today, d);
    const bool override_given = !request.practitioner_override.is_null();
    if (!p.permits(d.outcome) && !override_given)
        throw UsageError(usage("consent_not_permitted", "/outcome",
                               std::string("the screening outcome is ") + outcome_name(d.outcome) +
                                   ", which does not permit consent without a recorded practitioner override"));
    if (override_given && (!request.practitioner_override.is_object() ||
                           !request.practitioner_override.contains("name") || !request.practitioner_override.contains("reason")))
        throw UsageError(usage("wrong_type", "/practitioner_override", "a practitioner override needs {\"name\", \"reason\"}"));

    const json& doc = p.document["consent"];
    json required = json::array(), known = json::array();
    for (const auto& ack : doc["acknowledgements"]) {
        known.push_back(ack["id"]);
        if (ack.value("required", true)) required.push_back(ack["id"]);
    }
    std::set<std::string> acknowledged;
    for (std::size_t i = 0; i < request.acknowledged.size(); ++i) {
        const std::string& id = request.acknowledged[i];
        if (std::find(known.begin(), known.end(), id) == known.end())
            throw UsageError(usage("unknown_acknowledgement", "/acknowledged/" + std::to_string(i),
                                   "the consent document has no acknowledgement \"" + id + "\""));
        acknowledged.insert(id);
    }
    std::string missing;
    for (const auto& id : required)
        if (!acknowledged.count(id.get<std::string>())) missing += (missing.empty() ? "" : ", ") + id.get<std::string>();
    if (!missing.empty())
        throw UsageError(usage("missing_acknowledgement", "/acknowledged", "not acknowledged: " + missing));

    const json& sig = request.signature;
    if (!sig.is_object() || !sig.contains("name") || !sig["name"].is_string() || sig["name"].get<std::string>().find_first_not_of(" \t") == std::string::npos)
        throw UsageError(usage("missing_signature", "/signature/name", "the signer's typed full name is required"));
    std::string role = sig.value("role", std::string("patient"));
    auto signed_at = parse_timestamp(request.signed_at);
    if (!signed_at)
        throw UsageError(usage("invalid_timestamp", "/signed_at", "signed_at must be an ISO date-time with a zone, e.g. 2026-11-25T10:31:00Z"));
    if (!request.information_shown_at.empty() && !parse_timestamp(request.information_shown_at))
        throw UsageError(usage("invalid_timestamp", "/information_shown_at", "information_shown_at must be an ISO date-time with a zone"));

    // Only answers the screening used (visible and valid) are digested.
    json used = json::object();
    for (std::size_t slot = 0; slot < p.items.size(); ++slot)
        if (d.values[slot].kind != expr::Kind::Null) used[p.items[slot].id] = expr::to_json(d.values[slot]);
    json findings = json::array();
    for (std::size_t r = 0; r < p.rules.size(); ++r)
        if (d.fired[r]) findings.push_back(p.rules[r].id);

    const Date signed_date = from_day_number(*signed_at / 86400 - (*signed_at % 86400 < 0 ? 1 : 0));
    auto period = [&](const char* key) -> std::pair<const detail::Parameter*, std::optional<Date>> {
        if (!doc.contains(key)) return {nullptr, std::nullopt};
        const detail::Parameter& param = p.parameters[p.parameter_index.at(doc[key].get<std::string>())];
        return {&param, add_period(signed_date, param.value.get<long long>(), *param.unit)};
    };
    auto [cooling, cooling_end] = period("cooling_off");
    auto [validity, valid_until] = period("validity");
    (void)validity;
    auto unit_name = [](DateUnit u) { return u == DateUnit::Days ? "days" : u == DateUnit::Months ? "months" : "years"; };

    std::vector<std::string> acknowledged_sorted(acknowledged.begin(), acknowledged.end());
    json record = {
        {"record_type", record_type},
        {"protocol", p.identity()},
        {"document", {{"version", doc["version"]}, {"digest", p.consent_digest}}},
        {"answers_digest", sha256_hex(canonical_json(used))},
        {"screening",
         {{"today", context.today},
          {"outcome", outcome_name(d.outcome)},
          {"defer_until", d.defer_until ? json(format_iso_date(*d.defer_until)) : json(nullptr)},
          {"findings", std::move(findings)}}},
        {"permitted_outcomes", json::array()},
        {"required_acknowledgements", required},
        {"acknowledgements", acknowledged_sorted},
        {"signer", {{"name", sig["name"]}, {"role", role}}},
        {"signed_at", request.signed_at},
        {"information_shown_at", request.information_shown_at.empty() ? json(nullptr) : json(request.information_shown_at)},
        {"cooling_off", cooling ? json{{"offered", true},
                                       {"amount", cooling->value},
                                       {"unit", unit_name(*cooling->unit)},
                                       {"treatment_not_before", cooling_end ? json(format_iso_date(*cooling_end)) : json(nullptr)}}
                                : json{{"offered", false}}},
        {"valid_until", valid_until ? json(format_iso_date(*valid_until)) : json(nullptr)},
        {"patient_reference", request.patient_reference},
        {"practitioner_override", request.practitioner_override},
    };
    for (Outcome o : p.permitted_outcomes) record["permitted_outcomes"].push_back(outcome_name(o));
    std::vector<Diagnostic> non_integers;
    find_non_integers(record, "", non_integers);
    if (!non_integers.empty())
        throw UsageError(usage("non_integer_number", non_integers.front().path, "a consent record holds integers only"));
    const std::string canonical = digest_of(record);
    record["digest"] = sha256_hex(canonical);
    if (!request.seal_key.empty())
        record["seal"] = {{"algorithm", "HMAC-SHA-256"}, {"value", hmac_sha256_hex(request.seal_key, canonical)}};
    return record;
}

json verify_consent(const json& record, std::string_view seal_key) {
    std::vector<Diagnostic> problems;
    auto result = [&] {
        json list = json::array();
        for (const auto& d : problems) list.push_back(d.to_json());
        return json{{"valid", problems.empty()}, {"problems", std::move(list)}};
    };
    if (!record.is_object() || record.value("record_type", json()) != record_type) {
        problems.push_back({"not_a_record", "", std::string("not a consent record (record_type must be \"") + record_type + "\")"});
        return result();
    }
    if (!check_json_value(record, default_limits().max_nesting_depth, "", problems)) return result();

    // Shape: every field a verifier relies on.
    struct Field { const char* pointer; json::value_t type; };
    const Field fields[] = {{"/protocol", json::value_t::object},          {"/protocol/id", json::value_t::string},
                            {"/protocol/digest", json::value_t::string},   {"/document", json::value_t::object},
                            {"/document/digest", json::value_t::string},   {"/answers_digest", json::value_t::string},
                            {"/screening", json::value_t::object},         {"/screening/outcome", json::value_t::string},
                            {"/permitted_outcomes", json::value_t::array}, {"/required_acknowledgements", json::value_t::array},
                            {"/acknowledgements", json::value_t::array},   {"/signer", json::value_t::object},
                            {"/signed_at", json::value_t::string},         {"/digest", json::value_t::string}};
    bool shape_ok = true;
    for (const auto& f : fields) {
        json::json_pointer ptr(f.pointer);
        if (!record.contains(ptr)) {
            problems.push_back({"missing_field", f.pointer, std::string("the record has no ") + f.pointer});
            shape_ok = false;
        } else if (record.at(ptr).type() != f.type) {
            problems.push_back({"wrong_type", f.pointer, std::string(f.pointer) + " has the wrong type"});
            shape_ok = false;
        }
    }
    find_non_integers(record, "", problems);
    if (record.contains("digest") && record["digest"].is_string() &&
        !same_secret(sha256_hex(digest_of(record)), record["digest"].get<std::string>()))
        problems.push_back({"digest_mismatch", "/digest", "the record's content does not match its digest: it was changed after signing"});
    if (!shape_ok) return result();

    std::set<std::string> acknowledged;
    for (const auto& a : record["acknowledgements"])
        if (a.is_string()) acknowledged.insert(a.get<std::string>());
    for (std::size_t i = 0; i < record["required_acknowledgements"].size(); ++i) {
        const json& id = record["required_acknowledgements"][i];
        if (!id.is_string() || !acknowledged.count(id.get<std::string>()))
            problems.push_back({"missing_acknowledgement", "/required_acknowledgements/" + std::to_string(i),
                                "required acknowledgement " + id.dump() + " was not given"});
    }
    const json& permitted = record["permitted_outcomes"];
    bool overridden = record.contains("practitioner_override") && !record["practitioner_override"].is_null();
    if (std::find(permitted.begin(), permitted.end(), record["screening"]["outcome"]) == permitted.end() && !overridden)
        problems.push_back({"outcome_not_permitted", "/screening/outcome",
                            "the outcome " + record["screening"]["outcome"].dump() + " does not permit consent and no practitioner override is recorded"});
    const json& signer = record["signer"];
    if (!signer.contains("name") || !signer["name"].is_string() ||
        signer["name"].get<std::string>().find_first_not_of(" \t") == std::string::npos)
        problems.push_back({"missing_signature", "/signer/name", "the record has no signer name"});
    if (!parse_timestamp(record["signed_at"].get<std::string>()))
        problems.push_back({"invalid_timestamp", "/signed_at", "signed_at is not an ISO date-time with a zone"});
    if (!seal_key.empty()) {
        const json* seal = record.contains("seal") ? &record["seal"] : nullptr;
        if (!seal || !seal->is_object() || !seal->contains("value") || !(*seal)["value"].is_string())
            problems.push_back({"seal_missing", "/seal", "the record is not sealed"});
        else if (!same_secret(hmac_sha256_hex(seal_key, digest_of(record)), (*seal)["value"].get<std::string>()))
            problems.push_back({"seal_mismatch", "/seal/value", "the seal does not match: wrong key or a changed record"});
    }
    return result();
}

json consent_status(const json& record, std::string_view at, const std::vector<json>& later_records) {
    auto when = parse_timestamp(at);
    if (!when) throw UsageError({"invalid_timestamp", "/at", "at must be an ISO date or date-time with a zone"});
    json verification = verify_consent(record);
    json valid_until = record.is_object() ? record.value("valid_until", json()) : json();
    auto status = [&](const char* s) {
        return json{{"status", s}, {"valid_until", valid_until}, {"problems", verification["problems"]}};
    };
    if (!verification["valid"].get<bool>()) return status("invalid");
    const long long signed_at = *parse_timestamp(record["signed_at"].get<std::string>());
    if (*when < signed_at) return status("not_yet_signed");
    if (record.contains("withdrawal") && record["withdrawal"].is_object() && record["withdrawal"].contains("at") &&
        record["withdrawal"]["at"].is_string()) {
        auto withdrawn = parse_timestamp(record["withdrawal"]["at"].get<std::string>());
        if (withdrawn && *withdrawn <= *when) return status("withdrawn");
    }
    for (const json& later : later_records) {
        if (!verify_consent(later)["valid"].get<bool>()) continue;
        if (later["protocol"]["id"] != record["protocol"]["id"] ||
            later.value("patient_reference", json()) != record.value("patient_reference", json()))
            continue;
        auto t = parse_timestamp(later["signed_at"].get<std::string>());
        if (t && *t > signed_at && *t <= *when) return status("superseded");
    }
    // valid_until is the last day of validity: expired from the next day on.
    if (valid_until.is_string()) {
        auto until = parse_iso_date(valid_until.get<std::string>());
        if (until && *when >= detail::to_day_number_seconds(*until) + 86400) return status("expired");
    }
    return status("active");
}

}  // namespace prescreen
