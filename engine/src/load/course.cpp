// The course: treatment plans (sessions, interval) and the follow-up.
#include <set>

#include "pack_load.hpp"

namespace prescreen::detail {

void load_course(PackLoad& pack) {
    auto course = pack.doc.find("course");
    Loader& L = pack.L;
    if (course == pack.doc.end() || !L.object(*course, "/course", {"plans"}, {"follow_up"}, "the course")) return;
    CompiledProtocol& p = pack.p;
    std::set<std::string> ids;
    pack.each_entry(*course, "plans", "/course/plans", "\"plans\" must be an array",
                    {"id", "sessions", "interval_weeks", "text"}, {"when", "sources"}, "a course plan",
                    [&](const json& def, const std::string& path) {
        CoursePlan plan;
        plan.id = L.id(def, path, ids, "plan");
        plan.sessions = static_cast<long long>(L.number(def, "sessions", path, true).value_or(0));
        plan.interval_weeks = static_cast<long long>(L.number(def, "interval_weeks", path, true).value_or(0));
        plan.text = L.text(def, "text", path, true);
        plan.when = L.logic(def, "when", path, pack.result_scope);
        pack.check_sources(def, path, false);
        p.plans.push_back(std::move(plan));
    });
    if (auto fu = course->find("follow_up"); fu != course->end() &&
                                              L.object(*fu, "/course/follow_up", {"weeks", "text"}, {}, "the follow-up")) {
        p.has_follow_up = true;
        p.follow_up_weeks = static_cast<long long>(L.number(*fu, "weeks", "/course/follow_up", true).value_or(0));
        p.follow_up_text = L.text(*fu, "text", "/course/follow_up", true);
    }
}

}  // namespace prescreen::detail
