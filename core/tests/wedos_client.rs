//! The WEDOS client against the emulator: every typed command, budgets, the auth guard, the hour-boundary
//! retry, waiting for asynchronous results, secrets.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hostapi::wedos::*;
use hostapi::ErrorKind;
use hostapi_emulator::{Emulator, EmulatorConfig, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER};
use serde_json::{json, Value};

async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default()).await.expect("emulator starts")
}

fn builder(emu: &Emulator) -> ClientBuilder {
    Client::builder()
        .user(DEMO_WEDOS_USER)
        .password(DEMO_WEDOS_PASSWORD)
        .base_url(emu.wedos_url())
        .poll_interval(Duration::from_millis(50))
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
}

async fn control(emu: &Emulator, path: &str, body: Value) -> Value {
    let http = reqwest::Client::new();
    let url = format!("{}/_emulator/{path}", emu.url());
    let rb = if body.is_null() { http.get(url) } else { http.post(url).json(&body) };
    let resp = rb.send().await.expect("control call");
    assert!(resp.status().is_success(), "control {path}: HTTP {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

async fn account_state(emu: &Emulator) -> Value {
    control(emu, "state", Value::Null).await["wedos"][DEMO_WEDOS_USER].clone()
}

/// How many answers with `code` the emulator gave the demo account.
async fn answers_with(emu: &Emulator, code: i64) -> u64 {
    let st = account_state(emu).await;
    st["codes"][code.to_string()].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn every_typed_command_through_the_client() {
    let emu = emulator().await;
    let c = builder(&emu).build().unwrap();

    let pong = c.ping().await.unwrap();
    assert_eq!((pong.code, pong.command.as_deref()), (1000, Some("ping")));
    assert!(pong.cltrid.as_deref().unwrap().starts_with("hostapi-"), "a fresh clTRID is echoed");

    let credit = c.credit_info().await.unwrap();
    assert!(credit.amount.unwrap() > 0.0);
    assert_eq!(credit.currency.as_deref(), Some("CZK"));

    let domains = c.domains().list(None).await.unwrap();
    assert!(domains.iter().any(|d| d.name == "example.cz"), "{domains:?}");
    let info = c.domains().info("example.cz").await.unwrap();
    assert_eq!(info.name, "example.cz");
    let free = c.domains().check("surely-free-hostapi-name.cz").await.unwrap();
    assert!(free.available, "{free:?}");
    let taken = c.domains().check("example.cz").await.unwrap();
    assert!(!taken.available);
    assert_eq!(taken.code, 3201);

    let zones = c.dns().domains().await.unwrap();
    assert!(zones.iter().any(|z| z.name == "example.cz"), "{zones:?}");
    let before = c.dns().rows("example.cz").await.unwrap();
    assert!(!before.is_empty());

    c.dns()
        .add_row(NewDnsRow::new("example.cz", "_hostapi", "TXT", "hello from hostapi").ttl(300).comment("test row"))
        .await
        .unwrap();
    let rows = c.dns().rows("example.cz").await.unwrap();
    let row = rows.iter().find(|r| r.name == "_hostapi").expect("the new row is listed").clone();
    assert_eq!((row.rdtype.as_str(), row.rdata.as_str(), row.ttl), ("TXT", "hello from hostapi", Some(300)));
    assert!(account_state(&emu).await["zones"]["example.cz"]["pending"].as_bool().unwrap(), "pending until commit");
    c.dns().commit("example.cz").await.unwrap();
    assert!(!account_state(&emu).await["zones"]["example.cz"]["pending"].as_bool().unwrap());

    c.dns().update_row("example.cz", row.id, 600, "updated").await.unwrap();
    let updated = c.dns().rows("example.cz").await.unwrap().into_iter().find(|r| r.id == row.id).unwrap();
    assert_eq!((updated.ttl, updated.rdata.as_str()), (Some(600), "updated"));
    c.dns().delete_row("example.cz", row.id).await.unwrap();
    assert_eq!(c.dns().rows("example.cz").await.unwrap().len(), before.len());
    c.dns().commit("example.cz").await.unwrap();

    // An unknown row is the API's error, with its code.
    let e = c.dns().delete_row("example.cz", 999_999).await.unwrap_err();
    assert_eq!((e.kind(), e.code()), (ErrorKind::Api, Some(3309)), "{e}");
    assert!(e.to_string().starts_with("wedos dns-row-delete: "), "{e}");

    // The generic call reaches any command.
    let r = c.call("ping", None).await.unwrap();
    assert_eq!(r.code, 1000);
    let e = c.call("no-such-command", Some(json!({"x": 1}))).await.unwrap_err();
    assert_eq!(e.code(), Some(2010), "{e}");

    // Notifications: ping-async, then poll and ack by hand.
    let pending = c.ping_async().await.unwrap();
    assert!(pending.svtrid.is_some() || pending.cltrid.is_some());
    let n = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(n) = c.notifications().poll().await.unwrap() {
                break n;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the notification arrives");
    assert!(n.answers(&pending), "{n:?}");
    c.notifications().ack(n.id.as_deref().unwrap()).await.unwrap();
    assert!(c.notifications().poll().await.unwrap().is_none());
    let e = c.notifications().ack("424242").await.unwrap_err();
    assert_eq!(e.code(), Some(2151), "{e}");
}

#[tokio::test]
async fn test_mode_validates_and_changes_nothing() {
    let emu = emulator().await;
    let c = builder(&emu).test_mode(true).build().unwrap();
    let before = account_state(&emu).await["zones"]["example.cz"].clone();
    let r = c.dns().add_row(NewDnsRow::new("example.cz", "t", "TXT", "x")).await.unwrap();
    assert!(r.test, "the answer says test mode");
    assert_eq!(account_state(&emu).await["zones"]["example.cz"], before);
    // Invalid input is still refused in test mode.
    let e = c.dns().add_row(NewDnsRow::new("example.cz", "t", "BOGUS", "x")).await.unwrap_err();
    assert_eq!(e.code(), Some(2309), "{e}");
}

#[tokio::test]
async fn the_client_refuses_past_its_hourly_budget_before_the_server_does() {
    let emu = emulator().await;
    // Both clocks at the middle of an hour, moving together: no request meets an hour boundary (whose retry
    // would take a budget slot of its own and change the count).
    let real = hostapi::unix_now();
    let offset = real - real.rem_euclid(3600) + 1800 - real;
    set_emulator_time(&emu, real + offset).await;
    let c = builder(&emu).clock(Clock::from_fn(move || hostapi::unix_now() + offset)).build().unwrap();
    for i in 0..1000 {
        c.ping().await.unwrap_or_else(|e| panic!("ping {i}: {e}"));
    }
    let e = c.ping().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    assert!(e.message().contains("account's hourly"), "{e}");
    let after = e.retry_after().expect("says when to retry");
    // Counted per minute: the oldest minute leaves the hour at most a minute later than its first request.
    assert!(after > Duration::from_secs(3000) && after <= Duration::from_secs(3660), "{after:?}");
    let st = account_state(&emu).await;
    assert_eq!(st["requests_last_hour"], 1000, "the emulator saw exactly the budget");
    assert_eq!(answers_with(&emu, 2006).await, 0, "the server never had to refuse");
}

#[tokio::test]
async fn domain_checks_have_their_own_budget_and_the_wait_policy_waits() {
    let emu = emulator().await;
    let c = builder(&emu).hourly_limits(1000, 2).build().unwrap();
    c.domains().check("a-hostapi.cz").await.unwrap();
    c.domains().check("b-hostapi.cz").await.unwrap();
    let e = c.domains().check("c-hostapi.cz").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.message().contains("domain availability"), "{e}");
    c.ping().await.expect("other commands still have budget");

    // Under the wait policy a spent budget is waited out instead of refused.
    let window = Duration::from_millis(400);
    let c = builder(&emu).hourly_limits(1, 1).budget_window(window).limit_policy(LimitPolicy::Wait).build().unwrap();
    c.ping().await.unwrap();
    let t0 = std::time::Instant::now();
    c.ping().await.expect("let through once the window has room");
    assert!(t0.elapsed() >= window / 2, "it waited for the window: {:?}", t0.elapsed());
}

#[tokio::test]
async fn a_wrong_password_stops_before_the_ip_block() {
    let emu = emulator().await;
    let secret = "Definitely-Wrong-Pa55";
    let c = builder(&emu).password(secret).max_auth_failures(3).hour_boundary_window(Duration::ZERO).build().unwrap();
    let mut sent_failures = 0;
    let mut refused_locally = 0;
    for _ in 0..20 {
        let e = c.ping().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
        assert!(!format!("{e} {e:?}").contains(secret));
        if e.code() == Some(2050) {
            sent_failures += 1;
        } else {
            assert!(e.message().contains("not sent"), "{e}");
            refused_locally += 1;
        }
    }
    assert_eq!((sent_failures, refused_locally), (3, 17));
    assert_eq!(answers_with(&emu, 2050).await, 3, "at most the configured number of requests");
    assert_eq!(answers_with(&emu, 2052).await, 0, "the IP block was never triggered");
    let ips = control(&emu, "state", Value::Null).await["wedos_ips"].clone();
    for (_ip, st) in ips.as_object().unwrap() {
        assert!(st["blocked_until"].is_null(), "{st}");
    }
    assert!(!format!("{c:?}").contains(secret));
    // After a reset of the guard the client sends again.
    c.reset_auth_guard().await.unwrap();
    assert_eq!(c.ping().await.unwrap_err().code(), Some(2050));
}

/// A clock the test sets.
fn fixed_clock() -> (Clock, Arc<AtomicI64>) {
    let t = Arc::new(AtomicI64::new(0));
    let t2 = t.clone();
    (Clock::from_fn(move || t2.load(Ordering::SeqCst)), t)
}

async fn set_emulator_time(emu: &Emulator, unix: i64) {
    let now = control(emu, "clock", Value::Null).await;
    let real = now["now"].as_i64().unwrap() - now["offset_secs"].as_i64().unwrap();
    control(emu, "clock", json!({"offset_secs": unix - real})).await;
}

#[tokio::test]
async fn the_clock_is_learned_from_the_server_and_a_2050_is_never_spent_on_a_guess() {
    let emu = emulator().await;
    let (clock, t) = fixed_clock();
    // Two clients sharing one state directory (as two processes would).
    let dir = tempfile::tempdir().unwrap();
    let shared = StateLocation::Dir(dir.path().to_owned());
    let c = builder(&emu).clock(clock).state_location(shared.clone()).build().unwrap();
    // 2026-07-01 10:00:00 UTC = 12:00 in Prague (CEST).
    let boundary = 1_782_900_000;
    // Nothing known yet; client 2 s before the hour, server 2 s after: the first auth is for 11, the server wants
    // 12 and says so in its answer's timestamp, so the one retry signs for the server's hour.
    t.store(boundary - 2, Ordering::SeqCst);
    set_emulator_time(&emu, boundary + 2).await;
    c.ping().await.expect("the retry with the server's hour succeeds");
    assert_eq!(answers_with(&emu, 2050).await, 1);
    assert_eq!(answers_with(&emu, 1000).await, 1);
    assert_eq!(c.auth_failures().await.unwrap(), 0, "a clock mismatch is not an authentication failure");
    let offset = c.guard_status().await.unwrap().clock_offset.expect("the offset is known");
    assert!(offset.low <= 4.0 && 4.0 <= offset.high + 1.0, "{offset:?}");

    // The next hour, same skew: the corrected clock signs for the server's hour at once.
    t.store(boundary + 3600 - 2, Ordering::SeqCst);
    set_emulator_time(&emu, boundary + 3600 + 2).await;
    c.ping().await.expect("no 2050 with the offset known");
    assert_eq!(answers_with(&emu, 2050).await, 1, "no request spent on a guess");

    // A wrong password at the boundary, from another client of the account that knows the offset from the shared
    // state: the answer's hour is the one signed for, so it is the password: one request, no retry, counted as an
    // authentication failure.
    let wrong = builder(&emu)
        .password("nope")
        .clock(Clock::from_fn(move || boundary + 3600 - 2))
        .state_location(shared)
        .build()
        .unwrap();
    let e = wrong.ping().await.unwrap_err();
    assert_eq!(e.code(), Some(2050));
    assert_eq!(answers_with(&emu, 2050).await, 2, "the failed call alone");
    assert_eq!(wrong.auth_failures().await.unwrap(), 1);
}

#[tokio::test]
async fn waiting_for_a_result_keeps_every_other_notification() {
    let emu = emulator().await;
    let c = builder(&emu).build().unwrap();
    for i in 0..20 {
        control(
            &emu,
            "wedos/notifications",
            json!({"user": DEMO_WEDOS_USER, "notify": {"code": 1000, "result": "OK", "command": "domain-create",
                   "clTRID": format!("other-{i}"), "svTRID": format!("sv-other-{i}"), "data": {"n": i}}}),
        )
        .await;
    }
    let n = c.ping_async_wait(Duration::from_secs(10)).await.unwrap();
    assert_eq!(n.command.as_deref(), Some("ping-async"));
    assert_eq!(n.code, 1000);
    // The 20 others were never handed out: the client kept them, in queue order, for its caller.
    assert_eq!(c.notifications().kept().await.unwrap(), 20);
    let first = c.notifications().poll().await.unwrap().unwrap();
    assert_eq!(first.cltrid.as_deref(), Some("other-0"));
    assert_eq!(c.notifications().kept().await.unwrap(), 20, "poll does not consume");
    for i in 0..20 {
        let n = c.notifications().next().await.unwrap().expect("a kept notification");
        assert_eq!(n.cltrid.as_deref(), Some(format!("other-{i}").as_str()));
        assert_eq!(n.data.as_ref().unwrap()["n"], i);
    }
    assert!(c.notifications().next().await.unwrap().is_none());
    assert_eq!(account_state(&emu).await["queue"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn waiting_gives_up_after_its_timeout() {
    let emu = emulator().await;
    let c = builder(&emu).build().unwrap();
    let pending = Pending { command: "ping-async".into(), cltrid: Some("never".into()), svtrid: Some("never".into()) };
    let e = c.wait_for(&pending, Duration::from_millis(200)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
}

#[tokio::test]
async fn server_rate_limits_are_typed_and_say_when_to_retry() {
    let emu = emulator().await;
    let c = builder(&emu).retries(0).build().unwrap();
    control(&emu, "wedos/user-agent-limit", json!({"times": 1})).await;
    let e = c.ping().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    assert!(e.retry_after().is_some());
    c.ping().await.unwrap();
    // An HTML protection page is a protocol error keeping the status and the start of the body.
    control(&emu, "faults", json!({"path": "/wapi/json", "status": 403, "body": "<html>blocked</html>", "times": 1}))
        .await;
    let e = c.ping().await.unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (ErrorKind::Protocol, Some(403)), "{e}");
    assert!(e.body().unwrap().contains("<html>"));
}

#[tokio::test]
async fn a_foreign_ip_is_refused_and_named() {
    let emu = emulator().await;
    control(&emu, "wedos/ips", json!({"user": DEMO_WEDOS_USER, "allowed_ips": ["192.0.2.10"]})).await;
    let c = builder(&emu).build().unwrap();
    let e = c.ping().await.unwrap_err();
    assert_eq!((e.kind(), e.code()), (ErrorKind::Authentication, Some(2051)), "{e}");
    assert!(e.message().contains("127.0.0.1"), "the answer names the caller's address: {e}");
}

#[test]
fn settings_and_secrets() {
    let e = Client::builder().password("p").build().unwrap_err();
    assert!(e.to_string().contains("WEDOS_USER"), "{e}");
    let e = Client::builder().user("u").build().unwrap_err();
    assert!(e.to_string().contains("WEDOS_PASSWORD"), "{e}");
    let secret = "Sup3r-Secret-WAPI";
    let b = Client::builder().user("u@example.com").password(secret).base_url("http://127.0.0.1:1/wapi/json");
    assert!(!format!("{b:?}").contains(secret));
    let c = b.build().unwrap();
    assert!(!format!("{c:?}").contains(secret));
    let req = hostapi::wedos::protocol::build_request(
        "http://x/wapi/json",
        &Call::Ping,
        "u@example.com",
        secret,
        1_768_473_000,
        &RequestOptions::default(),
    )
    .unwrap();
    assert!(!req.body.contains(secret) && !format!("{req:?}").contains(secret));
}

#[test]
fn webhook_notifications_parse() {
    let doc = json!({"notify": {"code": "1000", "result": "OK", "clTRID": "c1", "svTRID": "s1", "command": "ping-async",
                                "ID": "7", "data": {"done": 1}}});
    let body = form_urlencoded::Serializer::new(String::new()).append_pair("request", &doc.to_string()).finish();
    let n = hostapi::wedos::protocol::parse_notification(body.as_bytes()).unwrap();
    assert_eq!((n.id.as_deref(), n.code, n.command.as_deref()), (Some("7"), 1000, Some("ping-async")));
    let e = hostapi::wedos::protocol::parse_notification(b"hello=world").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
}

/// Every request of the model, sent and read from the model alone (as a command added only to the model is):
/// the same result as its typed call, against the emulator.
#[tokio::test]
async fn every_request_from_the_model_alone() {
    let emu = emulator().await;
    let c = builder(&emu).build().unwrap();
    let cases = [
        ("credit_info", json!({})),
        ("domains.list", json!({})),
        ("domains.info", json!({"name": "example.cz"})),
        ("dns.domains", json!({})),
        ("dns.domain_info", json!({"domain": "example.cz"})),
        ("dns.rows", json!({"domain": "example.cz"})),
        ("dns.add_row", json!({"domain": "example.cz", "name": "model", "rdtype": "TXT", "rdata": "from the model"})),
    ];
    for (op, args) in cases {
        let spec = hostapi::ops::Api::Wedos.op(op).unwrap();
        let checked = hostapi::ops::check_args(spec, &spec.label(), &args, true).unwrap();
        let model = protocol::Call::Model { spec, args: checked.canonical() };
        let by_model = hostapi::ops::to_json(c.execute(&model).await.unwrap_or_else(|e| panic!("{op}: {e}"))).unwrap();
        if op == "dns.add_row" {
            assert_eq!(by_model["code"], json!(1000), "{by_model}");
            continue;
        }
        let typed = c.call_json(op, &args, &RequestOptions::default()).await.unwrap();
        let strip = |mut v: Value| {
            // The envelope's clTRID/svTRID/timestamp differ per request.
            for k in ["cltrid", "svtrid", "timestamp"] {
                if let Some(o) = v.as_object_mut() {
                    o.remove(k);
                }
            }
            v
        };
        assert_eq!(strip(by_model), strip(typed), "{op}");
    }
    let rows = c.dns().rows("example.cz").await.unwrap();
    assert!(rows.iter().any(|r| r.name == "model" && r.rdata == "from the model"), "{rows:?}");
}
