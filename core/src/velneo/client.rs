//! The async Velneo Cloud API client: lazy login shared by all calls, fresh signature on every attempt,
//! one transparent re-login on a 401, resource handles.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Mutex;

use super::protocol::{self, Auth, Call, Operation, Output, Verb, WireOptions};
use super::records::*;
use crate::error::{Error, ErrorKind, Result};
use crate::ops::{self, Api};
use crate::secret::Secret;
use crate::transport::{Transport, TransportConfig};

/// Environment variables read by [`ClientBuilder::from_env`].
pub const ENV_EMAIL: &str = "VELNEO_EMAIL";
pub const ENV_API_KEY: &str = "VELNEO_API_KEY";
pub const ENV_BASE_URL: &str = "VELNEO_BASE_URL";

const BUILD_OP: &str = "velneo client";
const DOWNLOAD_OP: &str = "velneo vserver.backup download";

/// The vServer states [`VServer::wait_for_state`] can wait for.
pub const VSERVER_STATES: [&str; 2] = ["running", "stopped"];

/// Settings for a [`Client`]. Start from [`Client::builder`].
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    email: Option<String>,
    api_key: Option<Secret>,
    base_url: String,
    transport: TransportConfig,
    /// Whether `from_env` was applied (errors then name the variables), and whether it met an empty base URL.
    env_read: bool,
    env_base_url_empty: bool,
    wire: WireOptions,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            email: None,
            api_key: None,
            base_url: protocol::DEFAULT_BASE_URL.to_owned(),
            transport: TransportConfig::default(),
            env_read: false,
            env_base_url_empty: false,
            wire: WireOptions::default(),
        }
    }
}

impl ClientBuilder {
    /// The e-mail of the Velneo account.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// The account's private API key. It is only ever hashed, never sent or shown.
    pub fn api_key(mut self, api_key: impl Into<Secret>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// The API root with its version (default `https://cloudapi.velneo.com/v1`).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    crate::transport::transport_setters!();

    /// Send each operation's verb as the HTTP method instead of `POST` + `method` field (same body).
    pub fn http_verbs(mut self, yes: bool) -> Self {
        self.wire.http_verbs = yes;
        self
    }

    /// Fills e-mail, API key and base URL from `VELNEO_EMAIL`, `VELNEO_API_KEY` and `VELNEO_BASE_URL` (the last
    /// one optional). Missing variables are reported by [`build`](Self::build).
    pub fn from_env(mut self) -> Self {
        if let Ok(v) = std::env::var(ENV_EMAIL) {
            self.email = Some(v);
        }
        if let Ok(v) = std::env::var(ENV_API_KEY) {
            self.api_key = Some(Secret::new(v));
        }
        if let Ok(v) = std::env::var(ENV_BASE_URL) {
            if v.trim().is_empty() {
                self.env_base_url_empty = true;
            } else {
                self.base_url = v;
            }
        }
        self.env_read = true;
        self
    }

    /// Settings from one JSON object with the keys of the operation model's Velneo settings (`email`, `api_key`,
    /// `from_env`, `base_url`, `http_verbs`, `timeout`, `connect_timeout`, `retries`, `verify`, `ca_bundle`,
    /// `user_agent`, `backoff`); `null` or absent keys keep the defaults. Every front end builds its clients
    /// through here, so they share the same validation and the same `Config` errors. `from_env: true` reads the
    /// environment first; explicit keys win.
    pub fn from_options(options: &Value) -> Result<ClientBuilder> {
        let o = ops::check_settings(Api::Velneo, BUILD_OP, options)?;
        let mut b = ClientBuilder::default();
        if o.get("from_env").and_then(Value::as_bool) == Some(true) {
            b = b.from_env();
        }
        if let Some(v) = ops::text(o, "email") {
            b.email = Some(v);
        }
        if let Some(v) = ops::text(o, "api_key") {
            b.api_key = Some(Secret::new(v));
        }
        if let Some(v) = ops::text(o, "base_url") {
            b.base_url = v;
        }
        if let Some(v) = o.get("http_verbs").and_then(Value::as_bool) {
            b.wire.http_verbs = v;
        }
        b.transport.apply_options(o);
        Ok(b)
    }

    pub fn build(self) -> Result<Client> {
        let missing = |what: &str, env: &str| {
            if self.env_read {
                Error::config(BUILD_OP, format!("{what} is required: {env} is not set"))
            } else {
                Error::config(BUILD_OP, format!("{what} is required: give it, or read {env} with from_env"))
            }
        };
        if self.env_base_url_empty && self.base_url == protocol::DEFAULT_BASE_URL {
            return Err(Error::config(
                BUILD_OP,
                format!("{ENV_BASE_URL} is set but empty; unset it to use the production API"),
            ));
        }
        let email =
            self.email.clone().filter(|e| !e.trim().is_empty()).ok_or_else(|| missing("an e-mail", ENV_EMAIL))?;
        let api_key =
            self.api_key.clone().filter(|k| !k.is_empty()).ok_or_else(|| missing("an API key", ENV_API_KEY))?;
        let base_url = crate::transport::check_base_url(BUILD_OP, &self.base_url)?;
        let transport = Transport::new(self.transport, BUILD_OP)?;
        Ok(Client {
            inner: Arc::new(Inner {
                email,
                api_key,
                base_url,
                wire: self.wire,
                transport,
                session: std::sync::Mutex::new(SessionState::default()),
                login_gate: Mutex::new(()),
                logins: AtomicU64::new(0),
            }),
        })
    }
}

/// A Velneo Cloud API client. Cheap to clone; clones share the connection pool and the session.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    email: String,
    api_key: Secret,
    base_url: String,
    wire: WireOptions,
    transport: Transport,
    /// The live session id, and the outcome of the last login attempt.
    session: std::sync::Mutex<SessionState>,
    /// Held by the one login (or logout) in flight: concurrent first calls wait for it and share its outcome.
    login_gate: Mutex<()>,
    logins: AtomicU64,
}

#[derive(Default)]
struct SessionState {
    current: Option<String>,
    /// Login attempts so far, and the failure of the last one (with its number).
    attempts: u64,
    failed: Option<(u64, Error)>,
}

fn lock_state(m: &std::sync::Mutex<SessionState>) -> std::sync::MutexGuard<'_, SessionState> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// How often a download reports its progress, at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("velneo::Client")
            .field("email", &self.inner.email)
            .field("api_key", &self.inner.api_key)
            .field("base_url", &self.inner.base_url)
            .field("wire", &self.inner.wire)
            .field("transport", self.inner.transport.config())
            .finish()
    }
}

impl Client {
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `VELNEO_EMAIL`, `VELNEO_API_KEY` and optionally `VELNEO_BASE_URL`.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::default().from_env().build()
    }

    pub fn email(&self) -> &str {
        &self.inner.email
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// How many logins this client has performed (a diagnostic; one per session).
    pub fn login_count(&self) -> u64 {
        self.inner.logins.load(Ordering::Relaxed)
    }

    pub fn vserver(&self) -> VServer<'_> {
        VServer { client: self }
    }
    pub fn groups(&self) -> Groups<'_> {
        Groups { client: self }
    }
    pub fn users(&self) -> Users<'_> {
        Users { client: self }
    }
    pub fn folders(&self) -> Folders<'_> {
        Folders { client: self }
    }
    pub fn app_instances(&self) -> AppInstances<'_> {
        AppInstances { client: self }
    }
    pub fn data_instances(&self) -> DataInstances<'_> {
        DataInstances { client: self }
    }

    /// Logs in now instead of on the first call (a no-op while a session is live).
    pub async fn login(&self) -> Result<()> {
        self.session().await.map(drop)
    }

    /// Ends the session (for every application using it). A no-op when no session is live. The next call logs
    /// in again.
    pub async fn logout(&self) -> Result<()> {
        let _gate = self.inner.login_gate.lock().await;
        let Some(session) = lock_state(&self.inner.session).current.clone() else { return Ok(()) };
        let result = self.send(&Call::Logout, Auth::Session(&session)).await.map_err(|(e, _)| e);
        match result {
            // An ended session (401) is the goal reached too.
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::Authentication => {}
            Err(e) => return Err(e),
        }
        let mut st = lock_state(&self.inner.session);
        if st.current.as_deref() == Some(session.as_str()) {
            st.current = None;
        }
        Ok(())
    }

    /// Runs any operation of the operation model (`crate::ops`) by its canonical name with snake_case JSON
    /// arguments, composites included, and returns the result's canonical JSON (the form of the test vectors).
    /// This is the one entry point of every front end; it behaves exactly as the typed handles.
    pub async fn call_json(&self, operation: &str, args: &Value) -> Result<Value> {
        self.call_json_with_progress(operation, args, None).await
    }

    /// [`call_json`](Self::call_json) with a progress callback for the operations that report progress
    /// ([`ops::PROGRESS_OPS`]); other operations ignore it.
    pub async fn call_json_with_progress(
        &self,
        operation: &str,
        args: &Value,
        progress: Option<ops::Progress>,
    ) -> Result<Value> {
        let spec = Api::Velneo
            .op(operation)
            .ok_or_else(|| Error::config("velneo", format!("unknown operation {operation:?}")))?;
        match spec.name {
            "vserver.download_backup" => {
                let o = ops::check_args(spec, DOWNLOAD_OP, args, false)?;
                let url = match o.get("backup") {
                    Some(Value::Object(m)) => m.get("url").and_then(Value::as_str).map(str::to_owned),
                    _ => ops::text(o, "backup"),
                }
                .unwrap_or_default();
                let path = ops::text(o, "path").unwrap_or_default();
                let n = self
                    .vserver()
                    .download_backup_to_with_progress(&Backup { url }, std::path::Path::new(&path), progress)
                    .await?;
                Ok(Value::from(n))
            }
            "vserver.wait_for_state" => {
                let label = Operation::VServerStatus.label();
                let o = ops::check_args(spec, &label, args, false)?;
                let state = ops::text(o, "state").unwrap_or_default();
                let interval = ops::seconds(spec, o, "interval").unwrap_or(Duration::from_secs(2));
                let timeout = ops::seconds(spec, o, "timeout").unwrap_or(Duration::from_secs(120));
                ops::to_json(self.vserver().wait_for_state(&state, interval, timeout).await?)
            }
            _ => ops::to_json(self.execute(&Call::from_json(operation, args)?).await?),
        }
    }

    /// Runs any call (the form the bindings and the command line use). Login and logout are handled as by
    /// [`login`](Self::login) and [`logout`](Self::logout).
    pub async fn execute(&self, call: &Call) -> Result<Output> {
        match call {
            Call::Login => {
                let session = self.session().await?;
                return Ok(Output::Session(Session { session }));
            }
            Call::Logout => {
                self.logout().await?;
                return Ok(Output::Ack(Ack { status_code: 200, message: None }));
            }
            _ => {}
        }
        // Arguments are checked before anything is sent (no login for a call that cannot be built).
        call.parameters()?;
        match self.execute_tracked(call).await {
            Err((e, _)) if e.may_have_applied() => self.reconcile(call, e).await,
            Err((e, true)) if call.operation().verb() == Verb::Delete && e.kind() == ErrorKind::Api => {
                self.deleted_before(call, e).await
            }
            other => other.map_err(|(e, _)| e),
        }
    }

    /// After a write whose answer was lost: looks whether it was applied, where the API allows (an application
    /// instance is read back by name, and counts as created when it has the project and solution asked for).
    /// Returns the original error when it cannot tell.
    async fn reconcile(&self, call: &Call, lost: Error) -> Result<Output> {
        let Call::InstancePut(InstanceKind::App, spec) = call else { return Err(lost) };
        let get = Call::InstanceGet(InstanceKind::App, InstanceKey::Name(spec.name.clone()));
        match self.execute_signed(&get).await {
            Ok(Output::AppInstance(found))
                if found.project.as_deref() == Some(spec.project.as_str())
                    && found.solution.as_deref().is_none_or(|s| s == spec.solution) =>
            {
                tracing::debug!(name = %spec.name, "the app instance exists: the lost put was applied");
                let id = found.raw.get("id_instancia").or_else(|| found.raw.get("id")).and_then(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                });
                Ok(Output::InstanceCreated(InstanceCreated {
                    status_code: 200,
                    message: Some("created (its answer was lost; confirmed by reading the instance back)".into()),
                    id,
                }))
            }
            _ => Err(lost),
        }
    }

    /// A delete whose earlier attempt may have reached the server, answered "does not exist" (an API error) on
    /// the retry: when reading the item back fails the same way, that earlier attempt deleted it, and the delete
    /// succeeded. Any other outcome keeps the error.
    async fn deleted_before(&self, call: &Call, refused: Error) -> Result<Output> {
        let get = match call {
            Call::GroupDelete(name) => Call::GroupGet(name.clone()),
            Call::UserDelete(name) => Call::UserGet(name.clone()),
            Call::FolderDelete(name) => Call::FolderGet(name.clone()),
            Call::InstanceDelete(kind, key) => Call::InstanceGet(*kind, key.clone()),
            _ => return Err(refused),
        };
        match self.execute_signed(&get).await {
            Err(e) if e.kind() == ErrorKind::Api && e.http_status() == refused.http_status() => {
                tracing::debug!(operation = %refused.operation(), "gone after a lost answer: the first delete was applied");
                Ok(Output::Ack(Ack {
                    status_code: 200,
                    message: Some("deleted (the first answer was lost; the retry found it gone)".into()),
                }))
            }
            _ => Err(refused),
        }
    }

    /// A call in the session: logs in first if needed, and once more after a 401.
    async fn execute_signed(&self, call: &Call) -> Result<Output> {
        self.execute_tracked(call).await.map_err(|(e, _)| e)
    }

    /// [`Self::execute_signed`], a failure with whether an earlier attempt may have reached the server.
    async fn execute_tracked(&self, call: &Call) -> Result<Output, (Error, bool)> {
        let mut relogged = false;
        loop {
            let session = self.session().await.map_err(|e| (e, false))?;
            match self.send(call, Auth::Session(&session)).await {
                Err((e, _)) if e.kind() == ErrorKind::Authentication && !relogged => {
                    tracing::debug!(operation = call.operation().name(), "401: the session ended; logging in again");
                    self.forget(&session).await;
                    relogged = true;
                }
                Err((e, uncertain)) if e.kind() == ErrorKind::Authentication => {
                    let msg = format!("{} (after logging in again)", e.message());
                    let mut again = Error::new(ErrorKind::Authentication, e.operation(), msg);
                    if let Some(c) = e.code() {
                        again = again.with_code(c);
                    }
                    if let Some(h) = e.http_status() {
                        again = again.with_http_status(h);
                    }
                    return Err((again, uncertain));
                }
                other => return other,
            }
        }
    }

    /// One signed exchange: build (fresh timestamp and signature per attempt), send with retries, parse.
    /// A failure comes with whether an earlier attempt may have reached the server (see
    /// [`RawResponse::after_uncertain`](crate::transport::RawResponse::after_uncertain)).
    async fn send(&self, call: &Call, auth: Auth<'_>) -> Result<Output, (Error, bool)> {
        let inner = &*self.inner;
        let op = call.operation();
        let label = op.label();
        let response = inner
            .transport
            .send(&label, call.idempotent(), || {
                protocol::build_request(
                    &inner.base_url,
                    call,
                    auth,
                    inner.api_key.expose(),
                    crate::unix_now(),
                    inner.wire,
                )
            })
            .await
            .map_err(|e| (e, false))?;
        protocol::parse_response(op, response.status, &response.body).map_err(|e| (e, response.after_uncertain))
    }

    /// The live session, logging in first if there is none. One login at a time: callers that arrive while it
    /// is in flight wait for it and share its outcome — the session, or the same error — instead of each trying
    /// again in turn.
    async fn session(&self) -> Result<String> {
        let seen = {
            let st = lock_state(&self.inner.session);
            if let Some(s) = &st.current {
                return Ok(s.clone());
            }
            st.attempts
        };
        let _gate = self.inner.login_gate.lock().await;
        {
            let st = lock_state(&self.inner.session);
            if let Some(s) = &st.current {
                return Ok(s.clone());
            }
            // A login that started after this caller arrived failed while it waited: that is its answer too.
            if let Some((n, e)) = &st.failed {
                if *n > seen {
                    return Err(e.clone());
                }
            }
        }
        let result = match self.send(&Call::Login, Auth::Email(&self.inner.email)).await.map_err(|(e, _)| e) {
            Ok(Output::Session(Session { session })) => Ok(session),
            Ok(_) => {
                Err(Error::new(ErrorKind::Protocol, Operation::Login.label(), "the login answer holds no session"))
            }
            Err(e) => Err(e),
        };
        let mut st = lock_state(&self.inner.session);
        st.attempts += 1;
        match &result {
            Ok(session) => {
                self.inner.logins.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(email = %self.inner.email, "logged in");
                st.current = Some(session.clone());
                st.failed = None;
            }
            Err(e) => st.failed = Some((st.attempts, e.clone())),
        }
        result
    }

    /// Drops `stale` if it is still the current session (another caller may have replaced it already).
    async fn forget(&self, stale: &str) {
        let mut st = lock_state(&self.inner.session);
        if st.current.as_deref() == Some(stale) {
            st.current = None;
        }
    }
}

macro_rules! expect_output {
    ($op:expr, $out:expr, $variant:ident) => {
        match $out {
            Output::$variant(v) => Ok(v),
            _ => Err(Error::new(ErrorKind::Protocol, $op.label(), "unexpected result type")),
        }
    };
}

macro_rules! run {
    ($client:expr, $call:expr, $variant:ident) => {{
        let call = $call;
        let op = call.operation();
        let out = $client.execute(&call).await?;
        expect_output!(op, out, $variant)
    }};
}

/// The vServer: status, start, stop, credentials, backup.
#[derive(Clone, Copy, Debug)]
pub struct VServer<'a> {
    client: &'a Client,
}

impl VServer<'_> {
    pub async fn status(self) -> Result<VServerStatus> {
        run!(self.client, Call::VServerStatus, VServerStatus)
    }
    pub async fn start(self) -> Result<Ack> {
        run!(self.client, Call::VServerStart, Ack)
    }
    pub async fn stop(self) -> Result<Ack> {
        run!(self.client, Call::VServerStop, Ack)
    }
    /// Stores the supervisor credentials the API uses to administer the vServer. They are not checked here: if
    /// wrong, the next administrative call fails with [`ErrorKind::VServerCredentials`].
    pub async fn set_credentials(self, username: impl Into<String>, password: impl Into<Secret>) -> Result<Ack> {
        run!(self.client, Call::VServerCredentials { username: username.into(), password: password.into() }, Ack)
    }
    /// Starts a backup and returns its download link.
    pub async fn backup(self) -> Result<Backup> {
        run!(self.client, Call::VServerBackup, Backup)
    }

    /// Downloads a backup from the link [`backup`](Self::backup) returned, handing each chunk to `sink` with the
    /// total size when known. Returns the number of bytes received.
    pub async fn download_backup(
        self,
        backup: &Backup,
        sink: impl FnMut(&[u8], Option<u64>) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.client.inner.transport.download(DOWNLOAD_OP, &backup.url, sink).await
    }

    /// Downloads a backup into the file `path`: streamed into a temporary file beside it, flushed to disk and
    /// renamed to `path` only when complete, so a failed or cancelled download leaves `path` as it was (the
    /// temporary file is removed). Returns the number of bytes written.
    pub async fn download_backup_to(self, backup: &Backup, path: &std::path::Path) -> Result<u64> {
        self.download_backup_to_with_progress(backup, path, None).await
    }

    /// [`download_backup_to`](Self::download_backup_to), reporting the bytes received (and the total when
    /// announced) to `progress` at most every 100 ms and once at the end.
    pub async fn download_backup_to_with_progress(
        self,
        backup: &Backup,
        path: &std::path::Path,
        progress: Option<ops::Progress>,
    ) -> Result<u64> {
        use std::io::Write;
        if backup.url.trim().is_empty() {
            return Err(Error::config(DOWNLOAD_OP, "the backup URL must not be empty"));
        }
        let local = |what: &str, e: &dyn std::fmt::Display| {
            Error::new(ErrorKind::Transport, DOWNLOAD_OP, format!("{what}: {e}"))
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".hostapi-backup-")
            .suffix(".part")
            .tempfile_in(&dir)
            .map_err(|e| Error::config(DOWNLOAD_OP, format!("cannot create a file in {}: {e}", dir.display())))?;
        let mut writer = std::io::BufWriter::new(tmp);
        let mut received = 0u64;
        let mut last_report: Option<std::time::Instant> = None;
        let mut announced = None;
        let n = self
            .download_backup(backup, |chunk, total| {
                writer.write_all(chunk)?;
                received += chunk.len() as u64;
                announced = total;
                if let Some(report) = &progress {
                    if last_report.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) {
                        last_report = Some(std::time::Instant::now());
                        if !report(received, total) {
                            return Err(std::io::Error::new(
                                std::io::ErrorKind::Interrupted,
                                "stopped by the progress callback",
                            ));
                        }
                    }
                }
                Ok(())
            })
            .await?;
        if let Some(report) = &progress {
            if !report(n, announced.or(Some(n))) {
                return Err(local("cannot write the download", &"stopped by the progress callback"));
            }
        }
        let tmp = writer.into_inner().map_err(|e| local("cannot write the download", &e.error()))?;
        tmp.as_file().sync_all().map_err(|e| local("cannot write the download", &e))?;
        tmp.persist(path).map_err(|e| local(&format!("cannot rename the download to {}", path.display()), &e.error))?;
        Ok(n)
    }

    /// Polls the status every `interval` until it is `state` (`"running"` or `"stopped"`, see
    /// [`VSERVER_STATES`]), up to `timeout`. Any other state is a `Config` error at once.
    pub async fn wait_for_state(self, state: &str, interval: Duration, timeout: Duration) -> Result<VServerStatus> {
        let label = Operation::VServerStatus.label();
        if !VSERVER_STATES.contains(&state) {
            return Err(Error::config(
                label,
                format!("state {state:?} is not one a vServer can be waited for: \"running\" or \"stopped\""),
            ));
        }
        if interval.is_zero() {
            return Err(Error::config(label, "interval must be greater than zero"));
        }
        let deadline = tokio::time::Instant::now().checked_add(timeout).ok_or_else(|| {
            Error::config(Operation::VServerStatus.label(), format!("timeout {timeout:?} is too large"))
        })?;
        loop {
            let st = self.status().await?;
            if st.status.eq_ignore_ascii_case(state) {
                return Ok(st);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    Operation::VServerStatus.label(),
                    format!(
                        "the vServer is still {} after {:.1}s (waiting for {state})",
                        st.status,
                        timeout.as_secs_f64()
                    ),
                ));
            }
            tokio::time::sleep(interval.min(deadline - now)).await;
        }
    }
}

/// Groups of vServer users.
#[derive(Clone, Copy, Debug)]
pub struct Groups<'a> {
    client: &'a Client,
}

impl Groups<'_> {
    /// Creates the group if missing, else modifies it.
    pub async fn put(self, spec: GroupSpec) -> Result<Ack> {
        run!(self.client, Call::GroupPut(spec), Ack)
    }
    pub async fn get(self, name: impl Into<String>) -> Result<Group> {
        run!(self.client, Call::GroupGet(name.into()), Group)
    }
    pub async fn list(self) -> Result<Vec<Group>> {
        run!(self.client, Call::GroupList, Groups)
    }
    pub async fn delete(self, name: impl Into<String>) -> Result<Ack> {
        run!(self.client, Call::GroupDelete(name.into()), Ack)
    }
}

/// vServer users.
#[derive(Clone, Copy, Debug)]
pub struct Users<'a> {
    client: &'a Client,
}

impl Users<'_> {
    /// Creates the user if missing, else modifies it.
    pub async fn put(self, spec: UserSpec) -> Result<Ack> {
        run!(self.client, Call::UserPut(spec), Ack)
    }
    pub async fn get(self, username: impl Into<String>) -> Result<User> {
        run!(self.client, Call::UserGet(username.into()), User)
    }
    pub async fn list(self, filter: UserFilter) -> Result<Vec<User>> {
        run!(self.client, Call::UserList(filter), Users)
    }
    pub async fn delete(self, username: impl Into<String>) -> Result<Ack> {
        run!(self.client, Call::UserDelete(username.into()), Ack)
    }
}

/// Shared folders.
#[derive(Clone, Copy, Debug)]
pub struct Folders<'a> {
    client: &'a Client,
}

impl Folders<'_> {
    /// Creates the shared folder if missing, else modifies it.
    pub async fn put(self, spec: FolderSpec) -> Result<Ack> {
        run!(self.client, Call::FolderPut(spec), Ack)
    }
    pub async fn get(self, name: impl Into<String>) -> Result<Folder> {
        run!(self.client, Call::FolderGet(name.into()), Folder)
    }
    pub async fn list(self) -> Result<Vec<Folder>> {
        run!(self.client, Call::FolderList, Folders)
    }
    pub async fn delete(self, name: impl Into<String>) -> Result<Ack> {
        run!(self.client, Call::FolderDelete(name.into()), Ack)
    }
}

/// Application instances.
#[derive(Clone, Copy, Debug)]
pub struct AppInstances<'a> {
    client: &'a Client,
}

impl AppInstances<'_> {
    /// Adds an application instance; the answer carries its id.
    pub async fn put(self, spec: InstanceSpec) -> Result<InstanceCreated> {
        run!(self.client, Call::InstancePut(InstanceKind::App, spec), InstanceCreated)
    }
    pub async fn get(self, key: impl Into<InstanceKey>) -> Result<AppInstance> {
        run!(self.client, Call::InstanceGet(InstanceKind::App, key.into()), AppInstance)
    }
    pub async fn list(self) -> Result<Vec<AppInstance>> {
        run!(self.client, Call::InstanceList(InstanceKind::App), AppInstances)
    }
    pub async fn delete(self, key: impl Into<InstanceKey>) -> Result<Ack> {
        run!(self.client, Call::InstanceDelete(InstanceKind::App, key.into()), Ack)
    }
}

/// Data instances.
#[derive(Clone, Copy, Debug)]
pub struct DataInstances<'a> {
    client: &'a Client,
}

impl DataInstances<'_> {
    /// Creates the data instance if missing, else modifies it; the answer carries its id.
    pub async fn put(self, spec: InstanceSpec) -> Result<InstanceCreated> {
        run!(self.client, Call::InstancePut(InstanceKind::Data, spec), InstanceCreated)
    }
    pub async fn get(self, key: impl Into<InstanceKey>) -> Result<DataInstance> {
        run!(self.client, Call::InstanceGet(InstanceKind::Data, key.into()), DataInstance)
    }
    pub async fn list(self) -> Result<Vec<DataInstance>> {
        run!(self.client, Call::InstanceList(InstanceKind::Data), DataInstances)
    }
    pub async fn delete(self, key: impl Into<InstanceKey>) -> Result<Ack> {
        run!(self.client, Call::InstanceDelete(InstanceKind::Data, key.into()), Ack)
    }
}
