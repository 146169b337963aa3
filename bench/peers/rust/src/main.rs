//! datalogic-rs peer for the prescreen benchmark. Same command line and JSON output as the other
//! peers (see bench/README.md):
//!   bench-datalogic suite-check TESTS | suite-time TESTS IDX | screen-check DIR | screen-time DIR
use datalogic_rs::{Engine, Logic, ParsedData};
use serde_json::{json, Value};
use std::env;
use std::fs;

#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}
#[repr(C)]
struct Rusage {
    utime: [i64; 2],
    stime: [i64; 2],
    maxrss: i64,
    rest: [i64; 13],
}
extern "C" {
    fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    fn getrusage(who: i32, usage: *mut Rusage) -> i32;
}
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

/// CPU time of this thread (the machine is shared; wall time would count other processes).
fn cpu_seconds() -> f64 {
    let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
    unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn max_rss_kb() -> i64 {
    let mut usage = Rusage { utime: [0; 2], stime: [0; 2], maxrss: 0, rest: [0; 13] };
    unsafe { getrusage(0, &mut usage) };
    usage.maxrss
}

fn bench_seconds() -> f64 {
    env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0)
}

/// ns per evaluation: one warm-up pass, then passes until BENCH_SECONDS of CPU time.
fn time_ns(per_pass: usize, mut pass: impl FnMut() -> usize) -> f64 {
    let mut sink = pass();
    let start = cpu_seconds();
    let mut passes = 0usize;
    let mut elapsed;
    loop {
        sink = sink.wrapping_add(pass());
        passes += 1;
        elapsed = cpu_seconds() - start;
        if elapsed >= bench_seconds() {
            break;
        }
    }
    std::hint::black_box(sink);
    elapsed * 1e9 / (passes * per_pass) as f64
}

fn suite_cases(path: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    all.as_array().unwrap().iter().filter(|c| c.is_array()).cloned().collect()
}

/// JSON equality with numbers compared by value (1 == 1.0), as the suite intends.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).map_or(false, |w| same(v, w)))
        }
        _ => a == b,
    }
}

fn engine_version() -> &'static str {
    "5.4.0"
}

fn suite_check(path: &str) {
    let engine = Engine::new();
    let cases = suite_cases(path);
    let mut pass = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let logic = engine.compile(&case[0]).ok()?;
            let data = ParsedData::from_json(&case[1].to_string()).ok()?;
            let mut session = engine.session();
            let result = session.eval_borrowed(&logic, &data).ok()?.to_string();
            let result: Value = serde_json::from_str(&result).ok()?;
            Some(same(&result, &case[2]))
        }));
        if let Ok(Some(true)) = ok {
            pass.push(i);
        }
    }
    println!("{}", json!({"engine": "datalogic-rs", "version": engine_version(), "total": cases.len(), "pass": pass}));
}

fn suite_time(path: &str, indices: &str) {
    let engine = Engine::new();
    let cases = suite_cases(path);
    let indices: Vec<usize> = serde_json::from_str(&fs::read_to_string(indices).unwrap()).unwrap();
    let logics: Vec<Logic> = indices.iter().map(|&i| engine.compile(&cases[i][0]).unwrap()).collect();
    let data: Vec<ParsedData> = indices.iter().map(|&i| ParsedData::from_json(&cases[i][1].to_string()).unwrap()).collect();
    let mut session = engine.session();
    let ns = time_ns(indices.len(), || {
        let mut n = 0usize;
        for k in 0..logics.len() {
            {
                let r = session.eval_borrowed(&logics[k], &data[k]).unwrap();
                n += engine.truthy(r) as usize;
            }
            session.reset();
        }
        n
    });
    println!("{}", json!({"engine": "datalogic-rs", "ns_per_eval": ns, "evals": indices.len(), "max_rss_kb": max_rss_kb()}));
}

struct Screening {
    engine: Engine,
    logics: Vec<Logic>,
    ids: Vec<String>,
    rank: Vec<usize>, // index of each rule's outcome in outcome_order (0 = strictest)
    order: Vec<String>,
    answers: Vec<ParsedData>,
}

fn load_screening(dir: &str) -> Screening {
    let engine = Engine::new();
    let rules: Value = serde_json::from_str(&fs::read_to_string(format!("{dir}/rules.json")).unwrap()).unwrap();
    let order: Vec<String> = serde_json::from_value(rules["outcome_order"].clone()).unwrap();
    let mut logics = Vec::new();
    let mut ids = Vec::new();
    let mut rank = Vec::new();
    for r in rules["rules"].as_array().unwrap() {
        logics.push(engine.compile(&r["when"]).unwrap());
        ids.push(r["id"].as_str().unwrap().to_string());
        rank.push(order.iter().position(|o| o == r["outcome"].as_str().unwrap()).unwrap());
    }
    let limit: usize = env::var("BENCH_ANSWERS").ok().and_then(|s| s.parse().ok()).unwrap_or(usize::MAX);
    let answers = fs::read_to_string(format!("{dir}/answers.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .take(limit)
        .map(|l| ParsedData::from_json(l).unwrap())
        .collect();
    Screening { engine, logics, ids, rank, order, answers }
}

fn screen_check(dir: &str) {
    let s = load_screening(dir);
    let mut session = s.engine.session();
    for a in &s.answers {
        let mut fired = Vec::new();
        let mut strictest = s.order.len();
        for (r, logic) in s.logics.iter().enumerate() {
            let t = {
                let v = session.eval_borrowed(logic, a).unwrap();
                s.engine.truthy(v)
            };
            if t {
                fired.push(s.ids[r].as_str());
                strictest = strictest.min(s.rank[r]);
            }
        }
        session.reset();
        let outcome = if strictest < s.order.len() { s.order[strictest].as_str() } else { "eligible" };
        println!("{}|{}", fired.join(","), outcome);
    }
}

fn screen_time(dir: &str) {
    let s = load_screening(dir);
    let mut session = s.engine.session();
    let mut fired: Vec<usize> = Vec::with_capacity(s.logics.len());
    let ns = time_ns(s.answers.len(), || {
        let mut n = 0usize;
        for a in &s.answers {
            fired.clear();
            let mut strictest = s.order.len();
            for (r, logic) in s.logics.iter().enumerate() {
                let t = {
                    let v = session.eval_borrowed(logic, a).unwrap();
                    s.engine.truthy(v)
                };
                if t {
                    fired.push(r);
                    strictest = strictest.min(s.rank[r]);
                }
            }
            session.reset();
            n += strictest + fired.len();
        }
        n
    });
    println!("{}", json!({"engine": "datalogic-rs", "version": engine_version(), "ns": {"plain_jsonlogic": ns},
                          "screenings": s.answers.len(), "max_rss_kb": max_rss_kb()}));
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["suite-check", tests] => suite_check(tests),
        ["suite-time", tests, idx] => suite_time(tests, idx),
        ["screen-check", dir] => screen_check(dir),
        ["screen-time", dir] => screen_time(dir),
        _ => {
            eprintln!("usage: bench-datalogic suite-check TESTS | suite-time TESTS IDX | screen-check DIR | screen-time DIR");
            std::process::exit(2);
        }
    }
}
