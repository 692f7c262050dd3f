//! `hostapi wedos notifications serve` ends within two seconds of SIGINT or SIGTERM whatever it is doing: idle,
//! writing to a stdout nobody reads, or waiting for the account's lock with a notification in hand (answered 503,
//! so WEDOS delivers it again).

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use fs4::fs_std::FileExt;
use hostapi_emulator::{DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn serve(emu: &Emu, port: u16, state_dir: &str, spool: bool) -> Child {
    let mut c = Command::new(BIN);
    for v in ENV_VARS {
        c.env_remove(v);
    }
    c.env("WEDOS_BASE_URL", emu.emu.wedos_url())
        .env("WEDOS_USER", DEMO_WEDOS_USER)
        .env("WEDOS_PASSWORD", DEMO_WEDOS_PASSWORD)
        .env("HOSTAPI_STATE_DIR", state_dir)
        .args(["wedos", "notifications", "serve", "--port", &port.to_string()]);
    if spool {
        c.arg("--spool");
    }
    // stdout is a pipe nobody reads.
    let child = c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "serve did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// POSTs a notification with `pad` bytes of data; returns the answer's status line (or the error).
fn post(port: u16, id: u32, pad: usize) -> String {
    let notify = serde_json::json!({"notify": {
        "ID": id.to_string(), "code": 1000, "result": "OK", "command": "domain-renew",
        "svTRID": format!("sv-{id}"), "data": {"pad": "x".repeat(pad)}
    }});
    let body: String = form_urlencoded::Serializer::new(String::new()).append_pair("request", &notify.to_string()).finish();
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return "refused".into() };
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    if s.write_all(head.as_bytes()).and_then(|()| s.write_all(body.as_bytes())).is_err() {
        return "write failed".into();
    }
    let mut answer = String::new();
    match s.read_to_string(&mut answer) {
        Ok(_) if answer.is_empty() => "closed".into(),
        Ok(_) => answer.lines().next().unwrap_or_default().to_owned(),
        Err(e) => format!("read failed: {e}"),
    }
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap().success();
    assert!(ok, "kill {sig}");
}

/// How long `child` took to exit (at most `limit`, else it is killed and the test fails).
fn exits_within(child: &mut Child, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return start.elapsed();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("still running {limit:?} after the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn an_idle_serve_ends_on_sigint_and_on_sigterm() {
    let emu = Emu::start();
    for sig in ["-INT", "-TERM"] {
        let port = free_port();
        let mut child = serve(&emu, port, ":memory:", false);
        signal(&child, sig);
        exits_within(&mut child, Duration::from_secs(2));
    }
}

#[test]
fn sigint_ends_serve_while_stdout_is_a_full_pipe() {
    let emu = Emu::start();
    let port = free_port();
    let mut child = serve(&emu, port, ":memory:", false);
    // Each notification is 40 KB: the pipe (64 KB) is full at the second, whose POST then waits.
    let posts = std::thread::spawn(move || (1..=4).map(|id| post(port, id, 40_000)).collect::<Vec<_>>());
    std::thread::sleep(Duration::from_millis(800));
    signal(&child, "-INT");
    exits_within(&mut child, Duration::from_secs(2));
    let answers = posts.join().unwrap();
    assert!(answers[0].contains("200"), "{answers:?}");
    assert!(
        answers.iter().any(|a| a.contains("503") || a == "closed" || a == "refused"),
        "the notification in hand is not acknowledged: {answers:?}"
    );
}

#[test]
fn a_signal_ends_serve_spool_while_the_account_lock_is_held() {
    let emu = Emu::start();
    for sig in ["-INT", "-TERM"] {
        let dir = tempfile::tempdir().unwrap();
        let key = hostapi::wedos::store::account_key(DEMO_WEDOS_USER, &emu.emu.wedos_url());
        let guard = dir.path().join(format!("wedos-{key}.guard"));
        let lock = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&guard).unwrap();
        lock.lock_exclusive().unwrap();
        let port = free_port();
        let mut child = serve(&emu, port, dir.path().to_str().unwrap(), true);
        let posts = std::thread::spawn(move || post(port, 1, 10));
        std::thread::sleep(Duration::from_millis(500));
        signal(&child, sig);
        exits_within(&mut child, Duration::from_secs(2));
        let answer = posts.join().unwrap();
        assert!(answer.contains("503") || answer == "closed", "{sig}: {answer}");
        FileExt::unlock(&lock).unwrap();
    }
}
