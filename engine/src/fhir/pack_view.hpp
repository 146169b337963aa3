// What the FHIR mapping needs to know about a pack, read once from its document: items with
// their linkIds and R4 types, and the Questionnaire's outline (pages and nested items as a tree).
// Shared by the Questionnaire export and both directions of the QuestionnaireResponse mapping.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "prescreen/fhir.hpp"

namespace prescreen::fhir::detail {

// Extension and system URLs (docs/fhir.md lists them).
inline constexpr const char* kTranslation = "http://hl7.org/fhir/StructureDefinition/translation";
inline constexpr const char* kMinValue = "http://hl7.org/fhir/StructureDefinition/minValue";
inline constexpr const char* kMaxValue = "http://hl7.org/fhir/StructureDefinition/maxValue";
inline constexpr const char* kItemControl = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl";
inline constexpr const char* kItemControlSystem = "http://hl7.org/fhir/questionnaire-item-control";
inline constexpr const char* kEnableWhenJsonLogic = "urn:prescreen:fhir:enable-when-jsonlogic";
inline constexpr const char* kNotFuture = "urn:prescreen:fhir:not-future";
inline constexpr const char* kProtocolSystem = "urn:prescreen:protocol";
inline constexpr const char* kDigestSystem = "urn:prescreen:protocol-digest";

struct PackItem {
    const json* def = nullptr;  // the item in the pack document
    std::string id, type, page;
    std::string link_id;        // fhir.link_id, else the id
    std::string r4_type;        // the R4 item type it is exported as
    std::string parent;         // fhir.parent: linkId of the item it is nested under ("" = its page)
    const json* fhir = nullptr; // the item's fhir object, if any
};

/// One Questionnaire node: a page's group or a pack item, with its children in document order.
struct Node {
    int item = -1;         // index into PackView::items; -1 = a page's group
    int page = -1;         // page index (groups of pages)
    std::string link_id;
    std::vector<int> children;
};

struct PackView {
    const Protocol* protocol = nullptr;
    const json* doc = nullptr;
    std::vector<std::string> locales;
    std::vector<PackItem> items;
    std::unordered_map<std::string, int> by_id, by_link_id;
    const json* fhir = nullptr;  // the pack's top-level fhir object, if any
    std::vector<Node> nodes;
    std::vector<int> roots;      // top-level nodes in order
    std::vector<int> node_of_item;

    /// The index of `locale` (exact tag, else by its language); UsageError unknown_locale otherwise.
    std::size_t locale_index(std::string_view locale) const;
    /// The option's value[x] as FHIR writes it, e.g. {"valueCoding": {...}} or {"valueInteger": 3}.
    json option_value(const PackItem& item, const json& option, std::size_t locale) const;
    /// A pack answer (already valid) as QuestionnaireResponse answer values.
    json answer_values(const PackItem& item, const json& answer, std::size_t locale) const;
};

PackView view_of(const Protocol& protocol);

/// A pack text ({locale: text} or a plain string) in one locale, falling back to the first.
std::string text_in(const json& text, const std::vector<std::string>& locales, std::size_t locale);
/// `element` (e.g. "text") and, when the pack has more locales, "_element" with translation extensions.
void put_text(json& out, const char* element, const json& text, const std::vector<std::string>& locales,
              std::size_t locale);

std::string base64(std::string_view bytes);
/// A pack id as a FHIR resource id ([A-Za-z0-9-.]{1,64}).
std::string resource_id(std::string_view id);
/// The FHIR value[x] key of a JSON answer object (the one member starting with "value"), or "".
std::string value_key(const json& object, const char* prefix = "value");

}  // namespace prescreen::fhir::detail
