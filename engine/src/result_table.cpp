// The result table's columns and the fields of a result read back as JSON.
#include "prescreen/result_table.hpp"

#include <algorithm>

#include "prescreen/date.hpp"
#include "prescreen/screening.hpp"

namespace prescreen {

const std::vector<std::string>& result_table_columns() {
    static const std::vector<std::string> columns{
        "row", "outcome", "defer_until", "findings", "finding_outcomes", "patient_messages", "clinician_notes",
        "consent_permitted", "missing_required", "issues", "today", "protocol_id", "protocol_version",
        "protocol_digest", "error_code", "error_path", "error_message"};
    return columns;
}

const std::vector<std::string>& result_table_list_columns() {
    static const std::vector<std::string> columns{"findings", "finding_outcomes", "patient_messages",
                                                  "clinician_notes", "missing_required", "issues"};
    return columns;
}

namespace {

const json& member(const json& object, const char* key) {
    static const json null_value = nullptr;
    if (!object.is_object()) return null_value;
    auto it = object.find(key);
    return it == object.end() ? null_value : *it;
}

}  // namespace

json result_table_fields(const json& result) {
    json fields = json::object();
    for (const auto& c : result_table_columns())
        if (c != "row") fields[c] = nullptr;
    for (const auto& c : result_table_list_columns()) fields[c] = json::array();
    if (result.contains("error") && !result.contains("outcome")) {
        const json& error = member(result, "error");
        fields["error_code"] = member(error, "code");
        fields["error_path"] = member(error, "path");
        fields["error_message"] = member(error, "message");
        return fields;
    }
    for (const char* key : {"outcome", "defer_until", "consent_permitted", "today"}) fields[key] = member(result, key);
    const json& findings = member(result, "findings");
    if (findings.is_array())
        for (const json& f : findings) {
            fields["findings"].push_back(member(f, "rule"));
            fields["finding_outcomes"].push_back(member(f, "outcome"));
            fields["patient_messages"].push_back(member(f, "message"));
            fields["clinician_notes"].push_back(member(f, "clinician_note"));
        }
    const json& missing = member(result, "missing_required");
    if (missing.is_array()) fields["missing_required"] = missing;
    const json& issues = member(result, "issues");
    if (issues.is_array())
        for (const json& i : issues) {
            AnswerIssue issue;
            if (member(i, "item").is_string()) issue.item = member(i, "item").get<std::string>();
            if (member(i, "code").is_string()) issue.code = member(i, "code").get<std::string>();
            fields["issues"].push_back(issue.label());
        }
    const json& protocol = member(result, "protocol");
    fields["protocol_id"] = member(protocol, "id");
    fields["protocol_version"] = member(protocol, "version");
    fields["protocol_digest"] = member(protocol, "digest");
    return fields;
}

void ResultColumns::reserve(std::size_t rows) {
    for (auto* column : {&outcome, &consent_permitted}) column->reserve(rows);
    for (auto* column : {&defer_until, &today}) column->reserve(rows);
    for (auto* column : {&finding_offsets, &missing_offsets, &issue_offsets}) column->reserve(rows + 1);
}

void ResultColumns::add(const ScreeningRecord& record) {
    if (const Diagnostic* error = record.error()) {
        errors.push_back({rows(), *error});
        outcome.push_back(-1);
        consent_permitted.push_back(-1);
        defer_until.push_back(no_date);
        today.push_back(no_date);
    } else {
        const auto& order = outcomes_strictest_first();
        outcome.push_back(static_cast<std::int8_t>(std::find(order.begin(), order.end(), record.outcome()) - order.begin()));
        consent_permitted.push_back(record.consent_permitted() ? 1 : 0);
        const auto until = record.defer_until();
        defer_until.push_back(until ? days_since_1970(*until) : no_date);
        today.push_back(days_since_1970(record.today()));
        for (const auto& f : record.findings()) finding_rules.push_back(static_cast<std::int32_t>(f.rule));
        missing_items.insert(missing_items.end(), record.missing_required().begin(), record.missing_required().end());
        for (const auto& issue : record.issues()) issue_labels.push_back(issue.label());
    }
    finding_offsets.push_back(static_cast<std::int32_t>(finding_rules.size()));
    missing_offsets.push_back(static_cast<std::int32_t>(missing_items.size()));
    issue_offsets.push_back(static_cast<std::int32_t>(issue_labels.size()));
}

}  // namespace prescreen
