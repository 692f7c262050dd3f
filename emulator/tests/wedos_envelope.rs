//! WEDOS request documents: every envelope rule with an accepted and a refused request, the non-JSON answers,
//! and garbage that must never crash the server.

mod wedos_common;

use serde_json::{json, Value};
use wedos_common::*;

#[tokio::test]
async fn envelope_errors_2000_to_2009() {
    let w = Wapi::start_with(no_block()).await;
    let auth = w.auth().await;
    // 2009: no request field, a blank one, an empty request object.
    for body in [&b""[..], b"foo=bar", b"request=", b"request=+++"] {
        let (status, text) = w.post_body(body.to_vec()).await;
        assert_eq!(status, 200);
        let v: Value = serde_json::from_str(&text).expect("json");
        assert_wapi_error(&v["response"], 2009, "Empty request");
    }
    assert_wapi_error(&w.send_text(r#"{"request":{}}"#).await, 2009, "Empty");
    // 2000: not JSON, no request object, the field twice, wrongly typed members.
    for text in ["not json", "{\"request\":", "[1,2]", r#"{"req":{"user":"x"}}"#, r#"{"request":"ping"}"#] {
        assert_wapi_error(&w.send_text(text).await, 2000, "parse");
    }
    let doc = json!({"request": {"user": USER, "auth": auth, "command": "ping"}}).to_string();
    let twice = form_urlencoded::Serializer::new(String::new())
        .append_pair("request", &doc)
        .append_pair("request", &doc)
        .finish();
    let (_, text) = w.post_body(twice.into_bytes()).await;
    assert!(text.contains("\"code\":2000"), "{text}");
    assert_wapi_error(&w.send(json!({"user": 5, "auth": auth, "command": "ping"})).await, 2000, "user");
    // 2001 / 2002 / 2003: missing, null or empty.
    for user in [None, Some(Value::Null), Some(json!(""))] {
        let mut r = json!({"auth": auth, "command": "ping", "clTRID": "c-1"});
        if let Some(u) = user {
            r["user"] = u;
        }
        let resp = w.send(r).await;
        assert_wapi_error(&resp, 2001, "user");
        assert_eq!(resp["clTRID"], "c-1");
    }
    assert_wapi_error(&w.send(json!({"user": USER, "command": "ping"})).await, 2002, "auth");
    assert_wapi_error(&w.send(json!({"user": USER, "auth": "", "command": "ping"})).await, 2002, "auth");
    let r = w.send(json!({"user": USER, "auth": auth})).await;
    assert_wapi_error(&r, 2003, "command");
    assert_eq!(r["command"], "");
    // 2004: data must be an object (PHP's empty array [] and null mean none).
    for data in [json!("x"), json!(5), json!(["request data"]), json!(true)] {
        let r = w.send(json!({"user": USER, "auth": auth, "command": "ping", "data": data})).await;
        assert_wapi_error(&r, 2004, "data");
    }
    for data in [json!([]), Value::Null, json!({}), json!({"anything": 1})] {
        let r = w.send(json!({"user": USER, "auth": auth, "command": "ping", "data": data})).await;
        assert_eq!(code(&r), 1000, "{r}");
    }
    // 2005: clTRID up to 64 characters (not bytes).
    let ok64: String = "ř".repeat(64);
    let r = w.send(json!({"user": USER, "auth": auth, "command": "ping", "clTRID": ok64})).await;
    assert_eq!(code(&r), 1000, "{r}");
    assert_eq!(r["clTRID"], json!(ok64));
    let r = w.send(json!({"user": USER, "auth": auth, "command": "ping", "clTRID": "x".repeat(65)})).await;
    assert_wapi_error(&r, 2005, "clTRID");
    assert!(r.get("clTRID").is_none(), "an over-long clTRID is not echoed");
    assert_wapi_error(&w.send(json!({"user": USER, "auth": auth, "command": "ping", "clTRID": []})).await, 2000, "");
    // test: 1 / "1" / true mark a test; 0 / "0" / false do not; anything else is 2000.
    for t in [json!(1), json!("1"), json!(true)] {
        let r = w.send(json!({"user": USER, "auth": auth, "command": "ping", "test": t})).await;
        assert_eq!(code(&r), 1000);
        assert_eq!(r["test"], 1, "{r}");
    }
    for t in [json!(0), json!("0"), json!(false)] {
        let r = w.send(json!({"user": USER, "auth": auth, "command": "ping", "test": t})).await;
        assert!(r.get("test").is_none(), "{r}");
    }
    assert_wapi_error(&w.send(json!({"user": USER, "auth": auth, "command": "ping", "test": 2})).await, 2000, "test");
}

#[tokio::test]
async fn unknown_command_is_2010_and_pretty_printed_documents_are_fine() {
    let w = Wapi::start_with(no_block()).await;
    let r = w.call_as(USER, PASSWORD, "no-such-command", None, json!({"clTRID": "e-2010"})).await;
    assert_wapi_error(&r, 2010, "Unknown command");
    assert_eq!(r["command"], "no-such-command");
    assert_eq!(r["clTRID"], "e-2010");
    // Commands are case-sensitive; contact-create is not emulated.
    assert_wapi_error(&w.call("PING", None).await, 2010, "");
    assert_wapi_error(&w.call("contact-create", Some(json!({"name": "x"}))).await, 2010, "");
    // The seed's pretty-printed request, with the test flag as the string "1".
    let auth = w.auth().await;
    let text = format!(
        "{{\n\"request\":\n{{\n\"user\": \"{USER}\",\n\"auth\": \"{auth}\",\n\"command\": \"ping\",\n\"clTRID\": \"x\",\n\"test\": \"1\"\n}}\n}}"
    );
    let r = w.send_text(&text).await;
    assert_eq!(code(&r), 1000, "{r}");
    assert_eq!(r["test"], 1);
}

#[tokio::test]
async fn user_agent_limit_answers_plain_text() {
    let w = Wapi::start_with(no_block()).await;
    let (status, body) = w.control_post("/_emulator/wedos/user-agent-limit", json!({"times": 2})).await;
    assert_eq!((status, body), (200, json!({"status": "ok", "times": 2})));
    assert_eq!(w.state().await["wedos_user_agent_limit"], 2);
    for _ in 0..2 {
        let resp = w.http.post(w.url()).form(&[("request", "{}")]).send().await.expect("sent");
        assert_eq!(resp.status().as_u16(), 200);
        let ct = resp.headers()["content-type"].to_str().expect("ascii").to_string();
        assert!(ct.starts_with("text/plain"), "{ct}");
        assert_eq!(resp.text().await.expect("body"), "User-Agent Rate Limit");
    }
    w.expect("ping", None, 1000).await;
    // Nothing was counted for the refused requests.
    assert_eq!(w.account().await["requests_last_hour"], 1);
    let (status, _) = w.control_post("/_emulator/wedos/user-agent-limit", json!({"times": -1})).await;
    assert_eq!(status, 400);
    let (status, _) = w.control_post("/_emulator/wedos/user-agent-limit", json!({})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn html_protection_page_through_faults() {
    let w = Wapi::start_with(no_block()).await;
    let html = "<!DOCTYPE html><html><body><h1>403 Forbidden</h1><p>WEDOS Protection</p></body></html>";
    let (status, body) =
        w.control_post("/_emulator/faults", json!({"path": "/wapi/json", "status": 403, "body": html})).await;
    assert_eq!(status, 200, "{body}");
    let resp = w.http.post(w.url()).form(&[("request", "{}")]).send().await.expect("sent");
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(resp.text().await.expect("body"), html);
    w.expect("ping", None, 1000).await;
}

#[tokio::test]
async fn garbage_never_crashes_and_gets_a_wapi_answer() {
    let w = Wapi::start_with(no_block()).await;
    let auth = w.auth().await;
    let mut bodies: Vec<Vec<u8>> = vec![
        vec![0xff, 0xfe, 0x00, 0x80],
        b"request=%ZZ%".to_vec(),
        b"request=%7B%22request%22%3A%7B%22user%22%3A%5B%5D%7D%7D".to_vec(),
        b"&&&===&request".to_vec(),
        format!("request={}", "[".repeat(5000)).into_bytes(),
        "request={\"request\":{\"user\":\"\u{0}\",\"auth\":\"\u{ffff}\",\"command\":\"\u{1F600}\"}}"
            .as_bytes()
            .to_vec(),
    ];
    bodies.push(vec![b'a'; (1 << 20) + 10]);
    for body in bodies {
        let (status, text) = w.post_body(body).await;
        assert_eq!(status, 200, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert!(code(&v["response"]) >= 2000, "{v}");
    }
    // Odd data for every command: an answer, never a crash.
    let commands = [
        "ping",
        "ping-async",
        "poll-req",
        "poll-ack",
        "credit-info",
        "domains-list",
        "domain-info",
        "domain-check",
        "domain-transfer-check",
        "dns-domains-list",
        "dns-rows-list",
        "dns-row-add",
        "dns-row-update",
        "dns-row-delete",
        "dns-domain-commit",
    ];
    let datas = [
        json!({"name": [], "domain": {}, "id": -1, "row_id": 1.5, "ttl": "x", "type": 1, "rdata": null, "status": 3}),
        json!({"name": "\u{0}", "domain": "..", "id": "", "row_id": "-1", "ttl": -300, "type": "", "rdata": ""}),
        json!({"name": "a".repeat(300), "domain": "example.cz", "row_id": "99999999999999999999999", "ttl": 1e300,
               "type": "a", "rdata": "1.2.3.4"}),
    ];
    for c in commands {
        for d in &datas {
            let r = w.send(json!({"user": USER, "auth": auth, "command": c, "data": d})).await;
            assert!(r["code"].is_number() || r["code"].is_string(), "{r}");
            assert_ne!(code(&r), 2052, "{r}");
        }
    }
    // Still serving, and none of it was blocked.
    w.expect("ping", None, 1000).await;
}

#[tokio::test]
async fn extreme_clock_offsets_do_not_crash() {
    let cfg = hostapi_emulator::EmulatorConfig {
        wedos: hostapi_emulator::WedosConfig { block_threshold: 1, ..hostapi_emulator::WedosConfig::default() },
        ..hostapi_emulator::EmulatorConfig::default()
    };
    let w = Wapi::start_with(cfg).await;
    for offset in [i64::MIN, i64::MAX, -system_now() - 1, 253_402_300_800] {
        w.set_offset(offset).await;
        for _ in 0..3 {
            let r = w
                .send(json!({"user": USER, "auth": "0".repeat(40), "command": "dns-rows-list",
                                  "data": {"domain": "example.cz"}}))
                .await;
            assert!(code(&r) >= 2050, "{r}");
        }
        let st = w.state().await;
        assert!(st["wedos"][USER].is_object());
    }
}
