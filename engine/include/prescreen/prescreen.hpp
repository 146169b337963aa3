// prescreen — embeddable consent-and-screening engine for aesthetic-clinic pre-consultation.
//
// Public API (C++17). JSON (nlohmann::json) is the boundary format: every result serialises to the
// exact JSON the Python and JavaScript bindings return, so the shared vectors in tests/vectors/
// compare byte for byte across runtimes.
//
// The core does no I/O and reads no clock: `today` is always an input.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace prescreen {

using json = nlohmann::json;

/// Library version (semantic versioning).
inline constexpr const char* version_string = "0.1.0";

/// One problem found in a protocol pack, an answer set, a consent record or a JsonLogic rule.
/// `code` is stable (documented in docs/errors.md), `path` is a JSON Pointer (RFC 6901) into the
/// offending document, `message` is written for the person who has to fix it.
struct Diagnostic {
    std::string code;
    std::string path;
    std::string message;

    json to_json() const;  // {"code", "path", "message"}
};

/// RFC 6901 escaping of one JSON Pointer reference token ("a/b" -> "a~1b").
std::string json_pointer_token(std::string_view token);

/// Thrown by Protocol::load when the pack has errors; carries every problem at once.
class ProtocolError : public std::runtime_error {
public:
    explicit ProtocolError(std::vector<Diagnostic> diagnostics);
    const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }
    /// The error envelope of every runtime: {"error": {"code", "path", "message", "diagnostics"}}
    /// (code and path of the first problem; protocol_error when there are several).
    json to_json() const;

private:
    std::vector<Diagnostic> diagnostics_;
};

/// Thrown for misuse of the API (e.g. `today` that is not an ISO date). Carries one diagnostic.
class UsageError : public std::invalid_argument {
public:
    explicit UsageError(Diagnostic diagnostic);
    const Diagnostic& diagnostic() const noexcept { return diagnostic_; }

private:
    Diagnostic diagnostic_;
};

/// Explicit resource limits. Going over one is a diagnostic, never a crash.
struct Limits {
    std::size_t max_document_bytes = 16u * 1024u * 1024u;  // any JSON text given to the engine
    std::size_t max_nesting_depth = 256;                   // JSON arrays/objects inside each other
    std::size_t max_expression_depth = 128;                // JsonLogic operations inside each other
    std::size_t max_items = 2000;                          // questionnaire items in one pack
    std::size_t max_rules = 2000;                          // screening rules in one pack
    std::size_t max_answers_bytes = 1024u * 1024u;         // one answer set as JSON text
    std::size_t max_evaluation_steps = 1000000;            // JsonLogic: loop steps of one evaluation (docs/jsonlogic.md)
    std::size_t max_evaluation_bytes = 64u * 1024u * 1024u; // JsonLogic: memory one evaluation may compute
};

/// The limits the engine uses unless told otherwise.
const Limits& default_limits() noexcept;

/// Per-call context. `today` is an ISO date (YYYY-MM-DD); `locale` picks message translations
/// (empty = the pack's default locale).
struct Context {
    std::string today;
    std::string locale;
};

/// Whether form() carries the wording. A page that typed a letter needs only the questionnaire state
/// (which items are visible, missing, in error): the texts do not change between keystrokes, and
/// building them is most of a form() call (bench/RESULTS.md, "Browser").
enum class FormTexts { included, omitted };

/// What the patient signs at the consultation. See docs/consent.md for the record format.
struct ConsentRequest {
    std::vector<std::string> acknowledged;  // acknowledgement ids the patient ticked
    json signature = json::object();        // {"name": "...", "role": "patient", "strokes": [[[x, y], ...], ...]?}
    std::string signed_at;                   // ISO date-time, e.g. "2026-11-25T10:31:00Z"
    std::string information_shown_at;        // when the consent document was first shown (not after signed_at)
    std::string patient_reference;           // clinic's reference for the patient (may be empty)
    json practitioner_override = nullptr;    // one override or a list (docs/consent.md); only where the pack allows
    json countersignature = nullptr;         // the practitioner taking consent {"name", "role", "register", "registration_number"}
    json information_record = nullptr;       // the pre-visit record (Protocol::information_record), two-step consent
    json procedure = nullptr;                // {"device_model", "device_cartridge_lot", "needle_depth_range", "topical_products"}
    std::optional<std::string> seal_key;     // back office: seal with this key (an empty or blank key is refused)
};

/// The pre-visit step of two-step consent: the patient was shown the information and read it.
struct InformationRequest {
    std::vector<std::string> acknowledged;  // the document's pre_visit acknowledgements the patient ticked
    std::string information_shown_at;        // ISO date-time the document was first shown
    std::string read_at;                     // ISO date-time the patient confirmed reading it (not before shown)
    std::string patient_reference;
    std::optional<std::string> seal_key;
};

/// The requests above given as one JSON object, each field by its name ({"acknowledged": [...],
/// "signature": {...}, "signed_at": "...", ...}; absent or null: the default). Throws UsageError
/// unknown_field or wrong_type with the field's JSON Pointer (e.g. /acknowledged/0).
ConsentRequest consent_request_from_json(const json& request);
InformationRequest information_request_from_json(const json& request);

namespace detail {
struct CompiledProtocol;
}
class Answers;
class ScreeningRecord;
class PreparedAnswers;
struct ScreeningDecision;
enum class Outcome : std::uint8_t;

/// A compiled, immutable protocol pack. Cheap to copy (shared), safe to use from many threads.
class Protocol {
public:
    /// Parse, validate and compile a pack. Throws ProtocolError listing every problem.
    /// `overrides` maps parameter names to values (checked against each parameter's range).
    static Protocol load(std::string_view text, const json& overrides = json::object(),
                         const Limits& limits = default_limits());
    static Protocol from_json(const json& document, const json& overrides = json::object(),
                              const Limits& limits = default_limits());

    /// A pack with translations kept beside it (docs/languages.md): `translations` is an array of
    /// translation documents, each for a locale the pack declares under "translations". A patient
    /// text a translation leaves out fails the load (missing_translation, one per text). The digest
    /// stays the pack's own, whichever translations are loaded.
    static Protocol load_translated(std::string_view text, const json& translations, const json& overrides = json::object(),
                                    const Limits& limits = default_limits());
    static Protocol from_json_translated(const json& document, const json& translations,
                                         const json& overrides = json::object(), const Limits& limits = default_limits());
    static std::vector<Diagnostic> lint_translated(std::string_view text, const json& translations,
                                                   const json& overrides = json::object(), const Limits& limits = default_limits());

    /// Every problem in a pack, without throwing (empty = the pack loads).
    static std::vector<Diagnostic> lint(std::string_view text, const json& overrides = json::object(),
                                        const Limits& limits = default_limits());

    const std::string& id() const noexcept;
    const std::string& version() const noexcept;
    const std::string& digest() const noexcept;  // SHA-256 hex of the canonical pack JSON
    const json& document() const noexcept;       // the pack as loaded
    const json& overrides() const noexcept;      // the overrides given at load
    const Limits& limits() const noexcept;       // the limits given at load
    json items() const;                          // item definitions, in questionnaire order
    json rules() const;                          // rule summaries (id, outcome, sources, ...)
    json parameters() const;                     // effective parameter values with defaults and ranges

    /// Questionnaire state: visible items, missing required items, per-item issues, progress,
    /// and (FormTexts::included) the visible items' texts in the context's locale.
    json form(const json& answers, const Context& context, FormTexts texts = FormTexts::included) const;

    /// Every text a form can show, in the context's locale (the `texts` of form() for all items and
    /// pages, and the consent document): fetched once, for a page that then calls
    /// form(..., FormTexts::omitted) on every keystroke. `today` is not needed. A locale the pack
    /// has no texts in (by tag or language) is a UsageError `unknown_locale`, never the default's.
    json texts(const Context& context) const;

    /// Screening: outcome, defer_until, findings, aftercare and course plan.
    json screen(const json& answers, const Context& context) const;

    /// Screen an answer set given as JSON text (one JSONL line). Never throws for bad input:
    /// malformed text gives {"error": {...}} in place of a result.
    json screen_text(std::string_view answers_json, const Context& context) const;

    /// screen_text(answers_json, context).dump(), appended to `out` without building a json tree:
    /// the fast path for JSONL files and the WebAssembly boundary. Throws only UsageError (today).
    void screen_line(std::string_view answers_json, const Context& context, std::string& out) const;

    /// The canonical consent record (with digest and optional seal). Throws UsageError when the
    /// outcome does not permit consent and no practitioner override is given.
    json consent(const json& answers, const ConsentRequest& request, const Context& context) const;

    /// The consent document as this patient reads it (docs/consent.md): its texts in the context's
    /// locale and only the acknowledgements that apply to this screening (an acknowledgement's
    /// `when`), each with its `stage` and whether it is required at signing. UsageError
    /// unknown_locale for a locale the pack has no texts in, no_consent_document without one.
    json consent_document(const json& answers, const Context& context) const;

    /// The pre-visit record of two-step consent (docs/consent.md): which document was shown, when,
    /// and the pre_visit acknowledgements. Throws UsageError for a missing or unknown acknowledgement.
    json information_record(const InformationRequest& request, const Context& context) const;

    /// Parallel screening over a shared protocol: exactly one result or one {"error": ...} per input,
    /// in input order. threads = 0 means hardware concurrency.
    std::vector<json> screen_batch(const std::vector<json>& answers, const Context& context,
                                   unsigned threads = 0) const;

    // ---- the low-level screening path (prescreen/screening.hpp) --------------------------------
    /// Screen answers from any source into `record` (its memory is reused). Bad answers give an
    /// error record, never an exception; throws UsageError only for an invalid `today`.
    void screen_into(const Answers& answers, const Context& context, ScreeningRecord& record) const;
    /// The questionnaire state of answers from any source (see form(json)).
    json form_of(const Answers& answers, const Context& context, FormTexts texts = FormTexts::included) const;
    /// Validate answers once (the first third of a screening), to decide on them later.
    PreparedAnswers prepare(const Answers& answers, const Context& context) const;
    /// Decide on prepared answers: the screening without reading the answers again.
    void screen_into(const PreparedAnswers& answers, ScreeningRecord& record) const;
    /// Only the decision on prepared answers. Throws ProtocolError when a rule fails at run time.
    void decide(const PreparedAnswers& answers, ScreeningDecision& decision) const;
    /// A record as its result (or {"error": ...}): a json tree, or the same as compact text
    /// (byte for byte write(record).dump()) appended to `out`.
    json write(const ScreeningRecord& record) const;
    void write_text(const ScreeningRecord& record, std::string& out) const;

    // ---- what bindings need to name things in a record --------------------------------------
    std::size_t locale_index(std::string_view locale) const;  // exact, then language, then the default
    /// The locale's index, exact or by its language alone ("fr" for "fr-FR"); nullopt when the pack
    /// has no texts in that language (bindings say so rather than answer in the default).
    std::optional<std::size_t> find_locale(std::string_view locale) const;
    int find_item(std::string_view id) const;                 // slot, -1 when the pack has no such item
    std::size_t item_count() const;
    const std::string& item_id(int slot) const;
    std::size_t rule_count() const;
    const std::string& rule_id(std::size_t rule) const;
    Outcome rule_outcome(std::size_t rule) const;
    const std::string& rule_message(std::size_t rule, std::size_t locale) const;
    const std::string& rule_clinician_note(std::size_t rule, std::size_t locale) const;

private:
    explicit Protocol(std::shared_ptr<const detail::CompiledProtocol> impl);
    std::shared_ptr<const detail::CompiledProtocol> impl_;
};

/// Evaluate a JsonLogic rule against data (json-logic-js semantics plus the documented domain
/// operations). Throws ProtocolError (bad rule) or returns the result.
json apply_logic(const json& rule, const json& data = json::object(), const Context& context = {});

/// Verify a consent record: recompute the digest and, when `seal_key` is given, the seal (an
/// unsealed record then fails). Returns {"valid": bool, "problems": [Diagnostic...]}. A given key
/// that is empty or only white space is a UsageError (empty_seal_key): a key never turns a check off.
json verify_consent(const json& record, std::optional<std::string_view> seal_key = std::nullopt);

/// Status of a consent record at an ISO date or date-time: {"status": "active"|"expired"|
/// "withdrawn"|"superseded"|"not_yet_signed"|"invalid", "valid_until": ..., "problems": [...]}.
/// `events` are withdrawal and supersession events (withdraw_consent, supersede_consent) and, as
/// before, later consent records for the same patient and protocol. With `seal_key`, the record,
/// every event and every later record must be sealed with it: what is not is refused (listed in
/// problems, never acted on). See docs/consent.md for what a record file alone can prove.
json consent_status(const json& record, std::string_view at, const std::vector<json>& events = {},
                    std::optional<std::string_view> seal_key = std::nullopt);

/// The engine's one JSON reader, used by every entry point for text: at most `max_bytes`, nesting
/// within `max_depth`; duplicate keys, lone surrogates, invalid UTF-8 and trailing text refused
/// (codes: document_too_large, malformed_json, nesting_too_deep, duplicate_key; a JSON Pointer path
/// and line/column in the message). parse_json never throws: nullopt with the problem appended...
std::optional<json> parse_json(std::string_view text, std::vector<Diagnostic>& problems,
                               std::size_t max_bytes = default_limits().max_document_bytes,
                               std::size_t max_depth = default_limits().max_nesting_depth);
/// ...read_json is the same reader throwing UsageError with the first problem.
json read_json(std::string_view text, std::size_t max_bytes = default_limits().max_document_bytes,
               std::size_t max_depth = default_limits().max_nesting_depth);

/// Canonical JSON used for digests: sorted keys, no insignificant whitespace; a number with no
/// fraction is written as an integer (0.0 as 0, as JavaScript writes it); NaN and Infinity are a
/// UsageError (not_finite), never written as null.
std::string canonical_json(const json& value);

/// SHA-256 of bytes as lower-case hex.
std::string sha256_hex(std::string_view bytes);

/// HMAC-SHA-256 (RFC 2104) as lower-case hex.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

}  // namespace prescreen

#include "prescreen/consent.hpp"  // consent events and the strict JSON reader
