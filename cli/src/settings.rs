//! The connection and account flags of `hostapi velneo …` and `hostapi wedos …`: one flag per client setting of
//! the operation model, built at run time with clap's builder API and handed to `ClientBuilder::from_options`,
//! which checks them as it checks every binding's options.
//!
//! [`FLAGS`] is the one table of how a setting shows on the command line where that differs from
//! `--<setting-with-dashes>`: today's names kept as aliases (`--test`, `--insecure`, `--hourly-limit`), the
//! environment variable the core reads for it, and the settings that are no flag.

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches, Command};
use hostapi::ops::{self, Api, Type};
use serde_json::{Map, Value};

use crate::error::CliError;

/// How one setting shows on the command line.
pub struct Flag {
    pub setting: &'static str,
    /// The flag, when it is not `--<setting-with-dashes>`; `None` for a setting that is no flag.
    pub long: Option<&'static str>,
    /// Earlier names of the flag, still accepted.
    pub aliases: &'static [&'static str],
    /// The environment variable the core reads for it.
    pub env: Option<&'static str>,
    pub value_name: Option<&'static str>,
    /// Said before the model's doc line in `--help`.
    pub note: Option<&'static str>,
    /// Numbers must be at least 1 (checked as the flag is read: a usage error).
    pub positive: bool,
}

const fn flag(setting: &'static str) -> Flag {
    Flag { setting, long: Some(""), aliases: &[], env: None, value_name: None, note: None, positive: false }
}

impl Flag {
    const fn long(self, long: &'static str) -> Flag {
        Flag { long: Some(long), ..self }
    }
    const fn none(self) -> Flag {
        Flag { long: None, ..self }
    }
    const fn aliases(self, aliases: &'static [&'static str]) -> Flag {
        Flag { aliases, ..self }
    }
    const fn env(self, env: &'static str) -> Flag {
        Flag { env: Some(env), ..self }
    }
    const fn positive(self) -> Flag {
        Flag { positive: true, ..self }
    }
    const fn note(self, note: &'static str) -> Flag {
        Flag { note: Some(note), ..self }
    }
    const fn value_name(self, name: &'static str) -> Flag {
        Flag { value_name: Some(name), ..self }
    }

    /// The flag's name without its dashes, e.g. `max-invalid-requests`.
    pub fn name(&self) -> Option<String> {
        self.long.map(|l| if l.is_empty() { self.setting.replace('_', "-") } else { l.to_owned() })
    }
}

/// Where a setting's flag differs from the plain rule, for both APIs (a setting of one name means the same in
/// both). A setting of the model missing here is a flag by the plain rule; `every_setting_is_a_flag` checks it.
pub static FLAGS: &[Flag] = &[
    // The command always reads the environment (flags win over it).
    flag("from_env").none(),
    flag("user").env("WEDOS_USER").value_name("USER"),
    flag("password").env("WEDOS_PASSWORD").value_name("PASSWORD"),
    flag("email").env("VELNEO_EMAIL").value_name("EMAIL"),
    flag("api_key").env("VELNEO_API_KEY").value_name("KEY"),
    flag("base_url").value_name("URL"),
    flag("test_mode").aliases(&["test"]),
    flag("hourly_limits").aliases(&["hourly-limit"]).value_name("N[,M]").positive(),
    flag("state_dir").env("HOSTAPI_STATE_DIR").value_name("DIR"),
    flag("state_store").env("HOSTAPI_STATE_STORE").value_name("STORE"),
    flag("verify")
        .long("no-verify")
        .aliases(&["insecure"])
        .note("DANGEROUS: anyone on the network path can then read and change the traffic, credentials included."),
    flag("ca_bundle").value_name("FILE"),
    flag("max_response_bytes").value_name("BYTES"),
];

/// The flag of `setting`, by the table or the plain rule.
pub fn flag_of(setting: &str) -> Option<String> {
    match FLAGS.iter().find(|f| f.setting == setting) {
        Some(f) => f.name(),
        None => Some(setting.replace('_', "-")),
    }
}

fn base_url_env(api: Api) -> &'static str {
    match api {
        Api::Velneo => "VELNEO_BASE_URL",
        Api::Wedos => "WEDOS_BASE_URL",
    }
}

/// Adds one flag per setting of `api` to `cmd` (global, so they may follow the subcommand).
pub fn augment(api: Api, cmd: Command) -> Command {
    let own = match api {
        Api::Velneo => "Velneo account",
        Api::Wedos => "WEDOS account",
    };
    let transport: Vec<&str> = ops::TRANSPORT_SETTINGS.iter().map(|a| a.name).collect();
    api.settings().fold(cmd, |cmd, setting| {
        let entry = FLAGS.iter().find(|f| f.setting == setting.name);
        let Some(long) = flag_of(setting.name) else { return cmd };
        let heading = if transport.contains(&setting.name) { "Connection" } else { own };
        let mut help = capitalised(setting.doc);
        let env = match setting.name {
            "base_url" => Some(base_url_env(api)),
            _ => entry.and_then(|f| f.env),
        };
        if let Some(env) = env {
            help.push_str(&format!(" [env: {env}]"));
        }
        let mut arg = Arg::new(setting.name).long(long.clone()).global(true).help_heading(heading);
        match (setting.ty, setting.default) {
            (Type::Bool, Some("true")) => {
                help = format!("Sets {} to false ({})", setting.name, setting.doc);
                arg = arg.action(ArgAction::SetTrue);
            }
            (Type::Bool, _) => arg = arg.action(ArgAction::SetTrue),
            (ty, default) => {
                let name = entry.and_then(|f| f.value_name).unwrap_or(match ty {
                    Type::Seconds => "SECS",
                    Type::Count => "N",
                    Type::Path => "PATH",
                    Type::Pair(_) => "A,B",
                    _ => "VALUE",
                });
                arg = arg.value_name(name).action(ArgAction::Set);
                arg = match ty {
                    Type::Enum(values) => arg.value_parser(PossibleValuesParser::new(values.iter().copied())),
                    // A value of the wrong type is a usage error (exit 2), as for every other flag.
                    _ => {
                        let positive = entry.is_some_and(|f| f.positive);
                        arg.value_parser(move |text: &str| match value(ty, text, default) {
                            Ok(v) if positive && !all_positive(&v) => Err("must be at least 1".to_owned()),
                            Ok(_) => Ok(text.to_owned()),
                            Err(what) => Err(what),
                        })
                    }
                };
                if let Some(d) = default {
                    help.push_str(&format!(" [default: {}]", d.trim_matches(['"', '[', ']'])));
                }
            }
        }
        if matches!(setting.ty, Type::Secret) {
            help.push_str(&format!(
                ". Discouraged: a secret given here shows in the process list and the shell history; prefer the \
                 environment or --{long}-stdin"
            ));
        }
        if let Some(f) = entry {
            arg = arg.visible_aliases(f.aliases.iter().copied());
            if let Some(note) = f.note {
                help = format!("{note} {help}");
            }
        }
        cmd.arg(arg.help(help))
    })
}

fn capitalised(doc: &str) -> String {
    let mut c = doc.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The settings given as flags, as `from_options` takes them (a value that is not of the setting's type is a
/// configuration error naming the flag).
pub fn read(api: Api, operation: &str, m: &ArgMatches) -> Result<Map<String, Value>, CliError> {
    let mut out = Map::new();
    for setting in api.settings() {
        let Some(long) = flag_of(setting.name) else { continue };
        let value = match (setting.ty, setting.default) {
            (Type::Bool, default) => {
                if !m.get_flag(setting.name) {
                    continue;
                }
                Value::Bool(default != Some("true"))
            }
            (ty, default) => {
                let Some(text) = m.get_one::<String>(setting.name) else { continue };
                value(ty, text, default).map_err(|what| CliError::config(operation, format!("--{long}: {what}")))?
            }
        };
        out.insert(setting.name.to_owned(), value);
    }
    Ok(out)
}

/// A flag's text as the JSON value of its setting's type.
fn value(ty: Type, text: &str, default: Option<&str>) -> Result<Value, String> {
    Ok(match ty {
        Type::Count => Value::from(count(text).ok_or("not a whole number of at most 4294967295")?),
        Type::Seconds => Value::from(seconds(text).ok_or("not a number of seconds between 0 and 1e9")?),
        Type::Pair(inner) => pair(inner, text, default).ok_or("not A,B (or one value)")?,
        _ => Value::from(text),
    })
}

fn all_positive(v: &Value) -> bool {
    match v {
        Value::Array(items) => items.iter().all(all_positive),
        other => other.as_f64().is_some_and(|n| n >= 1.0),
    }
}

fn count(text: &str) -> Option<u64> {
    text.trim().parse::<u64>().ok().filter(|n| *n <= u64::from(u32::MAX))
}

fn seconds(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite() && (0.0..=1e9).contains(v))
}

/// `A,B`; one value `A` stands for `A` and the smaller of `A` and the default's second value (`--hourly-limit
/// 50` is 50 requests and 50 domain checks; 500 is 500 and 100).
fn pair(inner: &Type, text: &str, default: Option<&str>) -> Option<Value> {
    let one = |t: &str| -> Option<Value> {
        match inner {
            Type::Count => count(t).map(Value::from),
            _ => seconds(t).map(Value::from),
        }
    };
    let parts: Vec<&str> = text.split(',').collect();
    match parts.as_slice() {
        [a, b] => Some(Value::Array(vec![one(a)?, one(b)?])),
        [a] => {
            let first = one(a)?;
            let default: Option<Value> = default.and_then(|d| serde_json::from_str(d).ok());
            let second = match default.as_ref().and_then(|d| d.get(1)).and_then(Value::as_f64) {
                Some(d) if first.as_f64()? > d => default.as_ref()?.get(1)?.clone(),
                _ => first.clone(),
            };
            Some(Value::Array(vec![first, second]))
        }
        _ => None,
    }
}

/// The settings flags of one API, for `#[command(flatten)]`; `Debug` never shows a secret.
#[derive(Clone, Default)]
pub struct Given {
    pub matches: Option<ArgMatches>,
}

impl std::fmt::Debug for Given {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = match &self.matches {
            Some(m) => m.ids().map(|id| id.as_str()).filter(|id| m.value_source(id).is_some()).collect(),
            None => Vec::new(),
        };
        f.debug_struct("Settings").field("given", &names).finish()
    }
}

macro_rules! settings_args {
    ($name:ident, $api:expr) => {
        /// The client settings of the API as flags (see [`FLAGS`](crate::settings::FLAGS)).
        #[derive(Clone, Debug, Default)]
        pub struct $name(pub Given);

        impl clap::FromArgMatches for $name {
            fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
                Ok($name(Given { matches: Some(m.clone()) }))
            }
            fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
                self.0.matches = Some(m.clone());
                Ok(())
            }
        }

        impl clap::Args for $name {
            fn augment_args(cmd: Command) -> Command {
                augment($api, cmd)
            }
            fn augment_args_for_update(cmd: Command) -> Command {
                augment($api, cmd)
            }
        }

        impl $name {
            /// The settings given as flags, for `from_options`.
            pub fn options(&self, operation: &str) -> Result<Map<String, Value>, CliError> {
                match &self.0.matches {
                    Some(m) => read($api, operation, m),
                    None => Ok(Map::new()),
                }
            }
        }
    };
}

settings_args!(WedosSettings, Api::Wedos);
settings_args!(VelneoSettings, Api::Velneo);

/// A configuration error of the core, phrased with the command's flags: a missing setting names its flag, its
/// environment variable and its `-stdin` flag; an invalid one names its flag.
pub fn explain(api: Api, e: hostapi::Error) -> CliError {
    let code = crate::error::exit_code(e.kind());
    let message = match e.detail() {
        Some(hostapi::Detail::MissingSetting(setting)) => {
            let flag = flag_of(setting).unwrap_or_default();
            let env = FLAGS.iter().find(|f| f.setting == *setting).and_then(|f| f.env);
            let secret = api.setting(setting).is_some_and(|s| s.ty == Type::Secret);
            let what = e.message().split(':').next().unwrap_or(setting).to_owned();
            let mut ways = Vec::new();
            if let Some(env) = env {
                ways.push(format!("set {env}"));
            }
            ways.push(if secret {
                format!("give it on stdin with --{flag}-stdin")
            } else {
                format!("give it with --{flag}")
            });
            format!("{}: {what}: {}", e.operation(), ways.join(", or "))
        }
        Some(hostapi::Detail::InvalidSetting(setting)) => match flag_of(setting) {
            Some(flag) => format!("{}: --{flag}: {}", e.operation(), e.message()),
            None => e.to_string(),
        },
        _ => e.to_string(),
    };
    CliError::new(code, crate::error::one_line(&message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_is_a_flag() {
        for api in [Api::Velneo, Api::Wedos] {
            let cmd = augment(api, Command::new("t"));
            for setting in api.settings() {
                match flag_of(setting.name) {
                    Some(long) => {
                        let arg = cmd.get_arguments().find(|a| a.get_id() == setting.name);
                        assert_eq!(arg.and_then(|a| a.get_long()), Some(long.as_str()), "{}", setting.name);
                    }
                    None => assert_eq!(setting.name, "from_env"),
                }
            }
        }
        for f in FLAGS {
            assert!(
                [Api::Velneo, Api::Wedos].iter().any(|api| api.setting(f.setting).is_some()),
                "{} is no setting of the model",
                f.setting
            );
        }
    }

    #[test]
    fn flags_read_as_the_model_types_them() {
        let cmd = augment(Api::Wedos, Command::new("t").no_binary_name(true));
        let m = cmd
            .try_get_matches_from([
                "--test",
                "--hourly-limit",
                "500",
                "--timeout",
                "2.5",
                "--retries",
                "0",
                "--insecure",
                "--on-limit",
                "wait",
                "--backoff",
                "0.1,2",
            ])
            .expect("parses");
        let o = read(Api::Wedos, "t", &m).expect("reads");
        assert_eq!(o["test_mode"], Value::Bool(true));
        assert_eq!(o["hourly_limits"], serde_json::json!([500, 100]));
        assert_eq!(o["timeout"], serde_json::json!(2.5));
        assert_eq!(o["retries"], serde_json::json!(0));
        assert_eq!(o["verify"], Value::Bool(false));
        assert_eq!(o["on_limit"], serde_json::json!("wait"));
        assert_eq!(o["backoff"], serde_json::json!([0.1, 2.0]));
        assert!(hostapi::wedos::ClientBuilder::from_options(&Value::Object(o)).is_ok());
        let m = augment(Api::Wedos, Command::new("t").no_binary_name(true))
            .try_get_matches_from(["--hourly-limits", "50"])
            .expect("parses");
        assert_eq!(read(Api::Wedos, "t", &m).expect("reads")["hourly_limits"], serde_json::json!([50, 50]));
    }
}
