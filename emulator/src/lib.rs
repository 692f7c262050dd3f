//! hostapi-emulator — a strict, stateful local server of the Velneo Cloud API, with control endpoints.
//!
//! * Velneo Cloud API under `/v1/<resource>` (the `velneo` module documents the rules it enforces);
//! * control endpoints under `/_emulator/` (health, reset, state, clock offset, session expiry, fault injection,
//!   backup downloads) — see the `control` module for their exact shapes.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use hostapi_emulator::{Emulator, EmulatorConfig};
//! let emu = Emulator::start(EmulatorConfig::default()).await?;
//! println!("client base URL: {}", emu.velneo_url());
//! emu.stop().await;
//! # Ok(()) }
//! ```

mod config;
mod control;
mod lenient;
mod velneo;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::watch;

pub use config::{
    CredentialsSeed, EmulatorConfig, FolderSeed, GroupSeed, InstanceSeed, UserSeed, VServerSeed, VelneoAccount,
    VelneoConfig, DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL,
};

/// How long a shutdown waits for in-flight requests before closing them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// State shared by every request.
pub(crate) struct Shared {
    config: EmulatorConfig,
    base_url: String,
    velneo: Mutex<velneo::VelneoState>,
    clock_offset: AtomicI64,
    faults: Mutex<Vec<control::Fault>>,
}

/// Locks a mutex, ignoring poisoning (no handler panics while holding a lock, and a panic must not wedge the server).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn new(config: EmulatorConfig, base_url: String) -> std::io::Result<Self> {
        let velneo = velneo::VelneoState::new(&config.velneo)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        Ok(Shared {
            config,
            base_url,
            velneo: Mutex::new(velneo),
            clock_offset: AtomicI64::new(0),
            faults: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn velneo(&self) -> MutexGuard<'_, velneo::VelneoState> {
        lock(&self.velneo)
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, Vec<control::Fault>> {
        lock(&self.faults)
    }

    /// The emulator's notion of now: system UTC seconds plus the configured offset.
    pub(crate) fn now(&self) -> i64 {
        let system = i64::try_from(hostapi::unix_now()).unwrap_or(i64::MAX);
        system.saturating_add(self.clock_offset.load(Ordering::SeqCst))
    }

    pub(crate) fn clock_json(&self) -> Value {
        json!({"now": self.now(), "offset_secs": self.clock_offset.load(Ordering::SeqCst)})
    }

    pub(crate) fn reset(&self) -> Result<(), String> {
        let fresh = velneo::VelneoState::new(&self.config.velneo)?;
        *self.velneo() = fresh;
        self.clock_offset.store(0, Ordering::SeqCst);
        self.faults().clear();
        Ok(())
    }
}

async fn velneo_handler(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body: Bytes = match axum::body::to_bytes(body, 1 << 20).await {
        Ok(b) => b,
        Err(_) => {
            let v = json!({"status_code": 413, "message": "request body too large or unreadable"});
            return (StatusCode::PAYLOAD_TOO_LARGE, Json(v)).into_response();
        }
    };
    let resource = parts.uri.path().strip_prefix("/v1/").unwrap_or_default();
    let call = velneo::RawCall { resource, http_method: parts.method.as_str(), query: parts.uri.query(), body: &body };
    let ctx = velneo::Ctx { now: s.now(), base_url: &s.base_url };
    let (status, value) = {
        let mut st = s.velneo();
        velneo::handle(&mut st, &call, &ctx)
    };
    tracing::debug!(method = %parts.method, path = %parts.uri.path(), status, "velneo call");
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(value)).into_response()
}

async fn not_found(req: Request) -> Response {
    let v = json!({"status_code": 404, "message": format!("no such endpoint {}", req.uri().path())});
    (StatusCode::NOT_FOUND, Json(v)).into_response()
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/{resource}", any(velneo_handler))
        .route("/_emulator/health", get(control::health))
        .route("/_emulator/reset", post(control::reset))
        .route("/_emulator/state", get(control::state))
        .route("/_emulator/clock", get(control::clock_get).post(control::clock_post))
        .route("/_emulator/velneo/expire-sessions", post(control::expire_sessions))
        .route("/_emulator/faults", get(control::faults_list).post(control::faults_add).delete(control::faults_clear))
        .route("/_emulator/velneo/backups/{file}", get(control::backup))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), control::fault_layer))
        .with_state(shared)
}

/// Serves until the shutdown signal (or the sender's drop), then gives in-flight requests [`SHUTDOWN_GRACE`].
async fn serve(listener: tokio::net::TcpListener, app: Router, shutdown: watch::Receiver<bool>) {
    let mut graceful_rx = shutdown.clone();
    let mut deadline_rx = shutdown;
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = graceful_rx.wait_for(|stop| *stop).await;
    });
    let deadline = async move {
        let _ = deadline_rx.wait_for(|stop| *stop).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => {
            if let Err(e) = result {
                tracing::warn!(error = %e, "emulator server stopped with an error");
            }
        }
        () = deadline => {}
    }
}

enum Runner {
    /// A task on the caller's tokio runtime.
    Task(tokio::task::JoinHandle<()>),
    /// A background thread with its own runtime.
    Thread(std::thread::JoinHandle<()>),
}

/// A running emulator. Dropping it shuts the server down (a `start_blocking` emulator waits for its thread).
pub struct Emulator {
    addr: SocketAddr,
    url: String,
    shutdown: watch::Sender<bool>,
    runner: Option<Runner>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator").field("url", &self.url).finish_non_exhaustive()
    }
}

/// `http://HOST:PORT`, with an unspecified bind address shown as the loopback address.
fn base_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

impl Emulator {
    /// Binds `config.host:config.port` and serves on the current tokio runtime.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind((config.host, config.port)).await?;
        let addr = listener.local_addr()?;
        let url = base_url(addr);
        let shared = Arc::new(Shared::new(config, url.clone())?);
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(serve(listener, router(shared), rx));
        Ok(Emulator { addr, url, shutdown: tx, runner: Some(Runner::Task(task)) })
    }

    /// Binds and serves on a runtime of its own in a background thread; for callers without a tokio runtime.
    pub fn start_blocking(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let std_listener = std::net::TcpListener::bind((config.host, config.port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let url = base_url(addr);
        let shared = Arc::new(Shared::new(config, url.clone())?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hostapi-emulator")
            .enable_all()
            .build()?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(std_listener)?
        };
        let (tx, rx) = watch::channel(false);
        let thread = std::thread::Builder::new().name("hostapi-emulator".into()).spawn(move || {
            runtime.block_on(serve(listener, router(shared), rx));
            runtime.shutdown_timeout(Duration::from_millis(500));
        })?;
        Ok(Emulator { addr, url, shutdown: tx, runner: Some(Runner::Thread(thread)) })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// `http://127.0.0.1:PORT/v1` — the Velneo client's base URL.
    pub fn velneo_url(&self) -> String {
        format!("{}/v1", self.url)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Graceful shutdown: stops accepting, lets in-flight requests finish (at most 2 s), and waits for the server.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        match self.runner.take() {
            Some(Runner::Task(task)) => {
                let _ = task.await;
            }
            Some(Runner::Thread(thread)) => {
                let _ = tokio::task::spawn_blocking(move || thread.join()).await;
            }
            None => {}
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(Runner::Thread(thread)) = self.runner.take() {
            let _ = thread.join();
        }
    }
}
