//! Every operation of the operation model, composites included, through the one JSON entry point
//! (`Client::call_json`), against the emulator. A new operation without a case here fails
//! `every_model_operation_has_a_case`.

use std::collections::HashSet;
use std::time::Duration;

use hostapi::ops::Api;
use hostapi::wedos::protocol::RequestOptions;
use hostapi::{velneo, wedos, ErrorKind};
use hostapi_emulator::{
    Emulator, EmulatorConfig, DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER,
};
use serde_json::{json, Value};

async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default()).await.expect("emulator starts")
}

/// The operations each test below runs, so that a model entry without a test is noticed.
const VELNEO_COVERED: &[&str] = &[
    "session.login",
    "session.logout",
    "vserver.status",
    "vserver.start",
    "vserver.stop",
    "vserver.credentials",
    "vserver.backup",
    "vserver.download_backup",
    "vserver.wait_for_state",
    "groups.put",
    "groups.get",
    "groups.list",
    "groups.delete",
    "users.put",
    "users.get",
    "users.list",
    "users.delete",
    "folders.put",
    "folders.get",
    "folders.list",
    "folders.delete",
    "app_instances.put",
    "app_instances.get",
    "app_instances.list",
    "app_instances.delete",
    "data_instances.put",
    "data_instances.get",
    "data_instances.list",
    "data_instances.delete",
];

const WEDOS_COVERED: &[&str] = &[
    "ping",
    "ping_async",
    "credit_info",
    "call",
    "domains.list",
    "domains.info",
    "domains.check",
    "domains.transfer_check",
    "domains.create",
    "domains.renew",
    "dns.domains",
    "dns.domain_info",
    "dns.row_detail",
    "dns.set_txt",
    "dns.clear_txt",
    "dns.rows",
    "dns.add_row",
    "dns.update_row",
    "dns.delete_row",
    "dns.commit",
    "notifications.poll",
    "notifications.ack",
    "notifications.next",
    "notifications.kept",
];

#[test]
fn every_model_operation_has_a_case() {
    for (api, covered) in [(Api::Velneo, VELNEO_COVERED), (Api::Wedos, WEDOS_COVERED)] {
        let model: HashSet<&str> = api.ops().iter().map(|o| o.name).collect();
        let covered: HashSet<&str> = covered.iter().copied().collect();
        assert_eq!(model, covered, "{}: model operations without a call_json case, or stale cases", api.as_str());
    }
}

#[tokio::test]
async fn every_velneo_operation_through_call_json() {
    let emu = emulator().await;
    let c = velneo::ClientBuilder::from_options(&json!({
        "email": DEMO_VELNEO_EMAIL, "api_key": DEMO_VELNEO_API_KEY, "base_url": emu.velneo_url(),
        "timeout": 10, "backoff": [0.01, 0.05],
    }))
    .unwrap()
    .build()
    .unwrap();
    let call = |op: &'static str, args: Value| {
        let c = c.clone();
        async move { c.call_json(op, &args).await.unwrap_or_else(|e| panic!("{op}: {e}")) }
    };

    assert!(call("session.login", Value::Null).await["session"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(call("vserver.status", json!({})).await["status"], "running");
    assert_eq!(call("vserver.stop", json!({})).await["status_code"], 200);
    let st = call("vserver.wait_for_state", json!({"state": "stopped", "interval": 0.01, "timeout": 5})).await;
    assert_eq!(st["status"], "stopped");
    assert_eq!(call("vserver.start", json!({})).await["status_code"], 200);
    assert_eq!(
        call("vserver.wait_for_state", json!({"state": "running", "interval": 0.01})).await["status"],
        "running"
    );
    assert_eq!(
        call("vserver.credentials", json!({"username": "velneo", "password": "velneo"})).await["status_code"],
        200
    );

    let backup = call("vserver.backup", json!({})).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.zip");
    let n = call("vserver.download_backup", json!({"backup": backup, "path": file})).await;
    assert_eq!(n.as_u64().unwrap(), std::fs::metadata(&file).unwrap().len());
    assert!(n.as_u64().unwrap() > 0);
    let by_url = dir.path().join("by-url.zip");
    call("vserver.download_backup", json!({"backup": backup["url"], "path": by_url})).await;
    assert_eq!(std::fs::read(&file).unwrap(), std::fs::read(&by_url).unwrap());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 2, "no temporary file is left behind");

    call("groups.put", json!({"name": "Clientes", "manage_solutions": false})).await;
    assert_eq!(call("groups.get", json!({"name": "Clientes"})).await["name"], "Clientes");
    assert!(call("groups.list", json!({})).await.as_array().unwrap().iter().any(|g| g["name"] == "Clientes"));
    call("folders.put", json!({"name": "clientes", "group": "Clientes", "path": "clientes"})).await;
    assert_eq!(call("folders.get", json!({"name": "clientes"})).await["name"], "clientes");
    assert!(call("folders.list", json!(null)).await.as_array().unwrap().iter().any(|f| f["name"] == "clientes"));

    let data = call(
        "data_instances.put",
        json!({"name": "Acme_datos", "project": "2ewlh1l5.vcd", "solution": "Biblioteca",
               "folder_shared": "clientes/acme"}),
    )
    .await;
    let data_id = data["id"].as_str().unwrap().to_owned();
    assert_eq!(call("data_instances.get", json!({"id": data_id})).await["name"], "Acme_datos");
    assert_eq!(call("data_instances.list", json!({})).await.as_array().unwrap().len(), 1);
    // inheritance as an object is joined by the core.
    let app = call(
        "app_instances.put",
        json!({"name": "Acme", "project": "2ewlh1l5.vca", "solution": "Biblioteca",
               "folder_shared": "clientes/acme", "inheritance": {"2ewlh1l5.vcd": data_id}}),
    )
    .await;
    let app_id = app["id"].as_str().unwrap().to_owned();
    assert_eq!(call("app_instances.get", json!({"name": "Acme"})).await["solution"], "Biblioteca");
    assert!(call("app_instances.list", json!({})).await.as_array().unwrap().iter().any(|a| a["name"] == "Acme"));

    call(
        "users.put",
        json!({"username": "acme", "password": "s3cret-Pa55", "group": "Clientes", "is_supervisor": false}),
    )
    .await;
    let u = call("users.get", json!({"username": "acme"})).await;
    assert_eq!(u["groups"], json!(["Clientes"]));
    let members = call("users.list", json!({"group": "Clientes"})).await;
    assert_eq!(members.as_array().unwrap().len(), 1);
    assert_eq!(call("users.delete", json!({"username": "acme"})).await["status_code"], 200);
    assert_eq!(call("app_instances.delete", json!({"id": app_id})).await["status_code"], 200);
    assert_eq!(call("data_instances.delete", json!({"name": "Acme_datos"})).await["status_code"], 200);
    assert_eq!(call("folders.delete", json!({"name": "clientes"})).await["status_code"], 200);
    assert_eq!(call("groups.delete", json!({"name": "Clientes"})).await["status_code"], 200);
    assert_eq!(call("session.logout", json!({})).await["status_code"], 200);
    assert_eq!(c.login_count(), 1);

    // Bad arguments are Config errors that name the operation, before anything is sent.
    let bad = [
        ("vserver.wait_for_state", json!({"state": "runing"}), "velneo vserver.wait_for_state"),
        ("vserver.download_backup", json!({"backup": 42, "path": "x"}), "velneo vserver.backup download"),
        ("groups.put", json!({"name": "G", "manage_solutions": "yes"}), "velneo groups.put"),
        ("users.get", json!({}), "velneo users.get"),
        ("nope.nothing", json!({}), "velneo"),
    ];
    for (op, args, label) in bad {
        let e = c.call_json(op, &args).await.unwrap_err();
        assert_eq!((e.kind(), e.operation()), (ErrorKind::Config, label), "{op}: {e}");
    }
    assert_eq!(c.login_count(), 1, "nothing was sent for calls that cannot be built");
}

#[tokio::test]
async fn every_wedos_operation_through_call_json() {
    let emu = emulator().await;
    let c = wedos::ClientBuilder::from_options(&json!({
        "user": DEMO_WEDOS_USER, "password": DEMO_WEDOS_PASSWORD, "base_url": emu.wedos_url(),
        "poll_interval": 0.05, "backoff": [0.005, 0.02], "on_limit": "raise",
    }))
    .unwrap()
    .build()
    .unwrap();
    let none = RequestOptions::default();
    let call = |op: &'static str, args: Value| {
        let c = c.clone();
        async move { c.call_json(op, &args, &RequestOptions::default()).await.unwrap_or_else(|e| panic!("{op}: {e}")) }
    };

    assert_eq!(call("ping", json!({})).await["code"], 1000);
    let mine = RequestOptions { cltrid: Some("my-own-cltrid".into()), test: false };
    assert_eq!(c.call_json("ping", &json!({}), &mine).await.unwrap()["cltrid"], "my-own-cltrid");
    assert!(call("credit_info", json!({})).await["amount"].as_f64().unwrap() > 0.0);
    let r = call("call", json!({"command": "domain-info", "data": {"name": "example.cz"}, "cltrid": "c-1"})).await;
    assert_eq!((r["code"].as_i64(), r["cltrid"].as_str()), (Some(1000), Some("c-1")));
    assert!(call("domains.list", json!({})).await.as_array().unwrap().iter().any(|d| d["name"] == "example.cz"));
    assert_eq!(call("domains.info", json!({"name": "example.cz"})).await["name"], "example.cz");
    assert_eq!(call("domains.check", json!({"name": "example.cz"})).await["available"], false);
    assert!(call("dns.domains", json!({})).await.as_array().unwrap().iter().any(|z| z["name"] == "example.cz"));
    assert_eq!(call("dns.domain_info", json!({"domain": "example.cz"})).await["name"], "example.cz");
    let t = call("domains.transfer_check", json!({"name": "example.cz"})).await;
    assert_eq!((t["transferable"].as_bool(), t["code"].as_i64()), (Some(false), Some(3206)), "{t}");
    let renewed = call("domains.renew", json!({"name": "example.cz", "period": 2})).await;
    assert_eq!(renewed["data"]["expiration"], "2029-01-15", "{renewed}");
    let created = call("domains.create", json!({"name": "nova-domena.cz", "owner_c": "OWNER-1", "wait": 10})).await;
    assert_eq!(
        (created["command"].as_str(), created["code"].as_i64()),
        (Some("domain-create"), Some(1000)),
        "{created}"
    );
    assert_eq!(created["data"]["name"], "nova-domena.cz");
    assert!(call("domains.list", json!({})).await.as_array().unwrap().iter().any(|d| d["name"] == "nova-domena.cz"));
    let row = call("dns.set_txt", json!({"fqdn": "_acme-challenge.www.example.cz", "value": "tok-1"})).await;
    assert_eq!((row["name"].as_str(), row["ttl"].as_i64()), (Some("_acme-challenge.www"), Some(300)), "{row}");
    let detail = call("dns.row_detail", json!({"domain": "example.cz", "row_id": row["id"]})).await;
    assert_eq!(detail["rdata"], "tok-1");
    assert_eq!(call("dns.clear_txt", json!({"fqdn": "_acme-challenge.www.example.cz", "value": "tok-1"})).await, 1);

    call("dns.add_row", json!({"domain": "example.cz", "name": "_cj", "rdtype": "TXT", "rdata": "v1", "ttl": 300}))
        .await;
    let rows = call("dns.rows", json!({"domain": "example.cz"})).await;
    let row = rows.as_array().unwrap().iter().find(|r| r["name"] == "_cj").unwrap().clone();
    assert_eq!((row["rdtype"].as_str(), row["ttl"].as_i64()), (Some("TXT"), Some(300)));
    call("dns.update_row", json!({"domain": "example.cz", "row_id": row["id"], "ttl": 600, "rdata": "v2"})).await;
    assert_eq!(call("dns.commit", json!({"domain": "example.cz"})).await["code"], 1000);
    call("dns.delete_row", json!({"domain": "example.cz", "row_id": row["id"]})).await;
    call("dns.commit", json!({"domain": "example.cz"})).await;

    // ping_async without wait: the pending request; with wait: its notification.
    let pending = call("ping_async", json!({})).await;
    assert!(pending["svtrid"].is_string() || pending["cltrid"].is_string());
    // Another request's notification sits in front of ours: ping_async with wait keeps it for the caller.
    let n = call("ping_async", json!({"wait": 10})).await;
    assert_eq!((n["code"].as_i64(), n["command"].as_str()), (Some(1000), Some("ping-async")));
    assert_ne!(n["svtrid"], pending["svtrid"]);
    assert_eq!(call("notifications.kept", json!({})).await, 1);
    // The generic poll hands out the kept notification first, without consuming it.
    let first = call("notifications.poll", json!({})).await;
    assert_eq!(first["svtrid"], pending["svtrid"], "the kept notification comes first");
    assert_eq!(call("notifications.poll", json!({})).await["svtrid"], pending["svtrid"]);
    // ack of a kept one drops it from the client; the server queue is empty then.
    let ack = call("notifications.ack", json!({"id": first["id"]})).await;
    assert_eq!(ack["code"], 1002);
    assert_eq!(call("notifications.kept", json!({})).await, 0);
    assert_eq!(call("notifications.poll", json!({})).await, Value::Null);

    // next: poll + ack in one step, from the server queue.
    call("ping_async", json!({})).await;
    let next = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let n = call("notifications.next", json!({})).await;
            if !n.is_null() {
                break n;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the notification arrives");
    assert_eq!(next["command"], "ping-async");
    assert_eq!(call("notifications.next", json!({})).await, Value::Null);

    let bad = [
        ("dns.add_row", json!({"domain": "example.cz", "name": "x", "rdtype": "A", "rdata": "1.2.3.4", "ttl": 5})),
        ("dns.rows", json!({"domain": "example.cz", "zzz": 1})),
        ("ping_async", json!({"wait": -1})),
        ("notifications.ack", json!({"id": true})),
        ("call", json!({"command": "Not A Command"})),
        ("nope", json!({})),
    ];
    for (op, args) in bad {
        let e = c.call_json(op, &args, &none).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{op}: {e}");
    }
}

#[test]
fn from_options_validates_like_the_builders() {
    let e = velneo::ClientBuilder::from_options(&json!({"email": "a@b.c", "timeout": "soon"})).unwrap_err();
    assert!(e.kind() == ErrorKind::Config && e.message().contains("timeout"), "{e}");
    let e = velneo::ClientBuilder::from_options(&json!({"email": "a@b.c"})).unwrap().build().unwrap_err();
    assert!(e.message().contains("VELNEO_API_KEY"), "{e}");
    let e = wedos::ClientBuilder::from_options(&json!({"on_limit": "later"})).unwrap_err();
    assert!(e.message().contains("on_limit"), "{e}");
    let e = wedos::ClientBuilder::from_options(&json!([1, 2])).unwrap_err();
    assert_eq!(e.operation(), "wedos client");
    let c = wedos::ClientBuilder::from_options(&json!({"user": "u", "password": "secret-pw", "retries": 0}))
        .unwrap()
        .build()
        .unwrap();
    assert!(!format!("{c:?}").contains("secret-pw"));
}
