//! Typed access to a request's `params` object: case-insensitive names, strict value types.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::ApiError;

/// The `params` object of one request, keyed by lower-cased parameter name.
pub(crate) struct Params {
    map: HashMap<String, Value>,
}

impl Params {
    /// Builds the case-insensitive view. Two names that differ only in case are an error (403).
    pub(crate) fn new(obj: Map<String, Value>) -> Result<Self, ApiError> {
        let mut map = HashMap::with_capacity(obj.len());
        for (k, v) in obj {
            let lower = k.to_lowercase();
            if map.insert(lower, v).is_some() {
                return Err(ApiError::forbidden(format!("parameter {k} is given more than once")));
            }
        }
        Ok(Params { map })
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(&name.to_lowercase())
    }

    /// An optional string parameter; any other JSON type is a 403.
    pub(crate) fn opt_str(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(ApiError::forbidden(format!("parameter {name} must be a string"))),
        }
    }

    /// An optional string parameter that, when present, must not be empty.
    pub(crate) fn opt_nonempty(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.opt_str(name)? {
            Some("") => Err(ApiError::forbidden(format!("parameter {name} must not be empty"))),
            other => Ok(other),
        }
    }

    /// A required, non-empty string parameter.
    pub(crate) fn req_str(&self, name: &str) -> Result<&str, ApiError> {
        match self.opt_nonempty(name)? {
            Some(s) => Ok(s),
            None => Err(ApiError::missing(name)),
        }
    }

    /// An optional `yes|no` parameter (the JSON strings `"yes"` / `"no"`, nothing else).
    pub(crate) fn opt_yes_no(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if s == "yes" => Ok(Some(true)),
            Some(Value::String(s)) if s == "no" => Ok(Some(false)),
            Some(_) => Err(ApiError::forbidden(format!("parameter {name} must be \"yes\" or \"no\""))),
        }
    }

    /// `byId`: absent = false; a JSON boolean or the integers 1 / 0 (as the documentation allows).
    pub(crate) fn by_id(&self) -> Result<bool, ApiError> {
        match self.get("byId") {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(true),
            Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(false),
            Some(_) => Err(ApiError::forbidden("parameter byId must be true, false, 1 or 0")),
        }
    }

    /// `timestamp`: required; a non-negative JSON integer, or a string of decimal digits.
    pub(crate) fn timestamp(&self) -> Result<u64, ApiError> {
        let bad = || ApiError::forbidden("parameter timestamp must be an integer (Unix seconds, UTC)");
        match self.get("timestamp") {
            None => Err(ApiError::missing("timestamp")),
            Some(Value::Number(n)) => n.as_u64().ok_or_else(bad),
            Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse::<u64>().map_err(|_| bad())
            }
            Some(_) => Err(bad()),
        }
    }

    /// Whether a parameter is present at all (any type).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}
