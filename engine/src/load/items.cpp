// Items: ids and types first (conditions may refer to later items), then texts, bounds and visibility.
#include <set>

#include "pack_load.hpp"

namespace prescreen::detail {

void load_items(PackLoad& pack) {
    Loader& L = pack.L;
    CompiledProtocol& p = pack.p;
    const json& doc = pack.doc;
    const json* items = nullptr;
    if (auto it = doc.find("items"); it != doc.end()) {
        if (!it->is_array()) L.error("wrong_type", "/items", "\"items\" must be an array");
        else if (it->size() > pack.limits.max_items)
            L.error("too_many_items", "/items",
                    "the pack has " + std::to_string(it->size()) + " items; the limit is " + std::to_string(pack.limits.max_items));
        else items = &*it;
    }
    std::set<std::string> item_ids;
    if (items) {
        for (std::size_t i = 0; i < items->size(); ++i) {
            const json& def = (*items)[i];
            std::string path = pointer_join("/items", i);
            Item item;
            item.definition = &def;  // def lives in the compiled protocol's document
            if (L.object(def, path, {"id", "type", "page", "text"},
                         {"help", "required", "enable_when", "options", "min", "max", "max_length", "not_future", "min_date", "plausible_age", "fhir"},
                         "an item")) {
                item.id = L.id(def, path, item_ids, "item");
                if (const std::string* t = L.string(def, "type", path)) {
                    if (auto type = parse_item_type(*t)) item.type = *type;
                    else L.error("invalid_value", pointer_join(path, "type"),
                                 "item type \"" + *t + "\" is not one of boolean, choice, multi-choice, date, integer, decimal, text, display");
                }
            }
            expr::ItemInfo info{item.id, item.type, {}};
            if (def.is_object() && (item.type == expr::ItemType::Choice || item.type == expr::ItemType::MultiChoice)) {
                auto opts = def.find("options");
                if (opts == def.end() || !opts->is_array() || opts->empty())
                    L.error("missing_key", pointer_join(path, "options"), "a choice item needs a non-empty \"options\" array");
                else {
                    std::set<std::string> values;
                    for (std::size_t k = 0; k < opts->size(); ++k) {
                        std::string opath = pointer_join(pointer_join(path, "options"), k);
                        if (!L.object((*opts)[k], opath, {"value", "label"}, {"help"}, "an option")) continue;
                        const std::string* v = L.string((*opts)[k], "value", opath);
                        if (v && !values.insert(*v).second)
                            L.error("duplicate_id", pointer_join(opath, "value"), "option \"" + *v + "\" appears twice");
                        if (v) item.options.push_back(*v);
                        L.text((*opts)[k], "label", opath, true);
                        L.text((*opts)[k], "help", opath, false);
                    }
                }
                info.options = item.options;
            } else if (def.is_object() && def.contains("options")) {
                L.error("invalid_value", pointer_join(path, "options"), "only choice and multi-choice items have options");
            }
            p.item_info.push_back(std::move(info));
            p.items.push_back(std::move(item));
        }
    }
    // Every id is known now: conditions may refer to any item, earlier or later.
    std::vector<std::string_view> ids;
    for (const Item& item : p.items) ids.push_back(item.id);
    p.item_index.build(ids);  // views into p.items, which no longer grows
    expr::Scope& answers_scope = pack.answers_scope;
    answers_scope.items = &p.item_info;
    if (auto it = doc.find("logic"); it != doc.end()) {  // the JsonLogic dialect (docs/jsonlogic.md)
        if (*it == "core") answers_scope.dialect = Dialect::Core;
        else if (*it != "json-logic-js")
            L.error("invalid_value", "/logic", "\"logic\" must be \"json-logic-js\" or \"core\", not " + it->dump());
    }
    answers_scope.find_item = [cp = &p](std::string_view id) { return cp->find_item(id); };
    answers_scope.find_parameter = [cp = &p](std::string_view name) {
        auto it = cp->parameter_index.find(std::string(name));
        return it == cp->parameter_index.end() ? -1 : it->second;
    };
    if (items) {
        for (std::size_t i = 0; i < items->size(); ++i) {
            const json& def = (*items)[i];
            if (!def.is_object()) continue;
            std::string path = pointer_join("/items", i);
            Item& item = p.items[i];
            if (const std::string* page = L.string(def, "page", path)) {
                auto pos = std::find(p.pages.begin(), p.pages.end(), *page);
                if (pos == p.pages.end()) L.error("unknown_page", pointer_join(path, "page"), "no page has the id \"" + *page + "\"");
                else item.page = static_cast<int>(pos - p.pages.begin());
            }
            L.text(def, "text", path, true);
            L.text(def, "help", path, false);
            item.required = L.boolean(def, "required", path).value_or(false);
            bool numeric = item.type == expr::ItemType::Integer || item.type == expr::ItemType::Decimal;
            auto check_applies = [&](const char* key, bool applies, const char* which) {
                if (def.contains(key) && !applies)
                    L.error("invalid_value", pointer_join(path, key), std::string("\"") + key + "\" applies only to " + which + " items");
            };
            check_applies("required", item.type != expr::ItemType::Display, "question (not display)");
            check_applies("min", numeric, "integer and decimal");
            check_applies("max", numeric, "integer and decimal");
            check_applies("max_length", item.type == expr::ItemType::Text, "text");
            check_applies("not_future", item.type == expr::ItemType::Date, "date");
            check_applies("min_date", item.type == expr::ItemType::Date, "date");
            check_applies("plausible_age", item.type == expr::ItemType::Date, "date");
            item.min = L.number(def, "min", path, item.type == expr::ItemType::Integer);
            item.max = L.number(def, "max", path, item.type == expr::ItemType::Integer);
            if (item.min && item.max && *item.min > *item.max) L.error("invalid_value", pointer_join(path, "min"), "min is greater than max");
            if (auto ml = L.number(def, "max_length", path, true)) item.max_length = static_cast<std::size_t>(std::max(0.0, *ml));
            item.not_future = L.boolean(def, "not_future", path).value_or(false);
            if (const std::string* md = L.string(def, "min_date", path)) {
                item.min_date = parse_iso_date(*md);
                if (!item.min_date) L.error("invalid_date", pointer_join(path, "min_date"), "\"" + *md + "\" is not a real date (YYYY-MM-DD)");
            }
            // A date of birth giving an age outside {min, max} whole years on `today` is a typing
            // slip to check ("you would be 2 years old"), not an answer to screen.
            if (auto pa = def.find("plausible_age"); pa != def.end()) {
                std::string ppath = pointer_join(path, "plausible_age");
                if (L.object(*pa, ppath, {}, {"min", "max"}, "a plausible age")) {
                    auto lo = L.number(*pa, "min", ppath, true), hi = L.number(*pa, "max", ppath, true);
                    if (lo) item.plausible_min_age = static_cast<long long>(*lo);
                    if (hi) item.plausible_max_age = static_cast<long long>(*hi);
                    if ((lo && *lo < 0) || (lo && hi && *lo > *hi))
                        L.error("invalid_value", ppath, "a plausible age needs 0 <= min <= max (whole years)");
                }
            }
            item.enable_when = L.logic(def, "enable_when", path, answers_scope);
        }
    }
}

}  // namespace prescreen::detail
