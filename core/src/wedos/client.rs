//! The async WEDOS WAPI client: Prague-hour auth on every attempt, client-side hourly budgets, a guard that stops
//! after authentication/IP failures, one retry at an hour boundary, and waiting for asynchronous results without
//! losing notifications.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::protocol::{self, Call, Output, RequestOptions};
use super::records::*;
use crate::error::{Error, ErrorKind, Result};
use crate::ops::{self, Api};
use crate::secret::Secret;
use crate::transport::{Transport, TransportConfig};

pub const ENV_USER: &str = "WEDOS_USER";
pub const ENV_PASSWORD: &str = "WEDOS_PASSWORD";
pub const ENV_BASE_URL: &str = "WEDOS_BASE_URL";

const BUILD_OP: &str = "wedos client";
const HOUR: Duration = Duration::from_secs(3600);

/// What the client does when one of its hourly budgets is spent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LimitPolicy {
    /// Fail at once with a [`ErrorKind::RateLimited`] error that says when to retry (default).
    #[default]
    FailFast,
    /// Wait until the budget has room again.
    Wait,
}

/// Where the client reads the time (Unix seconds) that `auth` is computed for.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The system clock (UTC).
    pub fn system() -> Clock {
        Clock(Arc::new(crate::unix_now))
    }
    /// Any source of Unix seconds (tests, or a clock corrected against NTP).
    pub fn from_fn(f: impl Fn() -> i64 + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }
    pub fn now(&self) -> i64 {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock(now={})", self.now())
    }
}

/// Settings for a [`Client`]. Start from [`Client::builder`].
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    user: Option<String>,
    password: Option<Secret>,
    base_url: String,
    transport: TransportConfig,
    /// Whether `from_env` was applied (errors then name the variables), and whether it met an empty base URL.
    env_read: bool,
    env_base_url_empty: bool,
    test: bool,
    policy: LimitPolicy,
    hourly_limit: u32,
    domain_check_limit: u32,
    budget_window: Duration,
    max_auth_failures: u32,
    boundary_window: Duration,
    poll_interval: Duration,
    clock: Clock,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            user: None,
            password: None,
            base_url: protocol::DEFAULT_BASE_URL.to_owned(),
            transport: TransportConfig::default(),
            env_read: false,
            env_base_url_empty: false,
            test: false,
            policy: LimitPolicy::FailFast,
            hourly_limit: protocol::HOURLY_REQUEST_LIMIT,
            domain_check_limit: protocol::HOURLY_DOMAIN_CHECK_LIMIT,
            budget_window: HOUR,
            max_auth_failures: 3,
            boundary_window: Duration::from_secs(5),
            poll_interval: Duration::from_secs(2),
            clock: Clock::system(),
        }
    }
}

impl ClientBuilder {
    /// The WEDOS account login (e-mail).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }
    /// The WAPI password (set in the admin panel; the account password does not work). Never shown.
    pub fn password(mut self, password: impl Into<Secret>) -> Self {
        self.password = Some(password.into());
        self
    }
    /// The JSON endpoint (default `https://api.wedos.com/wapi/json`).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }
    crate::transport::transport_setters!();

    /// Send every request in WAPI test mode (`test: 1`: validated, nothing changed).
    pub fn test_mode(mut self, yes: bool) -> Self {
        self.test = yes;
        self
    }
    /// What to do when an hourly budget is spent (default: fail fast).
    pub fn limit_policy(mut self, policy: LimitPolicy) -> Self {
        self.policy = policy;
        self
    }
    /// The client's own hourly budgets (default 1000 requests, 100 domain availability checks — the server's).
    pub fn hourly_limits(mut self, requests: u32, domain_checks: u32) -> Self {
        self.hourly_limit = requests;
        self.domain_check_limit = domain_checks;
        self
    }
    /// The window the budgets count in (default one hour, as the server's limits). Shorter windows are for tests.
    pub fn budget_window(mut self, window: Duration) -> Self {
        self.budget_window = window;
        self
    }
    /// After this many authentication/IP failures (2050, 2051, 2052) in a row the client refuses to send until
    /// [`Client::reset_auth_guard`] (default 3), so a wrong password cannot get the caller's IP blocked.
    pub fn max_auth_failures(mut self, n: u32) -> Self {
        self.max_auth_failures = n;
        self
    }
    /// How close to a Prague hour boundary a 2050 must be to be retried once with the other hour's auth
    /// (default 5 s).
    pub fn hour_boundary_window(mut self, window: Duration) -> Self {
        self.boundary_window = window;
        self
    }
    /// How often waiting for an asynchronous result polls the queue (default 2 s).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }
    /// The clock `auth` is computed from (default: the system clock, UTC).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }
    /// Fills user, password and base URL from `WEDOS_USER`, `WEDOS_PASSWORD`, `WEDOS_BASE_URL` (optional).
    pub fn from_env(mut self) -> Self {
        if let Ok(v) = std::env::var(ENV_USER) {
            self.user = Some(v);
        }
        if let Ok(v) = std::env::var(ENV_PASSWORD) {
            self.password = Some(Secret::new(v));
        }
        if let Ok(v) = std::env::var(ENV_BASE_URL) {
            if v.trim().is_empty() {
                self.env_base_url_empty = true;
            } else {
                self.base_url = v;
            }
        }
        self.env_read = true;
        self
    }

    /// Settings from one JSON object with the keys of the operation model's WEDOS settings (`user`, `password`,
    /// `from_env`, `base_url`, `test_mode`, `on_limit` (`"raise"`/`"wait"`), `max_auth_failures`, `hourly_limits`
    /// (`[requests, domain_checks]`), `budget_window`, `poll_interval`, `hour_boundary_window`, and the transport
    /// settings); `null` or absent keys keep the defaults. Every front end builds its clients through here.
    pub fn from_options(options: &Value) -> Result<ClientBuilder> {
        let o = ops::check_settings(Api::Wedos, BUILD_OP, options)?;
        let mut b = ClientBuilder::default();
        let secs = |key: &str| o.get(key).and_then(Value::as_f64).map(Duration::from_secs_f64);
        let count = |v: &Value| v.as_u64().map(|n| u32::try_from(n).unwrap_or(u32::MAX));
        if o.get("from_env").and_then(Value::as_bool) == Some(true) {
            b = b.from_env();
        }
        if let Some(v) = ops::text(o, "user") {
            b.user = Some(v);
        }
        if let Some(v) = ops::text(o, "password") {
            b.password = Some(Secret::new(v));
        }
        if let Some(v) = ops::text(o, "base_url") {
            b.base_url = v;
        }
        if let Some(v) = o.get("test_mode").and_then(Value::as_bool) {
            b.test = v;
        }
        match o.get("on_limit").and_then(Value::as_str) {
            Some("wait") => b.policy = LimitPolicy::Wait,
            Some(_) => b.policy = LimitPolicy::FailFast,
            None => {}
        }
        if let Some(v) = o.get("max_auth_failures").and_then(count) {
            b.max_auth_failures = v;
        }
        if let Some([r, d]) = o.get("hourly_limits").and_then(Value::as_array).map(Vec::as_slice) {
            b.hourly_limit = count(r).unwrap_or(b.hourly_limit);
            b.domain_check_limit = count(d).unwrap_or(b.domain_check_limit);
        }
        if let Some(v) = secs("budget_window") {
            b.budget_window = v;
        }
        if let Some(v) = secs("poll_interval") {
            b.poll_interval = v;
        }
        if let Some(v) = secs("hour_boundary_window") {
            b.boundary_window = v;
        }
        b.transport.apply_options(o);
        Ok(b)
    }

    pub fn build(self) -> Result<Client> {
        let missing = |what: &str, env: &str| {
            if self.env_read {
                Error::config(BUILD_OP, format!("{what} is required: {env} is not set"))
            } else {
                Error::config(BUILD_OP, format!("{what} is required: give it, or read {env} with from_env"))
            }
        };
        if self.env_base_url_empty && self.base_url == protocol::DEFAULT_BASE_URL {
            return Err(Error::config(
                BUILD_OP,
                format!("{ENV_BASE_URL} is set but empty; unset it to use the production API"),
            ));
        }
        let user = self.user.clone().filter(|u| !u.trim().is_empty()).ok_or_else(|| missing("a user", ENV_USER))?;
        let password =
            self.password.clone().filter(|p| !p.is_empty()).ok_or_else(|| missing("a WAPI password", ENV_PASSWORD))?;
        let base_url = crate::transport::check_base_url(BUILD_OP, &self.base_url)?;
        if self.hourly_limit == 0 || self.domain_check_limit == 0 {
            return Err(Error::config(BUILD_OP, "hourly limits must be at least 1"));
        }
        if self.budget_window.is_zero() {
            return Err(Error::config(BUILD_OP, "the budget window must be greater than zero"));
        }
        if self.poll_interval.is_zero() {
            return Err(Error::config(BUILD_OP, "the poll interval must be greater than zero"));
        }
        let transport = Transport::new(self.transport, BUILD_OP)?;
        Ok(Client {
            inner: Arc::new(Inner {
                user,
                password,
                base_url,
                transport,
                test: self.test,
                policy: self.policy,
                limiter: Mutex::new(Limiter::new(self.hourly_limit, self.domain_check_limit, self.budget_window)),
                max_auth_failures: self.max_auth_failures,
                auth_failures: AtomicU32::new(0),
                boundary_window: self.boundary_window,
                poll_interval: self.poll_interval,
                clock: self.clock,
                kept: Mutex::new(VecDeque::new()),
                sequence: AtomicU64::new(0),
                instance: fastrand::u32(..),
            }),
        })
    }
}

/// Sliding windows (one hour by default) of request times: all commands, and the domain availability commands.
#[derive(Debug)]
struct Limiter {
    all: VecDeque<Instant>,
    domain: VecDeque<Instant>,
    all_limit: u32,
    domain_limit: u32,
    window: Duration,
}

impl Limiter {
    fn new(all_limit: u32, domain_limit: u32, window: Duration) -> Self {
        Limiter { all: VecDeque::new(), domain: VecDeque::new(), all_limit, domain_limit, window }
    }

    /// How long until `command` may be sent (zero = now).
    fn wait_time(&mut self, command: &str, now: Instant) -> Duration {
        let window = self.window;
        let room = |q: &mut VecDeque<Instant>, limit: u32| -> Duration {
            while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
                q.pop_front();
            }
            if (q.len() as u32) < limit {
                Duration::ZERO
            } else {
                // The oldest of the last `limit` requests leaves the window first.
                let oldest = q[q.len() - limit as usize];
                window.saturating_sub(now.duration_since(oldest))
            }
        };
        let mut wait = room(&mut self.all, self.all_limit);
        if protocol::is_domain_limited(command) {
            wait = wait.max(room(&mut self.domain, self.domain_limit));
        }
        wait
    }

    fn try_acquire(&mut self, command: &str, now: Instant) -> std::result::Result<(), Duration> {
        let wait = self.wait_time(command, now);
        if !wait.is_zero() {
            return Err(wait);
        }
        self.all.push_back(now);
        if protocol::is_domain_limited(command) {
            self.domain.push_back(now);
        }
        Ok(())
    }
}

/// A WEDOS WAPI client. Cheap to clone; clones share the pool, the budgets, the guard and kept notifications.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    user: String,
    password: Secret,
    base_url: String,
    transport: Transport,
    test: bool,
    policy: LimitPolicy,
    limiter: Mutex<Limiter>,
    max_auth_failures: u32,
    auth_failures: AtomicU32,
    boundary_window: Duration,
    poll_interval: Duration,
    clock: Clock,
    /// Notifications taken off the server queue while waiting for another one: handed out first by
    /// [`Notifications::poll`].
    kept: Mutex<VecDeque<Notification>>,
    sequence: AtomicU64,
    instance: u32,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("wedos::Client")
            .field("user", &self.inner.user)
            .field("password", &self.inner.password)
            .field("base_url", &self.inner.base_url)
            .field("test", &self.inner.test)
            .field("policy", &self.inner.policy)
            .field("max_auth_failures", &self.inner.max_auth_failures)
            .field("transport", self.inner.transport.config())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Seconds until the next full hour, for errors of the hourly limits.
fn until_next_hour() -> Duration {
    let now = crate::unix_now();
    Duration::from_secs((3600 - now.rem_euclid(3600)).unsigned_abs())
}

impl Client {
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `WEDOS_USER`, `WEDOS_PASSWORD` and optionally `WEDOS_BASE_URL`.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::default().from_env().build()
    }

    pub fn user(&self) -> &str {
        &self.inner.user
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Authentication/IP failures in a row so far.
    pub fn auth_failures(&self) -> u32 {
        self.inner.auth_failures.load(Ordering::SeqCst)
    }

    /// Lets the client send again after the auth-failure guard stopped it (after fixing the password or the IP
    /// allow-list).
    pub fn reset_auth_guard(&self) {
        self.inner.auth_failures.store(0, Ordering::SeqCst);
    }

    /// A fresh, unique clTRID: `hostapi-<instance>-<sequence>-<unix>`.
    pub fn new_cltrid(&self) -> String {
        let n = self.inner.sequence.fetch_add(1, Ordering::Relaxed);
        format!("hostapi-{:08x}-{n}-{}", self.inner.instance, crate::unix_now())
    }

    /// `ping`: checks credentials, IP allow-list and connectivity.
    pub async fn ping(&self) -> Result<Response> {
        self.run_response(Call::Ping).await
    }

    /// `ping-async`: the server answers `1001 Request pending`; the result arrives as a notification.
    pub async fn ping_async(&self) -> Result<Pending> {
        match self.execute(&Call::PingAsync).await? {
            Output::Pending(p) => Ok(p),
            _ => Err(unexpected("ping-async")),
        }
    }

    /// `ping-async`, then waits up to `timeout` for its notification (see [`Client::wait_for`]).
    pub async fn ping_async_wait(&self, timeout: Duration) -> Result<Notification> {
        let pending = self.ping_async().await?;
        self.wait_for(&pending, timeout).await
    }

    /// Any command, with its `data` object; returns the response (its `data` as sent by the server).
    pub async fn call(&self, command: &str, data: Option<Value>) -> Result<Response> {
        self.run_response(Call::Generic { command: command.to_owned(), data }).await
    }

    /// `credit-info`.
    pub async fn credit_info(&self) -> Result<Credit> {
        match self.execute(&Call::CreditInfo).await? {
            Output::Credit(c) => Ok(c),
            _ => Err(unexpected("credit-info")),
        }
    }

    pub fn domains(&self) -> Domains<'_> {
        Domains { client: self }
    }

    pub fn dns(&self) -> Dns<'_> {
        Dns { client: self }
    }

    pub fn notifications(&self) -> Notifications<'_> {
        Notifications { client: self }
    }

    async fn run_response(&self, call: Call) -> Result<Response> {
        let label = call.label();
        match self.execute(&call).await? {
            Output::Response(r) => Ok(r),
            _ => Err(Error::new(ErrorKind::Protocol, label, "unexpected result type")),
        }
    }

    /// Runs any operation of the operation model (`crate::ops`) by its canonical name with snake_case JSON
    /// arguments, composites included, and returns the result's canonical JSON. `options` are the request options
    /// (clTRID, test mode); the `cltrid` argument of `call` overrides them. This is the one entry point of every
    /// front end and behaves exactly as the typed methods: `notifications.poll` hands out the notifications the
    /// client kept while waiting first, `ping_async` with `wait` waits for its notification.
    pub async fn call_json(&self, operation: &str, args: &Value, options: &RequestOptions) -> Result<Value> {
        let spec = Api::Wedos
            .op(operation)
            .ok_or_else(|| Error::config("wedos", format!("unknown operation {operation:?}")))?;
        match spec.name {
            // Asynchronous commands: the pending request, or with `wait` its notification.
            "ping_async" | "domains.create" => {
                let o = ops::check_args(spec, &spec.label(), args, false)?;
                let mut wire = o.clone();
                let wait = wire.remove("wait").filter(|v| !v.is_null()).and_then(|v| v.as_f64());
                let call = Call::from_json(operation, &Value::Object(wire))?;
                let out = self.execute_with(&call, options).await?;
                let Some(secs) = wait else { return ops::to_json(out) };
                let Output::Pending(pending) = out else { return Err(unexpected(spec.wire)) };
                ops::to_json(self.wait_for(&pending, Duration::from_secs_f64(secs)).await?)
            }
            "dns.set_txt" => {
                let o = ops::check_args(spec, &spec.label(), args, false)?;
                let ttl = o.get("ttl").and_then(Value::as_i64).unwrap_or(300);
                let ttl = u32::try_from(ttl)
                    .map_err(|_| Error::config(spec.label(), format!("ttl {ttl} is out of range")))?;
                let (fqdn, value) =
                    (ops::text(o, "fqdn").unwrap_or_default(), ops::text(o, "value").unwrap_or_default());
                ops::to_json(self.dns().set_txt(&fqdn, &value, ttl).await?)
            }
            "dns.clear_txt" => {
                let o = ops::check_args(spec, &spec.label(), args, false)?;
                let (fqdn, value) =
                    (ops::text(o, "fqdn").unwrap_or_default(), ops::text(o, "value").unwrap_or_default());
                Ok(Value::from(self.dns().clear_txt(&fqdn, &value).await?))
            }
            "notifications.poll" => {
                ops::check_args(spec, "wedos poll-req", args, false)?;
                ops::to_json(self.notifications().poll().await?)
            }
            "notifications.ack" => {
                let o = ops::check_args(spec, "wedos poll-ack", args, false)?;
                let id = ops::text(o, "id").unwrap_or_default();
                ops::to_json(self.notifications().ack(&id).await?)
            }
            "notifications.next" => {
                ops::check_args(spec, "wedos poll-req", args, false)?;
                ops::to_json(self.notifications().next().await?)
            }
            _ if spec.kind == ops::Kind::Local => self.call_local(operation, args),
            "call" => {
                let o = ops::check_args(spec, "wedos call", args, false)?;
                let mut wire = o.clone();
                let mut options = options.clone();
                if let Some(c) = wire.remove("cltrid").and_then(|v| v.as_str().map(str::to_owned)) {
                    options.cltrid = Some(c);
                }
                let call = Call::from_json(operation, &Value::Object(wire))?;
                ops::to_json(self.execute_with(&call, &options).await?)
            }
            _ => ops::to_json(self.execute_with(&Call::from_json(operation, args)?, options).await?),
        }
    }

    /// Runs a local operation of the model (no request: `notifications.kept`) at once, without a runtime. Front
    /// ends show these as properties.
    pub fn call_local(&self, operation: &str, args: &Value) -> Result<Value> {
        let spec = Api::Wedos
            .op(operation)
            .filter(|s| s.kind == ops::Kind::Local)
            .ok_or_else(|| Error::config("wedos", format!("{operation:?} is not a local operation")))?;
        ops::check_args(spec, &spec.label(), args, false)?;
        match spec.name {
            "notifications.kept" => Ok(Value::from(self.notifications().kept())),
            other => Err(Error::config("wedos", format!("{other} has no local implementation"))),
        }
    }

    /// Runs any call with a fresh clTRID (the form the bindings and the command line use).
    pub async fn execute(&self, call: &Call) -> Result<Output> {
        self.execute_with(call, &RequestOptions::default()).await
    }

    /// Runs any call. `options.cltrid` is used when given, else a fresh one; test mode is on when either the
    /// options or the client ask for it.
    pub async fn execute_with(&self, call: &Call, options: &RequestOptions) -> Result<Output> {
        let inner = &*self.inner;
        let label = call.label();
        call.data()?; // bad arguments fail before anything is sent or counted
        let options = RequestOptions {
            cltrid: Some(options.cltrid.clone().unwrap_or_else(|| self.new_cltrid())),
            test: options.test || inner.test,
        };
        let mut boundary_retry_done = false;
        let mut time_override: Option<i64> = None;
        loop {
            self.check_guard(&label)?;
            self.reserve(call.command(), &label).await?;
            let mut first_attempt = true;
            let mut sent_at = 0i64;
            let response = inner
                .transport
                .send(&label, || {
                    // The first attempt has its budget slot; a transport retry takes a new one.
                    if !first_attempt {
                        self.try_reserve(call.command(), &label)?;
                    }
                    first_attempt = false;
                    let now = inner.clock.now();
                    sent_at = now;
                    let at = time_override.take().unwrap_or(now);
                    protocol::build_request(&inner.base_url, call, &inner.user, inner.password.expose(), at, &options)
                })
                .await?;
            match protocol::parse_response(call, response.status, &response.body) {
                Ok(out) => {
                    inner.auth_failures.store(0, Ordering::SeqCst);
                    return Ok(out);
                }
                Err(e) => {
                    let code = e.code();
                    if matches!(code, Some(2050..=2052)) {
                        inner.auth_failures.fetch_add(1, Ordering::SeqCst);
                    }
                    let near = protocol::seconds_to_hour_boundary(sent_at) <= inner.boundary_window.as_secs() as i64;
                    if code == Some(2050) && near && !boundary_retry_done {
                        // Our clock and the server's may sit on two sides of the hour: try the other hour once.
                        let r = sent_at.rem_euclid(3600);
                        let other = if r < 1800 { sent_at - r - 1 } else { sent_at - r + 3600 };
                        tracing::debug!(operation = %label, "2050 at an hour boundary: retrying once with the other hour");
                        boundary_retry_done = true;
                        time_override = Some(other);
                        continue;
                    }
                    return Err(with_retry_after(e));
                }
            }
        }
    }

    fn check_guard(&self, label: &str) -> Result<()> {
        let n = self.inner.auth_failures.load(Ordering::SeqCst);
        let max = self.inner.max_auth_failures;
        if max > 0 && n >= max {
            return Err(Error::new(
                ErrorKind::Authentication,
                label,
                format!(
                    "not sent: {n} authentication/IP failures in a row (codes 2050-2052); WEDOS blocks an IP after \
                     repeated failures, so the client stopped. Check the WAPI password and the IP allow-list, then \
                     call reset_auth_guard()"
                ),
            ));
        }
        Ok(())
    }

    fn try_reserve(&self, command: &str, label: &str) -> Result<()> {
        let result = lock(&self.inner.limiter).try_acquire(command, Instant::now());
        result.map_err(|wait| {
            let which = if protocol::is_domain_limited(command) { "domain availability / request" } else { "request" };
            Error::new(ErrorKind::RateLimited, label, format!("not sent: the client's hourly {which} budget is spent"))
                .with_retry_after(wait)
        })
    }

    /// Takes a slot of the hourly budgets, waiting for one under [`LimitPolicy::Wait`].
    async fn reserve(&self, command: &str, label: &str) -> Result<()> {
        loop {
            match self.try_reserve(command, label) {
                Ok(()) => return Ok(()),
                Err(e) if self.inner.policy == LimitPolicy::Wait => {
                    let wait = e.retry_after().unwrap_or(Duration::from_secs(1));
                    tracing::debug!(operation = label, ?wait, "hourly budget spent: waiting");
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Waits up to `timeout` for the notification answering `pending`, acknowledges it and returns it.
    ///
    /// The POLL queue only shows its oldest unread notification, and only acknowledging it shows the next. A
    /// notification of another request met on the way is therefore taken off the server queue but kept by this
    /// client, never lost: [`Notifications::poll`] and [`Notifications::next`] hand kept notifications out first,
    /// in queue order, and [`Notifications::ack`] of a kept one only removes it from the client.
    pub async fn wait_for(&self, pending: &Pending, timeout: Duration) -> Result<Notification> {
        let label = format!("wedos wait {}", pending.command);
        let deadline = Instant::now()
            .checked_add(timeout)
            .ok_or_else(|| Error::config(&label, format!("timeout {timeout:?} is too large")))?;
        {
            let mut kept = lock(&self.inner.kept);
            if let Some(i) = kept.iter().position(|n| n.answers(pending)) {
                return Ok(kept.remove(i).expect("index from position"));
            }
        }
        loop {
            match self.execute(&Call::PollReq).await? {
                Output::Notification(Some(n)) => {
                    let id = n.id.clone().ok_or_else(|| {
                        Error::new(
                            ErrorKind::Protocol,
                            &label,
                            "a queued notification without an id cannot be acknowledged",
                        )
                    })?;
                    // Kept only once acknowledged: if the ack fails the notification stays on the server queue
                    // (and is not in `kept` too, so it is never handed out twice).
                    self.execute(&Call::PollAck { id }).await?;
                    if n.answers(pending) {
                        return Ok(n);
                    }
                    lock(&self.inner.kept).push_back(n);
                    continue;
                }
                Output::Notification(None) => {}
                _ => return Err(unexpected("poll-req")),
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    label,
                    format!(
                        "no notification for {} within {:.1}s",
                        pending.svtrid.as_deref().or(pending.cltrid.as_deref()).unwrap_or("the request"),
                        timeout.as_secs_f64()
                    ),
                ));
            }
            tokio::time::sleep(self.inner.poll_interval.min(deadline - now)).await;
        }
    }
}

fn unexpected(command: &str) -> Error {
    Error::new(ErrorKind::Protocol, format!("wedos {command}"), "unexpected result type")
}

/// Rate-limit errors from the server say when to try again.
fn with_retry_after(e: Error) -> Error {
    if e.kind() != ErrorKind::RateLimited || e.retry_after().is_some() {
        return e;
    }
    match e.code() {
        Some(2006) | Some(2250) | Some(2252) => e.with_retry_after(until_next_hour()),
        _ => e.with_retry_after(Duration::from_secs(60)),
    }
}

/// Domains of the account.
#[derive(Clone, Copy, Debug)]
pub struct Domains<'a> {
    client: &'a Client,
}

impl Domains<'_> {
    /// `domains-list`, optionally only those with `status`.
    pub async fn list(self, status: Option<&str>) -> Result<Vec<Domain>> {
        match self.client.execute(&Call::DomainsList { status: status.map(str::to_owned) }).await? {
            Output::Domains(d) => Ok(d),
            _ => Err(unexpected("domains-list")),
        }
    }
    /// `domain-info`.
    pub async fn info(self, name: &str) -> Result<Domain> {
        match self.client.execute(&Call::DomainInfo { name: name.to_owned() }).await? {
            Output::Domain(d) => Ok(d),
            _ => Err(unexpected("domain-info")),
        }
    }
    /// `domain-transfer-check` (counts against the 100-per-hour budget).
    pub async fn transfer_check(self, name: &str) -> Result<TransferCheck> {
        match self.client.execute(&Call::DomainTransferCheck { name: name.to_owned() }).await? {
            Output::TransferCheck(t) => Ok(t),
            _ => Err(unexpected("domain-transfer-check")),
        }
    }
    /// `domain-create`: registers `name` for `period` years with the registrant `owner_c`; asynchronous (the
    /// result comes as a notification: see [`Client::wait_for`]).
    pub async fn create(self, name: &str, period: u32, owner_c: &str, nsset: Option<&str>) -> Result<Pending> {
        let call = Call::DomainCreate {
            name: name.to_owned(),
            period,
            owner_c: owner_c.to_owned(),
            nsset: nsset.map(str::to_owned),
        };
        match self.client.execute(&call).await? {
            Output::Pending(p) => Ok(p),
            _ => Err(unexpected("domain-create")),
        }
    }
    /// `domain-renew`: extends `name` by `period` years.
    pub async fn renew(self, name: &str, period: u32) -> Result<Response> {
        self.client.run_response(Call::DomainRenew { name: name.to_owned(), period }).await
    }
    /// `domain-check` (counts against the 100-per-hour budget).
    pub async fn check(self, name: &str) -> Result<DomainCheck> {
        match self.client.execute(&Call::DomainCheck { name: name.to_owned() }).await? {
            Output::DomainCheck(d) => Ok(d),
            _ => Err(unexpected("domain-check")),
        }
    }
}

/// DNS zones and rows.
#[derive(Clone, Copy, Debug)]
pub struct Dns<'a> {
    client: &'a Client,
}

impl Dns<'_> {
    /// `dns-domains-list`.
    pub async fn domains(self) -> Result<Vec<DnsDomain>> {
        match self.client.execute(&Call::DnsDomainsList).await? {
            Output::DnsDomains(d) => Ok(d),
            _ => Err(unexpected("dns-domains-list")),
        }
    }
    /// `dns-domain-info`.
    pub async fn domain_info(self, domain: &str) -> Result<DnsDomain> {
        match self.client.execute(&Call::DnsDomainInfo { name: domain.to_owned() }).await? {
            Output::DnsDomain(d) => Ok(d),
            _ => Err(unexpected("dns-domain-info")),
        }
    }
    /// `dns-row-detail`.
    pub async fn row_detail(self, domain: &str, row_id: i64) -> Result<DnsRow> {
        match self.client.execute(&Call::DnsRowDetail { domain: domain.to_owned(), row_id }).await? {
            Output::DnsRow(r) => Ok(r),
            _ => Err(unexpected("dns-row-detail")),
        }
    }

    /// The zone of `fqdn` among the account's DNS zones (the longest matching suffix) and the name relative to
    /// it (`""` at the apex).
    pub async fn zone_of(self, fqdn: &str) -> Result<(String, String)> {
        let label = "wedos dns.set_txt";
        let name = fqdn.trim().trim_end_matches('.').to_ascii_lowercase();
        if name.is_empty() {
            return Err(Error::config(label, "fqdn must not be empty"));
        }
        let zones = self.domains().await?;
        let best = zones
            .iter()
            .map(|z| z.name.trim_end_matches('.').to_ascii_lowercase())
            .filter(|z| name == *z || name.ends_with(&format!(".{z}")))
            .max_by_key(String::len)
            .ok_or_else(|| Error::new(ErrorKind::Api, label, format!("no DNS zone of the account holds {name}")))?;
        let relative = if name == best { String::new() } else { name[..name.len() - best.len() - 1].to_owned() };
        Ok((best, relative))
    }

    /// The ACME DNS-01 step: the TXT row `value` at `fqdn`, added and committed unless an identical row exists
    /// (so a repeat never provokes 2316, which counts toward the IP block). Returns the row with its id.
    pub async fn set_txt(self, fqdn: &str, value: &str, ttl: u32) -> Result<DnsRow> {
        if value.is_empty() {
            return Err(Error::config("wedos dns.set_txt", "value must not be empty"));
        }
        let (zone, name) = self.zone_of(fqdn).await?;
        let same =
            |r: &DnsRow| r.name.eq_ignore_ascii_case(&name) && r.rdtype.eq_ignore_ascii_case("TXT") && r.rdata == value;
        if let Some(existing) = self.rows(&zone).await?.into_iter().find(same) {
            return Ok(existing);
        }
        self.add_row(NewDnsRow::new(&zone, &name, "TXT", value).ttl(ttl)).await?;
        self.commit(&zone).await?;
        self.rows(&zone).await?.into_iter().find(same).ok_or_else(|| {
            Error::new(ErrorKind::Protocol, "wedos dns.set_txt", format!("the new TXT row of {fqdn} is not listed"))
        })
    }

    /// The ACME DNS-01 cleanup: deletes the TXT rows of `fqdn` with exactly `value` (no other), commits when it
    /// deleted any, and returns how many it deleted.
    pub async fn clear_txt(self, fqdn: &str, value: &str) -> Result<u64> {
        let (zone, name) = self.zone_of(fqdn).await?;
        let doomed: Vec<i64> = self
            .rows(&zone)
            .await?
            .into_iter()
            .filter(|r| r.name.eq_ignore_ascii_case(&name) && r.rdtype.eq_ignore_ascii_case("TXT") && r.rdata == value)
            .map(|r| r.id)
            .collect();
        for id in &doomed {
            self.delete_row(&zone, *id).await?;
        }
        if !doomed.is_empty() {
            self.commit(&zone).await?;
        }
        Ok(doomed.len() as u64)
    }

    /// `dns-rows-list`.
    pub async fn rows(self, domain: &str) -> Result<Vec<DnsRow>> {
        match self.client.execute(&Call::DnsRowsList { domain: domain.to_owned() }).await? {
            Output::DnsRows(r) => Ok(r),
            _ => Err(unexpected("dns-rows-list")),
        }
    }
    /// `dns-row-add`. The change is pending until [`commit`](Self::commit) (or 5 minutes after the last change).
    pub async fn add_row(self, row: NewDnsRow) -> Result<Response> {
        self.client.run_response(Call::DnsRowAdd(row)).await
    }
    /// `dns-row-update`: TTL and data only (name and type cannot change).
    pub async fn update_row(self, domain: &str, row_id: i64, ttl: u32, rdata: &str) -> Result<Response> {
        self.client
            .run_response(Call::DnsRowUpdate { domain: domain.to_owned(), row_id, ttl, rdata: rdata.to_owned() })
            .await
    }
    /// `dns-row-delete`.
    pub async fn delete_row(self, domain: &str, row_id: i64) -> Result<Response> {
        self.client.run_response(Call::DnsRowDelete { domain: domain.to_owned(), row_id }).await
    }
    /// `dns-domain-commit`: publishes the zone's pending changes.
    pub async fn commit(self, domain: &str) -> Result<Response> {
        self.client.run_response(Call::DnsDomainCommit { name: domain.to_owned() }).await
    }
}

/// The POLL notification queue.
#[derive(Clone, Copy, Debug)]
pub struct Notifications<'a> {
    client: &'a Client,
}

impl Notifications<'_> {
    /// The oldest unread notification (kept ones first), without acknowledging it; `None` when the queue is
    /// empty.
    pub async fn poll(self) -> Result<Option<Notification>> {
        if let Some(n) = lock(&self.client.inner.kept).front().cloned() {
            return Ok(Some(n));
        }
        match self.client.execute(&Call::PollReq).await? {
            Output::Notification(n) => Ok(n),
            _ => Err(unexpected("poll-req")),
        }
    }

    /// Marks notification `id` read (`poll-ack`), which exposes the next one. For a notification the client
    /// kept while waiting, this only removes it from the client (the server has it acknowledged already).
    pub async fn ack(self, id: &str) -> Result<Response> {
        {
            let mut kept = lock(&self.client.inner.kept);
            if let Some(i) = kept.iter().position(|n| n.id.as_deref() == Some(id)) {
                kept.remove(i);
                return Ok(Response {
                    code: 1002,
                    result: "Notification acquired (kept by the client)".into(),
                    timestamp: Some(crate::unix_now()),
                    cltrid: None,
                    svtrid: None,
                    command: Some("poll-ack".into()),
                    test: false,
                    data: None,
                });
            }
        }
        self.client.run_response(Call::PollAck { id: id.to_owned() }).await
    }

    /// The next notification, acknowledged as it is handed over; `None` when the queue is empty. Loop on it to
    /// drain the queue.
    pub async fn next(self) -> Result<Option<Notification>> {
        let Some(n) = self.poll().await? else { return Ok(None) };
        let id =
            n.id.clone()
                .ok_or_else(|| Error::new(ErrorKind::Protocol, "wedos poll-req", "a notification without an id"))?;
        self.ack(&id).await?;
        Ok(Some(n))
    }

    /// How many notifications this client holds that it took off the server queue while waiting.
    pub fn kept(self) -> usize {
        lock(&self.client.inner.kept).len()
    }
}
