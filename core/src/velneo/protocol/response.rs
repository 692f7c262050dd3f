//! Reading answers: the typed result of each operation, or the error the answer means.

use serde::Serialize;
use serde_json::{Map, Value};

use super::call::Operation;
use super::INVALID_CREDENTIALS_ERROR;
use crate::error::{Error, ErrorKind, Result};
use crate::json::{boolean as bool_of, field, int as int_of, scalar_string, string as str_of};
use crate::velneo::records::*;

/// The typed result of an operation. Its JSON form (`serde_json::to_value`) is the canonical one of the test
/// vectors and the C surface.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Output {
    Session(Session),
    Ack(Ack),
    InstanceCreated(InstanceCreated),
    VServerStatus(VServerStatus),
    Backup(Backup),
    Group(Group),
    Groups(Vec<Group>),
    User(User),
    Users(Vec<User>),
    Folder(Folder),
    Folders(Vec<Folder>),
    AppInstance(AppInstance),
    AppInstances(Vec<AppInstance>),
    DataInstance(DataInstance),
    DataInstances(Vec<DataInstance>),
}

/// Reads the answer to `op`: the typed result, or the [`Error`] the answer means.
pub fn parse_response(op: Operation, http_status: u16, body: &[u8]) -> Result<Output> {
    let label = op.label();
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => {
            let message = if body.iter().all(|b| b.is_ascii_whitespace()) {
                "the server answered with an empty body".to_owned()
            } else {
                format!("the server answered with a body that is not JSON: {}", crate::error::excerpt(body, 80))
            };
            return Err(Error::protocol(label, message, http_status, body));
        }
    };
    check_error(&label, http_status, &value)?;
    // A login answer may hold a session id: its errors keep no excerpt of the body.
    let shape = |what: &str| {
        let e = Error::protocol(&label, format!("unexpected answer: {what}"), http_status, body);
        if op == Operation::Login {
            Error::new(ErrorKind::Protocol, &label, format!("unexpected answer: {what}")).with_http_status(http_status)
        } else {
            e
        }
    };
    use Operation::*;
    Ok(match op {
        Login => {
            let obj = value.as_object().ok_or_else(|| shape("not an object"))?;
            let session = str_of(obj, &["session"]).ok_or_else(|| shape("no session id"))?;
            Output::Session(Session { session })
        }
        Logout | VServerStart | VServerStop | VServerCredentials | GroupPut | GroupDelete | UserPut | UserDelete
        | FolderPut | FolderDelete | AppInstanceDelete | DataInstanceDelete => {
            let obj = value.as_object().ok_or_else(|| shape("not an object"))?;
            Output::Ack(Ack { status_code: status_code(obj).unwrap_or(200), message: str_of(obj, &["message"]) })
        }
        AppInstancePut | DataInstancePut => {
            let obj = value.as_object().ok_or_else(|| shape("not an object"))?;
            Output::InstanceCreated(InstanceCreated {
                status_code: status_code(obj).unwrap_or(200),
                message: str_of(obj, &["message"]),
                id: field(obj, &["id_instancia"]).and_then(scalar_string),
            })
        }
        VServerStatus => {
            let Value::Object(obj) = value else { return Err(shape("not an object")) };
            // The documented fields are text: a number or a list where text belongs is not this answer.
            let text = |key: &str| strict_text(&obj, key).map_err(|what| shape(&what));
            let status = text("status")?.filter(|s| !s.is_empty()).ok_or_else(|| shape("no vServer status"))?;
            let (vrl, version) = (text("vrl")?, text("version")?);
            // The answer as it came, moved in (not copied).
            Output::VServerStatus(crate::velneo::records::VServerStatus { status, vrl, version, raw: obj })
        }
        VServerBackup => {
            let obj = value.as_object().ok_or_else(|| shape("not an object"))?;
            let url = strict_text(obj, "url").map_err(|what| shape(&what))?;
            Output::Backup(Backup { url: url.filter(|u| !u.is_empty()).ok_or_else(|| shape("no backup url"))? })
        }
        GroupGet => Output::Group(group(&value).ok_or_else(|| shape("not a group record"))?),
        GroupList => Output::Groups(list(&value, "groups", group).ok_or_else(|| shape("not a list of groups"))?),
        UserGet => Output::User(user(&value).ok_or_else(|| shape("not a user record"))?),
        UserList => Output::Users(list(&value, "users", user).ok_or_else(|| shape("not a list of users"))?),
        FolderGet => Output::Folder(folder(&value).ok_or_else(|| shape("not a folder record"))?),
        FolderList => Output::Folders(list(&value, "folders", folder).ok_or_else(|| shape("not a list of folders"))?),
        AppInstanceGet => Output::AppInstance(app_instance(&value).ok_or_else(|| shape("not an app instance record"))?),
        AppInstanceList => Output::AppInstances(
            list(&value, "AppInstances", app_instance).ok_or_else(|| shape("not a list of app instances"))?,
        ),
        DataInstanceGet => {
            Output::DataInstance(data_instance(&value).ok_or_else(|| shape("not a data instance record"))?)
        }
        DataInstanceList => Output::DataInstances(
            list(&value, "dataInstances", data_instance).ok_or_else(|| shape("not a list of data instances"))?,
        ),
    })
}

/// The error an answer reports, if any (see the spec's Decision on what counts as an error).
fn check_error(label: &str, http_status: u16, value: &Value) -> Result<()> {
    let Some(obj) = value.as_object() else {
        if (200..300).contains(&http_status) {
            return Ok(());
        }
        return Err(http_error(label, http_status, None));
    };
    if let Some(err) = field(obj, &["error"]) {
        let text = match err {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let (kind, message) = if text.trim().eq_ignore_ascii_case(INVALID_CREDENTIALS_ERROR) {
            (
                ErrorKind::VServerCredentials,
                format!(
                    "{}: the vServer refused the supervisor credentials stored with vserver.credentials (not the API \
                     key); store the right ones with vserver.credentials",
                    text.trim()
                ),
            )
        } else {
            (ErrorKind::Api, describe(&text, "the API reported an error"))
        };
        let mut e = Error::new(kind, label, message);
        if let Some(code) = status_code(obj) {
            e = e.with_code(code);
        }
        if !(200..300).contains(&http_status) {
            e = e.with_http_status(http_status);
        }
        return Err(e);
    }
    let message = str_of(obj, &["message"]);
    // A `status_code` that is there but no number is not an answer of this API: not a success either.
    if field(obj, &["status_code"]).is_some_and(|v| !v.is_null()) && status_code(obj).is_none() {
        // No excerpt: this may be a login answer, which holds a session id.
        return Err(Error::new(ErrorKind::Protocol, label, "unexpected answer: status_code is not a number")
            .with_http_status(http_status));
    }
    match status_code(obj) {
        Some(200) | None => {}
        Some(code) => {
            let kind = if code == 401 { ErrorKind::Authentication } else { ErrorKind::Api };
            let fallback = if code == 401 { "authentication failed" } else { "the API reported an error" };
            let mut text = describe(message.as_deref().unwrap_or(""), fallback);
            if code == 401 {
                text.push_str(AUTH_HINT);
            }
            let mut e = Error::new(kind, label, text).with_code(code);
            if !(200..300).contains(&http_status) {
                e = e.with_http_status(http_status);
            }
            return Err(e);
        }
    }
    if !(200..300).contains(&http_status) {
        return Err(http_error(label, http_status, message));
    }
    Ok(())
}

/// What an authentication failure asks the user to check (the signature is made from the API key).
const AUTH_HINT: &str = " (check the account's e-mail and API key)";

fn http_error(label: &str, http_status: u16, message: Option<String>) -> Error {
    let kind = if http_status == 401 { ErrorKind::Authentication } else { ErrorKind::Api };
    let mut text = message.unwrap_or_else(|| format!("the server answered HTTP {http_status}"));
    if http_status == 401 {
        text.push_str(AUTH_HINT);
    }
    Error::new(kind, label, text).with_http_status(http_status)
}

fn describe(text: &str, fallback: &str) -> String {
    let t = text.trim();
    if t.is_empty() {
        fallback.to_owned()
    } else {
        t.to_owned()
    }
}

// ---- reading records ----------------------------------------------------------------------------------------

/// A documented text field: absent or null is `None`, a string is its text, anything else is the description of
/// the wrong type (a protocol error).
fn strict_text(obj: &Map<String, Value>, key: &str) -> std::result::Result<Option<String>, String> {
    match field(obj, &[key]) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => {
            let kind = match other {
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::Array(_) => "a list",
                _ => "an object",
            };
            Err(format!("{key} is {kind}, not text"))
        }
    }
}

fn status_code(obj: &Map<String, Value>) -> Option<i64> {
    int_of(obj, &["status_code"])
}

fn group(v: &Value) -> Option<Group> {
    let o = v.as_object()?;
    Some(Group {
        name: str_of(o, &["Name", "nombre"])?,
        code: int_of(o, &["codigo"]),
        can_delete_sites: bool_of(o, &["puedeBorrarSitios"]),
        can_create_sites: bool_of(o, &["puedeCrearSitios"]),
        can_run_with_data_client: bool_of(o, &["puedeEjecutarConDataClient"]),
        raw: o.clone(),
    })
}

fn user(v: &Value) -> Option<User> {
    let o = v.as_object()?;
    let groups = match field(o, &["grupos"]) {
        Some(Value::Array(items)) => Some(items.iter().filter_map(scalar_string).collect()),
        _ => None,
    };
    Some(User {
        name: str_of(o, &["Name", "nombre"])?,
        full_name: str_of(o, &["FullName"]),
        email: str_of(o, &["Email"]),
        code: int_of(o, &["codigo"]),
        locked: bool_of(o, &["bloqueado"]),
        disabled: bool_of(o, &["desactivado"]),
        must_change_password: bool_of(o, &["debeCambiarPassword"]),
        password_never_expires: bool_of(o, &["passwordNuncaCaduca"]),
        is_supervisor: bool_of(o, &["esSupervisor"]),
        groups,
        notes: str_of(o, &["observaciones"]),
        raw: o.clone(),
    })
}

fn folder(v: &Value) -> Option<Folder> {
    let o = v.as_object()?;
    Some(Folder { name: str_of(o, &["nombre", "Name"])?, path: str_of(o, &["path", "ruta"]), raw: o.clone() })
}

fn app_instance(v: &Value) -> Option<AppInstance> {
    let o = v.as_object()?;
    Some(AppInstance {
        name: str_of(o, &["nombre", "Name"])?,
        project: str_of(o, &["proyecto"]),
        solution: str_of(o, &["solucion"]),
        raw: o.clone(),
    })
}

fn data_instance(v: &Value) -> Option<DataInstance> {
    let o = v.as_object()?;
    Some(DataInstance {
        name: str_of(o, &["nombre", "Name"])?,
        project: str_of(o, &["proyecto"]),
        solution: str_of(o, &["solucion"]),
        path: str_of(o, &["ruta"]),
        raw: o.clone(),
    })
}

/// A list answer: `{"<key>": [...]}` as documented, or a bare array.
fn list<T>(v: &Value, key: &str, item: fn(&Value) -> Option<T>) -> Option<Vec<T>> {
    let items = match v {
        Value::Array(a) => a,
        Value::Object(o) => field(o, &[key])?.as_array()?,
        _ => return None,
    };
    items.iter().map(item).collect()
}
