//! The emulator's authoritative DNS server (`EmulatorConfig::dns_port`): every DNS zone of every WEDOS account,
//! over UDP and TCP on the emulator's host, from what the zone's name servers would serve — the committed rows
//! (a row added but not committed is not served), `dns_publish_delay_secs` after the commit.
//!
//! * Every answer for a name inside a zone is authoritative (AA): SOA and NS at the apex (the zone's own NS rows,
//!   else WEDOS's four name servers), the rows of the asked type (`ANY`: every type), several values of one name
//!   and type together; a CNAME is followed through the emulated zones (at most 8 steps).
//! * A name without rows of the asked type: NODATA (NOERROR and the zone's SOA under authority) when the name
//!   exists — it has rows, or names below it do (an empty non-terminal) — else NXDOMAIN with the SOA; a `*` row
//!   answers for names that do not exist below its parent (RFC 4592, simplified).
//! * A name outside every zone: REFUSED (the emulator resolves nothing recursively); a message that is not one
//!   standard query: FORMERR or NOTIMP.
//! * UDP answers longer than the asker's EDNS size (512 bytes without EDNS) are truncated (TC) for a TCP retry.
//!
//! Messages are read and written with hickory-proto; each query counts under `dns` in the state's `hits`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{CNAME, NS, SOA, TXT};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::watch;

use crate::wedos::state::{Row, WedosState};
use crate::Shared;

/// The name servers of a zone without NS rows of its own (WEDOS's).
const WEDOS_NAMESERVERS: [&str; 4] = ["ns.wedos.net.", "ns.wedos.eu.", "ns.wedos.cz.", "ns.wedos.com."];
/// The SOA's responsible mailbox.
const HOSTMASTER: &str = "hostmaster.wedos.com.";
/// The largest UDP answer sent to an asker with EDNS (the DNS flag day 2020 size).
const EDNS_PAYLOAD: u16 = 1232;
/// How long a TCP connection may wait between queries.
const TCP_IDLE: Duration = Duration::from_secs(10);
/// The most CNAME steps followed.
const CNAME_STEPS: usize = 8;

/// Binds UDP and TCP on the same port of `host` (0: a free one, the same for both).
pub(crate) fn bind(host: IpAddr, port: u16) -> std::io::Result<(std::net::UdpSocket, std::net::TcpListener)> {
    let mut last = None;
    for _ in 0..20 {
        let udp = std::net::UdpSocket::bind((host, port))?;
        let bound = udp.local_addr()?.port();
        match std::net::TcpListener::bind((host, bound)) {
            Ok(tcp) => {
                udp.set_nonblocking(true)?;
                tcp.set_nonblocking(true)?;
                return Ok((udp, tcp));
            }
            // The free UDP port is taken for TCP: try another one.
            Err(e) if port == 0 => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free port for DNS")))
}

/// Serves both sockets until `shutdown`.
pub(crate) async fn serve(udp: UdpSocket, tcp: TcpListener, shared: Arc<Shared>, shutdown: watch::Receiver<bool>) {
    let udp_task = tokio::spawn(serve_udp(udp, shared.clone(), shutdown.clone()));
    serve_tcp(tcp, shared, shutdown).await;
    let _ = udp_task.await;
}

async fn serve_udp(socket: UdpSocket, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let mut buf = vec![0u8; 4096];
    loop {
        let received = tokio::select! {
            r = socket.recv_from(&mut buf) => r,
            _ = shutdown.wait_for(|s| *s) => return,
        };
        let (n, peer) = match received {
            Ok(r) => r,
            Err(e) => {
                // An ICMP error of an earlier answer, or no buffers: go on.
                tracing::debug!(error = %e, "dns: udp receive failed");
                continue;
            }
        };
        if let Some(answer) = answer_bytes(&shared, &buf[..n], Transport::Udp) {
            if let Err(e) = socket.send_to(&answer, peer).await {
                tracing::debug!(error = %e, %peer, "dns: udp send failed");
            }
        }
    }
}

async fn serve_tcp(listener: TcpListener, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.wait_for(|s| *s) => return,
        };
        match accepted {
            Ok((stream, peer)) => {
                let shared = shared.clone();
                let shutdown = shutdown.clone();
                tokio::spawn(async move {
                    if let Err(e) = tcp_connection(stream, &shared, shutdown).await {
                        tracing::debug!(error = %e, %peer, "dns: tcp connection closed");
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "dns: accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

/// Length-prefixed queries and answers (RFC 1035 4.2.2, RFC 7766) until the asker closes, is idle or sends a
/// message that cannot be answered.
async fn tcp_connection(
    mut stream: TcpStream,
    shared: &Shared,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    loop {
        let mut len = [0u8; 2];
        let read = tokio::select! {
            r = tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut len)) => r,
            _ = shutdown.wait_for(|s| *s) => return Ok(()),
        };
        match read {
            Ok(Ok(_)) => {}
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Ok(Err(e)) => return Err(e),
            Err(_) => return Ok(()),
        }
        let mut query = vec![0u8; usize::from(u16::from_be_bytes(len))];
        tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut query))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "query not received in time"))??;
        let Some(answer) = answer_bytes(shared, &query, Transport::Tcp) else { return Ok(()) };
        let Ok(n) = u16::try_from(answer.len()) else { return Ok(()) };
        stream.write_all(&n.to_be_bytes()).await?;
        stream.write_all(&answer).await?;
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Transport {
    Udp,
    Tcp,
}

/// The encoded answer to the encoded `query`, or `None` when it is not worth an answer (not a DNS message, or
/// itself an answer).
fn answer_bytes(shared: &Shared, query: &[u8], transport: Transport) -> Option<Vec<u8>> {
    shared.count_request("dns");
    let Ok(request) = Message::from_vec(query) else {
        // Answer FORMERR when at least the id can be read.
        let id = u16::from_be_bytes([*query.first()?, *query.get(1)?]);
        return Message::error_msg(id, OpCode::Query, ResponseCode::FormErr).to_vec().ok();
    };
    if request.metadata.message_type != MessageType::Query {
        return None;
    }
    let now = shared.now();
    let response = {
        let mut st = shared.wedos();
        st.settle(now, shared.config.wedos.auto_publish_secs);
        respond(&st, &request, now)
    };
    let bytes = response.to_vec().ok()?;
    let limit = match (&request.edns, transport) {
        (_, Transport::Tcp) => usize::from(u16::MAX),
        (Some(edns), Transport::Udp) => usize::from(edns.max_payload().clamp(512, EDNS_PAYLOAD)),
        (None, Transport::Udp) => 512,
    };
    if bytes.len() <= limit {
        return Some(bytes);
    }
    response.truncate().to_vec().ok()
}

/// One zone as the name servers serve it at `now`.
struct ServedZone<'a> {
    origin: Name,
    rows: &'a [Row],
    min_ttl: u32,
    serial: u32,
}

/// Every zone of every account, served at `now`.
fn zones(st: &WedosState, now: i64) -> Vec<ServedZone<'_>> {
    st.accounts
        .iter()
        .flat_map(|a| a.zones.iter())
        .filter(|z| z.status != "deleted")
        .filter_map(|z| {
            let origin = Name::from_ascii(format!("{}.", z.name)).ok()?.to_lowercase();
            // The serial: the publication's time as the name servers see it (a new commit, a larger serial).
            let serial = u32::try_from(z.visible_at.clamp(0, now).max(1)).unwrap_or(u32::MAX);
            Some(ServedZone { origin, rows: z.served(now), min_ttl: z.min_ttl, serial })
        })
        .collect()
}

/// The answer to `request`.
fn respond(st: &WedosState, request: &Message, now: i64) -> Message {
    let mut response = Message::response(request.metadata.id, request.metadata.op_code);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.checking_disabled = request.metadata.checking_disabled;
    if request.edns.is_some() {
        let mut edns = Edns::new();
        edns.set_max_payload(EDNS_PAYLOAD);
        response.set_edns(edns);
    }
    if request.metadata.op_code != OpCode::Query {
        response.metadata.response_code = ResponseCode::NotImp;
        return response;
    }
    let [query] = request.queries.as_slice() else {
        response.metadata.response_code = ResponseCode::FormErr;
        return response;
    };
    response.add_query(query.clone());
    if query.query_class() != DNSClass::IN {
        response.metadata.response_code = ResponseCode::Refused;
        return response;
    }
    let zones = zones(st, now);
    let mut name = query.name().to_lowercase();
    let qtype = query.query_type();
    let Some(first) = zone_of(&zones, &name) else {
        response.metadata.response_code = ResponseCode::Refused;
        return response;
    };
    response.metadata.authoritative = true;
    let mut zone = first;
    for _ in 0..=CNAME_STEPS {
        let found = lookup(zone, &name, qtype);
        response.add_answers(found.records);
        match found.outcome {
            Outcome::Answered => {}
            Outcome::Alias(target) if qtype != RecordType::CNAME => {
                // A target outside the emulated zones: the asker resolves it.
                if let Some(z) = zone_of(&zones, &target) {
                    zone = z;
                    name = target;
                    continue;
                }
            }
            Outcome::Alias(_) => {}
            Outcome::NoData => {
                response.add_authority(soa(zone, true));
            }
            Outcome::NxDomain => {
                response.metadata.response_code = ResponseCode::NXDomain;
                response.add_authority(soa(zone, true));
            }
        }
        break;
    }
    response
}

/// The most specific zone holding `name`.
fn zone_of<'z, 'a>(zones: &'z [ServedZone<'a>], name: &Name) -> Option<&'z ServedZone<'a>> {
    zones.iter().filter(|z| z.origin.zone_of(name)).max_by_key(|z| z.origin.num_labels())
}

enum Outcome {
    Answered,
    /// A CNAME answered for another type: its target.
    Alias(Name),
    NoData,
    NxDomain,
}

struct Found {
    records: Vec<Record>,
    outcome: Outcome,
}

/// The row name of `name` relative to the zone (`""` at the apex), lower-case.
fn relative(zone: &ServedZone<'_>, name: &Name) -> String {
    let labels = usize::from(name.num_labels() - zone.origin.num_labels());
    name.iter().take(labels).map(|l| String::from_utf8_lossy(l).to_ascii_lowercase()).collect::<Vec<_>>().join(".")
}

/// Whether rows exist at `rel` or below it (the apex always exists).
fn exists(zone: &ServedZone<'_>, rel: &str) -> bool {
    rel.is_empty()
        || zone.rows.iter().any(|r| {
            let n = r.name.to_ascii_lowercase();
            n == rel || n.ends_with(&format!(".{rel}"))
        })
}

/// The answer for `name` and `qtype` from one zone.
fn lookup(zone: &ServedZone<'_>, name: &Name, qtype: RecordType) -> Found {
    let rel = relative(zone, name);
    let mut rows: Vec<&Row> = zone.rows.iter().filter(|r| r.name.eq_ignore_ascii_case(&rel)).collect();
    if rows.is_empty() && !exists(zone, &rel) {
        // A wildcard at the closest existing ancestor.
        let mut parent = rel.as_str();
        loop {
            parent = parent.split_once('.').map_or("", |(_, p)| p);
            if exists(zone, parent) {
                let wildcard = if parent.is_empty() { "*".to_owned() } else { format!("*.{parent}") };
                rows = zone.rows.iter().filter(|r| r.name.eq_ignore_ascii_case(&wildcard)).collect();
                break;
            }
        }
        if rows.is_empty() {
            return Found { records: Vec::new(), outcome: Outcome::NxDomain };
        }
    }
    let mut records: Vec<Record> = Vec::new();
    if rel.is_empty() {
        if matches!(qtype, RecordType::SOA | RecordType::ANY) {
            records.push(soa(zone, false));
        }
        let own_ns = rows.iter().any(|r| r.rdtype.eq_ignore_ascii_case("NS"));
        if matches!(qtype, RecordType::NS | RecordType::ANY) && !own_ns {
            records.extend(nameservers(zone).into_iter().map(|ns| {
                Record::from_rdata(zone.origin.clone(), zone.min_ttl.max(3600), RData::NS(NS(ns)))
            }));
        }
    }
    if qtype != RecordType::CNAME {
        if let Some(alias) = rows.iter().find(|r| r.rdtype.eq_ignore_ascii_case("CNAME")) {
            if let Some(record) = record(name, alias) {
                let target = match &record.data {
                    RData::CNAME(CNAME(t)) => t.to_lowercase(),
                    _ => return Found { records: vec![record], outcome: Outcome::Answered },
                };
                return Found { records: vec![record], outcome: Outcome::Alias(target) };
            }
        }
    }
    records.extend(
        rows.iter()
            .filter(|r| qtype == RecordType::ANY || r.rdtype.eq_ignore_ascii_case(&qtype.to_string()))
            .filter_map(|r| record(name, r)),
    );
    let outcome = if records.is_empty() { Outcome::NoData } else { Outcome::Answered };
    Found { records, outcome }
}

/// The zone's name servers: its NS rows at the apex, else WEDOS's.
fn nameservers(zone: &ServedZone<'_>) -> Vec<Name> {
    let own: Vec<Name> = zone
        .rows
        .iter()
        .filter(|r| r.name.is_empty() && r.rdtype.eq_ignore_ascii_case("NS"))
        .filter_map(|r| Name::from_ascii(fqdn(&r.rdata)).ok())
        .collect();
    if own.is_empty() {
        WEDOS_NAMESERVERS.iter().filter_map(|n| Name::from_ascii(n).ok()).collect()
    } else {
        own
    }
}

/// The zone's SOA record; for a negative answer its TTL is the negative-caching TTL (RFC 2308).
fn soa(zone: &ServedZone<'_>, negative: bool) -> Record {
    let mname = nameservers(zone).into_iter().next().unwrap_or_else(Name::root);
    let rname = Name::from_ascii(HOSTMASTER).unwrap_or_else(|_| Name::root());
    let minimum = zone.min_ttl;
    let data = SOA::new(mname, rname, zone.serial, 3600, 900, 1_209_600, minimum);
    let ttl = if negative { minimum.min(3600) } else { 3600 };
    Record::from_rdata(zone.origin.clone(), ttl, RData::SOA(data))
}

/// `name` with a final dot.
fn fqdn(name: &str) -> String {
    format!("{}.", name.trim_end_matches('.'))
}

/// The DNS record of a row, owned by `owner` (the asked name for a wildcard row); `None` for data the emulator
/// cannot write (logged).
fn record(owner: &Name, row: &Row) -> Option<Record> {
    let rdtype = row.rdtype.to_ascii_uppercase();
    let data = match rdtype.as_str() {
        // TXT data as WEDOS stores it: the text itself, split into strings of at most 255 bytes.
        "TXT" => Some(RData::TXT(TXT::new(split_txt(&row.rdata)))),
        "CNAME" | "NS" | "PTR" | "DNAME" => rtype(&rdtype).and_then(|t| RData::try_from_str(t, &fqdn(&row.rdata)).ok()),
        // The last field is a host name: MX `preference host`, SRV `priority weight port target`.
        "MX" | "SRV" => {
            let mut fields: Vec<&str> = row.rdata.split_whitespace().collect();
            let last = fields.pop().map(fqdn);
            let text = fields.into_iter().map(str::to_owned).chain(last).collect::<Vec<_>>().join(" ");
            rtype(&rdtype).and_then(|t| RData::try_from_str(t, &text).ok())
        }
        _ => rtype(&rdtype).and_then(|t| RData::try_from_str(t, &row.rdata).ok()),
    }
    .ok_or(());
    match data {
        Ok(data) => Some(Record::from_rdata(owner.clone(), row.ttl, data)),
        Err(()) => {
            tracing::debug!(rdtype = %row.rdtype, rdata = %row.rdata, "dns: a row the server cannot serve");
            None
        }
    }
}

fn rtype(text: &str) -> Option<RecordType> {
    text.parse().ok()
}

/// A TXT value as character strings of at most 255 bytes (split on character boundaries).
fn split_txt(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in value.chars() {
        if current.len() + c.len_utf8() > 255 {
            out.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    out.push(current);
    out
}
