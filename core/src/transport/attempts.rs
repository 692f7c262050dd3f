//! The attempts of one call, one at a time, under the transport's retry policy: what a caller that acts between
//! attempts (the WEDOS client reserving and settling the account's limits) steps through.

use std::time::Duration;

use super::{RawResponse, Transport};
use crate::error::Error;
use crate::http::HttpRequest;

/// An attempt's failure, and whether the request may have left (false: it never reached the server).
/// How far an attempt got, for a caller that counts what the server saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// The request never left (a failure to connect).
    NotSent,
    /// The server answered with this HTTP status (a 429 or 5xx: the step did not hand the answer over).
    Answered(u16),
    /// The request may have reached the server, and its answer was lost (a timeout, a dropped connection).
    Lost,
}

/// What one attempt of [`Attempts`] came to.
#[derive(Debug)]
pub(crate) enum Step {
    /// An answer to parse: any HTTP status but a retried 429 or 5xx. `after_uncertain` says whether an earlier
    /// attempt may have reached the server.
    Answer(RawResponse),
    /// The attempt failed and is to be retried after `delay`.
    Retry { delay: Duration, reach: Reach },
    /// The call failed: the retries are spent or the failure is not retried.
    Fail { error: Error, reach: Reach },
}

/// The attempts of one call (see [`Transport::attempts`]).
pub(crate) struct Attempts<'a> {
    transport: &'a Transport,
    operation: &'a str,
    idempotent: bool,
    made: u32,
    uncertain: bool,
}

impl<'a> Attempts<'a> {
    pub(super) fn new(transport: &'a Transport, operation: &'a str, idempotent: bool) -> Attempts<'a> {
        Attempts { transport, operation, idempotent, made: 0, uncertain: false }
    }

    /// Sends `request` once and decides what follows (its body is handed over to the connection).
    pub(crate) async fn attempt(&mut self, mut request: HttpRequest) -> Step {
        let t = self.transport;
        let operation = self.operation;
        self.made += 1;
        let attempts = self.made;
        tracing::debug!(target: "hostapi::transport", operation, attempt = attempts, method = %request.method, url = %request.url, "sending request");
        let outcome = t.attempt(operation, &mut request).await;
        let reach = match &outcome {
            Ok(r) => Reach::Answered(r.status),
            Err(f) if f.sent => Reach::Lost,
            Err(_) => Reach::NotSent,
        };
        let (retry, wait_at_least) = match &outcome {
            Ok(r) if r.status == 429 => (true, r.retry_after),
            Ok(r) if r.status >= 500 => (self.idempotent, None),
            Ok(_) => {
                let uncertain = self.uncertain;
                return match outcome {
                    Ok(r) => Step::Answer(RawResponse { after_uncertain: uncertain, ..r }),
                    Err(f) => Step::Fail { error: f.error, reach },
                };
            }
            Err(f) if !f.sent => (f.error.is_retryable(), None),
            Err(f) => (self.idempotent && f.error.is_retryable(), None),
        };
        let mut delay = t.backoff(attempts - 1);
        if let Some(at_least) = wait_at_least {
            // The server said when: wait that long, or give the caller the error now if that is too long.
            if at_least > t.config.backoff_max {
                return Step::Fail { error: t.give_up(operation, &request.url, outcome, attempts, self.idempotent), reach };
            }
            delay = delay.max(at_least);
        }
        if !retry || attempts > t.config.retries {
            return Step::Fail { error: t.give_up(operation, &request.url, outcome, attempts, self.idempotent), reach };
        }
        match &outcome {
            Ok(r) => tracing::debug!(target: "hostapi::transport", operation, attempt = attempts, status = r.status, ?delay, "retrying after HTTP status"),
            Err(f) => tracing::debug!(target: "hostapi::transport", operation, attempt = attempts, error = %f.error, ?delay, "retrying after failure"),
        }
        self.uncertain |= match &outcome {
            Ok(r) => r.status >= 500,
            Err(f) => f.sent,
        };
        Step::Retry { delay, reach }
    }
}
