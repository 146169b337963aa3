// Two-step consent on the shipped micro-needling pack (CONTRAINDICATIONS-v2 §6, CONSENT.md §9.3):
// before the visit the patient confirms reading the information and that the answers are true;
// everything else, "my questions were answered" first, is confirmed at the consultation.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

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
