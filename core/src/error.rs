//! The one error model of hostapi: every kind, its fixed number and stable code (the README's "Errors" table).

use std::fmt;
use std::time::Duration;

/// What kind of failure an [`Error`] is. Every front end maps these one to one (Python classes, Node `code`
/// strings, C status numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Invalid client settings or arguments, caught before anything is sent.
    Config,
    /// Connection, TLS or I/O failure, or the service unavailable (HTTP 5xx after the retries; `http_status` says
    /// which). A write that may have been applied says so (`may_have_applied`).
    Transport,
    /// No answer within the configured time.
    Timeout,
    /// The answer is not what the protocol allows (not JSON, wrong shape).
    Protocol,
    /// The credentials were refused (Velneo 401 after one re-login; WEDOS 2050, 2051).
    Authentication,
    /// A request budget is exhausted (the server's or the client's own).
    RateLimited,
    /// Velneo: the vServer credentials stored with `vserver().set_credentials` are wrong.
    VServerCredentials,
    /// Any other error the API reports.
    Api,
}

impl ErrorKind {
    /// The stable name of the kind: `"Config"`, `"Transport"`, … (used in test vectors and bindings).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Config => "Config",
            ErrorKind::Transport => "Transport",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::Protocol => "Protocol",
            ErrorKind::Authentication => "Authentication",
            ErrorKind::RateLimited => "RateLimited",
            ErrorKind::VServerCredentials => "VServerCredentials",
            ErrorKind::Api => "Api",
        }
    }

    /// The kind's fixed number. It never changes: C statuses (`HOSTAPI_CONFIG` = 3, …) and the exit codes of the
    /// `hostapi` command are these numbers. 0 is success, 1 a local failure and 2 a usage error of the command.
    pub const fn number(self) -> u8 {
        match self {
            ErrorKind::Config => 3,
            ErrorKind::Authentication => 4,
            ErrorKind::VServerCredentials => 5,
            ErrorKind::RateLimited => 6,
            ErrorKind::Api => 7,
            ErrorKind::Transport => 8,
            ErrorKind::Protocol => 9,
            ErrorKind::Timeout => 10,
        }
    }

    /// The kind's stable string code: `HOSTAPI_CONFIG`, … (Node `error.code`, Python `Error.error_code`, the
    /// names of the C statuses).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Config => "HOSTAPI_CONFIG",
            ErrorKind::Transport => "HOSTAPI_TRANSPORT",
            ErrorKind::Timeout => "HOSTAPI_TIMEOUT",
            ErrorKind::Protocol => "HOSTAPI_PROTOCOL",
            ErrorKind::Authentication => "HOSTAPI_AUTHENTICATION",
            ErrorKind::RateLimited => "HOSTAPI_RATE_LIMITED",
            ErrorKind::VServerCredentials => "HOSTAPI_VSERVER_CREDENTIALS",
            ErrorKind::Api => "HOSTAPI_API",
        }
    }

    /// One line on when the kind is raised.
    pub fn doc(self) -> &'static str {
        match self {
            ErrorKind::Config => "invalid client settings or arguments, caught before anything is sent",
            ErrorKind::Transport => {
                "connection, TLS or I/O failure, or the service unavailable (HTTP 5xx after the retries)"
            }
            ErrorKind::Timeout => "no answer within the configured time",
            ErrorKind::Protocol => "the answer is not what the protocol allows (not JSON, wrong shape)",
            ErrorKind::Authentication => {
                "the credentials were refused (Velneo 401 after one re-login; WEDOS 2050, 2051)"
            }
            ErrorKind::RateLimited => {
                "a request budget is spent (the server's or the client's own); says when to retry"
            }
            ErrorKind::VServerCredentials => "Velneo: the stored vServer supervisor credentials are wrong",
            ErrorKind::Api => "any other error the API reports (Velneo status_code, WEDOS code)",
        }
    }

    /// The kind with this fixed number.
    pub fn from_number(n: u8) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.number() == n)
    }

    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::Config,
        ErrorKind::Transport,
        ErrorKind::Timeout,
        ErrorKind::Protocol,
        ErrorKind::Authentication,
        ErrorKind::RateLimited,
        ErrorKind::VServerCredentials,
        ErrorKind::Api,
    ];
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error of any hostapi operation. It names the operation (`velneo users.get`), says what went wrong, and
/// never contains a secret: messages are built from operation names, server answers and our own text only.
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
    operation: String,
    message: String,
    http_status: Option<u16>,
    code: Option<i64>,
    retry_after: Option<Duration>,
    body: Option<String>,
    may_have_applied: bool,
    detail: Option<Box<Detail>>,
}

/// What a configuration error is about, in a form a front end can read instead of the message text (the
/// command names its own flag for a setting).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detail {
    /// A required client setting was not given (`user`, `password`, `email`, `api_key`).
    MissingSetting(&'static str),
    /// A client setting's value is not valid.
    InvalidSetting(String),
}

/// How many characters of an unexpected body an error keeps.
pub const BODY_EXCERPT_CHARS: usize = 200;

impl Error {
    pub fn new(kind: ErrorKind, operation: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            kind,
            operation: operation.into(),
            message: message.into(),
            http_status: None,
            code: None,
            retry_after: None,
            body: None,
            may_have_applied: false,
            detail: None,
        }
    }

    pub fn config(operation: impl Into<String>, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, operation, message)
    }

    /// A protocol error that keeps the HTTP status and the start of the body.
    pub fn protocol(operation: impl Into<String>, message: impl Into<String>, http_status: u16, body: &[u8]) -> Self {
        Error::new(ErrorKind::Protocol, operation, message).with_http_status(http_status).with_body(body)
    }

    pub fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub fn with_code(mut self, code: i64) -> Self {
        self.code = Some(code);
        self
    }

    pub fn with_retry_after(mut self, after: Duration) -> Self {
        self.retry_after = Some(after);
        self
    }

    /// The same error with another message.
    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Marks a failed write whose request may have reached the server and been applied (a timeout, a dropped
    /// connection or an HTTP 5xx after the request was sent): it was not retried, and the caller should look
    /// before writing again.
    pub fn with_may_have_applied(mut self) -> Self {
        self.may_have_applied = true;
        self
    }

    /// Whether this failed write may have been applied on the server (see [`Error::with_may_have_applied`]).
    pub fn may_have_applied(&self) -> bool {
        self.may_have_applied
    }

    /// The same error with what it is about (see [`Detail`]).
    pub fn with_detail(mut self, detail: Detail) -> Self {
        self.detail = Some(Box::new(detail));
        self
    }

    /// What a configuration error is about, when the core knows it.
    pub fn detail(&self) -> Option<&Detail> {
        self.detail.as_deref()
    }

    pub fn with_body(mut self, body: &[u8]) -> Self {
        self.body = Some(excerpt(body, BODY_EXCERPT_CHARS));
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The operation that failed, e.g. `velneo users.get`.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// What went wrong, without the operation prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// The API's own code: Velneo `status_code`, WEDOS `code`.
    pub fn code(&self) -> Option<i64> {
        self.code
    }

    /// For [`ErrorKind::RateLimited`]: how long to wait before trying again, when known.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// For [`ErrorKind::Protocol`]: the start of the unexpected body.
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }

    /// Whether the transport may retry the request that failed this way: a transport failure or a timeout.
    /// An answer that could not be used (`Protocol`, an oversized one included) is not fetched again.
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, ErrorKind::Transport | ErrorKind::Timeout)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.operation, self.message)?;
        match (self.code, self.http_status) {
            (Some(c), Some(h)) => write!(f, " (code {c}, HTTP {h})"),
            (Some(c), None) => write!(f, " (code {c})"),
            (None, Some(h)) => write!(f, " (HTTP {h})"),
            (None, None) => Ok(()),
        }?;
        if let Some(after) = self.retry_after {
            write!(f, "; retry after {}", words(after))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The first `max_chars` characters of `body` (lossy UTF-8), whitespace runs collapsed, `…` when cut.
pub fn excerpt(body: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = collapsed.chars().take(max_chars).collect();
    if collapsed.chars().count() > max_chars {
        out.push('…');
    }
    out
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A duration in the unit that fits, for messages: `30 ms`, `2.5s`, `45s`, `3657.8s` (never `0.0s`).
pub fn words(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 1.0 {
        format!("{} ms", d.as_millis())
    } else if secs < 10.0 || secs.fract() >= 0.05 {
        format!("{secs:.1}s")
    } else {
        format!("{secs:.0}s")
    }
}


#[cfg(test)]
mod words_tests {
    use super::words;
    use std::time::Duration;

    #[test]
    fn durations_in_the_unit_that_fits() {
        assert_eq!(words(Duration::from_millis(30)), "30 ms");
        assert_eq!(words(Duration::from_millis(2500)), "2.5s");
        assert_eq!(words(Duration::from_secs(45)), "45s");
        assert_eq!(words(Duration::from_millis(3_657_800)), "3657.8s");
    }
}
