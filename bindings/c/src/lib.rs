//! libhostapi: the C surface of hostapi (`include/hostapi.h`, generated from this crate by cbindgen).
//!
//! Conversion and error mapping only: clients are built by the core's `from_options`, every operation goes through
//! the core's `call_json`, and the sans-I/O functions are the core's. The conventions follow rustls-ffi's: a status
//! enum with fixed numbers, opaque types made by `_new` and released by `_free`, out-parameters written only on
//! success, every pointer checked, every export behind a panic boundary. The documentation of the two `_call`
//! functions and of the client settings is generated from the operation model (`src/generated.rs`).

#![allow(non_camel_case_types)]

use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use serde_json::{json, Value};

use hostapi::velneo::protocol as vp;
use hostapi::wedos::protocol as wp;
use hostapi::ErrorKind;

#[rustfmt::skip]
mod generated;
mod json;
pub use generated::*;

/// The result of every fallible function. The numbers are fixed and never change: 3 to 10 are the kinds of the
/// one error model of hostapi (the same numbers are the exit codes of the `hostapi` command).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum hostapi_status {
    /// Success.
    HOSTAPI_OK = 0,
    /// Invalid client settings or arguments, caught before anything is sent.
    HOSTAPI_CONFIG = 3,
    /// The credentials were refused (Velneo 401 after one re-login; WEDOS 2050, 2051).
    HOSTAPI_AUTHENTICATION = 4,
    /// Velneo: the stored vServer supervisor credentials are wrong.
    HOSTAPI_VSERVER_CREDENTIALS = 5,
    /// A request budget is spent (the server's or the client's own); the message says when to retry.
    HOSTAPI_RATE_LIMITED = 6,
    /// Any other error the API reports.
    HOSTAPI_API = 7,
    /// Connection, TLS or I/O failure, or the service unavailable (HTTP 5xx after the retries).
    HOSTAPI_TRANSPORT = 8,
    /// The answer is not what the protocol allows.
    HOSTAPI_PROTOCOL = 9,
    /// No answer within the configured time.
    HOSTAPI_TIMEOUT = 10,
    /// A NULL pointer, or text that is not UTF-8 (or not the JSON the function takes).
    HOSTAPI_INVALID_ARGUMENT = 100,
    /// An internal error of the library (a panic); the call did nothing further.
    HOSTAPI_PANIC = 101,
}

// The kinds' numbers are the core's, checked at compile time.
const _: () = {
    assert!(hostapi_status::HOSTAPI_CONFIG as u8 == ErrorKind::Config.number());
    assert!(hostapi_status::HOSTAPI_AUTHENTICATION as u8 == ErrorKind::Authentication.number());
    assert!(hostapi_status::HOSTAPI_VSERVER_CREDENTIALS as u8 == ErrorKind::VServerCredentials.number());
    assert!(hostapi_status::HOSTAPI_RATE_LIMITED as u8 == ErrorKind::RateLimited.number());
    assert!(hostapi_status::HOSTAPI_API as u8 == ErrorKind::Api.number());
    assert!(hostapi_status::HOSTAPI_TRANSPORT as u8 == ErrorKind::Transport.number());
    assert!(hostapi_status::HOSTAPI_PROTOCOL as u8 == ErrorKind::Protocol.number());
    assert!(hostapi_status::HOSTAPI_TIMEOUT as u8 == ErrorKind::Timeout.number());
};

fn status_of(kind: ErrorKind) -> hostapi_status {
    use hostapi_status::*;
    match kind {
        ErrorKind::Config => HOSTAPI_CONFIG,
        ErrorKind::Authentication => HOSTAPI_AUTHENTICATION,
        ErrorKind::VServerCredentials => HOSTAPI_VSERVER_CREDENTIALS,
        ErrorKind::RateLimited => HOSTAPI_RATE_LIMITED,
        ErrorKind::Api => HOSTAPI_API,
        ErrorKind::Transport => HOSTAPI_TRANSPORT,
        ErrorKind::Protocol => HOSTAPI_PROTOCOL,
        ErrorKind::Timeout => HOSTAPI_TIMEOUT,
        _ => HOSTAPI_API,
    }
}

/// The name of a status, e.g. `"HOSTAPI_CONFIG"` (`"HOSTAPI_UNKNOWN"` for a number that is none). The string is
/// static: never free it.
#[no_mangle]
pub extern "C" fn hostapi_status_name(status: c_int) -> *const c_char {
    let name: &'static CStr = match status {
        0 => c"HOSTAPI_OK",
        3 => c"HOSTAPI_CONFIG",
        4 => c"HOSTAPI_AUTHENTICATION",
        5 => c"HOSTAPI_VSERVER_CREDENTIALS",
        6 => c"HOSTAPI_RATE_LIMITED",
        7 => c"HOSTAPI_API",
        8 => c"HOSTAPI_TRANSPORT",
        9 => c"HOSTAPI_PROTOCOL",
        10 => c"HOSTAPI_TIMEOUT",
        100 => c"HOSTAPI_INVALID_ARGUMENT",
        101 => c"HOSTAPI_PANIC",
        _ => c"HOSTAPI_UNKNOWN",
    };
    name.as_ptr()
}

// ---- the last error of this thread -------------------------------------------------------------------------------

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// The details of this thread's last error beside its message.
#[derive(Clone, Copy, Default)]
struct Detail {
    http_status: Option<u16>,
    retry_after_ms: Option<u64>,
    api_code: Option<i64>,
    may_have_applied: bool,
}

thread_local! {
    static LAST_DETAIL: std::cell::Cell<Detail> = std::cell::Cell::new(Detail::default());
}

fn set_last_error(message: &str) {
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = text);
}

/// The HTTP status of the answer behind this thread's last failure (0 when there was none, e.g. a connect
/// failure or a refusal before sending).
#[no_mangle]
pub extern "C" fn hostapi_last_error_http_status() -> u16 {
    LAST_DETAIL.with(|d| d.get().http_status.unwrap_or(0))
}

/// For `HOSTAPI_RATE_LIMITED`: milliseconds to wait before trying again; -1 when not known (or another kind).
#[no_mangle]
pub extern "C" fn hostapi_last_error_retry_after_ms() -> i64 {
    LAST_DETAIL.with(|d| d.get().retry_after_ms.map_or(-1, |ms| i64::try_from(ms).unwrap_or(i64::MAX)))
}

/// The API's own code of this thread's last failure (Velneo `status_code`, WEDOS `code`); 0 when it sent none.
#[no_mangle]
pub extern "C" fn hostapi_last_error_api_code() -> i64 {
    LAST_DETAIL.with(|d| d.get().api_code.unwrap_or(0))
}

/// Whether this thread's last failure is a write whose request may have reached the server (a timeout, a dropped
/// connection, an HTTP 5xx): it was not sent again, and it may have been applied — look before writing again.
#[no_mangle]
pub extern "C" fn hostapi_last_error_may_have_applied() -> bool {
    LAST_DETAIL.with(|d| d.get().may_have_applied)
}

/// What went wrong in the last failing call of this thread: `"<operation>: <message>"` (empty after a success).
/// Never NULL, never a secret. The string belongs to the library and stays valid until the next hostapi call on
/// this thread; copy it to keep it.
#[no_mangle]
pub extern "C" fn hostapi_last_error_message() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

/// A failed call: its status and message.
pub(crate) struct Failure {
    status: hostapi_status,
    message: String,
    detail: Detail,
}

impl From<hostapi::Error> for Failure {
    fn from(e: hostapi::Error) -> Self {
        let detail = Detail {
            http_status: e.http_status(),
            retry_after_ms: e.retry_after().map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            api_code: e.code(),
            may_have_applied: e.may_have_applied(),
        };
        Failure { status: status_of(e.kind()), message: e.to_string(), detail }
    }
}

pub(crate) fn invalid(what: impl Into<String>) -> Failure {
    Failure { status: hostapi_status::HOSTAPI_INVALID_ARGUMENT, message: what.into(), detail: Detail::default() }
}

/// The panic boundary of every export: runs `body`, maps its failure (or a panic) to a status and this thread's
/// last error message.
pub(crate) fn ffi(body: impl FnOnce() -> Result<(), Failure>) -> hostapi_status {
    set_last_error("");
    LAST_DETAIL.with(|d| d.set(Detail::default()));
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => hostapi_status::HOSTAPI_OK,
        Ok(Err(f)) => {
            set_last_error(&f.message);
            LAST_DETAIL.with(|d| d.set(f.detail));
            f.status
        }
        Err(_) => {
            set_last_error("hostapi: internal error (a panic); the call did nothing further");
            hostapi_status::HOSTAPI_PANIC
        }
    }
}

// ---- arguments and results ---------------------------------------------------------------------------------------

/// A UTF-8 string argument.
pub(crate) fn text<'a>(p: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if p.is_null() {
        return Err(invalid(format!("{name} must not be NULL")));
    }
    // SAFETY: the caller passes a NUL-terminated string that outlives the call (the header says so).
    unsafe { CStr::from_ptr(p) }.to_str().map_err(|_| invalid(format!("{name} is not UTF-8 text")))
}

/// A JSON text argument.
pub(crate) fn json_arg(p: *const c_char, name: &str) -> Result<Value, Failure> {
    let t = text(p, name)?;
    serde_json::from_str(t).map_err(|e| invalid(format!("{name} is not JSON: {e}")))
}

/// A byte buffer argument (`len` may be 0 with any non-NULL pointer).
pub(crate) fn bytes<'a>(p: *const u8, len: usize, name: &str) -> Result<&'a [u8], Failure> {
    if p.is_null() {
        return Err(invalid(format!("{name} must not be NULL")));
    }
    // SAFETY: the caller passes `len` readable bytes at `p` for the duration of the call.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Checks an out-parameter before any work is done.
pub(crate) fn out_ptr<T>(p: *mut T, name: &str) -> Result<(), Failure> {
    if p.is_null() {
        Err(invalid(format!("{name} must not be NULL")))
    } else {
        Ok(())
    }
}

/// Writes `s` to the out-parameter `out` as a string the caller frees with `hostapi_string_free`.
pub(crate) fn write_string(out: *mut *mut c_char, s: String) -> Result<(), Failure> {
    let c = CString::new(s).map_err(|_| invalid("the result holds a NUL byte"))?;
    // SAFETY: `out` was checked non-NULL by `out_ptr` and points to writable storage for a pointer.
    unsafe { *out = c.into_raw() };
    Ok(())
}

/// Frees a string the library returned (NULL is ignored).
#[no_mangle]
pub extern "C" fn hostapi_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    let _ = catch_unwind(|| {
        // SAFETY: `s` came from `CString::into_raw` in `write_string` and is freed once (the caller's promise).
        drop(unsafe { CString::from_raw(s) });
    });
}

/// A peer that closes a connection while the library writes to it must be an error, not the death of the
/// process: when the program left SIGPIPE at its default action, it is ignored from the first client or emulator
/// on — as Python, Node and Rust programs do, and as libcurl asks of its users. A handler the program installed
/// itself is left alone.
pub(crate) fn ignore_sigpipe() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: reading and setting a signal's disposition with sigaction; `old` and `ignore` are valid structs.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_DFL {
                let mut ignore: libc::sigaction = std::mem::zeroed();
                ignore.sa_sigaction = libc::SIG_IGN;
                libc::sigemptyset(&mut ignore.sa_mask);
                libc::sigaction(libc::SIGPIPE, &ignore, std::ptr::null_mut());
            }
        }
    });
}

/// Runs a client call to its end on the calling thread, on that thread's current-thread runtime
/// ([`hostapi::blocking`]): the call never changes threads. C calls are never nested, so the only failure is a
/// runtime that cannot be made.
fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    ignore_sigpipe();
    hostapi::blocking::block_on(fut).unwrap_or_else(|e| panic!("{e}"))
}

// ---- clients ------------------------------------------------------------------------------------------------------

/// A Velneo Cloud API client (opaque). May be shared by threads: calls on one client from several threads run
/// at once and share its session.
pub struct hostapi_velneo_client {
    client: hostapi::velneo::Client,
}

/// A WEDOS WAPI client (opaque). May be shared by threads, like `hostapi_velneo_client`.
pub struct hostapi_wedos_client {
    client: hostapi::wedos::Client,
}

fn new_client<T>(
    options_json: *const c_char,
    out: *mut *mut T,
    build: impl FnOnce(&Value) -> hostapi::error::Result<T>,
) -> hostapi_status {
    ffi(|| {
        out_ptr(out, "out")?;
        let options = json_arg(options_json, "options_json")?;
        let client = build(&options)?;
        // SAFETY: `out` was checked non-NULL; the box is released by the matching `_free`.
        unsafe { *out = Box::into_raw(Box::new(client)) };
        Ok(())
    })
}

pub(crate) fn velneo_new(options_json: *const c_char, out: *mut *mut hostapi_velneo_client) -> hostapi_status {
    new_client(options_json, out, |o| {
        Ok(hostapi_velneo_client { client: hostapi::velneo::ClientBuilder::from_options(o)?.build()? })
    })
}

pub(crate) fn wedos_new(options_json: *const c_char, out: *mut *mut hostapi_wedos_client) -> hostapi_status {
    new_client(options_json, out, |o| {
        Ok(hostapi_wedos_client { client: hostapi::wedos::ClientBuilder::from_options(o)?.build()? })
    })
}

/// Releases a Velneo client (NULL is ignored). It does not log out: call `session.logout` first if you want to.
#[no_mangle]
pub extern "C" fn hostapi_velneo_client_free(client: *mut hostapi_velneo_client) {
    if !client.is_null() {
        // SAFETY: `client` came from `hostapi_velneo_client_new` and is freed once (the caller's promise).
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(client) })));
    }
}

/// Releases a WEDOS client (NULL is ignored).
#[no_mangle]
pub extern "C" fn hostapi_wedos_client_free(client: *mut hostapi_wedos_client) {
    if !client.is_null() {
        // SAFETY: `client` came from `hostapi_wedos_client_new` and is freed once (the caller's promise).
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(client) })));
    }
}

fn call<T>(
    client: *const T,
    operation: *const c_char,
    args_json: *const c_char,
    out_json: *mut *mut c_char,
    run: impl FnOnce(&T, &str, Value) -> hostapi::error::Result<Value>,
) -> hostapi_status {
    ffi(|| {
        out_ptr(out_json, "out_json")?;
        if client.is_null() {
            return Err(invalid("client must not be NULL"));
        }
        let operation = text(operation, "operation")?;
        let args = json_arg(args_json, "args_json")?;
        // SAFETY: `client` came from `_new` and is not freed during the call (the caller's promise).
        let value = run(unsafe { &*client }, operation, args)?;
        write_string(out_json, value.to_string())
    })
}

pub(crate) fn velneo_call(
    client: *const hostapi_velneo_client,
    operation: *const c_char,
    args_json: *const c_char,
    out_json: *mut *mut c_char,
) -> hostapi_status {
    call(client, operation, args_json, out_json, |c, op, args| block_on(c.client.call_json(op, &args)))
}

pub(crate) fn wedos_call(
    client: *const hostapi_wedos_client,
    operation: *const c_char,
    args_json: *const c_char,
    out_json: *mut *mut c_char,
) -> hostapi_status {
    call(client, operation, args_json, out_json, |c, op, args| {
        let options = wp::RequestOptions::default();
        block_on(c.client.call_json(op, &args, &options))
    })
}

/// Lets the account's clients send again after the guard stopped them (once the password, the IP allow-list or
/// the input is fixed): clears the stop after authentication failures and the count of invalid answers, for every
/// client of the account that shares its state. The server's own IP block still runs out.
#[no_mangle]
pub extern "C" fn hostapi_wedos_reset_auth_guard(client: *const hostapi_wedos_client) -> hostapi_status {
    ffi(|| {
        if client.is_null() {
            return Err(invalid("client must not be NULL"));
        }
        // SAFETY: `client` came from `hostapi_wedos_client_new` and is not freed during the call.
        let c = unsafe { &*client };
        block_on(c.client.reset_auth_guard())?;
        Ok(())
    })
}

// ---- sans-I/O protocol functions -----------------------------------------------------------------------------------

fn request_json(r: &hostapi::HttpRequest) -> String {
    json!({"method": r.method, "url": r.url, "headers": r.headers, "body": r.body}).to_string()
}

fn opt_str<'a>(o: &'a Value, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str)
}

/// Velneo's signature: `sha1(subject + decimal(timestamp) + api_key)` as 40 lowercase hex digits, written to
/// `*out_hex` (free it with `hostapi_string_free`).
#[no_mangle]
pub extern "C" fn hostapi_velneo_sign(
    subject: *const c_char,
    timestamp: i64,
    api_key: *const c_char,
    out_hex: *mut *mut c_char,
) -> hostapi_status {
    ffi(|| {
        out_ptr(out_hex, "out_hex")?;
        let s = vp::sign(text(subject, "subject")?, timestamp, text(api_key, "api_key")?);
        write_string(out_hex, s)
    })
}

/// The exact HTTP request of a Velneo operation, for tools that send it themselves (e.g. with libcurl).
///
/// `args_json`: the operation's arguments (see `hostapi_velneo_call`). `options_json`: `{"api_key": …,
/// "timestamp": <Unix seconds>, "auth_email": …}` for `session.login` or `{…, "session": …}` for the others, and
/// optionally `"base_url"` and `"http_verbs"`. Writes `{"method", "url", "headers": [[name, value]…], "body"}` to
/// `*out_request_json`.
#[no_mangle]
pub extern "C" fn hostapi_velneo_build_request(
    operation: *const c_char,
    args_json: *const c_char,
    options_json: *const c_char,
    out_request_json: *mut *mut c_char,
) -> hostapi_status {
    ffi(|| {
        out_ptr(out_request_json, "out_request_json")?;
        let operation = text(operation, "operation")?;
        let args = json_arg(args_json, "args_json")?;
        let o = json_arg(options_json, "options_json")?;
        let label = format!("velneo {operation}");
        let auth = match (opt_str(&o, "auth_email"), opt_str(&o, "session")) {
            (Some(e), None) => vp::Auth::Email(e),
            (None, Some(s)) => vp::Auth::Session(s),
            _ => return Err(hostapi::Error::config(&label, "give exactly one of auth_email (login) or session").into()),
        };
        let api_key = opt_str(&o, "api_key").ok_or_else(|| hostapi::Error::config(&label, "api_key is required"))?;
        let timestamp = o
            .get("timestamp")
            .and_then(Value::as_i64)
            .ok_or_else(|| hostapi::Error::config(&label, "timestamp is required"))?;
        let base = opt_str(&o, "base_url").unwrap_or(vp::DEFAULT_BASE_URL);
        let wire = vp::WireOptions { http_verbs: o.get("http_verbs").and_then(Value::as_bool).unwrap_or(false) };
        let call = vp::Call::from_json(operation, &args)?;
        let req = vp::build_request(base, &call, auth, api_key, timestamp, wire)?;
        write_string(out_request_json, request_json(&req))
    })
}

/// The typed result of a Velneo answer as JSON (`*out_json`), or the status of the failure the answer means.
#[no_mangle]
pub extern "C" fn hostapi_velneo_parse_response(
    operation: *const c_char,
    http_status: u16,
    body: *const u8,
    body_len: usize,
    out_json: *mut *mut c_char,
) -> hostapi_status {
    ffi(|| {
        out_ptr(out_json, "out_json")?;
        let name = text(operation, "operation")?;
        let body = bytes(body, body_len, "body")?;
        let op = vp::Operation::from_name(name)
            .ok_or_else(|| hostapi::Error::config("velneo", format!("unknown operation {name:?}")))?;
        let value = hostapi::ops::to_json(vp::parse_response(op, http_status, body)?)?;
        write_string(out_json, value.to_string())
    })
}

/// WEDOS `auth` at `unix_time` (Unix seconds): `sha1(user + sha1(password) + HH)`, HH the zero-padded Europe/Prague hour.
#[no_mangle]
pub extern "C" fn hostapi_wedos_auth(
    user: *const c_char,
    password: *const c_char,
    unix_time: i64,
    out_hex: *mut *mut c_char,
) -> hostapi_status {
    ffi(|| {
        out_ptr(out_hex, "out_hex")?;
        let a = wp::auth(text(user, "user")?, text(password, "password")?, unix_time)?;
        write_string(out_hex, a)
    })
}

/// The hour (0–23) in Europe/Prague at `unix_time` (Unix seconds), written to `*out_hour` (rules built in; no host tz database).
#[no_mangle]
pub extern "C" fn hostapi_wedos_prague_hour(unix_time: i64, out_hour: *mut u8) -> hostapi_status {
    ffi(|| {
        out_ptr(out_hour, "out_hour")?;
        let h = wp::prague_hour(unix_time)?;
        // SAFETY: checked non-NULL above.
        unsafe { *out_hour = h };
        Ok(())
    })
}

/// The exact HTTP request of a WEDOS operation. `options_json`: `{"user", "password", "unix"}` and optionally
/// `"base_url"`, `"cltrid"`, `"test"`. Writes `{"method", "url", "headers", "body"}` to `*out_request_json`.
#[no_mangle]
pub extern "C" fn hostapi_wedos_build_request(
    operation: *const c_char,
    args_json: *const c_char,
    options_json: *const c_char,
    out_request_json: *mut *mut c_char,
) -> hostapi_status {
    ffi(|| {
        out_ptr(out_request_json, "out_request_json")?;
        let operation = text(operation, "operation")?;
        let args = json_arg(args_json, "args_json")?;
        let o = json_arg(options_json, "options_json")?;
        let label = format!("wedos {operation}");
        let need = |k: &str| opt_str(&o, k).ok_or_else(|| hostapi::Error::config(&label, format!("{k} is required")));
        let (user, password) = (need("user")?, need("password")?);
        let unix =
            o.get("unix").and_then(Value::as_i64).ok_or_else(|| hostapi::Error::config(&label, "unix is required"))?;
        let options = wp::RequestOptions {
            cltrid: opt_str(&o, "cltrid").map(str::to_owned),
            test: o.get("test").and_then(Value::as_bool).unwrap_or(false),
        };
        let call = wp::Call::from_json(operation, &args)?;
        let base = opt_str(&o, "base_url").unwrap_or(wp::DEFAULT_BASE_URL);
        let req = wp::build_request(base, &call, user, password, unix, &options)?;
        write_string(out_request_json, request_json(&req))
    })
}

/// The typed result of a WEDOS answer to `operation` with `args_json`, as JSON.
#[no_mangle]
pub extern "C" fn hostapi_wedos_parse_response(
    operation: *const c_char,
    args_json: *const c_char,
    http_status: u16,
    body: *const u8,
    body_len: usize,
    out_json: *mut *mut c_char,
) -> hostapi_status {
    ffi(|| {
        out_ptr(out_json, "out_json")?;
        let operation = text(operation, "operation")?;
        let args = json_arg(args_json, "args_json")?;
        let body = bytes(body, body_len, "body")?;
        let call = wp::Call::from_json(operation, &args)?;
        let value = hostapi::ops::to_json(wp::parse_response(&call, http_status, body)?)?;
        write_string(out_json, value.to_string())
    })
}

/// A notification as WEDOS POSTs it (form field `request`, or the bare JSON document), as JSON.
#[no_mangle]
pub extern "C" fn hostapi_wedos_parse_notification(
    body: *const u8,
    body_len: usize,
    out_json: *mut *mut c_char,
) -> hostapi_status {
    ffi(|| {
        out_ptr(out_json, "out_json")?;
        let body = bytes(body, body_len, "body")?;
        let value = hostapi::ops::to_json(wp::parse_notification(body)?)?;
        write_string(out_json, value.to_string())
    })
}

// ---- the emulator -------------------------------------------------------------------------------------------------

/// A running emulator of both APIs (opaque), for tests.
pub struct hostapi_emulator {
    server: Option<::hostapi_emulator::Emulator>,
}

/// `hostapi_emulator_url`: the server's root, `http://127.0.0.1:PORT`.
pub const HOSTAPI_EMULATOR_BASE: c_int = 0;
/// `hostapi_emulator_url`: the Velneo client's base URL (`…/v1`).
pub const HOSTAPI_EMULATOR_VELNEO: c_int = 1;
/// `hostapi_emulator_url`: the WEDOS client's base URL (`…/wapi/json`).
pub const HOSTAPI_EMULATOR_WEDOS: c_int = 2;

/// Starts the emulator on its own thread. `options_json`: `{}` for the defaults (a free loopback port, the demo
/// accounts of `hostapi_emulator_demo`), or `{"config": {…the emulator's config…}, "host": "127.0.0.1", "port": N,
/// "dns_port": N}` (`dns_port`: also serve DNS for every WEDOS zone, see `hostapi_emulator_dns`).
/// Stop and release it with `hostapi_emulator_stop`.
#[no_mangle]
pub extern "C" fn hostapi_emulator_start(
    options_json: *const c_char,
    out: *mut *mut hostapi_emulator,
) -> hostapi_status {
    ignore_sigpipe();
    ffi(|| {
        out_ptr(out, "out")?;
        let o = json_arg(options_json, "options_json")?;
        let op = "emulator";
        let Some(obj) = o.as_object() else {
            return Err(hostapi::Error::config(op, "the options must be a JSON object").into());
        };
        if let Some(k) = obj.keys().find(|k| !["config", "host", "port", "dns_port"].contains(&k.as_str())) {
            return Err(
                hostapi::Error::config(op, format!("unknown option {k:?}; expected config, host, port, dns_port")).into()
            );
        }
        if obj.get("host").is_some_and(|h| !h.is_string() && !h.is_null()) {
            return Err(hostapi::Error::config(op, "host must be a string").into());
        }
        let port = |key: &str| match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(p) => p
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| hostapi::Error::config(op, format!("{key} must be an integer 0-65535"))),
        };
        let (http_port, dns_port) = (port("port")?, port("dns_port")?);
        let json = o.get("config").filter(|c| !c.is_null()).map(Value::to_string);
        let host = opt_str(&o, "host");
        let config =
            ::hostapi_emulator::EmulatorConfig::with_address(json.as_deref(), host.as_deref(), http_port, dns_port)
                .map_err(|e| hostapi::Error::config(op, e))?;
        let server = ::hostapi_emulator::Emulator::start_blocking(config)
            .map_err(|e| hostapi::Error::new(ErrorKind::Transport, op, format!("cannot start: {e}")))?;
        // SAFETY: `out` was checked non-NULL; released by `hostapi_emulator_stop`.
        unsafe { *out = Box::into_raw(Box::new(hostapi_emulator { server: Some(server) })) };
        Ok(())
    })
}

/// One of the emulator's URLs (`which`: `HOSTAPI_EMULATOR_BASE`, `_VELNEO` or `_WEDOS`), written to `*out_url`.
#[no_mangle]
pub extern "C" fn hostapi_emulator_url(
    emulator: *const hostapi_emulator,
    which: c_int,
    out_url: *mut *mut c_char,
) -> hostapi_status {
    ffi(|| {
        out_ptr(out_url, "out_url")?;
        if emulator.is_null() {
            return Err(invalid("emulator must not be NULL"));
        }
        // SAFETY: `emulator` came from `hostapi_emulator_start` and is not stopped during the call.
        let server = unsafe { &*emulator }.server.as_ref().ok_or_else(|| invalid("the emulator is stopped"))?;
        let url = match which {
            HOSTAPI_EMULATOR_BASE => server.url(),
            HOSTAPI_EMULATOR_VELNEO => server.velneo_url(),
            HOSTAPI_EMULATOR_WEDOS => server.wedos_url(),
            other => return Err(invalid(format!("which {other} is none of HOSTAPI_EMULATOR_BASE, _VELNEO, _WEDOS"))),
        };
        write_string(out_url, url)
    })
}

/// The emulator's DNS server, `HOST:PORT` (UDP and TCP), written to `*out_addr`; `*out_addr` is NULL when the
/// emulator was started without `dns_port`.
#[no_mangle]
pub extern "C" fn hostapi_emulator_dns(emulator: *const hostapi_emulator, out_addr: *mut *mut c_char) -> hostapi_status {
    ffi(|| {
        out_ptr(out_addr, "out_addr")?;
        if emulator.is_null() {
            return Err(invalid("emulator must not be NULL"));
        }
        // SAFETY: `emulator` came from `hostapi_emulator_start` and is not stopped during the call.
        let server = unsafe { &*emulator }.server.as_ref().ok_or_else(|| invalid("the emulator is stopped"))?;
        match server.dns_addr() {
            Some(addr) => write_string(out_addr, addr.to_string()),
            None => {
                // SAFETY: `out_addr` was checked non-NULL.
                unsafe { *out_addr = std::ptr::null_mut() };
                Ok(())
            }
        }
    })
}

/// Calls one of the emulator's control endpoints, `METHOD /_emulator/<path>` (`method`: "GET", "POST" or
/// "DELETE"; `body_json`: the JSON body of a POST, or NULL), and writes the JSON answer to `*out_json`. For example
/// `("POST", "faults", "{\"path\":\"/v1/vserver\",\"status\":503}")` arms a fault, `("GET", "state", NULL)`
/// reads the state (its `requests` member counts the requests per API path), `("POST", "reset", NULL)` forgets
/// every change. An answer other than 2xx is `HOSTAPI_API` with the emulator's message.
#[no_mangle]
pub extern "C" fn hostapi_emulator_control(
    emulator: *const hostapi_emulator,
    method: *const c_char,
    path: *const c_char,
    body_json: *const c_char,
    out_json: *mut *mut c_char,
) -> hostapi_status {
    ffi(|| {
        out_ptr(out_json, "out_json")?;
        if emulator.is_null() {
            return Err(invalid("emulator must not be NULL"));
        }
        let method = text(method, "method")?;
        let path = text(path, "path")?.trim_start_matches('/');
        let body = if body_json.is_null() { None } else { Some(text(body_json, "body_json")?.to_owned()) };
        // SAFETY: `emulator` came from `hostapi_emulator_start` and is not stopped during the call.
        let server = unsafe { &*emulator }.server.as_ref().ok_or_else(|| invalid("the emulator is stopped"))?;
        if !["GET", "POST", "DELETE"].contains(&method) {
            return Err(invalid(format!("method {method:?} is none of GET, POST, DELETE")));
        }
        let operation = format!("emulator {method} /_emulator/{path}");
        let body: Option<Value> = match body {
            Some(b) => Some(
                serde_json::from_str(&b).map_err(|e| invalid(format!("body_json is not JSON: {e}")))?,
            ),
            None => None,
        };
        let control = server.control();
        let answer = block_on(async move { control.call(method, path, body.as_ref()).await });
        let text = match answer {
            Ok(v) => v.to_string(),
            Err(e) => {
                let error = match e.status {
                    Some(status) => hostapi::Error::new(hostapi::ErrorKind::Api, &operation, e.message).with_http_status(status),
                    None => hostapi::Error::new(hostapi::ErrorKind::Transport, &operation, e.message),
                };
                return Err(Failure::from(error));
            }
        };
        write_string(out_json, text)
    })
}

/// The emulator's demo accounts as JSON: `{"velneo_email", "velneo_api_key", "wedos_user", "wedos_password"}`.
#[no_mangle]
pub extern "C" fn hostapi_emulator_demo(out_json: *mut *mut c_char) -> hostapi_status {
    ffi(|| {
        out_ptr(out_json, "out_json")?;
        let demo = json!({
            "velneo_email": ::hostapi_emulator::DEMO_VELNEO_EMAIL,
            "velneo_api_key": ::hostapi_emulator::DEMO_VELNEO_API_KEY,
            "wedos_user": ::hostapi_emulator::DEMO_WEDOS_USER,
            "wedos_password": ::hostapi_emulator::DEMO_WEDOS_PASSWORD,
        });
        write_string(out_json, demo.to_string())
    })
}

/// Stops the emulator (in-flight requests get up to 2 s) and releases it (NULL is ignored).
#[no_mangle]
pub extern "C" fn hostapi_emulator_stop(emulator: *mut hostapi_emulator) {
    if !emulator.is_null() {
        // SAFETY: `emulator` came from `hostapi_emulator_start` and is stopped once (the caller's promise).
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(emulator) })));
    }
}

/// The operation model of both APIs as JSON (every operation, its arguments and result, the settings, the records
/// and the error kinds), written to `*out_json`.
#[no_mangle]
pub extern "C" fn hostapi_model_json(out_json: *mut *mut c_char) -> hostapi_status {
    ffi(|| {
        out_ptr(out_json, "out_json")?;
        write_string(out_json, hostapi::ops::model_json().to_string())
    })
}

/// The library's version, e.g. `"0.1.0"` (static: never free it).
#[no_mangle]
pub extern "C" fn hostapi_version() -> *const c_char {
    static V: OnceLock<CString> = OnceLock::new();
    V.get_or_init(|| CString::new(env!("CARGO_PKG_VERSION")).unwrap_or_default()).as_ptr()
}
