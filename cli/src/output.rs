//! Printing records: tables for people, JSON for scripts (the core's canonical serialization).

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;
use serde_json::Value;

use hostapi::wedos::Notification;

use crate::error::{CliError, Result};

/// Where results go and in which form.
#[derive(Clone, Copy, Debug)]
pub struct Out {
    pub json: bool,
}

impl Out {
    /// Prints `value` as one pretty JSON document.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let v = serde_json::to_value(value).map_err(|e| CliError::local("output", e))?;
        let text = serde_json::to_string_pretty(&v).map_err(|e| CliError::local("output", e))?;
        write_stdout(&format!("{text}\n"))
    }

    /// Prints `value` as one compact JSON line (JSON Lines, for streams).
    pub fn json_line<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string(value).map_err(|e| CliError::local("output", e))?;
        write_stdout(&format!("{text}\n"))
    }
}

/// Writes to stdout; a closed pipe (`| head`) ends the output quietly.
pub fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::local("output", e)),
    }
}

/// How records are printed when not as JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Box-drawn tables, for a terminal.
    Table,
    /// Tab-separated lines, for pipes and scripts.
    Tsv,
}

impl Form {
    /// Tables on a terminal (unless `TERM=dumb`), tab-separated lines otherwise.
    pub fn detect() -> Form {
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        if std::io::stdout().is_terminal() && !dumb {
            Form::Table
        } else {
            Form::Tsv
        }
    }
}

static FORM: OnceLock<(Form, bool)> = OnceLock::new();

/// Sets the form of the non-JSON output and whether headers are printed (once, at start).
pub fn set_form(form: Form, headers: bool) {
    let _ = FORM.set((form, headers));
}

fn form() -> (Form, bool) {
    *FORM.get_or_init(|| (Form::detect(), true))
}

/// A cell for a tab-separated line: tabs and line breaks become spaces.
fn tsv_cell(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    // Fit a real terminal; never squeeze into a pseudo-terminal that reports no width.
    let fits = t.width().is_some_and(|w| w >= 40);
    t.set_content_arrangement(if fits { ContentArrangement::Dynamic } else { ContentArrangement::Disabled });
    t
}

/// A table with a header and rows (tab-separated lines when not on a terminal).
pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> Result<()> {
    let (form, headers) = form();
    if form == Form::Tsv {
        let mut text = String::new();
        if headers {
            text.push_str(&header.join("\t"));
            text.push('\n');
        }
        for r in rows {
            text.push_str(&r.iter().map(|c| tsv_cell(c)).collect::<Vec<_>>().join("\t"));
            text.push('\n');
        }
        return write_stdout(&text);
    }
    let mut t = new_table();
    if headers {
        t.set_header(header.iter().copied());
    }
    for r in rows {
        t.add_row(r);
    }
    write_stdout(&format!("{t}\n"))
}

/// A two-column table of one record's fields (`key<TAB>value` lines when not on a terminal).
pub fn fields(pairs: Vec<(&str, String)>) -> Result<()> {
    if form().0 == Form::Tsv {
        let text: String = pairs.iter().map(|(k, v)| format!("{k}\t{}\n", tsv_cell(v))).collect();
        return write_stdout(&text);
    }
    let mut t = new_table();
    for (k, v) in pairs {
        t.add_row(vec![k.to_owned(), v]);
    }
    write_stdout(&format!("{t}\n"))
}

/// A text cell for an optional value: empty when absent.
pub fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// `yes`/`no`/empty for an optional flag.
pub fn yn(v: Option<bool>) -> String {
    match v {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

/// Compact JSON for a data cell; empty when absent.
pub fn json_cell(v: &Option<Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(v) => serde_json::to_string(v).unwrap_or_default(),
    }
}

/// Prints a notification as `notifications watch` and `serve` do (JSON Lines, or one tab-separated line).
pub(crate) fn print_notification_line(out: &Out, n: &Notification, header_done: &mut bool) -> Result<()> {
    write_stdout(&notification_line(out, n, header_done)?)
}

/// The text [`print_notification_line`] prints (the header before the first line).
pub(crate) fn notification_line(out: &Out, n: &Notification, header_done: &mut bool) -> Result<String> {
    if out.json {
        let text = serde_json::to_string(n).map_err(|e| CliError::local("output", e))?;
        return Ok(format!("{text}\n"));
    }
    let mut text = String::new();
    if !*header_done {
        text.push_str("ID\tCODE\tCOMMAND\tSVTRID\tRESULT\tDATA\n");
        *header_done = true;
    }
    let data = n.data.as_ref().map(|d| d.to_string()).unwrap_or_default();
    text.push_str(&format!(
        "{}\t{}\t{}\t{}\t{}\t{}\n",
        opt(&n.id),
        n.code,
        opt(&n.command),
        opt(&n.svtrid),
        n.result,
        data
    ));
    Ok(text)
}
