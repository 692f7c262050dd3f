//! The operation model: one machine-readable description of every operation of both APIs.
//!
//! Each entry names the operation (`groups.put`, `dns.add_row`), the handle it belongs to, its arguments (name,
//! type, required or not, default, one-line doc), its result, whether it is idempotent (retries rely on it) and a
//! doc line. Composite operations (waiting for a vServer state, downloading a backup, ping-async and wait, the
//! notification queue read through the client's spool) are entries too.
//!
//! Everything typed is derived from this table:
//! * the core checks the arguments of [`velneo::Call::from_json`](crate::velneo::Call::from_json),
//!   [`wedos::Call::from_json`](crate::wedos::Call::from_json) and both clients' `call_json` against it
//!   ([`check_args`]), and the client settings of `ClientBuilder::from_options` ([`check_settings`]);
//! * the generator (`cargo run -p hostapi-xtask -- generate`, i.e. `make generate`) writes each front end's typed
//!   surface from it, and `make test` fails when a generated file is stale;
//! * [`model_json`] exports it as JSON (`docs/operations.json`) for tools in other languages.

mod check;
mod json;
mod records;
mod velneo;
mod wedos;

pub use check::{check_args, check_settings, wire_data, Args};
pub(crate) use check::text;
pub use json::model_json;
pub use records::{Field, FieldType, RecordSpec, RECORDS};
pub use velneo::{VELNEO_OPS, VELNEO_SETTINGS};
pub use wedos::{WEDOS_OPS, WEDOS_SETTINGS};

/// The canonical JSON of a result (what `call_json` returns; a `Protocol` error if it cannot be converted).
pub fn to_json(value: impl serde::Serialize) -> crate::error::Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| {
        crate::error::Error::new(
            crate::error::ErrorKind::Protocol,
            "hostapi",
            format!("cannot convert a result to JSON: {e}"),
        )
    })
}

/// Which API an operation belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Api {
    Velneo,
    Wedos,
}

impl Api {
    pub fn as_str(self) -> &'static str {
        match self {
            Api::Velneo => "velneo",
            Api::Wedos => "wedos",
        }
    }

    /// Every operation of this API.
    pub fn ops(self) -> &'static [OpSpec] {
        match self {
            Api::Velneo => VELNEO_OPS,
            Api::Wedos => WEDOS_OPS,
        }
    }

    /// The client settings of this API (the keys of `ClientBuilder::from_options`): its own, then the
    /// transport's.
    pub fn settings(self) -> impl Iterator<Item = &'static Arg> + Clone {
        let own = match self {
            Api::Velneo => VELNEO_SETTINGS,
            Api::Wedos => WEDOS_SETTINGS,
        };
        own.iter().chain(TRANSPORT_SETTINGS)
    }

    /// The setting called `name`, if any.
    pub fn setting(self, name: &str) -> Option<&'static Arg> {
        self.settings().find(|a| a.name == name)
    }

    /// The resource handles of this API's client, in order.
    pub fn handles(self) -> &'static [HandleSpec] {
        match self {
            Api::Velneo => velneo::VELNEO_HANDLES,
            Api::Wedos => wedos::WEDOS_HANDLES,
        }
    }

    /// The operation called `name`, if any.
    pub fn op(self, name: &str) -> Option<&'static OpSpec> {
        self.ops().iter().find(|o| o.name == name)
    }
}

/// The JSON type of an argument or setting, and how front ends type it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// Text (a JSON string; a number is refused).
    Str,
    /// Text that is a secret: never logged, shown or stored.
    Secret,
    Bool,
    /// A whole number (a JSON number; a numeric string is refused).
    Int,
    /// A non-negative whole number that fits 32 bits.
    Count,
    /// A non-negative, finite number of seconds (fractions allowed).
    Seconds,
    /// A file system path.
    Path,
    /// Any JSON object.
    Object,
    /// One of a fixed set of strings.
    Enum(&'static [&'static str]),
    /// A pair `[a, b]` of values of the inner type.
    Pair(&'static Type),
    /// A list of values of the inner type.
    List(&'static Type),
    /// Velneo inherited instances: `"proj1=inst1,proj2=inst2"` or an object `{"proj1": "inst1", …}`.
    Inheritance,
    /// A record of the named type, or the value of its one identifying field (e.g. a `Backup` or its URL).
    RecordOr {
        record: &'static str,
        field: &'static str,
    },
    /// An identifier sent as text or as a number (WEDOS queue ids).
    Id,
}

impl Type {
    /// A short name of the type (`string`, `seconds`, `enum`, …), as in the JSON export.
    pub fn name(self) -> &'static str {
        match self {
            Type::Str => "string",
            Type::Secret => "secret",
            Type::Bool => "bool",
            Type::Int => "int",
            Type::Count => "count",
            Type::Seconds => "seconds",
            Type::Path => "path",
            Type::Object => "object",
            Type::Enum(_) => "enum",
            Type::Pair(_) => "pair",
            Type::List(_) => "list",
            Type::Inheritance => "inheritance",
            Type::RecordOr { .. } => "record_or",
            Type::Id => "id",
        }
    }
}

/// An argument of an operation, or a client setting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arg {
    /// The key in the JSON arguments (snake_case); front ends derive their own spelling (camelCase in Node).
    pub name: &'static str,
    pub ty: Type,
    pub required: bool,
    /// The default as JSON text (`"3600"`, `"2.0"`, `"false"`), when the argument has one.
    pub default: Option<&'static str>,
    /// Whether front ends take it by position (else by keyword / in an options object).
    pub positional: bool,
    /// Taken by the client, not part of the request's own data (`wait` of `ping_async`, `cltrid` of `call`): the
    /// sans-I/O `from_json` refuses it.
    pub local: bool,
    /// The key in the request's data when it is not `name` (WEDOS `type` for `rdtype`).
    pub wire: Option<&'static str>,
    /// What a value must satisfy before it is sent (a [`ErrorKind::Config`](crate::ErrorKind) error otherwise).
    pub check: Check,
    pub doc: &'static str,
}

/// A constraint on an argument's value, checked before anything is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    None,
    /// Text that is not empty (nor only blanks).
    NonEmpty,
    /// A whole number in `min..=max`; `unit` follows the range in the error (`" years"`).
    Range { min: i64, max: i64, unit: &'static str },
}

impl Arg {
    /// The model's default as a JSON value.
    pub fn default_value(&self) -> Option<serde_json::Value> {
        self.default.map(|d| serde_json::from_str(d).expect("the model's defaults are JSON"))
    }

    /// The same argument, taken by the client rather than sent.
    pub(crate) const fn local(self) -> Arg {
        Arg { local: true, ..self }
    }

    /// The same argument, sent under another key.
    pub(crate) const fn wire(self, key: &'static str) -> Arg {
        Arg { wire: Some(key), ..self }
    }

    /// The same argument, refused when empty.
    pub(crate) const fn nonempty(self) -> Arg {
        Arg { check: Check::NonEmpty, ..self }
    }

    /// The same argument, refused outside `min..=max`.
    pub(crate) const fn range(self, min: i64, max: i64, unit: &'static str) -> Arg {
        Arg { check: Check::Range { min, max, unit }, ..self }
    }

    /// The key of the argument in the request's data.
    pub fn wire_key(&self) -> &'static str {
        self.wire.unwrap_or(self.name)
    }
}

/// What an operation returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// One record of the named type.
    Record(&'static str),
    /// A list of records.
    List(&'static str),
    /// A record, or `null`.
    Optional(&'static str),
    /// A whole number (e.g. bytes written).
    Count,
    /// One record type, or another when the named argument is given (`ping_async` with `wait`).
    Either { default: &'static str, when: &'static str, then: &'static str },
}

/// How an operation is carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One request of the API (sans-I/O: `build_request`/`parse_response` handle it).
    Wire,
    /// Several requests, or a request plus local work, run by the client (`call_json` only).
    Composite,
    /// Local state of the client: no request at all (front ends may show it as a property).
    Local,
}

/// A resource handle of a client (`client.groups`, `client.dns`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleSpec {
    /// The attribute name on the client (snake_case).
    pub name: &'static str,
    /// The class name front ends give it (`AppInstances`; async twins prefix `Async`).
    pub class: &'static str,
    pub doc: &'static str,
}

/// One operation of the model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OpSpec {
    pub api: Api,
    /// The canonical name: `groups.put`, `dns.add_row`, `ping`.
    pub name: &'static str,
    /// The handle the operation belongs to (`groups`, `dns`), or `None` for the client itself.
    pub handle: Option<&'static str>,
    /// The method name on the handle (snake_case).
    pub method: &'static str,
    /// The request it sends: Velneo `PUT group`, WEDOS `dns-row-add` (empty for composites).
    pub wire: &'static str,
    pub kind: Kind,
    pub args: &'static [Arg],
    pub output: Output,
    /// Whether sending it twice has the effect of sending it once (reads, and writes that set a state). Transport
    /// retries of a non-idempotent operation are only safe when the request never reached the server.
    pub idempotent: bool,
    pub doc: &'static str,
    /// The order of the arguments in the request's data, when it is not the order of `args` (names of `args`).
    pub wire_order: Option<&'static [&'static str]>,
    /// The record of the request's own answer (what the sans-I/O `parse_response` gives), when the client's
    /// result is another: `dns.add_row` answers a `Response`, the client returns the `AddedRow` it lists after.
    pub answer: Option<&'static str>,
}

/// The operations that report their progress (bytes received so far, and the total when the server announces it)
/// to a callback of the front end: `progress` in Python, `onProgress` in Node, the bar of the command.
pub static PROGRESS_OPS: &[&str] = &["vserver.download_backup"];

/// A progress callback: `(bytes received so far, total bytes when announced)` → whether to go on. Called at most
/// every 100 ms, and once at the end; `false` stops the download (its partial file is removed).
pub type Progress = std::sync::Arc<dyn Fn(u64, Option<u64>) -> bool + Send + Sync>;

impl OpSpec {
    /// Whether the operation reports its progress (see [`PROGRESS_OPS`]).
    pub fn reports_progress(&self) -> bool {
        PROGRESS_OPS.contains(&self.name)
    }

    /// The name errors of this operation carry: `velneo groups.put`; for WEDOS the command, `wedos dns-row-add`
    /// (the operation's name where it has no single command: `wedos call`, `wedos notifications.next`).
    pub fn label(&self) -> String {
        match self.api {
            Api::Wedos if !self.wire.is_empty() && self.wire != "*" => format!("wedos {}", self.wire),
            api => format!("{} {}", api.as_str(), self.name),
        }
    }

    pub fn arg(&self, name: &str) -> Option<&'static Arg> {
        self.args.iter().find(|a| a.name == name)
    }
}

// ---- const builders for the tables ----------------------------------------------------------------------------

/// An operation: `Wire` when it names a request, `Composite` when `wire` is empty.
#[allow(clippy::too_many_arguments)]
pub(crate) const fn op(
    api: Api,
    name: &'static str,
    handle: Option<&'static str>,
    method: &'static str,
    wire: &'static str,
    args: &'static [Arg],
    output: Output,
    idempotent: bool,
    doc: &'static str,
) -> OpSpec {
    let kind = if wire.is_empty() { Kind::Composite } else { Kind::Wire };
    OpSpec { api, name, handle, method, wire, kind, args, output, idempotent, doc, wire_order: None, answer: None }
}

impl OpSpec {
    /// The same operation, its arguments sent in this order.
    pub(crate) const fn wire_order(self, names: &'static [&'static str]) -> OpSpec {
        OpSpec { wire_order: Some(names), ..self }
    }

    /// The same operation, its request's own answer being the record `record` (see [`OpSpec::answer`]).
    pub(crate) const fn answer(self, record: &'static str) -> OpSpec {
        OpSpec { answer: Some(record), ..self }
    }

    /// The result of the request's own answer: [`OpSpec::answer`] when given, else the operation's result.
    pub fn answer_output(&self) -> Output {
        match self.answer {
            Some(record) => Output::Record(record),
            None => self.output,
        }
    }

    /// The arguments sent in the request's data, in the order they are sent.
    pub fn wire_args(&self) -> Vec<&'static Arg> {
        match self.wire_order {
            Some(names) => names.iter().filter_map(|n| self.arg(n)).collect(),
            None => self.args.iter().filter(|a| !a.local).collect(),
        }
    }
}

/// A required positional argument.
pub(crate) const fn pos(name: &'static str, ty: Type, doc: &'static str) -> Arg {
    Arg { name, ty, required: true, default: None, positional: true, local: false, wire: None, check: Check::None, doc }
}

/// An optional positional argument.
pub(crate) const fn pos_opt(name: &'static str, ty: Type, doc: &'static str) -> Arg {
    Arg { name, ty, required: false, default: None, positional: true, local: false, wire: None, check: Check::None, doc }
}

/// A required keyword argument.
pub(crate) const fn kw(name: &'static str, ty: Type, doc: &'static str) -> Arg {
    Arg { name, ty, required: true, default: None, positional: false, local: false, wire: None, check: Check::None, doc }
}

/// An optional keyword argument.
pub(crate) const fn kw_opt(name: &'static str, ty: Type, doc: &'static str) -> Arg {
    Arg { name, ty, required: false, default: None, positional: false, local: false, wire: None, check: Check::None, doc }
}

/// An optional keyword argument with a default (JSON text).
pub(crate) const fn kw_def(name: &'static str, ty: Type, default: &'static str, doc: &'static str) -> Arg {
    Arg { name, ty, required: false, default: Some(default), positional: false, local: false, wire: None, check: Check::None, doc }
}

/// The model's default of the setting `name` of `api`, converted (e.g. to `f64`, `u32`, `String`). The tests of
/// the model check that every default the code reads exists and converts.
pub(crate) fn setting_default<T: serde::de::DeserializeOwned>(api: Api, name: &str) -> T {
    let value = api.setting(name).and_then(Arg::default_value);
    let value = value.unwrap_or_else(|| panic!("the model gives {} setting {name} no default", api.as_str()));
    serde_json::from_value(value).unwrap_or_else(|e| panic!("the model's default of {name}: {e}"))
}

/// [`setting_default`] as a duration (a number of seconds).
pub(crate) fn default_seconds(api: Api, name: &str) -> std::time::Duration {
    std::time::Duration::from_secs_f64(setting_default(api, name))
}

/// The settings of the HTTP layer, shared by both APIs' clients.
pub static TRANSPORT_SETTINGS: &[Arg] = &[
    kw_def(
        "timeout",
        Type::Seconds,
        "30.0",
        "seconds allowed for one attempt of a call (for a download: the longest silence between bytes)",
    ),
    kw_def("connect_timeout", Type::Seconds, "10.0", "seconds allowed to connect"),
    kw_def(
        "retries",
        Type::Count,
        "2",
        "further attempts after connect failures, and for reads and idempotent writes after timeouts and HTTP \
         5xx/429 (0 = off); a write that may have reached the server is never sent twice",
    ),
    kw_def(
        "max_response_bytes",
        Type::Count,
        "16777216",
        "the largest answer read; a larger one is a ProtocolError and is not read",
    ),
    kw_def(
        "verify",
        Type::Bool,
        "true",
        "false turns TLS certificate verification off (only for a test server you control)",
    ),
    kw_opt("ca_bundle", Type::Path, "a PEM file of extra trusted root certificates"),
    kw_opt("user_agent", Type::Str, "the User-Agent header"),
    kw_def(
        "backoff",
        Type::Pair(&Type::Seconds),
        "[0.2, 5.0]",
        "[initial, max] seconds of the retry backoff (full jitter)",
    ),
];

#[cfg(test)]
mod tests;
