// Outcome names and their order: the one vocabulary every runtime and report uses.
#include "prescreen/screening.hpp"

namespace prescreen {

const char* outcome_name(Outcome outcome) {
    switch (outcome) {
        case Outcome::Eligible: return "eligible";
        case Outcome::EligibleWithPrecautions: return "eligible_with_precautions";
        case Outcome::Refer: return "refer";
        case Outcome::Incomplete: return "incomplete";
        case Outcome::Deferred: return "deferred";
        case Outcome::NotEligible: return "not_eligible";
    }
    return "eligible";
}

std::optional<Outcome> parse_outcome(std::string_view name) {
    for (Outcome o : {Outcome::Eligible, Outcome::EligibleWithPrecautions, Outcome::Refer, Outcome::Incomplete,
                      Outcome::Deferred, Outcome::NotEligible})
        if (name == outcome_name(o)) return o;
    return std::nullopt;
}

const std::vector<Outcome>& outcomes_strictest_first() {
    static const std::vector<Outcome> order{Outcome::NotEligible, Outcome::Deferred, Outcome::Incomplete,
                                            Outcome::Refer, Outcome::EligibleWithPrecautions, Outcome::Eligible};
    return order;
}

}  // namespace prescreen
