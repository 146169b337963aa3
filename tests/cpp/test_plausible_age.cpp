// A date of birth giving an implausible age ("you would be 2 years old: check the year") is an issue
// the engine reports, from the item's "plausible_age" constraint; the answer is then not screened.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "prescreen/prescreen.hpp"

using prescreen::json;

namespace {

json pack_with(const json& plausible) {
    json item = {{"id", "dob"}, {"type", "date"}, {"page", "p"}, {"text", "Date of birth?"}, {"required", true},
                 {"not_future", true}};
    if (!plausible.is_null()) item["plausible_age"] = plausible;
    return json{{"format", "prescreen-protocol/1"}, {"id", "t"}, {"version", "1"}, {"title", "T"}, {"locales", {"en-GB"}},
                {"pages", {{{"id", "p"}, {"title", "P"}}}}, {"items", {item}},
                {"rules", json::parse(R"([{"id": "minor", "when": {"and": [{"var": "dob"}, {"<": [{"age": [{"var": "dob"}]}, 18]}]}, "outcome": "not_eligible",
                                           "message": "m", "clinician_note": "n", "sources": ["S1"]}])")},
                {"sources", {{"S1", {{"title", "Source"}}}}}};
}

}  // namespace

TEST_CASE("plausible_age: an age outside {min, max} on today is an implausible_age issue", "[plausible_age]") {
    auto p = prescreen::Protocol::from_json(pack_with({{"min", 5}, {"max", 120}}));
    const prescreen::Context today{"2026-11-25", ""};

    json two = p.form(json{{"dob", "2024-06-01"}}, today);
    REQUIRE(two["issues"].size() == 1);
    CHECK(two["issues"][0]["code"] == "implausible_age");
    CHECK(two["issues"][0]["item"] == "dob");
    CHECK(two["issues"][0]["path"] == "/dob");
    CHECK(two["issues"][0]["message"] == "Please check the year: this date of birth gives an age of 2.");
    // The answer is not screened: no "under 18" finding from a typing slip, the result is incomplete.
    json result = p.screen(json{{"dob", "2024-06-01"}}, today);
    CHECK(result["outcome"] == "incomplete");
    CHECK(result["findings"].empty());

    // The bounds are whole years on today: 5 on the fifth birthday, 120 until the 121st.
    CHECK(p.form(json{{"dob", "2021-11-25"}}, today)["issues"].empty());
    CHECK(p.form(json{{"dob", "2021-11-26"}}, today)["issues"][0]["code"] == "implausible_age");
    CHECK(p.form(json{{"dob", "1905-11-26"}}, today)["issues"].empty());
    CHECK(p.form(json{{"dob", "1905-11-25"}}, today)["issues"][0]["message"] ==
          "Please check the year: this date of birth gives an age of 121.");
    // A future date is reported as such, not as an age.
    CHECK(p.form(json{{"dob", "2027-01-01"}}, today)["issues"][0]["code"] == "future_date");
    // A plausible 17-year-old is screened: the age rule speaks.
    CHECK(p.screen(json{{"dob", "2009-06-01"}}, today)["outcome"] == "not_eligible");
}

TEST_CASE("plausible_age is checked at load", "[plausible_age]") {
    auto has = [](const std::vector<prescreen::Diagnostic>& ds, const std::string& code, const std::string& path) {
        return std::any_of(ds.begin(), ds.end(), [&](const auto& d) { return d.code == code && d.path == path; });
    };
    CHECK(has(prescreen::Protocol::lint(pack_with({{"min", 50}, {"max", 10}}).dump()), "invalid_value", "/items/0/plausible_age"));
    CHECK(has(prescreen::Protocol::lint(pack_with({{"min", 2.5}}).dump()), "wrong_type", "/items/0/plausible_age/min"));
    CHECK(has(prescreen::Protocol::lint(pack_with({{"oldest", 99}}).dump()), "unknown_key", "/items/0/plausible_age/oldest"));
    json text_item = pack_with(nullptr);
    text_item["items"][0]["type"] = "text";
    text_item["items"][0].erase("not_future");
    text_item["items"][0]["plausible_age"] = {{"min", 5}};
    CHECK(has(prescreen::Protocol::lint(text_item.dump()), "invalid_value", "/items/0/plausible_age"));
}

TEST_CASE("the micro-needling pack asks for a plausible date of birth (5 to 120 years)", "[plausible_age]") {
    std::ifstream in(std::filesystem::path(PRESCREEN_SOURCE_DIR) / "protocols/microneedling/protocol.json", std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    auto p = prescreen::Protocol::load(s.str());
    json form = p.form(json{{"date_of_birth", "2024-11-25"}}, {"2026-11-25", ""});
    REQUIRE(form["issues"].size() == 1);
    CHECK(form["issues"][0]["code"] == "implausible_age");
}
