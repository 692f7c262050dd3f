//! Control endpoints, fault injection, configuration and the emulator's life cycle.

mod common;

use std::time::{Duration, Instant};

use common::{assert_error, Api, EMAIL};
use hostapi_emulator::{Emulator, EmulatorConfig, VelneoAccount};
use serde_json::json;

#[tokio::test]
async fn health() {
    let api = Api::start().await;
    assert_eq!(api.control_get("/_emulator/health").await, json!({"status": "ok"}));
}

#[tokio::test]
async fn state_shows_accounts_and_clock_without_secrets() {
    let mut api = Api::start().await;
    api.login().await;
    let st = api.state().await;
    let acct = &st["velneo"][EMAIL];
    assert_eq!(acct["logins"], 1);
    assert_eq!(acct["sessions_active"], 1);
    assert_eq!(acct["vserver"], json!({"status": "running", "vrl": "vatps://c3.velneo.com:6070", "version": "25.0.4"}));
    assert_eq!(acct["groups"][0]["Name"], "Administradores");
    assert_eq!(acct["users"][0]["Name"], "velneo");
    assert_eq!(acct["folders"].as_array().map(Vec::len), Some(2));
    assert_eq!(acct["instances"], json!({"app": [], "data": []}));
    assert_eq!(acct["directories"], json!([]));
    assert_eq!(acct["credentials"], json!({"username": "velneo", "valid": true}));
    assert_eq!(st["clock"]["offset_secs"], 0);
    assert!(st["clock"]["now"].as_i64().is_some_and(|n| (n - common::now() as i64).abs() < 5));
    let text = st.to_string();
    assert!(!text.contains(common::KEY), "API key leaked");
    assert!(!text.contains("\"password\""), "password leaked");
}

#[tokio::test]
async fn reset_restores_everything() {
    let mut api = Api::start().await;
    api.login().await;
    api.ok("PUT", "group", json!({"name": "Cajeros"})).await;
    api.ok(
        "PUT",
        "instance",
        json!({"name": "D", "project": "p.vcd", "solution": "S", "folderShared": "datos/x", "type": "data"}),
    )
    .await;
    api.ok("PUT", "vserver", json!({"action": "stop"})).await;
    api.control_post("/_emulator/clock", json!({"offset_secs": 50})).await;
    api.control_post("/_emulator/faults", json!({"path": "/v1/users", "status": 500, "times": 3})).await;
    let before = api.state().await;
    assert_eq!(before["faults"].as_array().map(Vec::len), Some(1));
    let (status, body) = api.control_post("/_emulator/reset", json!({})).await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));
    let st = api.state().await;
    let acct = &st["velneo"][EMAIL];
    assert_eq!(acct["logins"], 0);
    assert_eq!(acct["sessions_active"], 0);
    assert_eq!(acct["vserver"]["status"], "running");
    assert_eq!(acct["groups"].as_array().map(Vec::len), Some(1));
    assert_eq!(acct["instances"]["data"], json!([]));
    assert_eq!(acct["directories"], json!([]));
    assert_eq!(st["clock"]["offset_secs"], 0);
    assert_eq!(st["faults"], json!([]));
    // The old session is gone.
    assert_error(&api.call("GET", "vserver", json!({})).await, 401, "session");
    api.login().await;
    api.ok("GET", "users", json!({"groupname": "-all"})).await;
}

#[tokio::test]
async fn clock_endpoint() {
    let api = Api::start().await;
    let c = api.control_get("/_emulator/clock").await;
    assert_eq!(c["offset_secs"], 0);
    let (status, c2) = api.control_post("/_emulator/clock", json!({"offset_secs": 3600})).await;
    assert_eq!(status, 200);
    assert_eq!(c2["offset_secs"], 3600);
    assert!(c2["now"].as_i64().unwrap_or(0) >= c["now"].as_i64().unwrap_or(0) + 3600);
    let (status, body) = api.control_post("/_emulator/clock", json!({"offset": 1})).await;
    assert_eq!(status, 400);
    assert!(body["error"].is_string());
    let (status, _) = api.control_post("/_emulator/clock", json!({"offset_secs": "1"})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn faults_answer_then_expire() {
    let api = Api::logged_in().await;
    let (status, body) = api
        .control_post(
            "/_emulator/faults",
            json!({"path": "/v1/vserver", "status": 503, "body": "down for maintenance", "times": 2}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["faults"][0]["times"], 2);
    for _ in 0..2 {
        let (status, body) = api.call("PUT", "vserver", json!({"action": "stop"})).await;
        assert_eq!((status, body), (503, json!("down for maintenance")));
    }
    // Faulted requests did not touch the state.
    assert_eq!(api.account_state().await["vserver"]["status"], "running");
    // Other paths were never affected, and the third request passes.
    api.ok("GET", "groups", json!({})).await;
    api.ok("GET", "vserver", json!({})).await;
    assert_eq!(api.control_get("/_emulator/faults").await, json!({"faults": []}));
}

#[tokio::test]
async fn fault_without_body_uses_the_reason_phrase_and_can_be_cleared() {
    let api = Api::logged_in().await;
    api.control_post("/_emulator/faults", json!({"path": "/v1/groups", "status": 500, "times": 5})).await;
    let (status, body) = api.call("GET", "groups", json!({})).await;
    assert_eq!((status, body), (500, json!("Internal Server Error")));
    let resp = api.http.delete(format!("{}/_emulator/faults", api.emu.url())).send().await.expect("sent");
    assert_eq!(resp.status().as_u16(), 200);
    let body: serde_json::Value = serde_json::from_str(&resp.text().await.expect("body")).expect("json");
    assert_eq!(body, json!({"status": "ok", "cleared": 1}));
    api.ok("GET", "groups", json!({})).await;
}

#[tokio::test]
async fn delay_only_fault_delays_then_processes() {
    let api = Api::logged_in().await;
    api.control_post("/_emulator/faults", json!({"path": "/v1/vserver", "delay_ms": 300, "times": 1})).await;
    let t = Instant::now();
    let body = api.ok("GET", "vserver", json!({})).await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(body["status"], "running");
    // The delay was used up: no fault is left, and the next call is answered normally.
    assert_eq!(api.state().await["faults"], json!([]));
    api.ok("GET", "vserver", json!({})).await;
    // Status and delay together.
    api.control_post("/_emulator/faults", json!({"path": "/v1/vserver", "status": 429, "delay_ms": 200})).await;
    let t = Instant::now();
    let (status, _) = api.call("GET", "vserver", json!({})).await;
    assert_eq!(status, 429);
    assert!(t.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn bad_fault_requests_are_400() {
    let api = Api::start().await;
    for bad in [
        json!({"status": 500}),
        json!({"path": "v1/vserver", "status": 500}),
        json!({"path": "/v1/vserver"}),
        json!({"path": "/v1/vserver", "status": 99}),
        json!({"path": "/v1/vserver", "status": 500, "times": 0}),
        json!({"path": "/v1/vserver", "status": 500, "colour": "red"}),
        json!({"path": "/_emulator/reset", "status": 500}),
    ] {
        let (status, body) = api.control_post("/_emulator/faults", bad.clone()).await;
        assert_eq!(status, 400, "{bad} → {body}");
        assert!(body["error"].is_string());
    }
}

#[tokio::test]
async fn backup_downloads_can_be_faulted() {
    let api = Api::logged_in().await;
    let url = api.ok("GET", "vserver", json!({"action": "backup"})).await["url"].as_str().expect("url").to_string();
    let path = url.trim_start_matches(&api.emu.url()).to_string();
    api.control_post("/_emulator/faults", json!({"path": path, "status": 502})).await;
    assert_eq!(api.http.get(&url).send().await.expect("sent").status().as_u16(), 502);
    assert_eq!(api.http.get(&url).send().await.expect("sent").status().as_u16(), 200);
}

#[tokio::test]
async fn urls_and_addr() {
    let api = Api::start().await;
    let addr = api.emu.addr();
    assert_ne!(addr.port(), 0);
    assert_eq!(api.emu.url(), format!("http://127.0.0.1:{}", addr.port()));
    assert_eq!(api.emu.velneo_url(), format!("http://127.0.0.1:{}/v1", addr.port()));
}

#[tokio::test]
async fn stop_shuts_the_server_down() {
    let emu = Emulator::start(EmulatorConfig::default()).await.expect("start");
    let url = format!("{}/_emulator/health", emu.url());
    let http = reqwest::Client::new();
    assert!(http.get(&url).send().await.is_ok());
    emu.stop().await;
    let fresh = reqwest::Client::new();
    assert!(fresh.get(&url).send().await.is_err());
}

#[test]
fn start_blocking_works_without_a_runtime_and_drop_stops_it() {
    let emu = Emulator::start_blocking(EmulatorConfig::default()).expect("start");
    let url = format!("{}/_emulator/health", emu.url());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let body = rt.block_on(async { reqwest::get(&url).await.expect("sent").text().await.expect("body") });
    assert_eq!(body, r#"{"status":"ok"}"#);
    drop(emu);
    let after = rt.block_on(async { reqwest::Client::new().get(&url).send().await });
    assert!(after.is_err());
}

#[tokio::test]
async fn config_from_json_with_a_custom_account() {
    let config = EmulatorConfig::from_json_str(
        r#"{"velneo": {"timestamp_window_secs": 10, "accounts": [
            {"email": "me@example.com", "api_key": "k3y"},
            {"email": "bare@example.com", "api_key": "k", "credentials": null,
             "vserver": {"running": false, "vrl": "vatp://x:1", "version": "7.8.0"}}
        ]}}"#,
    )
    .expect("config parses");
    assert!(!format!("{config:?}").contains("k3y"), "Debug must not show API keys");
    let api = Api::start_with(config).await;
    let st = api.state().await;
    let me = &st["velneo"]["me@example.com"];
    assert_eq!(me["folders"][1]["path"], "/home/me@example.com/Velneo/datos");
    assert_eq!(st["velneo"]["bare@example.com"]["vserver"]["status"], "stopped");
    assert_eq!(st["velneo"]["bare@example.com"]["credentials"], json!(null));
    assert!(st["velneo"].get(EMAIL).is_none());
    // Log in with the custom account; the narrow window applies.
    let ts = common::now();
    let p = json!({"email": "me@example.com", "timestamp": ts, "signed": common::sign("me@example.com", ts, "k3y")});
    assert_eq!(api.post_raw("session", "POST", &p.to_string()).await.0, 200);
    let old = ts - 20;
    let p = json!({"email": "me@example.com", "timestamp": old, "signed": common::sign("me@example.com", old, "k3y")});
    assert_error(&api.post_raw("session", "POST", &p.to_string()).await, 401, "timestamp");
}

#[tokio::test]
async fn invalid_configs_are_refused() {
    let mut config = EmulatorConfig::default();
    config.velneo.accounts.push(VelneoAccount::demo());
    assert!(Emulator::start(config).await.is_err(), "duplicate account");
    let mut config = EmulatorConfig::default();
    config.velneo.accounts[0].users[0].groups.push("Nadie".into());
    assert!(Emulator::start(config).await.is_err(), "unknown group");
    assert!(EmulatorConfig::from_json_str(r#"{"prot": 1}"#).is_err());
}
