//! WEDOS authentication: the Prague-hour `auth`, the emulator's clock, DST, the IP allow-list and the IP block.

mod wedos_common;

use hostapi_emulator::{EmulatorConfig, WedosConfig};
use serde_json::{json, Value};
use wedos_common::*;

#[test]
fn independent_prague_hour_matches_the_knowledge_base() {
    assert_eq!(prague_hour(1_768_473_000), 11);
    assert_eq!(auth_for_hour("tester", "123456", 11), "ac28237e80e68efa3bfd07f42dca3d41c5986e01");
    assert_eq!(prague_hour(1_774_745_999), 1); // 2026-03-29 00:59:59 UTC, CET
    assert_eq!(prague_hour(1_774_746_000), 3); // 01:00:00 UTC, CEST
    assert_eq!(prague_hour(1_792_889_999), 2); // 2026-10-25 00:59:59 UTC, CEST
    assert_eq!(prague_hour(1_792_890_000), 2); // 01:00:00 UTC, CET again
}

fn timestamp(resp: &Value) -> i64 {
    match &resp["timestamp"] {
        Value::Number(n) => n.as_i64().expect("integer"),
        Value::String(s) => s.parse().expect("numeric timestamp"),
        other => panic!("bad timestamp {other}"),
    }
}

#[tokio::test]
async fn ping_answers_like_the_seed() {
    let w = Wapi::start().await;
    let now = w.now().await;
    let r = w.call_as(USER, PASSWORD, "ping", None, json!({"clTRID": "ping-0001"})).await;
    assert_eq!(r["code"], json!("1000"), "ping answers its code as a string: {r}");
    assert_eq!(r["result"], "OK");
    assert!(r["timestamp"].is_string(), "{r}");
    assert!((timestamp(&r) - now).abs() <= 2, "timestamp on the emulator clock: {r}");
    assert_eq!(r["clTRID"], "ping-0001");
    assert_eq!(r["command"], "ping");
    assert!(r.get("data").is_none() && r.get("test").is_none(), "{r}");
    let sv1 = r["svTRID"].as_str().expect("svTRID").to_string();
    let r2 = w.call("ping", None).await;
    assert!(r2.get("clTRID").is_none(), "no clTRID given, none echoed: {r2}");
    assert_ne!(r2["svTRID"].as_str(), Some(sv1.as_str()), "a fresh svTRID each time");
    assert_eq!(w.account().await["codes"]["1000"], 2);
}

#[tokio::test]
async fn wrong_password_unknown_user_and_malformed_auth_are_2050() {
    let w = Wapi::start().await;
    let hour = prague_hour(w.now().await);
    let good = auth_for_hour(USER, PASSWORD, hour);
    assert_eq!(code(&w.send(json!({"user": USER, "auth": good, "command": "ping"})).await), 1000);
    for (user, auth) in [
        (USER, auth_for_hour(USER, "wrong", hour)),
        ("nobody@example.com", auth_for_hour("nobody@example.com", PASSWORD, hour)),
        (USER, good.to_uppercase()),
        (USER, format!("{good} ")),
        (USER, auth_for_hour(USER, "", hour)),
        // The account password in clear, the password hash, and a 1-digit hour are all wrong.
        (USER, PASSWORD.to_string()),
        (USER, sha1_hex(PASSWORD)),
    ] {
        let r = w.send(json!({"user": user, "auth": auth, "command": "ping", "clTRID": "a-1"})).await;
        assert_wapi_error(&r, 2050, "Authentication failure");
        assert_eq!(r["clTRID"], "a-1");
        assert_eq!(r["command"], "ping");
    }
    if hour < 10 {
        let unpadded = sha1_hex(&format!("{USER}{}{hour}", sha1_hex(PASSWORD)));
        assert_wapi_error(&w.send(json!({"user": USER, "auth": unpadded, "command": "ping"})).await, 2050, "");
    }
    // The user is case-sensitive.
    let upper = USER.to_uppercase();
    let r = w.send(json!({"user": upper, "auth": auth_for_hour(&upper, PASSWORD, hour), "command": "ping"})).await;
    assert_wapi_error(&r, 2050, "Authentication");
    assert_eq!(w.account().await["codes"]["2050"], 6 + u64::from(hour < 10));
}

#[tokio::test]
async fn only_the_current_prague_hour_of_the_emulator_clock_is_accepted() {
    let w = Wapi::start().await;
    let now = w.now().await;
    let old = auth_for_hour(USER, PASSWORD, prague_hour(now));
    assert_eq!(code(&w.send(json!({"user": USER, "auth": old, "command": "ping"})).await), 1000);
    // One hour later on the emulator's clock the old hour's auth is refused, the new one accepted.
    w.advance(3600).await;
    assert_ne!(prague_hour(w.now().await), prague_hour(now));
    assert_wapi_error(&w.send(json!({"user": USER, "auth": old, "command": "ping"})).await, 2050, "Authentication");
    assert_eq!(w.expect("ping", None, 1000).await["code"], "1000");
    // The neighbouring hours and the host's own clock (without the offset) are refused too.
    let emu_hour = prague_hour(w.now().await);
    for h in [(emu_hour + 1) % 24, (emu_hour + 23) % 24] {
        let auth = auth_for_hour(USER, PASSWORD, h);
        assert_wapi_error(&w.send(json!({"user": USER, "auth": auth, "command": "ping"})).await, 2050, "");
    }
    w.advance(2 * 3600).await;
    let host = auth_for_hour(USER, PASSWORD, prague_hour(system_now()));
    assert_ne!(prague_hour(system_now()), prague_hour(w.now().await));
    assert_wapi_error(&w.send(json!({"user": USER, "auth": host, "command": "ping"})).await, 2050, "");
}

/// Sets the emulator's clock to `target` and sends one ping signed for `hour`; retries until the answer was given
/// exactly at `target` (the clock keeps running between the two calls). Returns the answer's code.
async fn ping_at(w: &Wapi, target: i64, hour: u8) -> i64 {
    for _ in 0..10 {
        w.set_time(target).await;
        let r = w.send(json!({"user": USER, "auth": auth_for_hour(USER, PASSWORD, hour), "command": "ping"})).await;
        if timestamp(&r) == target {
            return code(&r);
        }
    }
    panic!("could not hit the emulator time {target}");
}

#[tokio::test]
async fn dst_spring_switch_moves_the_accepted_hour_from_01_to_03() {
    let cfg = EmulatorConfig {
        wedos: WedosConfig { block_threshold: 100, ..WedosConfig::default() },
        ..EmulatorConfig::default()
    };
    let w = Wapi::start_with(cfg).await;
    let last_cet = 1_774_745_999; // 2026-03-29 00:59:59 UTC = 01:59:59 CET
    let first_cest = 1_774_746_000; // 2026-03-29 01:00:00 UTC = 03:00:00 CEST
    assert_eq!(ping_at(&w, last_cet, 1).await, 1000);
    assert_eq!(ping_at(&w, last_cet, 2).await, 2050);
    assert_eq!(ping_at(&w, last_cet, 3).await, 2050);
    assert_eq!(ping_at(&w, last_cet, 0).await, 2050); // UTC's hour
    assert_eq!(ping_at(&w, first_cest, 3).await, 1000);
    assert_eq!(ping_at(&w, first_cest, 2).await, 2050); // a fixed UTC+1 client
    assert_eq!(ping_at(&w, first_cest, 1).await, 2050); // UTC's hour
                                                        // Autumn: 00:59:59 UTC is 02:59:59 CEST, 01:00:00 UTC is 02:00:00 CET — "02" both times.
    assert_eq!(ping_at(&w, 1_792_889_999, 2).await, 1000);
    assert_eq!(ping_at(&w, 1_792_890_000, 2).await, 1000);
    assert_eq!(ping_at(&w, 1_792_890_000, 3).await, 2050);
}

#[tokio::test]
async fn allow_list_without_the_caller_is_2051_naming_the_ip() {
    let w = Wapi::start().await;
    w.expect("ping", None, 1000).await;
    let (status, body) =
        w.control_post("/_emulator/wedos/ips", json!({"user": USER, "allowed_ips": ["10.1.2.3", "2001:db8::1"]})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"status": "ok", "user": USER, "allowed_ips": ["10.1.2.3", "2001:db8::1"]}));
    assert_eq!(w.account().await["allowed_ips"], json!(["10.1.2.3", "2001:db8::1"]));
    let r = w.call("credit-info", None).await;
    assert_wapi_error(&r, 2051, "Access not allowed from IP address 127.0.0.1");
    assert_eq!(r["command"], "credit-info");
    // Wrong credentials from a refused address are still 2050 (authentication first).
    let r = w.send(json!({"user": USER, "auth": "0".repeat(40), "command": "ping"})).await;
    assert_wapi_error(&r, 2050, "");
    // Back on the list: accepted.
    let (status, _) = w.control_post("/_emulator/wedos/ips", json!({"user": USER, "allowed_ips": ["127.0.0.1"]})).await;
    assert_eq!(status, 200);
    w.expect("credit-info", None, 1000).await;
    // Bad control input.
    for bad in [
        json!({"user": "nobody@example.com", "allowed_ips": []}),
        json!({"user": USER, "allowed_ips": ["not an ip"]}),
        json!({"user": USER}),
        json!({"user": USER, "allowed_ips": [], "extra": 1}),
    ] {
        let (status, body) = w.control_post("/_emulator/wedos/ips", bad).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["error"].is_string());
    }
}

#[tokio::test]
async fn ipv6_loopback_caller() {
    let cfg = EmulatorConfig { host: "::1".parse().expect("ip"), ..EmulatorConfig::default() };
    let Ok(emu) = hostapi_emulator::Emulator::start(cfg).await else {
        eprintln!("no IPv6 loopback here; skipped");
        return;
    };
    let w = Wapi { emu, http: reqwest::Client::new() };
    w.mid_hour().await;
    assert!(w.url().starts_with("http://[::1]:"), "{}", w.url());
    w.expect("ping", None, 1000).await;
    w.control_post("/_emulator/wedos/ips", json!({"user": USER, "allowed_ips": ["127.0.0.1"]})).await;
    assert_wapi_error(&w.call("ping", None).await, 2051, "::1");
}

async fn ip_record(w: &Wapi) -> Value {
    w.state().await["wedos_ips"]["127.0.0.1"].clone()
}

#[tokio::test]
async fn invalid_requests_block_the_ip_and_the_block_grows() {
    let cfg = EmulatorConfig {
        wedos: WedosConfig { block_threshold: 3, block_secs: 1, ..WedosConfig::default() },
        ..EmulatorConfig::default()
    };
    let w = Wapi::start_with(cfg).await;
    let bad = || json!({"user": USER, "auth": "0".repeat(40), "command": "ping"});
    for i in 1..=3 {
        assert_wapi_error(&w.send(bad()).await, 2050, "Authentication");
        let rec = ip_record(&w).await;
        assert_eq!(rec["invalid_last_hour"], i);
        assert_eq!(rec["blocked_until"], Value::Null, "not blocked at the threshold");
    }
    // A valid request does not count and still passes.
    w.expect("ping", None, 1000).await;
    // The 4th invalid request is answered normally, then blocks for 1 s × (4 − 3).
    let r = w.send(bad()).await;
    assert_wapi_error(&r, 2050, "");
    let t4 = r["timestamp"].as_i64().expect("numeric timestamp");
    let rec = ip_record(&w).await;
    assert_eq!(rec["invalid_last_hour"], 4);
    assert_eq!(rec["blocked_until"], t4 + 1);
    // Keep sending invalid requests until one meets the block (the clock may have ticked past the first second).
    let mut blocked = None;
    for _ in 0..10 {
        let r = w.send(bad()).await;
        if code(&r) == 2052 {
            blocked = Some(r);
            break;
        }
    }
    let r = blocked.expect("the IP gets blocked");
    assert_wapi_error(&r, 2052, "127.0.0.1");
    let rec = ip_record(&w).await;
    let n = rec["invalid_last_hour"].as_i64().expect("count");
    assert!(n >= 5);
    let b1 = rec["blocked_until"].as_i64().expect("blocked_until");
    assert_eq!(b1, timestamp(&r) + (n - 3), "1 s per invalid request beyond 3");
    // While blocked even a valid request is refused, and it lengthens the block.
    let r = w.call("ping", None).await;
    assert_wapi_error(&r, 2052, "blocked");
    let rec = ip_record(&w).await;
    assert_eq!(rec["invalid_last_hour"], n + 1);
    assert!(rec["blocked"].as_bool().expect("flag"));
    let b2 = rec["blocked_until"].as_i64().expect("blocked_until");
    assert!(b2 > b1, "the block grows: {b1} → {b2}");
    // Garbage is refused with 2052 too while blocked (before parsing), and counts.
    let (status, body) = w.post_body(b"request=%7Bnot json".to_vec()).await;
    assert_eq!(status, 200);
    assert!(body.contains("2052"), "{body}");
    // After the block (moved past on the emulator clock), valid requests pass again.
    w.advance(120).await;
    w.expect("ping", None, 1000).await;
    // But the hour's invalid requests are remembered: the next one blocks again, longer.
    let r = w.send(bad()).await;
    assert_wapi_error(&r, 2050, "");
    let rec = ip_record(&w).await;
    let n = rec["invalid_last_hour"].as_i64().expect("count");
    assert_eq!(rec["blocked_until"].as_i64(), Some(timestamp(&r) + n - 3));
    assert_wapi_error(&w.call("ping", None).await, 2052, "");
    // An hour later the counter has emptied.
    w.advance(3600 + 120).await;
    w.expect("ping", None, 1000).await;
    assert_eq!(ip_record(&w).await["invalid_last_hour"], 0);
}

#[tokio::test]
async fn refusals_before_authentication_count_as_invalid() {
    let cfg = EmulatorConfig {
        wedos: WedosConfig { block_threshold: 5, block_secs: 60, ..WedosConfig::default() },
        ..EmulatorConfig::default()
    };
    let w = Wapi::start_with(cfg).await;
    w.send_text("not json").await; // 2000
    w.send(json!({"auth": "x", "command": "ping"})).await; // 2001
    w.send(json!({"user": USER, "command": "ping"})).await; // 2002
    w.send(json!({"user": USER, "auth": "x"})).await; // 2003
    w.send(json!({"user": USER, "auth": "x", "command": "ping", "data": 5})).await; // 2004
    w.send(json!({"user": USER, "auth": "x", "command": "ping", "clTRID": "x".repeat(65)})).await; // 2005
    let rec = ip_record(&w).await;
    assert_eq!(rec["invalid_last_hour"], 6);
    assert!(rec["blocked"].as_bool().expect("flag"));
    assert_wapi_error(&w.call("ping", None).await, 2052, "");
    let b = rec["blocked_until"].as_i64().expect("until");
    assert!(b > w.now().await + 30, "60 s for the one request beyond 5");
}
