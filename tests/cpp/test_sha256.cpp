// SHA-256: NIST FIPS 180-4 examples / CAVP short & long messages. HMAC-SHA-256: RFC 4231 cases 1-7.
#include <catch2/catch.hpp>

#include <string>

#include "prescreen/prescreen.hpp"
#include "sha256.hpp"

namespace {

std::string repeat(char byte, std::size_t count) { return std::string(count, byte); }

std::string from_hex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

}  // namespace

TEST_CASE("SHA-256 FIPS 180-4 vectors", "[sha256]") {
    CHECK(prescreen::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(prescreen::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(prescreen::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(prescreen::sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                                "mnopqrstnopqrstu") ==
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    CHECK(prescreen::sha256_hex(repeat('a', 1000000)) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 incremental updates give the one-shot digest at every split", "[sha256]") {
    // Lengths around the 55/56/64-byte padding boundaries are where hand-written padding breaks.
    for (std::size_t length : {0u, 1u, 55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u, 128u, 200u}) {
        std::string message;
        for (std::size_t i = 0; i < length; ++i) message.push_back(char((i * 131 + 7) & 0xff));
        const auto expected = prescreen::Sha256::hash(message);
        for (std::size_t split = 0; split <= length; ++split) {
            prescreen::Sha256 hasher;
            hasher.update(std::string_view(message).substr(0, split));
            hasher.update(std::string_view(message).substr(split));
            REQUIRE(hasher.finish() == expected);
        }
        // Byte by byte.
        prescreen::Sha256 hasher;
        for (char c : message) hasher.update(std::string_view(&c, 1));
        REQUIRE(hasher.finish() == expected);
    }
    // The million-'a' message in uneven chunks.
    prescreen::Sha256 hasher;
    const std::string chunk = repeat('a', 997);
    std::size_t remaining = 1000000;
    while (remaining > 0) {
        const std::size_t take = std::min(remaining, chunk.size());
        hasher.update(std::string_view(chunk).substr(0, take));
        remaining -= take;
    }
    CHECK(prescreen::to_hex(hasher.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 finish resets the hasher", "[sha256]") {
    prescreen::Sha256 hasher;
    hasher.update("something else");
    (void)hasher.finish();
    hasher.update("abc");
    CHECK(prescreen::to_hex(hasher.finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("HMAC-SHA-256 RFC 4231 test cases", "[sha256][hmac]") {
    SECTION("case 1") {
        CHECK(prescreen::hmac_sha256_hex(repeat('\x0b', 20), "Hi There") ==
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }
    SECTION("case 2: key shorter than the output") {
        CHECK(prescreen::hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
    SECTION("case 3") {
        CHECK(prescreen::hmac_sha256_hex(repeat('\xaa', 20), repeat('\xdd', 50)) ==
              "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    }
    SECTION("case 4") {
        CHECK(prescreen::hmac_sha256_hex(from_hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat('\xcd', 50)) ==
              "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    }
    SECTION("case 5: truncation to 128 bits") {
        CHECK(prescreen::hmac_sha256_hex(repeat('\x0c', 20), "Test With Truncation").substr(0, 32) ==
              "a3b6167473100ee06e0c796c2955552b");
    }
    SECTION("case 6: 131-byte key, hashed first") {
        CHECK(prescreen::hmac_sha256_hex(repeat('\xaa', 131), "Test Using Larger Than Block-Size Key - Hash Key First") ==
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }
    SECTION("case 7: 131-byte key and data larger than a block") {
        CHECK(prescreen::hmac_sha256_hex(repeat('\xaa', 131),
                                         "This is a test using a larger than block-size key and a larger than block-size "
                                         "data. The key needs to be hashed before being used by the HMAC algorithm.") ==
              "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
    }
    SECTION("a 64-byte key is used as is, a 65-byte key is hashed") {
        CHECK(prescreen::hmac_sha256_hex(repeat('k', 64), "m") != prescreen::hmac_sha256_hex(repeat('k', 65), "m"));
        const auto hashed_key = prescreen::Sha256::hash(repeat('k', 65));
        CHECK(prescreen::hmac_sha256_hex(repeat('k', 65), "m") ==
              prescreen::hmac_sha256_hex(std::string(hashed_key.begin(), hashed_key.end()), "m"));
    }
}
