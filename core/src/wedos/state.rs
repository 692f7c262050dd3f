//! The state of a WEDOS account that every hostapi client of it on this machine shares — every process, every
//! language: the hourly budgets, the invalid answers in the server's window, the server's IP block, the stop after
//! authentication failures, the offset between the local clock and the server's, and the spool of notifications
//! taken off the POLL queue but not yet handed to a caller.
//!
//! One JSON file per account (`wedos-<hash>.json`, the hash of user and base URL; never the password) in the
//! state directory: `HOSTAPI_STATE_DIR`, else `$XDG_STATE_HOME/hostapi`, else `~/.local/state/hostapi`. Every
//! change happens under an exclusive lock of `wedos-<hash>.lock` (the `fs4` crate: `flock` on Unix, `LockFileEx`
//! on Windows): read, change, write a temporary file, rename it over the old one. A rename is atomic, so a process
//! killed at any moment leaves either the old or the new file, never a torn one; a change to the spool is also
//! fsynced before the rename (it must survive a power cut, as the server has forgotten those notifications).
//!
//! `":memory:"` as the directory keeps the state in the client instead (its clones share it): for tests.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use fs4::fs_std::FileExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha1::{Digest, Sha1};

use crate::error::{Error, ErrorKind, Result};

/// The environment variable that moves the state directory (or, as `:memory:`, keeps state in the client).
pub const ENV_STATE_DIR: &str = "HOSTAPI_STATE_DIR";
/// The state "directory" that keeps state in memory, in the client and its clones.
pub const MEMORY: &str = ":memory:";
/// How many handed-out notification ids are remembered, so that one acknowledged twice is not spooled again.
const HANDED_MEMORY: usize = 512;
const VERSION: u32 = 1;

/// Where a client keeps its account state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateLocation {
    /// In the client (and its clones) only.
    Memory,
    /// A file per account in this directory, shared by every process.
    Dir(PathBuf),
}

impl StateLocation {
    /// A directory path, or `:memory:`.
    pub fn parse(text: &str) -> StateLocation {
        if text.trim() == MEMORY {
            StateLocation::Memory
        } else {
            StateLocation::Dir(PathBuf::from(text))
        }
    }

    /// `HOSTAPI_STATE_DIR`, else `$XDG_STATE_HOME/hostapi`, else `$HOME/.local/state/hostapi` (on Windows
    /// `%LOCALAPPDATA%\hostapi`); in memory when none of them is set.
    pub fn from_env() -> StateLocation {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        if let Some(v) = var(ENV_STATE_DIR) {
            return StateLocation::parse(&v.to_string_lossy());
        }
        if let Some(v) = var("XDG_STATE_HOME") {
            return StateLocation::Dir(PathBuf::from(v).join("hostapi"));
        }
        if cfg!(windows) {
            if let Some(v) = var("LOCALAPPDATA") {
                return StateLocation::Dir(PathBuf::from(v).join("hostapi"));
            }
        }
        match var("HOME") {
            Some(h) => StateLocation::Dir(PathBuf::from(h).join(".local").join("state").join("hostapi")),
            None => StateLocation::Memory,
        }
    }
}

impl std::fmt::Display for StateLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateLocation::Memory => f.write_str(MEMORY),
            StateLocation::Dir(d) => write!(f, "{}", d.display()),
        }
    }
}

/// An answer the server counts as an invalid request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invalid {
    /// When it was answered (local Unix seconds).
    pub at: f64,
    pub code: i64,
    pub command: String,
}

/// What the client knows of the server's clock: `server time − local time` lies in `[low, high]` seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockOffset {
    pub low: f64,
    pub high: f64,
    /// When it was last narrowed or replaced (local Unix seconds).
    pub at: f64,
}

impl ClockOffset {
    pub fn middle(&self) -> f64 {
        (self.low + self.high) / 2.0
    }
    pub fn width(&self) -> f64 {
        self.high - self.low
    }
}

/// The stop after authentication/IP failures in a row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthStop {
    pub at: f64,
    pub code: i64,
    pub command: String,
    pub failures: u32,
}

/// One account's shared state, as stored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountState {
    pub version: u32,
    /// For people reading the file; the file name is the hash of user and base URL.
    pub user: String,
    pub base_url: String,
    /// Send times (local Unix seconds) of the requests within the budget window.
    pub requests: VecDeque<f64>,
    /// The same, of the domain availability commands.
    pub domain_checks: VecDeque<f64>,
    /// The invalid answers within the server's window.
    pub invalid: VecDeque<Invalid>,
    /// Authentication/IP failures (2050, 2051) in a row.
    pub auth_failures: u32,
    pub auth_stop: Option<AuthStop>,
    /// The end of the server's IP block (local Unix seconds), from its 2052 answer.
    pub blocked_until: Option<f64>,
    pub clock: Option<ClockOffset>,
    /// Notifications taken off the POLL queue (and acknowledged there) but not yet handed to a caller, in queue
    /// order: the notify objects as the server sent them.
    pub spool: VecDeque<Value>,
    /// Ids of notifications handed out lately (a notification met again on the queue is acknowledged, not spooled
    /// twice).
    pub handed: VecDeque<String>,
}

impl AccountState {
    /// Drops what left the window (`window` seconds before `now`).
    pub fn prune(&mut self, now: f64, window: f64) {
        let keep = |t: f64| now - t < window;
        while self.requests.front().is_some_and(|t| !keep(*t)) {
            self.requests.pop_front();
        }
        while self.domain_checks.front().is_some_and(|t| !keep(*t)) {
            self.domain_checks.pop_front();
        }
        while self.invalid.front().is_some_and(|i| !keep(i.at)) {
            self.invalid.pop_front();
        }
        if self.blocked_until.is_some_and(|t| t <= now) {
            self.blocked_until = None;
        }
    }

    /// Remembers that notification `id` was handed out.
    pub fn remember_handed(&mut self, id: &str) {
        if !self.handed.iter().any(|h| h == id) {
            self.handed.push_back(id.to_owned());
            while self.handed.len() > HANDED_MEMORY {
                self.handed.pop_front();
            }
        }
    }

    /// The position of spooled notification `id`.
    pub fn spooled(&self, id: &str) -> Option<usize> {
        self.spool.iter().position(|n| notify_id(n).as_deref() == Some(id))
    }
}

/// The queue id of a stored notify object.
pub fn notify_id(n: &Value) -> Option<String> {
    match n.get("ID").or_else(|| n.get("id"))? {
        Value::String(s) => Some(s.clone()),
        Value::Number(x) => Some(x.to_string()),
        _ => None,
    }
}

/// Local Unix time with sub-second precision.
pub fn now_f64() -> f64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// The account key: a hash of user and base URL.
pub fn account_key(user: &str, base_url: &str) -> String {
    let mut h = Sha1::new();
    h.update(user.as_bytes());
    h.update(b"\n");
    h.update(base_url.trim_end_matches('/').as_bytes());
    hex::encode(&h.finalize()[..8])
}

/// The account state store of one client (its clones share it).
#[derive(Clone)]
pub(crate) struct Store {
    kind: Arc<Kind>,
    location: StateLocation,
}

enum Kind {
    Memory(Mutex<AccountState>),
    File(FileStore),
}

struct FileStore {
    user: String,
    base_url: String,
    dir: PathBuf,
    path: PathBuf,
    prefix: String,
    /// The lock file, opened on first use. The mutex also orders the threads of this process: `flock` does not
    /// exclude two holders of the same open file.
    lock: Mutex<Option<File>>,
    /// The POLL queue lock: one reader of the queue at a time across processes.
    poll_path: PathBuf,
}

fn io_error(label: &str, what: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::config(
        label,
        format!(
            "cannot {what} the shared WEDOS account state {}: {e} (set {ENV_STATE_DIR} to a writable directory, or \
             to {MEMORY} to keep state in the client)",
            path.display()
        ),
    )
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Store {
    /// Opens (creating the directory, mode 0700) the store of `user` at `base_url`; removes temporary files that
    /// a killed process left behind.
    pub(crate) fn open(location: StateLocation, user: &str, base_url: &str, label: &str) -> Result<Store> {
        let initial = AccountState {
            version: VERSION,
            user: user.to_owned(),
            base_url: base_url.to_owned(),
            ..AccountState::default()
        };
        let kind = match &location {
            StateLocation::Memory => Kind::Memory(Mutex::new(initial)),
            StateLocation::Dir(dir) => {
                create_private_dir(dir).map_err(|e| io_error(label, "create the directory of", dir, &e))?;
                let key = account_key(user, base_url);
                let prefix = format!(".wedos-{key}.");
                remove_stale_temporaries(dir, &prefix);
                Kind::File(FileStore {
                    user: user.to_owned(),
                    base_url: base_url.to_owned(),
                    dir: dir.clone(),
                    path: dir.join(format!("wedos-{key}.json")),
                    prefix,
                    lock: Mutex::new(None),
                    poll_path: dir.join(format!("wedos-{key}.poll.lock")),
                })
            }
        };
        Ok(Store { kind: Arc::new(kind), location })
    }

    pub(crate) fn location(&self) -> &StateLocation {
        &self.location
    }

    /// The state file (`None` in memory).
    pub(crate) fn path(&self) -> Option<&Path> {
        match &*self.kind {
            Kind::File(f) => Some(&f.path),
            Kind::Memory(_) => None,
        }
    }

    /// Runs `change` on the state under the lock and stores the result if it changed.
    pub(crate) fn update<R>(&self, label: &str, change: impl FnOnce(&mut AccountState) -> R) -> Result<R> {
        match &*self.kind {
            Kind::Memory(m) => Ok(change(&mut lock(m))),
            Kind::File(f) => f.update(label, change),
        }
    }

    /// Holds the POLL queue for this client until the guard is dropped: in-process by `queue`, across processes
    /// by a lock file. Waits (asynchronously) up to `deadline`.
    pub(crate) async fn lock_queue<'a>(
        &self,
        queue: &'a tokio::sync::Mutex<()>,
        label: &str,
        deadline: tokio::time::Instant,
    ) -> Result<QueueGuard<'a>> {
        let timeout = |label: &str| {
            Error::new(ErrorKind::Timeout, label, "another process held the notification queue until the deadline")
        };
        let inner = tokio::time::timeout_at(deadline, queue.lock()).await.map_err(|_| timeout(label))?;
        let file = match &*self.kind {
            Kind::Memory(_) => None,
            Kind::File(f) => {
                let file = OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&f.poll_path)
                    .map_err(|e| io_error(label, "open", &f.poll_path, &e))?;
                loop {
                    match file.try_lock_exclusive() {
                        Ok(true) => break,
                        Ok(false) => {}
                        Err(e) => return Err(io_error(label, "lock", &f.poll_path, &e)),
                    }
                    if tokio::time::Instant::now() >= deadline {
                        return Err(timeout(label));
                    }
                    tokio::time::sleep(Duration::from_millis(15)).await;
                }
                Some(file)
            }
        };
        Ok(QueueGuard { _inner: inner, file })
    }
}

/// The POLL queue held by one client; released on drop.
pub(crate) struct QueueGuard<'a> {
    _inner: tokio::sync::MutexGuard<'a, ()>,
    file: Option<File>,
}

impl Drop for QueueGuard<'_> {
    fn drop(&mut self) {
        if let Some(f) = &self.file {
            let _ = FileExt::unlock(f);
        }
    }
}

impl FileStore {
    fn update<R>(&self, label: &str, change: impl FnOnce(&mut AccountState) -> R) -> Result<R> {
        let mut held = lock(&self.lock);
        if held.is_none() {
            let lock_path = self.path.with_extension("lock");
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)
                .map_err(|e| io_error(label, "open", &lock_path, &e))?;
            *held = Some(file);
        }
        let file = held.as_ref().expect("opened above");
        FileExt::lock_exclusive(file).map_err(|e| io_error(label, "lock", &self.path, &e))?;
        // Released on every way out, a panic in `change` included.
        struct Unlock<'f>(&'f File);
        impl Drop for Unlock<'_> {
            fn drop(&mut self) {
                let _ = FileExt::unlock(self.0);
            }
        }
        let _unlock = Unlock(file);
        self.locked_update(label, change)
    }

    fn locked_update<R>(&self, label: &str, change: impl FnOnce(&mut AccountState) -> R) -> Result<R> {
        let before = self.read(label)?;
        let mut state = before.clone();
        let out = change(&mut state);
        if state != before {
            state.version = VERSION;
            state.user.clone_from(&self.user);
            state.base_url.clone_from(&self.base_url);
            self.write(label, &state, state.spool != before.spool)?;
        }
        Ok(out)
    }

    fn read(&self, label: &str) -> Result<AccountState> {
        let mut text = Vec::new();
        match File::open(&self.path) {
            Ok(mut f) => f.read_to_end(&mut text).map_err(|e| io_error(label, "read", &self.path, &e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(AccountState::default()),
            Err(e) => return Err(io_error(label, "read", &self.path, &e)),
        };
        match serde_json::from_slice::<AccountState>(&text) {
            Ok(s) => Ok(s),
            Err(e) => {
                // Only a person editing the file can get here (writes are atomic): keep their file aside.
                let aside = self.path.with_extension("json.unreadable");
                tracing::warn!(path = %self.path.display(), error = %e, "unreadable account state set aside; starting afresh");
                let _ = std::fs::rename(&self.path, &aside);
                Ok(AccountState::default())
            }
        }
    }

    fn write(&self, label: &str, state: &AccountState, durable: bool) -> Result<()> {
        let text = serde_json::to_vec_pretty(state).map_err(|e| Error::config(label, e.to_string()))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(&self.prefix)
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .map_err(|e| io_error(label, "write", &self.path, &e))?;
        tmp.write_all(&text).map_err(|e| io_error(label, "write", &self.path, &e))?;
        if durable {
            tmp.as_file().sync_all().map_err(|e| io_error(label, "write", &self.path, &e))?;
        }
        tmp.persist(&self.path).map_err(|e| io_error(label, "write", &self.path, &e.error))?;
        if durable {
            if let Ok(d) = File::open(&self.dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Temporary files of this account older than a minute: left by a process killed while writing.
fn remove_stale_temporaries(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(prefix) && name.ends_with(".tmp")) {
            continue;
        }
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(60));
        if old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_depends_on_user_and_url_only() {
        assert_eq!(account_key("a@b.cz", "http://x/wapi/json"), account_key("a@b.cz", "http://x/wapi/json/"));
        assert_ne!(account_key("a@b.cz", "http://x/wapi/json"), account_key("c@b.cz", "http://x/wapi/json"));
        assert_eq!(account_key("a", "u").len(), 16);
    }

    #[test]
    fn location_parsing() {
        assert_eq!(StateLocation::parse(":memory:"), StateLocation::Memory);
        assert_eq!(StateLocation::parse("/tmp/x"), StateLocation::Dir("/tmp/x".into()));
    }

    #[test]
    fn file_store_round_trip_and_no_write_without_change() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(StateLocation::Dir(dir.path().into()), "u", "http://h/wapi/json", "t").unwrap();
        s.update("t", |st| st.requests.push_back(5.0)).unwrap();
        let path = s.path().unwrap().to_owned();
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        let n = s.update("t", |st| st.requests.len()).unwrap();
        assert_eq!(n, 1);
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), before);
        // A second store of the same account (another client, another process) sees it.
        let other = Store::open(StateLocation::Dir(dir.path().into()), "u", "http://h/wapi/json", "t").unwrap();
        assert_eq!(other.update("t", |st| st.requests.clone()).unwrap(), [5.0]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"user\"") || text.contains("requests"), "{text}");
    }

    #[test]
    fn unreadable_file_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(StateLocation::Dir(dir.path().into()), "u", "b", "t").unwrap();
        std::fs::write(s.path().unwrap(), b"{not json").unwrap();
        assert_eq!(s.update("t", |st| st.requests.len()).unwrap(), 0);
        assert!(s.path().unwrap().with_extension("json.unreadable").exists());
    }

    #[test]
    fn stale_temporaries_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let key = account_key("u", "b");
        let stale = dir.path().join(format!(".wedos-{key}.abc.tmp"));
        std::fs::write(&stale, b"x").unwrap();
        let old = SystemTime::now() - Duration::from_secs(3600);
        File::options().write(true).open(&stale).unwrap().set_modified(old).unwrap();
        let fresh = dir.path().join(format!(".wedos-{key}.def.tmp"));
        std::fs::write(&fresh, b"x").unwrap();
        Store::open(StateLocation::Dir(dir.path().into()), "u", "b", "t").unwrap();
        assert!(!stale.exists());
        assert!(fresh.exists(), "a write in progress in another process is left alone");
    }

    #[test]
    fn prune_drops_old_entries_and_ended_blocks() {
        let mut s = AccountState::default();
        s.requests.extend([1.0, 50.0, 99.0]);
        s.invalid.push_back(Invalid { at: 10.0, code: 2314, command: "dns-row-add".into() });
        s.blocked_until = Some(90.0);
        s.prune(100.0, 60.0);
        assert_eq!(s.requests, [50.0, 99.0]);
        assert!(s.invalid.is_empty());
        assert_eq!(s.blocked_until, None);
    }
}
