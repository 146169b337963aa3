// prescreen — command-line tool over the engine: lint packs, screen JSONL, verify consent records,
// evaluate JsonLogic. Output is JSON / JSONL on stdout; diagnostics go to stderr.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "jsonl_lines.hpp"
#include "prescreen/logic.hpp"
#include "prescreen/prescreen.hpp"
#include "prescreen/screening.hpp"

namespace {

using prescreen::json;

// Exit codes (also printed by --help).
enum Exit : int { ok = 0, problems = 1, usage_error = 2, io_error = 3, bad_lines = 4 };

const char* help_text = R"(prescreen — consent-and-screening engine for aesthetic clinics

usage:
  prescreen lint PACK [--override NAME=VALUE]... [--translation FILE]... [--json]
      Check a protocol pack; print every problem as PATH: CODE: MESSAGE (or JSON with --json).
      --translation loads a translation beside the pack (docs/languages.md; also for screen and form).
  prescreen screen --protocol PACK --today YYYY-MM-DD [--override NAME=VALUE]... [--locale TAG]
                   [--threads N] [FILE.jsonl | -]
      Screen answer sets, one JSON object per line (stdin when FILE is - or absent). Prints one JSON
      result per input line, in order; a bad line gives {"error": {code, path, message}} in its place.
  prescreen form --protocol PACK --today YYYY-MM-DD [--override NAME=VALUE]... [--locale TAG]
                 [--no-texts] ANSWERS.json
      Print the questionnaire state (visible items, missing required, issues, progress) and the
      visible items' texts (--no-texts: the state alone).
  prescreen texts --protocol PACK [--locale TAG]
      Print every text a form can show in one locale (items, pages, title, consent document).
  prescreen verify RECORD.json [--seal-key KEY | --seal-key-file FILE | --seal-key-env VAR]
                   [--event EVENT.json]... [--at DATE-TIME]
      Verify a consent record: digest, acknowledgements, outcome, signature and (with a key) seal.
  prescreen fhir questionnaire|response|answers|import|consent|risk ...
      HL7 FHIR R4 in and out (prescreen fhir --help).
      With --at, also its status then, given its withdrawal/supersession events (exit 1 unless active).
      An empty or blank key is a usage error: a key never turns the seal check off.
  prescreen logic [--dialect json-logic-js|core] RULE [DATA]
      Evaluate a JsonLogic rule (JSON text, or @FILE) against data (default {}).
  prescreen --version | --help

override values are JSON (--override isotretinoin_washout=3).

exit codes:
  0  success (lint: no problems; verify: record valid; screen: every line screened)
  1  problems found (lint: pack has errors; verify: record invalid; logic: rule invalid;
     screen/form: the protocol does not load)
  2  usage error (unknown command or option, missing argument, bad --today, empty seal key,
     a repeated --override)
  3  input/output error (file cannot be read)
  4  screen: some input lines were not valid answer sets (their error lines are in the output)
)";

struct Args {
    std::vector<std::string> positional;
    std::string protocol, today, locale, at, dialect = "json-logic-js";
    std::optional<std::string> seal_key;
    std::vector<std::string> events;
    std::vector<std::string> translations;  // translation documents' files (--translation)
    json overrides = json::object();
    unsigned threads = 0;
    bool as_json = false;
    bool texts = true;  // form: --no-texts leaves the wording out
};

[[noreturn]] void fail(int code, const std::string& message) {
    std::cerr << "prescreen: " << message << "\n";
    std::exit(code);
}

std::string read_file(const std::string& path) {
    if (path == "-") {
        std::ostringstream s;
        s << std::cin.rdbuf();
        return s.str();
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(io_error, "cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Every JSON argument goes through the engine's one strict reader (duplicate keys, lone
// surrogates, depth and size refused), as `screen` lines do.
json parse_json_arg(const std::string& text, const char* what) {
    std::string source = !text.empty() && text[0] == '@' ? read_file(text.substr(1)) : text;
    try {
        return prescreen::read_json(source);
    } catch (const prescreen::UsageError& e) {
        const auto& d = e.diagnostic();
        fail(usage_error, std::string(what) + " is not valid JSON: " + (d.path.empty() ? "" : d.path + ": ") + d.code + ": " + d.message);
    }
}

void set_seal_key(Args& a, std::string key, const std::string& from) {
    if (a.seal_key) fail(usage_error, "give one seal key (--seal-key, --seal-key-file or --seal-key-env)");
    if (key.find_first_not_of(" \t\r\n\f\v") == std::string::npos)
        fail(usage_error, from + ": the seal key is empty or only white space (a key never turns the seal check off)");
    a.seal_key = std::move(key);
}

Args parse_args(int argc, char** argv, int first) {
    Args a;
    for (int i = first; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) fail(usage_error, arg + " needs a value (see --help)");
            return argv[++i];
        };
        if (arg == "--protocol") a.protocol = value();
        else if (arg == "--today") a.today = value();
        else if (arg == "--locale") a.locale = value();
        else if (arg == "--dialect") a.dialect = value();
        else if (arg == "--json") a.as_json = true;
        else if (arg == "--no-texts") a.texts = false;
        else if (arg == "--at") a.at = value();
        else if (arg == "--event") a.events.push_back(value());
        else if (arg == "--translation") a.translations.push_back(value());
        else if (arg == "--seal-key") set_seal_key(a, value(), "--seal-key");
        else if (arg == "--seal-key-file") {
            std::string file = value();
            std::string key = read_file(file);
            while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
            set_seal_key(a, std::move(key), "--seal-key-file " + file);
        } else if (arg == "--seal-key-env") {
            std::string name = value();
            const char* key = std::getenv(name.c_str());
            if (!key) fail(usage_error, "--seal-key-env: " + name + " is not set");
            set_seal_key(a, key, "--seal-key-env " + name);
        } else if (arg == "--threads") {
            std::string v = value();
            char* end = nullptr;
            long n = std::strtol(v.c_str(), &end, 10);
            if (*end || n < 0 || n > 1024) fail(usage_error, "--threads needs a number 0..1024");
            a.threads = static_cast<unsigned>(n);
        } else if (arg == "--override") {
            std::string v = value();
            auto eq = v.find('=');
            if (eq == std::string::npos || eq == 0) fail(usage_error, "--override needs NAME=VALUE");
            if (a.overrides.contains(v.substr(0, eq))) fail(usage_error, "--override " + v.substr(0, eq) + " is given twice");
            json parsed = json::parse(v.substr(eq + 1), nullptr, false);
            a.overrides[v.substr(0, eq)] = parsed.is_discarded() ? json(v.substr(eq + 1)) : parsed;
        } else if (arg.size() > 1 && arg[0] == '-' && arg != "-") {
            fail(usage_error, "unknown option " + arg + " (see --help)");
        } else {
            a.positional.push_back(arg);
        }
    }
    return a;
}

void print_diagnostics(const std::vector<prescreen::Diagnostic>& diagnostics, bool as_json) {
    if (as_json) {
        json list = json::array();
        for (const auto& d : diagnostics) list.push_back(d.to_json());
        std::cout << list.dump(2) << "\n";
        return;
    }
    for (const auto& d : diagnostics) std::cout << (d.path.empty() ? "/" : d.path) << ": " << d.code << ": " << d.message << "\n";
}

// The --translation files as the engine takes them: an array of documents (null for none).
json translations_of(const Args& a) {
    if (a.translations.empty()) return json();
    json list = json::array();
    for (const auto& file : a.translations) {
        json doc = json::parse(read_file(file), nullptr, false);
        if (doc.is_discarded()) fail(usage_error, "--translation " + file + " is not JSON");
        list.push_back(std::move(doc));
    }
    return list;
}

prescreen::Protocol load_protocol(const Args& a) {
    if (a.protocol.empty()) fail(usage_error, "--protocol PACK is required");
    try {
        return prescreen::Protocol::load_translated(read_file(a.protocol), translations_of(a), a.overrides);
    } catch (const prescreen::ProtocolError& e) {
        std::cerr << "prescreen: " << a.protocol << " does not load:\n";
        for (const auto& d : e.diagnostics()) std::cerr << "  " << (d.path.empty() ? "/" : d.path) << ": " << d.code << ": " << d.message << "\n";
        std::exit(problems);
    }
}

prescreen::Context context_of(const Args& a) {
    if (a.today.empty()) fail(usage_error, "--today YYYY-MM-DD is required (the engine reads no clock)");
    return prescreen::Context{a.today, a.locale};
}

int cmd_lint(const Args& a) {
    if (a.positional.size() != 1) fail(usage_error, "lint needs exactly one PACK");
    auto diagnostics = prescreen::Protocol::lint_translated(read_file(a.positional[0]), translations_of(a), a.overrides);
    print_diagnostics(diagnostics, a.as_json);
    if (diagnostics.empty() && !a.as_json) std::cout << a.positional[0] << ": ok\n";
    return diagnostics.empty() ? ok : problems;
}

int cmd_screen(const Args& a) {
    const prescreen::Protocol protocol = load_protocol(a);
    const prescreen::Context context = context_of(a);
    try {
        protocol.screen_text("{}", context);  // validates --today before reading any input
    } catch (const prescreen::UsageError& e) {
        fail(usage_error, e.what());
    }
    std::istream* in = &std::cin;
    std::ifstream file;
    if (!a.positional.empty() && a.positional[0] != "-") {
        file.open(a.positional[0], std::ios::binary);
        if (!file) fail(io_error, "cannot read " + a.positional[0] + ": " + std::strerror(errno));
        in = &file;
    }
    // Lines are screened in chunks by the engine's executor and written in input order; the next
    // chunk is read while one is screened. Memory stays bounded by the limits before anything is
    // read: a line is read up to the answers limit (the rest of a longer one is skipped, and its row
    // is the limit's error), and a chunk stops at 8,192 lines or 64 MiB.
    constexpr std::size_t chunk_lines = 8192, chunk_bytes = std::size_t(64) << 20;
    const std::size_t max_line = protocol.limits().max_answers_bytes;
    prescreen::BatchExecutor executor(a.threads);
    JsonlLines input(*in);
    std::vector<std::string> lines[2];
    std::deque<prescreen::Diagnostic> too_long[2];  // the errors of over-long lines (Answers::failed points at them)
    bool any_bad = false;
    std::string text;
    auto read = [&](std::vector<prescreen::Answers>& inputs, int buffer) {
        std::vector<std::string>& chunk = lines[buffer];
        chunk.clear();
        too_long[buffer].clear();
        std::vector<bool> over;
        std::size_t bytes = 0;
        while (chunk.size() < chunk_lines && bytes < chunk_bytes) {
            std::string line;
            const LineRead got = input.next(max_line, line);
            if (got == LineRead::end) break;
            bytes += line.size();
            over.push_back(got == LineRead::too_long);
            chunk.push_back(std::move(line));
        }
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            if (!over[i]) {
                inputs.push_back(prescreen::Answers::text(chunk[i]));
                continue;
            }
            too_long[buffer].push_back({"document_too_large", "",
                                        "the line is longer than " + std::to_string(max_line) + " bytes, the limit for one answer set"});
            inputs.push_back(prescreen::Answers::failed(too_long[buffer].back()));
        }
        return !chunk.empty();
    };
    auto write = [&](const prescreen::ScreeningRecord* records, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            any_bad = any_bad || !records[i].ok();
            text.clear();
            protocol.write_text(records[i], text);
            text += '\n';
            std::fwrite(text.data(), 1, text.size(), stdout);
        }
    };
    executor.stream(protocol, context, read, write);
    std::fflush(stdout);
    return any_bad ? bad_lines : ok;
}

int cmd_form(const Args& a) {
    const prescreen::Protocol protocol = load_protocol(a);
    if (a.positional.size() != 1) fail(usage_error, "form needs one ANSWERS.json");
    json answers = parse_json_arg("@" + a.positional[0], "ANSWERS");
    try {
        auto texts = a.texts ? prescreen::FormTexts::included : prescreen::FormTexts::omitted;
        std::cout << protocol.form(answers, context_of(a), texts).dump(2) << "\n";
    } catch (const prescreen::UsageError& e) {
        fail(usage_error, e.what());
    }
    return ok;
}

int cmd_texts(const Args& a) {
    const prescreen::Protocol protocol = load_protocol(a);
    if (!a.positional.empty()) fail(usage_error, "texts takes no file (the pack is --protocol PACK)");
    try {
        std::cout << protocol.texts(prescreen::Context{"", a.locale}).dump(2) << "\n";
    } catch (const prescreen::UsageError& e) {
        fail(usage_error, e.diagnostic().code + ": " + e.what());
    }
    return ok;
}

int cmd_verify(const Args& a) {
    if (a.positional.size() != 1) fail(usage_error, "verify needs one RECORD.json");
    // A file that is not strict JSON (duplicate keys included) is an invalid record, not a crash.
    auto read = [](const std::string& path, json& out) -> std::optional<json> {
        try {
            out = prescreen::read_json(read_file(path));
            return std::nullopt;
        } catch (const prescreen::UsageError& e) {
            return json{{"valid", false}, {"problems", json::array({e.diagnostic().to_json()})}};
        }
    };
    json record;
    if (auto bad = read(a.positional[0], record)) {
        std::cout << bad->dump(2) << "\n";
        return problems;
    }
    std::vector<json> events;
    for (const auto& path : a.events) {
        json event;
        if (auto bad = read(path, event)) fail(usage_error, "--event " + path + " is not valid JSON: " + (*bad)["problems"][0]["message"].get<std::string>());
        events.push_back(std::move(event));
    }
    try {
        json result = prescreen::verify_consent(record, a.seal_key);
        bool valid = result["valid"].get<bool>();
        if (!a.at.empty()) {
            json status = prescreen::consent_status(record, a.at, events, a.seal_key);
            result = json{{"verification", result}, {"status", status}};
            valid = valid && status["status"] == "active";
        }
        std::cout << result.dump(2) << "\n";
        return valid ? ok : problems;
    } catch (const prescreen::UsageError& e) {
        fail(usage_error, e.what());
    }
}

int cmd_logic(const Args& a) {
    if (a.positional.empty() || a.positional.size() > 2) fail(usage_error, "logic needs RULE [DATA]");
    json rule = parse_json_arg(a.positional[0], "RULE");
    json data = a.positional.size() > 1 ? parse_json_arg(a.positional[1], "DATA") : json::object();
    prescreen::Dialect dialect = prescreen::Dialect::JsonLogicJs;
    try {
        dialect = prescreen::parse_dialect(a.dialect);
    } catch (const prescreen::UsageError& e) {
        fail(usage_error, e.diagnostic().message);
    }
    try {
        std::cout << prescreen::apply_logic(rule, data, prescreen::Context{a.today, a.locale}, dialect).dump() << "\n";
    } catch (const prescreen::ProtocolError& e) {
        print_diagnostics(e.diagnostics(), a.as_json);
        return problems;
    }
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << help_text;
        return usage_error;
    }
    std::string command = argv[1];
    if (command == "--help" || command == "-h" || command == "help") {
        std::cout << help_text;
        return ok;
    }
    if (command == "--version") {
        std::cout << "prescreen " << prescreen::version_string << "\n";
        return ok;
    }
    if (command == "fhir") { int fhir_command(int, char**); return fhir_command(argc, argv); }  // fhir_command.cpp
    Args args = parse_args(argc, argv, 2);
    try {
        if (command == "lint") return cmd_lint(args);
        if (command == "screen") return cmd_screen(args);
        if (command == "form") return cmd_form(args);
        if (command == "texts") return cmd_texts(args);
        if (command == "verify") return cmd_verify(args);
        if (command == "logic") return cmd_logic(args);
    } catch (const std::exception& e) {
        fail(problems, e.what());
    }
    fail(usage_error, "unknown command \"" + command + "\" (see --help)");
}
