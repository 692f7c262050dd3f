//! Typed WEDOS WAPI results. Numeric fields arrive as numbers or strings; both are read.

use serde::Serialize;
use serde_json::{Map, Value};

pub type RawObject = Map<String, Value>;

/// A WAPI response envelope (`{"response": {…}}`) with a success code (below 2000).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Response {
    pub code: i64,
    pub result: String,
    /// Server time of the answer, Unix seconds.
    pub timestamp: Option<i64>,
    pub cltrid: Option<String>,
    pub svtrid: Option<String>,
    pub command: Option<String>,
    /// Whether the request ran in test mode (validated only, nothing changed).
    pub test: bool,
    pub data: Option<Value>,
}

impl Response {
    /// A success the client concludes without the server's answer (a lost answer reconciled, an acknowledgement
    /// served from the client's spool): `code` and `result` say so; no server transaction id, no data.
    pub(crate) fn concluded(code: i64, result: &str, command: &str, timestamp: Option<i64>) -> Response {
        Response {
            code,
            result: result.to_owned(),
            timestamp,
            cltrid: None,
            svtrid: None,
            command: Some(command.to_owned()),
            test: false,
            data: None,
        }
    }
}

/// An asynchronous request the server accepted (`1001 Request pending`); its result comes as a notification
/// carrying the same `clTRID`/`svTRID`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pending {
    pub command: String,
    pub cltrid: Option<String>,
    pub svtrid: Option<String>,
}

/// `credit-info`.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Credit {
    pub amount: Option<f64>,
    pub currency: Option<String>,
    pub raw: RawObject,
}

/// A domain of the account (`domains-list`, `domain-info`).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Domain {
    pub name: String,
    pub status: Option<String>,
    pub expiration: Option<String>,
    pub raw: RawObject,
}

/// `domain-check`: 1000 = available; 3201 registered, 3202–3206 not available.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DomainCheck {
    pub name: String,
    pub available: bool,
    pub code: i64,
    pub result: String,
}

/// `domain-transfer-check`: whether a domain can be transferred to the account (1000); 32xx codes say why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TransferCheck {
    pub name: String,
    pub transferable: bool,
    pub code: i64,
    pub result: String,
}

/// A DNS zone hosted at WEDOS (`dns-domains-list`).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct DnsDomain {
    pub name: String,
    pub status: Option<String>,
    /// The zone's `type` (e.g. `primary`).
    pub kind: Option<String>,
    pub raw: RawObject,
}

/// A row of a DNS zone (`dns-rows-list`).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct DnsRow {
    /// `ID`: the row id used by update and delete.
    pub id: i64,
    /// Relative to the zone; `""` is the apex.
    pub name: String,
    pub ttl: Option<i64>,
    pub rdtype: String,
    pub rdata: String,
    pub changed_date: Option<String>,
    pub author_comment: Option<String>,
    pub raw: RawObject,
}

/// The answer to `dns.add_row`: the row as the zone lists it after the add (`id` is the one `update_row` and
/// `delete_row` take), with the server's answer to the add (`code`, `result`, …, the fields of a [`Response`], so
/// code written for the `Response` an add returned before keeps working). In test mode nothing is added: `id` is
/// `None` and the row's fields are those sent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AddedRow {
    /// The new row's id; `None` in test mode (or when the zone does not list the row right after the add).
    pub id: Option<i64>,
    pub name: String,
    pub ttl: Option<i64>,
    pub rdtype: String,
    pub rdata: String,
    pub changed_date: Option<String>,
    pub author_comment: Option<String>,
    /// The row's object as the zone listed it (empty when it was not listed).
    pub raw: RawObject,
    pub code: i64,
    pub result: String,
    pub timestamp: Option<i64>,
    pub cltrid: Option<String>,
    pub svtrid: Option<String>,
    pub command: Option<String>,
    pub test: bool,
    pub data: Option<Value>,
}

impl AddedRow {
    /// The row `listed` (else the one `sent`, without an id) with the answer `answer`.
    pub(crate) fn new(sent: &NewDnsRow, listed: Option<DnsRow>, answer: Response) -> AddedRow {
        let id = listed.as_ref().map(|r| r.id);
        let row = listed.unwrap_or_else(|| DnsRow {
            id: 0,
            name: sent.name.clone(),
            ttl: Some(i64::from(sent.ttl)),
            rdtype: sent.rdtype.clone(),
            rdata: sent.rdata.clone(),
            changed_date: None,
            author_comment: sent.comment.clone(),
            raw: RawObject::new(),
        });
        let Response { code, result, timestamp, cltrid, svtrid, command, test, data } = answer;
        AddedRow {
            id,
            name: row.name,
            ttl: row.ttl,
            rdtype: row.rdtype,
            rdata: row.rdata,
            changed_date: row.changed_date,
            author_comment: row.author_comment,
            raw: row.raw,
            code,
            result,
            timestamp,
            cltrid,
            svtrid,
            command,
            test,
            data,
        }
    }
}

/// A notification: the progress or result of an asynchronous request, from the POLL queue or an HTTP POST to
/// the account's notification URL.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Notification {
    /// The queue id (`ID`/`id`), used by `poll-ack`.
    pub id: Option<String>,
    pub code: i64,
    pub result: String,
    pub timestamp: Option<i64>,
    pub cltrid: Option<String>,
    pub svtrid: Option<String>,
    pub command: Option<String>,
    pub data: Option<Value>,
    pub raw: RawObject,
}

impl Notification {
    /// Whether this notification belongs to `pending` (same `svTRID`, or same `clTRID`).
    pub fn answers(&self, pending: &Pending) -> bool {
        let same = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(x), Some(y)) if x == y);
        same(&self.svtrid, &pending.svtrid) || same(&self.cltrid, &pending.cltrid)
    }

    /// A success code (below 2000).
    pub fn is_success(&self) -> bool {
        self.code < 2000
    }
}

/// A new DNS row for `dns-row-add` (serde names as the model's arguments of `dns.add_row`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NewDnsRow {
    pub domain: String,
    /// Relative to the zone; `""` is the apex.
    pub name: String,
    /// 300–172800 seconds.
    pub ttl: u32,
    /// `A`, `AAAA`, `CNAME`, `MX`, `TXT`, …
    pub rdtype: String,
    pub rdata: String,
    /// `auth_comment`.
    #[serde(default)]
    pub comment: Option<String>,
}

impl NewDnsRow {
    pub fn new(
        domain: impl Into<String>,
        name: impl Into<String>,
        rdtype: impl Into<String>,
        rdata: impl Into<String>,
    ) -> Self {
        NewDnsRow {
            domain: domain.into(),
            name: name.into(),
            ttl: 3600,
            rdtype: rdtype.into(),
            rdata: rdata.into(),
            comment: None,
        }
    }
    pub fn ttl(mut self, ttl: u32) -> Self {
        self.ttl = ttl;
        self
    }
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }
}
