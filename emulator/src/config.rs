//! Configuration of the emulator: where it listens and which Velneo accounts it knows, with their initial content.
//!
//! Everything deserializes from a JSON config file (snake_case keys, every field optional):
//!
//! ```json
//! {
//!   "host": "127.0.0.1",
//!   "port": 8640,
//!   "velneo": {
//!     "timestamp_window_secs": 300,
//!     "accounts": [
//!       { "email": "me@example.com", "api_key": "secret" }
//!     ]
//!   }
//! }
//! ```
//!
//! An account that gives only `email` and `api_key` gets the standard initial content (the same as the demo
//! account's, with its folder paths under its own e-mail). Any of `vserver`, `credentials`, `groups`, `users`,
//! `folders` and `instances` given in the file replaces that part of the standard content.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use serde::Deserialize;

/// The documented demo account's e-mail (from the vendor's bash example).
pub const DEMO_VELNEO_EMAIL: &str = "ejemplo@gmail.com";
/// The documented demo account's API key (a public value from the vendor's bash example).
pub const DEMO_VELNEO_API_KEY: &str = "NyraFY6GMz8lu1fameMdrH0V";

/// Where the emulator listens and what it knows.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmulatorConfig {
    /// Address to bind; default `127.0.0.1`.
    pub host: IpAddr,
    /// Port to bind; default 0 = pick a free port.
    pub port: u16,
    /// The Velneo Cloud API half.
    pub velneo: VelneoConfig,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig { host: IpAddr::V4(Ipv4Addr::LOCALHOST), port: 0, velneo: VelneoConfig::default() }
    }
}

impl EmulatorConfig {
    /// Reads a JSON config file.
    pub fn from_json_file(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        Self::from_json_str(&text)
    }

    /// Parses a JSON config text.
    pub fn from_json_str(text: &str) -> std::io::Result<Self> {
        serde_json::from_str(text).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }
}

/// The Velneo accounts and the signature's timestamp window.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VelneoConfig {
    /// Known accounts; default: [`VelneoAccount::demo`] only.
    pub accounts: Vec<VelneoAccount>,
    /// A request's `timestamp` must be within ± this many seconds of the emulator's clock; default 300.
    pub timestamp_window_secs: u64,
}

impl Default for VelneoConfig {
    fn default() -> Self {
        VelneoConfig { accounts: vec![VelneoAccount::demo()], timestamp_window_secs: 300 }
    }
}

/// One Velneo Cloud account: its login e-mail, its API key and the initial content of its vServer.
///
/// `Debug` never shows the API key nor any password.
#[derive(Clone, Deserialize)]
#[serde(from = "AccountFile")]
pub struct VelneoAccount {
    pub email: String,
    pub api_key: String,
    /// The vServer's initial status, VRL and version.
    pub vserver: VServerSeed,
    /// The initially stored administration credentials (`PUT vserver username/password`); `None` = none stored,
    /// so every administrative call answers `{"error":"Invalid user/password"}` until they are set.
    pub credentials: Option<CredentialsSeed>,
    pub groups: Vec<GroupSeed>,
    pub users: Vec<UserSeed>,
    /// Shared folders; `path` is the full stored path (e.g. `/home/<email>/Velneo/datos`).
    pub folders: Vec<FolderSeed>,
    pub instances: Vec<InstanceSeed>,
}

impl fmt::Debug for VelneoAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VelneoAccount")
            .field("email", &self.email)
            .field("api_key", &"<redacted>")
            .field("vserver", &self.vserver)
            .field("credentials", &self.credentials)
            .field("groups", &self.groups)
            .field("users", &self.users)
            .field("folders", &self.folders)
            .field("instances", &self.instances)
            .finish()
    }
}

impl VelneoAccount {
    /// An account with the standard initial content: vServer running (`vatps://c3.velneo.com:6070`, `25.0.4`),
    /// group `Administradores` (codigo 1, all flags true), supervisor `velneo` / `velneo` in it (stored as the
    /// administration credentials), folders `/` and `datos` (`/home/<email>/Velneo/datos`).
    pub fn new(email: impl Into<String>, api_key: impl Into<String>) -> Self {
        let email = email.into();
        VelneoAccount {
            api_key: api_key.into(),
            vserver: VServerSeed::default(),
            credentials: Some(CredentialsSeed::default()),
            groups: vec![GroupSeed::default()],
            users: vec![UserSeed::default()],
            folders: standard_folders(&email),
            instances: Vec::new(),
            email,
        }
    }

    /// The documented demo account ([`DEMO_VELNEO_EMAIL`], [`DEMO_VELNEO_API_KEY`]) with the standard content.
    pub fn demo() -> Self {
        Self::new(DEMO_VELNEO_EMAIL, DEMO_VELNEO_API_KEY)
    }
}

fn standard_folders(email: &str) -> Vec<FolderSeed> {
    vec![
        FolderSeed { name: "/".into(), path: "/".into(), group: None },
        FolderSeed {
            name: "datos".into(),
            path: format!("/home/{email}/Velneo/datos"),
            group: Some("Administradores".into()),
        },
    ]
}

/// The JSON shape of an account in a config file: content parts are optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFile {
    email: String,
    api_key: String,
    vserver: Option<VServerSeed>,
    #[serde(default, deserialize_with = "explicit_option")]
    credentials: Option<Option<CredentialsSeed>>,
    groups: Option<Vec<GroupSeed>>,
    users: Option<Vec<UserSeed>>,
    folders: Option<Vec<FolderSeed>>,
    instances: Option<Vec<InstanceSeed>>,
}

/// Distinguishes `"credentials": null` (none stored) from an absent key (the standard ones).
fn explicit_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl From<AccountFile> for VelneoAccount {
    fn from(f: AccountFile) -> Self {
        let mut a = VelneoAccount::new(f.email, f.api_key);
        if let Some(v) = f.vserver {
            a.vserver = v;
        }
        if let Some(c) = f.credentials {
            a.credentials = c;
        }
        if let Some(g) = f.groups {
            a.groups = g;
        }
        if let Some(u) = f.users {
            a.users = u;
        }
        if let Some(fo) = f.folders {
            a.folders = fo;
        }
        if let Some(i) = f.instances {
            a.instances = i;
        }
        a
    }
}

/// The vServer's initial state.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VServerSeed {
    /// `true` = `"running"`, `false` = `"stopped"`.
    pub running: bool,
    pub vrl: String,
    pub version: String,
}

impl Default for VServerSeed {
    fn default() -> Self {
        VServerSeed { running: true, vrl: "vatps://c3.velneo.com:6070".into(), version: "25.0.4".into() }
    }
}

/// Stored administration credentials.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialsSeed {
    pub username: String,
    pub password: String,
}

impl Default for CredentialsSeed {
    fn default() -> Self {
        CredentialsSeed { username: "velneo".into(), password: "velneo".into() }
    }
}

impl fmt::Debug for CredentialsSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsSeed").field("username", &self.username).field("password", &"<redacted>").finish()
    }
}

/// A group. `codigo` 0 = assign the next free code.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupSeed {
    pub name: String,
    pub codigo: u64,
    pub can_delete_sites: bool,
    pub can_create_sites: bool,
    pub can_run_with_data_client: bool,
}

impl Default for GroupSeed {
    fn default() -> Self {
        GroupSeed {
            name: "Administradores".into(),
            codigo: 1,
            can_delete_sites: true,
            can_create_sites: true,
            can_run_with_data_client: true,
        }
    }
}

/// A user. `codigo` 0 = assign the next free code. `groups` must name configured groups.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserSeed {
    pub name: String,
    pub codigo: u64,
    pub full_name: String,
    pub email: String,
    pub password: String,
    pub groups: Vec<String>,
    pub supervisor: bool,
    pub disabled: bool,
    pub must_change_password: bool,
    pub password_never_expires: bool,
}

impl Default for UserSeed {
    fn default() -> Self {
        UserSeed {
            name: "velneo".into(),
            codigo: 1,
            full_name: String::new(),
            email: "micorreo@velneo.com".into(),
            password: "velneo".into(),
            groups: vec!["Administradores".into()],
            supervisor: true,
            disabled: false,
            must_change_password: false,
            password_never_expires: true,
        }
    }
}

impl fmt::Debug for UserSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserSeed")
            .field("name", &self.name)
            .field("codigo", &self.codigo)
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("groups", &self.groups)
            .field("supervisor", &self.supervisor)
            .finish_non_exhaustive()
    }
}

/// A shared folder. `group` `None` only for the root folder `/`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderSeed {
    pub name: String,
    pub path: String,
    #[serde(default)]
    pub group: Option<String>,
}

/// An instance. `kind` is `"app"` or `"data"`; `ruta` is `folder` or `folder/sub/dirs` (the folder must exist).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceSeed {
    pub kind: String,
    pub name: String,
    pub project: String,
    pub solution: String,
    pub ruta: String,
    #[serde(default)]
    pub inheritance: Option<String>,
}
