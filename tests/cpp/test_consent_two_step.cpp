// Two-step consent on the shipped micro-needling pack (CONTRAINDICATIONS-v2 §6, CONSENT.md §9.3):
// before the visit the patient confirms reading the information and that the answers are true;
// everything else, "my questions were answered" first, is confirmed at the consultation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "prescreen/prescreen.hpp"

namespace {

using prescreen::json;

std::string file_text(const std::string& relative) {
    std::ifstream in(std::string(PRESCREEN_SOURCE_DIR) + "/" + relative, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

const prescreen::Protocol& microneedling() {
    static const prescreen::Protocol p = prescreen::Protocol::load(file_text("protocols/microneedling/protocol.json"));
    return p;
}

prescreen::Context today() {
    prescreen::Context c;
    c.today = "2026-11-25";
    return c;
}

prescreen::InformationRequest pre_visit(std::vector<std::string> acknowledged) {
    prescreen::InformationRequest r;
    r.acknowledged = std::move(acknowledged);
    r.information_shown_at = "2026-11-20T18:00:00Z";
    r.read_at = "2026-11-20T18:12:00Z";
    r.patient_reference = "MN-0042";
    return r;
}

std::string refusal(const std::function<void()>& call, std::string* path = nullptr) {
    try {
        call();
    } catch (const prescreen::UsageError& e) {
        if (path) *path = e.diagnostic().path;
        return e.diagnostic().code;
    }
    return "";
}

}  // namespace

TEST_CASE("micro-needling pre-visit record: information read and answers true, nothing else", "[consent][two_step]") {
    const json record = microneedling().information_record(pre_visit({"read_information", "answers_accurate"}), today());
    CHECK(record["record_type"] == "prescreen.consent-information/1");
    CHECK(record["required_acknowledgements"] == json::array({"read_information", "answers_accurate"}));
    CHECK(record["acknowledgements"] == json::array({"answers_accurate", "read_information"}));
    CHECK(prescreen::verify_consent(record)["valid"] == true);
}

TEST_CASE("micro-needling pre-visit record refuses consultation acknowledgements and a missing one", "[consent][two_step]") {
    std::string path;
    // "My questions were answered" needs a conversation: never before the visit.
    CHECK(refusal([] { microneedling().information_record(pre_visit({"read_information", "answers_accurate", "questions_answered"}), today()); },
                  &path) == "acknowledgement_not_pre_visit");
    CHECK(path == "/acknowledged/2");
    CHECK(refusal([] { microneedling().information_record(pre_visit({"risk_infection"}), today()); }, &path) ==
          "acknowledgement_not_pre_visit");
    CHECK(path == "/acknowledged/0");
    CHECK(refusal([] { microneedling().information_record(pre_visit({"read_information"}), today()); }, &path) ==
          "missing_acknowledgement");
    CHECK(path == "/acknowledged");
}

// ---- personalised consent: an acknowledgement's `when` (CONTRAINDICATIONS-v2 §6) -------------------

namespace {

json answers_with(std::initializer_list<std::pair<const char*, json>> changes) {
    json a = json::parse(file_text("protocols/microneedling/cases.json")).at("cases").at(0).at("answers");  // nothing to flag
    for (const auto& [key, value] : changes) a[key] = value;
    return a;
}

std::vector<std::string> ids_of(const json& list) {
    std::vector<std::string> out;
    for (const auto& a : list) out.push_back(a.at("id").get<std::string>());
    return out;
}

// The acknowledgements every patient meets, in document order (protocols/microneedling/README.md).
const std::vector<std::string> for_everyone_before = {
    "read_information", "answers_accurate", "questions_answered", "risk_redness_swelling", "risk_bleeding_bruising",
    "risk_prolonged_redness", "risk_infection", "risk_cold_sore", "risk_pigmentation", "risk_breakouts", "risk_milia",
    "risk_flare_koebner", "risk_scarring", "risk_tram_track", "risk_allergy_granuloma", "risk_granuloma_products",
    "risk_anaesthetic", "risk_numbing_toxicity", "risk_no_result"};
const std::vector<std::string> for_everyone_after = {"alternatives_discussed", "aftercare_duties", "cooling_off_offered",
                                                     "right_to_withdraw", "photo_care", "photo_teaching", "photo_marketing",
                                                     "voluntary"};

std::vector<std::string> everyone_and(std::vector<std::string> specific) {
    std::vector<std::string> out = for_everyone_before;
    out.insert(out.end(), specific.begin(), specific.end());
    out.insert(out.end(), for_everyone_after.begin(), for_everyone_after.end());
    return out;
}

prescreen::ConsentRequest signing(std::vector<std::string> acknowledged) {
    prescreen::ConsentRequest r;
    r.acknowledged = std::move(acknowledged);
    r.signature = {{"name", "Alex Patient"}, {"role", "patient"}};
    r.signed_at = "2026-11-25T10:31:00Z";
    r.information_shown_at = "2026-11-25T10:20:00Z";
    r.countersignature = {{"name", "Sam Lee"}, {"role", "nurse"}, {"register", "NMC"}, {"registration_number", "12A3456B"}};
    return r;
}

std::vector<std::string> required_of(const json& document) {
    std::vector<std::string> out;
    for (const auto& a : document.at("acknowledgements"))
        if (a.at("required") == true) out.push_back(a.at("id").get<std::string>());
    return out;
}

}  // namespace

TEST_CASE("consent document: a plain eligible patient meets no finding-specific acknowledgement", "[consent][personal]") {
    const json doc = microneedling().consent_document(answers_with({}), today());
    CHECK(doc["outcome"] == "eligible");
    CHECK(doc["locale"] == "en-GB");
    CHECK(ids_of(doc["acknowledgements"]) == everyone_and({}));
    CHECK(doc["acknowledgements"][0]["stage"] == "pre_visit");
    CHECK(doc["acknowledgements"][1]["stage"] == "pre_visit");
    CHECK(doc["acknowledgements"][2]["stage"] == "consultation");
    CHECK(doc["acknowledgements"][23]["id"] == "photo_care");
    CHECK(doc["acknowledgements"][23]["required"] == false);
    // "Risks that apply to you in particular" with nothing under it is left out.
    for (const auto& s : doc["sections"]) CHECK(s["id"] != "your_situation");
    CHECK(doc["sections"].size() == 11);
    CHECK(doc["document"]["digest"].get<std::string>().size() == 64);
}

TEST_CASE("consent document: a keloid patient is asked about keloid scarring and the override", "[consent][personal]") {
    const json doc = microneedling().consent_document(answers_with({{"keloid_tendency", true}}), today());
    CHECK(doc["outcome"] == "refer");  // consent only with a practitioner's override
    CHECK(doc["consent_permitted"] == false);
    CHECK(doc["findings"] == json::array({"keloid_tendency"}));
    CHECK(ids_of(doc["acknowledgements"]) == everyone_and({"finding_keloid", "finding_override"}));
    const json& keloid = doc["acknowledgements"][19];
    CHECK(keloid["id"] == "finding_keloid");
    CHECK(keloid["required"] == true);
    CHECK(keloid["material_risk"] == true);
    CHECK(keloid["stage"] == "consultation");
    CHECK(keloid["section"] == "your_situation");
    CHECK(keloid["sources"] == json::array({"S2", "S11"}));
    bool situation = false;
    for (const auto& s : doc["sections"]) situation |= s["id"] == "your_situation";
    CHECK(situation);
}

TEST_CASE("consent document: darker skin and cold sores add PIH and herpes, nothing else", "[consent][personal]") {
    const json doc =
        microneedling().consent_document(answers_with({{"skin_type", "V"}, {"cold_sore_history", true}}), today());
    CHECK(doc["outcome"] == "eligible_with_precautions");
    CHECK(ids_of(doc["acknowledgements"]) == everyone_and({"finding_pih", "finding_herpes"}));
}

TEST_CASE("signing: a finding-specific acknowledgement is required exactly when it applies", "[consent][personal]") {
    const json pih = answers_with({{"skin_type", "V"}});
    const json doc = microneedling().consent_document(pih, today());
    std::vector<std::string> required = required_of(doc);
    CHECK(std::find(required.begin(), required.end(), "finding_pih") != required.end());

    // Everything but the PIH risk: refused, and the message names it.
    std::vector<std::string> without = required;
    without.erase(std::find(without.begin(), without.end(), "finding_pih"));
    try {
        microneedling().consent(pih, signing(without), today());
        FAIL("consent without finding_pih was accepted");
    } catch (const prescreen::UsageError& e) {
        CHECK(e.diagnostic().code == "missing_acknowledgement");
        CHECK(e.diagnostic().path == "/acknowledged");
        CHECK(e.diagnostic().message == "not acknowledged: finding_pih");
    }
    const json record = microneedling().consent(pih, signing(required), today());
    CHECK(record["required_acknowledgements"] == json(required));
    CHECK(record["screening"]["findings"] == json::array({"pih_risk_skin_type"}));

    // A patient without the finding signs without it: it is neither shown nor required.
    const json plain = microneedling().consent(answers_with({}), signing(required_of(microneedling().consent_document(answers_with({}), today()))), today());
    const json plain_required = plain["required_acknowledgements"];
    CHECK(std::find(plain_required.begin(), plain_required.end(), "finding_pih") == plain_required.end());
    CHECK(plain_required.size() == required.size() - 1);
}

TEST_CASE("records name the language the patient read, inside the digest", "[consent][personal]") {
    const json a = answers_with({});
    const auto required = required_of(microneedling().consent_document(a, today()));
    prescreen::Context english = today();
    english.locale = "en";  // the language alone reads the pack's en-GB
    const json record = microneedling().consent(a, signing(required), english);
    CHECK(record["locale"] == "en-GB");
    json changed = record;
    changed["locale"] = "ar";
    CHECK(prescreen::verify_consent(changed)["problems"][0]["code"] == "digest_mismatch");

    prescreen::Context german = today();
    german.locale = "de-DE";
    std::string path;
    CHECK(refusal([&] { microneedling().consent(a, signing(required), german); }, &path) == "unknown_locale");
    CHECK(path == "/locale");
    CHECK(refusal([&] { microneedling().consent_document(a, german); }, &path) == "unknown_locale");
    CHECK(refusal([&] { microneedling().information_record(pre_visit({"read_information", "answers_accurate"}), german); },
                  &path) == "unknown_locale");
    CHECK(path == "/locale");
    CHECK(microneedling().information_record(pre_visit({"read_information", "answers_accurate"}), today())["locale"] == "en-GB");
}

TEST_CASE("consent document in a translation loaded beside the pack", "[consent][personal]") {
    const json es = json::parse(file_text("protocols/microneedling/translations/es.json"));
    const auto spanish = prescreen::Protocol::load_translated(file_text("protocols/microneedling/protocol.json"), json::array({es}));
    prescreen::Context c = today();
    c.locale = "es";
    const json doc = spanish.consent_document(answers_with({{"keloid_tendency", true}}), c);
    CHECK(doc["locale"] == "es");
    CHECK(doc["acknowledgements"][19]["text"] ==
          es["texts"]["/consent/acknowledgements/finding_keloid/text"]);
    prescreen::InformationRequest r = pre_visit({"read_information", "answers_accurate"});
    CHECK(spanish.information_record(r, c)["locale"] == "es");
}

TEST_CASE("an acknowledgement's when is checked at load", "[consent][personal]") {
    auto problems = [](const json& doc) {
        try {
            (void)prescreen::Protocol::from_json(doc);
        } catch (const prescreen::ProtocolError& e) {
            return e.diagnostics();
        }
        return std::vector<prescreen::Diagnostic>{};
    };
    auto has = [](const std::vector<prescreen::Diagnostic>& list, const std::string& code, const std::string& path) {
        for (const auto& d : list)
            if (d.code == code && d.path == path) return true;
        return false;
    };
    json pack = json::parse(file_text("protocols/microneedling/protocol.json"));
    json& acks = pack["consent"]["acknowledgements"];
    REQUIRE(acks[0]["id"] == "read_information");
    acks[0]["when"] = {{"fired", "keloid_tendency"}};        // pre_visit: the same for everyone
    acks[24]["when"] = {{"fired", "no_such_rule"}};           // a rule the pack does not have
    acks[25]["when"] = {{"==", {{{"var", "no_such_item"}}, true}}};
    const auto ds = problems(pack);
    CHECK(has(ds, "invalid_value", "/consent/acknowledgements/0/when"));
    CHECK(has(ds, "unknown_rule", "/consent/acknowledgements/24/when/fired"));
    CHECK(has(ds, "unknown_item", "/consent/acknowledgements/25/when/==/0/var"));
}

TEST_CASE("the record names the device and products to be used, inside the digest", "[consent][personal]") {
    const json a = answers_with({});
    prescreen::ConsentRequest r = signing(required_of(microneedling().consent_document(a, today())));
    CHECK_FALSE(microneedling().consent(a, r, today()).contains("procedure"));  // not given: not recorded
    r.procedure = {{"device_model", "Dermapen 4"}, {"device_cartridge_lot", "LOT 24-117"}, {"needle_depth_range", "0.5-1.5 mm"}};
    const json record = microneedling().consent(a, r, today());
    CHECK(record["procedure"] == json({{"device_model", "Dermapen 4"}, {"device_cartridge_lot", "LOT 24-117"},
                                       {"needle_depth_range", "0.5-1.5 mm"}, {"topical_products", nullptr}}));
    json changed = record;
    changed["procedure"]["device_cartridge_lot"] = "LOT 24-118";
    CHECK(prescreen::verify_consent(changed)["problems"][0]["code"] == "digest_mismatch");

    std::string path;
    r.procedure = {{"device", "Dermapen 4"}};
    CHECK(refusal([&] { microneedling().consent(a, r, today()); }, &path) == "unknown_field");
    CHECK(path == "/procedure/device");
    r.procedure = {{"device_model", " \u200b"}};
    CHECK(refusal([&] { microneedling().consent(a, r, today()); }, &path) == "wrong_type");
    CHECK(path == "/procedure/device_model");
    r.procedure = json::array({"Dermapen 4"});
    CHECK(refusal([&] { microneedling().consent(a, r, today()); }, &path) == "wrong_type");
    CHECK(path == "/procedure");
}

TEST_CASE("the pack demands the countersignature of the practitioner taking consent", "[consent][personal]") {
    // mn-ref-v2: signature.countersign (CONTRAINDICATIONS-v2 §6; CONSENT.md §9.3).
    const json a = answers_with({});
    prescreen::ConsentRequest r = signing(required_of(microneedling().consent_document(a, today())));
    const json taken_by = r.countersignature;
    r.countersignature = nullptr;
    std::string path;
    CHECK(refusal([&] { microneedling().consent(a, r, today()); }, &path) == "missing_countersignature");
    CHECK(path == "/countersignature");
    r.countersignature = {{"name", "Sam Lee"}};
    CHECK(refusal([&] { microneedling().consent(a, r, today()); }, &path) == "override_incomplete");
    CHECK(path == "/countersignature/role");
    r.countersignature = taken_by;
    const json record = microneedling().consent(a, r, today());
    CHECK(record["countersignature"] == taken_by);
    json changed = record;
    changed["countersignature"]["registration_number"] = "99Z9999Z";
    CHECK(prescreen::verify_consent(changed)["problems"][0]["code"] == "digest_mismatch");
}

namespace {

// The small clinic's precaution `sore_history` may be overridden (no `override` in the rule: the
// default policy), so a consent with an override can have an outcome that permits consent anyway.
prescreen::Protocol with_override_pack(bool pre_visit = false, json flag = true) {
    json pack = json::parse(file_text("tests/vectors/packs/small-clinic-personal.json"));
    for (json& ack : pack["consent"]["acknowledgements"])
        if (ack["id"] == "override_explained") {
            ack.erase("when");
            ack["with_override"] = flag;
            if (pre_visit) ack["stage"] = "pre_visit";
        }
    return prescreen::Protocol::from_json(pack);
}

json small_answers(const char* cold_sores) {
    return {{"date_of_birth", "1990-05-15"}, {"sex", "female"}, {"areas", {"face"}}, {"pregnant", false},
            {"drug_current", false}, {"drug_past", false}, {"cream", false}, {"steel_allergy", false},
            {"blood_thinner", false}, {"cold_sores", cold_sores}};
}

}  // namespace

TEST_CASE("an acknowledgement about an override is required when an override is given, whatever the outcome",
          "[consent][personal]") {
    const prescreen::Protocol pack = with_override_pack();
    auto listed = [](const json& doc, const char* id) {
        const auto ids = ids_of(doc["acknowledgements"]);
        return std::find(ids.begin(), ids.end(), id) != ids.end();
    };
    CHECK_FALSE(listed(pack.consent_document(small_answers("never"), today()), "override_explained"));  // nothing to override
    const json history = small_answers("history");
    REQUIRE(pack.consent_document(history, today())["outcome"] == "eligible_with_precautions");
    CHECK(listed(pack.consent_document(history, today()), "override_explained"));  // sore_history may be overridden

    prescreen::ConsentRequest r = signing({"read_information", "risk_redness", "risk_infection", "sore_risk"});
    const json plain = pack.consent(history, r, today());  // no override given: not required
    const auto required = plain["required_acknowledgements"].get<std::vector<std::string>>();
    CHECK(std::find(required.begin(), required.end(), "override_explained") == required.end());

    r.practitioner_override = {{"finding", "sore_history"}, {"name", "Dr Lee"}, {"role", "doctor"}, {"register", "GMC"},
                               {"registration_number", "1234567"}, {"reason", "Antiviral prescribed."}, {"patient_informed", true}};
    std::string path;
    CHECK(refusal([&] { pack.consent(history, r, today()); }, &path) == "missing_acknowledgement");
    CHECK(path == "/acknowledged");
    r.acknowledged.push_back("override_explained");
    const json record = pack.consent(history, r, today());
    CHECK(record["overrides"][0]["finding"] == "sore_history");
    CHECK(record["required_acknowledgements"] ==
          json({"read_information", "risk_redness", "risk_infection", "sore_risk", "override_explained"}));
}

TEST_CASE("micro-needling: finding_override is required with the override, not by the outcome", "[consent][personal]") {
    const json a = answers_with({{"anticoagulant", true}});
    const json doc = microneedling().consent_document(a, today());
    REQUIRE(doc["outcome"] == "refer");
    std::vector<std::string> without = required_of(doc);
    without.erase(std::remove(without.begin(), without.end(), "finding_override"), without.end());
    REQUIRE(without.size() + 1 == required_of(doc).size());
    prescreen::ConsentRequest r = signing(without);
    r.practitioner_override = {{"finding", "anticoagulant"}, {"name", "Dr Sam Practitioner"}, {"role", "doctor"},
                               {"register", "GMC"}, {"registration_number", "7654321"},
                               {"reason", "Discussed with the prescriber; apixaban continued."},
                               {"consulted", "Dr A Prescriber, GP"}, {"patient_informed", true}};
    try {
        (void)microneedling().consent(a, r, today());
        FAIL("an override was recorded without finding_override");
    } catch (const prescreen::UsageError& e) {
        CHECK(e.diagnostic().code == "missing_acknowledgement");
        CHECK(e.diagnostic().message == "not acknowledged: finding_override");
    }
    r.acknowledged = required_of(doc);
    const json record = microneedling().consent(a, r, today());
    const auto required = record["required_acknowledgements"].get<std::vector<std::string>>();
    CHECK(std::find(required.begin(), required.end(), "finding_override") != required.end());
}

TEST_CASE("with_override is checked at load", "[consent][personal]") {
    for (const auto& [pre_visit, flag, code] : std::vector<std::tuple<bool, json, std::string>>{
             {true, true, "invalid_value"}, {false, "yes", "wrong_type"}}) {
        try {
            (void)with_override_pack(pre_visit, flag);
            FAIL("loaded");
        } catch (const prescreen::ProtocolError& e) {
            CHECK(e.diagnostics()[0].code == code);
            CHECK(e.diagnostics()[0].path == "/consent/acknowledgements/4/with_override");
        }
    }
}
