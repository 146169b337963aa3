// FHIR R4 benchmark: import of a 1,000-item Questionnaire and export of the micro-needling pack as
// a Questionnaire (target: both under 20 ms natively), plus a QuestionnaireResponse. Time is the
// median of repeated runs, in CPU time of the thread (the machine is shared); memory is the peak of heap
// bytes live during one further run (counted by the operator new below, off while timing) and the
// process's peak RSS.
//   build/bench/bench_fhir [--json]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <time.h>

#include "prescreen/fhir.hpp"

using prescreen::json;

namespace {
std::atomic<long long> live{0}, peak{0};
// Heap counting is on only for the runs that measure memory: the timed runs pay no atomics.
bool counting = false;
}

// Heap accounting: a size header in front of every block (malloc/free underneath, hence the pragma).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
    auto* p = static_cast<std::size_t*>(std::malloc(n + 16));
    if (!p) throw std::bad_alloc();
    *p = counting ? n : 0;  // a block made while not counting is not subtracted when freed
    if (!counting) return reinterpret_cast<char*>(p) + 16;
    long long now = live += static_cast<long long>(n);
    long long seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    return reinterpret_cast<char*>(p) + 16;
}
void operator delete(void* q) noexcept {
    if (!q) return;
    auto* p = reinterpret_cast<std::size_t*>(static_cast<char*>(q) - 16);
    if (*p) live -= static_cast<long long>(*p);
    std::free(p);
}
void operator delete(void* q, std::size_t) noexcept { operator delete(q); }

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// 100 groups of 10 questions; every question after the first in a group depends on the one before
// through a different operator and answer type, so the import exercises every enableWhen path.
json thousand_items() {
    json groups = json::array();
    for (int g = 0; g < 100; ++g) {
        json items = json::array();
        // Built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
        auto cat = [](std::string a, const std::string& b) { return a.append(b); };
        auto id = [&](int k) { return cat(cat(cat("g", std::to_string(g)), "."), std::to_string(k)); };
        for (int k = 0; k < 10; ++k) {
            json it = {{"linkId", id(k)}, {"text", cat("Question ", id(k))}, {"required", k % 3 == 0}};
            switch (k % 5) {
                case 0: it["type"] = "boolean"; break;
                case 1: it["type"] = "choice";
                        it["answerOption"] = json::array({{{"valueCoding", {{"system", "http://example.org/cs"}, {"code", "a"}, {"display", "A"}}}},
                                                          {{"valueCoding", {{"system", "http://example.org/cs"}, {"code", "b"}, {"display", "B"}}}}});
                        break;
                case 2: it["type"] = "integer"; break;
                case 3: it["type"] = "date"; break;
                default: it["type"] = "string"; it["maxLength"] = 200;
            }
            if (k > 0) {
                json prev = items[k - 1];
                std::string t = prev["type"];
                json c = {{"question", prev["linkId"]}};
                if (t == "boolean") c.update({{"operator", "="}, {"answerBoolean", true}});
                else if (t == "choice") c.update({{"operator", "!="}, {"answerCoding", {{"system", "http://example.org/cs"}, {"code", "b"}}}});
                else if (t == "integer") c.update({{"operator", ">="}, {"answerInteger", 3}});
                else if (t == "date") c.update({{"operator", "<"}, {"answerDate", "2020-01-01"}});
                else c.update({{"operator", "exists"}, {"answerBoolean", true}});
                it["enableWhen"] = json::array({c});
            }
            items.push_back(std::move(it));
        }
        groups.push_back({{"linkId", cat("g", std::to_string(g))}, {"type", "group"}, {"text", cat("Page ", std::to_string(g))}, {"item", items}});
    }
    return {{"resourceType", "Questionnaire"}, {"status", "active"}, {"url", "http://example.org/q/thousand"}, {"item", groups}};
}

struct Figure {
    double median_ms;
    long long peak_heap_bytes;
};

// The peak heap of one run, counted; then the median time of `runs` runs, not counted.
Figure measure(int runs, const std::function<void()>& body) {
    counting = true;
    long long base = live.load();
    peak = base;
    body();
    long long heap = peak.load() - base;
    counting = false;
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        timespec t0{}, t1{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
        body();
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
        ms.push_back((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], heap};
}

}  // namespace

int main(int argc, char** argv) {
    const bool as_json = argc > 1 && std::string(argv[1]) == "--json";
    const std::string root = PRESCREEN_SOURCE_DIR;
    json q = thousand_items();
    const std::string q_text = q.dump();
    auto mn = prescreen::Protocol::load(read_text(root + "/protocols/microneedling/protocol.json"));
    json answers = json::parse(R"({"date_of_birth":"1990-05-15","sex":"female","treatment_areas":["face"],"indication":"acne_scars",
        "active_cold_sore":false,"active_infection":false,"active_acne":false,"rosacea":"none","eczema_psoriasis":"none",
        "sunburn_recent":false,"skin_cancer_area":false,"suspicious_lesion":false,"recent_scar":false,"isotretinoin_current":false,
        "isotretinoin_past":false,"topical_retinoid":false,"topical_steroid_area":false,"anticoagulant":false,"pregnant":false,
        "breastfeeding":false,"cold_sore_history":false,"keloid_tendency":false,"bleeding_disorder":false,"diabetes":"none",
        "immunosuppressed":false,"chemotherapy_current":false,"radiotherapy_area":false,"autoimmune_skin":false,"cardiac_device":false,
        "injectables_recent":false,"resurfacing_recent":false,"stainless_steel_allergy":false,"metal_allergy_other":false,
        "anaesthetic_allergy":false})");

    std::size_t sink = 0;
    Figure import = measure(30, [&] { sink += prescreen::fhir::import_questionnaire_text(q_text)["items"].size(); });
    // The import ends with the load's checks of the pack it made (cycles, type checks), without
    // the digest; a full load of that pack (what a clinic does next) is timed beside it.
    json imported = prescreen::fhir::import_questionnaire_text(q_text);
    Figure load = measure(30, [&] { sink += prescreen::Protocol::from_json(imported).items().size(); });
    Figure exported = measure(200, [&] { sink += prescreen::fhir::questionnaire(mn)["item"].size(); });
    Figure response = measure(200, [&] { sink += prescreen::fhir::questionnaire_response(mn, answers, {"2026-11-25", ""}).size(); });
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);

    if (as_json) {
        std::cout << json{{"import_1000_items_ms", import.median_ms}, {"import_peak_heap_bytes", import.peak_heap_bytes},
                          {"from_json_of_imported_pack_ms", load.median_ms},
                          {"export_microneedling_ms", exported.median_ms}, {"export_peak_heap_bytes", exported.peak_heap_bytes},
                          {"response_microneedling_ms", response.median_ms}, {"response_peak_heap_bytes", response.peak_heap_bytes},
                          {"max_rss_kb", usage.ru_maxrss}}.dump()
                  << "\n";
        return 0;
    }
    // Ratios side by side: time / target (under 1.00 meets it) and the load's share of the import.
    std::printf("FHIR R4, native (median CPU time; peak heap live during one run)   target    time/target\n");
    std::printf("  import, 1,000-item Questionnaire (%zu KB JSON text)   %7.2f ms  %6.2f MB heap   < 20 ms   %5.2f\n",
                q_text.size() / 1024, import.median_ms, import.peak_heap_bytes / 1048576.0, import.median_ms / 20.0);
    std::printf("  then Protocol::from_json of the imported pack          %7.2f ms  %6.2f MB heap   (%.2f x the import)\n",
                load.median_ms, load.peak_heap_bytes / 1048576.0, load.median_ms / import.median_ms);
    std::printf("  export, micro-needling pack -> Questionnaire          %7.2f ms  %6.2f MB heap   < 20 ms   %5.2f\n",
                exported.median_ms, exported.peak_heap_bytes / 1048576.0, exported.median_ms / 20.0);
    std::printf("  micro-needling answers -> QuestionnaireResponse       %7.2f ms  %6.2f MB heap\n",
                response.median_ms, response.peak_heap_bytes / 1048576.0);
    std::printf("  process peak RSS %ld KB  (checksum %zu)\n", usage.ru_maxrss, sink);
    return 0;
}
