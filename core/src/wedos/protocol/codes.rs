//! The return codes: what each means and which error kind a failure code is.

use crate::error::{Error, ErrorKind};

/// What a response code means, and the error kind of a failure code (`None` for success codes).
pub fn code_info(code: i64) -> (&'static str, Option<ErrorKind>) {
    use ErrorKind::*;
    match code {
        1000 => ("OK", None),
        1001 => ("request pending", None),
        1002 => ("notification acquired", None),
        1003 => ("empty notifications queue", None),
        1..=1999 => ("success", None),
        2000 => ("request parse error", Some(Api)),
        2001 => ("missing user", Some(Api)),
        2002 => ("missing auth", Some(Api)),
        2003 => ("missing command", Some(Api)),
        2004 => ("only one data element allowed", Some(Api)),
        2005 => ("clTRID too long", Some(Api)),
        2006 => ("request limit exceeded", Some(RateLimited)),
        2007 => ("request too large", Some(Api)),
        2008 => ("request too complex", Some(Api)),
        2009 => ("empty request", Some(Api)),
        2010 => ("unknown command", Some(Api)),
        2011 => ("command disabled", Some(Api)),
        2050 => ("authentication failure", Some(Authentication)),
        2051 => ("access not allowed from this IP address", Some(Authentication)),
        2052 => ("IP address temporarily blocked", Some(RateLimited)),
        2100 => ("required parameter missing", Some(Api)),
        2101 => ("parameters mismatch", Some(Api)),
        2102 => ("encoding mismatch", Some(Api)),
        2150 => ("notification polling not allowed for this account", Some(Api)),
        2151 => ("notification does not exist", Some(Api)),
        2201 => ("unsupported TLD", Some(Api)),
        2202 => ("invalid domain name", Some(Api)),
        2250 => ("domain-check hourly limit exceeded", Some(RateLimited)),
        2252 => ("domain transfer-check hourly limit exceeded", Some(RateLimited)),
        2309 => ("invalid DNS row type", Some(Api)),
        2311 => ("invalid DNS row name", Some(Api)),
        2314 => ("invalid DNS row data", Some(Api)),
        2315 => ("invalid DNS row TTL", Some(Api)),
        2316 => ("DNS row exists", Some(Api)),
        2317 => ("DNS row TTL limit", Some(Api)),
        2310 | 2312 | 2313 => ("DNS row input error", Some(Api)),
        3201 => ("domain registered", Some(Api)),
        3202..=3206 => ("domain not available", Some(Api)),
        3222 => ("domain open failed", Some(Api)),
        3223 => ("domain access denied", Some(Api)),
        3305 => ("DNS domain locked for editing", Some(Api)),
        3306 => ("DNS domain deleted", Some(Api)),
        3309 => ("DNS row id does not exist", Some(Api)),
        4000..=4999 => ("server or registry failure, try again later", Some(Api)),
        5000..=5999 => ("fatal error, out of order", Some(Api)),
        _ => ("error", Some(Api)),
    }
}

/// The error a failure code means.
pub fn code_error(label: &str, code: i64, result: &str) -> Error {
    let (meaning, kind) = code_info(code);
    let kind = kind.unwrap_or(ErrorKind::Api);
    let result = result.trim();
    // The server's text, with the code's meaning when it adds something (never the same phrase twice).
    let mut message = if result.is_empty() {
        meaning.to_owned()
    } else if result.to_ascii_lowercase().contains(&meaning.to_ascii_lowercase()) {
        result.to_owned()
    } else {
        format!("{result} ({meaning})")
    };
    if code == 2050 {
        message.push_str(
            "; check the WAPI password (set in the WEDOS admin, not the account password), the user, and the \
             clock (auth uses the current Europe/Prague hour)",
        );
    } else if code == 2051 {
        message.push_str("; add this IP address to the WAPI allow-list in the WEDOS admin");
    }
    Error::new(kind, label, message).with_code(code)
}

/// The server's IP block answer.
pub const IP_BLOCKED: i64 = 2052;
/// Authentication failure: a wrong password, user, or `auth` for another hour.
pub const AUTH_FAILED: i64 = 2050;
/// `dns-row-add` of a row that exists.
pub const ROW_EXISTS: i64 = 2316;

/// Whether the server counts an answer with `code` as an invalid request (every code from 2000 on).
pub fn is_invalid(code: i64) -> bool {
    code >= 2000
}

/// Whether `code` is an authentication or allow-list failure (2050, 2051): what the auth-failure guard counts.
pub fn is_auth_failure(code: i64) -> bool {
    matches!(code, 2050 | 2051)
}

/// Whether an answer with `code` shows that the server let the request past authentication and the IP allow-list
/// (any answer but 2050, 2051, 2052): the account's credentials work from here.
pub fn passed_authentication(code: i64) -> bool {
    !is_auth_failure(code) && code != IP_BLOCKED
}

/// Whether `code` refuses a request over an hourly limit (2006, 2250, 2252): it may be sent again next hour.
pub fn is_hourly_limit(code: i64) -> bool {
    matches!(code, 2006 | 2250 | 2252)
}

/// Whether `code`, answered to `command` after an earlier attempt's answer was lost, means that attempt did the
/// work: what it was to remove is gone (a row deleted: 3309; a notification acknowledged: 2151).
pub fn means_already_done(command: &str, code: i64) -> bool {
    matches!((command, code), ("dns-row-delete", 3309) | ("poll-ack", 2151))
}

/// The cause of an invalid request, in a word or two, for the guard's messages: `None` is a request whose answer
/// was lost or unreadable (the server may have counted it).
pub fn cause(code: Option<i64>) -> &'static str {
    match code {
        None => "outcome unknown",
        Some(2050 | 2051) => "password/IP",
        Some(2052) => "IP block",
        Some(c) if is_hourly_limit(c) => "limit",
        Some(4000..=5999) => "server failure",
        Some(_) => "bad input",
    }
}

/// How long an IP block lasts, as its 2052 answer says it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BlockHint {
    /// "… N s …": seconds left.
    Seconds(f64),
    /// "until <Unix seconds>", on the server's clock.
    Until(i64),
}

/// Reads the block's length from a 2052 answer's text: "… N s …" (seconds left), else "until <Unix seconds>";
/// `None` when the text says neither.
pub fn block_hint(message: &str) -> Option<BlockHint> {
    let words: Vec<&str> = message
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        if let (Ok(n), true) = (pair[0].parse::<f64>(), matches!(pair[1], "s" | "sec" | "secs" | "seconds")) {
            if n.is_finite() && n >= 0.0 {
                return Some(BlockHint::Seconds(n));
            }
        }
    }
    for pair in words.windows(2) {
        if pair[0].eq_ignore_ascii_case("until") {
            if let Ok(t) = pair[1].parse::<i64>() {
                return Some(BlockHint::Until(t));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_hints() {
        assert_eq!(block_hint("blocked (until 1768473120, 120 s)"), Some(BlockHint::Seconds(120.0)));
        assert_eq!(block_hint("blocked until 1768473120"), Some(BlockHint::Until(1768473120)));
        assert_eq!(block_hint("blocked for -5 s"), None);
        assert_eq!(block_hint("IP address temporarily blocked"), None);
    }

    #[test]
    fn causes_and_classes() {
        assert_eq!(cause(Some(2050)), "password/IP");
        assert_eq!(cause(Some(2314)), "bad input");
        assert_eq!(cause(Some(2006)), "limit");
        assert_eq!(cause(None), "outcome unknown");
        assert!(passed_authentication(2314) && !passed_authentication(2051) && !passed_authentication(2052));
        assert!(means_already_done("poll-ack", 2151) && !means_already_done("dns-row-add", 2151));
    }
}
