//! Shared helpers of the WEDOS integration tests: an emulator, raw WAPI requests over reqwest, and an `auth`
//! computed here (sha1 and the Europe/Prague rules written independently of the core crate) from the EMULATOR's
//! clock.
#![allow(dead_code)]

use hostapi_emulator::{Emulator, EmulatorConfig, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

pub const USER: &str = DEMO_WEDOS_USER;
pub const PASSWORD: &str = DEMO_WEDOS_PASSWORD;

pub fn sha1_hex(s: &str) -> String {
    let mut h = Sha1::new();
    h.update(s.as_bytes());
    hex::encode(h.finalize())
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day of the month of the last Sunday of a 31-day month.
fn last_sunday(y: i64, m: i64) -> i64 {
    let days = days_from_civil(y, m, 31);
    let weekday = (days + 4).rem_euclid(7); // 1970-01-01 was a Thursday; 0 = Sunday
    31 - weekday
}

fn utc_year(unix: i64) -> i64 {
    // Good enough for 1971..2100: find the year whose 1 January precedes `unix`.
    let mut y = 1970 + unix.div_euclid(365 * 86_400 + 21_000);
    while days_from_civil(y + 1, 1, 1) * 86_400 <= unix {
        y += 1;
    }
    while days_from_civil(y, 1, 1) * 86_400 > unix {
        y -= 1;
    }
    y
}

/// Europe/Prague hour at `unix`: UTC+2 from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday
/// of October, UTC+1 otherwise.
pub fn prague_hour(unix: i64) -> u8 {
    let y = utc_year(unix);
    let start = days_from_civil(y, 3, last_sunday(y, 3)) * 86_400 + 3600;
    let end = days_from_civil(y, 10, last_sunday(y, 10)) * 86_400 + 3600;
    let offset = if unix >= start && unix < end { 2 } else { 1 };
    ((unix + offset * 3600).rem_euclid(86_400) / 3600) as u8
}

pub fn auth_for_hour(user: &str, password: &str, hour: u8) -> String {
    sha1_hex(&format!("{user}{}{hour:02}", sha1_hex(password)))
}

pub fn system_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// A response's numeric code, whether a number or a string.
pub fn code(resp: &Value) -> i64 {
    match &resp["code"] {
        Value::Number(n) => n.as_i64().expect("integer code"),
        Value::String(s) => s.parse().unwrap_or_else(|_| panic!("non-numeric code in {resp}")),
        _ => panic!("no code in {resp}"),
    }
}

pub struct Wapi {
    pub emu: Emulator,
    pub http: reqwest::Client,
}

impl Wapi {
    pub async fn start() -> Wapi {
        Self::start_with(EmulatorConfig::default()).await
    }

    /// Starts an emulator and moves its clock to the middle of an hour, so no test straddles an hour boundary.
    pub async fn start_with(config: EmulatorConfig) -> Wapi {
        let emu = Emulator::start(config).await.expect("emulator starts");
        let w = Wapi { emu, http: reqwest::Client::new() };
        w.mid_hour().await;
        w
    }

    /// Sets the clock offset so that the emulator's time is HH:20:00 of the current hour (plus elapsed time).
    pub async fn mid_hour(&self) {
        let now = system_now();
        let target = now - now.rem_euclid(3600) + 1200;
        self.set_offset(target - now).await;
    }

    pub fn url(&self) -> String {
        self.emu.wedos_url()
    }

    /// The emulator's clock.
    pub async fn now(&self) -> i64 {
        self.control_get("/_emulator/clock").await["now"].as_i64().expect("now")
    }

    pub async fn offset(&self) -> i64 {
        self.control_get("/_emulator/clock").await["offset_secs"].as_i64().expect("offset")
    }

    pub async fn set_offset(&self, offset: i64) {
        let (status, body) = self.control_post("/_emulator/clock", json!({"offset_secs": offset})).await;
        assert_eq!(status, 200, "{body}");
    }

    /// Moves the emulator's clock so that its now is `unix` (give or take the time the call takes).
    pub async fn set_time(&self, unix: i64) {
        self.set_offset(unix - system_now()).await;
    }

    /// Moves the emulator's clock forward by `secs`.
    pub async fn advance(&self, secs: i64) {
        let off = self.offset().await;
        self.set_offset(off + secs).await;
    }

    /// `auth` of the demo account for the emulator's current Prague hour.
    pub async fn auth(&self) -> String {
        self.auth_of(USER, PASSWORD).await
    }

    pub async fn auth_of(&self, user: &str, password: &str) -> String {
        auth_for_hour(user, password, prague_hour(self.now().await))
    }

    /// POSTs a raw form body; (HTTP status, body text).
    pub async fn post_body(&self, body: Vec<u8>) -> (u16, String) {
        let resp = self
            .http
            .post(self.url())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("sent");
        let status = resp.status().as_u16();
        (status, resp.text().await.expect("body"))
    }

    /// POSTs `request=<text>`; returns the `response` object (asserting HTTP 200 and a JSON answer).
    pub async fn send_text(&self, text: &str) -> Value {
        let body = form_urlencoded::Serializer::new(String::new()).append_pair("request", text).finish();
        let (status, body) = self.post_body(body.into_bytes()).await;
        assert_eq!(status, 200, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
        let resp = v.get("response").cloned().unwrap_or_else(|| panic!("no response in {v}"));
        assert!(resp.is_object(), "{v}");
        resp
    }

    /// Sends `{"request": request}`.
    pub async fn send(&self, request: Value) -> Value {
        self.send_text(&json!({ "request": request }).to_string()).await
    }

    /// A demo-account request with a fresh auth and optional data.
    pub async fn call(&self, command: &str, data: Option<Value>) -> Value {
        self.call_as(USER, PASSWORD, command, data, json!({})).await
    }

    /// A request of `user` with extra envelope members (`clTRID`, `test`, …).
    pub async fn call_as(&self, user: &str, password: &str, command: &str, data: Option<Value>, extra: Value) -> Value {
        let mut r = json!({"user": user, "auth": self.auth_of(user, password).await, "command": command});
        if let Some(d) = data {
            r["data"] = d;
        }
        if let (Some(m), Value::Object(e)) = (r.as_object_mut(), extra) {
            m.extend(e);
        }
        self.send(r).await
    }

    /// A demo-account request that must answer `expected`; returns the response.
    pub async fn expect(&self, command: &str, data: Option<Value>, expected: i64) -> Value {
        let r = self.call(command, data).await;
        assert_eq!(code(&r), expected, "{command}: {r}");
        r
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
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn state(&self) -> Value {
        self.control_get("/_emulator/state").await
    }

    /// The demo account's part of `/_emulator/state`.
    pub async fn account(&self) -> Value {
        self.state().await["wedos"][USER].clone()
    }

    /// A zone's part of the demo account's state.
    pub async fn zone(&self, name: &str) -> Value {
        self.account().await["zones"][name].clone()
    }
}

/// Asserts an error answer: the code (as a number), no data, and a result containing `needle`.
#[track_caller]
pub fn assert_wapi_error(resp: &Value, expected: i64, needle: &str) {
    assert_eq!(code(resp), expected, "{resp}");
    assert!(resp["code"].is_number(), "error codes are numbers: {resp}");
    assert!(resp.get("data").is_none(), "an error carries no data: {resp}");
    let result = resp["result"].as_str().unwrap_or_else(|| panic!("no result in {resp}"));
    assert!(result.to_lowercase().contains(&needle.to_lowercase()), "result {result:?} does not mention {needle:?}");
    assert!(resp["svTRID"].as_str().is_some_and(|s| !s.is_empty()), "{resp}");
    assert!(resp.get("timestamp").is_some(), "{resp}");
    assert!(resp.get("command").is_some(), "{resp}");
}

/// The default configuration with an IP block threshold no test reaches by accident.
pub fn no_block() -> hostapi_emulator::EmulatorConfig {
    let mut c = hostapi_emulator::EmulatorConfig::default();
    c.wedos.block_threshold = 100_000;
    c
}
