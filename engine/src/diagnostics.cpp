#include "prescreen/prescreen.hpp"

#include "json_input.hpp"

namespace prescreen {

json Diagnostic::to_json() const { return json{{"code", code}, {"path", path}, {"message", message}}; }

static std::string summarise(const std::vector<Diagnostic>& diagnostics) {
    if (diagnostics.empty()) return "invalid protocol";
    std::string text = diagnostics.front().code + " at '" + diagnostics.front().path + "': " + diagnostics.front().message;
    if (diagnostics.size() > 1) text += " (and " + std::to_string(diagnostics.size() - 1) + " more problems)";
    return text;
}

ProtocolError::ProtocolError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(summarise(diagnostics)), diagnostics_(std::move(diagnostics)) {}

json ProtocolError::to_json() const {
    json list = json::array();
    for (const auto& d : diagnostics_) list.push_back(d.to_json());
    return json{{"error", "protocol_error"}, {"message", what()}, {"diagnostics", std::move(list)}};
}

UsageError::UsageError(Diagnostic diagnostic)
    : std::invalid_argument(diagnostic.code + ": " + diagnostic.message), diagnostic_(std::move(diagnostic)) {}

const Limits& default_limits() noexcept {
    static const Limits limits{};
    return limits;
}

}  // namespace prescreen
