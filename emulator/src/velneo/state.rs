//! The state of the emulated Velneo accounts: one vServer each, with its groups, users, folders and instances.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::config::{VelneoAccount, VelneoConfig};

/// Every account plus the backups produced so far.
pub(crate) struct VelneoState {
    pub(crate) window_secs: u64,
    pub(crate) accounts: Vec<Account>,
    /// Backup id → the bytes served at `/_emulator/velneo/backups/<id>.zip`.
    pub(crate) backups: Vec<(String, Vec<u8>)>,
}

/// Most backups kept (oldest dropped first), so a long-running emulator does not grow without bound.
const MAX_BACKUPS: usize = 64;

impl VelneoState {
    /// Builds the initial state; an invalid configuration is an error message.
    pub(crate) fn new(config: &VelneoConfig) -> Result<Self, String> {
        let mut accounts: Vec<Account> = Vec::with_capacity(config.accounts.len());
        for seed in &config.accounts {
            if accounts.iter().any(|a| a.email == seed.email) {
                return Err(format!("Velneo account {} is configured twice", seed.email));
            }
            accounts.push(Account::from_seed(seed)?);
        }
        Ok(VelneoState { window_secs: config.timestamp_window_secs, accounts, backups: Vec::new() })
    }

    pub(crate) fn add_backup(&mut self, id: String, body: Vec<u8>) {
        if self.backups.len() >= MAX_BACKUPS {
            self.backups.remove(0);
        }
        self.backups.push((id, body));
    }

    pub(crate) fn backup(&self, id: &str) -> Option<&[u8]> {
        self.backups.iter().find(|(i, _)| i == id).map(|(_, b)| b.as_slice())
    }

    /// Ends the live sessions of every account, or of the one with `email`; returns how many ended.
    pub(crate) fn expire_sessions(&mut self, email: Option<&str>) -> Result<usize, String> {
        if let Some(e) = email {
            if !self.accounts.iter().any(|a| a.email == e) {
                return Err(format!("unknown Velneo account {e}"));
            }
        }
        let mut n = 0;
        for a in self.accounts.iter_mut().filter(|a| email.is_none_or(|e| a.email == e)) {
            if a.session.take().is_some() {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Replaces the accounts with those of a state file; configured accounts the file lacks are kept, and every
    /// configured account's API key comes from the configuration.
    pub(crate) fn restore(&mut self, mut loaded: Vec<Account>) {
        for a in self.accounts.drain(..) {
            match loaded.iter_mut().find(|l| l.email == a.email) {
                Some(l) => l.api_key = a.api_key,
                None => loaded.push(a),
            }
        }
        self.accounts = loaded;
    }

    /// The `/_emulator/state` view: accounts keyed by e-mail.
    pub(crate) fn snapshot(&self) -> Value {
        let mut map = serde_json::Map::new();
        for a in &self.accounts {
            map.insert(a.email.clone(), a.snapshot());
        }
        Value::Object(map)
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Account {
    pub(crate) email: String,
    pub(crate) api_key: String,
    pub(crate) session: Option<String>,
    pub(crate) logins: u64,
    pub(crate) vserver: VServer,
    pub(crate) credentials: Option<(String, String)>,
    pub(crate) groups: Vec<Group>,
    pub(crate) users: Vec<User>,
    pub(crate) folders: Vec<Folder>,
    pub(crate) instances: Vec<Instance>,
    /// Sub-directories created through `folderShared` (`"datos/cliente1"`), in creation order.
    pub(crate) directories: Vec<String>,
    pub(crate) next_instance_id: u64,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct VServer {
    pub(crate) running: bool,
    pub(crate) vrl: String,
    pub(crate) version: String,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Group {
    pub(crate) name: String,
    pub(crate) codigo: u64,
    pub(crate) can_delete_sites: bool,
    pub(crate) can_create_sites: bool,
    pub(crate) can_run_with_data_client: bool,
    pub(crate) solutions: Vec<String>,
    pub(crate) app_instances: Vec<String>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct User {
    pub(crate) name: String,
    pub(crate) codigo: u64,
    pub(crate) full_name: String,
    pub(crate) email: String,
    pub(crate) password: String,
    pub(crate) groups: Vec<String>,
    pub(crate) supervisor: bool,
    pub(crate) disabled: bool,
    pub(crate) must_change_password: bool,
    pub(crate) password_never_expires: bool,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Folder {
    pub(crate) name: String,
    pub(crate) path: String,
    pub(crate) group: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) enum Kind {
    App,
    Data,
}

impl Kind {
    pub(crate) fn parse(s: &str) -> Option<Kind> {
        match s {
            "app" => Some(Kind::App),
            "data" => Some(Kind::Data),
            _ => None,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::App => "app",
            Kind::Data => "data",
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Instance {
    pub(crate) id: String,
    pub(crate) kind: Kind,
    pub(crate) name: String,
    pub(crate) project: String,
    pub(crate) solution: String,
    pub(crate) ruta: String,
    pub(crate) inheritance: Option<String>,
}

impl Account {
    fn from_seed(seed: &VelneoAccount) -> Result<Account, String> {
        let who = &seed.email;
        let mut a = Account {
            email: seed.email.clone(),
            api_key: seed.api_key.clone(),
            session: None,
            logins: 0,
            vserver: VServer {
                running: seed.vserver.running,
                vrl: seed.vserver.vrl.clone(),
                version: seed.vserver.version.clone(),
            },
            credentials: seed.credentials.as_ref().map(|c| (c.username.clone(), c.password.clone())),
            groups: Vec::new(),
            users: Vec::new(),
            folders: Vec::new(),
            instances: Vec::new(),
            directories: Vec::new(),
            next_instance_id: 1,
        };
        for g in &seed.groups {
            if g.name.is_empty() || a.group(&g.name).is_some() {
                return Err(format!("{who}: group name {:?} is empty or repeated", g.name));
            }
            let codigo = if g.codigo == 0 { a.next_group_code() } else { g.codigo };
            a.groups.push(Group {
                name: g.name.clone(),
                codigo,
                can_delete_sites: g.can_delete_sites,
                can_create_sites: g.can_create_sites,
                can_run_with_data_client: g.can_run_with_data_client,
                solutions: Vec::new(),
                app_instances: Vec::new(),
            });
        }
        for u in &seed.users {
            if u.name.is_empty() || a.user(&u.name).is_some() {
                return Err(format!("{who}: user name {:?} is empty or repeated", u.name));
            }
            if let Some(g) = u.groups.iter().find(|g| a.group(g).is_none()) {
                return Err(format!("{who}: user {} names unknown group {g}", u.name));
            }
            let codigo = if u.codigo == 0 { a.next_user_code() } else { u.codigo };
            a.users.push(User {
                name: u.name.clone(),
                codigo,
                full_name: u.full_name.clone(),
                email: u.email.clone(),
                password: u.password.clone(),
                groups: u.groups.clone(),
                supervisor: u.supervisor,
                disabled: u.disabled,
                must_change_password: u.must_change_password,
                password_never_expires: u.password_never_expires,
            });
        }
        for f in &seed.folders {
            if f.name.is_empty() || a.folder(&f.name).is_some() {
                return Err(format!("{who}: folder name {:?} is empty or repeated", f.name));
            }
            if let Some(g) = f.group.as_deref().filter(|g| a.group(g).is_none()) {
                return Err(format!("{who}: folder {} names unknown group {g}", f.name));
            }
            a.folders.push(Folder { name: f.name.clone(), path: f.path.clone(), group: f.group.clone() });
        }
        for i in &seed.instances {
            let kind =
                Kind::parse(&i.kind).ok_or_else(|| format!("{who}: instance kind {:?} is not app/data", i.kind))?;
            if a.instance_by_name(kind, &i.name).is_some() {
                return Err(format!("{who}: {} instance {} is repeated", kind.label(), i.name));
            }
            let ruta = a.check_folder_shared(&i.ruta)?;
            a.create_directories(&ruta);
            let id = a.new_instance_id();
            a.instances.push(Instance {
                id,
                kind,
                name: i.name.clone(),
                project: i.project.clone(),
                solution: i.solution.clone(),
                ruta,
                inheritance: i.inheritance.clone(),
            });
        }
        Ok(a)
    }

    pub(crate) fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    pub(crate) fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    pub(crate) fn folder(&self, name: &str) -> Option<&Folder> {
        self.folders.iter().find(|f| f.name == name)
    }

    pub(crate) fn instance_by_name(&self, kind: Kind, name: &str) -> Option<usize> {
        self.instances.iter().position(|i| i.kind == kind && i.name == name)
    }

    pub(crate) fn instance_by_id(&self, kind: Kind, id: &str) -> Option<usize> {
        self.instances.iter().position(|i| i.kind == kind && i.id == id)
    }

    pub(crate) fn next_group_code(&self) -> u64 {
        self.groups.iter().map(|g| g.codigo).max().unwrap_or(0).saturating_add(1)
    }

    pub(crate) fn next_user_code(&self) -> u64 {
        self.users.iter().map(|u| u.codigo).max().unwrap_or(0).saturating_add(1)
    }

    pub(crate) fn new_instance_id(&mut self) -> String {
        let id = self.next_instance_id.to_string();
        self.next_instance_id = self.next_instance_id.saturating_add(1);
        id
    }

    /// The stored credentials name an existing, enabled supervisor with that password.
    pub(crate) fn credentials_valid(&self) -> bool {
        match &self.credentials {
            Some((name, password)) => {
                self.user(name).is_some_and(|u| u.supervisor && !u.disabled && u.password == *password)
            }
            None => false,
        }
    }

    /// Validates `folderShared` (`folder` or `folder/sub/dirs`) and returns the instance path (`ruta`).
    /// The first segment must be an existing shared folder other than the root `/`.
    pub(crate) fn check_folder_shared(&self, value: &str) -> Result<String, String> {
        let segments: Vec<&str> = value.split('/').collect();
        let folder = segments.first().copied().unwrap_or_default();
        if folder.is_empty() {
            return Err(format!("folderShared {value:?} must start with the name of a shared folder (not \"/\")"));
        }
        if self.folder(folder).is_none() {
            return Err(format!("shared folder {folder} does not exist"));
        }
        for s in &segments[1..] {
            if s.is_empty() || *s == "." || *s == ".." || s.contains('\\') || s.chars().any(char::is_control) {
                return Err(format!("folderShared {value:?} has an invalid directory name {s:?}"));
            }
        }
        Ok(segments.join("/"))
    }

    /// Records the sub-directories of `ruta` below its shared folder (`datos/a/b` → `datos/a`, `datos/a/b`).
    pub(crate) fn create_directories(&mut self, ruta: &str) {
        let mut prefix = String::new();
        for (i, seg) in ruta.split('/').enumerate() {
            if i > 0 {
                prefix.push('/');
            }
            prefix.push_str(seg);
            if i > 0 && !self.directories.contains(&prefix) {
                self.directories.push(prefix.clone());
            }
        }
    }

    /// The account as `/_emulator/state` shows it (no password, no API key).
    fn snapshot(&self) -> Value {
        let mut v = self.content();
        if let Value::Object(m) = &mut v {
            m.insert("logins".into(), json!(self.logins));
            m.insert("sessions_active".into(), json!(u64::from(self.session.is_some())));
            m.insert(
                "credentials".into(),
                match &self.credentials {
                    Some((name, _)) => json!({"username": name, "valid": self.credentials_valid()}),
                    None => Value::Null,
                },
            );
        }
        v
    }

    /// The vServer's content, as the state view and the backups show it (deterministic; no secrets).
    pub(crate) fn content(&self) -> Value {
        json!({
            "email": self.email,
            "vserver": self.vserver_json(),
            "groups": self.groups.iter().map(|g| {
                let mut v = g.record();
                if let Value::Object(m) = &mut v {
                    m.insert("soluciones".into(), json!(g.solutions));
                    m.insert("instanciasApp".into(), json!(g.app_instances));
                }
                v
            }).collect::<Vec<_>>(),
            "users": self.users.iter().map(User::record).collect::<Vec<_>>(),
            "folders": self.folders.iter().map(|f| json!({"nombre": f.name, "path": f.path, "grupo": f.group}))
                .collect::<Vec<_>>(),
            "instances": {
                "app": self.instances.iter().filter(|i| i.kind == Kind::App).map(Instance::state_record)
                    .collect::<Vec<_>>(),
                "data": self.instances.iter().filter(|i| i.kind == Kind::Data).map(Instance::state_record)
                    .collect::<Vec<_>>(),
            },
            "directories": self.directories,
        })
    }

    pub(crate) fn vserver_json(&self) -> Value {
        json!({
            "status": if self.vserver.running { "running" } else { "stopped" },
            "vrl": self.vserver.vrl,
            "version": self.vserver.version,
        })
    }
}

impl Group {
    /// `GET group` shape.
    pub(crate) fn record(&self) -> Value {
        json!({
            "Name": self.name,
            "codigo": self.codigo,
            "puedeBorrarSitios": self.can_delete_sites,
            "puedeCrearSitios": self.can_create_sites,
            "puedeEjecutarConDataClient": self.can_run_with_data_client,
        })
    }
}

impl User {
    /// `GET user` shape.
    pub(crate) fn record(&self) -> Value {
        json!({
            "FullName": self.full_name,
            "Name": self.name,
            "Email": self.email,
            "bloqueado": false,
            "codigo": self.codigo,
            "debeCambiarPassword": self.must_change_password,
            "desactivado": self.disabled,
            "esSupervisor": self.supervisor,
            "grupos": self.groups,
            "observaciones": "",
            "passwordNuncaCaduca": self.password_never_expires,
        })
    }

    /// `GET users` element shape.
    pub(crate) fn summary(&self) -> Value {
        json!({
            "FullName": self.full_name,
            "Name": self.name,
            "bloqueado": false,
            "codigo": self.codigo,
            "debeCambiarPassword": self.must_change_password,
            "desactivado": self.disabled,
            "esSupervisor": self.supervisor,
            "passwordNuncaCaduca": self.password_never_expires,
        })
    }
}

impl Folder {
    pub(crate) fn record(&self) -> Value {
        json!({"nombre": self.name, "path": self.path})
    }
}

impl Instance {
    /// `GET instance` shape: app `{nombre, proyecto, solucion}`, data `{nombre, proyecto, ruta, solucion}`.
    pub(crate) fn record(&self) -> Value {
        match self.kind {
            Kind::App => json!({"nombre": self.name, "proyecto": self.project, "solucion": self.solution}),
            Kind::Data => json!({
                "nombre": self.name, "proyecto": self.project, "ruta": self.ruta, "solucion": self.solution,
            }),
        }
    }

    fn state_record(&self) -> Value {
        json!({
            "id_instancia": self.id,
            "nombre": self.name,
            "proyecto": self.project,
            "solucion": self.solution,
            "ruta": self.ruta,
            "herencia": self.inheritance,
        })
    }
}
