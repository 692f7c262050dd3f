//! `":memory:"`: the account state in the client (its clones share it), for tests and single-process programs.

use std::sync::Mutex;

use serde_json::Value;

use super::{AccountStore, GuardStatus, MEMORY};
use crate::error::Result;
use crate::wedos::governor::{Admission, Ask, GuardState, Policy, Reset, Settlement};
use crate::wedos::spool::{Ack, Push, Spool, Want};

/// The account state in memory.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<(GuardState, Spool)>,
    records: Mutex<std::collections::BTreeMap<String, Value>>,
}

impl MemoryStore {
    fn with<R>(&self, op: impl FnOnce(&mut GuardState, &mut Spool) -> R) -> R {
        let mut held = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, spool) = &mut *held;
        op(guard, spool)
    }

    pub(crate) fn settle_now(&self, policy: &Policy, ticket: u64, s: &Settlement<'_>, now: f64) -> Result<()> {
        self.with(|g, _| g.settle(policy, ticket, s, now));
        Ok(())
    }
}

impl AccountStore for MemoryStore {
    fn describe(&self) -> String {
        MEMORY.to_owned()
    }

    async fn reserve(&self, _label: &str, policy: &Policy, ask: &Ask<'_>, now: f64) -> Result<Admission> {
        Ok(self.with(|g, _| g.reserve(policy, ask, now)))
    }

    async fn settle(&self, _label: &str, policy: &Policy, ticket: u64, s: &Settlement<'_>, now: f64) -> Result<()> {
        self.settle_now(policy, ticket, s, now)
    }

    async fn reset(&self, _label: &str, _policy: &Policy, scope: Reset, _now: f64) -> Result<()> {
        self.with(|g, _| g.reset(scope));
        Ok(())
    }

    async fn status(&self, _label: &str, policy: &Policy, now: f64) -> Result<GuardStatus> {
        Ok(self.with(|g, s| {
            g.expire(policy, now);
            GuardStatus::of(MEMORY.to_owned(), g, policy, s.len(), now)
        }))
    }

    async fn spool_push(&self, _label: &str, notify: &Value, now: f64) -> Result<Push> {
        Ok(self.with(|_, s| s.push(notify.clone(), now)))
    }

    async fn spool_take(&self, _label: &str, want: Want<'_>, holder: &str, now: f64) -> Result<Option<Value>> {
        Ok(self.with(|_, s| s.take(want, holder, now)))
    }

    async fn spool_lease(&self, _label: &str, holder: &str, now: f64, secs: f64) -> Result<Option<Value>> {
        Ok(self.with(|_, s| s.lease(holder, now, secs)))
    }

    async fn spool_ack(&self, _label: &str, id: &str, holder: &str, now: f64) -> Result<Ack> {
        Ok(self.with(|_, s| s.ack(id, holder, now)))
    }

    async fn spool_acknowledged(&self, _label: &str, id: &str, now: f64) -> Result<()> {
        self.with(|_, s| s.acknowledged(id, now));
        Ok(())
    }

    async fn spool_len(&self, _label: &str, _now: f64) -> Result<usize> {
        Ok(self.with(|_, s| s.len()))
    }

    async fn record_get(&self, _label: &str, key: &str) -> Result<Option<Value>> {
        Ok(self.records.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned())
    }

    async fn record_put(&self, _label: &str, key: &str, value: &Value, only_new: bool) -> Result<bool> {
        let mut records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        if only_new && records.contains_key(key) {
            return Ok(false);
        }
        records.insert(key.to_owned(), value.clone());
        Ok(true)
    }
}
