//! Errors of the transport in plain words: the server's host and port, the attempts made, TLS failures.

use std::time::Duration;

use super::RawResponse;
use crate::error::{Error, ErrorKind};

/// The error for an answer whose HTTP status says the request failed: 429 is [`ErrorKind::RateLimited`] (with
/// the server's `Retry-After`), 5xx is [`ErrorKind::Transport`] (a transient outage) and the rest
/// [`ErrorKind::Api`]; each names host:port, the status and the attempts made (`tries`).
pub(super) fn status_error(operation: &str, url: &str, r: &RawResponse, tries: &str) -> Error {
    let reason = reqwest::StatusCode::from_u16(r.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    let host = host_port(url);
    let (kind, message) = match r.status {
        429 => (ErrorKind::RateLimited, format!("{host} refused the request: Too Many Requests ({tries})")),
        500.. => (
            ErrorKind::Transport,
            format!("{host} is unavailable: {} ({tries})", if reason.is_empty() { "Server Error" } else { reason }),
        ),
        _ => (ErrorKind::Api, format!("{host} answered HTTP {} {reason} ({tries})", r.status).replace("  (", " (")),
    };
    let mut e = Error::new(kind, operation, message).with_http_status(r.status).with_body(&r.body);
    if let (429, Some(after)) = (r.status, r.retry_after) {
        e = e.with_retry_after(after);
    }
    e
}

/// `host:port` of a URL, for messages.
pub(super) fn host_port(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port_or_known_default()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => url.to_owned(),
        },
        Err(_) => url.to_owned(),
    }
}

/// `Retry-After`: delay-seconds or an HTTP date.
pub(super) fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let secs = at.as_second() - crate::unix_now();
    Some(Duration::from_secs(secs.max(0) as u64))
}

/// A connection failure without reqwest's and hyper's layers of wrapping, in plain words where it is a common one.
pub(super) fn in_plain_words(detail: &str) -> String {
    let d = detail.to_ascii_lowercase();
    let plain = if d.contains("connection refused") {
        "connection refused (is the server running, and is the port right?)"
    } else if d.contains("connection closed before message completed") || d.contains("incomplete message") {
        "the server closed the connection before its answer was complete"
    } else if d.contains("connection reset") {
        "the connection was reset by the server"
    } else if d.contains("dns error") || d.contains("failed to lookup address") {
        "the host name could not be resolved"
    } else if d.contains("network is unreachable") || d.contains("no route to host") {
        "no route to the host (is the network up?)"
    } else {
        return detail
            .trim_start_matches("error sending request: ")
            .trim_start_matches("client error (SendRequest): ")
            .trim_start_matches("client error (Connect): ")
            .to_owned();
    };
    plain.to_owned()
}

/// What a rustls failure means, for people: `None` when `detail` is not a TLS failure.
pub(super) fn tls_in_plain_words(detail: &str) -> Option<String> {
    let d = detail.to_ascii_lowercase();
    let text = if d.contains("invalidcontenttype") || d.contains("corrupt message") {
        "the server did not answer in TLS (is it a plain-HTTP server? check http:// vs https:// in the URL)"
    } else if d.contains("unknownissuer") || d.contains("unknown issuer") {
        "the server's certificate is not signed by a trusted authority (self-signed or a private CA: add it with \
         ca_bundle / --ca-bundle)"
    } else if d.contains("notvalidforname") || d.contains("not valid for name") {
        "the server's certificate is for another host name"
    } else if d.contains("expired") {
        "the server's certificate has expired (or this machine's clock is wrong)"
    } else if d.contains("notvalidyet") {
        "the server's certificate is not valid yet (or this machine's clock is wrong)"
    } else if d.contains("handshake") || d.contains("tls") || d.contains("certificate") || d.contains("rustls") {
        return Some(format!("the TLS handshake failed: {detail}"));
    } else {
        return None;
    };
    Some(text.to_owned())
}

/// An error and its sources, joined with `: `.
pub(super) fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}
