//! The `hostapi` command: the library's `run_main` with the process's arguments.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(hostapi_cli::run_main(std::env::args_os()))
}
