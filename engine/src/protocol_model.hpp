// The compiled form of a protocol pack (private to the engine).
// Built once by load.cpp, then shared read-only by every thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dates.hpp"
#include "expr/expr.hpp"
#include "consent_document.hpp"
#include "override_policy.hpp"
#include "result_text.hpp"
#include "prescreen/prescreen.hpp"
#include "prescreen/screening.hpp"

namespace prescreen {

namespace detail {

/// Hash for maps looked up by string_view without building a std::string.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

/// Item id -> slot for answers: open addressing over views of the items' ids, hashed on the length
/// and the first and last eight bytes (ids are short), so a lookup is a few instructions and one
/// compare. Built once, as soon as every item's id is read (load/items.cpp), before any condition is compiled.
class ItemIndex {
public:
    void build(const std::vector<std::string_view>& ids);  // views into the items, which outlive the index
    bool built() const { return !table_.empty(); }
    int find(std::string_view id) const;
    /// find(id), trying slot `guess` first: answers mostly come in questionnaire order, so the
    /// item after the one before is the likely one, and one comparison replaces the hashing.
    int find_near(std::string_view id, int guess) const;

private:
    static std::size_t hash(std::string_view s) noexcept;
    // Ids of 8 to 16 bytes (most of them) compare as two words, without a call to memcmp.
    static bool same(std::string_view a, std::string_view b) noexcept {
        if (a.size() != b.size()) return false;
        if (a.size() < 8 || a.size() > 16) return a == b;
        std::uint64_t a1, a2, b1, b2;
        std::memcpy(&a1, a.data(), 8);
        std::memcpy(&b1, b.data(), 8);
        std::memcpy(&a2, a.data() + a.size() - 8, 8);
        std::memcpy(&b2, b.data() + b.size() - 8, 8);
        return ((a1 ^ b1) | (a2 ^ b2)) == 0;
    }
    std::vector<std::pair<std::string_view, int>> table_;  // slot -1 = empty
    std::vector<std::string_view> ids_;                     // by slot
    std::size_t mask_ = 0;
};

/// A text in every locale of the pack (index = locale index).
struct Text {
    std::vector<std::string> by_locale;
    const std::string& in(std::size_t locale) const {
        static const std::string empty;
        return locale < by_locale.size() ? by_locale[locale] : (by_locale.empty() ? empty : by_locale.front());
    }
};

struct Item {
    std::string id;
    expr::ItemType type = expr::ItemType::Text;
    int page = -1;
    bool required = false;
    std::shared_ptr<const expr::Program> enable_when;  // null = always visible
    std::vector<std::string> options;                   // choice / multi-choice values
    std::optional<double> min, max;                     // integer / decimal bounds
    std::optional<std::size_t> max_length;              // text
    bool not_future = false;                            // date
    std::optional<Date> min_date;                       // date
    std::optional<long long> plausible_min_age, plausible_max_age;  // date of birth: "plausible_age" {min, max} in years
    const json* definition = nullptr;                   // the item in CompiledProtocol::document (not a copy)
};

struct Parameter {
    std::string name;
    std::string type;                  // integer | decimal | boolean | string | duration
    std::optional<DateUnit> unit;      // durations
    json value;                        // effective value (default or override)
    std::string value_text;            // value.dump(), for rendering
    json definition;
};

struct Rule {
    std::string id;
    Outcome outcome = Outcome::Refer;
    std::shared_ptr<const expr::Program> when;
    std::vector<int> defer_after;      // date item slots; the latest answered one is the event
    int defer_wait = -1;               // duration parameter index, -1 = open-ended
    Text message, clinician_note;
    json sources = json::array();
    std::vector<int> trace_items;      // slots shown in the trace (condition + defer events)
    std::vector<int> trace_parameters;
    // For rendering (prepared at load): trace keys in JSON object order.
    std::vector<int> trace_items_by_id, trace_parameters_by_name;
    OverridePolicy override_policy;    // who may override the finding at consent (override_policy.hpp)
};

struct Instruction {
    std::string id, phase;
    std::shared_ptr<const expr::Program> when;
    Text text;
};

struct CoursePlan {
    std::string id;
    std::shared_ptr<const expr::Program> when;
    long long sessions = 0, interval_weeks = 0;
    Text text;
};

struct CompiledProtocol {
    json document;
    json overrides = json::object();
    std::string id, version, digest;
    std::vector<std::string> locales;              // the pack's own, then those of the translations loaded
    std::vector<json> translation_review;          // by locale: a translation's review ({"reviewed": ...}), null for the pack's own
    Limits limits;

    std::vector<std::string> pages;
    std::vector<Item> items;                       // questionnaire order; slot = index
    std::vector<expr::ItemInfo> item_info;         // for the compiler's type checks
    ItemIndex item_index;                          // item id -> slot
    std::vector<int> visibility_order;             // topological order of enable_when dependencies
    std::vector<int> conditional_order;            // the same, only the items with an enable_when
    std::vector<int> required_slots;               // required items that take an answer

    std::vector<Parameter> parameters;
    std::unordered_map<std::string, int> parameter_index;
    std::vector<expr::Value> parameter_values;     // effective values as evaluator values

    std::vector<Rule> rules;
    std::unordered_map<std::string, int> rule_index;
    std::vector<Instruction> aftercare;
    std::vector<CoursePlan> plans;
    bool has_follow_up = false;
    long long follow_up_weeks = 0;
    Text follow_up_text;

    bool has_consent = false;
    std::vector<Outcome> permitted_outcomes{Outcome::Eligible, Outcome::EligibleWithPrecautions};
    std::string consent_digest;                    // SHA-256 of the canonical consent section
    std::shared_ptr<const ConsentDocument> consent;  // the consent section compiled (consent_document.hpp)
    std::vector<ResultText> result_text;           // by locale: results' constant parts (result_text.hpp)

    std::size_t locale_index(std::string_view locale) const;  // find_locale, else the pack's first
    std::optional<std::size_t> find_locale(std::string_view locale) const;
    int find_item(std::string_view id) const;
    int find_item_near(std::string_view id, int guess) const { return item_index.find_near(id, guess); }
    bool permits(Outcome outcome) const;
    json identity() const { return json{{"id", id}, {"version", version}, {"digest", digest}}; }
    json identity_json;                            // identity(), and its text, prepared at load
    std::string identity_text;
};

using expr::Brief;
using expr::brief_of;

/// Validated answers in slots: one Value per item (Null = unanswered or invalid). Strings are views
/// into this object or into the protocol, so it must outlive any evaluation and is not copyable.
struct AnswerSet {
    std::vector<expr::Value> values;            // by slot, before visibility
    std::vector<std::string> text;               // by slot: storage for date/text answers
    std::vector<std::vector<expr::Value>> lists; // by slot: storage for multi-choice answers
    std::vector<std::uint64_t> option_bits;      // by slot: bit i = option i chosen (multi-choice, i < 64)
    std::vector<Brief> brief;                    // by slot: values in one byte each (one cache line)
    std::vector<Date> dates;                     // by slot: the parsed date of a valid date answer
    std::vector<AnswerIssue> issues;             // all items', visible or not, in item id order
    std::vector<std::uint8_t> invalid;           // by slot: an answer was given but is invalid
    std::vector<std::uint8_t> given;             // by slot: some answer (valid or not) was given
    bool any_invalid = false;                    // some item's answer is invalid

    AnswerSet() = default;
    AnswerSet(AnswerSet&&) = default;
    AnswerSet& operator=(AnswerSet&&) = default;
    AnswerSet(const AnswerSet&) = delete;
    AnswerSet& operator=(const AnswerSet&) = delete;
};

/// The decision for one answer set, before it is rendered to JSON.
struct Decision {
    // Answers after visibility (hidden = Null), by slot. Usually no hidden item has an answer, and
    // then this is the answer set's own array (no copy); otherwise it is `hidden_copy`.
    const expr::Value* values = nullptr;
    const Brief* brief = nullptr;           // the same in one byte each
    std::vector<expr::Value> hidden_copy;
    std::vector<Brief> hidden_brief;
    std::vector<std::uint8_t> visible;      // by slot
    std::vector<std::uint8_t> fired;        // by rule
    std::vector<std::optional<Date>> rule_defer_until;
    std::vector<int> missing_required;
    bool visible_issues = false;
    Outcome outcome = Outcome::Eligible;
    std::optional<Date> defer_until;
    /// An answer to a hidden item is not used, so its issue is not shown.
    bool shows(const AnswerIssue& issue) const { return issue.slot < 0 || visible[issue.slot]; }
};

using AnswerInput = prescreen::AnswerValue;  // the public view type (prescreen/screening.hpp)
using prescreen::AnswerEntry;

/// Validate answers into slots. `entries` may come in any order (issues are reported in id order,
/// as from a JSON object) and must not repeat an id. `out` is reset first; reusing one AnswerSet
/// across rows reuses its memory.
void parse_answers(const CompiledProtocol& protocol, const AnswerEntry* entries, std::size_t count, const Date& today,
                   AnswerSet& out);
void parse_answers(const CompiledProtocol& protocol, const json& answers, const Date& today, AnswerSet& out);
void decide(const CompiledProtocol& protocol, const AnswerSet& answers, const Date& today, std::string_view today_text,
            Decision& decision);
json render_form(const CompiledProtocol& protocol, const AnswerSet& answers, const Decision& decision,
                 std::size_t locale, bool with_texts);
/// form()'s `texts`: the visible items', their pages' and (when complete) the consent's texts in one locale.
json form_texts(const CompiledProtocol& protocol, const Decision& decision, std::size_t locale, bool complete);
/// Protocol::texts(): the same for every item and page, and the consent document.
json all_texts(const CompiledProtocol& protocol, std::size_t locale);
/// A pack value in one locale: translation objects become their text (form_texts.cpp).
json localized(const json& value, const std::string& locale);
/// What one screening concluded: everything in a result that depends on the answers, in about a
/// hundred bytes. The rest of a result (messages, sources, aftercare wording, the course) is the
/// protocol's, prepared at load, so a result is written from its record whenever it is wanted: a
/// batch keeps records, not 4 KB of JSON per row.
struct RecordData {
    using Finding = prescreen::ScreeningRecord::Finding;
    std::optional<Diagnostic> error;      // set: the record is this error, nothing else in it is used
    Date today;                           // the screening date
    std::size_t locale = 0;               // index into the pack's locales, for writing
    Outcome outcome = Outcome::Eligible;
    bool consent_permitted = false;
    int course = -1;                      // the chosen course plan, -1 = none
    std::optional<Date> defer_until;
    std::vector<Finding> findings;        // fired rules, in rule order
    std::vector<json> trace;              // the findings' trace answers, rule.trace_items_by_id after each other
    // Bit i: aftercare instruction i applies. The first 64 are kept in the record itself (packs
    // have a dozen or two), so a record usually costs no allocation for them.
    std::uint64_t aftercare_bits = 0;
    std::vector<std::uint64_t> more_aftercare_bits;  // instructions 64 and on
    bool aftercare(std::size_t i) const {
        return (i < 64 ? aftercare_bits : more_aftercare_bits[i / 64 - 1]) >> (i % 64) & 1;
    }
    void add_aftercare(std::size_t i) {
        if (i < 64) aftercare_bits |= std::uint64_t(1) << i;
        else more_aftercare_bits[i / 64 - 1] |= std::uint64_t(1) << (i % 64);
    }
    std::vector<int> missing_required;    // slots
    std::vector<AnswerIssue> issues;      // issues of visible items and of unknown ids

    /// Back to a new record's values, keeping the vectors' memory (record_recycling.cpp reuses
    /// records). Every field above is reset here.
    void clear() {
        error.reset();
        today = Date{};
        locale = 0;
        outcome = Outcome::Eligible;
        consent_permitted = false;
        course = -1;
        defer_until.reset();
        findings.clear();
        trace.clear();
        aftercare_bits = 0;
        more_aftercare_bits.clear();
        missing_required.clear();
        issues.clear();
    }
};

/// The record of a decision. Aftercare and course conditions are evaluated here, so this throws
/// ProtocolError when one fails at run time.
/// What conditions over a screening read (aftercare, course, consent acknowledgements): the answers,
/// the fired rules, the outcome. Views into `answers` and `decision`, which must outlive it.
expr::Frame result_frame(const CompiledProtocol& protocol, const AnswerSet& answers, const Decision& decision,
                         std::string_view today);
void record_screening(const CompiledProtocol& protocol, const AnswerSet& answers, const Decision& decision,
                      std::string_view today, RecordData& record);
/// A screening result from its record (or the record's error envelope), as a json tree...
json render_screening(const CompiledProtocol& protocol, const RecordData& record);
/// ...or as its compact text, byte for byte render_screening(...).dump(), appended to `out`.
void render_screening_text(const CompiledProtocol& protocol, const RecordData& record, std::string& out);

/// `translations`: an array of translation documents (load/translations.cpp), or null for none.
/// The document is kept in the compiled protocol: pass a parsed text by std::move, not a copy.
std::shared_ptr<const CompiledProtocol> compile_protocol(json document, const json& overrides,
                                                         const Limits& limits, std::vector<Diagnostic>& diagnostics,
                                                         const json& translations = json());
/// The load's checks alone, for a pack the engine has just made and hands on as a document (the FHIR
/// import checks what it built): the document is moved in and back out, never copied, and what only a
/// pack in use needs (its digest, the renderer's prepared texts) is skipped. Empty: the pack loads.
std::vector<Diagnostic> check_protocol(json& document, const Limits& limits);

}  // namespace detail
}  // namespace prescreen
