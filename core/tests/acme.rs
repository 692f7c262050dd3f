//! The ACME DNS-01 job (`dns().set_txt` / `clear_txt`) against the emulator: zones found by the longest suffix,
//! the apex and deep names, repeats that change nothing, two values for one name, both shapes of
//! dns-domains-list, and never an answer with a code of 2000 or more.

use std::time::Duration;

use hostapi::wedos::*;
use hostapi_emulator::{DnsListShape, DnsZoneSeed, Emulator, EmulatorConfig, WedosAccount, WedosConfig};
use serde_json::Value;

async fn emulator(shape: DnsListShape) -> Emulator {
    let mut demo = WedosAccount::demo();
    demo.dns_zones.push(DnsZoneSeed {
        name: "myexample.cz".into(),
        status: "active".into(),
        min_ttl: 300,
        rows: vec![],
    });
    demo.dns_domains_list = shape;
    let cfg = EmulatorConfig {
        wedos: WedosConfig { accounts: vec![demo], ..WedosConfig::default() },
        ..EmulatorConfig::default()
    };
    Emulator::start(cfg).await.expect("emulator starts")
}

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .user(hostapi_emulator::DEMO_WEDOS_USER)
        .password(hostapi_emulator::DEMO_WEDOS_PASSWORD)
        .base_url(emu.wedos_url())
        .poll_interval(Duration::from_millis(50))
        .build()
        .unwrap()
}

/// The emulator's answer counts of the demo account: (every answer, those with a code ≥ 2000).
async fn codes(emu: &Emulator) -> (u64, u64) {
    let state: Value = reqwest::get(format!("{}/_emulator/state", emu.url())).await.unwrap().json().await.unwrap();
    let codes = state["wedos"][hostapi_emulator::DEMO_WEDOS_USER]["codes"].as_object().unwrap().clone();
    let all = codes.values().map(|v| v.as_u64().unwrap()).sum();
    let bad = codes.iter().filter(|(k, _)| k.parse::<u64>().unwrap() >= 2000).map(|(_, v)| v.as_u64().unwrap()).sum();
    (all, bad)
}

async fn txt(c: &Client, zone: &str, name: &str) -> Vec<String> {
    c.dns()
        .rows(zone)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.name == name && r.rdtype == "TXT")
        .map(|r| r.rdata)
        .collect()
}

#[tokio::test]
async fn set_and_clear_txt_for_the_apex_deep_names_and_suffix_zones() {
    for shape in [DnsListShape::Array, DnsListShape::Keyed] {
        let emu = emulator(shape).await;
        let c = client(&emu);
        // The zone is the longest matching suffix: myexample.cz is not example.cz.
        assert_eq!(
            c.dns().zone_of("_acme-challenge.myexample.cz").await.unwrap(),
            ("myexample.cz".into(), "_acme-challenge".into())
        );
        assert_eq!(c.dns().zone_of("EXAMPLE.cz.").await.unwrap(), ("example.cz".into(), "".into()));
        assert_eq!(c.dns().zone_of("a.b.c.example.cz").await.unwrap(), ("example.cz".into(), "a.b.c".into()));
        assert_eq!(c.dns().zone_of("nope.example.org").await.unwrap_err().kind(), hostapi::ErrorKind::Api);

        let row = c.dns().set_txt("_acme-challenge.myexample.cz", "v-1", 300).await.unwrap();
        assert_eq!((row.name.as_str(), row.rdata.as_str(), row.ttl), ("_acme-challenge", "v-1", Some(300)));
        assert!(txt(&c, "example.cz", "_acme-challenge.my").await.is_empty(), "not in the shorter zone");
        // A repeat changes nothing and returns the same row.
        let again = c.dns().set_txt("_acme-challenge.myexample.cz", "v-1", 300).await.unwrap();
        assert_eq!(again.id, row.id);
        assert_eq!(txt(&c, "myexample.cz", "_acme-challenge").await, ["v-1"]);
        // Wildcard + apex certificates: two values for one name, side by side.
        c.dns().set_txt("_acme-challenge.example.cz", "apex", 300).await.unwrap();
        c.dns().set_txt("_acme-challenge.example.cz", "wildcard", 300).await.unwrap();
        c.dns().set_txt("_acme-challenge.deep.sub.example.cz", "deep", 300).await.unwrap();
        c.dns().set_txt("example.cz", "at-the-apex", 300).await.unwrap();
        let mut both = txt(&c, "example.cz", "_acme-challenge").await;
        both.sort();
        assert_eq!(both, ["apex", "wildcard"]);
        assert_eq!(txt(&c, "example.cz", "_acme-challenge.deep.sub").await, ["deep"]);
        assert!(txt(&c, "example.cz", "").await.contains(&"at-the-apex".to_owned()));
        // Cleanup removes only the exact value, and repeating it is harmless.
        assert_eq!(c.dns().clear_txt("_acme-challenge.example.cz", "apex").await.unwrap(), 1);
        assert_eq!(txt(&c, "example.cz", "_acme-challenge").await, ["wildcard"]);
        assert_eq!(c.dns().clear_txt("_acme-challenge.example.cz", "apex").await.unwrap(), 0);
        for (fqdn, v) in [
            ("_acme-challenge.example.cz", "wildcard"),
            ("_acme-challenge.deep.sub.example.cz", "deep"),
            ("example.cz", "at-the-apex"),
            ("_acme-challenge.myexample.cz", "v-1"),
        ] {
            assert_eq!(c.dns().clear_txt(fqdn, v).await.unwrap(), 1, "{fqdn}");
        }
        // Everything was committed; nothing is pending, and no answer had a code of 2000 or more.
        let state: Value = reqwest::get(format!("{}/_emulator/state", emu.url())).await.unwrap().json().await.unwrap();
        for zone in ["example.cz", "myexample.cz"] {
            assert_eq!(state["wedos"][hostapi_emulator::DEMO_WEDOS_USER]["zones"][zone]["pending"], false, "{zone}");
        }
        let (all, bad) = codes(&emu).await;
        assert!(all > 20 && bad == 0, "{all} answers, {bad} with a code >= 2000 ({shape:?})");
    }
}

#[tokio::test]
async fn domain_create_answers_through_its_notification() {
    let emu = emulator(DnsListShape::Array).await;
    let c = client(&emu);
    let pending = c.domains().create("nova-domena.cz", 1, "OWNER-1", None).await.unwrap();
    assert_eq!(pending.command, "domain-create");
    let n = c.wait_for(&pending, Duration::from_secs(10)).await.unwrap();
    assert_eq!((n.code, n.command.as_deref()), (1000, Some("domain-create")));
    assert!(c.domains().list(None).await.unwrap().iter().any(|d| d.name == "nova-domena.cz"));
    let e = c.domains().create("nova-domena.cz", 1, "OWNER-1", None).await.unwrap_err();
    assert_eq!(e.code(), Some(3201), "{e}");
    let t = c.domains().transfer_check("example.cz").await.unwrap();
    assert!(!t.transferable);
}

/// `set_txt_and_wait` returns once the zone's name server answers the value: after the emulator's publish delay
/// (5 s), not before and not long after; an unreachable name server is a `Timeout` naming it.
#[tokio::test]
async fn set_txt_and_wait_follows_the_publish_delay_and_names_a_silent_server() {
    let mut demo = WedosAccount::demo();
    demo.dns_publish_delay_secs = 5;
    let cfg = EmulatorConfig {
        wedos: WedosConfig { accounts: vec![demo], ..WedosConfig::default() },
        dns_port: Some(0),
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(cfg).await.expect("emulator starts");
    let dns = emu.dns_addr().expect("a DNS server").to_string();
    let c = client(&emu);
    let wait = propagation::TxtWait { timeout: Duration::from_secs(60), nameservers: vec![dns.clone()] };
    let lines = std::sync::Mutex::new(Vec::new());
    let progress = |line: &str| lines.lock().unwrap().push(line.to_owned());
    let started = std::time::Instant::now();
    let row = c
        .dns()
        .set_txt_and_wait("_acme-challenge.example.cz", "waited-value", 300, &wait, Some(&progress))
        .await
        .expect("set and served");
    let took = started.elapsed();
    assert_eq!(row.rdata, "waited-value");
    assert!(took >= Duration::from_secs(5) && took < Duration::from_secs(15), "returned after {took:?}");
    assert!(lines.lock().unwrap().iter().any(|l| l.contains("every name server")), "{:?}", lines.lock().unwrap());

    // A repeat finds the row served at once.
    let started = std::time::Instant::now();
    c.dns().set_txt_and_wait("_acme-challenge.example.cz", "waited-value", 300, &wait, None).await.expect("again");
    assert!(started.elapsed() < Duration::from_secs(3));

    let silent = propagation::TxtWait { timeout: Duration::from_secs(2), nameservers: vec!["127.0.0.1:9".into()] };
    let err = c
        .dns()
        .set_txt_and_wait("_acme-challenge.example.cz", "other-value", 300, &silent, None)
        .await
        .expect_err("nobody answers");
    assert_eq!(err.kind(), hostapi::ErrorKind::Timeout, "{err}");
    assert!(err.to_string().contains("127.0.0.1:9"), "{err}");
    assert_eq!(codes(&emu).await.1, 0, "no invalid request");
}
