// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), portable C++20 with no dependencies.
// Byte order is handled explicitly (big-endian words are assembled from bytes), so the result is
// the same on every host, including WebAssembly.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace prescreen {

/// Incremental SHA-256: update() any number of times, then finish() once.
class Sha256 {
public:
    static constexpr std::size_t digest_size = 32;
    static constexpr std::size_t block_size = 64;
    using Digest = std::array<std::uint8_t, digest_size>;

    Sha256() noexcept;
    void update(std::string_view bytes) noexcept;
    void update(const std::uint8_t* bytes, std::size_t size) noexcept;
    /// The digest of everything passed to update(). The object is reset afterwards.
    Digest finish() noexcept;

    /// One-shot convenience.
    static Digest hash(std::string_view bytes) noexcept;

private:
    void compress(const std::uint8_t* block) noexcept;
    void reset() noexcept;

    std::array<std::uint32_t, 8> state_{};
    std::array<std::uint8_t, block_size> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_bytes_ = 0;
};

/// HMAC-SHA-256 of `message` under `key` (keys longer than 64 bytes are hashed first).
Sha256::Digest hmac_sha256(std::string_view key, std::string_view message) noexcept;

/// Lower-case hex of bytes.
std::string to_hex(const std::uint8_t* bytes, std::size_t size);
template <std::size_t N>
std::string to_hex(const std::array<std::uint8_t, N>& bytes) { return to_hex(bytes.data(), N); }

}  // namespace prescreen
