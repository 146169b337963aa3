// The constant parts of results, in the order json::dump() writes them (keys sorted as a JSON
// object sorts them), serialised once per locale at load.
#include "result_text.hpp"

#include <algorithm>

#include "protocol_model.hpp"

namespace prescreen::detail {

namespace {

Fragment whole(json value) {
    std::string text = value.dump();
    return {std::move(value), std::move(text)};
}

Fragment members(json object) {
    std::string text = object.dump();
    return {std::move(object), text.substr(1, text.size() - 2)};  // without { and }
}

}  // namespace

void prepare_result_text(CompiledProtocol& p) {
    const std::size_t locales = std::max<std::size_t>(1, p.locales.size());
    p.result_text.assign(locales, {});
    for (std::size_t l = 0; l < locales; ++l) {
        ResultText& text = p.result_text[l];
        for (const Rule& rule : p.rules)
            text.findings.push_back({members({{"clinician_note", rule.clinician_note.in(l)}}),
                                     members({{"message", rule.message.in(l)},
                                              {"outcome", outcome_name(rule.outcome)},
                                              {"rule", rule.id},
                                              {"sources", rule.sources}})});
        for (const Instruction& ins : p.aftercare)
            text.aftercare.push_back(whole({{"id", ins.id}, {"phase", ins.phase}, {"text", ins.text.in(l)}}));
        for (const CoursePlan& plan : p.plans)
            text.courses.push_back(whole({{"plan", plan.id},
                                          {"sessions", plan.sessions},
                                          {"interval_weeks", plan.interval_weeks},
                                          {"text", plan.text.in(l)},
                                          {"follow_up", p.has_follow_up ? json{{"weeks", p.follow_up_weeks},
                                                                               {"text", p.follow_up_text.in(l)}}
                                                                        : json(nullptr)}}));
    }
}

}  // namespace prescreen::detail
