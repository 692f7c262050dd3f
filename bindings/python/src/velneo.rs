//! `hostapi._native.VelneoClient`: the core's `velneo::Client` behind a per-process guard, with a sync entry point
//! (GIL released while waiting) and an async one (an asyncio awaitable).

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use pyo3::prelude::*;
use serde_json::Value;

use hostapi::velneo::{protocol, Call, Client, ClientBuilder};

use crate::convert::{self, raise, Outcome};
use crate::{logging, runtime};

const BUILD_OP: &str = "velneo client";
const DOWNLOAD_OP: &str = "velneo vserver.backup download";

/// The live core client and the process it belongs to.
struct Live {
    pid: u32,
    client: Client,
}

/// A Velneo Cloud API client (the private half of `hostapi.velneo.Client` and `AsyncClient`).
#[pyclass(module = "hostapi._native", frozen)]
pub struct VelneoClient {
    /// The settings, kept to build a fresh core client in a forked child.
    builder: ClientBuilder,
    /// `None` once closed. Locked only on a thread holding the GIL, briefly (see `runtime`'s note on fork).
    live: Mutex<Option<Live>>,
    email: String,
    base_url: String,
}

#[allow(clippy::too_many_arguments)]
#[pymethods]
impl VelneoClient {
    #[new]
    #[pyo3(signature = (
        email=None, api_key=None, *, from_env=false, base_url=None, timeout=None, connect_timeout=None,
        retries=None, verify=true, ca_bundle=None, user_agent=None, backoff=None, http_verbs=false
    ))]
    fn new(
        py: Python<'_>,
        email: Option<String>,
        api_key: Option<String>,
        from_env: bool,
        base_url: Option<String>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        retries: Option<u32>,
        verify: bool,
        ca_bundle: Option<std::path::PathBuf>,
        user_agent: Option<String>,
        backoff: Option<(f64, f64)>,
        http_verbs: bool,
    ) -> PyResult<Self> {
        let built = (|| {
            let mut b = Client::builder();
            if from_env {
                b = b.from_env();
            }
            if let Some(v) = email {
                b = b.email(v);
            }
            if let Some(v) = api_key {
                b = b.api_key(v);
            }
            if let Some(v) = base_url {
                b = b.base_url(v);
            }
            b = b.transport(convert::transport_config(
                BUILD_OP,
                timeout,
                connect_timeout,
                retries,
                verify,
                ca_bundle,
                user_agent,
                backoff,
            )?);
            b = b.http_verbs(http_verbs);
            let client = b.clone().build()?;
            Ok::<_, hostapi::Error>((b, client))
        })();
        let (builder, client) = raise(py, built)?;
        Ok(VelneoClient {
            email: client.email().to_owned(),
            base_url: client.base_url().to_owned(),
            builder,
            live: Mutex::new(Some(Live { pid: runtime::pid(), client })),
        })
    }

    /// The account e-mail.
    #[getter]
    fn email(&self) -> &str {
        &self.email
    }

    /// The API root the client talks to.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How many logins this client (in this process) has performed.
    #[getter]
    fn login_count(&self, py: Python<'_>) -> PyResult<u64> {
        Ok(self.client(py, "velneo session.login")?.login_count())
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        lock(&self.live).is_none()
    }

    /// Runs `operation` (canonical name, e.g. `users.put`) with snake_case `args`, waiting with the GIL released.
    /// Returns the canonical JSON of the result as Python objects.
    fn execute(&self, py: Python<'_>, operation: &str, args: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let (client, call) = self.prepare(py, operation, args)?;
        block(py, async move { Outcome::from_result(client.execute(&call).await) })
    }

    /// Like `execute`, as an asyncio awaitable.
    fn execute_async<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        args: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, call) = self.prepare(py, operation, args)?;
        spawn(py, async move { Outcome::from_result(client.execute(&call).await) })
    }

    /// Downloads the backup at `url` (the link `vserver.backup` returned) into the file `path`, GIL released.
    /// Returns the number of bytes written.
    fn download_backup(&self, py: Python<'_>, url: String, path: std::path::PathBuf) -> PyResult<Py<PyAny>> {
        let client = self.client(py, DOWNLOAD_OP)?;
        block(py, async move { Outcome::from_result(download(client, url, path).await) })
    }

    fn download_backup_async<'py>(
        &self,
        py: Python<'py>,
        url: String,
        path: std::path::PathBuf,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py, DOWNLOAD_OP)?;
        spawn(py, async move { Outcome::from_result(download(client, url, path).await) })
    }

    /// Polls the vServer status every `interval` seconds until it is `state`, up to `timeout` seconds.
    fn wait_for_state(&self, py: Python<'_>, state: String, interval: f64, timeout: f64) -> PyResult<Py<PyAny>> {
        let (client, interval, timeout) = self.wait_args(py, interval, timeout)?;
        block(py, async move { Outcome::from_result(client.vserver().wait_for_state(&state, interval, timeout).await) })
    }

    fn wait_for_state_async<'py>(
        &self,
        py: Python<'py>,
        state: String,
        interval: f64,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, interval, timeout) = self.wait_args(py, interval, timeout)?;
        spawn(py, async move { Outcome::from_result(client.vserver().wait_for_state(&state, interval, timeout).await) })
    }

    /// Ends the session (a no-op without one), GIL released.
    fn logout(&self, py: Python<'_>) -> PyResult<()> {
        let Some(client) = self.client_if_open(py) else { return Ok(()) };
        block(py, async move { Outcome::from_result(client.logout().await.map(|()| Value::Null)) }).map(drop)
    }

    /// Like `logout`, as an asyncio awaitable.
    fn logout_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client_if_open(py);
        spawn(py, async move {
            let r = match client {
                Some(c) => c.logout().await,
                None => Ok(()),
            };
            Outcome::from_result(r.map(|()| Value::Null))
        })
    }

    /// Releases the connection pool; later calls raise `ConfigError`. Does not log out (the Python layer does
    /// that first).
    fn close(&self) {
        lock(&self.live).take();
    }

    fn __repr__(&self) -> String {
        format!("VelneoClient(email={:?}, base_url={:?})", self.email, self.base_url)
    }
}

impl VelneoClient {
    /// The core client of this process: the live one, or (in a forked child) a fresh one from the saved settings.
    fn client(&self, py: Python<'_>, operation: &str) -> PyResult<Client> {
        let mut guard = lock(&self.live);
        let Some(live) = guard.as_mut() else { return Err(convert::to_pyerr(py, &convert::closed(operation))) };
        let pid = runtime::pid();
        if live.pid != pid {
            let fresh = raise(py, self.builder.clone().build())?;
            // The parent's client holds a pool bound to the parent's runtime threads: never touch it here.
            std::mem::forget(std::mem::replace(&mut live.client, fresh));
            live.pid = pid;
        }
        Ok(live.client.clone())
    }

    fn wait_args(&self, py: Python<'_>, interval: f64, timeout: f64) -> PyResult<(Client, Duration, Duration)> {
        let op = "velneo vserver.status";
        let client = self.client(py, op)?;
        let interval = raise(py, convert::seconds(op, "interval", interval))?;
        let timeout = raise(py, convert::seconds(op, "timeout", timeout))?;
        if interval.is_zero() {
            return Err(convert::to_pyerr(py, &convert::config_error(op, "interval must be greater than zero")));
        }
        Ok((client, interval, timeout))
    }

    fn client_if_open(&self, py: Python<'_>) -> Option<Client> {
        if lock(&self.live).is_none() {
            return None;
        }
        self.client(py, "velneo session.logout").ok()
    }

    fn prepare(&self, py: Python<'_>, operation: &str, args: &Bound<'_, PyAny>) -> PyResult<(Client, Call)> {
        let label = match protocol::Operation::from_name(operation) {
            Some(op) => op.label(),
            None => format!("velneo {operation}"),
        };
        let client = self.client(py, &label)?;
        let call = raise(py, call_from_py(operation, args, &label))?;
        Ok((client, call))
    }
}

/// Runs `fut` on this thread with the GIL released; converts its outcome once the GIL is back.
pub fn block<F>(py: Python<'_>, fut: F) -> PyResult<Py<PyAny>>
where
    F: Future<Output = Outcome> + Send,
{
    logging::refresh(py);
    let rt = runtime::get();
    let out = py.detach(|| runtime::block_on(rt, fut))?;
    Ok(out.into_pyobject(py)?.unbind())
}

/// `fut` as an asyncio awaitable of the running loop.
pub fn spawn<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Outcome> + Send + 'static,
{
    logging::refresh(py);
    runtime::awaitable(py, async move { Ok(fut.await) })
}

/// Streams the backup at `url` into a temporary file beside `path`, renamed to `path` only when complete: a
/// failed or cancelled download leaves `path` as it was (the temporary file is removed when dropped).
async fn download(client: Client, url: String, path: std::path::PathBuf) -> Result<u64, hostapi::Error> {
    use std::io::Write;
    let local = |what: &str, e: &dyn std::fmt::Display| {
        hostapi::Error::new(hostapi::ErrorKind::Transport, DOWNLOAD_OP, format!("{what}: {e}"))
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let tmp =
        tempfile::Builder::new().prefix(".hostapi-backup-").suffix(".part").tempfile_in(&dir).map_err(|e| {
            convert::config_error(DOWNLOAD_OP, format!("cannot create a file in {}: {e}", dir.display()))
        })?;
    let mut writer = std::io::BufWriter::new(tmp);
    let backup = hostapi::velneo::Backup { url };
    let n = client.vserver().download_backup(&backup, |chunk, _total| writer.write_all(chunk)).await?;
    let tmp = writer.into_inner().map_err(|e| local("cannot write the download", &e.error()))?;
    tmp.as_file().sync_all().map_err(|e| local("cannot write the download", &e))?;
    tmp.persist(&path).map_err(|e| local(&format!("cannot rename the download to {}", path.display()), &e.error))?;
    Ok(n)
}

/// `Call::from_json` over Python arguments (a dict or `None`).
pub fn call_from_py(operation: &str, args: &Bound<'_, PyAny>, label: &str) -> Result<Call, hostapi::Error> {
    let value = if args.is_none() { Value::Null } else { convert::to_value(args, label, "arguments")? };
    if !(value.is_object() || value.is_null()) {
        return Err(convert::config_error(label, "arguments must be a dict"));
    }
    Call::from_json(operation, &value)
}

pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
