//! The tokio runtimes of the Python front end: the shared one of `AsyncClient` calls (rebuilt in a child after
//! `os.fork()`), and one per thread for blocking calls ([`block_on`]).
//!
//! A forked child has only the thread that called `fork()`: the parent's runtime workers do not exist there, and
//! anything that waits for them (dropping the runtime, a task on it) would hang. So the runtime is kept per
//! process id: a child that asks for it gets a fresh one, and the parent's copy is leaked, never touched.
//!
//! The slow path (creating a runtime) only runs on a Python thread holding the GIL; `fork()` is called holding the
//! GIL too, so no other thread can be half-way through it when a child is made.

use std::future::Future;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::time::Duration;

use pyo3::prelude::*;
use tokio::runtime::{Handle, Runtime};

struct Entry {
    pid: u32,
    runtime: Runtime,
}

static CURRENT: AtomicPtr<Entry> = AtomicPtr::new(std::ptr::null_mut());

/// The id of this process (changes in a child after `fork()`).
pub fn pid() -> u32 {
    std::process::id()
}

/// This process's runtime, creating it on first use (and again in a forked child).
pub fn get() -> &'static Runtime {
    let pid = pid();
    let p = CURRENT.load(Ordering::Acquire);
    if !p.is_null() {
        // SAFETY: entries are leaked, never freed.
        let e: &'static Entry = unsafe { &*p };
        if e.pid == pid {
            return &e.runtime;
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("hostapi-python")
        .enable_all()
        .build()
        .expect("cannot start the tokio runtime of hostapi");
    let fresh = Box::into_raw(Box::new(Entry { pid, runtime }));
    match CURRENT.compare_exchange(p, fresh, Ordering::AcqRel, Ordering::Acquire) {
        // The previous entry (the parent's, in a forked child) is leaked on purpose.
        Ok(_) => unsafe { &(*fresh).runtime },
        Err(winner) => {
            // Another thread installed one first: use it, and let ours go without waiting for its workers.
            let ours = unsafe { Box::from_raw(fresh) };
            ours.runtime.shutdown_background();
            let e: &'static Entry = unsafe { &*winner };
            &e.runtime
        }
    }
}

thread_local! {
    /// The runtime of this thread's blocking calls, with the process id it was made in.
    static LOCAL: std::cell::RefCell<Option<(u32, std::rc::Rc<Runtime>)>> = const { std::cell::RefCell::new(None) };
}

/// Runs `fut` to completion on the current thread (which must have released the GIL), checking every 100 ms
/// for a pending Python signal so that Ctrl-C interrupts a long call.
///
/// A blocking call runs on a current-thread runtime of the calling thread: the call never changes threads, which
/// costs far less than handing it to the shared runtime's workers and back. (The core gives each such thread its
/// own connection pool.) Each thread keeps its runtime; a forked child makes a new one.
pub fn block_on<F, T>(fut: F) -> PyResult<T>
where
    F: Future<Output = T>,
{
    if Handle::try_current().is_ok() {
        // A blocking call from inside another one (a progress callback calling the client): it would deadlock.
        return Err(pyo3::exceptions::PyRuntimeError::new_err(
            "a blocking hostapi call cannot be made while another one runs on this thread (from a progress \
             callback, say)",
        ));
    }
    let rt = LOCAL.with(|cell| -> PyResult<std::rc::Rc<Runtime>> {
        let mut slot = cell.borrow_mut();
        let pid = pid();
        if slot.as_ref().is_some_and(|(p, _)| *p != pid) {
            // Made before a fork: its driver's descriptors are shared with the parent. Leaked, never touched.
            if let Some((_, old)) = slot.take() {
                std::mem::forget(old);
            }
        }
        if let Some((_, rt)) = slot.as_ref() {
            return Ok(rt.clone());
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(std::rc::Rc::new)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("cannot start a runtime: {e}")))?;
        *slot = Some((pid, rt.clone()));
        Ok(rt)
    })?;
    rt.block_on(async move {
        tokio::pin!(fut);
        loop {
            tokio::select! {
                out = &mut fut => return Ok(out),
                () = tokio::time::sleep(Duration::from_millis(100)) => {
                    Python::attach(|py| py.check_signals())?;
                }
            }
        }
    })
}
