//! The contract of [`AccountStore`], run against every store: what a networked store must pass too.

use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::wedos::governor::{Outcome, Settlement};
use crate::wedos::spool::{Ack, Push, Want, LEASE_SECS};

fn policy(max_invalid: u32) -> Policy {
    Policy {
        user: "u@example.cz".into(),
        hourly_limit: 1000,
        domain_check_limit: 100,
        window: 3600.0,
        max_invalid,
        max_auth_failures: 3,
    }
}

fn settlement(outcome: Outcome) -> Settlement<'static> {
    Settlement { outcome, command: "dns-row-add", message: "", clock: None }
}

async fn granted<S: AccountStore>(s: &S, p: &Policy, now: f64) -> Option<u64> {
    let ask = Ask { label: "t", command: "dns-row-add", expires_at: now + 45.0, pid: 1 };
    match s.reserve("t", p, &ask, now).await.unwrap() {
        Admission::Granted(g) => Some(g.ticket),
        Admission::Busy { .. } => None,
        Admission::Refused { error, .. } => panic!("refused: {error}"),
    }
}

async fn reserve_and_settle<S: AccountStore>(s: &S) {
    let p = policy(10);
    let t = granted(s, &p, 100.0).await.expect("granted");
    let st = s.status("t", &p, 100.0).await.unwrap();
    assert_eq!(st.in_flight.len(), 1);
    assert_eq!(st.requests_in_window, 1);
    s.settle("t", &p, t, &settlement(Outcome::Invalid { code: Some(2314), clock_cause: false }), 101.0).await.unwrap();
    let st = s.status("t", &p, 101.0).await.unwrap();
    assert!(st.in_flight.is_empty());
    assert_eq!(st.invalid.len(), 1);
    assert!(st.credentials_proven);
    s.reset("t", &p, Reset::Guard, 102.0).await.unwrap();
    assert!(s.status("t", &p, 102.0).await.unwrap().invalid.is_empty());
}

/// Concurrent callers on one store: never more grants than the allowance while none is settled.
async fn concurrent_reservations_respect_the_allowance<S: AccountStore + 'static>(s: Arc<S>) {
    let p = Arc::new(policy(5));
    // Proven credentials first, so the invalid allowance (not the authentication one) is what binds.
    let t = granted(&*s, &p, 1.0).await.unwrap();
    s.settle("t", &p, t, &settlement(Outcome::Valid), 1.0).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let (s, p) = (s.clone(), p.clone());
        tasks.push(tokio::spawn(async move { granted(&*s, &p, 2.0).await }));
    }
    let mut grants = 0;
    for t in tasks {
        grants += usize::from(t.await.unwrap().is_some());
    }
    assert_eq!(grants, 5);
}

/// `simulated_time`: the store counts in the `now` it is given (a networked store counts in its server's time, so
/// the lease's end cannot be simulated there).
async fn the_spool_hands_each_notification_out_once<S: AccountStore>(s: &S, simulated_time: bool) {
    let n = |id: u32| json!({"ID": id.to_string(), "code": 1000, "result": "OK", "svTRID": format!("sv-{id}")});
    assert_eq!(s.spool_push("t", &n(1), 0.0).await.unwrap(), Push::Added);
    assert_eq!(s.spool_push("t", &n(1), 0.0).await.unwrap(), Push::Known);
    assert_eq!(s.spool_push("t", &n(2), 0.0).await.unwrap(), Push::Added);
    assert_eq!(s.spool_len("t", 0.0).await.unwrap(), 2);
    assert_eq!(s.spool_lease("t", "a", 1.0, LEASE_SECS).await.unwrap(), Some(n(1)));
    assert_eq!(s.spool_lease("t", "b", 1.0, LEASE_SECS).await.unwrap(), Some(n(2)));
    assert_eq!(s.spool_take("t", Want::Any, "c", 1.0).await.unwrap(), None);
    assert_eq!(s.spool_ack("t", "1", "a", 2.0).await.unwrap(), Ack::Removed);
    assert_eq!(s.spool_ack("t", "1", "a", 2.0).await.unwrap(), Ack::AlreadyHanded);
    if simulated_time {
        // b's lease ends: the notification goes to the next reader.
        assert_eq!(s.spool_take("t", Want::Any, "c", 2.0 + LEASE_SECS).await.unwrap(), Some(n(2)));
    } else {
        assert_eq!(s.spool_take("t", Want::Any, "b", 2.0).await.unwrap(), Some(n(2)), "its holder takes it");
    }
    assert_eq!(s.spool_len("t", 3.0 + LEASE_SECS).await.unwrap(), 0);
}

/// Records: absent, created once (a second creation is refused, even from concurrent writers), replaced whole.
async fn records_are_created_once_and_replaced_whole<S: AccountStore + 'static>(s: Arc<S>) {
    assert_eq!(s.record_get("t", "reg-1").await.unwrap(), None);
    let writers: Vec<_> = (0..8)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move { s.record_put("t", "reg-1", &json!({"writer": i}), true).await.unwrap() })
        })
        .collect();
    let mut created = 0;
    for w in writers {
        created += usize::from(w.await.unwrap());
    }
    assert_eq!(created, 1, "exactly one writer creates the record");
    assert!(s.record_get("t", "reg-1").await.unwrap().is_some_and(|v| v["writer"].is_u64()));
    assert!(s.record_put("t", "reg-1", &json!({"txt": ["a", "b"]}), false).await.unwrap());
    assert_eq!(s.record_get("t", "reg-1").await.unwrap(), Some(json!({"txt": ["a", "b"]})));
    assert_eq!(s.record_get("t", "reg-2").await.unwrap(), None);
}

async fn all<S: AccountStore + 'static>(make: impl Fn() -> S, simulated_time: bool) {
    records_are_created_once_and_replaced_whole(Arc::new(make())).await;
    reserve_and_settle(&make()).await;
    concurrent_reservations_respect_the_allowance(Arc::new(make())).await;
    the_spool_hands_each_notification_out_once(&make(), simulated_time).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store() {
    all(MemoryStore::default, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn file_store() {
    let root = tempfile::tempdir().unwrap();
    let n = std::sync::atomic::AtomicU32::new(0);
    all(|| {
        // A fresh account for each check.
        let user = format!("u{}@example.cz", n.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        FileStore::open(root.path(), &user, "http://127.0.0.1:1/wapi/json", "t").unwrap()
    }, true)
    .await;
}

mod redis_server {
    include!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/redis.rs"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_store() {
    let server = redis_server::RedisServer::start();
    let location = RedisLocation::parse(&server.url()).unwrap();
    let n = std::sync::atomic::AtomicU32::new(0);
    all(|| {
        let user = format!("u{}@example.cz", n.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let timeout = std::time::Duration::from_secs(5);
        RedisStore::open(&location, &user, "http://127.0.0.1:1/wapi/json", timeout, None, "t").unwrap()
    }, false)
    .await;
}
