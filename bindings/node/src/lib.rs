//! The native half of the npm package `hostapi`: the core's clients, sans-I/O protocol functions and emulator,
//! for Node. Conversion and error mapping only: every operation goes through the core's `call_json`, every client
//! is built by the core's `from_options`, and the typed surface (JS handle classes, `.d.ts`) is generated from the
//! operation model by `make generate`.
//!
//! Errors cross as a JSON payload in the message (`{"hostapi": true, "kind", "code", "number", …}`), which the JS
//! layer turns into its `HostapiError` subclasses. Calls take an optional cancellation token: `cancel(token)`
//! drops the in-flight request (the JS layer calls it when an `AbortSignal` fires).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{json, Value};
use tokio::sync::oneshot;

use hostapi::velneo::protocol as vp;
use hostapi::wedos::protocol as wp;

// ---- errors ---------------------------------------------------------------------------------------------------

/// A core error as a JS error whose message is the JSON the JS layer reads.
fn to_js(e: &hostapi::Error) -> napi::Error {
    let kind = e.kind();
    let payload = json!({
        "hostapi": true,
        "kind": kind.as_str(),
        "code": kind.code(),
        "number": kind.number(),
        "operation": e.operation(),
        "message": e.message(),
        "text": e.to_string(),
        "apiCode": e.code(),
        "httpStatus": e.http_status(),
        "retryAfterMs": e.retry_after().map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        "body": e.body(),
        "mayHaveApplied": e.may_have_applied(),
    });
    napi::Error::new(Status::GenericFailure, payload.to_string())
}

fn config(operation: &str, message: impl Into<String>) -> napi::Error {
    to_js(&hostapi::Error::config(operation, message))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

// ---- clients --------------------------------------------------------------------------------------------------

/// A core client of one API, as the native classes need it.
trait Core: Clone + Send + Sync + 'static {
    const API: hostapi::ops::Api;
    fn from_options(options: &Value) -> hostapi::error::Result<Self>;
    fn call_json(
        self,
        operation: String,
        args: Value,
        progress: Option<hostapi::ops::Progress>,
    ) -> impl std::future::Future<Output = hostapi::error::Result<Value>> + Send;
}

/// A JS progress callback, called on the JS thread with `{received, total}` (non-blocking: a report is dropped
/// rather than waited for when the JS thread is busy; the last one is always queued).
type ProgressFn = napi::threadsafe_function::ThreadsafeFunction<Value, Unknown<'static>, Value, Status, false, true>;

/// The core's progress callback reporting to `f`.
fn js_progress(f: Option<ProgressFn>) -> Option<hostapi::ops::Progress> {
    let f = Arc::new(f?);
    Some(Arc::new(move |received: u64, total: Option<u64>| {
        let event = json!({"received": received, "total": total});
        let _ = f.call(event, napi::threadsafe_function::ThreadsafeFunctionCallMode::NonBlocking);
        true
    }))
}

/// The wake-up of a [`NativeBatch`]: called on the JS thread (with the number of results queued) when the first
/// result of a batch is queued. Weak: it keeps the process alive only while calls are pending ([`NativeBatch::hold`]).
type WakeFn = napi::threadsafe_function::ThreadsafeFunction<u32, Unknown<'static>, u32, Status, false, true>;

/// Finished calls waiting for the JS thread, as the items of one JSON array: `[id, 1, result]` or
/// `[id, 0, message, status]`.
struct Batch {
    done: Mutex<(String, u32)>,
    wake: Mutex<WakeFn>,
}

impl Batch {
    /// Queues the outcome of call `id` (on a runtime thread); wakes the JS thread when the queue was empty.
    fn finish(&self, id: u32, outcome: Result<Value>) {
        let count = {
            let mut done = lock(&self.done);
            let (items, count) = &mut *done;
            if !items.is_empty() {
                items.push(',');
            }
            items.push('[');
            items.push_str(itoa::Buffer::new().format(id));
            match outcome {
                Ok(v) => {
                    items.push_str(",1,");
                    items.push_str(&v.to_string());
                }
                Err(e) => {
                    items.push_str(",0,");
                    items.push_str(&Value::from(e.reason.as_str()).to_string());
                    items.push(',');
                    items.push_str(&Value::from(e.status.as_ref()).to_string());
                }
            }
            items.push(']');
            *count += 1;
            *count
        };
        if count == 1 {
            let _ = lock(&self.wake).call(count, napi::threadsafe_function::ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}

/// How calls without a signal or progress callback hand their results back: in batches, through one wake-up per
/// batch, instead of one promise and one thread-safe function per call (the JS layer keeps the promises). The
/// runtime's threads queue finished calls; the JS thread, woken once, takes them all as one JSON array.
#[napi]
pub struct NativeBatch {
    inner: Arc<Batch>,
}

#[napi]
impl NativeBatch {
    /// `wake` is called on the JS thread when results are waiting ([`NativeBatch::take`]).
    #[napi(constructor)]
    pub fn new(wake: WakeFn) -> Self {
        NativeBatch { inner: Arc::new(Batch { done: Mutex::new((String::new(), 0)), wake: Mutex::new(wake) }) }
    }

    /// The results queued so far, as a JSON array (see [`Batch`]); the queue is emptied.
    #[napi]
    pub fn take(&self) -> String {
        let (items, _) = std::mem::take(&mut *lock(&self.inner.done));
        let mut out = String::with_capacity(items.len() + 2);
        out.push('[');
        out.push_str(&items);
        out.push(']');
        out
    }

    /// Keeps the process alive while calls are pending (`napi_ref_threadsafe_function`: what napi-rs deprecates
    /// under this name is counting threads, which this is not).
    #[napi]
    #[allow(deprecated)]
    pub fn hold(&self, env: Env) -> Result<()> {
        lock(&self.inner.wake).refer(&env)
    }

    /// Lets the process end once no call is pending (`napi_unref_threadsafe_function`).
    #[napi]
    #[allow(deprecated)]
    pub fn release(&self, env: Env) -> Result<()> {
        lock(&self.inner.wake).unref(&env)
    }
}

impl<C: Core> Held<C> {
    /// Starts `operation`; its outcome goes to `batch` under `id` (which is also its cancellation token).
    fn start(self: &Arc<Self>, operation: String, args: Value, id: u32, batch: &NativeBatch) -> Result<()> {
        self.client(&operation)?;
        let (held, batch) = (self.clone(), batch.inner.clone());
        napi::bindgen_prelude::spawn(async move {
            let outcome = held.call(operation, args, Some(id), None).await;
            batch.finish(id, outcome);
        });
        Ok(())
    }
}

impl Core for hostapi::velneo::Client {
    const API: hostapi::ops::Api = hostapi::ops::Api::Velneo;
    fn from_options(options: &Value) -> hostapi::error::Result<Self> {
        hostapi::velneo::ClientBuilder::from_options(options)?.build()
    }
    async fn call_json(
        self,
        operation: String,
        args: Value,
        progress: Option<hostapi::ops::Progress>,
    ) -> hostapi::error::Result<Value> {
        hostapi::velneo::Client::call_json_with_progress(&self, &operation, &args, progress).await
    }
}

impl Core for hostapi::wedos::Client {
    const API: hostapi::ops::Api = hostapi::ops::Api::Wedos;
    fn from_options(options: &Value) -> hostapi::error::Result<Self> {
        hostapi::wedos::ClientBuilder::from_options(options)?.build()
    }
    async fn call_json(
        self,
        operation: String,
        args: Value,
        _progress: Option<hostapi::ops::Progress>,
    ) -> hostapi::error::Result<Value> {
        let options = wp::RequestOptions::default();
        hostapi::wedos::Client::call_json(&self, &operation, &args, &options).await
    }
}

/// A client and its in-flight calls' cancellation handles. `None` once closed.
struct Held<C> {
    client: Mutex<Option<C>>,
    cancels: Mutex<HashMap<u32, oneshot::Sender<()>>>,
}

impl<C: Core> Held<C> {
    fn new(options: Value) -> Result<Self> {
        let client = C::from_options(&options).map_err(|e| to_js(&e))?;
        Ok(Held { client: Mutex::new(Some(client)), cancels: Mutex::new(HashMap::new()) })
    }

    fn client(&self, operation: &str) -> Result<C> {
        lock(&self.client).clone().ok_or_else(|| {
            let label = match C::API.op(operation) {
                Some(spec) => spec.label(),
                None => format!("{} {operation}", C::API.as_str()),
            };
            config(&label, "the client is closed")
        })
    }

    /// Runs `operation` through the core's `call_json`; `token` (when given) lets `cancel` drop it.
    async fn call(
        &self,
        operation: String,
        args: Value,
        token: Option<u32>,
        progress: Option<hostapi::ops::Progress>,
    ) -> Result<Value> {
        let client = self.client(&operation)?;
        let cancelled = token.map(|t| {
            let (tx, rx) = oneshot::channel();
            lock(&self.cancels).insert(t, tx);
            rx
        });
        let result = tokio::select! {
            r = client.call_json(operation, args, progress) => r.map_err(|e| to_js(&e)),
            () = async {
                match cancelled {
                    Some(rx) => { let _ = rx.await; }
                    None => std::future::pending::<()>().await,
                }
            } => Err(napi::Error::new(Status::Cancelled, "aborted")),
        };
        if let Some(t) = token {
            lock(&self.cancels).remove(&t);
        }
        result
    }

    fn cancel(&self, token: u32) {
        if let Some(tx) = lock(&self.cancels).remove(&token) {
            let _ = tx.send(());
        }
    }

    fn close(&self) {
        lock(&self.client).take();
        for (_, tx) in lock(&self.cancels).drain() {
            let _ = tx.send(());
        }
    }

    fn closed(&self) -> bool {
        lock(&self.client).is_none()
    }
}

/// The core's Velneo client.
#[napi]
pub struct NativeVelneoClient {
    held: Arc<Held<hostapi::velneo::Client>>,
    email: String,
    base_url: String,
}

#[napi]
impl NativeVelneoClient {
    /// A client from the operation model's Velneo settings (snake_case keys).
    #[napi(constructor)]
    pub fn new(options: Value) -> Result<Self> {
        let held = Held::<hostapi::velneo::Client>::new(options)?;
        let c = held.client("session.login")?;
        Ok(NativeVelneoClient { email: c.email().to_owned(), base_url: c.base_url().to_owned(), held: Arc::new(held) })
    }

    #[napi(getter)]
    pub fn email(&self) -> String {
        self.email.clone()
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    #[napi(getter)]
    pub fn login_count(&self) -> Result<i64> {
        Ok(i64::try_from(self.held.client("session.login")?.login_count()).unwrap_or(i64::MAX))
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.held.closed()
    }

    /// Any operation of the model with snake_case JSON arguments; resolves to the result's canonical JSON, as
    /// text (`JSON.parse` builds the objects faster than one N-API call per property).
    /// `on_progress` receives `{received, total}` from the operations that report progress.
    #[napi]
    pub async fn call(
        &self,
        operation: String,
        args: Value,
        token: Option<u32>,
        on_progress: Option<ProgressFn>,
    ) -> Result<String> {
        let held = self.held.clone();
        held.call(operation, args, token, js_progress(on_progress)).await.map(|v| v.to_string())
    }

    /// Starts an operation whose result goes to `batch` under `id` (also its cancellation token for `cancel`).
    #[napi]
    pub fn start(&self, operation: String, args: Value, id: u32, batch: &NativeBatch) -> Result<()> {
        self.held.start(operation, args, id, batch)
    }

    /// Drops the in-flight call started with `token`.
    #[napi]
    pub fn cancel(&self, token: u32) {
        self.held.cancel(token);
    }

    /// Releases the connection pool (in-flight calls are dropped); later calls fail with a Config error.
    #[napi]
    pub fn close(&self) {
        self.held.close();
    }
}

/// The core's WEDOS client.
#[napi]
pub struct NativeWedosClient {
    held: Arc<Held<hostapi::wedos::Client>>,
    user: String,
    base_url: String,
}

#[napi]
impl NativeWedosClient {
    /// A client from the operation model's WEDOS settings (snake_case keys).
    #[napi(constructor)]
    pub fn new(options: Value) -> Result<Self> {
        let held = Held::<hostapi::wedos::Client>::new(options)?;
        let c = held.client("ping")?;
        Ok(NativeWedosClient { user: c.user().to_owned(), base_url: c.base_url().to_owned(), held: Arc::new(held) })
    }

    #[napi(getter)]
    pub fn user(&self) -> String {
        self.user.clone()
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.held.closed()
    }

    #[napi(getter)]
    pub fn auth_failures(&self) -> Result<u32> {
        let c = self.held.client("ping")?;
        napi::bindgen_prelude::block_on(c.auth_failures()).map_err(|e| to_js(&e))
    }

    #[napi]
    pub fn reset_auth_guard(&self) -> Result<()> {
        let c = self.held.client("ping")?;
        napi::bindgen_prelude::block_on(c.reset_auth_guard()).map_err(|e| to_js(&e))
    }

    #[napi(getter)]
    pub fn state_file(&self) -> Result<Option<String>> {
        Ok(self.held.client("ping")?.state_file().map(|p| p.display().to_string()))
    }

    #[napi]
    pub fn new_cltrid(&self) -> Result<String> {
        Ok(self.held.client("call")?.new_cltrid())
    }

    /// Any operation of the model with snake_case JSON arguments; resolves to the result's canonical JSON, as
    /// text (`JSON.parse` builds the objects faster than one N-API call per property).
    /// `on_progress` receives `{received, total}` from the operations that report progress.
    #[napi]
    pub async fn call(
        &self,
        operation: String,
        args: Value,
        token: Option<u32>,
        on_progress: Option<ProgressFn>,
    ) -> Result<String> {
        let held = self.held.clone();
        held.call(operation, args, token, js_progress(on_progress)).await.map(|v| v.to_string())
    }

    /// Starts an operation whose result goes to `batch` under `id` (also its cancellation token for `cancel`).
    #[napi]
    pub fn start(&self, operation: String, args: Value, id: u32, batch: &NativeBatch) -> Result<()> {
        self.held.start(operation, args, id, batch)
    }

    /// A local operation of the model (no request), at once.
    #[napi]
    pub fn call_local(&self, operation: String, args: Value) -> Result<Value> {
        let c = self.held.client(&operation)?;
        napi::bindgen_prelude::block_on(Core::call_json(c, operation, args, None)).map_err(|e| to_js(&e))
    }

    #[napi]
    pub fn cancel(&self, token: u32) {
        self.held.cancel(token);
    }

    #[napi]
    pub fn close(&self) {
        self.held.close();
    }
}

// ---- sans-I/O protocol functions --------------------------------------------------------------------------------

fn request_json(r: &hostapi::HttpRequest) -> Value {
    json!({"method": r.method, "url": r.url, "headers": r.headers, "body": r.body})
}

/// `sha1(subject + decimal(timestamp) + apiKey)`, lowercase hex.
#[napi]
pub fn velneo_sign(subject: String, timestamp: i64, api_key: String) -> String {
    vp::sign(&subject, timestamp, &api_key)
}

/// The exact request of a Velneo operation: `{method, url, headers: [[name, value]…], body}`.
#[napi]
pub fn velneo_build_request(
    operation: String,
    args: Value,
    auth_email: Option<String>,
    session: Option<String>,
    api_key: String,
    timestamp: i64,
    base_url: Option<String>,
    http_verbs: Option<bool>,
) -> Result<Value> {
    let label = format!("velneo {operation}");
    let auth = match (&auth_email, &session) {
        (Some(e), None) => vp::Auth::Email(e),
        (None, Some(s)) => vp::Auth::Session(s),
        _ => return Err(config(&label, "give exactly one of authEmail (login) or session")),
    };
    let base = base_url.unwrap_or_else(|| vp::DEFAULT_BASE_URL.to_owned());
    let options = vp::WireOptions { http_verbs: http_verbs.unwrap_or(false) };
    vp::Call::from_json(&operation, &args)
        .and_then(|call| vp::build_request(&base, &call, auth, &api_key, timestamp, options))
        .map(|r| request_json(&r))
        .map_err(|e| to_js(&e))
}

/// The typed result of a Velneo answer, as its canonical JSON.
#[napi]
pub fn velneo_parse_response(operation: String, status: u32, body: Buffer) -> Result<Value> {
    let op = vp::Operation::from_name(&operation)
        .ok_or_else(|| config("velneo", format!("unknown operation {operation:?}")))?;
    let status =
        u16::try_from(status).map_err(|_| config(&op.label(), format!("HTTP status {status} is out of range")))?;
    vp::parse_response(op, status, &body).and_then(hostapi::ops::to_json).map_err(|e| to_js(&e))
}

/// The hour (0–23) in Europe/Prague at `unix`.
#[napi]
pub fn wedos_prague_hour(unix: i64) -> Result<u32> {
    wp::prague_hour(unix).map(u32::from).map_err(|e| to_js(&e))
}

/// `sha1(user + sha1(password) + HH)` for the Prague hour at `unix`.
#[napi]
pub fn wedos_auth(user: String, password: String, unix: i64) -> Result<String> {
    wp::auth(&user, &password, unix).map_err(|e| to_js(&e))
}

/// The exact request of a WEDOS operation.
#[napi]
pub fn wedos_build_request(
    operation: String,
    args: Value,
    user: String,
    password: String,
    unix: i64,
    base_url: Option<String>,
    cltrid: Option<String>,
    test: Option<bool>,
) -> Result<Value> {
    let base = base_url.unwrap_or_else(|| wp::DEFAULT_BASE_URL.to_owned());
    let options = wp::RequestOptions { cltrid, test: test.unwrap_or(false) };
    wp::Call::from_json(&operation, &args)
        .and_then(|call| wp::build_request(&base, &call, &user, &password, unix, &options))
        .map(|r| request_json(&r))
        .map_err(|e| to_js(&e))
}

/// The typed result of a WEDOS answer to `operation` with `args`, as its canonical JSON.
#[napi]
pub fn wedos_parse_response(operation: String, args: Value, status: u32, body: Buffer) -> Result<Value> {
    let call = wp::Call::from_json(&operation, &args).map_err(|e| to_js(&e))?;
    let status =
        u16::try_from(status).map_err(|_| config(&call.label(), format!("HTTP status {status} is out of range")))?;
    wp::parse_response(&call, status, &body).and_then(hostapi::ops::to_json).map_err(|e| to_js(&e))
}

/// A notification as WEDOS POSTs it (form field `request`, or the bare JSON document).
#[napi]
pub fn wedos_parse_notification(body: Buffer) -> Result<Value> {
    wp::parse_notification(&body).and_then(hostapi::ops::to_json).map_err(|e| to_js(&e))
}

/// The operation model of both APIs.
#[napi]
pub fn operation_model() -> Value {
    hostapi::ops::model_json()
}

/// The core's version and default User-Agent.
#[napi]
pub fn core_info() -> Value {
    json!({"version": env!("CARGO_PKG_VERSION"), "userAgent": hostapi::transport::USER_AGENT})
}

// ---- the emulator ---------------------------------------------------------------------------------------------

/// The hostapi emulator, serving on its own thread (it never keeps the event loop alive).
#[napi]
pub struct NativeEmulator {
    server: Arc<Mutex<Option<hostapi_emulator::Emulator>>>,
    control: hostapi_emulator::Control,
    url: String,
    velneo_url: String,
    wedos_url: String,
    dns: Option<String>,
}

#[napi]
impl NativeEmulator {
    /// Starts a server: `configJson` is the emulator's JSON config; `host`/`port`/`dnsPort` override its
    /// addresses.
    #[napi(constructor)]
    pub fn new(
        config_json: Option<String>,
        host: Option<String>,
        port: Option<u32>,
        dns_port: Option<u32>,
    ) -> Result<Self> {
        let op = "emulator";
        let port16 = |p: Option<u32>, what: &str| match p {
            Some(p) => u16::try_from(p).map(Some).map_err(|_| config(op, format!("{what} {p} is out of range"))),
            None => Ok(None),
        };
        let (port, dns_port) = (port16(port, "port")?, port16(dns_port, "dnsPort")?);
        let settings =
            hostapi_emulator::EmulatorConfig::with_address(config_json.as_deref(), host.as_deref(), port, dns_port)
                .map_err(|e| config(op, e))?;
        let server = hostapi_emulator::Emulator::start_blocking(settings).map_err(|e| {
            to_js(&hostapi::Error::new(hostapi::ErrorKind::Transport, op, format!("cannot start: {e}")))
        })?;
        Ok(NativeEmulator {
            control: server.control(),
            url: server.url(),
            velneo_url: server.velneo_url(),
            wedos_url: server.wedos_url(),
            dns: server.dns_addr().map(|a| a.to_string()),
            server: Arc::new(Mutex::new(Some(server))),
        })
    }

    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    #[napi(getter)]
    pub fn velneo_url(&self) -> String {
        self.velneo_url.clone()
    }

    #[napi(getter)]
    pub fn wedos_url(&self) -> String {
        self.wedos_url.clone()
    }

    /// The DNS server's `HOST:PORT` (UDP and TCP), or null without `dnsPort`.
    #[napi(getter)]
    pub fn dns(&self) -> Option<String> {
        self.dns.clone()
    }

    #[napi(getter)]
    pub fn running(&self) -> bool {
        lock(&self.server).is_some()
    }

    /// Calls a control endpoint, `METHOD /_emulator/<path>` with an optional JSON body; resolves to the answer's
    /// JSON. A refusal rejects with the emulator's message.
    #[napi]
    pub async fn control(&self, method: String, path: String, body: Option<Value>) -> Result<Value> {
        if lock(&self.server).is_none() {
            return Err(napi::Error::from_reason("the emulator is stopped"));
        }
        let control = self.control.clone();
        control.call(&method, &path, body.as_ref()).await.map_err(|e| napi::Error::from_reason(e.message))
    }

    /// Stops the server (in-flight requests get up to 2 s); idempotent.
    #[napi]
    pub async fn stop(&self) -> Result<()> {
        let server = lock(&self.server).take();
        if let Some(server) = server {
            tokio::task::spawn_blocking(move || drop(server))
                .await
                .map_err(|e| napi::Error::from_reason(format!("stopping the emulator failed: {e}")))?;
        }
        Ok(())
    }
}

/// The demo accounts the emulator knows by default.
#[napi]
pub fn emulator_demo() -> Value {
    json!({
        "velneoEmail": hostapi_emulator::DEMO_VELNEO_EMAIL,
        "velneoApiKey": hostapi_emulator::DEMO_VELNEO_API_KEY,
        "wedosUser": hostapi_emulator::DEMO_WEDOS_USER,
        "wedosPassword": hostapi_emulator::DEMO_WEDOS_PASSWORD,
    })
}
