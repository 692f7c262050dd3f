//! external-dns's webhook provider protocol (`provider/webhook` and its OpenAPI `api/webhook.yaml`), for the
//! `--external-dns` domains:
//!
//! - `GET /` negotiates: media type `application/external.dns.webhook+json;version=1`, the body the domain filter;
//! - `GET /records`: the rows of the account's zones inside the filter as endpoints (`dnsName`, `targets`,
//!   `recordType`, `recordTTL`), the rows of one name and type grouped into one endpoint;
//! - `POST /records`: applies `create`, `updateOld`/`updateNew` and `delete` (older releases send `Create`,
//!   `UpdateOld`, …: both are read, as Go's decoder does) as the fewest row changes, then one commit per zone;
//!   204. Every endpoint is checked before any row is touched: a name outside the filter or the account's zones,
//!   an unknown type, an empty target list refuses the whole change (400).
//! - `POST /adjustendpoints` → 200 with the endpoints as given; `GET /healthz` → 200.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hostapi::wedos::NewDnsRow;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{dns_name, parse, parse_any_case, refuse, upstream, within, Shared};

const MEDIA_TYPE: &str = "application/external.dns.webhook+json;version=1";
/// The record types the gateway manages.
const TYPES: [&str; 8] = ["A", "AAAA", "CNAME", "TXT", "MX", "SRV", "NS", "CAA"];
/// Types whose data ends with a host name, written by WEDOS with a final dot.
const HOST_TYPES: [&str; 4] = ["CNAME", "NS", "MX", "SRV"];
const DEFAULT_TTL: u32 = 300;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Endpoint {
    dns_name: String,
    #[serde(default)]
    targets: Vec<String>,
    record_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    set_identifier: Option<String>,
    #[serde(default, rename = "recordTTL", skip_serializing_if = "Option::is_none")]
    record_ttl: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider_specific: Option<Vec<Value>>,
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(negotiate))
        .route("/records", get(records).post(apply))
        .route("/adjustendpoints", post(adjust))
        .route("/healthz", get(|| async { "OK\n" }))
}

fn webhook_json(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    r
}

async fn negotiate(State(g): State<Shared>) -> Response {
    let domains = g.external_dns.clone().unwrap_or_default();
    // `include`/`exclude` as current releases read the filter, `filters` as the OpenAPI names it.
    webhook_json(StatusCode::OK, &json!({"include": domains, "exclude": [], "filters": domains}))
}

/// The account's zones that hold names of the filter.
async fn zones(g: &Shared, filter: &[String]) -> Vec<String> {
    let held = g.zones.lock().await;
    held.0.iter().filter(|z| filter.iter().any(|d| within(z, d) || within(d, z))).cloned().collect()
}

fn fqdn_of(zone: &str, name: &str) -> String {
    if name.is_empty() {
        zone.to_owned()
    } else {
        format!("{}.{zone}", name.to_ascii_lowercase())
    }
}

/// The row's data as external-dns writes it (no final dot on host names).
fn target_of(rdtype: &str, rdata: &str) -> String {
    if HOST_TYPES.contains(&rdtype) {
        rdata.strip_suffix('.').unwrap_or(rdata).to_owned()
    } else {
        rdata.to_owned()
    }
}

async fn records(State(g): State<Shared>) -> Response {
    let filter = g.external_dns.clone().unwrap_or_default();
    let mut grouped: BTreeMap<(String, String), Endpoint> = BTreeMap::new();
    for zone in zones(&g, &filter).await {
        let rows = match g.client.dns().rows(&zone).await {
            Ok(r) => r,
            Err(e) => return upstream(&e),
        };
        for row in rows {
            let rdtype = row.rdtype.to_ascii_uppercase();
            let name = fqdn_of(&zone, &row.name);
            if !TYPES.contains(&rdtype.as_str()) || !filter.iter().any(|d| within(&name, d)) {
                continue;
            }
            let e = grouped.entry((name.clone(), rdtype.clone())).or_insert_with(|| Endpoint {
                dns_name: name,
                targets: Vec::new(),
                record_type: rdtype.clone(),
                set_identifier: None,
                record_ttl: row.ttl,
                labels: None,
                provider_specific: None,
            });
            e.targets.push(target_of(&rdtype, &row.rdata));
        }
    }
    let list: Vec<&Endpoint> = grouped.values().collect();
    webhook_json(StatusCode::OK, &json!(list))
}

/// The four lists of a change, read with Go's case-insensitive field matching.
pub(super) struct Changes {
    create: Vec<Endpoint>,
    update_old: Vec<Endpoint>,
    update_new: Vec<Endpoint>,
    delete: Vec<Endpoint>,
}

fn changes(body: &Bytes) -> std::result::Result<Changes, Response> {
    /// The lists as `parse_any_case` hands them over (lower-cased names; `null` or absent: empty).
    #[derive(Deserialize)]
    struct Lists {
        create: Option<Vec<Endpoint>>,
        updateold: Option<Vec<Endpoint>>,
        updatenew: Option<Vec<Endpoint>>,
        delete: Option<Vec<Endpoint>>,
    }
    let l: Lists = parse_any_case(body)?;
    Ok(Changes {
        create: l.create.unwrap_or_default(),
        update_old: l.updateold.unwrap_or_default(),
        update_new: l.updatenew.unwrap_or_default(),
        delete: l.delete.unwrap_or_default(),
    })
}

/// One row wanted or unwanted: zone, row name, type, data, TTL.
#[derive(Clone, Debug, PartialEq)]
struct Want {
    zone: String,
    name: String,
    rdtype: String,
    rdata: String,
    ttl: u32,
}

/// An endpoint's name and type, checked: a DNS name, a managed type, 1–100 targets of text.
fn check_endpoint(e: &Endpoint) -> std::result::Result<(String, String), Response> {
    let Some(name) = dns_name(&e.dns_name) else {
        return Err(refuse(StatusCode::BAD_REQUEST, "dnsName is not a DNS name"));
    };
    let rdtype = e.record_type.to_ascii_uppercase();
    if !TYPES.contains(&rdtype.as_str()) {
        return Err(refuse(StatusCode::BAD_REQUEST, format!("record type {:?} is not managed", e.record_type)));
    }
    if e.targets.is_empty() || e.targets.len() > 100 {
        return Err(refuse(StatusCode::BAD_REQUEST, format!("{name}: 1-100 targets")));
    }
    if e.targets.iter().any(|t| t.is_empty() || t.len() > 1024 || t.chars().any(char::is_control)) {
        return Err(refuse(StatusCode::BAD_REQUEST, format!("{name}: a target is empty, too long or not text")));
    }
    if rdtype == "CNAME" && e.targets.len() > 1 {
        return Err(refuse(StatusCode::BAD_REQUEST, format!("{name}: a CNAME has one target")));
    }
    if let Some(bad) = e.targets.iter().find(|t| !target_ok(&rdtype, t)) {
        return Err(refuse(StatusCode::BAD_REQUEST, format!("{name}: {bad:?} is not {rdtype} data")));
    }
    Ok((name, rdtype))
}

/// Whether `t` is data of `rdtype` as WEDOS takes it: addresses, host names, `pref host` (MX),
/// `priority weight port host` (SRV), `flags tag value` (CAA); TXT any text up to 255 bytes.
fn target_ok(rdtype: &str, t: &str) -> bool {
    let host = |h: &str| dns_name(h).is_some_and(|n| !n.contains('*'));
    let fields: Vec<&str> = t.split_whitespace().collect();
    match rdtype {
        "A" => t.parse::<std::net::Ipv4Addr>().is_ok(),
        "AAAA" => t.parse::<std::net::Ipv6Addr>().is_ok(),
        "CNAME" | "NS" => host(t),
        "MX" => matches!(fields.as_slice(), [pref, h] if pref.parse::<u16>().is_ok() && host(h)),
        "SRV" => matches!(fields.as_slice(), [p, w, port, h]
            if p.parse::<u16>().is_ok() && w.parse::<u16>().is_ok() && port.parse::<u16>().is_ok() && host(h)),
        "CAA" => matches!(fields.as_slice(), [flags, tag, _, ..] if flags.parse::<u8>().is_ok() && tag.bytes().all(|b| b.is_ascii_alphanumeric())),
        "TXT" => t.len() <= 255,
        _ => false,
    }
}

/// The data as WEDOS stores it: host names with a final dot (undotted data would read as relative to the zone).
fn wire_data(rdtype: &str, t: &str) -> String {
    if !HOST_TYPES.contains(&rdtype) {
        return t.to_owned();
    }
    let mut fields: Vec<String> = t.split_whitespace().map(str::to_owned).collect();
    if let Some(last) = fields.last_mut() {
        if !last.ends_with('.') {
            last.push('.');
        }
    }
    fields.join(" ")
}

/// A `POST /records` body, checked without the account: its lists and every endpoint in them.
pub(super) fn check_changes(body: &Bytes) -> std::result::Result<Changes, Response> {
    let c = changes(body)?;
    if c.update_old.len() != c.update_new.len() {
        return Err(refuse(StatusCode::BAD_REQUEST, "updateOld and updateNew must pair up"));
    }
    for e in c.create.iter().chain(&c.update_old).chain(&c.update_new).chain(&c.delete) {
        check_endpoint(e)?;
    }
    Ok(c)
}

/// Checks an endpoint against the filter and the account's zones, and turns it into rows.
async fn rows_of(g: &Shared, filter: &[String], e: &Endpoint) -> std::result::Result<Vec<Want>, Response> {
    let (name, rdtype) = check_endpoint(e)?;
    if !filter.iter().any(|d| within(&name, d)) {
        return Err(refuse(StatusCode::BAD_REQUEST, format!("{name} is outside the domain filter")));
    }
    let zone = g.zone_of(&name).await?;
    let rel = if name == zone { String::new() } else { name[..name.len() - zone.len() - 1].to_owned() };
    if rdtype == "CNAME" && rel.is_empty() {
        return Err(refuse(StatusCode::BAD_REQUEST, format!("{name}: a CNAME cannot be at the zone's apex")));
    }
    let ttl = match e.record_ttl {
        None | Some(0) => DEFAULT_TTL,
        Some(t) => u32::try_from(t.clamp(300, 172_800)).unwrap_or(DEFAULT_TTL),
    };
    Ok(e.targets
        .iter()
        .map(|t| Want { zone: zone.clone(), name: rel.clone(), rdtype: rdtype.clone(), rdata: t.clone(), ttl })
        .collect())
}

async fn apply(State(g): State<Shared>, body: Bytes) -> Response {
    let filter = g.external_dns.clone().unwrap_or_default();
    let asked = match check_changes(&body) {
        Ok(c) => c,
        Err(r) => return r,
    };
    // Everything is checked before any row is touched.
    let mut gone: Vec<Want> = Vec::new();
    let mut wanted: Vec<Want> = Vec::new();
    for list in [&asked.delete, &asked.update_old] {
        for e in list {
            match rows_of(&g, &filter, e).await {
                Ok(rows) => gone.extend(rows),
                Err(r) => return r,
            }
        }
    }
    for list in [&asked.create, &asked.update_new] {
        for e in list {
            match rows_of(&g, &filter, e).await {
                Ok(rows) => wanted.extend(rows),
                Err(r) => return r,
            }
        }
    }
    let same = |a: &Want, b: &Want| {
        a.zone == b.zone && a.name == b.name && a.rdtype == b.rdtype && target_of(&a.rdtype, &a.rdata) == target_of(&b.rdtype, &b.rdata)
    };
    // Each row once (a target repeated, an endpoint in two lists), the last TTL asked winning.
    let mut unique: Vec<Want> = Vec::new();
    for w in wanted {
        match unique.iter_mut().find(|u| same(u, &w)) {
            Some(u) => u.ttl = w.ttl,
            None => unique.push(w),
        }
    }
    let wanted = unique;
    // A row both removed and wanted stays (an update that keeps a target): only its TTL may change.
    let mut removed: Vec<&Want> = Vec::new();
    for o in gone.iter().filter(|o| !wanted.iter().any(|n| same(o, n))) {
        if !removed.iter().any(|r| same(r, o)) {
            removed.push(o);
        }
    }
    let _one_at_a_time = g.writes.lock().await;
    let mut zones: Vec<&str> = removed.iter().map(|w| w.zone.as_str()).chain(wanted.iter().map(|w| w.zone.as_str())).collect();
    zones.sort_unstable();
    zones.dedup();
    for zone in zones {
        let rows = match g.client.dns().rows(zone).await {
            Ok(r) => r,
            Err(e) => return upstream(&e),
        };
        let matches = |w: &Want, r: &hostapi::wedos::DnsRow| {
            r.name.eq_ignore_ascii_case(&w.name)
                && r.rdtype.eq_ignore_ascii_case(&w.rdtype)
                && target_of(&w.rdtype, &r.rdata) == target_of(&w.rdtype, &w.rdata)
        };
        let mut changed = false;
        // Additions first, removals last: a change stopped by an error midway leaves extra rows, never missing ones.
        for w in wanted.iter().filter(|w| w.zone == zone) {
            match rows.iter().find(|r| matches(w, r)) {
                Some(r) if r.ttl == Some(i64::from(w.ttl)) => {}
                Some(r) => {
                    if let Err(e) = g.client.dns().update_row(zone, r.id, w.ttl, &r.rdata).await {
                        return upstream(&e);
                    }
                    changed = true;
                }
                None => {
                    let row = NewDnsRow::new(zone, &w.name, &w.rdtype, &wire_data(&w.rdtype, &w.rdata)).ttl(w.ttl);
                    if let Err(e) = g.client.dns().add_row(row).await {
                        return upstream(&e);
                    }
                    changed = true;
                }
            }
        }
        let mut deleted: Vec<i64> = Vec::new();
        for w in removed.iter().filter(|w| w.zone == zone) {
            for r in rows.iter().filter(|r| matches(w, r)) {
                if deleted.contains(&r.id) {
                    continue;
                }
                if let Err(e) = g.client.dns().delete_row(zone, r.id).await {
                    return upstream(&e);
                }
                deleted.push(r.id);
                changed = true;
            }
        }
        if changed {
            if let Err(e) = g.client.dns().commit(zone).await {
                return upstream(&e);
            }
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn adjust(body: Bytes) -> Response {
    match parse::<Vec<Endpoint>>(&body) {
        Ok(endpoints) => webhook_json(StatusCode::OK, &json!(endpoints)),
        Err(r) => r,
    }
}
