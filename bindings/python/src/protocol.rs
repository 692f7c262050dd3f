//! The sans-I/O protocol functions of both APIs: thin calls into `hostapi::velneo::protocol` and
//! `hostapi::wedos::protocol`, returning plain Python values the idiomatic layer wraps into records.

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use hostapi::velneo::protocol as vp;
use hostapi::wedos::protocol as wp;
use hostapi::HttpRequest;

use crate::convert::{self, raise, Outcome};

/// Python arguments (a dict or `None`) as JSON.
fn json_args(args: &Bound<'_, PyAny>, label: &str) -> Result<serde_json::Value, hostapi::Error> {
    if args.is_none() {
        return Ok(serde_json::Value::Null);
    }
    convert::to_value(args, label, "arguments")
}

/// The label errors carry for a WEDOS `operation` (`wedos dns-row-add`; for `call`, the command when given).
fn wedos_label(operation: &str, args: &Bound<'_, PyAny>) -> String {
    match wp::Operation::from_name(operation) {
        Some(wp::Operation::Call) => {
            let command = args.get_item("command").ok().and_then(|c| c.extract::<String>().ok());
            format!("wedos {}", command.unwrap_or_else(|| "call".into()))
        }
        Some(op) => format!("wedos {}", op.command()),
        None => format!("wedos {operation}"),
    }
}

fn wedos_call(operation: &str, args: &Bound<'_, PyAny>, label: &str) -> Result<wp::Call, hostapi::Error> {
    wp::Call::from_json(operation, &json_args(args, label)?)
}

/// `(method, url, [(name, value), …], body)`.
fn request_tuple<'py>(py: Python<'py>, r: &HttpRequest) -> PyResult<Bound<'py, PyTuple>> {
    let headers = PyList::empty(py);
    for (k, v) in &r.headers {
        headers.append((k.as_str(), v.as_str()))?;
    }
    PyTuple::new(
        py,
        [
            r.method.as_str().into_pyobject(py)?.into_any(),
            r.url.as_str().into_pyobject(py)?.into_any(),
            headers.into_any(),
            r.body.as_str().into_pyobject(py)?.into_any(),
        ],
    )
}

fn velneo_label(operation: &str) -> String {
    match vp::Operation::from_name(operation) {
        Some(op) => op.label(),
        None => format!("velneo {operation}"),
    }
}

/// `sha1(subject + decimal(timestamp) + api_key)`, lowercase hex.
#[pyfunction]
pub fn velneo_sign(subject: &str, timestamp: i64, api_key: &str) -> String {
    vp::sign(subject, timestamp, api_key)
}

/// The exact request of a Velneo operation.
#[pyfunction]
#[pyo3(signature = (operation, args, *, auth_email, session, timestamp, api_key, base_url, http_verbs=false))]
#[allow(clippy::too_many_arguments)]
pub fn velneo_build_request<'py>(
    py: Python<'py>,
    operation: &str,
    args: &Bound<'py, PyAny>,
    auth_email: Option<String>,
    session: Option<String>,
    timestamp: i64,
    api_key: &str,
    base_url: &str,
    http_verbs: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let label = velneo_label(operation);
    let built = (|| {
        let call = vp::Call::from_json(operation, &json_args(args, &label)?)?;
        let auth = match (&auth_email, &session) {
            (Some(e), None) => vp::Auth::Email(e),
            (None, Some(s)) => vp::Auth::Session(s),
            _ => return Err(convert::config_error(&label, "give exactly one of auth_email (login) or session")),
        };
        vp::build_request(base_url, &call, auth, api_key, timestamp, vp::WireOptions { http_verbs })
    })();
    request_tuple(py, &raise(py, built)?)
}

/// The typed result of a Velneo answer, as its canonical JSON (errors raised as their classes).
#[pyfunction]
pub fn velneo_parse_response<'py>(
    py: Python<'py>,
    operation: &str,
    status: u16,
    body: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    let parsed = match vp::Operation::from_name(operation) {
        Some(op) => vp::parse_response(op, status, body),
        None => Err(convert::config_error("velneo", format!("unknown operation {operation:?}"))),
    };
    Outcome::from_result(parsed).into_pyobject(py)
}

/// Every Velneo operation name.
#[pyfunction]
pub fn velneo_operations() -> Vec<&'static str> {
    vp::Operation::ALL.iter().map(|o| o.name()).collect()
}

/// The Europe/Prague hour at `unix`.
#[pyfunction]
pub fn wedos_prague_hour(py: Python<'_>, unix: i64) -> PyResult<u8> {
    raise(py, wp::prague_hour(unix))
}

/// `sha1(user + sha1(password) + HH)` for the Prague hour at `unix`.
#[pyfunction]
pub fn wedos_auth(py: Python<'_>, user: &str, password: &str, unix: i64) -> PyResult<String> {
    raise(py, wp::auth(user, password, unix))
}

/// The exact request of a WEDOS operation.
#[pyfunction]
#[pyo3(signature = (operation, args, *, user, password, unix, base_url, cltrid=None, test=false))]
#[allow(clippy::too_many_arguments)]
pub fn wedos_build_request<'py>(
    py: Python<'py>,
    operation: &str,
    args: &Bound<'py, PyAny>,
    user: &str,
    password: &str,
    unix: i64,
    base_url: &str,
    cltrid: Option<String>,
    test: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let label = wedos_label(operation, args);
    let built = (|| {
        let call = wedos_call(operation, args, &label)?;
        wp::build_request(base_url, &call, user, password, unix, &wp::RequestOptions { cltrid, test })
    })();
    request_tuple(py, &raise(py, built)?)
}

/// The typed result of a WEDOS answer to `operation` with `args`, as its canonical JSON.
#[pyfunction]
pub fn wedos_parse_output<'py>(
    py: Python<'py>,
    operation: &str,
    args: &Bound<'py, PyAny>,
    status: u16,
    body: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    let label = wedos_label(operation, args);
    let parsed = wedos_call(operation, args, &label).and_then(|call| wp::parse_response(&call, status, body));
    Outcome::from_result(parsed).into_pyobject(py)
}

/// The generic response envelope of any command (`label` names it in errors, e.g. `wedos ping`).
#[pyfunction]
pub fn wedos_parse_response<'py>(
    py: Python<'py>,
    label: &str,
    status: u16,
    body: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    Outcome::from_result(wp::parse_generic(label, status, body)).into_pyobject(py)
}

/// A notification as WEDOS POSTs it (form field `request`, or the bare JSON document).
#[pyfunction]
pub fn wedos_parse_notification<'py>(py: Python<'py>, body: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    Outcome::from_result(wp::parse_notification(body)).into_pyobject(py)
}

/// The operation model of both APIs (`hostapi::ops::model_json`) as Python values.
#[pyfunction]
pub fn operation_model(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    convert::to_py(py, &hostapi::ops::model_json())
}

/// Every WEDOS operation name.
#[pyfunction]
pub fn wedos_operations() -> Vec<&'static str> {
    wp::Operation::ALL.iter().map(|o| o.name()).collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(velneo_sign, m)?)?;
    m.add_function(wrap_pyfunction!(velneo_build_request, m)?)?;
    m.add_function(wrap_pyfunction!(velneo_parse_response, m)?)?;
    m.add_function(wrap_pyfunction!(velneo_operations, m)?)?;
    m.add_function(wrap_pyfunction!(wedos_prague_hour, m)?)?;
    m.add_function(wrap_pyfunction!(wedos_auth, m)?)?;
    m.add_function(wrap_pyfunction!(wedos_build_request, m)?)?;
    m.add_function(wrap_pyfunction!(wedos_parse_output, m)?)?;
    m.add_function(wrap_pyfunction!(wedos_parse_response, m)?)?;
    m.add_function(wrap_pyfunction!(wedos_parse_notification, m)?)?;
    m.add_function(wrap_pyfunction!(wedos_operations, m)?)?;
    m.add_function(wrap_pyfunction!(operation_model, m)?)?;
    m.add("VELNEO_DEFAULT_BASE_URL", vp::DEFAULT_BASE_URL)?;
    m.add("WEDOS_DEFAULT_BASE_URL", wp::DEFAULT_BASE_URL)?;
    Ok(())
}
