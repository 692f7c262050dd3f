//! The account's notification spool, sans-I/O: notifications taken off the server's POLL queue (and acknowledged
//! there) but not yet handed to a caller, and a bounded memory of those handed out lately.
//!
//! The POLL queue shows only its oldest unread notification, and only acknowledging it shows the next; a client
//! waiting for one notification therefore takes others off the queue on the way. They wait here, for any client of
//! the account in any process, and each is handed out exactly once:
//!
//! - [`Spool::take`] removes and hands out (`next()`, waiting for a result);
//! - [`Spool::lease`] hands one out for a while without removing it (`poll()`): other clients skip it until the
//!   lease ends, and [`Spool::ack`] removes it (`ack()`); a lease that ends unacknowledged (its process died) makes
//!   the notification available again, so none is lost;
//! - a notification is known by its fingerprint — a hash of the whole notification as the server sent it — not by
//!   its id alone: a server that starts its ids again (a restart) brings new notifications under old ids.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha1::{Digest, Sha1};

use super::protocol::parse_notification_json;
use super::records::{Notification, Pending};

/// How long a notification handed out by `poll()` stays with its client before another may have it (seconds).
pub const LEASE_SECS: f64 = 300.0;
/// The most notifications the spool keeps; past it, nothing more is taken off the server's queue.
pub const MAX_SPOOLED: usize = 1000;
/// The handed-out notifications remembered (so that one met again is not handed out twice) …
pub const HANDED_KEPT: usize = 512;
/// … for this long (seconds).
pub const HANDED_MAX_AGE: f64 = 7.0 * 86_400.0;
/// How long an id acknowledged on the server, without the notification's fingerprint, answers a second `ack` of
/// it locally (two callers that peeked the same notification acknowledge it once); after that the id may be the
/// server's again (a restarted server reuses ids).
pub const ACK_MEMORY_SECS: f64 = 60.0;

/// A notification waiting in the spool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spooled {
    /// The notify object as the server sent it.
    pub notify: Value,
    pub fp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<Lease>,
}

/// A notification handed out by `poll()` and not yet acknowledged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lease {
    pub holder: String,
    pub until: f64,
}

/// A notification handed out lately.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Handed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub fp: String,
    pub at: f64,
}

/// The spool of one account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Spool {
    pub queue: VecDeque<Spooled>,
    pub handed: VecDeque<Handed>,
}

/// Which notification a caller takes.
#[derive(Clone, Copy, Debug)]
pub enum Want<'a> {
    /// The oldest.
    Any,
    /// The one answering this pending request (same svTRID or clTRID).
    Answering(&'a Pending),
}

/// What [`Spool::push`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Push {
    Added,
    /// It is in the spool already, or was handed out lately (a redelivery).
    Known,
    /// The spool is full.
    Full,
}

/// What [`Spool::ack`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ack {
    /// It was in the spool and is handed out now.
    Removed,
    /// Not in the spool, but handed out lately: acknowledged already.
    AlreadyHanded,
    /// Not known here: only the server can acknowledge it.
    Unknown,
}

/// The fingerprint of a notification: a hash of the notify object as the server sent it.
pub fn fingerprint(notify: &Value) -> String {
    let bytes = serde_json::to_vec(notify).unwrap_or_default();
    hex::encode(&Sha1::digest(&bytes)[..10])
}

/// The queue id of a notify object.
pub fn notify_id(n: &Value) -> Option<String> {
    match n.get("ID").or_else(|| n.get("id"))? {
        Value::String(s) => Some(s.clone()),
        Value::Number(x) => Some(x.to_string()),
        _ => None,
    }
}

impl Spool {
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Forgets what was handed out too long ago.
    pub fn prune(&mut self, now: f64) {
        while self.handed.front().is_some_and(|h| !(now - h.at < HANDED_MAX_AGE)) {
            self.handed.pop_front();
        }
    }

    fn known(&self, fp: &str) -> bool {
        self.queue.iter().any(|s| s.fp == fp) || self.handed.iter().any(|h| h.fp == fp)
    }

    /// Keeps `notify` for the next reader, unless it is known.
    pub fn push(&mut self, notify: Value, now: f64) -> Push {
        self.prune(now);
        let fp = fingerprint(&notify);
        if self.known(&fp) {
            return Push::Known;
        }
        if self.queue.len() >= MAX_SPOOLED {
            return Push::Full;
        }
        self.queue.push_back(Spooled { notify, fp, lease: None });
        Push::Added
    }

    fn remember(&mut self, s: &Spooled, now: f64) {
        self.handed.push_back(Handed { id: notify_id(&s.notify), fp: s.fp.clone(), at: now });
        while self.handed.len() > HANDED_KEPT {
            self.handed.pop_front();
        }
    }

    /// Whether `s` may be handed to `holder` at `now`: not leased to another client, or its lease has ended.
    fn free_for(s: &Spooled, holder: &str, now: f64) -> bool {
        s.lease.as_ref().is_none_or(|l| l.holder == holder || !(l.until > now))
    }

    fn position(&self, want: Want<'_>, holder: &str, now: f64) -> Option<usize> {
        self.queue.iter().position(|s| {
            Self::free_for(s, holder, now)
                && match want {
                    Want::Any => true,
                    Want::Answering(p) => parse_notification_json(&s.notify).is_ok_and(|n| n.answers(p)),
                }
        })
    }

    /// Removes and hands out the first notification `want`s that no other client holds.
    pub fn take(&mut self, want: Want<'_>, holder: &str, now: f64) -> Option<Value> {
        self.prune(now);
        let i = self.position(want, holder, now)?;
        let s = self.queue.remove(i)?;
        self.remember(&s, now);
        Some(s.notify)
    }

    /// Hands out the oldest notification no other client holds, leased to `holder` for `secs` (again, when it
    /// holds it already).
    pub fn lease(&mut self, holder: &str, now: f64, secs: f64) -> Option<Value> {
        self.prune(now);
        let i = self.position(Want::Any, holder, now)?;
        let s = &mut self.queue[i];
        s.lease = Some(Lease { holder: holder.to_owned(), until: now + secs });
        Some(s.notify.clone())
    }

    /// Acknowledges notification `id`: the one `holder` leased if there is one, else the oldest with that id.
    pub fn ack(&mut self, id: &str, holder: &str, now: f64) -> Ack {
        self.prune(now);
        let with_id = |s: &Spooled| notify_id(&s.notify).as_deref() == Some(id);
        let i = self
            .queue
            .iter()
            .position(|s| with_id(s) && s.lease.as_ref().is_some_and(|l| l.holder == holder))
            .or_else(|| self.queue.iter().position(with_id));
        if let Some(i) = i {
            let s = self.queue.remove(i).expect("found above");
            self.remember(&s, now);
            return Ack::Removed;
        }
        let known = |h: &Handed| h.id.as_deref() == Some(id) && (!h.fp.is_empty() || now - h.at < ACK_MEMORY_SECS);
        if self.handed.iter().any(known) {
            Ack::AlreadyHanded
        } else {
            Ack::Unknown
        }
    }

    /// Remembers that notification `id`, never kept here, was acknowledged on the server (by a client whose store
    /// does not outlive its process, which does not take notifications off the server before they are acked).
    pub fn acknowledged(&mut self, id: &str, now: f64) {
        self.prune(now);
        self.handed.push_back(Handed { id: Some(id.to_owned()), fp: String::new(), at: now });
        while self.handed.len() > HANDED_KEPT {
            self.handed.pop_front();
        }
    }

    /// Parses a spooled notify object.
    pub fn parse(v: &Value) -> Option<Notification> {
        parse_notification_json(v).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn n(id: u32, sv: &str) -> Value {
        json!({"ID": id.to_string(), "code": 1000, "result": "OK", "svTRID": sv, "command": "ping-async"})
    }

    #[test]
    fn a_notification_is_handed_out_once() {
        let mut s = Spool::default();
        assert_eq!(s.push(n(1, "a"), 0.0), Push::Added);
        assert_eq!(s.push(n(1, "a"), 0.0), Push::Known);
        assert_eq!(s.take(Want::Any, "x", 1.0), Some(n(1, "a")));
        assert_eq!(s.push(n(1, "a"), 2.0), Push::Known, "a redelivery of one handed out");
        assert_eq!(s.take(Want::Any, "x", 3.0), None);
    }

    #[test]
    fn ids_reused_by_a_restarted_server_are_new_notifications() {
        let mut s = Spool::default();
        for id in 1..=5 {
            s.push(n(id, &format!("old-{id}")), 0.0);
            s.take(Want::Any, "x", 0.0).unwrap();
        }
        for id in 1..=5 {
            assert_eq!(s.push(n(id, &format!("new-{id}")), 1.0), Push::Added);
        }
        assert_eq!(s.len(), 5);
    }

    #[test]
    fn leases_keep_a_notification_with_one_client_until_acknowledged_or_expired() {
        let mut s = Spool::default();
        s.push(n(1, "a"), 0.0);
        s.push(n(2, "b"), 0.0);
        assert_eq!(s.lease("p1", 1.0, 10.0), Some(n(1, "a")));
        assert_eq!(s.lease("p1", 2.0, 10.0), Some(n(1, "a")), "the same, again, to its holder");
        assert_eq!(s.lease("p2", 2.0, 10.0), Some(n(2, "b")));
        assert_eq!(s.lease("p3", 2.0, 10.0), None);
        assert_eq!(s.take(Want::Any, "p3", 2.0), None, "next() skips leased ones too");
        assert_eq!(s.ack("1", "p1", 3.0), Ack::Removed);
        assert_eq!(s.ack("1", "p1", 3.0), Ack::AlreadyHanded);
        assert_eq!(s.ack("99", "p1", 3.0), Ack::Unknown);
        // An id acknowledged on the server without its notification (`:memory:` peeks): remembered briefly.
        s.acknowledged("7", 3.0);
        assert_eq!(s.ack("7", "p1", 4.0), Ack::AlreadyHanded);
        assert_eq!(s.ack("7", "p1", 4.0 + ACK_MEMORY_SECS), Ack::Unknown, "a restarted server's new 7");
        // p2 died: its lease ends and the notification goes to another client.
        assert_eq!(s.lease("p3", 13.0, 10.0), Some(n(2, "b")));
    }

    #[test]
    fn waiting_takes_only_its_own_answer() {
        let mut s = Spool::default();
        s.push(n(1, "a"), 0.0);
        s.push(n(2, "b"), 0.0);
        let pending = Pending { command: "ping-async".into(), cltrid: None, svtrid: Some("b".into()) };
        assert_eq!(s.take(Want::Answering(&pending), "x", 1.0), Some(n(2, "b")));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn the_spool_and_its_memory_are_bounded() {
        let mut s = Spool::default();
        for i in 0..(MAX_SPOOLED as u32) {
            assert_eq!(s.push(n(i, "x"), 0.0), Push::Added);
        }
        assert_eq!(s.push(n(5000, "x"), 0.0), Push::Full);
        while s.take(Want::Any, "x", 1.0).is_some() {}
        assert_eq!(s.handed.len(), HANDED_KEPT);
        s.prune(1.0 + HANDED_MAX_AGE);
        assert!(s.handed.is_empty());
    }
}
