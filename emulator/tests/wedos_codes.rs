//! The WAPI codes that need a condition of their own: 2008 (too complex), 2011 (command disabled), 2102 (not
//! UTF-8), and any code on demand through `POST /_emulator/wedos/fail` (registry failures, fatal errors, …).

mod wedos_common;

use hostapi_emulator::{EmulatorConfig, WedosAccount};
use serde_json::{json, Value};
use wedos_common::*;

#[tokio::test]
async fn deeply_nested_data_is_too_complex() {
    let w = Wapi::start_with(no_block()).await;
    let mut deep = json!("x");
    for _ in 0..17 {
        deep = json!([deep]);
    }
    assert_wapi_error(&w.call("ping", Some(json!({"x": deep}))).await, 2008, "too complex");
    // Sixteen levels are fine.
    let mut ok = json!("x");
    for _ in 0..16 {
        ok = json!([ok]);
    }
    assert_eq!(code(&w.call("ping", Some(json!({"x": ok}))).await), 1000);
}

#[tokio::test]
async fn a_request_that_is_not_utf8_is_an_encoding_mismatch() {
    let w = Wapi::start_with(no_block()).await;
    let auth = w.auth().await;
    let doc = json!({"request": {"user": USER, "auth": auth, "command": "ping", "clTRID": "X"}}).to_string();
    // The same document with the clTRID's "X" replaced by the Latin-1 byte of "é" (%E9): not UTF-8.
    let encoded = form_urlencoded::Serializer::new(String::new()).append_pair("request", &doc).finish();
    let latin1 = encoded.replace("%22X%22", "%22%E9%22");
    let (status, text) = w.post_body(latin1.into_bytes()).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&text).expect("json");
    assert_wapi_error(&v["response"], 2102, "not UTF-8");
    // Proper UTF-8 (%C3%A9) is accepted.
    let (_, text) = w.post_body(encoded.replace("%22X%22", "%22%C3%A9%22").into_bytes()).await;
    let v: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(code(&v["response"]), 1000, "{v}");
}

#[tokio::test]
async fn disabled_commands_answer_2011() {
    let mut account = WedosAccount::demo();
    account.disabled_commands = vec!["credit-info".into()];
    let mut config = no_block();
    config.wedos.accounts = vec![account];
    let w = Wapi::start_with(config).await;
    assert_wapi_error(&w.call("credit-info", None).await, 2011, "disabled");
    assert_eq!(code(&w.call("ping", None).await), 1000);
    assert_eq!(w.account().await["disabled_commands"], json!(["credit-info"]));
}

#[tokio::test]
async fn answer_faults_give_any_code_to_matching_requests() {
    let w = Wapi::start_with(no_block()).await;
    let (status, _) =
        w.control_post("/_emulator/wedos/fail", json!({"command": "dns-rows-list", "code": 4000, "times": 2})).await;
    assert_eq!(status, 200);
    let (status, _) = w.control_post("/_emulator/wedos/fail", json!({"code": 5001, "result": "Out of order"})).await;
    assert_eq!(status, 200);
    let rows = Some(json!({"domain": "example.cz"}));
    // The command-specific fault comes first for its command; the catch-all one for the next other command.
    assert_wapi_error(&w.call("dns-rows-list", rows.clone()).await, 4000, "");
    assert_wapi_error(&w.call("ping", None).await, 5001, "Out of order");
    assert_wapi_error(&w.call("dns-rows-list", rows.clone()).await, 4000, "");
    assert_eq!(code(&w.call("dns-rows-list", rows).await), 1000, "used up");
    // Faults apply only after authentication: a wrong auth is still 2050.
    w.control_post("/_emulator/wedos/fail", json!({"code": 3222})).await;
    let bad = w.send(json!({"user": USER, "auth": "0".repeat(40), "command": "ping"})).await;
    assert_wapi_error(&bad, 2050, "");
    assert_wapi_error(&w.call("ping", None).await, 3222, "");
    // Bad fault requests are 400.
    for body in [json!({"code": 1000}), json!({"code": 4000, "times": 0}), json!({"code": 4000, "user": "nobody"})] {
        assert_eq!(w.control_post("/_emulator/wedos/fail", body).await.0, 400);
    }
    // A reset disarms them.
    w.control_post("/_emulator/wedos/fail", json!({"code": 4000})).await;
    w.control_post("/_emulator/reset", json!({})).await;
    w.mid_hour().await;
    assert_eq!(code(&w.call("ping", None).await), 1000);
}

#[test]
fn config_files_take_disabled_commands() {
    let c = EmulatorConfig::from_json_str(
        r#"{"wedos": {"accounts": [{"user": "a@b.cz", "password": "p", "disabled_commands": ["domain-check"]}]}}"#,
    )
    .unwrap();
    assert_eq!(c.wedos.accounts[0].disabled_commands, ["domain-check"]);
}
