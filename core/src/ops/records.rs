//! The records operations return: their fields in the canonical JSON of results (what `call_json` returns and the
//! vectors pin). Front ends generate their record types from this table.

use super::Api;

/// The JSON type of a record field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Str,
    Int,
    Float,
    Bool,
    /// A list of strings.
    StrList,
    /// The answer's object as received (keys as the API sends them).
    Raw,
    /// Any JSON value (a WEDOS `data` object as the server sent it).
    Any,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Str => "string",
            FieldType::Int => "int",
            FieldType::Float => "float",
            FieldType::Bool => "bool",
            FieldType::StrList => "string_list",
            FieldType::Raw => "raw",
            FieldType::Any => "any",
        }
    }
}

/// One field of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The key in the canonical JSON (snake_case).
    pub name: &'static str,
    pub ty: FieldType,
    /// Whether it may be `null`.
    pub optional: bool,
    /// A secret (a session token): front ends never show it whole.
    pub secret: bool,
    /// The value front ends give it when a record is built without it (JSON text), if any.
    pub default: Option<&'static str>,
    /// The keys it is read from in an answer, the first present winning (case-insensitively); empty: its name.
    pub from: &'static [&'static str],
    /// Its value (JSON text) when an answer lacks it; a required field without one makes the answer invalid.
    pub missing: Option<&'static str>,
    pub doc: &'static str,
}

/// A record type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordSpec {
    pub api: Api,
    pub name: &'static str,
    pub doc: &'static str,
    pub fields: &'static [Field],
    /// The key of an answer's `data` that holds records of this type (WEDOS `row`, `domain`), if any.
    pub items: Option<&'static str>,
}

const fn f(name: &'static str, ty: FieldType, doc: &'static str) -> Field {
    Field { name, ty, optional: false, secret: false, default: None, from: &[], missing: None, doc }
}

const fn o(name: &'static str, ty: FieldType, doc: &'static str) -> Field {
    Field { name, ty, optional: true, secret: false, default: None, from: &[], missing: None, doc }
}

impl Field {
    const fn secret(self) -> Field {
        Field { secret: true, ..self }
    }

    const fn default(self, json: &'static str) -> Field {
        Field { default: Some(json), ..self }
    }

    const fn from(self, keys: &'static [&'static str]) -> Field {
        Field { from: keys, ..self }
    }

    const fn missing(self, json: &'static str) -> Field {
        Field { missing: Some(json), ..self }
    }
}

use FieldType::*;

const RAW: Field = f("raw", Raw, "the answer's object as received");

/// Every record of both APIs.
pub static RECORDS: &[RecordSpec] = &[
    RecordSpec {
        api: Api::Velneo,
        name: "Session",
        doc: "The answer to a login: the session id (a bearer token; never shown whole).",
        fields: &[f("session", Str, "the session id (a bearer token)").secret()],
        items: None,
    },
    RecordSpec {
        api: Api::Velneo,
        name: "Ack",
        doc: "An acknowledgement of a change.",
        fields: &[f("status_code", Int, "200 on success"), o("message", Str, "the API's message")],
        items: None,
    },
    RecordSpec {
        api: Api::Velneo,
        name: "InstanceCreated",
        doc: "The answer to an instance put: its unique id.",
        fields: &[
            f("status_code", Int, "200 on success"),
            o("message", Str, "the API's message"),
            o("id", Str, "the instance's unique id (id_instancia), as text"),
        ],
        items: None,
    },
    RecordSpec {
        api: Api::Velneo,
        name: "VServerStatus",
        doc: "The vServer's state.",
        fields: &[
            f("status", Str, "\"running\" or \"stopped\" (as sent)"),
            o("vrl", Str, "the connection VRL, e.g. vatps://c3.velneo.com:6070"),
            o("version", Str, "the vServer version, e.g. 25.0.4"),
            RAW,
        ],
        items: None,
    },
    RecordSpec {
        api: Api::Velneo,
        name: "Backup",
        doc: "A backup started by vserver.backup: its download link.",
        fields: &[f("url", Str, "the download link")],
        items: None,
    },
    RecordSpec {
        api: Api::Velneo,
        name: "Group",
        doc: "A group of vServer users.",
        fields: &[
            f("name", Str, "the group's name"),
            o("code", Int, "its numeric code (codigo)"),
            o("can_delete_sites", Bool, "whether its users may delete sites (puedeBorrarSitios)"),
            o("can_create_sites", Bool, "whether its users may create sites (puedeCrearSitios)"),
            o("can_run_with_data_client", Bool, "whether its users may run with the data client (puedeEjecutarConDataClient)"),
            RAW,
        ],
        items: None,
    },
    RecordSpec {
        api: Api::Velneo,
        name: "User",
        doc: "A vServer user.",
        fields: &[
            f("name", Str, "the login name"),
            o("full_name", Str, "the full name"),
            o("email", Str, "the e-mail address"),
            o("code", Int, "its numeric code (codigo)"),
            o("locked", Bool, "whether the user is locked (bloqueado)"),
            o("disabled", Bool, "whether the user is disabled (desactivado)"),
            o("must_change_password", Bool, "whether the user must change the password (debeCambiarPassword)"),
            o("password_never_expires", Bool, "whether the password never expires (passwordNuncaCaduca)"),
            o("is_supervisor", Bool, "whether the user is a supervisor (esSupervisor)"),
            o("groups", StrList, "the user's groups (grupos; only filled by users.get)"),
            o("notes", Str, "notes (observaciones)"),
            RAW,
        ],
        items: None,
    },
    RecordSpec {
        api: Api::Velneo,
        name: "Folder",
        doc: "A shared folder.",
        fields: &[f("name", Str, "the folder's name"), o("path", Str, "its path"), RAW],
        items: None,
    },
    RecordSpec {
        api: Api::Velneo,
        name: "AppInstance",
        doc: "An application instance.",
        fields: &[
            f("name", Str, "the instance's name"),
            o("project", Str, "the project (proyecto)"),
            o("solution", Str, "the solution (solucion)"),
            RAW,
        ],
        items: None,
    },
    RecordSpec {
        api: Api::Velneo,
        name: "DataInstance",
        doc: "A data instance.",
        fields: &[
            f("name", Str, "the instance's name"),
            o("project", Str, "the project (proyecto)"),
            o("solution", Str, "the solution (solucion)"),
            o("path", Str, "its directory (ruta), e.g. datos/cliente1"),
            RAW,
        ],
        items: None,
    },
    RecordSpec {
        api: Api::Wedos,
        name: "Response",
        doc: "A WAPI response envelope with a success code (below 2000).",
        fields: &[
            f("code", Int, "the return code (1000 OK, 1001 pending, …)"),
            f("result", Str, "the code's text"),
            o("timestamp", Int, "the server's time of the answer, Unix seconds"),
            o("cltrid", Str, "the clTRID echoed"),
            o("svtrid", Str, "the server's transaction id"),
            o("command", Str, "the command answered"),
            f("test", Bool, "whether the request ran in test mode (validated only, nothing changed)").default("false"),
            o("data", Any, "the answer's data as sent"),
        ],
        items: None,
    },
    RecordSpec {
        api: Api::Wedos,
        name: "Pending",
        doc: "An asynchronous request the server accepted (1001); its result comes as a notification.",
        fields: &[f("command", Str, "the command"), o("cltrid", Str, "its clTRID"), o("svtrid", Str, "its svTRID")],
        items: None,
    },
    RecordSpec {
        api: Api::Wedos,
        name: "Credit",
        doc: "credit-info: the account's credit.",
        fields: &[o("amount", Float, "the credit").from(&["amount", "credit"]), o("currency", Str, "its currency, e.g. CZK"), RAW],
        items: None,
    },
    RecordSpec {
        api: Api::Wedos,
        name: "Domain",
        doc: "A domain of the account.",
        fields: &[
            f("name", Str, "the domain name"),
            o("status", Str, "its status, e.g. active"),
            o("expiration", Str, "its expiration date").from(&["expiration", "expire"]),
            RAW,
        ],
        items: Some("domain"),
    },
    RecordSpec {
        api: Api::Wedos,
        name: "DomainCheck",
        doc: "domain-check: whether a domain can be registered.",
        fields: &[
            f("name", Str, "the domain checked"),
            f("available", Bool, "whether it can be registered (code 1000)"),
            f("code", Int, "1000 available; 3201 registered; 3202-3206 not available"),
            f("result", Str, "the code's text"),
        ],
        items: None,
    },
    RecordSpec {
        api: Api::Wedos,
        name: "TransferCheck",
        doc: "domain-transfer-check: whether a domain can be transferred to the account.",
        fields: &[
            f("name", Str, "the domain checked"),
            f("transferable", Bool, "whether it can be transferred (code 1000)"),
            f("code", Int, "1000 transferable; 32xx why not"),
            f("result", Str, "the code's text"),
        ],
        items: None,
    },
    RecordSpec {
        api: Api::Wedos,
        name: "DnsDomain",
        doc: "A DNS zone hosted at WEDOS.",
        fields: &[
            f("name", Str, "the zone"),
            o("status", Str, "its status"),
            o("kind", Str, "its type (primary, secondary)").from(&["type"]),
            RAW,
        ],
        items: Some("domain"),
    },
    RecordSpec {
        api: Api::Wedos,
        name: "DnsRow",
        doc: "A row of a DNS zone.",
        fields: &[
            f("id", Int, "the row's id (ID), used by dns.update_row and dns.delete_row").from(&["ID", "row_id"]),
            f("name", Str, "its name relative to the zone (\"\" = the apex)").missing("\"\""),
            o("ttl", Int, "its TTL, seconds"),
            f("rdtype", Str, "its type").from(&["rdtype", "type"]),
            f("rdata", Str, "its data"),
            o("changed_date", Str, "when it last changed"),
            o("author_comment", Str, "its comment").from(&["author_comment", "auth_comment"]),
            RAW,
        ],
        items: Some("row"),
    },
    RecordSpec {
        api: Api::Wedos,
        name: "AddedRow",
        doc: "dns.add_row: the row as the zone lists it after the add, with the server's answer to the add. In test \
              mode nothing is added: id is null and the row's fields are those sent.",
        fields: &[
            o("id", Int, "the new row's id, used by dns.update_row and dns.delete_row (null in test mode)"),
            f("name", Str, "its name relative to the zone (\"\" = the apex)"),
            o("ttl", Int, "its TTL, seconds"),
            f("rdtype", Str, "its type"),
            f("rdata", Str, "its data"),
            o("changed_date", Str, "when it last changed"),
            o("author_comment", Str, "its comment"),
            f("raw", Raw, "the row's object as the zone listed it (empty when not listed)"),
            f("code", Int, "the add's return code (1000 OK)"),
            f("result", Str, "the code's text"),
            o("timestamp", Int, "the server's time of the answer, Unix seconds"),
            o("cltrid", Str, "the clTRID echoed"),
            o("svtrid", Str, "the server's transaction id"),
            o("command", Str, "the command answered"),
            f("test", Bool, "whether the request ran in test mode (validated only, nothing added)").default("false"),
            o("data", Any, "the answer's data as sent"),
        ],
        items: None,
    },
    RecordSpec {
        api: Api::Wedos,
        name: "Notification",
        doc: "A notification of the POLL queue, or POSTed to the account's notification URL.",
        fields: &[
            o("id", Str, "the queue id (ID/id), used by notifications.ack").from(&["ID", "id"]),
            f("code", Int, "the result's code"),
            f("result", Str, "the code's text").missing("\"\""),
            o("timestamp", Int, "when it was made, Unix seconds"),
            o("cltrid", Str, "the clTRID of the request it answers").from(&["clTRID"]),
            o("svtrid", Str, "the svTRID of the request it answers").from(&["svTRID"]),
            o("command", Str, "the command it answers"),
            o("data", Any, "the result's data"),
            RAW,
        ],
        items: Some("notify"),
    },
];

impl RecordSpec {
    /// Reads a record of this type from an object of an answer: each field from its keys (see [`Field::from`]),
    /// in its canonical JSON (numbers sent as text read as numbers, and the other way round); `None` when a
    /// required field is absent and has no [`Field::missing`] value.
    pub fn decode(&self, obj: &serde_json::Map<String, serde_json::Value>) -> Option<serde_json::Value> {
        use crate::json;
        use serde_json::Value;
        let mut out = serde_json::Map::new();
        for f in self.fields {
            let keys: &[&str] = if f.from.is_empty() { std::slice::from_ref(&f.name) } else { f.from };
            let value = match f.ty {
                Raw => Some(Value::Object(obj.clone())),
                Any => json::field(obj, keys).cloned(),
                Str => json::string(obj, keys).map(Value::from),
                Int => json::int(obj, keys).map(Value::from),
                Float => json::float(obj, keys).map(Value::from),
                Bool => json::boolean(obj, keys).map(Value::from),
                StrList => json::field(obj, keys)
                    .and_then(Value::as_array)
                    .map(|items| items.iter().filter_map(json::scalar_string).map(Value::from).collect()),
            };
            let value = match (value, f.missing) {
                (Some(v), _) => v,
                (None, Some(m)) => serde_json::from_str(m).expect("the model's missing values are JSON"),
                (None, None) if f.optional => Value::Null,
                (None, None) => return None,
            };
            out.insert(f.name.to_owned(), value);
        }
        Some(Value::Object(out))
    }
}

impl Api {
    /// The records of this API.
    pub fn records(self) -> impl Iterator<Item = &'static RecordSpec> {
        RECORDS.iter().filter(move |r| r.api == self)
    }

    /// The record called `name`.
    pub fn record(self, name: &str) -> Option<&'static RecordSpec> {
        self.records().find(|r| r.name == name)
    }
}
