//! Printing records: tables for people, JSON for scripts (the core's canonical serialization).

use std::io::Write;

use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;
use serde_json::Value;

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

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    // Fit a real terminal; never squeeze into a pseudo-terminal that reports no width.
    let fits = t.width().is_some_and(|w| w >= 40);
    t.set_content_arrangement(if fits { ContentArrangement::Dynamic } else { ContentArrangement::Disabled });
    t
}

/// A table with a header and rows.
pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> Result<()> {
    let mut t = new_table();
    t.set_header(header.iter().copied());
    for r in rows {
        t.add_row(r);
    }
    write_stdout(&format!("{t}\n"))
}

/// A two-column table of one record's fields.
pub fn fields(pairs: Vec<(&str, String)>) -> Result<()> {
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
        Some(v) => serde_json::to_string_pretty(v).unwrap_or_default(),
    }
}
