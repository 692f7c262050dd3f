//! The emulated WAPI commands.
//!
//! Decisions where the sources are silent:
//!
//! * `data` fields are typed: names, domains and `rdata` must be JSON strings (another type → 2101 "Parameters
//!   mismatch"); numbers (`ttl`, `row_id`, `poll-ack`'s `id`) may be JSON numbers or strings of digits. A
//!   parameter given as `null` counts as absent. Unknown fields are ignored.
//! * Domain names are second-level names (`label.tld`, any script) and compared in lower case; TLDs `cz com eu sk
//!   net org` only (2201), anything else malformed → 2202.
//! * `domain-info` of a domain not in the account, and any DNS command on a zone not in the account → 3223
//!   (access denied). A zone with status `deleted` → 3306 for every DNS command; `locked` → 3305 for row changes
//!   and commits (listing still works).
//! * `domain-check`: registered (in any account, or on the built-in taken list) → 3201, else 1000 with
//!   `data.avail.name`. `domain-transfer-check`: 1000 with `data.name` when registered outside the caller's account,
//!   else 3206. `domain-create` is not emulated (2010).
//! * `dns-row-add` requires `domain`, `name` (may be `""`), `ttl`, `type` and `rdata`; `auth_comment` is optional.
//!   `type` is matched case-insensitively and stored upper-case; names are stored lower-case. A TTL within
//!   300–172800 but below the zone's `min_ttl` → 2317. The answer has no `data` (list the rows to learn the ID).
//!   `dns-row-update` may also carry `auth_comment`. A non-numeric `row_id` → 3309.
//! * Row changes are pending until `dns-domain-commit` or until `auto_publish_secs` after the last change; a commit
//!   with nothing pending still answers 1000.
//! * `poll-ack` acknowledges any queued notification by id (not only the oldest); `ID` in data is accepted as
//!   an alias of `id`.
//! * `test: 1` validates everything, then changes nothing: no row change, no acknowledgement, no `ping-async`
//!   notification. Test requests still count against the hourly limits.

use crate::config::DnsListShape;
use serde_json::{json, Map, Value};

use super::state::{notification_id, Account, WedosState, Zone};
use super::{check, Ctx, Reply, Request, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Command {
    Ping,
    PingAsync,
    PollReq,
    PollAck,
    CreditInfo,
    DomainsList,
    DomainInfo,
    DomainCheck,
    DomainTransferCheck,
    DomainCreate,
    DomainRenew,
    DnsDomainsList,
    DnsDomainInfo,
    DnsRowDetail,
    DnsRowsList,
    DnsRowAdd,
    DnsRowUpdate,
    DnsRowDelete,
    DnsDomainCommit,
}

/// Every emulated command: its WAPI name, and whether it only reads (changes nothing but counters).
const COMMANDS: &[(&str, Command, bool)] = {
    use Command::*;
    &[
        ("ping", Ping, true),
        ("ping-async", PingAsync, false),
        ("poll-req", PollReq, true),
        ("poll-ack", PollAck, false),
        ("credit-info", CreditInfo, true),
        ("domains-list", DomainsList, true),
        ("domain-info", DomainInfo, true),
        ("domain-check", DomainCheck, true),
        ("domain-transfer-check", DomainTransferCheck, true),
        ("domain-create", DomainCreate, false),
        ("domain-renew", DomainRenew, false),
        ("dns-domain-info", DnsDomainInfo, true),
        ("dns-row-detail", DnsRowDetail, true),
        ("dns-domains-list", DnsDomainsList, true),
        ("dns-rows-list", DnsRowsList, true),
        ("dns-row-add", DnsRowAdd, false),
        ("dns-row-update", DnsRowUpdate, false),
        ("dns-row-delete", DnsRowDelete, false),
        ("dns-domain-commit", DnsDomainCommit, false),
    ]
};

impl Command {
    pub(crate) fn parse(s: &str) -> Option<Command> {
        COMMANDS.iter().find(|(name, _, _)| *name == s).map(|(_, c, _)| *c)
    }
}

/// Whether `command` only reads: its success changes nothing but counters.
pub(crate) fn is_read(command: &str) -> bool {
    COMMANDS.iter().any(|(name, _, read)| *name == command && *read)
}

/// Typed access to a request's `data`.
struct Data<'a>(&'a Map<String, Value>);

impl Data<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// 2100 unless every key is present.
    fn require(&self, keys: &[&str]) -> Result<(), Reply> {
        match keys.iter().find(|k| self.get(k).is_none()) {
            Some(k) => Err(Reply::err(2100, format!("Required parameter missing: {k}"))),
            None => Ok(()),
        }
    }

    fn opt_str(&self, key: &str) -> Result<Option<&str>, Reply> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Reply::err(2101, format!("Parameters mismatch: {key} must be a string"))),
        }
    }

    /// A required string (may be empty).
    fn req_str(&self, key: &str) -> Result<&str, Reply> {
        self.opt_str(key)?.ok_or_else(|| Reply::err(2100, format!("Required parameter missing: {key}")))
    }

    /// A required, non-empty string.
    fn req_nonempty(&self, key: &str) -> Result<&str, Reply> {
        match self.req_str(key)? {
            "" => Err(Reply::err(2100, format!("Required parameter missing: {key} (empty)"))),
            s => Ok(s),
        }
    }

    /// A required non-negative integer, as a JSON number or a string of digits; `bad` otherwise.
    fn req_num(&self, key: &str, bad: impl Fn(&Value) -> Reply) -> Result<u64, Reply> {
        let v = self.get(key).ok_or_else(|| Reply::err(2100, format!("Required parameter missing: {key}")))?;
        let n = match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) if !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().ok()
            }
            _ => None,
        };
        n.ok_or_else(|| bad(v))
    }
}

/// Executes an authenticated, counted request of account `idx`.
pub(crate) fn run(state: &mut WedosState, idx: usize, cmd: Command, req: &Request, ctx: &Ctx<'_>) -> Reply {
    match run_inner(state, idx, cmd, req, ctx) {
        Ok(r) | Err(r) => r,
    }
}

fn run_inner(state: &mut WedosState, idx: usize, cmd: Command, req: &Request, ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    let d = Data(&req.data);
    let now = ctx.now;
    let test = req.test;
    match cmd {
        Command::Ping => Ok(Reply::ok(None).style(Style::Strings)),
        Command::PingAsync => {
            let mut r = Reply::success(1001, "Request pending").style(Style::Strings);
            if !test {
                let secs = ctx.config.async_delay_ms as f64 / 1000.0;
                r.notify_later = Some(json!({"round": "1", "time": format!("{secs:.3}"), "done": 1}));
            }
            Ok(r)
        }
        Command::PollReq => {
            let a = &state.accounts[idx];
            polling(a)?;
            Ok(match a.queue.first() {
                None => Reply::success(1003, "Empty notifications queue").style(Style::StringTime),
                Some(n) => Reply::ok(Some(json!({"notify": n}))).style(Style::Strings),
            })
        }
        Command::PollAck => {
            let a = &mut state.accounts[idx];
            polling(a)?;
            let key = if d.get("id").is_none() && d.get("ID").is_some() { "ID" } else { "id" };
            d.require(&[key])?;
            let id = match d.get(key) {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return Err(Reply::err(2101, "Parameters mismatch: id must be a number or a non-empty string")),
            };
            let pos = a
                .queue
                .iter()
                .position(|n| notification_id(n).as_deref() == Some(id.as_str()))
                .ok_or_else(|| Reply::err(2151, format!("Notification does not exist: {id}")))?;
            if !test {
                a.queue.remove(pos);
            }
            Ok(Reply::success(1002, "Notification acquired").style(Style::Strings))
        }
        Command::CreditInfo => {
            let a = &state.accounts[idx];
            Ok(Reply::ok(Some(json!({"amount": a.amount(), "currency": a.currency}))))
        }
        Command::DomainsList => {
            let status = d.opt_str("status")?;
            let a = &state.accounts[idx];
            let list: Vec<Value> = a
                .domains
                .iter()
                .filter(|x| status.is_none_or(|s| s.is_empty() || x.status == s))
                .map(|x| x.record())
                .collect();
            Ok(Reply::ok(Some(json!({"domain": list}))))
        }
        Command::DomainInfo => {
            d.require(&["name"])?;
            let name = check::domain(d.req_nonempty("name")?)?;
            let a = &state.accounts[idx];
            let dom = a
                .domains
                .iter()
                .find(|x| x.name == name)
                .ok_or_else(|| Reply::err(3223, format!("Domain access denied: {name} is not in this account")))?;
            Ok(Reply::ok(Some(json!({"domain": dom.record()}))))
        }
        Command::DomainCheck => {
            d.require(&["name"])?;
            let name = check::domain(d.req_nonempty("name")?)?;
            if state.registered(&name) {
                Err(Reply::err(3201, "Domain registered"))
            } else {
                Ok(Reply::ok(Some(json!({"avail": {"name": name}}))))
            }
        }
        Command::DomainTransferCheck => {
            d.require(&["name"])?;
            let name = check::domain(d.req_nonempty("name")?)?;
            if state.accounts[idx].domains.iter().any(|x| x.name == name) {
                Err(Reply::err(3206, format!("Domain {name} is already in this account")))
            } else if state.registered(&name) {
                Ok(Reply::ok(Some(json!({"name": name}))))
            } else {
                Err(Reply::err(3206, format!("Domain {name} is not registered, it cannot be transferred")))
            }
        }
        Command::DomainCreate => {
            d.require(&["name", "owner_c"])?;
            let name = check::domain(d.req_nonempty("name")?)?;
            d.req_nonempty("owner_c")?;
            let period = years(&d)?;
            if state.registered(&name) {
                return Err(Reply::err(3201, format!("Domain registered: {name}")));
            }
            let mut r = Reply::success(1001, "Request pending");
            if !test {
                let expiration = add_years(&prague_date(now), period);
                state.accounts[idx].domains.push(super::state::Domain {
                    name: name.clone(),
                    status: "active".into(),
                    expiration: expiration.clone(),
                });
                r.notify_later = Some(json!({"name": name, "status": "active", "expiration": expiration}));
            }
            Ok(r)
        }
        Command::DomainRenew => {
            d.require(&["name"])?;
            let name = check::domain(d.req_nonempty("name")?)?;
            let period = years(&d)?;
            let a = &mut state.accounts[idx];
            let dom = a
                .domains
                .iter_mut()
                .find(|x| x.name == name)
                .ok_or_else(|| Reply::err(3223, format!("Domain access denied: {name} is not in this account")))?;
            let expiration = add_years(&dom.expiration, period);
            if !test {
                dom.expiration = expiration.clone();
            }
            Ok(Reply::ok(Some(json!({"name": name, "expiration": expiration}))))
        }
        Command::DnsDomainInfo => {
            d.require(&["name"])?;
            let a = &mut state.accounts[idx];
            let zi = zone_index(a, d.req_nonempty("name")?, false)?;
            let z = &a.zones[zi];
            Ok(Reply::ok(Some(
                json!({"domain": {"name": z.name, "type": "primary", "status": z.status, "min_ttl": z.min_ttl.to_string()}}),
            )))
        }
        Command::DnsRowDetail => {
            d.require(&["domain", "row_id"])?;
            let a = &mut state.accounts[idx];
            let zi = zone_index(a, d.req_nonempty("domain")?, false)?;
            let ri = row_index(&a.zones[zi], &d)?;
            Ok(Reply::ok(Some(json!({"row": a.zones[zi].rows[ri].record()}))))
        }
        Command::DnsDomainsList => {
            let a = &state.accounts[idx];
            let zone = |z: &super::state::Zone| json!({"name": z.name, "type": "primary", "status": z.status});
            let list = match a.dns_domains_list {
                DnsListShape::Array => Value::Array(a.zones.iter().map(zone).collect()),
                DnsListShape::Keyed => {
                    Value::Object(a.zones.iter().map(|z| (z.id.to_string(), zone(z))).collect::<Map<String, Value>>())
                }
            };
            Ok(Reply::ok(Some(json!({"domain": list}))))
        }
        Command::DnsRowsList => {
            d.require(&["domain"])?;
            let a = &mut state.accounts[idx];
            let zi = zone_index(a, d.req_nonempty("domain")?, false)?;
            // As the real server lists them: by name, names beginning with `_` after all others, then type, then data.
            let mut sorted: Vec<&super::state::Row> = a.zones[zi].rows.iter().collect();
            sorted.sort_by(|x, y| {
                (x.name.starts_with('_'), &x.name, &x.rdtype, &x.rdata).cmp(&(
                    y.name.starts_with('_'),
                    &y.name,
                    &y.rdtype,
                    &y.rdata,
                ))
            });
            let rows: Vec<Value> = sorted.into_iter().map(|r| r.record()).collect();
            Ok(Reply::ok(Some(json!({"row": rows}))))
        }
        Command::DnsRowAdd => {
            d.require(&["domain", "name", "ttl", "type", "rdata"])?;
            let domain = d.req_nonempty("domain")?;
            let name = d.req_str("name")?;
            let rdtype = d.req_str("type")?;
            let rdata = d.req_str("rdata")?;
            let comment = d.opt_str("auth_comment")?.unwrap_or_default().to_string();
            let a = &mut state.accounts[idx];
            let zi = zone_index(a, domain, true)?;
            let ttl = d.req_num("ttl", |v| Reply::err(2315, format!("Invalid TTL {v}")))?;
            let row = check::new_row(&a.zones[zi], name, ttl, rdtype, rdata)?;
            if !test {
                let id = a.next_row_id;
                a.next_row_id += 1;
                let zone = &mut a.zones[zi];
                zone.rows.push(super::state::Row { id, changed: now, comment, ..row });
                zone.last_change = Some(now);
            }
            Ok(Reply::ok(None))
        }
        Command::DnsRowUpdate => {
            d.require(&["domain", "row_id", "ttl", "rdata"])?;
            let domain = d.req_nonempty("domain")?;
            let rdata = d.req_str("rdata")?;
            let comment = d.opt_str("auth_comment")?.map(str::to_string);
            let a = &mut state.accounts[idx];
            let zi = zone_index(a, domain, true)?;
            let zone = &mut a.zones[zi];
            let ri = row_index(zone, &d)?;
            let ttl = d.req_num("ttl", |v| Reply::err(2315, format!("Invalid TTL {v}")))?;
            let ttl = check::ttl(zone, ttl)?;
            let (id, name, rdtype) = {
                let r = &zone.rows[ri];
                (r.id, r.name.clone(), r.rdtype.clone())
            };
            check::rdata(&rdtype, rdata)?;
            check::duplicate(zone, &name, &rdtype, rdata, Some(id))?;
            if !test {
                let r = &mut zone.rows[ri];
                r.ttl = ttl;
                r.rdata = rdata.to_string();
                r.changed = now;
                if let Some(c) = comment {
                    r.comment = c;
                }
                zone.last_change = Some(now);
            }
            Ok(Reply::ok(None))
        }
        Command::DnsRowDelete => {
            d.require(&["domain", "row_id"])?;
            let a = &mut state.accounts[idx];
            let zi = zone_index(a, d.req_nonempty("domain")?, true)?;
            let zone = &mut a.zones[zi];
            let ri = row_index(zone, &d)?;
            if !test {
                zone.rows.remove(ri);
                zone.last_change = Some(now);
            }
            Ok(Reply::ok(None))
        }
        Command::DnsDomainCommit => {
            d.require(&["name"])?;
            let a = &mut state.accounts[idx];
            let zi = zone_index(a, d.req_nonempty("name")?, true)?;
            if !test {
                let delay = a.dns_publish_delay_secs;
                a.zones[zi].publish(now, delay);
            }
            Ok(Reply::ok(None))
        }
    }
}

/// 2150 unless the account may poll.
fn polling(a: &Account) -> Result<(), Reply> {
    if a.polling_allowed {
        Ok(())
    } else {
        Err(Reply::err(2150, "Notification polling not allowed for this account"))
    }
}

/// The account's zone named `name`: 2202/2201 malformed, 3223 not in the account, 3306 deleted, 3305 locked
/// (`change` only).
fn zone_index(a: &Account, name: &str, change: bool) -> Result<usize, Reply> {
    let name = check::domain(name)?;
    let zi = a.zones.iter().position(|z| z.name == name).ok_or_else(|| {
        Reply::err(3223, format!("DNS domain access denied: {name} is not a DNS domain of this account"))
    })?;
    match a.zones[zi].status.as_str() {
        "deleted" => Err(Reply::err(3306, format!("DNS domain {name} is deleted"))),
        "locked" if change => Err(Reply::err(3305, format!("DNS domain {name} is locked for editing"))),
        _ => Ok(zi),
    }
}

/// The working-copy row named by `row_id`; 3309 when there is none (or the id is not a number).
fn row_index(zone: &Zone, d: &Data<'_>) -> Result<usize, Reply> {
    let missing = |v: &Value| Reply::err(3309, format!("Row ID does not exist: {v}"));
    let id = d.req_num("row_id", missing)?;
    zone.rows.iter().position(|r| r.id == id).ok_or_else(|| Reply::err(3309, format!("Row ID does not exist: {id}")))
}

/// `period` in years, 1 to 10 (default 1); 2101 otherwise.
fn years(d: &Data<'_>) -> Result<u32, Reply> {
    match d.get("period") {
        None => Ok(1),
        Some(v) => {
            let n = match v {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            match n {
                Some(n @ 1..=10) => Ok(n as u32),
                _ => Err(Reply::err(2101, format!("Parameters mismatch: period {v} is not 1-10 years"))),
            }
        }
    }
}

/// `YYYY-MM-DD` plus `years` (the year only; 29 February stays as written).
fn add_years(date: &str, years: u32) -> String {
    match date.split_once('-') {
        Some((y, rest)) => match y.parse::<u32>() {
            Ok(y) => format!("{}-{rest}", y + years),
            Err(_) => date.to_owned(),
        },
        None => date.to_owned(),
    }
}

/// The Prague date (`YYYY-MM-DD`) at `unix`.
fn prague_date(unix: i64) -> String {
    super::state::prague_datetime(unix).chars().take(10).collect()
}
