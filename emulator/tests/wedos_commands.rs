//! WEDOS account commands: credit, domains, domain checks, DNS domains; the shapes clients read.

mod wedos_common;

use hostapi_emulator::{DnsZoneSeed, EmulatorConfig, WedosAccount, WedosConfig, WedosDomainSeed};
use serde_json::json;
use wedos_common::*;

#[tokio::test]
async fn credit_info() {
    let w = Wapi::start_with(no_block()).await;
    let r = w.expect("credit-info", None, 1000).await;
    assert_eq!(r["data"], json!({"amount": "2570.35", "currency": "CZK"}));
    assert!(r["code"].is_number() && r["timestamp"].is_number(), "{r}");
    assert_eq!(r["command"], "credit-info");
    assert_eq!(w.account().await["credit"], json!({"amount": "2570.35", "currency": "CZK"}));
}

#[tokio::test]
async fn domains_list_and_info() {
    let w = Wapi::start_with(no_block()).await;
    let r = w.expect("domains-list", None, 1000).await;
    assert_eq!(
        r["data"]["domain"],
        json!([
            {"name": "example.cz", "status": "active", "expiration": "2027-01-15"},
            {"name": "hostapi-demo.cz", "status": "expired", "expiration": "2026-02-01"},
        ])
    );
    let r = w.expect("domains-list", Some(json!({"status": "active"})), 1000).await;
    assert_eq!(r["data"]["domain"].as_array().map(Vec::len), Some(1));
    let r = w.expect("domains-list", Some(json!({"status": "deleted"})), 1000).await;
    assert_eq!(r["data"]["domain"], json!([]));
    assert_wapi_error(&w.call("domains-list", Some(json!({"status": 1}))).await, 2101, "status");

    let r = w.expect("domain-info", Some(json!({"name": "example.cz"})), 1000).await;
    assert_eq!(r["data"]["domain"], json!({"name": "example.cz", "status": "active", "expiration": "2027-01-15"}));
    // Case-insensitive names.
    w.expect("domain-info", Some(json!({"name": "Example.CZ"})), 1000).await;
    assert_wapi_error(&w.call("domain-info", Some(json!({"name": "google.cz"}))).await, 3223, "not in this account");
    assert_wapi_error(&w.call("domain-info", None).await, 2100, "name");
    assert_wapi_error(&w.call("domain-info", Some(json!({"name": ""}))).await, 2100, "name");
    assert_wapi_error(&w.call("domain-info", Some(json!({"name": "example.xyz"}))).await, 2201, "TLD");
    assert_wapi_error(&w.call("domain-info", Some(json!({"name": "-bad-.cz"}))).await, 2202, "Invalid domain");
}

#[tokio::test]
async fn domain_check_available_registered_and_invalid() {
    let cfg = EmulatorConfig {
        wedos: WedosConfig {
            block_threshold: 1000,
            accounts: vec![WedosAccount::demo(), {
                let mut a = WedosAccount::new("other@example.com", "pw");
                a.domains.push(WedosDomainSeed {
                    name: "jine-konto.sk".into(),
                    status: "active".into(),
                    expiration: String::new(),
                });
                a
            }],
            ..WedosConfig::default()
        },
        ..EmulatorConfig::default()
    };
    let w = Wapi::start_with(cfg).await;
    let r = w
        .call_as(USER, PASSWORD, "domain-check", Some(json!({"name": "volna-domena.cz"})), json!({"clTRID": "check-1"}))
        .await;
    assert_eq!(code(&r), 1000, "{r}");
    assert_eq!(r["data"], json!({"avail": {"name": "volna-domena.cz"}}));
    assert_eq!(r["clTRID"], "check-1");
    for taken in ["example.cz", "google.cz", "jine-konto.sk", "GOOGLE.cz"] {
        let r = w.call("domain-check", Some(json!({"name": taken}))).await;
        assert_wapi_error(&r, 3201, "registered");
    }
    // IDN names in any script are valid second-level names.
    w.expect("domain-check", Some(json!({"name": "žluťoučký-kůň.cz"})), 1000).await;
    for tld in ["volna.eu", "volna.sk", "volna.net", "volna.org", "volna.com"] {
        w.expect("domain-check", Some(json!({"name": tld})), 1000).await;
    }
    assert_wapi_error(&w.call("domain-check", Some(json!({"name": "volna.de"}))).await, 2201, "TLD");
    for bad in ["-bad-.cz", "www.example.cz", "cz", "a..cz", "a b.cz", "volna.cz.", &format!("{}.cz", "a".repeat(64))] {
        assert_wapi_error(&w.call("domain-check", Some(json!({"name": bad}))).await, 2202, "Invalid domain");
    }
    assert_wapi_error(&w.call("domain-check", Some(json!({}))).await, 2100, "name");
    assert_wapi_error(&w.call("domain-check", Some(json!({"name": 5}))).await, 2101, "name");
    // Transfer check: possible for a domain registered elsewhere only.
    let r = w.expect("domain-transfer-check", Some(json!({"name": "jine-konto.sk"})), 1000).await;
    assert_eq!(r["data"], json!({"name": "jine-konto.sk"}));
    assert_wapi_error(&w.call("domain-transfer-check", Some(json!({"name": "example.cz"}))).await, 3206, "already");
    assert_wapi_error(
        &w.call("domain-transfer-check", Some(json!({"name": "volna-domena.cz"}))).await,
        3206,
        "not registered",
    );
    // Availability results are not invalid requests of the IP; bad input is.
    let ip = w.state().await["wedos_ips"]["127.0.0.1"].clone();
    assert_eq!(ip["invalid_last_hour"], 1 + 7 + 2);
}

#[tokio::test]
async fn dns_domains_list_is_an_array_or_an_object_keyed_by_zone_id() {
    let mut demo = WedosAccount::demo();
    for (name, status) in [("zamceno.cz", "locked"), ("smazano.cz", "deleted")] {
        demo.dns_zones.push(DnsZoneSeed { name: name.into(), status: status.into(), min_ttl: 300, rows: vec![] });
    }
    let mut keyed = demo.clone();
    keyed.user = "keyed@example.com".into();
    keyed.dns_domains_list = hostapi_emulator::DnsListShape::Keyed;
    let cfg = EmulatorConfig {
        wedos: WedosConfig { accounts: vec![demo, keyed], block_threshold: 1000, ..WedosConfig::default() },
        ..EmulatorConfig::default()
    };
    let w = Wapi::start_with(cfg).await;
    // The default: an array, in the account's order (what recorded live traffic shows).
    let r = w.expect("dns-domains-list", None, 1000).await;
    assert_eq!(
        r["data"]["domain"],
        json!([
            {"name": "example.cz", "type": "primary", "status": "active"},
            {"name": "hostapi-demo.cz", "type": "primary", "status": "active"},
            {"name": "zamceno.cz", "type": "primary", "status": "locked"},
            {"name": "smazano.cz", "type": "primary", "status": "deleted"},
        ])
    );
    // The account option: an object keyed by zone id, ids neither sequential nor sorted.
    let r = w.call_as("keyed@example.com", PASSWORD, "dns-domains-list", None, json!({})).await;
    let zones = r["data"]["domain"].as_object().expect("an object").clone();
    let names: Vec<&str> = zones.values().map(|z| z["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["example.cz", "hostapi-demo.cz", "zamceno.cz", "smazano.cz"]);
    let ids: Vec<u64> = zones.keys().map(|k| k.parse().expect("numeric keys")).collect();
    assert_ne!(ids, [1, 2, 3, 4], "not a sequence");
    assert_eq!(ids.iter().collect::<std::collections::BTreeSet<_>>().len(), 4, "unique");
    // A locked zone lists, but refuses changes (3305); a deleted one refuses everything (3306).
    w.expect("dns-rows-list", Some(json!({"domain": "zamceno.cz"})), 1000).await;
    let add = |d: &str| json!({"domain": d, "name": "www", "ttl": 3600, "type": "A", "rdata": "192.0.2.5"});
    assert_wapi_error(&w.call("dns-row-add", Some(add("zamceno.cz"))).await, 3305, "locked");
    assert_wapi_error(&w.call("dns-domain-commit", Some(json!({"name": "zamceno.cz"}))).await, 3305, "locked");
    assert_wapi_error(&w.call("dns-rows-list", Some(json!({"domain": "smazano.cz"}))).await, 3306, "deleted");
    assert_wapi_error(&w.call("dns-row-add", Some(add("smazano.cz"))).await, 3306, "deleted");
    w.expect("dns-row-add", Some(add("example.cz")), 1000).await;
}

#[tokio::test]
async fn config_file_accounts() {
    let cfg = EmulatorConfig::from_json_str(
        r#"{"wedos": {"hourly_request_limit": 5, "accounts": [
            {"user": "me@example.cz", "password": "pw", "credit": 10.5, "currency": "EUR",
             "domains": [{"name": "mine.eu"}],
             "dns_zones": [{"name": "mine.eu", "rows": [{"rdtype": "A", "rdata": "192.0.2.7"}]}]}]}}"#,
    )
    .expect("config parses");
    assert_eq!(cfg.wedos.hourly_request_limit, 5);
    assert_eq!(cfg.wedos.block_threshold, 10);
    let w = Wapi::start_with(cfg).await;
    let r = w.call_as("me@example.cz", "pw", "credit-info", None, json!({})).await;
    assert_eq!(r["data"], json!({"amount": "10.50", "currency": "EUR"}));
    let r = w.call_as("me@example.cz", "pw", "dns-rows-list", Some(json!({"domain": "mine.eu"})), json!({})).await;
    assert_eq!(r["data"]["row"][0]["rdata"], "192.0.2.7");
    assert_eq!(r["data"]["row"][0]["ttl"], "3600");
    assert_eq!(r["data"]["row"][0]["name"], "");
    // The demo account is not configured here.
    assert_wapi_error(&w.call("ping", None).await, 2050, "");
    // Invalid seeds are refused at start.
    for bad in [
        r#"{"wedos": {"accounts": [{"user": "a", "password": "b"}, {"user": "a", "password": "c"}]}}"#,
        r#"{"wedos": {"accounts": [{"user": "a", "password": "b", "domains": [{"name": "x.xyz"}]}]}}"#,
        r#"{"wedos": {"accounts": [{"user": "a", "password": "b", "dns_zones": [{"name": "x.cz", "rows": [{"rdtype": "A", "rdata": "nope"}]}]}]}}"#,
        r#"{"wedos": {"accounts": [{"user": "a", "password": "b", "dns_zones": [{"name": "x.cz", "status": "odd"}]}]}}"#,
    ] {
        let cfg = EmulatorConfig::from_json_str(bad).expect("parses");
        assert!(hostapi_emulator::Emulator::start(cfg).await.is_err(), "{bad}");
    }
    assert!(EmulatorConfig::from_json_str(r#"{"wedos": {"unknown": 1}}"#).is_err());
}
