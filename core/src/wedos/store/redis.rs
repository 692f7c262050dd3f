//! The Redis store: the account state on a Redis server (or Valkey), shared by every machine that uses it — CI
//! runners, service replicas, pods — as the server's limits are the account's.
//!
//! Per account, three keys with one hash tag:
//!
//! - `hostapi:wedos:{<key>}:guard`: a hash `gen, state` (the guard as JSON);
//! - `hostapi:wedos:{<key>}:spool`: the same for the notification spool;
//! - `hostapi:wedos:{<key>}:queue`: the lock of the server's POLL queue, a token unique to its holder with a short
//!   expiry that the holder renews while it holds it, released only by the holder.
//!
//! The documents expire 90 days after they were last used (every operation renews them, a refused one too, so an
//! authentication stop lasts as long as anyone keeps trying).
//!
//! Every operation is atomic on the server, as a compare-and-set script: the client starts from the document as it
//! last saw it, runs the governor's (or the spool's) pure function on it here, and sends the result with the
//! generation it started from and the time it computed for; the script writes it (the server numbering the new
//! generation) only if the generation is still that one and the time is the server's `TIME` within two seconds,
//! else it answers with the document and the time as they are and the client computes again. So an uncontended
//! operation is one round trip, no write is lost, and the policy is written once, in Rust. The windows are counted
//! on the Redis server's clock, never on the machines' (which may disagree): a machine's times are translated by the
//! difference it measured, and the offset of the WEDOS server's clock is kept relative to Redis's.
//!
//! Failure is explicit: an unreachable server, a refused login or a script error is a `Transport` error naming the
//! store (never its password) within the connect timeout, and nothing is sent to WEDOS. A state that vanished under
//! a running client (Redis restarted without persistence, a key evicted) keeps the guard for the window, as a
//! damaged file does.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::{account_key, AccountStore, GuardStatus, RedisLocation};
use crate::error::{Error, ErrorKind, Result};
use crate::wedos::governor::{Admission, Ask, ClockOffset, Evidence, GuardState, Policy, Reset, Settlement};
use crate::wedos::spool::{Ack, Push, Spool, Want};

/// How long an account's documents outlive their last use.
const TTL_MS: u64 = 90 * 86_400_000;
/// Compare-and-set attempts before an operation gives up (a storm of writers on one account).
const MAX_CAS: u32 = 200;
/// The most per-runtime connections kept (a current-thread runtime's connection lives on that runtime).
const MAX_CONNECTIONS: usize = 64;
/// The queue lock's expiry, renewed by its holder every third of it.
const QUEUE_HOLD: Duration = Duration::from_secs(30);

/// Compare-and-set of one document. `ARGV`: the generation the client started from (`""`: the key does not
/// exist), the new state (`""`: only check), the expiry in ms, the server time the client computed for (`""`: none).
/// When the generation is still that one and the time within 2 s of `TIME`, it writes the state under the next
/// generation (the server's numbering: one more, or `TIME` in microseconds for a new key), renews the expiry, and
/// answers `{1, secs, micros, generation}`; else `{0, secs, micros, generation, state}`: the document as it is.
const CAS: &str = r"
local t = redis.call('TIME')
local cur = redis.call('HMGET', KEYS[1], 'gen', 'state')
local g = cur[1]
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local timely = ARGV[4] == '' or math.abs(tonumber(ARGV[4]) - now) <= 2
if timely and ((not g and ARGV[1] == '') or g == ARGV[1]) then
  local ng = g
  if ARGV[2] ~= '' then
    local n = g and tonumber(g)
    if n then ng = string.format('%.0f', n + 1) else ng = t[1] .. string.format('%06d', tonumber(t[2])) end
    redis.call('HSET', KEYS[1], 'gen', ng, 'state', ARGV[2])
  end
  if ng then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
  return {1, t[1], t[2], ng or false}
end
return {0, t[1], t[2], g or false, cur[2] or false}
";

/// `KEYS[1]`'s generation and state, with `TIME`: `{secs, micros, generation, state}`.
const READ: &str = r"
local t = redis.call('TIME')
local cur = redis.call('HMGET', KEYS[1], 'gen', 'state')
return {t[1], t[2], cur[1] or false, cur[2] or false}
";

/// Deletes `KEYS[1]` if it holds `ARGV[1]` (the queue lock, released by its holder only).
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Renews `KEYS[1]` for `ARGV[2]` ms if it holds `ARGV[1]`.
const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

/// The Redis server's time of an operation, and how far it is ahead of the clock of the times handed in.
#[derive(Clone, Copy, Debug)]
struct Time {
    now: f64,
    skew: f64,
}

/// What a compare-and-set answered.
enum Cas {
    Done { now: f64, generation: Option<String> },
    Conflict { now: f64, generation: Option<String>, state: Option<String> },
}

type Cache<T> = Mutex<Option<(String, T)>>;

/// The account state on Redis.
pub struct RedisStore {
    location: RedisLocation,
    client: redis::Client,
    guard_key: String,
    spool_key: String,
    queue_key: String,
    /// The records other services keep with the account: a hash of JSON texts.
    records_key: String,
    timeout: Duration,
    connections: Mutex<Vec<(Option<tokio::runtime::Id>, ConnectionManager)>>,
    cas: Script,
    read: Script,
    release: Script,
    renew: Script,
    /// When this client last saw the guard stored (Redis time): a guard missing after that was lost, not new.
    seen: Mutex<Option<f64>>,
    /// The documents as this client last read or wrote them (generation, document): an operation starts from
    /// them and is checked against the server's generation in the same round trip as its write.
    guard_cache: Cache<GuardState>,
    spool_cache: Cache<Spool>,
    /// Redis's clock minus this machine's, as measured in the last round trip.
    skew: Mutex<Option<f64>>,
}

/// The POLL queue held on Redis, renewed in the background while held; released by [`RedisQueueLock::release`]
/// (or, when dropped, in the background; at the latest it expires).
pub(crate) struct RedisQueueLock {
    connection: ConnectionManager,
    key: String,
    token: String,
    release: Script,
    renewal: Option<tokio::task::JoinHandle<()>>,
    released: bool,
}

impl RedisQueueLock {
    pub(crate) async fn release(mut self) {
        self.released = true;
        if let Some(r) = self.renewal.take() {
            r.abort();
        }
        let mut c = self.connection.clone();
        let _: redis::RedisResult<i64> = self.release.key(&self.key).arg(&self.token).invoke_async(&mut c).await;
    }
}

impl Drop for RedisQueueLock {
    fn drop(&mut self) {
        if let Some(r) = self.renewal.take() {
            r.abort();
        }
        if self.released {
            return;
        }
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let (mut c, key, token, release) =
                (self.connection.clone(), self.key.clone(), self.token.clone(), self.release.clone());
            rt.spawn(async move {
                let _: redis::RedisResult<i64> = release.key(&key).arg(&token).invoke_async(&mut c).await;
            });
        }
    }
}

impl RedisStore {
    /// The store of `user` at `base_url` on the server of `location`. Connects on first use; `timeout` bounds the
    /// connection and every answer. `ca_pem`: extra trusted roots for `rediss://` (the system's are trusted too).
    pub fn open(
        location: &RedisLocation,
        user: &str,
        base_url: &str,
        timeout: Duration,
        ca_pem: Option<Vec<u8>>,
        label: &str,
    ) -> Result<RedisStore> {
        let bad = |e: redis::RedisError| {
            Error::config(label, format!("the account store {location} cannot be used: {}", describe(&e, location)))
        };
        let client = match ca_pem {
            Some(pem) if location.tls() => {
                // Given roots replace the system's in the Redis client: both, as the HTTP client trusts.
                let mut roots = pem;
                roots.extend_from_slice(system_roots_pem().as_bytes());
                redis::Client::build_with_tls(
                    location.expose(),
                    redis::TlsCertificates { client_tls: None, root_cert: Some(roots) },
                )
                .map_err(bad)?
            }
            _ => redis::Client::open(location.expose()).map_err(bad)?,
        };
        let key = account_key(user, base_url);
        Ok(RedisStore {
            location: location.clone(),
            client,
            guard_key: format!("hostapi:wedos:{{{key}}}:guard"),
            spool_key: format!("hostapi:wedos:{{{key}}}:spool"),
            queue_key: format!("hostapi:wedos:{{{key}}}:queue"),
            records_key: format!("hostapi:wedos:{{{key}}}:records"),
            timeout,
            connections: Mutex::new(Vec::new()),
            cas: Script::new(CAS),
            read: Script::new(READ),
            release: Script::new(RELEASE),
            renew: Script::new(RENEW),
            seen: Mutex::new(None),
            guard_cache: Mutex::new(None),
            spool_cache: Mutex::new(None),
            skew: Mutex::new(None),
        })
    }

    /// A connection for this runtime: one shared by the threads of a multi-threaded runtime, one per current-thread
    /// runtime (whose tasks run only while its thread drives it).
    async fn connection(&self, label: &str) -> Result<ConnectionManager> {
        let key = tokio::runtime::Handle::try_current()
            .ok()
            .filter(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread)
            .map(|h| h.id());
        if let Some((_, c)) = lock(&self.connections).iter().find(|(k, _)| *k == key) {
            return Ok(c.clone());
        }
        // No retries of its own: a broken connection is connected again by the next command, once, so a failure
        // shows within the connect timeout.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(0);
        let made = tokio::time::timeout(
            self.timeout + Duration::from_secs(1),
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await
        .map_err(|_| self.unreachable(label, "no connection within the connect timeout"))?
        .map_err(|e| self.fail(label, &e))?;
        let mut all = lock(&self.connections);
        if all.len() >= MAX_CONNECTIONS {
            all.remove(0);
        }
        all.push((key, made.clone()));
        Ok(made)
    }

    fn unreachable(&self, label: &str, why: &str) -> Error {
        Error::new(
            ErrorKind::Transport,
            label,
            format!("the account store {} is unreachable: {why}; nothing was sent to WEDOS", self.location),
        )
    }

    fn fail(&self, label: &str, e: &redis::RedisError) -> Error {
        let what = if e.is_timeout() {
            "did not answer within the connect timeout".to_owned()
        } else if e.is_connection_refusal() || e.is_io_error() || e.is_connection_dropped() {
            format!("is unreachable ({})", describe(e, &self.location))
        } else if matches!(e.kind(), redis::ErrorKind::AuthenticationFailed)
            || e.code().is_some_and(|c| matches!(c, "WRONGPASS" | "NOAUTH" | "NOPERM"))
        {
            format!("refused the login or the command ({})", describe(e, &self.location))
        } else {
            format!("failed ({})", describe(e, &self.location))
        };
        Error::new(
            ErrorKind::Transport,
            label,
            format!("the account store {} {what}; nothing was sent to WEDOS", self.location),
        )
    }

    /// Runs `op` on the document under `key` and writes it back if it changed, atomically (see the module). An
    /// operation whose answer was lost with its connection is checked once more: when the document is the one it
    /// wrote, it was done. An operation whose answer timed out is an error that may have been applied
    /// ([`Error::may_have_applied`]). `missing`: what a document that does not exist means. `local_now`: the
    /// caller's clock, in which the times it hands in are.
    #[allow(clippy::too_many_arguments)]
    async fn update<T, R>(
        &self,
        label: &str,
        key: &str,
        local_now: f64,
        cache: &Cache<T>,
        missing: impl Fn(Time) -> Result<T>,
        mut op: impl FnMut(&mut T, Time) -> Result<R>,
    ) -> Result<R>
    where
        T: Serialize + DeserializeOwned + Clone + PartialEq,
    {
        let entered = Instant::now();
        // The caller's clock now (it was read when the operation began).
        let caller_now = || local_now + entered.elapsed().as_secs_f64();
        let mut c = self.connection(label).await?;
        let skew = *lock(&self.skew);
        // (generation, document, server time) to compute from: the document last seen, at the estimated time.
        let mut base: Option<(Option<String>, Option<T>, f64)> = match (lock(cache).clone(), skew) {
            (Some((g, doc)), Some(skew)) => Some((Some(g), Some(doc), caller_now() + skew)),
            _ => None,
        };
        // A write whose answer was lost: (the generation it started from, the state sent, the result, the document).
        let mut unanswered: Option<(String, String, R, T)> = None;
        let mut reconnected = false;
        let mut attempt = 0;
        while attempt < MAX_CAS {
            let (generation, state, now) = match base.take() {
                Some((g, doc, now)) => (g, doc, now),
                None => {
                    let read = self.read(&mut c, key).await;
                    let (now, generation, state) = match read {
                        Ok(r) => r,
                        Err(e) if !reconnected && e.is_connection_dropped() => {
                            reconnected = true;
                            continue;
                        }
                        Err(e) => return Err(self.fail(label, &e)),
                    };
                    *lock(&self.skew) = Some(now - caller_now());
                    if let Some((from, sent, out, doc)) = unanswered.take() {
                        if state.as_deref() == Some(sent.as_str()) {
                            // The lost answer's write is there: it was done.
                            *lock(cache) = generation.map(|g| (g, doc));
                            return Ok(out);
                        }
                        if generation.as_ref().is_some_and(|g| *g != from) {
                            // Written since, by this write or another: whether this one was done cannot be known.
                            // (A document that is gone was not written by it, or was lost since: not done either.)
                            let e = self.unreachable(label, "it lost the answer to a change, which may have been made");
                            return Err(e.with_may_have_applied());
                        }
                        // Unchanged: the write was not done; it is computed and sent again.
                    }
                    (generation, self.parse(label, key, state)?, now)
                }
            };
            let t = Time { now, skew: now - caller_now() };
            let mut doc = match state {
                Some(d) => d,
                None => missing(t)?,
            };
            let before = doc.clone();
            let out = op(&mut doc, t)?;
            let write = doc != before || generation.is_none();
            let json = if write { serde_json::to_string(&doc).map_err(|e| Error::config(label, e.to_string()))? } else { String::new() };
            let expected = generation.clone().unwrap_or_default();
            match self.cas(&mut c, key, &expected, &json, now).await {
                Ok(Cas::Done { now, generation }) => {
                    *lock(&self.skew) = Some(now - caller_now());
                    *lock(cache) = generation.map(|g| (g, if write { doc } else { before }));
                    return Ok(out);
                }
                Ok(Cas::Conflict { now, generation, state }) => {
                    *lock(&self.skew) = Some(now - caller_now());
                    base = Some((generation, self.parse(label, key, state)?, now));
                    attempt += 1;
                    if attempt > 1 {
                        // Contention: a short random pause that grows with it.
                        let cap = 200u64 << attempt.min(6);
                        tokio::time::sleep(Duration::from_micros(fastrand::u64(0..=cap))).await;
                    }
                }
                // The connection broke (the server restarted, a failover): connected again by the next command,
                // once; the document read then says whether this write was done.
                Err(e) if !reconnected && e.is_connection_dropped() => {
                    reconnected = true;
                    if write {
                        unanswered = Some((expected, json, out, doc));
                    }
                }
                Err(e) if write && !e.is_connection_refusal() => {
                    return Err(self.fail(label, &e).with_may_have_applied())
                }
                Err(e) => return Err(self.fail(label, &e)),
            }
        }
        Err(self.unreachable(label, "too many writers at once (the account state kept changing)"))
    }

    /// One run of the compare-and-set script.
    async fn cas(&self, c: &mut ConnectionManager, key: &str, expected: &str, state: &str, now: f64) -> redis::RedisResult<Cas> {
        let answer: Vec<redis::Value> = self
            .cas
            .key(key)
            .arg(expected)
            .arg(state)
            .arg(TTL_MS)
            .arg(format!("{now:.6}"))
            .invoke_async(c)
            .await?;
        let now = time_of(&answer, 1)?;
        Ok(match answer.first() {
            Some(redis::Value::Int(1)) => Cas::Done { now, generation: text(&answer, 3) },
            _ => Cas::Conflict { now, generation: text(&answer, 3), state: text(&answer, 4) },
        })
    }

    /// The document under `key` and the server's time: (time, generation, state).
    async fn read(
        &self,
        c: &mut ConnectionManager,
        key: &str,
    ) -> redis::RedisResult<(f64, Option<String>, Option<String>)> {
        let answer: Vec<redis::Value> = self.read.key(key).invoke_async(c).await?;
        Ok((time_of(&answer, 0)?, text(&answer, 2), text(&answer, 3)))
    }

    fn parse<T: DeserializeOwned>(&self, label: &str, key: &str, state: Option<String>) -> Result<Option<T>> {
        state
            .map(|s| {
                serde_json::from_str(&s).map_err(|e| {
                    Error::new(
                        ErrorKind::RateLimited,
                        label,
                        format!(
                            "not sent: the account state {key} in {} cannot be read ({e}): the guard keeps what it \
                             may have held. `hostapi wedos guard reset` (or reset_auth_guard()) starts it afresh",
                            self.location
                        ),
                    )
                })
            })
            .transpose()
    }

    /// [`Self::update`] of the guard. A guard missing after this client saw it stored was lost (a restart without
    /// persistence, an eviction): the guard is kept for the window, unless `reset`.
    async fn guard<R>(
        &self,
        label: &str,
        policy: &Policy,
        local_now: f64,
        reset: bool,
        mut op: impl FnMut(&mut GuardState, Time) -> R,
    ) -> Result<R> {
        let seen = *lock(&self.seen);
        let missing = |t: Time| match seen {
            Some(at) if !reset && t.now - at < policy.window.max(3600.0) => Err(self.lost(label, at, policy, t.now)),
            _ => Ok(GuardState { next_ticket: fastrand::u64(1 << 32..1 << 62), ..GuardState::default() }),
        };
        let (out, now) = self
            .update(label, &self.guard_key, local_now, &self.guard_cache, missing, |g, t| Ok((op(g, t), t.now)))
            .await?;
        *lock(&self.seen) = Some(now);
        Ok(out)
    }

    fn lost(&self, label: &str, seen: f64, policy: &Policy, now: f64) -> Error {
        let left = (seen + policy.window.max(3600.0) - now).max(0.0);
        Error::new(
            ErrorKind::RateLimited,
            label,
            format!(
                "not sent: the account state in {} disappeared (Redis restarted without persistence, or evicted \
                 the key), so the guard keeps what it may have held: nothing is sent for {:.0} s more (an hour \
                 after it was last seen). `hostapi wedos guard reset` (or reset_auth_guard()) starts it afresh",
                self.location,
                left.ceil()
            ),
        )
        .with_retry_after(crate::wedos::governor::wait_secs(left))
    }

    async fn spool<R>(&self, label: &str, local_now: f64, mut op: impl FnMut(&mut Spool, Time) -> R) -> Result<R> {
        let fresh = |_| Ok(Spool::default());
        self.update(label, &self.spool_key, local_now, &self.spool_cache, fresh, |s, t| Ok(op(s, t))).await
    }

    /// Holds the server's POLL queue (a token unique to this holder, expiring unless renewed) until released;
    /// waits up to `deadline`.
    pub(crate) async fn lock_queue(&self, label: &str, deadline: tokio::time::Instant) -> Result<RedisQueueLock> {
        static SEQUENCE: AtomicU64 = AtomicU64::new(0);
        let mut c = self.connection(label).await?;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let token = format!(
            "{}-{nanos}-{}-{:016x}",
            std::process::id(),
            SEQUENCE.fetch_add(1, Ordering::Relaxed),
            fastrand::u64(..)
        );
        let hold = QUEUE_HOLD.as_millis() as u64;
        loop {
            let got: Option<String> = redis::cmd("SET")
                .arg(&self.queue_key)
                .arg(&token)
                .arg("NX")
                .arg("PX")
                .arg(hold)
                .query_async(&mut c)
                .await
                .map_err(|e| self.fail(label, &e))?;
            if got.is_some() {
                break;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(super::file::queue_timeout(label));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Renewed while held: however long the holder's requests take, nobody else reads the queue meanwhile; a
        // holder that died (or whose runtime stopped) lets it expire.
        let (mut rc, key, t, renew) = (c.clone(), self.queue_key.clone(), token.clone(), self.renew.clone());
        let renewal = tokio::spawn(async move {
            loop {
                tokio::time::sleep(QUEUE_HOLD / 3).await;
                let _: redis::RedisResult<i64> = renew.key(&key).arg(&t).arg(hold).invoke_async(&mut rc).await;
            }
        });
        Ok(RedisQueueLock {
            connection: c,
            key: self.queue_key.clone(),
            token,
            release: self.release.clone(),
            renewal: Some(renewal),
            released: false,
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Element `i` of a script's answer as text (`None`: nil or false).
fn text(answer: &[redis::Value], i: usize) -> Option<String> {
    match answer.get(i)? {
        redis::Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        redis::Value::SimpleString(s) => Some(s.clone()),
        redis::Value::Int(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `TIME` in a script's answer, at elements `i` (seconds) and `i + 1` (microseconds).
fn time_of(answer: &[redis::Value], i: usize) -> redis::RedisResult<f64> {
    let num = |j: usize| text(answer, j).and_then(|s| s.parse::<f64>().ok());
    match (num(i), num(i + 1)) {
        (Some(secs), Some(micros)) => Ok(secs + micros / 1e6),
        _ => Err(redis::RedisError::from((redis::ErrorKind::Parse, "the server's TIME is unreadable"))),
    }
}

/// The system's trusted roots as PEM (for a client given extra roots, which would otherwise replace them).
fn system_roots_pem() -> String {
    use base64::Engine;
    let mut out = String::new();
    for cert in rustls_native_certs::load_native_certs().certs {
        let b64 = base64::engine::general_purpose::STANDARD.encode(cert.as_ref());
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out
}

/// A Redis error in words, never with the URL's password.
fn describe(e: &redis::RedisError, location: &RedisLocation) -> String {
    let text = e.to_string();
    match url::Url::parse(location.expose()).ok().and_then(|u| u.password().map(str::to_owned)) {
        Some(p) if !p.is_empty() => text.replace(&p, "***"),
        _ => text,
    }
}

impl AccountStore for RedisStore {
    fn describe(&self) -> String {
        self.location.to_string()
    }

    async fn reserve(&self, label: &str, policy: &Policy, ask: &Ask<'_>, now: f64) -> Result<Admission> {
        self.guard(label, policy, now, false, |g, t| {
            let ask = Ask { expires_at: ask.expires_at + t.skew, ..*ask };
            match g.reserve(policy, &ask, t.now) {
                // The offset is kept relative to Redis's clock; the caller signs with its own.
                Admission::Granted(mut grant) => {
                    grant.clock =
                        grant.clock.map(|o| ClockOffset { low: o.low + t.skew, high: o.high + t.skew, at: o.at });
                    Admission::Granted(grant)
                }
                other => other,
            }
        })
        .await
    }

    async fn settle(&self, label: &str, policy: &Policy, ticket: u64, s: &Settlement<'_>, now: f64) -> Result<()> {
        self.guard(label, policy, now, false, |g, t| {
            let clock = s.clock.map(|e| Evidence { sent: e.sent + t.skew, received: e.received + t.skew, ..e });
            g.settle(policy, ticket, &Settlement { clock, ..*s }, t.now);
        })
        .await
    }

    async fn reset(&self, label: &str, policy: &Policy, scope: Reset, now: f64) -> Result<()> {
        let done = self.guard(label, policy, now, true, |g, _| g.reset(scope)).await;
        match done {
            // An unreadable state is overwritten by a fresh one.
            Err(e) if e.kind() == ErrorKind::RateLimited => {
                let mut c = self.connection(label).await?;
                redis::cmd("DEL")
                    .arg(&self.guard_key)
                    .query_async::<i64>(&mut c)
                    .await
                    .map_err(|e| self.fail(label, &e))?;
                *lock(&self.seen) = None;
                *lock(&self.guard_cache) = None;
                self.guard(label, policy, now, true, |g, _| g.reset(scope)).await
            }
            other => other,
        }
    }

    async fn status(&self, label: &str, policy: &Policy, now: f64) -> Result<GuardStatus> {
        let describe = self.describe();
        let guard = self
            .guard(label, policy, now, false, |g, t| {
                g.expire(policy, t.now);
                (g.clone(), t)
            })
            .await;
        match guard {
            Ok((g, t)) => {
                let spooled = self.spool_len(label, now).await?;
                let mut st = GuardStatus::of(describe, &g, policy, spooled, t.now);
                // Kept relative to Redis's clock; shown relative to this machine's.
                st.clock_offset =
                    st.clock_offset.map(|o| ClockOffset { low: o.low + t.skew, high: o.high + t.skew, at: o.at });
                Ok(st)
            }
            Err(e) if e.kind() == ErrorKind::RateLimited => {
                Ok(GuardStatus { store: describe, damaged: Some(e.message().to_owned()), ..GuardStatus::default() })
            }
            Err(e) => Err(e),
        }
    }

    async fn spool_push(&self, label: &str, notify: &Value, now: f64) -> Result<Push> {
        self.spool(label, now, |s, t| s.push(notify.clone(), t.now)).await
    }

    async fn spool_take(&self, label: &str, want: Want<'_>, holder: &str, now: f64) -> Result<Option<Value>> {
        self.spool(label, now, |s, t| s.take(want, holder, t.now)).await
    }

    async fn spool_lease(&self, label: &str, holder: &str, now: f64, secs: f64) -> Result<Option<Value>> {
        self.spool(label, now, |s, t| s.lease(holder, t.now, secs)).await
    }

    async fn spool_ack(&self, label: &str, id: &str, holder: &str, now: f64) -> Result<Ack> {
        self.spool(label, now, |s, t| s.ack(id, holder, t.now)).await
    }

    async fn spool_acknowledged(&self, label: &str, id: &str, now: f64) -> Result<()> {
        self.spool(label, now, |s, t| s.acknowledged(id, t.now)).await
    }

    async fn spool_len(&self, label: &str, now: f64) -> Result<usize> {
        self.spool(label, now, |s, _| s.len()).await
    }

    async fn record_get(&self, label: &str, key: &str) -> Result<Option<Value>> {
        let mut c = self.connection(label).await?;
        let text: Option<String> = redis::cmd("HGET")
            .arg(&self.records_key)
            .arg(key)
            .query_async(&mut c)
            .await
            .map_err(|e| self.fail(label, &e))?;
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| {
                Error::new(ErrorKind::Protocol, label, format!("the record {key} in {} is damaged: {e}", self.location))
            })
        })
        .transpose()
    }

    async fn record_put(&self, label: &str, key: &str, value: &Value, only_new: bool) -> Result<bool> {
        let mut c = self.connection(label).await?;
        let text = value.to_string();
        let written: i64 = redis::cmd(if only_new { "HSETNX" } else { "HSET" })
            .arg(&self.records_key)
            .arg(key)
            .arg(text)
            .query_async(&mut c)
            .await
            .map_err(|e| self.fail(label, &e))?;
        // HSET answers how many fields were new; a replaced one is written all the same.
        Ok(!only_new || written == 1)
    }
}
