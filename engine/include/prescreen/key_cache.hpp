// The item slots of the answer keys a binding meets in a batch, found by the key object's address.
// Rows usually share their key objects (Python's csv.DictReader, DataFrame.to_dict("records"),
// rows built by one piece of code), so most keys are found without reading their text: a binding
// reading rows into an AnswerChunk (prescreen/answer_chunk.hpp) looks each key up here first.
//
// The cache does not own the keys: the binding keeps every key it inserts alive (and its text,
// which `id` may view) as long as the cache, so no other object can take a cached address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace prescreen {

class KeyCache {
public:
    struct Key {
        const void* object = nullptr;
        int slot = -1;                 // the item's slot; -1 for a key that is no item of the pack
        std::string_view id;
        std::size_t member_bytes = 0;  // "id": and a comma, as compact JSON
    };
    KeyCache() : table_(kSize) {}

    const Key* find(const void* object) const {
        for (std::size_t i = position(object);; i = (i + 1) & (kSize - 1)) {
            const Key& k = table_[i];
            if (k.object == object) return &k;
            if (!k.object) return nullptr;
        }
    }
    /// False when full (at most half the table is used, so probes stay short).
    bool insert(const void* object, int slot, std::string_view id, std::size_t member_bytes) {
        if (used_ >= kSize / 2) return false;
        std::size_t i = position(object);
        while (table_[i].object) i = (i + 1) & (kSize - 1);
        table_[i] = Key{object, slot, id, member_bytes};
        ++used_;
        return true;
    }

private:
    static constexpr std::size_t kSize = 1024;  // room for 512 distinct key objects
    static std::size_t position(const void* object) {
        return (reinterpret_cast<std::uintptr_t>(object) >> 4) * 0x9E3779B97F4A7C15ull >> 54;  // top 10 bits
    }
    std::vector<Key> table_;
    std::size_t used_ = 0;
};

}  // namespace prescreen
