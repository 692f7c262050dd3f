//! The request document and its form-encoded request.

use super::auth::auth;
use super::call::Call;
use crate::error::{Error, Result};
use crate::http::{form_encode_bytes, HttpRequest, FORM_CONTENT_TYPE};

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
    let doc = document(user, auth, call, options)?;
    Ok(String::from_utf8(doc).expect("serde_json writes UTF-8"))
}

/// [`request_document`] as bytes, written in one buffer (no intermediate JSON tree).
fn document(user: &str, auth: &str, call: &Call, options: &RequestOptions) -> Result<Vec<u8>> {
    if user.trim().is_empty() {
        return Err(Error::config(&call.label(), "user must not be empty"));
    }
    let data = call.data()?;
    let mut out = Vec::with_capacity(96 + user.len() + auth.len() + options.cltrid.as_ref().map_or(0, String::len));
    let text = |out: &mut Vec<u8>, key: &str, value: &str| {
        out.extend_from_slice(key.as_bytes());
        serde_json::to_writer(&mut *out, value).expect("writing to memory");
    };
    text(&mut out, "{\"request\":{\"user\":", user);
    text(&mut out, ",\"auth\":", auth);
    text(&mut out, ",\"command\":", call.command());
    if let Some(d) = &data {
        out.extend_from_slice(b",\"data\":");
        serde_json::to_writer(&mut out, d).expect("writing to memory");
    }
    if let Some(id) = &options.cltrid {
        text(&mut out, ",\"clTRID\":", id);
    }
    if options.test {
        out.extend_from_slice(b",\"test\":1");
    }
    out.extend_from_slice(b"}}");
    Ok(out)
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
    let doc = document(user, &auth, call, options)?;
    Ok(HttpRequest {
        method: "POST".into(),
        url: base_url.trim_end_matches('/').to_owned(),
        headers: vec![("Accept".into(), "application/json".into()), ("Content-Type".into(), FORM_CONTENT_TYPE.into())],
        body: form_encode_bytes([("request", doc.as_slice())]),
    })
}
