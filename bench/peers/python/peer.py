"""Python side of the peer benchmark (scripts/bench.sh): panzi-json-logic and zen-engine from PyPI
(installed into bench/.venv) and prescreen's own Python package (run with the project .venv).
Same command line and JSON output as the other peers:

    python peer.py ENGINE suite-check TESTS | suite-time TESTS IDX | screen-check DIR | screen-time DIR

ENGINE: panzi-json-logic | zen-engine | prescreen-python
Times are CPU time of this thread (time.thread_time: the machine is shared), after a warm-up pass.
"""
import json
import os
import resource
import sys
import time
from importlib import metadata
from pathlib import Path

SECONDS = float(os.environ.get("BENCH_SECONDS", "1"))
ANSWER_LIMIT = int(os.environ.get("BENCH_ANSWERS", "0")) or None
TODAY = "2026-11-25"


def measure(n, run_pass):
    run_pass()
    passes = 0
    start = time.thread_time()
    while True:
        run_pass()
        passes += 1
        elapsed = time.thread_time() - start
        if elapsed >= SECONDS:
            return elapsed * 1e9 / (passes * n)


def max_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def same(a, b):
    """JSON equality with numbers by value (1 == 1.0) but booleans never equal to numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def truthy(v):  # JsonLogic truthiness
    if isinstance(v, list):
        return len(v) > 0
    return bool(v)


class Engine:
    version = ""
    compile = None  # rule -> (data -> result); None = no JsonLogic

    def screening(self, directory, rules):
        """answers -> set of fired rule ids (default: evaluate the 30 plain JsonLogic rules)."""
        compiled = [(r["id"], self.compile(r["when"])) for r in rules["rules"]]
        return lambda a: [rid for rid, f in compiled if truthy(f(a))], None


class PanziJsonLogic(Engine):
    def __init__(self):
        from json_logic import jsonLogic
        self.version = metadata.version("panzi-json-logic")
        self.compile = lambda rule: (lambda data: jsonLogic(rule, data))


class Zen(Engine):
    def __init__(self):
        import zen
        self.zen = zen
        self.version = metadata.version("zen-engine")

    def screening(self, directory, rules):
        engine = self.zen.ZenEngine()
        decision = engine.create_decision(json.loads((Path(directory) / "zen-decision.json").read_text()))
        ids = [r["id"] for r in rules["rules"]]

        def run(a):
            result = decision.evaluate(a)["result"]
            return [rid for rid in ids if result.get(rid)]
        return run, None


class PrescreenPython(Engine):
    def __init__(self):
        import prescreen
        self.prescreen = prescreen
        self.version = getattr(prescreen, "__version__", "")
        self.compile = lambda rule: (lambda data: prescreen.apply_logic(rule, data))

    def screening(self, directory, rules):
        protocol = self.prescreen.Protocol.from_file(str(Path(directory) / "synthetic-pack.json"))

        # The fired rule ids and the outcome, as every peer computes them (finding_ids is read from
        # the result's record; the full JSON with messages and aftercare is written only when read).
        def run(a):
            result = protocol.screen(a, today=TODAY)
            return result.finding_ids, result.outcome

        def run_many(answer_sets, threads):
            return protocol.screen_many(answer_sets, today=TODAY, threads=threads)
        return run, run_many


ENGINES = {"panzi-json-logic": PanziJsonLogic, "zen-engine": Zen, "prescreen-python": PrescreenPython}


def suite_cases(path):
    return [c for c in json.loads(Path(path).read_text()) if isinstance(c, list)]


def load_screening(directory):
    rules = json.loads((Path(directory) / "rules.json").read_text())
    lines = [l for l in (Path(directory) / "answers.jsonl").read_text().splitlines() if l]
    return rules, [json.loads(l) for l in lines[:ANSWER_LIMIT]]


def describe(rules, fired, outcome=None):
    if outcome is None:
        order = rules["outcome_order"]
        rank = {r["id"]: order.index(r["outcome"]) for r in rules["rules"]}
        best = min((rank[f] for f in fired), default=len(order))
        outcome = order[best] if best < len(order) else "eligible"
    return ",".join(fired) + "|" + outcome


def main():
    name, mode, *rest = sys.argv[1:]
    try:
        engine = ENGINES[name]()
    except ImportError as e:
        print(json.dumps({"engine": name, "unavailable": str(e)}))
        return
    if mode in ("suite-check", "suite-time"):
        if engine.compile is None:
            print(json.dumps({"engine": name, "version": engine.version,
                              "unsupported": "takes decision graphs in its own expression language, not JsonLogic"}))
            return
        cases = suite_cases(rest[0])
        if mode == "suite-check":
            passed = []
            for i, (rule, data, expected) in enumerate(cases):
                try:
                    if same(engine.compile(rule)(data), expected):
                        passed.append(i)
                except Exception:
                    pass
            print(json.dumps({"engine": name, "version": engine.version, "total": len(cases), "pass": passed}))
            return
        indices = json.loads(Path(rest[1]).read_text())
        fns = [engine.compile(cases[i][0]) for i in indices]
        data = [cases[i][1] for i in indices]

        def run_pass():
            for f, d in zip(fns, data):
                f(d)
        ns = measure(len(indices), run_pass)
        print(json.dumps({"engine": name, "ns_per_eval": ns, "evals": len(indices), "max_rss_kb": max_rss_kb()}))
        return
    if mode in ("screen-check", "screen-time"):
        rules, answers = load_screening(rest[0])
        run, run_many = engine.screening(rest[0], rules)
        if mode == "screen-check":
            out = []
            for a in answers:
                r = run(a)
                out.append(describe(rules, *r) if isinstance(r, tuple) else describe(rules, r))
            sys.stdout.write("\n".join(out) + "\n")
            return

        def run_pass():
            for a in answers:
                run(a)
        key = "pack_screen" if run_many else ("zen_decision" if name == "zen-engine" else "plain_jsonlogic")
        ns = {key: measure(len(answers), run_pass)}
        if run_many:
            ns["pack_screen_many_1_thread"] = measure(len(answers), lambda: run_many(answers, 1))
            # Wall time with 2 threads: screen_many releases the GIL, so thread CPU time would not count the workers.
            start = time.perf_counter()
            passes = 0
            while time.perf_counter() - start < SECONDS:
                run_many(answers, 2)
                passes += 1
            ns["pack_screen_many_2_threads_wall"] = (time.perf_counter() - start) * 1e9 / (passes * len(answers))
        print(json.dumps({"engine": name, "version": engine.version, "ns": ns, "screenings": len(answers),
                          "max_rss_kb": max_rss_kb()}))
        return
    sys.exit("usage: peer.py ENGINE suite-check TESTS | suite-time TESTS IDX | screen-check DIR | screen-time DIR")


if __name__ == "__main__":
    main()
