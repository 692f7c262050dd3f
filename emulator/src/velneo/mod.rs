//! The Velneo Cloud API (`/v1/<resource>`): request decoding, authentication and dispatch.
//!
//! Every call is judged in this order; the first failure answers `{"status_code": N, "message": "…"}` with HTTP
//! status N:
//!
//! 1. the resource must be known (404 otherwise);
//! 2. the verb: the form field `method` (body first, then query string) when present, which must be exactly `POST`,
//!    `GET`, `PUT` or `DELETE`; without the field, the real HTTP verb when it is `GET`, `PUT` or `DELETE`. An HTTP
//!    POST without a `method` field is a 403 ("missing method"): the field is mandatory on the documented wire;
//! 3. `params`: present and parseable as strict JSON or the documentation's single-quoted form (403);
//! 4. the verb must be one the resource supports (403);
//! 5. authentication: login checks `email`/`timestamp`/`signed` (absent → 403; unknown e-mail, wrong signature,
//!    timestamp outside the window → 401). Other calls check `session` (absent, unknown or ended → 401),
//!    `timestamp`/`signed` (absent or of the wrong type → 403), then the signature and the timestamp window (401);
//! 6. administrative calls (group(s), user(s), folder(s), instance(s)) only: **a stopped vServer answers 403
//!    "vServer is stopped"**, then stored credentials that do not name an enabled supervisor with that password
//!    answer HTTP 200 `{"error": "Invalid user/password"}`;
//! 7. the operation's own parameters and referential rules (403).
//!
//! The signature is compared exactly: lowercase hex, as sha1 produces it.

mod lenient;
mod ops;
mod params;
pub(crate) mod state;

use serde_json::{json, Value};

pub(crate) use params::Params;
pub(crate) use state::VelneoState;

/// A failed call.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// `{"status_code": status, "message": message}` with HTTP `status`.
    Status(u16, String),
    /// HTTP 200 `{"error": "Invalid user/password"}`: the stored credentials do not work.
    InvalidCredentials,
}

impl ApiError {
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        ApiError::Status(403, message.into())
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::Status(401, message.into())
    }

    pub(crate) fn missing(name: &str) -> Self {
        ApiError::forbidden(format!("missing parameter {name}"))
    }

    /// HTTP status and JSON body of the answer.
    pub(crate) fn answer(&self) -> (u16, Value) {
        match self {
            ApiError::Status(code, message) => (*code, json!({"status_code": code, "message": message})),
            ApiError::InvalidCredentials => (200, json!({"error": "Invalid user/password"})),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Verb {
    Post,
    Get,
    Put,
    Delete,
}

impl Verb {
    fn parse(s: &str) -> Option<Verb> {
        match s {
            "POST" => Some(Verb::Post),
            "GET" => Some(Verb::Get),
            "PUT" => Some(Verb::Put),
            "DELETE" => Some(Verb::Delete),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Verb::Post => "POST",
            Verb::Get => "GET",
            Verb::Put => "PUT",
            Verb::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Resource {
    Session,
    VServer,
    Group,
    Groups,
    User,
    Users,
    Folder,
    Folders,
    Instance,
    Instances,
}

impl Resource {
    fn parse(s: &str) -> Option<Resource> {
        Some(match s {
            "session" => Resource::Session,
            "vserver" => Resource::VServer,
            "group" => Resource::Group,
            "groups" => Resource::Groups,
            "user" => Resource::User,
            "users" => Resource::Users,
            "folder" => Resource::Folder,
            "folders" => Resource::Folders,
            "instance" => Resource::Instance,
            "instances" => Resource::Instances,
            _ => return None,
        })
    }

    fn supports(self, verb: Verb) -> bool {
        use Resource::*;
        use Verb::*;
        match self {
            Session => matches!(verb, Post | Delete),
            VServer => matches!(verb, Get | Put),
            Group | User | Folder | Instance => matches!(verb, Get | Put | Delete),
            Groups | Users | Folders | Instances => verb == Get,
        }
    }

    fn is_admin(self) -> bool {
        !matches!(self, Resource::Session | Resource::VServer)
    }
}

/// What a call needs from outside the Velneo state.
pub(crate) struct Ctx<'a> {
    /// The emulator's clock (Unix seconds, offset applied).
    pub(crate) now: i64,
    /// The emulator's base URL (`http://127.0.0.1:PORT`), for backup links.
    pub(crate) base_url: &'a str,
}

/// One decoded HTTP request to `/v1/<resource>`.
pub(crate) struct RawCall<'a> {
    /// The path segment after `/v1/`.
    pub(crate) resource: &'a str,
    /// The real HTTP method.
    pub(crate) http_method: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) body: &'a [u8],
}

/// Judges and executes one call; returns the HTTP status and the JSON body.
pub(crate) fn handle(state: &mut VelneoState, call: &RawCall<'_>, ctx: &Ctx<'_>) -> (u16, Value) {
    match handle_inner(state, call, ctx) {
        Ok(v) => (200, v),
        Err(e) => e.answer(),
    }
}

/// Whether `call` may change content (anything but a GET): its answer is only given once the state file holds
/// the change.
pub(crate) fn is_write(call: &RawCall<'_>) -> bool {
    let Ok(fields) = FormFields::decode(call.query, call.body) else { return false };
    match fields.method.as_deref() {
        Some("") | None => call.http_method != "GET",
        Some(m) => Verb::parse(m).is_some_and(|v| v != Verb::Get),
    }
}

fn handle_inner(state: &mut VelneoState, call: &RawCall<'_>, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let resource = Resource::parse(call.resource)
        .ok_or_else(|| ApiError::Status(404, format!("unknown resource /v1/{}", call.resource)))?;
    let fields = FormFields::decode(call.query, call.body)?;
    let verb = match fields.method.as_deref() {
        Some("") | None => match call.http_method {
            "GET" => Verb::Get,
            "PUT" => Verb::Put,
            "DELETE" => Verb::Delete,
            _ => return Err(ApiError::forbidden("missing method (expected method=POST, GET, PUT or DELETE)")),
        },
        Some(m) => Verb::parse(m)
            .ok_or_else(|| ApiError::forbidden(format!("unknown method {m:?} (expected POST, GET, PUT or DELETE)")))?,
    };
    let params_text = match fields.params.as_deref() {
        None => return Err(ApiError::forbidden("missing params")),
        Some(t) => t,
    };
    let obj = lenient::parse_params(params_text)
        .map_err(|e| ApiError::forbidden(format!("params could not be parsed: {e}")))?;
    let p = Params::new(obj)?;
    if !resource.supports(verb) {
        return Err(ApiError::forbidden(format!("method {} is not supported on /v1/{}", verb.label(), call.resource)));
    }
    if resource == Resource::Session && verb == Verb::Post {
        return login(state, &p, ctx.now);
    }
    let idx = authenticate(state, &p, ctx.now)?;
    if resource == Resource::Session {
        state.accounts[idx].session = None;
        return Ok(json!({"status_code": 200, "message": "session ended"}));
    }
    if resource == Resource::VServer {
        return ops::vserver(state, idx, verb, &p, ctx);
    }
    debug_assert!(resource.is_admin());
    let account = &mut state.accounts[idx];
    if !account.vserver.running {
        return Err(ApiError::forbidden("vServer is stopped"));
    }
    if !account.credentials_valid() {
        return Err(ApiError::InvalidCredentials);
    }
    ops::admin(account, resource, verb, &p)
}

/// The form fields `method` and `params`, from the body or (when the body lacks them) the query string.
struct FormFields {
    method: Option<String>,
    params: Option<String>,
}

impl FormFields {
    fn decode(query: Option<&str>, body: &[u8]) -> Result<Self, ApiError> {
        let from_body = Self::one_source(body, "body")?;
        let from_query = Self::one_source(query.unwrap_or_default().as_bytes(), "query string")?;
        Ok(FormFields {
            method: from_body.method.or(from_query.method),
            params: from_body.params.or(from_query.params),
        })
    }

    fn one_source(bytes: &[u8], what: &str) -> Result<Self, ApiError> {
        let mut f = FormFields { method: None, params: None };
        for (k, v) in form_urlencoded::parse(bytes) {
            let slot = match k.as_ref() {
                "method" => &mut f.method,
                "params" => &mut f.params,
                _ => continue,
            };
            if slot.is_some() {
                return Err(ApiError::forbidden(format!("field {k} appears more than once in the {what}")));
            }
            *slot = Some(v.into_owned());
        }
        Ok(f)
    }
}

fn check_signature(subject: &str, timestamp: u64, api_key: &str, signed: &str) -> Result<(), ApiError> {
    let timestamp =
        i64::try_from(timestamp).map_err(|_| ApiError::unauthorized("authentication failed: bad timestamp"))?;
    if hostapi::velneo::protocol::sign(subject, timestamp, api_key) == signed {
        Ok(())
    } else {
        Err(ApiError::unauthorized("authentication failed: invalid signature"))
    }
}

fn check_timestamp(timestamp: u64, now: i64, window: u64) -> Result<(), ApiError> {
    let skew = i128::from(timestamp) - i128::from(now);
    if skew.unsigned_abs() <= u128::from(window) {
        Ok(())
    } else {
        Err(ApiError::unauthorized(format!(
            "authentication failed: timestamp {timestamp} is outside the allowed window of ±{window} s \
             around the server time {now}"
        )))
    }
}

/// `POST session`.
fn login(state: &mut VelneoState, p: &Params, now: i64) -> Result<Value, ApiError> {
    let email = p.req_str("email")?;
    let timestamp = p.timestamp()?;
    let signed = p.req_str("signed")?;
    let window = state.window_secs;
    let account = state
        .accounts
        .iter_mut()
        .find(|a| a.email == email)
        .ok_or_else(|| ApiError::unauthorized("authentication failed: unknown account"))?;
    check_signature(email, timestamp, &account.api_key, signed)?;
    check_timestamp(timestamp, now, window)?;
    let session = account.session.get_or_insert_with(|| uuid::Uuid::new_v4().to_string()).clone();
    account.logins += 1;
    Ok(json!({"status_code": 200, "session": session}))
}

/// Checks `session`, `timestamp` and `signed` of a non-login call; returns the account's index.
fn authenticate(state: &VelneoState, p: &Params, now: i64) -> Result<usize, ApiError> {
    let session = match p.opt_str("session")? {
        Some(s) if !s.is_empty() => s,
        _ => return Err(ApiError::unauthorized("authentication failed: missing parameter session (log in first)")),
    };
    let timestamp = p.timestamp()?;
    let signed = p.req_str("signed")?;
    let idx = state
        .accounts
        .iter()
        .position(|a| a.session.as_deref() == Some(session))
        .ok_or_else(|| ApiError::unauthorized("authentication failed: unknown or ended session"))?;
    check_signature(session, timestamp, &state.accounts[idx].api_key, signed)?;
    check_timestamp(timestamp, now, state.window_secs)?;
    Ok(idx)
}
