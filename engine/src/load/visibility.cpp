// The order items become visible in: enable_when conditions must not depend on themselves.
#include <functional>
#include <set>

#include "pack_load.hpp"

namespace prescreen::detail {

void order_visibility(PackLoad& pack) {
    Loader& L = pack.L;
    CompiledProtocol& p = pack.p;
    // enable_when must not depend on itself, directly or through other items.
    const std::size_t n = p.items.size();
    std::vector<int> state(n, 0);  // 0 new, 1 on stack, 2 done
    std::vector<int> stack;
    std::set<int> reported;
    std::function<void(int)> visit = [&](int v) {
        state[v] = 1;
        stack.push_back(v);
        if (p.items[v].enable_when)
            for (int u : p.items[v].enable_when->items_used) {
                if (state[u] == 1) {
                    auto from = std::find(stack.begin(), stack.end(), u);
                    std::string cycle;
                    for (auto k = from; k != stack.end(); ++k) cycle += p.items[*k].id + " → ";
                    cycle += p.items[u].id;
                    if (reported.insert(u).second)
                        L.error("enable_when_cycle", pointer_join(pointer_join("/items", v), "enable_when"),
                                "visibility depends on itself: " + cycle);
                } else if (state[u] == 0) {
                    visit(u);
                }
            }
        stack.pop_back();
        state[v] = 2;
        p.visibility_order.push_back(v);
    };
    for (std::size_t v = 0; v < n; ++v)
        if (state[v] == 0) visit(static_cast<int>(v));
}

}  // namespace prescreen::detail
