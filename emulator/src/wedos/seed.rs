//! The accounts a configuration seeds: checked with the same input rules as the commands (`check`), so a seed
//! cannot hold what the emulated server would refuse.

use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;

use super::check;
use super::state::{Account, Domain, Row, WedosState, Zone};
use crate::config::{WedosAccount, WedosConfig};

/// The account `seed` describes, as of `now`; a message naming the account and the field when it is invalid.
pub(crate) fn account(seed: &WedosAccount, now: i64) -> Result<Account, String> {
    let who = &seed.user;
    if seed.user.is_empty() {
        return Err("a WEDOS account has an empty user".into());
    }
    if !seed.credit.is_finite() {
        return Err(format!("{who}: credit must be a finite number"));
    }
    let mut a = Account {
        user: seed.user.clone(),
        password: seed.password.clone(),
        allowed_ips: seed.allowed_ips.iter().map(IpAddr::to_canonical).collect(),
        polling_allowed: seed.polling_allowed,
        disabled_commands: seed.disabled_commands.clone(),
        credit: seed.credit,
        currency: seed.currency.clone(),
        domains: Vec::new(),
        zones: Vec::new(),
        next_row_id: 1,
        dns_domains_list: seed.dns_domains_list,
        notification_url: seed.notification_url.clone(),
        notification_retry_secs: seed.notification_retry_secs,
        deliveries: VecDeque::new(),
        dns_publish_delay_secs: seed.dns_publish_delay_secs,
        queue: Vec::new(),
        requests: VecDeque::new(),
        domain_checks: VecDeque::new(),
        codes: BTreeMap::new(),
    };
    for d in &seed.domains {
        let name = check::domain(&d.name).map_err(|e| format!("{who}: domain {:?}: {}", d.name, e.result))?;
        if a.domains.iter().any(|x| x.name == name) {
            return Err(format!("{who}: domain {name} is repeated"));
        }
        a.domains.push(Domain { name, status: d.status.clone(), expiration: d.expiration.clone() });
    }
    for z in &seed.dns_zones {
        let name = check::domain(&z.name).map_err(|e| format!("{who}: DNS zone {:?}: {}", z.name, e.result))?;
        if a.zones.iter().any(|x| x.name == name) {
            return Err(format!("{who}: DNS zone {name} is repeated"));
        }
        if !["active", "locked", "deleted"].contains(&z.status.as_str()) {
            return Err(format!("{who}: DNS zone {name}: status must be active, locked or deleted"));
        }
        if !hostapi::wedos::protocol::TTL_RANGE.contains(&z.min_ttl) {
            return Err(format!("{who}: DNS zone {name}: min_ttl must be within 300-172800"));
        }
        let mut zone = Zone {
            id: zone_id(&name, &a.zones),
            name: name.clone(),
            status: z.status.clone(),
            min_ttl: z.min_ttl,
            rows: Vec::new(),
            published: Vec::new(),
            visible_at: 0,
            served_before: Vec::new(),
            last_change: None,
        };
        for r in &z.rows {
            let row = check::new_row(&zone, &r.name, u64::from(r.ttl), &r.rdtype, &r.rdata)
                .map_err(|e| format!("{who}: DNS zone {name}: row {:?} {}: {}", r.name, r.rdtype, e.result))?;
            zone.rows.push(Row { id: a.next_row_id, changed: now, comment: r.author_comment.clone(), ..row });
            a.next_row_id += 1;
        }
        zone.published = zone.rows.clone();
        a.zones.push(zone);
    }
    Ok(a)
}

/// A stable, non-sequential zone id (as the real server's ids are): derived from the name, unique in the account.
fn zone_id(name: &str, taken: &[Zone]) -> u64 {
    let mut id = name.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))) % 90 + 10;
    while taken.iter().any(|z| z.id == id) {
        id += 1;
    }
    id
}

impl WedosState {
    /// Builds the initial state from the configuration; an invalid configuration is an error message.
    pub(crate) fn new(config: &WedosConfig, now: i64) -> Result<Self, String> {
        let mut accounts: Vec<Account> = Vec::with_capacity(config.accounts.len());
        for seed in &config.accounts {
            if accounts.iter().any(|a| a.user == seed.user) {
                return Err(format!("WEDOS account {} is configured twice", seed.user));
            }
            accounts.push(account(seed, now)?);
        }
        Ok(WedosState {
            accounts,
            ips: BTreeMap::new(),
            next_svtrid: 1,
            next_notification_id: 1,
            faults: Vec::new(),
        })
    }
}
