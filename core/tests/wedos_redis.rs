//! One WEDOS account across many machines through a real Redis: each "machine" is a client with its own store
//! handle (as a separate host would have), sharing only the Redis URL. The limits hold across them, a notification
//! goes to one of them, a Redis that fails is an explicit error (nothing sent), its password is never shown.

#[path = "common/redis.rs"]
mod redis_server;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use hostapi::wedos::*;
use hostapi::ErrorKind;
use hostapi_emulator::{Emulator, EmulatorConfig, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER};
use redis_server::RedisServer;
use serde_json::{json, Value};

async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default()).await.expect("emulator starts")
}

fn builder(emu: &Emulator, store: &str) -> ClientBuilder {
    Client::builder()
        .user(DEMO_WEDOS_USER)
        .password(DEMO_WEDOS_PASSWORD)
        .base_url(emu.wedos_url())
        .poll_interval(Duration::from_millis(50))
        .connect_timeout(Duration::from_secs(2))
        .state_location(StateLocation::parse(store).unwrap())
}

async fn control(emu: &Emulator, path: &str, body: Value) -> Value {
    let http = reqwest::Client::new();
    let url = format!("{}/_emulator/{path}", emu.url());
    let rb = if body.is_null() { http.get(url) } else { http.post(url).json(&body) };
    rb.send().await.expect("control call").json().await.unwrap_or(Value::Null)
}

async fn codes(emu: &Emulator) -> HashMap<String, u64> {
    let st = control(emu, "state", Value::Null).await;
    serde_json::from_value(st["wedos"][DEMO_WEDOS_USER]["codes"].clone()).unwrap_or_default()
}

async fn requests(emu: &Emulator) -> u64 {
    codes(emu).await.values().sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_machines_times_ten_invalid_requests_stop_at_ten() {
    let redis = RedisServer::start();
    let emu = emulator().await;
    let machines: Vec<Client> = (0..3).map(|_| builder(&emu, &redis.url()).build().unwrap()).collect();
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let c = machines[i % 3].clone();
            tokio::spawn(async move { c.dns().add_row(NewDnsRow::new("example.cz", "x", "A", "nope")).await })
        })
        .collect();
    let mut refused = 0;
    for t in tasks {
        if t.await.unwrap().unwrap_err().kind() == ErrorKind::RateLimited {
            refused += 1;
        }
    }
    let c = codes(&emu).await;
    assert_eq!(c.get("2314"), Some(&10), "{c:?}");
    assert_eq!(c.get("2052"), None);
    assert_eq!(refused, 20);
    let st = machines[1].guard_status().await.unwrap();
    assert_eq!(st.store, redis.shown());
    assert_eq!(st.invalid.len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_wrong_passwords_from_three_machines_reach_the_server_three_times() {
    let redis = RedisServer::start();
    let emu = emulator().await;
    let machines: Vec<Client> =
        (0..3).map(|_| builder(&emu, &redis.url()).password("wrong").build().unwrap()).collect();
    for round in 0..10 {
        for c in &machines {
            let e = c.ping().await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Authentication, "round {round}: {e}");
        }
    }
    assert_eq!(codes(&emu).await.get("2050"), Some(&3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_notification_goes_to_one_machine() {
    let redis = RedisServer::start();
    let emu = emulator().await;
    let notify = json!({"ID": 1, "code": 1000, "result": "OK", "command": "domain-renew", "svTRID": "sv-1"});
    control(&emu, "wedos/notifications", json!({"user": DEMO_WEDOS_USER, "notify": notify})).await;
    let (a, b) = (builder(&emu, &redis.url()).build().unwrap(), builder(&emu, &redis.url()).build().unwrap());
    let (x, y) = tokio::join!(a.notifications().next(), b.notifications().next());
    let got: Vec<_> = [x.unwrap(), y.unwrap()].into_iter().flatten().collect();
    assert_eq!(got.len(), 1, "{got:?}");
    // poll()/ack(): leased to one machine, the other sees nothing.
    let notify = json!({"ID": 2, "code": 1000, "result": "OK", "command": "domain-renew", "svTRID": "sv-2"});
    control(&emu, "wedos/notifications", json!({"user": DEMO_WEDOS_USER, "notify": notify})).await;
    let n = a.notifications().poll().await.unwrap().expect("a notification");
    assert!(b.notifications().poll().await.unwrap().is_none());
    a.notifications().ack(n.id.as_deref().unwrap()).await.unwrap();
    assert_eq!(codes(&emu).await.get("2151"), None);
}

#[tokio::test]
async fn a_redis_that_is_down_is_an_explicit_error_and_nothing_is_sent() {
    let mut redis = RedisServer::start();
    let emu = emulator().await;
    let c = builder(&emu, &redis.url()).build().unwrap();
    c.ping().await.unwrap();
    redis.stop();
    let before = requests(&emu).await;
    let started = Instant::now();
    let e = c.ping().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.message().contains(&redis.shown()) && e.message().contains("nothing was sent"), "{e}");
    assert!(!e.to_string().contains(&redis.password), "{e}");
    assert_eq!(requests(&emu).await, before, "nothing reached WEDOS");
    // A client built while Redis is down fails the same way on its first call.
    let late = builder(&emu, &redis.url()).build().unwrap();
    assert_eq!(late.ping().await.unwrap_err().kind(), ErrorKind::Transport);
}

#[tokio::test]
async fn with_the_local_fallback_calls_go_on_while_redis_is_down() {
    let mut redis = RedisServer::start();
    let emu = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    // SAFETY of the test: the fallback directory comes from the environment of this process.
    std::env::set_var("HOSTAPI_STATE_DIR", dir.path());
    let c = builder(&emu, &redis.url()).state_store_fallback_local(true).build().unwrap();
    redis.stop();
    c.ping().await.unwrap();
    c.credit_info().await.unwrap();
    let st = c.guard_status().await.unwrap();
    assert!(st.store.contains(&redis.shown()) && st.store.contains(dir.path().to_str().unwrap()), "{}", st.store);
    assert_eq!(st.requests_in_window, 2, "counted in the machine's own store");
}

#[tokio::test]
async fn a_redis_restarted_without_persistence_keeps_the_guard_for_running_clients() {
    let mut redis = RedisServer::start();
    let emu = emulator().await;
    let c = builder(&emu, &redis.url()).build().unwrap();
    c.ping().await.unwrap();
    redis.restart();
    let e = c.ping().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    assert!(e.message().contains("disappeared") && e.message().contains("guard reset"), "{e}");
    c.reset_auth_guard().await.unwrap();
    c.ping().await.unwrap();
}

#[tokio::test]
async fn rediss_with_the_clients_ca_bundle() {
    let redis = RedisServer::start_tls();
    let emu = emulator().await;
    let c = builder(&emu, &redis.url()).ca_bundle_file(redis.ca_file()).build().unwrap();
    c.ping().await.unwrap();
    assert_eq!(c.guard_status().await.unwrap().store, redis.shown());
    // Without the CA the server is not trusted: an explicit error, nothing sent.
    let untrusted = builder(&emu, &redis.url()).build().unwrap();
    let e = untrusted.ping().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(!e.to_string().contains(&redis.password));
}

#[tokio::test]
async fn the_redis_password_is_never_shown() {
    let redis = RedisServer::start();
    let emu = emulator().await;
    let c = builder(&emu, &redis.url()).build().unwrap();
    c.ping().await.unwrap();
    let shown = [format!("{c:?}"), c.state_store(), format!("{:?}", c.guard_status().await.unwrap())];
    for s in shown {
        assert!(!s.contains(&redis.password), "{s}");
    }
    let wrong = redis.url().replace(&redis.password, "not-the-password");
    let e = builder(&emu, &wrong).build().unwrap().ping().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert!(e.message().contains("refused") && !e.message().contains("not-the-password"), "{e}");
    for bad in ["redis://:secret@/0", "Redis://:secret@host/x", "rediss+x://:secret@h/0", "redis:/:secret@h", "valkey://:secret@h/0?x=1"] {
        let e = StateLocation::parse(bad).unwrap_err();
        assert!(!e.contains("secret"), "{bad}: {e}");
    }
    assert_eq!(StateLocation::parse("VALKEY://:secret@h:7000/2").unwrap().to_string(), "redis://h:7000/2");
}

#[tokio::test]
async fn a_frozen_redis_fails_within_the_connect_timeout() {
    let redis = RedisServer::start();
    let emu = emulator().await;
    let c = builder(&emu, &redis.url()).build().unwrap();
    c.ping().await.unwrap();
    redis.pause();
    let before = requests(&emu).await;
    let started = Instant::now();
    let e = c.ping().await.unwrap_err();
    let took = started.elapsed();
    redis.resume();
    assert!(took < Duration::from_secs(4), "{took:?}: {e}");
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.message().contains(&redis.shown()), "{e}");
    assert_eq!(requests(&emu).await, before, "nothing reached WEDOS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settlement_lost_to_a_frozen_redis_is_applied_once_it_is_back() {
    let redis = RedisServer::start();
    let emu = emulator().await;
    let c = builder(&emu, &redis.url()).connect_timeout(Duration::from_millis(500)).build().unwrap();
    c.ping().await.unwrap();
    // The call is answered after a second; Redis freezes meanwhile, so its settlement fails; then it is back.
    control(&emu, "faults", json!({"path": "/wapi/json", "delay_ms": 1000})).await;
    let call = {
        let c = c.clone();
        tokio::spawn(async move { c.ping().await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    redis.pause();
    tokio::time::sleep(Duration::from_millis(1800)).await;
    redis.resume();
    assert_eq!(call.await.unwrap().unwrap().code, 1000);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let st = c.guard_status().await.unwrap();
        if st.in_flight.is_empty() {
            assert!(st.invalid.is_empty(), "settled as answered, counted once: {:?}", st.invalid);
            assert_eq!(st.requests_in_window, 2);
            break;
        }
        assert!(Instant::now() < deadline, "still in flight: {:?}", st.in_flight);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
