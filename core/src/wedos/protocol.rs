//! WEDOS WAPI protocol, sans-I/O: the Prague hour, `auth`, the request document, response and notification
//! parsing, the code table.
//!
//! Time is an argument (Unix seconds); the Europe/Prague rules are compiled into the binary (no host tz
//! database is read).

use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

use super::records::*;
use crate::error::{excerpt, Error, ErrorKind, Result};
use crate::http::{form_encode, HttpRequest, FORM_CONTENT_TYPE};
use crate::json::{float as float_field, int as int_field, string as str_field};

/// The production JSON endpoint.
pub const DEFAULT_BASE_URL: &str = "https://api.wedos.com/wapi/json";

/// The plain-text body with which WAPI refuses a client over its rate limit.
pub const USER_AGENT_RATE_LIMIT_BODY: &str = "User-Agent Rate Limit";

/// The commands counted against the 100-per-hour domain availability limit.
pub const DOMAIN_LIMITED_COMMANDS: [&str; 3] = ["domain-check", "domain-create", "domain-transfer-check"];

/// The server's hourly limits.
pub const HOURLY_REQUEST_LIMIT: u32 = 1000;
pub const HOURLY_DOMAIN_CHECK_LIMIT: u32 = 100;

/// Whether `command` counts against the domain availability limit.
pub fn is_domain_limited(command: &str) -> bool {
    DOMAIN_LIMITED_COMMANDS.contains(&command)
}

fn prague() -> &'static jiff::tz::TimeZone {
    static TZ: OnceLock<jiff::tz::TimeZone> = OnceLock::new();
    TZ.get_or_init(|| jiff::tz::TimeZone::get("Europe/Prague").expect("Europe/Prague is in the bundled tz database"))
}

/// The hour (0–23) in Europe/Prague at `unix_secs`: UTC+1 in winter, UTC+2 in summer (from 01:00 UTC on the last
/// Sunday of March to 01:00 UTC on the last Sunday of October).
pub fn prague_hour(unix_secs: i64) -> Result<u8> {
    let ts = jiff::Timestamp::from_second(unix_secs)
        .map_err(|_| Error::config("wedos auth", format!("time {unix_secs} is out of range")))?;
    Ok(ts.to_zoned(prague().clone()).hour() as u8)
}

/// Seconds from `unix_secs` to the nearest full hour. Prague's offsets are whole hours, so its hour boundaries are
/// the UTC ones.
pub fn seconds_to_hour_boundary(unix_secs: i64) -> i64 {
    let r = unix_secs.rem_euclid(3600);
    r.min(3600 - r)
}

fn sha1_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// `sha1(password)`, lowercase hex.
pub fn password_hash(password: &str) -> String {
    sha1_hex(&[password.as_bytes()])
}

/// `auth` for a given Prague hour: `sha1(user + sha1(password) + HH)` with `HH` zero-padded.
pub fn auth_for_hour(user: &str, password: &str, hour: u8) -> Result<String> {
    if hour > 23 {
        return Err(Error::config("wedos auth", format!("hour {hour} is not 0-23")));
    }
    let hh = format!("{hour:02}");
    Ok(sha1_hex(&[user.as_bytes(), password_hash(password).as_bytes(), hh.as_bytes()]))
}

/// `auth` at `unix_secs`.
pub fn auth(user: &str, password: &str, unix_secs: i64) -> Result<String> {
    auth_for_hour(user, password, prague_hour(unix_secs)?)
}

macro_rules! operations {
    ($($variant:ident => $name:literal, $command:literal;)*) => {
        /// The typed operations, plus [`Operation::Call`] for any other command.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Operation { $($variant,)* }

        impl Operation {
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)*];

            /// The canonical name, e.g. `dns.add_row` (vectors, bindings, command line).
            pub fn name(self) -> &'static str {
                match self { $(Operation::$variant => $name,)* }
            }

            /// The WAPI command (empty for [`Operation::Call`], whose command is an argument).
            pub fn command(self) -> &'static str {
                match self { $(Operation::$variant => $command,)* }
            }

            pub fn from_name(name: &str) -> Option<Operation> {
                match name { $($name => Some(Operation::$variant),)* _ => None }
            }
        }
    };
}

operations! {
    Ping => "ping", "ping";
    PingAsync => "ping_async", "ping-async";
    CreditInfo => "credit_info", "credit-info";
    DomainsList => "domains.list", "domains-list";
    DomainInfo => "domains.info", "domain-info";
    DomainCheck => "domains.check", "domain-check";
    DnsDomainsList => "dns.domains", "dns-domains-list";
    DnsRowsList => "dns.rows", "dns-rows-list";
    DnsRowAdd => "dns.add_row", "dns-row-add";
    DnsRowUpdate => "dns.update_row", "dns-row-update";
    DnsRowDelete => "dns.delete_row", "dns-row-delete";
    DnsDomainCommit => "dns.commit", "dns-domain-commit";
    PollReq => "notifications.poll", "poll-req";
    PollAck => "notifications.ack", "poll-ack";
    Call => "call", "";
}

impl Operation {
    /// The operation's entry in the operation model.
    pub fn spec(self) -> &'static crate::ops::OpSpec {
        crate::ops::Api::Wedos.op(self.name()).expect("every WEDOS operation is in the operation model")
    }
}

/// One command with its data.
#[derive(Clone, Debug, PartialEq)]
pub enum Call {
    Ping,
    PingAsync,
    CreditInfo,
    DomainsList {
        status: Option<String>,
    },
    DomainInfo {
        name: String,
    },
    DomainCheck {
        name: String,
    },
    DnsDomainsList,
    DnsRowsList {
        domain: String,
    },
    DnsRowAdd(NewDnsRow),
    DnsRowUpdate {
        domain: String,
        row_id: i64,
        ttl: u32,
        rdata: String,
    },
    DnsRowDelete {
        domain: String,
        row_id: i64,
    },
    DnsDomainCommit {
        name: String,
    },
    PollReq,
    PollAck {
        id: String,
    },
    /// Any command, with its `data` object.
    Generic {
        command: String,
        data: Option<Value>,
    },
}

/// The TTL range WAPI accepts for DNS rows.
pub const TTL_RANGE: std::ops::RangeInclusive<u32> = 300..=172_800;

impl Call {
    pub fn operation(&self) -> Operation {
        match self {
            Call::Ping => Operation::Ping,
            Call::PingAsync => Operation::PingAsync,
            Call::CreditInfo => Operation::CreditInfo,
            Call::DomainsList { .. } => Operation::DomainsList,
            Call::DomainInfo { .. } => Operation::DomainInfo,
            Call::DomainCheck { .. } => Operation::DomainCheck,
            Call::DnsDomainsList => Operation::DnsDomainsList,
            Call::DnsRowsList { .. } => Operation::DnsRowsList,
            Call::DnsRowAdd(_) => Operation::DnsRowAdd,
            Call::DnsRowUpdate { .. } => Operation::DnsRowUpdate,
            Call::DnsRowDelete { .. } => Operation::DnsRowDelete,
            Call::DnsDomainCommit { .. } => Operation::DnsDomainCommit,
            Call::PollReq => Operation::PollReq,
            Call::PollAck { .. } => Operation::PollAck,
            Call::Generic { .. } => Operation::Call,
        }
    }

    /// The WAPI command name.
    pub fn command(&self) -> &str {
        match self {
            Call::Generic { command, .. } => command,
            other => other.operation().command(),
        }
    }

    /// The name errors carry: `wedos dns-row-add`.
    pub fn label(&self) -> String {
        format!("wedos {}", self.command())
    }

    /// The `data` object of the request (checked: a bad argument is a [`ErrorKind::Config`] error).
    pub fn data(&self) -> Result<Option<Value>> {
        let label = self.label();
        let need = |key: &str, v: &str| -> Result<()> {
            if v.trim().is_empty() {
                Err(Error::config(&label, format!("{key} must not be empty")))
            } else {
                Ok(())
            }
        };
        let ttl_ok = |ttl: u32| -> Result<()> {
            if TTL_RANGE.contains(&ttl) {
                Ok(())
            } else {
                Err(Error::config(&label, format!("ttl {ttl} is outside {}-{}", TTL_RANGE.start(), TTL_RANGE.end())))
            }
        };
        let mut m = Map::new();
        match self {
            Call::Ping | Call::PingAsync | Call::CreditInfo | Call::DnsDomainsList | Call::PollReq => return Ok(None),
            Call::DomainsList { status } => match status {
                Some(s) => {
                    need("status", s)?;
                    m.insert("status".into(), s.as_str().into());
                }
                None => return Ok(None),
            },
            Call::DomainInfo { name } | Call::DomainCheck { name } | Call::DnsDomainCommit { name } => {
                need("name", name)?;
                m.insert("name".into(), name.as_str().into());
            }
            Call::DnsRowsList { domain } => {
                need("domain", domain)?;
                m.insert("domain".into(), domain.as_str().into());
            }
            Call::DnsRowAdd(row) => {
                need("domain", &row.domain)?;
                need("type", &row.rdtype)?;
                need("rdata", &row.rdata)?;
                ttl_ok(row.ttl)?;
                m.insert("domain".into(), row.domain.as_str().into());
                m.insert("name".into(), row.name.as_str().into());
                m.insert("ttl".into(), row.ttl.into());
                m.insert("type".into(), row.rdtype.as_str().into());
                m.insert("rdata".into(), row.rdata.as_str().into());
                if let Some(c) = &row.comment {
                    m.insert("auth_comment".into(), c.as_str().into());
                }
            }
            Call::DnsRowUpdate { domain, row_id, ttl, rdata } => {
                need("domain", domain)?;
                need("rdata", rdata)?;
                ttl_ok(*ttl)?;
                m.insert("domain".into(), domain.as_str().into());
                m.insert("row_id".into(), (*row_id).into());
                m.insert("ttl".into(), (*ttl).into());
                m.insert("rdata".into(), rdata.as_str().into());
            }
            Call::DnsRowDelete { domain, row_id } => {
                need("domain", domain)?;
                m.insert("domain".into(), domain.as_str().into());
                m.insert("row_id".into(), (*row_id).into());
            }
            Call::PollAck { id } => {
                need("id", id)?;
                // Queue ids are numerical: sent as a JSON number when they are digits.
                let v = match id.parse::<u64>() {
                    Ok(n) if !id.starts_with('0') || id == "0" => Value::from(n),
                    _ => Value::from(id.as_str()),
                };
                m.insert("id".into(), v);
            }
            Call::Generic { command, data } => {
                check_command(&label, command)?;
                return match data {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::Object(o)) => Ok(Some(Value::Object(o.clone()))),
                    Some(_) => Err(Error::config(&label, "data must be a JSON object")),
                };
            }
        }
        Ok(Some(Value::Object(m)))
    }

    /// Builds a call from its canonical operation name and snake_case JSON arguments (see
    /// `tests/vectors/README.md`).
    pub fn from_json(operation: &str, args: &Value) -> Result<Call> {
        let Some(op) = Operation::from_name(operation) else {
            let message = match crate::ops::Api::Wedos.op(operation) {
                Some(_) => format!("{operation} is not a single request: run it with Client::call_json"),
                None => format!("unknown operation {operation:?}"),
            };
            return Err(Error::config("wedos", message));
        };
        let label = format!("wedos {}", if op == Operation::Call { "call" } else { op.command() });
        let obj = crate::ops::check_args(op.spec(), &label, args, true)?;
        let s = |key: &str| -> Result<Option<String>> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(v)) => Ok(Some(v.clone())),
                Some(Value::Number(n)) => Ok(Some(n.to_string())),
                Some(_) => Err(Error::config(&label, format!("{key} must be a string"))),
            }
        };
        let req = |key: &str| -> Result<String> {
            s(key)?.ok_or_else(|| Error::config(&label, format!("missing argument {key:?}")))
        };
        let int = |key: &str| -> Result<i64> {
            match obj.get(key) {
                Some(Value::Number(n)) => n.as_i64(),
                Some(Value::String(v)) => v.trim().parse().ok(),
                _ => None,
            }
            .ok_or_else(|| Error::config(&label, format!("{key} must be an integer")))
        };
        let ttl = |key: &str| -> Result<u32> {
            let v = int(key)?;
            u32::try_from(v).map_err(|_| Error::config(&label, format!("{key} {v} is out of range")))
        };
        Ok(match op {
            Operation::Ping => Call::Ping,
            Operation::PingAsync => Call::PingAsync,
            Operation::CreditInfo => Call::CreditInfo,
            Operation::DomainsList => Call::DomainsList { status: s("status")? },
            Operation::DomainInfo => Call::DomainInfo { name: req("name")? },
            Operation::DomainCheck => Call::DomainCheck { name: req("name")? },
            Operation::DnsDomainsList => Call::DnsDomainsList,
            Operation::DnsRowsList => Call::DnsRowsList { domain: req("domain")? },
            Operation::DnsRowAdd => Call::DnsRowAdd(NewDnsRow {
                domain: req("domain")?,
                name: req("name")?,
                ttl: if obj.contains_key("ttl") { ttl("ttl")? } else { 3600 },
                rdtype: req("rdtype")?,
                rdata: req("rdata")?,
                comment: s("comment")?,
            }),
            Operation::DnsRowUpdate => Call::DnsRowUpdate {
                domain: req("domain")?,
                row_id: int("row_id")?,
                ttl: ttl("ttl")?,
                rdata: req("rdata")?,
            },
            Operation::DnsRowDelete => Call::DnsRowDelete { domain: req("domain")?, row_id: int("row_id")? },
            Operation::DnsDomainCommit => Call::DnsDomainCommit { name: req("domain")? },
            Operation::PollReq => Call::PollReq,
            Operation::PollAck => Call::PollAck { id: req("id")? },
            Operation::Call => Call::Generic { command: req("command")?, data: obj.get("data").cloned() },
        })
    }
}

fn check_command(label: &str, command: &str) -> Result<()> {
    let ok = !command.is_empty()
        && command.len() <= 64
        && command.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::config(label, format!("{command:?} is not a WAPI command name (lower-case letters, digits, '-')")))
    }
}

/// Request options that are not part of a command's data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// `clTRID`: echoed in the response and in notifications. The client sets a fresh one when this is `None`.
    pub cltrid: Option<String>,
    /// `test: 1`: validate only, change nothing.
    pub test: bool,
}

/// The request document: `{"request": {"user", "auth", "command", "data"?, "clTRID"?, "test"?}}`, compact JSON.
pub fn request_document(user: &str, auth: &str, call: &Call, options: &RequestOptions) -> Result<String> {
    let label = call.label();
    if user.trim().is_empty() {
        return Err(Error::config(&label, "user must not be empty"));
    }
    let data = call.data()?;
    let mut r = Map::new();
    r.insert("user".into(), user.into());
    r.insert("auth".into(), auth.into());
    r.insert("command".into(), call.command().into());
    if let Some(d) = data {
        r.insert("data".into(), d);
    }
    if let Some(id) = &options.cltrid {
        r.insert("clTRID".into(), id.as_str().into());
    }
    if options.test {
        r.insert("test".into(), 1.into());
    }
    let mut doc = Map::new();
    doc.insert("request".into(), Value::Object(r));
    Ok(Value::Object(doc).to_string())
}

/// Builds the exact HTTP request: `POST base_url` with the form field `request` holding the document, `auth`
/// computed for the Prague hour of `unix_secs`.
pub fn build_request(
    base_url: &str,
    user: &str,
    password: &str,
    unix_secs: i64,
    call: &Call,
    options: &RequestOptions,
) -> Result<HttpRequest> {
    let auth = auth(user, password, unix_secs)?;
    let doc = request_document(user, &auth, call, options)?;
    Ok(HttpRequest {
        method: "POST".into(),
        url: base_url.trim_end_matches('/').to_owned(),
        headers: vec![("Accept".into(), "application/json".into()), ("Content-Type".into(), FORM_CONTENT_TYPE.into())],
        body: form_encode([("request", doc.as_str())]),
    })
}

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

/// Reads the response envelope, without judging its code. Non-JSON bodies are errors here: the plain-text rate
/// limit body is [`ErrorKind::RateLimited`], anything else [`ErrorKind::Protocol`].
pub fn parse_envelope(label: &str, http_status: u16, body: &[u8]) -> Result<(Response, Map<String, Value>)> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            if text.trim().eq_ignore_ascii_case(USER_AGENT_RATE_LIMIT_BODY) {
                return Err(Error::new(
                    ErrorKind::RateLimited,
                    label,
                    "the server refused the client: User-Agent Rate Limit",
                )
                .with_http_status(http_status));
            }
            let message = if text.trim().is_empty() {
                "the server answered with an empty body".to_owned()
            } else {
                format!("the server answered with a body that is not JSON: {}", excerpt(body, 80))
            };
            return Err(Error::protocol(label, message, http_status, body));
        }
    };
    let Some(obj) = value.get("response").and_then(Value::as_object) else {
        return Err(Error::protocol(label, "the answer has no \"response\" object", http_status, body));
    };
    let Some(code) = int_field(obj, &["code"]) else {
        return Err(Error::protocol(label, "the response has no numeric code", http_status, body));
    };
    let response = Response {
        code,
        result: str_field(obj, &["result"]).unwrap_or_default(),
        timestamp: int_field(obj, &["timestamp"]),
        cltrid: str_field(obj, &["clTRID"]),
        svtrid: str_field(obj, &["svTRID"]),
        command: str_field(obj, &["command"]),
        test: obj.get("test").map(truthy).unwrap_or(false),
        data: obj.get("data").filter(|d| !d.is_null()).cloned(),
    };
    Ok((response, obj.clone()))
}

/// The error a failure code means.
pub fn code_error(label: &str, code: i64, result: &str) -> Error {
    let (meaning, kind) = code_info(code);
    let kind = kind.unwrap_or(ErrorKind::Api);
    let result = result.trim();
    let message = if result.is_empty() {
        meaning.to_owned()
    } else if result.eq_ignore_ascii_case(meaning) {
        result.to_owned()
    } else {
        format!("{result} ({meaning})")
    };
    Error::new(kind, label, message).with_code(code)
}

/// Reads a response: the envelope if its code is a success, else the error the code means.
pub fn parse_response(label: &str, http_status: u16, body: &[u8]) -> Result<Response> {
    let (resp, _) = parse_envelope(label, http_status, body)?;
    if resp.code >= 2000 || resp.code < 1000 {
        return Err(code_error(label, resp.code, &resp.result));
    }
    Ok(resp)
}

/// The typed result of a call. Its JSON form is the canonical one of the vectors and the C surface.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Output {
    Response(Response),
    Pending(Pending),
    Credit(Credit),
    Domains(Vec<Domain>),
    Domain(Domain),
    DomainCheck(DomainCheck),
    DnsDomains(Vec<DnsDomain>),
    DnsRows(Vec<DnsRow>),
    /// `poll-req`: the oldest unread notification, or `None` when the queue is empty (1003).
    Notification(Option<Notification>),
}

/// Reads the answer to `call` into its typed result.
pub fn parse_output(call: &Call, http_status: u16, body: &[u8]) -> Result<Output> {
    let label = call.label();
    let (resp, _) = parse_envelope(&label, http_status, body)?;
    let shape = |what: &str| Error::protocol(&label, format!("unexpected answer: {what}"), http_status, body);
    if let Call::DomainCheck { name } = call {
        if resp.code == 1000 || (3201..=3206).contains(&resp.code) {
            return Ok(Output::DomainCheck(DomainCheck {
                name: name.clone(),
                available: resp.code == 1000,
                code: resp.code,
                result: resp.result,
            }));
        }
    }
    if resp.code >= 2000 || resp.code < 1000 {
        return Err(code_error(&label, resp.code, &resp.result));
    }
    let data = resp.data.as_ref();
    Ok(match call.operation() {
        Operation::PingAsync => {
            if resp.code != 1001 {
                return Err(shape(&format!("code {} instead of 1001 (request pending)", resp.code)));
            }
            Output::Pending(Pending { command: call.command().to_owned(), cltrid: resp.cltrid, svtrid: resp.svtrid })
        }
        Operation::CreditInfo => {
            let d = data.and_then(Value::as_object).ok_or_else(|| shape("no credit data"))?;
            Output::Credit(Credit {
                amount: float_field(d, &["amount", "credit"]),
                currency: str_field(d, &["currency"]),
                raw: d.clone(),
            })
        }
        Operation::DomainsList => {
            let items = data
                .map(|d| keyed_items(d, "domain"))
                .unwrap_or(Some(Vec::new()))
                .ok_or_else(|| shape("no domain list"))?;
            Output::Domains(
                items.iter().map(domain).collect::<Option<_>>().ok_or_else(|| shape("a domain without a name"))?,
            )
        }
        Operation::DomainInfo => {
            let d = data.and_then(|d| d.get("domain").or(Some(d))).ok_or_else(|| shape("no domain data"))?;
            Output::Domain(domain(d).ok_or_else(|| shape("a domain without a name"))?)
        }
        Operation::DnsDomainsList => {
            let items = data
                .map(|d| keyed_items(d, "domain"))
                .unwrap_or(Some(Vec::new()))
                .ok_or_else(|| shape("no DNS domain list"))?;
            Output::DnsDomains(
                items
                    .iter()
                    .map(dns_domain)
                    .collect::<Option<_>>()
                    .ok_or_else(|| shape("a DNS domain without a name"))?,
            )
        }
        Operation::DnsRowsList => {
            let items = data
                .map(|d| keyed_items(d, "row"))
                .unwrap_or(Some(Vec::new()))
                .ok_or_else(|| shape("no DNS row list"))?;
            Output::DnsRows(
                items
                    .iter()
                    .map(dns_row)
                    .collect::<Option<_>>()
                    .ok_or_else(|| shape("a DNS row without ID, rdtype or rdata"))?,
            )
        }
        Operation::PollReq => {
            if resp.code == 1003 {
                Output::Notification(None)
            } else {
                let n = data
                    .and_then(|d| d.get("notify"))
                    .and_then(notification)
                    .ok_or_else(|| shape("no notification in a 1000 poll-req answer"))?;
                Output::Notification(Some(n))
            }
        }
        _ => Output::Response(resp),
    })
}

/// A notification document `{"notify": {…}}` (or the inner object).
pub fn parse_notification_json(value: &Value) -> Result<Notification> {
    let inner = value.get("notify").unwrap_or(value);
    notification(inner).ok_or_else(|| {
        Error::new(ErrorKind::Protocol, "wedos notification", "not a notification document (no notify.code)")
    })
}

/// A notification as WEDOS POSTs it to the account's notification URL: the form field `request` holding the
/// JSON document. A bare JSON body is accepted too.
pub fn parse_notification(form_body: &[u8]) -> Result<Notification> {
    let doc = form_urlencoded::parse(form_body).find(|(k, _)| k == "request").map(|(_, v)| v.into_owned());
    let text = match doc {
        Some(t) => t,
        None => String::from_utf8_lossy(form_body).into_owned(),
    };
    let value: Value = serde_json::from_str(&text).map_err(|_| {
        Error::new(
            ErrorKind::Protocol,
            "wedos notification",
            format!("the body holds no JSON notification document: {}", excerpt(form_body, 80)),
        )
        .with_body(form_body)
    })?;
    parse_notification_json(&value)
}

// ---- field readers ------------------------------------------------------------------------------------------

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_i64() != Some(0),
        Value::String(s) => !matches!(s.trim(), "" | "0" | "false"),
        _ => false,
    }
}

/// `data.<key>` as a list: an array, an object keyed by numeric strings (ordered by key), or one object.
fn keyed_items(data: &Value, key: &str) -> Option<Vec<Value>> {
    let inner = match data {
        Value::Object(o) => match o.get(key) {
            Some(v) => v,
            None if o.is_empty() => return Some(Vec::new()),
            None => return None,
        },
        Value::Array(a) if a.is_empty() => return Some(Vec::new()),
        _ => return None,
    };
    match inner {
        Value::Array(a) => Some(a.clone()),
        Value::Null => Some(Vec::new()),
        Value::Object(o) if o.keys().all(|k| k.parse::<u64>().is_ok()) => {
            let mut items: Vec<(u64, Value)> = o.iter().map(|(k, v)| (k.parse().unwrap_or(0), v.clone())).collect();
            items.sort_by_key(|(k, _)| *k);
            Some(items.into_iter().map(|(_, v)| v).collect())
        }
        Value::Object(_) => Some(vec![inner.clone()]),
        _ => None,
    }
}

fn domain(v: &Value) -> Option<Domain> {
    let o = v.as_object()?;
    Some(Domain {
        name: str_field(o, &["name"])?,
        status: str_field(o, &["status"]),
        expiration: str_field(o, &["expiration", "expire"]),
        raw: o.clone(),
    })
}

fn dns_domain(v: &Value) -> Option<DnsDomain> {
    let o = v.as_object()?;
    Some(DnsDomain {
        name: str_field(o, &["name"])?,
        status: str_field(o, &["status"]),
        kind: str_field(o, &["type"]),
        raw: o.clone(),
    })
}

fn dns_row(v: &Value) -> Option<DnsRow> {
    let o = v.as_object()?;
    Some(DnsRow {
        id: int_field(o, &["ID", "row_id"])?,
        name: str_field(o, &["name"]).unwrap_or_default(),
        ttl: int_field(o, &["ttl"]),
        rdtype: str_field(o, &["rdtype", "type"])?,
        rdata: str_field(o, &["rdata"])?,
        changed_date: str_field(o, &["changed_date"]),
        author_comment: str_field(o, &["author_comment", "auth_comment"]),
        raw: o.clone(),
    })
}

fn notification(v: &Value) -> Option<Notification> {
    let o = v.as_object()?;
    Some(Notification {
        id: str_field(o, &["ID", "id"]),
        code: int_field(o, &["code"])?,
        result: str_field(o, &["result"]).unwrap_or_default(),
        timestamp: int_field(o, &["timestamp"]),
        cltrid: str_field(o, &["clTRID"]),
        svtrid: str_field(o, &["svTRID"]),
        command: str_field(o, &["command"]),
        data: o.get("data").filter(|d| !d.is_null()).cloned(),
        raw: o.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knowledge_base_example() {
        assert_eq!(password_hash("123456"), "7c4a8d09ca3762af61e59520943dc26494f8941b");
        assert_eq!(auth_for_hour("tester", "123456", 11).unwrap(), "ac28237e80e68efa3bfd07f42dca3d41c5986e01");
        // 2026-01-15 10:30 UTC is 11:30 in Prague (CET).
        assert_eq!(auth("tester", "123456", 1_768_473_000).unwrap(), "ac28237e80e68efa3bfd07f42dca3d41c5986e01");
    }

    #[test]
    fn dst_switches_2026() {
        // Spring: 2026-03-29 01:00 UTC. 00:59:59 UTC = 01:59:59 CET; 01:00:00 UTC = 03:00:00 CEST.
        let spring = 1_774_746_000;
        assert_eq!(prague_hour(spring - 1).unwrap(), 1);
        assert_eq!(prague_hour(spring).unwrap(), 3);
        // Autumn: 2026-10-25 01:00 UTC. 00:59:59 UTC = 02:59:59 CEST; 01:00:00 UTC = 02:00:00 CET (hour 2 again).
        let autumn = 1_792_890_000;
        assert_eq!(prague_hour(autumn - 3601).unwrap(), 1);
        assert_eq!(prague_hour(autumn - 1).unwrap(), 2);
        assert_eq!(prague_hour(autumn).unwrap(), 2);
        assert_eq!(prague_hour(autumn + 3600).unwrap(), 3);
    }

    #[test]
    fn boundary_distance() {
        assert_eq!(seconds_to_hour_boundary(3600 * 5), 0);
        assert_eq!(seconds_to_hour_boundary(3600 * 5 - 3), 3);
        assert_eq!(seconds_to_hour_boundary(3600 * 5 + 4), 4);
        assert_eq!(seconds_to_hour_boundary(3600 * 5 + 1800), 1800);
    }
}
