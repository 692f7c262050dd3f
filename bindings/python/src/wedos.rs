//! `hostapi._native.WedosClient`: the core's `wedos::Client` behind a per-process guard, with sync entry points
//! (GIL released while waiting) and async ones (asyncio awaitables).

use std::future::Future;
use std::sync::Mutex;

use pyo3::prelude::*;
use serde_json::Value;

use hostapi::wedos::{protocol, Call, Client, ClientBuilder, LimitPolicy};

use crate::convert::{self, raise, Outcome};
use crate::runtime;
use crate::velneo::lock;

const BUILD_OP: &str = "wedos client";

struct Live {
    pid: u32,
    client: Client,
}

/// A WEDOS WAPI client (the private half of `hostapi.wedos.Client` and `AsyncClient`).
#[pyclass(module = "hostapi._native", frozen)]
pub struct WedosClient {
    builder: ClientBuilder,
    live: Mutex<Option<Live>>,
    user: String,
    base_url: String,
}

#[allow(clippy::too_many_arguments)]
#[pymethods]
impl WedosClient {
    #[new]
    #[pyo3(signature = (
        user=None, password=None, *, from_env=false, base_url=None, timeout=None, connect_timeout=None,
        retries=None, verify=true, ca_bundle=None, user_agent=None, backoff=None, test_mode=false,
        on_limit="raise", max_auth_failures=None, hourly_limits=None, budget_window=None, poll_interval=None,
        hour_boundary_window=None
    ))]
    fn new(
        py: Python<'_>,
        user: Option<String>,
        password: Option<String>,
        from_env: bool,
        base_url: Option<String>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        retries: Option<u32>,
        verify: bool,
        ca_bundle: Option<std::path::PathBuf>,
        user_agent: Option<String>,
        backoff: Option<(f64, f64)>,
        test_mode: bool,
        on_limit: &str,
        max_auth_failures: Option<u32>,
        hourly_limits: Option<(u32, u32)>,
        budget_window: Option<f64>,
        poll_interval: Option<f64>,
        hour_boundary_window: Option<f64>,
    ) -> PyResult<Self> {
        let built = (|| {
            let mut b = Client::builder();
            if from_env {
                b = b.from_env();
            }
            if let Some(v) = user {
                b = b.user(v);
            }
            if let Some(v) = password {
                b = b.password(v);
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
            let policy = match on_limit {
                "raise" => LimitPolicy::FailFast,
                "wait" => LimitPolicy::Wait,
                _ => return Err(convert::config_error(BUILD_OP, "on_limit must be \"raise\" or \"wait\"")),
            };
            b = b.limit_policy(policy).test_mode(test_mode);
            if let Some(v) = max_auth_failures {
                b = b.max_auth_failures(v);
            }
            if let Some((requests, domain_checks)) = hourly_limits {
                b = b.hourly_limits(requests, domain_checks);
            }
            if let Some(v) = budget_window {
                b = b.budget_window(convert::seconds(BUILD_OP, "budget_window", v)?);
            }
            if let Some(v) = poll_interval {
                b = b.poll_interval(convert::seconds(BUILD_OP, "poll_interval", v)?);
            }
            if let Some(v) = hour_boundary_window {
                b = b.hour_boundary_window(convert::seconds(BUILD_OP, "hour_boundary_window", v)?);
            }
            let client = b.clone().build()?;
            Ok::<_, hostapi::Error>((b, client))
        })();
        let (builder, client) = raise(py, built)?;
        Ok(WedosClient {
            user: client.user().to_owned(),
            base_url: client.base_url().to_owned(),
            builder,
            live: Mutex::new(Some(Live { pid: runtime::pid(), client })),
        })
    }

    /// The account login.
    #[getter]
    fn user(&self) -> &str {
        &self.user
    }

    /// The JSON endpoint the client talks to.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        lock(&self.live).is_none()
    }

    /// Authentication/IP failures in a row so far (this process).
    #[getter]
    fn auth_failures(&self, py: Python<'_>) -> PyResult<u32> {
        Ok(self.client(py, "wedos client")?.auth_failures())
    }

    /// Notifications this client took off the server queue while waiting for another one.
    #[getter]
    fn kept(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.client(py, "wedos poll-req")?.notifications().kept())
    }

    /// Lets the client send again after the auth-failure guard stopped it.
    fn reset_auth_guard(&self, py: Python<'_>) -> PyResult<()> {
        self.client(py, "wedos client")?.reset_auth_guard();
        Ok(())
    }

    /// A fresh, unique clTRID.
    fn new_cltrid(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.client(py, "wedos client")?.new_cltrid())
    }

    /// Runs `operation` (canonical name, e.g. `dns.add_row`) with snake_case `args`, GIL released. Returns the
    /// canonical JSON of the result.
    #[pyo3(signature = (operation, args, cltrid=None))]
    fn execute(
        &self,
        py: Python<'_>,
        operation: &str,
        args: &Bound<'_, PyAny>,
        cltrid: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        let (client, call) = self.prepare(py, operation, args)?;
        let options = protocol::RequestOptions { cltrid, test: false };
        self.block(py, async move { Outcome::from_result(client.execute_with(&call, &options).await) })
    }

    /// Like `execute`, as an asyncio awaitable.
    #[pyo3(signature = (operation, args, cltrid=None))]
    fn execute_async<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        args: &Bound<'py, PyAny>,
        cltrid: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, call) = self.prepare(py, operation, args)?;
        let options = protocol::RequestOptions { cltrid, test: false };
        self.spawn(py, async move { Outcome::from_result(client.execute_with(&call, &options).await) })
    }

    /// `ping-async`, then waits up to `timeout` seconds for its notification (acknowledged as it is returned).
    fn ping_async_wait(&self, py: Python<'_>, timeout: f64) -> PyResult<Py<PyAny>> {
        let client = self.client(py, "wedos ping-async")?;
        let timeout = raise(py, convert::seconds("wedos ping-async", "wait", timeout))?;
        self.block(py, async move { Outcome::from_result(client.ping_async_wait(timeout).await) })
    }

    fn ping_async_wait_async<'py>(&self, py: Python<'py>, timeout: f64) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py, "wedos ping-async")?;
        let timeout = raise(py, convert::seconds("wedos ping-async", "wait", timeout))?;
        self.spawn(py, async move { Outcome::from_result(client.ping_async_wait(timeout).await) })
    }

    /// The oldest unread notification without acknowledging it, or `None`.
    fn poll(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let client = self.client(py, "wedos poll-req")?;
        self.block(py, async move { Outcome::from_result(client.notifications().poll().await) })
    }

    fn poll_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py, "wedos poll-req")?;
        self.spawn(py, async move { Outcome::from_result(client.notifications().poll().await) })
    }

    /// Acknowledges notification `id`.
    fn ack(&self, py: Python<'_>, id: String) -> PyResult<Py<PyAny>> {
        let client = self.client(py, "wedos poll-ack")?;
        self.block(py, async move { Outcome::from_result(client.notifications().ack(&id).await) })
    }

    fn ack_async<'py>(&self, py: Python<'py>, id: String) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py, "wedos poll-ack")?;
        self.spawn(py, async move { Outcome::from_result(client.notifications().ack(&id).await) })
    }

    /// The next notification, acknowledged as it is handed over, or `None` when the queue is empty.
    fn next(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let client = self.client(py, "wedos poll-req")?;
        self.block(py, async move { Outcome::from_result(client.notifications().next().await) })
    }

    fn next_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py, "wedos poll-req")?;
        self.spawn(py, async move { Outcome::from_result(client.notifications().next().await) })
    }

    /// Releases the connection pool; later calls raise `ConfigError`.
    fn close(&self) {
        lock(&self.live).take();
    }

    fn __repr__(&self) -> String {
        format!("WedosClient(user={:?}, base_url={:?})", self.user, self.base_url)
    }
}

impl WedosClient {
    fn client(&self, py: Python<'_>, operation: &str) -> PyResult<Client> {
        let mut guard = lock(&self.live);
        let Some(live) = guard.as_mut() else { return Err(convert::to_pyerr(py, &convert::closed(operation))) };
        let pid = runtime::pid();
        if live.pid != pid {
            let fresh = raise(py, self.builder.clone().build())?;
            // The parent's client is bound to the parent's runtime threads: never touch it in the child.
            std::mem::forget(std::mem::replace(&mut live.client, fresh));
            live.pid = pid;
        }
        Ok(live.client.clone())
    }

    fn prepare(&self, py: Python<'_>, operation: &str, args: &Bound<'_, PyAny>) -> PyResult<(Client, Call)> {
        let label = label_of(operation, args);
        let client = self.client(py, &label)?;
        let call = raise(py, call_from_py(operation, args, &label))?;
        Ok((client, call))
    }

    fn block<F>(&self, py: Python<'_>, fut: F) -> PyResult<Py<PyAny>>
    where
        F: Future<Output = Outcome> + Send,
    {
        crate::velneo::block(py, fut)
    }

    fn spawn<'py, F>(&self, py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
    where
        F: Future<Output = Outcome> + Send + 'static,
    {
        crate::velneo::spawn(py, fut)
    }
}

/// The label errors carry for `operation` (`wedos dns-row-add`; for `call`, the command when it is given).
pub fn label_of(operation: &str, args: &Bound<'_, PyAny>) -> String {
    match protocol::Operation::from_name(operation) {
        Some(protocol::Operation::Call) => {
            let command = args.get_item("command").ok().and_then(|c| c.extract::<String>().ok());
            format!("wedos {}", command.unwrap_or_else(|| "call".into()))
        }
        Some(op) => format!("wedos {}", op.command()),
        None => format!("wedos {operation}"),
    }
}

/// `Call::from_json` over Python arguments (a dict or `None`).
pub fn call_from_py(operation: &str, args: &Bound<'_, PyAny>, label: &str) -> Result<Call, hostapi::Error> {
    let value = if args.is_none() { Value::Null } else { convert::to_value(args, label, "arguments")? };
    if !(value.is_object() || value.is_null()) {
        return Err(convert::config_error(label, "arguments must be a dict"));
    }
    Call::from_json(operation, &value)
}
