// JsonLogic -> enableWhen. Only shapes whose meaning is identical under R4 are written as
// enableWhen: an equality/inequality/comparison of one item with a literal, "exists" as a test
// against null, a multi-choice "in", and a flat and/or of those. Everything else stays JsonLogic.
#include <optional>

#include "fhir/enable_when.hpp"

namespace prescreen::fhir::detail {

namespace {

struct Atom {
    json condition;     // one enableWhen entry
    bool null_true;     // JsonLogic is true when the item is unanswered, R4 is not (needs an exists guard)
    bool exists_true;   // this atom is "exists = true"
    std::string question;
};

int var_item(const PackView& v, const json& x) {
    if (!x.is_object() || x.size() != 1 || !x.contains("var")) return -1;
    const json& name = x["var"];
    const json& id = name.is_array() && name.size() == 1 ? name[0] : name;
    if (!id.is_string()) return -1;
    auto it = v.by_id.find(id.get<std::string>());
    return it == v.by_id.end() ? -1 : it->second;
}

bool is_literal(const json& x) { return !x.is_object() && !x.is_array(); }

// The enableWhen answer[x] for comparing `item` with the pack literal `lit`.
std::optional<std::pair<std::string, json>> answer_of(const PackView& v, const PackItem& item, const json& lit) {
    const std::string& t = item.type;
    if (t == "boolean" && lit.is_boolean()) return std::pair{std::string("answerBoolean"), lit};
    if (t == "integer" && lit.is_number() && lit.get<double>() == (double)(long long)lit.get<double>())
        return std::pair{std::string("answerInteger"), json((long long)lit.get<double>())};
    if (t == "decimal" && lit.is_number()) return std::pair{std::string("answerDecimal"), lit};
    if (t == "date" && lit.is_string()) return std::pair{std::string("answerDate"), lit};
    if (t == "text" && lit.is_string()) {
        const char* key = item.r4_type == "time" ? "answerTime" : item.r4_type == "dateTime" ? "answerDateTime"
                        : item.r4_type == "url" ? "answerUri" : "answerString";
        return std::pair{std::string(key), lit};
    }
    if ((t == "choice" || t == "multi-choice") && lit.is_string()) {
        for (const auto& o : item.def->at("options"))
            if (o.value("value", json()) == lit) {
                json value = v.option_value(item, o, 0);
                std::string key = value_key(value);
                json answer = value[key];
                if (key == "valueCoding") answer = json{{"system", answer.value("system", "")}, {"code", answer.value("code", "")}};
                if (key == "valueCoding" && answer["system"] == "") answer.erase("system");
                if (key == "valueReference") return std::nullopt;
                return std::pair{"answer" + key.substr(5), answer};
            }
    }
    return std::nullopt;
}

std::optional<Atom> atom_of(const PackView& v, const json& logic) {
    if (!logic.is_object() || logic.size() != 1) return std::nullopt;
    const std::string op = logic.begin().key();
    json args = logic.begin().value();
    if (!args.is_array()) args = json::array({args});

    auto make = [&](const PackItem& item, const char* fop, std::pair<std::string, json> answer, bool null_true) {
        Atom a{{{"question", item.link_id}, {"operator", fop}, {answer.first, answer.second}}, null_true,
               std::string(fop) == "exists" && answer.second == true, item.link_id};
        return a;
    };

    if (op == "==" || op == "===" || op == "!=" || op == "!==") {
        if (args.size() != 2) return std::nullopt;
        int i = var_item(v, args[0]);
        const json* lit = &args[1];
        if (i < 0) {
            i = var_item(v, args[1]);
            lit = &args[0];
        }
        if (i < 0 || !is_literal(*lit)) return std::nullopt;
        const PackItem& item = v.items[i];
        if (item.type == "multi-choice" || item.type == "display") return std::nullopt;
        const bool negated = op[0] == '!';
        if (lit->is_null()) return make(item, "exists", {"answerBoolean", json(negated)}, false);
        auto answer = answer_of(v, item, *lit);
        if (!answer) return std::nullopt;
        return make(item, negated ? "!=" : "=", *answer, false);
    }
    if (op == "in" || op == "!") {
        bool negated = op == "!";
        json inner = logic.begin().value();
        if (negated) {
            if (inner.is_array() && inner.size() == 1) inner = inner[0];
            if (!inner.is_object() || inner.size() != 1 || !inner.contains("in")) return std::nullopt;
            args = inner["in"];
        }
        if (!args.is_array() || args.size() != 2 || !args[0].is_string()) return std::nullopt;
        int i = var_item(v, args[1]);
        if (i < 0 || v.items[i].type != "multi-choice") return std::nullopt;
        auto answer = answer_of(v, v.items[i], args[0]);
        if (!answer) return std::nullopt;
        return make(v.items[i], negated ? "!=" : "=", *answer, false);
    }
    if (op == "<" || op == ">" || op == "<=" || op == ">=") {
        if (args.size() != 2) return std::nullopt;
        std::string fop = op;
        int i = var_item(v, args[0]);
        const json* lit = &args[1];
        if (i < 0) {
            i = var_item(v, args[1]);
            lit = &args[0];
            fop = op == "<" ? ">" : op == ">" ? "<" : op == "<=" ? ">=" : "<=";
        }
        if (i < 0 || !is_literal(*lit) || lit->is_null()) return std::nullopt;
        const PackItem& item = v.items[i];
        if (item.type != "integer" && item.type != "decimal" && item.type != "date" && item.type != "text") return std::nullopt;
        auto answer = answer_of(v, item, *lit);
        if (!answer) return std::nullopt;
        // What the JsonLogic gives for an unanswered item (null), from the engine itself.
        bool null_true = true;
        try {
            json probe = args;
            probe[lit == &args[1] ? 0 : 1] = nullptr;
            null_true = apply_logic(json{{op, probe}}) == true;
        } catch (const std::exception&) {
        }
        return make(item, fop.c_str(), *answer, null_true);
    }
    return std::nullopt;
}

}  // namespace

json own_condition(const json& logic, const json* parent_logic) {
    if (!parent_logic || parent_logic->is_null()) return logic;
    if (logic == *parent_logic) return nullptr;
    if (logic.is_object() && logic.size() == 1 && logic.contains("and")) {
        const json& args = logic["and"];
        if (args.is_array() && args.size() == 2 && args[0] == *parent_logic) return args[1];
    }
    return logic;
}

bool enable_when_of(const PackView& v, const json& logic, json& conditions, std::string& behavior) {
    conditions = json::array();
    behavior.clear();
    std::vector<Atom> atoms;
    if (auto a = atom_of(v, logic)) {
        atoms.push_back(std::move(*a));
    } else {
        if (!logic.is_object() || logic.size() != 1) return false;
        const std::string op = logic.begin().key();
        const json& args = logic.begin().value();
        if ((op != "and" && op != "or") || !args.is_array() || args.empty()) return false;
        for (const auto& arg : args) {
            auto a = atom_of(v, arg);
            if (!a) return false;
            atoms.push_back(std::move(*a));
        }
        if (atoms.size() > 1) behavior = op == "and" ? "all" : "any";
    }
    for (const auto& a : atoms) {
        if (!a.null_true) continue;
        // Exact only inside "all" with an exists guard on the same question.
        bool guarded = behavior == "all" && std::any_of(atoms.begin(), atoms.end(), [&](const Atom& g) {
                           return g.exists_true && g.question == a.question;
                       });
        if (!guarded) return false;
    }
    for (auto& a : atoms) conditions.push_back(std::move(a.condition));
    return true;
}

}  // namespace prescreen::fhir::detail
