//! The fault matrix (`tests/vectors/faults.json`) against the Rust core: each misbehaving answer of the emulator's
//! fault injection → the expected error kind (or success), HTTP status, `Retry-After`, `may_have_applied`, the
//! number of requests that reached the server, and a bound on the time taken. Python, Node, C and the command run
//! the same file.

use std::time::{Duration, Instant};

use hostapi::wedos::protocol::RequestOptions;
use hostapi::{velneo, wedos, ErrorKind};
use hostapi_emulator::{
    Emulator, EmulatorConfig, DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER,
};
use serde_json::{json, Value};

fn vector() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/faults.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("faults.json")).expect("faults.json is JSON")
}

async fn control(emu: &Emulator, method: &str, path: &str, body: Value) -> Value {
    let http = reqwest::Client::new();
    let url = format!("{}/_emulator/{path}", emu.url());
    let rb = if method == "GET" { http.get(url) } else { http.post(url).json(&body) };
    let resp = rb.send().await.expect("control call");
    assert!(resp.status().is_success(), "control {path}: HTTP {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

async fn requests(emu: &Emulator, path: &str) -> u64 {
    control(emu, "GET", "state", Value::Null).await["requests"][path].as_u64().unwrap_or(0)
}

fn settings(doc: &Value, case: &Value) -> serde_json::Map<String, Value> {
    let mut s = doc["defaults"]["settings"].as_object().cloned().unwrap_or_default();
    if let Some(own) = case["settings"].as_object() {
        s.extend(own.clone());
    }
    s
}

fn kind_name(k: ErrorKind) -> &'static str {
    k.as_str()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_gives_the_expected_outcome() {
    let doc = vector();
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 15, "the matrix covers the findings");
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
        let mut options = settings(&doc, case);
        let op = case["operation"].as_str().unwrap();
        let args = &case["args"];
        let path = case["expect"]["path"].as_str().unwrap();
        let outcome: Result<Value, hostapi::Error>;
        let started;
        let before;
        match case["api"].as_str().unwrap() {
            "velneo" => {
                options.insert("email".into(), json!(DEMO_VELNEO_EMAIL));
                options.insert("api_key".into(), json!(DEMO_VELNEO_API_KEY));
                options.insert("base_url".into(), json!(emu.velneo_url()));
                let c = velneo::ClientBuilder::from_options(&Value::Object(options)).unwrap().build().unwrap();
                c.login().await.unwrap();
                control(&emu, "POST", "faults", case["fault"].clone()).await;
                before = requests(&emu, path).await;
                started = Instant::now();
                outcome = c.call_json(op, args).await;
            }
            _ => {
                options.insert("user".into(), json!(DEMO_WEDOS_USER));
                options.insert("password".into(), json!(DEMO_WEDOS_PASSWORD));
                options.insert("base_url".into(), json!(emu.wedos_url()));
                options.insert("state_dir".into(), json!(":memory:"));
                let c = wedos::ClientBuilder::from_options(&Value::Object(options)).unwrap().build().unwrap();
                control(&emu, "POST", "faults", case["fault"].clone()).await;
                before = requests(&emu, path).await;
                started = Instant::now();
                outcome = c.call_json(op, args, &RequestOptions::default()).await;
            }
        }
        let took = started.elapsed();
        // Let a delayed fault finish before counting (its request was counted on arrival anyway).
        let sent = requests(&emu, path).await - before;
        let expect = &case["expect"];
        let mut problems = Vec::new();
        match (&outcome, expect["kind"].as_str()) {
            (Ok(_), None) => {}
            (Ok(v), Some(k)) => problems.push(format!("succeeded ({v}) instead of {k}")),
            (Err(e), None) => problems.push(format!("failed: {e}")),
            (Err(e), Some(k)) => {
                if kind_name(e.kind()) != k {
                    problems.push(format!("kind {} instead of {k}: {e}", kind_name(e.kind())));
                }
                if let Some(status) = expect["http_status"].as_u64() {
                    if e.http_status().map(u64::from) != Some(status) {
                        problems.push(format!("http_status {:?} instead of {status}", e.http_status()));
                    }
                }
                if let Some(after) = expect["retry_after"].as_f64() {
                    if e.retry_after() != Some(Duration::from_secs_f64(after)) {
                        problems.push(format!("retry_after {:?} instead of {after}", e.retry_after()));
                    }
                }
                let may = expect["may_have_applied"].as_bool().unwrap_or(false);
                if e.may_have_applied() != may {
                    problems.push(format!("may_have_applied {} instead of {may}", e.may_have_applied()));
                }
                // Every transport-level message names the server and the attempts.
                if matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout) {
                    let host = emu.url().trim_start_matches("http://").to_owned();
                    if !e.message().contains(&host) || !e.message().contains("attempt") {
                        problems.push(format!("the message names neither {host} nor the attempts: {e}"));
                    }
                }
            }
        }
        let want = expect["requests"].as_u64().unwrap();
        if sent != want {
            problems.push(format!("{sent} requests reached {path} instead of {want}"));
        }
        let bound = Duration::from_secs_f64(expect["max_secs"].as_f64().unwrap());
        if took >= bound {
            problems.push(format!("took {took:?}, bound {bound:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}", problems.join("; ")));
        }
        emu.stop().await;
    }
    assert!(failures.is_empty(), "fault matrix:\n{}", failures.join("\n"));
}
