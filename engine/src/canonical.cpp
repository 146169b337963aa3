// Canonical JSON for digests (RFC 8785 style): keys sorted, no insignificant whitespace.
// nlohmann::json keeps object keys in a std::map, so dump() already sorts them byte-wise, which
// equals RFC 8785's UTF-16 order for every key outside the astral planes.
#include "prescreen/prescreen.hpp"

namespace prescreen {

std::string canonical_json(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::strict);
}

}  // namespace prescreen
