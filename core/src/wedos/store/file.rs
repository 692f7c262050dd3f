//! The file store (the default): the account state in a private directory of the user, shared by every process
//! of the user on the machine.
//!
//! Per account (`<key>` is a hash of user and base URL; never the password):
//!
//! - `wedos-<key>.guard`: the guard, locked (`flock`, through `fs4`) for every operation and kept open. Two slots
//!   of [`SLOT`] bytes, each `magic, generation, length, checksum, JSON`; a write goes to the older slot in one
//!   `pwrite`, so a process killed at any moment (or a torn write) leaves the other slot, the previous state,
//!   intact. A reader reads only the slot headers when the generation is the one it read last.
//! - `wedos-<key>.spool.json`: the notification spool, replaced whole (temporary file, fsync, rename, fsync of the
//!   directory): it holds notifications the server has forgotten. The guard's `spool_gen` says when it changed, so
//!   it is read only then.
//! - `wedos-<key>.poll.lock`: held by the one client reading the server's POLL queue.
//! - `wedos-<key>.records/<record key>.json`: records other services keep with the account (the gateway's
//!   acme-dns registrations), each a whole file: written to a temporary file, fsynced, then linked in place when new
//!   (so two writers cannot both create it) or renamed over the old one.
//!
//! Nothing from outside is trusted: the directory and every file must belong to this user and be writable by
//! nobody else (as ssh treats its keys), a file must be a regular file (no symlink is followed, a FIFO or device is
//! refused at once), a lock is waited for at most [`LOCK_WAIT`] (the error names the process holding it), and a
//! guard file that cannot be read keeps the guard: nothing is sent until `guard reset`, or until an hour (the
//! window) after its last write, when everything it held has left the window anyway.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use fs4::fs_std::FileExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha1::{Digest, Sha1};

use super::{account_key, AccountStore, GuardStatus, ENV_STATE_DIR, MEMORY};
use crate::error::{Error, ErrorKind, Result};
use crate::wedos::governor::{
    Admission, Ask, GuardState, Policy, Reset, Settlement,
};
use crate::wedos::spool::{Ack, Push, Spool, Want};

/// The size of each of the guard file's two slots.
pub const SLOT: u64 = 128 * 1024;
const HEADER: usize = 24;
const MAGIC: &[u8; 4] = b"HAG2";
const VERSION: u32 = 2;
/// The longest wait for the account's lock (held only for a read and a write, never across a request).
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

fn io_error(label: &str, what: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::config(
        label,
        format!(
            "cannot {what} the shared WEDOS account state {}: {e} (set {ENV_STATE_DIR} to a private, writable \
             directory, or to {MEMORY} to keep state in the client)",
            path.display()
        ),
    )
}

pub(super) fn queue_timeout(label: &str) -> Error {
    Error::new(ErrorKind::Timeout, label, "another client held the notification queue until the deadline")
}

/// What the guard file holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct Body {
    v: u32,
    /// For people reading the file.
    user: String,
    base_url: String,
    /// Changed with every change of the spool file.
    spool_gen: u64,
    guard: GuardState,
}

#[derive(Serialize, Deserialize)]
struct SpoolFile {
    generation: u64,
    #[serde(flatten)]
    spool: Spool,
}

/// The account state in files.
pub struct FileStore {
    dir: PathBuf,
    guard_path: PathBuf,
    spool_path: PathBuf,
    poll_path: PathBuf,
    legacy_path: PathBuf,
    records_dir: PathBuf,
    /// Temporary files of this account start with it.
    prefix: String,
    user: String,
    base_url: String,
    lock_wait: Duration,
    /// The mutex orders the threads of this process too: `flock` does not exclude two users of one descriptor.
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    file: Option<File>,
    /// The last generation read or written, and its contents.
    cache: Option<(u64, Body)>,
    spool: Option<(u64, Spool)>,
}

/// The POLL queue lock file, held; released when dropped (closed).
pub(crate) struct QueueFile(#[allow(dead_code)] File);

/// The guard file as read.
enum Read {
    Good(u64),
    /// Neither slot holds a valid state: since the file's last change (Unix seconds).
    Damaged(f64),
}

impl FileStore {
    /// Opens the store of `user` at `base_url` in `dir` (created private, mode 0700, when missing); refuses a
    /// directory that another user owns or may write; removes temporary files a killed process left behind.
    pub fn open(dir: &Path, user: &str, base_url: &str, label: &str) -> Result<FileStore> {
        create_private_dir(dir).map_err(|e| io_error(label, "create the directory of", dir, &e))?;
        let meta = std::fs::metadata(dir).map_err(|e| io_error(label, "read the directory of", dir, &e))?;
        if !meta.is_dir() {
            return Err(Error::config(label, format!("the WEDOS account state directory {} is not a directory", dir.display())));
        }
        check_private(label, "directory", dir, &meta)?;
        let key = account_key(user, base_url);
        let prefix = format!(".wedos-{key}.");
        remove_stale_temporaries(dir, &prefix);
        Ok(FileStore {
            dir: dir.to_owned(),
            guard_path: dir.join(format!("wedos-{key}.guard")),
            spool_path: dir.join(format!("wedos-{key}.spool.json")),
            poll_path: dir.join(format!("wedos-{key}.poll.lock")),
            legacy_path: dir.join(format!("wedos-{key}.json")),
            records_dir: dir.join(format!("wedos-{key}.records")),
            prefix,
            user: user.to_owned(),
            base_url: base_url.to_owned(),
            lock_wait: LOCK_WAIT,
            inner: Mutex::new(Inner::default()),
        })
    }

    /// The guard file.
    pub fn path(&self) -> &Path {
        &self.guard_path
    }

    /// Takes the account's lock, waiting (asynchronously) up to [`LOCK_WAIT`].
    async fn locked(&self, label: &str) -> Result<Held<'_>> {
        let start = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            if let Some(held) = self.try_lock(label)? {
                return Ok(held);
            }
            if start.elapsed() >= self.lock_wait {
                return Err(self.lock_timeout(label));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// [`Self::locked`] for a caller that cannot wait asynchronously (a dropped call settling its reservation).
    fn locked_blocking(&self, label: &str) -> Result<Held<'_>> {
        let start = std::time::Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            if let Some(held) = self.try_lock(label)? {
                return Ok(held);
            }
            if start.elapsed() >= self.lock_wait {
                return Err(self.lock_timeout(label));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    fn try_lock(&self, label: &str) -> Result<Option<Held<'_>>> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if inner.file.is_none() {
                inner.file = Some(self.open_guard(label)?);
            }
            let file = inner.file.as_ref().expect("opened above");
            match file.try_lock_exclusive() {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => return Err(io_error(label, "lock", &self.guard_path, &e)),
            }
            // Locked: still the file at the path? One replaced or removed by hand is opened again (a lock on a
            // file nobody else opens would guard nothing).
            if self.is_at_path(file) {
                return Ok(Some(Held { store: self, inner, label: label.to_owned() }));
            }
            let _ = FileExt::unlock(file);
            inner.file = None;
            inner.cache = None;
            inner.spool = None;
        }
    }

    /// Whether `file` is the file at the guard's path.
    fn is_at_path(&self, file: &File) -> bool {
        match (file.metadata(), std::fs::symlink_metadata(&self.guard_path)) {
            (Ok(open), Ok(there)) => link_count(&open) > 0 && same_file(&open, &there),
            _ => false,
        }
    }

    /// Opens the guard file, creating it first when there is none: written whole in a temporary file and linked into
    /// place (never replacing one), so a guard file is never seen empty or half written — one that is, is damaged.
    fn open_guard(&self, label: &str) -> Result<File> {
        for _ in 0..3 {
            match open_private_existing(label, &self.guard_path)? {
                Some(f) => return Ok(f),
                None => self.create_guard(label)?,
            }
        }
        Err(Error::config(label, format!("the WEDOS account state {} keeps disappearing", self.guard_path.display())))
    }

    fn create_guard(&self, label: &str) -> Result<()> {
        let now = super::now_f64();
        let mut body = self.fresh_body();
        let migrated = self.migrate(label, &mut body, now);
        let generation = fresh_generation() & !1; // the first slot
        let mut tmp = tempfile::Builder::new()
            .prefix(&self.prefix)
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .map_err(|e| io_error(label, "create", &self.guard_path, &e))?;
        let slot = encode_slot(label, generation, &body)?;
        tmp.write_all(&slot).map_err(|e| io_error(label, "create", &self.guard_path, &e))?;
        match tmp.persist_noclobber(&self.guard_path) {
            Ok(_) => {
                if migrated {
                    let _ = std::fs::rename(&self.legacy_path, self.legacy_path.with_extension("json.migrated"));
                    let _ = std::fs::remove_file(self.legacy_path.with_extension("lock"));
                }
                Ok(())
            }
            // Another client made it first.
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(io_error(label, "create", &self.guard_path, &e.error)),
        }
    }

    fn lock_timeout(&self, label: &str) -> Error {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let holder = inner.file.as_ref().and_then(lock_holder).map(|h| format!(", held by {h}")).unwrap_or_default();
        Error::new(
            ErrorKind::Timeout,
            label,
            format!(
                "waited {:.0} s for the lock of the WEDOS account state {}{holder}; nothing was sent",
                self.lock_wait.as_secs_f64(),
                self.guard_path.display()
            ),
        )
    }

    /// Runs `op` on the guard under the lock and writes the result when it changed. A damaged file keeps the guard:
    /// the operation fails (unless `op` is a reset, `fresh_if_damaged`).
    async fn with_guard<R>(
        &self,
        label: &str,
        policy: &Policy,
        now: f64,
        op: impl FnOnce(&mut GuardState) -> R,
    ) -> Result<R> {
        let mut held = self.locked(label).await?;
        held.update(policy, now, false, |b| op(&mut b.guard))
    }

    /// Runs `op` on the spool under the lock and writes it (durably) when it changed.
    async fn with_spool<R>(&self, label: &str, now: f64, op: impl FnOnce(&mut Spool) -> R) -> Result<R> {
        let mut held = self.locked(label).await?;
        held.update_spool(now, op)
    }

    pub(crate) fn settle_now(&self, label: &str, policy: &Policy, ticket: u64, s: &Settlement<'_>, now: f64) -> Result<()> {
        let mut held = self.locked_blocking(label)?;
        held.update(policy, now, false, |b| b.guard.settle(policy, ticket, s, now))
    }

    /// [`Self::settle_now`] when the lock is free at once; `false` when it is not.
    pub(crate) fn try_settle_now(
        &self,
        label: &str,
        policy: &Policy,
        ticket: u64,
        s: &Settlement<'_>,
        now: f64,
    ) -> Result<bool> {
        let Some(mut held) = self.try_lock(label)? else { return Ok(false) };
        held.update(policy, now, false, |b| b.guard.settle(policy, ticket, s, now))?;
        Ok(true)
    }

    /// Holds the POLL queue lock file until the returned value is dropped; waits up to `deadline`.
    pub(crate) async fn lock_queue(&self, label: &str, deadline: tokio::time::Instant) -> Result<QueueFile> {
        let file = open_lock_file(label, &self.poll_path)?;
        loop {
            match file.try_lock_exclusive() {
                Ok(true) => return Ok(QueueFile(file)),
                Ok(false) => {}
                Err(e) => return Err(io_error(label, "lock", &self.poll_path, &e)),
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(queue_timeout(label));
            }
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    }

    /// A fresh state: generations and tickets start far from any an earlier file at this path had, so no reader's
    /// cache or stale ticket can be taken for one of the new file's.
    fn fresh_body(&self) -> Body {
        let mut body = Body {
            v: VERSION,
            user: self.user.clone(),
            base_url: self.base_url.clone(),
            spool_gen: fresh_generation(),
            ..Body::default()
        };
        body.guard.next_ticket = fresh_generation();
        body
    }

    /// Writes the spool file: a temporary file, fsynced, renamed over the old one, the directory fsynced.
    fn write_spool(&self, label: &str, generation: u64, spool: &Spool) -> Result<()> {
        let path = &self.spool_path;
        let err = |e: &std::io::Error| io_error(label, "write", path, e);
        let text = serde_json::to_vec_pretty(&SpoolFileRef { generation, spool })
            .map_err(|e| Error::config(label, e.to_string()))?;
        let mut tmp =
            tempfile::Builder::new().prefix(&self.prefix).suffix(".tmp").tempfile_in(&self.dir).map_err(|e| err(&e))?;
        tmp.write_all(&text).map_err(|e| err(&e))?;
        tmp.as_file().sync_all().map_err(|e| err(&e))?;
        tmp.persist(path).map_err(|e| err(&e.error))?;
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

}

/// The account's lock, held; released when dropped.
struct Held<'a> {
    store: &'a FileStore,
    inner: MutexGuard<'a, Inner>,
    label: String,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if let Some(f) = &self.inner.file {
            let _ = FileExt::unlock(f);
        }
    }
}

impl Held<'_> {
    fn file(&self) -> &File {
        self.inner.file.as_ref().expect("held with its file")
    }

    fn err(&self, what: &str, e: &std::io::Error) -> Error {
        io_error(&self.label, what, &self.store.guard_path, e)
    }

    /// The guard file's generation and contents, read only when the generation changed.
    fn read(&mut self) -> Result<Read> {
        let file = self.file();
        let meta = file.metadata().map_err(|e| self.err("read", &e))?;
        let mut candidates: Vec<(u64, u64, usize, [u8; 8])> = Vec::with_capacity(2);
        for slot in 0..2u64 {
            let mut h = [0u8; HEADER];
            if read_at(file, &mut h, slot * SLOT).map_err(|e| self.err("read", &e))? < HEADER {
                continue;
            }
            if &h[0..4] != MAGIC {
                continue;
            }
            let generation = u64::from_le_bytes(h[4..12].try_into().expect("8 bytes"));
            let len = u32::from_le_bytes(h[12..16].try_into().expect("4 bytes")) as usize;
            let sum: [u8; 8] = h[16..24].try_into().expect("8 bytes");
            if len <= SLOT as usize - HEADER && generation % 2 == slot {
                candidates.push((generation, slot, len, sum));
            }
        }
        candidates.sort_by(|a, b| b.0.cmp(&a.0));
        for (generation, slot, len, sum) in candidates {
            if self.inner.cache.as_ref().is_some_and(|(g, _)| *g == generation) {
                return Ok(Read::Good(generation));
            }
            let mut body = vec![0u8; len];
            let n = read_at(self.file(), &mut body, slot * SLOT + HEADER as u64).map_err(|e| self.err("read", &e))?;
            if n < len || checksum(generation, &body) != sum {
                continue;
            }
            if let Ok(parsed) = serde_json::from_slice::<Body>(&body) {
                self.inner.cache = Some((generation, parsed));
                return Ok(Read::Good(generation));
            }
        }
        let changed = meta.modified().ok().and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok());
        Ok(Read::Damaged(changed.map_or(0.0, |d| d.as_secs_f64())))
    }

    /// Writes `body` as generation `generation` into its slot.
    fn write(&mut self, generation: u64, body: Body) -> Result<()> {
        let buf = encode_slot(&self.label, generation, &body)?;
        write_all_at(self.file(), &buf, (generation % 2) * SLOT).map_err(|e| self.err("write", &e))?;
        self.inner.cache = Some((generation, body));
        Ok(())
    }

    /// Runs `op` on the stored body and writes it when it changed. Refuses a damaged file (the guard is kept)
    /// unless `reset`, or an hour after its last change: then it starts afresh.
    fn update<R>(&mut self, policy: &Policy, now: f64, reset: bool, op: impl FnOnce(&mut Body) -> R) -> Result<R> {
        let (generation, mut body) = match self.read()? {
            Read::Good(g) => (g, self.inner.cache.as_ref().expect("read caches").1.clone()),
            Read::Damaged(since) => {
                if reset || now - since >= policy.window.max(3600.0) {
                    tracing::warn!(path = %self.store.guard_path.display(), "damaged account state started afresh");
                    let g = fresh_generation();
                    let body = self.store.fresh_body();
                    self.write(g, body.clone())?;
                    self.inner.spool = None;
                    (g, body)
                } else {
                    return Err(self.damaged(since, policy, now));
                }
            }
        };
        let before = body.clone();
        let out = op(&mut body);
        if body != before {
            body.v = VERSION;
            self.write(generation.wrapping_add(1), body)?;
        }
        Ok(out)
    }

    fn damaged(&self, since: f64, policy: &Policy, now: f64) -> Error {
        let left = (since + policy.window.max(3600.0) - now).max(0.0);
        Error::new(
            ErrorKind::RateLimited,
            &self.label,
            format!(
                "not sent: the WEDOS account state {} cannot be read (damaged, or not written by hostapi), so the \
                 guard keeps what it may have held: nothing is sent for {:.0} s more (an hour after its last \
                 change). Once nothing else uses the account, `hostapi wedos guard reset` (or reset_auth_guard()) \
                 starts it afresh",
                self.store.guard_path.display(),
                left.ceil()
            ),
        )
        .with_retry_after(crate::wedos::governor::wait_secs(left))
    }

    /// The spool, read from its file when the guard says it changed.
    fn spool(&mut self, generation: u64) -> Result<Spool> {
        if let Some((g, s)) = &self.inner.spool {
            if *g == generation {
                return Ok(s.clone());
            }
        }
        let path = &self.store.spool_path;
        let spool = match open_private_read(&self.label, path)? {
            None => Spool::default(),
            Some(mut f) => {
                let mut text = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut text).map_err(|e| io_error(&self.label, "read", path, &e))?;
                match serde_json::from_slice::<SpoolFile>(&text) {
                    Ok(s) => s.spool,
                    Err(e) => {
                        // Kept for a person to read: the notifications in it are not lost, only set aside.
                        let aside = path.with_extension("json.unreadable");
                        tracing::warn!(path = %path.display(), error = %e, aside = %aside.display(), "unreadable notification spool set aside");
                        let _ = std::fs::rename(path, &aside);
                        Spool::default()
                    }
                }
            }
        };
        self.inner.spool = Some((generation, spool.clone()));
        Ok(spool)
    }

    /// Runs `op` on the spool; a change is written to the spool file (durably) and announced in the guard.
    fn update_spool<R>(&mut self, now: f64, op: impl FnOnce(&mut Spool) -> R) -> Result<R> {
        let policy = Policy::passive();
        let generation = self.update(&policy, now, false, |b| b.spool_gen)?;
        let mut spool = self.spool(generation)?;
        let before = spool.clone();
        let out = op(&mut spool);
        if spool != before {
            // The guard first: a reader that sees the new generation reads the file, old or new.
            let next = self.update(&policy, now, false, |b| {
                b.spool_gen = b.spool_gen.wrapping_add(1);
                b.spool_gen
            })?;
            self.store.write_spool(&self.label, next, &spool)?;
            self.inner.spool = Some((next, spool));
        }
        Ok(out)
    }

}

#[derive(Serialize)]
struct SpoolFileRef<'a> {
    generation: u64,
    #[serde(flatten)]
    spool: &'a Spool,
}

impl Policy {
    /// A policy for operations that only read the guard's bookkeeping (the spool's).
    fn passive() -> Policy {
        Policy {
            user: String::new(),
            hourly_limit: u32::MAX,
            domain_check_limit: u32::MAX,
            window: 3600.0,
            max_invalid: 0,
            max_auth_failures: 0,
        }
    }
}

impl AccountStore for FileStore {
    fn describe(&self) -> String {
        self.guard_path.display().to_string()
    }

    async fn reserve(&self, label: &str, policy: &Policy, ask: &Ask<'_>, now: f64) -> Result<Admission> {
        self.with_guard(label, policy, now, |g| g.reserve(policy, ask, now)).await
    }

    async fn settle(&self, label: &str, policy: &Policy, ticket: u64, s: &Settlement<'_>, now: f64) -> Result<()> {
        self.with_guard(label, policy, now, |g| g.settle(policy, ticket, s, now)).await
    }

    async fn reset(&self, label: &str, policy: &Policy, scope: Reset, now: f64) -> Result<()> {
        let mut held = self.locked(label).await?;
        held.update(policy, now, true, |b| b.guard.reset(scope))
    }

    async fn status(&self, label: &str, policy: &Policy, now: f64) -> Result<GuardStatus> {
        let mut held = self.locked(label).await?;
        let describe = self.describe();
        match held.update(policy, now, false, |b| {
            b.guard.expire(policy, now);
            (b.guard.clone(), b.spool_gen)
        }) {
            Ok((guard, spool_gen)) => {
                let spooled = held.spool(spool_gen)?.len();
                Ok(GuardStatus::of(describe, &guard, policy, spooled, now))
            }
            Err(e) if e.kind() == ErrorKind::RateLimited => {
                Ok(GuardStatus { store: describe, damaged: Some(e.message().to_owned()), ..GuardStatus::default() })
            }
            Err(e) => Err(e),
        }
    }

    async fn spool_push(&self, label: &str, notify: &Value, now: f64) -> Result<Push> {
        self.with_spool(label, now, |s| s.push(notify.clone(), now)).await
    }

    async fn spool_take(&self, label: &str, want: Want<'_>, holder: &str, now: f64) -> Result<Option<Value>> {
        self.with_spool(label, now, |s| s.take(want, holder, now)).await
    }

    async fn spool_lease(&self, label: &str, holder: &str, now: f64, secs: f64) -> Result<Option<Value>> {
        self.with_spool(label, now, |s| s.lease(holder, now, secs)).await
    }

    async fn spool_ack(&self, label: &str, id: &str, holder: &str, now: f64) -> Result<Ack> {
        self.with_spool(label, now, |s| s.ack(id, holder, now)).await
    }

    async fn spool_acknowledged(&self, label: &str, id: &str, now: f64) -> Result<()> {
        self.with_spool(label, now, |s| s.acknowledged(id, now)).await
    }

    async fn spool_len(&self, label: &str, now: f64) -> Result<usize> {
        self.with_spool(label, now, |s| s.len()).await
    }

    async fn record_get(&self, label: &str, key: &str) -> Result<Option<Value>> {
        let path = self.records_dir.join(format!("{key}.json"));
        let Some(mut file) = open_private_read(label, &path)? else { return Ok(None) };
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut text).map_err(|e| io_error(label, "read", &path, &e))?;
        serde_json::from_slice(&text).map(Some).map_err(|e| {
            Error::new(ErrorKind::Protocol, label, format!("the record {} is damaged: {e}", path.display()))
        })
    }

    async fn record_put(&self, label: &str, key: &str, value: &Value, only_new: bool) -> Result<bool> {
        let dir = &self.records_dir;
        create_private_dir(dir).map_err(|e| io_error(label, "create the directory of", dir, &e))?;
        let meta = std::fs::symlink_metadata(dir).map_err(|e| io_error(label, "read the directory of", dir, &e))?;
        if !meta.is_dir() {
            return Err(Error::config(label, format!("{} is not a directory", dir.display())));
        }
        check_private(label, "directory", dir, &meta)?;
        let path = dir.join(format!("{key}.json"));
        let err = |e: &std::io::Error| io_error(label, "write", &path, e);
        let text = serde_json::to_vec(value).map_err(|e| Error::config(label, e.to_string()))?;
        let mut tmp = tempfile::Builder::new().prefix(".record.").suffix(".tmp").tempfile_in(dir).map_err(|e| err(&e))?;
        tmp.write_all(&text).map_err(|e| err(&e))?;
        tmp.as_file().sync_all().map_err(|e| err(&e))?;
        let written = if only_new {
            match std::fs::hard_link(tmp.path(), &path) {
                Ok(()) => true,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
                Err(e) => return Err(err(&e)),
            }
        } else {
            tmp.persist(&path).map_err(|e| err(&e.error))?;
            true
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(written)
    }
}

/// A generation for a fresh file: far from any a reader may have cached from an earlier file at this path.
fn fresh_generation() -> u64 {
    fastrand::u64(1 << 32..1 << 62)
}

/// A slot: magic, generation, length, checksum, JSON.
fn encode_slot(label: &str, generation: u64, body: &Body) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(body).map_err(|e| Error::config(label, e.to_string()))?;
    if json.len() > SLOT as usize - HEADER {
        return Err(Error::config(label, format!("the WEDOS account state outgrew its file ({} bytes)", json.len())));
    }
    let mut buf = Vec::with_capacity(HEADER + json.len());
    buf.extend_from_slice(MAGIC);
    buf.extend_from_slice(&generation.to_le_bytes());
    buf.extend_from_slice(&(json.len() as u32).to_le_bytes());
    buf.extend_from_slice(&checksum(generation, &json));
    buf.extend_from_slice(&json);
    Ok(buf)
}

fn checksum(generation: u64, body: &[u8]) -> [u8; 8] {
    let mut h = Sha1::new();
    h.update(generation.to_le_bytes());
    h.update(body);
    h.finalize()[..8].try_into().expect("8 bytes")
}

#[path = "file_legacy.rs"]
mod legacy;
#[path = "file_os.rs"]
mod os;
use os::*;

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
