// The envelope every WebAssembly entry point returns: {"ok": <result>} or the engine's error envelope
// {"error": {code, path, message, diagnostics}} (docs/errors.md). guarded() catches everything, so no
// C++ exception ever reaches JavaScript (TOOLCHAIN.md, trap 4). Shared by bindings.cpp and
// fhir_bindings.cpp (two modules, one envelope).
#pragma once

#include <new>
#include <string>
#include <vector>

#include "prescreen/screening.hpp"

namespace prescreen::wasm {

using prescreen::Diagnostic;
using prescreen::json;


// The envelope writers stay out of line (noinline): they run once per call, and a copy inlined into
// every entry point was most of the bindings' code.
__attribute__((noinline)) inline std::string dump(const json& value) {
    // replace: an invalid UTF-8 sequence must not turn a result into an exception.
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

__attribute__((noinline)) inline std::string ok(json value) {
    json envelope = json::object();
    envelope["ok"] = std::move(value);
    return dump(envelope);
}

inline json diagnostics_json(const std::vector<Diagnostic>& diagnostics) {
    json list = json::array();
    for (const auto& d : diagnostics) list.push_back(d.to_json());
    return list;
}

// The engine's one error envelope, with the problems behind it.
__attribute__((noinline)) inline std::string error(const std::string& code, const std::string& path, const std::string& message,
                  const std::vector<Diagnostic>& diagnostics) {
    return dump(prescreen::error_envelope({code, path, message}, diagnostics));
}

inline std::string error(const Diagnostic& d) { return error(d.code, d.path, d.message, {d}); }

__attribute__((noinline)) inline std::string error(const std::vector<Diagnostic>& diagnostics) {
    if (diagnostics.size() == 1) return error(diagnostics.front());
    return error("protocol_error", "", prescreen::ProtocolError(diagnostics).what(), diagnostics);
}

// Runs `body` and converts every exception into an error envelope.
template <class Body>
std::string guarded(Body&& body) {
    try {
        return body();
    } catch (const prescreen::ProtocolError& e) {
        return dump(e.to_json());
    } catch (const prescreen::UsageError& e) {
        return error(e.diagnostic());
    } catch (const std::bad_alloc&) {
        return error("out_of_memory", "", "the engine ran out of memory", {});
    } catch (const std::exception& e) {
        return error("internal_error", "", std::string("unexpected engine error: ") + e.what(), {});
    } catch (...) {
        return error("internal_error", "", "unexpected engine error", {});
    }
}

}  // namespace prescreen::wasm
