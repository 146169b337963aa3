// The public screening API (prescreen/screening.hpp): every way answers arrive gives the same
// record; records write the same JSON as Protocol::screen; the batch executor gives exactly one
// record per input, in order, whatever the threads, and errors stay on their own rows.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "prescreen/logic.hpp"
#include "prescreen/screening.hpp"
#include "small_pack.hpp"

using prescreen::json;
namespace fs = std::filesystem;

namespace {

const prescreen::Protocol& pack() { return small_pack(); }

const prescreen::Context today{"2026-11-25", ""};

json eligible() {
    return json{{"areas", {"face"}}, {"blood_thinner", false}, {"cold_sores", "never"}, {"cream", false},
                {"date_of_birth", "1990-05-15"}, {"drug_current", false}, {"drug_past", false},
                {"pregnant", false}, {"sex", "female"}, {"steel_allergy", false}};
}

}  // namespace

TEST_CASE("answers as a tree, as text and as entries give one record and the same JSON", "[api]") {
    const auto& p = pack();
    json answers = eligible();
    answers["drug_current"] = true;
    const std::string text = answers.dump();

    prescreen::ScreeningRecord from_tree, from_text, from_entries;
    p.screen_into(prescreen::Answers::tree(answers), today, from_tree);
    p.screen_into(prescreen::Answers::text(text), today, from_text);
    std::vector<prescreen::AnswerValue> areas(1);
    areas[0].type = prescreen::AnswerValue::Type::String;
    areas[0].text = "face";
    std::vector<prescreen::AnswerEntry> entries;
    for (auto it = answers.begin(); it != answers.end(); ++it) {
        prescreen::AnswerEntry e;
        e.id = it.key();
        if (it->is_boolean()) e.value.type = prescreen::AnswerValue::Type::Bool, e.value.boolean = it->get<bool>();
        else if (it->is_string()) e.value.type = prescreen::AnswerValue::Type::String, e.value.text = it->get_ref<const std::string&>();
        else e.value.type = prescreen::AnswerValue::Type::Array, e.value.elements = areas.data(), e.value.size = 1;
        entries.push_back(e);
    }
    p.screen_into(prescreen::Answers::entries(entries.data(), entries.size()), today, from_entries);

    for (const auto* r : {&from_tree, &from_text, &from_entries}) {
        REQUIRE(r->ok());
        CHECK(r->outcome() == prescreen::Outcome::Deferred);
        CHECK(std::string(prescreen::outcome_name(r->outcome())) == "deferred");
        REQUIRE(r->findings().size() == 1);
        CHECK(p.rule_id(r->findings()[0].rule) == "drug_now");
        CHECK(prescreen::format_iso_date(r->today()) == "2026-11-25");
        CHECK(p.write(*r) == p.screen(answers, today));
        std::string written;
        p.write_text(*r, written);
        CHECK(written == p.screen(answers, today).dump());
    }
}

TEST_CASE("a record that is an error writes the one envelope, and screen_text agrees", "[api]") {
    const auto& p = pack();
    prescreen::ScreeningRecord r;
    p.screen_into(prescreen::Answers::text("{\"sex\": "), today, r);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error()->code == "malformed_json");
    const json written = p.write(r);
    CHECK(written == prescreen::error_envelope(*r.error()));
    CHECK(written["error"]["code"] == "malformed_json");
    CHECK(written == p.screen_text("{\"sex\": ", today));

    p.screen_into(prescreen::Answers::text("[1, 2]"), today, r);
    CHECK(r.error()->code == "not_an_object");
    p.screen_into(prescreen::Answers::document_text("[1, 2]"), today, r);  // read as screen(json) reads it
    REQUIRE(r.ok());
    CHECK(r.outcome() == prescreen::Outcome::Incomplete);
    CHECK(r.issues().at(0).code == "not_an_object");
    CHECK(r.issues().at(0).label() == ":not_an_object");

    // A record reused after an error is a result again.
    p.screen_into(prescreen::Answers::tree(eligible()), today, r);
    CHECK(r.ok());
    CHECK(r.outcome() == prescreen::Outcome::Eligible);
}

TEST_CASE("the batch executor: one record per input, in input order, on any number of threads", "[api][batch]") {
    const auto& p = pack();
    std::vector<json> rows;
    std::vector<std::string> lines;
    for (int i = 0; i < 1000; ++i) {
        json a = eligible();
        a["drug_current"] = i % 3 == 0;
        rows.push_back(a);
        lines.push_back(i % 7 == 0 ? std::string("{broken") : a.dump());
    }
    const prescreen::Diagnostic failed{"wrong_type", "/x", "could not be read"};
    for (unsigned threads : {1u, 2u, 4u}) {
        prescreen::BatchExecutor executor(threads);
        CHECK(executor.threads() == threads);
        std::vector<prescreen::Answers> inputs;
        for (std::size_t i = 0; i < lines.size(); ++i)
            inputs.push_back(i == 500 ? prescreen::Answers::failed(failed) : prescreen::Answers::text(lines[i]));
        std::vector<prescreen::ScreeningRecord> records(inputs.size());
        executor.screen(p, today, inputs.data(), records.data(), inputs.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            INFO("row " << i << ", " << threads << " threads");
            if (i == 500) {
                REQUIRE_FALSE(records[i].ok());
                CHECK(records[i].error()->path == "/x");
            } else if (i % 7 == 0) {
                REQUIRE_FALSE(records[i].ok());
                CHECK(records[i].error()->code == "malformed_json");
            } else {
                REQUIRE(records[i].ok());
                CHECK(records[i].outcome() == (i % 3 == 0 ? prescreen::Outcome::Deferred : prescreen::Outcome::Eligible));
            }
        }
    }
}

// Records are recycled when they go (engine/src/record_recycling.cpp): a record made from the
// memory of one that found a lot, or was an error, must read and write exactly as a new one.
TEST_CASE("recycled records read and write as new ones, on the thread that gave them back and on others", "[api][batch]") {
    const auto& p = pack();
    json busy = eligible();
    busy["drug_current"] = true;  // findings and traces
    busy["pregnant"] = true;
    busy["unknown_question"] = 1;  // an issue
    const json plain = eligible();
    const std::string plain_result = p.write(prescreen::ScreeningRecord()).dump(), expected = [&] {
        prescreen::ScreeningRecord r;
        p.screen_into(prescreen::Answers::tree(plain), today, r);
        return p.write(r).dump();
    }();
    CHECK(plain_result != expected);  // a record never written is not a screening
    for (int round = 0; round < 3; ++round) {
        {  // records that found a lot, and errors, given back (more than a magazine's worth)
            std::vector<prescreen::ScreeningRecord> gone(700);
            for (std::size_t i = 0; i < gone.size(); ++i)
                p.screen_into(i % 2 ? prescreen::Answers::tree(busy) : prescreen::Answers::text("{broken"), today, gone[i]);
            REQUIRE(gone[1].findings().size() >= 2);
            REQUIRE_FALSE(gone[1].issues().empty());
            REQUIRE_FALSE(gone[0].ok());
        }
        prescreen::ScreeningRecord unwritten;
        CHECK(unwritten.ok());
        CHECK(unwritten.findings().empty());
        CHECK(unwritten.issues().empty());
        std::vector<prescreen::Answers> inputs(700, prescreen::Answers::tree(plain));
        std::vector<prescreen::ScreeningRecord> again(inputs.size());
        prescreen::BatchExecutor executor(round == 0 ? 1 : 2);
        executor.screen(p, today, inputs.data(), again.data(), inputs.size());
        for (const auto& r : again) {
            REQUIRE(r.ok());
            CHECK(r.findings().empty());
            CHECK(r.issues().empty());
            CHECK(p.write(r).dump() == expected);
        }
    }
}

TEST_CASE("the executor streams chunks in order with progress, and refuses a bad today before any row", "[api][batch]") {
    const auto& p = pack();
    prescreen::BatchExecutor executor(2);
    const std::string line = eligible().dump();
    std::vector<std::string> chunks[2];
    std::size_t produced = 0, written = 0;
    std::vector<std::size_t> progress;
    executor.stream(
        p, today,
        [&](std::vector<prescreen::Answers>& inputs, int buffer) {
            chunks[buffer].clear();
            for (int i = 0; i < 300 && produced < 1000; ++i, ++produced)
                chunks[buffer].push_back(produced % 10 == 9 ? std::string("[]") : line);
            for (const auto& l : chunks[buffer]) inputs.push_back(prescreen::Answers::text(l));
            return !inputs.empty();
        },
        [&](const prescreen::ScreeningRecord* records, std::size_t count) {
            for (std::size_t i = 0; i < count; ++i, ++written) {
                INFO("row " << written);
                CHECK(records[i].ok() == (written % 10 != 9));
            }
        },
        [&](std::size_t done) { progress.push_back(done); });
    CHECK(written == 1000);
    CHECK(progress == std::vector<std::size_t>{300, 600, 900, 1000});

    std::vector<prescreen::Answers> inputs{prescreen::Answers::text(line)};
    std::vector<prescreen::ScreeningRecord> records(1);
    try {
        executor.screen(p, prescreen::Context{"2026-02-30", ""}, inputs.data(), records.data(), 1);
        FAIL("an impossible today was accepted");
    } catch (const prescreen::UsageError& e) {
        CHECK(e.diagnostic().code == "invalid_today");
        CHECK(e.diagnostic().path == "/today");
    }
}

TEST_CASE("prepared answers decide as a full screening does", "[api]") {
    const auto& p = pack();
    json answers = eligible();
    answers["pregnant"] = true;
    const prescreen::PreparedAnswers prepared = p.prepare(prescreen::Answers::tree(answers), today);
    REQUIRE(prepared.error() == nullptr);
    prescreen::ScreeningDecision decision;
    p.decide(prepared, decision);
    prescreen::ScreeningRecord record;
    p.screen_into(prepared, record);
    CHECK(decision.outcome == record.outcome());
    REQUIRE(decision.fired.size() == record.findings().size());
    CHECK(p.write(record) == p.screen(answers, today));
}

TEST_CASE("compiled JsonLogic gives apply_logic's values; the outcome order is the engine's", "[api]") {
    const auto rule = prescreen::Logic::compile(json::parse(R"({"if": [{">": [{"var": "n"}, 2]}, "big", "small"]})"));
    const json data = {{"n", 3}};
    CHECK(rule.apply(prescreen::LogicData(data)) == "big");
    CHECK(rule.truthy(prescreen::LogicData(data)));
    CHECK_THROWS_AS(prescreen::Logic::compile(json::parse(R"({"frob": [1]})")), prescreen::ProtocolError);
    std::vector<std::string> names;
    for (auto o : prescreen::outcomes_strictest_first()) names.push_back(prescreen::outcome_name(o));
    CHECK(names == std::vector<std::string>{"not_eligible", "deferred", "incomplete", "refer",
                                            "eligible_with_precautions", "eligible"});
}
