//! The HTTP request value that the sans-I/O protocol layers produce.

use serde::Serialize;

/// One HTTP request, fully built: what a protocol module hands to a transport (ours or the caller's own).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct HttpRequest {
    /// `POST`, `GET`, `PUT` or `DELETE`.
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The `application/x-www-form-urlencoded` body, UTF-8.
    pub body: String,
}

impl std::fmt::Debug for HttpRequest {
    // The body carries signatures and, for some operations, passwords: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// Encodes `pairs` as an `application/x-www-form-urlencoded` body (the WHATWG serializer: space as `+`,
/// every byte but ASCII alphanumerics and `*-._` percent-encoded).
pub fn form_encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// [`form_encode`] of byte values (a JSON document written as bytes), into a buffer sized once.
pub(crate) fn form_encode_bytes<const N: usize>(pairs: [(&str, &[u8]); N]) -> String {
    // Most bytes of a JSON document are encoded as themselves; quotes, colons, commas and braces take three.
    let capacity = pairs.iter().map(|(k, v)| k.len() + 2 + v.len() * 2).sum();
    let mut s = String::with_capacity(capacity);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            s.push('&');
        }
        s.extend(form_urlencoded::byte_serialize(k.as_bytes()));
        s.push('=');
        s.extend(form_urlencoded::byte_serialize(v));
    }
    s
}

pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
