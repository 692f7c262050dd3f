//! The emulator's own limits: header, body and idle timeouts; caps on faults and notification queues; the
//! state file written only when needed, and its stale temporary files removed at start.

mod common;

use std::time::{Duration, Instant};

use common::Api;
use hostapi_emulator::{Emulator, EmulatorConfig, DEMO_WEDOS_USER};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn quick_timeouts() -> EmulatorConfig {
    EmulatorConfig { header_timeout_secs: 1.0, body_timeout_secs: 1.0, ..EmulatorConfig::default() }
}

/// The soft limit on open files: the test opens about two descriptors per connection (both ends live here).
fn open_file_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|t| {
            t.lines().find(|l| l.starts_with("Max open files")).and_then(|l| l.split_whitespace().nth(3)?.parse().ok())
        })
        .unwrap_or(1024)
}

/// Whether the server closed `s` within `within` (EOF or a reset), reading and discarding what it sent.
async fn closed_by_server(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 512];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slowloris_connections_are_closed_while_health_answers() {
    let api = Api::start_with(quick_timeouts()).await;
    let addr = api.emu.addr();
    let idle_count = 5000.min(open_file_limit().saturating_sub(1000) / 2 - 200);
    let mut idle = Vec::with_capacity(idle_count);
    for _ in 0..idle_count {
        idle.push(TcpStream::connect(addr).await.expect("connect"));
    }
    // Slowloris: a request head sent a byte at a time, never finished.
    let mut slow = Vec::new();
    for _ in 0..200 {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.expect("write");
        slow.push(s);
    }
    let drip = tokio::spawn(async move {
        for _ in 0..8 {
            for s in &mut slow {
                let _ = s.write_all(b"a").await;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        slow
    });
    // Meanwhile, the health check answers (a functional bound; the latency figure is printed, and measured by
    // `make bench`).
    let mut worst = Duration::ZERO;
    for _ in 0..20 {
        let t = Instant::now();
        let resp = tokio::time::timeout(
            Duration::from_secs(5),
            api.http.get(format!("{}/_emulator/health", api.emu.url())).send(),
        )
        .await
        .expect("health answers while the connections are held")
        .expect("health");
        assert_eq!(resp.status().as_u16(), 200);
        worst = worst.max(t.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("health with {idle_count} idle and 200 slowloris connections: slowest of 20 = {worst:?}");
    // Every one of them is closed by the server after the header timeout (1 s here).
    let mut slow = drip.await.expect("drip");
    let mut still_open = 0;
    for s in idle.iter_mut().chain(slow.iter_mut()) {
        if !closed_by_server(s, Duration::from_secs(5)).await {
            still_open += 1;
        }
    }
    assert_eq!(still_open, 0, "connections the server did not close");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let api = Api::start_with(quick_timeouts()).await;
    let mut s = TcpStream::connect(api.emu.addr()).await.unwrap();
    s.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let t = Instant::now();
    assert!(closed_by_server(&mut s, Duration::from_secs(5)).await, "the idle keep-alive connection stays open");
    println!("idle keep-alive connection closed after {:?}", t.elapsed());
}

#[tokio::test]
async fn a_body_that_does_not_arrive_is_answered_408() {
    let api = Api::start_with(quick_timeouts()).await;
    for path in ["/v1/vserver", "/wapi/json", "/_emulator/faults"] {
        let mut s = TcpStream::connect(api.emu.addr()).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nmethod=GET"
        );
        s.write_all(head.as_bytes()).await.unwrap();
        let mut text = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut text)).await;
        assert!(read.is_ok(), "{path}: the connection is closed after the body timeout");
        let text = String::from_utf8_lossy(&text);
        assert!(text.starts_with("HTTP/1.1 408"), "{path}: {text}");
    }
}

#[tokio::test]
async fn faults_are_capped() {
    let api = Api::start_with(EmulatorConfig { max_faults: 3, ..EmulatorConfig::default() }).await;
    let url = format!("{}/_emulator/faults", api.emu.url());
    for _ in 0..3 {
        let r = api.http.post(&url).json(&json!({"path": "/v1/vserver", "status": 500})).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    let r = api.http.post(&url).json(&json!({"path": "/v1/vserver", "status": 500})).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("max_faults"), "{body}");
}

#[tokio::test]
async fn wedos_faults_are_capped_too() {
    let api = Api::start_with(EmulatorConfig { max_faults: 2, ..EmulatorConfig::default() }).await;
    let url = format!("{}/_emulator/wedos/fail", api.emu.url());
    let fail = || api.http.post(&url).json(&json!({"command": "ping", "code": 2001})).send();
    assert_eq!(fail().await.unwrap().status().as_u16(), 200);
    assert_eq!(fail().await.unwrap().status().as_u16(), 200);
    let r = fail().await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("max_faults"), "{body}");
}

#[tokio::test]
async fn ping_async_notifications_past_the_cap_are_not_kept() {
    let api = Api::start_with(EmulatorConfig { max_notifications: 3, ..EmulatorConfig::default() }).await;
    let c = hostapi::wedos::ClientBuilder::from_options(&json!({
        "user": DEMO_WEDOS_USER, "password": hostapi_emulator::DEMO_WEDOS_PASSWORD,
        "base_url": api.emu.wedos_url(), "state_dir": ":memory:", "timeout": 1.0,
    }))
    .unwrap()
    .build()
    .unwrap();
    for _ in 0..10 {
        c.ping_async().await.expect("ping-async is answered");
    }
    tokio::time::sleep(Duration::from_millis(800)).await; // past async_delay_ms
    let mut kept = 0;
    while let Some(n) = c.notifications().poll().await.unwrap() {
        c.notifications().ack(n.id.as_deref().expect("an id")).await.unwrap();
        kept += 1;
    }
    assert_eq!(kept, 3, "the queue holds max_notifications; the rest were dropped");
}

#[tokio::test]
async fn a_config_with_invalid_limits_does_not_start() {
    let config = EmulatorConfig { header_timeout_secs: -1.0, ..EmulatorConfig::default() };
    let e = Emulator::start(config).await.err().expect("refused");
    assert!(e.to_string().contains("header_timeout_secs"), "{e}");
}

#[tokio::test]
async fn the_notification_queue_is_capped() {
    let api = Api::start_with(EmulatorConfig { max_notifications: 2, ..EmulatorConfig::default() }).await;
    let url = format!("{}/_emulator/wedos/notifications", api.emu.url());
    let post = |id: u32| {
        api.http
            .post(&url)
            .json(&json!({"user": DEMO_WEDOS_USER, "notify": {"code": 1000, "ID": id.to_string()}}))
            .send()
    };
    assert_eq!(post(1).await.unwrap().status().as_u16(), 200);
    assert_eq!(post(2).await.unwrap().status().as_u16(), 200);
    let r = post(3).await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("max_notifications"), "{body}");
}

#[test]
fn invalid_limits_are_refused() {
    for text in [r#"{"header_timeout_secs": 0}"#, r#"{"body_timeout_secs": -1}"#, r#"{"max_faults": 0}"#] {
        assert!(EmulatorConfig::from_json_str(text).is_err(), "{text}");
    }
}

fn temp_dir(label: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hostapi-limits-{label}-{}-{}", std::process::id(), common::now()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn stale_temporary_state_files_are_removed_at_start() {
    let dir = temp_dir("stale");
    let path = dir.join("state.json");
    let stale = dir.join(".state.json.4242.0.tmp");
    std::fs::write(&stale, b"{half").unwrap();
    let other = dir.join("unrelated.tmp");
    std::fs::write(&other, b"keep").unwrap();
    let api = Api::start_with(EmulatorConfig { state_file: Some(path.clone()), ..EmulatorConfig::default() }).await;
    assert!(!stale.exists(), "the stale temporary file is removed");
    assert!(other.exists(), "other files are left alone");
    assert!(path.exists());
    api.emu.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn reads_do_not_rewrite_the_state_file_per_request() {
    let dir = temp_dir("reads");
    let path = dir.join("state.json");
    let mut api = Api::start_with(EmulatorConfig { state_file: Some(path.clone()), ..EmulatorConfig::default() }).await;
    api.login().await;
    let mut versions = std::collections::HashSet::new();
    for _ in 0..60 {
        let (status, _) = api.call("GET", "vserver", json!({})).await;
        assert_eq!(status, 200);
        versions.insert(std::fs::metadata(&path).unwrap().modified().unwrap());
    }
    // Counters changed by the reads are written behind, at most once a second: a few versions, not 60.
    assert!(versions.len() <= 4, "{} versions of the file for 60 reads", versions.len());
    // An acknowledged write is on disk before its answer.
    let (status, _) = api.call("PUT", "group", json!({"name": "written"})).await;
    assert_eq!(status, 200, "group put");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("written"), "the acknowledged write is in the file");
    api.emu.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
