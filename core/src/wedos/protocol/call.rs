//! The commands and their data: `Call`, checked against the operation model.

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

/// One command with its data.
#[derive(Clone, Debug, PartialEq)]
pub enum Call {
    Ping,
    PingAsync,
    CreditInfo,
    DomainsList {
        status: Option<String>,
    },
    DomainInfo {
        name: String,
    },
    DomainCheck {
        name: String,
    },
    DomainTransferCheck {
        name: String,
    },
    /// `domain-create`: asynchronous (1001), the result comes as a notification.
    DomainCreate {
        name: String,
        period: u32,
        owner_c: String,
        nsset: Option<String>,
    },
    DomainRenew {
        name: String,
        period: u32,
    },
    DnsDomainInfo {
        name: String,
    },
    DnsRowDetail {
        domain: String,
        row_id: i64,
    },
    DnsDomainsList,
    DnsRowsList {
        domain: String,
    },
    DnsRowAdd(NewDnsRow),
    DnsRowUpdate {
        domain: String,
        row_id: i64,
        ttl: u32,
        rdata: String,
    },
    DnsRowDelete {
        domain: String,
        row_id: i64,
    },
    DnsDomainCommit {
        name: String,
    },
    PollReq,
    PollAck {
        id: String,
    },
    /// Any command, with its `data` object.
    Generic {
        command: String,
        data: Option<Value>,
    },
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
            Call::Generic { .. } => Operation::Call,
        }
    }

    /// The WAPI command name.
    pub fn command(&self) -> &str {
        match self {
            Call::Generic { command, .. } => command,
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

    /// The `data` object of the request (checked: a bad argument is a [`ErrorKind::Config`] error).
    pub fn data(&self) -> Result<Option<Value>> {
        let label = self.label();
        let need = |key: &str, v: &str| -> Result<()> {
            if v.trim().is_empty() {
                Err(Error::config(&label, format!("{key} must not be empty")))
            } else {
                Ok(())
            }
        };
        let ttl_ok = |ttl: u32| -> Result<()> {
            if TTL_RANGE.contains(&ttl) {
                Ok(())
            } else {
                Err(Error::config(&label, format!("ttl {ttl} is outside {}-{}", TTL_RANGE.start(), TTL_RANGE.end())))
            }
        };
        let period_ok = |years: u32| -> Result<()> {
            if (1..=10).contains(&years) {
                Ok(())
            } else {
                Err(Error::config(&label, format!("period {years} is outside 1-10 years")))
            }
        };
        let mut m = Map::new();
        match self {
            Call::Ping | Call::PingAsync | Call::CreditInfo | Call::DnsDomainsList | Call::PollReq => return Ok(None),
            Call::DomainsList { status } => match status {
                Some(s) => {
                    need("status", s)?;
                    m.insert("status".into(), s.as_str().into());
                }
                None => return Ok(None),
            },
            Call::DomainInfo { name }
            | Call::DomainCheck { name }
            | Call::DomainTransferCheck { name }
            | Call::DnsDomainInfo { name }
            | Call::DnsDomainCommit { name } => {
                need("name", name)?;
                m.insert("name".into(), name.as_str().into());
            }
            Call::DomainCreate { name, period, owner_c, nsset } => {
                need("name", name)?;
                need("owner_c", owner_c)?;
                period_ok(*period)?;
                m.insert("name".into(), name.as_str().into());
                m.insert("period".into(), (*period).into());
                m.insert("owner_c".into(), owner_c.as_str().into());
                if let Some(n) = nsset {
                    need("nsset", n)?;
                    m.insert("nsset".into(), n.as_str().into());
                }
            }
            Call::DomainRenew { name, period } => {
                need("name", name)?;
                period_ok(*period)?;
                m.insert("name".into(), name.as_str().into());
                m.insert("period".into(), (*period).into());
            }
            Call::DnsRowDetail { domain, row_id } => {
                need("domain", domain)?;
                m.insert("domain".into(), domain.as_str().into());
                m.insert("row_id".into(), (*row_id).into());
            }
            Call::DnsRowsList { domain } => {
                need("domain", domain)?;
                m.insert("domain".into(), domain.as_str().into());
            }
            Call::DnsRowAdd(row) => {
                need("domain", &row.domain)?;
                need("type", &row.rdtype)?;
                need("rdata", &row.rdata)?;
                ttl_ok(row.ttl)?;
                m.insert("domain".into(), row.domain.as_str().into());
                m.insert("name".into(), row.name.as_str().into());
                m.insert("ttl".into(), row.ttl.into());
                m.insert("type".into(), row.rdtype.as_str().into());
                m.insert("rdata".into(), row.rdata.as_str().into());
                if let Some(c) = &row.comment {
                    m.insert("auth_comment".into(), c.as_str().into());
                }
            }
            Call::DnsRowUpdate { domain, row_id, ttl, rdata } => {
                need("domain", domain)?;
                need("rdata", rdata)?;
                ttl_ok(*ttl)?;
                m.insert("domain".into(), domain.as_str().into());
                m.insert("row_id".into(), (*row_id).into());
                m.insert("ttl".into(), (*ttl).into());
                m.insert("rdata".into(), rdata.as_str().into());
            }
            Call::DnsRowDelete { domain, row_id } => {
                need("domain", domain)?;
                m.insert("domain".into(), domain.as_str().into());
                m.insert("row_id".into(), (*row_id).into());
            }
            Call::PollAck { id } => {
                need("id", id)?;
                // Queue ids are numerical: sent as a JSON number when they are digits.
                let v = match id.parse::<u64>() {
                    Ok(n) if !id.starts_with('0') || id == "0" => Value::from(n),
                    _ => Value::from(id.as_str()),
                };
                m.insert("id".into(), v);
            }
            Call::Generic { command, data } => {
                check_command(&label, command)?;
                return match data {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::Object(o)) => Ok(Some(Value::Object(o.clone()))),
                    Some(_) => Err(Error::config(&label, "data must be a JSON object")),
                };
            }
        }
        Ok(Some(Value::Object(m)))
    }

    /// Builds a call from its canonical operation name and snake_case JSON arguments (see
    /// `tests/vectors/README.md`).
    pub fn from_json(operation: &str, args: &Value) -> Result<Call> {
        let Some(op) = Operation::from_name(operation) else {
            let message = match crate::ops::Api::Wedos.op(operation) {
                Some(_) => format!("{operation} is not a single request: run it with Client::call_json"),
                None => format!("unknown operation {operation:?}"),
            };
            return Err(Error::config("wedos", message));
        };
        let label = format!("wedos {}", if op == Operation::Call { "call" } else { op.command() });
        let a = crate::ops::check_args(op.spec(), &label, args, true)?;
        let (s, req, int) = (|key: &str| a.str(key), |key: &str| a.req_str(key), |key: &str| a.req_int(key));
        // Counts with the model's default when not given (a period of 1 year, a TTL of 3600 s).
        let count = |key: &str| a.u32(key)?.ok_or_else(|| Error::config(&label, format!("missing argument {key:?}")));
        Ok(match op {
            Operation::Ping => Call::Ping,
            Operation::PingAsync => Call::PingAsync,
            Operation::CreditInfo => Call::CreditInfo,
            Operation::DomainsList => Call::DomainsList { status: s("status") },
            Operation::DomainInfo => Call::DomainInfo { name: req("name")? },
            Operation::DomainCheck => Call::DomainCheck { name: req("name")? },
            Operation::DomainTransferCheck => Call::DomainTransferCheck { name: req("name")? },
            Operation::DomainCreate => Call::DomainCreate {
                name: req("name")?,
                period: count("period")?,
                owner_c: req("owner_c")?,
                nsset: s("nsset"),
            },
            Operation::DomainRenew => Call::DomainRenew { name: req("name")?, period: count("period")? },
            Operation::DnsDomainInfo => Call::DnsDomainInfo { name: req("domain")? },
            Operation::DnsRowDetail => Call::DnsRowDetail { domain: req("domain")?, row_id: int("row_id")? },
            Operation::DnsDomainsList => Call::DnsDomainsList,
            Operation::DnsRowsList => Call::DnsRowsList { domain: req("domain")? },
            Operation::DnsRowAdd => Call::DnsRowAdd(NewDnsRow {
                domain: req("domain")?,
                name: req("name")?,
                ttl: count("ttl")?,
                rdtype: req("rdtype")?,
                rdata: req("rdata")?,
                comment: s("comment"),
            }),
            Operation::DnsRowUpdate => Call::DnsRowUpdate {
                domain: req("domain")?,
                row_id: int("row_id")?,
                ttl: count("ttl")?,
                rdata: req("rdata")?,
            },
            Operation::DnsRowDelete => Call::DnsRowDelete { domain: req("domain")?, row_id: int("row_id")? },
            Operation::DnsDomainCommit => Call::DnsDomainCommit { name: req("domain")? },
            Operation::PollReq => Call::PollReq,
            Operation::PollAck => Call::PollAck { id: req("id")? },
            Operation::Call => Call::Generic { command: req("command")?, data: a.value("data") },
        })
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
