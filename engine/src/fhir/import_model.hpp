// The import's view of a Questionnaire's items while it becomes a pack (questionnaire_import.cpp),
// and the translation of one item's enableWhen into JsonLogic (enable_when_import.cpp).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "prescreen/fhir.hpp"

namespace prescreen::fhir::detail {

struct ImportOption {
    std::string value;  // the pack option value
    std::string key;    // the FHIR value[x] key: valueCoding, valueString, valueInteger, valueDate, valueTime
    json fhir_value;    // the FHIR value itself
};

struct ImportItem {
    const json* def = nullptr;
    std::string path;            // JSON Pointer of the item in the resource
    int parent = -1;             // index of the enclosing item, -1 = top level
    int depth = 0;
    std::string link_id, r4_type;
    std::string id;              // pack item (or page) id
    std::string pack_type;       // boolean, choice, ..., display; "" = a page or an item not imported
    bool is_page = false;        // a top-level group
    bool is_help = false;        // a display child with itemControl "help": its parent's help text
    std::vector<ImportOption> options;
    json logic;                  // effective enable_when (with the ancestors'), null = always
};

struct Diagnostics {
    std::vector<Diagnostic> errors, warnings;
    void error(std::string code, std::string path, std::string message) {
        errors.push_back({std::move(code), std::move(path), std::move(message)});
    }
    void warn(std::string code, std::string path, std::string message) {
        warnings.push_back({std::move(code), std::move(path), std::move(message)});
    }
};

/// The item's own enableWhen (+ enableBehavior) as JsonLogic with R4 semantics, null when it has
/// none. `by_link_id` resolves enableWhen.question.
json enable_when_logic(const std::vector<ImportItem>& items, const std::unordered_map<std::string, int>& by_link_id,
                       const ImportItem& item, Diagnostics& d);

}  // namespace prescreen::fhir::detail
