//! The send loop: a reservation of the account's limits before each attempt, `auth` for the server's Prague hour,
//! the attempt under the transport's retry policy, and the settlement of the reservation with what came of it.

use std::time::Duration;

use super::{unexpected, with_retry_after, Client};
use crate::error::{Error, ErrorKind, Result};
use crate::transport::{Reach, Step};
use crate::wedos::governor::{believable, wait_secs, Admission, Ask, ClockOffset, Evidence, Outcome, Settlement};
use crate::wedos::protocol::{self, codes, Call, Output, RequestOptions};
use crate::wedos::records::Response;
use crate::wedos::store::now_f64;

/// The server judges a request a little after it is signed: the margin kept on the late side of an hour boundary.
const LATENCY_MARGIN: f64 = 0.3;
/// A clock offset known less precisely than this is not used (the boundary retry applies instead).
const MAX_OFFSET_WIDTH: f64 = 10.0;
/// Beyond the attempt's timeouts, how long a reservation may stay unsettled before it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(5);
/// How long a settlement the store failed to take is tried again.
const SETTLE_RETRIES_FOR: Duration = Duration::from_secs(600);

/// A reservation of the account's limits for one attempt. Settled with the attempt's outcome; a call dropped on
/// the way (a cancelled future) settles it when dropped: as never sent, or as of unknown outcome once it may have
/// left.
struct Ticket<'c> {
    client: &'c Client,
    label: &'c str,
    command: &'c str,
    id: u64,
    clock: Option<ClockOffset>,
    sent: bool,
    open: bool,
}

impl Ticket<'_> {
    async fn settle(mut self, outcome: Outcome, message: &str, clock: Option<Evidence>) {
        let inner = &*self.client.inner;
        let s = Settlement { outcome, command: self.command, message, clock };
        if let Err(e) = inner.store.settle(self.label, &inner.limits, self.id, &s, now_f64()).await {
            tracing::warn!(operation = self.label, error = %e, "could not settle a request with the account state: trying again in the background");
            self.retry_in_background(outcome, message, clock);
        }
        self.open = false;
        inner.settled.notify_one();
    }

    /// Settles again, in the background, until the store takes it (a settlement counts once however often it is
    /// applied), for at most [`SETTLE_RETRIES_FOR`]: a store that was briefly unreachable (a failover) gets the
    /// outcome instead of counting the request as one of unknown outcome for the hour. Without a runtime, the
    /// reservation expires so.
    fn retry_in_background(&self, outcome: Outcome, message: &str, clock: Option<Evidence>) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else { return };
        let (client, label, command, message, id) =
            (self.client.clone(), self.label.to_owned(), self.command.to_owned(), message.to_owned(), self.id);
        rt.spawn(async move {
            let until = tokio::time::Instant::now() + SETTLE_RETRIES_FOR;
            let mut pause = Duration::from_millis(500);
            while tokio::time::Instant::now() < until {
                tokio::time::sleep(pause).await;
                let inner = &*client.inner;
                let s = Settlement { outcome, command: &command, message: &message, clock };
                if inner.store.settle(&label, &inner.limits, id, &s, now_f64()).await.is_ok() {
                    inner.settled.notify_one();
                    return;
                }
                pause = (pause * 2).min(Duration::from_secs(30));
            }
        });
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        let inner = &*self.client.inner;
        let outcome = if self.sent { Outcome::Invalid { code: None, clock_cause: false } } else { Outcome::NotSent };
        let s = Settlement { outcome, command: self.command, message: "", clock: None };
        let now = now_f64();
        // At once when the store is free; else on the runtime, not blocking its thread; else here.
        if !inner.store.try_settle_now(self.label, &inner.limits, self.id, &s, now) {
            match tokio::runtime::Handle::try_current() {
                Ok(rt) => {
                    let (client, label, command, id) =
                        (self.client.clone(), self.label.to_owned(), self.command.to_owned(), self.id);
                    rt.spawn(async move {
                        let inner = &*client.inner;
                        let s = Settlement { outcome, command: &command, message: "", clock: None };
                        if let Err(e) = inner.store.settle(&label, &inner.limits, id, &s, now).await {
                            tracing::warn!(operation = %label, error = %e, "could not settle an abandoned request");
                        }
                        inner.settled.notify_one();
                    });
                    return;
                }
                Err(_) => inner.store.settle_now(self.label, &inner.limits, self.id, &s, now),
            }
        }
        inner.settled.notify_one();
    }
}

/// How the server will count an attempt that did not hand an answer over.
fn unanswered(reach: Reach) -> Outcome {
    match reach {
        Reach::NotSent => Outcome::NotSent,
        Reach::Answered(s) if s >= 500 => Outcome::ServerFailure,
        // A refusal over a limit (429) is an invalid request for WEDOS; a lost answer may have been one.
        Reach::Answered(_) | Reach::Lost => Outcome::Invalid { code: None, clock_cause: false },
    }
}

impl Client {
    /// Runs any call with a fresh clTRID (the form the bindings and the command line use).
    pub async fn execute(&self, call: &Call) -> Result<Output> {
        self.execute_with(call, &RequestOptions::default()).await
    }

    /// Runs any call. `options.cltrid` is used when given, else a fresh one; test mode is on when either the
    /// options or the client ask for it.
    ///
    /// Each attempt first reserves a slot of the account's limits (shared by every client of the account): nothing
    /// is sent while the guard is stopped, the server's IP block lasts, or the invalid answers of the window and
    /// the requests in flight fill `max_invalid_requests` (then the call waits for a slot). `auth` is computed for
    /// the server's hour (the local clock corrected by the offset learned from earlier answers); when that hour is
    /// uncertain around a boundary the request waits until it is not. The answer settles the reservation: the
    /// clock offset is narrowed and an invalid answer recorded.
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
            let mut attempts = inner.transport.attempts(&label, call.idempotent());
            let (response, ticket, sent_at, signed_at, offset) = loop {
                let mut ticket = self.admit(command, &label).await?;
                let offset = ticket.clock.filter(|o| o.width() <= MAX_OFFSET_WIDTH);
                if let (Some(o), None) = (offset, time_override) {
                    self.wait_past_boundary(&o).await;
                }
                let sent_at = inner.clock.now_f64();
                let signed_at = time_override.take().unwrap_or_else(|| signing_time(sent_at, offset));
                let request = protocol::build_request(
                    &inner.base_url,
                    call,
                    &inner.user,
                    inner.password.expose(),
                    signed_at,
                    &options,
                )?;
                ticket.sent = true;
                match attempts.attempt(request).await {
                    Step::Answer(r) => break (r, ticket, sent_at, signed_at, offset),
                    Step::Retry { delay, reach } => {
                        ticket.settle(unanswered(reach), "", None).await;
                        tokio::time::sleep(delay).await;
                    }
                    Step::Fail { error, reach } => {
                        ticket.settle(unanswered(reach), "", None).await;
                        return Err(error);
                    }
                }
            };
            let received_at = inner.clock.now_f64();
            let answer = protocol::response::parse_answer_labelled(call, &label, response.status, &response.body);
            let (server_time, parsed) = (answer.timestamp, answer.result);
            let code = parsed.as_ref().err().and_then(Error::code);
            // A 2050 whose answer shows another Prague hour than the one signed for is the clock, not the password
            // — when the answer's clock is believable at all.
            let clock_cause = code == Some(codes::AUTH_FAILED)
                && server_time.is_some_and(|t| {
                    believable(t, received_at)
                        && protocol::prague_hour(t).ok() != protocol::prague_hour(signed_at).ok()
                });
            let message = parsed.as_ref().err().map(|e| e.message().to_owned()).unwrap_or_default();
            // The server's judgement is its envelope's code, whatever became of reading the rest.
            let outcome = match (&parsed, answer.code) {
                (Ok(_), _) => Outcome::Valid,
                (Err(_), Some(c)) if codes::is_invalid(c) => Outcome::Invalid { code: Some(c), clock_cause },
                (Err(_), Some(_)) => Outcome::Valid,
                // Not an answer of WAPI's (a plain-text refusal, garbage): the server may have counted it.
                (Err(_), None) => Outcome::Invalid { code: None, clock_cause: false },
            };
            let evidence = server_time.map(|t| Evidence { server_time: t, sent: sent_at, received: received_at });
            ticket.settle(outcome, &message, evidence).await;
            match parsed {
                Ok(out) => return Ok(out),
                Err(_) if clock_cause && !clock_retry_done => {
                    tracing::debug!(operation = %label, "2050 for another hour than the server's: retrying once with the server's hour");
                    clock_retry_done = true;
                }
                Err(e)
                    if code == Some(codes::AUTH_FAILED)
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
                Err(_) if response.after_uncertain && code.is_some_and(|c| codes::means_already_done(command, c)) => {
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
                Err(e) => return Err(self.explain(e, clock_cause).await),
            }
        }
    }

    /// Reserves a slot of the account's limits for one attempt: waits while requests in flight hold the slots
    /// left, and (under [`LimitPolicy::Wait`](super::LimitPolicy::Wait)) while an hourly budget is spent.
    async fn admit<'c>(&'c self, command: &'c str, label: &'c str) -> Result<Ticket<'c>> {
        let inner = &*self.inner;
        let config = inner.transport.config();
        let lifetime = config.connect_timeout + config.timeout + EXPIRY_MARGIN;
        let started = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(2);
        loop {
            let now = now_f64();
            let ask = Ask { label, command, expires_at: now + lifetime.as_secs_f64(), pid: inner.pid };
            match inner.store.reserve(label, &inner.limits, &ask, now).await? {
                Admission::Granted(g) => {
                    return Ok(Ticket { client: self, label, command, id: g.ticket, clock: g.clock, sent: false, open: true })
                }
                Admission::Busy { retry_in, reason } => {
                    // The requests in flight settle, or expire, within their lifetime.
                    if started.elapsed() > lifetime * 2 {
                        return Err(Error::new(
                            ErrorKind::Timeout,
                            label,
                            format!("not sent: waited {:.0} s for a slot of the account's limits: {reason}", started.elapsed().as_secs_f64()),
                        ));
                    }
                    let wait = pause.min(wait_secs(retry_in)).max(Duration::from_millis(1));
                    tracing::trace!(operation = label, ?wait, reason, "waiting for a slot of the account's limits");
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = inner.settled.notified() => {}
                    }
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Admission::Refused { error, budget: true } if inner.on_limit == super::LimitPolicy::Wait => {
                    let wait = error.retry_after().unwrap_or(Duration::from_secs(1));
                    tracing::debug!(operation = label, ?wait, "hourly budget spent: waiting");
                    tokio::time::sleep(wait).await;
                }
                Admission::Refused { error, .. } => return Err(error),
            }
        }
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
    async fn explain(&self, e: Error, clock_cause: bool) -> Error {
        if clock_cause {
            let message = format!(
                "{} — the server's clock showed another Prague hour than this machine's even after correcting \
                 for the offset; check the system clock",
                e.message()
            );
            return Error::new(e.kind(), e.operation(), message).with_code(codes::AUTH_FAILED);
        }
        let e = with_retry_after(e);
        if e.code() == Some(codes::IP_BLOCKED) {
            let inner = &*self.inner;
            let blocked = inner.store.status(e.operation(), &inner.limits, now_f64()).await.ok();
            if let Some(secs) = blocked.and_then(|s| s.blocked_for_secs) {
                return e.with_retry_after(wait_secs(secs));
            }
        }
        e
    }

    pub(super) async fn run_response_with(&self, call: Call, options: &RequestOptions) -> Result<Response> {
        match self.execute_with(&call, options).await? {
            Output::Response(r) => Ok(r),
            _ => Err(unexpected(call.command())),
        }
    }

    pub(super) async fn run_response(&self, call: Call) -> Result<Response> {
        self.run_response_with(call, &RequestOptions::default()).await
    }
}

/// The time `auth` is computed for: the local reading corrected by the server's offset. The offset is bounded
/// (the governor keeps none beyond a day), so the result always has a Prague hour.
fn signing_time(now: f64, offset: Option<ClockOffset>) -> i64 {
    match offset {
        Some(o) => (now + o.middle()).floor() as i64,
        None => now.floor() as i64,
    }
}
