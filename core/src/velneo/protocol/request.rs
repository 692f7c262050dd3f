//! The wire form of a call: the `params` JSON text and the form-encoded request.

use serde_json::{Map, Value};

use super::auth::sign;
use super::call::{Call, Operation};
use crate::error::{Error, Result};
use crate::http::{form_encode, HttpRequest, FORM_CONTENT_TYPE};

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
    let mut m = Map::with_capacity(params.len() + 3);
    m.insert(key.into(), Value::String(subject.to_owned()));
    m.insert("timestamp".into(), Value::from(timestamp));
    m.insert("signed".into(), Value::String(sign(subject, timestamp, api_key)));
    m.extend(params);
    Ok(Value::Object(m).to_string())
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
    let params = params_json(call, auth, api_key, timestamp)?;
    let verb = op.verb().as_str();
    Ok(HttpRequest {
        method: if options.http_verbs { verb } else { "POST" }.to_owned(),
        url: format!("{}/{}", base_url.trim_end_matches('/'), op.resource()),
        headers: vec![("Accept".into(), "application/json".into()), ("Content-Type".into(), FORM_CONTENT_TYPE.into())],
        body: form_encode([("method", verb), ("params", params.as_str())]),
    })
}
