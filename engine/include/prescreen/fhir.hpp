// prescreen — HL7 FHIR R4 (4.0.1) in and out of the core, so C++, Python, WebAssembly and the CLI
// give the same resources. Format details, URLs and the mapping tables are in docs/fhir.md.
//
// Every function is pure (no clock, no I/O) and returns FHIR JSON as nlohmann::json. Bad input is
// reported as prescreen::ProtocolError (a list of {code, path, message}, path a JSON Pointer into
// the input resource) or as `issues` in the returned object, never as a crash.
#pragma once

#include <string_view>

#include "prescreen/prescreen.hpp"

namespace prescreen::fhir {

/// The canonical URL a pack's Questionnaire is published under: the imported Questionnaire's own
/// `url` when the pack came from FHIR (pack field `fhir.url`), else "urn:prescreen:protocol:<id>".
std::string questionnaire_url(const Protocol& protocol);

/// The pack as an R4 Questionnaire: pages become groups, items questions/display items with
/// linkId (the item's `fhir.link_id` or its id), text in `locale` (empty = the pack's first
/// locale) with the other locales as `translation` extensions, type, required, repeats,
/// answerOption, minValue/maxValue/maxLength, and visibility as enableWhen + enableBehavior where
/// the JsonLogic condition can be written so exactly, otherwise the prescreen extension
/// `urn:prescreen:fhir:enable-when-jsonlogic` carrying the JsonLogic. url, version and an
/// identifier carry the pack id, version and digest.
json questionnaire(const Protocol& protocol, std::string_view locale = {});

/// A pack's answers as a QuestionnaireResponse: `questionnaire` = url|version, `authored` =
/// context.today, status "completed" when the form is complete else "in-progress", items nested as
/// the Questionnaire nests them, holding ONLY valid answers to items visible under these answers
/// (a hidden or invalid answer never appears). Throws UsageError for a bad `today`.
json questionnaire_response(const Protocol& protocol, const json& answers, const Context& context);

/// A QuestionnaireResponse for this pack back to its answer set:
/// {"answers": {item id: value}, "issues": [{code, path, message}]}. Unknown linkIds, answers of
/// the wrong value type and repeated answers to a single-answer item are issues (path into the
/// response), never a throw.
json answers_from_response(const Protocol& protocol, const json& response);

/// An R4 Questionnaire as a pack document (loadable with Protocol::from_json): items and nesting,
/// enableWhen (every operator and answer type) + enableBehavior as JsonLogic with R4 semantics,
/// required, repeats, answerOption, contained answerValueSets, minValue/maxValue, maxLength;
/// original linkIds, initial values and readOnly kept in the items' `fhir` field. What prescreen
/// cannot represent is listed in the pack's `fhir.import_warnings` ({code, path, message}, path
/// into the resource). Throws ProtocolError listing every error (not a Questionnaire, unknown
/// linkId in enableWhen, cycles, too many items, nesting too deep, ...).
json import_questionnaire(const json& resource, const Limits& limits = default_limits());
/// The same from JSON text (size and nesting limits apply while reading).
json import_questionnaire_text(std::string_view text, const Limits& limits = default_limits());

/// A consent record (docs/consent.md) as an R4 Consent: scope treatment, status active, or inactive
/// once withdrawn, patient, dateTime, policy, provision with the acknowledged risks, and the record
/// itself as sourceAttachment. Throws ProtocolError when the input is not a consent record.
json consent(const json& record);
/// The same with the record's status at `at` (an ISO date or date-time) from its events, as
/// consent_status reads them (withdrawal and supersession events, later records; with `seal_key`
/// only what is sealed with it): active; inactive once withdrawn, superseded or expired (provision
/// period ending when the withdrawal or supersession took effect); proposed before signing. The
/// extension urn:prescreen:fhir:consent-status carries prescreen's status. A record that does not
/// verify, or an event that is refused, throws ProtocolError with consent_status's problems.
json consent(const json& record, std::string_view at, const std::vector<json>& events,
             std::optional<std::string_view> seal_key = std::nullopt);

/// The record's signature as an R4 Provenance targeting the Consent: the signer, signed_at and a
/// Signature whose data holds the record's digest and seal.
json provenance(const json& record);

/// A screening result (Protocol::screen) as an R4 RiskAssessment: one prediction per finding
/// (rule id, outcome, patient message, clinician note, sources, defer_until). `subject` is the
/// Reference to the patient (default {"display": "patient"}).
json risk_assessment(const json& result, const json& subject = nullptr);

}  // namespace prescreen::fhir
