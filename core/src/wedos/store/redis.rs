//! The Redis store: the account state on a Redis server (or any server of its protocol: Valkey), shared by every
//! machine that uses it — CI runners, service replicas, pods — as the server's limits are the account's.
//!
//! Per account, three keys with one hash tag (so a cluster keeps them on one node):
//!
//! - `hostapi:wedos:{<key>}:guard`: a hash `gen, state` (the guard as JSON); expires 7 days after its last change;
//! - `hostapi:wedos:{<key>}:spool`: the same for the notification spool; 30 days;
//! - `hostapi:wedos:{<key>}:queue`: the lock of the server's POLL queue, a random token with an expiry, released
//!   only by its holder.
//!
//! Every operation is atomic on the server: it reads the document and the server's `TIME` in one round trip, runs
//! the governor's (or the spool's) pure function on it here, and writes it back with a compare-and-set script that
//! succeeds only if the document's generation is still the one read — else it reads again. So the policy is written
//! once, in Rust, for every store. The windows are counted on the Redis server's clock, never on the machines'
//! (which may disagree): every time a machine hands in is translated by the difference it measured in the same
//! round trip, and the offset of the WEDOS server's clock is kept relative to Redis's.
//!
//! Failure is explicit: an unreachable server, a refused login or a script error is a `Transport` error naming the
//! store (never its password) within the connect timeout, and nothing is sent to WEDOS. A state that vanished under
//! a running client (Redis restarted without persistence, a key evicted) keeps the guard for the window, as a
//! damaged file does.

use std::sync::Mutex;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::{account_key, AccountStore, GuardStatus, RedisLocation};
use crate::error::{Error, ErrorKind, Result};
use crate::wedos::governor::{Admission, Ask, ClockOffset, Evidence, GuardState, Policy, Reset, Settlement};
use crate::wedos::spool::{Ack, Push, Spool, Want};

const GUARD_TTL_MS: u64 = 7 * 86_400_000;
const SPOOL_TTL_MS: u64 = 30 * 86_400_000;
/// Compare-and-set attempts before an operation gives up (a storm of writers on one account).
const MAX_CAS: u32 = 200;
/// The most per-runtime connections kept (a current-thread runtime's connection lives on that runtime).
const MAX_CONNECTIONS: usize = 64;

/// Compare-and-set of one document. If `KEYS[1]`'s generation is `ARGV[1]` (`""`: the key does not exist), it
/// gets `ARGV[2]` as generation and `ARGV[3]` as state, expiring in `ARGV[4]` ms (`ARGV[3]` empty: only checked,
/// not written), and the answer is `{1, secs, micros}`; else `{0, secs, micros, gen, state}` — the document as it
/// is, so the caller computes again without another round trip. The time is the server's `TIME`.
const CAS: &str = r"
local t = redis.call('TIME')
local cur = redis.call('HMGET', KEYS[1], 'gen', 'state')
local g = cur[1]
if (not g and ARGV[1] == '') or g == ARGV[1] then
  if ARGV[3] ~= '' then
    redis.call('HSET', KEYS[1], 'gen', ARGV[2], 'state', ARGV[3])
    redis.call('PEXPIRE', KEYS[1], ARGV[4])
  end
  return {1, t[1], t[2]}
end
return {0, t[1], t[2], g or false, cur[2] or false}
";

/// A generation no document has: asks the compare-and-set script for the document without writing.
const NO_GENERATION: &str = "?";

/// Deletes `KEYS[1]` if it holds `ARGV[1]` (the queue lock, released by its holder only).
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// The Redis server's time of an operation, and how far it is ahead of the local clock.
#[derive(Clone, Copy, Debug)]
struct Time {
    now: f64,
    skew: f64,
}

/// The account state on Redis.
pub struct RedisStore {
    location: RedisLocation,
    client: redis::Client,
    guard_key: String,
    spool_key: String,
    queue_key: String,
    timeout: Duration,
    connections: Mutex<Vec<(Option<tokio::runtime::Id>, ConnectionManager)>>,
    cas: Script,
    release: Script,
    /// When this client last saw the guard stored (Redis time): a guard missing after that was lost, not new.
    seen: Mutex<Option<f64>>,
    /// The documents as this client last read or wrote them (generation, document): an operation starts from
    /// them and is checked against the server's generation in the same round trip as its write.
    guard_cache: Mutex<Option<(String, GuardState)>>,
    spool_cache: Mutex<Option<(String, Spool)>>,
    /// Redis's clock minus this machine's, as measured in the last round trip.
    skew: Mutex<Option<f64>>,
}

/// The POLL queue held on Redis; released by [`RedisQueueLock::release`] (or, when dropped, in the background;
/// at the latest it expires).
pub(crate) struct RedisQueueLock {
    connection: ConnectionManager,
    key: String,
    token: String,
    release: Script,
    released: bool,
}

impl RedisQueueLock {
    pub(crate) async fn release(mut self) {
        self.released = true;
        let mut c = self.connection.clone();
        let _: redis::RedisResult<i64> = self.release.key(&self.key).arg(&self.token).invoke_async(&mut c).await;
    }
}

impl Drop for RedisQueueLock {
    fn drop(&mut self) {
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
    /// connection and every answer. `ca_pem`: extra trusted roots for `rediss://`.
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
            Some(pem) if location.tls() => redis::Client::build_with_tls(
                location.expose(),
                redis::TlsCertificates { client_tls: None, root_cert: Some(pem) },
            )
            .map_err(bad)?,
            _ => redis::Client::open(location.expose()).map_err(bad)?,
        };
        let key = account_key(user, base_url);
        Ok(RedisStore {
            location: location.clone(),
            client,
            guard_key: format!("hostapi:wedos:{{{key}}}:guard"),
            spool_key: format!("hostapi:wedos:{{{key}}}:spool"),
            queue_key: format!("hostapi:wedos:{{{key}}}:queue"),
            timeout,
            connections: Mutex::new(Vec::new()),
            cas: Script::new(CAS),
            release: Script::new(RELEASE),
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
        if let Some((_, c)) = self.lock_connections().iter().find(|(k, _)| *k == key) {
            return Ok(c.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let made = tokio::time::timeout(
            self.timeout + Duration::from_secs(1),
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await
        .map_err(|_| self.unreachable(label, "no connection within the connect timeout"))?
        .map_err(|e| self.fail(label, &e))?;
        let mut all = self.lock_connections();
        if all.len() >= MAX_CONNECTIONS {
            all.remove(0);
        }
        all.push((key, made.clone()));
        Ok(made)
    }

    fn lock_connections(&self) -> std::sync::MutexGuard<'_, Vec<(Option<tokio::runtime::Id>, ConnectionManager)>> {
        self.connections.lock().unwrap_or_else(|p| p.into_inner())
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
        Error::new(ErrorKind::Transport, label, format!("the account store {} {what}; nothing was sent to WEDOS", self.location))
    }

    /// Runs `op` on the document under `key` and writes it back if it changed, atomically: the operation starts
    /// from the document as this client last saw it (`cache`) and is sent as a compare-and-set on its generation;
    /// if another client wrote in between, the answer carries the document as it is and `op` runs again on it. So
    /// an operation takes one round trip when nobody else wrote, and no write is ever lost. `missing`: what a
    /// document that does not exist means. Times are the Redis server's (estimated between round trips from the
    /// skew measured in the last one).
    async fn update<T, R>(
        &self,
        label: &str,
        key: &str,
        ttl_ms: u64,
        local_now: f64,
        cache: &Mutex<Option<(String, T)>>,
        missing: impl Fn(Time) -> Result<T>,
        mut op: impl FnMut(&mut T, Time) -> Result<R>,
    ) -> Result<R>
    where
        T: Serialize + DeserializeOwned + Clone + PartialEq,
    {
        let mut c = self.connection(label).await?;
        let skew = *lock(&self.skew);
        // (generation, document, server time) to compute from.
        let mut base: Option<(Option<String>, Option<T>, f64)> = match (lock(cache).clone(), skew) {
            (Some((g, doc)), Some(skew)) => Some((Some(g), Some(doc), local_now + skew)),
            _ => None,
        };
        let mut reconnected = false;
        let mut attempt = 0;
        while attempt < MAX_CAS {
            let (generation, doc, now) = match base.take() {
                Some(b) => b,
                None => match self.cas(&mut c, key, NO_GENERATION, "", "", ttl_ms).await {
                    Ok(Cas::Conflict { now, generation, state }) => (generation, self.parse(label, key, state)?, now),
                    Ok(Cas::Done { .. }) => unreachable!("no document has the generation {NO_GENERATION}"),
                    // The connection broke (the server restarted): the manager connects again; one more try.
                    Err(e) if !reconnected && (e.is_connection_dropped() || e.is_io_error()) => {
                        reconnected = true;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                    Err(e) => return Err(self.fail(label, &e)),
                },
            };
            let t = Time { now, skew: now - local_now };
            let mut doc = match doc {
                Some(d) => d,
                None => missing(t)?,
            };
            let before = doc.clone();
            let out = op(&mut doc, t)?;
            let changed = doc != before || generation.is_none();
            let json = if changed { serde_json::to_string(&doc).map_err(|e| Error::config(label, e.to_string()))? } else { String::new() };
            let new_generation = if changed { format!("{:016x}", fastrand::u64(..)) } else { String::new() };
            let expected = generation.clone().unwrap_or_default();
            match self.cas(&mut c, key, &expected, &new_generation, &json, ttl_ms).await {
                Ok(Cas::Done { now }) => {
                    *lock(&self.skew) = Some(now - local_now);
                    *lock(cache) = Some(if changed { (new_generation, doc) } else { (expected, before) });
                    return Ok(out);
                }
                Ok(Cas::Conflict { now, generation, state }) => {
                    *lock(&self.skew) = Some(now - local_now);
                    base = Some((generation, self.parse(label, key, state)?, now));
                    attempt += 1;
                    if attempt > 1 {
                        // Contention: a short random pause that grows with it.
                        let cap = 200u64 << attempt.min(6);
                        tokio::time::sleep(Duration::from_micros(fastrand::u64(0..=cap))).await;
                    }
                }
                Err(e) if !reconnected && (e.is_connection_dropped() || e.is_io_error()) => {
                    reconnected = true;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(self.fail(label, &e)),
            }
        }
        Err(self.unreachable(label, "too many writers at once (the account state kept changing)"))
    }

    /// One run of the compare-and-set script.
    async fn cas(
        &self,
        c: &mut ConnectionManager,
        key: &str,
        expected: &str,
        new_generation: &str,
        state: &str,
        ttl_ms: u64,
    ) -> redis::RedisResult<Cas> {
        let answer: Vec<redis::Value> =
            self.cas.key(key).arg(expected).arg(&new_generation).arg(state).arg(ttl_ms).invoke_async(c).await?;
        let text = |i: usize| -> Option<String> {
            match answer.get(i)? {
                redis::Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
                redis::Value::SimpleString(s) => Some(s.clone()),
                redis::Value::Int(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let now = match (text(1).and_then(|s| s.parse::<f64>().ok()), text(2).and_then(|s| s.parse::<f64>().ok())) {
            (Some(secs), Some(micros)) => secs + micros / 1e6,
            _ => return Err(redis::RedisError::from((redis::ErrorKind::Parse, "TIME is unreadable"))),
        };
        Ok(match answer.first() {
            Some(redis::Value::Int(1)) => Cas::Done { now },
            _ => Cas::Conflict { now, generation: text(3), state: text(4) },
        })
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
        let seen = *self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let missing = |t: Time| match seen {
            Some(at) if !reset && t.now - at < policy.window.max(3600.0) => Err(self.lost(label, at, policy, t.now)),
            _ => Ok(GuardState { next_ticket: fastrand::u64(1 << 32..1 << 62), ..GuardState::default() }),
        };
        let (out, now) = self
            .update(label, &self.guard_key, GUARD_TTL_MS, local_now, &self.guard_cache, missing, |g, t| {
                Ok((op(g, t), t.now))
            })
            .await?;
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
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
        self.update(label, &self.spool_key, SPOOL_TTL_MS, local_now, &self.spool_cache, fresh, |s, t| Ok(op(s, t))).await
    }

    /// Holds the server's POLL queue (a token with an expiry under the queue key) until released; waits up to
    /// `deadline`.
    pub(crate) async fn lock_queue(
        &self,
        label: &str,
        deadline: tokio::time::Instant,
        hold: Duration,
    ) -> Result<RedisQueueLock> {
        let mut c = self.connection(label).await?;
        let token = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        loop {
            let got: Option<String> = redis::cmd("SET")
                .arg(&self.queue_key)
                .arg(&token)
                .arg("NX")
                .arg("PX")
                .arg(hold.as_millis() as u64)
                .query_async(&mut c)
                .await
                .map_err(|e| self.fail(label, &e))?;
            if got.is_some() {
                return Ok(RedisQueueLock {
                    connection: c,
                    key: self.queue_key.clone(),
                    token,
                    release: self.release.clone(),
                    released: false,
                });
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(super::file::queue_timeout(label));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// What the compare-and-set script answered.
enum Cas {
    Done { now: f64 },
    Conflict { now: f64, generation: Option<String>, state: Option<String> },
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
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
                redis::cmd("DEL").arg(&self.guard_key).query_async::<i64>(&mut c).await.map_err(|e| self.fail(label, &e))?;
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
                (g.clone(), t.now)
            })
            .await;
        match guard {
            Ok((g, t)) => {
                let spooled = self.spool_len(label, now).await?;
                let mut st = GuardStatus::of(describe, &g, policy, spooled, t);
                // Kept relative to Redis's clock; shown relative to this machine's.
                let skew = t - now;
                st.clock_offset = st.clock_offset.map(|o| ClockOffset { low: o.low + skew, high: o.high + skew, at: o.at });
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
}
