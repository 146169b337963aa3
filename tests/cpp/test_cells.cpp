// The engine's cell reader (prescreen/cells.hpp): what a table cell means for each item type, and
// that a cell which does not fit reaches the engine unchanged (so it is refused the same way).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "prescreen/cells.hpp"
#include "small_pack.hpp"

using Type = prescreen::AnswerValue::Type;

namespace {

const prescreen::Protocol& pack() { return small_pack(); }

prescreen::AnswerValue text(std::string_view t) {
    prescreen::AnswerValue v;
    v.type = Type::String;
    v.text = t;
    return v;
}

prescreen::AnswerValue read(std::string_view item, prescreen::AnswerValue cell, std::vector<prescreen::AnswerValue>* parts = nullptr) {
    static const prescreen::CellReader reader(pack());
    std::vector<prescreen::AnswerValue> own;
    return reader.read(pack().find_item(item), cell, parts ? *parts : own);
}

}  // namespace

TEST_CASE("cells: yes/no answers in every spelling, and nothing else") {
    for (const char* yes : {"true", "TRUE", "Yes", " y ", "1"}) {
        auto v = read("pregnant", text(yes));
        CHECK(v.type == Type::Bool);
        CHECK(v.boolean);
    }
    for (const char* no : {"false", "False", "NO", "n", "0\t"}) {
        auto v = read("pregnant", text(no));
        CHECK(v.type == Type::Bool);
        CHECK_FALSE(v.boolean);
    }
    auto odd = read("pregnant", text(" maybe "));
    CHECK(odd.type == Type::String);  // passed on: the engine says wrong_type
    CHECK(odd.text == "maybe");
    prescreen::AnswerValue one;
    one.type = Type::Number;
    one.number = 1;
    CHECK(read("pregnant", one).type == Type::Bool);
    one.number = 2;
    CHECK(read("pregnant", one).type == Type::Number);
}

TEST_CASE("cells: numbers written in full, blanks unanswered, dates trimmed") {
    auto n = read("sessions_before", text(" 12 "));
    CHECK(n.type == Type::Number);
    CHECK(n.number == 12);
    CHECK(read("weight_kg", text("-3.5e1")).number == -35);
    for (const char* bad : {"12kg", "0x10", "inf", "nan", "1,000", ".", "1e"}) CHECK(read("weight_kg", text(bad)).type == Type::String);
    CHECK(read("weight_kg", text("   ")).type == Type::Null);
    CHECK(read("pregnant", text("")).type == Type::Null);
    CHECK(read("drug_last_dose", text(" 2026-08-25 ")).text == "2026-08-25");
    CHECK(read("drug_last_dose", text("2026-08-25T00:00:00")).text == "2026-08-25");
    CHECK(read("drug_last_dose", text("2026-08-25T10:00:00")).text == "2026-08-25T10:00:00");
    CHECK(read("sex", text(" female")).text == "female");
    CHECK(read("notes", text(" as written ")).text == " as written ");
}

TEST_CASE("cells: choice lists split on ';', trimmed, empty parts dropped") {
    std::vector<prescreen::AnswerValue> parts;
    auto v = read("areas", text(" face ; ;neck"), &parts);
    REQUIRE(v.type == Type::Array);
    REQUIRE(v.size == 2);
    CHECK(parts[0].text == "face");
    CHECK(parts[1].text == "neck");
    parts.clear();
    CHECK(read("areas", text(" ; "), &parts).type == Type::Null);
}

TEST_CASE("cells: the nearest item id for a misspelt column") {
    CHECK(prescreen::nearest_item_id(pack(), "pregnat") == "pregnant");
    CHECK(prescreen::nearest_item_id(pack(), "Steel-Allergy") == "steel_allergy");
    CHECK(prescreen::nearest_item_id(pack(), "gp_name") == "");
}
