// The small test pack (tests/vectors/packs/small-clinic.json), loaded once for the C++ tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>

#include "prescreen/prescreen.hpp"

inline const prescreen::Protocol& small_pack() {
    static const prescreen::Protocol p = [] {
        std::ifstream in(std::filesystem::path(PRESCREEN_SOURCE_DIR) / "tests/vectors/packs/small-clinic.json", std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return prescreen::Protocol::load(s.str());
    }();
    return p;
}
