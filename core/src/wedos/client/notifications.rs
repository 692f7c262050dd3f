//! The POLL notification queue, through the account's spool: every notification taken off the server's queue is
//! kept (before it is acknowledged there) and handed to exactly one caller, in any process.

use std::time::Duration;

use super::{unexpected, Client};
use crate::error::{Error, ErrorKind, Result};
use crate::wedos::protocol::{self, Call, Output};
use crate::wedos::records::*;
use crate::wedos::spool::{self, Ack, Push, Want};
use crate::wedos::store::now_f64;

const POLL_LABEL: &str = "wedos poll-req";

fn parse(label: &str, v: &serde_json::Value) -> Result<Notification> {
    protocol::parse_notification_json(v)
        .map_err(|e| Error::new(ErrorKind::Protocol, label, format!("a kept notification is unreadable: {e}")))
}

/// The POLL notification queue.
#[derive(Clone, Copy, Debug)]
pub struct Notifications<'a> {
    pub(super) client: &'a Client,
}

impl Notifications<'_> {
    /// The oldest unread notification, without acknowledging it; `None` when the queue is empty.
    ///
    /// With a store shared by processes (the default), it is taken off the server's queue into the account's
    /// spool and stays with this client until [`ack`](Self::ack)ed — other clients of the account, in any process,
    /// get the next one — or for [`spool::LEASE_SECS`] if it never is: then another client may have it, so none
    /// is lost. With `:memory:`, which dies with the process, it stays on the server's queue until acknowledged.
    pub async fn poll(self) -> Result<Option<Notification>> {
        let c = self.client;
        let inner = &*c.inner;
        let lease = || inner.store.spool_lease(POLL_LABEL, &inner.holder, now_f64(), spool::LEASE_SECS);
        if let Some(v) = lease().await? {
            return parse(POLL_LABEL, &v).map(Some);
        }
        let deadline = tokio::time::Instant::now() + inner.transport.config().timeout * 4;
        let queue = inner.store.lock_queue(&inner.queue, POLL_LABEL, deadline).await?;
        let found = async {
            if let Some(v) = lease().await? {
                return parse(POLL_LABEL, &v).map(Some);
            }
            if !inner.store.durable() {
                return match c.execute(&Call::PollReq).await? {
                    Output::Notification(n) => Ok(n),
                    _ => Err(unexpected("poll-req")),
                };
            }
            // What was taken may have been known already (met again), or leased by another client meanwhile: take
            // on until one is this client's, or the server's queue is empty.
            while c.take_from_queue(POLL_LABEL).await? {
                if let Some(v) = lease().await? {
                    return parse(POLL_LABEL, &v).map(Some);
                }
            }
            Ok(None)
        }
        .await;
        queue.release().await;
        found
    }

    /// Marks notification `id` read. A notification handed out by [`poll`](Self::poll) from the spool was taken
    /// off the server's queue already: this hands it over for good. One acknowledged already (by any client
    /// sharing the account state) is answered at once, without a request — a second `poll-ack` would be an invalid
    /// request — and only an id not acknowledged yet is sent to the server (`poll-ack`).
    pub async fn ack(self, id: &str) -> Result<Response> {
        let label = "wedos poll-ack";
        let c = self.client;
        let inner = &*c.inner;
        let local = |ack: Ack| match ack {
            Ack::Removed => Some("Notification acquired (taken off the server's queue when it was polled)"),
            Ack::AlreadyHanded => Some("Notification acquired already"),
            Ack::Unknown => None,
        };
        let done = |result: &str| Response::concluded(1002, result, "poll-ack", Some(crate::unix_now()));
        if let Some(result) = local(inner.store.spool_ack(label, id, &inner.holder, now_f64()).await?) {
            return Ok(done(result));
        }
        // Sent to the server: one at a time, so that two callers acknowledging the same id send it once.
        let deadline = tokio::time::Instant::now() + inner.transport.config().timeout * 4;
        let queue = inner.store.lock_queue(&inner.queue, label, deadline).await?;
        let acked = async {
            if let Some(result) = local(inner.store.spool_ack(label, id, &inner.holder, now_f64()).await?) {
                return Ok(done(result));
            }
            let r = c.run_response(Call::PollAck { id: id.to_owned() }).await?;
            inner.store.spool_acknowledged(label, id, now_f64()).await?;
            Ok(r)
        }
        .await;
        queue.release().await;
        acked
    }

    /// The next notification, acknowledged as it is handed over; `None` when the queue is empty. Loop on it to
    /// drain the queue. A notification is kept before it is acknowledged on the server, so a process that dies
    /// on the way leaves it to the next reader.
    pub async fn next(self) -> Result<Option<Notification>> {
        let c = self.client;
        if let Some(n) = c.claim(POLL_LABEL, Want::Any).await? {
            return Ok(Some(n));
        }
        let deadline = tokio::time::Instant::now() + c.inner.transport.config().timeout * 4;
        let queue = c.inner.store.lock_queue(&c.inner.queue, POLL_LABEL, deadline).await?;
        let found = async {
            if let Some(n) = c.claim(POLL_LABEL, Want::Any).await? {
                return Ok(Some(n));
            }
            // What was taken may have been known already (met again), or claimed by another client meanwhile:
            // take on until one is this client's, or the server's queue is empty.
            while c.take_from_queue(POLL_LABEL).await? {
                if let Some(n) = c.claim(POLL_LABEL, Want::Any).await? {
                    return Ok(Some(n));
                }
            }
            Ok(None)
        }
        .await;
        queue.release().await;
        found
    }

    /// Keeps a notification received some other way (the account's URL delivery: see
    /// [`protocol::parse_notification`]) in the account's spool, for the next reader in any process. Returns
    /// false when it is known already (in the spool, or handed out lately: a redelivery).
    pub async fn keep(self, n: &Notification) -> Result<bool> {
        let label = "wedos notifications";
        let inner = &*self.client.inner;
        match inner.store.spool_push(label, &serde_json::Value::Object(n.raw.clone()), now_f64()).await? {
            Push::Added => Ok(true),
            Push::Known => Ok(false),
            Push::Full => Err(spool_full(label)),
        }
    }

    /// How many notifications wait in the account's spool: taken off the server queue by a client of the account
    /// (in any process) while it waited for another one, not yet handed out.
    pub async fn kept(self) -> Result<usize> {
        let inner = &*self.client.inner;
        inner.store.spool_len("wedos notifications", now_f64()).await
    }
}

fn spool_full(label: &str) -> Error {
    Error::new(
        ErrorKind::RateLimited,
        label,
        format!(
            "the account's spool holds {} notifications not yet handed out; read them (notifications next) before \
             more are taken off the server's queue",
            spool::MAX_SPOOLED
        ),
    )
    .with_retry_after(Duration::from_secs(60))
}

impl Client {
    /// Waits up to `timeout` for the notification answering `pending`, acknowledges it and returns it.
    ///
    /// The POLL queue only shows its oldest unread notification, and only acknowledging it shows the next. A
    /// notification of another request met on the way is therefore taken off the server queue into the account's
    /// spool (kept before it is acknowledged on the server) and never lost: every client of the account, in any
    /// process, hands kept notifications out first, in queue order, each exactly once.
    pub async fn wait_for(&self, pending: &Pending, timeout: Duration) -> Result<Notification> {
        let label = format!("wedos wait {}", pending.command);
        let deadline = tokio::time::Instant::now()
            .checked_add(timeout)
            .ok_or_else(|| Error::config(&label, format!("timeout {timeout:?} is too large")))?;
        loop {
            if let Some(n) = self.claim(&label, Want::Answering(pending)).await? {
                return Ok(n);
            }
            let queue = self.inner.store.lock_queue(&self.inner.queue, &label, deadline).await?;
            let found = async {
                // Another waiter may have kept ours while this one waited for the queue.
                if let Some(n) = self.claim(&label, Want::Answering(pending)).await? {
                    return Ok(Err(n));
                }
                self.take_from_queue(&label).await.map(Ok)
            }
            .await;
            queue.release().await;
            let found = match found? {
                Err(n) => return Ok(n),
                Ok(found) => found,
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
                        "no notification for {} within {}",
                        pending.svtrid.as_deref().or(pending.cltrid.as_deref()).unwrap_or("the request"),
                        crate::error::words(timeout)
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
        // Known already (met again after a process died between keeping and acknowledging it): acknowledged once
        // more on the server, not kept twice.
        if self.inner.store.spool_push(label, &serde_json::Value::Object(n.raw), now_f64()).await? == Push::Full {
            return Err(spool_full(label));
        }
        self.execute(&Call::PollAck { id }).await?;
        Ok(true)
    }

    /// Removes from the spool, and returns, the first notification `want`ed that no other client holds.
    async fn claim(&self, label: &str, want: Want<'_>) -> Result<Option<Notification>> {
        let inner = &*self.inner;
        match inner.store.spool_take(label, want, &inner.holder, now_f64()).await? {
            Some(v) => parse(label, &v).map(Some),
            None => Ok(None),
        }
    }
}
