//! hostapi — clients for the Velneo Cloud API and WEDOS WAPI.
//!
//! The crate is layered the same way for both APIs:
//!
//! * `protocol` modules are sans-I/O: pure functions that build the exact HTTP request of an operation and parse
//!   the answer into a typed record or an [`Error`]. Time is passed in; nothing here opens a socket.
//! * `client` modules are async (tokio): they sign, send through the one [`transport`], retry and parse.
//! * [`Error`] is the one error type of every operation and every front end.

/// Runs a typed call on a client and takes the one result variant the call gives (a `Protocol` error naming the
/// operation for any other, which the protocol layer never gives): the typed methods of both clients.
macro_rules! run_typed {
    ($client:expr, $call:expr, $variant:path) => {{
        let call = $call;
        match $client.execute(&call).await? {
            $variant(v) => Ok(v),
            _ => Err($crate::error::Error::new($crate::error::ErrorKind::Protocol, call.label(), "unexpected result type")),
        }
    }};
}

mod account;
pub mod blocking;
pub mod error;
pub mod http;
mod json;
pub mod ops;
pub mod secret;
pub mod transport;
pub mod velneo;
pub mod wedos;

pub use error::{Detail, Error, ErrorKind};
pub use http::HttpRequest;
pub use secret::Secret;

/// The current time as integer Unix seconds (UTC).
pub fn unix_now() -> i64 {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    i64::try_from(secs).unwrap_or(i64::MAX)
}

/// SHA-1 of the concatenated `parts` as 40 lowercase hex digits, on the stack (both APIs sign with it).
pub(crate) fn sha1_hex(parts: &[&[u8]]) -> [u8; 40] {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    let mut out = [0u8; 40];
    hex::encode_to_slice(h.finalize(), &mut out).expect("40 hex digits");
    out
}

/// [`sha1_hex`]'s digits as text.
pub(crate) fn hex_text(hex: [u8; 40]) -> String {
    hex.iter().map(|&b| char::from(b)).collect()
}

/// The README's Rust examples, compiled (and, unless marked `no_run`, run) as doctests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// A boxed future that can move between threads: what the clients' tables of composite operations return.
pub(crate) type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
