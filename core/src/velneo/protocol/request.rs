//! The wire form of a call: the `params` JSON text and the form-encoded request.

use serde_json::{Map, Value};

use super::auth::sign_hex;
use super::call::{Call, Operation};
use crate::error::{Error, Result};
use crate::http::{form_encode_bytes, HttpRequest, FORM_CONTENT_TYPE};

/// Who signs a request: the account e-mail (login only) or the live session.
#[derive(Clone, Copy, Debug)]
pub enum Auth<'a> {
    Email(&'a str),
    Session(&'a str),
}

/// Wire options that do not change what a request means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WireOptions {
    /// Send the operation's verb as the HTTP method (`GET`, `PUT`, `DELETE`) instead of `POST`. The form body is
    /// the same either way. Off by default: the documented form is `POST` with the `method` field.
    pub http_verbs: bool,
}

/// The exact `params` JSON text of a call: mandatory fields first (`email` or `session`, `timestamp`,
/// `signed`), then the operation's parameters.
pub fn params_json(call: &Call, auth: Auth<'_>, api_key: &str, timestamp: i64) -> Result<String> {
    Ok(String::from_utf8(params(call, auth, api_key, timestamp)?).expect("serde_json writes UTF-8"))
}

/// [`params_json`] as bytes, written in one buffer (no intermediate JSON tree).
fn params(call: &Call, auth: Auth<'_>, api_key: &str, timestamp: i64) -> Result<Vec<u8>> {
    let op = call.operation();
    let (key, subject) = match (op, auth) {
        (Operation::Login, Auth::Email(e)) => ("email", e),
        (Operation::Login, Auth::Session(_)) => {
            return Err(Error::config(op.label(), "the login call is signed with the e-mail, not a session"))
        }
        (_, Auth::Session(s)) => ("session", s),
        (_, Auth::Email(_)) => {
            return Err(Error::config(op.label(), "this call is signed with a session, not the e-mail"))
        }
    };
    if subject.is_empty() {
        return Err(Error::config(op.label(), format!("{key} must not be empty")));
    }
    let params = call.parameters()?;
    let signed = sign_hex(subject, timestamp, api_key);
    if [key, "timestamp", "signed"].iter().any(|k| params.contains_key(*k)) {
        // A parameter of the same name as a mandatory field takes its value in its place, as in a JSON object.
        let mut m = Map::with_capacity(params.len() + 3);
        m.insert(key.into(), Value::String(subject.to_owned()));
        m.insert("timestamp".into(), Value::from(timestamp));
        m.insert("signed".into(), Value::String(crate::hex_text(signed)));
        m.extend(params);
        return Ok(Value::Object(m).to_string().into_bytes());
    }
    let mut out = Vec::with_capacity(80 + subject.len());
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    json(&mut out, subject);
    out.extend_from_slice(b",\"timestamp\":");
    out.extend_from_slice(itoa::Buffer::new().format(timestamp).as_bytes());
    out.extend_from_slice(b",\"signed\":\"");
    out.extend_from_slice(&signed);
    out.push(b'"');
    for (k, v) in &params {
        out.push(b',');
        json(&mut out, k.as_str());
        out.push(b':');
        json(&mut out, v);
    }
    out.push(b'}');
    Ok(out)
}

/// `v` written as compact JSON at the end of `out`.
fn json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    serde_json::to_writer(out, v).expect("writing JSON to memory");
}

/// Builds the exact HTTP request of `call`. `base_url` is the API root with its version
/// (`https://cloudapi.velneo.com/v1`); `timestamp` is the current UTC time in Unix seconds.
pub fn build_request(
    base_url: &str,
    call: &Call,
    auth: Auth<'_>,
    api_key: &str,
    timestamp: i64,
    options: WireOptions,
) -> Result<HttpRequest> {
    let op = call.operation();
    let params = params(call, auth, api_key, timestamp)?;
    let verb = op.verb().as_str();
    let base = base_url.trim_end_matches('/');
    let resource = op.resource();
    let mut url = String::with_capacity(base.len() + 1 + resource.len());
    url.push_str(base);
    url.push('/');
    url.push_str(resource);
    Ok(HttpRequest {
        method: if options.http_verbs { verb } else { "POST" }.to_owned(),
        url,
        headers: vec![("Accept".into(), "application/json".into()), ("Content-Type".into(), FORM_CONTENT_TYPE.into())],
        body: form_encode_bytes([("method", verb.as_bytes()), ("params", params.as_slice())]),
    })
}
