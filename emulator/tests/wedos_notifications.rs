//! WEDOS asynchronous requests and the POLL queue: ping-async, poll-req, poll-ack, notifications queued by tests.

mod wedos_common;

use std::time::Duration;

use hostapi_emulator::{EmulatorConfig, WedosAccount, WedosConfig};
use serde_json::{json, Value};
use wedos_common::*;

async fn wait_for_queue(w: &Wapi, len: usize) -> Vec<Value> {
    for _ in 0..100 {
        let q = w.account().await["queue"].as_array().cloned().unwrap_or_default();
        if q.len() >= len {
            return q;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the queue never reached {len} notifications");
}

#[tokio::test]
async fn ping_async_then_poll_req_and_poll_ack() {
    let w = Wapi::start_with(no_block()).await;
    assert_eq!(w.expect("poll-req", None, 1003).await["result"], "Empty notifications queue");
    let r = w.call_as(USER, PASSWORD, "ping-async", None, json!({"clTRID": "async-42"})).await;
    assert_eq!(r["code"], "1001", "{r}");
    assert_eq!(r["result"], "Request pending");
    assert_eq!(r["command"], "ping-async");
    assert_eq!(r["clTRID"], "async-42");
    let sv = r["svTRID"].as_str().expect("svTRID").to_string();
    // Not yet: the notification arrives after async_delay_ms (300 ms by default).
    let empty = w.call("poll-req", None).await;
    assert_eq!(empty["code"], 1003, "{empty}");
    assert!(empty["timestamp"].is_string(), "the seed's empty-queue answer: numeric code, string time: {empty}");
    wait_for_queue(&w, 1).await;
    let r = w.expect("poll-req", None, 1000).await;
    assert_eq!(r["code"], "1000");
    let n = r["data"]["notify"].clone();
    assert_eq!(n["code"], "1000");
    assert_eq!(n["result"], "OK");
    assert_eq!(n["clTRID"], "async-42");
    assert_eq!(n["svTRID"], json!(sv));
    assert_eq!(n["command"], "ping-async");
    assert_eq!(n["data"], json!({"round": "1", "time": "0.300", "done": 1}));
    assert!(n["timestamp"].as_str().is_some_and(|t| t.parse::<i64>().is_ok()), "{n}");
    let id = n["ID"].as_str().expect("ID as a string").to_string();
    let keys: Vec<&str> = n.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["code", "result", "timestamp", "clTRID", "svTRID", "command", "ID", "data"]);
    // poll-req does not consume; poll-ack does.
    assert_eq!(w.expect("poll-req", None, 1000).await["data"]["notify"]["ID"], json!(id));
    let id_num: u64 = id.parse().expect("numeric id");
    let r = w.expect("poll-ack", Some(json!({"id": id_num})), 1002).await;
    assert_eq!(r["code"], "1002");
    assert_eq!(r["result"], "Notification acquired");
    assert_wapi_error(&w.call("poll-ack", Some(json!({"id": id_num}))).await, 2151, "does not exist");
    w.expect("poll-req", None, 1003).await;
    assert_wapi_error(&w.call("poll-ack", None).await, 2100, "id");
    assert_wapi_error(&w.call("poll-ack", Some(json!({"id": ""}))).await, 2101, "id");
    assert_wapi_error(&w.call("poll-ack", Some(json!({"id": "42"}))).await, 2151, "");
}

#[tokio::test]
async fn ping_async_without_cltrid_and_in_test_mode() {
    let cfg = EmulatorConfig {
        wedos: WedosConfig { async_delay_ms: 50, ..WedosConfig::default() },
        ..EmulatorConfig::default()
    };
    let w = Wapi::start_with(cfg).await;
    // Test mode: pending, but nothing is queued.
    let r = w.call_as(USER, PASSWORD, "ping-async", None, json!({"test": 1})).await;
    assert_eq!((r["code"].as_str(), r["test"].as_i64()), (Some("1001"), Some(1)));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(w.account().await["queue"], json!([]));
    w.expect("ping-async", None, 1001).await;
    let q = wait_for_queue(&w, 1).await;
    assert!(q[0].get("clTRID").is_none(), "{q:?}");
    assert_eq!(q[0]["data"]["time"], "0.050");
}

#[tokio::test]
async fn notifications_queued_through_control_keep_their_order() {
    let w = Wapi::start_with(no_block()).await;
    let other = json!({"code": 1000, "result": "Doména zaregistrována", "timestamp": 1768473000,
                       "clTRID": "reg/2026 #1", "svTRID": "1768473000.1001.1", "command": "domain-create",
                       "data": {"name": "příklad.cz"}});
    let (status, body) = w.control_post("/_emulator/wedos/notifications", json!({"user": USER, "notify": other})).await;
    assert_eq!(status, 200, "{body}");
    let first = body["id"].as_str().expect("assigned id").to_string();
    let (status, body) = w
        .control_post(
            "/_emulator/wedos/notifications",
            json!({"user": USER, "notify": {"code": "2202", "result": "Invalid domain name", "id": "4712"}}),
        )
        .await;
    assert_eq!((status, body), (200, json!({"status": "ok", "id": "4712"})));
    // The oldest first, as queued (the ID added at the end of an object without one).
    let r = w.expect("poll-req", None, 1000).await;
    assert_eq!(r["data"]["notify"]["ID"], json!(first));
    assert_eq!(r["data"]["notify"]["result"], "Doména zaregistrována");
    // Acknowledging the second (string id) first is allowed; the first stays.
    w.expect("poll-ack", Some(json!({"id": "4712"})), 1002).await;
    assert_eq!(w.expect("poll-req", None, 1000).await["data"]["notify"]["ID"], json!(first));
    // A test-mode ack changes nothing.
    let r = w.call_as(USER, PASSWORD, "poll-ack", Some(json!({"id": first})), json!({"test": 1})).await;
    assert_eq!(code(&r), 1002);
    assert_eq!(w.account().await["queue"].as_array().map(Vec::len), Some(1));
    w.expect("poll-ack", Some(json!({"id": first})), 1002).await;
    w.expect("poll-req", None, 1003).await;
    // A later ping-async gets an id above the ones seen.
    w.expect("ping-async", None, 1001).await;
    let q = wait_for_queue(&w, 1).await;
    let id: u64 = q[0]["ID"].as_str().expect("id").parse().expect("numeric");
    assert!(id > 4712);
    // Bad control input.
    for bad in [
        json!({"user": "nobody@example.com", "notify": {}}),
        json!({"user": USER}),
        json!({"user": USER, "notify": []}),
        json!({"user": USER, "notify": {"ID": {"x": 1}}}),
        json!({"user": USER, "notify": {"ID": q[0]["ID"]}}),
    ] {
        let (status, body) = w.control_post("/_emulator/wedos/notifications", bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
}

#[tokio::test]
async fn polling_not_allowed_is_2150() {
    let mut demo = WedosAccount::demo();
    demo.polling_allowed = false;
    let cfg = EmulatorConfig {
        wedos: WedosConfig { accounts: vec![demo], ..WedosConfig::default() },
        ..EmulatorConfig::default()
    };
    let w = Wapi::start_with(cfg).await;
    assert_wapi_error(&w.call("poll-req", None).await, 2150, "polling not allowed");
    assert_wapi_error(&w.call("poll-ack", Some(json!({"id": 1}))).await, 2150, "polling not allowed");
    // ping-async still answers (the notification would go by e-mail or HTTP).
    w.expect("ping-async", None, 1001).await;
}
