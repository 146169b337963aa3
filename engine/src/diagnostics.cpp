// Diagnostics and the one error envelope every runtime writes.
#include "prescreen/prescreen.hpp"
#include "prescreen/screening.hpp"

namespace prescreen {

json Diagnostic::to_json() const { return json{{"code", code}, {"path", path}, {"message", message}}; }

std::string json_pointer_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

json error_envelope(const Diagnostic& diagnostic, const std::vector<Diagnostic>& diagnostics) {
    json body = diagnostic.to_json();
    if (!diagnostics.empty()) {
        json list = json::array();
        for (const auto& d : diagnostics) list.push_back(d.to_json());
        body["diagnostics"] = std::move(list);
    }
    return json{{"error", std::move(body)}};
}

json AnswerIssue::to_json() const { return json{{"code", code}, {"item", item}, {"message", message}, {"path", path}}; }

std::string AnswerIssue::label() const { return item + ":" + code; }

static std::string summarise(const std::vector<Diagnostic>& diagnostics) {
    if (diagnostics.empty()) return "invalid protocol";
    std::string text = diagnostics.front().code + " at '" + diagnostics.front().path + "': " + diagnostics.front().message;
    if (diagnostics.size() > 1) text += " (and " + std::to_string(diagnostics.size() - 1) + " more problems)";
    return text;
}

ProtocolError::ProtocolError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(summarise(diagnostics)), diagnostics_(std::move(diagnostics)) {}

json ProtocolError::to_json() const {
    const bool one = diagnostics_.size() == 1;
    Diagnostic head{one ? diagnostics_.front().code : "protocol_error",
                    diagnostics_.empty() ? "" : diagnostics_.front().path, what()};
    return error_envelope(head, diagnostics_.empty() ? std::vector<Diagnostic>{head} : diagnostics_);
}

UsageError::UsageError(Diagnostic diagnostic)
    : std::invalid_argument(diagnostic.code + ": " + diagnostic.message), diagnostic_(std::move(diagnostic)) {}

const Limits& default_limits() noexcept {
    static const Limits limits{};
    return limits;
}

}  // namespace prescreen
