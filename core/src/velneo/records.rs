//! Typed Velneo records: English names over the API's Spanish and mixed-case keys, with the raw object kept.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::secret::Secret;

/// A JSON object as the API sent it.
pub type RawObject = Map<String, Value>;

/// `GET vserver`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VServerStatus {
    /// `"running"` or `"stopped"` (kept as sent).
    pub status: String,
    /// The connection VRL, e.g. `vatps://c3.velneo.com:6070`.
    pub vrl: Option<String>,
    /// The vServer version, e.g. `25.0.4`.
    pub version: Option<String>,
    pub raw: RawObject,
}

impl VServerStatus {
    pub fn is_running(&self) -> bool {
        self.status.eq_ignore_ascii_case("running")
    }
}

/// `GET vserver` with `action: "backup"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Backup {
    /// The download link of the backup.
    pub url: String,
}

/// An acknowledgement: `{"status_code": 200, "message": …}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ack {
    pub status_code: i64,
    pub message: Option<String>,
}

/// The answer to an instance `PUT`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstanceCreated {
    pub status_code: i64,
    pub message: Option<String>,
    /// `id_instancia`: the instance's unique id (Velneo 7.12 and later), as a string.
    pub id: Option<String>,
}

/// The answer to a login.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub session: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A session id is a bearer token for whoever also holds the API key; keep only a prefix.
        let prefix: String = self.session.chars().take(8).collect();
        write!(f, "Session({prefix}…)")
    }
}

/// A group of vServer users.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub name: String,
    /// `codigo`.
    pub code: Option<i64>,
    /// `puedeBorrarSitios`.
    pub can_delete_sites: Option<bool>,
    /// `puedeCrearSitios`.
    pub can_create_sites: Option<bool>,
    /// `puedeEjecutarConDataClient`.
    pub can_run_with_data_client: Option<bool>,
    pub raw: RawObject,
}

/// A vServer user.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct User {
    pub name: String,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub code: Option<i64>,
    /// `bloqueado`.
    pub locked: Option<bool>,
    /// `desactivado`.
    pub disabled: Option<bool>,
    pub must_change_password: Option<bool>,
    pub password_never_expires: Option<bool>,
    pub is_supervisor: Option<bool>,
    /// `grupos` (only in single-user reads).
    pub groups: Option<Vec<String>>,
    /// `observaciones`.
    pub notes: Option<String>,
    pub raw: RawObject,
}

/// A shared folder.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Folder {
    pub name: String,
    pub path: Option<String>,
    pub raw: RawObject,
}

/// An application instance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AppInstance {
    pub name: String,
    pub project: Option<String>,
    pub solution: Option<String>,
    pub raw: RawObject,
}

/// A data instance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DataInstance {
    pub name: String,
    pub project: Option<String>,
    pub solution: Option<String>,
    /// `ruta`, e.g. `datos/cliente1`.
    pub path: Option<String>,
    pub raw: RawObject,
}

/// `groups().put`: create the group if missing, else modify it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupSpec {
    pub name: String,
    pub manage_solutions: Option<bool>,
    pub add_solution: Option<String>,
    /// The id of an application instance this group gets access to (its name before Velneo 7.12).
    pub add_app_instance: Option<String>,
}

impl GroupSpec {
    pub fn new(name: impl Into<String>) -> Self {
        GroupSpec { name: name.into(), ..Default::default() }
    }
    pub fn manage_solutions(mut self, yes: bool) -> Self {
        self.manage_solutions = Some(yes);
        self
    }
    pub fn add_solution(mut self, solution: impl Into<String>) -> Self {
        self.add_solution = Some(solution.into());
        self
    }
    pub fn add_app_instance(mut self, instance_id: impl Into<String>) -> Self {
        self.add_app_instance = Some(instance_id.into());
        self
    }
}

/// `users().put`: create the user if missing, else modify it (the username cannot change).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserSpec {
    pub username: String,
    pub email: Option<String>,
    pub password: Option<Secret>,
    pub full_name: Option<String>,
    pub group: Option<String>,
    /// A group to take the user out of (only when modifying).
    pub del_group: Option<String>,
    pub is_supervisor: Option<bool>,
    pub account_disabled: Option<bool>,
    pub must_change_password: Option<bool>,
    pub password_never_expires: Option<bool>,
}

impl UserSpec {
    pub fn new(username: impl Into<String>) -> Self {
        UserSpec { username: username.into(), ..Default::default() }
    }
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
    pub fn password(mut self, password: impl Into<Secret>) -> Self {
        self.password = Some(password.into());
        self
    }
    pub fn full_name(mut self, full_name: impl Into<String>) -> Self {
        self.full_name = Some(full_name.into());
        self
    }
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }
    pub fn del_group(mut self, group: impl Into<String>) -> Self {
        self.del_group = Some(group.into());
        self
    }
    pub fn is_supervisor(mut self, yes: bool) -> Self {
        self.is_supervisor = Some(yes);
        self
    }
    pub fn account_disabled(mut self, yes: bool) -> Self {
        self.account_disabled = Some(yes);
        self
    }
    pub fn must_change_password(mut self, yes: bool) -> Self {
        self.must_change_password = Some(yes);
        self
    }
    pub fn password_never_expires(mut self, yes: bool) -> Self {
        self.password_never_expires = Some(yes);
        self
    }
}

/// Which users `users().list` returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum UserFilter {
    /// Every user (`groupname: "-all"`).
    #[default]
    All,
    /// The members of one group.
    Group(String),
}

/// `folders().put`: create the shared folder if missing, else modify it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FolderSpec {
    pub name: String,
    /// Relative to the account's HOME, with `/` (`clientes/cliente1`); needed only on creation.
    pub path: Option<String>,
    /// The group given access; it must exist.
    pub group: String,
}

impl FolderSpec {
    pub fn new(name: impl Into<String>, group: impl Into<String>) -> Self {
        FolderSpec { name: name.into(), path: None, group: group.into() }
    }
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }
}

/// Application or data instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstanceKind {
    App,
    Data,
}

impl InstanceKind {
    /// The wire `type`: `"app"` or `"data"`.
    pub fn wire(self) -> &'static str {
        match self {
            InstanceKind::App => "app",
            InstanceKind::Data => "data",
        }
    }
}

/// `app_instances().put` / `data_instances().put`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstanceSpec {
    /// The instance's name, or its id when `by_id` is set (data instances only).
    pub name: String,
    pub by_id: bool,
    pub project: String,
    pub solution: String,
    /// A shared folder, optionally followed by sub-directories that are created (`datos/cliente1`).
    pub folder_shared: String,
    /// `idProject1=codInstance1,idProject2=codInstance2,…`: reuse existing instances of inherited projects.
    pub inheritance: Option<String>,
}

impl InstanceSpec {
    pub fn new(
        name: impl Into<String>,
        project: impl Into<String>,
        solution: impl Into<String>,
        folder_shared: impl Into<String>,
    ) -> Self {
        InstanceSpec {
            name: name.into(),
            by_id: false,
            project: project.into(),
            solution: solution.into(),
            folder_shared: folder_shared.into(),
            inheritance: None,
        }
    }
    pub fn inheritance(mut self, inheritance: impl Into<String>) -> Self {
        self.inheritance = Some(inheritance.into());
        self
    }
    /// Inheritance from `(project id, instance code)` pairs.
    pub fn inherit<P: AsRef<str>, C: std::fmt::Display>(mut self, pairs: impl IntoIterator<Item = (P, C)>) -> Self {
        let s: Vec<String> = pairs.into_iter().map(|(p, c)| format!("{}={}", p.as_ref(), c)).collect();
        self.inheritance = Some(s.join(","));
        self
    }
    /// `name` holds the instance id (data instances only).
    pub fn by_id(mut self, yes: bool) -> Self {
        self.by_id = yes;
        self
    }
}

/// How an instance is named in `get` and `delete`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstanceKey {
    Name(String),
    /// The id returned when the instance was created (`byId: true`).
    Id(String),
}

impl From<&str> for InstanceKey {
    fn from(name: &str) -> Self {
        InstanceKey::Name(name.to_owned())
    }
}

impl From<String> for InstanceKey {
    fn from(name: String) -> Self {
        InstanceKey::Name(name)
    }
}
