//! The bridge from the core's `tracing` events to Python's `logging`.
//!
//! Events of the core (targets `hostapi::…`) go to the Python logger of the same dotted name
//! (`hostapi::transport` → `logging.getLogger("hostapi.transport")`), at the matching level, with the event's
//! fields appended as `key=value` and also passed as `extra={"hostapi": {...}}`.
//!
//! Taking the GIL for every event would slow every call, so the bridge keeps the lowest level any `hostapi`
//! logger accepts in an atomic, refreshed on the calling thread at the start of every client call (`refresh`):
//! with logging at its default WARNING, events cost one atomic load. The core's events never carry a secret (it
//! logs operation names, URLs, statuses and the account e-mail only).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// The Python level below which nothing is forwarded (`u8::MAX` = forward nothing).
static THRESHOLD: AtomicU8 = AtomicU8::new(u8::MAX);

/// The loggers whose effective level decides the threshold: one per module of the core that logs.
const LOGGERS: [&str; 3] = ["hostapi.transport", "hostapi.velneo.client", "hostapi.wedos.client"];

static CACHED: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();

fn py_level(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

/// Re-reads the effective level of the `hostapi` loggers (cheap: `Logger.getEffectiveLevel`).
pub fn refresh(py: Python<'_>) {
    let level = (|| -> PyResult<u8> {
        let loggers = CACHED.get_or_try_init(py, || -> PyResult<Vec<Py<PyAny>>> {
            let logging = py.import("logging")?;
            LOGGERS.iter().map(|name| Ok(logging.call_method1("getLogger", (*name,))?.unbind())).collect()
        })?;
        let mut min = u8::MAX;
        for logger in loggers {
            let l: i64 = logger.bind(py).call_method0("getEffectiveLevel")?.extract()?;
            min = min.min(l.clamp(1, 255) as u8);
        }
        Ok(min)
    })();
    THRESHOLD.store(level.unwrap_or(u8::MAX), Ordering::Relaxed);
}

/// Stops forwarding (called at interpreter exit, when taking the GIL from another thread is no longer safe).
#[pyfunction]
pub fn _disable_log_bridge() {
    THRESHOLD.store(u8::MAX, Ordering::Relaxed);
}

/// Re-reads the levels now (for callers that change logging configuration between calls).
#[pyfunction]
pub fn _refresh_log_level(py: Python<'_>) {
    refresh(py);
}

fn is_core(target: &str) -> bool {
    target == "hostapi" || target.starts_with("hostapi::")
}

struct PyLogLayer;

#[derive(Default)]
struct Fields {
    message: String,
    pairs: Vec<(String, String)>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.pairs.push((field.name().to_owned(), value.to_owned()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.pairs.push((field.name().to_owned(), text));
        }
    }
}

impl<S: Subscriber> Layer<S> for PyLogLayer {
    // Whether an event is wanted changes with the Python logging configuration: never let tracing cache a yes
    // or a no for the core's callsites.
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if is_core(metadata.target()) {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        is_core(metadata.target()) && py_level(metadata.level()) >= THRESHOLD.load(Ordering::Relaxed)
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let level = py_level(meta.level());
        if !is_core(meta.target()) || level < THRESHOLD.load(Ordering::Relaxed) {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut text = fields.message.clone();
        for (k, v) in &fields.pairs {
            let _ = write!(text, " {k}={v}");
        }
        let logger_name = meta.target().replace("::", ".");
        Python::attach(|py| {
            let _ = (|| -> PyResult<()> {
                let logger = py.import("logging")?.call_method1("getLogger", (logger_name.as_str(),))?;
                if !logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
                    return Ok(());
                }
                let extra_fields = PyDict::new(py);
                for (k, v) in &fields.pairs {
                    extra_fields.set_item(k, v)?;
                }
                let extra = PyDict::new(py);
                extra.set_item("hostapi", extra_fields)?;
                let kwargs = PyDict::new(py);
                kwargs.set_item("extra", extra)?;
                logger.call_method("log", (level, text.as_str()), Some(&kwargs))?;
                Ok(())
            })();
        });
    }
}

/// Installs the bridge as the process's tracing subscriber (once; a no-op if another one is installed).
pub fn install() {
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(PyLogLayer));
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    install();
    m.add_function(wrap_pyfunction!(_disable_log_bridge, m)?)?;
    m.add_function(wrap_pyfunction!(_refresh_log_level, m)?)?;
    Ok(())
}
