//! The request signature.

use sha1::{Digest, Sha1};

/// `signed = sha1(subject + timestamp + api_key)`, lowercase hex. `subject` is the e-mail for the login call and
/// the session id for every other call; `timestamp` enters as its decimal digits.
pub fn sign(subject: &str, timestamp: i64, api_key: &str) -> String {
    let mut h = Sha1::new();
    h.update(subject.as_bytes());
    h.update(timestamp.to_string().as_bytes());
    h.update(api_key.as_bytes());
    hex::encode(h.finalize())
}
