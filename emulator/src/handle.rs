//! What a front end needs of an emulator it starts in-process: the configuration with an address override, and a
//! client of the control endpoints. The Python, Node and C bindings use these and only convert types.

use serde_json::Value;

use crate::{Emulator, EmulatorConfig};

impl EmulatorConfig {
    /// The configuration in its JSON form (`None`: the demo accounts), with `host`, `port` and `dns_port`
    /// overriding its addresses (port 0: a free one). An invalid one is a message saying why.
    pub fn with_address(
        json: Option<&str>,
        host: Option<&str>,
        port: Option<u16>,
        dns_port: Option<u16>,
    ) -> Result<EmulatorConfig, String> {
        let mut config = match json {
            Some(text) => EmulatorConfig::from_json_str(text).map_err(|e| format!("invalid emulator config: {e}"))?,
            None => EmulatorConfig::default(),
        };
        if let Some(h) = host {
            let h = if h == "localhost" { "127.0.0.1" } else { h };
            config.host = h.parse().map_err(|_| format!("host {h:?} is not an IP address"))?;
        }
        if let Some(p) = port {
            config.port = p;
        }
        if dns_port.is_some() {
            config.dns_port = dns_port;
        }
        Ok(config)
    }
}

/// A refused or failed control call: the HTTP status when the emulator answered, and what went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlError {
    pub status: Option<u16>,
    pub message: String,
}

impl std::fmt::Display for ControlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ControlError {}

/// A client of one emulator's control endpoints (`/_emulator/…`): reset, state, clock, faults, notifications, the
/// notification URL, … Cheap to clone; it never goes through a proxy.
#[derive(Clone, Debug)]
pub struct Control {
    base: String,
    http: reqwest::Client,
}

impl Emulator {
    /// A client of this emulator's control endpoints.
    pub fn control(&self) -> Control {
        Control::new(&self.url())
    }
}

impl Control {
    /// The control client of the emulator at `url` (`http://127.0.0.1:PORT`).
    pub fn new(url: &str) -> Control {
        let http = reqwest::Client::builder().no_proxy().build().unwrap_or_default();
        Control { base: format!("{}/_emulator", url.trim_end_matches('/')), http }
    }

    /// `METHOD /_emulator/<path>` (GET, POST or DELETE) with an optional JSON body; the answer's JSON (`null` when
    /// it is empty). A status other than 2xx is an error with the emulator's own message.
    pub async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, ControlError> {
        let path = path.trim_start_matches('/');
        let what = format!("emulator {method} /_emulator/{path}");
        let m = match method {
            "GET" => reqwest::Method::GET,
            "POST" => reqwest::Method::POST,
            "DELETE" => reqwest::Method::DELETE,
            other => {
                return Err(ControlError { status: None, message: format!("{what}: {other:?} is none of GET, POST, DELETE") })
            }
        };
        let mut rb = self.http.request(m, format!("{}/{path}", self.base));
        if let Some(b) = body {
            rb = rb.json(b);
        }
        let failed = |e: reqwest::Error| ControlError { status: None, message: format!("{what}: {e}") };
        let resp = rb.send().await.map_err(failed)?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(failed)?;
        let value: Value = if text.trim().is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text.clone())) };
        if !(200..300).contains(&status) {
            let said = value.get("error").and_then(Value::as_str).map(str::to_owned).unwrap_or(text);
            return Err(ControlError { status: Some(status), message: format!("{what}: HTTP {status} {said}").trim_end().to_owned() });
        }
        Ok(value)
    }
}
