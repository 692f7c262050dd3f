//! WEDOS DNS rows: list, add, update, delete, commit; pending vs published; every row input error; test mode.

mod wedos_common;

use hostapi_emulator::{EmulatorConfig, WedosAccount, WedosConfig};
use serde_json::{json, Value};
use wedos_common::*;

async fn rows(w: &Wapi, domain: &str) -> Vec<Value> {
    let r = w.expect("dns-rows-list", Some(json!({"domain": domain})), 1000).await;
    r["data"]["row"].as_array().expect("row array").clone()
}

fn find<'a>(rows: &'a [Value], name: &str, rdtype: &str) -> Option<&'a Value> {
    rows.iter().find(|r| r["name"] == name && r["rdtype"] == rdtype)
}

#[tokio::test]
async fn rows_list_shape() {
    let w = Wapi::start_with(no_block()).await;
    let list = rows(&w, "example.cz").await;
    assert_eq!(list.len(), 3);
    let apex = find(&list, "", "A").expect("apex A");
    assert!(apex["ID"].as_str().is_some_and(|s| s.parse::<u64>().is_ok()), "ID as a numeric string: {apex}");
    assert_eq!(apex["ttl"], "3600");
    assert_eq!(apex["rdata"], "192.0.2.1");
    assert_eq!(apex["author_comment"], "");
    let date = apex["changed_date"].as_str().expect("date");
    assert_eq!(date.len(), 19, "{date}");
    assert_eq!(&date[4..5], "-");
    assert_eq!(&date[10..11], " ");
    assert_eq!(find(&list, "www", "CNAME").expect("www")["rdata"], "example.cz.");
    assert_eq!(find(&list, "", "MX").expect("mx")["rdata"], "10 mail.example.cz.");
    let keys: Vec<&str> = apex.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["ID", "name", "ttl", "rdtype", "rdata", "changed_date", "author_comment"]);
    assert_wapi_error(&w.call("dns-rows-list", None).await, 2100, "domain");
    assert_wapi_error(&w.call("dns-rows-list", Some(json!({"domain": "google.cz"}))).await, 3223, "");
}

#[tokio::test]
async fn add_update_delete_commit_with_pending_and_published() {
    let w = Wapi::start_with(no_block()).await;
    let add = json!({"domain": "example.cz", "name": "shop", "ttl": 1800, "type": "A", "rdata": "192.0.2.10",
                     "auth_comment": "Záznam č. 1"});
    let r = w.expect("dns-row-add", Some(add), 1000).await;
    assert!(r.get("data").is_none(), "{r}");
    let list = rows(&w, "example.cz").await;
    let row = find(&list, "shop", "A").expect("added row").clone();
    assert_eq!(row["ttl"], "1800");
    assert_eq!(row["author_comment"], "Záznam č. 1");
    let zone = w.zone("example.cz").await;
    assert_eq!(zone["pending"], true);
    assert_eq!(zone["rows"].as_array().map(Vec::len), Some(4));
    assert_eq!(zone["published"].as_array().map(Vec::len), Some(3), "not published before the commit");

    // Numbers as numeric strings are accepted.
    let id = row["ID"].as_str().expect("id").to_string();
    let upd = json!({"domain": "example.cz", "row_id": id, "ttl": "7200", "rdata": "192.0.2.20"});
    w.expect("dns-row-update", Some(upd), 1000).await;
    let list = rows(&w, "example.cz").await;
    let row = find(&list, "shop", "A").expect("row");
    assert_eq!((row["ttl"].as_str(), row["rdata"].as_str()), (Some("7200"), Some("192.0.2.20")));
    assert_eq!(row["ID"], json!(id), "an update keeps the ID");

    w.expect("dns-domain-commit", Some(json!({"name": "example.cz"})), 1000).await;
    let zone = w.zone("example.cz").await;
    assert_eq!(zone["pending"], false);
    assert_eq!(zone["published"], zone["rows"]);

    let id_num: u64 = id.parse().expect("numeric");
    w.expect("dns-row-delete", Some(json!({"domain": "example.cz", "row_id": id_num})), 1000).await;
    assert!(find(&rows(&w, "example.cz").await, "shop", "A").is_none());
    let zone = w.zone("example.cz").await;
    assert_eq!(zone["pending"], true);
    assert!(find(zone["published"].as_array().expect("rows"), "shop", "A").is_some(), "still published");
    // Uncommitted changes publish by themselves 5 minutes after the last change (emulator clock).
    w.advance(299).await;
    assert_eq!(w.zone("example.cz").await["pending"], true);
    w.advance(2).await;
    let zone = w.zone("example.cz").await;
    assert_eq!(zone["pending"], false);
    assert!(find(zone["published"].as_array().expect("rows"), "shop", "A").is_none());
    // The other zone was never touched.
    assert_eq!(w.zone("hostapi-demo.cz").await["pending"], false);
    // Unknown row ids: 3309.
    for id in [json!(999_999), json!("999999"), json!(id_num), json!("abc")] {
        let r = w
            .call(
                "dns-row-update",
                Some(json!({"domain": "example.cz", "row_id": id, "ttl": 3600, "rdata": "192.0.2.1"})),
            )
            .await;
        assert_wapi_error(&r, 3309, "Row ID does not exist");
        let r = w.call("dns-row-delete", Some(json!({"domain": "example.cz", "row_id": id}))).await;
        assert_wapi_error(&r, 3309, "Row ID does not exist");
    }
    assert_wapi_error(&w.call("dns-row-delete", Some(json!({"domain": "example.cz"}))).await, 2100, "row_id");
    assert_wapi_error(&w.call("dns-domain-commit", Some(json!({"domain": "example.cz"}))).await, 2100, "name");
    assert_wapi_error(&w.call("dns-domain-commit", Some(json!({"name": "google.cz"}))).await, 3223, "");
}

#[tokio::test]
async fn row_input_errors() {
    let mut demo = WedosAccount::demo();
    demo.dns_zones[1].min_ttl = 3600;
    let cfg = EmulatorConfig {
        wedos: WedosConfig { accounts: vec![demo], block_threshold: 100_000, ..WedosConfig::default() },
        ..EmulatorConfig::default()
    };
    let w = Wapi::start_with(cfg).await;
    let base = json!({"domain": "example.cz", "name": "mail", "ttl": 3600, "type": "A", "rdata": "192.0.2.25"});
    let with = |k: &str, v: Value| {
        let mut d = base.clone();
        d[k] = v;
        d
    };
    // 2100: every required parameter.
    for k in ["domain", "name", "ttl", "type", "rdata"] {
        let mut d = base.clone();
        d.as_object_mut().expect("object").remove(k);
        assert_wapi_error(&w.call("dns-row-add", Some(d)).await, 2100, k);
    }
    // 2309: type.
    for t in ["PTR", "SOA", "", "A A"] {
        assert_wapi_error(&w.call("dns-row-add", Some(with("type", json!(t)))).await, 2309, "type");
    }
    // 2311: name, and a CNAME at the apex.
    for n in ["bad name", "a..b", "www.", ".www", "a*", "x.*", "é"] {
        assert_wapi_error(&w.call("dns-row-add", Some(with("name", json!(n)))).await, 2311, "name");
    }
    let cname = json!({"domain": "example.cz", "name": "", "ttl": 3600, "type": "CNAME", "rdata": "other.cz."});
    assert_wapi_error(&w.call("dns-row-add", Some(cname)).await, 2311, "apex");
    // 2315: TTL outside 300–172800 or not a whole number.
    for t in [json!(299), json!(172_801), json!(0), json!(-1), json!("3600s"), json!(3600.5), json!("")] {
        assert_wapi_error(&w.call("dns-row-add", Some(with("ttl", t))).await, 2315, "TTL");
    }
    // 2317: within the range but below the zone's own limit.
    let mut low = with("ttl", json!(1800));
    low["domain"] = json!("hostapi-demo.cz");
    assert_wapi_error(&w.call("dns-row-add", Some(low.clone())).await, 2317, "TTL");
    low["ttl"] = json!(3600);
    w.expect("dns-row-add", Some(low), 1000).await;
    // 2314: data.
    for (t, d) in [
        ("A", "300.1.1.1"),
        ("A", "2001:db8::1"),
        ("A", ""),
        ("AAAA", "192.0.2.1"),
        ("MX", "mail.example.cz."),
        ("MX", "x mail.example.cz."),
        ("CNAME", "has space.cz."),
        ("TXT", " "),
        ("TXT", "a\nb"),
    ] {
        let r = w
            .call("dns-row-add", Some(json!({"domain": "example.cz", "name": "x", "ttl": 300, "type": t, "rdata": d})))
            .await;
        assert_wapi_error(&r, 2314, "data");
    }
    // 2316: an exact duplicate (name, type and data); the same name with other data is fine.
    let dup = json!({"domain": "example.cz", "name": "", "ttl": 600, "type": "a", "rdata": "192.0.2.1"});
    assert_wapi_error(&w.call("dns-row-add", Some(dup)).await, 2316, "Row already exists");
    let other = json!({"domain": "example.cz", "name": "", "ttl": 600, "type": "A", "rdata": "192.0.2.2"});
    w.expect("dns-row-add", Some(other), 1000).await;
    // Accepted edge values: ttl 300 and 172800 (as a string), wildcard, underscores, AAAA, TXT with anything.
    for d in [
        json!({"domain": "example.cz", "name": "*", "ttl": 300, "type": "MX", "rdata": "10 mail.example.cz."}),
        json!({"domain": "example.cz", "name": "_test", "ttl": "172800", "type": "TXT", "rdata": "a=b&c=d+e \"quoted\" back\\slash"}),
        json!({"domain": "EXAMPLE.cz", "name": "mail._domainkey", "ttl": 3600, "type": "TXT", "rdata": "v=DKIM1; k=rsa; p=MIGf/ab+cd=="}),
        json!({"domain": "example.cz", "name": "v6", "ttl": 3600, "type": "AAAA", "rdata": "2001:db8::10"}),
        json!({"domain": "example.cz", "name": "Mail", "ttl": 3600, "type": "cname", "rdata": "example.cz."}),
    ] {
        w.expect("dns-row-add", Some(d), 1000).await;
    }
    let list = rows(&w, "example.cz").await;
    assert!(find(&list, "mail", "CNAME").is_some(), "names lower-cased, types upper-cased: {list:?}");
    // Updates are validated against the row's type; an update that duplicates another row is 2316.
    let apex_a = find(&list, "", "A").expect("apex")["ID"].clone();
    let upd = |ttl: Value, rdata: &str| json!({"domain": "example.cz", "row_id": apex_a, "ttl": ttl, "rdata": rdata});
    assert_wapi_error(&w.call("dns-row-update", Some(upd(json!(3600), "nope"))).await, 2314, "");
    assert_wapi_error(&w.call("dns-row-update", Some(upd(json!(100), "192.0.2.9"))).await, 2315, "");
    assert_wapi_error(&w.call("dns-row-update", Some(upd(json!(3600), "192.0.2.2"))).await, 2316, "");
    w.expect("dns-row-update", Some(upd(json!(3600), "192.0.2.1")), 1000).await;
    assert_wapi_error(
        &w.call("dns-row-update", Some(json!({"domain": "example.cz", "row_id": apex_a}))).await,
        2100,
        "ttl",
    );
}

#[tokio::test]
async fn test_mode_validates_and_changes_nothing() {
    let w = Wapi::start_with(no_block()).await;
    let before = w.zone("example.cz").await;
    let list = rows(&w, "example.cz").await;
    let id = find(&list, "", "A").expect("apex")["ID"].clone();
    let t = json!({"test": 1, "clTRID": "t-1"});
    let add = json!({"domain": "example.cz", "name": "*", "ttl": 600, "type": "MX", "rdata": "10 mail.example.cz."});
    for (cmd, data) in [
        ("dns-row-add", add),
        ("dns-row-update", json!({"domain": "example.cz", "row_id": id, "ttl": 300, "rdata": "192.0.2.99"})),
        ("dns-row-delete", json!({"domain": "example.cz", "row_id": id})),
        ("dns-domain-commit", json!({"name": "example.cz"})),
    ] {
        let r = w.call_as(USER, PASSWORD, cmd, Some(data), t.clone()).await;
        assert_eq!(code(&r), 1000, "{cmd}: {r}");
        assert_eq!(r["test"], 1);
        assert_eq!(r["clTRID"], "t-1");
    }
    assert_eq!(w.zone("example.cz").await, before);
    // Test requests are still validated.
    let bad = json!({"domain": "example.cz", "name": "", "ttl": 600, "type": "A", "rdata": "192.0.2.1"});
    let r = w.call_as(USER, PASSWORD, "dns-row-add", Some(bad), t.clone()).await;
    assert_wapi_error(&r, 2316, "");
    assert_eq!(r["test"], 1);
    let r =
        w.call_as(USER, PASSWORD, "dns-row-delete", Some(json!({"domain": "example.cz", "row_id": 12345})), t).await;
    assert_wapi_error(&r, 3309, "");
}
