// Protocol::screen_line (the JSONL fast path: its own reader, results written straight as text)
// must give byte for byte what the full path gives: screen_text(line).dump(). Checked on every
// shared vector, on the micro-needling pack's answers, on hand-picked edge cases of JSON, and on
// thousands of randomly damaged lines, where the fast reader must either agree or hand the line to
// the full parser.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "prescreen/prescreen.hpp"

using prescreen::json;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const fs::path source_dir{PRESCREEN_SOURCE_DIR};

const prescreen::Protocol& small_pack() {
    static const prescreen::Protocol p = prescreen::Protocol::load(read_text(source_dir / "tests/vectors/packs/small-clinic.json"));
    return p;
}

std::string line_of(const prescreen::Protocol& p, std::string_view text, const prescreen::Context& context) {
    std::string out = "(kept)";
    p.screen_line(text, context, out);
    REQUIRE(out.compare(0, 6, "(kept)") == 0);  // appended, never overwritten
    return out.substr(6);
}

void check_same(const prescreen::Protocol& p, std::string_view text, const prescreen::Context& context) {
    INFO("line: " << text);
    CHECK(line_of(p, text, context) == p.screen_text(text, context).dump());
}

const prescreen::Context today{"2026-11-25", ""};

}  // namespace

TEST_CASE("screen_line equals screen_text().dump() on every shared vector", "[screen_line]") {
    std::size_t checked = 0;
    for (const auto& entry : fs::directory_iterator(source_dir / "tests/vectors")) {
        if (entry.path().extension() != ".json") continue;
        const json vector = json::parse(read_text(entry.path()));
        if (!vector.contains("answers") || !vector["protocol"].is_string()) continue;
        const auto p = prescreen::Protocol::load(read_text(source_dir / vector["protocol"].get<std::string>()),
                                                 vector.value("overrides", json::object()));
        const json& ctx = vector.value("context", json::object());
        const prescreen::Context context{ctx.value("today", "2026-11-25"), ctx.value("locale", "")};
        const json& answers = vector["answers"];
        check_same(p, answers.dump(), context);
        check_same(p, answers.dump(2), context);  // whitespace and newlines between tokens
        ++checked;
    }
    CHECK(checked >= 40);
}

TEST_CASE("screen_line equals the full path on the micro-needling pack in every locale", "[screen_line]") {
    const auto p = prescreen::Protocol::load(read_text(source_dir / "protocols/microneedling/protocol.json"));
    const json answers = json::parse(R"({"date_of_birth": "1990-05-15", "pregnant": false, "cold_sore_history": true, "isotretinoin_past": true,
        "isotretinoin_last_dose": "2026-09-01", "treatment_areas": ["face"],
        "other_conditions": "Tab\there, \"quoted\", back\\slash, caf\u00e9 \u2713"})");
    for (const char* locale : {"", "en-GB", "xx"}) check_same(p, answers.dump(), {"2026-11-25", locale});
}

TEST_CASE("screen_line: JSON edge cases agree with the full parser", "[screen_line]") {
    const auto& p = small_pack();
    for (const char* text : {
             R"({})", R"(  { }  )", "\t{\"sex\":\"female\"}\r\n", R"({"sex":"fem\u0061le"})", R"({"sex":"fe\/male"})",
             R"({"weight_kg":-0})", R"({"weight_kg":-0.0})", R"({"weight_kg":1e2})", R"({"weight_kg":1E+2})",
             R"({"weight_kg":18446744073709551616})", R"({"weight_kg":1e400})", R"({"weight_kg":01})",
             R"({"weight_kg":1.})", R"({"weight_kg":.5})", R"({"weight_kg":+1})", R"({"weight_kg":-})",
             R"({"areas":[]})", R"({"areas":["face","face"]})", R"({"areas":[["face"]]})", R"({"areas":[{"a":1}]})",
             R"({"areas":["face",]})", R"({"areas":["face" "neck"]})", R"({"areas":[1,true,null]})",
             R"({"sex":{"a":1}})", R"({"x":1,"x":2})", R"({"sex":"male","sex":"male"})", R"({"a":1,"b":2,"a":3})",
             R"([1,2])", R"("text")", R"(null)", R"()", R"({"sex":"female"} x)", R"({"sex":"female",})",
             R"({"sex" "female"})", R"({sex:"female"})", R"({"sex":tru})", R"({"sex":nul})", R"({"sex":"female")",
             "\xEF\xBB\xBF{\"sex\":\"female\"}", "{\"notes\":\"caf\xC3\xA9\"}", "{\"notes\":\"\xC3\"}",
             "{\"notes\":\"\xE0\x80\x80\"}", "{\"notes\":\"\xF4\x90\x80\x80\"}", "{\"notes\":\"a\x01\"}",
             R"({"notes":"line\nbreak \"q\" \\ \b\f\r\t"})", R"({"notes":"\x"})", R"({"notes":"\ud83d\ude00"})",
             R"({"date_of_birth":"2026-02-30"})", R"({"date_of_birth":"2030-01-01"})", R"({"unknown":true})",
         })
        check_same(p, text, today);
}

// The fast reader reads most numbers exactly itself (Clinger's path) and the rest with the C
// library: every double must be the full parser's, so the pack here writes the number back out
// (a rule that reads weight_kg traces it).
TEST_CASE("screen_line: numbers are read to the same double as the full parser", "[screen_line]") {
    json pack = json::parse(read_text(source_dir / "tests/vectors/packs/small-clinic.json"));
    json rule = pack["rules"][0];
    rule["id"] = "weight_echo";
    rule["when"] = json::parse(R"({"!=": [{"var": "weight_kg"}, -1]})");
    pack["rules"].push_back(rule);
    pack["items"][15]["min"] = -1e300;  // every number in range, so none is an issue instead of a trace
    pack["items"][15]["max"] = 1e300;
    const auto p = prescreen::Protocol::from_json(pack);
    for (const char* number :
         {"0", "-0", "-0.0", "0.1", "0.2", "0.3", "2.5", "72.35", "0.30000000000000004", "1.7976931348623157",
          "123456789012345", "9007199254740992", "9007199254740993", "9007199254740992.5", "18014398509481985",
          "0.000000000000000000001", "0.0000000000000000000001", "0.00000000000000000000001", "1234567890123456789",
          "12345678901234567890", "3.14159265358979323846", "1e2", "-2.5E-3", "100.0000000000000000000000001", "-45.6"}) {
        const std::string text = std::string(R"({"weight_kg":)") + number + "}";
        INFO(text);
        const std::string line = line_of(p, text, today);
        // screen_text reads text with the same fast reader: the tree path is nlohmann's parser alone.
        CHECK(line == p.screen(json::parse(text), today).dump());
        CHECK(line == p.screen_text(text, today).dump());
        CHECK(line.find("\"weight_kg\":") != std::string::npos);  // traced: the value is compared
    }
}

TEST_CASE("screen_line: lines that end inside a string, at every length", "[screen_line]") {
    // The reader skips through strings eight bytes at a time: a line that stops inside a key or a
    // value must be refused at every length (fuzz_jsonl found a read past the end at multiples of 8;
    // `make sanitize` runs this under AddressSanitizer). Each line is a buffer of its own size.
    const auto& p = small_pack();
    for (std::size_t n = 0; n <= 40; ++n) {
        const std::string text(n, 'x');
        for (const std::string& line : {"{\"" + text, "{\"sex\":\"" + text, "{\"sex\":\"" + text + "\u00e9" + text,
                                        "{\"areas\":[\"" + text}) {
            const std::vector<char> exact(line.begin(), line.end());  // no byte after the line
            check_same(p, std::string_view(exact.data(), exact.size()), today);
        }
    }
}

TEST_CASE("screen_line: randomly damaged lines agree with the full parser", "[screen_line][properties]") {
    const auto& p = small_pack();
    const std::vector<std::string> seeds = {
        R"({"areas": ["face", "neck"], "blood_thinner": false, "cold_sores": "never", "cream": false, "date_of_birth": "1990-05-15", "drug_current": false, "drug_past": false, "pregnant": false, "sex": "female", "steel_allergy": false, "notes": "fine \"thanks\""})",
        R"({"sex":"male","pregnant":true,"weight_kg":72.5,"drug_current":true,"drug_last_dose":"2026-10-01"})",
    };
    const std::string alphabet = "{}[]\",:\\ -+.eE0123456789tfnu\x80\xC3\xA9\n";
    std::mt19937 rng(20261125);
    std::size_t fast_and_full = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string line = seeds[rng() % seeds.size()];
        for (int edits = 1 + int(rng() % 3); edits > 0 && !line.empty(); --edits) {
            const std::size_t at = rng() % line.size();
            const char c = alphabet[rng() % alphabet.size()];
            switch (rng() % 3) {
                case 0: line[at] = c; break;
                case 1: line.insert(line.begin() + std::ptrdiff_t(at), c); break;
                default: line.erase(at, 1); break;
            }
        }
        const std::string fast = line_of(p, line, today);
        const std::string full = p.screen_text(line, today).dump();
        if (fast != full) {
            INFO("line: " << line);
            CHECK(fast == full);
        }
        fast_and_full += fast.compare(0, 9, "{\"error\":") != 0;
    }
    CHECK(fast_and_full > 1000);  // the damage leaves many lines valid, so the fast reader is exercised
}

TEST_CASE("screen_line refuses a missing or impossible today like screen_text", "[screen_line]") {
    std::string out;
    CHECK_THROWS_AS(small_pack().screen_line("{}", {"", ""}, out), prescreen::UsageError);
    CHECK_THROWS_AS(small_pack().screen_line("{}", {"2026-02-30", ""}, out), prescreen::UsageError);
    CHECK(out.empty());
}

TEST_CASE("a pack with more aftercare instructions than fit in the record's own bits", "[screen_line][record]") {
    // Screening records keep the first 64 aftercare choices inline and the rest in a vector: a pack
    // with 150 instructions, every third one conditional, must list exactly the ones that apply, in
    // order, on the tree path and the text path alike.
    json pack = json::parse(read_text(source_dir / "tests/vectors/packs/small-clinic.json"));
    json aftercare = json::array();
    for (int i = 0; i < 150; ++i) {
        json entry = {{"id", "a" + std::to_string(i)}, {"phase", "day_0"}, {"text", "Instruction " + std::to_string(i)}};
        if (i % 3 == 1) entry["when"] = {{"==", {{{"var", "cream"}}, true}}};
        aftercare.push_back(entry);
    }
    pack["aftercare"] = aftercare;
    const auto p = prescreen::Protocol::from_json(pack);
    const std::string base = R"({"date_of_birth":"1990-05-01","sex":"female","areas":["face"],"pregnant":false)";
    for (const bool cream : {true, false}) {
        const std::string line = base + ",\"cream\":" + (cream ? "true" : "false") + "}";
        const json result = p.screen_text(line, today);
        std::vector<std::string> ids;
        for (const auto& a : result["aftercare"]) ids.push_back(a["id"].get<std::string>());
        std::vector<std::string> expected;
        for (int i = 0; i < 150; ++i)
            if (i % 3 != 1 || cream) expected.push_back("a" + std::to_string(i));
        CHECK(ids == expected);
        CHECK(line_of(p, line, today) == result.dump());
    }
}
