//! `hostapi._native.VelneoClient`: the core's `velneo::Client` for the Python layer (`hostapi.velneo.Client` and
//! `AsyncClient`, whose handle classes are generated from the operation model).

use pyo3::prelude::*;

use hostapi::velneo::Client;

use crate::client::Holder;

/// A Velneo Cloud API client (the private half of `hostapi.velneo.Client` and `AsyncClient`).
#[pyclass(module = "hostapi._native", frozen)]
pub struct VelneoClient {
    holder: Holder<Client>,
    email: String,
    base_url: String,
}

#[pymethods]
impl VelneoClient {
    /// A client from `options`: the keys of the operation model's Velneo settings.
    #[new]
    #[pyo3(signature = (options=None))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let none = py.None().into_bound(py);
        let (holder, client) = Holder::<Client>::new(py, options.unwrap_or(&none))?;
        Ok(VelneoClient { email: client.email().to_owned(), base_url: client.base_url().to_owned(), holder })
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
        Ok(self.holder.client(py, "session.login")?.login_count())
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.holder.closed()
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

    /// Releases the connection pool; later calls raise `ConfigError`. Does not log out (the Python layer does
    /// that first).
    fn close(&self) {
        self.holder.close();
    }

    fn __repr__(&self) -> String {
        format!("VelneoClient(email={:?}, base_url={:?})", self.email, self.base_url)
    }
}
