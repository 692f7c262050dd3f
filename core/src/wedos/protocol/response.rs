//! Reading answers: the envelope, the typed result of each command, notifications.

use serde::Serialize;
use serde_json::{Map, Value};

use super::call::{Call, Operation};
use super::codes::code_error;
use super::USER_AGENT_RATE_LIMIT_BODY;
use crate::error::{excerpt, Error, ErrorKind, Result};
use crate::json::{int as int_field, string as str_field};
use crate::wedos::records::*;

/// Reads an answer's envelope: the [`Response`] and the `response` object as it came. A body that is not a WAPI
/// answer is an error: the `User-Agent Rate Limit` body is [`ErrorKind::RateLimited`], anything else
/// [`ErrorKind::Protocol`].
pub fn parse_envelope(label: &str, http_status: u16, body: &[u8]) -> Result<(Response, Map<String, Value>)> {
    let (response, obj) = envelope(label, http_status, body, true)?;
    Ok((response, obj.unwrap_or_default()))
}

/// [`parse_envelope`]; the `response` object is handed back only when `keep` asks for it (else its `data` is
/// moved into the [`Response`], not copied).
fn envelope(label: &str, http_status: u16, body: &[u8], keep: bool) -> Result<(Response, Option<Map<String, Value>>)> {
    let mut value: Value = match serde_json::from_slice(body) {
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
    let Some(obj) = value.get_mut("response").and_then(Value::as_object_mut) else {
        return Err(Error::protocol(label, "the answer has no \"response\" object", http_status, body));
    };
    let mut obj = std::mem::take(obj);
    let Some(code) = int_field(&obj, &["code"]) else {
        return Err(Error::protocol(label, "the response has no numeric code", http_status, body));
    };
    let data = if keep { obj.get("data").cloned() } else { obj.remove("data") };
    let response = Response {
        code,
        result: str_field(&obj, &["result"]).unwrap_or_default(),
        timestamp: int_field(&obj, &["timestamp"]),
        cltrid: str_field(&obj, &["clTRID"]),
        svtrid: str_field(&obj, &["svTRID"]),
        command: str_field(&obj, &["command"]),
        test: obj.get("test").map(truthy).unwrap_or(false),
        data: data.filter(|d| !d.is_null()),
    };
    Ok((response, keep.then_some(obj)))
}

/// Reads the answer to any command as its envelope: the [`Response`] if its code is a success, else the error the
/// code means. `label` names the command in errors (`wedos domain-info`). For the typed result of a [`Call`], use
/// [`parse_response`].
pub fn parse_generic(label: &str, http_status: u16, body: &[u8]) -> Result<Response> {
    let (resp, _) = envelope(label, http_status, body, false)?;
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
    TransferCheck(TransferCheck),
    DnsDomain(DnsDomain),
    DnsDomains(Vec<DnsDomain>),
    DnsRow(DnsRow),
    DnsRows(Vec<DnsRow>),
    /// `poll-req`: the oldest unread notification, or `None` when the queue is empty (1003).
    Notification(Option<Notification>),
    /// The records of a command of the model without a typed result ([`Call::Model`]), in their canonical JSON.
    Json(Value),
}

/// Reads the answer to `call`: its typed result, or the [`Error`] the answer means.
pub fn parse_response(call: &Call, http_status: u16, body: &[u8]) -> Result<Output> {
    parse_response_timed(call, http_status, body).1
}

/// [`parse_response`], plus the server's `timestamp` of the answer when it has one (failures included): the
/// client learns the server's clock from it.
pub fn parse_response_timed(call: &Call, http_status: u16, body: &[u8]) -> (Option<i64>, Result<Output>) {
    let a = parse_answer(call, http_status, body);
    (a.timestamp, a.result)
}

/// An answer as read: what the server's envelope said (its `code` and `timestamp`, when it is a WAPI answer at
/// all), and the typed result. The code is the server's judgement of the request even when the result cannot be
/// read (a `data` of an unexpected shape).
#[derive(Debug)]
pub struct Answer {
    pub code: Option<i64>,
    pub timestamp: Option<i64>,
    pub result: Result<Output>,
}

/// Reads the answer to `call` (see [`Answer`]).
pub fn parse_answer(call: &Call, http_status: u16, body: &[u8]) -> Answer {
    parse_answer_labelled(call, &call.label(), http_status, body)
}

/// [`parse_answer`] with the call's label made already.
pub(crate) fn parse_answer_labelled(call: &Call, label: &str, http_status: u16, body: &[u8]) -> Answer {
    match envelope(label, http_status, body, false) {
        Err(e) => Answer { code: None, timestamp: None, result: Err(e) },
        Ok((resp, _)) => Answer {
            code: Some(resp.code),
            timestamp: resp.timestamp,
            result: typed_result(call, label, http_status, body, resp),
        },
    }
}

fn typed_result(call: &Call, label: &str, http_status: u16, body: &[u8], resp: Response) -> Result<Output> {
    let shape = |what: &str| Error::protocol(label, format!("unexpected answer: {what}"), http_status, body);
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
    if let Call::DomainTransferCheck { name } = call {
        if resp.code == 1000 || (3200..=3299).contains(&resp.code) {
            return Ok(Output::TransferCheck(TransferCheck {
                name: name.clone(),
                transferable: resp.code == 1000,
                code: resp.code,
                result: resp.result,
            }));
        }
    }
    if resp.code >= 2000 || resp.code < 1000 {
        return Err(code_error(label, resp.code, &resp.result));
    }
    if let Call::Model { spec, .. } = call {
        return model_result(spec, resp, shape);
    }
    let data = resp.data.as_ref();
    Ok(match call.operation() {
        Operation::PingAsync | Operation::DomainCreate => {
            if resp.code != 1001 {
                return Err(shape(&format!("code {} instead of 1001 (request pending)", resp.code)));
            }
            Output::Pending(Pending { command: call.command().to_owned(), cltrid: resp.cltrid, svtrid: resp.svtrid })
        }
        Operation::DnsDomainInfo => {
            let d = data.and_then(|d| d.get("domain").or(Some(d))).ok_or_else(|| shape("no DNS domain data"))?;
            Output::DnsDomain(dns_domain(d).ok_or_else(|| shape("a DNS domain without a name"))?)
        }
        Operation::DnsRowDetail => {
            let items = data.map(|d| keyed_items(d, "row")).unwrap_or(None).ok_or_else(|| shape("no DNS row"))?;
            let first = items.first().ok_or_else(|| shape("no DNS row"))?;
            Output::DnsRow(dns_row(first).ok_or_else(|| shape("a DNS row without ID, rdtype or rdata"))?)
        }
        Operation::CreditInfo => {
            let d = data.and_then(Value::as_object).ok_or_else(|| shape("no credit data"))?;
            Output::Credit(record("Credit", &Value::Object(d.clone())).ok_or_else(|| shape("no credit data"))?)
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

/// A record of the model's type `name` read from an object of an answer (see [`RecordSpec::decode`]).
///
/// [`RecordSpec::decode`]: crate::ops::RecordSpec::decode
fn record<T: serde::de::DeserializeOwned>(name: &str, v: &Value) -> Option<T> {
    let spec = crate::ops::Api::Wedos.record(name)?;
    serde_json::from_value(spec.decode(v.as_object()?)?).ok()
}

fn domain(v: &Value) -> Option<Domain> {
    record("Domain", v)
}

fn dns_domain(v: &Value) -> Option<DnsDomain> {
    record("DnsDomain", v)
}

fn dns_row(v: &Value) -> Option<DnsRow> {
    record("DnsRow", v)
}

fn notification(v: &Value) -> Option<Notification> {
    record("Notification", v)
}

/// The result of a command of the model without a typed result: its records read as the model describes them,
/// in their canonical JSON (the envelope for a `Response`).
fn model_result(spec: &crate::ops::OpSpec, resp: Response, shape: impl Fn(&str) -> Error) -> Result<Output> {
    use crate::ops::Output as Out;
    let (name, list) = match spec.answer_output() {
        Out::Record(name) | Out::Optional(name) => (name, false),
        Out::List(name) => (name, true),
        Out::Count | Out::Either { .. } => ("Response", false),
    };
    let Some(rec) = crate::ops::Api::Wedos.record(name).filter(|_| name != "Response") else {
        return Ok(Output::Response(resp));
    };
    let data = resp.data.as_ref();
    let items = match (data, rec.items) {
        (None, _) => Vec::new(),
        (Some(d), Some(key)) if d.get(key).is_some() || list => {
            keyed_items(d, key).ok_or_else(|| shape(&format!("no {key} list")))?
        }
        (Some(Value::Array(a)), None) if list => a.clone(),
        (Some(d), _) => vec![d.clone()],
    };
    let read = |v: &Value| {
        v.as_object().and_then(|o| rec.decode(o)).ok_or_else(|| shape(&format!("not a {name} of the model")))
    };
    Ok(Output::Json(if list {
        Value::Array(items.iter().map(read).collect::<Result<_>>()?)
    } else {
        match (items.first(), spec.answer_output()) {
            (Some(item), _) => read(item)?,
            (None, crate::ops::Output::Optional(_)) => Value::Null,
            (None, _) => return Err(shape(&format!("no {name}"))),
        }
    }))
}
