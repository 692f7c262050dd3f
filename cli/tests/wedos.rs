//! `hostapi wedos …` against an emulator started by each test.

mod common;

use common::*;
use hostapi_emulator::{EmulatorConfig, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER};
use predicates::prelude::*;
use serde_json::{json, Value};

#[test]
fn ping_credit_and_call() {
    let emu = Emu::start();
    emu.wedos()
        .arg("ping")
        .assert()
        .success()
        .stdout(predicate::str::contains("1000").and(predicate::str::contains("OK")))
        .stderr("");
    let v = json_of(emu.wedos().arg("ping"));
    assert_eq!(v["code"], 1000);
    assert_eq!(v["command"], "ping");
    assert_eq!(v["test"], false);
    let v = json_of(emu.wedos().args(["--test", "ping"]));
    assert_eq!(v["test"], true, "{v}");

    emu.wedos()
        .arg("credit")
        .assert()
        .success()
        .stdout(predicate::str::contains("2570.35").and(predicate::str::contains("CZK")));
    let v = json_of(emu.wedos().arg("credit"));
    assert_eq!(v["amount"], 2570.35);
    assert_eq!(v["currency"], "CZK");

    let v = json_of(emu.wedos().args(["call", "domain-info", "--data", r#"{"name":"example.cz"}"#]));
    assert_eq!(v["code"], 1000);
    assert!(v["data"].to_string().contains("example.cz"), "{v}");
    emu.wedos().args(["call", "ping"]).assert().success().stdout(predicate::str::contains("ping"));
    // Bad --data: config error, nothing sent.
    let err = fails_with(emu.wedos().args(["call", "domain-info", "--data", "{not json"]), 3);
    assert!(err.starts_with("error: wedos domain-info: "), "{err}");
    fails_with(emu.wedos().args(["call", "domain-info", "--data", "[1]"]), 3);
    // An unknown command: the API's error.
    let err = fails_with(emu.wedos().args(["call", "no-such-command"]), 7);
    assert!(err.starts_with("error: wedos no-such-command: "), "{err}");
}

#[test]
fn domains_list_info_check() {
    let emu = Emu::start();
    let list = json_of(emu.wedos().args(["domains", "list"]));
    assert_eq!(names(&list), ["example.cz", "hostapi-demo.cz"]);
    let active = json_of(emu.wedos().args(["domains", "list", "--status", "active"]));
    assert_eq!(names(&active), ["example.cz"]);
    emu.wedos()
        .args(["domains", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("EXPIRATION").and(predicate::str::contains("hostapi-demo.cz")));
    let d = json_of(emu.wedos().args(["domains", "info", "example.cz"]));
    assert_eq!(d["name"], "example.cz");
    assert_eq!(d["status"], "active");
    emu.wedos()
        .args(["domains", "info", "example.cz"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2027-01-15"));
    let c = json_of(emu.wedos().args(["domains", "check", "surely-free-hostapi-name.cz"]));
    assert_eq!(c["name"], "surely-free-hostapi-name.cz");
    assert!(c["available"].is_boolean(), "{c}");
    emu.wedos()
        .args(["domains", "check", "example.cz"])
        .assert()
        .success()
        .stdout(predicate::str::contains("AVAILABLE"));
}

#[test]
fn dns_rows_add_update_delete_commit() {
    let emu = Emu::start();
    let zones = json_of(emu.wedos().args(["dns", "domains"]));
    assert!(names(&zones).contains(&"example.cz".to_owned()), "{zones}");
    emu.wedos().args(["dns", "domains"]).assert().success().stdout(predicate::str::contains("example.cz"));
    emu.wedos()
        .args(["dns", "rows", "example.cz"])
        .assert()
        .success()
        .stdout(predicate::str::contains("RDATA").and(predicate::str::contains("192.0.2.1")));
    let rows = json_of(emu.wedos().args(["dns", "rows", "example.cz"]));
    assert_eq!(rows.as_array().unwrap().len(), 3);

    // Test mode validates only.
    let v = json_of(emu.wedos().args([
        "--test",
        "dns",
        "add",
        "example.cz",
        "--name",
        "t",
        "--type",
        "A",
        "--rdata",
        "192.0.2.9",
    ]));
    assert_eq!(v["test"], true);
    assert_eq!(json_of(emu.wedos().args(["dns", "rows", "example.cz"])).as_array().unwrap().len(), 3);

    emu.wedos()
        .args(["dns", "add", "example.cz", "--name", "www2", "--type", "A", "--rdata", "192.0.2.10", "--ttl", "300"])
        .args(["--comment", "added by a test"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1000"));
    let rows = json_of(emu.wedos().args(["dns", "rows", "example.cz"]));
    let row = rows.as_array().unwrap().iter().find(|r| r["name"] == "www2").expect("the new row").clone();
    assert_eq!(row["rdata"], "192.0.2.10");
    assert_eq!(row["ttl"], 300);
    let id = row["id"].as_i64().unwrap().to_string();

    emu.wedos().args(["dns", "update", "example.cz", &id, "--ttl", "600", "--rdata", "192.0.2.11"]).assert().success();
    let rows = json_of(emu.wedos().args(["dns", "rows", "example.cz"]));
    let row = rows.as_array().unwrap().iter().find(|r| r["name"] == "www2").unwrap().clone();
    assert_eq!(row["rdata"], "192.0.2.11");
    assert_eq!(row["ttl"], 600);
    let v = json_of(emu.wedos().args(["dns", "commit", "example.cz"]));
    assert_eq!(v["code"], 1000);
    emu.wedos().args(["dns", "delete", "example.cz", &id]).assert().success();
    emu.wedos().args(["dns", "commit", "example.cz"]).assert().success();
    assert_eq!(json_of(emu.wedos().args(["dns", "rows", "example.cz"])).as_array().unwrap().len(), 3);

    // A TTL out of range is refused before sending; a missing row is the API's error.
    let err = fails_with(
        emu.wedos().args(["dns", "add", "example.cz", "--type", "A", "--rdata", "192.0.2.1", "--ttl", "5"]),
        3,
    );
    assert!(err.starts_with("error: wedos dns-row-add: "), "{err}");
    fails_with(emu.wedos().args(["dns", "delete", "example.cz", "999999"]), 7);
}

fn queue(emu: &Emu, id: u64, command: &str) {
    let body = json!({"user": DEMO_WEDOS_USER, "notify": {
        "ID": id, "code": 1000, "result": "OK", "command": command, "svTRID": format!("sv-{id}"),
        "data": {"name": "example.cz"}
    }});
    emu.control("/_emulator/wedos/notifications", &body.to_string());
}

#[test]
fn notifications_poll_ack_watch() {
    let emu = Emu::start();
    emu.wedos().args(["notifications", "poll"]).assert().success().stdout(predicate::str::contains("empty"));
    assert_eq!(json_of(emu.wedos().args(["notifications", "poll"])), Value::Null);

    queue(&emu, 41, "domain-create");
    queue(&emu, 42, "domain-renew");
    let n = json_of(emu.wedos().args(["notifications", "poll"]));
    assert_eq!(n["id"], "41");
    assert_eq!(n["command"], "domain-create");
    emu.wedos().args(["notifications", "poll"]).assert().success().stdout(predicate::str::contains("domain-create"));
    emu.wedos().args(["notifications", "ack", "41"]).assert().success();
    let n = json_of(emu.wedos().args(["notifications", "poll"]));
    assert_eq!(n["id"], "42");

    queue(&emu, 43, "domain-transfer");
    // --once drains: JSON Lines, one per notification, each acknowledged.
    let out = stdout_of(emu.wedos().args(["notifications", "watch", "--once", "--json"]));
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ids: Vec<&str> = lines.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["42", "43"]);
    assert_eq!(json_of(emu.wedos().args(["notifications", "poll"])), Value::Null);
    queue(&emu, 44, "domain-create");
    emu.wedos()
        .args(["notifications", "watch", "--once"])
        .assert()
        .success()
        .stdout(predicate::str::contains("44").and(predicate::str::contains("domain-create")));
    emu.wedos().args(["notifications", "watch", "--once"]).assert().success().stdout("");
}

#[test]
fn ping_async_with_and_without_wait() {
    let emu = Emu::start();
    let p = json_of(emu.wedos().arg("ping-async"));
    assert_eq!(p["command"], "ping-async");
    assert!(p["svtrid"].is_string(), "{p}");
    emu.wedos().arg("ping-async").assert().success().stdout(predicate::str::contains("pending"));
    // --wait returns the notification of its own request (the earlier ones stay queued or kept).
    let n = json_of(emu.wedos().args(["ping-async", "--wait", "60"]));
    assert_eq!(n["command"], "ping-async");
    assert_eq!(n["code"], 1000);
}

#[test]
fn exit_codes_of_each_error_kind() {
    let emu = Emu::start();
    // Config: missing user, missing password.
    let err = fails_with(emu.bare().args(["wedos", "ping"]), 3);
    assert!(err.starts_with("error: wedos client: ") && err.contains("WEDOS_USER"), "{err}");
    let err = fails_with(emu.bare().env("WEDOS_USER", "x@y.z").args(["wedos", "ping"]), 3);
    assert!(err.contains("WEDOS_PASSWORD"), "{err}");
    fails_with(emu.wedos().args(["--ca-bundle", "/nonexistent/ca.pem", "ping"]), 3);

    // Authentication: a wrong password (from stdin), never echoed.
    let err = fails_with(emu.wedos().args(["--password-stdin", "ping"]).write_stdin("Wrong-Pass-777\n"), 4);
    assert!(err.starts_with("error: wedos ping: ") && !err.contains("Wrong-Pass-777"), "{err}");
    let err = fails_with(emu.wedos().args(["--password", "Wrong-Pass-888", "ping"]), 4);
    assert!(!err.contains("Wrong-Pass-888"), "{err}");

    // Rate limited: the server's plain-text limit.
    emu.control("/_emulator/wedos/user-agent-limit", r#"{"times":1}"#);
    let err = fails_with(emu.wedos().arg("ping"), 6);
    assert!(err.starts_with("error: wedos ping: "), "{err}");
    // Rate limited: the client's own budget (--hourly-limit 1: ping-async uses it, the wait cannot poll).
    let err = fails_with(emu.wedos().args(["--hourly-limit", "1", "ping-async", "--wait", "30"]), 6);
    assert!(err.contains("budget"), "{err}");
    fails_with(emu.wedos().args(["--hourly-limit", "0", "ping"]), 2);

    // API: an unknown domain.
    fails_with(emu.wedos().args(["domains", "info", "not-mine.cz"]), 7);

    // Transport: a closed port.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    fails_with(
        emu.wedos().args(["--base-url", &format!("http://127.0.0.1:{closed}/wapi/json"), "--retries", "0", "ping"]),
        8,
    );

    // Protocol: a body that is not JSON.
    emu.control("/_emulator/faults", r#"{"path":"/wapi/json","status":200,"body":"not json","times":1}"#);
    let err = fails_with(emu.wedos().args(["--retries", "0", "ping"]), 9);
    assert!(err.starts_with("error: wedos ping: "), "{err}");
}

#[test]
fn server_hourly_limit_is_rate_limited() {
    let mut config = EmulatorConfig::default();
    config.wedos.hourly_request_limit = 2;
    let emu = Emu::with_config(config);
    emu.wedos().arg("ping").assert().success();
    emu.wedos().arg("ping").assert().success();
    let err = fails_with(emu.wedos().arg("ping"), 6);
    assert!(err.contains("2006") && err.contains("retry after"), "{err}");
    let _ = DEMO_WEDOS_PASSWORD;
}

/// The demo account's answer counts: (all answers, those with a code of 2000 or more).
fn answer_codes(emu: &Emu) -> (u64, u64) {
    let state = http(&emu.url(), "GET", "/_emulator/state", "");
    let codes = state["wedos"][DEMO_WEDOS_USER]["codes"].as_object().cloned().unwrap_or_default();
    let all = codes.values().filter_map(Value::as_u64).sum();
    let bad = codes.iter().filter(|(k, _)| k.parse::<u64>().unwrap_or(0) >= 2000).filter_map(|(_, v)| v.as_u64()).sum();
    (all, bad)
}

fn txt_rows(emu: &Emu, name: &str) -> Vec<String> {
    let rows = json_of(emu.wedos().args(["dns", "rows", "example.cz"]));
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["name"] == name && r["rdtype"] == "TXT")
        .map(|r| r["rdata"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn acme_hooks_as_certbot_and_lego_call_them() {
    let emu = Emu::start();
    // certbot: --manual-auth-hook / --manual-cleanup-hook, with CERTBOT_DOMAIN and CERTBOT_VALIDATION set.
    for _ in 0..2 {
        emu.wedos()
            .args(["acme", "present"])
            .env("CERTBOT_DOMAIN", "example.cz")
            .env("CERTBOT_VALIDATION", "certbot-token")
            .assert()
            .success()
            .stdout(predicate::str::contains("_acme-challenge.example.cz TXT row certbot-token present"));
    }
    assert_eq!(txt_rows(&emu, "_acme-challenge"), ["certbot-token"], "once, however often it runs");
    // lego's exec provider: `present FQDN VALUE` (the FQDN with its trailing dot), a wildcard's second value.
    for _ in 0..2 {
        emu.wedos().args(["acme", "present", "_acme-challenge.example.cz.", "lego-token"]).assert().success();
    }
    let mut both = txt_rows(&emu, "_acme-challenge");
    both.sort();
    assert_eq!(both, ["certbot-token", "lego-token"]);
    let state = http(&emu.url(), "GET", "/_emulator/state", "");
    assert_eq!(state["wedos"][DEMO_WEDOS_USER]["zones"]["example.cz"]["pending"], false, "committed");
    let row = json_of(emu.wedos().args(["acme", "present", "_acme-challenge.example.cz.", "lego-token"]));
    assert!(row["id"].as_i64().unwrap() > 0, "{row}");
    // Cleanup removes exactly its own value, and repeating it changes nothing.
    let said: Vec<String> = (0..2)
        .map(|_| {
            let out = emu.wedos().args(["acme", "cleanup", "_acme-challenge.example.cz.", "lego-token"]).assert().success();
            String::from_utf8_lossy(&out.get_output().stdout).into_owned()
        })
        .collect();
    assert!(said[0].contains("removed") && !said[0].contains("nothing"), "{said:?}");
    assert!(said[1].contains("nothing to remove"), "a repeated cleanup says it found nothing: {said:?}");
    assert_eq!(txt_rows(&emu, "_acme-challenge"), ["certbot-token"]);
    for _ in 0..2 {
        emu.wedos()
            .args(["acme", "cleanup"])
            .env("CERTBOT_DOMAIN", "example.cz")
            .env("CERTBOT_VALIDATION", "certbot-token")
            .assert()
            .success();
    }
    assert!(txt_rows(&emu, "_acme-challenge").is_empty());
    // A challenge value is base64url: one in 64 begins with `-`, and is a value, not an option, before or after
    // the options.
    for value in ["-oP4Zt2vBQ", "--x9Kq_a", "-h3"] {
        emu.wedos().args(["acme", "present", "_acme-challenge.example.cz.", value, "--ttl", "300"]).assert().success();
        assert!(txt_rows(&emu, "_acme-challenge").iter().any(|v| v == value), "{value} present");
        emu.wedos().args(["acme", "cleanup", "_acme-challenge.example.cz.", value]).assert().success();
        assert!(!txt_rows(&emu, "_acme-challenge").iter().any(|v| v == value), "{value} removed");
    }
    let (all, bad) = answer_codes(&emu);
    assert!(all > 10 && bad == 0, "{all} answers, {bad} of them with a code >= 2000");
    emu.wedos().args(["acme", "timeout"]).assert().success().stdout(predicate::str::contains("\"timeout\""));
    // Without arguments or certbot's variables: a config error, nothing sent.
    fails_with(emu.wedos().args(["acme", "present"]).env_remove("CERTBOT_DOMAIN"), 3);
}

#[test]
fn dns_add_prints_the_new_rows_id_and_the_other_commands() {
    let emu = Emu::start();
    let out = stdout_of(emu.wedos().args([
        "dns",
        "add",
        "example.cz",
        "--name",
        "api",
        "--type",
        "A",
        "--rdata",
        "192.0.2.7",
    ]));
    let line = out.lines().find(|l| l.contains("row_id")).unwrap_or_else(|| panic!("no row_id in {out}"));
    let id: i64 = line.split(|c: char| !c.is_ascii_digit()).filter(|t| !t.is_empty()).last().unwrap().parse().unwrap();
    let v = json_of(emu.wedos().args(["dns", "row", "example.cz", &id.to_string()]));
    assert_eq!((v["name"].as_str(), v["rdata"].as_str()), (Some("api"), Some("192.0.2.7")));
    let v = json_of(emu.wedos().args([
        "dns",
        "add",
        "example.cz",
        "--name",
        "api2",
        "--type",
        "A",
        "--rdata",
        "192.0.2.8",
    ]));
    assert!(v["row_id"].as_i64().unwrap() > id, "{v}");
    let z = json_of(emu.wedos().args(["dns", "domain", "example.cz"]));
    assert_eq!(z["name"], "example.cz");
    let t = json_of(emu.wedos().args(["domains", "transfer-check", "example.cz"]));
    assert_eq!(t["transferable"], false);
    let n = json_of(emu.wedos().args(["domains", "create", "nova-domena.cz", "--owner-c", "OWNER-1", "--wait", "10"]));
    assert_eq!((n["command"].as_str(), n["code"].as_i64()), (Some("domain-create"), Some(1000)), "{n}");
    let r = json_of(emu.wedos().args(["domains", "renew", "nova-domena.cz", "--period", "2"]));
    assert_eq!(r["code"], 1000);
}

/// The examples of `--help` name the emulator's demo zone, so they work against it as printed.
#[test]
fn help_examples_use_the_demo_zone() {
    for path in [&["wedos"][..], &["wedos", "dns", "rows"], &["wedos", "dns", "add"], &["wedos", "domains", "info"]] {
        let out = assert_cmd::Command::new(common::BIN).args(path).arg("--help").assert().success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        let examples = text.split("Examples:").nth(1).unwrap_or_default();
        assert!(!examples.contains("example.com"), "{path:?}: {examples}");
        assert!(examples.contains("example.cz"), "{path:?}: {examples}");
    }
}


/// Tables and tab-separated output name the fields as the JSON does (`cltrid`, `svtrid`), and a cell holding JSON
/// is one line.
#[test]
fn tsv_names_fields_as_the_json_does() {
    let emu = Emu::start();
    let out = emu.wedos().args(["ping-async"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("cltrid") && text.contains("svtrid") && !text.contains("TRID"), "{text}");
    let out = emu.wedos().args(["call", "credit-info"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let data = text.lines().find(|l| l.starts_with("data")).unwrap_or_else(|| panic!("no data line in {text}"));
    let cell = data.split('\t').nth(1).unwrap_or_default();
    assert!(serde_json::from_str::<Value>(cell).is_ok(), "one-line JSON: {cell}");
}
