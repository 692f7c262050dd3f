//! The request signature.

/// `signed = sha1(subject + timestamp + api_key)`, lowercase hex. `subject` is the e-mail for the login call and
/// the session id for every other call; `timestamp` enters as its decimal digits.
pub fn sign(subject: &str, timestamp: i64, api_key: &str) -> String {
    crate::hex_text(sign_hex(subject, timestamp, api_key))
}

/// [`sign`] on the stack.
pub(crate) fn sign_hex(subject: &str, timestamp: i64, api_key: &str) -> [u8; 40] {
    crate::sha1_hex(&[subject.as_bytes(), itoa::Buffer::new().format(timestamp).as_bytes(), api_key.as_bytes()])
}
