// form() with and without its texts, and Protocol::texts(): a page fetches the wording once per
// locale and asks for the questionnaire state alone on every keystroke, so the two must agree.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "prescreen/prescreen.hpp"

using prescreen::json;

namespace {

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const std::filesystem::path pack_folder = std::filesystem::path(PRESCREEN_SOURCE_DIR) / "protocols/microneedling";

prescreen::Protocol microneedling_with_arabic() {
    return prescreen::Protocol::load_translated(read(pack_folder / "protocol.json"),
                                                json::array({json::parse(read(pack_folder / "translations/ar.json"))}));
}

}  // namespace

TEST_CASE("form without texts is form with texts less its texts, for every case of the pack", "[form][texts]") {
    const auto p = microneedling_with_arabic();
    const json cases = json::parse(read(pack_folder / "cases.json"));
    int compared = 0;
    for (const json& c : cases.at("cases")) {
        for (const char* locale : {"en-GB", "ar"}) {
            const prescreen::Context context{c.at("today").get<std::string>(), locale};
            json full = p.form(c.at("answers"), context);
            json state = p.form(c.at("answers"), context, prescreen::FormTexts::omitted);
            REQUIRE(full.contains("texts"));
            CHECK_FALSE(state.contains("texts"));
            full.erase("texts");
            CHECK(state == full);
            ++compared;
        }
    }
    CHECK(compared == 2 * static_cast<int>(cases.at("cases").size()));
}

TEST_CASE("texts() holds every text form() shows, in the same locale", "[form][texts]") {
    const auto p = microneedling_with_arabic();
    const json cases = json::parse(read(pack_folder / "cases.json"));
    for (const char* locale : {"en-GB", "ar"}) {
        const json all = p.texts({"", locale});
        CHECK(all.at("locale") == locale);
        CHECK(all.at("items").size() == p.items().size());
        CHECK(all.at("title") == p.form(json::object(), {"2026-11-25", locale}).at("texts").at("title"));
        for (const json& c : cases.at("cases")) {
            const json texts = p.form(c.at("answers"), {c.at("today").get<std::string>(), locale}).at("texts");
            for (auto it = texts.at("items").begin(); it != texts.at("items").end(); ++it)
                CHECK(all.at("items").at(it.key()) == it.value());
            for (auto it = texts.at("pages").begin(); it != texts.at("pages").end(); ++it)
                CHECK(all.at("pages").at(it.key()) == it.value());
            if (texts.contains("consent")) CHECK(all.at("consent") == texts.at("consent"));
        }
    }
    // The Arabic wording really is Arabic, and the consent document comes whether or not the answers are complete.
    const json arabic = p.texts({"", "ar"});
    CHECK(arabic.at("items").at("pregnant").at("text") != p.texts({"", "en-GB"}).at("items").at("pregnant").at("text"));
    CHECK(arabic.at("consent").at("acknowledgements").size() == p.document().at("consent").at("acknowledgements").size());
    CHECK(arabic.at("review") == json{{"reviewed", false}});
}

TEST_CASE("texts() by language, and a locale the pack has no texts in refused", "[form][texts]") {
    const auto p = microneedling_with_arabic();
    CHECK(p.texts({"", "ar-EG"}).at("locale") == "ar");
    CHECK(p.texts({"", ""}).at("locale") == "en-GB");
    try {
        (void)p.texts({"", "cy"});
        FAIL("Welsh was answered");
    } catch (const prescreen::UsageError& e) {
        CHECK(e.diagnostic().code == "unknown_locale");
        CHECK(e.diagnostic().path == "/locale");
        CHECK(std::string(e.what()).find("\"cy\"") != std::string::npos);
    }
}
