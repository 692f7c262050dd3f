//! Input rules of the emulated commands: domain names, DNS row names, types, TTLs and data.

use std::net::{Ipv4Addr, Ipv6Addr};

use hostapi::wedos::protocol::TTL_RANGE;

use super::state::{Row, Zone};
use super::Reply;

/// The TLDs the emulator registers and hosts.
pub(crate) const SUPPORTED_TLDS: [&str; 6] = ["cz", "com", "eu", "sk", "net", "org"];

/// The DNS row types `dns-row-add` accepts.
pub(crate) const ROW_TYPES: [&str; 8] = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA"];

/// Longest accepted `rdata`.
const MAX_RDATA: usize = 4096;

/// A second-level domain name (`label.tld`), lower-cased: 2202 when malformed, 2201 when the TLD is not one of
/// [`SUPPORTED_TLDS`]. Labels are 1–63 letters (any script), digits or hyphens, not starting or ending with a hyphen.
pub(crate) fn domain(name: &str) -> Result<String, Reply> {
    let lower = name.to_lowercase();
    let invalid = || Reply::err(2202, format!("Invalid domain name {name}"));
    if lower.chars().count() > 253 {
        return Err(invalid());
    }
    let labels: Vec<&str> = lower.split('.').collect();
    if labels.len() != 2 {
        return Err(invalid());
    }
    for l in &labels {
        let n = l.chars().count();
        if n == 0 || n > 63 || l.starts_with('-') || l.ends_with('-') {
            return Err(invalid());
        }
        if !l.chars().all(|c| c.is_alphanumeric() || c == '-') {
            return Err(invalid());
        }
    }
    let tld = labels[1];
    if !tld.chars().all(|c| c.is_ascii_lowercase()) {
        return Err(invalid());
    }
    if !SUPPORTED_TLDS.contains(&tld) {
        return Err(Reply::err(2201, format!("Unsupported TLD {tld}")));
    }
    Ok(lower)
}

/// A row name relative to the zone (`""` = apex), lower-cased: labels of ASCII letters, digits, `-` and `_`
/// (1–63 characters), or `*` as the first label only; no trailing dot (an absolute name is an error). 2311 otherwise.
pub(crate) fn row_name(name: &str) -> Result<String, Reply> {
    if name.is_empty() {
        return Ok(String::new());
    }
    let lower = name.to_ascii_lowercase();
    let invalid = || Reply::err(2311, format!("Invalid row name {name:?}"));
    if lower.len() > 190 {
        return Err(invalid());
    }
    for (i, l) in lower.split('.').enumerate() {
        let ok = (l == "*" && i == 0)
            || (!l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        if !ok {
            return Err(invalid());
        }
    }
    Ok(lower)
}

/// The row type, upper-cased; 2309 unless one of [`ROW_TYPES`].
pub(crate) fn rdtype(t: &str) -> Result<String, Reply> {
    let upper = t.to_ascii_uppercase();
    if ROW_TYPES.contains(&upper.as_str()) {
        Ok(upper)
    } else {
        Err(Reply::err(2309, format!("Invalid row type {t:?} (supported: {})", ROW_TYPES.join(", "))))
    }
}

/// 2315 outside 300–172800; 2317 below the zone's own minimum.
pub(crate) fn ttl(zone: &Zone, ttl: u64) -> Result<u32, Reply> {
    let t = u32::try_from(ttl).ok().filter(|t| TTL_RANGE.contains(t));
    let Some(t) = t else {
        return Err(Reply::err(2315, format!("Invalid TTL {ttl} (allowed {}-{})", TTL_RANGE.start(), TTL_RANGE.end())));
    };
    if t < zone.min_ttl {
        return Err(Reply::err(2317, format!("TTL {t} is below the limit of domain {} ({})", zone.name, zone.min_ttl)));
    }
    Ok(t)
}

fn hostname_ok(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.' || c == '*')
        && !h.contains("..")
        && !h.starts_with('.')
        || h == "."
}

/// `rdata` for its type; 2314 when it is empty, too long, has control characters, or (A, AAAA, MX, CNAME, NS)
/// is not an IPv4 address / IPv6 address / `preference host` / host name.
pub(crate) fn rdata(rdtype: &str, rdata: &str) -> Result<(), Reply> {
    let invalid = || Reply::err(2314, format!("Invalid data {rdata:?} for a row of type {rdtype}"));
    if rdata.trim().is_empty() || rdata.len() > MAX_RDATA || rdata.chars().any(char::is_control) {
        return Err(invalid());
    }
    let ok = match rdtype {
        "A" => rdata.parse::<Ipv4Addr>().is_ok(),
        "AAAA" => rdata.parse::<Ipv6Addr>().is_ok(),
        "MX" => {
            let parts: Vec<&str> = rdata.split_whitespace().collect();
            parts.len() == 2 && parts[0].parse::<u16>().is_ok() && hostname_ok(parts[1])
        }
        "CNAME" | "NS" => hostname_ok(rdata),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(invalid())
    }
}

/// Validates a new row for `zone` (type 2309, name 2311, TTL 2315/2317, data 2314, a CNAME at the apex 2311, an
/// exact duplicate 2316). The result has id 0, time 0 and no comment.
pub(crate) fn new_row(zone: &Zone, name: &str, ttl_value: u64, t: &str, data: &str) -> Result<Row, Reply> {
    let rdtype = rdtype(t)?;
    let name = row_name(name)?;
    let ttl = ttl(zone, ttl_value)?;
    rdata(&rdtype, data)?;
    if rdtype == "CNAME" && name.is_empty() {
        return Err(Reply::err(2311, "A CNAME row cannot be at the domain apex"));
    }
    duplicate(zone, &name, &rdtype, data, None)?;
    Ok(Row { id: 0, name, ttl, rdtype, rdata: data.to_string(), changed: 0, comment: String::new() })
}

/// 2316 when the working copy already has a row with the same name, type and data (other than `except`).
pub(crate) fn duplicate(zone: &Zone, name: &str, rdtype: &str, data: &str, except: Option<u64>) -> Result<(), Reply> {
    if zone.rows.iter().any(|r| Some(r.id) != except && r.name == name && r.rdtype == rdtype && r.rdata == data) {
        return Err(Reply::err(2316, "Row already exists"));
    }
    Ok(())
}
