// Every file in tests/cpp/regressions/ goes to the entry point its name starts with (see the README
// there): no crash, no undocumented exception, a diagnostic or a result, and JSON that serialises.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "json_input.hpp"
#include "prescreen/prescreen.hpp"

using prescreen::json;
namespace fs = std::filesystem;

namespace {

const fs::path regressions = fs::path(PRESCREEN_SOURCE_DIR) / "tests" / "cpp" / "regressions";
const prescreen::Context today{"2026-11-25", ""};

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

const prescreen::Protocol& microneedling() {
    static const prescreen::Protocol p = prescreen::Protocol::load(read_bytes(fs::path(PRESCREEN_SOURCE_DIR) / "protocols" / "microneedling" / "protocol.json"));
    return p;
}

std::optional<json> parse(std::string_view text, std::vector<prescreen::Diagnostic>& diagnostics) {
    const auto& limits = prescreen::default_limits();
    return prescreen::parse_json_document(text, limits.max_document_bytes, limits.max_nesting_depth, diagnostics);
}

// Runs one regression input; returns the JSON the entry point produced (already serialised).
void run_one(const std::string& name, const std::string& bytes) {
    if (starts_with(name, "load-")) {
        const auto diagnostics = prescreen::Protocol::lint(bytes);
        for (const auto& d : diagnostics) CHECK_NOTHROW(d.to_json().dump());
        try {
            const auto p = prescreen::Protocol::load(bytes);
            CHECK(diagnostics.empty());
            CHECK_NOTHROW(p.screen(json::object(), today).dump());
        } catch (const prescreen::ProtocolError& e) {
            CHECK_FALSE(e.diagnostics().empty());
            CHECK_NOTHROW(e.to_json().dump());
        }
    } else if (starts_with(name, "screen-")) {
        std::vector<prescreen::Diagnostic> diagnostics;
        const auto answers = parse(bytes, diagnostics);
        if (!answers) {
            REQUIRE_FALSE(diagnostics.empty());
            CHECK_NOTHROW(diagnostics.front().to_json().dump());
            return;
        }
        CHECK_NOTHROW(microneedling().form(*answers, today).dump());
        CHECK_NOTHROW(microneedling().screen(*answers, today).dump());
    } else if (starts_with(name, "logic-")) {
        const auto newline = bytes.find('\n');
        std::vector<prescreen::Diagnostic> diagnostics;
        const auto rule = parse(std::string_view(bytes).substr(0, newline), diagnostics);
        json data = json::object();
        if (newline != std::string::npos) {
            auto parsed = parse(std::string_view(bytes).substr(newline + 1), diagnostics);
            if (parsed) data = std::move(*parsed);
        }
        if (!rule) {
            REQUIRE_FALSE(diagnostics.empty());
            return;
        }
        try {
            CHECK_NOTHROW(prescreen::apply_logic(*rule, data, today).dump());
        } catch (const prescreen::ProtocolError& e) {
            CHECK_FALSE(e.diagnostics().empty());
            CHECK_NOTHROW(e.to_json().dump());
        }
    } else if (starts_with(name, "consent-")) {
        std::vector<prescreen::Diagnostic> diagnostics;
        const auto record = parse(bytes, diagnostics);
        if (!record) {
            REQUIRE_FALSE(diagnostics.empty());
            return;
        }
        const json verdict = prescreen::verify_consent(*record, "key");
        CHECK(verdict.contains("valid"));
        CHECK_NOTHROW(verdict.dump());
        CHECK_NOTHROW(prescreen::consent_status(*record, "2026-11-25").dump());
    } else if (starts_with(name, "jsonl-")) {
        std::istringstream lines(bytes);
        for (std::string line; std::getline(lines, line);) {
            const json result = microneedling().screen_text(line, today);
            CHECK((result.contains("outcome") || result.contains("error")));
            CHECK_NOTHROW(result.dump());
        }
    } else {
        FAIL("regression file with no known prefix: " << name);
    }
}

std::vector<fs::path> inputs() {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(regressions)) {
        const auto name = entry.path().filename().string();
        if (!entry.is_regular_file() || name == "README.md") continue;
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

TEST_CASE("regression inputs: fixed findings stay fixed", "[regressions]") {
    for (const auto& path : inputs()) {
        INFO(path.filename().string());
        run_one(path.filename().string(), read_bytes(path));
    }
}
