//! The request document and its form-encoded request.

use serde_json::{Map, Value};

use super::auth::auth;
use super::call::Call;
use crate::error::{Error, Result};
use crate::http::{form_encode, HttpRequest, FORM_CONTENT_TYPE};

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
    call: &Call,
    user: &str,
    password: &str,
    unix_secs: i64,
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
