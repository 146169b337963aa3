// Loading a pack is one step per section, run in order by compile_protocol (load.cpp). Each step
// reads its section, appends a diagnostic for every problem and keeps going, and fills its part of
// the compiled protocol. This is what the steps share while one pack loads.
#pragma once

#include <initializer_list>
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

    /// The entries of the list `parent[key]` at `path`, when there is one (pages, aftercare
    /// instructions, course plans): `load(entry, its path)` for each entry that is an object with the
    /// `required` and `optional` keys (`what` names one in diagnostics). A list that is not an array is
    /// one wrong_type diagnostic, `not_an_array`.
    template <class Load>
    void each_entry(const json& parent, const char* key, const std::string& path, const char* not_an_array,
                    std::initializer_list<const char*> required, std::initializer_list<const char*> optional,
                    const char* what, Load&& load) {
        auto list = parent.find(key);
        if (list == parent.end()) return;
        if (!list->is_array()) {
            L.error("wrong_type", path, not_an_array);
            return;
        }
        for (std::size_t i = 0; i < list->size(); ++i) {
            std::string entry_path = pointer_join(path, i);
            if (L.object((*list)[i], entry_path, required, optional, what)) load((*list)[i], entry_path);
        }
    }
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
