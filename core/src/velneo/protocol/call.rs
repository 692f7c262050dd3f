//! The operations and their arguments: `Call`, checked against the operation model.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::velneo::records::*;

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
    /// The name errors carry: `velneo users.put`.
    pub fn label(&self) -> String {
        self.operation().label()
    }

    /// Whether sending this request twice has the effect of sending it once (the operation model's flag). The
    /// transport retries a request that may have reached the server only when it is.
    pub fn idempotent(&self) -> bool {
        self.operation().spec().idempotent
    }

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
        let a = crate::ops::check_args(op.spec(), &op.label(), args, true)?;
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
                manage_solutions: a.bool("manage_solutions"),
                add_solution: a.str("add_solution"),
                add_app_instance: a.str("add_app_instance"),
            }),
            Operation::GroupGet => Call::GroupGet(a.req_str("name")?),
            Operation::GroupList => Call::GroupList,
            Operation::GroupDelete => Call::GroupDelete(a.req_str("name")?),
            Operation::UserPut => Call::UserPut(UserSpec {
                username: a.req_str("username")?,
                email: a.str("email"),
                password: a.str("password").map(Secret::new),
                full_name: a.str("full_name"),
                group: a.str("group"),
                del_group: a.str("del_group"),
                is_supervisor: a.bool("is_supervisor"),
                account_disabled: a.bool("account_disabled"),
                must_change_password: a.bool("must_change_password"),
                password_never_expires: a.bool("password_never_expires"),
            }),
            Operation::UserGet => Call::UserGet(a.req_str("username")?),
            Operation::UserList => {
                Call::UserList(a.str("group").map(UserFilter::Group).unwrap_or(UserFilter::All))
            }
            Operation::UserDelete => Call::UserDelete(a.req_str("username")?),
            Operation::FolderPut => Call::FolderPut(FolderSpec {
                name: a.req_str("name")?,
                path: a.str("path"),
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

/// The argument readers only some operations need.
trait InstanceArgs {
    fn instance_spec(&self) -> Result<InstanceSpec>;
    fn inheritance(&self) -> Option<String>;
    fn instance_key(&self) -> Result<InstanceKey>;
}

impl InstanceArgs for crate::ops::Args<'_> {
    fn instance_spec(&self) -> Result<InstanceSpec> {
        Ok(InstanceSpec {
            name: self.req_str("name")?,
            by_id: self.bool("by_id").unwrap_or_default(),
            project: self.req_str("project")?,
            solution: self.req_str("solution")?,
            folder_shared: self.req_str("folder_shared")?,
            inheritance: self.inheritance(),
        })
    }

    /// `inheritance` as text: a string as given, or an object `{"proj": "inst", …}` joined as `proj=inst,…`.
    fn inheritance(&self) -> Option<String> {
        match self.get("inheritance") {
            Some(Value::Object(m)) => {
                let pairs: Vec<String> = m
                    .iter()
                    .map(|(project, code)| match code {
                        Value::String(c) => format!("{project}={c}"),
                        other => format!("{project}={other}"),
                    })
                    .collect();
                Some(pairs.join(","))
            }
            _ => self.str("inheritance"),
        }
    }

    fn instance_key(&self) -> Result<InstanceKey> {
        match (self.str("name"), self.str("id")) {
            (Some(name), None) => Ok(InstanceKey::Name(name)),
            (None, Some(id)) => Ok(InstanceKey::Id(id)),
            (Some(_), Some(_)) => Err(Error::config(self.label(), "give either name or id, not both")),
            (None, None) => Err(Error::config(self.label(), "missing argument \"name\" (or \"id\")")),
        }
    }
}
