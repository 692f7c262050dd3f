//! The operations, once a call is authenticated (and, for administrative calls, the vServer reachable).
//!
//! Decisions where the documentation is silent:
//!
//! * vServer: `PUT` with `action` starts/stops (idempotent); without `action` it needs `username` and `password`
//!   and stores them unchecked. `GET` with `action: "backup"` works whether the vServer runs or not.
//! * Groups: `manageSolutions` sets both `puedeCrearSitios` and `puedeBorrarSitios`; a new group starts with all
//!   three flags false (no parameter sets `puedeEjecutarConDataClient`). `addAppInstance` must be the id of an
//!   existing app instance. Deleting a group that a shared folder uses is a 403; users that belong to a deleted
//!   group simply lose that membership.
//! * Users: a new user has `codigo` = highest + 1, empty e-mail/full name/password unless given, flags false.
//!   `delGroup` on a new user is a 403; on an existing user it must name one of its groups. `delGroup` is applied
//!   before `group`. Deleting the user named by the stored credentials is allowed (later administrative calls then
//!   answer `Invalid user/password`).
//! * Folders: names may not contain `/`; the root folder `/` cannot be created, modified or deleted. On
//!   modification `path` may be omitted; a `path` different from the stored one is a 403 (a shared folder cannot
//!   move); `group` is required and replaces the folder's group. Deleting a folder that an instance uses is a 403;
//!   otherwise the sub-directories recorded under it are forgotten too.
//! * Instances: `id_instancia` is a per-account decimal counter as a string ("1", "2", …), never reused until reset.
//!   App and data instances have separate name spaces. The root folder `/` cannot hold instances. `byId` on an app
//!   `PUT` is a 403 (app instances are only added); a data `PUT` with `byId: true` must name an existing data
//!   instance's id. `project`, `solution` and `folderShared` are required on every `PUT`; modifying a data instance
//!   replaces them (and `inheritance` when given). `inheritance` must match `proj=code(,proj=code)*` with `proj`
//!   made of letters, digits, `.`, `_`, `-` and `code` of digits. Deleting an app instance removes it from the
//!   groups it was added to.

use serde_json::{json, Value};

use super::state::{Account, Folder, Group, Instance, Kind, User, VelneoState};
use super::{ApiError, Ctx, Params, Resource, Verb};

fn ok(message: impl Into<String>) -> Value {
    json!({"status_code": 200, "message": message.into()})
}

/// `GET vserver` (status or backup) and `PUT vserver` (start, stop, credentials).
pub(super) fn vserver(
    state: &mut VelneoState,
    idx: usize,
    verb: Verb,
    p: &Params,
    ctx: &Ctx<'_>,
) -> Result<Value, ApiError> {
    let action = p.opt_str("action")?;
    let account = &mut state.accounts[idx];
    match verb {
        Verb::Get => match action {
            None => {
                let mut v = json!({"status_code": 200});
                if let (Value::Object(m), Value::Object(s)) = (&mut v, account.vserver_json()) {
                    m.extend(s);
                }
                Ok(v)
            }
            Some("backup") => {
                let body = serde_json::to_vec_pretty(&account.content()).unwrap_or_default();
                let id = uuid::Uuid::new_v4().simple().to_string();
                let url = format!("{}/_emulator/velneo/backups/{id}.zip", ctx.base_url);
                state.add_backup(id, body);
                Ok(json!({"status_code": 200, "url": url}))
            }
            Some(other) => Err(ApiError::forbidden(format!(
                "invalid action {other:?} for GET vserver (expected \"backup\" or no action)"
            ))),
        },
        Verb::Put => match action {
            Some("start") => {
                account.vserver.running = true;
                Ok(json!({"status_code": 200}))
            }
            Some("stop") => {
                account.vserver.running = false;
                Ok(json!({"status_code": 200}))
            }
            Some(other) => Err(ApiError::forbidden(format!(
                "invalid action {other:?} for PUT vserver (expected \"start\" or \"stop\")"
            ))),
            None => {
                if !p.has("username") && !p.has("password") {
                    return Err(ApiError::forbidden(
                        "missing parameter action (or username and password to set the credentials)",
                    ));
                }
                let username = p.req_str("username")?;
                let password = p.req_str("password")?;
                account.credentials = Some((username.to_string(), password.to_string()));
                Ok(json!({"status_code": 200}))
            }
        },
        _ => Err(ApiError::forbidden("method not supported on /v1/vserver")),
    }
}

/// The administrative operations (group(s), user(s), folder(s), instance(s)).
pub(super) fn admin(a: &mut Account, resource: Resource, verb: Verb, p: &Params) -> Result<Value, ApiError> {
    match (resource, verb) {
        (Resource::Group, Verb::Put) => put_group(a, p),
        (Resource::Group, Verb::Get) => {
            let name = p.req_str("name")?;
            a.group(name).map(Group::record).ok_or_else(|| no_group(name))
        }
        (Resource::Group, Verb::Delete) => delete_group(a, p),
        (Resource::Groups, Verb::Get) => Ok(Value::Array(a.groups.iter().map(Group::record).collect())),
        (Resource::User, Verb::Put) => put_user(a, p),
        (Resource::User, Verb::Get) => {
            let name = p.req_str("username")?;
            a.user(name).map(User::record).ok_or_else(|| no_user(name))
        }
        (Resource::User, Verb::Delete) => {
            let name = p.req_str("username")?;
            let i = a.users.iter().position(|u| u.name == name).ok_or_else(|| no_user(name))?;
            a.users.remove(i);
            Ok(ok(format!("user {name} deleted")))
        }
        (Resource::Users, Verb::Get) => {
            let group = p.req_str("groupname")?;
            if group != "-all" && a.group(group).is_none() {
                return Err(no_group(group));
            }
            let users: Vec<Value> = a
                .users
                .iter()
                .filter(|u| group == "-all" || u.groups.iter().any(|g| g == group))
                .map(User::summary)
                .collect();
            Ok(json!({"users": users}))
        }
        (Resource::Folder, Verb::Put) => put_folder(a, p),
        (Resource::Folder, Verb::Get) => {
            let name = p.req_str("name")?;
            a.folder(name).map(Folder::record).ok_or_else(|| no_folder(name))
        }
        (Resource::Folder, Verb::Delete) => delete_folder(a, p),
        (Resource::Folders, Verb::Get) => {
            Ok(json!({"folders": a.folders.iter().map(Folder::record).collect::<Vec<_>>()}))
        }
        (Resource::Instance, Verb::Put) => put_instance(a, p),
        (Resource::Instance, Verb::Get) => {
            let kind = instance_type(p)?;
            let i = find_instance(a, kind, p)?;
            Ok(a.instances[i].record())
        }
        (Resource::Instance, Verb::Delete) => {
            let kind = instance_type(p)?;
            let i = find_instance(a, kind, p)?;
            let gone = a.instances.remove(i);
            if kind == Kind::App {
                for g in &mut a.groups {
                    g.app_instances.retain(|id| *id != gone.id);
                }
            }
            Ok(ok(format!("{} instance {} deleted", kind.label(), gone.name)))
        }
        (Resource::Instances, Verb::Get) => {
            let kind = instance_type(p)?;
            let list: Vec<Value> = a.instances.iter().filter(|i| i.kind == kind).map(Instance::record).collect();
            Ok(match kind {
                Kind::App => json!({"AppInstances": list}),
                Kind::Data => json!({"dataInstances": list}),
            })
        }
        _ => Err(ApiError::forbidden("method not supported on this resource")),
    }
}

fn no_group(name: &str) -> ApiError {
    ApiError::forbidden(format!("group {name} does not exist"))
}

fn no_user(name: &str) -> ApiError {
    ApiError::forbidden(format!("user {name} does not exist"))
}

fn no_folder(name: &str) -> ApiError {
    ApiError::forbidden(format!("shared folder {name} does not exist"))
}

/// Names of groups, users, folders and instances: non-empty (checked by `req_str`), no control characters.
fn check_name(what: &str, name: &str) -> Result<(), ApiError> {
    if name.chars().any(char::is_control) {
        return Err(ApiError::forbidden(format!("parameter {what} must not contain control characters")));
    }
    Ok(())
}

fn put_group(a: &mut Account, p: &Params) -> Result<Value, ApiError> {
    let name = p.req_str("name")?;
    check_name("name", name)?;
    let manage = p.opt_yes_no("manageSolutions")?;
    let solution = p.opt_nonempty("addSolution")?;
    let app_instance = p.opt_nonempty("addAppInstance")?;
    if let Some(id) = app_instance {
        if a.instance_by_id(Kind::App, id).is_none() {
            return Err(ApiError::forbidden(format!("app instance with id {id} does not exist")));
        }
    }
    let created = a.group(name).is_none();
    if created {
        let codigo = a.next_group_code();
        a.groups.push(Group {
            name: name.to_string(),
            codigo,
            can_delete_sites: false,
            can_create_sites: false,
            can_run_with_data_client: false,
            solutions: Vec::new(),
            app_instances: Vec::new(),
        });
    }
    let Some(g) = a.groups.iter_mut().find(|g| g.name == name) else {
        return Err(no_group(name));
    };
    if let Some(m) = manage {
        g.can_create_sites = m;
        g.can_delete_sites = m;
    }
    if let Some(s) = solution {
        if !g.solutions.iter().any(|x| x == s) {
            g.solutions.push(s.to_string());
        }
    }
    if let Some(id) = app_instance {
        if !g.app_instances.iter().any(|x| x == id) {
            g.app_instances.push(id.to_string());
        }
    }
    Ok(ok(format!("group {name} {}", if created { "created" } else { "modified" })))
}

fn delete_group(a: &mut Account, p: &Params) -> Result<Value, ApiError> {
    let name = p.req_str("name")?;
    let i = a.groups.iter().position(|g| g.name == name).ok_or_else(|| no_group(name))?;
    if let Some(f) = a.folders.iter().find(|f| f.group.as_deref() == Some(name)) {
        return Err(ApiError::forbidden(format!("group {name} cannot be deleted: shared folder {} uses it", f.name)));
    }
    a.groups.remove(i);
    for u in &mut a.users {
        u.groups.retain(|g| g != name);
    }
    Ok(ok(format!("group {name} deleted")))
}

fn put_user(a: &mut Account, p: &Params) -> Result<Value, ApiError> {
    let name = p.req_str("username")?;
    check_name("username", name)?;
    let email = p.opt_str("useremail")?;
    let password = p.opt_str("password")?;
    let full_name = p.opt_str("fullname")?;
    let group = p.opt_nonempty("group")?;
    let del_group = p.opt_nonempty("delGroup")?;
    let supervisor = p.opt_yes_no("isSupervisor")?;
    let disabled = p.opt_yes_no("accountDisabled")?;
    let must_change = p.opt_yes_no("mustChangePassword")?;
    let never_expires = p.opt_yes_no("passwordNeverExpires")?;
    if let Some(g) = group {
        if a.group(g).is_none() {
            return Err(no_group(g));
        }
    }
    let created = match a.user(name) {
        None => {
            if del_group.is_some() {
                return Err(ApiError::forbidden("delGroup is only accepted when modifying an existing user"));
            }
            let codigo = a.next_user_code();
            a.users.push(User {
                name: name.to_string(),
                codigo,
                full_name: String::new(),
                email: String::new(),
                password: String::new(),
                groups: Vec::new(),
                supervisor: false,
                disabled: false,
                must_change_password: false,
                password_never_expires: false,
            });
            true
        }
        Some(u) => {
            if let Some(d) = del_group {
                if !u.groups.iter().any(|g| g == d) {
                    return Err(ApiError::forbidden(format!("user {name} is not in group {d}")));
                }
            }
            false
        }
    };
    let Some(u) = a.users.iter_mut().find(|u| u.name == name) else {
        return Err(no_user(name));
    };
    if let Some(v) = email {
        u.email = v.to_string();
    }
    if let Some(v) = password {
        u.password = v.to_string();
    }
    if let Some(v) = full_name {
        u.full_name = v.to_string();
    }
    if let Some(d) = del_group {
        u.groups.retain(|g| g != d);
    }
    if let Some(g) = group {
        if !u.groups.iter().any(|x| x == g) {
            u.groups.push(g.to_string());
        }
    }
    if let Some(v) = supervisor {
        u.supervisor = v;
    }
    if let Some(v) = disabled {
        u.disabled = v;
    }
    if let Some(v) = must_change {
        u.must_change_password = v;
    }
    if let Some(v) = never_expires {
        u.password_never_expires = v;
    }
    Ok(ok(format!("user {name} {}", if created { "created" } else { "modified" })))
}

/// Validates a folder's `path` (relative to HOME, `/` separators) and returns the stored full path.
fn folder_path(email: &str, path: &str) -> Result<String, ApiError> {
    let bad = |why: &str| ApiError::forbidden(format!("invalid path {path:?}: {why}"));
    if path.starts_with('/') {
        return Err(bad("it must be relative to HOME (no leading /)"));
    }
    if path.contains('\\') {
        return Err(bad("use / as the separator"));
    }
    if path.chars().any(char::is_control) {
        return Err(bad("control characters are not allowed"));
    }
    for seg in path.split('/') {
        if seg.is_empty() {
            return Err(bad("empty directory name"));
        }
        if seg == "." || seg == ".." {
            return Err(bad(". and .. are not allowed"));
        }
    }
    Ok(format!("/home/{email}/Velneo/{path}"))
}

fn put_folder(a: &mut Account, p: &Params) -> Result<Value, ApiError> {
    let name = p.req_str("name")?;
    let path = p.opt_str("path")?;
    let group = p.req_str("group")?;
    check_name("name", name)?;
    if name == "/" {
        return Err(ApiError::forbidden("the root folder / cannot be created or modified"));
    }
    if name.contains('/') {
        return Err(ApiError::forbidden("a shared folder's name must not contain /"));
    }
    if a.group(group).is_none() {
        return Err(no_group(group));
    }
    let full = path.map(|p| folder_path(&a.email, p)).transpose()?;
    if let Some(f) = a.folders.iter_mut().find(|f| f.name == name) {
        if let Some(full) = full {
            if full != f.path {
                return Err(ApiError::forbidden(format!(
                    "shared folder {name} already exists at {}; a shared folder cannot be moved",
                    f.path
                )));
            }
        }
        f.group = Some(group.to_string());
        return Ok(ok(format!("shared folder {name} modified")));
    }
    let Some(full) = full else {
        return Err(ApiError::missing("path"));
    };
    a.folders.push(Folder { name: name.to_string(), path: full, group: Some(group.to_string()) });
    Ok(ok(format!("shared folder {name} created")))
}

fn delete_folder(a: &mut Account, p: &Params) -> Result<Value, ApiError> {
    let name = p.req_str("name")?;
    if name == "/" {
        return Err(ApiError::forbidden("the root folder / cannot be deleted"));
    }
    let i = a.folders.iter().position(|f| f.name == name).ok_or_else(|| no_folder(name))?;
    if let Some(inst) = a.instances.iter().find(|i| i.ruta.split('/').next() == Some(name)) {
        return Err(ApiError::forbidden(format!(
            "shared folder {name} cannot be deleted: {} instance {} uses it",
            inst.kind.label(),
            inst.name
        )));
    }
    a.folders.remove(i);
    let prefix = format!("{name}/");
    a.directories.retain(|d| !d.starts_with(&prefix));
    Ok(ok(format!("shared folder {name} deleted")))
}

fn instance_type(p: &Params) -> Result<Kind, ApiError> {
    let t = p.opt_str("type")?.ok_or_else(|| ApiError::missing("type"))?;
    Kind::parse(t).ok_or_else(|| ApiError::forbidden(format!("invalid type {t:?} (expected \"app\" or \"data\")")))
}

fn find_instance(a: &Account, kind: Kind, p: &Params) -> Result<usize, ApiError> {
    let name = p.req_str("name")?;
    if p.by_id()? {
        a.instance_by_id(kind, name)
            .ok_or_else(|| ApiError::forbidden(format!("{} instance with id {name} does not exist", kind.label())))
    } else {
        a.instance_by_name(kind, name)
            .ok_or_else(|| ApiError::forbidden(format!("{} instance {name} does not exist", kind.label())))
    }
}

/// `proj=code(,proj=code)*`.
fn check_inheritance(value: &str) -> Result<(), ApiError> {
    let valid = value.split(',').all(|pair| match pair.split_once('=') {
        Some((proj, code)) => {
            !proj.is_empty()
                && proj.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                && !code.is_empty()
                && code.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    });
    if valid {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "invalid inheritance {value:?} (expected idProject1=codInstance1,idProject2=codInstance2,…)"
        )))
    }
}

fn put_instance(a: &mut Account, p: &Params) -> Result<Value, ApiError> {
    let kind = instance_type(p)?;
    let name = p.req_str("name")?;
    check_name("name", name)?;
    let by_id = p.by_id()?;
    let project = p.req_str("project")?;
    let solution = p.req_str("solution")?;
    let folder_shared = p.req_str("folderShared")?;
    let inheritance = p.opt_str("inheritance")?;
    if let Some(inh) = inheritance {
        check_inheritance(inh)?;
    }
    let ruta = a.check_folder_shared(folder_shared).map_err(ApiError::forbidden)?;
    let existing = match (kind, by_id) {
        (Kind::App, true) => {
            return Err(ApiError::forbidden("byId is not accepted when adding an app instance"));
        }
        (Kind::App, false) => {
            if a.instance_by_name(Kind::App, name).is_some() {
                return Err(ApiError::forbidden(format!("app instance {name} already exists")));
            }
            None
        }
        (Kind::Data, true) => Some(
            a.instance_by_id(Kind::Data, name)
                .ok_or_else(|| ApiError::forbidden(format!("data instance with id {name} does not exist")))?,
        ),
        (Kind::Data, false) => a.instance_by_name(Kind::Data, name),
    };
    a.create_directories(&ruta);
    match existing {
        Some(i) => {
            let inst = &mut a.instances[i];
            inst.project = project.to_string();
            inst.solution = solution.to_string();
            inst.ruta = ruta;
            if let Some(inh) = inheritance {
                inst.inheritance = Some(inh.to_string());
            }
            Ok(json!({
                "status_code": 200,
                "message": format!("data instance {} modified", inst.name),
                "id_instancia": inst.id,
            }))
        }
        None => {
            let id = a.new_instance_id();
            a.instances.push(Instance {
                id: id.clone(),
                kind,
                name: name.to_string(),
                project: project.to_string(),
                solution: solution.to_string(),
                ruta,
                inheritance: inheritance.map(str::to_string),
            });
            Ok(json!({
                "status_code": 200,
                "message": format!("{} instance {name} created", kind.label()),
                "id_instancia": id,
            }))
        }
    }
}
