//! Tokio runtimes for front ends that call the core without an async runtime of their own (Python's blocking
//! client, C): one current-thread runtime per calling thread for blocking calls, and one shared multi-threaded
//! runtime per process for the rest. Both are made again in a child after `fork()`.
//!
//! A blocking call runs on a current-thread runtime of the calling thread: the call never changes threads, which
//! costs far less than handing it to a shared runtime's workers and back (the transport gives each such runtime
//! its own connection pool). A forked child has only the thread that called `fork()`: the parent's runtimes are
//! useless there (their workers do not exist; their drivers' descriptors are shared with the parent), so they are
//! leaked, never touched, and new ones made.

use std::future::Future;
use std::rc::Rc;
use std::sync::atomic::{AtomicPtr, Ordering};

use tokio::runtime::{Handle, Runtime};

/// The id of this process (it changes in a child after `fork()`). Read once and kept: a handler registered with
/// `pthread_atfork` forgets it in a child, so a blocking call costs no `getpid` system call.
#[cfg(unix)]
pub fn pid() -> u32 {
    use std::sync::atomic::{AtomicBool, AtomicU32};
    static PID: AtomicU32 = AtomicU32::new(0);
    static KEEP: AtomicBool = AtomicBool::new(false);
    static REGISTER: std::sync::Once = std::sync::Once::new();
    extern "C" fn forget() {
        PID.store(0, Ordering::Relaxed);
    }
    let known = PID.load(Ordering::Relaxed);
    if known != 0 {
        return known;
    }
    REGISTER.call_once(|| {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe. Should registration fail,
        // the id is read anew on every call instead.
        let registered = unsafe { libc::pthread_atfork(None, None, Some(forget)) } == 0;
        KEEP.store(registered, Ordering::Relaxed);
    });
    let id = std::process::id();
    if KEEP.load(Ordering::Relaxed) {
        PID.store(id, Ordering::Relaxed);
    }
    id
}

/// The id of this process.
#[cfg(not(unix))]
pub fn pid() -> u32 {
    std::process::id()
}

struct Shared {
    pid: u32,
    runtime: Runtime,
}

static SHARED: AtomicPtr<Shared> = AtomicPtr::new(std::ptr::null_mut());

/// This process's shared runtime (two workers named `thread_name`), made on first use, and again in a forked
/// child.
pub fn shared_runtime(thread_name: &str) -> &'static Runtime {
    let pid = pid();
    let p = SHARED.load(Ordering::Acquire);
    if !p.is_null() {
        // SAFETY: entries are leaked, never freed.
        let e: &'static Shared = unsafe { &*p };
        if e.pid == pid {
            return &e.runtime;
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(thread_name)
        .enable_all()
        .build()
        .expect("cannot start the tokio runtime of hostapi");
    let fresh = Box::into_raw(Box::new(Shared { pid, runtime }));
    match SHARED.compare_exchange(p, fresh, Ordering::AcqRel, Ordering::Acquire) {
        // The previous entry (the parent's, in a forked child) is leaked on purpose.
        // SAFETY: `fresh` was just made from a Box and is now owned by SHARED, never freed.
        Ok(_) => unsafe { &(*fresh).runtime },
        Err(winner) => {
            // Another thread installed one first: use it, and let ours go without waiting for its workers.
            // SAFETY: `fresh` was not published; we own it.
            let ours = unsafe { Box::from_raw(fresh) };
            ours.runtime.shutdown_background();
            // SAFETY: entries are leaked, never freed.
            let e: &'static Shared = unsafe { &*winner };
            &e.runtime
        }
    }
}

thread_local! {
    /// The runtime of this thread's blocking calls, with the process id it was made in.
    static LOCAL: std::cell::RefCell<Option<(u32, Rc<Runtime>)>> = const { std::cell::RefCell::new(None) };
}

/// Why a blocking call could not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockingError {
    /// Called from inside another blocking call (a progress callback calling the client), which would deadlock.
    Nested,
    /// No runtime could be made.
    Runtime(String),
}

impl std::fmt::Display for BlockingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlockingError::Nested => f.write_str(
                "a blocking hostapi call cannot be made while another one runs on this thread (from a progress \
                 callback, say)",
            ),
            BlockingError::Runtime(e) => write!(f, "cannot start a runtime: {e}"),
        }
    }
}

impl std::error::Error for BlockingError {}

/// Runs `fut` to its end on the calling thread, on that thread's current-thread runtime.
pub fn block_on<F: Future>(fut: F) -> Result<F::Output, BlockingError> {
    if Handle::try_current().is_ok() {
        return Err(BlockingError::Nested);
    }
    let rt = LOCAL.with(|cell| -> Result<Rc<Runtime>, BlockingError> {
        let mut slot = cell.borrow_mut();
        let pid = pid();
        if slot.as_ref().is_some_and(|(p, _)| *p != pid) {
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
            .map(Rc::new)
            .map_err(|e| BlockingError::Runtime(e.to_string()))?;
        *slot = Some((pid, rt.clone()));
        Ok(rt)
    })?;
    Ok(rt.block_on(fut))
}
