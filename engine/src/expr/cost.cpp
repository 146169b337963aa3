// Static cost of a compiled rule over answers: an upper bound on the evaluation budget's steps and
// on the largest array it can build, so a pack whose rule could exceed the budget is refused at
// load (and by `lint`) instead of stopping at run time. Answers are bounded (a multi-choice answer
// has at most its item's options), so in protocol conditions every array has a bound; only
// `reduce` can grow one step by step, and that growth is followed iteration by iteration.
#include <algorithm>
#include <cmath>

#include "expr/internal.hpp"

namespace prescreen::expr {

namespace {

constexpr double kUnbounded = 1e300;

double add(double a, double b) { return std::min(a + b, kUnbounded); }
double mul(double a, double b) { return a == 0 || b == 0 ? 0 : std::min(a * b, kUnbounded); }

// What `var` reads inside an iterator: the element (and, in `reduce`, the accumulator) bounds.
struct Inner {
    double element = 1;      // largest array an element can be
    double accumulator = 1;  // reduce only
    bool reduce = false;
};

struct Estimate {
    double steps = 0;  // loop steps (evaluate.cpp: Evaluator::spend)
    double size = 1;   // elements of the array the node can return (1 for a scalar)
    double largest = 1;  // the largest array built anywhere below
};

class CostModel {
public:
    explicit CostModel(const Program& program) : p_(program) {}

    Estimate of(std::uint32_t index, const Inner* inner) {
        const Node& n = p_.nodes[index];
        Estimate e;
        auto children = [&](std::uint32_t from) {
            for (std::uint32_t i = from; i < n.count; ++i) {
                const Estimate c = of(n.first + i, inner);
                e.steps = add(e.steps, c.steps);
                e.largest = std::max(e.largest, c.largest);
            }
        };
        switch (n.op) {
            case Op::Const:
                e.size = n.constant.kind == Kind::Array ? double(array_size(n.constant)) : 1;
                break;
            case Op::VarSlot:
                e.size = double(std::max<std::size_t>(1, (*items_)[std::size_t(n.index)].options.size()));
                children(0);
                break;
            case Op::VarPath: case Op::VarDynamic: case Op::Val:
                // inside an iterator: the element, or reduce's accumulator
                if (inner && inner->reduce && n.op == Op::VarPath && n.index >= 0 &&
                    !p_.names[std::size_t(n.index)].path.empty() && p_.names[std::size_t(n.index)].path[0] == "accumulator")
                    e.size = inner->accumulator;
                else if (inner && inner->reduce && (n.flags & kWholeData))
                    e.size = std::max(inner->accumulator, inner->element);
                else
                    e.size = inner ? inner->element : 1;
                children(0);
                break;
            case Op::MakeArray:
                children(0);
                e.size = n.count;
                break;
            case Op::Merge: {
                double total = 0;
                for (std::uint32_t i = 0; i < n.count; ++i) {
                    const Estimate c = of(n.first + i, inner);
                    e.steps = add(e.steps, add(c.steps, c.size));
                    e.largest = std::max(e.largest, c.largest);
                    total = add(total, c.size);
                }
                e.size = total;
                break;
            }
            case Op::Map: case Op::Filter: case Op::All: case Op::Some: case Op::None: {
                if (n.count == 0) break;
                const Estimate source = of(n.first, inner);
                Inner element{source.size, 1, false};
                e.steps = source.steps;
                e.largest = source.largest;
                if (n.count > 1) {
                    const Estimate body = of(n.first + 1, &element);
                    e.steps = add(e.steps, mul(source.size, add(1, body.steps)));
                    e.largest = std::max(e.largest, body.largest);
                }
                for (std::uint32_t i = 2; i < n.count; ++i) e.steps = add(e.steps, of(n.first + i, inner).steps);
                e.size = source.size;
                break;
            }
            case Op::Reduce: {
                if (n.count == 0) break;
                const Estimate source = of(n.first, inner);
                Estimate initial;
                if (n.count > 2) initial = of(n.first + 2, inner);
                e.steps = add(source.steps, initial.steps);
                e.largest = std::max(source.largest, initial.largest);
                Inner acc{source.size, initial.size, true};
                // Follow the accumulator's bound step by step until it settles or is out of reach.
                const double iterations = source.size;
                double done = 0;
                while (done < iterations && n.count > 1) {
                    const Estimate body = of(n.first + 1, &acc);
                    e.steps = add(e.steps, add(1, body.steps));
                    e.largest = std::max(e.largest, body.largest);
                    done += 1;
                    if (body.size <= acc.accumulator) {  // settled: the rest of the steps cost the same
                        e.steps = add(e.steps, mul(iterations - done, add(1, body.steps)));
                        break;
                    }
                    acc.accumulator = body.size;
                    if (e.steps >= kUnbounded || acc.accumulator >= 1e15) {
                        e.steps = kUnbounded;
                        acc.accumulator = kUnbounded;
                        break;
                    }
                }
                e.size = acc.accumulator;
                break;
            }
            default:
                children(0);
                break;
        }
        e.largest = std::max(e.largest, e.size);
        return e;
    }

    const std::vector<ItemInfo>* items_ = nullptr;

private:
    const Program& p_;
};

}  // namespace

StaticCost static_cost(const Program& program, const std::vector<ItemInfo>& items) {
    CostModel model(program);
    model.items_ = &items;
    const Estimate e = model.of(program.root, nullptr);
    return StaticCost{e.steps, e.largest * double(sizeof(Value))};
}

}  // namespace prescreen::expr
