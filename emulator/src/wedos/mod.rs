//! WEDOS WAPI (`POST /wapi/json`): request decoding, authentication, limits, the IP block and dispatch.
//!
//! Every request is judged in this order; the first failure is the answer (always HTTP 200, a WAPI document
//! `{"response": {"code", "result", "timestamp", "clTRID"?, "svTRID", "command", "test"?}}` without `data`):
//!
//! 1. the caller's IP (the TCP peer) is blocked → 2052;
//! 2. the body: larger than 1 MiB → 2007; no form field `request` (or a blank one), or `{"request": {}}` → 2009;
//!    the field twice, not JSON, or without a `request` object → 2000;
//! 3. the envelope: `user` / `auth` / `command` absent, null or empty → 2001 / 2002 / 2003 (present but not a
//!    string → 2000); `data` neither an object, null, `[]` (PHP's empty array) nor `""` → 2004; `clTRID` longer than 64
//!    characters → 2005 (a string or a number, else 2000); `test` not one of `1`, `"1"`, `true`, `0`, `"0"`,
//!    `false` → 2000;
//! 4. authentication: unknown user or `auth` ≠ `sha1(user + sha1(password) + HH)` with `HH` the Europe/Prague
//!    hour of the emulator's clock (lower-case hex, compared exactly; only the current hour) → 2050;
//! 5. the IP allow-list of the account → 2051 ("Access not allowed from IP address `<ip>`");
//! 6. the account's hourly request limit (sliding hour) → 2006; the request then counts;
//! 7. the command must be emulated → 2010;
//! 8. `domain-check` / `domain-transfer-check`: the hourly domain-check limit → 2250 / 2252; the request counts;
//! 9. the command's own rules (`ops`).
//!
//! Every answer with a code ≥ 2000 — except a `domain-check`/`domain-transfer-check` availability result
//! (3201–3206) — is an invalid request of the caller's IP. More than `block_threshold` of them within an hour
//! block the IP until `now + block_secs × (count − threshold)`, recomputed (so lengthened) with each further
//! invalid request, the 2052 answers included.

mod check;
pub(crate) mod deliver;
mod ops;
mod seed;
pub(crate) mod state;

use std::net::IpAddr;

use serde_json::{json, Map, Value};

use crate::config::WedosConfig;
pub(crate) use state::WedosState;

/// How `code` and `timestamp` are written: the seed's commands answer with strings, the rest with numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// `"code": 1000, "timestamp": 1768473000`.
    Numbers,
    /// `"code": "1000", "timestamp": "1768473000"` (ping, ping-async, poll-req with a notification, poll-ack).
    Strings,
    /// `"code": 1003, "timestamp": "1768473000"` (the seed's empty-queue answer).
    StringTime,
}

/// The outcome of one request before its envelope is written.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) code: u32,
    pub(crate) result: String,
    pub(crate) data: Option<Value>,
    pub(crate) style: Style,
    /// Asynchronous commands (`ping-async`, `domain-create`): the `data` of the notification to queue after the
    /// configured delay.
    pub(crate) notify_later: Option<Value>,
    /// Written as the answer's `timestamp` instead of the clock (a fault).
    pub(crate) timestamp: Option<Value>,
}

impl Reply {
    pub(crate) fn err(code: u32, result: impl Into<String>) -> Self {
        Reply { code, result: result.into(), data: None, style: Style::Numbers, notify_later: None, timestamp: None }
    }

    /// 1000 OK with `data`.
    pub(crate) fn ok(data: Option<Value>) -> Self {
        Reply { code: 1000, result: "OK".into(), data, style: Style::Numbers, notify_later: None, timestamp: None }
    }

    /// A success code other than 1000, without data.
    pub(crate) fn success(code: u32, result: impl Into<String>) -> Self {
        Reply { code, result: result.into(), data: None, style: Style::Numbers, notify_later: None, timestamp: None }
    }

    pub(crate) fn style(mut self, style: Style) -> Self {
        self.style = style;
        self
    }
}

/// What a request needs from outside the WEDOS state.
pub(crate) struct Ctx<'a> {
    /// The emulator's clock (Unix seconds, offset applied).
    pub(crate) now: i64,
    /// The TCP peer's address.
    pub(crate) ip: IpAddr,
    pub(crate) config: &'a WedosConfig,
}

/// A notification to queue later (`ping-async`); the queue time, `timestamp` and `ID` are filled in then.
pub(crate) struct AsyncJob {
    pub(crate) user: String,
    pub(crate) notify: Map<String, Value>,
}

/// The answer document and any deferred work.
pub(crate) struct Outcome {
    pub(crate) body: Value,
    pub(crate) job: Option<AsyncJob>,
}

/// What is known of a request even when it is refused: for the answer's envelope and the statistics.
#[derive(Default)]
struct Hints {
    user: Option<String>,
    command: Option<String>,
    cltrid: Option<String>,
    test: bool,
}

/// A decoded request.
pub(crate) struct Request {
    pub(crate) user: String,
    pub(crate) auth: String,
    pub(crate) command: String,
    pub(crate) data: Map<String, Value>,
    pub(crate) test: bool,
}

/// Longest accepted `clTRID`, in characters.
const MAX_CLTRID: usize = 64;

/// Deepest accepted nesting inside `data` (deeper: 2008).
const MAX_DATA_DEPTH: usize = 16;

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The bytes of the form field `request`, percent-decoded but not yet read as UTF-8.
fn raw_request(body: &[u8]) -> Option<Vec<u8>> {
    fn unescape(s: &[u8]) -> Vec<u8> {
        let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        let mut out = Vec::with_capacity(s.len());
        let mut i = 0;
        while i < s.len() {
            match (s[i], s.get(i + 1).copied().and_then(hex), s.get(i + 2).copied().and_then(hex)) {
                (b'%', Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                (b'+', _, _) => {
                    out.push(b' ');
                    i += 1;
                }
                (b, _, _) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        out
    }
    body.split(|b| *b == b'&').find_map(|pair| {
        let (k, v) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &pair[..0]),
        };
        (unescape(k) == b"request").then(|| unescape(v))
    })
}

/// Whether the answer `body` acknowledges a change of content (a successful command other than a read): it is
/// only sent once the state file holds the change.
pub(crate) fn changed_content(body: &Value) -> bool {
    let r = &body["response"];
    let code = match &r["code"] {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        Value::String(t) => t.parse().unwrap_or(0),
        _ => 0,
    };
    let command = r["command"].as_str().unwrap_or_default();
    code < 2000 && !ops::is_read(command) && r["test"].is_null()
}

/// Judges and executes one request. `body` is `None` when it was too large or unreadable.
pub(crate) fn handle(state: &mut WedosState, body: Option<&[u8]>, ctx: &Ctx<'_>) -> Outcome {
    let ip = ctx.ip.to_canonical();
    let ip_text = ip.to_string();
    state.settle(ctx.now, ctx.config.auto_publish_secs);
    let (hints, decoded) = match body {
        None => (Hints::default(), Err(Reply::err(2007, "Request too large"))),
        Some(b) => decode(b),
    };
    let reply = if let Some(until) = state.blocked_until(&ip_text, ctx.now) {
        Reply::err(
            2052,
            format!(
                "IP address {ip_text} temporarily blocked for too many invalid requests (until {until}, {} s)",
                until.saturating_sub(ctx.now)
            ),
        )
    } else {
        match decoded {
            Err(r) => r,
            Ok(req) => execute(state, &req, ip, ctx),
        }
    };
    finish(state, hints, reply, &ip_text, ctx)
}

/// Writes the answer, counts it, records an invalid request, and prepares `ping-async`'s notification.
fn finish(state: &mut WedosState, hints: Hints, reply: Reply, ip: &str, ctx: &Ctx<'_>) -> Outcome {
    let now = ctx.now;
    let svtrid = state.svtrid(now);
    let mut m = Map::new();
    m.insert(
        "code".into(),
        if reply.style == Style::Strings { json!(reply.code.to_string()) } else { json!(reply.code) },
    );
    m.insert("result".into(), json!(reply.result));
    let timestamp = match &reply.timestamp {
        Some(t) => t.clone(),
        None if reply.style == Style::Numbers => json!(now),
        None => json!(now.to_string()),
    };
    m.insert("timestamp".into(), timestamp);
    if let Some(c) = &hints.cltrid {
        m.insert("clTRID".into(), json!(c));
    }
    m.insert("svTRID".into(), json!(svtrid));
    let command = hints.command.clone().unwrap_or_default();
    m.insert("command".into(), json!(command));
    if reply.code < 2000 {
        if let Some(d) = reply.data {
            m.insert("data".into(), d);
        }
    }
    if hints.test {
        m.insert("test".into(), json!(1));
    }
    if let Some(a) = hints.user.as_deref().and_then(|u| state.account_mut(u)) {
        a.count_code(reply.code);
    }
    let availability =
        matches!(command.as_str(), "domain-check" | "domain-transfer-check") && (3201..=3206).contains(&reply.code);
    if reply.code >= 2000 && !availability {
        state.record_invalid(ip, now, ctx.config);
    }
    let job = match (reply.notify_later, hints.user) {
        (Some(data), Some(user)) => {
            let mut n = Map::new();
            n.insert("code".into(), json!("1000"));
            n.insert("result".into(), json!("OK"));
            n.insert("timestamp".into(), Value::Null);
            if let Some(c) = &hints.cltrid {
                n.insert("clTRID".into(), json!(c));
            }
            n.insert("svTRID".into(), json!(svtrid));
            n.insert("command".into(), json!(command));
            n.insert("ID".into(), Value::Null);
            n.insert("data".into(), data);
            Some(AsyncJob { user, notify: n })
        }
        _ => None,
    };
    Outcome { body: json!({"response": Value::Object(m)}), job }
}

/// Authentication, allow-list, limits, then the command.
fn execute(state: &mut WedosState, req: &Request, ip: IpAddr, ctx: &Ctx<'_>) -> Reply {
    let now = ctx.now;
    let Some(idx) = state.account_index(&req.user) else {
        return Reply::err(2050, "Authentication failure");
    };
    let account = &mut state.accounts[idx];
    let expected = hostapi::wedos::protocol::auth(&account.user, &account.password, now).ok();
    if expected.as_deref() != Some(req.auth.as_str()) {
        return Reply::err(2050, "Authentication failure");
    }
    if !account.allowed_ips.contains(&ip) {
        return Reply::err(2051, format!("Access not allowed from IP address {ip}"));
    }
    state::prune(&mut account.requests, now);
    let limit = ctx.config.hourly_request_limit;
    if account.requests.len() >= limit as usize {
        return Reply::err(2006, format!("Request limit exceeded ({limit} requests per hour)"));
    }
    account.requests.push_back(now);
    let fault = state::AnswerFault::take(&mut state.faults, &req.user, &req.command);
    if let Some(code) = fault.as_ref().and_then(|f| f.code) {
        let f = fault.expect("taken");
        let result = f.result.unwrap_or_else(|| hostapi::wedos::protocol::code_info(i64::from(code)).0.to_owned());
        return Reply { timestamp: f.timestamp, ..Reply::err(code, result) };
    }
    let clock = fault.and_then(|f| f.timestamp);
    let reply = run_command(state, idx, req, ctx);
    Reply { timestamp: clock.or(reply.timestamp), ..reply }
}

/// The command itself, once the request passed authentication and the limits.
fn run_command(state: &mut WedosState, idx: usize, req: &Request, ctx: &Ctx<'_>) -> Reply {
    let now = ctx.now;
    let account = &mut state.accounts[idx];
    let Some(cmd) = ops::Command::parse(&req.command) else {
        return Reply::err(2010, format!("Unknown command {}", req.command));
    };
    if account.disabled_commands.iter().any(|c| c == &req.command) {
        return Reply::err(2011, format!("Command {} is disabled for this account", req.command));
    }
    if hostapi::wedos::protocol::is_domain_limited(&req.command) {
        state::prune(&mut account.domain_checks, now);
        let limit = ctx.config.hourly_domain_check_limit;
        if account.domain_checks.len() >= limit as usize {
            return if req.command == "domain-transfer-check" {
                Reply::err(2252, format!("Domain transfer check limit exceeded ({limit} per hour)"))
            } else {
                Reply::err(2250, format!("Domain check limit exceeded ({limit} per hour)"))
            };
        }
        account.domain_checks.push_back(now);
    }
    ops::run(state, idx, cmd, req, ctx)
}

/// The `test` flag: `1`, `"1"`, `true` / `0`, `"0"`, `false`, null.
fn test_flag(v: Option<&Value>) -> Option<bool> {
    match v {
        None | Some(Value::Null) => Some(false),
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Some(Value::String(s)) => match s.as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
        Some(_) => None,
    }
}

/// A required envelope string: absent/null/empty → `missing`, another type → 2000.
fn envelope_str(req: &Map<String, Value>, key: &str, missing: Reply) -> Result<String, Reply> {
    match req.get(key) {
        None | Some(Value::Null) => Err(missing),
        Some(Value::String(s)) if s.is_empty() => Err(missing),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(Reply::err(2000, format!("Request parse error: {key} must be a string"))),
    }
}

/// Decodes the form body and the request document.
fn decode(body: &[u8]) -> (Hints, Result<Request, Reply>) {
    let mut hints = Hints::default();
    let mut fields = form_urlencoded::parse(body).filter(|(k, _)| k == "request").map(|(_, v)| v);
    let text = match (fields.next(), fields.next()) {
        (None, _) => return (hints, Err(Reply::err(2009, "Empty request (no form field request)"))),
        (Some(_), Some(_)) => {
            return (hints, Err(Reply::err(2000, "Request parse error: the form field request is given twice")))
        }
        (Some(t), None) => t,
    };
    if text.trim().is_empty() {
        return (hints, Err(Reply::err(2009, "Empty request")));
    }
    if raw_request(body).is_some_and(|raw| std::str::from_utf8(&raw).is_err()) {
        return (hints, Err(Reply::err(2102, "Encoding mismatch: the request is not UTF-8")));
    }
    let doc: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return (hints, Err(Reply::err(2000, format!("Request parse error: {e}")))),
    };
    let Some(req) = doc.get("request").and_then(Value::as_object) else {
        return (hints, Err(Reply::err(2000, "Request parse error: no request object")));
    };
    if req.is_empty() {
        return (hints, Err(Reply::err(2009, "Empty request")));
    }
    hints.user = req.get("user").and_then(Value::as_str).map(str::to_string);
    hints.command = req.get("command").and_then(Value::as_str).map(str::to_string);
    hints.cltrid = match req.get("clTRID") {
        Some(Value::String(s)) if s.chars().count() <= MAX_CLTRID => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let test = test_flag(req.get("test"));
    hints.test = test == Some(true);
    let result = (|| {
        let user = envelope_str(req, "user", Reply::err(2001, "Required parameter user missing"))?;
        let auth = envelope_str(req, "auth", Reply::err(2002, "Required parameter auth missing"))?;
        let command = envelope_str(req, "command", Reply::err(2003, "Required parameter command missing"))?;
        let data = match req.get("data") {
            None | Some(Value::Null) => Map::new(),
            // PHP's empty array, and the empty string some clients send (dns-lexicon): no data.
            Some(Value::Array(a)) if a.is_empty() => Map::new(),
            Some(Value::String(s)) if s.is_empty() => Map::new(),
            Some(Value::Object(o)) => o.clone(),
            Some(_) => return Err(Reply::err(2004, "Only one data element allowed (data must be an object)")),
        };
        if data.values().any(|v| depth(v) > MAX_DATA_DEPTH) {
            return Err(Reply::err(2008, format!("Request too complex (data nested deeper than {MAX_DATA_DEPTH})")));
        }
        match req.get("clTRID") {
            None | Some(Value::Null) | Some(Value::Number(_)) => {}
            Some(Value::String(s)) if s.chars().count() > MAX_CLTRID => {
                return Err(Reply::err(2005, format!("clTRID too long (at most {MAX_CLTRID} characters)")))
            }
            Some(Value::String(_)) => {}
            Some(_) => return Err(Reply::err(2000, "Request parse error: clTRID must be a string")),
        }
        let Some(test) = test else {
            return Err(Reply::err(2000, "Request parse error: test must be 1 (or absent)"));
        };
        Ok(Request { user, auth, command, data, test })
    })();
    (hints, result)
}
