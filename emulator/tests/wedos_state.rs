//! WEDOS in the control endpoints (state, reset) and state-file persistence across a restart.

mod wedos_common;

use hostapi_emulator::{Emulator, EmulatorConfig};
use serde_json::json;
use wedos_common::*;

#[tokio::test]
async fn state_shows_wedos_without_the_password() {
    let w = Wapi::start_with(no_block()).await;
    w.expect("ping", None, 1000).await;
    w.call("nope", None).await;
    let st = w.state().await;
    let a = &st["wedos"][USER];
    assert_eq!(a["requests_last_hour"], 2);
    assert_eq!(a["domain_checks_last_hour"], 0);
    assert_eq!(a["codes"], json!({"1000": 1, "2010": 1}));
    assert_eq!(a["allowed_ips"], json!(["127.0.0.1", "::1"]));
    assert_eq!(a["polling_allowed"], true);
    assert_eq!(a["queue"], json!([]));
    assert_eq!(a["zones"]["example.cz"]["pending"], false);
    assert_eq!(a["zones"]["example.cz"]["rows"].as_array().map(Vec::len), Some(3));
    assert_eq!(st["wedos_ips"]["127.0.0.1"]["invalid_last_hour"], 1);
    let text = st.to_string();
    assert!(!text.contains("\"password\""), "password leaked");
}

#[tokio::test]
async fn reset_restores_wedos() {
    let w = Wapi::start_with(no_block()).await;
    let add = json!({"domain": "example.cz", "name": "x", "ttl": 300, "type": "A", "rdata": "192.0.2.3"});
    w.expect("dns-row-add", Some(add), 1000).await;
    w.control_post("/_emulator/wedos/notifications", json!({"user": USER, "notify": {"code": 1000}})).await;
    w.control_post("/_emulator/wedos/ips", json!({"user": USER, "allowed_ips": []})).await;
    w.control_post("/_emulator/wedos/user-agent-limit", json!({"times": 5})).await;
    let (status, _) = w.control_post("/_emulator/reset", json!({})).await;
    assert_eq!(status, 200);
    w.mid_hour().await;
    let st = w.state().await;
    let a = &st["wedos"][USER];
    assert_eq!(a["zones"]["example.cz"]["rows"].as_array().map(Vec::len), Some(3));
    assert_eq!(a["queue"], json!([]));
    assert_eq!(a["requests_last_hour"], 0);
    assert_eq!(a["allowed_ips"], json!(["127.0.0.1", "::1"]));
    assert_eq!(st["wedos_ips"], json!({}));
    assert_eq!(st["wedos_user_agent_limit"], 0);
    w.expect("ping", None, 1000).await;
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("hostapi-emu-state-{}-{}", std::process::id(), system_now()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("state.json");
    let config = || EmulatorConfig { state_file: Some(path.clone()), ..no_block() };

    // First run: the file is created at start, then changed by WEDOS and Velneo requests.
    let w = Wapi::start_with(config()).await;
    assert!(path.exists(), "written at start");
    let add = json!({"domain": "example.cz", "name": "persist", "ttl": 600, "type": "TXT", "rdata": "kept"});
    w.expect("dns-row-add", Some(add), 1000).await;
    w.expect("dns-domain-commit", Some(json!({"name": "hostapi-demo.cz"})), 1000).await;
    w.control_post("/_emulator/wedos/notifications", json!({"user": USER, "notify": {"code": 1000, "ID": "77"}})).await;
    w.control_post("/_emulator/wedos/ips", json!({"user": USER, "allowed_ips": ["127.0.0.1", "10.0.0.1"]})).await;
    // Velneo checks its timestamp window against the emulator clock, which `Wapi` moved to mid-hour.
    let ts = w.now().await;
    let sig =
        sha1_hex(&format!("{}{ts}{}", hostapi_emulator::DEMO_VELNEO_EMAIL, hostapi_emulator::DEMO_VELNEO_API_KEY));
    let params = json!({"email": hostapi_emulator::DEMO_VELNEO_EMAIL, "timestamp": ts, "signed": sig}).to_string();
    let resp = w
        .http
        .post(format!("{}/session", w.emu.velneo_url()))
        .form(&[("method", "POST"), ("params", params.as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 200);
    let before = w.state().await;
    w.emu.stop().await;
    // No temporary files are left beside it, and it is valid JSON.
    let names: Vec<String> =
        std::fs::read_dir(&dir).expect("dir").map(|e| e.expect("entry").file_name().to_string_lossy().into()).collect();
    assert_eq!(names, ["state.json"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the state file holds secrets: owner-only");
    }
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    assert_eq!(doc["format"], "hostapi-emulator-state/1");

    // Second run from the same file: everything is back.
    let w = Wapi::start_with(config()).await;
    let after = w.state().await;
    let (b, a) = (&before["wedos"][USER], &after["wedos"][USER]);
    assert_eq!(a["zones"], b["zones"]);
    assert_eq!(a["queue"], b["queue"]);
    assert_eq!(a["allowed_ips"], json!(["127.0.0.1", "10.0.0.1"]));
    assert_eq!(a["codes"], b["codes"]);
    assert_eq!(after["velneo"][hostapi_emulator::DEMO_VELNEO_EMAIL]["logins"], 1);
    let list = w.expect("dns-rows-list", Some(json!({"domain": "example.cz"})), 1000).await;
    assert!(list["data"]["row"].as_array().expect("rows").iter().any(|r| r["name"] == "persist"));
    assert_eq!(w.expect("poll-req", None, 1000).await["data"]["notify"]["ID"], "77");
    w.emu.stop().await;

    // A corrupt file stops the start instead of being overwritten.
    std::fs::write(&path, b"{not json").expect("write");
    assert!(Emulator::start(config()).await.is_err());
    assert_eq!(std::fs::read(&path).expect("read"), b"{not json");
    let _ = std::fs::remove_dir_all(&dir);
}
