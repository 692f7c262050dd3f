//! The one HTTP layer: reqwest with rustls, timeouts, retries with capped exponential backoff and full jitter,
//! TLS options and the user agent. Protocol modules build requests; this module only moves them.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};
use crate::http::HttpRequest;

/// The default `User-Agent`.
pub const USER_AGENT: &str = concat!("hostapi/", env!("CARGO_PKG_VERSION"), " (+https://github.com/hostapi/hostapi)");

/// Settings of the HTTP layer, shared by both API clients.
#[derive(Clone)]
pub struct TransportConfig {
    /// Time allowed to establish a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time allowed for one whole attempt: connect, send, receive the full answer.
    pub timeout: Duration,
    /// Further attempts after a transport failure, a timeout, or an HTTP 5xx/429 answer. 0 turns retries off.
    pub retries: u32,
    /// The first backoff's upper bound; it doubles on each retry up to `backoff_max` (full jitter).
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    /// Extra trusted root certificates, PEM (one or more), on top of the built-in Mozilla roots.
    pub ca_bundle_pem: Option<Vec<u8>>,
    /// A PEM file of extra trusted root certificates, read when the client is built.
    pub ca_bundle_file: Option<std::path::PathBuf>,
    /// Turns TLS certificate verification off. Never do this against a real service.
    pub danger_accept_invalid_certs: bool,
    pub user_agent: String,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retries: 2,
            backoff_initial: Duration::from_millis(200),
            backoff_max: Duration::from_secs(5),
            ca_bundle_pem: None,
            ca_bundle_file: None,
            danger_accept_invalid_certs: false,
            user_agent: USER_AGENT.to_owned(),
        }
    }
}

impl std::fmt::Debug for TransportConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportConfig")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("backoff_initial", &self.backoff_initial)
            .field("backoff_max", &self.backoff_max)
            .field("ca_bundle_pem", &self.ca_bundle_pem.as_ref().map(|b| format!("<{} bytes>", b.len())))
            .field("ca_bundle_file", &self.ca_bundle_file)
            .field("danger_accept_invalid_certs", &self.danger_accept_invalid_certs)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

impl TransportConfig {
    /// Applies the transport settings of an options object that [`check_settings`](crate::ops::check_settings)
    /// accepted (absent and `null` keys keep the current values).
    pub(crate) fn apply_options(&mut self, o: &serde_json::Map<String, serde_json::Value>) {
        let secs = |key: &str| o.get(key).and_then(serde_json::Value::as_f64).map(Duration::from_secs_f64);
        if let Some(v) = secs("timeout") {
            self.timeout = v;
        }
        if let Some(v) = secs("connect_timeout") {
            self.connect_timeout = v;
        }
        if let Some(v) = o.get("retries").and_then(serde_json::Value::as_u64) {
            self.retries = u32::try_from(v).unwrap_or(u32::MAX);
        }
        if let Some(v) = o.get("verify").and_then(serde_json::Value::as_bool) {
            self.danger_accept_invalid_certs = !v;
        }
        if let Some(v) = o.get("ca_bundle").and_then(serde_json::Value::as_str) {
            self.ca_bundle_file = Some(v.into());
        }
        if let Some(v) = o.get("user_agent").and_then(serde_json::Value::as_str) {
            self.user_agent = v.to_owned();
        }
        if let Some([a, b]) = o.get("backoff").and_then(serde_json::Value::as_array).map(Vec::as_slice) {
            if let (Some(a), Some(b)) = (a.as_f64(), b.as_f64()) {
                self.backoff_initial = Duration::from_secs_f64(a);
                self.backoff_max = Duration::from_secs_f64(b);
            }
        }
    }
}

/// Checks and normalises a base URL (an http(s) URL, no trailing slash).
/// A base URL holding credentials (`https://user:pass@host/…`) is refused without being echoed: URLs appear in
/// logs and errors, secrets must not.
pub fn check_base_url(operation: &str, base_url: &str) -> Result<String> {
    let url = base_url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    match parsed {
        Some(u) if !u.username().is_empty() || u.password().is_some() => Err(Error::config(
            operation,
            "the base URL must not hold credentials (user:password@); pass them to the client instead",
        )),
        Some(_) => Ok(url.to_owned()),
        None if url.contains('@') => Err(Error::config(operation, "the base URL is not an http(s) URL")),
        None => Err(Error::config(operation, format!("base URL {url:?} is not an http(s) URL"))),
    }
}

/// The transport settings every client builder offers; the builder needs a `transport: TransportConfig` field.
macro_rules! transport_setters {
    () => {
        /// Time allowed to establish a connection (default 10 s).
        pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.transport.connect_timeout = timeout;
            self
        }
        /// Time allowed for one attempt of a call (default 30 s).
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.transport.timeout = timeout;
            self
        }
        /// Retries after transport failures, timeouts and HTTP 5xx/429 (default 2; 0 turns them off).
        pub fn retries(mut self, retries: u32) -> Self {
            self.transport.retries = retries;
            self
        }
        /// Backoff bounds: the first retry waits up to `initial`, doubling up to `max` (full jitter).
        pub fn backoff(mut self, initial: std::time::Duration, max: std::time::Duration) -> Self {
            self.transport.backoff_initial = initial;
            self.transport.backoff_max = max;
            self
        }
        /// Trust these extra root certificates (PEM).
        pub fn ca_bundle_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
            self.transport.ca_bundle_pem = Some(pem.into());
            self
        }
        /// Trust the root certificates of this PEM file (read when the client is built).
        pub fn ca_bundle_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
            self.transport.ca_bundle_file = Some(path.into());
            self
        }
        /// Turns TLS certificate verification off. Only for a test server you control.
        pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
            self.transport.danger_accept_invalid_certs = accept;
            self
        }
        pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
            self.transport.user_agent = user_agent.into();
            self
        }
        /// All transport settings at once.
        pub fn transport(mut self, config: $crate::transport::TransportConfig) -> Self {
            self.transport = config;
            self
        }
    };
}
pub(crate) use transport_setters;

/// An HTTP answer, read whole.
#[derive(Clone, Debug)]
pub struct RawResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// A connection pool plus the retry policy. Cheap to clone (the pool is shared).
///
/// Proxies configured in the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`) are used, except
/// for loopback destinations (`localhost`, `127.0.0.0/8`, `::1`) — a local emulator is always reached directly.
#[derive(Clone, Debug)]
pub struct Transport {
    http: reqwest::Client,
    /// The pool for loopback destinations, without proxies; built on first use.
    direct: Arc<OnceLock<reqwest::Client>>,
    roots: Arc<Vec<reqwest::Certificate>>,
    config: TransportConfig,
}

fn client(config: &TransportConfig, roots: &[reqwest::Certificate], direct: bool) -> reqwest::Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(config.connect_timeout)
        .timeout(config.timeout)
        .user_agent(config.user_agent.clone())
        .pool_idle_timeout(Duration::from_secs(60))
        .danger_accept_invalid_certs(config.danger_accept_invalid_certs);
    for c in roots {
        b = b.add_root_certificate(c.clone());
    }
    if direct {
        b = b.no_proxy();
    }
    b.build()
}

/// Whether `url` points at this machine.
fn is_loopback(url: &str) -> bool {
    match reqwest::Url::parse(url).ok().as_ref().and_then(|u| u.host()) {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl Transport {
    /// Builds the pool. `operation` names the caller in a [`ErrorKind::Config`] error (a bad CA bundle).
    pub fn new(config: TransportConfig, operation: &str) -> Result<Transport> {
        if config.timeout.is_zero() || config.connect_timeout.is_zero() {
            return Err(Error::config(operation, "timeouts must be greater than zero"));
        }
        let mut pems: Vec<Vec<u8>> = config.ca_bundle_pem.iter().cloned().collect();
        if let Some(path) = &config.ca_bundle_file {
            let pem = std::fs::read(path)
                .map_err(|e| Error::config(operation, format!("cannot read CA bundle {}: {e}", path.display())))?;
            pems.push(pem);
        }
        let mut roots = Vec::new();
        for pem in &pems {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::config(operation, format!("invalid CA bundle: {e}")))?;
            if certs.is_empty() {
                return Err(Error::config(operation, "the CA bundle holds no PEM certificate"));
            }
            roots.extend(certs);
        }
        let http = client(&config, &roots, false)
            .map_err(|e| Error::config(operation, format!("cannot set up HTTP: {}", chain(&e))))?;
        Ok(Transport { http, direct: Arc::new(OnceLock::new()), roots: Arc::new(roots), config })
    }

    /// The pool for `url`: direct for loopback destinations, else the one that honours proxy settings.
    fn pool(&self, url: &str) -> &reqwest::Client {
        if !is_loopback(url) {
            return &self.http;
        }
        // Building a client with settings that already built once does not fail; fall back to the proxied one.
        self.direct.get_or_init(|| client(&self.config, &self.roots, true).unwrap_or_else(|_| self.http.clone()))
    }

    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// Sends one request once.
    pub async fn send_once(&self, operation: &str, request: &HttpRequest) -> Result<RawResponse> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| Error::config(operation, format!("invalid HTTP method {:?}", request.method)))?;
        let mut rb = self.pool(&request.url).request(method, &request.url);
        for (k, v) in &request.headers {
            rb = rb.header(k, v);
        }
        let result = async {
            let resp = rb.body(request.body.clone()).send().await?;
            let status = resp.status().as_u16();
            let body = resp.bytes().await?;
            Ok::<_, reqwest::Error>(RawResponse { status, body: body.to_vec() })
        }
        .await;
        result.map_err(|e| self.map_error(operation, e))
    }

    /// Sends the request `build` makes, retrying per the policy. `build` runs before every attempt, so each
    /// attempt carries a fresh timestamp and signature. An HTTP 5xx/429 answer that outlasts the retries is
    /// returned as it is, for the protocol layer to turn into an error.
    pub async fn send<F>(&self, operation: &str, mut build: F) -> Result<RawResponse>
    where
        F: FnMut() -> Result<HttpRequest>,
    {
        let mut attempt: u32 = 0;
        loop {
            let request = build()?;
            tracing::debug!(operation, attempt, method = %request.method, url = %request.url, "sending request");
            let outcome = self.send_once(operation, &request).await;
            let retryable = match &outcome {
                Ok(r) => r.status >= 500 || r.status == 429,
                Err(e) => e.is_retryable(),
            };
            if !retryable || attempt >= self.config.retries {
                if let Ok(r) = &outcome {
                    tracing::debug!(operation, attempt, status = r.status, bytes = r.body.len(), "received answer");
                }
                return outcome;
            }
            let delay = self.backoff(attempt);
            match &outcome {
                Ok(r) => tracing::debug!(operation, attempt, status = r.status, ?delay, "retrying after HTTP status"),
                Err(e) => tracing::debug!(operation, attempt, error = %e, ?delay, "retrying after failure"),
            }
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Downloads `url` with GET, handing each chunk to `sink` along with the total size when the server announces
    /// it. Returns the number of bytes received. Not retried (a partial download is the caller's to discard).
    pub async fn download(
        &self,
        operation: &str,
        url: &str,
        mut sink: impl FnMut(&[u8], Option<u64>) -> std::io::Result<()>,
    ) -> Result<u64> {
        let mut resp = self.pool(url).get(url).send().await.map_err(|e| self.map_error(operation, e))?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let body = resp.bytes().await.unwrap_or_default();
            return Err(Error::new(ErrorKind::Api, operation, format!("the download answered HTTP {status}"))
                .with_http_status(status)
                .with_body(&body));
        }
        let total = resp.content_length();
        let mut received = 0u64;
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.map_error(operation, e))? {
            received += chunk.len() as u64;
            sink(&chunk, total)
                .map_err(|e| Error::new(ErrorKind::Transport, operation, format!("cannot write the download: {e}")))?;
        }
        Ok(received)
    }

    /// Full jitter: a random delay in `[0, min(max, initial * 2^attempt)]`.
    fn backoff(&self, attempt: u32) -> Duration {
        let cap = self
            .config
            .backoff_initial
            .saturating_mul(2u32.saturating_pow(attempt.min(20)))
            .min(self.config.backoff_max);
        let nanos = cap.as_nanos().min(u64::MAX as u128) as u64;
        Duration::from_nanos(if nanos == 0 { 0 } else { fastrand::u64(0..=nanos) })
    }

    fn map_error(&self, operation: &str, e: reqwest::Error) -> Error {
        let host = e.url().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
        if e.is_timeout() {
            let bound = if e.is_connect() { self.config.connect_timeout } else { self.config.timeout };
            return Error::new(
                ErrorKind::Timeout,
                operation,
                format!("no answer from {host} within {:.1}s", bound.as_secs_f64()),
            );
        }
        let what = if e.is_connect() {
            format!("cannot connect to {host}")
        } else if e.is_builder() {
            return Error::config(operation, format!("invalid request: {}", chain(&e.without_url())));
        } else {
            format!("HTTP exchange with {host} failed")
        };
        Error::new(ErrorKind::Transport, operation, format!("{what}: {}", chain(&e.without_url())))
    }
}

/// An error and its sources, joined with `: `.
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}
