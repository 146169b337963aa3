// The course: treatment plans (sessions, interval) and the follow-up.
#include <set>

#include "pack_load.hpp"

namespace prescreen::detail {

void load_course(PackLoad& pack) {
    Loader& L = pack.L;
    CompiledProtocol& p = pack.p;
    const json& doc = pack.doc;
    if (auto it = doc.find("course"); it != doc.end()) {
        if (L.object(*it, "/course", {"plans"}, {"follow_up"}, "the course")) {
            std::set<std::string> ids;
            auto plans = it->find("plans");
            if (plans != it->end() && !plans->is_array()) L.error("wrong_type", "/course/plans", "\"plans\" must be an array");
            else if (plans != it->end())
                for (std::size_t i = 0; i < plans->size(); ++i) {
                    std::string path = pointer_join("/course/plans", i);
                    const json& def = (*plans)[i];
                    if (!L.object(def, path, {"id", "sessions", "interval_weeks", "text"}, {"when", "sources"}, "a course plan")) continue;
                    CoursePlan plan;
                    plan.id = L.id(def, path, ids, "plan");
                    plan.sessions = static_cast<long long>(L.number(def, "sessions", path, true).value_or(0));
                    plan.interval_weeks = static_cast<long long>(L.number(def, "interval_weeks", path, true).value_or(0));
                    plan.text = L.text(def, "text", path, true);
                    plan.when = L.logic(def, "when", path, pack.result_scope);
                    pack.check_sources(def, path, false);
                    p.plans.push_back(std::move(plan));
                }
            if (auto fu = it->find("follow_up"); fu != it->end() &&
                                                  L.object(*fu, "/course/follow_up", {"weeks", "text"}, {}, "the follow-up")) {
                p.has_follow_up = true;
                p.follow_up_weeks = static_cast<long long>(L.number(*fu, "weeks", "/course/follow_up", true).value_or(0));
                p.follow_up_text = L.text(*fu, "text", "/course/follow_up", true);
            }
        }
    }
}

}  // namespace prescreen::detail
