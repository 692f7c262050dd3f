//! Conversions between Python objects and the core's JSON values, and the mapping of `hostapi::Error` onto the
//! exception classes of `hostapi.errors`.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

use hostapi::{Error, ErrorKind};

/// The Python exception for a core error: an instance of the `hostapi.errors` class of its kind, carrying
/// operation, message, code, HTTP status, retry-after and body excerpt. Messages never hold a secret (the core
/// guarantees it for its own; ours name arguments, never their values).
pub fn to_pyerr(py: Python<'_>, e: &Error) -> PyErr {
    match build_exception(py, e) {
        Ok(exc) => PyErr::from_value(exc),
        Err(import_failure) => import_failure,
    }
}

fn build_exception<'py>(py: Python<'py>, e: &Error) -> PyResult<Bound<'py, PyAny>> {
    let module = py.import("hostapi.errors")?;
    let class = match e.kind() {
        ErrorKind::Config => "ConfigError",
        ErrorKind::Transport => "TransportError",
        ErrorKind::Timeout => "Timeout",
        ErrorKind::Protocol => "ProtocolError",
        ErrorKind::Authentication => "AuthenticationError",
        ErrorKind::RateLimited => "RateLimited",
        ErrorKind::VServerCredentials => "VServerCredentialsError",
        ErrorKind::Api => "ApiError",
        _ => "Error",
    };
    let kwargs = PyDict::new(py);
    kwargs.set_item("operation", e.operation())?;
    kwargs.set_item("message", e.message())?;
    kwargs.set_item("code", e.code())?;
    kwargs.set_item("http_status", e.http_status())?;
    kwargs.set_item("retry_after", e.retry_after().map(|d| d.as_secs_f64()))?;
    kwargs.set_item("may_have_applied", e.may_have_applied())?;
    kwargs.set_item("body", e.body())?;
    module.getattr(class)?.call((e.to_string(),), Some(&kwargs))
}

/// A `ConfigError` of `operation` raised by the binding itself (bad Python argument types).
pub fn config_error(operation: &str, message: impl Into<String>) -> Error {
    Error::config(operation, message)
}

/// A Python value (the keyword arguments the idiomatic layer collected) as JSON. `what` names the argument in
/// errors; values are never quoted, so a misplaced secret does not leak into a message.
pub fn to_value(obj: &Bound<'_, PyAny>, operation: &str, what: &str) -> Result<Value, Error> {
    to_value_depth(obj, operation, what, 0)
}

fn to_value_depth(obj: &Bound<'_, PyAny>, operation: &str, what: &str, depth: usize) -> Result<Value, Error> {
    if depth > 64 {
        return Err(config_error(operation, format!("{what} is nested too deeply")));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(config_error(operation, format!("{what} is an integer out of the 64-bit range")));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        return Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| config_error(operation, format!("{what} must be a finite number")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s.to_cow().map_err(|_| config_error(operation, format!("{what} is not valid UTF-8 text")))?;
        return Ok(Value::String(s.into_owned()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut m = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = k
                .cast::<PyString>()
                .ok()
                .and_then(|s| s.to_cow().ok().map(|c| c.into_owned()))
                .ok_or_else(|| config_error(operation, format!("the keys of {what} must be strings")))?;
            let item = to_value_depth(&v, operation, &format!("{what}[{key:?}]"), depth + 1)?;
            m.insert(key, item);
        }
        return Ok(Value::Object(m));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, v) in
            obj.try_iter().map_err(|_| config_error(operation, format!("{what} is not iterable")))?.enumerate()
        {
            let v = v.map_err(|_| config_error(operation, format!("{what} cannot be iterated")))?;
            items.push(to_value_depth(&v, operation, &format!("{what}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    let type_name = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
    Err(config_error(
        operation,
        format!("{what} has type {type_name}; expected str, int, float, bool, None, dict or list"),
    ))
}

/// A JSON value as plain Python objects (dict keeps the answer's key order).
pub fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(m) => {
            let dict = PyDict::new(py);
            for (k, item) in m {
                dict.set_item(k, to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// The outcome of a core operation, converted to Python only once the GIL is held: the canonical JSON of the
/// result, or the error raised as its `hostapi.errors` class. Used by sync and async calls alike.
pub enum Outcome {
    Json(Value),
    Failed(Error),
}

impl Outcome {
    pub fn from_result<T: serde::Serialize>(r: Result<T, Error>) -> Outcome {
        match r {
            Ok(v) => match serde_json::to_value(&v) {
                Ok(json) => Outcome::Json(json),
                Err(e) => Outcome::Failed(Error::new(ErrorKind::Protocol, "hostapi", format!("cannot convert: {e}"))),
            },
            Err(e) => Outcome::Failed(e),
        }
    }

    /// A result that is JSON already (the client calls'): moved, not copied through serde.
    pub fn from_json(r: Result<Value, Error>) -> Outcome {
        match r {
            Ok(json) => Outcome::Json(json),
            Err(e) => Outcome::Failed(e),
        }
    }
}

impl<'py> IntoPyObject<'py> for Outcome {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        match self {
            Outcome::Json(v) => to_py(py, &v),
            Outcome::Failed(e) => Err(to_pyerr(py, &e)),
        }
    }
}

/// Turns a core result into a Python result (GIL held).
pub fn raise<T>(py: Python<'_>, r: Result<T, Error>) -> PyResult<T> {
    r.map_err(|e| to_pyerr(py, &e))
}

/// A client that was closed.
pub fn closed(operation: &str) -> Error {
    config_error(operation, "the client is closed")
}
