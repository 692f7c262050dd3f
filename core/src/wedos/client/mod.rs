//! The async WEDOS WAPI client: Prague-hour auth from a clock corrected against the server's, the account's
//! limits reserved before every request and settled after it ([`crate::wedos::governor`], through the account
//! store shared by every client of the account: [`crate::wedos::store`]), and waiting for asynchronous results
//! without losing notifications (the spool: [`crate::wedos::spool`]).
//!
//! - [`builder`]: the settings;
//! - [`send`]: the send loop (reserve, sign, send, settle);
//! - [`notifications`]: the POLL queue, the spool and waiting for a result;
//! - [`handles`]: the typed handles of domains and DNS.

mod builder;
mod composites;
mod handles;
mod notifications;
mod send;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

pub use builder::{ClientBuilder, Clock, LimitPolicy, ENV_BASE_URL, ENV_PASSWORD, ENV_USER};
pub use handles::{Dns, Domains};
pub use notifications::Notifications;

use super::governor::{Policy, Reset};
use super::protocol::{codes, Call, Output, RequestOptions};
use super::records::*;
use super::store::{now_f64, GuardStatus, Store};
use crate::error::{Error, ErrorKind, Result};
use crate::ops::{self, Api};
use crate::secret::Secret;
use crate::transport::Transport;

/// A WEDOS WAPI client. Cheap to clone; clones share the pool. Every client of the same account (user and base URL)
/// sharing a state store shares the account state: budgets, the guard, the clock offset and the notification spool.
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
    on_limit: LimitPolicy,
    limits: Policy,
    store: Store,
    /// Woken when a request of this client settles (a caller waiting for a slot tries again).
    settled: tokio::sync::Notify,
    /// One reader of the POLL queue at a time in this client (the store orders processes).
    queue: tokio::sync::Mutex<()>,
    boundary_window: Duration,
    poll_interval: Duration,
    clock: Clock,
    sequence: AtomicU64,
    instance: u32,
    /// Who holds a notification handed out by `poll()`: this client, in this process.
    holder: String,
    /// This process (a client is built again after a fork by the bindings that allow one).
    pid: u32,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("wedos::Client")
            .field("user", &self.inner.user)
            .field("password", &self.inner.password)
            .field("base_url", &self.inner.base_url)
            .field("test", &self.inner.test)
            .field("on_limit", &self.inner.on_limit)
            .field("max_auth_failures", &self.inner.limits.max_auth_failures)
            .field("max_invalid_requests", &self.inner.limits.max_invalid)
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

/// Whether `listed` is the row `sent` added: the same name, type and data (the answer to an add holds no id; the
/// server refuses an exact duplicate, so at most one row matches).
fn same_row(listed: &DnsRow, sent: &NewDnsRow) -> bool {
    listed.name.eq_ignore_ascii_case(&sent.name) && listed.rdtype.eq_ignore_ascii_case(&sent.rdtype) && listed.rdata == sent.rdata
}

pub(super) fn unexpected(command: &str) -> Error {
    Error::new(ErrorKind::Protocol, format!("wedos {command}"), "unexpected result type")
}

/// Rate-limit errors from the server say when to try again.
fn with_retry_after(e: Error) -> Error {
    if e.kind() != ErrorKind::RateLimited || e.retry_after().is_some() {
        return e;
    }
    match e.code() {
        Some(c) if codes::is_hourly_limit(c) => e.with_retry_after(until_next_hour()),
        _ => e.with_retry_after(Duration::from_secs(60)),
    }
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

    /// Authentication/IP failures in a row so far, counted by every client of the account.
    pub async fn auth_failures(&self) -> Result<u32> {
        Ok(self.guard_status().await?.auth_failures)
    }

    /// Lets every client of the account send again after the guard stopped them (after fixing the password, the
    /// IP allow-list or the input): clears the authentication-failure stop, the invalid answers and the clock
    /// evidence; starts a damaged state afresh. The server's own IP block, if any, still runs out.
    pub async fn reset_auth_guard(&self) -> Result<()> {
        let inner = &*self.inner;
        inner.store.reset("wedos guard reset", &inner.limits, Reset::Guard, now_f64()).await
    }

    /// The account state shared by every client of the account, as it is now.
    pub async fn guard_status(&self) -> Result<GuardStatus> {
        let inner = &*self.inner;
        inner.store.status("wedos guard", &inner.limits, now_f64()).await
    }

    /// A record kept with the account state, shared by every client of its store (file or Redis): `None` when
    /// absent. For services built on the client, e.g. the gateway's acme-dns registrations; `key` is 1–128
    /// characters of `A-Z a-z 0-9 . _ -`.
    pub async fn record(&self, key: &str) -> Result<Option<serde_json::Value>> {
        self.inner.store.record_get("wedos record", key).await
    }

    /// Writes the record at `key` (see [`record`](Self::record)); with `only_new`, only when it does not exist yet
    /// (`false`: another writer was first).
    pub async fn put_record(&self, key: &str, value: &serde_json::Value, only_new: bool) -> Result<bool> {
        self.inner.store.record_put("wedos record", key, value, only_new).await
    }

    /// Where the shared account state lives, for people: `:memory:` or the state file.
    pub fn state_store(&self) -> String {
        self.inner.store.describe()
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
        run_typed!(self, Call::PingAsync, Output::Pending)
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
        run_typed!(self, Call::CreditInfo, Output::Credit)
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

    /// `dns-row-add` reconciled after a lost answer, then the new row as the zone lists it (see [`Dns::add_row`]).
    async fn add_row_listed(&self, row: NewDnsRow, options: &RequestOptions) -> Result<AddedRow> {
        let (answer, listed) = self.add_row_reconciled(&row, options).await?;
        if answer.test || options.test || self.inner.test {
            return Ok(AddedRow::new(&row, None, answer));
        }
        let listed = match listed {
            Some(r) => Some(r),
            None => self.dns().rows(&row.domain).await?.into_iter().filter(|r| same_row(r, &row)).max_by_key(|r| r.id),
        };
        Ok(AddedRow::new(&row, listed, answer))
    }

    /// `dns-row-add`, reconciled after a lost answer; with the row when a listing after the add found it.
    async fn add_row_reconciled(&self, row: &NewDnsRow, options: &RequestOptions) -> Result<(Response, Option<DnsRow>)> {
        let lost = match self.run_response_with(Call::DnsRowAdd(row.clone()), options).await {
            Err(e) if e.may_have_applied() => e,
            other => return other.map(|r| (r, None)),
        };
        let Ok(rows) = self.dns().rows(&row.domain).await else { return Err(lost) };
        let applied = |rows: Vec<DnsRow>| {
            let result = "OK (the answer was lost; the row is listed, so the add was applied)";
            let listed = rows.into_iter().filter(|r| same_row(r, row)).max_by_key(|r| r.id);
            (Response::concluded(1000, result, "dns-row-add", Some(crate::unix_now())), listed)
        };
        if rows.iter().any(|r| same_row(r, row)) {
            tracing::debug!(domain = %row.domain, name = %row.name, "the row exists: the lost add was applied");
            return Ok(applied(rows));
        }
        // Not listed: not applied (an add is applied or refused before it is answered). Adding it again cannot
        // make a duplicate — the server refuses an exact duplicate with 2316 — and a 2316 here means the first
        // add landed after the listing: listed again, that is a success too.
        tracing::debug!(domain = %row.domain, name = %row.name, "the row is not listed: adding it again");
        match self.run_response_with(Call::DnsRowAdd(row.clone()), options).await {
            Err(e) if e.code() == Some(codes::ROW_EXISTS) => match self.dns().rows(&row.domain).await {
                Ok(rows) if rows.iter().any(|r| same_row(r, row)) => Ok(applied(rows)),
                _ => Err(e),
            },
            other => other.map(|r| (r, None)),
        }
    }

    /// Runs any operation of the operation model (`crate::ops`) by its canonical name with snake_case JSON
    /// arguments, composites included, and returns the result's canonical JSON. `options` are the request options
    /// (clTRID, test mode); the `cltrid` argument of `call` overrides them. This is the one entry point of every
    /// front end and behaves exactly as the typed methods: `notifications.poll` hands out the notifications the
    /// client kept while waiting first, `ping_async` with `wait` waits for its notification. The operations the
    /// client runs itself are in [`composites::COMPOSITES`]; every other one is one request.
    pub async fn call_json(&self, operation: &str, args: &Value, options: &RequestOptions) -> Result<Value> {
        let spec = Api::Wedos
            .op(operation)
            .ok_or_else(|| Error::config("wedos", format!("unknown operation {operation:?}")))?;
        match composites::find(spec) {
            Some(run) => run(self, ops::check_args(spec, &spec.label(), args, false)?, options).await,
            None => ops::to_json(self.execute_with(&Call::from_json(operation, args)?, options).await?),
        }
    }
}
