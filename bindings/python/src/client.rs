//! What both native client classes share: the core client behind a per-process guard (rebuilt in a child after
//! `os.fork()`), built from one options dict by the core's `from_options`, and the one generic entry point
//! `call(operation, args)` → the core's `call_json` (sync with the GIL released, or as an asyncio awaitable).

use std::future::Future;
use std::sync::Mutex;

use pyo3::prelude::*;
use serde_json::Value;

use hostapi::ops::{Api, Progress};
use hostapi::Error;

use crate::convert::{self, raise, Outcome};
use crate::{logging, runtime};

/// A core client of one API, as the native classes need it.
pub trait Core: Clone + Send + Sync + 'static {
    type Builder: Clone + Send + Sync;
    const API: Api;
    fn from_options(options: &Value) -> Result<Self::Builder, Error>;
    fn build(builder: Self::Builder) -> Result<Self, Error>;
    fn call_json(
        self,
        operation: String,
        args: Value,
        progress: Option<Progress>,
    ) -> impl Future<Output = Result<Value, Error>> + Send;
}

impl Core for hostapi::velneo::Client {
    type Builder = hostapi::velneo::ClientBuilder;
    const API: Api = Api::Velneo;
    fn from_options(options: &Value) -> Result<Self::Builder, Error> {
        Self::Builder::from_options(options)
    }
    fn build(builder: Self::Builder) -> Result<Self, Error> {
        builder.build()
    }
    async fn call_json(self, operation: String, args: Value, progress: Option<Progress>) -> Result<Value, Error> {
        hostapi::velneo::Client::call_json_with_progress(&self, &operation, &args, progress).await
    }
}

impl Core for hostapi::wedos::Client {
    type Builder = hostapi::wedos::ClientBuilder;
    const API: Api = Api::Wedos;
    fn from_options(options: &Value) -> Result<Self::Builder, Error> {
        Self::Builder::from_options(options)
    }
    fn build(builder: Self::Builder) -> Result<Self, Error> {
        builder.build()
    }
    async fn call_json(self, operation: String, args: Value, _progress: Option<Progress>) -> Result<Value, Error> {
        let options = hostapi::wedos::protocol::RequestOptions::default();
        hostapi::wedos::Client::call_json(&self, &operation, &args, &options).await
    }
}

/// The live core client and the process it belongs to.
struct Live<C> {
    pid: u32,
    client: C,
}

/// A core client held for Python: `None` once closed.
pub struct Holder<C: Core> {
    /// The settings, kept to build a fresh core client in a forked child.
    builder: C::Builder,
    /// Locked only on a thread holding the GIL, briefly (see `runtime`'s note on fork).
    live: Mutex<Option<Live<C>>>,
}

impl<C: Core> Holder<C> {
    /// A client from the options dict (the keys of the operation model's settings).
    pub fn new(py: Python<'_>, options: &Bound<'_, PyAny>) -> PyResult<(Self, C)> {
        let label = format!("{} client", C::API.as_str());
        let built = (|| {
            let value = if options.is_none() { Value::Null } else { convert::to_value(options, &label, "options")? };
            let builder = C::from_options(&value)?;
            let client = C::build(builder.clone())?;
            Ok::<_, Error>((builder, client))
        })();
        let (builder, client) = raise(py, built)?;
        let holder = Holder { builder, live: Mutex::new(Some(Live { pid: runtime::pid(), client: client.clone() })) };
        Ok((holder, client))
    }

    /// The core client of this process: the live one, or (in a forked child) a fresh one from the saved settings.
    pub fn client(&self, py: Python<'_>, operation: &str) -> PyResult<C> {
        let mut guard = lock(&self.live);
        let Some(live) = guard.as_mut() else {
            return Err(convert::to_pyerr(py, &convert::closed(&label(C::API, operation))));
        };
        let pid = runtime::pid();
        if live.pid != pid {
            let fresh = raise(py, C::build(self.builder.clone()))?;
            // The parent's client holds a pool bound to the parent's runtime threads: never touch it here.
            std::mem::forget(std::mem::replace(&mut live.client, fresh));
            live.pid = pid;
        }
        Ok(live.client.clone())
    }

    pub fn closed(&self) -> bool {
        lock(&self.live).is_none()
    }

    pub fn close(&self) {
        lock(&self.live).take();
    }

    /// The client and the JSON arguments of a call.
    fn prepare(&self, py: Python<'_>, operation: &str, args: &Bound<'_, PyAny>) -> PyResult<(C, Value)> {
        let client = self.client(py, operation)?;
        if args.is_none() {
            return Ok((client, Value::Null));
        }
        let value = convert::to_value(args, &label(C::API, operation), "arguments");
        Ok((client, raise(py, value)?))
    }

    /// `call_json(operation, args)`, waiting with the GIL released; the result's canonical JSON as Python values.
    /// `progress`, a callable `(received, total)`, is called by operations that report progress; when it raises
    /// (or returns `False`), the operation stops and its exception is raised.
    pub fn call(
        &self,
        py: Python<'_>,
        operation: &str,
        args: &Bound<'_, PyAny>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let (client, args) = self.prepare(py, operation, args)?;
        let operation = operation.to_owned();
        let (progress, raised) = python_progress(progress);
        let out = block(py, async move { Outcome::from_json(client.call_json(operation, args, progress).await) });
        let stopped_by = lock(&raised).take();
        match stopped_by {
            Some(e) => Err(e),
            None => out,
        }
    }

    /// Like `call`, as an asyncio awaitable (the Python layer hands `progress` to the event loop's thread).
    pub fn call_async<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        args: &Bound<'py, PyAny>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, args) = self.prepare(py, operation, args)?;
        let operation = operation.to_owned();
        let (progress, _raised) = python_progress(progress);
        spawn(py, async move { Outcome::from_json(client.call_json(operation, args, progress).await) })
    }
}

/// A core progress callback calling the Python callable `cb` with the GIL, and the slot of the exception it
/// raised (which stops the operation).
fn python_progress(cb: Option<Py<PyAny>>) -> (Option<Progress>, std::sync::Arc<Mutex<Option<PyErr>>>) {
    let raised = std::sync::Arc::new(Mutex::new(None));
    let Some(cb) = cb else { return (None, raised) };
    let slot = raised.clone();
    let progress: Progress = std::sync::Arc::new(move |received: u64, total: Option<u64>| {
        Python::attach(|py| match cb.call1(py, (received, total)) {
            Ok(answer) => !answer.bind(py).is(&pyo3::types::PyBool::new(py, false)),
            Err(e) => {
                *lock(&slot) = Some(e);
                false
            }
        })
    });
    (Some(progress), raised)
}

/// The name errors carry for `operation` before anything is sent.
fn label(api: Api, operation: &str) -> String {
    match api.op(operation) {
        Some(spec) => spec.label(),
        None => format!("{} {operation}", api.as_str()),
    }
}

/// Runs `fut` on this thread with the GIL released; converts its outcome once the GIL is back.
pub fn block<F>(py: Python<'_>, fut: F) -> PyResult<Py<PyAny>>
where
    F: Future<Output = Outcome> + Send,
{
    logging::refresh(py);
    let out = py.detach(|| runtime::block_on(fut))?;
    Ok(out.into_pyobject(py)?.unbind())
}

/// `fut` as an asyncio awaitable of the running loop.
pub fn spawn<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Outcome> + Send + 'static,
{
    logging::refresh(py);
    crate::bridge::spawn(py, fut)
}

pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
