// `prescreen fhir ...`: the FHIR R4 mapping of the core (prescreen/fhir.hpp) on the command line.
// Resources are printed as compact JSON on stdout; problems as JSON diagnostics on stderr.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "prescreen/fhir.hpp"

namespace {

using prescreen::json;

enum Exit : int { ok = 0, problems = 1, usage_error = 2, io_error = 3 };

const char* fhir_help = R"(usage:
  prescreen fhir questionnaire PACK [--locale TAG]
      The pack as an R4 Questionnaire.
  prescreen fhir response --protocol PACK --today YYYY-MM-DD [--locale TAG] ANSWERS.json
      Answers as an R4 QuestionnaireResponse (only answers to enabled items).
  prescreen fhir answers --protocol PACK RESPONSE.json
      A QuestionnaireResponse back to answers: {"answers": {...}, "issues": [...]}.
  prescreen fhir import QUESTIONNAIRE.json
      An R4 Questionnaire as a pack document (warnings in its fhir.import_warnings, also on stderr).
  prescreen fhir consent RECORD.json
      A consent record as a Bundle (collection) of an R4 Consent and its Provenance.
  prescreen fhir risk RESULT.json
      A screening result as an R4 RiskAssessment.
FILE may be - for stdin. Exit codes: 0 ok, 1 problems (diagnostics on stderr), 2 usage, 3 file unreadable.
)";

struct FhirArgs {
    std::vector<std::string> positional;
    std::string protocol, today, locale;
};

int usage(const std::string& message) {
    std::cerr << "prescreen fhir: " << message << "\n" << fhir_help;
    return usage_error;
}

bool read(const std::string& path, std::string& out) {
    std::ostringstream s;
    if (path == "-") {
        s << std::cin.rdbuf();
    } else {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            std::cerr << "prescreen fhir: cannot read " << path << ": " << std::strerror(errno) << "\n";
            return false;
        }
        s << in.rdbuf();
    }
    out = s.str();
    return true;
}

int report(const prescreen::ProtocolError& e) {
    std::cerr << e.to_json().dump() << "\n";
    return problems;
}

}  // namespace

int fhir_command(int argc, char** argv) {
    if (argc < 3 || std::string(argv[2]) == "--help") {
        std::cout << fhir_help;
        return argc < 3 ? usage_error : ok;
    }
    const std::string sub = argv[2];
    FhirArgs a;
    for (int i = 3; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&](std::string& into) {
            if (i + 1 >= argc) return false;
            into = argv[++i];
            return true;
        };
        if (arg == "--protocol") { if (!value(a.protocol)) return usage("--protocol needs a file"); }
        else if (arg == "--today") { if (!value(a.today)) return usage("--today needs a date"); }
        else if (arg == "--locale") { if (!value(a.locale)) return usage("--locale needs a tag"); }
        else if (arg.size() > 1 && arg[0] == '-' && arg != "-") return usage("unknown option " + arg);
        else a.positional.push_back(arg);
    }
    std::string text;
    try {
        auto load_json = [&](const std::string& path, json& out) {
            if (!read(path, text)) return false;
            out = json::parse(text, nullptr, false);
            if (out.is_discarded()) {
                std::cerr << "prescreen fhir: " << path << " is not valid JSON\n";
                return false;
            }
            return true;
        };
        auto load_protocol = [&](const std::string& path) {
            std::string pack;
            if (!read(path, pack)) std::exit(io_error);
            return prescreen::Protocol::load(pack);
        };
        json out;
        if (sub == "questionnaire") {
            if (a.positional.size() != 1) return usage("questionnaire needs PACK");
            out = prescreen::fhir::questionnaire(load_protocol(a.positional[0]), a.locale);
        } else if (sub == "response" || sub == "answers") {
            if (a.protocol.empty() || a.positional.size() != 1) return usage(sub + " needs --protocol PACK and one file");
            auto protocol = load_protocol(a.protocol);
            json input;
            if (!load_json(a.positional[0], input)) return io_error;
            if (sub == "response") out = prescreen::fhir::questionnaire_response(protocol, input, {a.today, a.locale});
            else out = prescreen::fhir::answers_from_response(protocol, input);
        } else if (sub == "import") {
            if (a.positional.size() != 1) return usage("import needs QUESTIONNAIRE.json");
            if (!read(a.positional[0], text)) return io_error;
            out = prescreen::fhir::import_questionnaire_text(text);
            for (const auto& w : out["fhir"]["import_warnings"]) std::cerr << "warning: " << w.dump() << "\n";
        } else if (sub == "consent" || sub == "risk") {
            if (a.positional.size() != 1) return usage(sub + " needs one file");
            json input;
            if (!load_json(a.positional[0], input)) return io_error;
            if (sub == "risk") out = prescreen::fhir::risk_assessment(input);
            else
                out = {{"resourceType", "Bundle"},
                       {"type", "collection"},
                       {"entry", json::array({{{"resource", prescreen::fhir::consent(input)}},
                                              {{"resource", prescreen::fhir::provenance(input)}}})}};
        } else {
            return usage("unknown fhir command \"" + sub + "\"");
        }
        std::cout << out.dump() << "\n";
        return ok;
    } catch (const prescreen::ProtocolError& e) {
        return report(e);
    } catch (const prescreen::UsageError& e) {
        std::cerr << "prescreen fhir: " << e.what() << "\n";
        return usage_error;
    }
}
