//! The commands and their data: `Call`, checked against the operation model.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::wedos::records::*;

macro_rules! operations {
    ($($variant:ident => $name:literal, $command:literal;)*) => {
        /// The typed operations, plus [`Operation::Call`] for any other command.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Operation { $($variant,)* }

        impl Operation {
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)*];

            /// The canonical name, e.g. `dns.add_row` (vectors, bindings, command line).
            pub fn name(self) -> &'static str {
                match self { $(Operation::$variant => $name,)* }
            }

            /// The WAPI command (empty for [`Operation::Call`], whose command is an argument).
            pub fn command(self) -> &'static str {
                match self { $(Operation::$variant => $command,)* }
            }

            pub fn from_name(name: &str) -> Option<Operation> {
                match name { $($name => Some(Operation::$variant),)* _ => None }
            }
        }
    };
}

operations! {
    Ping => "ping", "ping";
    PingAsync => "ping_async", "ping-async";
    CreditInfo => "credit_info", "credit-info";
    DomainsList => "domains.list", "domains-list";
    DomainInfo => "domains.info", "domain-info";
    DomainCheck => "domains.check", "domain-check";
    DomainTransferCheck => "domains.transfer_check", "domain-transfer-check";
    DomainCreate => "domains.create", "domain-create";
    DomainRenew => "domains.renew", "domain-renew";
    DnsDomainInfo => "dns.domain_info", "dns-domain-info";
    DnsRowDetail => "dns.row_detail", "dns-row-detail";
    DnsDomainsList => "dns.domains", "dns-domains-list";
    DnsRowsList => "dns.rows", "dns-rows-list";
    DnsRowAdd => "dns.add_row", "dns-row-add";
    DnsRowUpdate => "dns.update_row", "dns-row-update";
    DnsRowDelete => "dns.delete_row", "dns-row-delete";
    DnsDomainCommit => "dns.commit", "dns-domain-commit";
    PollReq => "notifications.poll", "poll-req";
    PollAck => "notifications.ack", "poll-ack";
    Call => "call", "";
}

impl Operation {
    /// The operation's entry in the operation model.
    pub fn spec(self) -> &'static crate::ops::OpSpec {
        crate::ops::Api::Wedos.op(self.name()).expect("every WEDOS operation is in the operation model")
    }
}

/// One command with its data. Each variant is the operation of the model its serde name names, its fields the
/// operation's arguments (serde names as in the model): `from_json` reads a call from the checked arguments, and
/// [`Call::data`] puts its arguments on the wire as the model says (wire keys, order and constraints). A command
/// of the model without a variant here is a [`Call::Model`]: nothing in this file names a command's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Call {
    #[serde(rename = "ping")]
    Ping,
    #[serde(rename = "ping_async")]
    PingAsync,
    #[serde(rename = "credit_info")]
    CreditInfo,
    #[serde(rename = "domains.list")]
    DomainsList {
        #[serde(default)]
        status: Option<String>,
    },
    #[serde(rename = "domains.info")]
    DomainInfo { name: String },
    #[serde(rename = "domains.check")]
    DomainCheck { name: String },
    #[serde(rename = "domains.transfer_check")]
    DomainTransferCheck { name: String },
    /// `domain-create`: asynchronous (1001), the result comes as a notification.
    #[serde(rename = "domains.create")]
    DomainCreate {
        name: String,
        period: u32,
        owner_c: String,
        #[serde(default)]
        nsset: Option<String>,
    },
    #[serde(rename = "domains.renew")]
    DomainRenew { name: String, period: u32 },
    #[serde(rename = "dns.domain_info")]
    DnsDomainInfo {
        #[serde(rename = "domain")]
        name: String,
    },
    #[serde(rename = "dns.row_detail")]
    DnsRowDetail { domain: String, row_id: i64 },
    #[serde(rename = "dns.domains")]
    DnsDomainsList,
    #[serde(rename = "dns.rows")]
    DnsRowsList { domain: String },
    #[serde(rename = "dns.add_row")]
    DnsRowAdd(NewDnsRow),
    #[serde(rename = "dns.update_row")]
    DnsRowUpdate { domain: String, row_id: i64, ttl: u32, rdata: String },
    #[serde(rename = "dns.delete_row")]
    DnsRowDelete { domain: String, row_id: i64 },
    #[serde(rename = "dns.commit")]
    DnsDomainCommit {
        #[serde(rename = "domain")]
        name: String,
    },
    #[serde(rename = "notifications.poll")]
    PollReq,
    #[serde(rename = "notifications.ack")]
    PollAck { id: String },
    /// Any command, with its `data` object.
    #[serde(rename = "call")]
    Generic {
        command: String,
        #[serde(default)]
        data: Option<Value>,
    },
    /// A command of the operation model that has no variant of its own: its canonical arguments (see
    /// [`ops::Args::canonical`](crate::ops::Args::canonical)), sent and read as the model says.
    #[serde(skip)]
    Model { spec: &'static crate::ops::OpSpec, args: Map<String, Value> },
}

/// The TTL range WAPI accepts for DNS rows.
pub const TTL_RANGE: std::ops::RangeInclusive<u32> = 300..=172_800;

impl Call {
    pub fn operation(&self) -> Operation {
        match self {
            Call::Ping => Operation::Ping,
            Call::PingAsync => Operation::PingAsync,
            Call::CreditInfo => Operation::CreditInfo,
            Call::DomainsList { .. } => Operation::DomainsList,
            Call::DomainInfo { .. } => Operation::DomainInfo,
            Call::DomainCheck { .. } => Operation::DomainCheck,
            Call::DomainTransferCheck { .. } => Operation::DomainTransferCheck,
            Call::DomainCreate { .. } => Operation::DomainCreate,
            Call::DomainRenew { .. } => Operation::DomainRenew,
            Call::DnsDomainInfo { .. } => Operation::DnsDomainInfo,
            Call::DnsRowDetail { .. } => Operation::DnsRowDetail,
            Call::DnsDomainsList => Operation::DnsDomainsList,
            Call::DnsRowsList { .. } => Operation::DnsRowsList,
            Call::DnsRowAdd(_) => Operation::DnsRowAdd,
            Call::DnsRowUpdate { .. } => Operation::DnsRowUpdate,
            Call::DnsRowDelete { .. } => Operation::DnsRowDelete,
            Call::DnsDomainCommit { .. } => Operation::DnsDomainCommit,
            Call::PollReq => Operation::PollReq,
            Call::PollAck { .. } => Operation::PollAck,
            Call::Generic { .. } | Call::Model { .. } => Operation::Call,
        }
    }

    /// The WAPI command name.
    pub fn command(&self) -> &str {
        match self {
            Call::Generic { command, .. } => command,
            Call::Model { spec, .. } => spec.wire,
            other => other.operation().command(),
        }
    }

    /// Whether sending this request twice has the effect of sending it once (the operation model's flag; a
    /// generic call counts as the model's operation of its command, else as not idempotent). The transport
    /// retries a request that may have reached the server only when it is.
    pub fn idempotent(&self) -> bool {
        let command = self.command();
        crate::ops::Api::Wedos.ops().iter().find(|o| o.wire == command).is_some_and(|o| o.idempotent)
    }

    /// The name errors carry: `wedos dns-row-add`.
    pub fn label(&self) -> String {
        format!("wedos {}", self.command())
    }

    /// The operation's entry in the model (`None` for a generic call).
    pub fn spec(&self) -> Option<&'static crate::ops::OpSpec> {
        match self {
            Call::Generic { .. } => None,
            Call::Model { spec, .. } => Some(spec),
            other => Some(other.operation().spec()),
        }
    }

    /// The call's arguments in their canonical JSON (the model's names).
    fn args(&self) -> Result<Map<String, Value>> {
        match self {
            Call::Model { args, .. } => Ok(args.clone()),
            typed => match serde_json::to_value(typed) {
                Ok(Value::Object(tagged)) => match tagged.into_iter().next().map(|(_, v)| v) {
                    Some(Value::Object(args)) => Ok(args),
                    _ => Err(Error::config(self.label(), "arguments that are not an object")),
                },
                // A variant without arguments.
                Ok(_) => Ok(Map::new()),
                Err(e) => Err(Error::config(self.label(), format!("cannot read the arguments: {e}"))),
            },
        }
    }

    /// The `data` object of the request, as the model puts the arguments on the wire (checked: a bad argument is
    /// a [`ErrorKind::Config`](crate::ErrorKind) error).
    pub fn data(&self) -> Result<Option<Value>> {
        let label = self.label();
        match (self, self.spec()) {
            (Call::Generic { command, data }, _) => {
                check_command(&label, command)?;
                match data {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::Object(o)) => Ok(Some(Value::Object(o.clone()))),
                    Some(_) => Err(Error::config(&label, "data must be a JSON object")),
                }
            }
            (_, Some(spec)) => crate::ops::wire_data(spec, &label, &self.args()?),
            (_, None) => Ok(None),
        }
    }

    /// Builds a call from its canonical operation name and snake_case JSON arguments (see
    /// `tests/vectors/README.md`).
    pub fn from_json(operation: &str, args: &Value) -> Result<Call> {
        let spec = match crate::ops::Api::Wedos.op(operation) {
            Some(spec) if spec.kind == crate::ops::Kind::Wire => spec,
            Some(_) => {
                let message = format!("{operation} is not a single request: run it with Client::call_json");
                return Err(Error::config("wedos", message));
            }
            None => return Err(Error::config("wedos", format!("unknown operation {operation:?}"))),
        };
        let a = crate::ops::check_args(spec, &spec.label(), args, true)?;
        let canonical = a.canonical();
        let Some(op) = Operation::from_name(operation) else {
            return Ok(Call::Model { spec, args: canonical });
        };
        // The variant named by the operation, its fields read from the canonical arguments.
        let tagged = if spec.args.iter().all(|a| a.local) {
            Value::String(op.name().to_owned())
        } else {
            let mut m = Map::new();
            m.insert(op.name().to_owned(), Value::Object(canonical));
            Value::Object(m)
        };
        serde_json::from_value(tagged).map_err(|e| Error::config(spec.label(), e.to_string()))
    }
}

fn check_command(label: &str, command: &str) -> Result<()> {
    let ok = !command.is_empty()
        && command.len() <= 64
        && command.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::config(label, format!("{command:?} is not a WAPI command name (lower-case letters, digits, '-')")))
    }
}
