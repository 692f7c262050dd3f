//! The client's settings: [`ClientBuilder`], from code, the environment or the operation model's JSON options.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Mutex;

use super::{Client, Inner, SessionState};
use crate::error::Result;
use crate::ops::{self, Api};
use crate::account::{Account, Names};
use crate::secret::Secret;
use crate::transport::{Transport, TransportConfig};
use crate::velneo::protocol::{self, WireOptions};

/// Environment variables read by [`ClientBuilder::from_env`].
pub const ENV_EMAIL: &str = "VELNEO_EMAIL";
pub const ENV_API_KEY: &str = "VELNEO_API_KEY";
pub const ENV_BASE_URL: &str = "VELNEO_BASE_URL";

/// The account settings' names (see [`Account`]).
static NAMES: Names = Names {
    op: BUILD_OP,
    id: ("email", ENV_EMAIL, "an e-mail"),
    secret: ("api_key", ENV_API_KEY, "an API key"),
    base_url_env: ENV_BASE_URL,
    default_base_url: protocol::DEFAULT_BASE_URL,
};

const BUILD_OP: &str = "velneo client";
pub(super) const DOWNLOAD_OP: &str = "velneo vserver.backup download";

/// The vServer states [`VServer::wait_for_state`] can wait for.
pub const VSERVER_STATES: [&str; 2] = ["running", "stopped"];

/// Settings for a [`Client`]. Start from [`Client::builder`].
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    account: Account,
    transport: TransportConfig,
    wire: WireOptions,
}

impl Default for ClientBuilder {
    /// The operation model's defaults.
    fn default() -> Self {
        ClientBuilder {
            account: Account::new(&NAMES, ops::setting_default(Api::Velneo, "base_url")),
            transport: TransportConfig::default(),
            wire: WireOptions { http_verbs: ops::setting_default(Api::Velneo, "http_verbs") },
        }
    }
}

impl ClientBuilder {
    /// The e-mail of the Velneo account.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.account.id = Some(email.into());
        self
    }

    /// The account's private API key. It is only ever hashed, never sent or shown.
    pub fn api_key(mut self, api_key: impl Into<Secret>) -> Self {
        self.account.secret = Some(api_key.into());
        self
    }

    /// The API root with its version (default `https://cloudapi.velneo.com/v1`).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.account.base_url = base_url.into();
        self
    }

    crate::transport::transport_setters!();

    /// Send each operation's verb as the HTTP method instead of `POST` + `method` field (same body).
    pub fn http_verbs(mut self, yes: bool) -> Self {
        self.wire.http_verbs = yes;
        self
    }

    /// Fills e-mail, API key and base URL from `VELNEO_EMAIL`, `VELNEO_API_KEY` and `VELNEO_BASE_URL` (the last
    /// one optional). Missing variables are reported by [`build`](Self::build).
    pub fn from_env(mut self) -> Self {
        self.account.read_env();
        self
    }

    /// Settings from one JSON object with the keys of the operation model's Velneo settings (`email`, `api_key`,
    /// `from_env`, `base_url`, `http_verbs`, `timeout`, `connect_timeout`, `retries`, `verify`, `ca_bundle`,
    /// `user_agent`, `backoff`); `null` or absent keys keep the defaults. Every front end builds its clients
    /// through here, so they share the same validation and the same `Config` errors. `from_env: true` reads the
    /// environment first; explicit keys win.
    pub fn from_options(options: &Value) -> Result<ClientBuilder> {
        let o = ops::check_settings(Api::Velneo, BUILD_OP, options)?;
        let mut b = ClientBuilder::default();
        if o.get("from_env").and_then(Value::as_bool) == Some(true) {
            b = b.from_env();
        }
        if let Some(v) = ops::text(o, "email") {
            b.account.id = Some(v);
        }
        if let Some(v) = ops::text(o, "api_key") {
            b.account.secret = Some(Secret::new(v));
        }
        if let Some(v) = ops::text(o, "base_url") {
            b.account.base_url = v;
        }
        if let Some(v) = o.get("http_verbs").and_then(Value::as_bool) {
            b.wire.http_verbs = v;
        }
        b.transport.apply_options(o);
        Ok(b)
    }

    pub fn build(self) -> Result<Client> {
        let (email, api_key, base_url) = self.account.check()?;
        let transport = Transport::new(self.transport, BUILD_OP)?;
        Ok(Client {
            inner: Arc::new(Inner {
                email,
                api_key,
                base_url,
                wire: self.wire,
                transport,
                session: std::sync::Mutex::new(SessionState::default()),
                login_gate: Mutex::new(()),
                logins: AtomicU64::new(0),
            }),
        })
    }
}
