// Loading a pack is one step per section, run in order by compile_protocol (load.cpp). Each step
// reads its section, appends a diagnostic for every problem and keeps going, and fills its part of
// the compiled protocol. This is what the steps share while one pack loads.
#pragma once

#include <set>
#include <string>

#include "loader.hpp"

namespace prescreen::detail {

struct PackLoad {
    const json& doc;
    const json& overrides;
    const Limits& limits;
    Loader& L;
    CompiledProtocol& p;
    std::set<std::string> source_ids;  // load_sources
    expr::Scope answers_scope;         // load_items: conditions over answers and parameters
    expr::Scope result_scope;          // load_rules: aftercare and course also see fired rules and the outcome
    const json* translations = nullptr;  // translation documents given at load (translations.cpp), or none
    bool for_use = true;                 // false: the checks alone (check_protocol), no digest

    /// A "sources" array citing only the pack's sources; the array, or [] when it is not one.
    json check_sources(const json& obj, const std::string& path, bool required);
};

void load_identity(PackLoad& pack);          // format, id, version, digest, locales, title
void load_translations(PackLoad& pack);      // the declared translations and those given (in load_identity)
void finish_translations(PackLoad& pack);    // after every section: unused translated texts, the form's document
std::string text_address(const json& pack, const std::string& pointer);  // "/items/12/text" -> "/items/pregnant/text"
void load_sources(PackLoad& pack);
void load_pages(PackLoad& pack);
void load_parameters(PackLoad& pack);        // and the clinic's overrides
void load_items(PackLoad& pack);
void order_visibility(PackLoad& pack);       // enable_when cycles, visibility order
void load_rules(PackLoad& pack);
void load_aftercare(PackLoad& pack);
void load_course(PackLoad& pack);
/// Returns each acknowledgement's compiled `when` (null: none), for compile_consent_document (consent_document.cpp).
std::vector<std::shared_ptr<const expr::Program>> check_consent_section(PackLoad& pack);

}  // namespace prescreen::detail
