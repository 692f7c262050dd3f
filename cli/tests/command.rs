//! The command itself: `hostapi emulator`, completions, help and usage errors.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use common::*;
use predicates::prelude::*;

fn hostapi() -> Command {
    let mut c = Command::new(BIN);
    for v in ENV_VARS {
        c.env_remove(v);
    }
    c
}

/// Runs `hostapi emulator --port 0 …`, reads the printed URL, runs commands against it, stops it with SIGTERM.
#[test]
fn emulator_subcommand_serves_both_apis_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut child = StdCommand::new(BIN)
        .args(["emulator", "--host", "127.0.0.1", "--port", "0", "--state-file"])
        .arg(&state)
        .env_remove("VELNEO_API_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    let url = first.strip_prefix("hostapi emulator listening on ").expect("the URL line").to_owned();
    let mut text = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        text.push_str(&line);
        text.push('\n');
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    assert!(text.contains(&format!("{url}/v1")) && text.contains(&format!("{url}/wapi/json")), "{text}");
    assert!(text.contains(hostapi_emulator::DEMO_VELNEO_API_KEY) && text.contains(hostapi_emulator::DEMO_WEDOS_USER));

    hostapi()
        .env("VELNEO_BASE_URL", format!("{url}/v1"))
        .env("VELNEO_EMAIL", hostapi_emulator::DEMO_VELNEO_EMAIL)
        .env("VELNEO_API_KEY", hostapi_emulator::DEMO_VELNEO_API_KEY)
        .args(["velneo", "groups", "put", "Persisted"])
        .assert()
        .success();
    hostapi()
        .env("WEDOS_BASE_URL", format!("{url}/wapi/json"))
        .env("WEDOS_USER", hostapi_emulator::DEMO_WEDOS_USER)
        .env("WEDOS_PASSWORD", hostapi_emulator::DEMO_WEDOS_PASSWORD)
        .args(["wedos", "dns", "rows", "example.cz"])
        .assert()
        .success()
        .stdout(predicate::str::contains("192.0.2.1"));

    let status = StdCommand::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "a clean stop on SIGTERM");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("stopped"), "{stderr}");
    let saved = std::fs::read_to_string(&state).expect("the state file is written");
    assert!(saved.contains("Persisted"), "the state persisted");
}

#[test]
fn emulator_json_line_and_bad_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.json");
    std::fs::write(&cfg, "{ not json").unwrap();
    let out = hostapi().args(["emulator", "--config"]).arg(&cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: emulator: cannot read config"));

    // A busy port is a local failure (exit 1).
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = hostapi().args(["emulator", "--port", &port]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));

    // --json: the first line is one JSON object with the URLs.
    let mut child = StdCommand::new(BIN)
        .args(["emulator", "--port", "0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let url = first["url"].as_str().unwrap().to_owned();
    assert_eq!(first["velneo_url"], format!("{url}/v1"));
    assert_eq!(first["wedos_url"], format!("{url}/wapi/json"));
    let health = http(&url, "GET", "/_emulator/health", "");
    assert_eq!(health["status"], "ok");
    StdCommand::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [("bash", "_hostapi"), ("zsh", "#compdef hostapi"), ("fish", "complete -c hostapi")] {
        hostapi().args(["completions", shell]).assert().success().stdout(predicate::str::contains(marker));
    }
    hostapi().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn help_documents_exit_codes_and_every_subcommand_has_examples() {
    hostapi()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:").and(predicate::str::contains("9  protocol error")))
        .stdout(predicate::str::contains("VELNEO_API_KEY").and(predicate::str::contains("WEDOS_PASSWORD")));
    // --insecure (and its warning) belongs to the API subcommands.
    hostapi().args(["velneo", "--help"]).assert().success().stdout(predicate::str::contains("DANGEROUS"));
    let leaves: &[&[&str]] = &[
        &["velneo"],
        &["velneo", "vserver", "status"],
        &["velneo", "vserver", "start"],
        &["velneo", "vserver", "stop"],
        &["velneo", "vserver", "credentials"],
        &["velneo", "vserver", "backup"],
        &["velneo", "logout"],
        &["velneo", "groups", "list"],
        &["velneo", "groups", "get"],
        &["velneo", "groups", "put"],
        &["velneo", "groups", "delete"],
        &["velneo", "users", "list"],
        &["velneo", "users", "get"],
        &["velneo", "users", "put"],
        &["velneo", "users", "delete"],
        &["velneo", "folders", "list"],
        &["velneo", "folders", "get"],
        &["velneo", "folders", "put"],
        &["velneo", "folders", "delete"],
        &["velneo", "app-instances", "list"],
        &["velneo", "app-instances", "get"],
        &["velneo", "app-instances", "put"],
        &["velneo", "app-instances", "delete"],
        &["velneo", "data-instances", "list"],
        &["velneo", "data-instances", "get"],
        &["velneo", "data-instances", "put"],
        &["velneo", "data-instances", "delete"],
        &["wedos"],
        &["wedos", "ping"],
        &["wedos", "ping-async"],
        &["wedos", "credit"],
        &["wedos", "domains", "list"],
        &["wedos", "domains", "info"],
        &["wedos", "domains", "check"],
        &["wedos", "dns", "domains"],
        &["wedos", "dns", "rows"],
        &["wedos", "dns", "add"],
        &["wedos", "dns", "update"],
        &["wedos", "dns", "delete"],
        &["wedos", "dns", "commit"],
        &["wedos", "notifications", "poll"],
        &["wedos", "notifications", "ack"],
        &["wedos", "notifications", "watch"],
        &["wedos", "call"],
        &["emulator"],
        &["completions"],
    ];
    for path in leaves {
        hostapi()
            .args(*path)
            .arg("--help")
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:").and(predicate::str::contains("hostapi ")));
    }
    // Secrets given as flag values are marked as discouraged.
    hostapi()
        .args(["velneo", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--api-key-stdin").and(predicate::str::contains("Discouraged")));
    hostapi().args(["wedos", "--help"]).assert().success().stdout(predicate::str::contains("--password-stdin"));
}

#[test]
fn usage_errors_exit_2() {
    hostapi().assert().code(2);
    hostapi().arg("nope").assert().code(2).stderr(predicate::str::contains("error:"));
    hostapi().args(["velneo", "groups", "get"]).assert().code(2);
    hostapi().args(["wedos", "dns", "update", "example.cz", "1", "--ttl", "300"]).assert().code(2);
    hostapi().args(["velneo", "--timeout", "soon", "groups", "list"]).assert().code(2);
    hostapi().arg("--version").assert().success().stdout(predicate::str::contains("hostapi"));
}

#[test]
fn insecure_warns_on_stderr() {
    let emu = Emu::start();
    emu.velneo()
        .args(["--insecure", "vserver", "status"])
        .assert()
        .success()
        .stderr(predicate::str::contains("TLS certificate verification is OFF"));
}

#[test]
fn connection_options_belong_to_the_api_subcommands() {
    // completions and emulator do not offer options that would do nothing there.
    for args in [["completions", "--help"], ["emulator", "--help"]] {
        let out = hostapi().args(args).output().unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        for flag in ["--timeout", "--retries", "--insecure", "--ca-bundle"] {
            assert!(!help.contains(flag), "{args:?} lists {flag}:\n{help}");
        }
    }
    // …while velneo and wedos take them before or after their subcommand.
    let help =
        String::from_utf8_lossy(&hostapi().args(["wedos", "ping", "--help"]).output().unwrap().stdout).to_string();
    assert!(help.contains("--timeout") && help.contains("--retries"), "{help}");
}

/// Starts `hostapi emulator --port 0 --state-file FILE` and returns the child and its URL.
fn emulator_with_state(state: &std::path::Path, extra: &[&str]) -> (std::process::Child, String) {
    let mut child = StdCommand::new(BIN)
        .args(["emulator", "--host", "127.0.0.1", "--port", "0", "--state-file"])
        .arg(state)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    let url = first.strip_prefix("hostapi emulator listening on ").expect("the URL line").to_owned();
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

fn velneo_at(url: &str) -> Command {
    let mut c = hostapi();
    c.env("VELNEO_BASE_URL", format!("{url}/v1"))
        .env("VELNEO_EMAIL", hostapi_emulator::DEMO_VELNEO_EMAIL)
        .env("VELNEO_API_KEY", hostapi_emulator::DEMO_VELNEO_API_KEY)
        .arg("velneo");
    c
}

#[test]
fn every_acknowledged_write_survives_kill_9_of_the_emulator() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let (mut child, url) = emulator_with_state(&state, &[]);
    for i in 0..12 {
        velneo_at(&url).args(["groups", "put", &format!("Acked{i}")]).assert().success();
        // Reads in between: their counters are written behind, never before an answer.
        velneo_at(&url).args(["vserver", "status"]).assert().success();
    }
    child.kill().unwrap(); // SIGKILL, right after the last acknowledged write
    child.wait().unwrap();
    let (mut again, url) = emulator_with_state(&state, &[]);
    let out = velneo_at(&url).args(["groups", "list", "--json"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for i in 0..12 {
        assert!(text.contains(&format!("\"Acked{i}\"")), "group Acked{i} lost: {text}");
    }
    again.kill().unwrap();
    again.wait().unwrap();
}

#[test]
fn a_state_file_that_cannot_be_written_is_reported_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("vanishing");
    std::fs::create_dir(&sub).unwrap();
    let state = sub.join("state.json");
    let (mut child, url) = emulator_with_state(&state, &[]);
    std::fs::remove_dir_all(&sub).unwrap();
    velneo_at(&url).args(["groups", "put", "Lost"]).assert().success();
    StdCommand::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("cannot write the state file"), "{stderr}");
}

#[test]
fn stale_temporary_state_files_are_removed_when_the_emulator_starts() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let stale = dir.path().join(".state.json.999.3.tmp");
    std::fs::write(&stale, "{").unwrap();
    let (mut child, _) = emulator_with_state(&state, &["--header-timeout", "2"]);
    assert!(!stale.exists());
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn the_logger_follows_log_level_and_rust_log() {
    let emu = Emu::start();
    // Default (warn): no request log.
    let quiet = emu.velneo().args(["vserver", "status"]).output().unwrap();
    assert!(quiet.status.success());
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("sending request"));
    // --log-level debug and RUST_LOG=hostapi=debug show each request; never the key.
    for mut cmd in [
        {
            let mut c = emu.velneo();
            c.args(["--log-level", "debug", "vserver", "status"]);
            c
        },
        {
            let mut c = emu.velneo();
            c.env("RUST_LOG", "hostapi=debug").args(["vserver", "status"]);
            c
        },
    ] {
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.contains("sending request"), "{stderr}");
        assert!(!stderr.contains(hostapi_emulator::DEMO_VELNEO_API_KEY), "the key leaked into the log");
    }
    // A bad level is a usage error that says what is allowed.
    let bad = emu.velneo().args(["--log-level", "loud", "vserver", "status"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--log-level"));
}

/// Every flag the README's table gives for `users put` is one the command takes.
#[test]
fn the_readme_users_put_flags_exist() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README");
    let row = readme.lines().find(|l| l.starts_with("| `users list")).expect("the users row of the README's table");
    let help = hostapi().args(["velneo", "users", "put", "--help"]).assert().success();
    let help = String::from_utf8_lossy(&help.get_output().stdout).into_owned();
    let flags: Vec<&str> = row
        .split('`')
        .filter(|part| part.starts_with("--"))
        .flat_map(|part| part.split('/'))
        .map(|f| f.trim_end_matches('…').trim_end_matches('-'))
        .filter(|f| f.len() > 2 && !f.ends_with("no"))
        .collect();
    assert!(flags.contains(&"--user-email"), "{flags:?}");
    for flag in flags {
        assert!(help.contains(flag), "{flag} of the README is not a flag of users put");
    }
}

