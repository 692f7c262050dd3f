//! `hostapi._native` — the private native module under the pure-Python package `hostapi`.
//!
//! Conversion and error mapping only: every protocol rule, signature, retry and parse lives in the `hostapi`
//! core crate. Sync calls release the GIL and run on the calling thread; async calls return asyncio futures of
//! the running loop, run on a tokio runtime of this module (rebuilt in a child after `os.fork()`) and resolved by
//! the loop in batches (`bridge`); core errors become instances of the
//! classes in `hostapi.errors`; the core's `tracing` events go to Python's `logging`.

use pyo3::prelude::*;

mod bridge;
mod client;
mod convert;
mod emulator;
mod logging;
mod protocol;
mod runtime;
mod velneo;
mod wedos;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CORE_USER_AGENT", hostapi::transport::USER_AGENT)?;
    m.add_class::<velneo::VelneoClient>()?;
    m.add_class::<wedos::WedosClient>()?;
    protocol::register(m)?;
    emulator::register(m)?;
    logging::register(m)?;
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    Ok(())
}

/// Runs the `hostapi` command with `argv` (the program's name first), GIL released; returns its exit code. The
/// console script `hostapi` and `python -m hostapi` are this.
#[pyfunction]
fn cli_main(py: Python<'_>, argv: Vec<String>) -> i32 {
    // The core's events reach stderr through Python's logging here (the bridge is the process's subscriber): at
    // its level, WARNING by default, as the `hostapi` binary shows warnings.
    logging::refresh(py);
    i32::from(py.detach(|| hostapi_cli::run_main(argv)))
}
