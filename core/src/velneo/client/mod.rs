//! The async Velneo Cloud API client: lazy login shared by all calls, fresh signature on every attempt,
//! one transparent re-login on a 401, resource handles.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Mutex;

mod builder;
mod handles;

pub use builder::{ClientBuilder, ENV_API_KEY, ENV_BASE_URL, ENV_EMAIL, VSERVER_STATES};
pub use handles::{AppInstances, DataInstances, Folders, Groups, Users, VServer};
use builder::DOWNLOAD_OP;

use super::protocol::{self, Auth, Call, Operation, Output, Verb, WireOptions};
use super::records::*;
use crate::error::{Error, ErrorKind, Result};
use crate::ops::{self, Api};
use crate::secret::Secret;
use crate::BoxFuture;
use crate::transport::Transport;

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
pub(super) const PROGRESS_EVERY: Duration = Duration::from_millis(100);

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
        match COMPOSITES.iter().find(|c| c.op == spec.name) {
            Some(c) => (c.run)(self, ops::check_args(spec, c.label, args, false)?, progress).await,
            None => ops::to_json(self.execute(&Call::from_json(operation, args)?).await?),
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

/// How the client runs an operation that is not one request: its checked arguments (with the model's defaults)
/// and the progress callback.
type Run = for<'a> fn(&'a Client, ops::Args<'a>, Option<ops::Progress>) -> BoxFuture<'a, Result<Value>>;

/// An operation the client runs itself, and the name its errors carry.
struct Composite {
    op: &'static str,
    label: &'static str,
    run: Run,
}

/// The operations the client runs itself, keyed by their name in the model (a test checks the table covers every
/// composite of the model and nothing else).
static COMPOSITES: &[Composite] = &[
    Composite { op: "vserver.download_backup", label: DOWNLOAD_OP, run: download_backup },
    Composite { op: "vserver.wait_for_state", label: "velneo vserver.wait_for_state", run: wait_for_state },
];

fn download_backup<'a>(c: &'a Client, a: ops::Args<'a>, progress: Option<ops::Progress>) -> BoxFuture<'a, Result<Value>> {
    Box::pin(async move {
        let url = match a.get("backup") {
            Some(Value::Object(m)) => m.get("url").and_then(Value::as_str).map(str::to_owned),
            _ => a.str("backup"),
        }
        .unwrap_or_default();
        let path = a.req_str("path")?;
        let backup = Backup { url };
        Ok(Value::from(c.vserver().download_backup_to_with_progress(&backup, std::path::Path::new(&path), progress).await?))
    })
}

fn wait_for_state<'a>(c: &'a Client, a: ops::Args<'a>, _: Option<ops::Progress>) -> BoxFuture<'a, Result<Value>> {
    Box::pin(async move {
        let missing = |name: &str| Error::config(a.label(), format!("missing argument {name:?}"));
        let interval = a.seconds("interval").ok_or_else(|| missing("interval"))?;
        let timeout = a.seconds("timeout").ok_or_else(|| missing("timeout"))?;
        ops::to_json(c.vserver().wait_for_state(&a.req_str("state")?, interval, timeout).await?)
    })
}

#[cfg(test)]
mod composite_tests {
    #[test]
    fn the_table_covers_every_operation_that_is_not_one_request() {
        for spec in crate::ops::Api::Velneo.ops() {
            let found = super::COMPOSITES.iter().any(|c| c.op == spec.name);
            assert_eq!(found, spec.kind != crate::ops::Kind::Wire, "{}", spec.name);
        }
    }
}
