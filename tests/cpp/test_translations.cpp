// Translations kept beside a pack (docs/languages.md): complete or the load fails, with the path of
// every missing text; the form and the results in the translated locale; the digest unchanged.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "prescreen/prescreen.hpp"

using prescreen::json;

namespace {

json small_translated_pack() {
    return json::parse(R"({
      "format": "prescreen-protocol/1", "id": "t", "version": "1", "title": "Test", "locales": ["en-GB"],
      "translations": {"pl": {"reviewed": false}, "es": {"reviewed": true, "reviewer": "Dr A. Nurse", "reviewed_on": "2026-11-30"}},
      "pages": [{"id": "about", "title": "About you"}],
      "items": [{"id": "pregnant", "type": "boolean", "page": "about", "text": "Are you pregnant?", "help": "Say yes if unsure."},
                {"id": "colour", "type": "choice", "page": "about", "text": "Colour?",
                 "options": [{"value": "red", "label": "Red"}, {"value": "blue", "label": "Blue"}]}],
      "rules": [{"id": "preg", "title": "Pregnancy", "when": {"==": [{"var": "pregnant"}, true]}, "outcome": "deferred",
                 "message": "Please wait until after your pregnancy.", "clinician_note": "Defer.", "sources": ["S1"]}],
      "sources": {"S1": {"title": "Source"}}
    })");
}

json polish() {
    return json::parse(R"({
      "format": "prescreen-translation/1", "protocol": "t", "locale": "pl",
      "texts": {"/title": "Test", "/pages/about/title": "O Tobie",
                "/items/pregnant/text": "Czy jesteś w ciąży?", "/items/pregnant/help": "Zaznacz tak, jeśli nie masz pewności.",
                "/items/colour/text": "Kolor?", "/items/colour/options/red/label": "Czerwony",
                "/items/colour/options/blue/label": "Niebieski",
                "/rules/preg/message": "Prosimy poczekać do zakończenia ciąży."}
    })");
}

bool has(const std::vector<prescreen::Diagnostic>& ds, const std::string& code, const std::string& path) {
    return std::any_of(ds.begin(), ds.end(), [&](const auto& d) { return d.code == code && d.path == path; });
}

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("a complete translation loads: form and screen in its locale, digest unchanged", "[translations]") {
    json pack = small_translated_pack();
    auto plain = prescreen::Protocol::from_json(pack);
    auto p = prescreen::Protocol::from_json_translated(pack, json::array({polish()}));
    CHECK(p.digest() == plain.digest());

    json form = p.form(json::object(), {"2026-11-25", "pl"});
    CHECK(form["texts"]["locale"] == "pl");
    CHECK(form["texts"]["items"]["pregnant"]["text"] == "Czy jesteś w ciąży?");
    CHECK(form["texts"]["items"]["colour"]["options"][1]["label"] == "Niebieski");
    CHECK(form["texts"]["items"]["colour"]["options"][1]["value"] == "blue");
    CHECK(form["texts"]["pages"]["about"]["title"] == "O Tobie");
    CHECK(form["texts"]["review"] == json{{"reviewed", false}});

    json result = p.screen(json{{"pregnant", true}, {"colour", "red"}}, {"2026-11-25", "pl"});
    REQUIRE(result["findings"].size() == 1);
    CHECK(result["findings"][0]["message"] == "Prosimy poczekać do zakończenia ciąży.");
    CHECK(result["findings"][0]["clinician_note"] == "Defer.");  // texts for the clinic stay in the pack's language

    // The pack's own locale is unchanged and carries no review.
    json english = p.form(json::object(), {"2026-11-25", "en-GB"});
    CHECK(english["texts"]["items"]["pregnant"]["text"] == "Are you pregnant?");
    CHECK_FALSE(english["texts"].contains("review"));
    // A locale declared but not loaded falls back on the pack's default.
    CHECK(p.form(json::object(), {"2026-11-25", "es"})["texts"]["locale"] == "en-GB");
}

TEST_CASE("a translation missing texts fails the load, one missing_translation per text", "[translations]") {
    json pl = polish();
    pl["texts"].erase("/items/pregnant/help");
    pl["texts"].erase("/items/colour/options/red/label");
    pl["texts"]["/rules/preg/message"] = "";
    auto ds = prescreen::Protocol::lint_translated(small_translated_pack().dump(), json::array({pl}));
    CHECK(ds.size() == 3);
    CHECK(has(ds, "missing_translation", "/items/0/help/pl"));
    CHECK(has(ds, "missing_translation", "/items/1/options/0/label/pl"));
    CHECK(has(ds, "missing_translation", "/rules/0/message/pl"));
    auto it = std::find_if(ds.begin(), ds.end(), [](const auto& d) { return d.path == "/items/0/help/pl"; });
    REQUIRE(it != ds.end());
    CHECK(it->message.find("\"/items/pregnant/help\"") != std::string::npos);
    CHECK(it->message.find("Say yes if unsure.") != std::string::npos);
    CHECK_THROWS_AS(prescreen::Protocol::from_json_translated(small_translated_pack(), json::array({pl})), prescreen::ProtocolError);
}

TEST_CASE("a translation of no text, an undeclared locale or another pack is refused", "[translations]") {
    json pl = polish();
    pl["texts"]["/items/smoker/text"] = "Czy palisz?";           // no such item
    pl["texts"]["/rules/preg/clinician_note"] = "Odroczyć.";    // texts for the clinic are not translated
    auto ds = prescreen::Protocol::lint_translated(small_translated_pack().dump(), json::array({pl}));
    CHECK(ds.size() == 2);
    CHECK(has(ds, "unknown_translation", "/translations/pl/texts/~1items~1smoker~1text"));
    CHECK(has(ds, "unknown_translation", "/translations/pl/texts/~1rules~1preg~1clinician_note"));

    json fr = polish();
    fr["locale"] = "fr";
    CHECK(has(prescreen::Protocol::lint_translated(small_translated_pack().dump(), json::array({fr})), "unknown_locale",
              "/translations/fr"));
    json other = polish();
    other["protocol"] = "another-pack";
    CHECK(has(prescreen::Protocol::lint_translated(small_translated_pack().dump(), json::array({other})), "invalid_value",
              "/translations/0/protocol"));
    CHECK(has(prescreen::Protocol::lint_translated(small_translated_pack().dump(), json::array({polish(), polish()})),
              "duplicate_id", "/translations/pl"));
}

TEST_CASE("the pack's review declaration is checked", "[translations]") {
    json pack = small_translated_pack();
    pack["translations"]["es"].erase("reviewer");
    pack["translations"]["pl"]["reviewed_on"] = "2026-02-30";
    pack["translations"]["en-GB"] = {{"reviewed", true}};
    auto ds = prescreen::Protocol::lint(pack.dump());
    CHECK(has(ds, "missing_key", "/translations/es"));
    CHECK(has(ds, "invalid_date", "/translations/pl/reviewed_on"));
    CHECK(has(ds, "invalid_value", "/translations/en-GB"));
}

TEST_CASE("the micro-needling pack's shipped translations are complete", "[translations]") {
    const auto folder = std::filesystem::path(PRESCREEN_SOURCE_DIR) / "protocols/microneedling";
    const std::string text = read(folder / "protocol.json");
    json pack = json::parse(text);
    REQUIRE(pack.contains("translations"));
    json translations = json::array();
    for (auto it = pack["translations"].begin(); it != pack["translations"].end(); ++it) {
        if (it.key()[0] == '$') continue;
        translations.push_back(json::parse(read(folder / "translations" / (it.key() + ".json"))));
    }
    REQUIRE(translations.size() >= 3);
    auto ds = prescreen::Protocol::lint_translated(text, translations);
    for (const auto& d : ds) UNSCOPED_INFO(d.code << " " << d.path << " " << d.message);
    CHECK(ds.empty());
    auto p = prescreen::Protocol::load_translated(text, translations);
    CHECK(p.digest() == prescreen::Protocol::load(text).digest());
    json ar = p.form(json::object(), {"2026-11-25", "ar"});
    CHECK(ar["texts"]["locale"] == "ar");
    CHECK(ar["texts"]["review"]["reviewed"] == false);
}
