//! The command's failures and their exit codes (documented in `--help` and the README).

use std::fmt;

use hostapi::ErrorKind;

/// Exit codes, distinct per kind of failure.
pub mod code {
    /// Success.
    pub const OK: u8 = 0;
    /// A local failure: cannot write a file, bind the emulator's port, wait for a signal.
    pub const LOCAL: u8 = 1;
    /// Usage error: unknown subcommand or flag, missing argument (clap's own code).
    #[allow(dead_code)]
    pub const USAGE: u8 = 2;
    /// Configuration: missing credentials, invalid setting or argument, caught before anything is sent.
    pub const CONFIG: u8 = 3;
    /// Authentication: Velneo e-mail/API key refused; WEDOS user/password/IP refused (2050, 2051).
    pub const AUTHENTICATION: u8 = 4;
    /// Velneo: the stored vServer credentials are wrong (`{"error": "Invalid user/password"}`).
    pub const VSERVER_CREDENTIALS: u8 = 5;
    /// Rate limited: WEDOS hourly limits, IP block, or the client's own budget.
    pub const RATE_LIMITED: u8 = 6;
    /// Any other error the API reported (e.g. a missing group, a stopped vServer).
    pub const API: u8 = 7;
    /// Transport failure or timeout: connection refused, TLS, no answer in time.
    pub const TRANSPORT: u8 = 8;
    /// Protocol: the answer is not what the protocol allows (not JSON, wrong shape).
    pub const PROTOCOL: u8 = 9;
    /// Interrupted by Ctrl-C while a file was being written (nothing half-written is left).
    pub const INTERRUPTED: u8 = 130;
}

/// The exit code of a core error kind.
pub fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Config => code::CONFIG,
        ErrorKind::Authentication => code::AUTHENTICATION,
        ErrorKind::VServerCredentials => code::VSERVER_CREDENTIALS,
        ErrorKind::RateLimited => code::RATE_LIMITED,
        ErrorKind::Api => code::API,
        ErrorKind::Transport | ErrorKind::Timeout => code::TRANSPORT,
        ErrorKind::Protocol => code::PROTOCOL,
        _ => code::LOCAL,
    }
}

/// A failure of the command: one line for stderr and an exit code. Messages never contain a secret.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        CliError { code, message: message.into() }
    }

    /// Invalid settings or arguments of `operation` (exit 3).
    pub fn config(operation: &str, message: impl fmt::Display) -> Self {
        CliError::new(code::CONFIG, format!("{operation}: {message}"))
    }

    /// A local I/O failure of `operation` (exit 1).
    pub fn local(operation: &str, message: impl fmt::Display) -> Self {
        CliError::new(code::LOCAL, format!("{operation}: {message}"))
    }
}

impl From<hostapi::Error> for CliError {
    fn from(e: hostapi::Error) -> Self {
        // The core's Display names the operation and never holds a secret; the body excerpt of a protocol
        // error is left out (it could hold a session id).
        let message = e.to_string();
        CliError { code: exit_code(e.kind()), message: one_line(&message) }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Collapses line breaks so that an error is one line on stderr.
pub fn one_line(s: &str) -> String {
    s.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

pub type Result<T, E = CliError> = std::result::Result<T, E>;
