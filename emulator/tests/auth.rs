//! Login, signatures, the timestamp window, sessions and logout.

mod common;

use common::{assert_error, now, sign, Api, EMAIL, KEY};
use serde_json::json;

#[tokio::test]
async fn login_returns_a_uuid_session() {
    let mut api = Api::start().await;
    let session = api.login().await;
    assert_eq!(session.len(), 36);
    assert_eq!(session.matches('-').count(), 4);
    assert_eq!(&session[14..15], "4", "a version-4 uuid: {session}");
}

#[tokio::test]
async fn login_signature_matches_the_spec_vector() {
    // The protocol reference's example: email + 1700000000 + demo key.
    assert_eq!(sign(EMAIL, 1_700_000_000, KEY), "581a09afef2a78dae3053d55a869f158086b4adb");
    assert_eq!(hostapi::velneo::protocol::sign(EMAIL, 1_700_000_000, KEY), sign(EMAIL, 1_700_000_000, KEY));
}

#[tokio::test]
async fn login_with_wrong_signature_is_401() {
    let api = Api::start().await;
    let ts = now();
    let bad = json!({"email": EMAIL, "timestamp": ts, "signed": sign(EMAIL, ts, "wrong-key")});
    assert_error(&api.post_raw("session", "POST", &bad.to_string()).await, 401, "signature");
    // Signed over another timestamp than the one sent.
    let bad = json!({"email": EMAIL, "timestamp": ts, "signed": sign(EMAIL, ts - 1, KEY)});
    assert_error(&api.post_raw("session", "POST", &bad.to_string()).await, 401, "signature");
    // Upper-case hex is not what sha1 produces: rejected.
    let bad = json!({"email": EMAIL, "timestamp": ts, "signed": sign(EMAIL, ts, KEY).to_uppercase()});
    assert_error(&api.post_raw("session", "POST", &bad.to_string()).await, 401, "signature");
    let good = json!({"email": EMAIL, "timestamp": ts, "signed": sign(EMAIL, ts, KEY)});
    let (status, body) = api.post_raw("session", "POST", &good.to_string()).await;
    assert_eq!((status, &body["status_code"]), (200, &json!(200)));
}

#[tokio::test]
async fn login_with_unknown_email_is_401() {
    let api = Api::start().await;
    let ts = now();
    let email = "nobody@example.com";
    let p = json!({"email": email, "timestamp": ts, "signed": sign(email, ts, KEY)});
    assert_error(&api.post_raw("session", "POST", &p.to_string()).await, 401, "unknown account");
}

#[tokio::test]
async fn login_missing_parameters_is_403() {
    let api = Api::start().await;
    let ts = now();
    let signed = sign(EMAIL, ts, KEY);
    let cases = [
        (json!({"timestamp": ts, "signed": signed}), "missing parameter email"),
        (json!({"email": EMAIL, "signed": signed}), "missing parameter timestamp"),
        (json!({"email": EMAIL, "timestamp": ts}), "missing parameter signed"),
        (json!({"email": EMAIL, "timestamp": "soon", "signed": signed}), "timestamp must be an integer"),
        (json!({"email": EMAIL, "timestamp": 1.7e9, "signed": signed}), "timestamp must be an integer"),
        (json!({"email": EMAIL, "timestamp": -5, "signed": signed}), "timestamp must be an integer"),
        (json!({"email": 5, "timestamp": ts, "signed": signed}), "email must be a string"),
    ];
    for (params, message) in cases {
        assert_error(&api.post_raw("session", "POST", &params.to_string()).await, 403, message);
    }
}

#[tokio::test]
async fn timestamp_as_numeric_string_is_accepted() {
    let api = Api::start().await;
    let ts = now();
    let p = json!({"email": EMAIL, "timestamp": ts.to_string(), "signed": sign(EMAIL, ts, KEY)});
    let (status, body) = api.post_raw("session", "POST", &p.to_string()).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn stale_timestamp_is_401_and_the_clock_offset_moves_the_window() {
    let mut api = Api::start().await;
    let old = now() - 301;
    let p = json!({"email": EMAIL, "timestamp": old, "signed": sign(EMAIL, old, KEY)});
    assert_error(&api.post_raw("session", "POST", &p.to_string()).await, 401, "timestamp");
    let future = now() + 400;
    let p2 = json!({"email": EMAIL, "timestamp": future, "signed": sign(EMAIL, future, KEY)});
    assert_error(&api.post_raw("session", "POST", &p2.to_string()).await, 401, "timestamp");
    // Within the window: fine.
    let recent = now() - 250;
    let p3 = json!({"email": EMAIL, "timestamp": recent, "signed": sign(EMAIL, recent, KEY)});
    assert_eq!(api.post_raw("session", "POST", &p3.to_string()).await.0, 200);

    // Move the emulator's clock 1000 s back: the old timestamp fits, a current one does not.
    let (status, clock) = api.control_post("/_emulator/clock", json!({"offset_secs": -1000})).await;
    assert_eq!(status, 200);
    assert_eq!(clock["offset_secs"], -1000);
    let shifted = now() - 1000;
    let p4 = json!({"email": EMAIL, "timestamp": shifted, "signed": sign(EMAIL, shifted, KEY)});
    assert_eq!(api.post_raw("session", "POST", &p4.to_string()).await.0, 200);
    let current = now();
    let p5 = json!({"email": EMAIL, "timestamp": current, "signed": sign(EMAIL, current, KEY)});
    assert_error(&api.post_raw("session", "POST", &p5.to_string()).await, 401, "timestamp");

    // The window applies to every call, not only the login.
    let clock = api.control_get("/_emulator/clock").await;
    assert_eq!(clock["offset_secs"], -1000);
    api.control_post("/_emulator/clock", json!({"offset_secs": 0})).await;
    api.login().await;
    let stale = now() - 600;
    let p6 = json!({"session": api.session, "timestamp": stale, "signed": sign(&api.session, stale, KEY)});
    assert_error(&api.post_raw("vserver", "GET", &p6.to_string()).await, 401, "timestamp");
}

#[tokio::test]
async fn calls_need_session_timestamp_and_signed() {
    let api = Api::logged_in().await;
    let ts = now();
    let s = api.session.clone();
    let signed = sign(&s, ts, KEY);
    // A missing session is an authentication failure.
    let no_session = json!({"timestamp": ts, "signed": signed});
    assert_error(&api.post_raw("vserver", "GET", &no_session.to_string()).await, 401, "session");
    let no_ts = json!({"session": s, "signed": signed});
    assert_error(&api.post_raw("vserver", "GET", &no_ts.to_string()).await, 403, "missing parameter timestamp");
    let no_signed = json!({"session": s, "timestamp": ts});
    assert_error(&api.post_raw("vserver", "GET", &no_signed.to_string()).await, 403, "missing parameter signed");
    let ok = json!({"session": s, "timestamp": ts, "signed": signed});
    assert_eq!(api.post_raw("vserver", "GET", &ok.to_string()).await.0, 200);
}

#[tokio::test]
async fn unknown_session_and_wrong_signature_are_401() {
    let api = Api::logged_in().await;
    let ts = now();
    let fake = "796bcd1d-30da-433b-a36c-f0cf7737f73f";
    let p = json!({"session": fake, "timestamp": ts, "signed": sign(fake, ts, KEY)});
    assert_error(&api.post_raw("vserver", "GET", &p.to_string()).await, 401, "session");
    // Signed with the e-mail instead of the session: wrong.
    let p = json!({"session": api.session, "timestamp": ts, "signed": sign(EMAIL, ts, KEY)});
    assert_error(&api.post_raw("vserver", "GET", &p.to_string()).await, 401, "signature");
}

#[tokio::test]
async fn session_id_is_stable_while_live() {
    let mut api = Api::start().await;
    let first = api.login().await;
    let second = api.login().await;
    assert_eq!(first, second);
    assert_eq!(api.account_state().await["logins"], 2);
    assert_eq!(api.account_state().await["sessions_active"], 1);
}

#[tokio::test]
async fn logout_ends_the_session_and_the_next_login_gets_a_new_id() {
    let mut api = Api::start().await;
    let first = api.login().await;
    let body = api.ok("DELETE", "session", json!({})).await;
    assert_eq!(body["status_code"], 200);
    assert_error(&api.call("GET", "vserver", json!({})).await, 401, "session");
    assert_error(&api.call("DELETE", "session", json!({})).await, 401, "session");
    let second = api.login().await;
    assert_ne!(first, second);
    api.ok("GET", "vserver", json!({})).await;
}

#[tokio::test]
async fn expired_sessions_answer_401_and_relogin_gets_a_new_id() {
    let mut api = Api::start().await;
    let first = api.login().await;
    let (status, body) = api.control_post("/_emulator/velneo/expire-sessions", json!({})).await;
    assert_eq!((status, &body["expired"]), (200, &json!(1)));
    assert_error(&api.call("GET", "vserver", json!({})).await, 401, "session");
    let second = api.login().await;
    assert_ne!(first, second);
    api.ok("GET", "vserver", json!({})).await;

    // With an e-mail: only that account; an unknown one is a 400.
    let (status, body) = api.control_post("/_emulator/velneo/expire-sessions", json!({"email": EMAIL})).await;
    assert_eq!((status, &body["expired"]), (200, &json!(1)));
    let (status, _) = api.control_post("/_emulator/velneo/expire-sessions", json!({"email": "x@y.z"})).await;
    assert_eq!(status, 400);
    // An empty body is accepted too.
    let resp = api.http.post(format!("{}/_emulator/velneo/expire-sessions", api.emu.url())).send().await.expect("sent");
    assert_eq!(resp.status().as_u16(), 200);
}

#[tokio::test]
async fn login_counter_counts_successful_logins_only() {
    let mut api = Api::start().await;
    assert_eq!(api.account_state().await["logins"], 0);
    api.login().await;
    let ts = now();
    let bad = json!({"email": EMAIL, "timestamp": ts, "signed": "0000"});
    api.post_raw("session", "POST", &bad.to_string()).await;
    api.login().await;
    let st = api.account_state().await;
    assert_eq!(st["logins"], 2);
    assert_eq!(st["sessions_active"], 1);
}
