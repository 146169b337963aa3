// The shared vectors (tests/vectors/*.json): the same files run in C++, Python and JavaScript and
// must give identical JSON. Each file also carries hand-written `checks` (JSON Pointer -> value).
// PRESCREEN_UPDATE_VECTORS=1 rewrites `expected` from this engine (review the diff by hand).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "prescreen/prescreen.hpp"

using prescreen::json;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

json error_of(const prescreen::ProtocolError& e) {
    json list = json::array();
    for (const auto& d : e.diagnostics()) list.push_back(d.to_json());
    return json{{"error", {{"diagnostics", list}}}};
}

prescreen::Protocol load_for(const json& vector) {
    const json& p = vector["protocol"];
    json overrides = vector.value("overrides", json::object());
    if (p.is_string()) return prescreen::Protocol::load(read_text(fs::path(PRESCREEN_SOURCE_DIR) / p.get<std::string>()), overrides);
    return prescreen::Protocol::from_json(p, overrides);
}

prescreen::ConsentRequest request_of(const json& r) {
    prescreen::ConsentRequest req;
    req.acknowledged = r.value("acknowledged", std::vector<std::string>{});
    req.signature = r.value("signature", json::object());
    req.signed_at = r.value("signed_at", "");
    req.information_shown_at = r.value("information_shown_at", "");
    req.patient_reference = r.value("patient_reference", "");
    req.practitioner_override = r.value("practitioner_override", json(nullptr));
    req.countersignature = r.value("countersignature", json(nullptr));
    req.procedure = r.value("procedure", json(nullptr));
    if (r.contains("seal_key")) req.seal_key = r["seal_key"].get<std::string>();
    return req;
}

prescreen::Context context_of(const json& v) {
    json c = v.value("context", json::object());
    return prescreen::Context{c.value("today", ""), c.value("locale", "")};
}

json run(const json& v) {
    const std::string op = v["operation"];
    if (op == "apply_logic") {
        try {
            return prescreen::apply_logic(v["rule"], v.value("data", json::object()), context_of(v));
        } catch (const prescreen::ProtocolError& e) {
            return error_of(e);
        }
    }
    std::optional<std::string> key;
    if (v.contains("seal_key")) key = v["seal_key"].get<std::string>();
    try {
        if (op == "verify_consent") return prescreen::verify_consent(v["record"], key);
        if (op == "consent_status")
            return prescreen::consent_status(v["record"], v["at"].get<std::string>(), v.value("events", std::vector<json>{}), key);
    } catch (const prescreen::UsageError& e) {
        return json{{"error", e.diagnostic().to_json()}};
    }
    std::optional<prescreen::Protocol> protocol;
    try {
        protocol = load_for(v);
    } catch (const prescreen::ProtocolError& e) {
        return error_of(e);
    }
    if (op == "load") return json{{"id", protocol->id()}, {"version", protocol->version()}, {"digest", protocol->digest()}};
    if (op == "form") {
        const bool texts = v.value("context", json::object()).value("texts", true);
        return protocol->form(v["answers"], context_of(v), texts ? prescreen::FormTexts::included : prescreen::FormTexts::omitted);
    }
    if (op == "texts") {
        try {
            return protocol->texts(context_of(v));
        } catch (const prescreen::UsageError& e) {
            return json{{"error", e.diagnostic().to_json()}};
        }
    }
    if (op == "screen") return protocol->screen(v["answers"], context_of(v));
    try {
        if (op == "consent") return protocol->consent(v["answers"], request_of(v["request"]), context_of(v));
        if (op == "consent_document") return protocol->consent_document(v["answers"], context_of(v));
        if (op == "information_record") {
            const json& r = v["request"];
            prescreen::InformationRequest req;
            req.acknowledged = r.value("acknowledged", std::vector<std::string>{});
            req.information_shown_at = r.value("information_shown_at", "");
            req.read_at = r.value("read_at", "");
            req.patient_reference = r.value("patient_reference", "");
            return protocol->information_record(req, context_of(v));
        }
    } catch (const prescreen::UsageError& e) {
        return json{{"error", e.diagnostic().to_json()}};
    }
    FAIL("unknown operation " << op);
    return nullptr;
}

}  // namespace

std::vector<fs::path> vector_files() {
    const fs::path dir = fs::path(PRESCREEN_SOURCE_DIR) / "tests" / "vectors";
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

TEST_CASE("there are at least 40 shared vectors", "[vectors]") { CHECK(vector_files().size() >= 40); }

TEST_CASE("shared vectors give the expected JSON", "[vectors]") {
    const fs::path file = GENERATE(from_range(vector_files()));
    const bool update = std::getenv("PRESCREEN_UPDATE_VECTORS") != nullptr;
    json v = json::parse(read_text(file));
    INFO("vector " << file.filename().string());
    if (update && v.contains("record_from")) {  // materialise the record from an earlier case (files run in order)
        json record;
        for (const auto& other : vector_files()) {
            json o = json::parse(read_text(other));
            if (o["name"] == v["record_from"]) record = o["expected"];
        }
        const json mutations = v.value("mutate", json::object());
        for (auto& [pointer, value] : mutations.items()) record[json::json_pointer(pointer)] = value;
        v["record"] = record;
        // Events are made from the record by the engine (withdraw_consent), as the back office does.
        if (v.contains("make_events")) {
            v["events"] = json::array();
            for (const json& spec : v["make_events"]) {
                prescreen::ConsentEventRequest request;
                request.at = spec["at"];
                request.recorded_by = spec["recorded_by"];
                request.reason = spec.value("reason", "");
                if (spec.contains("seal_key")) request.seal_key = spec["seal_key"].get<std::string>();
                v["events"].push_back(prescreen::withdraw_consent(record, request));
            }
        }
    }
    json actual = run(v);
    if (update) {
        v["expected"] = actual;
        std::ofstream(file) << v.dump(2, ' ', false) << "\n";
    }
    for (auto& [pointer, value] : v["checks"].items()) {
        INFO("check " << pointer);
        json::json_pointer ptr(pointer);
        REQUIRE(actual.contains(ptr));
        CHECK(actual.at(ptr) == value);
    }
    CHECK(actual == v["expected"]);
}
