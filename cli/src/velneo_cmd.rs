//! `hostapi velneo …`: converts flags into the core's typed calls and prints the records.

use std::io::Write;
use std::path::Path;

use hostapi::velneo::{
    Ack, AppInstance, Client, DataInstance, Folder, FolderSpec, Group, GroupSpec, InstanceCreated, InstanceKey,
    InstanceSpec, Operation, User, UserFilter, UserSpec, VServerStatus,
};
use hostapi::Secret;
use serde_json::json;

use crate::args::*;
use crate::common::{byte_bar, set_total, spinner, Ctx};
use crate::error::{code, CliError, Result};
use crate::output::{self, fields, opt, table, yn};

const BUILD_OP: &str = "velneo client";

fn client(ctx: &mut Ctx, settings: &crate::settings::VelneoSettings, creds: &VelneoCreds) -> Result<Client> {
    let stdin = creds.api_key_stdin.then_some(("api_key", "Velneo API key"));
    let options = ctx.client_options(settings.options(BUILD_OP)?, BUILD_OP, stdin)?;
    let explain = |e| crate::settings::explain(hostapi::ops::Api::Velneo, e);
    hostapi::velneo::ClientBuilder::from_options(&options).map_err(explain)?.build().map_err(explain)
}

fn password(ctx: &mut Ctx, operation: Operation, args: &PasswordArgs, what: &'static str) -> Result<Option<Secret>> {
    if args.password_stdin {
        return ctx.secret_from_stdin(&operation.label(), what).map(Some);
    }
    Ok(args.password.clone())
}

pub async fn run(ctx: &mut Ctx, cmd: VelneoCmd) -> Result<()> {
    // Secrets of the operation are read before the client (which may read the API key from stdin too), so that
    // both errors name what they are about.
    let op = cmd.op;
    let mut pending_password: Option<Secret> = None;
    match &op {
        VelneoOp::Vserver(VServerOp::Credentials { password: p, .. }) => {
            pending_password = password(ctx, Operation::VServerCredentials, p, "vServer supervisor password")?;
            if pending_password.is_none() {
                return Err(CliError::config(
                    &Operation::VServerCredentials.label(),
                    "a password is required: --password-stdin (or --password)",
                ));
            }
        }
        VelneoOp::Users(UsersOp::Put(a)) => {
            pending_password = password(ctx, Operation::UserPut, &a.password, "user password")?;
        }
        _ => {}
    }
    let c = client(ctx, &cmd.settings, &cmd.creds)?;
    let out = ctx.out;
    match op {
        VelneoOp::Logout => {
            c.login().await?;
            c.logout().await?;
            if out.json {
                out.json(&json!({"status_code": 200, "message": "session ended"}))
            } else {
                output::write_stdout("OK: session ended\n")
            }
        }
        VelneoOp::Vserver(v) => vserver(ctx, &c, v, pending_password).await,
        VelneoOp::Groups(g) => match g {
            GroupsOp::List => {
                let list = c.groups().list().await?;
                if out.json {
                    return out.json(&list);
                }
                groups_table(&list)
            }
            GroupsOp::Get { name } => {
                let g = c.groups().get(name).await?;
                if out.json {
                    return out.json(&g);
                }
                fields(vec![
                    ("name", g.name.clone()),
                    ("code", opt(&g.code)),
                    ("can create sites", yn(g.can_create_sites)),
                    ("can delete sites", yn(g.can_delete_sites)),
                    ("can run with data client", yn(g.can_run_with_data_client)),
                ])
            }
            GroupsOp::Put { name, manage_solutions, no_manage_solutions, add_solution, add_app_instance } => {
                let spec = GroupSpec {
                    name,
                    manage_solutions: tri(manage_solutions, no_manage_solutions),
                    add_solution,
                    add_app_instance,
                };
                ack(ctx, c.groups().put(spec).await?)
            }
            GroupsOp::Delete { name } => ack(ctx, c.groups().delete(name).await?),
        },
        VelneoOp::Users(u) => match u {
            UsersOp::List { group } => {
                let filter = group.map(UserFilter::Group).unwrap_or(UserFilter::All);
                let list = c.users().list(filter).await?;
                if out.json {
                    return out.json(&list);
                }
                users_table(&list)
            }
            UsersOp::Get { username } => {
                let u = c.users().get(username).await?;
                if out.json {
                    return out.json(&u);
                }
                user_fields(&u)
            }
            UsersOp::Put(a) => {
                let a = *a;
                let spec = UserSpec {
                    username: a.username,
                    email: a.user_email,
                    password: pending_password,
                    full_name: a.full_name,
                    group: a.group,
                    del_group: a.del_group,
                    is_supervisor: tri(a.supervisor, a.no_supervisor),
                    account_disabled: tri(a.disabled, a.no_disabled),
                    must_change_password: tri(a.must_change_password, a.no_must_change_password),
                    password_never_expires: tri(a.password_never_expires, a.no_password_never_expires),
                };
                ack(ctx, c.users().put(spec).await?)
            }
            UsersOp::Delete { username } => ack(ctx, c.users().delete(username).await?),
        },
        VelneoOp::Folders(f) => match f {
            FoldersOp::List => {
                let list = c.folders().list().await?;
                if out.json {
                    return out.json(&list);
                }
                folders_table(&list)
            }
            FoldersOp::Get { name } => {
                let f = c.folders().get(name).await?;
                if out.json {
                    return out.json(&f);
                }
                fields(vec![("name", f.name.clone()), ("path", opt(&f.path))])
            }
            FoldersOp::Put { name, group, path } => {
                let spec = FolderSpec { name, path, group };
                ack(ctx, c.folders().put(spec).await?)
            }
            FoldersOp::Delete { name } => ack(ctx, c.folders().delete(name).await?),
        },
        VelneoOp::AppInstances(a) => match a {
            AppInstancesOp::List => {
                let list = c.app_instances().list().await?;
                if out.json {
                    return out.json(&list);
                }
                app_table(&list)
            }
            AppInstancesOp::Get(k) => {
                let i = c.app_instances().get(key(k)).await?;
                if out.json {
                    return out.json(&i);
                }
                fields(vec![("name", i.name.clone()), ("project", opt(&i.project)), ("solution", opt(&i.solution))])
            }
            AppInstancesOp::Put(p) => created(ctx, c.app_instances().put(instance_spec(p, false)).await?),
            AppInstancesOp::Delete(k) => ack(ctx, c.app_instances().delete(key(k)).await?),
        },
        VelneoOp::DataInstances(d) => match d {
            DataInstancesOp::List => {
                let list = c.data_instances().list().await?;
                if out.json {
                    return out.json(&list);
                }
                data_table(&list)
            }
            DataInstancesOp::Get(k) => {
                let i = c.data_instances().get(key(k)).await?;
                if out.json {
                    return out.json(&i);
                }
                fields(vec![
                    ("name", i.name.clone()),
                    ("project", opt(&i.project)),
                    ("solution", opt(&i.solution)),
                    ("path", opt(&i.path)),
                ])
            }
            DataInstancesOp::Put { spec, by_id } => {
                created(ctx, c.data_instances().put(instance_spec(spec, by_id)).await?)
            }
            DataInstancesOp::Delete(k) => ack(ctx, c.data_instances().delete(key(k)).await?),
        },
    }
}

async fn vserver(ctx: &mut Ctx, c: &Client, op: VServerOp, password: Option<Secret>) -> Result<()> {
    let out = ctx.out;
    match op {
        VServerOp::Status => status(ctx, &c.vserver().status().await?),
        VServerOp::Start(w) => start_stop(ctx, c, true, w).await,
        VServerOp::Stop(w) => start_stop(ctx, c, false, w).await,
        VServerOp::Credentials { username, .. } => {
            let password = password.ok_or_else(|| {
                CliError::config(&Operation::VServerCredentials.label(), "a password is required: --password-stdin")
            })?;
            ack(ctx, c.vserver().set_credentials(username, password).await?)
        }
        VServerOp::Backup { output: None } => {
            let b = c.vserver().backup().await?;
            if out.json {
                return out.json(&b);
            }
            fields(vec![("url", b.url.clone())])
        }
        VServerOp::Backup { output: Some(path) } if path.as_os_str() == "-" => backup_to_stdout(c).await,
        VServerOp::Backup { output: Some(path) } => backup_to_file(ctx, c, &path).await,
    }
}

async fn start_stop(ctx: &mut Ctx, c: &Client, start: bool, w: WaitArgs) -> Result<()> {
    let out = ctx.out;
    let ack_value = if start { c.vserver().start().await? } else { c.vserver().stop().await? };
    if !w.wait {
        return ack(ctx, ack_value);
    }
    let state = if start { "running" } else { "stopped" };
    let pb = spinner(format!("waiting for the vServer to be {state}"));
    let result = c
        .vserver()
        .wait_for_state(state, w.poll_interval.max(std::time::Duration::from_millis(10)), w.wait_timeout)
        .await;
    pb.finish_and_clear();
    let st = result?;
    if out.json {
        return out.json(&st);
    }
    status(ctx, &st)
}

fn status(ctx: &Ctx, st: &VServerStatus) -> Result<()> {
    if ctx.out.json {
        return ctx.out.json(st);
    }
    fields(vec![("status", st.status.clone()), ("vrl", opt(&st.vrl)), ("version", opt(&st.version))])
}

/// `--output -`: streams the backup to stdout (refused on a terminal: the backup is binary).
async fn backup_to_stdout(c: &Client) -> Result<()> {
    const OP: &str = "velneo vserver.backup download";
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        return Err(CliError::config(OP, "refusing to write the backup (binary) to a terminal; redirect or pipe it"));
    }
    let backup = c.vserver().backup().await?;
    let mut stdout = std::io::stdout().lock();
    let mut write_error: Option<std::io::Error> = None;
    let received = c
        .vserver()
        .download_backup(&backup, |chunk, _total| {
            stdout.write_all(chunk).map_err(|e| {
                let kind = e.kind();
                write_error = Some(e);
                kind.into()
            })
        })
        .await;
    if let Some(e) = write_error {
        return Err(CliError::local(OP, format!("cannot write the backup to stdout: {e}")));
    }
    received?;
    stdout.flush().map_err(|e| CliError::local(OP, format!("cannot write the backup to stdout: {e}")))?;
    Ok(())
}

/// Downloads the backup into a temporary file beside `path`, renamed to `path` only when complete.
async fn backup_to_file(ctx: &Ctx, c: &Client, path: &Path) -> Result<()> {
    const OP: &str = "velneo vserver.backup download";
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if path.is_dir() {
        return Err(CliError::config(OP, format!("{} is a directory; give a file name", path.display())));
    }
    if !dir.is_dir() {
        return Err(CliError::config(OP, format!("the directory {} does not exist", dir.display())));
    }
    let backup = c.vserver().backup().await?;
    let tmp = tempfile::Builder::new()
        .prefix(".hostapi-backup-")
        .suffix(".part")
        .tempfile_in(&dir)
        .map_err(|e| CliError::local(OP, format!("cannot create a temporary file in {}: {e}", dir.display())))?;
    let mut file = std::io::BufWriter::new(tmp);
    let pb = byte_bar(format!("downloading {}", path.display()));
    let bar = pb.clone();
    let vserver = c.vserver();
    // A failed write is a local failure (exit 1), not the transport's: remember it to tell them apart.
    let mut write_error: Option<std::io::Error> = None;
    let download = vserver.download_backup(&backup, |chunk, total| {
        if let Some(t) = total {
            set_total(&bar, t);
        }
        if let Err(e) = file.write_all(chunk) {
            let kind = e.kind();
            write_error = Some(e);
            return Err(kind.into());
        }
        bar.inc(chunk.len() as u64);
        Ok(())
    });
    let received = tokio::select! {
        r = download => r,
        _ = tokio::signal::ctrl_c() => {
            pb.finish_and_clear();
            // The temporary file is removed when dropped; `path` is untouched.
            return Err(CliError::new(code::INTERRUPTED, format!("{OP}: interrupted; {} was not written", path.display())));
        }
    };
    pb.finish_and_clear();
    if let Some(e) = write_error {
        return Err(CliError::local(OP, format!("cannot write the backup beside {}: {e}", path.display())));
    }
    let bytes = received?;
    let tmp = file.into_inner().map_err(|e| CliError::local(OP, format!("cannot write the backup: {}", e.error())))?;
    tmp.as_file().sync_all().map_err(|e| CliError::local(OP, format!("cannot write the backup: {e}")))?;
    tmp.persist(path)
        .map_err(|e| CliError::local(OP, format!("cannot rename the download to {}: {}", path.display(), e.error)))?;
    if ctx.out.json {
        return ctx.out.json(&json!({"url": backup.url, "output": path.display().to_string(), "bytes": bytes}));
    }
    output::write_stdout(&format!("OK: backup saved to {} ({bytes} bytes)\n", path.display()))
}

fn key(k: InstanceKeyArgs) -> InstanceKey {
    match (k.id, k.name) {
        (Some(id), _) => InstanceKey::Id(id),
        (None, Some(name)) => InstanceKey::Name(name),
        (None, None) => InstanceKey::Name(String::new()), // clap requires one of them
    }
}

fn instance_spec(p: InstancePutArgs, by_id: bool) -> InstanceSpec {
    InstanceSpec {
        name: p.name,
        by_id,
        project: p.project,
        solution: p.solution,
        folder_shared: p.folder_shared,
        inheritance: p.inheritance,
    }
}

fn ack(ctx: &Ctx, a: Ack) -> Result<()> {
    if ctx.out.json {
        return ctx.out.json(&a);
    }
    output::write_stdout(&format!("OK: {}\n", a.message.as_deref().unwrap_or("done")))
}

fn created(ctx: &Ctx, c: InstanceCreated) -> Result<()> {
    if ctx.out.json {
        return ctx.out.json(&c);
    }
    let msg = c.message.as_deref().unwrap_or("done");
    match &c.id {
        Some(id) => output::write_stdout(&format!("OK: {msg} (id {id})\n")),
        None => output::write_stdout(&format!("OK: {msg}\n")),
    }
}

fn groups_table(list: &[Group]) -> Result<()> {
    table(
        &["NAME", "CODE", "CREATE SITES", "DELETE SITES", "DATA CLIENT"],
        list.iter()
            .map(|g| {
                vec![
                    g.name.clone(),
                    opt(&g.code),
                    yn(g.can_create_sites),
                    yn(g.can_delete_sites),
                    yn(g.can_run_with_data_client),
                ]
            })
            .collect(),
    )
}

fn users_table(list: &[User]) -> Result<()> {
    table(
        &["NAME", "FULL NAME", "CODE", "SUPERVISOR", "LOCKED", "DISABLED"],
        list.iter()
            .map(|u| {
                vec![u.name.clone(), opt(&u.full_name), opt(&u.code), yn(u.is_supervisor), yn(u.locked), yn(u.disabled)]
            })
            .collect(),
    )
}

fn user_fields(u: &User) -> Result<()> {
    fields(vec![
        ("name", u.name.clone()),
        ("full name", opt(&u.full_name)),
        ("email", opt(&u.email)),
        ("code", opt(&u.code)),
        ("groups", u.groups.as_ref().map(|g| g.join(", ")).unwrap_or_default()),
        ("supervisor", yn(u.is_supervisor)),
        ("locked", yn(u.locked)),
        ("disabled", yn(u.disabled)),
        ("must change password", yn(u.must_change_password)),
        ("password never expires", yn(u.password_never_expires)),
        ("notes", opt(&u.notes)),
    ])
}

fn folders_table(list: &[Folder]) -> Result<()> {
    table(&["NAME", "PATH"], list.iter().map(|f| vec![f.name.clone(), opt(&f.path)]).collect())
}

fn app_table(list: &[AppInstance]) -> Result<()> {
    table(
        &["NAME", "PROJECT", "SOLUTION"],
        list.iter().map(|i| vec![i.name.clone(), opt(&i.project), opt(&i.solution)]).collect(),
    )
}

fn data_table(list: &[DataInstance]) -> Result<()> {
    table(
        &["NAME", "PROJECT", "SOLUTION", "PATH"],
        list.iter().map(|i| vec![i.name.clone(), opt(&i.project), opt(&i.solution), opt(&i.path)]).collect(),
    )
}
