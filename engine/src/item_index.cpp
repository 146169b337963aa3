// Item id -> slot, on every screening's path (each answer's key is looked up once). Its own file so
// the WebAssembly build compiles it for speed with the screening path, not for size with loading.
#include <cstring>

#include "protocol_model.hpp"

namespace prescreen::detail {

std::size_t ItemIndex::hash(std::string_view s) noexcept {
    std::uint64_t head = 0, tail = 0;
    if (s.size() >= 8) {
        std::memcpy(&head, s.data(), 8);
        std::memcpy(&tail, s.data() + s.size() - 8, 8);
    } else {
        for (char c : s) head = (head << 8) | static_cast<unsigned char>(c);
    }
    std::uint64_t h = (head ^ (tail * 0x9E3779B97F4A7C15ull) ^ s.size()) * 0xBF58476D1CE4E5B9ull;
    return static_cast<std::size_t>(h ^ (h >> 31));
}

void ItemIndex::build(const std::vector<std::string_view>& ids) {
    std::size_t size = 16;
    while (size < ids.size() * 2) size *= 2;  // at most half full: short probe sequences
    table_.assign(size, {std::string_view(), -1});
    ids_ = ids;
    mask_ = size - 1;
    for (std::size_t slot = 0; slot < ids.size(); ++slot) {
        std::size_t i = hash(ids[slot]) & mask_;
        while (table_[i].second >= 0) i = (i + 1) & mask_;
        table_[i] = {ids[slot], static_cast<int>(slot)};
    }
}

int ItemIndex::find(std::string_view id) const {
    for (std::size_t i = hash(id) & mask_;; i = (i + 1) & mask_) {
        const auto& [key, slot] = table_[i];
        if (slot < 0) return -1;
        if (same(key, id)) return slot;
    }
}

int ItemIndex::find_near(std::string_view id, int guess) const {
    if (guess >= 0 && static_cast<std::size_t>(guess) < ids_.size() && same(ids_[guess], id)) return guess;
    return find(id);
}

int CompiledProtocol::find_item(std::string_view item_id) const { return item_index.find(item_id); }

}  // namespace prescreen::detail
