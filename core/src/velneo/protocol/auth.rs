//! The request signature.

use sha1::{Digest, Sha1};

/// `signed = sha1(subject + timestamp + api_key)`, lowercase hex. `subject` is the e-mail for the login call and
/// the session id for every other call; `timestamp` enters as its decimal digits.
pub fn sign(subject: &str, timestamp: i64, api_key: &str) -> String {
    sign_hex(subject, timestamp, api_key).iter().map(|&b| char::from(b)).collect()
}

/// [`sign`] on the stack.
pub(crate) fn sign_hex(subject: &str, timestamp: i64, api_key: &str) -> [u8; 40] {
    let mut h = Sha1::new();
    h.update(subject.as_bytes());
    h.update(itoa::Buffer::new().format(timestamp).as_bytes());
    h.update(api_key.as_bytes());
    let mut out = [0u8; 40];
    hex::encode_to_slice(h.finalize(), &mut out).expect("40 hex digits");
    out
}
