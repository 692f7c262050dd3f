//! Shared test helpers: an emulator started in the test process, the `hostapi` command pointed at it, and a
//! tiny HTTP client for the emulator's control endpoints (loopback only).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;

use assert_cmd::Command;
use hostapi_emulator::{
    Emulator, EmulatorConfig, DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER,
};
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_hostapi");

/// Every variable the command reads; cleared so that the caller's environment never leaks into a test.
pub const ENV_VARS: [&str; 6] =
    ["VELNEO_EMAIL", "VELNEO_API_KEY", "VELNEO_BASE_URL", "WEDOS_USER", "WEDOS_PASSWORD", "WEDOS_BASE_URL"];

pub struct Emu {
    pub emu: Emulator,
}

impl Emu {
    pub fn start() -> Emu {
        Emu::with_config(EmulatorConfig::default())
    }

    pub fn with_config(config: EmulatorConfig) -> Emu {
        Emu { emu: Emulator::start_blocking(config).expect("the emulator starts") }
    }

    pub fn url(&self) -> String {
        self.emu.url()
    }

    /// `hostapi` with no credentials at all.
    pub fn bare(&self) -> Command {
        let mut c = Command::new(BIN);
        for v in ENV_VARS {
            c.env_remove(v);
        }
        // Each run keeps its WEDOS account state to itself unless a test shares a directory.
        c.env("HOSTAPI_STATE_DIR", ":memory:");
        c
    }

    /// `hostapi` with the demo Velneo account of this emulator in the environment.
    pub fn velneo(&self) -> Command {
        let mut c = self.bare();
        c.env("VELNEO_BASE_URL", self.emu.velneo_url())
            .env("VELNEO_EMAIL", DEMO_VELNEO_EMAIL)
            .env("VELNEO_API_KEY", DEMO_VELNEO_API_KEY)
            .arg("velneo");
        c
    }

    /// `hostapi` with the demo WEDOS account of this emulator in the environment.
    pub fn wedos(&self) -> Command {
        let mut c = self.bare();
        c.env("WEDOS_BASE_URL", self.emu.wedos_url())
            .env("WEDOS_USER", DEMO_WEDOS_USER)
            .env("WEDOS_PASSWORD", DEMO_WEDOS_PASSWORD)
            .arg("wedos");
        c
    }

    /// POSTs a JSON body to a control endpoint; returns the answer's JSON.
    pub fn control(&self, path: &str, body: &str) -> Value {
        http(&self.url(), "POST", path, body)
    }
}

/// A minimal HTTP/1.1 request to a loopback URL (`http://127.0.0.1:PORT`); returns the body as JSON.
pub fn http(base: &str, method: &str, path: &str, body: &str) -> Value {
    let hostport = base.strip_prefix("http://").expect("an http URL");
    let mut s = TcpStream::connect(hostport).expect("connect to the emulator");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, rest) = resp.split_once("\r\n\r\n").expect("an HTTP answer");
    assert!(head.starts_with("HTTP/1.1 2"), "control request {path} failed: {head}\n{rest}");
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(rest) } else { rest.to_owned() };
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

/// Runs `cmd`, expects success, and parses stdout as one JSON document.
pub fn json_of(cmd: &mut Command) -> Value {
    let out = cmd.arg("--json").output().expect("run hostapi");
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// Runs `cmd`, expects success, returns stdout.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run hostapi");
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `cmd` and expects it to fail with `code`; returns stderr (checked to be one line).
pub fn fails_with(cmd: &mut Command, code: i32) -> String {
    let out = cmd.output().expect("run hostapi");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(code), "stdout: {}\nstderr: {stderr}", String::from_utf8_lossy(&out.stdout));
    stderr
}

/// The names of a JSON array of records.
pub fn names(v: &Value) -> Vec<String> {
    v.as_array().expect("a JSON array").iter().map(|r| r["name"].as_str().unwrap_or_default().to_owned()).collect()
}
