//! The admission policy of a WEDOS account — "the governor" — sans-I/O: a value ([`GuardState`]) and the pure
//! functions that change it, with the clock passed in. Every account store runs these functions, each one
//! atomically (under its lock, in its transaction), so the policy is written once and tested here with simulated
//! clocks and interleavings.
//!
//! Admission is a **reservation**: a caller [`reserve`](GuardState::reserve)s a slot before it sends — of the hourly
//! budget, of the domain-availability budget for those commands, and of the invalid-request allowance, since any
//! request may come back invalid — and [`settle`](GuardState::settle)s it with the outcome after. Requests in
//! flight count against every limit, so any number of concurrent callers, in any processes, can never send more
//! than the limits allow. A reservation that is never settled (its process died) expires and counts as a request
//! of unknown outcome: the server may have counted it as invalid.
//!
//! State is bounded: the budgets are counters per time slice (a sixtieth of the window; a conservative bound on
//! any rolling window), at most [`INVALID_KEPT`] invalid answers and [`MAX_IN_FLIGHT`] reservations are kept, and a
//! server timestamp far from the local clock is not taken as evidence of the server's clock.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::protocol::codes::{self, BlockHint};
use super::protocol::{code_info, is_domain_limited};
use crate::error::{Error, ErrorKind};

/// The invalid answers kept (within the window): more than any sensible `max_invalid_requests` (the server blocks
/// at the 11th).
pub const INVALID_KEPT: usize = 256;
/// The most requests of one account in flight at once (beyond it, callers wait for a slot).
pub const MAX_IN_FLIGHT: usize = 256;
/// The settled tickets remembered, so that a settlement applied twice counts once.
const SETTLED_KEPT: usize = 64;
/// The budget windows are counted in this many slices.
const SLICES: f64 = 60.0;
/// At most this many slices are kept per budget (clients with different windows share an account: adjacent slices
/// are merged beyond it, which only overestimates).
const MAX_SLICES: usize = 128;
/// A server timestamp farther than this from the local clock is not evidence of the server's clock (a garbled
/// answer, or a clock no Prague hour can be computed from).
pub const MAX_CLOCK_SKEW: f64 = 86_400.0;
/// Clock evidence older than this is replaced rather than narrowed, and not used (clocks drift, servers are reset).
pub const CLOCK_MAX_AGE: f64 = 86_400.0;
/// The longest block a 2052 answer is believed to announce (a day): a larger figure is a garbled message.
pub const MAX_BLOCK_SECS: f64 = 86_400.0;

/// The limits one client applies. Every client of an account shares its state, each with its own policy (the
/// same by default; tests shorten the window).
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The account login, for messages.
    pub user: String,
    pub hourly_limit: u32,
    pub domain_check_limit: u32,
    /// The budget window, also the window the server counts invalid requests in (seconds).
    pub window: f64,
    /// 0 = no limit.
    pub max_invalid: u32,
    /// 0 = never stop.
    pub max_auth_failures: u32,
}

/// Requests counted in `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Slice(pub f64, pub f64, pub u32);

/// A budget's counters, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slices(pub VecDeque<Slice>);

impl Slices {
    /// Counts one request at `now`; returns the start of its slice (for a refund).
    fn add(&mut self, now: f64, window: f64) -> f64 {
        let len = window / SLICES;
        if let Some(last) = self.0.back_mut() {
            if last.0 <= now && now < last.1 {
                last.2 = last.2.saturating_add(1);
                return last.0;
            }
        }
        let start = (now / len).floor() * len;
        // A slice of another client's window may overlap; the counts stay a bound either way.
        self.0.push_back(Slice(start, start + len, 1));
        while self.0.len() > MAX_SLICES {
            let a = self.0.pop_front().expect("over the maximum");
            let b = self.0.front_mut().expect("over the maximum");
            *b = Slice(a.0.min(b.0), a.1.max(b.1), a.2.saturating_add(b.2));
        }
        start
    }

    /// Takes back one request counted in the slice starting at `start` (a request that never left).
    fn refund(&mut self, start: f64) {
        if let Some(s) = self.0.iter_mut().rev().find(|s| s.0 <= start && start < s.1 && s.2 > 0) {
            s.2 -= 1;
        }
    }

    fn prune(&mut self, now: f64, window: f64) {
        self.0.retain(|s| s.1 > now - window && s.2 > 0);
    }

    /// The requests that may lie within the window ending at `now` (every slice that overlaps it).
    pub fn count(&self, now: f64, window: f64) -> u32 {
        self.0.iter().filter(|s| s.1 > now - window).fold(0u32, |a, s| a.saturating_add(s.2))
    }

    /// Seconds until fewer than `limit` requests lie within the window.
    fn frees_in(&self, now: f64, window: f64, limit: u32) -> f64 {
        let count = self.count(now, window);
        if count < limit {
            return 0.0;
        }
        let mut to_drop = count - limit + 1;
        for s in self.0.iter().filter(|s| s.1 > now - window) {
            if s.2 >= to_drop {
                return (s.1 + window - now).max(0.0);
            }
            to_drop -= s.2;
        }
        window
    }
}

/// An answer the server counts as an invalid request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invalid {
    /// When it was answered (local Unix seconds).
    pub at: f64,
    /// The answer's code; `None` when the answer was lost or unreadable (the server may have counted it).
    pub code: Option<i64>,
    pub command: String,
    /// The reservation that expired into this record, while it may still be settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<u64>,
}

/// A request in flight: it holds a slot of every limit until it is settled or expires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    pub ticket: u64,
    /// When it was reserved, and when it expires (local Unix seconds).
    pub at: f64,
    pub until: f64,
    pub command: String,
    /// The budget slices it was counted in (for a refund when it never left).
    pub slice: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_slice: Option<f64>,
    /// The process that reserved it, for `guard status`.
    #[serde(default)]
    pub pid: u32,
}

/// What the client knows of the server's clock: `server time − local time` lies in `[low, high]` seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockOffset {
    pub low: f64,
    pub high: f64,
    /// When it was last narrowed or replaced (local Unix seconds).
    pub at: f64,
}

impl ClockOffset {
    pub fn middle(&self) -> f64 {
        (self.low + self.high) / 2.0
    }
    pub fn width(&self) -> f64 {
        self.high - self.low
    }
    /// Finite, within [`MAX_CLOCK_SKEW`] of the local clock and younger than [`CLOCK_MAX_AGE`] at `now`.
    pub fn usable(&self, now: f64) -> bool {
        [self.low, self.high, self.at].iter().all(|v| v.is_finite())
            && self.low <= self.high
            && self.low.abs() <= MAX_CLOCK_SKEW
            && self.high.abs() <= MAX_CLOCK_SKEW
            && (0.0..CLOCK_MAX_AGE).contains(&(now - self.at))
    }
}

/// The stop after authentication/IP failures in a row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthStop {
    pub at: f64,
    pub code: i64,
    pub command: String,
    pub failures: u32,
}

/// One account's guard: budgets, invalid answers, requests in flight, the authentication stop, the server's block
/// and the clock offset.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GuardState {
    pub requests: Slices,
    pub domain_checks: Slices,
    pub invalid: VecDeque<Invalid>,
    pub in_flight: Vec<InFlight>,
    /// Authentication/IP failures (2050, 2051) in a row.
    pub auth_failures: u32,
    pub auth_stop: Option<AuthStop>,
    /// When an answer last showed that the credentials work from here (any answer past authentication).
    pub proven_at: Option<f64>,
    /// The end of the server's IP block (local Unix seconds), from its 2052 answer.
    pub blocked_until: Option<f64>,
    pub clock: Option<ClockOffset>,
    pub next_ticket: u64,
    /// The tickets settled lately: settling one again changes nothing (a networked store may not know whether its
    /// first settlement was applied).
    #[serde(default, skip_serializing_if = "VecDeque::is_empty")]
    pub settled: VecDeque<u64>,
}

/// A request asking to be sent.
#[derive(Clone, Copy, Debug)]
pub struct Ask<'a> {
    /// The operation, for messages (`wedos dns-row-add`).
    pub label: &'a str,
    /// The WAPI command.
    pub command: &'a str,
    /// When the reservation expires if it is never settled: after the longest the attempt can take.
    pub expires_at: f64,
    pub pid: u32,
}

/// A granted reservation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grant {
    pub ticket: u64,
    /// The server's clock offset as known, when it can be used.
    pub clock: Option<ClockOffset>,
}

/// The governor's answer to [`GuardState::reserve`].
#[derive(Debug)]
pub enum Admission {
    Granted(Grant),
    /// No slot now: requests in flight hold what is left of an allowance. Ask again after `retry_in` seconds (at the
    /// latest, when the first of them expires).
    Busy { retry_in: f64, reason: String },
    /// Not sent: an hourly budget is spent (`budget`: the caller may wait for `retry_after`), or the guard stops
    /// the account (the stop, the server's block, the invalid-request allowance).
    Refused { error: Error, budget: bool },
}

/// How a request ended, as far as the server's counting goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// It never left: its slots are given back.
    NotSent,
    /// A valid answer (a success, or a result such as "domain not available").
    Valid,
    /// An invalid answer with its code, or (`None`) a request whose answer was lost or unreadable.
    /// `clock_cause`: a 2050 that the answer's own timestamp shows was signed for another hour.
    Invalid { code: Option<i64>, clock_cause: bool },
    /// The server failed (HTTP 5xx) before it judged the request: not counted as invalid.
    ServerFailure,
}

/// What the client learned from an answer's timestamp: the server's clock read `server_time` between `sent` and
/// `received` (local seconds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evidence {
    pub server_time: i64,
    pub sent: f64,
    pub received: f64,
}

/// A settled request.
#[derive(Clone, Copy, Debug)]
pub struct Settlement<'a> {
    pub outcome: Outcome,
    pub command: &'a str,
    /// The server's text (a 2052's says how long the block lasts).
    pub message: &'a str,
    pub clock: Option<Evidence>,
}

/// What a reset clears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reset {
    /// The authentication stop, the invalid answers and the clock evidence (the budgets, the server's block and
    /// the requests in flight are facts of the server and stay).
    Guard,
}

impl GuardState {
    /// Moves the reservations that expired at `now` into the invalid answers (outcome unknown) and drops what left
    /// the window.
    pub fn expire(&mut self, policy: &Policy, now: f64) {
        let window = policy.window;
        let mut i = 0;
        while i < self.in_flight.len() {
            if self.in_flight[i].until <= now {
                let f = self.in_flight.swap_remove(i);
                self.push_invalid(Invalid { at: f.until, code: None, command: f.command, ticket: Some(f.ticket) });
            } else {
                i += 1;
            }
        }
        self.requests.prune(now, window);
        self.domain_checks.prune(now, window);
        while self.invalid.front().is_some_and(|i| now - i.at >= window) {
            self.invalid.pop_front();
        }
        if self.blocked_until.is_some_and(|t| t.is_nan() || t <= now || t - now > MAX_BLOCK_SECS) {
            self.blocked_until = None;
        }
        if self.proven_at.is_some_and(|t| t.is_nan() || now - t >= window || t > now + 1.0) {
            self.proven_at = None;
        }
        if self.clock.is_some_and(|c| !c.usable(now)) {
            self.clock = None;
        }
    }

    fn push_invalid(&mut self, invalid: Invalid) {
        // Kept in time order (an expired reservation is recorded at its expiry, which may precede later answers).
        let at = self.invalid.iter().rposition(|i| i.at <= invalid.at).map_or(0, |p| p + 1);
        self.invalid.insert(at, invalid);
        while self.invalid.len() > INVALID_KEPT {
            self.invalid.pop_front();
        }
    }

    /// Why nothing may be sent now, if so: the authentication stop, the server's block, the invalid answers of the
    /// window. Expects [`expire`](Self::expire) to have run.
    pub fn refusal(&self, policy: &Policy, label: &str, now: f64) -> Option<Error> {
        if let (Some(stop), true) = (&self.auth_stop, policy.max_auth_failures > 0) {
            let (meaning, _) = code_info(stop.code);
            return Some(Error::new(
                ErrorKind::Authentication,
                label,
                format!(
                    "not sent: the hostapi clients of {} stopped after {} authentication/IP failures in a row (the \
                     last: {} {meaning}, {} ago); WEDOS blocks an IP after repeated invalid requests. Check the WAPI \
                     password and the IP allow-list, then run `hostapi wedos guard reset` (or call \
                     reset_auth_guard())",
                    policy.user,
                    stop.failures,
                    stop.code,
                    ago(now - stop.at),
                ),
            ));
        }
        if let Some(until) = self.blocked_until {
            let left = until - now;
            return Some(
                Error::new(
                    ErrorKind::RateLimited,
                    label,
                    format!(
                        "not sent: WEDOS blocked this IP address for too many invalid requests, for {:.0} s more; a \
                         request now would lengthen the block",
                        left.ceil()
                    ),
                )
                .with_code(codes::IP_BLOCKED)
                .with_retry_after(wait_secs(left)),
            );
        }
        let max = policy.max_invalid as usize;
        if max > 0 && self.invalid.len() >= max {
            let frees = self.invalid[self.invalid.len() - max].at + policy.window - now;
            let last = self.invalid.back().expect("at least max > 0 entries");
            let last_code = last.code.map_or_else(|| "(answer lost)".to_owned(), |c| format!("{c} {}", code_info(c).0));
            return Some(
                Error::new(
                    ErrorKind::RateLimited,
                    label,
                    format!(
                        "not sent: {} invalid requests within the hour ({}; the last: {} {last_code}); WEDOS blocks \
                         the IP at the next one. Sending resumes in {:.0} s, when the oldest leaves the hour; once \
                         the cause is fixed, `hostapi wedos guard reset` (or reset_auth_guard()) resumes at once",
                        self.invalid.len(),
                        causes(&self.invalid),
                        last.command,
                        frees.ceil()
                    ),
                )
                .with_retry_after(wait_secs(frees)),
            );
        }
        None
    }

    /// Decides whether `ask` may be sent now and, if so, reserves its slots.
    pub fn reserve(&mut self, policy: &Policy, ask: &Ask<'_>, now: f64) -> Admission {
        self.expire(policy, now);
        if let Some(error) = self.refusal(policy, ask.label, now) {
            return Admission::Refused { error, budget: false };
        }
        let window = policy.window;
        let domain = is_domain_limited(ask.command);
        let mut wait = None::<f64>;
        if self.requests.count(now, window) >= policy.hourly_limit {
            wait = Some(self.requests.frees_in(now, window, policy.hourly_limit));
        }
        if domain && self.domain_checks.count(now, window) >= policy.domain_check_limit {
            let w = self.domain_checks.frees_in(now, window, policy.domain_check_limit);
            wait = Some(wait.map_or(w, |a| a.max(w)));
        }
        if let Some(wait) = wait {
            let which = if domain { "domain availability / request" } else { "request" };
            return Admission::Refused {
                error: Error::new(
                    ErrorKind::RateLimited,
                    ask.label,
                    format!("not sent: the account's hourly {which} budget is spent"),
                )
                .with_retry_after(wait_secs(wait)),
                budget: true,
            };
        }
        let in_flight = self.in_flight.len();
        let first_expiry = self.in_flight.iter().map(|f| f.until).fold(f64::INFINITY, f64::min);
        let busy = |reason: String| Admission::Busy { retry_in: (first_expiry - now).clamp(0.001, 1.0), reason };
        let max = policy.max_invalid as usize;
        if max > 0 && self.invalid.len() + in_flight >= max {
            return busy(format!(
                "{in_flight} requests in flight hold what is left of the invalid-request allowance ({} of {max} used)",
                self.invalid.len()
            ));
        }
        // Until an answer shows that the credentials work from here, no more requests fly than the authentication
        // stop allows to fail.
        if policy.max_auth_failures > 0 && self.proven_at.is_none() {
            let allowed = policy.max_auth_failures.saturating_sub(self.auth_failures) as usize;
            if in_flight >= allowed.max(1) {
                return busy(format!(
                    "{in_flight} requests in flight while the credentials are not yet proven ({} authentication \
                     failures in a row)",
                    self.auth_failures
                ));
            }
        }
        if in_flight >= MAX_IN_FLIGHT {
            return busy(format!("{in_flight} requests of the account in flight"));
        }
        let ticket = self.next_ticket;
        self.next_ticket = self.next_ticket.wrapping_add(1);
        let slice = self.requests.add(now, window);
        let domain_slice = domain.then(|| self.domain_checks.add(now, window));
        self.in_flight.push(InFlight {
            ticket,
            at: now,
            until: ask.expires_at.max(now),
            command: ask.command.to_owned(),
            slice,
            domain_slice,
            pid: ask.pid,
        });
        Admission::Granted(Grant { ticket, clock: self.clock.filter(|c| c.usable(now)) })
    }

    /// Settles reservation `ticket` with what came of it.
    pub fn settle(&mut self, policy: &Policy, ticket: u64, s: &Settlement<'_>, now: f64) {
        if self.settled.contains(&ticket) {
            return;
        }
        self.settled.push_back(ticket);
        while self.settled.len() > SETTLED_KEPT {
            self.settled.pop_front();
        }
        match self.in_flight.iter().position(|f| f.ticket == ticket) {
            Some(i) => {
                let f = self.in_flight.swap_remove(i);
                if s.outcome == Outcome::NotSent {
                    self.requests.refund(f.slice);
                    if let Some(d) = f.domain_slice {
                        self.domain_checks.refund(d);
                    }
                }
            }
            None => {
                // It expired into an invalid answer of unknown outcome: the outcome is known now.
                if let Some(i) = self.invalid.iter().position(|i| i.ticket == Some(ticket)) {
                    self.invalid.remove(i);
                }
            }
        }
        if let Some(ev) = s.clock {
            self.learn_clock(ev, now);
        }
        match s.outcome {
            Outcome::NotSent | Outcome::ServerFailure => {}
            Outcome::Valid => {
                self.auth_failures = 0;
                self.proven_at = Some(now);
            }
            Outcome::Invalid { code, clock_cause } => {
                self.push_invalid(Invalid { at: now, code, command: s.command.to_owned(), ticket: None });
                match code {
                    Some(c) if codes::is_auth_failure(c) => {
                        if !clock_cause {
                            self.proven_at = None;
                            self.auth_failures = self.auth_failures.saturating_add(1);
                            if policy.max_auth_failures > 0 && self.auth_failures >= policy.max_auth_failures {
                                self.auth_stop = Some(AuthStop {
                                    at: now,
                                    code: c,
                                    command: s.command.to_owned(),
                                    failures: self.auth_failures,
                                });
                            }
                        }
                    }
                    Some(codes::IP_BLOCKED) => {
                        self.blocked_until = Some(self.block_end(s.message, now));
                    }
                    Some(_) => {
                        self.auth_failures = 0;
                        self.proven_at = Some(now);
                    }
                    None => {}
                }
            }
        }
        self.expire(policy, now);
    }

    /// The end of the server's block (local seconds) from its 2052 text, a minute when it says nothing.
    fn block_end(&self, message: &str, now: f64) -> f64 {
        match codes::block_hint(message) {
            Some(BlockHint::Seconds(n)) => now + n.min(MAX_BLOCK_SECS),
            Some(BlockHint::Until(t)) => {
                let offset = self.clock.filter(|c| c.usable(now)).map_or(0.0, |c| c.middle());
                (t as f64 - offset).clamp(now, now + MAX_BLOCK_SECS)
            }
            None => now + 60.0,
        }
    }

    /// Narrows the clock offset with an answer's timestamp. Returns false when the evidence is not believed: a
    /// timestamp more than [`MAX_CLOCK_SKEW`] from the local clock, or readings out of order.
    pub fn learn_clock(&mut self, ev: Evidence, now: f64) -> bool {
        let t = ev.server_time as f64;
        let sane = ev.sent.is_finite()
            && ev.sent <= ev.received
            && believable(ev.server_time, ev.received)
            && (t + 1.0 - ev.sent).abs() <= MAX_CLOCK_SKEW;
        if !sane {
            return false;
        }
        let new = ClockOffset { low: t - ev.received, high: t + 1.0 - ev.sent, at: now };
        self.clock = Some(match self.clock.filter(|c| c.usable(now)) {
            Some(o) => {
                let (low, high) = (o.low.max(new.low), o.high.min(new.high));
                // They disagree (a clock was set): the new evidence wins.
                if low <= high {
                    ClockOffset { low, high, at: now }
                } else {
                    new
                }
            }
            None => new,
        });
        true
    }

    /// Clears what `scope` names.
    pub fn reset(&mut self, scope: Reset) {
        match scope {
            Reset::Guard => {
                self.settled.clear();
                self.auth_failures = 0;
                self.auth_stop = None;
                self.invalid.clear();
                self.clock = None;
            }
        }
    }
}

/// Whether a server timestamp read at local time `received` can be evidence of the server's clock: within
/// [`MAX_CLOCK_SKEW`] of it.
pub fn believable(server_time: i64, received: f64) -> bool {
    received.is_finite() && (server_time as f64 - received).abs() <= MAX_CLOCK_SKEW
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
pub fn causes(invalid: &VecDeque<Invalid>) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for i in invalid {
        let cause = codes::cause(i.code);
        match counts.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, n)) => *n += 1,
            None => counts.push((cause, 1)),
        }
    }
    counts.iter().map(|(c, n)| format!("{n} {c}")).collect::<Vec<_>>().join(", ")
}

/// A wait in seconds as a `Duration`: negative, NaN or absurd figures are clamped to `[0, 1 day]`.
pub fn wait_secs(secs: f64) -> std::time::Duration {
    std::time::Duration::try_from_secs_f64(secs.clamp(0.0, MAX_BLOCK_SECS)).unwrap_or_default()
}

#[cfg(test)]
#[path = "governor_tests.rs"]
mod tests;
