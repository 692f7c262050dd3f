//! Where the state of a WEDOS account lives, shared by every hostapi client of the account — every process, every
//! language: the guard ([`GuardState`](crate::wedos::governor::GuardState): budgets, invalid answers, requests in flight, the authentication stop, the
//! server's block, the clock offset) and the notification spool ([`Spool`](crate::wedos::spool::Spool)).
//!
//! [`AccountStore`] is the contract: a handful of operations, each atomic on its own, that run the governor's and
//! the spool's pure functions on the stored state. Two stores implement it here:
//!
//! - [`MemoryStore`] (`":memory:"`): in the client and its clones; for tests and single-process programs;
//! - [`FileStore`] (the default): files per account in a private directory of the user, under a lock, crash-safe.
//!
//! A networked store implements the same operations atomically on its server.

mod file;
mod memory;
mod redis;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use sha1::{Digest, Sha1};

pub use self::redis::RedisStore;
pub use file::FileStore;
pub use memory::MemoryStore;

use super::governor::{Admission, Ask, AuthStop, ClockOffset, GuardState, InFlight, Invalid, Policy, Reset, Settlement};
use super::spool::{Ack, Push, Want};
use crate::error::{Error, ErrorKind, Result};

/// The environment variable that moves the state directory (or, as `:memory:`, keeps state in the client).
pub const ENV_STATE_DIR: &str = "HOSTAPI_STATE_DIR";
/// The environment variable that names the account store: a directory, `:memory:`, or a Redis URL. It wins over
/// [`ENV_STATE_DIR`].
pub const ENV_STATE_STORE: &str = "HOSTAPI_STATE_STORE";
/// The state "directory" that keeps state in memory, in the client and its clones.
pub const MEMORY: &str = ":memory:";

/// Where a client keeps its account state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateLocation {
    /// In the client (and its clones) only.
    Memory,
    /// Files per account in this directory, shared by every process of the user.
    Dir(PathBuf),
    /// Keys per account on a Redis server (or any of its protocol: Valkey), shared by every machine using it.
    Redis(RedisLocation),
}

/// A Redis URL, `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS). Shown without its password.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisLocation {
    url: crate::secret::Secret,
    shown: String,
}

impl RedisLocation {
    /// Parses and checks a Redis URL (`redis://`, `rediss://`; `valkey://`, `valkeys://` alike); the error never
    /// repeats the URL, which may hold a password.
    pub fn parse(text: &str) -> std::result::Result<RedisLocation, String> {
        let u = url::Url::parse(text.trim()).map_err(|e| format!("not a Redis URL ({e})"))?;
        let tls = match u.scheme() {
            "redis" | "valkey" => false,
            "rediss" | "valkeys" => true,
            _ => return Err("a Redis URL starts with redis:// or rediss:// (TLS)".into()),
        };
        let host = u.host_str().filter(|h| !h.is_empty()).ok_or("a Redis URL needs a host")?;
        let db = u.path().trim_start_matches('/');
        if !db.is_empty() && db.parse::<u32>().is_err() {
            return Err("the database of a Redis URL is a number (redis://host:port/0)".into());
        }
        if u.query().is_some() || u.fragment().is_some() {
            return Err("a Redis URL for the account store takes no query or fragment".into());
        }
        let user = if u.username().is_empty() { String::new() } else { format!("{}@", u.username()) };
        let port = u.port().unwrap_or(6379);
        let scheme = if tls { "rediss" } else { "redis" };
        let shown = format!("{scheme}://{user}{host}:{port}/{}", if db.is_empty() { "0" } else { db });
        // redis-rs reads the redis/rediss schemes; the URL is given to it in that form.
        let mut given = u.clone();
        let _ = given.set_scheme(scheme);
        Ok(RedisLocation { url: crate::secret::Secret::new(given.as_str()), shown })
    }

    /// The URL as given, password included: only for connecting.
    pub(crate) fn expose(&self) -> &str {
        self.url.expose()
    }

    /// Whether it is `rediss://` (TLS).
    pub fn tls(&self) -> bool {
        self.shown.starts_with("rediss:")
    }
}

impl std::fmt::Display for RedisLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl std::fmt::Debug for RedisLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedisLocation({})", self.shown)
    }
}

impl StateLocation {
    /// A directory path, `:memory:`, or a `redis://` / `rediss://` URL.
    pub fn parse(text: &str) -> std::result::Result<StateLocation, String> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        let url_like = ["redis:", "rediss:", "valkey:", "valkeys:"].iter().any(|s| lower.starts_with(s));
        if t == MEMORY {
            Ok(StateLocation::Memory)
        } else if url_like || t.contains("://") {
            // Never echoed: a URL may hold a password.
            RedisLocation::parse(t).map(StateLocation::Redis).map_err(|e| {
                format!("neither a directory, {MEMORY}, nor a usable redis:// or rediss:// URL: {e}")
            })
        } else {
            Ok(StateLocation::Dir(PathBuf::from(text)))
        }
    }

    /// `HOSTAPI_STATE_STORE`, else `HOSTAPI_STATE_DIR`, else `$XDG_STATE_HOME/hostapi`, else
    /// `$HOME/.local/state/hostapi` (on Windows `%LOCALAPPDATA%\hostapi`); in memory when none of them is set.
    pub fn from_env() -> std::result::Result<StateLocation, String> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        for name in [ENV_STATE_STORE, ENV_STATE_DIR] {
            if let Some(v) = var(name) {
                return StateLocation::parse(&v.to_string_lossy()).map_err(|e| format!("{name}: {e}"));
            }
        }
        if let Some(v) = var("XDG_STATE_HOME") {
            return Ok(StateLocation::Dir(PathBuf::from(v).join("hostapi")));
        }
        if cfg!(windows) {
            if let Some(v) = var("LOCALAPPDATA") {
                return Ok(StateLocation::Dir(PathBuf::from(v).join("hostapi")));
            }
        }
        Ok(match var("HOME") {
            Some(h) => StateLocation::Dir(PathBuf::from(h).join(".local").join("state").join("hostapi")),
            None => StateLocation::Memory,
        })
    }

    /// The machine's own default: the directory [`Self::from_env`] would choose without a store variable (the
    /// fallback of a Redis store that cannot be reached, when the settings ask for one).
    pub fn local_default() -> StateLocation {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        if let Some(StateLocation::Dir(d)) =
            var(ENV_STATE_DIR).and_then(|v| StateLocation::parse(&v.to_string_lossy()).ok())
        {
            return StateLocation::Dir(d);
        }
        if let Some(v) = var("XDG_STATE_HOME") {
            return StateLocation::Dir(PathBuf::from(v).join("hostapi"));
        }
        match var("HOME") {
            Some(h) => StateLocation::Dir(PathBuf::from(h).join(".local").join("state").join("hostapi")),
            None => StateLocation::Memory,
        }
    }
}

impl std::fmt::Display for StateLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateLocation::Memory => f.write_str(MEMORY),
            StateLocation::Dir(d) => write!(f, "{}", d.display()),
            StateLocation::Redis(r) => write!(f, "{r}"),
        }
    }
}

/// The account key: a hash of user and base URL (never the password).
pub fn account_key(user: &str, base_url: &str) -> String {
    let mut h = Sha1::new();
    h.update(user.as_bytes());
    h.update(b"\n");
    h.update(base_url.trim_end_matches('/').as_bytes());
    hex::encode(&h.finalize()[..8])
}

/// Local Unix time with sub-second precision.
pub fn now_f64() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// The account's shared state as it is now (`hostapi wedos guard status`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GuardStatus {
    /// Where the state lives (`:memory:`, or the state file).
    pub store: String,
    /// The requests counted in the budget window (an upper bound), and the domain availability checks.
    pub requests_in_window: u32,
    pub domain_checks_in_window: u32,
    /// The requests in flight now, in any process.
    pub in_flight: Vec<InFlight>,
    /// The invalid answers within the window, oldest first.
    pub invalid: Vec<Invalid>,
    /// Authentication/IP failures in a row, and the stop they caused.
    pub auth_failures: u32,
    pub stopped: Option<AuthStop>,
    /// Whether an answer within the window showed that the credentials work from here.
    pub credentials_proven: bool,
    /// Seconds the server's IP block lasts.
    pub blocked_for_secs: Option<f64>,
    pub clock_offset: Option<ClockOffset>,
    /// Notifications in the spool.
    pub spooled_notifications: usize,
    /// Why the stored state cannot be read, while the guard is kept.
    pub damaged: Option<String>,
}

impl GuardStatus {
    pub(crate) fn of(store: String, g: &GuardState, policy: &Policy, spooled: usize, now: f64) -> GuardStatus {
        GuardStatus {
            store,
            requests_in_window: g.requests.count(now, policy.window),
            domain_checks_in_window: g.domain_checks.count(now, policy.window),
            in_flight: g.in_flight.clone(),
            invalid: g.invalid.iter().cloned().collect(),
            auth_failures: g.auth_failures,
            stopped: g.auth_stop.clone(),
            credentials_proven: g.proven_at.is_some(),
            blocked_for_secs: g.blocked_until.map(|t| (t - now).max(0.0).ceil()),
            clock_offset: g.clock,
            spooled_notifications: spooled,
            damaged: None,
        }
    }
}

/// A record key: 1–128 characters of `A-Z a-z 0-9 . _ -`, not starting with a dot (a file name in a directory
/// store, a hash field in Redis).
pub fn check_record_key(label: &str, key: &str) -> Result<()> {
    let ok = !key.is_empty()
        && key.len() <= 128
        && !key.starts_with('.')
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::config(label, "a record key is 1-128 characters of A-Z a-z 0-9 . _ - (not starting with a dot)"))
    }
}

/// The operations of an account store. Each runs atomically — no other operation on the same account, in any
/// process sharing the store, sees it half done — and within a bounded time. `label` names the operation in errors;
/// `now` is local Unix time.
pub trait AccountStore: Send + Sync {
    /// Where the state lives, for people (never a secret).
    fn describe(&self) -> String;

    /// [`GuardState::reserve`](crate::wedos::governor::GuardState::reserve): decides whether a request may be sent and reserves its slots.
    fn reserve(
        &self,
        label: &str,
        policy: &Policy,
        ask: &Ask<'_>,
        now: f64,
    ) -> impl Future<Output = Result<Admission>> + Send;

    /// [`GuardState::settle`](crate::wedos::governor::GuardState::settle): what came of a reserved request, with the clock evidence its answer carried.
    fn settle(
        &self,
        label: &str,
        policy: &Policy,
        ticket: u64,
        settlement: &Settlement<'_>,
        now: f64,
    ) -> impl Future<Output = Result<()>> + Send;

    /// [`GuardState::reset`](crate::wedos::governor::GuardState::reset); on a damaged store, starts it afresh.
    fn reset(&self, label: &str, policy: &Policy, scope: Reset, now: f64) -> impl Future<Output = Result<()>> + Send;

    /// The state as it is now.
    fn status(&self, label: &str, policy: &Policy, now: f64) -> impl Future<Output = Result<GuardStatus>> + Send;

    /// [`Spool::push`](crate::wedos::spool::Spool::push): keeps a notification for the next reader.
    fn spool_push(&self, label: &str, notify: &Value, now: f64) -> impl Future<Output = Result<Push>> + Send;

    /// [`Spool::take`](crate::wedos::spool::Spool::take): removes and hands out a notification.
    fn spool_take(
        &self,
        label: &str,
        want: Want<'_>,
        holder: &str,
        now: f64,
    ) -> impl Future<Output = Result<Option<Value>>> + Send;

    /// [`Spool::lease`](crate::wedos::spool::Spool::lease): hands out a notification for `secs` without removing it.
    fn spool_lease(
        &self,
        label: &str,
        holder: &str,
        now: f64,
        secs: f64,
    ) -> impl Future<Output = Result<Option<Value>>> + Send;

    /// [`Spool::ack`](crate::wedos::spool::Spool::ack): acknowledges a notification handed out by `spool_lease`.
    fn spool_ack(&self, label: &str, id: &str, holder: &str, now: f64) -> impl Future<Output = Result<Ack>> + Send;

    /// [`Spool::acknowledged`](crate::wedos::spool::Spool::acknowledged): notification `id` was acknowledged on the server.
    fn spool_acknowledged(&self, label: &str, id: &str, now: f64) -> impl Future<Output = Result<()>> + Send;

    /// How many notifications wait in the spool.
    fn spool_len(&self, label: &str, now: f64) -> impl Future<Output = Result<usize>> + Send;

    /// A record other services keep with the account (the gateway's acme-dns registrations): the JSON value at
    /// `key` (checked by [`check_record_key`]), `None` when absent.
    fn record_get(&self, label: &str, key: &str) -> impl Future<Output = Result<Option<Value>>> + Send;

    /// Writes the record at `key`; with `only_new`, only when it does not exist yet (`false`: it did, nothing was
    /// written). Whole-value writes: a reader sees the old value or the new one.
    fn record_put(&self, label: &str, key: &str, value: &Value, only_new: bool)
        -> impl Future<Output = Result<bool>> + Send;
}

/// What opening a store needs beyond its location.
#[derive(Clone, Debug, Default)]
pub(crate) struct StoreOptions {
    /// Bounds a networked store's connection and each of its answers.
    pub timeout: std::time::Duration,
    /// Extra trusted roots (PEM) for a TLS connection to the store.
    pub ca_pem: Option<Vec<u8>>,
    /// When a networked store cannot be reached: go on with the machine's own store (with a warning) instead of
    /// failing.
    pub fallback_local: bool,
}

/// The store of one client (its clones share it).
#[derive(Clone)]
pub(crate) struct Store {
    kind: Arc<Kind>,
    location: StateLocation,
}

enum Kind {
    Memory(MemoryStore),
    File(FileStore),
    Redis(RedisStore, Option<Local>),
}

/// The machine's own store, a networked store's fallback.
enum Local {
    Memory(MemoryStore),
    File(FileStore),
}

/// Runs the same operation (an expression awaiting `$s`'s method) on whichever store this is; a networked store
/// that cannot be reached hands it to its local fallback, when it has one, with a warning.
macro_rules! each {
    ($self:ident, $label:expr, $s:ident => $e:expr) => {
        match &*$self.kind {
            Kind::Memory($s) => $e,
            Kind::File($s) => $e,
            // Boxed: a Redis operation's future is several times the size of a local store's, and every call's
            // future would otherwise carry that size whichever store it uses.
            Kind::Redis(remote, fallback) => Box::pin(async {
                let first = {
                    let $s = remote;
                    $e
                };
                match (first, fallback) {
                    // Only when Redis never took the operation: one it may have applied is not done twice.
                    (Err(e), Some(local)) if e.kind() == ErrorKind::Transport && !e.may_have_applied() => {
                        tracing::warn!(operation = %$label, error = %e, "the shared account store failed: using this machine's (state_store_fallback)");
                        match local {
                            Local::Memory($s) => $e,
                            Local::File($s) => $e,
                        }
                    }
                    (out, _) => out,
                }
            })
            .await,
        }
    };
}

impl Store {
    /// Opens the store of `user` at `base_url` in `location`.
    pub(crate) fn open(
        location: StateLocation,
        user: &str,
        base_url: &str,
        label: &str,
        options: &StoreOptions,
    ) -> Result<Store> {
        let kind = match &location {
            StateLocation::Memory => Kind::Memory(MemoryStore::default()),
            StateLocation::Dir(dir) => Kind::File(FileStore::open(dir, user, base_url, label)?),
            StateLocation::Redis(r) => {
                let remote = RedisStore::open(r, user, base_url, options.timeout, options.ca_pem.clone(), label)?;
                let local = if options.fallback_local {
                    Some(match StateLocation::local_default() {
                        StateLocation::Dir(dir) => Local::File(FileStore::open(&dir, user, base_url, label)?),
                        _ => Local::Memory(MemoryStore::default()),
                    })
                } else {
                    None
                };
                Kind::Redis(remote, local)
            }
        };
        Ok(Store { kind: Arc::new(kind), location })
    }

    pub(crate) fn location(&self) -> &StateLocation {
        &self.location
    }

    /// The state file (`None` in memory).
    pub(crate) fn path(&self) -> Option<&Path> {
        match &*self.kind {
            Kind::File(f) => Some(f.path()),
            Kind::Memory(_) | Kind::Redis(..) => None,
        }
    }

    pub(crate) fn describe(&self) -> String {
        match &*self.kind {
            Kind::Memory(s) => s.describe(),
            Kind::File(s) => s.describe(),
            Kind::Redis(s, None) => s.describe(),
            Kind::Redis(s, Some(Local::File(f))) => format!("{} (else {})", s.describe(), f.describe()),
            Kind::Redis(s, Some(Local::Memory(_))) => format!("{} (else {MEMORY})", s.describe()),
        }
    }

    pub(crate) async fn record_get(&self, label: &str, key: &str) -> Result<Option<Value>> {
        check_record_key(label, key)?;
        each!(self, label, s => s.record_get(label, key).await)
    }

    pub(crate) async fn record_put(&self, label: &str, key: &str, value: &Value, only_new: bool) -> Result<bool> {
        check_record_key(label, key)?;
        each!(self, label, s => s.record_put(label, key, value, only_new).await)
    }

    pub(crate) async fn reserve(&self, label: &str, policy: &Policy, ask: &Ask<'_>, now: f64) -> Result<Admission> {
        each!(self, label, s => s.reserve(label, policy, ask, now).await)
    }

    pub(crate) async fn settle(
        &self,
        label: &str,
        policy: &Policy,
        ticket: u64,
        settlement: &Settlement<'_>,
        now: f64,
    ) -> Result<()> {
        each!(self, label, s => s.settle(label, policy, ticket, settlement, now).await)
    }

    /// Settles a reservation whose caller went away (a dropped future), waiting on this thread (a bounded wait for
    /// the file lock). For a caller outside any runtime.
    pub(crate) fn settle_now(&self, label: &str, policy: &Policy, ticket: u64, settlement: &Settlement<'_>, now: f64) {
        let done = match &*self.kind {
            Kind::Memory(s) => s.settle_now(policy, ticket, settlement, now),
            Kind::File(s) => s.settle_now(label, policy, ticket, settlement, now),
            // Nothing to wait on outside a runtime: the reservation expires.
            Kind::Redis(..) => Ok(()),
        };
        if let Err(e) = done {
            // The reservation expires by itself, counted as a request of unknown outcome.
            tracing::warn!(operation = label, error = %e, "could not settle an abandoned request");
        }
    }

    /// [`Self::settle_now`] without waiting: `false` when the store's lock is taken (or it failed).
    pub(crate) fn try_settle_now(
        &self,
        label: &str,
        policy: &Policy,
        ticket: u64,
        settlement: &Settlement<'_>,
        now: f64,
    ) -> bool {
        match &*self.kind {
            Kind::Memory(s) => s.settle_now(policy, ticket, settlement, now).is_ok(),
            Kind::File(s) => s.try_settle_now(label, policy, ticket, settlement, now).unwrap_or(false),
            Kind::Redis(..) => false,
        }
    }

    pub(crate) async fn reset(&self, label: &str, policy: &Policy, scope: Reset, now: f64) -> Result<()> {
        each!(self, label, s => s.reset(label, policy, scope, now).await)
    }

    pub(crate) async fn status(&self, label: &str, policy: &Policy, now: f64) -> Result<GuardStatus> {
        let mut st = each!(self, label, s => s.status(label, policy, now).await)?;
        if let Kind::Redis(remote, Some(_)) = &*self.kind {
            if st.store != remote.describe() {
                st.store = format!("{} (this machine's: {} is unreachable; state_store_fallback)", st.store, remote.describe());
            }
        }
        Ok(st)
    }

    pub(crate) async fn spool_push(&self, label: &str, notify: &Value, now: f64) -> Result<Push> {
        each!(self, label, s => s.spool_push(label, notify, now).await)
    }

    pub(crate) async fn spool_take(&self, label: &str, want: Want<'_>, holder: &str, now: f64) -> Result<Option<Value>> {
        each!(self, label, s => s.spool_take(label, want, holder, now).await)
    }

    pub(crate) async fn spool_lease(&self, label: &str, holder: &str, now: f64, secs: f64) -> Result<Option<Value>> {
        each!(self, label, s => s.spool_lease(label, holder, now, secs).await)
    }

    pub(crate) async fn spool_ack(&self, label: &str, id: &str, holder: &str, now: f64) -> Result<Ack> {
        each!(self, label, s => s.spool_ack(label, id, holder, now).await)
    }

    pub(crate) async fn spool_acknowledged(&self, label: &str, id: &str, now: f64) -> Result<()> {
        each!(self, label, s => s.spool_acknowledged(label, id, now).await)
    }

    /// Whether the state outlives the process (and is shared with other processes): only then may a notification
    /// be taken off the server's queue before it is handed over for good.
    pub(crate) fn durable(&self) -> bool {
        !matches!(&*self.kind, Kind::Memory(_) | Kind::Redis(_, Some(Local::Memory(_))))
    }

    pub(crate) async fn spool_len(&self, label: &str, now: f64) -> Result<usize> {
        each!(self, label, s => s.spool_len(label, now).await)
    }

    /// Holds the server's POLL queue for this client until the guard is dropped: in-process by `queue`, across
    /// processes by the store. Waits (asynchronously) up to `deadline`.
    pub(crate) async fn lock_queue<'a>(
        &self,
        queue: &'a tokio::sync::Mutex<()>,
        label: &str,
        deadline: tokio::time::Instant,
    ) -> Result<QueueGuard<'a>> {
        let inner = tokio::time::timeout_at(deadline, queue.lock()).await.map_err(|_| file::queue_timeout(label))?;
        let held = match &*self.kind {
            Kind::Memory(_) => Held::Nothing,
            Kind::File(f) => Held::File(f.lock_queue(label, deadline).await?),
            Kind::Redis(r, fallback) => match r.lock_queue(label, deadline).await {
                Ok(lock) => Held::Redis(lock),
                Err(e) if e.kind() == ErrorKind::Transport => match fallback {
                    Some(Local::File(f)) => {
                        tracing::warn!(operation = label, error = %e, "the shared account store failed: using this machine's (state_store_fallback)");
                        Held::File(f.lock_queue(label, deadline).await?)
                    }
                    Some(Local::Memory(_)) => Held::Nothing,
                    None => return Err(e),
                },
                Err(e) => return Err(e),
            },
        };
        Ok(QueueGuard { _inner: inner, held })
    }
}

/// The POLL queue held by one client: in-process by a mutex, across processes by the store. Release it with
/// [`QueueGuard::release`]; dropped, it is released as soon as it can be (a networked lock in the background, and
/// at the latest when it expires).
pub(crate) struct QueueGuard<'a> {
    _inner: tokio::sync::MutexGuard<'a, ()>,
    held: Held,
}

enum Held {
    Nothing,
    File(#[allow(dead_code)] file::QueueFile),
    Redis(self::redis::RedisQueueLock),
}

impl QueueGuard<'_> {
    pub(crate) async fn release(self) {
        let QueueGuard { _inner, held } = self;
        if let Held::Redis(lock) = held {
            lock.release().await;
        }
    }
}

#[cfg(test)]
#[path = "conformance.rs"]
mod conformance;
