//! The resource handles: the vServer, groups, users, folders, application and data instances.

use std::time::Duration;

use super::{Client, DOWNLOAD_OP, PROGRESS_EVERY, VSERVER_STATES};
use crate::error::{Error, ErrorKind, Result};
use crate::ops;
use crate::secret::Secret;
use crate::velneo::protocol::{Call, Output};
use crate::velneo::records::*;

/// The name errors of `wait_for_state` itself carry (those of its status calls name `vserver.status`).
const WAIT_OP: &str = "velneo vserver.wait_for_state";

/// The vServer: status, start, stop, credentials, backup.
#[derive(Clone, Copy, Debug)]
pub struct VServer<'a> {
    pub(super) client: &'a Client,
}

impl VServer<'_> {
    pub async fn status(self) -> Result<VServerStatus> {
        run_typed!(self.client, Call::VServerStatus, Output::VServerStatus)
    }
    pub async fn start(self) -> Result<Ack> {
        run_typed!(self.client, Call::VServerStart, Output::Ack)
    }
    pub async fn stop(self) -> Result<Ack> {
        run_typed!(self.client, Call::VServerStop, Output::Ack)
    }
    /// Stores the supervisor credentials the API uses to administer the vServer. They are not checked here: if
    /// wrong, the next administrative call fails with [`ErrorKind::VServerCredentials`].
    pub async fn set_credentials(self, username: impl Into<String>, password: impl Into<Secret>) -> Result<Ack> {
        run_typed!(self.client, Call::VServerCredentials { username: username.into(), password: password.into() }, Output::Ack)
    }
    /// Starts a backup and returns its download link.
    pub async fn backup(self) -> Result<Backup> {
        run_typed!(self.client, Call::VServerBackup, Output::Backup)
    }

    /// Downloads a backup from the link [`backup`](Self::backup) returned, handing each chunk to `sink` with the
    /// total size when known. Returns the number of bytes received.
    pub async fn download_backup(
        self,
        backup: &Backup,
        sink: impl FnMut(&[u8], Option<u64>) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.client.inner.transport.download(DOWNLOAD_OP, &backup.url, sink).await
    }

    /// Downloads a backup into the file `path`: streamed into a temporary file beside it, flushed to disk and
    /// renamed to `path` only when complete, so a failed or cancelled download leaves `path` as it was (the
    /// temporary file is removed). Returns the number of bytes written.
    pub async fn download_backup_to(self, backup: &Backup, path: &std::path::Path) -> Result<u64> {
        self.download_backup_to_with_progress(backup, path, None).await
    }

    /// [`download_backup_to`](Self::download_backup_to), reporting the bytes received (and the total when
    /// announced) to `progress` at most every 100 ms and once at the end.
    pub async fn download_backup_to_with_progress(
        self,
        backup: &Backup,
        path: &std::path::Path,
        progress: Option<ops::Progress>,
    ) -> Result<u64> {
        use std::io::Write;
        if backup.url.trim().is_empty() {
            return Err(Error::config(DOWNLOAD_OP, "the backup URL must not be empty"));
        }
        let local = |what: &str, e: &dyn std::fmt::Display| {
            Error::new(ErrorKind::Transport, DOWNLOAD_OP, format!("{what}: {e}"))
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".hostapi-backup-")
            .suffix(".part")
            .tempfile_in(&dir)
            .map_err(|e| Error::config(DOWNLOAD_OP, format!("cannot create a file in {}: {e}", dir.display())))?;
        let mut writer = std::io::BufWriter::new(tmp);
        let mut received = 0u64;
        let mut last_report: Option<std::time::Instant> = None;
        let mut announced = None;
        let n = self
            .download_backup(backup, |chunk, total| {
                writer.write_all(chunk)?;
                received += chunk.len() as u64;
                announced = total;
                if let Some(report) = &progress {
                    if last_report.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) {
                        last_report = Some(std::time::Instant::now());
                        if !report(received, total) {
                            return Err(std::io::Error::new(
                                std::io::ErrorKind::Interrupted,
                                "stopped by the progress callback",
                            ));
                        }
                    }
                }
                Ok(())
            })
            .await?;
        if let Some(report) = &progress {
            if !report(n, announced.or(Some(n))) {
                return Err(local("cannot write the download", &"stopped by the progress callback"));
            }
        }
        let tmp = writer.into_inner().map_err(|e| local("cannot write the download", &e.error()))?;
        tmp.as_file().sync_all().map_err(|e| local("cannot write the download", &e))?;
        tmp.persist(path).map_err(|e| local(&format!("cannot rename the download to {}", path.display()), &e.error))?;
        Ok(n)
    }

    /// Polls the status every `interval` until it is `state` (`"running"` or `"stopped"`, see
    /// [`VSERVER_STATES`]), up to `timeout`. Any other state is a `Config` error at once.
    pub async fn wait_for_state(self, state: &str, interval: Duration, timeout: Duration) -> Result<VServerStatus> {
        let label = WAIT_OP;
        if !VSERVER_STATES.contains(&state) {
            return Err(Error::config(
                label,
                format!("state {state:?} is not one a vServer can be waited for: \"running\" or \"stopped\""),
            ));
        }
        if interval.is_zero() {
            return Err(Error::config(label, "interval must be greater than zero"));
        }
        let deadline = tokio::time::Instant::now().checked_add(timeout).ok_or_else(|| {
            Error::config(WAIT_OP, format!("timeout {timeout:?} is too large"))
        })?;
        loop {
            let st = self.status().await?;
            if st.status.eq_ignore_ascii_case(state) {
                return Ok(st);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    WAIT_OP,
                    format!(
                        "the vServer is still {} after {} (waiting for {state})",
                        st.status,
                        crate::error::words(timeout)
                    ),
                ));
            }
            tokio::time::sleep(interval.min(deadline - now)).await;
        }
    }
}

/// Groups of vServer users.
#[derive(Clone, Copy, Debug)]
pub struct Groups<'a> {
    pub(super) client: &'a Client,
}

impl Groups<'_> {
    /// Creates the group if missing, else modifies it.
    pub async fn put(self, spec: GroupSpec) -> Result<Ack> {
        run_typed!(self.client, Call::GroupPut(spec), Output::Ack)
    }
    pub async fn get(self, name: impl Into<String>) -> Result<Group> {
        run_typed!(self.client, Call::GroupGet(name.into()), Output::Group)
    }
    pub async fn list(self) -> Result<Vec<Group>> {
        run_typed!(self.client, Call::GroupList, Output::Groups)
    }
    pub async fn delete(self, name: impl Into<String>) -> Result<Ack> {
        run_typed!(self.client, Call::GroupDelete(name.into()), Output::Ack)
    }
}

/// vServer users.
#[derive(Clone, Copy, Debug)]
pub struct Users<'a> {
    pub(super) client: &'a Client,
}

impl Users<'_> {
    /// Creates the user if missing, else modifies it.
    pub async fn put(self, spec: UserSpec) -> Result<Ack> {
        run_typed!(self.client, Call::UserPut(spec), Output::Ack)
    }
    pub async fn get(self, username: impl Into<String>) -> Result<User> {
        run_typed!(self.client, Call::UserGet(username.into()), Output::User)
    }
    pub async fn list(self, filter: UserFilter) -> Result<Vec<User>> {
        run_typed!(self.client, Call::UserList(filter), Output::Users)
    }
    pub async fn delete(self, username: impl Into<String>) -> Result<Ack> {
        run_typed!(self.client, Call::UserDelete(username.into()), Output::Ack)
    }
}

/// Shared folders.
#[derive(Clone, Copy, Debug)]
pub struct Folders<'a> {
    pub(super) client: &'a Client,
}

impl Folders<'_> {
    /// Creates the shared folder if missing, else modifies it.
    pub async fn put(self, spec: FolderSpec) -> Result<Ack> {
        run_typed!(self.client, Call::FolderPut(spec), Output::Ack)
    }
    pub async fn get(self, name: impl Into<String>) -> Result<Folder> {
        run_typed!(self.client, Call::FolderGet(name.into()), Output::Folder)
    }
    pub async fn list(self) -> Result<Vec<Folder>> {
        run_typed!(self.client, Call::FolderList, Output::Folders)
    }
    pub async fn delete(self, name: impl Into<String>) -> Result<Ack> {
        run_typed!(self.client, Call::FolderDelete(name.into()), Output::Ack)
    }
}

/// Application instances.
#[derive(Clone, Copy, Debug)]
pub struct AppInstances<'a> {
    pub(super) client: &'a Client,
}

impl AppInstances<'_> {
    /// Adds an application instance; the answer carries its id.
    pub async fn put(self, spec: InstanceSpec) -> Result<InstanceCreated> {
        run_typed!(self.client, Call::InstancePut(InstanceKind::App, spec), Output::InstanceCreated)
    }
    pub async fn get(self, key: impl Into<InstanceKey>) -> Result<AppInstance> {
        run_typed!(self.client, Call::InstanceGet(InstanceKind::App, key.into()), Output::AppInstance)
    }
    pub async fn list(self) -> Result<Vec<AppInstance>> {
        run_typed!(self.client, Call::InstanceList(InstanceKind::App), Output::AppInstances)
    }
    pub async fn delete(self, key: impl Into<InstanceKey>) -> Result<Ack> {
        run_typed!(self.client, Call::InstanceDelete(InstanceKind::App, key.into()), Output::Ack)
    }
}

/// Data instances.
#[derive(Clone, Copy, Debug)]
pub struct DataInstances<'a> {
    pub(super) client: &'a Client,
}

impl DataInstances<'_> {
    /// Creates the data instance if missing, else modifies it; the answer carries its id.
    pub async fn put(self, spec: InstanceSpec) -> Result<InstanceCreated> {
        run_typed!(self.client, Call::InstancePut(InstanceKind::Data, spec), Output::InstanceCreated)
    }
    pub async fn get(self, key: impl Into<InstanceKey>) -> Result<DataInstance> {
        run_typed!(self.client, Call::InstanceGet(InstanceKind::Data, key.into()), Output::DataInstance)
    }
    pub async fn list(self) -> Result<Vec<DataInstance>> {
        run_typed!(self.client, Call::InstanceList(InstanceKind::Data), Output::DataInstances)
    }
    pub async fn delete(self, key: impl Into<InstanceKey>) -> Result<Ack> {
        run_typed!(self.client, Call::InstanceDelete(InstanceKind::Data, key.into()), Output::Ack)
    }
}

