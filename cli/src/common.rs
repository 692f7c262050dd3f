//! What every API subcommand shares: transport settings, secrets from standard input, progress on a terminal.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use hostapi::Secret;
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::GlobalOpts;
use crate::error::{CliError, Result};
use crate::output::Out;

/// The context of one run.
pub struct Ctx {
    pub out: Out,
    stdin_used: Option<&'static str>,
}

impl Ctx {
    pub fn new(global: GlobalOpts) -> Self {
        let json = global.json || global.format.as_deref() == Some("json");
        let form = match global.format.as_deref() {
            Some("table") => crate::output::Form::Table,
            Some("tsv") => crate::output::Form::Tsv,
            _ => crate::output::Form::detect(),
        };
        crate::output::set_form(form, !global.no_headers);
        let out = Out { json };
        Ctx { out, stdin_used: None }
    }

    /// The client options of an API subcommand: the settings given as flags, the environment read first
    /// (flags win), the secret read from standard input when asked for, and the command's User-Agent.
    pub fn client_options(
        &mut self,
        mut options: serde_json::Map<String, serde_json::Value>,
        build_op: &str,
        stdin_secret: Option<(&'static str, &'static str)>,
    ) -> Result<serde_json::Value> {
        if let Some((setting, what)) = stdin_secret {
            let secret = self.secret_from_stdin(build_op, what)?;
            options.insert(setting.into(), secret.expose().into());
        }
        if options.get("verify") == Some(&serde_json::Value::Bool(false)) {
            eprintln!(
                "warning: --no-verify: TLS certificate verification is OFF; the connection can be read and changed"
            );
        }
        options.insert("from_env".into(), true.into());
        options.entry("user_agent").or_insert_with(|| crate::user_agent().into());
        Ok(serde_json::Value::Object(options))
    }

    /// Reads a secret from standard input, once per run: a prompt without echo on a terminal, else everything
    /// up to the end (one trailing line break removed).
    pub fn secret_from_stdin(&mut self, operation: &str, what: &'static str) -> Result<Secret> {
        if let Some(first) = self.stdin_used {
            return Err(CliError::config(
                operation,
                format!("both the {first} and the {what} are to be read from standard input; only one can be"),
            ));
        }
        self.stdin_used = Some(what);
        let value = if std::io::stdin().is_terminal() {
            rpassword::prompt_password(format!("{what}: "))
                .map_err(|e| CliError::config(operation, format!("cannot read the {what} from the terminal: {e}")))?
        } else {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| CliError::config(operation, format!("cannot read the {what} from standard input: {e}")))?;
            let trimmed = s.strip_suffix('\n').unwrap_or(&s);
            let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
            trimmed.to_owned()
        };
        if value.is_empty() {
            return Err(CliError::config(operation, format!("the {what} read from standard input is empty")));
        }
        Ok(Secret::new(value))
    }
}

/// Whether progress indicators may be drawn (stderr is a terminal).
pub fn progress_allowed() -> bool {
    std::io::stderr().is_terminal()
}

/// A spinner with `message` on a terminal; a hidden one otherwise.
pub fn spinner(message: String) -> ProgressBar {
    if !progress_allowed() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(message);
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// A byte progress bar (length set once known) on a terminal; a hidden one otherwise.
pub fn byte_bar(message: String) -> ProgressBar {
    if !progress_allowed() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {bytes} ({bytes_per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(message);
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// Switches `pb` to a bar once the total is known.
pub fn set_total(pb: &ProgressBar, total: u64) {
    if pb.is_hidden() || pb.length() == Some(total) {
        return;
    }
    pb.set_length(total);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
}

/// Ctrl-C and (on Unix) SIGTERM.
pub(crate) struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    pub(crate) fn new(op: &str) -> Result<Self> {
        #[cfg(unix)]
        {
            let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .map_err(|e| CliError::local(op, format!("cannot listen for SIGTERM: {e}")))?;
            Ok(Signals { term })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {})
        }
    }

    pub(crate) async fn wait(mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => "interrupted",
                _ = self.term.recv() => "terminated",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "interrupted"
        }
    }
}
