//! The file store's dealings with the operating system, trusting nothing it finds: files opened without following
//! symlinks or waiting on FIFOs, refused unless they are regular files of this user that nobody else may write,
//! positioned reads and writes, the process holding a lock, private directories, stale temporaries.

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::time::Duration;

use super::io_error;
use crate::error::{Error, Result};
use crate::wedos::store::ENV_STATE_DIR;

#[cfg(unix)]
pub(super) fn read_at(f: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    use std::os::unix::fs::FileExt as _;
    let mut n = 0;
    while n < buf.len() {
        match f.read_at(&mut buf[n..], offset + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(unix)]
pub(super) fn write_all_at(f: &File, buf: &[u8], offset: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt as _;
    f.write_all_at(buf, offset)
}

#[cfg(windows)]
pub(super) fn read_at(f: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    use std::os::windows::fs::FileExt as _;
    let mut n = 0;
    while n < buf.len() {
        match f.seek_read(&mut buf[n..], offset + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(windows)]
pub(super) fn write_all_at(f: &File, buf: &[u8], offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt as _;
    let mut n = 0;
    while n < buf.len() {
        n += f.seek_write(&buf[n..], offset + n as u64)?;
    }
    Ok(())
}

#[cfg(unix)]
pub(super) fn link_count(m: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    m.nlink()
}

#[cfg(not(unix))]
pub(super) fn link_count(_: &std::fs::Metadata) -> u64 {
    1
}

#[cfg(unix)]
pub(super) fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
pub(super) fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    true
}

/// Opens an existing file of the store for reading and writing: no symlink is followed, no FIFO waited on;
/// anything but a private regular file of this user is refused. `None` when there is none.
pub(super) fn open_private_existing(label: &str, path: &Path) -> Result<Option<File>> {
    let mut o = OpenOptions::new();
    o.read(true).write(true);
    restrict(&mut o);
    match o.open(path) {
        Ok(f) => {
            check_file(label, path, &f)?;
            Ok(Some(f))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(open_error(label, path, &e)),
    }
}

/// Opens (creating) a lock file of the store: held, never read. One of this user's that others may write (left by
/// an older hostapi under a permissive umask) is made private rather than refused: it holds nothing to trust.
pub(super) fn open_lock_file(label: &str, path: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    restrict(&mut o);
    let f = o.open(path).map_err(|e| open_error(label, path, &e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = f.metadata() {
            if m.is_file() && std::os::unix::fs::MetadataExt::mode(&m) & 0o022 != 0 && owned_by_me(&m) {
                let _ = f.set_permissions(std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    check_file(label, path, &f)?;
    Ok(f)
}

/// Opens a file of the store for reading, as [`open_private_existing`]; `None` when it does not exist.
pub(super) fn open_private_read(label: &str, path: &Path) -> Result<Option<File>> {
    let mut o = OpenOptions::new();
    o.read(true);
    restrict(&mut o);
    match o.open(path) {
        Ok(f) => {
            check_file(label, path, &f)?;
            Ok(Some(f))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(open_error(label, path, &e)),
    }
}

#[cfg(unix)]
pub(super) fn restrict(o: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    o.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
}

#[cfg(not(unix))]
pub(super) fn restrict(_: &mut OpenOptions) {}

pub(super) fn open_error(label: &str, path: &Path, e: &std::io::Error) -> Error {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return Error::config(
            label,
            format!("the WEDOS account state {} is a symbolic link: refused (a state file is never followed)", path.display()),
        );
    }
    if e.kind() == std::io::ErrorKind::IsADirectory {
        return refused(label, path, "a directory");
    }
    io_error(label, "open", path, e)
}

pub(super) fn refused(label: &str, path: &Path, what: &str) -> Error {
    Error::config(
        label,
        format!(
            "the WEDOS account state {} is {what}, not a regular file: refused (remove it, or choose another \
             directory with {ENV_STATE_DIR})",
            path.display()
        ),
    )
}

pub(super) fn check_file(label: &str, path: &Path, f: &File) -> Result<()> {
    let meta = f.metadata().map_err(|e| io_error(label, "read", path, &e))?;
    let ft = meta.file_type();
    if !ft.is_file() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            let what = if ft.is_fifo() {
                "a FIFO"
            } else if ft.is_socket() {
                "a socket"
            } else if ft.is_char_device() || ft.is_block_device() {
                "a device"
            } else if ft.is_dir() {
                "a directory"
            } else {
                "not a regular file"
            };
            return Err(refused(label, path, what));
        }
        #[cfg(not(unix))]
        return Err(refused(label, path, "something else"));
    }
    check_private(label, "file", path, &meta)
}

#[cfg(unix)]
pub(super) fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(unix)]
pub(super) fn owned_by_me(m: &std::fs::Metadata) -> bool {
    std::os::unix::fs::MetadataExt::uid(m) == euid()
}

/// Refuses what another user owns or may write (group or others), as ssh treats its keys.
#[cfg(unix)]
pub(super) fn check_private(label: &str, what: &str, path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let me = euid();
    if meta.uid() != me {
        return Err(Error::config(
            label,
            format!(
                "the WEDOS account state {what} {} belongs to another user (uid {}, this process runs as uid {me}): \
                 refused, as state planted by another user could make hostapi send or hand out anything. Use a \
                 directory of your own ({ENV_STATE_DIR})",
                path.display(),
                meta.uid()
            ),
        ));
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(Error::config(
            label,
            format!(
                "the WEDOS account state {what} {} is writable by other users (mode {mode:04o}): refused, as state \
                 planted by another user could make hostapi send or hand out anything. Make it private (chmod \
                 go-w {}) or use a directory of your own ({ENV_STATE_DIR})",
                path.display(),
                path.display()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn check_private(_: &str, _: &str, _: &Path, _: &std::fs::Metadata) -> Result<()> {
    Ok(())
}

/// Who holds the lock of `file`, from `/proc/locks` (Linux): "process 1234 (python3)".
#[cfg(target_os = "linux")]
pub(super) fn lock_holder(file: &File) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata().ok()?;
    let (major, minor) = (libc::major(meta.dev()), libc::minor(meta.dev()));
    let device = format!("{major:02x}:{minor:02x}:{}", meta.ino());
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    let pid = locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; a waiter's line has "->" second.
        if fields.get(1) == Some(&"->") {
            return None;
        }
        (fields.get(5) == Some(&device.as_str())).then(|| fields.get(4)?.parse::<u32>().ok()).flatten()
    })?;
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).map(|s| s.trim().to_owned()).unwrap_or_default();
    Some(if name.is_empty() { format!("process {pid}") } else { format!("process {pid} ({name})") })
}

#[cfg(not(target_os = "linux"))]
pub(super) fn lock_holder(_: &File) -> Option<String> {
    None
}

pub(super) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
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
pub(super) fn remove_stale_temporaries(dir: &Path, prefix: &str) {
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
