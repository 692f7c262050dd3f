//! Lenient readers for the JSON objects both APIs answer with: keys matched exactly first, then
//! case-insensitively; numbers that arrive as strings (and strings that arrive as numbers) read either way.

use serde_json::{Map, Value};

pub(crate) type Object = Map<String, Value>;

/// The first of `keys` present in `obj` with a non-null value.
pub(crate) fn field<'a>(obj: &'a Object, keys: &[&str]) -> Option<&'a Value> {
    keys.iter()
        .find_map(|k| obj.get(*k).or_else(|| obj.iter().find(|(kk, _)| kk.eq_ignore_ascii_case(k)).map(|(_, v)| v)))
        .filter(|v| !v.is_null())
}

/// A string or a number, as text.
pub(crate) fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn string(obj: &Object, keys: &[&str]) -> Option<String> {
    field(obj, keys).and_then(scalar_string)
}

pub(crate) fn int(obj: &Object, keys: &[&str]) -> Option<i64> {
    match field(obj, keys)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(crate) fn float(obj: &Object, keys: &[&str]) -> Option<f64> {
    match field(obj, keys)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    }
}

/// `true`/`false`, `1`/`0`, or the strings `true`/`yes`/`1` and `false`/`no`/`0`.
pub(crate) fn boolean(obj: &Object, keys: &[&str]) -> Option<bool> {
    match field(obj, keys)? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|i| i != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Some(true),
            "false" | "no" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}
