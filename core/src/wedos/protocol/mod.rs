//! WEDOS WAPI protocol, sans-I/O: the Prague hour and `auth` ([`auth`]), the commands and their data ([`call`]),
//! the request document ([`request`]), the return codes ([`codes`]), and the parsing of answers and
//! notifications ([`response`]).
//!
//! Time is an argument (Unix seconds); the Europe/Prague rules are compiled into the binary (no host tz
//! database is read).

pub mod auth;
pub mod call;
pub mod codes;
pub mod request;
pub mod response;

pub use auth::{auth, auth_for_hour, password_hash, prague_hour, seconds_to_hour_boundary};
pub use call::{Call, Operation, TTL_RANGE};
pub use codes::{code_error, code_info};
pub use request::{build_request, request_document, RequestOptions};
pub use response::{
    parse_answer, parse_envelope, parse_generic, parse_notification, parse_notification_json, parse_response,
    parse_response_timed, Answer,
    Output,
};

/// The production JSON endpoint.
pub const DEFAULT_BASE_URL: &str = "https://api.wedos.com/wapi/json";

/// The plain-text body with which WAPI refuses a client over its rate limit.
pub const USER_AGENT_RATE_LIMIT_BODY: &str = "User-Agent Rate Limit";

/// The commands counted against the 100-per-hour domain availability limit.
pub const DOMAIN_LIMITED_COMMANDS: [&str; 3] = ["domain-check", "domain-create", "domain-transfer-check"];

/// The server's hourly limits.
pub const HOURLY_REQUEST_LIMIT: u32 = 1000;
pub const HOURLY_DOMAIN_CHECK_LIMIT: u32 = 100;

/// Whether `command` counts against the domain availability limit.
pub fn is_domain_limited(command: &str) -> bool {
    DOMAIN_LIMITED_COMMANDS.contains(&command)
}
