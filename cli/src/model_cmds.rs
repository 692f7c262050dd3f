//! Subcommands built from the operation model for every WEDOS command that has no hand-made subcommand: a
//! command added to the model is `hostapi wedos <handle> <method>` at once, its arguments positional or
//! `--flags` as the model has them, its help the model's doc lines, its result printed as the model's records.

use clap::{Arg, ArgAction, ArgMatches, Command};
use hostapi::ops::{self, Api, Kind, OpSpec, Type};
use serde_json::{Map, Value};

use crate::common::Ctx;
use crate::error::{CliError, Result};

/// The model's WEDOS requests the command has a subcommand of its own for, with its path under `wedos` (its
/// names came first and stay). `every_wire_operation_is_a_subcommand` checks each path exists.
pub const TYPED: &[(&str, &[&str])] = &[
    ("ping", &["ping"]),
    ("ping_async", &["ping-async"]),
    ("credit_info", &["credit"]),
    ("call", &["call"]),
    ("domains.list", &["domains", "list"]),
    ("domains.info", &["domains", "info"]),
    ("domains.check", &["domains", "check"]),
    ("domains.transfer_check", &["domains", "transfer-check"]),
    ("domains.create", &["domains", "create"]),
    ("domains.renew", &["domains", "renew"]),
    ("dns.domains", &["dns", "domains"]),
    ("dns.domain_info", &["dns", "domain"]),
    ("dns.rows", &["dns", "rows"]),
    ("dns.row_detail", &["dns", "row"]),
    ("dns.add_row", &["dns", "add"]),
    ("dns.update_row", &["dns", "update"]),
    ("dns.delete_row", &["dns", "delete"]),
    ("dns.commit", &["dns", "commit"]),
    ("notifications.poll", &["notifications", "poll"]),
    ("notifications.ack", &["notifications", "ack"]),
];

/// The model's WEDOS requests without a subcommand of their own (not in `typed`).
fn untyped(typed: &'static [(&'static str, &'static [&'static str])]) -> impl Iterator<Item = &'static OpSpec> {
    Api::Wedos.ops().iter().filter(move |o| o.kind == Kind::Wire && !typed.iter().any(|(name, _)| *name == o.name))
}

fn kebab(s: &str) -> String {
    s.replace('_', "-")
}

/// The subcommand of `spec`: positional and `--flag` arguments from the model.
fn subcommand(spec: &OpSpec) -> Command {
    let mut cmd = Command::new(kebab(spec.method))
        .about(spec.doc.to_owned())
        .after_help(format!("Built from the operation model: {} ({}).", spec.name, spec.wire));
    for arg in spec.args.iter().filter(|a| !a.local) {
        let mut a = Arg::new(arg.name).help(arg.doc.to_owned());
        a = if arg.positional {
            a.required(arg.required).value_name(arg.name.to_uppercase())
        } else {
            a.long(kebab(arg.name)).required(arg.required).value_name(arg.name.to_uppercase())
        };
        a = match arg.ty {
            Type::Bool => a.action(ArgAction::Set).value_parser(clap::value_parser!(bool)),
            Type::Int => a.value_parser(clap::value_parser!(i64)),
            Type::Count => a.value_parser(clap::value_parser!(u32)),
            Type::Seconds => a.value_parser(clap::value_parser!(f64)),
            _ => a,
        };
        if let Some(d) = arg.default {
            a = a.help(format!("{} [default: {}]", arg.doc, d.trim_matches('"')));
        }
        cmd = cmd.arg(a);
    }
    cmd
}

/// The command tree with a subcommand for every untyped WEDOS request of the model, and every wire operation's
/// subcommand (hand-made or not) described by the model: its help and its arguments' help are the model's.
pub fn augment(root: Command) -> Command {
    describe(augment_with(root, TYPED))
}

/// The path of the hand-made subcommand of the wire operation `spec` under the root: WEDOS's from `TYPED`,
/// Velneo's `velneo <handle> <method>` (kebab-case; `vserver.set_credentials` is `vserver credentials`), or
/// `None` for WEDOS requests built from the model and Velneo's login (every command logs in as it needs).
fn typed_path(spec: &OpSpec) -> Option<Vec<String>> {
    match spec.api {
        Api::Wedos => TYPED.iter().find(|(n, _)| *n == spec.name).map(|(_, path)| {
            std::iter::once("wedos".to_owned()).chain(path.iter().map(|s| (*s).to_owned())).collect()
        }),
        Api::Velneo if spec.name == "session.login" => None,
        Api::Velneo if spec.name == "vserver.credentials" => {
            Some(["velneo", "vserver", "credentials"].map(str::to_owned).to_vec())
        }
        Api::Velneo => Some(
            std::iter::once("velneo".to_owned())
                .chain(spec.handle.map(kebab))
                .chain(std::iter::once(kebab(spec.method)))
                .collect(),
        ),
    }
}

/// Arguments of the model whose hand-made flag has another name (the command's names came first and stay):
/// (operation, model argument, the flag's id).
const RENAMED: &[(&str, &str, &str)] = &[
    // `--email` is the account's e-mail (a setting), so the user's is `--user-email`.
    ("users.put", "email", "user_email"),
    ("users.put", "is_supervisor", "supervisor"),
    ("users.put", "account_disabled", "disabled"),
];

/// The id of the hand-made subcommand's argument for the model's argument `arg` of `spec`.
fn arg_id(spec: &OpSpec, arg: &str) -> String {
    RENAMED.iter().find(|(op, a, _)| *op == spec.name && *a == arg).map_or(arg.to_owned(), |(_, _, id)| (*id).to_owned())
}

/// Sets the help of every hand-made wire subcommand and of its model arguments from the model.
fn describe(mut root: Command) -> Command {
    for api in [Api::Velneo, Api::Wedos] {
        for spec in api.ops().iter().filter(|o| o.kind == Kind::Wire) {
            let Some(path) = typed_path(spec) else { continue };
            root = at_path(root, &path, &|cmd| {
                let mut cmd = cmd.about(spec.doc.to_owned()).long_about(None);
                for arg in spec.args.iter().filter(|a| !a.local && !paired(a)) {
                    let id = arg_id(spec, arg.name);
                    if cmd.get_arguments().any(|a| a.get_id() == id.as_str()) {
                        cmd = cmd.mut_arg(id, |a| a.help(sentence(arg.doc)));
                    }
                }
                cmd
            });
        }
    }
    root
}

/// A yes/no argument of the model: the hand-made command has a `--x`/`--no-x` pair for it (leaving it out
/// keeps the record's value), each with its own help.
fn paired(arg: &hostapi::ops::Arg) -> bool {
    arg.ty == Type::Bool && !arg.required
}

/// The model's help as the command prints help: a capital first letter.
fn sentence(doc: &str) -> String {
    let mut chars = doc.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// `cmd` with `f` applied to its subcommand at `path` (which exists: `every_wire_operation_is_a_subcommand`).
fn at_path(cmd: Command, path: &[String], f: &dyn Fn(Command) -> Command) -> Command {
    match path.split_first() {
        None => f(cmd),
        Some((first, rest)) if cmd.find_subcommand(first).is_some() => {
            cmd.mut_subcommand(first, |c| at_path(c, rest, f))
        }
        Some(_) => cmd,
    }
}

fn augment_with(root: Command, typed: &'static [(&'static str, &'static [&'static str])]) -> Command {
    root.mut_subcommand("wedos", |mut wedos| {
        for spec in untyped(typed) {
            wedos = match spec.handle {
                None if wedos.find_subcommand(kebab(spec.method)).is_some() => continue,
                None => wedos.subcommand(subcommand(spec)),
                Some(handle) => {
                    if let Some(h) = wedos.find_subcommand(handle) {
                        // A hand-made subcommand of the same name wins (the test below finds the clash).
                        if h.find_subcommand(kebab(spec.method)).is_some() {
                            continue;
                        }
                        wedos.mut_subcommand(handle, |h| h.subcommand(subcommand(spec)))
                    } else {
                        wedos.subcommand(Command::new(handle).subcommand_required(true).subcommand(subcommand(spec)))
                    }
                }
            };
        }
        wedos
    })
}

/// The untyped request `matches` names, with the matches of its subcommand: `hostapi wedos <handle> <method>`.
pub fn find(matches: &ArgMatches) -> Option<(&'static OpSpec, &ArgMatches)> {
    find_with(matches, TYPED)
}

fn find_with<'m>(
    matches: &'m ArgMatches,
    typed: &'static [(&'static str, &'static [&'static str])],
) -> Option<(&'static OpSpec, &'m ArgMatches)> {
    let (_, wedos) = matches.subcommand().filter(|(name, _)| *name == "wedos")?;
    let (first, m1) = wedos.subcommand()?;
    untyped(typed).find_map(|spec| match spec.handle {
        None => (kebab(spec.method) == first).then_some((spec, m1)),
        Some(handle) if handle == first => match m1.subcommand() {
            Some((method, m2)) if kebab(spec.method) == method => Some((spec, m2)),
            _ => None,
        },
        Some(_) => None,
    })
}

/// The arguments of `spec` given in `m`, as `call_json` takes them.
fn args(spec: &OpSpec, m: &ArgMatches) -> Result<Value> {
    let mut out = Map::new();
    for arg in spec.args.iter().filter(|a| !a.local) {
        let v =
            match arg.ty {
                Type::Bool => m.get_one::<bool>(arg.name).map(|b| Value::from(*b)),
                Type::Int => m.get_one::<i64>(arg.name).map(|n| Value::from(*n)),
                Type::Count => m.get_one::<u32>(arg.name).map(|n| Value::from(*n)),
                Type::Seconds => m.get_one::<f64>(arg.name).map(|n| Value::from(*n)),
                Type::Object => match m.get_one::<String>(arg.name) {
                    Some(text) => Some(serde_json::from_str(text).map_err(|e| {
                        CliError::config(&spec.label(), format!("{} is not a JSON object: {e}", arg.name))
                    })?),
                    None => None,
                },
                _ => m.get_one::<String>(arg.name).map(|s| Value::from(s.as_str())),
            };
        if let Some(v) = v {
            out.insert(arg.name.to_owned(), v);
        }
    }
    Ok(Value::Object(out))
}

/// Runs the untyped request `spec` and prints its result: JSON with `--json`, else the model record's fields
/// (a table for a list).
pub async fn run(ctx: &mut Ctx, client: &hostapi::wedos::Client, spec: &OpSpec, m: &ArgMatches) -> Result<()> {
    let result = client.call_json(spec.name, &args(spec, m)?, &Default::default()).await?;
    if ctx.out.json {
        return ctx.out.json(&result);
    }
    let record = match spec.output {
        ops::Output::Record(r) | ops::Output::List(r) | ops::Output::Optional(r) => Api::Wedos.record(r),
        _ => None,
    };
    let columns: Vec<&str> = match record {
        Some(r) => r.fields.iter().filter(|f| f.ty != ops::FieldType::Raw).map(|f| f.name).collect(),
        None => match &result {
            Value::Object(o) => o.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        },
    };
    let cell = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    match &result {
        Value::Array(items) => crate::output::table(
            &columns,
            items.iter().map(|item| columns.iter().map(|c| cell(item.get(*c))).collect()).collect(),
        ),
        Value::Null => crate::output::write_stdout("-\n"),
        item => crate::output::fields(columns.iter().map(|c| (*c, cell(item.get(*c)))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every hand-made wire subcommand exists, takes every argument of the model (under its own name or the
    /// flag `RENAMED` names) and shows the model's help.
    #[test]
    fn hand_made_subcommands_follow_the_model() {
        let root = augment(crate::args::Cli::command());
        let mut missing = Vec::new();
        for api in [Api::Velneo, Api::Wedos] {
            for spec in api.ops().iter().filter(|o| o.kind == Kind::Wire) {
                let Some(path) = typed_path(spec) else { continue };
                let mut cmd = &root;
                for step in &path {
                    match cmd.find_subcommand(step) {
                        Some(c) => cmd = c,
                        None => {
                            missing.push(format!("{}: no subcommand {path:?}", spec.name));
                            break;
                        }
                    }
                }
                if cmd.get_name() != path.last().map_or("", String::as_str) {
                    continue;
                }
                assert_eq!(cmd.get_about().map(|a| a.to_string()).as_deref(), Some(spec.doc), "{}", spec.name);
                for arg in spec.args.iter().filter(|a| !a.local) {
                    let id = arg_id(spec, arg.name);
                    match cmd.get_arguments().find(|a| a.get_id() == id.as_str()) {
                        Some(_) if paired(arg) => {}
                        Some(a) => assert_eq!(a.get_help().map(|h| h.to_string()), Some(sentence(arg.doc))),
                        None => missing.push(format!("{}: no argument {id} in {path:?}", spec.name)),
                    }
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    #[test]
    fn every_wire_operation_is_a_subcommand() {
        let root = augment(crate::args::Cli::command());
        let wedos = root.find_subcommand("wedos").expect("wedos");
        for (name, path) in TYPED {
            let spec = Api::Wedos.op(name).unwrap_or_else(|| panic!("{name} is no operation of the model"));
            assert_eq!(spec.kind, Kind::Wire, "{name}");
            let mut cmd = wedos;
            for step in *path {
                cmd = cmd.find_subcommand(step).unwrap_or_else(|| panic!("no subcommand {path:?} for {name}"));
            }
        }
        for spec in untyped(TYPED) {
            let parent = match spec.handle {
                Some(h) => wedos.find_subcommand(h).expect("the handle's subcommand"),
                None => wedos,
            };
            let sub = parent.find_subcommand(kebab(spec.method));
            let from_model =
                sub.and_then(|c| c.get_after_help()).is_some_and(|h| h.to_string().contains("operation model"));
            assert!(from_model, "{}: no subcommand of its own (its name taken by another?)", spec.name);
        }
    }

    /// A subcommand built from the model parses and reads its arguments as the model types them (every typed
    /// request, built as if it had no subcommand of its own).
    #[test]
    fn model_subcommands_read_their_arguments() {
        let spec = Api::Wedos.op("dns.add_row").expect("dns.add_row");
        let m = subcommand(spec)
            .no_binary_name(true)
            .try_get_matches_from(["example.cz", "www", "A", "192.0.2.1", "--ttl", "600"])
            .expect("parses");
        let a = args(spec, &m).expect("reads");
        assert_eq!(
            a,
            serde_json::json!({"domain": "example.cz", "name": "www", "rdtype": "A", "rdata": "192.0.2.1", "ttl": 600})
        );
        assert!(hostapi::wedos::protocol::Call::from_json(spec.name, &a).is_ok());
        for spec in Api::Wedos.ops().iter().filter(|o| o.kind == Kind::Wire) {
            subcommand(spec).debug_assert();
        }
    }

    /// A request without a subcommand of its own gets one, and runs: `credit_info` and `dns.row_detail` taken as if
    /// the command had no subcommand for them, against the emulator.
    #[test]
    fn a_request_without_a_subcommand_runs_from_the_model() {
        static FEWER: std::sync::OnceLock<Vec<(&'static str, &'static [&'static str])>> = std::sync::OnceLock::new();
        let fewer: &'static [(&str, &[&str])] = FEWER.get_or_init(|| {
            TYPED.iter().filter(|(n, _)| !["credit_info", "dns.row_detail"].contains(n)).copied().collect()
        });
        let root = augment_with(crate::args::Cli::command(), fewer);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            let emu = hostapi_emulator::Emulator::start(Default::default()).await.expect("emulator");
            let client = hostapi::wedos::Client::builder()
                .user(hostapi_emulator::DEMO_WEDOS_USER)
                .password(hostapi_emulator::DEMO_WEDOS_PASSWORD)
                .base_url(emu.wedos_url())
                .state_location(hostapi::wedos::StateLocation::Memory)
                .build()
                .expect("client");
            for argv in [
                &["hostapi", "wedos", "credit-info"][..],
                &["hostapi", "wedos", "dns", "row-detail", "example.cz", "1"],
            ] {
                let matches = root.clone().try_get_matches_from(argv).expect("parses");
                let (spec, m) = find_with(&matches, fewer).expect("a request of the model");
                let mut ctx = Ctx::new(crate::args::GlobalOpts { json: true, ..Default::default() });
                run(&mut ctx, &client, spec, m).await.unwrap_or_else(|e| panic!("{argv:?}: {e}"));
                let got = client.call_json(spec.name, &args(spec, m).expect("args"), &Default::default()).await;
                assert!(got.is_ok(), "{argv:?}");
            }
            let matches = root.clone().try_get_matches_from(["hostapi", "wedos", "dns", "row-detail", "example.cz"]);
            assert!(matches.is_err(), "the row id is a required argument");
        });
    }
}
