//! The state of the hostapi before the file store (`wedos-<key>.json`), imported once into a new guard.

use serde::Deserialize;
use serde_json::Value;

use super::{open_private_read, Body, FileStore};
use crate::wedos::governor::{AuthStop, ClockOffset, Invalid, Slice, Slices, INVALID_KEPT};
use crate::wedos::spool::Spool;

impl FileStore {
    /// Imports the state of the hostapi before this layout (`wedos-<key>.json`) into a new guard: its spool (those
    /// notifications exist nowhere else; written to the spool file before the guard is linked into place), the
    /// invalid answers and budgets of the last hour, the stop, the block and the clock. Returns whether there was
    /// one (renamed `.json.migrated` once the guard is in place).
    pub(super) fn migrate(&self, label: &str, body: &mut Body, now: f64) -> bool {
        let path = &self.legacy_path;
        let Ok(Some(mut f)) = open_private_read(label, path) else { return false };
        let mut text = Vec::new();
        if std::io::Read::read_to_end(&mut f, &mut text).is_err() {
            return false;
        }
        let Ok(old) = serde_json::from_slice::<LegacyState>(&text) else {
            tracing::warn!(path = %path.display(), "the state of an older hostapi is unreadable; left as it is");
            return false;
        };
        let hour = |t: &f64| now - *t < 3600.0 && *t <= now;
        let g = &mut body.guard;
        let invalid: Vec<Invalid> = old
            .invalid
            .into_iter()
            .filter(|i| hour(&i.at))
            .map(|i| Invalid { at: i.at, code: Some(i.code), command: i.command, ticket: None })
            .collect();
        g.invalid = invalid[invalid.len().saturating_sub(INVALID_KEPT)..].iter().cloned().collect();
        g.auth_failures = old.auth_failures;
        g.auth_stop = old.auth_stop;
        g.blocked_until = old.blocked_until;
        g.clock = old.clock;
        // The old send times, in one slice that stays counted for the hour (they all lie within it).
        let slice = |times: Vec<f64>| {
            let recent: Vec<f64> = times.into_iter().filter(hour).collect();
            let first = recent.iter().copied().reduce(f64::min);
            Slices(first.map(|f| Slice(f, now + 1.0, recent.len() as u32)).into_iter().collect())
        };
        g.requests = slice(old.requests);
        g.domain_checks = slice(old.domain_checks);
        if !old.spool.is_empty() {
            let mut spool = Spool::default();
            for n in old.spool {
                spool.push(n, now);
            }
            body.spool_gen = body.spool_gen.wrapping_add(1);
            if let Err(e) = self.write_spool(label, body.spool_gen, &spool) {
                tracing::warn!(error = %e, "the notifications of an older hostapi's state could not be imported yet");
                return false;
            }
        }
        true
    }
}

/// The state file of hostapi 0.1 before this store (`wedos-<key>.json`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct LegacyState {
    requests: Vec<f64>,
    domain_checks: Vec<f64>,
    invalid: Vec<LegacyInvalid>,
    auth_failures: u32,
    auth_stop: Option<AuthStop>,
    blocked_until: Option<f64>,
    clock: Option<ClockOffset>,
    spool: Vec<Value>,
}

#[derive(Deserialize)]
struct LegacyInvalid {
    at: f64,
    code: i64,
    command: String,
}

