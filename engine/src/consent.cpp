// Consent records: made (pre-visit record and signed consent), verified, and their status.
// Canonical, SHA-256 digested, optionally HMAC-sealed; see docs/consent.md.
#include <algorithm>
#include <set>

#include "consent_document.hpp"
#include "consent_seal.hpp"
#include "consent_with_override.hpp"
#include "json_input.hpp"
#include "protocol_internal.hpp"
#include "protocol_model.hpp"

namespace prescreen {

using namespace consent_detail;

namespace {

[[noreturn]] void refuse(std::string code, std::string path, std::string message) {
    throw UsageError(Diagnostic{std::move(code), std::move(path), std::move(message)});
}

bool visible_string(const json& v) { return v.is_string() && has_visible_character(v.get_ref<const std::string&>()); }

const char* unit_name(DateUnit u) { return u == DateUnit::Days ? "days" : u == DateUnit::Months ? "months" : "years"; }

// A drawn signature: strokes of [x, y] points (integers 0..65535), within a size a pad produces.
void check_strokes(const json& strokes) {
    constexpr std::size_t max_points = 20000;
    const char* message = "strokes must be a list of strokes, each a list of [x, y] points (whole numbers 0..65535)";
    if (!strokes.is_array() || strokes.empty()) refuse("invalid_signature", "/signature/strokes", message);
    std::size_t points = 0;
    for (std::size_t s = 0; s < strokes.size(); ++s) {
        const json& stroke = strokes[s];
        if (!stroke.is_array() || stroke.empty()) refuse("invalid_signature", "/signature/strokes/" + std::to_string(s), message);
        for (std::size_t i = 0; i < stroke.size(); ++i) {
            const json& pt = stroke[i];
            bool ok = pt.is_array() && pt.size() == 2;
            for (std::size_t k = 0; ok && k < 2; ++k)
                ok = pt[k].is_number_integer() && pt[k].get<long long>() >= 0 && pt[k].get<long long>() <= 65535;
            if (!ok) refuse("invalid_signature", "/signature/strokes/" + std::to_string(s) + "/" + std::to_string(i), message);
            if (++points > max_points)
                refuse("invalid_signature", "/signature/strokes", "a drawn signature has at most 20000 points");
        }
    }
}

// The signer as recorded: printed name (always), role, and how they signed.
json signer_of(const json& sig) {
    if (!sig.is_object() || !sig.contains("name") || !visible_string(sig["name"]))
        refuse("missing_signature", "/signature/name",
               "the signer's full name is required (a name of only spaces or invisible characters is not a signature)");
    for (auto it = sig.begin(); it != sig.end(); ++it)
        if (it.key() != "name" && it.key() != "role" && it.key() != "strokes" && it.key() != "method")
            refuse("unknown_field", "/signature/" + json_pointer_token(it.key()),
                   "unknown signature field \"" + it.key() + "\" (known: name, role, strokes, method)");
    json role = sig.value("role", json("patient"));
    if (!visible_string(role)) refuse("wrong_type", "/signature/role", "the signer's role must be a non-empty string");
    json signer = {{"name", sig["name"]}, {"role", role}, {"method", "typed"}};
    if (sig.contains("strokes") && !sig["strokes"].is_null()) {
        check_strokes(sig["strokes"]);
        signer["method"] = "drawn";
        signer["strokes"] = sig["strokes"];
    }
    // A record's signer given back as a signature: its method must be what the fields say.
    if (sig.contains("method") && sig["method"] != signer["method"])
        refuse("invalid_signature", "/signature/method", "method is \"drawn\" with strokes and \"typed\" without");
    return signer;
}

// A practitioner's identity: name and role required; register and number as the caller needs.
json practitioner_of(const json& given, const std::string& path, std::initializer_list<const char*> required,
                     std::initializer_list<const char*> optional) {
    if (!given.is_object()) refuse("wrong_type", path, "expected an object with the practitioner's details");
    for (auto it = given.begin(); it != given.end(); ++it) {
        bool known = std::any_of(required.begin(), required.end(), [&](const char* k) { return it.key() == k; }) ||
                     std::any_of(optional.begin(), optional.end(), [&](const char* k) { return it.key() == k; });
        if (!known) refuse("unknown_field", pointer_join(path, it.key()), "unknown field \"" + it.key() + "\"");
    }
    json out = json::object();
    for (const char* k : required) {
        if (!given.contains(k) || !visible_string(given[k]))
            refuse("override_incomplete", pointer_join(path, k), std::string("\"") + k + "\" is required (a non-empty text)");
        out[k] = given[k];
    }
    for (const char* k : optional) {
        if (!given.contains(k) || given[k].is_null()) { out[k] = nullptr; continue; }
        if (!given[k].is_string() && !given[k].is_boolean())
            refuse("wrong_type", pointer_join(path, k), std::string("\"") + k + "\" must be a text");
        out[k] = given[k];
    }
    return out;
}

// Every override checked against the pack's policy for its finding (CONTRAINDICATIONS-v2 §5).
json overrides_of(const detail::CompiledProtocol& p, const detail::ConsentDocument& doc, const detail::AnswerSet& a,
                  const detail::Decision& d, const Date& today, const json& given) {
    json list = json::array();
    if (given.is_null()) return list;
    const bool single = given.is_object();
    if (!single && !given.is_array())
        refuse("wrong_type", "/practitioner_override", "a practitioner override is an object or a list of objects");
    std::vector<json> items = single ? std::vector<json>{given} : given.get<std::vector<json>>();
    std::vector<json> by_rule(p.rules.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string path = single ? "/practitioner_override" : pointer_join("/practitioner_override", i);
        const json& o = items[i];
        if (!o.is_object() || !o.contains("finding") || !o["finding"].is_string())
            refuse("override_incomplete", pointer_join(path, "finding"), "an override names the finding it overrides (\"finding\": rule id)");
        const std::string finding = o["finding"].get<std::string>();
        auto r = p.rule_index.find(finding);
        if (r == p.rule_index.end() || !d.fired[r->second])
            refuse("override_unknown_finding", pointer_join(path, "finding"), "\"" + finding + "\" is not a finding of this screening");
        const detail::Rule& rule = p.rules[r->second];
        const detail::OverridePolicy& policy = rule.override_policy;
        if (!policy.allowed)
            refuse("override_not_allowed", pointer_join(path, "finding"),
                   "the protocol does not allow a practitioner to override \"" + finding + "\" (" + outcome_name(rule.outcome) +
                       "): it clears only by screening again when it has resolved");
        if (!by_rule[r->second].is_null())
            refuse("duplicate_override", pointer_join(path, "finding"), "\"" + finding + "\" is overridden twice");
        json entry = practitioner_of(o, path, {"finding", "name", "role", "register", "registration_number", "reason"},
                                     {"consulted", "patient_informed"});
        if (policy.consulted && !visible_string(entry["consulted"]))
            refuse("override_incomplete", pointer_join(path, "consulted"),
                   "overriding \"" + finding + "\" needs the name and role of the prescriber or specialist consulted");
        if (!entry["consulted"].is_null() && !entry["consulted"].is_string())
            refuse("wrong_type", pointer_join(path, "consulted"), "\"consulted\" must be a text");
        if (!entry["patient_informed"].is_boolean())
            refuse("override_incomplete", pointer_join(path, "patient_informed"),
                   "record whether the patient was told about the override (\"patient_informed\": true or false)");
        const auto& registers = policy.registers.empty() ? doc.override_registers : policy.registers;
        const std::string reg = entry["register"].get<std::string>();
        if (!registers.empty() && std::find(registers.begin(), registers.end(), reg) == registers.end()) {
            std::string names;
            for (const auto& n : registers) names += (names.empty() ? "" : ", ") + n;
            refuse("override_register_not_accepted", pointer_join(path, "register"),
                   "\"" + finding + "\" may be overridden only by a practitioner on one of these registers: " + names);
        }
        // A dated deferral is shortened at most to the event + the parameter's minimum.
        if (rule.defer_wait >= 0) {
            const detail::Parameter& wait = p.parameters[rule.defer_wait];
            std::optional<Date> event;
            for (int slot : rule.defer_after)
                if (d.values[slot].kind != expr::Kind::Null && (!event || *event < a.dates[slot])) event = a.dates[slot];
            const json& min = wait.definition.contains("min") ? wait.definition["min"] : json();
            if (event && min.is_number_integer() && wait.unit) {
                auto earliest = add_period(*event, min.get<long long>(), *wait.unit);
                if (!earliest || today < *earliest)
                    refuse("override_before_minimum", pointer_join(path, "finding"),
                           "\"" + finding + "\" cannot be overridden before " +
                               (earliest ? format_iso_date(*earliest) : std::string("a computable date")) + " (the event + the " +
                               "shortest wait the sources allow for " + wait.name + ")");
            }
        }
        entry["original_outcome"] = outcome_name(rule.outcome);
        entry["original_defer_until"] =
            d.rule_defer_until[r->second] ? json(format_iso_date(*d.rule_defer_until[r->second])) : json(nullptr);
        by_rule[r->second] = std::move(entry);
    }
    for (auto& e : by_rule)
        if (!e.is_null()) list.push_back(std::move(e));
    return list;
}

// The device and products the practitioner will use (CONTRAINDICATIONS-v2 §6: practitioner and
// device named; data dictionary v2), recorded as given: each a text a person can read.
json procedure_of(const json& given) {
    if (given.is_null()) return given;
    if (!given.is_object())
        refuse("wrong_type", "/procedure", "procedure is an object: {\"device_model\", \"device_cartridge_lot\", \"needle_depth_range\", \"topical_products\"}");
    static const char* known[] = {"device_model", "device_cartridge_lot", "needle_depth_range", "topical_products"};
    json out = json::object();
    for (const char* k : known) out[k] = nullptr;
    for (auto it = given.begin(); it != given.end(); ++it) {
        if (std::none_of(std::begin(known), std::end(known), [&](const char* k) { return it.key() == k; }))
            refuse("unknown_field", pointer_join("/procedure", it.key()),
                   "unknown procedure field \"" + it.key() + "\" (known: device_model, device_cartridge_lot, needle_depth_range, topical_products)");
        if (it->is_null()) continue;
        if (!visible_string(*it))
            refuse("wrong_type", pointer_join("/procedure", it.key()), "\"" + it.key() + "\" must be a non-empty text");
        out[it.key()] = *it;
    }
    return out;
}

// The pre-visit record given at signing: it must be this document's, this patient's, and read first.
json information_of(const detail::CompiledProtocol& p, const json& info, const ConsentRequest& request, long long signed_at) {
    if (info.is_null()) return info;
    json check = verify_consent(info, request.seal_key ? std::optional<std::string_view>(*request.seal_key) : std::nullopt);
    if (!check["valid"].get<bool>())
        refuse("invalid_information_record", "/information_record" + check["problems"][0]["path"].get<std::string>(),
               "the pre-visit record does not verify: " + check["problems"][0]["message"].get<std::string>());
    if (info["record_type"] != information_type)
        refuse("invalid_information_record", "/information_record/record_type", "not a pre-visit record (Protocol::information_record)");
    if (info["protocol"]["digest"] != p.digest || info["document"]["digest"] != p.consent_digest)
        refuse("invalid_information_record", "/information_record/document", "the pre-visit record is for another protocol or consent document");
    if (info["patient_reference"] != request.patient_reference)
        refuse("invalid_information_record", "/information_record/patient_reference", "the pre-visit record is for another patient");
    auto read = parse_timestamp(info["read_at"].get<std::string>());
    if (!read || *read > signed_at)
        refuse("invalid_information_record", "/information_record/read_at", "the information was read after the consent was signed");
    return info;
}

}  // namespace

namespace detail {
long long to_day_number_seconds(const Date& date) { return to_day_number(date) * 86400LL; }
}  // namespace detail

json Protocol::consent(const json& answers, const ConsentRequest& request, const Context& context) const {
    const detail::CompiledProtocol& p = *impl_;
    const Date today = detail::require_today(context);
    if (!p.has_consent || !p.consent) refuse("no_consent_document", "/consent", "this protocol has no consent document");
    const detail::ConsentDocument& doc = *p.consent;
    if (request.seal_key) require_key(*request.seal_key, "/seal_key");
    const std::string& locale = p.locales[detail::consent_locale(p, context)];  // the language the patient read

    detail::AnswerSet a = detail::read_answers(p, answers, today);
    detail::Decision d;
    detail::decide(p, a, today, context.today, d);
    // Finding-specific acknowledgements are required only of the patients they concern (`when`),
    // and one about an override (`with_override`) only when an override is given.
    std::vector<char> applies = detail::applicable_acknowledgements(p, a, d, context.today);
    json overrides = overrides_of(p, doc, a, d, today, request.practitioner_override);
    for (std::size_t i = 0; i < doc.acknowledgements.size(); ++i)
        if (applies[i] && overrides.empty() && detail::applies_with_override_only(p, doc.acknowledgements[i])) applies[i] = 0;
    if (!p.permits(d.outcome)) {
        if (d.outcome == Outcome::Incomplete)
            refuse("consent_not_permitted", "/outcome",
                   "the screening is incomplete: answer the missing questions first (an override cannot replace answers)");
        for (std::size_t r = 0; r < p.rules.size(); ++r) {
            if (!d.fired[r] || p.permits(p.rules[r].outcome)) continue;
            bool overridden = std::any_of(overrides.begin(), overrides.end(), [&](const json& o) { return o["finding"] == p.rules[r].id; });
            if (!overridden)
                refuse("consent_not_permitted", "/outcome",
                       std::string("the screening outcome is ") + outcome_name(d.outcome) + " (finding \"" + p.rules[r].id +
                           "\"), which does not permit consent without a recorded practitioner override where the protocol allows one");
        }
    }

    const json signer = signer_of(request.signature);
    json procedure = procedure_of(request.procedure);
    auto signed_at = parse_timestamp(request.signed_at);
    if (!signed_at)
        refuse("invalid_timestamp", "/signed_at", "signed_at must be an ISO date-time with a zone, e.g. 2026-11-25T10:31:00Z");
    const json info = information_of(p, request.information_record, request, *signed_at);
    std::string shown = request.information_shown_at;
    if (shown.empty() && !info.is_null() && info["information_shown_at"].is_string()) shown = info["information_shown_at"];
    if (!shown.empty()) {
        auto t = parse_timestamp(shown);
        if (!t) refuse("invalid_timestamp", "/information_shown_at", "information_shown_at must be an ISO date-time with a zone");
        if (*t > *signed_at)
            refuse("information_after_signature", "/information_shown_at",
                   "the information must be shown before the consent is signed (information_shown_at is after signed_at)");
    }

    std::set<std::string> acknowledged;
    for (std::size_t i = 0; i < request.acknowledged.size(); ++i) {
        const std::string& id = request.acknowledged[i];
        if (!doc.find(id))
            refuse("unknown_acknowledgement", "/acknowledged/" + std::to_string(i), "the consent document has no acknowledgement \"" + id + "\"");
        acknowledged.insert(id);
    }
    if (!info.is_null())
        for (const auto& id : info["acknowledgements"]) acknowledged.insert(id.get<std::string>());
    json required = json::array();
    std::string missing;
    for (std::size_t i = 0; i < doc.acknowledgements.size(); ++i) {
        const detail::ConsentAcknowledgement& ack = doc.acknowledgements[i];
        if (!ack.required || !applies[i]) continue;
        required.push_back(ack.id);
        if (!acknowledged.count(ack.id)) missing += (missing.empty() ? "" : ", ") + ack.id;
    }
    if (!missing.empty()) refuse("missing_acknowledgement", "/acknowledged", "not acknowledged: " + missing);

    json countersignature = nullptr;
    if (!request.countersignature.is_null())
        countersignature = practitioner_of(request.countersignature, "/countersignature", {"name", "role"},
                                           {"register", "registration_number"});
    else if (doc.countersign)
        refuse("missing_countersignature", "/countersignature",
               "this consent document needs the countersignature of the practitioner taking consent");

    // Only answers the screening used (visible and valid) are digested.
    json used = json::object();
    for (std::size_t slot = 0; slot < p.items.size(); ++slot)
        if (d.values[slot].kind != expr::Kind::Null) used[p.items[slot].id] = expr::to_json(d.values[slot]);
    json findings = json::array();
    for (std::size_t r = 0; r < p.rules.size(); ++r)
        if (d.fired[r]) findings.push_back(p.rules[r].id);

    // Cooling-off and validity count from the day of signing; a period with no computable end
    // (signing in year 9999) is refused rather than recorded as "never expires".
    const Date signed_date = day_of(*signed_at);
    auto period_end = [&](int param, const char* what) -> std::optional<Date> {
        if (param < 0) return std::nullopt;
        const detail::Parameter& pm = p.parameters[param];
        auto end = add_period(signed_date, pm.value.get<long long>(), *pm.unit);
        if (!end) refuse("signed_at_out_of_range", "/signed_at", std::string("signed_at gives no computable ") + what + " (beyond year 9999)");
        return end;
    };
    const auto cooling_end = period_end(doc.cooling_off, "end of the cooling-off period");
    const auto valid_until = period_end(doc.validity, "end of validity");
    json cooling = json{{"offered", false}};
    if (doc.cooling_off >= 0) {
        const detail::Parameter& pm = p.parameters[doc.cooling_off];
        cooling = json{{"offered", true}, {"amount", pm.value}, {"unit", unit_name(*pm.unit)},
                       {"treatment_not_before", format_iso_date(*cooling_end)}};
    }

    json record = {
        {"record_type", record_type},
        {"protocol", p.identity()},
        {"document", {{"version", doc.version}, {"digest", p.consent_digest}}},
        {"answers_digest", sha256_hex(canonical_json(used))},
        {"screening",
         {{"today", context.today},
          {"outcome", outcome_name(d.outcome)},
          {"defer_until", d.defer_until ? json(format_iso_date(*d.defer_until)) : json(nullptr)},
          {"findings", std::move(findings)}}},
        {"permitted_outcomes", json::array()},
        {"required_acknowledgements", std::move(required)},
        {"acknowledgements", std::vector<std::string>(acknowledged.begin(), acknowledged.end())},
        {"signer", signer},
        {"countersignature", std::move(countersignature)},
        {"signed_at", request.signed_at},
        {"information_shown_at", shown.empty() ? json(nullptr) : json(shown)},
        {"information_record", info.is_null() ? json(nullptr) : info["digest"]},
        {"cooling_off", std::move(cooling)},
        {"valid_until", valid_until ? json(format_iso_date(*valid_until)) : json(nullptr)},
        {"patient_reference", request.patient_reference},
        {"overrides", std::move(overrides)},
        {"locale", locale},
    };
    // Only when given, so a record without it is the record made before the field existed.
    if (!procedure.is_null()) record["procedure"] = std::move(procedure);
    for (Outcome o : p.permitted_outcomes) record["permitted_outcomes"].push_back(outcome_name(o));
    std::vector<Diagnostic> numbers;
    check_numbers(record, "", numbers);
    if (!numbers.empty()) refuse("non_integer_number", numbers.front().path, numbers.front().message);
    try {
        digest_and_seal(record, request.seal_key);
    } catch (const json::exception&) {
        refuse("invalid_utf8", "", "a text in the consent request is not valid UTF-8");
    }
    return record;
}

json Protocol::information_record(const InformationRequest& request, const Context& context) const {
    const detail::CompiledProtocol& p = *impl_;
    (void)detail::require_today(context);
    if (!p.has_consent || !p.consent) refuse("no_consent_document", "/consent", "this protocol has no consent document");
    const detail::ConsentDocument& doc = *p.consent;
    if (request.seal_key) require_key(*request.seal_key, "/seal_key");
    const std::string& locale = p.locales[detail::consent_locale(p, context)];  // the language the patient read
    auto shown = parse_timestamp(request.information_shown_at);
    if (!shown) refuse("invalid_timestamp", "/information_shown_at", "information_shown_at must be an ISO date-time with a zone");
    auto read = parse_timestamp(request.read_at);
    if (!read) refuse("invalid_timestamp", "/read_at", "read_at must be an ISO date-time with a zone");
    if (*read < *shown) refuse("information_after_signature", "/read_at", "read_at is before the information was shown");
    std::set<std::string> acknowledged;
    for (std::size_t i = 0; i < request.acknowledged.size(); ++i) {
        const std::string& id = request.acknowledged[i];
        const detail::ConsentAcknowledgement* ack = doc.find(id);
        if (!ack) refuse("unknown_acknowledgement", "/acknowledged/" + std::to_string(i), "the consent document has no acknowledgement \"" + id + "\"");
        // "My questions were answered" cannot be confirmed before the patient has met anyone.
        if (!ack->pre_visit)
            refuse("acknowledgement_not_pre_visit", "/acknowledged/" + std::to_string(i),
                   "\"" + id + "\" is confirmed at the consultation, not before the visit");
        acknowledged.insert(id);
    }
    json required = json::array();
    std::string missing;
    for (const auto& ack : doc.acknowledgements) {
        if (!ack.required || !ack.pre_visit) continue;
        required.push_back(ack.id);
        if (!acknowledged.count(ack.id)) missing += (missing.empty() ? "" : ", ") + ack.id;
    }
    if (!missing.empty()) refuse("missing_acknowledgement", "/acknowledged", "not acknowledged: " + missing);
    json record = {
        {"record_type", information_type},
        {"protocol", p.identity()},
        {"document", {{"version", doc.version}, {"digest", p.consent_digest}}},
        {"required_acknowledgements", std::move(required)},
        {"acknowledgements", std::vector<std::string>(acknowledged.begin(), acknowledged.end())},
        {"information_shown_at", request.information_shown_at},
        {"read_at", request.read_at},
        {"patient_reference", request.patient_reference},
        {"locale", locale},
    };
    try {
        digest_and_seal(record, request.seal_key);
    } catch (const json::exception&) {
        refuse("invalid_utf8", "", "a text in the request is not valid UTF-8");
    }
    return record;
}

namespace {

struct Field { const char* pointer; json::value_t type; };

bool check_shape(const json& record, std::initializer_list<Field> fields, std::vector<Diagnostic>& problems) {
    bool ok = true;
    for (const auto& f : fields) {
        json::json_pointer ptr(f.pointer);
        if (!record.contains(ptr)) {
            problems.push_back({"missing_field", f.pointer, std::string("the record has no ") + f.pointer});
            ok = false;
        } else if (record.at(ptr).type() != f.type &&
                   !(f.type == json::value_t::number_integer && record.at(ptr).is_number_unsigned())) {
            problems.push_back({"wrong_type", f.pointer, std::string(f.pointer) + " has the wrong type"});
            ok = false;
        }
    }
    return ok;
}

void check_acknowledgements(const json& record, std::vector<Diagnostic>& problems) {
    std::set<std::string> acknowledged;
    for (const auto& a : record["acknowledgements"])
        if (a.is_string()) acknowledged.insert(a.get<std::string>());
    for (std::size_t i = 0; i < record["required_acknowledgements"].size(); ++i) {
        const json& id = record["required_acknowledgements"][i];
        if (!id.is_string() || !acknowledged.count(id.get<std::string>()))
            problems.push_back({"missing_acknowledgement", "/required_acknowledgements/" + std::to_string(i),
                                "required acknowledgement " + id.dump() + " was not given"});
    }
}

void check_order(const json& record, const char* first, const char* then, std::vector<Diagnostic>& problems) {
    if (!record.contains(first) || record[first].is_null()) return;
    auto a = record[first].is_string() ? parse_timestamp(record[first].get<std::string>()) : std::nullopt;
    auto b = parse_timestamp(record[then].get<std::string>());
    if (!a) problems.push_back({"invalid_timestamp", std::string("/") + first, std::string(first) + " is not an ISO date-time with a zone"});
    else if (b && *a > *b)
        problems.push_back({"information_after_signature", std::string("/") + first, std::string(first) + " is after " + then});
}

// The checks only a signed consent (v1 or v2) needs.
void check_signed_consent(const json& record, bool v2, std::vector<Diagnostic>& problems) {
    check_acknowledgements(record, problems);
    const json& permitted = record["permitted_outcomes"];
    const json overrides = record.value(v2 ? "overrides" : "practitioner_override", json());  // v1 may lack it
    const bool overridden = v2 ? !overrides.empty() : !overrides.is_null();
    if (std::find(permitted.begin(), permitted.end(), record["screening"]["outcome"]) == permitted.end() && !overridden)
        problems.push_back({"outcome_not_permitted", "/screening/outcome",
                            "the outcome " + record["screening"]["outcome"].dump() + " does not permit consent and no practitioner override is recorded"});
    if (!visible_string(record["signer"].value("name", json())))
        problems.push_back({"missing_signature", "/signer/name", "the record has no signer name (only spaces or invisible characters)"});
    if (!parse_timestamp(record["signed_at"].get<std::string>()))
        problems.push_back({"invalid_timestamp", "/signed_at", "signed_at is not an ISO date-time with a zone"});
    if (!v2) return;
    check_order(record, "information_shown_at", "signed_at", problems);
    for (std::size_t i = 0; i < overrides.size(); ++i)
        for (const char* k : {"finding", "name", "role", "register", "registration_number", "reason"})
            if (!overrides[i].is_object() || !visible_string(overrides[i].value(k, json())))
                problems.push_back({"override_incomplete", "/overrides/" + std::to_string(i) + "/" + k,
                                    std::string("the override has no ") + k});
    const json cs = record.value("countersignature", json());
    if (!cs.is_null() && (!cs.is_object() || !visible_string(cs.value("name", json()))))
        problems.push_back({"missing_signature", "/countersignature/name", "the countersignature has no name"});
}

}  // namespace

json verify_consent(const json& record, std::optional<std::string_view> seal_key) {
    if (seal_key) require_key(*seal_key, "/seal_key");
    std::vector<Diagnostic> problems;
    const json type = record.is_object() ? record.value("record_type", json()) : json();
    if (type == event_type) return verify_consent_event(record, seal_key);
    if (type != record_type && type != record_type_v1 && type != information_type) {
        problems.push_back({"not_a_record", "", std::string("not a consent record (record_type must be \"") + record_type + "\")"});
        return verification(problems);
    }
    if (!check_json_value(record, default_limits().max_nesting_depth, "", problems)) return verification(problems);
    bool shape_ok;
    if (type == information_type) {
        shape_ok = check_shape(record, {{"/protocol", json::value_t::object}, {"/protocol/id", json::value_t::string},
                                        {"/protocol/digest", json::value_t::string}, {"/document", json::value_t::object},
                                        {"/document/digest", json::value_t::string},
                                        {"/required_acknowledgements", json::value_t::array},
                                        {"/acknowledgements", json::value_t::array},
                                        {"/information_shown_at", json::value_t::string},
                                        {"/read_at", json::value_t::string}, {"/patient_reference", json::value_t::string},
                                        {"/digest", json::value_t::string}},
                               problems);
    } else {
        shape_ok = check_shape(record, {{"/protocol", json::value_t::object}, {"/protocol/id", json::value_t::string},
                                        {"/protocol/digest", json::value_t::string}, {"/document", json::value_t::object},
                                        {"/document/digest", json::value_t::string}, {"/answers_digest", json::value_t::string},
                                        {"/screening", json::value_t::object}, {"/screening/outcome", json::value_t::string},
                                        {"/permitted_outcomes", json::value_t::array},
                                        {"/required_acknowledgements", json::value_t::array},
                                        {"/acknowledgements", json::value_t::array}, {"/signer", json::value_t::object},
                                        {"/signed_at", json::value_t::string}, {"/digest", json::value_t::string}},
                               problems);
        if (type == record_type)
            shape_ok = check_shape(record, {{"/overrides", json::value_t::array}}, problems) && shape_ok;
    }
    check_numbers(record, "", problems);
    try {
        check_digest_and_seal(record, seal_key, problems);
    } catch (const json::exception&) {
        problems.push_back({"invalid_utf8", "", "the record holds text that is not valid UTF-8"});
    }
    // The language the patient read: absent from records made before it was recorded.
    if (record.contains("locale") && !visible_string(record["locale"]))
        problems.push_back({"wrong_type", "/locale", "locale must be the tag of the language the patient read, e.g. \"en-GB\""});
    if (!shape_ok) return verification(problems);
    if (type == information_type) {
        check_acknowledgements(record, problems);
        check_order(record, "information_shown_at", "read_at", problems);
    } else {
        check_signed_consent(record, type == record_type, problems);
    }
    return verification(problems);
}

json consent_status(const json& record, std::string_view at, const std::vector<json>& events,
                    std::optional<std::string_view> seal_key) {
    auto when = parse_timestamp(at);
    if (!when) throw UsageError({"invalid_timestamp", "/at", "at must be an ISO date or date-time with a zone"});
    json verification = verify_consent(record, seal_key);
    json problems = verification["problems"];
    json valid_until = record.is_object() ? record.value("valid_until", json()) : json();
    auto status = [&](const char* s) { return json{{"status", s}, {"valid_until", valid_until}, {"problems", problems}}; };
    if (!verification["valid"].get<bool>()) return status("invalid");
    const json type = record["record_type"];
    if (type != record_type && type != record_type_v1) {
        problems.push_back(Diagnostic{"not_a_consent", "/record_type", "a pre-visit record is not a signed consent"}.to_json());
        return status("invalid");
    }
    // A v1 record carried its withdrawal as a field outside the digest and the seal: it proves
    // nothing either way, so the record is not treated as active.
    if (type == record_type_v1 && record.contains("withdrawal")) {
        problems.push_back(Diagnostic{"unverifiable_withdrawal", "/withdrawal",
                                      "a withdrawal written into the record is covered by neither digest nor seal; "
                                      "record it as a withdrawal event (withdraw_consent)"}.to_json());
        return status("invalid");
    }
    const long long signed_at = *parse_timestamp(record["signed_at"].get<std::string>());
    if (*when < signed_at) return status("not_yet_signed");

    // Events and later records: only what verifies (with the key, only what is sealed with it) counts;
    // the rest is listed in problems and never acted on.
    bool withdrawn = false, superseded = false;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const json& e = events[i];
        const std::string base = "/events/" + std::to_string(i);
        const json etype = e.is_object() ? e.value("record_type", json()) : json();
        if (etype != event_type && etype != record_type && etype != record_type_v1) {
            problems.push_back(Diagnostic{"not_an_event", base, "neither a consent event nor a consent record"}.to_json());
            continue;
        }
        json v = verify_consent(e, seal_key);
        if (!v["valid"].get<bool>()) {
            for (auto d : v["problems"]) {
                d["path"] = base + d["path"].get<std::string>();
                problems.push_back(std::move(d));
            }
            continue;
        }
        if (etype == event_type) {
            if (e["record_digest"] != record["digest"]) continue;  // an event about another record
            auto t = parse_timestamp(e["at"].get<std::string>());
            if (!t || *t > *when) continue;
            (e["event"] == "withdrawal" ? withdrawn : superseded) = true;
        } else {
            if (e["digest"] == record["digest"] || e["protocol"]["id"] != record["protocol"]["id"] ||
                e.value("patient_reference", json()) != record.value("patient_reference", json()))
                continue;
            auto t = parse_timestamp(e["signed_at"].get<std::string>());
            if (t && *t > signed_at && *t <= *when) superseded = true;
        }
    }
    if (withdrawn) return status("withdrawn");
    if (superseded) return status("superseded");
    // valid_until is the last day of validity: expired from the next day on.
    if (valid_until.is_string()) {
        auto until = parse_iso_date(valid_until.get<std::string>());
        if (until && *when >= detail::to_day_number_seconds(*until) + 86400) return status("expired");
    }
    return status("active");
}

}  // namespace prescreen
