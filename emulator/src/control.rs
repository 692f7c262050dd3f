//! The control endpoints under `/_emulator/` (no authentication; JSON in, JSON out) and fault injection.
//!
//! | endpoint | answer |
//! | --- | --- |
//! | `GET /_emulator/health` | `{"status":"ok"}` |
//! | `POST /_emulator/reset` | `{"status":"ok"}`; restores every account's configured state (both APIs), clears sessions, login counters, backups, WEDOS queues, counters and IP blocks, the clock offset, faults and the user-agent limit |
//! | `GET /_emulator/state` | `{"requests":{"<path>":N},"velneo":{"<email>":{…}},"wedos":{"<user>":{…}},"wedos_ips":{"<ip>":{…}},"wedos_user_agent_limit":N,"clock":{"offset_secs":N,"now":T},"faults":[…]}` (`requests`: requests received per API path since the start or the last reset) |
//! | `GET /_emulator/clock` | `{"now":T,"offset_secs":N}` |
//! | `POST /_emulator/clock` `{"offset_secs":N}` | `{"now":T,"offset_secs":N}` |
//! | `POST /_emulator/velneo/expire-sessions` `[{"email":"…"}]` | `{"status":"ok","expired":K}` |
//! | `GET /_emulator/faults` | `{"faults":[…]}` |
//! | `POST /_emulator/faults` `{"path","status"?,"body"?,"times"?,"delay_ms"?,"headers"?,"apply"?,"action"?,"size"?,"drip_bytes"?,"drip_interval_ms"?}` | `{"status":"ok","faults":[…]}`; HTTP 429 when `max_faults` are armed (see [`Fault`]) |
//! | `DELETE /_emulator/faults` | `{"status":"ok","cleared":K}` |
//! | `GET /_emulator/velneo/backups/<id>.zip` | the backup bytes (`application/octet-stream`) |
//! | `POST /_emulator/wedos/notifications` `{"user","notify":{…}}` | `{"status":"ok","id":"N"}`; queues `notify` (an `ID` is assigned when it has neither `ID` nor `id`); HTTP 429 when the account's queue holds `max_notifications` |
//! | `POST /_emulator/wedos/ips` `{"user","allowed_ips":["…"]}` | `{"status":"ok","user":"…","allowed_ips":[…]}`; replaces the account's allow-list |
//! | `POST /_emulator/wedos/fail` `{"code"?, "timestamp"?, "command"?, "user"?, "result"?, "times"?=1}` | `{"status":"ok","faults":[…]}`; the next matching authenticated requests answer that WAPI error code, or (`timestamp` alone) run and answer with that `timestamp` (any JSON value) |
//! | `POST /_emulator/wedos/user-agent-limit` `{"times":N}` | `{"status":"ok","times":N}`; the next N WEDOS requests answer HTTP 200 `User-Agent Rate Limit` (text/plain); 0 disarms |
//!
//! `state.wedos.<user>` = `{"user", "allowed_ips", "polling_allowed", "requests_last_hour",
//! "domain_checks_last_hour", "credit": {"amount": "2570.35", "currency"}, "domains": [{name, status, expiration}],
//! "zones": {"<name>": {"status", "min_ttl", "rows": [row], "published": [row], "pending": bool, "last_change": T|null}},
//! "queue": [notification], "codes": {"<code>": count}}` (rows in the `dns-rows-list` shape); `state.wedos_ips.<ip>` =
//! `{"invalid_last_hour": N, "blocked_until": T|null, "blocked": bool}`. No password or API key is shown.
//!
//! A bad control request answers HTTP 400 `{"error":"…"}`; an unknown backup 404 `{"error":"…"}`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::Shared;

fn bad_request(message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message.into()}))).into_response()
}

/// Parses an optional JSON body (empty = `default`); the error is a message for [`bad_request`].
fn parse_body<T: for<'de> Deserialize<'de>>(body: &[u8], default: Option<T>) -> Result<T, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return default.ok_or_else(|| "a JSON body is required".to_string());
    }
    serde_json::from_slice(body).map_err(|e| format!("invalid JSON body: {e}"))
}

pub(crate) async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

pub(crate) async fn reset(State(s): State<Arc<Shared>>) -> Response {
    match s.reset() {
        Ok(()) => {
            s.commit().await;
            Json(json!({"status": "ok"})).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": e}))).into_response(),
    }
}

pub(crate) async fn state(State(s): State<Arc<Shared>>) -> Json<Value> {
    let velneo = s.velneo().snapshot();
    let (wedos, wedos_ips) = s.wedos().snapshot(s.now(), s.config.wedos.auto_publish_secs);
    let ua = *s.user_agent_limit();
    let faults = s.faults().clone();
    let requests = s.hits().clone();
    Json(json!({
        "requests": requests,
        "velneo": velneo,
        "wedos": wedos,
        "wedos_ips": wedos_ips,
        "wedos_user_agent_limit": ua,
        "clock": s.clock_json(),
        "faults": faults,
    }))
}

pub(crate) async fn clock_get(State(s): State<Arc<Shared>>) -> Json<Value> {
    Json(s.clock_json())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    offset_secs: i64,
}

pub(crate) async fn clock_post(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let b: ClockBody = match parse_body(&body, None) {
        Ok(b) => b,
        Err(e) => return bad_request(e),
    };
    s.clock_offset.store(b.offset_secs, Ordering::SeqCst);
    Json(s.clock_json()).into_response()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ExpireBody {
    email: Option<String>,
}

pub(crate) async fn expire_sessions(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let b: ExpireBody = match parse_body(&body, Some(ExpireBody::default())) {
        Ok(b) => b,
        Err(e) => return bad_request(e),
    };
    let expired = s.velneo().expire_sessions(b.email.as_deref());
    match expired {
        Ok(n) => {
            s.commit().await;
            Json(json!({"status": "ok", "expired": n})).into_response()
        }
        Err(e) => bad_request(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotificationBody {
    user: String,
    notify: serde_json::Map<String, Value>,
}

pub(crate) async fn wedos_notification(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let b: NotificationBody = match parse_body(&body, None) {
        Ok(b) => b,
        Err(e) => return bad_request(e),
    };
    if s.wedos().queue_len(&b.user) >= s.config.max_notifications {
        let message = format!(
            "the notification queue of {} holds {} notifications, the most the emulator keeps (max_notifications); \
             poll-ack some or reset",
            b.user, s.config.max_notifications
        );
        return (StatusCode::TOO_MANY_REQUESTS, Json(json!({"error": message}))).into_response();
    }
    let queued = crate::wedos::deliver::deliver_notification(&s, &b.user, b.notify);
    match queued {
        Ok(id) => {
            s.commit().await;
            Json(json!({"status": "ok", "id": id})).into_response()
        }
        Err(e) => bad_request(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotificationUrlBody {
    user: String,
    url: Option<String>,
    retry_secs: Option<f64>,
}

/// `POST /_emulator/wedos/notification-url`: `{"user", "url": "http://…" | null, "retry_secs"?}` switches the
/// account to URL delivery of notifications (null: back to the POLL queue).
pub(crate) async fn wedos_notification_url(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let b: NotificationUrlBody = match parse_body(&body, None) {
        Ok(b) => b,
        Err(e) => return bad_request(e),
    };
    if let Some(u) = &b.url {
        if !(u.starts_with("http://") || u.starts_with("https://")) {
            return bad_request(format!("url must be http:// or https://, not {u:?}"));
        }
    }
    if b.retry_secs.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
        return bad_request("retry_secs must be a positive number");
    }
    let updated = s.wedos().account_mut(&b.user).map(|a| {
        a.notification_url.clone_from(&b.url);
        if let Some(r) = b.retry_secs {
            a.notification_retry_secs = r;
        }
        a.notification_retry_secs
    });
    let Some(retry) = updated else {
        return bad_request(format!("unknown WEDOS account {}", b.user));
    };
    s.commit().await;
    Json(json!({"status": "ok", "user": b.user, "url": b.url, "retry_secs": retry})).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IpsBody {
    user: String,
    allowed_ips: Vec<std::net::IpAddr>,
}

pub(crate) async fn wedos_ips(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let b: IpsBody = match parse_body(&body, None) {
        Ok(b) => b,
        Err(e) => return bad_request(e),
    };
    let ips: Vec<std::net::IpAddr> = b.allowed_ips.iter().map(std::net::IpAddr::to_canonical).collect();
    let found = match s.wedos().account_mut(&b.user) {
        Some(a) => {
            a.allowed_ips = ips.clone();
            true
        }
        None => false,
    };
    if !found {
        return bad_request(format!("unknown WEDOS account {}", b.user));
    }
    s.commit().await;
    Json(json!({"status": "ok", "user": b.user, "allowed_ips": ips})).into_response()
}

/// `POST /_emulator/wedos/fail`: the next matching authenticated requests answer a WAPI error code (a registry
/// failure 4000, a fatal 5000, a domain-open failure 3222, …) instead of running.
pub(crate) async fn wedos_fail(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let f: crate::wedos::state::AnswerFault = match parse_body(&body, None) {
        Ok(f) => f,
        Err(e) => return bad_request(e),
    };
    match f.code {
        Some(code) if !(2000..=5999).contains(&code) => {
            return bad_request("code must be a WAPI error code (2000-5999)");
        }
        None if f.timestamp.is_none() => return bad_request("give code (a WAPI error code), timestamp, or both"),
        _ => {}
    }
    if f.times == 0 {
        return bad_request("times must be at least 1");
    }
    let mut w = s.wedos();
    if let Some(user) = &f.user {
        if w.account_mut(user).is_none() {
            return bad_request(format!("unknown WEDOS account {user}"));
        }
    }
    if w.faults.len() >= s.config.max_faults {
        let message = format!(
            "{} WEDOS faults are armed, the most the emulator holds (max_faults); clear some first",
            w.faults.len()
        );
        return (StatusCode::TOO_MANY_REQUESTS, Json(json!({"error": message}))).into_response();
    }
    w.faults.push(f);
    let armed = serde_json::to_value(&w.faults).unwrap_or(Value::Null);
    Json(json!({"status": "ok", "faults": armed})).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserAgentLimitBody {
    times: u32,
}

pub(crate) async fn wedos_user_agent_limit(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let b: UserAgentLimitBody = match parse_body(&body, None) {
        Ok(b) => b,
        Err(e) => return bad_request(e),
    };
    *s.user_agent_limit() = b.times;
    Json(json!({"status": "ok", "times": b.times})).into_response()
}

pub(crate) async fn backup(State(s): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    let id = file.strip_suffix(".zip").unwrap_or(&file);
    match s.velneo().backup(id) {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{id}.zip\"")),
            ],
            bytes.to_vec(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({"error": format!("no backup {file}")}))).into_response(),
    }
}

/// One armed fault.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fault {
    /// Exact request path it applies to (`/v1/vserver`).
    pub(crate) path: String,
    /// HTTP status to answer with; absent = only delay (and `action`), then process normally.
    #[serde(default)]
    pub(crate) status: Option<u16>,
    /// Plain-text body of the faulted answer (default: the status's reason phrase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<String>,
    /// How many more requests it applies to (default 1).
    #[serde(default = "one")]
    pub(crate) times: u32,
    /// Delay before answering (or processing), milliseconds.
    #[serde(default)]
    pub(crate) delay_ms: u64,
    /// Extra answer headers (`{"Retry-After": "30"}`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub(crate) headers: std::collections::BTreeMap<String, String>,
    /// `true`: the request is processed (and its change applied) first, and its answer replaced by the fault's
    /// — a proxy that applies a write and answers 502.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) apply: bool,
    /// How the answer misbehaves: `reset` (the connection is closed without an answer; the request is not
    /// processed unless `apply`), `truncate` (half the announced body, then the connection is closed), `drip` (the
    /// body — the real answer, or `size` bytes of `x` — sent `drip_bytes` at a time, one chunk every
    /// `drip_interval_ms`), `oversize` (a body of `size` bytes of `x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) action: Option<FaultAction>,
    /// The body size of `oversize`, or of a `drip` of generated bytes instead of the real answer (bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) size: Option<u64>,
    /// `true`: no `Content-Length` (a chunked answer), so the client learns the size only by reading.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) chunked: bool,
    /// Bytes per chunk of `drip` (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) drip_bytes: Option<usize>,
    /// Milliseconds between chunks of `drip` (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) drip_interval_ms: Option<u64>,
}

/// See [`Fault::action`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FaultAction {
    Reset,
    Truncate,
    Drip,
    Oversize,
}

/// The largest `oversize` body (1 GiB).
const MAX_OVERSIZE: u64 = 1 << 30;

fn one() -> u32 {
    1
}

/// Longest accepted delay (10 minutes).
const MAX_DELAY_MS: u64 = 600_000;

pub(crate) async fn faults_list(State(s): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({"faults": s.faults().clone()}))
}

pub(crate) async fn faults_add(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let f: Fault = match parse_body(&body, None) {
        Ok(f) => f,
        Err(e) => return bad_request(e),
    };
    if !f.path.starts_with('/') {
        return bad_request("path must start with /");
    }
    if is_control_path(&f.path) {
        return bad_request("control endpoints cannot be faulted");
    }
    if let Some(st) = f.status {
        if !(100..=599).contains(&st) {
            return bad_request("status must be an HTTP status between 100 and 599");
        }
    } else if f.delay_ms == 0 && f.action.is_none() {
        return bad_request("a fault needs a status, a delay_ms or an action");
    }
    if f.action == Some(FaultAction::Oversize) && f.size.is_none_or(|n| n > MAX_OVERSIZE) {
        return bad_request(format!("an oversize fault needs a size of at most {MAX_OVERSIZE} bytes"));
    }
    if f.size.is_some_and(|n| n > MAX_OVERSIZE)
        || (f.size.is_some() && !matches!(f.action, Some(FaultAction::Oversize | FaultAction::Drip)))
    {
        return bad_request(format!("size (at most {MAX_OVERSIZE}) goes with an oversize or drip action"));
    }
    if f.drip_bytes == Some(0) || f.drip_interval_ms.is_some_and(|ms| ms > MAX_DELAY_MS) {
        return bad_request(format!("drip_bytes must be at least 1 and drip_interval_ms at most {MAX_DELAY_MS}"));
    }
    for (k, v) in &f.headers {
        if header::HeaderName::from_bytes(k.as_bytes()).is_err() || header::HeaderValue::from_str(v).is_err() {
            return bad_request(format!("invalid header {k:?}"));
        }
    }
    if f.times == 0 {
        return bad_request("times must be at least 1");
    }
    if f.delay_ms > MAX_DELAY_MS {
        return bad_request(format!("delay_ms must be at most {MAX_DELAY_MS}"));
    }
    let mut faults = s.faults();
    if faults.len() >= s.config.max_faults {
        let message =
            format!("{} faults are armed, the most the emulator holds (max_faults); clear some first", faults.len());
        return (StatusCode::TOO_MANY_REQUESTS, Json(json!({"error": message}))).into_response();
    }
    faults.push(f);
    Json(json!({"status": "ok", "faults": faults.clone()})).into_response()
}

pub(crate) async fn faults_clear(State(s): State<Arc<Shared>>) -> Json<Value> {
    let mut faults = s.faults();
    let n = faults.len();
    faults.clear();
    Json(json!({"status": "ok", "cleared": n}))
}

/// Control endpoints are never faulted; backup downloads can be.
fn is_control_path(path: &str) -> bool {
    path.starts_with("/_emulator/") && !path.starts_with("/_emulator/velneo/backups/")
}

/// Middleware: applies the first armed fault whose path equals the request's path.
pub(crate) async fn fault_layer(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if is_control_path(path) {
        return next.run(req).await;
    }
    s.count_request(path);
    let fault = {
        let mut faults = s.faults();
        match faults.iter().position(|f| f.path == path) {
            Some(i) => {
                let f = faults[i].clone();
                if faults[i].times <= 1 {
                    faults.remove(i);
                } else {
                    faults[i].times -= 1;
                }
                Some(f)
            }
            None => None,
        }
    };
    let Some(f) = fault else {
        return next.run(req).await;
    };
    if f.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(f.delay_ms)).await;
    }
    // A fault with a status or an oversize body replaces the answer; `reset` drops the connection unprocessed;
    // `truncate` and `drip` misdeliver the real answer. `apply` processes the request first in every case.
    let processed = if f.apply
        || (f.status.is_none() && matches!(f.action, None | Some(FaultAction::Truncate | FaultAction::Drip)))
    {
        Some(next.run(req).await)
    } else {
        None
    };
    if f.action == Some(FaultAction::Reset) {
        let mut r = Response::default();
        r.extensions_mut().insert(crate::DropConnection);
        return r;
    }
    let mut response = match (f.status, processed) {
        (Some(code), _) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = f.body.clone().unwrap_or_else(|| status.canonical_reason().unwrap_or_default().to_string());
            (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
        }
        (None, Some(r)) => r,
        (None, None) => StatusCode::OK.into_response(),
    };
    for (k, v) in &f.headers {
        if let (Ok(k), Ok(v)) = (header::HeaderName::from_bytes(k.as_bytes()), header::HeaderValue::from_str(v)) {
            response.headers_mut().insert(k, v);
        }
    }
    match f.action {
        Some(FaultAction::Oversize) => {
            let size = f.size.unwrap_or(0);
            let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
            let chunks = (0..size.div_ceil(chunk.len() as u64)).map(move |i| {
                let n = (size - i * chunk.len() as u64).min(chunk.len() as u64) as usize;
                Ok::<_, std::io::Error>(chunk.slice(..n))
            });
            *response.body_mut() = axum::body::Body::from_stream(futures_util::stream::iter(chunks));
            if !f.chunked {
                response.headers_mut().insert(header::CONTENT_LENGTH, header::HeaderValue::from(size));
            }
            response
        }
        Some(FaultAction::Truncate) | Some(FaultAction::Drip) => {
            let (parts, body) = response.into_parts();
            let bytes = match f.size {
                Some(n) => Bytes::from(vec![b'x'; n as usize]),
                None => axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default(),
            };
            let mut parts = parts;
            if f.chunked {
                parts.headers.remove(header::CONTENT_LENGTH);
            } else {
                parts.headers.insert(header::CONTENT_LENGTH, header::HeaderValue::from(bytes.len()));
            }
            let stream = if f.action == Some(FaultAction::Truncate) {
                let half = bytes.slice(..bytes.len() / 2);
                let items: Vec<Result<Bytes, std::io::Error>> =
                    vec![Ok(half), Err(std::io::Error::other("truncated on purpose (fault injection)"))];
                axum::body::Body::from_stream(futures_util::stream::iter(items))
            } else {
                let step = f.drip_bytes.unwrap_or(1).max(1);
                let every = Duration::from_millis(f.drip_interval_ms.unwrap_or(100));
                let drip = futures_util::stream::unfold((bytes, true), move |(rest, first)| async move {
                    if rest.is_empty() {
                        return None;
                    }
                    if !first {
                        tokio::time::sleep(every).await;
                    }
                    let n = step.min(rest.len());
                    Some((Ok::<_, std::io::Error>(rest.slice(..n)), (rest.slice(n..), false)))
                });
                axum::body::Body::from_stream(drip)
            };
            Response::from_parts(parts, stream)
        }
        _ => response,
    }
}
