//! The transport findings of a misbehaving-server probe, each reproduced against the emulator and shown fixed:
//! login storms, duplicate writes after a lost answer, whole-transfer deadlines on downloads, unbounded answers,
//! and error kinds and messages. (The fault matrix in `fault_matrix.rs` covers every kind of misbehaviour once.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hostapi::velneo::{self, Backup, InstanceKey, InstanceKind, InstanceSpec};
use hostapi::wedos::{self, NewDnsRow};
use hostapi::ErrorKind;
use hostapi_emulator::{
    Emulator, EmulatorConfig, DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER,
};
use serde_json::{json, Value};

async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default()).await.expect("emulator starts")
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

fn velneo_client(emu: &Emulator, key: &str, timeout: f64, retries: u32) -> velneo::Client {
    velneo::ClientBuilder::from_options(&json!({
        "email": DEMO_VELNEO_EMAIL, "api_key": key, "base_url": emu.velneo_url(),
        "timeout": timeout, "retries": retries, "backoff": [0.01, 0.05],
    }))
    .unwrap()
    .build()
    .unwrap()
}

fn wedos_client(emu: &Emulator) -> wedos::Client {
    wedos::ClientBuilder::from_options(&json!({
        "user": DEMO_WEDOS_USER, "password": DEMO_WEDOS_PASSWORD, "base_url": emu.wedos_url(),
        "state_dir": ":memory:", "timeout": 2.0, "backoff": [0.01, 0.05],
    }))
    .unwrap()
    .build()
    .unwrap()
}

// ---- 1. login storms ------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_calls_waiting_on_a_silent_login_fail_together_within_one_timeout() {
    let emu = emulator().await;
    control(
        &emu,
        "POST",
        "faults",
        json!({"path": "/v1/session", "delay_ms": 10_000, "action": "reset", "times": 100}),
    )
    .await;
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 1.0, 0);
    let started = Instant::now();
    let calls: Vec<_> = (0..20).map(|_| c.vserver().status()).collect();
    let results = futures_util::future::join_all(calls).await;
    let took = started.elapsed();
    for r in &results {
        let e = r.as_ref().expect_err("a silent server");
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    }
    // One login was sent; every waiter got its outcome, instead of each trying again for another second.
    assert_eq!(requests(&emu, "/v1/session").await, 1);
    assert!(took < Duration::from_secs(3), "took {took:?} (20 serial logins would take 20 s)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_calls_against_a_failing_login_send_one_login_with_its_retries() {
    let emu = emulator().await;
    control(&emu, "POST", "faults", json!({"path": "/v1/session", "status": 500, "times": 1000})).await;
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 2.0, 2);
    let results = futures_util::future::join_all((0..50).map(|_| c.vserver().status())).await;
    for r in &results {
        let e = r.as_ref().expect_err("a failing server");
        assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
        assert_eq!(e.http_status(), Some(500));
    }
    assert_eq!(requests(&emu, "/v1/session").await, 3, "one login: 1 attempt + 2 retries (not 150)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_calls_with_a_wrong_key_send_one_login() {
    let emu = emulator().await;
    let c = velneo_client(&emu, "wrong-key-wrong-key-0000", 2.0, 2);
    let results = futures_util::future::join_all((0..50).map(|_| c.vserver().status())).await;
    for r in &results {
        assert_eq!(r.as_ref().expect_err("a wrong key").kind(), ErrorKind::Authentication);
    }
    assert_eq!(requests(&emu, "/v1/session").await, 1, "one login, its refusal shared (not 50)");
    // A later call tries again (the key may have been fixed meanwhile on the server side).
    assert!(c.vserver().status().await.is_err());
    assert_eq!(requests(&emu, "/v1/session").await, 2);
}

// ---- 2. duplicate writes ----------------------------------------------------------------------------------------

#[tokio::test]
async fn a_row_added_then_answered_502_is_reconciled_not_duplicated() {
    let emu = emulator().await;
    let c = wedos_client(&emu);
    control(&emu, "POST", "faults", json!({"path": "/wapi/json", "status": 502, "apply": true, "times": 1})).await;
    let row = NewDnsRow::new("example.cz", "dup", "A", "192.0.2.10");
    let answer = c.dns().add_row(row).await.expect("no false error after a lost answer");
    assert_eq!(answer.code, 1000);
    let rows = c.dns().rows("example.cz").await.unwrap();
    assert_eq!(rows.iter().filter(|r| r.name == "dup").count(), 1, "exactly one row");
}

#[tokio::test]
async fn an_app_instance_put_then_answered_502_is_reconciled() {
    let emu = emulator().await;
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 2.0, 2);
    c.login().await.unwrap();
    control(&emu, "POST", "faults", json!({"path": "/v1/instance", "status": 502, "apply": true, "times": 1})).await;
    let created = c.app_instances().put(InstanceSpec::new("dupapp", "p", "s", "datos")).await;
    assert!(created.is_ok(), "no false \"already exists\": {created:?}");
    let list = c.app_instances().list().await.unwrap();
    assert_eq!(list.iter().filter(|i| i.name == "dupapp").count(), 1);
    assert!(c.app_instances().get(InstanceKey::Name("dupapp".into())).await.is_ok());
    let _ = InstanceKind::App;
}

#[tokio::test]
async fn a_write_that_cannot_be_reconciled_is_not_sent_twice_and_says_so() {
    let emu = emulator().await;
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 2.0, 2);
    c.login().await.unwrap();
    control(&emu, "POST", "faults", json!({"path": "/v1/vserver", "status": 503, "apply": true, "times": 1})).await;
    let e = c.vserver().backup().await.expect_err("503");
    assert!(e.may_have_applied(), "{e}");
    assert!(e.to_string().contains("may have been applied"), "{e}");
    assert_eq!(requests(&emu, "/v1/vserver").await, 1, "a backup is not started twice");
    // A read on the same path is retried as before.
    control(&emu, "POST", "faults", json!({"path": "/v1/vserver", "status": 503, "times": 2})).await;
    assert!(c.vserver().status().await.is_ok());
}

#[tokio::test]
async fn a_delete_applied_then_answered_502_succeeds_on_its_retry() {
    let emu = emulator().await;
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 2.0, 2);
    c.groups().put(velneo::GroupSpec { name: "gone".into(), ..Default::default() }).await.unwrap();
    control(&emu, "POST", "faults", json!({"path": "/v1/group", "status": 502, "apply": true, "times": 1})).await;
    let deleted = c.groups().delete("gone").await;
    assert!(deleted.is_ok(), "no false \"does not exist\" after a lost answer: {deleted:?}");
    assert!(c.groups().get("gone").await.is_err());
    // delete (applied, 502), its retry ("does not exist"), the read that confirms it.
    assert_eq!(requests(&emu, "/v1/group").await, 5, "put, delete, retry, confirming get, final get");
}

#[tokio::test]
async fn a_delete_refused_for_another_reason_after_a_lost_answer_stays_an_error() {
    let emu = emulator().await;
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 2.0, 2);
    c.login().await.unwrap();
    // The group is in use: the first attempt is refused (but answered 502), the retry refused again, and the
    // group is still there — the refusal stands.
    control(&emu, "POST", "faults", json!({"path": "/v1/group", "status": 502, "apply": true, "times": 1})).await;
    let e = c.groups().delete("Administradores").await.expect_err("in use");
    assert_eq!(e.kind(), ErrorKind::Api, "{e}");
    assert!(e.to_string().contains("cannot be deleted"), "{e}");
    assert!(c.groups().get("Administradores").await.is_ok());
}

#[tokio::test]
async fn a_wrong_typed_status_code_is_a_protocol_error_not_a_success() {
    let emu = emulator().await;
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 2.0, 0);
    c.login().await.unwrap();
    for body in [r#"{"status_code": "forbidden"}"#, r#"{"status_code": [403], "message": "no"}"#] {
        control(&emu, "POST", "faults", json!({"path": "/v1/group", "status": 200, "body": body, "times": 1})).await;
        let e = c.groups().delete("x").await.expect_err(body);
        assert_eq!(e.kind(), ErrorKind::Protocol, "{body}: {e}");
    }
}

#[tokio::test]
async fn download_refusals_are_typed_and_name_the_server() {
    let emu = emulator().await;
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 2.0, 2);
    let backup = c.vserver().backup().await.unwrap();
    let path = format!("/_emulator/{}", backup.url.split("/_emulator/").nth(1).unwrap());
    let host = emu.url().trim_start_matches("http://").to_owned();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.zip");
    let cases = [
        (json!({"path": path, "status": 503, "body": "<html>busy</html>", "times": 1}), ErrorKind::Transport),
        (json!({"path": path, "status": 429, "headers": {"Retry-After": "7"}, "times": 1}), ErrorKind::RateLimited),
        (json!({"path": path, "status": 404, "times": 1}), ErrorKind::Api),
    ];
    for (fault, kind) in cases {
        control(&emu, "POST", "faults", fault.clone()).await;
        let e = c.vserver().download_backup_to(&backup, &file).await.expect_err("refused");
        assert_eq!(e.kind(), kind, "{fault}: {e}");
        assert_eq!(e.http_status(), fault["status"].as_u64().map(|s| s as u16), "{e}");
        assert!(e.to_string().contains(&host), "names host:port: {e}");
        if kind == ErrorKind::RateLimited {
            assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        }
        assert!(!file.exists());
    }
}

// ---- 3. downloads -------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_download_longer_than_the_timeout_completes_with_progress() {
    let emu = emulator().await;
    // 1 s per attempt; the download takes about 5 s at 1 MB/s, never silent for more than 0.1 s.
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 1.0, 0);
    let backup = c.vserver().backup().await.unwrap();
    let path = backup.url.split_once("/_emulator/").map(|(_, p)| format!("/_emulator/{p}")).unwrap();
    let size = 5_000_000u64;
    control(
        &emu,
        "POST",
        "faults",
        json!({"path": path, "action": "drip", "size": size, "drip_bytes": 100_000, "drip_interval_ms": 100}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.zip");
    let reports: Arc<Mutex<Vec<(u64, Option<u64>)>>> = Arc::default();
    let seen = reports.clone();
    let progress: hostapi::ops::Progress = Arc::new(move |received, total| {
        seen.lock().unwrap().push((received, total));
        true
    });
    let started = Instant::now();
    let n = c.vserver().download_backup_to_with_progress(&backup, &file, Some(progress)).await.expect("completes");
    let took = started.elapsed();
    assert_eq!(n, size);
    assert_eq!(std::fs::metadata(&file).unwrap().len(), size);
    assert!(took > Duration::from_secs(3), "the download really was slow: {took:?}");
    let reports = reports.lock().unwrap();
    assert!(reports.len() >= 10, "{} progress reports", reports.len());
    assert!(reports.windows(2).all(|w| w[0].0 <= w[1].0), "monotonic");
    assert_eq!(reports.last(), Some(&(size, Some(size))));
}

#[tokio::test]
async fn a_download_silent_for_longer_than_the_timeout_fails_and_leaves_no_file() {
    let emu = emulator().await;
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 0.5, 0);
    let backup = c.vserver().backup().await.unwrap();
    let path = backup.url.split_once("/_emulator/").map(|(_, p)| format!("/_emulator/{p}")).unwrap();
    control(&emu, "POST", "faults", json!({"path": path, "delay_ms": 3000})).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.zip");
    let e = c.vserver().download_backup_to(&backup, &file).await.expect_err("silent");
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.message().contains("silent for 0.5s"), "{e}");
    assert!(!file.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no partial file is left");
}

#[tokio::test]
async fn a_progress_callback_can_stop_a_download() {
    let emu = emulator().await;
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 2.0, 0);
    let backup: Backup = c.vserver().backup().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.zip");
    let calls = Arc::new(AtomicU64::new(0));
    let counted = calls.clone();
    let stop: hostapi::ops::Progress = Arc::new(move |_, _| {
        counted.fetch_add(1, Ordering::SeqCst);
        false
    });
    let e = c.vserver().download_backup_to_with_progress(&backup, &file, Some(stop)).await.expect_err("stopped");
    assert!(e.message().contains("stopped by the progress callback"), "{e}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(!file.exists());
}

// ---- 4. bounded answers ---------------------------------------------------------------------------------------------

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mb_answer_is_refused_without_reading_it() {
    let emu = emulator().await;
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 10.0, 0);
    c.login().await.unwrap();
    for chunked in [false, true] {
        control(
            &emu,
            "POST",
            "faults",
            json!({"path": "/v1/vserver", "action": "oversize", "size": 100_000_000, "chunked": chunked}),
        )
        .await;
        let before = rss_bytes();
        let e = c.vserver().status().await.expect_err("too large");
        let grown = rss_bytes().saturating_sub(before);
        assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
        assert!(e.message().contains("max_response_bytes"), "{e}");
        println!("100 MB answer (chunked: {chunked}) refused; RSS grew by {} KiB", grown / 1024);
        assert!(grown < 20 * 1024 * 1024, "RSS grew by {grown} bytes");
    }
    // A smaller limit is honoured too, and an answer under it passes.
    let small = velneo::ClientBuilder::from_options(&json!({
        "email": DEMO_VELNEO_EMAIL, "api_key": DEMO_VELNEO_API_KEY, "base_url": emu.velneo_url(),
        "max_response_bytes": 4096,
    }))
    .unwrap()
    .build()
    .unwrap();
    assert!(small.vserver().status().await.is_ok());
    control(&emu, "POST", "faults", json!({"path": "/v1/vserver", "action": "oversize", "size": 5000})).await;
    assert_eq!(small.vserver().status().await.unwrap_err().kind(), ErrorKind::Protocol);
}

// ---- 5. error kinds and messages ------------------------------------------------------------------------------------

#[tokio::test]
async fn tls_to_a_plain_http_server_is_explained_in_plain_words() {
    let emu = emulator().await;
    let https = emu.velneo_url().replace("http://", "https://");
    let c = velneo::ClientBuilder::from_options(&json!({
        "email": DEMO_VELNEO_EMAIL, "api_key": DEMO_VELNEO_API_KEY, "base_url": https, "retries": 0,
    }))
    .unwrap()
    .build()
    .unwrap();
    let e = c.vserver().status().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    let host = emu.url().trim_start_matches("http://").to_owned();
    assert!(e.message().contains(&format!("TLS with {host} failed")), "{e}");
    assert!(e.message().contains("did not answer in TLS"), "{e}");
    assert!(!e.message().contains("InvalidContentType"), "{e}");
}

#[tokio::test]
async fn a_refused_connection_names_host_port_and_attempts() {
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let c = velneo::ClientBuilder::from_options(&json!({
        "email": DEMO_VELNEO_EMAIL, "api_key": DEMO_VELNEO_API_KEY,
        "base_url": format!("http://127.0.0.1:{port}/v1"), "retries": 1, "backoff": [0.01, 0.02],
    }))
    .unwrap()
    .build()
    .unwrap();
    let e = c.vserver().status().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert!(e.message().contains(&format!("cannot connect to 127.0.0.1:{port}")), "{e}");
    assert!(e.message().contains("connection refused") && e.message().contains("(2 attempts)"), "{e}");
    assert!(!e.may_have_applied(), "a refused connection never reached the server");
}

// ---- blocking front ends ------------------------------------------------------------------------------------------

/// Two threads, each with its own current-thread runtime (as the Python and C blocking calls run), share one
/// client in turns: a connection opened on one thread's runtime must not be handed to the other, whose call
/// would then wait on a task nobody runs.
#[test]
fn threads_with_their_own_current_thread_runtimes_share_a_client() {
    let emu = Emulator::start_blocking(EmulatorConfig::default()).expect("emulator");
    let c = velneo_client(&emu, DEMO_VELNEO_API_KEY, 5.0, 0);
    let barrier = Arc::new(std::sync::Barrier::new(2));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (c, barrier) = (c.clone(), barrier.clone());
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                for _ in 0..50 {
                    // In lock step: each thread's call finds the other's idle connection in a shared pool.
                    barrier.wait();
                    rt.block_on(c.vserver().status()).expect("status");
                }
            })
        })
        .collect();
    // A hang is the failure looked for: wait for the threads with a deadline instead of joining blindly.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let ok = threads.into_iter().all(|t| t.join().is_ok());
        let _ = done.send(ok);
    });
    match finished.recv_timeout(Duration::from_secs(60)) {
        Ok(ok) => assert!(ok, "a thread's call failed"),
        Err(_) => panic!("calls from two current-thread runtimes sharing a client hung"),
    }
}
