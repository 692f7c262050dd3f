//! The one HTTP layer: reqwest with rustls, timeouts, retries with capped exponential backoff and full jitter,
//! TLS options and the user agent. Protocol modules build requests; this module only moves them.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};

mod attempts;
mod words;

pub(crate) use attempts::{Attempts, Reach, Step};
use words::*;
use crate::http::HttpRequest;

/// The default `User-Agent`.
pub const USER_AGENT: &str = concat!("hostapi/", env!("CARGO_PKG_VERSION"), " (+https://github.com/hostapi/hostapi)");

/// The default cap on an answer's size: far above any API answer, far below a memory problem.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// How long an idle connection is kept for reuse.
const IDLE_CONNECTION: Duration = Duration::from_secs(4);

/// The most an answer's announced size reserves up front; the buffer grows with what actually arrives.
const INITIAL_BUFFER: u64 = 64 * 1024;

/// The most of an error answer kept (for its excerpt).
const ERROR_BODY: usize = 64 * 1024;

/// Settings of the HTTP layer, shared by both API clients.
#[derive(Clone)]
pub struct TransportConfig {
    /// Time allowed to establish a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time allowed for one whole attempt: connect, send, receive the full answer. For downloads, the longest
    /// silence allowed (an idle timeout), not a deadline for the whole transfer.
    pub timeout: Duration,
    /// The largest answer read (default 16 MiB); a larger one is a `Protocol` error, and is not read.
    pub max_response_bytes: u64,
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
        // The defaults are the operation model's (its transport settings, the same for both APIs).
        use crate::ops::{default_seconds, setting_default, Api};
        let (api, [backoff_initial, backoff_max]) = (Api::Wedos, setting_default::<[f64; 2]>(Api::Wedos, "backoff"));
        TransportConfig {
            connect_timeout: default_seconds(api, "connect_timeout"),
            timeout: default_seconds(api, "timeout"),
            max_response_bytes: setting_default(api, "max_response_bytes"),
            retries: setting_default(api, "retries"),
            backoff_initial: Duration::from_secs_f64(backoff_initial),
            backoff_max: Duration::from_secs_f64(backoff_max),
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
            .field("max_response_bytes", &self.max_response_bytes)
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
        if let Some(v) = o.get("max_response_bytes").and_then(serde_json::Value::as_u64) {
            self.max_response_bytes = v;
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
    /// The `Retry-After` of a 429/503 answer.
    pub retry_after: Option<Duration>,
    /// An earlier attempt of the same call may have reached the server (it timed out, lost its connection or
    /// answered 5xx) before this answer came: an idempotent write's "does not exist" may then mean that attempt
    /// did the work.
    pub after_uncertain: bool,
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
    /// The download pools (no whole-request deadline), built on first use.
    download: Arc<OnceLock<reqwest::Client>>,
    download_direct: Arc<OnceLock<reqwest::Client>>,
    /// The pools of calls made on a current-thread runtime, one per runtime (see [`Transport::pool`]).
    per_thread: Arc<std::sync::Mutex<Vec<(PoolKey, reqwest::Client)>>>,
    roots: Arc<Vec<reqwest::Certificate>>,
    /// The request URLs parsed so far.
    urls: Arc<UrlCache>,
    config: TransportConfig,
}

/// Request URLs as parsed, so that a call does not parse its URL again: a client sends to a few URLs only (one
/// for WEDOS, one per resource for Velneo). Bounded; a URL beyond the bound is parsed each time.
#[derive(Debug, Default)]
struct UrlCache(std::sync::RwLock<Vec<(String, reqwest::Url)>>);

/// The most URLs [`UrlCache`] keeps.
const URLS_KEPT: usize = 32;

impl UrlCache {
    fn get(&self, text: &str) -> std::result::Result<reqwest::Url, url::ParseError> {
        {
            let kept = self.0.read().unwrap_or_else(|e| e.into_inner());
            if let Some((_, u)) = kept.iter().find(|(t, _)| t == text) {
                return Ok(u.clone());
            }
        }
        let parsed = reqwest::Url::parse(text)?;
        let mut kept = self.0.write().unwrap_or_else(|e| e.into_inner());
        if kept.len() < URLS_KEPT && !kept.iter().any(|(t, _)| t == text) {
            kept.push((text.to_owned(), parsed.clone()));
        }
        Ok(parsed)
    }
}

/// A header value, without copying the ones every request carries.
fn header_value(v: &str) -> std::result::Result<reqwest::header::HeaderValue, reqwest::header::InvalidHeaderValue> {
    use reqwest::header::HeaderValue;
    Ok(match v {
        "application/json" => HeaderValue::from_static("application/json"),
        crate::http::FORM_CONTENT_TYPE => HeaderValue::from_static(crate::http::FORM_CONTENT_TYPE),
        other => HeaderValue::from_str(other)?,
    })
}

fn client(config: &TransportConfig, roots: &[reqwest::Certificate], direct: bool) -> reqwest::Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(config.connect_timeout)
        .timeout(config.timeout)
        .user_agent(config.user_agent.clone())
        // Shorter than the keep-alive timeouts of common servers (Apache 5 s, the emulator 10 s): a request is not
        // written on a connection the server is closing at that moment, where a write would fail after it may
        // have been sent.
        .pool_idle_timeout(IDLE_CONNECTION)
        .danger_accept_invalid_certs(config.danger_accept_invalid_certs);
    for c in roots {
        b = b.add_root_certificate(c.clone());
    }
    if direct {
        b = b.no_proxy();
    }
    b.build()
}

/// Whether `url` points at this machine (`localhost`, 127.0.0.0/8, `::1`), as the URL parser reads it — the same
/// reading as the connection's: a URL from a server's answer (a backup link) must not reach another host without
/// the proxy by looking local to a simpler reading.
fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost") || d.eq_ignore_ascii_case("localhost."),
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
        Ok(Transport {
            http,
            direct: Arc::new(OnceLock::new()),
            download: Arc::new(OnceLock::new()),
            download_direct: Arc::new(OnceLock::new()),
            per_thread: Arc::new(std::sync::Mutex::new(Vec::new())),
            roots: Arc::new(roots),
            urls: Arc::new(UrlCache::default()),
            config,
        })
    }

    /// The pool for `url`: direct for loopback destinations, else the one that honours proxy settings.
    ///
    /// A connection is driven by a task of the runtime that opened it. On a multi-thread runtime that task runs
    /// whenever needed, and every call shares one pool. A current-thread runtime only runs its tasks while its
    /// own thread waits on it — so a call made from another thread (another current-thread runtime) must not
    /// borrow that connection, or it would wait for a task nobody runs. Calls on a current-thread runtime (the
    /// blocking calls of the Python and C front ends: each caller thread runs its call itself, without handing it
    /// to other threads) therefore get a pool per runtime.
    fn pool(&self, url: &reqwest::Url, download: bool) -> reqwest::Client {
        let direct = is_loopback(url);
        let current_thread = tokio::runtime::Handle::try_current()
            .ok()
            .filter(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread);
        if let Some(runtime) = current_thread {
            let key = PoolKey { runtime: runtime.id(), direct, download };
            let mut pools = self.per_thread.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, c)) = pools.iter().find(|(k, _)| *k == key) {
                return c.clone();
            }
            if pools.len() >= MAX_THREAD_POOLS {
                // Runtimes come and go (with their threads); their pools are not told. The oldest goes.
                pools.remove(0);
            }
            let c = self.build_pool(direct, download);
            pools.push((key, c.clone()));
            return c;
        }
        let cell = match (download, direct) {
            (false, false) => return self.http.clone(),
            (false, true) => &self.direct,
            (true, false) => &self.download,
            (true, true) => &self.download_direct,
        };
        cell.get_or_init(|| self.build_pool(direct, download)).clone()
    }

    /// A new pool. Downloads have no whole-request deadline (the idle timeout is applied per read). Building a
    /// client with settings that already built once does not fail; the fallback is the first pool.
    fn build_pool(&self, direct: bool, download: bool) -> reqwest::Client {
        let mut config = self.config.clone();
        if download {
            config.timeout = Duration::from_secs(365 * 86_400);
        }
        client(&config, &self.roots, direct).unwrap_or_else(|_| self.http.clone())
    }

    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// Sends one request once and reads its answer, up to `max_response_bytes`.
    pub async fn send_once(&self, operation: &str, request: &HttpRequest) -> Result<RawResponse> {
        self.attempt(operation, &mut request.clone()).await.map_err(|f| f.error)
    }

    async fn attempt(&self, operation: &str, request: &mut HttpRequest) -> std::result::Result<RawResponse, Failure> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| Failure {
            error: Error::config(operation, format!("invalid HTTP method {:?}", request.method)),
            sent: false,
        })?;
        // Parsed once per URL (a client sends to a handful): for the choice of pool and for the request.
        let url = self.urls.get(&request.url).map_err(|e| Failure {
            error: Error::config(operation, format!("invalid request URL: {e}")),
            sent: false,
        })?;
        let mut rb = self.pool(&url, false).request(method, url);
        for (k, v) in &request.headers {
            let value = header_value(v).map_err(|_| Failure {
                error: Error::config(operation, format!("invalid value of the request header {k:?}")),
                sent: false,
            })?;
            rb = rb.header(k.as_str(), value);
        }
        let fail =
            |e: reqwest::Error| Failure { sent: !e.is_connect(), error: self.map_error(operation, &request.url, e) };
        // The body is handed over, not copied: an attempt is built afresh for each try.
        let mut resp = rb.body(std::mem::take(&mut request.body)).send().await.map_err(fail)?;
        let status = resp.status().as_u16();
        let retry_after =
            resp.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
        let cap = self.config.max_response_bytes;
        let too_large = |n: u64, announced: bool| Failure {
            sent: true,
            error: Error::new(
                ErrorKind::Protocol,
                operation,
                format!(
                    "the answer of {} ({}{n} bytes) is larger than the limit of {cap} bytes (max_response_bytes); \
                     not read",
                    host_port(&request.url),
                    if announced { "" } else { "over " },
                ),
            )
            .with_http_status(status),
        };
        if let Some(n) = resp.content_length().filter(|n| *n > cap) {
            return Err(too_large(n, true));
        }
        let mut body = Vec::with_capacity(resp.content_length().unwrap_or(0).min(cap).min(INITIAL_BUFFER) as usize);
        while let Some(chunk) = resp.chunk().await.map_err(fail)? {
            if (body.len() + chunk.len()) as u64 > cap {
                return Err(too_large(cap, false));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse { status, body, retry_after, after_uncertain: false })
    }

    /// Sends the request `build` makes, retrying per the policy. `build` runs before every attempt, so each
    /// attempt carries a fresh timestamp and signature.
    ///
    /// What is retried: a failure to connect (the request never left) always; an HTTP 429 (a refusal: nothing
    /// was applied) when its `Retry-After` fits the backoff; a timeout, a dropped connection or an HTTP 5xx only
    /// when `idempotent` — a write that may have reached the server is not sent twice, and its error says it may
    /// have been applied ([`Error::may_have_applied`]). A 429 that outlasts the retries is
    /// [`ErrorKind::RateLimited`] with the server's `Retry-After`; a 5xx is [`ErrorKind::Transport`] with the
    /// status. Every error names host:port and the attempts made.
    pub async fn send<F>(&self, operation: &str, idempotent: bool, mut build: F) -> Result<RawResponse>
    where
        F: FnMut() -> Result<HttpRequest>,
    {
        let mut attempts = self.attempts(operation, idempotent);
        loop {
            match attempts.attempt(build()?).await {
                Step::Answer(r) => return Ok(r),
                Step::Retry { delay, .. } => tokio::time::sleep(delay).await,
                Step::Fail { error, .. } => return Err(error),
            }
        }
    }

    /// The attempts of one call under the retry policy of [`Transport::send`], one at a time, for a caller that
    /// must act between them (the WEDOS client reserves a slot of the account's limits before each attempt and
    /// settles it after).
    pub(crate) fn attempts<'a>(&'a self, operation: &'a str, idempotent: bool) -> Attempts<'a> {
        Attempts::new(self, operation, idempotent)
    }

    /// The error of the last attempt, saying how many were made and whether a write may have been applied.
    fn give_up(
        &self,
        operation: &str,
        url: &str,
        outcome: std::result::Result<RawResponse, Failure>,
        attempts: u32,
        idempotent: bool,
    ) -> Error {
        let tries = if attempts == 1 { "1 attempt".to_owned() } else { format!("{attempts} attempts") };
        let (error, sent) = match outcome {
            Ok(r) if r.status == 429 => return status_error(operation, url, &r, &tries),
            Ok(r) => (status_error(operation, url, &r, &tries), true),
            Err(f) => {
                let e = f.error;
                let message = format!("{} ({tries})", e.message());
                (rebuild(e, message), f.sent)
            }
        };
        if sent && !idempotent && matches!(error.kind(), ErrorKind::Transport | ErrorKind::Timeout) {
            let message = format!(
                "{}; the request may have been applied (a write is not retried once it may have reached the server)",
                error.message()
            );
            return rebuild(error, message).with_may_have_applied();
        }
        error
    }

    /// Downloads `url` with GET, handing each chunk to `sink` along with the total size when the server announces
    /// it. Returns the number of bytes received. The per-attempt `timeout` bounds the wait for the answer's head
    /// and each silence between bytes (an idle timeout), not the whole transfer, so a large file on a slow line
    /// completes. Not retried (a partial download is the caller's to discard).
    pub async fn download(
        &self,
        operation: &str,
        url: &str,
        mut sink: impl FnMut(&[u8], Option<u64>) -> std::io::Result<()>,
    ) -> Result<u64> {
        let idle = self.config.timeout;
        let silent = || {
            Error::new(
                ErrorKind::Timeout,
                operation,
                format!(
                    "the download from {} was silent for {:.1}s (the idle timeout)",
                    host_port(url),
                    idle.as_secs_f64()
                ),
            )
        };
        let parsed =
            reqwest::Url::parse(url).map_err(|e| Error::config(operation, format!("invalid download URL: {e}")))?;
        let head =
            tokio::time::timeout(idle, self.pool(&parsed, true).get(parsed).send()).await.map_err(|_| silent())?;
        let mut resp = head.map_err(|e| self.map_error(operation, url, e))?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            // The start of the error answer, for its excerpt; the rest is not read.
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let mut body = Vec::new();
            while body.len() < ERROR_BODY {
                match tokio::time::timeout(idle, resp.chunk()).await {
                    Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk[..chunk.len().min(ERROR_BODY - body.len())]),
                    _ => break,
                }
            }
            return Err(status_error(
                operation,
                url,
                &RawResponse { status, body, retry_after, after_uncertain: false },
                "1 attempt",
            ));
        }
        let total = resp.content_length();
        let mut received = 0u64;
        loop {
            let chunk = tokio::time::timeout(idle, resp.chunk()).await.map_err(|_| silent())?;
            let Some(chunk) = chunk.map_err(|e| self.map_error(operation, url, e))? else { break };
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

    fn map_error(&self, operation: &str, url: &str, e: reqwest::Error) -> Error {
        let host = host_port(url);
        if e.is_timeout() {
            let (what, bound) = if e.is_connect() {
                ("could not connect to", self.config.connect_timeout)
            } else {
                ("no answer from", self.config.timeout)
            };
            let which = if e.is_connect() { "connect_timeout" } else { "timeout" };
            return Error::new(
                ErrorKind::Timeout,
                operation,
                format!("{what} {host} within {} ({which})", crate::error::words(bound)),
            );
        }
        let connect = e.is_connect();
        if e.is_builder() {
            return Error::config(operation, format!("invalid request: {}", chain(&e.without_url())));
        }
        let detail = chain(&e.without_url());
        let what = if let Some(tls) = tls_in_plain_words(&detail) {
            format!("TLS with {host} failed: {tls}")
        } else if connect {
            format!("cannot connect to {host}: {}", in_plain_words(&detail))
        } else {
            format!("the HTTP exchange with {host} failed: {}", in_plain_words(&detail))
        };
        Error::new(ErrorKind::Transport, operation, what)
    }
}

/// Which per-runtime pool: the current-thread runtime (one per calling thread in the blocking front ends; a new
/// one in a forked child), loopback or not, download or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PoolKey {
    runtime: tokio::runtime::Id,
    direct: bool,
    download: bool,
}

/// The most per-runtime pools kept at once.
const MAX_THREAD_POOLS: usize = 64;

struct Failure {
    error: Error,
    sent: bool,
}

/// `error` with another message, everything else kept.
fn rebuild(error: Error, message: String) -> Error {
    error.with_message(message)
}

#[cfg(test)]
mod loopback_tests {
    use super::is_loopback;

    #[test]
    fn loopback_hosts_are_recognised_from_the_text() {
        for url in [
            "http://127.0.0.1:8640/v1/vserver",
            "http://localhost/wapi/json",
            "https://LOCALHOST.:443/x",
            "http://127.1/",
            "http://[::1]:9/v1",
            "http://127.9.8.7",
            "http://user@127.0.0.1:1/x?y",
        ] {
            assert!(reqwest::Url::parse(url).is_ok_and(|u| is_loopback(&u)), "{url}");
        }
        for url in [
            "https://cloudapi.velneo.com/v1/session",
            "https://api.wedos.com/wapi/json",
            "http://10.0.0.1/x",
            "http://[2001:db8::1]:80/",
            "http://localhost.example.com/",
            "http://127.0.0.1.example.com/",
            "https://evil.example\\@127.0.0.1/x",
            "not a url",
        ] {
            assert!(!reqwest::Url::parse(url).is_ok_and(|u| is_loopback(&u)), "{url}");
        }
    }
}
