//! Velneo Cloud API protocol, sans-I/O: build the exact request of an operation, parse its answer.
//!
//! Nothing here performs I/O or reads the clock: the timestamp is an argument. A user with their own HTTP stack
//! calls [`build_request`], sends the [`HttpRequest`](crate::HttpRequest) it returns, and hands the status and body
//! to [`parse_response`]. The module is split by concern: [`sign`](auth) (the signature), [`call`] (operations and
//! their arguments), [`request`] (the wire form), [`response`] (answers, errors and records).

pub mod auth;
pub mod call;
pub mod request;
pub mod response;

pub use auth::sign;
pub use call::{Call, Operation, Verb};
pub use request::{build_request, params_json, Auth, WireOptions};
pub use response::{parse_response, Output};

/// The production base URL (version included).
pub const DEFAULT_BASE_URL: &str = "https://cloudapi.velneo.com/v1";

/// The `error` text with which the API reports wrong vServer credentials.
pub const INVALID_CREDENTIALS_ERROR: &str = "Invalid user/password";
