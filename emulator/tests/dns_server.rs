//! The emulator's DNS server: authoritative answers from the committed rows, over UDP and TCP.

mod wedos_common;

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wedos_common::*;

fn query(name: &str, rtype: RecordType) -> Message {
    let mut m = Message::query();
    m.add_query(hickory_proto::op::Query::query(Name::from_ascii(name).expect("name"), rtype));
    m
}

async fn udp(server: SocketAddr, message: &Message) -> Message {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    socket.send_to(&message.to_vec().expect("encode"), server).await.expect("send");
    let mut buf = vec![0u8; 65535];
    let (n, _) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buf))
        .await
        .expect("an answer within 5 s")
        .expect("receive");
    let answer = Message::from_vec(&buf[..n]).expect("a DNS message");
    assert_eq!(answer.metadata.id, message.metadata.id);
    answer
}

async fn tcp(server: SocketAddr, message: &Message) -> Message {
    let mut stream = tokio::net::TcpStream::connect(server).await.expect("connect");
    let bytes = message.to_vec().expect("encode");
    stream.write_all(&(bytes.len() as u16).to_be_bytes()).await.expect("write");
    stream.write_all(&bytes).await.expect("write");
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).await.expect("length");
    let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut buf).await.expect("answer");
    Message::from_vec(&buf).expect("a DNS message")
}

fn txts(m: &Message) -> Vec<String> {
    let mut out: Vec<String> = m
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::TXT(t) => Some(t.txt_data.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect::<String>()),
            _ => None,
        })
        .collect();
    out.sort();
    out
}

async fn start(delay: u64) -> (Wapi, SocketAddr) {
    let mut config = no_block();
    config.dns_port = Some(0);
    config.wedos.accounts[0].dns_publish_delay_secs = delay;
    let w = Wapi::start_with(config).await;
    let dns = w.emu.dns_addr().expect("a DNS server");
    (w, dns)
}

#[tokio::test]
async fn soa_ns_and_rows_are_authoritative() {
    let (_w, dns) = start(0).await;
    let soa = udp(dns, &query("example.cz.", RecordType::SOA)).await;
    assert!(soa.metadata.authoritative, "AA");
    assert_eq!(soa.metadata.response_code, ResponseCode::NoError);
    assert!(matches!(soa.answers.as_slice(), [r] if matches!(r.data, RData::SOA(_))), "{soa:?}");

    let ns = udp(dns, &query("example.cz.", RecordType::NS)).await;
    assert_eq!(ns.answers.len(), 4, "WEDOS's four name servers: {ns:?}");

    let a = udp(dns, &query("EXAMPLE.cz.", RecordType::A)).await;
    assert!(matches!(a.answers.as_slice(), [r] if r.data == RData::A("192.0.2.1".parse().expect("ip"))), "{a:?}");
    let mx = udp(dns, &query("example.cz.", RecordType::MX)).await;
    assert!(matches!(&mx.answers[0].data, RData::MX(m) if m.exchange.to_string() == "mail.example.cz."), "{mx:?}");

    // www is a CNAME to the apex: asking for A gives the CNAME and the apex's A.
    let www = udp(dns, &query("www.example.cz.", RecordType::A)).await;
    let types: Vec<RecordType> = www.answers.iter().map(|r| r.record_type()).collect();
    assert_eq!(types, [RecordType::CNAME, RecordType::A], "{www:?}");

    // Over TCP too.
    let soa = tcp(dns, &query("example.cz.", RecordType::SOA)).await;
    assert!(soa.metadata.authoritative && soa.answers.len() == 1, "{soa:?}");
}

#[tokio::test]
async fn nxdomain_nodata_and_refused() {
    let (_w, dns) = start(0).await;
    let missing = udp(dns, &query("nothing-here.example.cz.", RecordType::A)).await;
    assert_eq!(missing.metadata.response_code, ResponseCode::NXDomain);
    assert!(missing.metadata.authoritative);
    assert!(matches!(missing.authorities.as_slice(), [r] if r.record_type() == RecordType::SOA), "{missing:?}");

    let nodata = udp(dns, &query("example.cz.", RecordType::AAAA)).await;
    assert_eq!(nodata.metadata.response_code, ResponseCode::NoError);
    assert!(nodata.answers.is_empty());
    assert!(matches!(nodata.authorities.as_slice(), [r] if r.record_type() == RecordType::SOA), "{nodata:?}");

    let foreign = udp(dns, &query("example.com.", RecordType::A)).await;
    assert_eq!(foreign.metadata.response_code, ResponseCode::Refused);
    assert!(!foreign.metadata.authoritative);

    // Not a DNS message: no crash, the server goes on.
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    socket.send_to(b"\x12\x34garbage", dns).await.expect("send");
    let again = udp(dns, &query("example.cz.", RecordType::SOA)).await;
    assert_eq!(again.answers.len(), 1);
}

#[tokio::test]
async fn a_txt_row_is_served_after_the_commit_not_before_and_two_values_together() {
    let (w, dns) = start(0).await;
    let name = "_acme-challenge.example.cz.";
    for value in ["first-value", "second-value"] {
        let add = json!({"domain": "example.cz", "name": "_acme-challenge", "ttl": 300, "type": "TXT", "rdata": value});
        w.expect("dns-row-add", Some(add), 1000).await;
    }
    let before = udp(dns, &query(name, RecordType::TXT)).await;
    assert_eq!(before.metadata.response_code, ResponseCode::NXDomain, "not committed: not served");
    w.expect("dns-domain-commit", Some(json!({"name": "example.cz"})), 1000).await;
    let after = udp(dns, &query(name, RecordType::TXT)).await;
    assert_eq!(txts(&after), ["first-value", "second-value"]);
    assert!(after.metadata.authoritative);

    // With EDNS too; and an empty non-terminal is NODATA, not NXDOMAIN.
    let mut q = query(name, RecordType::TXT);
    q.set_edns(Edns::new());
    assert_eq!(txts(&udp(dns, &q).await), ["first-value", "second-value"]);
    let add = json!({"domain": "example.cz", "name": "a.b.deep", "ttl": 300, "type": "A", "rdata": "192.0.2.7"});
    w.expect("dns-row-add", Some(add), 1000).await;
    w.expect("dns-domain-commit", Some(json!({"name": "example.cz"})), 1000).await;
    let ent = udp(dns, &query("b.deep.example.cz.", RecordType::A)).await;
    assert_eq!(ent.metadata.response_code, ResponseCode::NoError, "{ent:?}");
}

#[tokio::test]
async fn the_publish_delay_holds_a_commit_back() {
    let (w, dns) = start(60).await;
    let name = "_acme-challenge.example.cz.";
    let add = json!({"domain": "example.cz", "name": "_acme-challenge", "ttl": 300, "type": "TXT", "rdata": "v"});
    w.expect("dns-row-add", Some(add), 1000).await;
    w.expect("dns-domain-commit", Some(json!({"name": "example.cz"})), 1000).await;
    assert_eq!(udp(dns, &query(name, RecordType::TXT)).await.metadata.response_code, ResponseCode::NXDomain);
    w.advance(61).await;
    assert_eq!(txts(&udp(dns, &query(name, RecordType::TXT)).await), ["v"]);
}
