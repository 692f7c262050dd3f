//! WEDOS hourly limits: all requests per account (2006) and domain availability checks (2250 / 2252).

mod wedos_common;

use hostapi_emulator::{EmulatorConfig, WedosAccount, WedosConfig};
use serde_json::json;
use wedos_common::*;

fn limits(requests: u32, checks: u32) -> EmulatorConfig {
    EmulatorConfig {
        wedos: WedosConfig {
            hourly_request_limit: requests,
            hourly_domain_check_limit: checks,
            block_threshold: 1000,
            accounts: vec![WedosAccount::demo(), WedosAccount::new("other@example.com", "pw")],
            ..WedosConfig::default()
        },
        ..EmulatorConfig::default()
    }
}

#[tokio::test]
async fn hourly_request_limit_2006_per_account_sliding() {
    let w = Wapi::start_with(limits(3, 100)).await;
    w.expect("ping", None, 1000).await;
    w.advance(1200).await;
    w.expect("credit-info", None, 1000).await;
    // Test requests and failing commands count too.
    let r = w.call_as(USER, PASSWORD, "ping", None, json!({"test": 1})).await;
    assert_eq!(code(&r), 1000);
    let r = w.call("credit-info", None).await;
    assert_wapi_error(&r, 2006, "limit");
    assert_eq!(r["command"], "credit-info");
    assert_wapi_error(&w.call("no-such-command", None).await, 2006, "");
    let acct = w.account().await;
    assert_eq!(acct["requests_last_hour"], 3);
    assert_eq!(acct["codes"]["2006"], 2);
    // Another account has its own budget.
    assert_eq!(code(&w.call_as("other@example.com", "pw", "ping", None, json!({})).await), 1000);
    // The first request leaves the window an hour after it was made; the others stay.
    w.advance(3600 - 1200 + 5).await;
    w.expect("ping", None, 1000).await;
    assert_wapi_error(&w.call("ping", None).await, 2006, "");
    w.advance(3600).await;
    w.expect("ping", None, 1000).await;
    assert_eq!(w.account().await["requests_last_hour"], 1);
}

#[tokio::test]
async fn hourly_domain_check_limit_2250_and_2252() {
    let w = Wapi::start_with(limits(1000, 2)).await;
    w.expect("domain-check", Some(json!({"name": "volna-domena.cz"})), 1000).await;
    // A registered result (3201) counts too.
    w.expect("domain-check", Some(json!({"name": "google.cz"})), 3201).await;
    let r = w.call("domain-check", Some(json!({"name": "volna-domena.cz"}))).await;
    assert_wapi_error(&r, 2250, "Domain check limit");
    assert_eq!(r["command"], "domain-check");
    let r = w.call("domain-transfer-check", Some(json!({"name": "google.cz"}))).await;
    assert_wapi_error(&r, 2252, "transfer check limit");
    // Other commands are not limited by it.
    w.expect("domains-list", None, 1000).await;
    let acct = w.account().await;
    assert_eq!(acct["domain_checks_last_hour"], 2);
    assert_eq!(acct["requests_last_hour"], 5);
    w.advance(3601).await;
    w.expect("domain-transfer-check", Some(json!({"name": "google.cz"})), 1000).await;
    assert_eq!(w.account().await["domain_checks_last_hour"], 1);
}
