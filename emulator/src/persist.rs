//! The state file: both halves' state as one JSON document, loaded at start and rewritten atomically (a temporary
//! file in the same directory, fsync, rename) after every change.
//!
//! Persisted: Velneo accounts (content, sessions, login counters, instance counters), WEDOS accounts (content, DNS
//! working copies and published rows, POLL queues, hourly windows, answer counts), the WEDOS IP records and id
//! counters. Not persisted: the clock offset, faults, the armed user-agent limit, Velneo backups, and the
//! limits of the configuration (they always come from the configuration). The file holds the accounts' secrets;
//! keep it private.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;
use serde_json::{json, Value};

use crate::velneo::state::Account as VelneoAccount;
use crate::wedos::WedosState;

/// The `format` member of a state file.
pub(crate) const FORMAT: &str = "hostapi-emulator-state/1";

#[derive(Deserialize)]
pub(crate) struct StateFile {
    pub(crate) format: String,
    pub(crate) velneo: Vec<VelneoAccount>,
    pub(crate) wedos: WedosState,
}

/// Reads a state file; `Ok(None)` when it does not exist.
pub(crate) fn load(path: &Path) -> std::io::Result<Option<StateFile>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let invalid = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
    let file: StateFile = serde_json::from_slice(&bytes)
        .map_err(|e| invalid(format!("state file {} is not a valid state: {e}", path.display())))?;
    if file.format != FORMAT {
        return Err(invalid(format!(
            "state file {} has format {:?}, expected {FORMAT:?}",
            path.display(),
            file.format
        )));
    }
    Ok(Some(file))
}

/// The document written to the state file.
pub(crate) fn document(velneo: Value, wedos: Value) -> Value {
    json!({"format": FORMAT, "velneo": velneo, "wedos": wedos})
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename, then fsync of the directory
/// (best effort).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "state".into());
    let tmp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed)));
    let result = (|| {
        // The file holds the accounts' secrets: readable by its owner only.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes the temporary files a killed writer left beside `path` (`.NAME.<pid>.<n>.tmp`).
pub(crate) fn remove_stale_temporaries(path: &Path) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else { return };
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        if file.starts_with(&prefix) && file.ends_with(".tmp") {
            match std::fs::remove_file(e.path()) {
                Ok(()) => {
                    tracing::info!(file = %e.path().display(), "removed a temporary state file left by a killed writer")
                }
                Err(err) => {
                    tracing::warn!(file = %e.path().display(), error = %err, "cannot remove a stale temporary state file")
                }
            }
        }
    }
}
