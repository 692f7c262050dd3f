//! `hostapi` — the Velneo Cloud API and WEDOS WAPI from the shell, and a local emulator of both.
//!
//! The command converts flags into the core's typed calls and prints the records; every protocol detail lives
//! in the `hostapi` crate. Exit codes: see `error::code` and `hostapi --help`. The whole command is a library
//! function ([`run_main`]), so the Python wheel ships it too (`hostapi` console script, `python -m hostapi`).

mod args;
mod common;
mod emulator_cmd;
mod error;
mod gateway;
#[cfg(feature = "fuzzing")]
pub use gateway::fuzzing;
mod model_cmds;
mod output;
mod serve;
mod settings;
mod velneo_cmd;
mod wedos_cmd;

use std::ffi::OsString;

use clap::{CommandFactory, FromArgMatches};

use crate::args::{Cli, Command, GlobalOpts};
use crate::common::Ctx;
use crate::error::{code, CliError, Result};

/// Installs the logger on stderr (never a secret is logged). The level: `--log-level`, else `-v` (DEBUG: requests,
/// retries, waits) / `-vv` (TRACE), else the `RUST_LOG` filter (`debug`, `hostapi=debug,hyper=info`, …), else
/// `warn` — so warnings of the core and of `hostapi emulator` (a state file it cannot write, …) are shown.
fn install_logger(verbosity: u8, level: Option<&str>) {
    use tracing_subscriber::EnvFilter;
    let filter = match (level, verbosity) {
        (Some(l), _) => EnvFilter::new(l),
        (None, 1) => EnvFilter::new("debug"),
        (None, v) if v > 1 => EnvFilter::new("trace"),
        (None, _) => EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("warn")),
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_target(true)
        .with_ansi(false)
        .try_init();
}

/// The User-Agent of the command's requests.
pub fn user_agent() -> String {
    format!("hostapi-cli/{} ({})", env!("CARGO_PKG_VERSION"), hostapi::transport::USER_AGENT)
}

/// Runs the command with `args` (the first one is the program's name) and returns its exit code. Usage errors
/// exit with clap's code 2; `--help` and `--version` with 0.
pub fn run_main<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let usage = |e: clap::Error| {
        let _ = e.print();
        u8::try_from(e.exit_code()).unwrap_or(code::USAGE)
    };
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => return usage(e),
    };
    // A request of the model without a subcommand of its own, or the command tree's own subcommands.
    let job = match model_cmds::find(&matches) {
        Some((spec, m)) => GlobalOpts::from_arg_matches(&matches).map(|g| (g, Job::Model(spec, m))),
        None => Cli::from_arg_matches(&matches).map(|cli| (cli.global, Job::Cli(cli.command))),
    };
    let (global, job) = match job {
        Ok(j) => j,
        Err(e) => return usage(e.format(&mut command())),
    };
    install_logger(global.verbose.max(u8::from(global.debug)), global.log_level.as_deref());
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return code::LOCAL;
        }
    };
    let result = runtime.block_on(run(global, job, &matches));
    // Nothing in flight matters once the command has its result (e.g. a pending Ctrl-C listener).
    runtime.shutdown_background();
    match result {
        Ok(()) => code::OK,
        Err(e) => {
            eprintln!("error: {e}");
            e.code
        }
    }
}

/// The whole command tree: the derived subcommands, and one per request of the model without one of its own.
fn command() -> clap::Command {
    model_cmds::augment(Cli::command())
}

/// What a run does.
enum Job<'m> {
    Cli(Command),
    /// A request of the model run from its own subcommand's matches.
    Model(&'static hostapi::ops::OpSpec, &'m clap::ArgMatches),
}

async fn run(global: GlobalOpts, job: Job<'_>, matches: &clap::ArgMatches) -> Result<()> {
    let mut ctx = Ctx::new(global);
    let cmd = match job {
        Job::Model(spec, m) => {
            let wedos = matches.subcommand_matches("wedos").ok_or_else(|| CliError::config("wedos", "no wedos"))?;
            return wedos_cmd::run_model(&mut ctx, wedos, spec, m).await;
        }
        Job::Cli(cmd) => cmd,
    };
    match cmd {
        Command::Velneo(cmd) => velneo_cmd::run(&mut ctx, cmd).await,
        Command::Wedos(cmd) => wedos_cmd::run(&mut ctx, cmd).await,
        Command::Emulator(args) => emulator_cmd::run(&ctx, args).await,
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut command(), "hostapi", &mut buf);
            output::write_stdout(&String::from_utf8_lossy(&buf)).map_err(|e| CliError::local("completions", e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostapi::ErrorKind;

    #[test]
    fn the_command_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exit_codes_are_distinct_per_kind() {
        let mut seen = std::collections::HashMap::new();
        for kind in ErrorKind::ALL {
            let c = error::exit_code(kind);
            assert!((3..=10).contains(&c), "{kind}: {c}");
            assert_eq!(c, kind.number(), "the exit code is the kind's fixed number");
            assert_eq!(seen.insert(c, kind), None, "{kind} shares exit code {c}");
        }
        assert_eq!(error::exit_code(ErrorKind::Timeout), 10);
        let e: CliError = hostapi::Error::new(ErrorKind::Api, "velneo groups.get", "no\nsuch group").into();
        assert_eq!(e.code, code::API);
        assert_eq!(e.message, "velneo groups.get: no such group");
    }

    #[test]
    fn seconds_and_flag_pairs() {
        use std::time::Duration;
        assert_eq!(args::parse_secs("1.5").unwrap(), Duration::from_millis(1500));
        assert!(args::parse_secs("-1").is_err());
        assert!(args::parse_secs("NaN").is_err());
        assert!(args::parse_secs("soon").is_err());
        assert_eq!(args::tri(true, false), Some(true));
        assert_eq!(args::tri(false, true), Some(false));
        assert_eq!(args::tri(false, false), None);
    }
}
