//! How `AsyncClient` calls hand their results back to the asyncio event loop, in batches and without taking the
//! GIL on the runtime's threads.
//!
//! A call creates an asyncio future on the running loop and spawns the core call on the shared runtime. When the
//! call ends, the runtime's thread puts (future, outcome) on the loop's queue and, if the queue was empty, writes
//! one byte to the loop's wake-up socket; the loop (which watches the socket with `add_reader`) drains the queue
//! on its own thread, holding the GIL it already has, and resolves every future at once. Handing each result over
//! with the GIL instead (`call_soon_threadsafe` from the runtime's threads) makes those threads wait for the GIL
//! the busy loop holds, and the process spends its time switching threads.
//!
//! A future cancelled on the Python side aborts its call (the core future is dropped).

use std::future::Future;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::convert::Outcome;
use crate::runtime;

/// One event loop's queue of finished calls and its wake-up socket pair.
struct Queue {
    done: Mutex<Vec<(Py<PyAny>, Outcome)>>,
    wake: UnixStream,
}

impl Queue {
    /// Called on a runtime thread, without the GIL.
    fn finish(&self, future: Py<PyAny>, outcome: Outcome) {
        let first = {
            let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
            done.push((future, outcome));
            done.len() == 1
        };
        if first {
            // Non-blocking: a full socket buffer already holds a pending wake-up.
            let _ = (&self.wake).write(&[1]);
        }
    }
}

/// A call's future on its way back to the loop. Whatever ends the call — its outcome, a panic, the task dropped
/// (cancelled, or the runtime shutting down) — the future goes back through the queue, so that it is settled (or
/// found cancelled) and released on the loop's thread, with the GIL.
struct Pending {
    future: Option<Py<PyAny>>,
    queue: Arc<Queue>,
}

impl Pending {
    fn finish(&mut self, outcome: Outcome) {
        if let Some(future) = self.future.take() {
            self.queue.finish(future, outcome);
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let ended = hostapi::Error::new(
            hostapi::ErrorKind::Transport,
            "hostapi",
            "the call ended without a result (cancelled, or the runtime stopped)",
        );
        self.finish(Outcome::Failed(ended));
    }
}

/// The loop side of a [`Queue`]: registered with `loop.add_reader(bridge.fileno(), bridge.drain)`.
#[pyclass(module = "hostapi._native", frozen)]
pub struct Bridge {
    queue: Arc<Queue>,
    reader: UnixStream,
    /// The process that made it: a forked child that keeps the loop object makes its own.
    pid: u32,
}

#[pymethods]
impl Bridge {
    fn fileno(&self) -> i32 {
        self.reader.as_raw_fd()
    }

    /// Resolves every future whose call has ended (on the loop's thread).
    fn drain(&self, py: Python<'_>) -> PyResult<()> {
        let mut sink = [0u8; 256];
        while matches!((&self.reader).read(&mut sink), Ok(n) if n > 0) {}
        let done = std::mem::take(&mut *self.queue.done.lock().unwrap_or_else(|e| e.into_inner()));
        // Every future of the batch is settled, whatever happens to one of them: the first failure (there should
        // be none) is reported to the loop's exception handler after the others are settled.
        let mut first_failure = None;
        for (future, outcome) in done {
            if let Err(e) = settle(py, future.bind(py), outcome) {
                first_failure.get_or_insert(e);
            }
        }
        first_failure.map_or(Ok(()), Err)
    }
}

/// Resolves `future` with `outcome`, unless it is done already (cancelled meanwhile).
fn settle(py: Python<'_>, future: &Bound<'_, PyAny>, outcome: Outcome) -> PyResult<()> {
    if future.call_method0(pyo3::intern!(py, "done"))?.is_truthy()? {
        return Ok(());
    }
    let settled = match outcome.into_pyobject(py) {
        Ok(value) => future.call_method1(pyo3::intern!(py, "set_result"), (value,)),
        Err(e) => future.call_method1(pyo3::intern!(py, "set_exception"), (e.value(py),)),
    };
    if let Err(e) = settled {
        // Whatever went wrong, the awaiting task gets it rather than waiting forever.
        if !future.call_method0(pyo3::intern!(py, "done"))?.is_truthy()? {
            future.call_method1(pyo3::intern!(py, "set_exception"), (e.value(py),))?;
        }
        return Err(e);
    }
    Ok(())
}

/// Aborts a call when its future is cancelled (a done callback of the future).
#[pyclass(module = "hostapi._native", frozen)]
struct Abort(tokio::task::AbortHandle);

#[pymethods]
impl Abort {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0(pyo3::intern!(future.py(), "cancelled"))?.is_truthy()? {
            self.0.abort();
        }
        Ok(())
    }
}

/// The running loop's bridge, made and registered with the loop on its first call.
fn bridge_of<'py>(py: Python<'py>, event_loop: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Bridge>> {
    static BRIDGES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let bridges = BRIDGES
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("weakref")?.getattr("WeakKeyDictionary")?.call0()?.unbind())
        })?
        .bind(py);
    let found = bridges.call_method1(pyo3::intern!(py, "get"), (event_loop,))?;
    if !found.is_none() {
        let found = found.cast_into::<Bridge>()?;
        if found.get().pid == runtime::pid() {
            return Ok(found);
        }
        // Inherited across fork(): the socket pair is shared with the parent. Leave it to the parent.
        event_loop.call_method1(pyo3::intern!(py, "remove_reader"), (found.get().fileno(),))?;
    }
    let (reader, wake) = UnixStream::pair().map_err(|e| {
        pyo3::exceptions::PyOSError::new_err(format!("cannot make the event loop's wake-up socket: {e}"))
    })?;
    reader.set_nonblocking(true)?;
    wake.set_nonblocking(true)?;
    let queue = Arc::new(Queue { done: Mutex::new(Vec::new()), wake });
    let bridge = Bound::new(py, Bridge { queue, reader, pid: runtime::pid() })?;
    // Kept first (this fails for a loop that cannot be weakly referenced, before anything is registered).
    bridges.set_item(event_loop, &bridge)?;
    event_loop.call_method1(pyo3::intern!(py, "add_reader"), (bridge.get().fileno(), bridge.getattr("drain")?))?;
    Ok(bridge)
}

/// `fut` as an asyncio future of the running loop (see the module's doc).
pub fn spawn<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Outcome> + Send + 'static,
{
    static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let get_running_loop = GET_RUNNING_LOOP
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("asyncio")?.getattr("get_running_loop")?.unbind())
        })?
        .bind(py);
    let event_loop = get_running_loop.call0()?;
    let queue = bridge_of(py, &event_loop)?.get().queue.clone();
    let future = event_loop.call_method0(pyo3::intern!(py, "create_future"))?;
    let mut pending = Pending { future: Some(future.clone().unbind()), queue };
    let task = runtime::get().spawn(async move {
        let outcome = fut.await;
        pending.finish(outcome);
    });
    future.call_method1(pyo3::intern!(py, "add_done_callback"), (Abort(task.abort_handle()),))?;
    Ok(future)
}
