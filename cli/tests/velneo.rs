//! `hostapi velneo …` against an emulator started by each test.

mod common;

use common::*;
use predicates::prelude::*;

#[test]
fn vserver_status_table_and_json() {
    let emu = Emu::start();
    emu.velneo()
        .args(["vserver", "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains("status").and(predicate::str::contains("running")))
        .stdout(predicate::str::contains("vatps://c3.velneo.com:6070"))
        .stderr("");
    let v = json_of(emu.velneo().args(["vserver", "status"]));
    assert_eq!(v["status"], "running");
    assert_eq!(v["version"], "25.0.4");
    assert!(v["raw"].is_object(), "the record keeps the raw answer: {v}");
}

#[test]
fn vserver_stop_start_wait_credentials_and_backup() {
    let emu = Emu::start();
    // Without --wait: the acknowledgement.
    emu.velneo().args(["vserver", "stop"]).assert().success().stdout(predicate::str::starts_with("OK"));
    let v = json_of(emu.velneo().args(["vserver", "status"]));
    assert_eq!(v["status"], "stopped");
    // An administrative call on a stopped vServer is an API error.
    let err = fails_with(emu.velneo().args(["groups", "list"]), 7);
    assert!(err.starts_with("error: velneo groups.list:"), "{err}");
    // With --wait: the final status (no spinner: stderr is not a terminal).
    let v =
        json_of(emu.velneo().args(["vserver", "start", "--wait", "--poll-interval", "0.05", "--wait-timeout", "30"]));
    assert_eq!(v["status"], "running");
    emu.velneo()
        .args(["vserver", "stop", "--wait", "--poll-interval", "0.05"])
        .assert()
        .success()
        .stdout(predicate::str::contains("stopped"))
        .stderr("");
    emu.velneo().args(["vserver", "start", "--wait"]).assert().success().stdout(predicate::str::contains("running"));
    // --wait-timeout needs --wait.
    fails_with(emu.velneo().args(["vserver", "start", "--wait-timeout", "3"]), 2);

    // Credentials: from stdin, never echoed.
    let out = emu
        .velneo()
        .args(["vserver", "credentials", "velneo", "--password-stdin"])
        .write_stdin("velneo\n")
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("OK"));
    // Wrong stored credentials: exit 5 on the next administrative call.
    emu.velneo()
        .args(["vserver", "credentials", "velneo", "--password-stdin"])
        .write_stdin("wrong-secret-123")
        .assert()
        .success()
        .stdout(predicate::str::contains("wrong-secret-123").not());
    let err = fails_with(emu.velneo().args(["users", "list"]), 5);
    assert!(err.contains("velneo users.list") && !err.contains("wrong-secret-123"), "{err}");
    emu.velneo().args(["vserver", "credentials", "velneo", "--password", "velneo"]).assert().success();
    // A password is required.
    fails_with(emu.velneo().args(["vserver", "credentials", "velneo"]), 3);

    // Backup: the link, then a download to a file.
    let v = json_of(emu.velneo().args(["vserver", "backup"]));
    assert!(v["url"].as_str().unwrap().contains("/_emulator/velneo/backups/"), "{v}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.zip");
    let v = json_of(emu.velneo().args(["vserver", "backup", "--output"]).arg(&file));
    let bytes = std::fs::metadata(&file).unwrap().len();
    assert!(bytes > 0);
    assert_eq!(v["bytes"].as_u64(), Some(bytes));
    emu.velneo()
        .args(["vserver", "backup", "-o"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("backup saved to"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("backup.zip")], "no temporary file is left behind");
    // A directory is not a file name: nothing is written.
    fails_with(emu.velneo().args(["vserver", "backup", "--output"]).arg(dir.path()), 3);
    fails_with(emu.velneo().args(["vserver", "backup", "--output"]).arg(dir.path().join("missing/b.zip")), 3);
}

#[test]
fn groups_list_get_put_delete() {
    let emu = Emu::start();
    emu.velneo()
        .args(["groups", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("NAME").and(predicate::str::contains("Administradores")));
    emu.velneo().args(["groups", "put", "Clientes", "--no-manage-solutions"]).assert().success();
    let list = json_of(emu.velneo().args(["groups", "list"]));
    assert_eq!(names(&list), ["Administradores", "Clientes"]);
    let g = json_of(emu.velneo().args(["groups", "get", "Clientes"]));
    assert_eq!(g["name"], "Clientes");
    assert_eq!(g["can_create_sites"], false);
    emu.velneo().args(["groups", "put", "Clientes", "--manage-solutions"]).assert().success();
    let g = json_of(emu.velneo().args(["groups", "get", "Clientes"]));
    assert_eq!(g["can_create_sites"], true);
    assert_eq!(g["can_delete_sites"], true);
    emu.velneo()
        .args(["groups", "get", "Clientes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("can create sites").and(predicate::str::contains("yes")));
    let ack = json_of(emu.velneo().args(["groups", "delete", "Clientes"]));
    assert_eq!(ack["status_code"], 200);
    // API error: a missing group.
    let err = fails_with(emu.velneo().args(["groups", "get", "Clientes"]), 7);
    assert!(err.starts_with("error: velneo groups.get: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

#[test]
fn users_put_list_get_delete() {
    let emu = Emu::start();
    emu.velneo().args(["groups", "put", "Clientes"]).assert().success();
    let secret = "Acme-2026!pw";
    let out = emu
        .velneo()
        .args([
            "users",
            "put",
            "acme",
            "--user-email",
            "acme@example.com",
            "--full-name",
            "ACME Ltd",
            "--group",
            "Clientes",
            "--password-stdin",
            "--must-change-password",
            "--no-supervisor",
            "--password-never-expires",
            "--no-disabled",
        ])
        .write_stdin(format!("{secret}\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(secret));

    let users = json_of(emu.velneo().args(["users", "list"]));
    assert_eq!(names(&users), ["velneo", "acme"]);
    let members = json_of(emu.velneo().args(["users", "list", "--group", "Clientes"]));
    assert_eq!(names(&members), ["acme"]);
    let u = json_of(emu.velneo().args(["users", "get", "acme"]));
    assert_eq!(u["full_name"], "ACME Ltd");
    assert_eq!(u["email"], "acme@example.com");
    assert_eq!(u["must_change_password"], true);
    assert_eq!(u["password_never_expires"], true);
    assert_eq!(u["is_supervisor"], false);
    assert_eq!(u["groups"], serde_json::json!(["Clientes"]));
    assert!(!u.to_string().contains(secret));
    emu.velneo()
        .args(["users", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("acme").and(predicate::str::contains("ACME Ltd")));
    emu.velneo()
        .args(["users", "get", "acme"])
        .assert()
        .success()
        .stdout(predicate::str::contains("must change password").and(predicate::str::contains("Clientes")));

    // Modify: flags flip, a group is left; the last of a --x/--no-x pair wins.
    emu.velneo()
        .args(["users", "put", "acme", "--del-group", "Clientes", "--disabled", "--supervisor", "--no-supervisor"])
        .assert()
        .success();
    let u = json_of(emu.velneo().args(["users", "get", "acme"]));
    assert_eq!(u["disabled"], true);
    assert_eq!(u["is_supervisor"], false);
    assert_eq!(u["groups"], serde_json::json!([]));
    emu.velneo()
        .args(["users", "put", "acme", "--no-disabled", "--no-must-change-password", "--no-password-never-expires"])
        .assert()
        .success();
    let u = json_of(emu.velneo().args(["users", "get", "acme"]));
    assert_eq!(u["disabled"], false);
    assert_eq!(u["must_change_password"], false);
    assert_eq!(u["password_never_expires"], false);

    emu.velneo().args(["users", "delete", "acme"]).assert().success().stdout(predicate::str::starts_with("OK"));
    fails_with(emu.velneo().args(["users", "get", "acme"]), 7);
    // Two secrets cannot both come from stdin.
    let err = fails_with(
        emu.velneo().args(["--api-key-stdin", "users", "put", "x", "--password-stdin"]).write_stdin("a\n"),
        3,
    );
    assert!(err.contains("standard input"), "{err}");
}

#[test]
fn folders_and_instances() {
    let emu = Emu::start();
    emu.velneo().args(["groups", "put", "Clientes"]).assert().success();
    emu.velneo().args(["folders", "put", "clientes", "--path", "clientes", "--group", "Clientes"]).assert().success();
    let folders = json_of(emu.velneo().args(["folders", "list"]));
    assert!(names(&folders).contains(&"clientes".to_owned()), "{folders}");
    let f = json_of(emu.velneo().args(["folders", "get", "clientes"]));
    assert!(f["path"].as_str().unwrap().ends_with("clientes"), "{f}");
    emu.velneo()
        .args(["folders", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("PATH").and(predicate::str::contains("datos")));
    emu.velneo().args(["folders", "get", "datos"]).assert().success().stdout(predicate::str::contains("datos"));

    // Data instance: created by name, modified by id.
    let created = json_of(emu.velneo().args([
        "data-instances",
        "put",
        "erp-datos",
        "--project",
        "erp_dat.vin",
        "--solution",
        "ERP",
        "--folder-shared",
        "clientes/c1",
    ]));
    let data_id = created["id"].as_str().expect("an instance id").to_owned();
    emu.velneo()
        .args(["data-instances", "put", &data_id, "--by-id", "--project", "erp_dat.vin", "--solution", "ERP2"])
        .args(["--folder-shared", "clientes/c1"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("id {data_id}")));
    let d = json_of(emu.velneo().args(["data-instances", "get", "--id", &data_id]));
    assert_eq!(d["name"], "erp-datos");
    assert_eq!(d["solution"], "ERP2");
    let d = json_of(emu.velneo().args(["data-instances", "get", "erp-datos"]));
    assert_eq!(d["project"], "erp_dat.vin");
    let list = json_of(emu.velneo().args(["data-instances", "list"]));
    assert_eq!(names(&list), ["erp-datos"]);
    emu.velneo().args(["data-instances", "list"]).assert().success().stdout(predicate::str::contains("erp-datos"));

    // App instance inheriting it.
    let created = json_of(emu.velneo().args([
        "app-instances",
        "put",
        "erp",
        "--project",
        "erp_app.vin",
        "--solution",
        "ERP",
        "--folder-shared",
        "clientes",
        "--inheritance",
        &format!("erp_dat.vin={data_id}"),
    ]));
    let app_id = created["id"].as_str().expect("an instance id").to_owned();
    let a = json_of(emu.velneo().args(["app-instances", "get", "erp"]));
    assert_eq!(a["solution"], "ERP");
    let a = json_of(emu.velneo().args(["app-instances", "get", "--id", &app_id]));
    assert_eq!(a["name"], "erp");
    emu.velneo().args(["app-instances", "list"]).assert().success().stdout(predicate::str::contains("erp_app.vin"));
    emu.velneo().args(["app-instances", "get", "erp"]).assert().success().stdout(predicate::str::contains("project"));
    emu.velneo().args(["groups", "put", "Clientes", "--add-app-instance", &app_id]).assert().success();
    // Name or --id, not both, not neither.
    fails_with(emu.velneo().args(["app-instances", "get"]), 2);
    fails_with(emu.velneo().args(["app-instances", "get", "erp", "--id", "1"]), 2);
    // App instances have no --by-id.
    fails_with(emu.velneo().args(["app-instances", "put", "x", "--by-id"]), 2);

    emu.velneo().args(["app-instances", "delete", "--id", &app_id]).assert().success();
    emu.velneo().args(["data-instances", "delete", "erp-datos"]).assert().success();
    let list = json_of(emu.velneo().args(["app-instances", "list"]));
    assert_eq!(list, serde_json::json!([]));
    emu.velneo().args(["folders", "delete", "clientes"]).assert().success();
    fails_with(emu.velneo().args(["folders", "get", "clientes"]), 7);
}

#[test]
fn credentials_from_flags_and_stdin_logout() {
    let emu = Emu::start();
    let mut c = emu.bare();
    c.args(["velneo", "--email", hostapi_emulator::DEMO_VELNEO_EMAIL, "--base-url", &emu.emu.velneo_url()])
        .args(["--api-key-stdin", "groups", "list"])
        .write_stdin(format!("{}\n", hostapi_emulator::DEMO_VELNEO_API_KEY));
    c.assert().success().stdout(predicate::str::contains("Administradores"));
    // Global flags may follow the subcommand.
    let mut c = emu.bare();
    c.args(["velneo", "--email", hostapi_emulator::DEMO_VELNEO_EMAIL, "vserver", "status"])
        .args(["--base-url", &emu.emu.velneo_url(), "--api-key", hostapi_emulator::DEMO_VELNEO_API_KEY])
        .args(["--timeout", "10", "--retries", "0"]);
    c.assert().success().stdout(predicate::str::contains("running"));

    let v = json_of(emu.velneo().arg("logout"));
    assert_eq!(v["status_code"], 200);
    emu.velneo().arg("logout").assert().success().stdout(predicate::str::contains("session ended"));
}

#[test]
fn exit_codes_of_each_error_kind() {
    let emu = Emu::start();
    // Config: no credentials at all.
    let err = fails_with(emu.bare().args(["velneo", "vserver", "status"]), 3);
    assert!(err.starts_with("error: velneo client: ") && err.contains("VELNEO_EMAIL"), "{err}");
    let err = fails_with(emu.bare().env("VELNEO_EMAIL", "a@b.c").args(["velneo", "vserver", "status"]), 3);
    assert!(err.contains("VELNEO_API_KEY"), "{err}");
    // Config: an unreadable CA bundle.
    fails_with(emu.velneo().args(["--ca-bundle", "/nonexistent/ca.pem", "vserver", "status"]), 3);
    // Config: a bad base URL.
    fails_with(emu.velneo().args(["--base-url", "ftp://x", "vserver", "status"]), 3);

    // Authentication: a wrong API key, never echoed.
    let err = fails_with(emu.velneo().args(["--api-key", "Wrong-Key-0000", "vserver", "status"]), 4);
    assert!(err.starts_with("error: velneo "), "{err}");
    assert!(!err.contains("Wrong-Key-0000"), "{err}");
    let err = fails_with(emu.velneo().env("VELNEO_API_KEY", "Wrong-Key-1111").args(["vserver", "status"]), 4);
    assert!(!err.contains("Wrong-Key-1111"), "{err}");

    // API: a missing group.
    fails_with(emu.velneo().args(["groups", "get", "Nope"]), 7);

    // Transport: a closed port.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = fails_with(
        emu.velneo().args([
            "--base-url",
            &format!("http://127.0.0.1:{closed}/v1"),
            "--retries",
            "0",
            "vserver",
            "status",
        ]),
        8,
    );
    assert!(err.starts_with("error: velneo "), "{err}");

    // Protocol: the emulator answers "not json" once.
    emu.control("/_emulator/faults", r#"{"path":"/v1/vserver","status":200,"body":"not json","times":1}"#);
    let err = fails_with(emu.velneo().args(["--retries", "0", "vserver", "status"]), 9);
    assert!(err.starts_with("error: velneo vserver.status: "), "{err}");

    // Usage: clap's code.
    fails_with(emu.velneo().args(["groups", "frobnicate"]), 2);
    fails_with(emu.velneo().args(["--no-such-flag", "groups", "list"]), 2);
}

#[test]
fn output_is_tab_separated_when_piped_and_a_table_on_request() {
    let emu = Emu::start();
    let piped = stdout_of(emu.velneo().args(["groups", "list"]));
    assert!(!piped.contains('│') && !piped.contains('─'), "no box drawing when piped: {piped}");
    let first = piped.lines().next().unwrap();
    assert!(first.contains('\t') && first.to_uppercase() == first, "a header line of tab-separated names: {first}");
    assert!(piped.lines().any(|l| l.starts_with("Administradores\t")), "{piped}");
    let bare = stdout_of(emu.velneo().args(["groups", "list", "--no-headers"]));
    assert_eq!(bare.lines().count(), piped.lines().count() - 1);
    let table = stdout_of(emu.velneo().args(["--format", "table", "groups", "list"]));
    assert!(table.contains('│'), "{table}");
    let json = json_of(emu.velneo().args(["groups", "list", "--format", "json"]));
    assert!(json.as_array().is_some());
}

#[test]
fn backup_to_stdout_with_output_dash() {
    let emu = Emu::start();
    let out = emu.velneo().args(["vserver", "backup", "--output", "-"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!out.stdout.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.zip");
    emu.velneo().args(["vserver", "backup", "--output"]).arg(&file).assert().success();
    assert_eq!(std::fs::read(&file).unwrap(), out.stdout, "the same bytes as the file");
    assert!(!dir.path().join("-").exists());
}

#[test]
fn verbose_logs_requests_on_stderr_without_secrets() {
    let emu = Emu::start();
    let out = emu.velneo().args(["-v", "groups", "list"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sending request") && err.contains("velneo groups.list"), "{err}");
    assert!(!err.contains(hostapi_emulator::DEMO_VELNEO_API_KEY), "{err}");
    let quiet = emu.velneo().args(["groups", "list"]).output().unwrap();
    assert!(quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
    let debug = emu.velneo().args(["groups", "list", "--debug"]).output().unwrap();
    assert!(String::from_utf8_lossy(&debug.stderr).contains("sending request"));
    // users list no longer shows an EMAIL column that list answers never fill.
    let users = stdout_of(emu.velneo().args(["users", "list"]));
    assert!(!users.lines().next().unwrap().contains("EMAIL"), "{users}");
}

#[test]
fn account_options_go_before_or_after_the_subcommand() {
    let emu = Emu::start();
    let mut c = emu.bare();
    c.env("VELNEO_API_KEY", hostapi_emulator::DEMO_VELNEO_API_KEY).args([
        "velneo",
        "groups",
        "list",
        "--email",
        hostapi_emulator::DEMO_VELNEO_EMAIL,
        "--base-url",
        &emu.emu.velneo_url(),
    ]);
    c.assert().success().stdout(predicate::str::contains("Administradores"));
}

#[test]
fn a_missing_api_key_names_both_ways_to_give_it() {
    let emu = Emu::start();
    let err = fails_with(emu.bare().env("VELNEO_EMAIL", "a@b.c").args(["velneo", "groups", "list"]), 3);
    assert!(err.contains("VELNEO_API_KEY") && err.contains("--api-key-stdin"), "{err}");
}
