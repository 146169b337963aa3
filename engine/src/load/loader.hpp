// The checks a pack's loader makes while it reads one section: each appends a diagnostic and
// keeps going, so one load reports every problem at once.
#pragma once

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "../json_input.hpp"
#include "../protocol_model.hpp"

namespace prescreen::detail {

const char* type_name(const json& v);
bool valid_id(const std::string& id);
bool is_integral_number(const json& v);
std::optional<expr::ItemType> parse_item_type(const std::string& t);
expr::Value to_value(const json& v);

// Validation helpers that append diagnostics and keep going, so one load reports every problem.
class Loader {
public:
    Loader(const Limits& limits, std::vector<Diagnostic>& diagnostics) : limits_(limits), diags_(diagnostics) {}

    void error(std::string code, std::string path, std::string message) {
        diags_.push_back({std::move(code), std::move(path), std::move(message)});
    }

    // Check that `v` is an object whose keys are all known, and that required keys are present.
    bool object(const json& v, const std::string& path, std::initializer_list<const char*> required,
                std::initializer_list<const char*> optional, const char* what) {
        if (!v.is_object()) {
            error("wrong_type", path, std::string(what) + " must be an object, not " + type_name(v));
            return false;
        }
        for (auto it = v.begin(); it != v.end(); ++it) {
            const std::string& k = it.key();
            if (!k.empty() && k[0] == '$') continue;
            bool known = std::any_of(required.begin(), required.end(), [&](const char* r) { return k == r; }) ||
                         std::any_of(optional.begin(), optional.end(), [&](const char* o) { return k == o; });
            if (!known) {
                std::string allowed;
                for (auto* r : required) allowed += std::string(allowed.empty() ? "" : ", ") + r;
                for (auto* o : optional) allowed += std::string(allowed.empty() ? "" : ", ") + o;
                error("unknown_key", pointer_join(path, k),
                      "unknown key \"" + k + "\" in " + what + " (allowed: " + allowed + ")");
            }
        }
        for (auto* r : required)
            if (!v.contains(r))
                error(std::string(r) == "message" || std::string(r) == "clinician_note" ? "missing_message" : "missing_key",
                      pointer_join(path, r), std::string(what) + " needs \"" + r + "\"");
        return true;
    }

    const std::string* string(const json& obj, const char* key, const std::string& path) {
        auto it = obj.find(key);
        if (it == obj.end()) return nullptr;
        if (!it->is_string()) {
            error("wrong_type", pointer_join(path, key), std::string("\"") + key + "\" must be a string, not " + type_name(*it));
            return nullptr;
        }
        return &it->get_ref<const std::string&>();
    }

    std::optional<bool> boolean(const json& obj, const char* key, const std::string& path) {
        auto it = obj.find(key);
        if (it == obj.end()) return std::nullopt;
        if (!it->is_boolean()) {
            error("wrong_type", pointer_join(path, key), std::string("\"") + key + "\" must be true or false, not " + type_name(*it));
            return std::nullopt;
        }
        return it->get<bool>();
    }

    std::optional<double> number(const json& obj, const char* key, const std::string& path, bool integral = false) {
        auto it = obj.find(key);
        if (it == obj.end()) return std::nullopt;
        if (!it->is_number() || (integral && !is_integral_number(*it))) {
            error("wrong_type", pointer_join(path, key),
                  std::string("\"") + key + "\" must be " + (integral ? "a whole number" : "a number") + ", not " + type_name(*it));
            return std::nullopt;
        }
        return it->get<double>();
    }

    // An id: a string matching ^[A-Za-z][A-Za-z0-9_]*$, unique within `seen`.
    std::string id(const json& obj, const std::string& path, std::set<std::string>& seen, const char* what) {
        const std::string* s = string(obj, "id", path);
        if (!s) return {};
        if (!valid_id(*s)) {
            error("invalid_value", pointer_join(path, "id"),
                  std::string(what) + " id \"" + *s + "\" must start with a letter and use only letters, digits and _");
            return *s;
        }
        if (!seen.insert(*s).second)
            error("duplicate_id", pointer_join(path, "id"), std::string("another ") + what + " already uses the id \"" + *s + "\"");
        return *s;
    }

    // A text: a plain string, or an object with every locale written in the pack. Patient texts
    // also need every loaded translation (translations.cpp); texts for the clinic (clinician notes,
    // rule titles, parameter descriptions) stay in the pack's language.
    Text text(const json& obj, const char* key, const std::string& path, bool required, bool for_patient = true) {
        Text t;
        t.by_locale.resize(locales.size());
        auto it = obj.find(key);
        if (it == obj.end()) return t;  // a missing required key is reported by object()
        std::string p = pointer_join(path, key);
        const std::size_t written = locales.size() - translations.size();
        if (it->is_string()) {
            if (required && it->get_ref<const std::string&>().empty())
                error("missing_message", p, std::string("\"") + key + "\" must not be empty");
            std::fill(t.by_locale.begin(), t.by_locale.end(), it->get<std::string>());
        } else if (it->is_object()) {
            for (auto kv = it->begin(); kv != it->end(); ++kv) {
                if (std::find(locales.begin(), locales.begin() + written, kv.key()) == locales.begin() + written)
                    error("unknown_locale", pointer_join(p, kv.key()), "\"" + kv.key() + "\" is not one of the pack's locales");
                else if (!kv->is_string())
                    error("wrong_type", pointer_join(p, kv.key()), "a translation must be a string");
            }
            for (std::size_t i = 0; i < written; ++i) {
                auto tr = it->find(locales[i]);
                if (tr == it->end() || !tr->is_string() || tr->get_ref<const std::string&>().empty())
                    error("missing_translation", pointer_join(p, locales[i]), "no \"" + locales[i] + "\" text for \"" + key + "\"");
                else
                    t.by_locale[i] = tr->get<std::string>();
            }
            std::fill(t.by_locale.begin() + written, t.by_locale.end(), t.by_locale[0]);
        } else {
            error("wrong_type", p, std::string("\"") + key + "\" must be a string or an object of translations, not " + type_name(*it));
            return t;
        }
        if (!translations.empty()) translate(t, p, for_patient && !t.by_locale[0].empty());
        return t;
    }

    // The loaded translations (translations.cpp): their locales follow the pack's own in `locales`.
    struct Translation {
        std::string locale;
        const json* texts;               // text address -> text
        std::set<std::string> used;      // addresses a patient text of the pack asked for
    };
    std::vector<Translation> translations;
    const json* pack = nullptr;          // the pack, to name texts by ids (text_address)
    std::vector<std::pair<std::string, std::vector<std::string>>> translated;  // pointer -> text by locale

    std::shared_ptr<const expr::Program> logic(const json& obj, const char* key, const std::string& path,
                                               const expr::Scope& scope) {
        auto it = obj.find(key);
        if (it == obj.end()) return nullptr;
        return expr::compile(*it, scope, pointer_join(path, key), limits_, diags_);
    }

    std::vector<std::string> locales;

private:
    void translate(Text& t, const std::string& pointer, bool for_patient);  // translations.cpp

    const Limits& limits_;
    std::vector<Diagnostic>& diags_;
};

}  // namespace prescreen::detail
