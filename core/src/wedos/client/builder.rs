//! The client's settings: [`ClientBuilder`], from code, the environment or the operation model's JSON options.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::{Client, Inner};
use crate::error::{Detail, Error, Result};
use crate::ops::{self, default_seconds, setting_default, Api};
use crate::account::{Account, Names};
use crate::secret::Secret;
use crate::transport::{Transport, TransportConfig};
use crate::wedos::governor::{Policy, INVALID_KEPT};
use crate::wedos::protocol;
use crate::wedos::store::{now_f64, StateLocation, Store, StoreOptions};

pub const ENV_USER: &str = "WEDOS_USER";
pub const ENV_PASSWORD: &str = "WEDOS_PASSWORD";
pub const ENV_BASE_URL: &str = "WEDOS_BASE_URL";

/// The account settings' names (see [`Account`]).
static NAMES: Names = Names {
    op: BUILD_OP,
    id: ("user", ENV_USER, "a user"),
    secret: ("password", ENV_PASSWORD, "a WAPI password"),
    base_url_env: ENV_BASE_URL,
    default_base_url: protocol::DEFAULT_BASE_URL,
};

pub(super) const BUILD_OP: &str = "wedos client";
const API: Api = Api::Wedos;

/// What the client does when one of its hourly budgets is spent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LimitPolicy {
    /// Fail at once with a [`ErrorKind::RateLimited`](crate::ErrorKind::RateLimited) error that says when to retry (default).
    #[default]
    FailFast,
    /// Wait until the budget has room again.
    Wait,
}

impl LimitPolicy {
    /// The policy of the `on_limit` setting (`"raise"` or `"wait"`, checked against the model before).
    fn from_setting(value: &str) -> LimitPolicy {
        if value == "wait" {
            LimitPolicy::Wait
        } else {
            LimitPolicy::FailFast
        }
    }
}

/// Where the client reads the local time (Unix seconds) that `auth` is computed for, before the correction by the
/// offset learned from the server's answers.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> f64 + Send + Sync>);

impl Clock {
    /// The system clock (UTC).
    pub fn system() -> Clock {
        Clock(Arc::new(now_f64))
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
    account: Account,
    transport: TransportConfig,
    test: bool,
    policy: LimitPolicy,
    hourly_limit: u32,
    domain_check_limit: u32,
    budget_window: Duration,
    max_auth_failures: u32,
    max_invalid: u32,
    state: Option<StateLocation>,
    fallback_local: bool,
    boundary_window: Duration,
    poll_interval: Duration,
    clock: Clock,
}

impl Default for ClientBuilder {
    /// The operation model's defaults.
    fn default() -> Self {
        let [hourly_limit, domain_check_limit] = setting_default::<[u32; 2]>(API, "hourly_limits");
        ClientBuilder {
            account: Account::new(&NAMES, setting_default(API, "base_url")),
            transport: TransportConfig::default(),
            test: setting_default(API, "test_mode"),
            policy: LimitPolicy::from_setting(&setting_default::<String>(API, "on_limit")),
            hourly_limit,
            domain_check_limit,
            budget_window: default_seconds(API, "budget_window"),
            max_auth_failures: setting_default(API, "max_auth_failures"),
            max_invalid: setting_default(API, "max_invalid_requests"),
            state: None,
            fallback_local: setting_default::<String>(API, "state_store_fallback") == "local",
            boundary_window: default_seconds(API, "hour_boundary_window"),
            poll_interval: default_seconds(API, "poll_interval"),
            clock: Clock::system(),
        }
    }
}

impl ClientBuilder {
    /// The WEDOS account login (e-mail).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.account.id = Some(user.into());
        self
    }
    /// The WAPI password (set in the admin panel; the account password does not work). Never shown.
    pub fn password(mut self, password: impl Into<Secret>) -> Self {
        self.account.secret = Some(password.into());
        self
    }
    /// The JSON endpoint (default `https://api.wedos.com/wapi/json`).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.account.base_url = base_url.into();
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
    /// Where the account state shared by every client of the account lives: a directory, `:memory:`, or a Redis
    /// server shared by many machines (default: [`StateLocation::from_env`]: `HOSTAPI_STATE_STORE`, else
    /// `HOSTAPI_STATE_DIR`, else `$XDG_STATE_HOME/hostapi`, else `~/.local/state/hostapi`).
    pub fn state_location(mut self, location: StateLocation) -> Self {
        self.state = Some(location);
        self
    }
    /// When the state lives on a Redis server that cannot be reached: go on with this machine's own store, with a
    /// warning, instead of failing (default: fail — the guard protects the IP only where it is shared).
    pub fn state_store_fallback_local(mut self, yes: bool) -> Self {
        self.fallback_local = yes;
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
        self.account.read_env();
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
            b.account.id = Some(v);
        }
        if let Some(v) = ops::text(o, "password") {
            b.account.secret = Some(Secret::new(v));
        }
        if let Some(v) = ops::text(o, "base_url") {
            b.account.base_url = v;
        }
        if let Some(v) = o.get("test_mode").and_then(Value::as_bool) {
            b.test = v;
        }
        if let Some(v) = o.get("on_limit").and_then(Value::as_str) {
            b.policy = LimitPolicy::from_setting(v);
        }
        if let Some(v) = o.get("max_auth_failures").and_then(count) {
            b.max_auth_failures = v;
        }
        if let Some(v) = o.get("max_invalid_requests").and_then(count) {
            b.max_invalid = v;
        }
        // The explicit store wins over the directory.
        for key in ["state_dir", "state_store"] {
            if let Some(v) = ops::text(o, key).filter(|v| !v.trim().is_empty()) {
                b.state = Some(StateLocation::parse(&v).map_err(|e| Error::config(BUILD_OP, format!("{key}: {e}")))?);
            }
        }
        match o.get("state_store_fallback").and_then(Value::as_str) {
            Some("local") => b.fallback_local = true,
            Some(_) => b.fallback_local = false,
            None => {}
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
        let invalid = |setting: &str, message: String| {
            Error::config(BUILD_OP, message).with_detail(Detail::InvalidSetting(setting.to_owned()))
        };
        let (user, password, base_url) = self.account.check()?;
        if self.hourly_limit == 0 || self.domain_check_limit == 0 {
            return Err(invalid("hourly_limits", "hourly limits must be at least 1".into()));
        }
        if self.max_invalid as usize > INVALID_KEPT {
            return Err(invalid(
                "max_invalid_requests",
                format!("max_invalid_requests must be at most {INVALID_KEPT} (WEDOS blocks the IP after 10)"),
            ));
        }
        if self.budget_window.is_zero() {
            return Err(invalid("budget_window", "the budget window must be greater than zero".into()));
        }
        if self.poll_interval.is_zero() {
            return Err(invalid("poll_interval", "the poll interval must be greater than zero".into()));
        }
        let location = match self.state.clone() {
            Some(l) => l,
            None => StateLocation::from_env().map_err(|e| Error::config(BUILD_OP, e))?,
        };
        let config = &self.transport;
        let ca_pem = match (&location, &config.ca_bundle_pem, &config.ca_bundle_file) {
            (StateLocation::Redis(r), pem, file) if r.tls() && (pem.is_some() || file.is_some()) => {
                let mut all = pem.clone().unwrap_or_default();
                if let Some(path) = file {
                    let more = std::fs::read(path).map_err(|e| {
                        Error::config(BUILD_OP, format!("cannot read CA bundle {}: {e}", path.display()))
                    })?;
                    all.extend_from_slice(&more);
                }
                Some(all)
            }
            _ => None,
        };
        let options = StoreOptions { timeout: config.connect_timeout, ca_pem, fallback_local: self.fallback_local };
        let store = Store::open(location, &user, &base_url, BUILD_OP, &options)?;
        let transport = Transport::new(self.transport, BUILD_OP)?;
        let limits = Policy {
            user: user.clone(),
            hourly_limit: self.hourly_limit,
            domain_check_limit: self.domain_check_limit,
            window: self.budget_window.as_secs_f64(),
            max_invalid: self.max_invalid,
            max_auth_failures: self.max_auth_failures,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                user,
                password,
                base_url,
                transport,
                test: self.test,
                on_limit: self.policy,
                limits,
                store,
                settled: tokio::sync::Notify::new(),
                queue: tokio::sync::Mutex::new(()),
                boundary_window: self.boundary_window,
                poll_interval: self.poll_interval,
                clock: self.clock,
                sequence: AtomicU64::new(0),
                instance: fastrand::u32(..),
                holder: format!("{}-{:08x}", std::process::id(), fastrand::u32(..)),
                pid: std::process::id(),
            }),
        })
    }
}
