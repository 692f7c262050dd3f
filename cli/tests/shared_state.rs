//! The WEDOS account state shared by separate `hostapi` processes: the guard, the invalid-request count and the
//! notification spool (issue: never get the IP blocked, never lose a notification).

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use hostapi_emulator::DEMO_WEDOS_USER;
use serde_json::{json, Value};

fn state_of(emu: &Emu) -> Value {
    http(&emu.url(), "GET", "/_emulator/state", "")
}

fn codes(emu: &Emu) -> Value {
    state_of(emu)["wedos"][DEMO_WEDOS_USER]["codes"].clone()
}

fn count(emu: &Emu, code: u32) -> u64 {
    codes(emu)[code.to_string()].as_u64().unwrap_or(0)
}

fn blocked(emu: &Emu) -> bool {
    state_of(emu)["wedos_ips"].as_object().is_some_and(|ips| ips.values().any(|r| r["blocked"] == true))
}

#[test]
fn fifteen_runs_with_a_wrong_password_never_get_the_ip_blocked() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let mut local_refusals = 0;
    for i in 0..15 {
        let out = emu
            .wedos()
            .env("HOSTAPI_STATE_DIR", dir.path())
            .env("WEDOS_PASSWORD", "wrong")
            .arg("ping")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4), "run {i}: authentication");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("wrong"), "no secret in the message: {err}");
        if err.contains("not sent") {
            local_refusals += 1;
            assert!(err.contains("hostapi wedos guard reset"), "names how to clear the stop: {err}");
            assert!(err.contains("authentication/IP failures in a row"), "names the stop: {err}");
        }
    }
    let failures = count(&emu, 2050);
    assert!(failures <= 10, "{failures} invalid requests reached the server");
    assert_eq!(failures, 3, "the guard stops after max_auth_failures (3)");
    assert_eq!(local_refusals, 12);
    assert!(!blocked(&emu), "the IP was never blocked");
    assert_eq!(count(&emu, 2052), 0);

    // The right password is refused too until the guard is reset: the stop is the account's, not the password's.
    let out = emu.wedos().env("HOSTAPI_STATE_DIR", dir.path()).arg("ping").output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let status = json_of(emu.wedos().env("HOSTAPI_STATE_DIR", dir.path()).args(["guard", "status"]));
    assert_eq!(status["auth_failures"], 3);
    assert_eq!(status["stopped"]["code"], 2050);
    stdout_of(emu.wedos().env("HOSTAPI_STATE_DIR", dir.path()).args(["guard", "reset"]));
    stdout_of(emu.wedos().env("HOSTAPI_STATE_DIR", dir.path()).arg("ping"));
    assert_eq!(count(&emu, 1000), 1);
}

#[test]
fn invalid_input_stops_before_the_eleventh_invalid_request() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let mut refused = Vec::new();
    for _ in 0..14 {
        let out = emu
            .wedos()
            .env("HOSTAPI_STATE_DIR", dir.path())
            .args(["dns", "add", "example.cz", "--name", "x", "--type", "A", "--rdata", "not-an-ip"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        if err.contains("not sent") {
            assert_eq!(out.status.code(), Some(6), "a local refusal is RateLimited: {err}");
            refused.push(err);
        } else {
            assert_eq!(out.status.code(), Some(7), "the server's 2314: {err}");
        }
    }
    assert_eq!(count(&emu, 2314), 10, "at most 10 invalid requests reach the server");
    assert_eq!(count(&emu, 2052), 0);
    assert!(!blocked(&emu));
    assert_eq!(refused.len(), 4);
    assert!(refused[0].contains("10 invalid requests within the hour (10 bad input"), "the real cause: {}", refused[0]);
    assert!(refused[0].contains("dns-row-add 2314"), "{}", refused[0]);
    assert!(!refused[0].contains("password"), "bad input is not blamed on the password: {}", refused[0]);
}

/// `hostapi wedos ARGS` with the demo account, running in the background (stdout piped).
fn spawn_wedos(emu: &Emu, state_dir: &std::ffi::OsStr, args: &[&str], stderr: Stdio) -> std::process::Child {
    std::process::Command::new(BIN)
        .env("HOSTAPI_STATE_DIR", state_dir)
        .env("WEDOS_BASE_URL", emu.emu.wedos_url())
        .env("WEDOS_USER", DEMO_WEDOS_USER)
        .env("WEDOS_PASSWORD", hostapi_emulator::DEMO_WEDOS_PASSWORD)
        .arg("wedos")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

fn wedos_json_lines(emu: &Emu, dir: &std::path::Path, args: &[&str]) -> Vec<Value> {
    let out = stdout_of(emu.wedos().env("HOSTAPI_STATE_DIR", dir).args(args).arg("--json"));
    out.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn concurrent_waits_each_get_their_own_result_and_nothing_is_lost() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    // The scenario that lost a notification: an earlier request's result sits ahead in the queue.
    let first = json_of(emu.wedos().env("HOSTAPI_STATE_DIR", dir.path()).arg("ping-async"));
    std::thread::sleep(Duration::from_millis(800));
    let spawn = || spawn_wedos(&emu, dir.path().as_os_str(), &["ping-async", "--wait", "20", "--json"], Stdio::piped());
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success(), "{a:?}\n{b:?}");
    let na: Value = serde_json::from_slice(&a.stdout).unwrap();
    let nb: Value = serde_json::from_slice(&b.stdout).unwrap();
    assert_ne!(na["svtrid"], nb["svtrid"], "each waiter got its own result");
    // The third reader gets the first request's notification, once.
    let rest = wedos_json_lines(&emu, dir.path(), &["notifications", "watch", "--once"]);
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert_eq!(rest[0]["svtrid"], first["svtrid"]);
    assert!(wedos_json_lines(&emu, dir.path(), &["notifications", "watch", "--once"]).is_empty());
    let ids: std::collections::BTreeSet<String> =
        [&na["id"], &nb["id"], &rest[0]["id"]].iter().map(|v| v.to_string()).collect();
    assert_eq!(ids.len(), 3, "three distinct notifications, each handed out once");
}

#[test]
fn a_reader_killed_after_taking_a_notification_leaves_it_to_the_next() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    emu.control(
        "/_emulator/wedos/notifications",
        &json!({"user": DEMO_WEDOS_USER, "notify": {"ID": 77, "code": 1000, "result": "OK", "command": "domain-create",
            "svTRID": "sv-77"}})
        .to_string(),
    );
    // Every request takes 1.5 s: the reader is killed while it acknowledges (after spooling).
    emu.control("/_emulator/faults", &json!({"path": "/wapi/json", "delay_ms": 1500, "times": 2}).to_string());
    let mut reader =
        spawn_wedos(&emu, dir.path().as_os_str(), &["notifications", "watch", "--once", "--json"], Stdio::null());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let spooled = std::fs::read_dir(dir.path()).unwrap().flatten().any(|e| {
            e.file_name().to_string_lossy().ends_with(".json")
                && std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("sv-77"))
        });
        if spooled {
            break;
        }
        assert!(Instant::now() < deadline, "the reader never spooled the notification");
        std::thread::sleep(Duration::from_millis(20));
    }
    reader.kill().unwrap(); // SIGKILL
    let out = reader.wait_with_output().unwrap();
    assert!(out.stdout.is_empty(), "killed before printing");
    let next = wedos_json_lines(&emu, dir.path(), &["notifications", "watch", "--once"]);
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0]["id"], "77");
    assert!(wedos_json_lines(&emu, dir.path(), &["notifications", "watch", "--once"]).is_empty(), "handed out once");
    assert_eq!(state_of(&emu)["wedos"][DEMO_WEDOS_USER]["queue"], json!([]));
}

#[test]
fn webhook_delivery_to_notifications_serve_with_redelivery() {
    let emu = Emu::start();
    // A port that is free now.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let args = ["notifications", "serve", "--port", &port.to_string(), "--count", "1", "--json"];
    let serve = spawn_wedos(&emu, std::ffi::OsStr::new(":memory:"), &args, Stdio::piped());
    // Until serve listens, deliveries fail (no answer) and are repeated every 200 ms.
    emu.control(
        "/_emulator/wedos/notification-url",
        &json!({"user": DEMO_WEDOS_USER, "url": format!("http://127.0.0.1:{port}/wedos"), "retry_secs": 0.2})
            .to_string(),
    );
    let p = json_of(emu.wedos().arg("ping-async"));
    let out = serve.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let n: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(n["svtrid"], p["svtrid"]);
    assert_eq!(n["command"], "ping-async");
    let deliveries = state_of(&emu)["wedos"][DEMO_WEDOS_USER]["deliveries"].clone();
    assert_eq!(deliveries[0]["delivered"], true, "{deliveries}");
    assert_eq!(state_of(&emu)["wedos"][DEMO_WEDOS_USER]["queue"], json!([]), "not on the POLL queue");
}

/// A webhook handler that answers 500 to the first delivery and 200 to the next: the notification comes again.
#[test]
fn a_handler_answering_500_gets_the_notification_again() {
    use std::io::{BufRead, BufReader, Read, Write};
    let emu = Emu::start();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handler = std::thread::spawn(move || {
        let mut bodies = Vec::new();
        for status in ["500 Internal Server Error", "200 OK"] {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            bodies.push(body);
            write!(&stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
        }
        bodies
    });
    emu.control(
        "/_emulator/wedos/notification-url",
        &json!({"user": DEMO_WEDOS_USER, "url": format!("http://127.0.0.1:{port}/"), "retry_secs": 0.2}).to_string(),
    );
    let p = json_of(emu.wedos().arg("ping-async"));
    let bodies = handler.join().unwrap();
    for body in &bodies {
        let n = hostapi::wedos::protocol::parse_notification(body).expect("a WAPI notification form");
        assert_eq!(Some(n.svtrid.clone().unwrap_or_default()), p["svtrid"].as_str().map(str::to_owned));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let d = state_of(&emu)["wedos"][DEMO_WEDOS_USER]["deliveries"][0].clone();
        if d["delivered"] == true {
            assert_eq!(d["attempts"], 2, "{d}");
            assert_eq!(d["statuses"], json!([500, 200]), "{d}");
            break;
        }
        assert!(Instant::now() < deadline, "never delivered: {d}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
