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
    pub const USAGE: u8 = 2;
    /// The core's error kinds exit with their fixed numbers (`ErrorKind::number`): 3 config, 4 authentication,
    /// 5 vServer credentials, 6 rate limited, 7 API, 8 transport, 9 protocol, 10 timeout.
    pub const CONFIG: u8 = hostapi::ErrorKind::Config.number();
    #[allow(dead_code)]
    pub const API: u8 = hostapi::ErrorKind::Api.number();
    /// Interrupted by Ctrl-C while a file was being written (nothing half-written is left).
    pub const INTERRUPTED: u8 = 130;
}

/// The exit code of a core error kind: the kind's fixed number (`ErrorKind::number`).
pub fn exit_code(kind: ErrorKind) -> u8 {
    kind.number()
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
