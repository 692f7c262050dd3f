//! The fault matrix (`tests/vectors/faults.json`) against the command: each misbehaving answer of the emulator's
//! fault injection gives the exit code of the expected kind (0 for success), a message naming the server and the
//! attempts, the number of requests reaching the server, and a bound on the time taken — as in Rust, Python, Node
//! and C.

mod common;

use std::time::{Duration, Instant};

use common::Emu;
use hostapi_emulator::{DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER};
use serde_json::Value;

fn load(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

fn requests(emu: &Emu, path: &str) -> u64 {
    common::http(&emu.url(), "GET", "/_emulator/state", "")["requests"][path].as_u64().unwrap_or(0)
}

#[test]
fn every_fault_gives_the_expected_exit_code() {
    let doc = load(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/faults.json"));
    let model = load(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/operations.json"));
    let exit_of = |kind: &str| {
        model["errors"].as_array().unwrap().iter().find(|e| e["kind"] == kind).and_then(|e| e["number"].as_i64())
    };
    let mut failures = Vec::new();
    for case in doc["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let emu = Emu::start();
        let mut settings = doc["defaults"]["settings"].as_object().cloned().unwrap();
        if let Some(own) = case["settings"].as_object() {
            settings.extend(own.clone());
        }
        let mut cmd = emu.bare();
        if case["api"] == "velneo" {
            cmd.env("VELNEO_BASE_URL", emu.emu.velneo_url())
                .env("VELNEO_EMAIL", DEMO_VELNEO_EMAIL)
                .env("VELNEO_API_KEY", DEMO_VELNEO_API_KEY);
        } else {
            cmd.env("WEDOS_BASE_URL", emu.emu.wedos_url())
                .env("WEDOS_USER", DEMO_WEDOS_USER)
                .env("WEDOS_PASSWORD", DEMO_WEDOS_PASSWORD);
        }
        for arg in case["cli"].as_array().unwrap() {
            cmd.arg(arg.as_str().unwrap());
        }
        for (k, v) in &settings {
            cmd.arg(format!("--{}", k.replace('_', "-"))).arg(v.to_string());
        }
        let expect = &case["expect"];
        let path = expect["path"].as_str().unwrap();
        emu.control("/_emulator/faults", &case["fault"].to_string());
        let before = requests(&emu, path);
        let started = Instant::now();
        let out = cmd.timeout(Duration::from_secs(60)).output().expect("run hostapi");
        let took = started.elapsed();
        let sent = requests(&emu, path) - before;
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let mut problems = Vec::new();
        let want_code = match expect["kind"].as_str() {
            None => 0,
            Some(k) => exit_of(k).expect("a kind of the model"),
        };
        if out.status.code().map(i64::from) != Some(want_code) {
            problems.push(format!("exit {:?} instead of {want_code}: {stderr}", out.status.code()));
        }
        if matches!(expect["kind"].as_str(), Some("Transport" | "Timeout")) {
            let host = emu.url().trim_start_matches("http://").to_owned();
            if !stderr.contains(&host) || !stderr.contains("attempt") {
                problems.push(format!("the message names neither {host} nor the attempts: {stderr}"));
            }
        }
        if expect["may_have_applied"] == true && !stderr.contains("may have been applied") {
            problems.push(format!("the message does not say the write may have been applied: {stderr}"));
        }
        if let Some(after) = expect["retry_after"].as_u64() {
            if !stderr.contains(&format!("{after}")) {
                problems.push(format!("the message does not say when to retry ({after} s): {stderr}"));
            }
        }
        // The login of each new process goes to /v1/session, so it is not counted on the faulted path.
        let want = expect["cli_requests"].as_u64().or_else(|| expect["requests"].as_u64()).unwrap();
        if sent != want {
            problems.push(format!("{sent} requests reached {path} instead of {want}"));
        }
        // A process start and a login on top of the call itself.
        let bound = Duration::from_secs_f64(expect["max_secs"].as_f64().unwrap() + 2.0);
        if took >= bound {
            problems.push(format!("took {took:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}", problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "fault matrix:\n{}", failures.join("\n"));
}
