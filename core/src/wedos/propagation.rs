//! Waiting for a TXT value to be published: after `dns.set_txt` commits, WEDOS's name servers serve the row
//! minutes (up to an hour) later. Instead of a fixed sleep, every authoritative name server of the zone is asked
//! directly (no recursion, no cache) until each answers the value.
//!
//! The name servers are the zone's NS records looked up through the system resolver (`/etc/resolv.conf`), or the
//! ones given (`HOST:PORT`, `HOST` for port 53). Each is asked over UDP (TCP when the answer is truncated), with
//! a backoff from 0.5 s to 10 s between rounds; the ones that answered the value are not asked again. Progress
//! goes to a callback (the command prints it on stderr) and to `tracing`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, Query};
use hickory_proto::rr::{Name, RData, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::{Error, ErrorKind, Result};

const OP: &str = "wedos dns.set_txt";
/// How long one question to one server may take.
const ASK_TIMEOUT: Duration = Duration::from_secs(3);
const FIRST_PAUSE: Duration = Duration::from_millis(500);
const LONGEST_PAUSE: Duration = Duration::from_secs(10);

/// How to wait for a TXT value: at most `timeout`, asking `nameservers` (`HOST:PORT` or `HOST`; none: the zone's
/// NS records through the system resolver).
#[derive(Clone, Debug, Default)]
pub struct TxtWait {
    pub timeout: Duration,
    pub nameservers: Vec<String>,
}

/// A progress line of the wait (e.g. "2 of 4 name servers answer the value").
pub type WaitProgress<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// Waits until every authoritative name server of `zone` answers `value` among the TXT values of `fqdn`.
/// `Timeout` names the servers that did not, and what they answered.
pub async fn wait_for_txt(
    zone: &str,
    fqdn: &str,
    value: &str,
    wait: &TxtWait,
    progress: Option<WaitProgress<'_>>,
) -> Result<()> {
    let say = |line: &str| {
        tracing::info!(target: "hostapi::wedos", "{line}");
        if let Some(p) = progress {
            p(line);
        }
    };
    let deadline = Instant::now() + wait.timeout;
    let name = Name::from_ascii(format!("{}.", fqdn.trim_end_matches('.')))
        .map_err(|e| Error::config(OP, format!("{fqdn} is not a DNS name: {e}")))?;
    let servers = match wait.nameservers.as_slice() {
        [] => zone_nameservers(zone).await?,
        given => {
            let mut out = Vec::new();
            for s in given {
                out.extend(server_addrs(s).await?);
            }
            out
        }
    };
    let mut pending: Vec<(String, SocketAddr, String)> =
        servers.into_iter().map(|(label, addr)| (label, addr, "not asked yet".to_owned())).collect();
    let total = pending.len();
    say(&format!("waiting for TXT {fqdn} on {total} name server(s): {}", names(&pending)));
    let mut pause = FIRST_PAUSE;
    loop {
        for entry in &mut pending {
            entry.2 = match ask_txt(entry.1, &name).await {
                Ok(values) if values.iter().any(|v| v == value) => String::new(),
                Ok(values) if values.is_empty() => "no TXT value yet".to_owned(),
                Ok(values) => format!("{} other TXT value(s)", values.len()),
                Err(e) => e,
            };
        }
        pending.retain(|(_, _, state)| !state.is_empty());
        if pending.is_empty() {
            say(&format!("TXT {fqdn}: every name server ({total}) answers the value"));
            return Ok(());
        }
        say(&format!("TXT {fqdn}: {} of {total} name server(s) answer the value; waiting", total - pending.len()));
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let who: Vec<String> = pending.iter().map(|(label, _, state)| format!("{label} ({state})")).collect();
            return Err(Error::new(
                ErrorKind::Timeout,
                OP,
                format!(
                    "the TXT value of {fqdn} was not served by every name server within {}: {}",
                    crate::error::words(wait.timeout),
                    who.join(", ")
                ),
            ));
        }
        tokio::time::sleep(pause.min(left)).await;
        pause = (pause * 3 / 2).min(LONGEST_PAUSE);
    }
}

fn names(servers: &[(String, SocketAddr, String)]) -> String {
    servers.iter().map(|(label, _, _)| label.as_str()).collect::<Vec<_>>().join(", ")
}

/// The addresses of a name server given as `HOST:PORT` or `HOST` (port 53), labelled as given.
async fn server_addrs(given: &str) -> Result<Vec<(String, SocketAddr)>> {
    let with_port = if given.parse::<SocketAddr>().is_ok() || given.rsplit_once(':').is_some_and(|(h, p)| {
        !h.contains(':') && p.parse::<u16>().is_ok()
    }) {
        given.to_owned()
    } else {
        match given.parse::<std::net::IpAddr>() {
            Ok(ip) => SocketAddr::new(ip, 53).to_string(),
            Err(_) => format!("{given}:53"),
        }
    };
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host(&with_port)
        .await
        .map_err(|e| Error::config(OP, format!("name server {given:?}: {e}")))?
        .collect();
    if addrs.is_empty() {
        return Err(Error::config(OP, format!("name server {given:?} has no address")));
    }
    Ok(addrs.into_iter().map(|a| (given.to_owned(), a)).collect())
}

/// The zone's name servers (NS records through the system resolver) and their addresses.
async fn zone_nameservers(zone: &str) -> Result<Vec<(String, SocketAddr)>> {
    let fail = |what: String| Error::new(ErrorKind::Transport, OP, what);
    let resolver = hickory_resolver::TokioResolver::builder_tokio()
        .map_err(|e| fail(format!("cannot read the system resolver's configuration: {e}")))?
        .build()
        .map_err(|e| fail(format!("cannot start the system resolver: {e}")))?;
    let lookup = resolver
        .lookup(format!("{}.", zone.trim_end_matches('.')), RecordType::NS)
        .await
        .map_err(|e| fail(format!("cannot look up the name servers of {zone}: {e} (give them with nameservers)")))?;
    let mut out = Vec::new();
    for ns in lookup.answers().iter().filter_map(|r| match &r.data {
        RData::NS(ns) => Some(ns.0.to_string()),
        _ => None,
    }) {
        let ips = resolver.lookup_ip(ns.as_str()).await.map_err(|e| fail(format!("name server {ns}: {e}")))?;
        out.extend(ips.iter().map(|ip| (ns.trim_end_matches('.').to_owned(), SocketAddr::new(ip, 53))));
    }
    if out.is_empty() {
        return Err(fail(format!("{zone} has no name servers in DNS (give them with nameservers)")));
    }
    Ok(out)
}

/// The TXT values `server` answers for `name` (each value's strings joined), or why it did not answer.
async fn ask_txt(server: SocketAddr, name: &Name) -> std::result::Result<Vec<String>, String> {
    let mut query = Message::query();
    query.metadata.recursion_desired = false;
    query.add_query(Query::query(name.clone(), RecordType::TXT));
    let bytes = query.to_vec().map_err(|e| e.to_string())?;
    let mut answer = tokio::time::timeout(ASK_TIMEOUT, udp(server, &bytes))
        .await
        .map_err(|_| "no answer".to_owned())?
        .map_err(|e| format!("unreachable: {e}"))?;
    if answer.metadata.id != query.metadata.id {
        return Err("an answer to another question".into());
    }
    if answer.metadata.truncation {
        answer = tokio::time::timeout(ASK_TIMEOUT, tcp(server, &bytes))
            .await
            .map_err(|_| "no answer over TCP".to_owned())?
            .map_err(|e| format!("unreachable over TCP: {e}"))?;
    }
    Ok(answer
        .answers
        .iter()
        .filter(|r| r.name.to_lowercase() == name.to_lowercase())
        .filter_map(|r| match &r.data {
            RData::TXT(t) => Some(t.txt_data.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect()),
            _ => None,
        })
        .collect())
}

async fn udp(server: SocketAddr, query: &[u8]) -> std::io::Result<Message> {
    let local: SocketAddr = if server.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
    let socket = tokio::net::UdpSocket::bind(local).await?;
    socket.connect(server).await?;
    socket.send(query).await?;
    let mut buf = vec![0u8; 4096];
    let n = socket.recv(&mut buf).await?;
    Message::from_vec(&buf[..n]).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
}

async fn tcp(server: SocketAddr, query: &[u8]) -> std::io::Result<Message> {
    let mut stream = tokio::net::TcpStream::connect(server).await?;
    let len = u16::try_from(query.len()).map_err(std::io::Error::other)?;
    stream.write_all(&len.to_be_bytes()).await?;
    stream.write_all(query).await?;
    let mut n = [0u8; 2];
    stream.read_exact(&mut n).await?;
    let mut buf = vec![0u8; usize::from(u16::from_be_bytes(n))];
    stream.read_exact(&mut buf).await?;
    Message::from_vec(&buf).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
}
