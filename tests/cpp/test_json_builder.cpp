// JsonBuilder (prescreen/json_builder.hpp): the one place a json value is built under the engine's
// limits, by its own text reader and by bindings from their objects. The size it counts must be the
// compact JSON text's, to the byte, and a refusal must say where, as the text reader says it.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "prescreen/json_builder.hpp"
#include "prescreen/prescreen.hpp"

using prescreen::json;
using prescreen::JsonBuilder;

namespace {

// Walk a json value into a builder, as a binding walks its own objects.
bool feed(JsonBuilder& b, const json& v) {
    switch (v.type()) {
        case json::value_t::null: return b.null();
        case json::value_t::boolean: return b.boolean(v.get<bool>());
        case json::value_t::number_integer: return b.integer(v.get<std::int64_t>());
        case json::value_t::number_unsigned: return b.integer(v.get<std::uint64_t>());
        case json::value_t::number_float: return b.number(v.get<double>());
        case json::value_t::string: return b.string(v.get<std::string>());
        case json::value_t::array:
            if (!b.begin_array(v.size())) return false;
            for (const auto& e : v)
                if (!feed(b, e)) return false;
            return b.end_array();
        case json::value_t::object:
            if (!b.begin_object()) return false;
            for (const auto& [k, e] : v.items())
                if (!b.key(k) || !feed(b, e)) return false;
            return b.end_object();
        default: return false;
    }
}

// Whether `value` is taken under an answers limit of `limit` bytes.
bool fits(const json& value, std::size_t limit) {
    JsonBuilder b({256, limit});
    return feed(b, value);
}

}  // namespace

TEST_CASE("JsonBuilder builds the value it is fed", "[json_builder]") {
    const json value = json::parse(R"({"a": [1, -2, 3.5, "x\n", true, null, {}], "b": {"c": []}, "big": 18446744073709551615})");
    JsonBuilder b({256, 0});
    REQUIRE(feed(b, value));
    CHECK_FALSE(b.problem());
    CHECK(b.take() == value);
}

TEST_CASE("JsonBuilder counts an answer set's size as its compact JSON text, to the byte", "[json_builder]") {
    for (const char* text : {R"({"notes":"a\"b\\c\u0001é😀","n":[1,-20,3.25,1e100],"ok":true,"none":null})", R"({"e":{},"l":[],"x":[[],{}]})",
                             R"([])", R"({"k":["ab","cd"]})"}) {
        const json value = json::parse(text);
        const std::size_t size = value.dump(-1, ' ', false).size();
        INFO(text << " is " << size << " bytes");
        CHECK(fits(value, size));
        CHECK_FALSE(fits(value, size - 1));
    }
    JsonBuilder b({256, 100});
    CHECK_FALSE(b.begin_array(1'000'000));  // refused before any element is read
    REQUIRE(b.problem());
    CHECK(b.problem()->code == "document_too_large");
    CHECK(b.problem()->path.empty());
    CHECK(b.problem()->message == "the answers take more than 100 bytes as JSON text; the limit is 100");
}

TEST_CASE("JsonBuilder refusals name the JSON Pointer of the value refused", "[json_builder]") {
    JsonBuilder b({256, 0});
    REQUIRE(b.begin_object());
    REQUIRE(b.key("areas"));
    REQUIRE(b.begin_array(3));
    REQUIRE(b.number(1.0));
    CHECK_FALSE(b.number(std::nan("")));
    REQUIRE(b.problem());
    CHECK(b.problem()->code == "not_finite");
    CHECK(b.problem()->path == "/areas/1");
    REQUIRE(b.problem_steps().size() == 2);
    CHECK(b.problem_steps()[0].key == "areas");
    CHECK((b.problem_steps()[1].is_index && b.problem_steps()[1].index == 1));

    JsonBuilder host({256, 0});
    REQUIRE(host.begin_object());
    REQUIRE(host.key("a/b"));
    REQUIRE(host.begin_object());
    REQUIRE(host.key("when"));
    CHECK_FALSE(host.refuse("wrong_type", "cannot convert set"));
    CHECK(host.problem()->path == "/a~1b/when");
    CHECK(host.problem()->message == "cannot convert set");

    JsonBuilder twice({256, 0});
    REQUIRE(twice.begin_object());
    REQUIRE(twice.key("x"));
    REQUIRE(twice.begin_object());
    REQUIRE(twice.key("k"));
    REQUIRE(twice.null());
    CHECK_FALSE(twice.key("k"));
    CHECK(twice.problem()->code == "duplicate_key");
    CHECK(twice.problem()->path == "/x/k");
}

TEST_CASE("JsonBuilder keeps the nesting limit as the text reader does", "[json_builder]") {
    for (std::size_t depth : {1u, 3u}) {
        JsonBuilder b({depth, 0});
        for (std::size_t i = 0; i < depth; ++i) REQUIRE(b.begin_array(1));
        CHECK_FALSE(b.begin_object());
        CHECK(b.problem()->code == "nesting_too_deep");
        CHECK(b.problem()->path == std::string("/0/0/0").substr(0, 2 * depth));
        std::vector<prescreen::Diagnostic> problems;
        CHECK_FALSE(prescreen::parse_json(std::string(depth, '[') + "{}" + std::string(depth, ']'), problems, 1024, depth));
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].code == "nesting_too_deep");
        CHECK(problems[0].path == b.problem()->path);
    }
}
