//! The account guard under concurrency and bad state: several clients on one state directory (as several processes
//! would be: each has its own store, ordered only by the file lock), an absurd server clock, a restarted server
//! that reuses notification ids, cancelled calls. Cross-process and cross-language runs are in the Python suite.

use std::collections::HashMap;
use std::time::Duration;

use hostapi::wedos::*;
use hostapi::ErrorKind;
use hostapi_emulator::{Emulator, EmulatorConfig, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER};
use serde_json::{json, Value};

async fn emulator_on(port: u16) -> Emulator {
    Emulator::start(EmulatorConfig { port, ..EmulatorConfig::default() }).await.expect("emulator starts")
}

fn client(url: &str, dir: &std::path::Path) -> Client {
    Client::builder()
        .user(DEMO_WEDOS_USER)
        .password(DEMO_WEDOS_PASSWORD)
        .base_url(url)
        .poll_interval(Duration::from_millis(50))
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
        .state_location(StateLocation::Dir(dir.to_owned()))
        .build()
        .unwrap()
}

async fn control(emu: &Emulator, path: &str, body: Value) -> Value {
    let http = reqwest::Client::new();
    let url = format!("{}/_emulator/{path}", emu.url());
    let rb = if body.is_null() { http.get(url) } else { http.post(url).json(&body) };
    let resp = rb.send().await.expect("control call");
    assert!(resp.status().is_success(), "control {path}: HTTP {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

/// The answers the emulator gave the demo account, by code.
async fn codes(emu: &Emulator) -> HashMap<String, u64> {
    let st = control(emu, "state", Value::Null).await;
    serde_json::from_value(st["wedos"][DEMO_WEDOS_USER]["codes"].clone()).unwrap_or_default()
}

async fn blocked(emu: &Emulator) -> bool {
    let st = control(emu, "state", Value::Null).await;
    st["wedos_ips"].as_object().is_some_and(|ips| ips.values().any(|ip| ip["blocked"] == true))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_concurrent_invalid_requests_from_three_clients_stop_at_the_allowance() {
    let emu = emulator_on(0).await;
    let dir = tempfile::tempdir().unwrap();
    let clients: Vec<Client> = (0..3).map(|_| client(&emu.wedos_url(), dir.path())).collect();
    let mut tasks = Vec::new();
    for i in 0..30 {
        let c = clients[i % 3].clone();
        tasks.push(tokio::spawn(async move {
            c.dns().add_row(NewDnsRow::new("example.cz", "x", "A", "not-an-ip")).await.unwrap_err()
        }));
    }
    let mut kinds: HashMap<String, usize> = HashMap::new();
    for t in tasks {
        let e = t.await.unwrap();
        *kinds.entry(format!("{:?}", e.kind())).or_default() += 1;
    }
    let codes = codes(&emu).await;
    assert_eq!(codes.get("2314"), Some(&10), "{codes:?}");
    assert_eq!(codes.get("2052"), None, "{codes:?}");
    assert!(!blocked(&emu).await);
    assert_eq!(kinds.get("Api"), Some(&10), "{kinds:?}");
    assert_eq!(kinds.get("RateLimited"), Some(&20), "{kinds:?}");
    let st = clients[0].guard_status().await.unwrap();
    assert_eq!(st.invalid.len(), 10);
    assert!(st.in_flight.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wrong_password_from_concurrent_clients_stops_at_the_auth_allowance() {
    let emu = emulator_on(0).await;
    let dir = tempfile::tempdir().unwrap();
    let wrong = |_| {
        Client::builder()
            .user(DEMO_WEDOS_USER)
            .password("wrong")
            .base_url(emu.wedos_url())
            .state_location(StateLocation::Dir(dir.path().to_owned()))
            .build()
            .unwrap()
    };
    let clients: Vec<Client> = (0..3).map(wrong).collect();
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let c = clients[i % 3].clone();
            tokio::spawn(async move { c.ping().await.unwrap_err() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().kind(), ErrorKind::Authentication);
    }
    assert_eq!(codes(&emu).await.get("2050"), Some(&3), "only the stop's allowance was ever in flight");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn poll_and_ack_from_three_clients_hand_each_notification_out_once() {
    let emu = emulator_on(0).await;
    let dir = tempfile::tempdir().unwrap();
    for id in 1..=30 {
        let notify = json!({"ID": id, "code": 1000, "result": "OK", "command": "domain-renew", "svTRID": format!("sv-{id}")});
        control(&emu, "wedos/notifications", json!({"user": DEMO_WEDOS_USER, "notify": notify})).await;
    }
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let c = client(&emu.wedos_url(), dir.path());
            tokio::spawn(async move {
                let mut got = Vec::new();
                while let Some(n) = c.notifications().poll().await.unwrap() {
                    let id = n.id.clone().unwrap();
                    c.notifications().ack(&id).await.unwrap();
                    got.push(id);
                }
                got
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_by_key(|id| id.parse::<u32>().unwrap());
    let expected: Vec<String> = (1..=30).map(|i| i.to_string()).collect();
    assert_eq!(all, expected, "each exactly once, none lost");
    let codes = codes(&emu).await;
    assert_eq!(codes.get("2151"), None, "no acknowledgement raced another: {codes:?}");
    assert!(client(&emu.wedos_url(), dir.path()).guard_status().await.unwrap().invalid.is_empty());
}

#[tokio::test]
async fn a_restarted_server_that_reuses_ids_loses_no_notification() {
    let emu = emulator_on(0).await;
    let port = emu.addr().port();
    let dir = tempfile::tempdir().unwrap();
    let c = client(&emu.wedos_url(), dir.path());
    let mut before = Vec::new();
    for _ in 0..5 {
        before.push(c.ping_async().await.unwrap());
    }
    let first = c.wait_for(&before[4], Duration::from_secs(10)).await.unwrap();
    let mut handed = vec![first.id.clone().unwrap()];
    while let Some(n) = c.notifications().next().await.unwrap() {
        handed.push(n.id.clone().unwrap());
    }
    handed.sort();
    assert_eq!(handed, ["1", "2", "3", "4", "5"]);
    emu.stop().await;

    // The same server (host and port: the same account state), restarted: its ids start again at 1.
    let emu = emulator_on(port).await;
    let c = client(&emu.wedos_url(), dir.path());
    let mut after = Vec::new();
    for _ in 0..5 {
        after.push(c.ping_async().await.unwrap());
    }
    let n = c.wait_for(&after[0], Duration::from_secs(10)).await.unwrap();
    assert_eq!(n.svtrid, after[0].svtrid);
    let mut rest = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while rest.len() < 4 && tokio::time::Instant::now() < deadline {
        match c.notifications().next().await.unwrap() {
            Some(n) => rest.push(n.svtrid.clone().unwrap()),
            None => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    let expected: Vec<String> = after[1..].iter().map(|p| p.svtrid.clone().unwrap()).collect();
    assert_eq!(rest, expected, "all four others handed out, in order");
}

#[tokio::test]
async fn an_absurd_server_timestamp_never_poisons_the_account() {
    let emu = emulator_on(0).await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(&emu.wedos_url(), dir.path());
    c.ping().await.unwrap();
    let stamps = [
        json!(253_402_300_000i64),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(-1),
        json!(0),
        json!(1e300),
        json!("NaN"),
        json!("253402300000"),
        json!("9999-12-31T23:59:59Z"),
        json!({"nested": true}),
    ];
    for stamp in stamps {
        control(&emu, "wedos/fail", json!({"command": "ping", "timestamp": stamp})).await;
        // The absurd answer itself is a valid answer...
        c.ping().await.unwrap_or_else(|e| panic!("{stamp}: {e}"));
        // ...and every later call, by every client of the account, still goes through.
        c.credit_info().await.unwrap_or_else(|e| panic!("after {stamp}: {e}"));
        client(&emu.wedos_url(), dir.path()).ping().await.unwrap_or_else(|e| panic!("after {stamp}: {e}"));
        let offset = c.guard_status().await.unwrap().clock_offset.expect("learned from the sane answers");
        assert!(offset.middle().abs() < 60.0, "{stamp}: {offset:?}");
    }
}

#[tokio::test]
async fn a_poisoned_clock_left_by_an_older_hostapi_is_ignored() {
    let emu = emulator_on(0).await;
    let dir = tempfile::tempdir().unwrap();
    let key = hostapi::wedos::store::account_key(DEMO_WEDOS_USER, &emu.wedos_url());
    let now = hostapi::wedos::store::now_f64();
    let old = json!({"version": 1, "clock": {"low": 2.5e11, "high": 2.5e11 + 1.0, "at": now}});
    let legacy = dir.path().join(format!("wedos-{key}.json"));
    std::fs::write(&legacy, old.to_string()).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&legacy, std::fs::Permissions::from_mode(0o600)).unwrap();
    let c = client(&emu.wedos_url(), dir.path());
    c.ping().await.unwrap();
    let offset = c.guard_status().await.unwrap().clock_offset.unwrap();
    assert!(offset.middle().abs() < 60.0, "{offset:?}");
}

#[tokio::test]
async fn a_cancelled_call_gives_its_slot_back() {
    let emu = emulator_on(0).await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(&emu.wedos_url(), dir.path());
    c.ping().await.unwrap();
    control(&emu, "faults", json!({"path": "/wapi/json", "delay_ms": 3000})).await;
    assert!(tokio::time::timeout(Duration::from_millis(300), c.ping()).await.is_err());
    let st = c.guard_status().await.unwrap();
    assert!(st.in_flight.is_empty(), "{:?}", st.in_flight);
    // It may have reached the server: counted as a request of unknown outcome, as the server may count it.
    assert_eq!(st.invalid.len(), 1);
    assert_eq!(st.invalid[0].code, None);
    assert_eq!(st.requests_in_window, 2);
}

#[tokio::test]
async fn guard_reset_clears_the_clock_too() {
    let emu = emulator_on(0).await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(&emu.wedos_url(), dir.path());
    c.ping().await.unwrap();
    assert!(c.guard_status().await.unwrap().clock_offset.is_some());
    c.reset_auth_guard().await.unwrap();
    assert!(c.guard_status().await.unwrap().clock_offset.is_none());
}

#[tokio::test]
async fn a_damaged_state_file_keeps_the_guard_and_says_so() {
    let emu = emulator_on(0).await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(&emu.wedos_url(), dir.path());
    c.ping().await.unwrap();
    let path = c.state_file().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..10]).unwrap(); // truncated within the first header
    let before = codes(&emu).await.values().sum::<u64>();
    let e = client(&emu.wedos_url(), dir.path()).ping().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.message().contains("cannot be read") && e.message().contains(path.to_str().unwrap()), "{e}");
    assert_eq!(codes(&emu).await.values().sum::<u64>(), before, "nothing was sent");
    c.reset_auth_guard().await.unwrap();
    c.ping().await.unwrap();
}

#[tokio::test]
async fn a_valid_answer_the_client_cannot_read_is_not_an_invalid_request() {
    let emu = emulator_on(0).await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(&emu.wedos_url(), dir.path());
    c.ping().await.unwrap();
    // ping-async answered 1000 instead of 1001: the server accepted it, the client cannot use the answer.
    let body = json!({"response": {"code": 1000, "result": "OK", "timestamp": hostapi::unix_now(), "command": "ping-async"}});
    control(&emu, "faults", json!({"path": "/wapi/json", "status": 200, "body": body.to_string(), "times": 12})).await;
    for _ in 0..12 {
        assert_eq!(c.ping_async().await.unwrap_err().kind(), ErrorKind::Protocol);
    }
    c.ping().await.unwrap();
    assert!(c.guard_status().await.unwrap().invalid.is_empty());
}

#[tokio::test]
async fn a_wrong_password_answered_with_an_absurd_clock_still_counts_toward_the_stop() {
    let emu = emulator_on(0).await;
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..3 {
        control(&emu, "wedos/fail", json!({"code": 2050, "timestamp": 253_402_300_000i64})).await;
    }
    let c = client(&emu.wedos_url(), dir.path());
    for _ in 0..3 {
        assert_eq!(c.ping().await.unwrap_err().kind(), ErrorKind::Authentication);
    }
    assert_eq!(c.auth_failures().await.unwrap(), 3);
    let e = c.ping().await.unwrap_err();
    assert!(e.message().contains("not sent") && e.message().contains("guard reset"), "{e}");
}
