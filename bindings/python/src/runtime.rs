//! The tokio runtimes of the Python front end, from the core's [`hostapi::blocking`]: the shared one of
//! `AsyncClient` calls, and one per thread for blocking calls. Both are made again in a child after `os.fork()`.

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;
use tokio::runtime::Runtime;

pub use hostapi::blocking::pid;

/// This process's shared runtime (of `AsyncClient` calls).
pub fn get() -> &'static Runtime {
    hostapi::blocking::shared_runtime("hostapi-python")
}

/// Runs `fut` to completion on the current thread (which must have released the GIL), checking every 100 ms
/// for a pending Python signal so that Ctrl-C interrupts a long call.
pub fn block_on<F, T>(fut: F) -> PyResult<T>
where
    F: Future<Output = T>,
{
    let interruptible = async move {
        tokio::pin!(fut);
        loop {
            tokio::select! {
                out = &mut fut => return Ok(out),
                () = tokio::time::sleep(Duration::from_millis(100)) => {
                    Python::attach(|py| py.check_signals())?;
                }
            }
        }
    };
    hostapi::blocking::block_on(interruptible)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?
}
