//! Shared helpers of the emulator's integration tests: start an emulator on port 0 and talk to it with reqwest.
#![allow(dead_code)]

use hostapi_emulator::{Emulator, EmulatorConfig, DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

pub const EMAIL: &str = DEMO_VELNEO_EMAIL;
pub const KEY: &str = DEMO_VELNEO_API_KEY;

/// `sha1(subject + timestamp + key)`, lowercase hex — computed here independently of the core crate.
pub fn sign(subject: &str, timestamp: u64, key: &str) -> String {
    let mut h = Sha1::new();
    h.update(format!("{subject}{timestamp}{key}").as_bytes());
    hex::encode(h.finalize())
}

pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A test's emulator, HTTP client and (once logged in) session.
pub struct Api {
    pub emu: Emulator,
    pub http: reqwest::Client,
    pub session: String,
}

/// Parses a body as JSON, or keeps it as a JSON string when it is not JSON.
fn body_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

impl Api {
    pub async fn start() -> Api {
        Self::start_with(EmulatorConfig::default()).await
    }

    pub async fn start_with(config: EmulatorConfig) -> Api {
        let emu = Emulator::start(config).await.expect("emulator starts");
        Api { emu, http: reqwest::Client::new(), session: String::new() }
    }

    /// Started and logged in with the demo account.
    pub async fn logged_in() -> Api {
        let mut api = Self::start().await;
        api.login().await;
        api
    }

    /// Any HTTP method to `path` (relative to the emulator's root), with a form body.
    pub async fn send(&self, method: reqwest::Method, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let url = format!("{}{path}", self.emu.url());
        let resp = self.http.request(method, url).form(form).send().await.expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body read");
        (status, body_value(&text))
    }

    /// The documented wire: `POST /v1/<resource>` with `method=VERB&params=TEXT`.
    pub async fn post_raw(&self, resource: &str, verb: &str, params: &str) -> (u16, Value) {
        self.send(reqwest::Method::POST, &format!("/v1/{resource}"), &[("method", verb), ("params", params)]).await
    }

    /// Logs in with the demo account; stores and returns the session.
    pub async fn login(&mut self) -> String {
        let ts = now();
        let params = json!({"email": EMAIL, "timestamp": ts, "signed": sign(EMAIL, ts, KEY)});
        let (status, body) = self.post_raw("session", "POST", &params.to_string()).await;
        assert_eq!(status, 200, "login failed: {body}");
        self.session = body["session"].as_str().expect("session id").to_string();
        self.session.clone()
    }

    /// The mandatory fields for the current session plus `extra`'s members.
    pub fn authed(&self, extra: Value) -> Value {
        let ts = now();
        let mut v = json!({"session": self.session, "timestamp": ts, "signed": sign(&self.session, ts, KEY)});
        if let (Some(m), Value::Object(e)) = (v.as_object_mut(), extra) {
            m.extend(e);
        }
        v
    }

    /// An authenticated call on the documented wire.
    pub async fn call(&self, verb: &str, resource: &str, extra: Value) -> (u16, Value) {
        self.post_raw(resource, verb, &self.authed(extra).to_string()).await
    }

    /// An authenticated call that must succeed; returns the body.
    pub async fn ok(&self, verb: &str, resource: &str, extra: Value) -> Value {
        let (status, body) = self.call(verb, resource, extra).await;
        assert_eq!(status, 200, "{verb} {resource} failed: {body}");
        assert!(body.get("error").is_none(), "{verb} {resource} failed: {body}");
        if let Some(code) = body.get("status_code") {
            assert_eq!(code, 200, "{body}");
        }
        body
    }

    pub async fn control_get(&self, path: &str) -> Value {
        let resp = self.http.get(format!("{}{path}", self.emu.url())).send().await.expect("sent");
        assert_eq!(resp.status().as_u16(), 200);
        serde_json::from_str(&resp.text().await.expect("body")).expect("json")
    }

    pub async fn control_post(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.emu.url()))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("sent");
        let status = resp.status().as_u16();
        (status, body_value(&resp.text().await.expect("body")))
    }

    pub async fn state(&self) -> Value {
        self.control_get("/_emulator/state").await
    }

    /// The demo account's part of `/_emulator/state`.
    pub async fn account_state(&self) -> Value {
        self.state().await["velneo"][EMAIL].clone()
    }
}

/// Asserts a JSON error answer `{"status_code": N, "message": "…"}` with HTTP status N whose message contains
/// `needle` (case-insensitive).
#[track_caller]
pub fn assert_error(answer: &(u16, Value), code: u16, needle: &str) {
    let (status, body) = answer;
    assert_eq!(*status, code, "HTTP status of {body}");
    assert_eq!(body["status_code"], code, "status_code of {body}");
    let message = body["message"].as_str().unwrap_or_else(|| panic!("no message in {body}"));
    assert!(message.to_lowercase().contains(&needle.to_lowercase()), "message {message:?} does not mention {needle:?}");
}
