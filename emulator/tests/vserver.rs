//! vServer status, start/stop, stored credentials and backups.

mod common;

use common::{assert_error, Api};
use serde_json::json;

#[tokio::test]
async fn status_has_the_documented_shape() {
    let api = Api::logged_in().await;
    let body = api.ok("GET", "vserver", json!({})).await;
    assert_eq!(
        body,
        json!({"status_code": 200, "status": "running", "vrl": "vatps://c3.velneo.com:6070", "version": "25.0.4"})
    );
}

#[tokio::test]
async fn stop_and_start() {
    let api = Api::logged_in().await;
    assert_eq!(api.ok("PUT", "vserver", json!({"action": "stop"})).await, json!({"status_code": 200}));
    assert_eq!(api.ok("GET", "vserver", json!({})).await["status"], "stopped");
    // A stopped vServer cannot be administered; vServer calls still work.
    assert_error(&api.call("GET", "groups", json!({})).await, 403, "vServer is stopped");
    assert_error(&api.call("PUT", "user", json!({"username": "x"})).await, 403, "vServer is stopped");
    assert_eq!(api.ok("PUT", "vserver", json!({"action": "stop"})).await, json!({"status_code": 200}));
    assert_eq!(api.ok("PUT", "vserver", json!({"action": "start"})).await, json!({"status_code": 200}));
    assert_eq!(api.ok("PUT", "vserver", json!({"action": "start"})).await, json!({"status_code": 200}));
    assert_eq!(api.ok("GET", "vserver", json!({})).await["status"], "running");
    api.ok("GET", "groups", json!({})).await;
    assert_eq!(api.account_state().await["vserver"]["status"], "running");
}

#[tokio::test]
async fn bad_actions_are_403() {
    let api = Api::logged_in().await;
    assert_error(&api.call("PUT", "vserver", json!({"action": "restart"})).await, 403, "invalid action");
    assert_error(&api.call("GET", "vserver", json!({"action": "start"})).await, 403, "invalid action");
    assert_error(&api.call("PUT", "vserver", json!({})).await, 403, "missing parameter action");
    assert_error(&api.call("PUT", "vserver", json!({"username": "web"})).await, 403, "missing parameter password");
    assert_error(&api.call("PUT", "vserver", json!({"password": "x"})).await, 403, "missing parameter username");
}

#[tokio::test]
async fn credentials_are_stored_unchecked_and_checked_on_the_next_admin_call() {
    let api = Api::logged_in().await;
    // Wrong credentials are accepted by PUT vserver…
    let body = api.ok("PUT", "vserver", json!({"username": "web", "password": "adsas1"})).await;
    assert_eq!(body, json!({"status_code": 200}));
    // …and every administrative call then answers the documented error (HTTP 200).
    for (verb, resource, extra) in [
        ("GET", "groups", json!({})),
        ("GET", "group", json!({"name": "Administradores"})),
        ("GET", "users", json!({"groupname": "-all"})),
        ("PUT", "user", json!({"username": "nuevo"})),
        ("GET", "folders", json!({})),
        ("GET", "instances", json!({"type": "app"})),
    ] {
        let (status, body) = api.call(verb, resource, extra).await;
        assert_eq!(status, 200);
        assert_eq!(body, json!({"error": "Invalid user/password"}), "{verb} {resource}");
    }
    // Session and vServer calls are unaffected.
    api.ok("GET", "vserver", json!({})).await;
    let st = api.account_state().await;
    assert_eq!(st["credentials"], json!({"username": "web", "valid": false}));
    assert!(!st.to_string().contains("adsas1"), "state must not show passwords");
    // The right user with a wrong password is still invalid.
    api.ok("PUT", "vserver", json!({"username": "velneo", "password": "nope"})).await;
    assert_eq!(api.call("GET", "groups", json!({})).await.1, json!({"error": "Invalid user/password"}));
    // Good credentials fix it.
    api.ok("PUT", "vserver", json!({"username": "velneo", "password": "velneo"})).await;
    api.ok("GET", "groups", json!({})).await;
}

#[tokio::test]
async fn credentials_must_name_a_supervisor() {
    let api = Api::logged_in().await;
    api.ok("PUT", "user", json!({"username": "web", "password": "pw", "group": "Administradores"})).await;
    api.ok("PUT", "vserver", json!({"username": "web", "password": "pw"})).await;
    assert_eq!(api.call("GET", "groups", json!({})).await.1, json!({"error": "Invalid user/password"}));
    // Make web a supervisor through the still valid velneo credentials, then use web.
    api.ok("PUT", "vserver", json!({"username": "velneo", "password": "velneo"})).await;
    api.ok("PUT", "user", json!({"username": "web", "isSupervisor": "yes"})).await;
    api.ok("PUT", "vserver", json!({"username": "web", "password": "pw"})).await;
    api.ok("GET", "groups", json!({})).await;
    // A disabled supervisor cannot administer.
    api.ok("PUT", "user", json!({"username": "web", "accountDisabled": "yes"})).await;
    assert_eq!(api.call("GET", "groups", json!({})).await.1, json!({"error": "Invalid user/password"}));
}

#[tokio::test]
async fn backup_url_downloads() {
    let api = Api::logged_in().await;
    let body = api.ok("GET", "vserver", json!({"action": "backup"})).await;
    let url = body["url"].as_str().expect("url").to_string();
    assert!(url.starts_with(&format!("{}/_emulator/velneo/backups/", api.emu.url())), "{url}");
    assert!(url.ends_with(".zip"));
    assert_eq!(body.as_object().map(|m| m.len()), Some(2), "{body}");
    let resp = api.http.get(&url).send().await.expect("sent");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/octet-stream");
    let bytes = resp.bytes().await.expect("bytes");
    let dump: serde_json::Value = serde_json::from_slice(&bytes).expect("a JSON dump");
    assert_eq!(dump["email"], common::EMAIL);
    assert_eq!(dump["groups"][0]["Name"], "Administradores");
    assert!(!String::from_utf8_lossy(&bytes).contains(common::KEY));
    // Deterministic: the same state gives the same bytes.
    let url2 = api.ok("GET", "vserver", json!({"action": "backup"})).await["url"].as_str().expect("url").to_string();
    assert_ne!(url, url2);
    let bytes2 = api.http.get(&url2).send().await.expect("sent").bytes().await.expect("bytes");
    assert_eq!(bytes, bytes2);
    // Unknown backups are 404.
    let resp = api.http.get(format!("{}/_emulator/velneo/backups/nope.zip", api.emu.url())).send().await.expect("sent");
    assert_eq!(resp.status().as_u16(), 404);
}
