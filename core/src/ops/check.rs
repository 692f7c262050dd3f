//! Checking JSON arguments and settings against the model: unknown keys, types, required ones. Every front end's
//! arguments pass through here, so the model cannot drift from what the core accepts.

use serde_json::{Map, Value};

use super::{Api, Arg, Check, OpSpec, Type};
use crate::error::{Error, Result};

static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();

/// The arguments object of `args` (`null` is an empty object).
fn object<'a>(label: &str, args: &'a Value, what: &str) -> Result<&'a Map<String, Value>> {
    match args {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(EMPTY.get_or_init(Map::new)),
        _ => Err(Error::config(label, format!("{what} must be a JSON object"))),
    }
}

/// Checks `args` against the arguments of `spec`: every key known, every value of its type, every required one
/// present (`null` counts as absent). `label` names the operation in errors. With `wire_only`, the arguments the
/// client takes for itself ([`Arg::local`]) are unknown. Returns the typed view of the arguments, which fills in
/// the model's defaults: no default is written anywhere but in the model.
pub fn check_args<'a>(spec: &'static OpSpec, label: &str, args: &'a Value, wire_only: bool) -> Result<Args<'a>> {
    let obj = object(label, args, "arguments")?;
    check_object(label, obj, spec.args.iter().filter(move |a| !(wire_only && a.local)), "argument")?;
    Ok(Args { spec, label: label.to_owned(), obj })
}

/// Checked arguments of an operation, read with the model's defaults filled in.
#[derive(Debug)]
pub struct Args<'a> {
    spec: &'static OpSpec,
    label: String,
    obj: &'a Map<String, Value>,
}

impl<'a> Args<'a> {
    /// The operation's entry in the model.
    pub fn spec(&self) -> &'static OpSpec {
        self.spec
    }

    /// The operation's name in errors.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The arguments as given (no defaults).
    pub fn given(&self) -> &'a Map<String, Value> {
        self.obj
    }

    /// The value of `name`: as given (`null` counts as absent), else the model's default.
    pub fn value(&self, name: &str) -> Option<Value> {
        match self.obj.get(name) {
            Some(v) if !v.is_null() => Some(v.clone()),
            _ => self.spec.arg(name)?.default_value(),
        }
    }

    /// A text argument (a number reads as its decimal text).
    pub fn str(&self, name: &str) -> Option<String> {
        match self.value(name)? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A text argument the operation cannot do without.
    pub fn req_str(&self, name: &str) -> Result<String> {
        self.str(name).ok_or_else(|| Error::config(&self.label, format!("missing argument {name:?}")))
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.value(name)?.as_bool()
    }

    /// A whole number (a numeric string reads as its number).
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.value(name)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A whole number the operation cannot do without.
    pub fn req_int(&self, name: &str) -> Result<i64> {
        self.int(name).ok_or_else(|| Error::config(&self.label, format!("{name} must be an integer")))
    }

    /// A whole number that must fit 32 bits unsigned (out of range: a `Config` error naming it).
    pub fn u32(&self, name: &str) -> Result<Option<u32>> {
        match self.int(name) {
            None => Ok(None),
            Some(v) => u32::try_from(v)
                .map(Some)
                .map_err(|_| Error::config(&self.label, format!("{name} {v} is out of range"))),
        }
    }

    /// A list of texts (absent: empty).
    pub fn strs(&self, name: &str) -> Vec<String> {
        match self.value(name) {
            Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        }
    }

    /// A number of seconds.
    pub fn seconds(&self, name: &str) -> Option<std::time::Duration> {
        self.value(name)?.as_f64().map(std::time::Duration::from_secs_f64)
    }

    /// Every argument that has a value (given, else the model's default) in its canonical JSON: text as strings,
    /// whole numbers as numbers. The input of a typed call's deserialisation and of [`wire_data`].
    pub fn canonical(&self) -> Map<String, Value> {
        let mut out = Map::new();
        for arg in self.spec.args {
            let Some(v) = self.value(arg.name) else { continue };
            let v = match (arg.ty, v) {
                (Type::Str | Type::Secret, Value::Number(n)) => Value::String(n.to_string()),
                (Type::Int, Value::String(s)) => s.trim().parse::<i64>().map(Value::from).unwrap_or(Value::String(s)),
                (_, v) => v,
            };
            out.insert(arg.name.to_owned(), v);
        }
        out
    }
}

/// The `data` object of a request of `spec` from its canonical arguments (see [`Args::canonical`]): each argument
/// the request carries, under its wire key, in wire order, once checked against the model's constraints; `None`
/// when it carries none. `label` names the operation in errors.
pub fn wire_data(spec: &OpSpec, label: &str, args: &Map<String, Value>) -> Result<Option<Value>> {
    let mut data = Map::new();
    for arg in spec.wire_args() {
        let Some(v) = args.get(arg.name).filter(|v| !v.is_null()).cloned().or_else(|| arg.default_value()) else {
            continue;
        };
        match arg.check {
            Check::None => {}
            Check::NonEmpty => {
                if v.as_str().is_some_and(|s| s.trim().is_empty()) {
                    return Err(Error::config(label, format!("{} must not be empty", arg.name)));
                }
            }
            Check::Range { min, max, unit } => match v.as_i64() {
                Some(n) if (min..=max).contains(&n) => {}
                Some(n) => {
                    return Err(Error::config(label, format!("{} {n} is outside {min}-{max}{unit}", arg.name)));
                }
                None => return Err(Error::config(label, format!("{} must be an integer", arg.name))),
            },
        }
        let v = match (arg.ty, v) {
            // Queue ids are numerical: sent as a JSON number when they are digits (no leading zero).
            (Type::Id, Value::String(id)) => match id.parse::<u64>() {
                Ok(n) if !id.starts_with('0') || id == "0" => Value::from(n),
                _ => Value::String(id),
            },
            (_, v) => v,
        };
        data.insert(arg.wire_key().to_owned(), v);
    }
    Ok((!data.is_empty()).then_some(Value::Object(data)))
}

impl std::ops::Deref for Args<'_> {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        self.obj
    }
}

/// Checks client settings against the model's settings of `api` (see [`check_args`]).
pub fn check_settings<'a>(api: Api, label: &str, options: &'a Value) -> Result<&'a Map<String, Value>> {
    let obj = object(label, options, "the options")?;
    check_object(label, obj, api.settings(), "setting")?;
    Ok(obj)
}

fn check_object<'m>(
    label: &str,
    obj: &Map<String, Value>,
    known: impl Iterator<Item = &'m Arg> + Clone,
    what: &str,
) -> Result<()> {
    // A setting's error says which setting it is about (the command names its flag).
    let about = |key: &str, e: Error| {
        if what == "setting" {
            e.with_detail(crate::error::Detail::InvalidSetting(key.to_owned()))
        } else {
            e
        }
    };
    for (key, value) in obj {
        let Some(arg) = known.clone().find(|a| a.name == key) else {
            let names: Vec<&str> = known.clone().map(|a| a.name).collect();
            let expected = if names.is_empty() {
                "it takes none".to_owned()
            } else {
                format!("expected one of: {}", names.join(", "))
            };
            return Err(about(key, Error::config(label, format!("unknown {what} {key:?}; {expected}"))));
        };
        if !value.is_null() {
            check_value(label, arg.name, arg.ty, value).map_err(|e| about(key, e))?;
        }
    }
    for arg in known.filter(|a| a.required) {
        if obj.get(arg.name).is_none_or(Value::is_null) {
            return Err(Error::config(label, format!("missing argument {:?}", arg.name)));
        }
    }
    Ok(())
}

fn check_value(label: &str, name: &str, ty: Type, v: &Value) -> Result<()> {
    let fail = |what: &str| Err(Error::config(label, format!("{name} must be {what}")));
    match ty {
        // Strict: a number where text is meant (`groups.get(5)`) is a mistake to report before anything is sent.
        Type::Str | Type::Secret => match v {
            Value::String(_) => Ok(()),
            _ => fail("a string"),
        },
        Type::Bool => match v {
            Value::Bool(_) => Ok(()),
            _ => fail("true or false"),
        },
        Type::Int => match v {
            Value::Number(n) if n.as_i64().is_some() => Ok(()),
            _ => fail("an integer"),
        },
        Type::Count => match v.as_u64() {
            Some(n) if n <= u64::from(u32::MAX) => Ok(()),
            _ => fail("a non-negative integer"),
        },
        Type::Seconds => match v.as_f64() {
            Some(s) if v.is_number() && s.is_finite() && (0.0..=1e9).contains(&s) => Ok(()),
            _ => fail("a finite, non-negative number of seconds"),
        },
        Type::Path => match v {
            Value::String(s) if !s.is_empty() => Ok(()),
            _ => fail("a path"),
        },
        Type::Object => match v {
            Value::Object(_) => Ok(()),
            _ => fail("a JSON object"),
        },
        Type::Enum(values) => match v.as_str() {
            Some(s) if values.contains(&s) => Ok(()),
            _ => fail(&format!("one of {}", quoted(values))),
        },
        Type::Pair(inner) => match v {
            Value::Array(items) if items.len() == 2 => {
                items.iter().try_for_each(|item| check_value(label, name, *inner, item))
            }
            _ => fail("a pair of two values"),
        },
        Type::List(inner) => match v {
            Value::Array(items) => items.iter().try_for_each(|item| check_value(label, name, *inner, item)),
            _ => fail("a list"),
        },
        Type::Inheritance => match v {
            Value::String(_) => Ok(()),
            Value::Object(m) if m.values().all(|x| x.is_string() || x.is_number()) => Ok(()),
            _ => fail("a string \"proj=inst,…\" or an object {\"proj\": \"inst\", …}"),
        },
        Type::RecordOr { record, field } => match v {
            Value::String(_) => Ok(()),
            Value::Object(m) if m.get(field).is_some_and(Value::is_string) => Ok(()),
            _ => fail(&format!("a {record} or its {field}")),
        },
        Type::Id => match v {
            Value::String(_) => Ok(()),
            Value::Number(n) if n.is_u64() => Ok(()),
            _ => fail("a string or a non-negative integer"),
        },
    }
}

fn quoted(values: &[&str]) -> String {
    values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ")
}

/// A checked argument as text (strings as given, numbers as their decimal text).
pub(crate) fn text(obj: &Map<String, Value>, name: &str) -> Option<String> {
    match obj.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
