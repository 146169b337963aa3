#include <iostream>

#include <prescreen/prescreen.hpp>

int main() {
    const char* pack = R"({
      "format": "prescreen-protocol/1", "id": "demo", "version": "1", "title": "Demo", "locales": ["en-GB"],
      "pages": [{"id": "p", "title": "Page"}],
      "parameters": {"wait": {"type": "duration", "unit": "months", "default": 6, "min": 0, "max": 12}},
      "items": [{"id": "last_dose", "type": "date", "page": "p", "text": "Last dose?"}],
      "rules": [{"id": "washout", "when": {"!!": [{"var": "last_dose"}]}, "outcome": "deferred",
                 "defer": {"after": ["last_dose"], "wait": "wait"}, "message": "Please wait.",
                 "clinician_note": "Washout.", "sources": ["S1"]}],
      "sources": {"S1": {"title": "A source"}}
    })";
    auto protocol = prescreen::Protocol::load(pack);
    auto result = protocol.screen({{"last_dose", "2026-11-25"}}, prescreen::Context{"2026-11-25", ""});
    std::cout << "outcome=" << result["outcome"].get<std::string>()
              << " defer_until=" << result["defer_until"].get<std::string>() << "\n";
}
