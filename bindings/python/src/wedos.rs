//! `hostapi._native.WedosClient`: the core's `wedos::Client` for the Python layer (`hostapi.wedos.Client` and
//! `AsyncClient`, whose handle classes are generated from the operation model).

use pyo3::prelude::*;

use hostapi::wedos::Client;

use crate::client::Holder;
use crate::convert::to_pyerr;

/// A WEDOS WAPI client (the private half of `hostapi.wedos.Client` and `AsyncClient`).
#[pyclass(module = "hostapi._native", frozen)]
pub struct WedosClient {
    holder: Holder<Client>,
    user: String,
    base_url: String,
}

#[pymethods]
impl WedosClient {
    /// A client from `options`: the keys of the operation model's WEDOS settings.
    #[new]
    #[pyo3(signature = (options=None))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let none = py.None().into_bound(py);
        let (holder, client) = Holder::<Client>::new(py, options.unwrap_or(&none))?;
        Ok(WedosClient { user: client.user().to_owned(), base_url: client.base_url().to_owned(), holder })
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
        self.holder.closed()
    }

    /// Authentication/IP failures in a row so far (every client of the account on this machine).
    #[getter]
    fn auth_failures(&self, py: Python<'_>) -> PyResult<u32> {
        let c = self.holder.client(py, "ping")?;
        py.detach(|| crate::runtime::block_on(c.auth_failures()))?.map_err(|e| to_pyerr(py, &e))
    }

    /// Lets every client of the account send again after the guard stopped them (clears the stop, the invalid
    /// answers and the clock evidence; starts a damaged state afresh).
    fn reset_auth_guard(&self, py: Python<'_>) -> PyResult<()> {
        let c = self.holder.client(py, "ping")?;
        py.detach(|| crate::runtime::block_on(c.reset_auth_guard()))?.map_err(|e| to_pyerr(py, &e))
    }

    /// The file of the shared account state (None when it is kept in memory).
    #[getter]
    fn state_file(&self, py: Python<'_>) -> PyResult<Option<String>> {
        Ok(self.holder.client(py, "ping")?.state_file().map(|p| p.display().to_string()))
    }

    /// A fresh, unique clTRID.
    fn new_cltrid(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.holder.client(py, "call")?.new_cltrid())
    }

    /// Runs `operation` of the operation model with snake_case `args` (a dict or `None`), waiting with the GIL
    /// released. Returns the canonical JSON of the result as Python objects.
    #[pyo3(signature = (operation, args, progress=None))]
    fn call(
        &self,
        py: Python<'_>,
        operation: &str,
        args: &Bound<'_, PyAny>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.holder.call(py, operation, args, progress)
    }

    /// Like `call`, as an asyncio awaitable.
    #[pyo3(signature = (operation, args, progress=None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        args: &Bound<'py, PyAny>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.holder.call_async(py, operation, args, progress)
    }

    /// Releases the connection pool; later calls raise `ConfigError`.
    fn close(&self) {
        self.holder.close();
    }

    fn __repr__(&self) -> String {
        format!("WedosClient(user={:?}, base_url={:?})", self.user, self.base_url)
    }
}
