// Table cells as answers (prescreen/cells.hpp): what "yes", " 12 " or "a; b" in a CSV or a
// DataFrame means for each item type, decided here once for every runtime.
#include "prescreen/cells.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>

namespace prescreen {

namespace {

enum class Cell : std::uint8_t { Boolean, Choice, MultiChoice, Date, Integer, Decimal, Text, Display };

const std::map<std::string, Cell>& cell_types() {
    static const std::map<std::string, Cell> types{{"boolean", Cell::Boolean}, {"choice", Cell::Choice},
                                                   {"multi-choice", Cell::MultiChoice}, {"date", Cell::Date},
                                                   {"integer", Cell::Integer}, {"decimal", Cell::Decimal},
                                                   {"text", Cell::Text}, {"display", Cell::Display}};
    return types;
}

constexpr std::string_view kSpace = " \t\r\n\f\v";

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

bool equals_lower(std::string_view text, std::string_view lower) {
    if (text.size() != lower.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != lower[i]) return false;
    return true;
}

// A decimal number written in full: [+-] digits [. digits] [e [+-] digits]. No hex, no "inf",
// no thousands separators: what does not read as a number stays text (and is wrong_type).
bool parse_number(std::string_view text, double& out) {
    std::size_t i = 0, digits = 0;
    auto run = [&] {
        std::size_t n = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++n;
        return n;
    };
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    digits += run();
    if (i < text.size() && text[i] == '.') {
        ++i;
        digits += run();
    }
    if (digits == 0) return false;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        if (run() == 0) return false;
    }
    if (i != text.size() || text.size() > 64) return false;
    char buffer[65];
    text.copy(buffer, text.size());
    buffer[text.size()] = '\0';
    out = std::strtod(buffer, nullptr);
    return std::isfinite(out);
}

AnswerValue string_value(std::string_view text) {
    AnswerValue v;
    v.type = AnswerValue::Type::String;
    v.text = text;
    return v;
}

}  // namespace

CellReader::CellReader(const Protocol& protocol) {
    const json items = protocol.items();
    types_.assign(protocol.item_count(), static_cast<std::uint8_t>(Cell::Text));
    for (const json& item : items) {
        const int slot = protocol.find_item(item.value("id", ""));
        const auto type = cell_types().find(item.value("type", ""));
        if (slot >= 0 && type != cell_types().end()) types_[static_cast<std::size_t>(slot)] = static_cast<std::uint8_t>(type->second);
    }
}

bool CellReader::is_boolean(int slot) const {
    return slot >= 0 && static_cast<Cell>(types_[static_cast<std::size_t>(slot)]) == Cell::Boolean;
}

bool CellReader::is_integer(int slot) const {
    return slot >= 0 && static_cast<Cell>(types_[static_cast<std::size_t>(slot)]) == Cell::Integer;
}

AnswerValue CellReader::read(int slot, const AnswerValue& cell, std::vector<AnswerValue>& parts) const {
    using Type = AnswerValue::Type;
    if (slot < 0 || static_cast<std::size_t>(slot) >= types_.size()) return cell;
    const Cell type = static_cast<Cell>(types_[static_cast<std::size_t>(slot)]);
    AnswerValue out = cell;
    if (cell.type == Type::String && type != Cell::Text) {
        const std::string_view text = trimmed(cell.text);
        if (text.empty()) return AnswerValue{};  // unanswered
        out.text = text;
        switch (type) {
            case Cell::Boolean:
                if (equals_lower(text, "true") || equals_lower(text, "yes") || equals_lower(text, "y") || text == "1") {
                    out = AnswerValue{};
                    out.type = Type::Bool;
                    out.boolean = true;
                } else if (equals_lower(text, "false") || equals_lower(text, "no") || equals_lower(text, "n") || text == "0") {
                    out = AnswerValue{};
                    out.type = Type::Bool;
                }
                return out;
            case Cell::Integer:
            case Cell::Decimal: {
                double number = 0;
                if (!parse_number(text, number)) return out;
                out = AnswerValue{};
                out.type = Type::Number;
                out.number = number;
                return out;
            }
            case Cell::Date:
                // "2026-11-25T00:00:00" / "2026-11-25 00:00:00": a date written by a datetime column.
                if (text.size() == 19 && (text[10] == 'T' || text[10] == ' ') && text.substr(11) == "00:00:00")
                    out.text = text.substr(0, 10);
                return out;
            case Cell::MultiChoice: {
                out = AnswerValue{};
                out.type = Type::Array;
                std::size_t start = 0;
                while (start <= text.size()) {
                    std::size_t stop = std::min(text.find(';', start), text.size());
                    const std::string_view part = trimmed(text.substr(start, stop - start));
                    if (!part.empty()) {
                        parts.push_back(string_value(part));
                        ++out.size;
                    }
                    start = stop + 1;
                }
                return out.size == 0 ? AnswerValue{} : out;
            }
            default: return out;  // choice; display (the engine says it takes no answer)
        }
    }
    if (cell.type == Type::Number && type == Cell::Boolean && (cell.number == 0 || cell.number == 1)) {
        out = AnswerValue{};
        out.type = Type::Bool;
        out.boolean = cell.number == 1;
        return out;
    }
    if (cell.type == Type::Array && type == Cell::MultiChoice) {
        out.elements = nullptr;
        out.size = 0;
        for (std::size_t i = 0; i < cell.size; ++i) {
            AnswerValue part = cell.elements[i];
            if (part.type == Type::String) {
                part.text = trimmed(part.text);
                if (part.text.empty()) continue;
            }
            parts.push_back(part);
            ++out.size;
        }
        return out.size == 0 ? AnswerValue{} : out;
    }
    return out;
}

std::string nearest_item_id(const Protocol& protocol, std::string_view name) {
    auto normal = [](std::string_view s) {
        std::string out;
        for (char c : trimmed(s)) out += (c == '-' || c == ' ') ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return out;
    };
    const std::string wanted = normal(name);
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, wanted.size() / 3) + 1;  // farther is no suggestion
    std::vector<std::size_t> row;
    for (std::size_t slot = 0; slot < protocol.item_count(); ++slot) {
        const std::string& id = protocol.item_id(static_cast<int>(slot));
        const std::string candidate = normal(id);
        // Levenshtein distance, one row at a time.
        row.resize(candidate.size() + 1);
        for (std::size_t j = 0; j <= candidate.size(); ++j) row[j] = j;
        for (std::size_t i = 1; i <= wanted.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= candidate.size(); ++j) {
                const std::size_t above = row[j];
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (wanted[i - 1] == candidate[j - 1] ? 0 : 1)});
                diagonal = above;
            }
        }
        if (row[candidate.size()] < best_distance) {
            best_distance = row[candidate.size()];
            best = id;
        }
    }
    return best;
}

}  // namespace prescreen
