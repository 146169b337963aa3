// Community JsonLogic suites (json-logic/compat-tables). They deliberately differ from
// json-logic-js in places, so this test reports the pass count and guards against regressions:
// it fails only when a file passes fewer cases than recorded below (docs/jsonlogic.md explains
// every difference).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "prescreen/prescreen.hpp"

using prescreen::json;

namespace {

struct Tally {
    int passed = 0;
    int total = 0;
};

// Recorded pass counts (update when a change makes more cases pass; never lower them silently).
const std::map<std::string, int> kRecorded = {
#include "jsonlogic_community_counts.inc"
};

}  // namespace

TEST_CASE("jsonlogic: community suites (regression guard)", "[jsonlogic][community]") {
    namespace fs = std::filesystem;
    const fs::path root = PRESCREEN_SHARED_DIR "/conformance/jsonlogic/community";
    REQUIRE(fs::is_directory(root));
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(root))
        if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());

    std::map<std::string, Tally> tallies;
    Tally all;
    const bool verbose = std::getenv("PRESCREEN_COMMUNITY_VERBOSE") != nullptr;
    for (const auto& file : files) {
        const std::string name = fs::relative(file, root).generic_string();
        std::ifstream in(file);
        std::stringstream ss;
        ss << in.rdbuf();
        const json suite = json::parse(ss.str());
        Tally& tally = tallies[name];
        for (const auto& test : suite) {
            if (!test.is_object()) continue;
            ++tally.total;
            const json data = test.value("data", json(nullptr));
            bool pass = false;
            std::string got;
            try {
                const json result = prescreen::apply_logic(test.at("rule"), data);
                got = result.dump();
                pass = test.contains("result") && result == test["result"];
            } catch (const prescreen::ProtocolError& e) {
                got = "error " + (e.diagnostics().empty() ? std::string() : e.diagnostics()[0].code);
                pass = test.contains("error");
            } catch (const prescreen::UsageError& e) {
                got = "error " + e.diagnostic().code;
                pass = test.contains("error");
            }
            if (pass) ++tally.passed;
            else if (verbose)
                std::cout << "DIFF " << name << ": " << test.value("description", "") << "\n  rule " << test["rule"].dump()
                          << " data " << data.dump() << "\n  expected "
                          << (test.contains("result") ? test["result"].dump() : "error " + test["error"].dump())
                          << " got " << got << "\n";
        }
        all.passed += tally.passed;
        all.total += tally.total;
    }
    std::ostringstream report;
    report << "community JsonLogic suites: " << all.passed << " / " << all.total << " pass\n";
    for (const auto& [name, t] : tallies) report << "  " << name << ": " << t.passed << " / " << t.total << "\n";
    std::cout << report.str();
    if (std::getenv("PRESCREEN_COMMUNITY_COUNTS"))
        for (const auto& [name, t] : tallies) std::cout << "    {\"" << name << "\", " << t.passed << "},\n";

    for (const auto& [name, expected] : kRecorded) {
        INFO(name);
        const auto it = tallies.find(name);
        REQUIRE(it != tallies.end());
        CHECK(it->second.passed >= expected);
    }
    int recorded_total = 0;
    for (const auto& [name, expected] : kRecorded) recorded_total += expected;
    CHECK(all.passed >= recorded_total);
}
