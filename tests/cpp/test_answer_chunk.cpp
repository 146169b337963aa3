// What a binding reads rows through (prescreen/answer_chunk.hpp, table_column.hpp,
// batch_pipeline.hpp, result_table.hpp's ResultColumns): a row read as entries screens exactly as
// its JSON text; a row over the size limit is given up at the size its text would be refused at;
// a pipeline gives one record per row, in order, whatever the chunk size; the result columns
// hold what the records say.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "prescreen/batch_pipeline.hpp"
#include "prescreen/json_size.hpp"
#include "prescreen/result_table.hpp"
#include "prescreen/table_column.hpp"
#include "small_pack.hpp"

using prescreen::AnswerChunk;
using prescreen::AnswerValue;
using prescreen::json;

namespace {

const prescreen::Context today{"2026-11-25", ""};

json eligible() {
    return json{{"areas", {"face"}}, {"blood_thinner", false}, {"cold_sores", "never"}, {"cream", false},
                {"date_of_birth", "1990-05-15"}, {"drug_current", false}, {"drug_past", false},
                {"pregnant", false}, {"sex", "female"}, {"steel_allergy", false}};
}

// A json object read into the chunk as a binding reads its own objects; false when given up.
bool read_row(const prescreen::Protocol& p, const json& answers, AnswerChunk& chunk) {
    if (!chunk.begin_row(p.limits())) return false;
    for (auto it = answers.begin(); it != answers.end(); ++it) {
        prescreen::AnswerEntry e;
        e.id = chunk.copy(it.key());
        e.slot = p.find_item(e.id);
        AnswerValue& v = e.value;
        if (it->is_boolean()) v.type = AnswerValue::Type::Bool, v.boolean = it->get<bool>();
        else if (it->is_number()) v.type = AnswerValue::Type::Number, v.number = it->get<double>();
        else if (it->is_string()) v.type = AnswerValue::Type::String, v.text = chunk.copy(it->get_ref<const std::string&>());
        else if (it->is_array()) {
            if (!chunk.begin_list(it->size(), v)) return chunk.drop_row();
            for (const json& element : *it) {
                AnswerValue part;
                part.type = AnswerValue::Type::String;
                part.text = chunk.copy(element.get_ref<const std::string&>());
                if (!chunk.element(part)) return chunk.drop_row();
            }
        }
        if (!chunk.add(e, prescreen::json_string_bytes(e.id) + 2)) return chunk.drop_row();
    }
    chunk.end_row();
    return true;
}

}  // namespace

TEST_CASE("rows read as entries, json, text and errors screen as their JSON does, in order", "[chunk]") {
    const auto& p = small_pack();
    json deferred = eligible();
    deferred["drug_current"] = true;
    AnswerChunk chunk;
    REQUIRE(read_row(p, deferred, chunk));
    chunk.add_json(eligible());
    chunk.add_text("{\"pregnant\": true}");
    chunk.add_failed({"malformed_csv", "/3", "the line has too many cells"});
    chunk.add_text("{bad");
    REQUIRE(chunk.size() == 5);
    const std::vector<prescreen::Answers>& inputs = chunk.seal();
    std::vector<prescreen::ScreeningRecord> records(inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) p.screen_into(inputs[i], today, records[i]);
    CHECK(p.write(records[0]) == p.screen(deferred, today));
    CHECK(p.write(records[1]) == p.screen(eligible(), today));
    CHECK(p.write(records[2]) == p.screen(json{{"pregnant", true}}, today));
    CHECK(p.write(records[3]) == prescreen::error_envelope({"malformed_csv", "/3", "the line has too many cells"}));
    REQUIRE(records[4].error());
    CHECK(records[4].error()->code == "malformed_json");

    chunk.clear();
    CHECK(chunk.size() == 0);
    REQUIRE(read_row(p, eligible(), chunk));  // memory reused: the same answers again
    p.screen_into(chunk.seal()[0], today, records[0]);
    CHECK(p.write(records[0]) == p.screen(eligible(), today));
}

TEST_CASE("a row of entries is given up exactly where its JSON text passes max_answers_bytes", "[chunk]") {
    json answers = eligible();
    answers["note"] = std::string(100, 'x');
    const std::size_t size = answers.dump().size();
    for (std::size_t limit : {size - 1, size}) {
        prescreen::Limits limits;
        limits.max_answers_bytes = limit;
        const auto p = prescreen::Protocol::from_json(small_pack().document(), json::object(), limits);
        AnswerChunk chunk;
        CHECK(read_row(p, answers, chunk) == (limit >= size));
        CHECK(chunk.size() == (limit >= size ? 1u : 0u));
        if (limit < size) {  // as its text is refused
            const std::string text = answers.dump();
            chunk.add_text(text);
            prescreen::ScreeningRecord record;
            p.screen_into(chunk.seal()[0], today, record);
            REQUIRE(record.error());
            CHECK(record.error()->code == "document_too_large");
        }
    }
}

TEST_CASE("table columns read numbers, booleans, codes and objects from raw memory", "[chunk]") {
    const auto& p = small_pack();
    const std::vector<double> floats{1.5, NAN, INFINITY};
    const std::vector<std::int16_t> shorts{-3, 7, 0};
    const std::vector<bool> flags{true, false, true};
    const bool raw_flags[3] = {true, false, true};
    int objects[2] = {10, 20};
    const void* cells[2] = {&objects[0], &objects[1]};
    const std::int64_t codes[3] = {1, -1, 0};
    const auto column = [](char kind, std::size_t itemsize, const void* data, const void* codes = nullptr) {
        prescreen::TableColumn c;
        c.kind = kind;
        c.itemsize = itemsize;
        c.data = static_cast<const char*>(data);
        c.stride = static_cast<std::ptrdiff_t>(itemsize);
        c.codes = static_cast<const char*>(codes);
        c.codes_stride = codes ? 8 : 0;
        return c;
    };
    auto f = column('f', 8, floats.data()), s = column('i', 2, shorts.data()), b = column('b', 1, raw_flags),
         o = column('O', sizeof(void*), cells, codes);
    f.name_for(p, "age");
    CHECK(f.id == "age");
    CHECK(f.member_bytes == 7);  // "age": and a comma
    b.name_for(p, "pregnant");
    CHECK(b.slot == p.find_item("pregnant"));
    AnswerValue v;
    const void* object = nullptr;
    using Cell = prescreen::TableColumn::Cell;
    CHECK(f.read(0, v, object) == Cell::Answer);
    CHECK(v.number == 1.5);
    CHECK(f.read(1, v, object) == Cell::Unanswered);
    CHECK(f.read(2, v, object) == Cell::NotFinite);
    CHECK(s.read(0, v, object) == Cell::Answer);
    CHECK(v.number == -3);
    for (std::size_t row = 0; row < 3; ++row) {
        CHECK(b.read(row, v, object) == Cell::Answer);
        CHECK((v.type == AnswerValue::Type::Bool && v.boolean == flags[row]));
    }
    CHECK(o.read(0, v, object) == Cell::Object);
    CHECK(object == &objects[1]);
    CHECK(o.read(1, v, object) == Cell::Unanswered);
    CHECK(o.read(2, v, object) == Cell::Object);
    CHECK(object == &objects[0]);
}

TEST_CASE("a pipeline screens every row once, in order, whatever the chunks and threads", "[chunk]") {
    const auto& p = small_pack();
    std::vector<json> rows;
    for (int i = 0; i < 1000; ++i) {
        json a = eligible();
        if (i % 3 == 0) a["drug_current"] = true;
        if (i % 7 == 0) a["pregnant"] = true;
        rows.push_back(a);
    }
    for (unsigned threads : {1u, 2u, 3u}) {
        for (std::size_t chunk_size : {1u, 100u, 1024u}) {
            prescreen::BatchPipeline pipeline(p, today, threads, chunk_size, rows.size());
            std::size_t read = 0, seen = 0, waits = 0, chunks = 0;
            const auto next = [&] {
                return pipeline.next(
                    [&](AnswerChunk& chunk, std::size_t wanted) {
                        CHECK(wanted <= chunk_size);
                        for (std::size_t n = 0; n < wanted && read < rows.size(); ++n, ++read)
                            if (read % 2 || !read_row(p, rows[read], chunk)) chunk.add_json(rows[read]);
                        return read < rows.size();
                    },
                    [&](const std::function<void()>& finish) {
                        ++waits;
                        finish();
                    });
            };
            while (prescreen::AnswerChunk* done = next()) {
                ++chunks;
                for (const auto& record : done->records) CHECK(p.write(record) == p.screen(rows[seen++], today));
            }
            CHECK(seen == rows.size());
            CHECK(waits == chunks);
            CHECK(next() == nullptr);
        }
    }
}

TEST_CASE("result columns hold each record's outcome, dates, codes and errors", "[chunk]") {
    const auto& p = small_pack();
    json deferred = eligible();
    deferred["drug_current"] = true;
    std::vector<prescreen::ScreeningRecord> records(3);
    p.screen_into(prescreen::Answers::tree(deferred), today, records[0]);
    p.screen_into(prescreen::Answers::text("{bad"), today, records[1]);
    p.screen_into(prescreen::Answers::tree(json{{"pregnant", "maybe"}}), today, records[2]);
    prescreen::ResultColumns columns;
    columns.reserve(3);
    for (const auto& r : records) columns.add(r);
    REQUIRE(columns.rows() == 3);
    const auto& order = prescreen::outcomes_strictest_first();
    CHECK(order[static_cast<std::size_t>(columns.outcome[0])] == records[0].outcome());
    CHECK(columns.outcome[1] == -1);
    CHECK(columns.consent_permitted == std::vector<std::int8_t>{0, -1, 0});
    CHECK(columns.today[0] == prescreen::days_since_1970(records[0].today()));
    const auto until = records[0].defer_until();
    CHECK(columns.defer_until[0] == (until ? prescreen::days_since_1970(*until) : prescreen::ResultColumns::no_date));
    CHECK(columns.today[1] == prescreen::ResultColumns::no_date);
    REQUIRE(columns.finding_offsets.size() == 4);
    CHECK(columns.finding_offsets[1] == static_cast<std::int32_t>(records[0].findings().size()));
    CHECK(columns.finding_offsets[2] == columns.finding_offsets[1]);
    CHECK(p.rule_id(static_cast<std::size_t>(columns.finding_rules[0])) == p.rule_id(records[0].findings()[0].rule));
    CHECK(columns.issue_labels.back() == records[2].issues().back().label());
    REQUIRE(columns.errors.size() == 1);
    CHECK(columns.errors[0].row == 1);
    CHECK(columns.errors[0].diagnostic.code == "malformed_json");
    // The same fields as the table read back from each result's JSON.
    const json fields = prescreen::result_table_fields(p.write(records[0]));
    CHECK(fields["outcome"] == prescreen::outcome_name(order[static_cast<std::size_t>(columns.outcome[0])]));
}
