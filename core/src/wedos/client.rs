//! The async WEDOS WAPI client: Prague-hour auth from a clock corrected against the server's, hourly budgets and
//! an invalid-request guard shared by every client of the account on the machine ([`super::state`]), and waiting
//! for asynchronous results without losing notifications (a durable spool).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::protocol::{self, Call, Output, RequestOptions};
use super::records::*;
use super::state::{self, AccountState, AuthStop, ClockOffset, Invalid, StateLocation, Store};
use crate::error::{Error, ErrorKind, Result};
use crate::ops::{self, Api};
use crate::secret::Secret;
use crate::transport::{Transport, TransportConfig};

pub const ENV_USER: &str = "WEDOS_USER";
pub const ENV_PASSWORD: &str = "WEDOS_PASSWORD";
pub const ENV_BASE_URL: &str = "WEDOS_BASE_URL";

const BUILD_OP: &str = "wedos client";
const HOUR: Duration = Duration::from_secs(3600);
/// The server judges a request a little after it is signed: the margin kept on the late side of an hour boundary.
const LATENCY_MARGIN: f64 = 0.3;
/// A clock offset known less precisely than this is not used (the boundary retry applies instead).
const MAX_OFFSET_WIDTH: f64 = 10.0;
/// A clock offset older than this is replaced rather than narrowed (clocks drift, servers are reset).
const OFFSET_MAX_AGE: f64 = 86_400.0;

/// What the client does when one of its hourly budgets is spent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LimitPolicy {
    /// Fail at once with a [`ErrorKind::RateLimited`] error that says when to retry (default).
    #[default]
    FailFast,
    /// Wait until the budget has room again.
    Wait,
}

/// Where the client reads the local time (Unix seconds) that `auth` is computed for, before the correction by the
/// offset learned from the server's answers.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> f64 + Send + Sync>);

impl Clock {
    /// The system clock (UTC).
    pub fn system() -> Clock {
        Clock(Arc::new(state::now_f64))
    }
    /// Any source of whole Unix seconds (tests, or a clock corrected against NTP).
    pub fn from_fn(f: impl Fn() -> i64 + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(move || f() as f64))
    }
    /// Any source of Unix seconds with a fraction.
    pub fn from_fn_f64(f: impl Fn() -> f64 + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }
    pub fn now(&self) -> i64 {
        self.now_f64().floor() as i64
    }
    pub fn now_f64(&self) -> f64 {
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
    max_invalid: u32,
    state: Option<StateLocation>,
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
            max_invalid: 10,
            state: None,
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
    /// After this many authentication/IP failures (2050, 2051) in a row every client of the account on this
    /// machine refuses to send until [`Client::reset_auth_guard`] (default 3; 0 = never stop), so a wrong password
    /// cannot get the caller's IP blocked.
    pub fn max_auth_failures(mut self, n: u32) -> Self {
        self.max_auth_failures = n;
        self
    }
    /// The invalid answers (any code ≥ 2000) the account's clients may receive within the window before they stop
    /// sending until the oldest leaves it (default 10: WEDOS blocks the IP at the 11th; 0 = never stop).
    pub fn max_invalid_requests(mut self, n: u32) -> Self {
        self.max_invalid = n;
        self
    }
    /// Where the account state shared by every client of the account lives (default: [`StateLocation::from_env`]:
    /// `HOSTAPI_STATE_DIR`, else `$XDG_STATE_HOME/hostapi`, else `~/.local/state/hostapi`).
    pub fn state_location(mut self, location: StateLocation) -> Self {
        self.state = Some(location);
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
    /// `from_env`, `base_url`, `test_mode`, `on_limit` (`"raise"`/`"wait"`), `max_auth_failures`,
    /// `max_invalid_requests`, `state_dir`, `hourly_limits` (`[requests, domain_checks]`), `budget_window`,
    /// `poll_interval`, `hour_boundary_window`, and the transport
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
        if let Some(v) = o.get("max_invalid_requests").and_then(count) {
            b.max_invalid = v;
        }
        if let Some(v) = ops::text(o, "state_dir").filter(|v| !v.trim().is_empty()) {
            b.state = Some(StateLocation::parse(&v));
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
        let location = self.state.clone().unwrap_or_else(StateLocation::from_env);
        let store = Store::open(location, &user, &base_url, BUILD_OP)?;
        Ok(Client {
            inner: Arc::new(Inner {
                user,
                password,
                base_url,
                transport,
                test: self.test,
                policy: self.policy,
                hourly_limit: self.hourly_limit,
                domain_check_limit: self.domain_check_limit,
                window: self.budget_window.as_secs_f64(),
                max_auth_failures: self.max_auth_failures,
                max_invalid: self.max_invalid,
                store,
                queue: tokio::sync::Mutex::new(()),
                boundary_window: self.boundary_window,
                poll_interval: self.poll_interval,
                clock: self.clock,
                sequence: AtomicU64::new(0),
                instance: fastrand::u32(..),
            }),
        })
    }
}

/// A WEDOS WAPI client. Cheap to clone; clones share the pool. Every client of the same account (user and base URL)
/// on the machine shares the account state: budgets, the guard, the clock offset and the notification spool.
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
    hourly_limit: u32,
    domain_check_limit: u32,
    /// The budget window, also the window the server counts invalid requests in (seconds).
    window: f64,
    max_auth_failures: u32,
    max_invalid: u32,
    store: Store,
    /// One reader of the POLL queue at a time in this client (the store's lock file orders processes).
    queue: tokio::sync::Mutex<()>,
    boundary_window: Duration,
    poll_interval: Duration,
    clock: Clock,
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
            .field("max_invalid_requests", &self.inner.max_invalid)
            .field("state", &self.inner.store.location())
            .field("transport", self.inner.transport.config())
            .finish()
    }
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

    /// Authentication/IP failures in a row so far, counted by every client of the account on this machine.
    pub fn auth_failures(&self) -> Result<u32> {
        self.inner.store.update("wedos guard", |st| st.auth_failures)
    }

    /// Lets every client of the account on this machine send again after the guard stopped them (after fixing
    /// the password, the IP allow-list or the input): clears the authentication-failure stop and the count of
    /// invalid answers. The server's own IP block, if any, still runs out.
    pub fn reset_auth_guard(&self) -> Result<()> {
        self.inner.store.update("wedos guard reset", |st| {
            st.auth_failures = 0;
            st.auth_stop = None;
            st.invalid.clear();
        })
    }

    /// The account state shared by every client of the account on this machine, as it is now.
    pub fn account_state(&self) -> Result<AccountState> {
        let window = self.inner.window;
        self.inner.store.update("wedos guard", |st| {
            let mut copy = st.clone();
            copy.prune(state::now_f64(), window);
            copy
        })
    }

    /// The file that holds the shared account state (`None` when it is kept in memory).
    pub fn state_file(&self) -> Option<std::path::PathBuf> {
        self.inner.store.path().map(std::path::Path::to_path_buf)
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

    /// `dns-row-add`, reconciled after a lost answer (see [`Dns::add_row`]).
    async fn add_row_reconciled(&self, row: NewDnsRow, options: &RequestOptions) -> Result<Response> {
        let lost = match self.run_response_with(Call::DnsRowAdd(row.clone()), options).await {
            Err(e) if e.may_have_applied() => e,
            other => return other,
        };
        let Ok(rows) = self.dns().rows(&row.domain).await else { return Err(lost) };
        let same = |r: &DnsRow| {
            r.name.eq_ignore_ascii_case(&row.name) && r.rdtype.eq_ignore_ascii_case(&row.rdtype) && r.rdata == row.rdata
        };
        let applied = || {
            let result = "OK (the answer was lost; the row is listed, so the add was applied)";
            Response::concluded(1000, result, "dns-row-add", Some(crate::unix_now()))
        };
        if rows.iter().any(same) {
            tracing::debug!(domain = %row.domain, name = %row.name, "the row exists: the lost add was applied");
            return Ok(applied());
        }
        // Not listed: not applied (an add is applied or refused before it is answered). Adding it again cannot
        // make a duplicate — the server refuses an exact duplicate with 2316 — and a 2316 here means the first
        // add landed after the listing: listed again, that is a success too.
        tracing::debug!(domain = %row.domain, name = %row.name, "the row is not listed: adding it again");
        match self.run_response_with(Call::DnsRowAdd(row.clone()), options).await {
            Err(e) if e.code() == Some(2316) => match self.dns().rows(&row.domain).await {
                Ok(rows) if rows.iter().any(same) => Ok(applied()),
                _ => Err(e),
            },
            other => other,
        }
    }

    async fn run_response_with(&self, call: Call, options: &RequestOptions) -> Result<Response> {
        let label = call.label();
        match self.execute_with(&call, options).await? {
            Output::Response(r) => Ok(r),
            _ => Err(Error::new(ErrorKind::Protocol, label, "unexpected result type")),
        }
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
            "dns.add_row" => match Call::from_json(operation, args)? {
                Call::DnsRowAdd(row) => ops::to_json(self.add_row_reconciled(row, options).await?),
                _ => Err(unexpected("dns-row-add")),
            },
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
            "notifications.kept" => Ok(Value::from(self.notifications().kept()?)),
            other => Err(Error::config("wedos", format!("{other} has no local implementation"))),
        }
    }

    /// Runs any call with a fresh clTRID (the form the bindings and the command line use).
    pub async fn execute(&self, call: &Call) -> Result<Output> {
        self.execute_with(call, &RequestOptions::default()).await
    }

    /// Runs any call. `options.cltrid` is used when given, else a fresh one; test mode is on when either the
    /// options or the client ask for it.
    ///
    /// Before sending, the shared account state is consulted and the budgets charged: nothing is sent while the
    /// guard is stopped, the server's IP block lasts, or the invalid answers of the window reached
    /// `max_invalid_requests`. `auth` is computed for the server's hour (the local clock corrected by the offset
    /// learned from earlier answers); when that hour is uncertain around a boundary the request waits until it is
    /// not. After the answer, the offset is narrowed and an invalid answer recorded.
    pub async fn execute_with(&self, call: &Call, options: &RequestOptions) -> Result<Output> {
        let inner = &*self.inner;
        let label = call.label();
        call.data()?; // bad arguments fail before anything is sent or counted
        let options = RequestOptions {
            cltrid: Some(options.cltrid.clone().unwrap_or_else(|| self.new_cltrid())),
            test: options.test || inner.test,
        };
        let command = call.command();
        let mut clock_retry_done = false;
        let mut time_override: Option<i64> = None;
        loop {
            let offset = self.admit(command, &label).await?.filter(|o| o.width() <= MAX_OFFSET_WIDTH);
            if let (Some(o), None) = (offset, time_override) {
                self.wait_past_boundary(&o).await;
            }
            let mut first_attempt = true;
            let mut sent_at = 0f64;
            let mut signed_at = 0i64;
            let response = inner
                .transport
                .send(&label, call.idempotent(), || {
                    // The first attempt has its budget slot; a transport retry takes a new one.
                    if !first_attempt {
                        self.admit_now(command, &label)?;
                    }
                    first_attempt = false;
                    let now = inner.clock.now_f64();
                    sent_at = now;
                    let at = time_override.take().unwrap_or_else(|| match offset {
                        Some(o) => (now + o.middle()).floor() as i64,
                        None => now.floor() as i64,
                    });
                    signed_at = at;
                    protocol::build_request(&inner.base_url, call, &inner.user, inner.password.expose(), at, &options)
                })
                .await?;
            let received_at = inner.clock.now_f64();
            let (server_time, parsed) = protocol::parse_response_timed(call, response.status, &response.body);
            let code = parsed.as_ref().err().and_then(Error::code);
            // A 2050 whose answer shows another Prague hour than the one signed for is the clock, not the password.
            let clock_cause = code == Some(2050)
                && server_time.is_some_and(|t| protocol::prague_hour(t).ok() != protocol::prague_hour(signed_at).ok());
            let message = parsed.as_ref().err().map(|e| e.message().to_owned()).unwrap_or_default();
            self.record(&label, command, code, clock_cause, &message, (sent_at, received_at, server_time))?;
            match parsed {
                Ok(out) => return Ok(out),
                Err(_) if clock_cause && !clock_retry_done => {
                    tracing::debug!(operation = %label, "2050 for another hour than the server's: retrying once with the server's hour");
                    clock_retry_done = true;
                }
                Err(e)
                    if code == Some(2050)
                        && server_time.is_none()
                        && offset.is_none()
                        && !clock_retry_done
                        && protocol::seconds_to_hour_boundary(signed_at) <= inner.boundary_window.as_secs() as i64 =>
                {
                    // No clock known and none in the answer: our clock and the server's may sit on two sides of
                    // the hour; try the other hour once.
                    let r = signed_at.rem_euclid(3600);
                    let other = if r < 1800 { signed_at - r - 1 } else { signed_at - r + 3600 };
                    tracing::debug!(operation = %label, error = %e, "2050 at an hour boundary: retrying once with the other hour");
                    clock_retry_done = true;
                    time_override = Some(other);
                }
                Err(_)
                    if response.after_uncertain
                        && matches!((command, code), ("dns-row-delete", Some(3309)) | ("poll-ack", Some(2151))) =>
                {
                    // An earlier attempt may have reached the server, and what it was to remove is gone: that
                    // attempt did it.
                    tracing::debug!(operation = %label, "gone after a lost answer: the first attempt was applied");
                    let result = "OK (the first answer was lost; the retry found it already done)";
                    let done = Response::concluded(1000, result, command, server_time);
                    return Ok(Output::Response(Response {
                        cltrid: options.cltrid.clone(),
                        test: options.test,
                        ..done
                    }));
                }
                Err(e) => return Err(self.explain(e, clock_cause)),
            }
        }
    }

    /// Consults the shared state and charges the budgets, waiting for room under [`LimitPolicy::Wait`]. Returns
    /// the clock offset known.
    async fn admit(&self, command: &str, label: &str) -> Result<Option<ClockOffset>> {
        loop {
            match self.try_admit(command, label)? {
                Ok(offset) => return Ok(offset),
                Err(e) if self.inner.policy == LimitPolicy::Wait => {
                    let wait = e.retry_after().unwrap_or(Duration::from_secs(1));
                    tracing::debug!(operation = label, ?wait, "hourly budget spent: waiting");
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// [`Self::admit`] without waiting (a transport retry).
    fn admit_now(&self, command: &str, label: &str) -> Result<()> {
        self.try_admit(command, label)?.map(|_| ())
    }

    /// The outer error is a refusal (guard, block, invalid answers); the inner one a spent budget.
    fn try_admit(&self, command: &str, label: &str) -> Result<std::result::Result<Option<ClockOffset>, Error>> {
        let inner = &*self.inner;
        let domain = protocol::is_domain_limited(command);
        inner.store.update(label, |st| {
            let now = state::now_f64();
            st.prune(now, inner.window);
            self.refusal(st, label, now)?;
            let room = |q: &std::collections::VecDeque<f64>, limit: u32| -> Option<f64> {
                // The oldest of the last `limit` requests leaves the window first.
                (q.len() >= limit as usize).then(|| q[q.len() - limit as usize] + inner.window - now)
            };
            let wait = room(&st.requests, inner.hourly_limit)
                .into_iter()
                .chain(if domain { room(&st.domain_checks, inner.domain_check_limit) } else { None })
                .fold(None::<f64>, |a, b| Some(a.map_or(b, |a| a.max(b))));
            if let Some(wait) = wait {
                let which = if domain { "domain availability / request" } else { "request" };
                return Ok(Err(Error::new(
                    ErrorKind::RateLimited,
                    label,
                    format!("not sent: the account's hourly {which} budget is spent"),
                )
                .with_retry_after(wait_secs(wait))));
            }
            st.requests.push_back(now);
            if domain {
                st.domain_checks.push_back(now);
            }
            Ok(Ok(st.clock))
        })?
    }

    /// Why nothing may be sent now, if so: the guard, the server's block, the invalid answers of the window.
    fn refusal(&self, st: &AccountState, label: &str, now: f64) -> Result<()> {
        let inner = &*self.inner;
        if let (Some(stop), true) = (&st.auth_stop, inner.max_auth_failures > 0) {
            let (meaning, _) = protocol::code_info(stop.code);
            return Err(Error::new(
                ErrorKind::Authentication,
                label,
                format!(
                    "not sent: the WEDOS clients of {} on this machine stopped after {} authentication/IP failures \
                     in a row (the last: {} {meaning}, {} ago); WEDOS blocks an IP after repeated invalid requests. \
                     Check the WAPI password and the IP allow-list, then run `hostapi wedos guard reset` (or call \
                     reset_auth_guard())",
                    inner.user,
                    stop.failures,
                    stop.code,
                    ago(now - stop.at),
                ),
            ));
        }
        if let Some(until) = st.blocked_until {
            let left = until - now;
            return Err(Error::new(
                ErrorKind::RateLimited,
                label,
                format!(
                    "not sent: WEDOS blocked this IP address for too many invalid requests, for {:.0} s more; a \
                     request now would lengthen the block",
                    left.ceil()
                ),
            )
            .with_code(2052)
            .with_retry_after(wait_secs(left)));
        }
        let max = inner.max_invalid as usize;
        if max > 0 && st.invalid.len() >= max {
            let frees = st.invalid[st.invalid.len() - max].at + inner.window - now;
            let last = st.invalid.back().expect("at least max > 0 entries");
            let (meaning, _) = protocol::code_info(last.code);
            return Err(Error::new(
                ErrorKind::RateLimited,
                label,
                format!(
                    "not sent: {} invalid requests within the hour ({}; the last: {} {} {meaning}); WEDOS blocks the \
                     IP at the next one. Sending resumes in {:.0} s, when the oldest leaves the hour; once the cause \
                     is fixed, `hostapi wedos guard reset` (or reset_auth_guard()) resumes at once",
                    st.invalid.len(),
                    causes(&st.invalid),
                    last.command,
                    last.code,
                    frees.ceil()
                ),
            )
            .with_retry_after(wait_secs(frees)));
        }
        Ok(())
    }

    /// Records what an answer taught: the clock offset, an invalid request, an authentication failure, a block.
    fn record(
        &self,
        label: &str,
        command: &str,
        code: Option<i64>,
        clock_cause: bool,
        message: &str,
        (sent, received, server_time): (f64, f64, Option<i64>),
    ) -> Result<()> {
        let inner = &*self.inner;
        let now = state::now_f64();
        inner.store.update(label, |st| {
            if let Some(t) = server_time {
                st.clock = Some(narrow(st.clock, t, sent, received, now));
            }
            match code {
                None => st.auth_failures = 0,
                Some(c) => {
                    if c >= 2000 {
                        st.invalid.push_back(Invalid { at: now, code: c, command: command.to_owned() });
                    }
                    if matches!(c, 2050 | 2051) && !clock_cause {
                        st.auth_failures = st.auth_failures.saturating_add(1);
                        if inner.max_auth_failures > 0 && st.auth_failures >= inner.max_auth_failures {
                            st.auth_stop = Some(AuthStop {
                                at: now,
                                code: c,
                                command: command.to_owned(),
                                failures: st.auth_failures,
                            });
                        }
                    }
                    if c == 2052 {
                        let offset = st.clock.map(|o| o.middle()).unwrap_or(0.0);
                        st.blocked_until = Some(block_end(message, now, offset));
                    }
                }
            }
        })
    }

    /// Waits until the server's hour is certain: while the interval the server's time lies in (plus the
    /// latency margin) spans a Prague hour boundary, sleeps past it.
    async fn wait_past_boundary(&self, o: &ClockOffset) {
        loop {
            let now = self.inner.clock.now_f64();
            let (low, high) = (now + o.low, now + o.high + LATENCY_MARGIN);
            let hour = |t: f64| protocol::prague_hour(t.floor() as i64).ok();
            if hour(low) == hour(high) {
                return;
            }
            let boundary = ((low / 3600.0).floor() + 1.0) * 3600.0;
            let wait = Duration::from_secs_f64((boundary - low + 0.02).clamp(0.01, MAX_OFFSET_WIDTH + 1.0));
            tracing::debug!(?wait, "the server's Prague hour is uncertain: waiting past the boundary");
            tokio::time::sleep(wait).await;
        }
    }

    /// A server error, with what the client knows of its cause added.
    fn explain(&self, e: Error, clock_cause: bool) -> Error {
        if clock_cause {
            let message = format!(
                "{} — the server's clock showed another Prague hour than this machine's even after correcting \
                 for the offset; check the system clock",
                e.message()
            );
            return Error::new(e.kind(), e.operation(), message).with_code(2050);
        }
        let e = with_retry_after(e);
        if e.code() == Some(2052) {
            let until = self.inner.store.update(e.operation(), |st| st.blocked_until).ok().flatten();
            if let Some(until) = until {
                return e.with_retry_after(wait_secs(until - state::now_f64()));
            }
        }
        e
    }

    /// Waits up to `timeout` for the notification answering `pending`, acknowledges it and returns it.
    ///
    /// The POLL queue only shows its oldest unread notification, and only acknowledging it shows the next. A
    /// notification of another request met on the way is therefore taken off the server queue into the account's
    /// spool (written before it is acknowledged on the server) and never lost: every client of the account, in
    /// any process, hands spooled notifications out first, in queue order, each exactly once.
    pub async fn wait_for(&self, pending: &Pending, timeout: Duration) -> Result<Notification> {
        let label = format!("wedos wait {}", pending.command);
        let deadline = tokio::time::Instant::now()
            .checked_add(timeout)
            .ok_or_else(|| Error::config(&label, format!("timeout {timeout:?} is too large")))?;
        loop {
            if let Some(n) = self.claim(&label, |n| n.answers(pending))? {
                return Ok(n);
            }
            let found = {
                let _queue = self.inner.store.lock_queue(&self.inner.queue, &label, deadline).await?;
                // Another waiter may have spooled ours while this one waited for the queue.
                if let Some(n) = self.claim(&label, |n| n.answers(pending))? {
                    return Ok(n);
                }
                self.take_from_queue(&label).await?
            };
            if found {
                continue;
            }
            let now = tokio::time::Instant::now();
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

    /// Takes the oldest notification off the server queue into the spool (before acknowledging it there).
    /// Returns whether there was one. The caller holds the queue.
    async fn take_from_queue(&self, label: &str) -> Result<bool> {
        let n = match self.execute(&Call::PollReq).await? {
            Output::Notification(Some(n)) => n,
            Output::Notification(None) => return Ok(false),
            _ => return Err(unexpected("poll-req")),
        };
        let id = n.id.clone().ok_or_else(|| {
            Error::new(ErrorKind::Protocol, label, "a queued notification without an id cannot be acknowledged")
        })?;
        self.inner.store.update(label, |st| {
            // Met again after a process died between spooling (or handing out) and acknowledging: not twice.
            if st.spooled(&id).is_none() && !st.handed.contains(&id) {
                st.spool.push_back(Value::Object(n.raw.clone()));
            }
        })?;
        self.execute(&Call::PollAck { id }).await?;
        Ok(true)
    }

    /// Removes from the spool, and returns, the first notification that `wanted`.
    fn claim(&self, label: &str, wanted: impl Fn(&Notification) -> bool) -> Result<Option<Notification>> {
        self.inner.store.update(label, |st| {
            let i = st.spool.iter().position(|v| protocol::parse_notification_json(v).is_ok_and(|n| wanted(&n)))?;
            let v = st.spool.remove(i)?;
            let n = protocol::parse_notification_json(&v).ok()?;
            if let Some(id) = &n.id {
                st.remember_handed(id);
            }
            Some(n)
        })
    }
}

/// "3 s", "4 min", "2 h".
fn ago(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s / 60),
        _ => format!("{} h", s / 3600),
    }
}

/// The invalid answers grouped by cause: "8 bad input, 2 password/IP".
fn causes(invalid: &std::collections::VecDeque<Invalid>) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for i in invalid {
        let cause = match i.code {
            2050 | 2051 => "password/IP",
            2052 => "IP block",
            2006 | 2250 | 2252 => "limit",
            4000..=5999 => "server failure",
            _ => "bad input",
        };
        match counts.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, n)) => *n += 1,
            None => counts.push((cause, 1)),
        }
    }
    counts.iter().map(|(c, n)| format!("{n} {c}")).collect::<Vec<_>>().join(", ")
}

/// The offset `server − local` known after an answer stamped `server_time` (whole seconds) to a request sent at
/// `sent` and answered at `received` (local seconds): within `[server_time − received, server_time + 1 − sent]`.
/// Intersected with what was known when they agree; replaced when they do not (a clock was set) or when the old
/// knowledge is stale.
fn narrow(old: Option<ClockOffset>, server_time: i64, sent: f64, received: f64, now: f64) -> ClockOffset {
    let t = server_time as f64;
    let new = ClockOffset { low: t - received, high: t + 1.0 - sent, at: now };
    match old {
        Some(o) if now - o.at < OFFSET_MAX_AGE => {
            let (low, high) = (o.low.max(new.low), o.high.min(new.high));
            if low <= high {
                ClockOffset { low, high, at: now }
            } else {
                new
            }
        }
        _ => new,
    }
}

/// The end of the server's IP block (local seconds) from its 2052 text: "… N s …" (seconds left), else
/// "until <Unix seconds>" (the server's clock), else a minute.
fn block_end(message: &str, now: f64, offset: f64) -> f64 {
    let words: Vec<&str> = message
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        if let (Ok(n), true) = (pair[0].parse::<f64>(), matches!(pair[1], "s" | "sec" | "secs" | "seconds")) {
            if n.is_finite() && n >= 0.0 {
                return now + n.min(MAX_BLOCK_SECS);
            }
        }
    }
    for pair in words.windows(2) {
        if pair[0].eq_ignore_ascii_case("until") {
            if let Ok(t) = pair[1].parse::<i64>() {
                return (t as f64 - offset).clamp(now, now + MAX_BLOCK_SECS);
            }
        }
    }
    now + 60.0
}

/// The longest block a 2052 answer is believed to announce (a day): a larger figure is a garbled message.
const MAX_BLOCK_SECS: f64 = 86_400.0;

/// A wait in seconds as a `Duration`: negative, NaN or absurd figures (from a server's text) are clamped to
/// `[0, 1 day]` instead of panicking.
fn wait_secs(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs.clamp(0.0, MAX_BLOCK_SECS)).unwrap_or(Duration::ZERO)
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
    ///
    /// When the answer is lost after the request may have reached the server (a timeout, a dropped connection, a
    /// 5xx from a proxy), the add is not blindly repeated — that would fail with 2316 "row exists", an invalid
    /// request — but reconciled: the zone's rows are listed, and the row found there is the add's success; only
    /// a row provably not there is added again, once.
    pub async fn add_row(self, row: NewDnsRow) -> Result<Response> {
        self.client.add_row_reconciled(row, &RequestOptions::default()).await
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
    /// The oldest unread notification (spooled ones first), without acknowledging it; `None` when the queue is
    /// empty.
    pub async fn poll(self) -> Result<Option<Notification>> {
        let label = "wedos poll-req";
        let first = self.client.inner.store.update(label, |st| st.spool.front().cloned())?;
        if let Some(v) = first {
            return protocol::parse_notification_json(&v).map(Some);
        }
        match self.client.execute(&Call::PollReq).await? {
            Output::Notification(n) => Ok(n),
            _ => Err(unexpected("poll-req")),
        }
    }

    /// Marks notification `id` read (`poll-ack`), which exposes the next one. For a spooled notification this
    /// only removes it from the spool (the server has it acknowledged already).
    pub async fn ack(self, id: &str) -> Result<Response> {
        let label = "wedos poll-ack";
        let spooled = self.client.inner.store.update(label, |st| {
            let i = st.spooled(id)?;
            st.spool.remove(i);
            st.remember_handed(id);
            Some(())
        })?;
        if spooled.is_some() {
            let result = "Notification acquired (from the client's spool)";
            return Ok(Response::concluded(1002, result, "poll-ack", Some(crate::unix_now())));
        }
        self.client.run_response(Call::PollAck { id: id.to_owned() }).await
    }

    /// The next notification, acknowledged as it is handed over; `None` when the queue is empty. Loop on it to
    /// drain the queue. A notification is spooled before it is acknowledged on the server, so a process that dies
    /// on the way leaves it to the next reader.
    pub async fn next(self) -> Result<Option<Notification>> {
        let label = "wedos poll-req";
        let c = self.client;
        if let Some(n) = c.claim(label, |_| true)? {
            return Ok(Some(n));
        }
        let deadline = tokio::time::Instant::now() + c.inner.transport.config().timeout * 4;
        let _queue = c.inner.store.lock_queue(&c.inner.queue, label, deadline).await?;
        if let Some(n) = c.claim(label, |_| true)? {
            return Ok(Some(n));
        }
        if !c.take_from_queue(label).await? {
            return Ok(None);
        }
        c.claim(label, |_| true)
    }

    /// Keeps a notification received some other way (the account's URL delivery: see
    /// [`protocol::parse_notification`]) in the account's spool, for the next reader in any process. Returns
    /// false when it is there already or was handed out lately (a redelivery).
    pub fn keep(self, n: &Notification) -> Result<bool> {
        self.client.inner.store.update("wedos notifications", |st| {
            let id = n.id.clone().unwrap_or_default();
            if !id.is_empty() && (st.spooled(&id).is_some() || st.handed.contains(&id)) {
                return false;
            }
            st.spool.push_back(Value::Object(n.raw.clone()));
            true
        })
    }

    /// How many notifications wait in the account's spool: taken off the server queue by a client of the account
    /// (in any process) while it waited for another one, not yet handed out.
    pub fn kept(self) -> Result<usize> {
        self.client.inner.store.update("wedos notifications", |st| st.spool.len())
    }
}
