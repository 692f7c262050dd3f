//! The state of the emulated WEDOS accounts (credit, domains, DNS zones, the POLL queue, hourly counters) and of
//! the callers' IP addresses (invalid requests, blocks).

use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::config::WedosConfig;

/// The length of the sliding windows of the hourly limits and of the IP's invalid-request counter.
pub(crate) const HOUR: i64 = 3600;

/// Every account, every caller IP seen, and the server's counters.
#[derive(Serialize, Deserialize)]
pub(crate) struct WedosState {
    pub(crate) accounts: Vec<Account>,
    /// Canonical IP text → its record.
    pub(crate) ips: BTreeMap<String, IpRecord>,
    pub(crate) next_svtrid: u64,
    pub(crate) next_notification_id: u64,
    /// Armed answer faults (`POST /_emulator/wedos/fail`); not kept in the state file.
    #[serde(skip)]
    pub(crate) faults: Vec<AnswerFault>,
}

/// The next `times` authenticated requests of `command` (any command when `None`) of `user` (any account when
/// `None`) answer `code` instead of running; or, with `timestamp` and no `code`, run and answer with that
/// `timestamp` (any JSON value: a garbled or absurd server clock).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnswerFault {
    #[serde(default)]
    pub(crate) user: Option<String>,
    #[serde(default)]
    pub(crate) command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) code: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) result: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) timestamp: Option<serde_json::Value>,
    #[serde(default = "one")]
    pub(crate) times: u32,
}

fn one() -> u32 {
    1
}

impl AnswerFault {
    /// Takes one use of the first fault that applies to `user`'s `command`.
    pub(crate) fn take(faults: &mut Vec<AnswerFault>, user: &str, command: &str) -> Option<AnswerFault> {
        let i = faults.iter().position(|f| {
            f.user.as_deref().is_none_or(|u| u == user) && f.command.as_deref().is_none_or(|c| c == command)
        })?;
        let fault = faults[i].clone();
        faults[i].times -= 1;
        if faults[i].times == 0 {
            faults.remove(i);
        }
        Some(fault)
    }
}

/// Names `domain-check` reports as registered although no configured account holds them.
pub(crate) const TAKEN: [&str; 8] =
    ["google.cz", "seznam.cz", "wedos.cz", "wedos.com", "google.com", "example.com", "example.org", "example.net"];

#[derive(Serialize, Deserialize)]
pub(crate) struct Account {
    pub(crate) user: String,
    pub(crate) password: String,
    pub(crate) allowed_ips: Vec<IpAddr>,
    pub(crate) polling_allowed: bool,
    /// Commands this account may not use (2011).
    #[serde(default)]
    pub(crate) disabled_commands: Vec<String>,
    pub(crate) credit: f64,
    pub(crate) currency: String,
    pub(crate) domains: Vec<Domain>,
    pub(crate) zones: Vec<Zone>,
    pub(crate) next_row_id: u64,
    /// How `dns-domains-list` answers.
    #[serde(default)]
    pub(crate) dns_domains_list: crate::config::DnsListShape,
    /// Unread notifications, oldest first (`{"code", "result", …, "ID", "data"}` objects).
    pub(crate) queue: Vec<Value>,
    /// Times of the requests counted against the hourly request limit.
    pub(crate) requests: VecDeque<i64>,
    /// Times of the requests counted against the hourly domain-check limit.
    pub(crate) domain_checks: VecDeque<i64>,
    /// Answers given to this account, by code.
    pub(crate) codes: BTreeMap<String, u64>,
    /// URL delivery of notifications (instead of the POLL queue), and the seconds between redeliveries.
    #[serde(default)]
    pub(crate) notification_url: Option<String>,
    #[serde(default = "five_minutes")]
    pub(crate) notification_retry_secs: f64,
    /// The latest URL deliveries: `{"id", "url", "attempts", "statuses", "delivered"}`, newest last.
    #[serde(default)]
    pub(crate) deliveries: VecDeque<Value>,
    /// Seconds between a commit and the moment the emulator's DNS server serves it (WEDOS publishes slowly).
    #[serde(default)]
    pub(crate) dns_publish_delay_secs: u64,
}

fn five_minutes() -> f64 {
    300.0
}

/// How many URL deliveries an account remembers.
pub(crate) const DELIVERY_LOG: usize = 100;

#[derive(Serialize, Deserialize)]
pub(crate) struct Domain {
    pub(crate) name: String,
    pub(crate) status: String,
    pub(crate) expiration: String,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Zone {
    /// The zone's id (`dns-domains-list` keyed by id): stable, not sequential.
    #[serde(default)]
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) status: String,
    pub(crate) min_ttl: u32,
    /// The working copy (what `dns-rows-list` shows).
    pub(crate) rows: Vec<Row>,
    /// The rows of the last publication (a commit, or the automatic one 5 minutes after the last change).
    pub(crate) published: Vec<Row>,
    /// When the name servers serve `published` (the publication's time plus the account's
    /// `dns_publish_delay_secs`); until then they serve `served_before`.
    #[serde(default)]
    pub(crate) visible_at: i64,
    /// What the name servers served before the last publication.
    #[serde(default)]
    pub(crate) served_before: Vec<Row>,
    /// The emulator time of the last uncommitted change; `None` = nothing pending.
    pub(crate) last_change: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Row {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) ttl: u32,
    pub(crate) rdtype: String,
    pub(crate) rdata: String,
    pub(crate) changed: i64,
    pub(crate) comment: String,
}

#[derive(Default, Serialize, Deserialize)]
pub(crate) struct IpRecord {
    /// Times of the invalid requests within the last hour.
    pub(crate) invalid: VecDeque<i64>,
    pub(crate) blocked_until: Option<i64>,
}

/// Drops the times older than an hour before `now`.
pub(crate) fn prune(window: &mut VecDeque<i64>, now: i64) {
    while window.front().is_some_and(|t| *t <= now.saturating_sub(HOUR)) {
        window.pop_front();
    }
}

impl WedosState {
    /// Replaces the state with a state file's; configured accounts the file lacks are added, and every configured
    /// account's password comes from the configuration.
    pub(crate) fn restore(&mut self, mut loaded: WedosState) {
        for a in self.accounts.drain(..) {
            match loaded.accounts.iter_mut().find(|l| l.user == a.user) {
                Some(l) => l.password = a.password,
                None => loaded.accounts.push(a),
            }
        }
        *self = loaded;
    }

    pub(crate) fn account_index(&self, user: &str) -> Option<usize> {
        self.accounts.iter().position(|a| a.user == user)
    }

    pub(crate) fn account_mut(&mut self, user: &str) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| a.user == user)
    }

    /// A fresh server transaction id in the real server's four-part form: `<now>.<sequence, 4+ digits>.<4
    /// digits>.1` (e.g. `1691419076.0616.9683.1`).
    pub(crate) fn svtrid(&mut self, now: i64) -> String {
        let n = self.next_svtrid;
        self.next_svtrid += 1;
        let worker = (n.wrapping_mul(7919) + 1009) % 9000 + 1000;
        format!("{now}.{n:04}.{worker}.1")
    }

    /// Whether `name` (normalized) is registered in any account.
    pub(crate) fn registered(&self, name: &str) -> bool {
        self.accounts.iter().any(|a| a.domains.iter().any(|d| d.name == name)) || TAKEN.contains(&name)
    }

    /// Publishes every zone whose last change is at least `auto_publish_secs` old.
    pub(crate) fn settle(&mut self, now: i64, auto_publish_secs: u64) {
        let secs = i64::try_from(auto_publish_secs).unwrap_or(i64::MAX);
        for a in &mut self.accounts {
            for z in &mut a.zones {
                if let Some(t) = z.last_change.filter(|t| now.saturating_sub(*t) >= secs) {
                    z.publish(t.saturating_add(secs), a.dns_publish_delay_secs);
                }
            }
        }
    }

    /// Where `user`'s notifications go: `Some((url, retry_secs))` for URL delivery, `None` for the POLL queue.
    pub(crate) fn delivery_url(&mut self, user: &str) -> Option<(String, f64)> {
        let a = self.account_mut(user)?;
        a.notification_url.clone().map(|u| (u, a.notification_retry_secs))
    }

    /// Gives `notify` the next `ID` (URL delivery); returns it.
    pub(crate) fn number_notification(&mut self, notify: &mut Map<String, Value>) -> String {
        if let Some(id) = notification_id(&Value::Object(notify.clone())) {
            return id;
        }
        let id = self.next_notification_id.to_string();
        self.next_notification_id += 1;
        notify.remove("id");
        notify.insert("ID".into(), Value::String(id.clone()));
        id
    }

    /// Records one URL delivery attempt of notification `id` (its HTTP status, or null when the URL did not answer).
    pub(crate) fn log_delivery(&mut self, user: &str, id: &str, url: &str, status: Option<u16>) {
        let Some(a) = self.account_mut(user) else { return };
        let pos = a.deliveries.iter().position(|d| d["id"] == id);
        let entry = match pos {
            Some(i) => &mut a.deliveries[i],
            None => {
                a.deliveries
                    .push_back(json!({"id": id, "url": url, "attempts": 0, "statuses": [], "delivered": false}));
                while a.deliveries.len() > DELIVERY_LOG {
                    a.deliveries.pop_front();
                }
                a.deliveries.back_mut().expect("just pushed")
            }
        };
        entry["attempts"] = json!(entry["attempts"].as_u64().unwrap_or(0) + 1);
        if let Some(list) = entry["statuses"].as_array_mut() {
            list.push(json!(status));
        }
        entry["delivered"] = json!(status == Some(200));
    }

    /// Queues `notify` for `user`, giving it the next `ID` unless it has one (`ID` or `id`); returns the ID.
    /// How many notifications wait in `user`'s queue (0 for an unknown account).
    pub(crate) fn queue_len(&self, user: &str) -> usize {
        self.accounts.iter().find(|a| a.user == user).map_or(0, |a| a.queue.len())
    }

    pub(crate) fn queue_notification(&mut self, user: &str, mut notify: Map<String, Value>) -> Result<String, String> {
        let given = notify.get("ID").or_else(|| notify.get("id")).cloned();
        let id = match given {
            None | Some(Value::Null) => {
                let id = self.next_notification_id.to_string();
                notify.remove("id");
                notify.insert("ID".into(), Value::String(id.clone()));
                id
            }
            Some(Value::String(s)) if !s.is_empty() => s,
            Some(Value::Number(n)) if n.is_u64() => n.to_string(),
            Some(_) => return Err("notify.ID must be a non-empty string or a non-negative integer".into()),
        };
        let account = self.account_mut(user).ok_or_else(|| format!("unknown WEDOS account {user}"))?;
        if account.queue.iter().any(|q| notification_id(q).as_deref() == Some(id.as_str())) {
            return Err(format!("notification {id} is already queued for {user}"));
        }
        account.queue.push(Value::Object(notify));
        if let Ok(n) = id.parse::<u64>() {
            self.next_notification_id = self.next_notification_id.max(n.saturating_add(1));
        }
        Ok(id)
    }

    /// Records an invalid request from `ip` at `now` and (re)computes its block.
    pub(crate) fn record_invalid(&mut self, ip: &str, now: i64, config: &WedosConfig) {
        let rec = self.ips.entry(ip.to_string()).or_default();
        prune(&mut rec.invalid, now);
        rec.invalid.push_back(now);
        let n = u64::try_from(rec.invalid.len()).unwrap_or(u64::MAX);
        let threshold = u64::from(config.block_threshold);
        if n > threshold {
            let secs = config.block_secs.saturating_mul(n - threshold);
            rec.blocked_until = Some(now.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX)));
        }
    }

    /// Until when `ip` is blocked, if it is at `now`.
    pub(crate) fn blocked_until(&self, ip: &str, now: i64) -> Option<i64> {
        self.ips.get(ip).and_then(|r| r.blocked_until).filter(|t| now < *t)
    }

    /// The `/_emulator/state` views: (accounts keyed by user, IPs keyed by address). No password.
    pub(crate) fn snapshot(&mut self, now: i64, auto_publish_secs: u64) -> (Value, Value) {
        self.settle(now, auto_publish_secs);
        let mut accounts = Map::new();
        for a in &mut self.accounts {
            prune(&mut a.requests, now);
            prune(&mut a.domain_checks, now);
            accounts.insert(a.user.clone(), a.snapshot());
        }
        let mut ips = Map::new();
        for (ip, rec) in &mut self.ips {
            prune(&mut rec.invalid, now);
            ips.insert(
                ip.clone(),
                json!({
                    "invalid_last_hour": rec.invalid.len(),
                    "blocked_until": rec.blocked_until,
                    "blocked": rec.blocked_until.is_some_and(|t| now < t),
                }),
            );
        }
        (Value::Object(accounts), Value::Object(ips))
    }
}

/// A queued notification's id (`ID` or `id`, as text).
pub(crate) fn notification_id(n: &Value) -> Option<String> {
    match n.get("ID").or_else(|| n.get("id"))? {
        Value::String(s) => Some(s.clone()),
        Value::Number(x) => Some(x.to_string()),
        _ => None,
    }
}

impl Account {
    pub(crate) fn count_code(&mut self, code: u32) {
        *self.codes.entry(code.to_string()).or_default() += 1;
    }

    /// `credit-info`'s amount: two decimals, as text.
    pub(crate) fn amount(&self) -> String {
        format!("{:.2}", self.credit)
    }

    fn snapshot(&self) -> Value {
        let zones: Map<String, Value> = self
            .zones
            .iter()
            .map(|z| {
                (
                    z.name.clone(),
                    json!({
                        "status": z.status,
                        "min_ttl": z.min_ttl,
                        "rows": z.rows.iter().map(Row::record).collect::<Vec<_>>(),
                        "published": z.published.iter().map(Row::record).collect::<Vec<_>>(),
                        "pending": z.last_change.is_some(),
                        "last_change": z.last_change,
                    }),
                )
            })
            .collect();
        json!({
            "user": self.user,
            "allowed_ips": self.allowed_ips,
            "polling_allowed": self.polling_allowed,
            "disabled_commands": self.disabled_commands,
            "requests_last_hour": self.requests.len(),
            "domain_checks_last_hour": self.domain_checks.len(),
            "credit": {"amount": self.amount(), "currency": self.currency},
            "domains": self.domains.iter().map(Domain::record).collect::<Vec<_>>(),
            "zones": zones,
            "queue": self.queue,
            "codes": self.codes,
            "notification_url": self.notification_url,
            "notification_retry_secs": self.notification_retry_secs,
            "deliveries": self.deliveries,
        })
    }
}

impl Domain {
    /// `domains-list` element / `domain-info` shape.
    pub(crate) fn record(&self) -> Value {
        json!({"name": self.name, "status": self.status, "expiration": self.expiration})
    }
}

impl Zone {
    /// Publishes the working copy at `now`: the name servers serve it at least `delay_secs` later (the clock
    /// counts whole seconds, so a delay waits for one more tick: never less than the delay).
    pub(crate) fn publish(&mut self, now: i64, delay_secs: u64) {
        if now >= self.visible_at {
            self.served_before = std::mem::take(&mut self.published);
        }
        self.published = self.rows.clone();
        let delay = match i64::try_from(delay_secs) {
            Ok(0) => 0,
            Ok(d) => d.saturating_add(1),
            Err(_) => i64::MAX,
        };
        self.visible_at = now.saturating_add(delay);
        self.last_change = None;
    }

    /// What the name servers serve at `now`.
    pub(crate) fn served(&self, now: i64) -> &[Row] {
        if now >= self.visible_at {
            &self.published
        } else {
            &self.served_before
        }
    }
}

impl Row {
    /// `dns-rows-list` element shape: `ID` and `ttl` as strings, `changed_date` in Prague local time.
    pub(crate) fn record(&self) -> Value {
        json!({
            "ID": self.id.to_string(),
            "name": self.name,
            "ttl": self.ttl.to_string(),
            "rdtype": self.rdtype,
            "rdata": self.rdata,
            "changed_date": prague_datetime(self.changed),
            "author_comment": self.comment,
        })
    }
}

/// `YYYY-MM-DD HH:MM:SS` in Europe/Prague local time.
pub(crate) fn prague_datetime(unix: i64) -> String {
    let utc_hour = unix.rem_euclid(86_400) / 3600;
    let offset_hours = match hostapi::wedos::protocol::prague_hour(unix) {
        Ok(h) => (i64::from(h) - utc_hour).rem_euclid(24),
        Err(_) => 1,
    };
    let local = unix.saturating_add(offset_hours * 3600);
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prague_datetime_across_dst() {
        assert_eq!(prague_datetime(1_768_473_000), "2026-01-15 11:30:00");
        assert_eq!(prague_datetime(1_774_745_999), "2026-03-29 01:59:59");
        assert_eq!(prague_datetime(1_774_746_000), "2026-03-29 03:00:00");
        assert_eq!(prague_datetime(0), "1970-01-01 01:00:00");
    }
}
