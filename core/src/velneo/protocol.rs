//! Velneo Cloud API protocol, sans-I/O: build the exact request of an operation, parse its answer.
//!
//! Nothing here performs I/O or reads the clock: the timestamp is an argument. A user with their own HTTP stack
//! calls [`build_request`], sends the [`HttpRequest`] it returns, and hands the status and body to
//! [`parse_response`].

use serde::Serialize;
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

use super::records::*;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{form_encode, HttpRequest, FORM_CONTENT_TYPE};
use crate::json::{boolean as bool_of, field, int as int_of, scalar_string, string as str_of};
use crate::secret::Secret;

/// The production base URL (version included).
pub const DEFAULT_BASE_URL: &str = "https://cloudapi.velneo.com/v1";

/// The `error` text with which the API reports wrong vServer credentials.
pub const INVALID_CREDENTIALS_ERROR: &str = "Invalid user/password";

/// `signed = sha1(subject + timestamp + api_key)`, lowercase hex. `subject` is the e-mail for the login call and
/// the session id for every other call; `timestamp` enters as its decimal digits.
pub fn sign(subject: &str, timestamp: u64, api_key: &str) -> String {
    let mut h = Sha1::new();
    h.update(subject.as_bytes());
    h.update(timestamp.to_string().as_bytes());
    h.update(api_key.as_bytes());
    hex::encode(h.finalize())
}

/// The `method` form field: which operation of a resource is meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verb {
    Post,
    Get,
    Put,
    Delete,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Post => "POST",
            Verb::Get => "GET",
            Verb::Put => "PUT",
            Verb::Delete => "DELETE",
        }
    }
}

macro_rules! operations {
    ($($variant:ident => $name:literal, $resource:literal, $verb:ident;)*) => {
        /// Every operation of the API, without its arguments.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Operation { $($variant,)* }

        impl Operation {
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)*];

            /// The canonical name, e.g. `users.put` (used by vectors, bindings and the command line).
            pub fn name(self) -> &'static str {
                match self { $(Operation::$variant => $name,)* }
            }

            /// The path under the base URL.
            pub fn resource(self) -> &'static str {
                match self { $(Operation::$variant => $resource,)* }
            }

            pub fn verb(self) -> Verb {
                match self { $(Operation::$variant => Verb::$verb,)* }
            }

            pub fn from_name(name: &str) -> Option<Operation> {
                match name { $($name => Some(Operation::$variant),)* _ => None }
            }
        }
    };
}

operations! {
    Login => "session.login", "session", Post;
    Logout => "session.logout", "session", Delete;
    VServerStatus => "vserver.status", "vserver", Get;
    VServerStart => "vserver.start", "vserver", Put;
    VServerStop => "vserver.stop", "vserver", Put;
    VServerCredentials => "vserver.credentials", "vserver", Put;
    VServerBackup => "vserver.backup", "vserver", Get;
    GroupPut => "groups.put", "group", Put;
    GroupGet => "groups.get", "group", Get;
    GroupList => "groups.list", "groups", Get;
    GroupDelete => "groups.delete", "group", Delete;
    UserPut => "users.put", "user", Put;
    UserGet => "users.get", "user", Get;
    UserList => "users.list", "users", Get;
    UserDelete => "users.delete", "user", Delete;
    FolderPut => "folders.put", "folder", Put;
    FolderGet => "folders.get", "folder", Get;
    FolderList => "folders.list", "folders", Get;
    FolderDelete => "folders.delete", "folder", Delete;
    AppInstancePut => "app_instances.put", "instance", Put;
    AppInstanceGet => "app_instances.get", "instance", Get;
    AppInstanceList => "app_instances.list", "instances", Get;
    AppInstanceDelete => "app_instances.delete", "instance", Delete;
    DataInstancePut => "data_instances.put", "instance", Put;
    DataInstanceGet => "data_instances.get", "instance", Get;
    DataInstanceList => "data_instances.list", "instances", Get;
    DataInstanceDelete => "data_instances.delete", "instance", Delete;
}

impl Operation {
    /// The operation's entry in the operation model.
    pub fn spec(self) -> &'static crate::ops::OpSpec {
        crate::ops::Api::Velneo.op(self.name()).expect("every Velneo operation is in the operation model")
    }

    /// The name errors carry: `velneo users.put`.
    pub fn label(self) -> String {
        format!("velneo {}", self.name())
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One operation with its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    Login,
    Logout,
    VServerStatus,
    VServerStart,
    VServerStop,
    /// Store the supervisor credentials the API uses to administer the vServer (not checked by this call).
    VServerCredentials {
        username: String,
        password: Secret,
    },
    VServerBackup,
    GroupPut(GroupSpec),
    GroupGet(String),
    GroupList,
    GroupDelete(String),
    UserPut(UserSpec),
    UserGet(String),
    UserList(UserFilter),
    UserDelete(String),
    FolderPut(FolderSpec),
    FolderGet(String),
    FolderList,
    FolderDelete(String),
    InstancePut(InstanceKind, InstanceSpec),
    InstanceGet(InstanceKind, InstanceKey),
    InstanceList(InstanceKind),
    InstanceDelete(InstanceKind, InstanceKey),
}

impl Call {
    pub fn operation(&self) -> Operation {
        use InstanceKind::*;
        match self {
            Call::Login => Operation::Login,
            Call::Logout => Operation::Logout,
            Call::VServerStatus => Operation::VServerStatus,
            Call::VServerStart => Operation::VServerStart,
            Call::VServerStop => Operation::VServerStop,
            Call::VServerCredentials { .. } => Operation::VServerCredentials,
            Call::VServerBackup => Operation::VServerBackup,
            Call::GroupPut(_) => Operation::GroupPut,
            Call::GroupGet(_) => Operation::GroupGet,
            Call::GroupList => Operation::GroupList,
            Call::GroupDelete(_) => Operation::GroupDelete,
            Call::UserPut(_) => Operation::UserPut,
            Call::UserGet(_) => Operation::UserGet,
            Call::UserList(_) => Operation::UserList,
            Call::UserDelete(_) => Operation::UserDelete,
            Call::FolderPut(_) => Operation::FolderPut,
            Call::FolderGet(_) => Operation::FolderGet,
            Call::FolderList => Operation::FolderList,
            Call::FolderDelete(_) => Operation::FolderDelete,
            Call::InstancePut(App, _) => Operation::AppInstancePut,
            Call::InstancePut(Data, _) => Operation::DataInstancePut,
            Call::InstanceGet(App, _) => Operation::AppInstanceGet,
            Call::InstanceGet(Data, _) => Operation::DataInstanceGet,
            Call::InstanceList(App) => Operation::AppInstanceList,
            Call::InstanceList(Data) => Operation::DataInstanceList,
            Call::InstanceDelete(App, _) => Operation::AppInstanceDelete,
            Call::InstanceDelete(Data, _) => Operation::DataInstanceDelete,
        }
    }

    /// The operation's own parameters, in the spec's order, optional ones only when set. Checks the arguments
    /// first: an invalid one is a [`ErrorKind::Config`] error and nothing is built.
    pub fn parameters(&self) -> Result<Map<String, Value>> {
        let op = self.operation();
        let mut p = Params { op, map: Map::new() };
        match self {
            Call::Login | Call::Logout | Call::VServerStatus | Call::GroupList | Call::FolderList => {}
            Call::VServerStart => p.str("action", "start"),
            Call::VServerStop => p.str("action", "stop"),
            Call::VServerBackup => p.str("action", "backup"),
            Call::VServerCredentials { username, password } => {
                p.required("username", username)?;
                p.required("password", password.expose())?;
            }
            Call::GroupPut(g) => {
                p.required("name", &g.name)?;
                p.yes_no("manageSolutions", g.manage_solutions);
                p.optional("addSolution", &g.add_solution)?;
                p.optional("addAppInstance", &g.add_app_instance)?;
            }
            Call::GroupGet(name) | Call::GroupDelete(name) => p.required("name", name)?,
            Call::UserPut(u) => {
                p.required("username", &u.username)?;
                p.optional("useremail", &u.email)?;
                if let Some(pw) = &u.password {
                    p.required("password", pw.expose())?;
                }
                p.optional("fullname", &u.full_name)?;
                p.optional("group", &u.group)?;
                p.optional("delGroup", &u.del_group)?;
                p.yes_no("isSupervisor", u.is_supervisor);
                p.yes_no("accountDisabled", u.account_disabled);
                p.yes_no("mustChangePassword", u.must_change_password);
                p.yes_no("passwordNeverExpires", u.password_never_expires);
            }
            Call::UserGet(name) | Call::UserDelete(name) => p.required("username", name)?,
            Call::UserList(filter) => match filter {
                UserFilter::All => p.str("groupname", "-all"),
                UserFilter::Group(g) => p.required("groupname", g)?,
            },
            Call::FolderPut(f) => {
                p.required("name", &f.name)?;
                if let Some(path) = &f.path {
                    check_folder_path(op, path)?;
                    p.str("path", path);
                }
                p.required("group", &f.group)?;
            }
            Call::FolderGet(name) | Call::FolderDelete(name) => p.required("name", name)?,
            Call::InstancePut(kind, spec) => {
                p.required("name", &spec.name)?;
                if *kind == InstanceKind::App && spec.by_id {
                    return Err(Error::config(
                        op.label(),
                        "by_id is not a parameter of app_instances.put (app instances are added by name)",
                    ));
                }
                if spec.by_id {
                    p.map.insert("byId".into(), Value::Bool(true));
                }
                p.required("project", &spec.project)?;
                p.required("solution", &spec.solution)?;
                p.required("folderShared", &spec.folder_shared)?;
                if spec.folder_shared.split('/').any(|seg| seg == "..") {
                    return Err(Error::config(op.label(), "folder_shared must not contain '..'"));
                }
                if let Some(inh) = &spec.inheritance {
                    check_inheritance(op, inh)?;
                }
                // The spec lists `inheritance` before `type` for app instances and after it for data instances.
                match kind {
                    InstanceKind::App => {
                        p.optional("inheritance", &spec.inheritance)?;
                        p.str("type", kind.wire());
                    }
                    InstanceKind::Data => {
                        p.str("type", kind.wire());
                        p.optional("inheritance", &spec.inheritance)?;
                    }
                }
            }
            Call::InstanceGet(kind, key) | Call::InstanceDelete(kind, key) => {
                match key {
                    InstanceKey::Name(name) => p.required("name", name)?,
                    InstanceKey::Id(id) => {
                        p.required("name", id)?;
                        p.map.insert("byId".into(), Value::Bool(true));
                    }
                }
                p.str("type", kind.wire());
            }
            Call::InstanceList(kind) => p.str("type", kind.wire()),
        }
        Ok(p.map)
    }

    /// Builds a call from its canonical operation name and snake_case JSON arguments (the form the test vectors,
    /// the C surface and the command line use; see `tests/vectors/README.md`).
    pub fn from_json(operation: &str, args: &Value) -> Result<Call> {
        let Some(op) = Operation::from_name(operation) else {
            let message = match crate::ops::Api::Velneo.op(operation) {
                Some(_) => format!("{operation} is not a single request: run it with Client::call_json"),
                None => format!("unknown operation {operation:?}"),
            };
            return Err(Error::config("velneo", message));
        };
        let obj = crate::ops::check_args(op.spec(), &op.label(), args, true)?;
        let a = Args { op, obj };
        use InstanceKind::*;
        let call = match op {
            Operation::Login => Call::Login,
            Operation::Logout => Call::Logout,
            Operation::VServerStatus => Call::VServerStatus,
            Operation::VServerStart => Call::VServerStart,
            Operation::VServerStop => Call::VServerStop,
            Operation::VServerBackup => Call::VServerBackup,
            Operation::VServerCredentials => Call::VServerCredentials {
                username: a.req_str("username")?,
                password: Secret::new(a.req_str("password")?),
            },
            Operation::GroupPut => Call::GroupPut(GroupSpec {
                name: a.req_str("name")?,
                manage_solutions: a.opt_bool("manage_solutions")?,
                add_solution: a.opt_str("add_solution")?,
                add_app_instance: a.opt_str("add_app_instance")?,
            }),
            Operation::GroupGet => Call::GroupGet(a.req_str("name")?),
            Operation::GroupList => Call::GroupList,
            Operation::GroupDelete => Call::GroupDelete(a.req_str("name")?),
            Operation::UserPut => Call::UserPut(UserSpec {
                username: a.req_str("username")?,
                email: a.opt_str("email")?,
                password: a.opt_str("password")?.map(Secret::new),
                full_name: a.opt_str("full_name")?,
                group: a.opt_str("group")?,
                del_group: a.opt_str("del_group")?,
                is_supervisor: a.opt_bool("is_supervisor")?,
                account_disabled: a.opt_bool("account_disabled")?,
                must_change_password: a.opt_bool("must_change_password")?,
                password_never_expires: a.opt_bool("password_never_expires")?,
            }),
            Operation::UserGet => Call::UserGet(a.req_str("username")?),
            Operation::UserList => {
                Call::UserList(a.opt_str("group")?.map(UserFilter::Group).unwrap_or(UserFilter::All))
            }
            Operation::UserDelete => Call::UserDelete(a.req_str("username")?),
            Operation::FolderPut => Call::FolderPut(FolderSpec {
                name: a.req_str("name")?,
                path: a.opt_str("path")?,
                group: a.req_str("group")?,
            }),
            Operation::FolderGet => Call::FolderGet(a.req_str("name")?),
            Operation::FolderList => Call::FolderList,
            Operation::FolderDelete => Call::FolderDelete(a.req_str("name")?),
            Operation::AppInstancePut => Call::InstancePut(App, a.instance_spec()?),
            Operation::DataInstancePut => Call::InstancePut(Data, a.instance_spec()?),
            Operation::AppInstanceGet => Call::InstanceGet(App, a.instance_key()?),
            Operation::DataInstanceGet => Call::InstanceGet(Data, a.instance_key()?),
            Operation::AppInstanceList => Call::InstanceList(App),
            Operation::DataInstanceList => Call::InstanceList(Data),
            Operation::AppInstanceDelete => Call::InstanceDelete(App, a.instance_key()?),
            Operation::DataInstanceDelete => Call::InstanceDelete(Data, a.instance_key()?),
        };
        Ok(call)
    }
}

/// Who signs a request: the account e-mail (login only) or the live session.
#[derive(Clone, Copy, Debug)]
pub enum Auth<'a> {
    Email(&'a str),
    Session(&'a str),
}

/// Wire options that do not change what a request means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WireOptions {
    /// Send the operation's verb as the HTTP method (`GET`, `PUT`, `DELETE`) instead of `POST`. The form body is
    /// the same either way. Off by default: the documented form is `POST` with the `method` field.
    pub http_verbs: bool,
}

/// The exact `params` JSON text of a call: mandatory fields first (`email` or `session`, `timestamp`,
/// `signed`), then the operation's parameters.
pub fn params_json(call: &Call, auth: Auth<'_>, timestamp: u64, api_key: &str) -> Result<String> {
    let op = call.operation();
    let (key, subject) = match (op, auth) {
        (Operation::Login, Auth::Email(e)) => ("email", e),
        (Operation::Login, Auth::Session(_)) => {
            return Err(Error::config(op.label(), "the login call is signed with the e-mail, not a session"))
        }
        (_, Auth::Session(s)) => ("session", s),
        (_, Auth::Email(_)) => {
            return Err(Error::config(op.label(), "this call is signed with a session, not the e-mail"))
        }
    };
    if subject.is_empty() {
        return Err(Error::config(op.label(), format!("{key} must not be empty")));
    }
    let params = call.parameters()?;
    let mut m = Map::with_capacity(params.len() + 3);
    m.insert(key.into(), Value::String(subject.to_owned()));
    m.insert("timestamp".into(), Value::from(timestamp));
    m.insert("signed".into(), Value::String(sign(subject, timestamp, api_key)));
    m.extend(params);
    Ok(Value::Object(m).to_string())
}

/// Builds the exact HTTP request of `call`. `base_url` is the API root with its version
/// (`https://cloudapi.velneo.com/v1`); `timestamp` is the current UTC time in Unix seconds.
pub fn build_request(
    base_url: &str,
    call: &Call,
    auth: Auth<'_>,
    timestamp: u64,
    api_key: &str,
    options: WireOptions,
) -> Result<HttpRequest> {
    let op = call.operation();
    let params = params_json(call, auth, timestamp, api_key)?;
    let verb = op.verb().as_str();
    Ok(HttpRequest {
        method: if options.http_verbs { verb } else { "POST" }.to_owned(),
        url: format!("{}/{}", base_url.trim_end_matches('/'), op.resource()),
        headers: vec![("Accept".into(), "application/json".into()), ("Content-Type".into(), FORM_CONTENT_TYPE.into())],
        body: form_encode([("method", verb), ("params", params.as_str())]),
    })
}

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
    let shape = |what: &str| Error::protocol(&label, format!("unexpected answer: {what}"), http_status, body);
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
            let obj = value.as_object().ok_or_else(|| shape("not an object"))?;
            Output::VServerStatus(super::records::VServerStatus {
                status: str_of(obj, &["status"]).ok_or_else(|| shape("no vServer status"))?,
                vrl: str_of(obj, &["vrl"]),
                version: str_of(obj, &["version"]),
                raw: obj.clone(),
            })
        }
        VServerBackup => {
            let obj = value.as_object().ok_or_else(|| shape("not an object"))?;
            Output::Backup(Backup { url: str_of(obj, &["url"]).ok_or_else(|| shape("no backup url"))? })
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
        let kind = if text.trim().eq_ignore_ascii_case(INVALID_CREDENTIALS_ERROR) {
            ErrorKind::VServerCredentials
        } else {
            ErrorKind::Api
        };
        let mut e = Error::new(kind, label, describe(&text, "the API reported an error"));
        if let Some(code) = status_code(obj) {
            e = e.with_code(code);
        }
        if !(200..300).contains(&http_status) {
            e = e.with_http_status(http_status);
        }
        return Err(e);
    }
    let message = str_of(obj, &["message"]);
    match status_code(obj) {
        Some(200) | None => {}
        Some(code) => {
            let kind = if code == 401 { ErrorKind::Authentication } else { ErrorKind::Api };
            let fallback = if code == 401 { "authentication failed" } else { "the API reported an error" };
            let mut e = Error::new(kind, label, describe(message.as_deref().unwrap_or(""), fallback)).with_code(code);
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

fn http_error(label: &str, http_status: u16, message: Option<String>) -> Error {
    let kind = if http_status == 401 { ErrorKind::Authentication } else { ErrorKind::Api };
    let text = message.unwrap_or_else(|| format!("the server answered HTTP {http_status}"));
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

// ---- building parameters ------------------------------------------------------------------------------------

struct Params {
    op: Operation,
    map: Map<String, Value>,
}

impl Params {
    fn str(&mut self, key: &str, value: &str) {
        self.map.insert(key.into(), Value::String(value.to_owned()));
    }

    fn required(&mut self, key: &str, value: &str) -> Result<()> {
        if value.trim().is_empty() {
            return Err(Error::config(self.op.label(), format!("{key} must not be empty")));
        }
        self.str(key, value);
        Ok(())
    }

    fn optional(&mut self, key: &str, value: &Option<String>) -> Result<()> {
        match value {
            Some(v) => self.required(key, v),
            None => Ok(()),
        }
    }

    fn yes_no(&mut self, key: &str, value: Option<bool>) {
        if let Some(b) = value {
            self.str(key, if b { "yes" } else { "no" });
        }
    }
}

fn check_folder_path(op: Operation, path: &str) -> Result<()> {
    if path.starts_with('/') || path.contains('\\') || path.split('/').any(|seg| seg == ".." || seg == ".") {
        return Err(Error::config(
            op.label(),
            format!("{path:?} is not a relative path with '/' separators (no leading '/', '\\', '.' or '..')"),
        ));
    }
    Ok(())
}

/// `idProject1=codInstance1,idProject2=codInstance2,…`.
fn check_inheritance(op: Operation, inheritance: &str) -> Result<()> {
    let ok = !inheritance.is_empty()
        && inheritance.split(',').all(|pair| match pair.split_once('=') {
            Some((project, code)) => !project.trim().is_empty() && !code.trim().is_empty() && !code.contains('='),
            None => false,
        });
    if ok {
        Ok(())
    } else {
        Err(Error::config(
            op.label(),
            format!("inheritance {inheritance:?} is not of the form projectId=instanceCode[,projectId=instanceCode…]"),
        ))
    }
}

struct Args<'a> {
    op: Operation,
    obj: &'a Map<String, Value>,
}

impl Args<'_> {
    fn opt_str(&self, key: &str) -> Result<Option<String>> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(Error::config(self.op.label(), format!("{key} must be a string"))),
        }
    }

    fn req_str(&self, key: &str) -> Result<String> {
        self.opt_str(key)?.ok_or_else(|| Error::config(self.op.label(), format!("missing argument {key:?}")))
    }

    fn opt_bool(&self, key: &str) -> Result<Option<bool>> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Error::config(self.op.label(), format!("{key} must be true or false"))),
        }
    }

    fn instance_spec(&self) -> Result<InstanceSpec> {
        Ok(InstanceSpec {
            name: self.req_str("name")?,
            by_id: self.opt_bool("by_id")?.unwrap_or(false),
            project: self.req_str("project")?,
            solution: self.req_str("solution")?,
            folder_shared: self.req_str("folder_shared")?,
            inheritance: self.inheritance()?,
        })
    }

    /// `inheritance` as text: a string as given, or an object `{"proj": "inst", …}` joined as `proj=inst,…`.
    fn inheritance(&self) -> Result<Option<String>> {
        match self.obj.get("inheritance") {
            Some(Value::Object(m)) => {
                let pairs: Vec<String> = m
                    .iter()
                    .map(|(project, code)| match code {
                        Value::String(c) => format!("{project}={c}"),
                        other => format!("{project}={other}"),
                    })
                    .collect();
                Ok(Some(pairs.join(",")))
            }
            _ => self.opt_str("inheritance"),
        }
    }

    fn instance_key(&self) -> Result<InstanceKey> {
        match (self.opt_str("name")?, self.opt_str("id")?) {
            (Some(name), None) => Ok(InstanceKey::Name(name)),
            (None, Some(id)) => Ok(InstanceKey::Id(id)),
            (Some(_), Some(_)) => Err(Error::config(self.op.label(), "give either name or id, not both")),
            (None, None) => Err(Error::config(self.op.label(), "missing argument \"name\" (or \"id\")")),
        }
    }
}
