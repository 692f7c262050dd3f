//! hostapi-emulator — a strict, stateful local server of the Velneo Cloud API and WEDOS WAPI, with control
//! endpoints.
//!
//! * Velneo Cloud API under `/v1/<resource>` (the `velneo` module documents the rules it enforces);
//! * WEDOS WAPI at `POST /wapi/json` (the `wedos` module documents its rules, `wedos::ops` its commands);
//! * control endpoints under `/_emulator/` (health, reset, state, clock offset, session expiry, fault injection,
//!   backup downloads, WEDOS notifications / allow-lists / user-agent limit) — see the `control` module for their
//!   exact shapes;
//! * optionally an authoritative DNS server of every WEDOS zone (`EmulatorConfig::dns_port`, the `dns` module);
//! * optional persistence of both halves' state to a file (`EmulatorConfig::state_file`, the `persist` module).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use hostapi_emulator::{Emulator, EmulatorConfig};
//! let emu = Emulator::start(EmulatorConfig::default()).await?;
//! println!("Velneo base URL: {}", emu.velneo_url());
//! println!("WEDOS URL: {}", emu.wedos_url());
//! emu.stop().await;
//! # Ok(()) }
//! ```

mod config;
mod control;
mod dns;
mod handle;
mod persist;
mod velneo;
mod wedos;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::watch;

pub use handle::{Control, ControlError};
pub use config::{
    CredentialsSeed, DnsListShape, DnsRowSeed, DnsZoneSeed, EmulatorConfig, FolderSeed, GroupSeed, InstanceSeed,
    UserSeed, VServerSeed, VelneoAccount, VelneoConfig, WedosAccount, WedosConfig, WedosDomainSeed,
    DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER,
};

/// How long a shutdown waits for in-flight requests before closing them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Largest accepted request body (Velneo: 413; WEDOS: 2007).
const MAX_BODY: usize = 1 << 20;

/// The longest a change other than an acknowledged write waits for the state file.
const WRITE_BEHIND: Duration = Duration::from_secs(1);

/// State shared by every request.
pub(crate) struct Shared {
    config: EmulatorConfig,
    base_url: String,
    velneo: Mutex<velneo::VelneoState>,
    wedos: Mutex<wedos::WedosState>,
    clock_offset: AtomicI64,
    faults: Mutex<Vec<control::Fault>>,
    /// Requests received per path (control endpoints excepted), since the start or the last reset.
    hits: Mutex<std::collections::BTreeMap<String, u64>>,
    /// How many more WEDOS requests answer the plain-text `User-Agent Rate Limit`.
    user_agent_limit: Mutex<u32>,
    /// Bumped by every reset, so a `ping-async` notification scheduled before it is dropped.
    epoch: AtomicU64,
    /// Notifications of asynchronous commands waiting for their delay, oldest first: (due, epoch, job).
    pending_notifications: Mutex<std::collections::VecDeque<(tokio::time::Instant, u64, wedos::AsyncJob)>>,
    /// Serializes state-file writes (each writes a snapshot taken under it, so the newest snapshot lands last).
    persist_lock: Mutex<()>,
    /// Write-behind of the state file: changes requested (a generation), the generation on disk, and the
    /// writer's wake-up.
    dirty: AtomicU64,
    flushed: watch::Sender<u64>,
    wake: tokio::sync::Notify,
}

/// Locks a mutex, ignoring poisoning (no handler panics while holding a lock, and a panic must not wedge the server).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn new(config: EmulatorConfig, base_url: String) -> std::io::Result<Self> {
        let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
        config.check_limits().map_err(invalid)?;
        let mut velneo = velneo::VelneoState::new(&config.velneo).map_err(invalid)?;
        let mut wedos = wedos::WedosState::new(&config.wedos, system_now()).map_err(invalid)?;
        if let Some(path) = &config.state_file {
            if let Some(file) = persist::load(path)? {
                velneo.restore(file.velneo);
                wedos.restore(file.wedos);
            }
        }
        let shared = Shared {
            config,
            base_url,
            velneo: Mutex::new(velneo),
            wedos: Mutex::new(wedos),
            clock_offset: AtomicI64::new(0),
            faults: Mutex::new(Vec::new()),
            hits: Mutex::new(std::collections::BTreeMap::new()),
            user_agent_limit: Mutex::new(0),
            epoch: AtomicU64::new(0),
            persist_lock: Mutex::new(()),
            pending_notifications: Mutex::new(std::collections::VecDeque::new()),
            dirty: AtomicU64::new(0),
            flushed: watch::channel(0).0,
            wake: tokio::sync::Notify::new(),
        };
        if let Some(path) = &shared.config.state_file {
            persist::remove_stale_temporaries(path);
        }
        shared.try_persist()?;
        Ok(shared)
    }

    pub(crate) fn velneo(&self) -> MutexGuard<'_, velneo::VelneoState> {
        lock(&self.velneo)
    }

    pub(crate) fn wedos(&self) -> MutexGuard<'_, wedos::WedosState> {
        lock(&self.wedos)
    }

    pub(crate) fn user_agent_limit(&self) -> MutexGuard<'_, u32> {
        lock(&self.user_agent_limit)
    }

    /// Asks for the state file to be written soon (write-behind: at most once a second, coalescing every change
    /// made meanwhile): for counters and other changes no answer acknowledges as a write.
    pub(crate) fn persist(&self) {
        if self.config.state_file.is_some() {
            self.dirty.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Writes the state file before returning (one write serves every change made meanwhile): for changes the
    /// answer acknowledges, so that a kill -9 right after the answer loses none of them.
    pub(crate) async fn commit(&self) {
        if self.config.state_file.is_none() {
            return;
        }
        let generation = self.dirty.fetch_add(1, Ordering::SeqCst) + 1;
        let mut flushed = self.flushed.subscribe();
        self.wake.notify_one();
        let _ = flushed.wait_for(|g| *g >= generation).await;
    }

    /// The state-file writer: writes the newest state at once when a commit waits for it, within a second after
    /// other changes, and once more at `stop`. A failed write is reported on stderr (and retried with the next
    /// change); the commit waiting for it is released all the same.
    async fn write_behind(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        if self.config.state_file.is_none() {
            return;
        }
        loop {
            let stopping = tokio::select! {
                () = self.wake.notified() => false,
                () = tokio::time::sleep(WRITE_BEHIND) => false,
                _ = stop.wait_for(|s| *s) => true,
            };
            let generation = self.dirty.load(Ordering::SeqCst);
            if generation != *self.flushed.borrow() {
                let me = self.clone();
                let written = tokio::task::spawn_blocking(move || me.try_persist()).await;
                match written {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "cannot write the emulator state file");
                        eprintln!("hostapi emulator: cannot write the state file: {e}");
                    }
                    Err(e) => tracing::error!(error = %e, "the state-file writer failed"),
                }
                self.flushed.send_replace(generation);
            }
            if stopping {
                // Nothing is written any more: a request still in flight past the grace period must not wait.
                self.flushed.send_replace(u64::MAX);
                return;
            }
        }
    }

    fn try_persist(&self) -> std::io::Result<()> {
        let Some(path) = &self.config.state_file else {
            return Ok(());
        };
        let _guard = lock(&self.persist_lock);
        let velneo = serde_json::to_value(&self.velneo().accounts);
        let wedos = serde_json::to_value(&*self.wedos());
        let doc = match (velneo, wedos) {
            (Ok(v), Ok(w)) => persist::document(v, w),
            (Err(e), _) | (_, Err(e)) => return Err(std::io::Error::other(e)),
        };
        let bytes = serde_json::to_vec_pretty(&doc).map_err(std::io::Error::other)?;
        persist::write_atomic(path, &bytes)
    }

    /// Counts a request to `path` (at most 1000 distinct paths are counted; the rest under `other`).
    pub(crate) fn count_request(&self, path: &str) {
        let mut hits = lock(&self.hits);
        if let Some(n) = hits.get_mut(path) {
            *n += 1;
        } else if hits.len() < 1000 {
            hits.insert(path.to_owned(), 1);
        } else {
            *hits.entry("other".to_owned()).or_default() += 1;
        }
    }

    pub(crate) fn hits(&self) -> MutexGuard<'_, std::collections::BTreeMap<String, u64>> {
        lock(&self.hits)
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, Vec<control::Fault>> {
        lock(&self.faults)
    }

    /// The emulator's notion of now: system UTC seconds plus the configured offset.
    pub(crate) fn now(&self) -> i64 {
        system_now().saturating_add(self.clock_offset.load(Ordering::SeqCst))
    }

    pub(crate) fn clock_json(&self) -> Value {
        json!({"now": self.now(), "offset_secs": self.clock_offset.load(Ordering::SeqCst)})
    }

    pub(crate) fn reset(&self) -> Result<(), String> {
        let fresh = velneo::VelneoState::new(&self.config.velneo)?;
        let fresh_wedos = wedos::WedosState::new(&self.config.wedos, system_now())?;
        self.epoch.fetch_add(1, Ordering::SeqCst);
        *self.velneo() = fresh;
        *self.wedos() = fresh_wedos;
        self.clock_offset.store(0, Ordering::SeqCst);
        self.faults().clear();
        self.hits().clear();
        lock(&self.pending_notifications).clear();
        *self.user_agent_limit() = 0;
        self.persist();
        Ok(())
    }
}

/// The system clock, Unix seconds.
fn system_now() -> i64 {
    hostapi::unix_now()
}

async fn velneo_handler(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
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
    if s.config.state_file.is_some() && velneo::is_write(&call) {
        s.commit().await;
    } else {
        s.persist();
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(value)).into_response()
}

async fn wedos_handler(
    State(s): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    {
        let mut armed = s.user_agent_limit();
        if *armed > 0 {
            *armed -= 1;
            let body = hostapi::wedos::protocol::USER_AGENT_RATE_LIMIT_BODY;
            return (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response();
        }
    }
    let body = axum::body::to_bytes(req.into_body(), MAX_BODY).await.ok();
    let ctx = wedos::Ctx { now: s.now(), ip: peer.ip(), config: &s.config.wedos };
    let outcome = {
        let mut st = s.wedos();
        wedos::handle(&mut st, body.as_deref(), &ctx)
    };
    tracing::debug!(peer = %peer, "wedos call");
    if let Some(job) = outcome.job {
        schedule_notification(s.clone(), job);
    }
    if wedos::changed_content(&outcome.body) {
        s.commit().await;
    } else {
        s.persist();
    }
    wapi_response(&outcome.body, ctx.now)
}

/// A WAPI answer as the real server sends it: `Content-Type: text/html; charset=UTF-8` (for JSON), with `/`
/// escaped as `\/` (PHP's json_encode), and a `Date` header of the emulator's clock (as its `timestamp`).
fn wapi_response(body: &Value, now: i64) -> Response {
    let text = body.to_string().replace('/', "\\/");
    let date = jiff::Timestamp::from_second(now)
        .map(|t| t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default();
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=UTF-8"), (header::DATE, date.as_str())], text)
        .into_response()
}

/// Queues an asynchronous command's notification after the configured delay (unless the emulator was reset
/// meanwhile). Notifications are queued in the order of their requests: every job waits in `pending_notifications`
/// and whichever timer fires first queues every job that is due, oldest first.
fn schedule_notification(s: Arc<Shared>, job: wedos::AsyncJob) {
    let epoch = s.epoch.load(Ordering::SeqCst);
    let due = tokio::time::Instant::now() + Duration::from_millis(s.config.wedos.async_delay_ms);
    {
        let mut pending = lock(&s.pending_notifications);
        let waiting = pending.iter().filter(|(_, _, j)| j.user == job.user).count();
        if waiting + s.wedos().queue_len(&job.user) >= s.config.max_notifications {
            tracing::warn!(user = %job.user, "notification dropped: the account's queue and its waiting notifications reached max_notifications ({})", s.config.max_notifications);
            return;
        }
        pending.push_back((due, epoch, job));
    }
    tokio::spawn(async move {
        tokio::time::sleep_until(due).await;
        loop {
            let next = {
                let mut q = lock(&s.pending_notifications);
                match q.front() {
                    Some((due, _, _)) if *due <= tokio::time::Instant::now() => q.pop_front(),
                    _ => None,
                }
            };
            let Some((_, epoch, job)) = next else { break };
            if s.epoch.load(Ordering::SeqCst) != epoch {
                continue;
            }
            let mut notify = job.notify;
            notify.insert("timestamp".into(), Value::String(s.now().to_string()));
            if let Err(e) = wedos::deliver::deliver_notification(&s, &job.user, notify) {
                tracing::warn!(error = %e, "cannot queue a notification");
            }
        }
        s.persist();
    });
}


async fn not_found(req: Request) -> Response {
    let v = json!({"status_code": 404, "message": format!("no such endpoint {}", req.uri().path())});
    (StatusCode::NOT_FOUND, Json(v)).into_response()
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/{resource}", any(velneo_handler))
        .route("/wapi/json", any(wedos_handler))
        .route("/_emulator/health", get(control::health))
        .route("/_emulator/reset", post(control::reset))
        .route("/_emulator/state", get(control::state))
        .route("/_emulator/clock", get(control::clock_get).post(control::clock_post))
        .route("/_emulator/velneo/expire-sessions", post(control::expire_sessions))
        .route("/_emulator/faults", get(control::faults_list).post(control::faults_add).delete(control::faults_clear))
        .route("/_emulator/velneo/backups/{file}", get(control::backup))
        .route("/_emulator/wedos/notifications", post(control::wedos_notification))
        .route("/_emulator/wedos/ips", post(control::wedos_ips))
        .route("/_emulator/wedos/notification-url", post(control::wedos_notification_url))
        .route("/_emulator/wedos/fail", post(control::wedos_fail))
        .route("/_emulator/wedos/user-agent-limit", post(control::wedos_user_agent_limit))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), control::fault_layer))
        .layer(axum::middleware::from_fn_with_state(shared.clone(), body_deadline))
        .with_state(shared)
}

/// Marks an answer that is not sent: the connection is closed instead (the `reset` fault).
#[derive(Clone, Copy, Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (fault injection)")
    }
}

impl std::error::Error for DropConnection {}

/// Reads a request's body within `body_timeout_secs` (answering 408 and closing the connection after it) and
/// at most [`MAX_BODY`] bytes (a larger body reaches the handler as an unreadable one, which answers as the API
/// does), so that no handler waits on a slow sender.
async fn body_deadline(State(s): State<Arc<Shared>>, req: Request, next: axum::middleware::Next) -> Response {
    let (parts, body) = req.into_parts();
    let limit = Duration::from_secs_f64(s.config.body_timeout_secs);
    let body = match tokio::time::timeout(limit, axum::body::to_bytes(body, MAX_BODY)).await {
        Ok(Ok(bytes)) => axum::body::Body::from(bytes),
        Ok(Err(e)) => {
            let failed =
                futures_util::stream::once(async move { Err::<Bytes, _>(std::io::Error::other(e.to_string())) });
            axum::body::Body::from_stream(failed)
        }
        Err(_) => {
            tracing::debug!(path = %parts.uri.path(), "request body not received in time");
            let v = json!({"status_code": 408, "message": format!("the request body did not arrive within {:.1}s", limit.as_secs_f64())});
            return (StatusCode::REQUEST_TIMEOUT, [(header::CONNECTION, "close")], Json(v)).into_response();
        }
    };
    next.run(Request::from_parts(parts, body)).await
}

/// Serves HTTP/1.1 until the shutdown signal (or the sender's drop), then gives in-flight requests
/// [`SHUTDOWN_GRACE`]. A connection that does not send a request's headers within `header_timeout_secs` — an idle
/// keep-alive connection included — is closed. The state-file writer runs alongside and writes last.
async fn serve(
    listener: tokio::net::TcpListener,
    dns: Option<DnsSockets>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let dns_task = dns.map(|(udp, tcp)| tokio::spawn(dns::serve(udp, tcp, shared.clone(), shutdown.clone())));
    // The writer stops after the requests in flight have finished, so that it writes their changes last.
    let (stop_writer, writer_stop) = watch::channel(false);
    let writer = tokio::spawn(shared.clone().write_behind(writer_stop));
    let app = router(shared.clone());
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs_f64(shared.config.header_timeout_secs))
        .keep_alive(true);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of descriptors or a connection reset before accept: wait a moment rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let mut app = app.clone();
            async move {
                let response = match tower_service::Service::call(&mut app, req.map(axum::body::Body::new)).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                };
                if response.extensions().get::<DropConnection>().is_some() {
                    return Err(DropConnection);
                }
                Ok(response)
            }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(peer = %peer, error = %e, "connection closed");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
    let _ = stop_writer.send(true);
    let _ = writer.await;
    if let Some(task) = dns_task {
        let _ = task.await;
    }
}

/// The DNS server's sockets (UDP and TCP on one port).
type DnsSockets = (tokio::net::UdpSocket, tokio::net::TcpListener);

/// Binds the DNS server's sockets when the configuration asks for them; their address.
fn bind_dns(config: &EmulatorConfig) -> std::io::Result<Option<(std::net::UdpSocket, std::net::TcpListener, SocketAddr)>> {
    let Some(port) = config.dns_port else { return Ok(None) };
    let (udp, tcp) = dns::bind(config.host, port)
        .map_err(|e| std::io::Error::new(e.kind(), format!("DNS port {}:{port}: {e}", config.host)))?;
    let addr = shown(udp.local_addr()?);
    Ok(Some((udp, tcp, addr)))
}

/// The std sockets on the current tokio runtime.
fn tokio_dns(std: Option<(std::net::UdpSocket, std::net::TcpListener, SocketAddr)>) -> std::io::Result<Option<DnsSockets>> {
    std.map(|(udp, tcp, _)| Ok((tokio::net::UdpSocket::from_std(udp)?, tokio::net::TcpListener::from_std(tcp)?)))
        .transpose()
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
    dns: Option<SocketAddr>,
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
    format!("http://{}", shown(addr))
}

/// A bound address as clients reach it: an unspecified address (`0.0.0.0`, `::`) shown as the loopback one.
pub(crate) fn shown(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

impl Emulator {
    /// Binds `config.host:config.port` and serves on the current tokio runtime.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind((config.host, config.port)).await?;
        let addr = listener.local_addr()?;
        let url = base_url(addr);
        let dns = bind_dns(&config)?;
        let dns_addr = dns.as_ref().map(|d| d.2);
        let shared = Arc::new(Shared::new(config, url.clone())?);
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(serve(listener, tokio_dns(dns)?, shared, rx));
        Ok(Emulator { addr, url, dns: dns_addr, shutdown: tx, runner: Some(Runner::Task(task)) })
    }

    /// Binds and serves on a runtime of its own in a background thread; for callers without a tokio runtime.
    pub fn start_blocking(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let std_listener = std::net::TcpListener::bind((config.host, config.port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let url = base_url(addr);
        let dns = bind_dns(&config)?;
        let dns_addr = dns.as_ref().map(|d| d.2);
        let shared = Arc::new(Shared::new(config, url.clone())?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hostapi-emulator")
            .enable_all()
            .build()?;
        let (listener, dns) = {
            let _guard = runtime.enter();
            (tokio::net::TcpListener::from_std(std_listener)?, tokio_dns(dns)?)
        };
        let (tx, rx) = watch::channel(false);
        let thread = std::thread::Builder::new().name("hostapi-emulator".into()).spawn(move || {
            runtime.block_on(serve(listener, dns, shared, rx));
            runtime.shutdown_timeout(Duration::from_millis(500));
        })?;
        Ok(Emulator { addr, url, dns: dns_addr, shutdown: tx, runner: Some(Runner::Thread(thread)) })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// `http://127.0.0.1:PORT/v1` — the Velneo client's base URL.
    pub fn velneo_url(&self) -> String {
        format!("{}/v1", self.url)
    }

    /// `http://127.0.0.1:PORT/wapi/json` — the WEDOS client's base URL.
    pub fn wedos_url(&self) -> String {
        format!("{}/wapi/json", self.url)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The DNS server's address (UDP and TCP), when `EmulatorConfig::dns_port` started one.
    pub fn dns_addr(&self) -> Option<SocketAddr> {
        self.dns
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

/// Entry points for the fuzz targets (`fuzz/`, `make fuzz`): one request through the emulator's own parsing and
/// handlers, against a fresh demo state, without a socket. Not a stable API.
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    use serde_json::{json, Value};

    const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    /// A Velneo request. The first byte picks the HTTP method, then `resource\n`, `query\n` and the body. When
    /// the body's `params` form field is a JSON object, the harness logs in first and signs it (session,
    /// timestamp, signature), so that the fuzzer reaches the handlers behind the signature check.
    pub fn velneo_request(data: &[u8]) {
        let Some((&first, rest)) = data.split_first() else { return };
        let method = ["GET", "POST", "PUT", "DELETE", "PATCH"][usize::from(first) % 5];
        let mut parts = rest.splitn(3, |b| *b == b'\n');
        let resource = std::str::from_utf8(parts.next().unwrap_or_default()).unwrap_or_default();
        let query = parts.next().and_then(|q| std::str::from_utf8(q).ok()).filter(|q| !q.is_empty());
        let body = parts.next().unwrap_or_default();
        let config = crate::config::VelneoConfig::default();
        let Ok(mut state) = crate::velneo::VelneoState::new(&config) else { return };
        let ctx = crate::velneo::Ctx { now: NOW, base_url: "http://127.0.0.1:1" };
        let account = &config.accounts[0];
        let login_params = json!({
            "email": account.email, "timestamp": NOW,
            "signed": hostapi::velneo::protocol::sign(&account.email, NOW, &account.api_key),
        })
        .to_string();
        let login_body = form(&[("method", "POST"), ("params", &login_params)]);
        let login = crate::velneo::RawCall {
            resource: "session",
            http_method: "POST",
            query: None,
            body: login_body.as_bytes(),
        };
        let (_, answer) = crate::velneo::handle(&mut state, &login, &ctx);
        let session = answer["session"].as_str().unwrap_or_default().to_owned();
        // A signed variant of a JSON `params`, or the bytes as they are.
        let fields: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
        let signed = fields.iter().find(|(k, _)| k == "params").and_then(|(_, p)| {
            let mut params: serde_json::Map<String, Value> = serde_json::from_str(p).ok()?;
            params.insert("session".into(), json!(session));
            params.insert("timestamp".into(), json!(NOW));
            params.insert("signed".into(), json!(hostapi::velneo::protocol::sign(&session, NOW, &account.api_key)));
            let mut out: Vec<(String, String)> = fields.iter().filter(|(k, _)| k != "params").cloned().collect();
            out.push(("params".into(), Value::Object(params).to_string()));
            Some(out)
        });
        let signed_body = signed.map(|f| {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            form(&pairs)
        });
        let body = signed_body.as_deref().map_or(body, str::as_bytes);
        let call = crate::velneo::RawCall { resource, http_method: method, query, body };
        let _ = crate::velneo::is_write(&call);
        let _ = crate::velneo::handle(&mut state, &call, &ctx);
    }

    /// A WEDOS request body. When it is a form whose `request` is a JSON object with a `request` member, the
    /// harness fills in the demo user and a correct `auth`, so that the fuzzer reaches the commands.
    pub fn wedos_request(data: &[u8]) {
        let config = crate::config::WedosConfig::default();
        let Ok(mut state) = crate::wedos::WedosState::new(&config, NOW) else { return };
        let ctx = crate::wedos::Ctx { now: NOW, ip: std::net::IpAddr::from([127, 0, 0, 1]), config: &config };
        let account = &config.accounts[0];
        let fields: Vec<(String, String)> = form_urlencoded::parse(data).into_owned().collect();
        let authed = fields.iter().find(|(k, _)| k == "request").and_then(|(_, r)| {
            let mut doc: Value = serde_json::from_str(r).ok()?;
            let inner = doc.get_mut("request")?.as_object_mut()?;
            inner.insert("user".into(), json!(account.user));
            let auth = hostapi::wedos::protocol::auth(&account.user, &account.password, NOW).ok()?;
            inner.insert("auth".into(), json!(auth));
            Some(form(&[("request", &doc.to_string())]))
        });
        let body = authed.as_deref().map_or(data, str::as_bytes);
        let outcome = crate::wedos::handle(&mut state, Some(body), &ctx);
        let _ = crate::wedos::changed_content(&outcome.body);
        let _ = crate::wedos::handle(&mut state, None, &ctx);
    }

    fn form(pairs: &[(&str, &str)]) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        s.finish()
    }
}
