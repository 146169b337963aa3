// Results written from what was decided: the questionnaire state (render_form) and a screening
// result from its record, as a json tree or as text through the same code (write_screening).
#include <algorithm>

#include "json_writer.hpp"
#include "protocol_model.hpp"

namespace prescreen::detail {

namespace {


json visible_issues(const AnswerSet& a, const Decision& d) {
    json out = json::array();
    for (const AnswerIssue& issue : a.issues)
        if (d.shows(issue)) out.push_back(issue.to_json());
    return out;
}

json missing_ids(const CompiledProtocol& p, const Decision& d) {
    json out = json::array();
    for (int slot : d.missing_required) out.push_back(p.items[slot].id);
    return out;
}

}  // namespace

json render_form(const CompiledProtocol& p, const AnswerSet& a, const Decision& d, std::size_t locale, bool with_texts) {
    json visible = json::array(), ignored = json::array();
    long long answered = 0, required = 0, answered_required = 0;
    for (std::size_t slot = 0; slot < p.items.size(); ++slot) {
        const Item& item = p.items[slot];
        if (!d.visible[slot]) {
            if (a.given[slot]) ignored.push_back(item.id);
            continue;
        }
        visible.push_back(item.id);
        if (item.type == expr::ItemType::Display) continue;
        bool has = d.values[slot].kind != expr::Kind::Null;
        answered += has;
        if (item.required) {
            ++required;
            answered_required += has;
        }
    }
    json issues = visible_issues(a, d);
    bool complete = d.missing_required.empty() && issues.empty();
    json form{{"protocol", p.identity()},
              {"visible", std::move(visible)},
              {"missing_required", missing_ids(p, d)},
              {"issues", std::move(issues)},
              {"ignored", std::move(ignored)},
              {"progress",
               {{"answered", answered},
                {"required", required},
                {"answered_required", answered_required},
                {"percent", required == 0 ? 100 : answered_required * 100 / required}}},
              {"complete", complete}};
    if (with_texts) form["texts"] = form_texts(p, d, locale, complete);
    return form;
}

namespace {

void write_date_or_null(auto& out, const std::optional<Date>& date) {
    if (date) out.string(format_iso_date(*date));
    else out.null();
}

// One screening result from its record. Keys are written in sorted order (the order of a JSON
// object in nlohmann and so of json::dump()), so the text writer's output is byte for byte the
// tree's dump().
template <class Writer>
void write_screening(const CompiledProtocol& p, const RecordData& r, std::string_view today, std::size_t locale,
                     Writer& out) {
    // The locale's constant parts (a pack without locales has one set).
    const ResultText& text = p.result_text[std::min(locale, p.result_text.size() - 1)];
    out.begin_object();
    out.key("aftercare");
    out.begin_array();
    for (std::size_t i = 0; i < p.aftercare.size(); ++i)
        if (r.aftercare(i)) out.constant(text.aftercare[i].value, text.aftercare[i].text);
    out.end_array();

    out.key("consent_permitted");
    out.boolean(r.consent_permitted);

    out.key("course");
    if (r.course >= 0) out.constant(text.courses[r.course].value, text.courses[r.course].text);
    else out.null();

    out.key("defer_until");
    write_date_or_null(out, r.defer_until);

    out.key("findings");
    out.begin_array();
    const json* trace = r.trace.data();
    for (const RecordData::Finding& f : r.findings) {
        const Rule& rule = p.rules[f.rule];
        out.begin_object();
        const ResultText::Finding& finding = text.findings[f.rule];
        out.members(finding.before_defer_until.value, finding.before_defer_until.text);
        out.key("defer_until");
        write_date_or_null(out, f.defer_until);
        out.members(finding.before_trace.value, finding.before_trace.text);
        out.key("trace");
        out.begin_object();
        out.key("answers");
        out.begin_object();
        for (int slot : rule.trace_items_by_id) {
            out.key(p.items[slot].id);
            out.value(*trace++);
        }
        out.end_object();
        out.key("parameters");
        out.begin_object();
        for (int pi : rule.trace_parameters_by_name) {
            out.key(p.parameters[pi].name);
            out.constant(p.parameters[pi].value, p.parameters[pi].value_text);
        }
        out.end_object();
        out.end_object();
        out.end_object();
    }
    out.end_array();

    out.key("issues");
    out.begin_array();
    for (const AnswerIssue& issue : r.issues) {
        out.begin_object();
        out.key("code");
        out.string(issue.code);
        out.key("item");
        out.string(issue.item);
        out.key("message");
        out.string(issue.message);
        out.key("path");
        out.string(issue.path);
        out.end_object();
    }
    out.end_array();

    out.key("missing_required");
    out.begin_array();
    for (int slot : r.missing_required) out.string(p.items[slot].id);
    out.end_array();

    out.key("outcome");
    out.string(outcome_name(r.outcome));
    out.key("protocol");
    out.constant(p.identity_json, p.identity_text);
    out.key("today");
    out.string(today);
    out.end_object();
}

}  // namespace

json render_screening(const CompiledProtocol& p, const RecordData& r) {
    if (r.error) return error_envelope(*r.error);
    JsonTreeWriter out;
    write_screening(p, r, format_iso_date(r.today), r.locale, out);
    return out.take();
}

void render_screening_text(const CompiledProtocol& p, const RecordData& r, std::string& text) {
    if (r.error) {
        text += error_envelope(*r.error).dump(-1, ' ', false, json::error_handler_t::replace);
        return;
    }
    JsonTextWriter out(text);
    write_screening(p, r, format_iso_date(r.today), r.locale, out);
}

}  // namespace prescreen::detail
