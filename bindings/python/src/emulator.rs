//! `hostapi._native.Emulator`: the `hostapi-emulator` server, started in-process on its own thread
//! (`Emulator::start_blocking`). The control endpoints are plain HTTP; `hostapi.testing` calls them.

use std::sync::Mutex;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

use hostapi_emulator::{Control, Emulator as Server, EmulatorConfig};

use crate::client::lock;

/// A running emulator (the private half of `hostapi.testing.Emulator`).
#[pyclass(module = "hostapi._native", frozen)]
pub struct Emulator {
    server: Mutex<Option<Server>>,
    /// The process that started the server; a forked child must never join the parent's server thread.
    pid: u32,
    control: Control,
    url: String,
    velneo_url: String,
    wedos_url: String,
    dns: Option<String>,
}

#[pymethods]
impl Emulator {
    /// Starts a server. `config_json` is the emulator's JSON config (see the emulator's `config.rs`); `host` and
    /// `port` override its address (port 0 = a free port).
    #[new]
    #[pyo3(signature = (config_json=None, *, host=None, port=None, dns_port=None))]
    fn new(
        py: Python<'_>,
        config_json: Option<&str>,
        host: Option<&str>,
        port: Option<u16>,
        dns_port: Option<u16>,
    ) -> PyResult<Self> {
        let config = EmulatorConfig::with_address(config_json, host, port, dns_port).map_err(PyValueError::new_err)?;
        let server = py
            .detach(|| Server::start_blocking(config))
            .map_err(|e| PyOSError::new_err(format!("cannot start the emulator: {e}")))?;
        Ok(Emulator {
            control: server.control(),
            url: server.url(),
            velneo_url: server.velneo_url(),
            wedos_url: server.wedos_url(),
            dns: server.dns_addr().map(|a| a.to_string()),
            server: Mutex::new(Some(server)),
            pid: crate::runtime::pid(),
        })
    }

    /// `http://127.0.0.1:PORT`.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// The Velneo client's base URL (`…/v1`).
    #[getter]
    fn velneo_url(&self) -> &str {
        &self.velneo_url
    }

    /// The WEDOS client's base URL (`…/wapi/json`).
    #[getter]
    fn wedos_url(&self) -> &str {
        &self.wedos_url
    }

    /// The DNS server's `HOST:PORT` (UDP and TCP), or `None` without `dns_port`.
    #[getter]
    fn dns(&self) -> Option<&str> {
        self.dns.as_deref()
    }

    /// Whether the server is still running.
    #[getter]
    fn running(&self) -> bool {
        lock(&self.server).is_some()
    }

    /// Calls a control endpoint, `METHOD /_emulator/<path>` with the JSON text `body` (or none), GIL released;
    /// returns the answer's JSON text. Raises `RuntimeError` with the emulator's message when it refuses.
    #[pyo3(signature = (method, path, body=None))]
    fn control(&self, py: Python<'_>, method: &str, path: &str, body: Option<&str>) -> PyResult<String> {
        if lock(&self.server).is_none() {
            return Err(pyo3::exceptions::PyRuntimeError::new_err("the emulator is stopped"));
        }
        let body: Option<serde_json::Value> = match body {
            Some(t) => Some(serde_json::from_str(t).map_err(|e| PyValueError::new_err(format!("body: {e}")))?),
            None => None,
        };
        let control = self.control.clone();
        let answer = py.detach(|| crate::runtime::block_on(async move { control.call(method, path, body.as_ref()).await }))?;
        answer.map(|v| v.to_string()).map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.message))
    }

    /// Stops the server (in-flight requests get up to 2 s), GIL released. Idempotent.
    fn stop(&self, py: Python<'_>) {
        let server = lock(&self.server).take();
        self.dispose(py, server);
    }

    fn __repr__(&self) -> String {
        format!("Emulator(url={:?})", self.url)
    }
}

impl Emulator {
    fn dispose(&self, py: Python<'_>, server: Option<Server>) {
        let Some(server) = server else { return };
        if crate::runtime::pid() != self.pid {
            // The server thread lives in the parent only: joining it here would hang.
            std::mem::forget(server);
            return;
        }
        py.detach(move || drop(server));
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let server = self.server.get_mut().unwrap_or_else(|p| p.into_inner()).take();
        if server.is_some() {
            Python::attach(|py| self.dispose(py, server));
        }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Emulator>()?;
    m.add("DEMO_VELNEO_EMAIL", hostapi_emulator::DEMO_VELNEO_EMAIL)?;
    m.add("DEMO_VELNEO_API_KEY", hostapi_emulator::DEMO_VELNEO_API_KEY)?;
    m.add("DEMO_WEDOS_USER", hostapi_emulator::DEMO_WEDOS_USER)?;
    m.add("DEMO_WEDOS_PASSWORD", hostapi_emulator::DEMO_WEDOS_PASSWORD)?;
    Ok(())
}
