//! Where the emulator answers as the real WAPI server was observed to (see docs/wedos-wapi.md, "What the real
//! server does"): empty `data` forms, row order, the Content-Type, four-part svTRIDs, escaped slashes.

mod wedos_common;

use serde_json::{json, Value};
use wedos_common::*;

#[tokio::test]
async fn empty_data_forms_are_no_data() {
    let w = Wapi::start().await;
    // dns-lexicon sends "data": "" with dns-domains-list; [] is PHP's empty array; {} and an absent data too.
    for data in [json!(""), json!([]), json!({}), Value::Null] {
        let auth = w.auth().await;
        let r = w.send(json!({"user": USER, "auth": auth, "command": "dns-domains-list", "data": data})).await;
        assert_eq!(code(&r), 1000, "data {data}: {r}");
        assert!(r["data"]["domain"].is_array(), "{r}");
    }
    let auth = w.auth().await;
    let r = w.send(json!({"user": USER, "auth": auth, "command": "ping", "data": ""})).await;
    assert_eq!(code(&r), 1000, "{r}");
    // A command that needs data still says what is missing.
    let auth = w.auth().await;
    let r = w.send(json!({"user": USER, "auth": auth, "command": "dns-rows-list", "data": ""})).await;
    assert_eq!(code(&r), 2100, "{r}");
    // Other non-object data is still refused.
    let auth = w.auth().await;
    let r = w.send(json!({"user": USER, "auth": auth, "command": "ping", "data": "x"})).await;
    assert_eq!(code(&r), 2004, "{r}");
}

#[tokio::test]
async fn rows_are_listed_by_name_with_underscores_last_then_type_and_data() {
    let w = Wapi::start().await;
    for (name, t, rdata) in [
        ("_acme-challenge", "TXT", "b"),
        ("zeta", "A", "192.0.2.9"),
        ("_acme-challenge", "TXT", "a"),
        ("alpha", "TXT", "x"),
        ("alpha", "A", "192.0.2.1"),
        ("_dmarc", "TXT", "v=DMARC1"),
    ] {
        w.expect(
            "dns-row-add",
            Some(json!({"domain": "example.cz", "name": name, "ttl": 300, "type": t, "rdata": rdata})),
            1000,
        )
        .await;
    }
    let r = w.expect("dns-rows-list", Some(json!({"domain": "example.cz"})), 1000).await;
    let rows: Vec<(String, String, String)> = r["data"]["row"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["name"].as_str().unwrap().into(),
                x["rdtype"].as_str().unwrap().into(),
                x["rdata"].as_str().unwrap().into(),
            )
        })
        .collect();
    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        names,
        ["", "", "alpha", "alpha", "www", "zeta", "_acme-challenge", "_acme-challenge", "_dmarc"],
        "{rows:?}"
    );
    assert_eq!(rows[0].1, "A", "the apex's A before its MX");
    assert_eq!((rows[2].1.as_str(), rows[3].1.as_str()), ("A", "TXT"));
    assert_eq!((rows[6].2.as_str(), rows[7].2.as_str()), ("a", "b"));
}

#[tokio::test]
async fn answers_look_like_the_real_servers() {
    let w = Wapi::start().await;
    w.expect("dns-row-add", Some(json!({"domain": "example.cz", "name": "spf", "ttl": 300, "type": "TXT", "rdata": "v=spf1 ip4:192.0.2.0/24 -all"})), 1000)
        .await;
    let auth = w.auth().await;
    let doc =
        json!({"request": {"user": USER, "auth": auth, "command": "dns-rows-list", "data": {"domain": "example.cz"}}});
    let body = form_urlencoded::Serializer::new(String::new()).append_pair("request", &doc.to_string()).finish();
    let resp = w
        .http
        .post(w.url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/html; charset=UTF-8");
    let text = resp.text().await.unwrap();
    assert!(text.contains(r"192.0.2.0\/24"), "slashes escaped as PHP does: {text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let svtrid = v["response"]["svTRID"].as_str().unwrap();
    let parts: Vec<&str> = svtrid.split('.').collect();
    assert_eq!(parts.len(), 4, "{svtrid}");
    assert!(parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())), "{svtrid}");
    assert_eq!((parts[1].len(), parts[2].len(), parts[3]), (4, 4, "1"), "{svtrid}");
}
