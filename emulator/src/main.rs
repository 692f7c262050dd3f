//! `hostapi-emulator [--host H] [--port N] [--dns-port N] [--config FILE.json] [--state-file FILE]` — runs the
//! emulator until Ctrl-C.

use std::process::ExitCode;

use hostapi_emulator::{Emulator, EmulatorConfig};

const USAGE: &str =
    "usage: hostapi-emulator [--host H] [--port N] [--dns-port N] [--config FILE.json] [--state-file FILE]";

fn parse_args() -> Result<EmulatorConfig, String> {
    let mut host = None;
    let mut port = None;
    let mut dns_port = None;
    let mut config_path = None;
    let mut state_file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| inline.clone().or_else(|| args.next()).ok_or(format!("{what} needs a value"));
        match name.as_str() {
            "--host" => host = Some(value("--host")?),
            "--port" => port = Some(value("--port")?),
            "--dns-port" => dns_port = Some(value("--dns-port")?),
            "--config" => config_path = Some(value("--config")?),
            "--state-file" => state_file = Some(value("--state-file")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let mut config = match config_path {
        Some(p) => EmulatorConfig::from_json_file(&p).map_err(|e| format!("cannot read config {p}: {e}"))?,
        None => EmulatorConfig::default(),
    };
    if let Some(h) = host {
        config.host = h.parse().map_err(|_| format!("invalid --host {h}"))?;
    }
    if let Some(p) = port {
        config.port = p.parse().map_err(|_| format!("invalid --port {p}"))?;
    }
    if let Some(p) = dns_port {
        config.dns_port = Some(p.parse().map_err(|_| format!("invalid --dns-port {p}"))?);
    }
    if let Some(f) = state_file {
        if f.is_empty() {
            return Err("--state-file needs a file name".into());
        }
        config.state_file = Some(f.into());
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args() {
        Ok(c) => c,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("hostapi-emulator: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let accounts: Vec<(String, String)> =
        config.velneo.accounts.iter().map(|a| (a.email.clone(), a.api_key.clone())).collect();
    let wedos_accounts: Vec<(String, String)> =
        config.wedos.accounts.iter().map(|a| (a.user.clone(), a.password.clone())).collect();
    let state_file = config.state_file.clone();
    let emulator = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("hostapi-emulator: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("hostapi emulator listening on {}", emulator.url());
    println!("  Velneo Cloud API base URL: {}", emulator.velneo_url());
    println!("  WEDOS WAPI URL:            {}", emulator.wedos_url());
    println!("  control endpoints:         {}/_emulator/ (health, reset, state, clock, faults)", emulator.url());
    if let Some(f) = &state_file {
        println!("  state file:                {}", f.display());
    }
    if let Some(dns) = emulator.dns_addr() {
        println!("  DNS (UDP and TCP):         {dns} (every WEDOS zone, committed rows)");
        println!("  try:                       dig @{} -p {} example.cz SOA", dns.ip(), dns.port());
    }
    for (email, key) in &accounts {
        if email == hostapi_emulator::DEMO_VELNEO_EMAIL && key == hostapi_emulator::DEMO_VELNEO_API_KEY {
            println!("  demo Velneo account:       email {email}  api key {key}");
        } else {
            println!("  Velneo account:            email {email}  (api key from the config file)");
        }
    }
    for (user, password) in &wedos_accounts {
        if user == hostapi_emulator::DEMO_WEDOS_USER && password == hostapi_emulator::DEMO_WEDOS_PASSWORD {
            println!("  demo WEDOS account:        user {user}  WAPI password {password}");
        } else {
            println!("  WEDOS account:             user {user}  (WAPI password from the config file)");
        }
    }
    println!("Press Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("hostapi-emulator: cannot wait for Ctrl-C: {e}");
    }
    emulator.stop().await;
    ExitCode::SUCCESS
}
