//! `hostapi emulator`: the emulator of both APIs in the foreground, until Ctrl-C or SIGTERM.

use hostapi_emulator::{
    Emulator, EmulatorConfig, DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER,
};
use serde_json::json;

use crate::args::EmulatorArgs;
use crate::common::{Ctx, Signals};
use crate::error::{CliError, Result};
use crate::output::write_stdout;

const OP: &str = "emulator";
/// The port `hostapi emulator` listens on without `--port` or a config file.
pub const DEFAULT_PORT: u16 = 8640;

pub async fn run(ctx: &Ctx, args: EmulatorArgs) -> Result<()> {
    let mut config = match &args.config {
        Some(path) => EmulatorConfig::from_json_file(path)
            .map_err(|e| CliError::config(OP, format!("cannot read config {}: {e}", path.display())))?,
        None => EmulatorConfig { port: DEFAULT_PORT, ..EmulatorConfig::default() },
    };
    if let Some(host) = args.host {
        config.host = host;
    }
    if let Some(port) = args.port {
        config.port = port;
    }
    if let Some(state) = &args.state_file {
        config.state_file = Some(state.clone());
    }
    if let Some(secs) = args.header_timeout {
        config.header_timeout_secs = secs;
    }
    if let Some(port) = args.dns_port {
        config.dns_port = Some(port);
    }
    if let Some(secs) = args.body_timeout {
        config.body_timeout_secs = secs;
    }
    config.check_limits().map_err(|e| CliError::config(OP, e))?;
    let velneo_demo =
        config.velneo.accounts.iter().any(|a| a.email == DEMO_VELNEO_EMAIL && a.api_key == DEMO_VELNEO_API_KEY);
    let wedos_demo =
        config.wedos.accounts.iter().any(|a| a.user == DEMO_WEDOS_USER && a.password == DEMO_WEDOS_PASSWORD);
    let velneo_others: Vec<String> = config
        .velneo
        .accounts
        .iter()
        .filter(|a| a.email != DEMO_VELNEO_EMAIL || a.api_key != DEMO_VELNEO_API_KEY)
        .map(|a| a.email.clone())
        .collect();
    let wedos_others: Vec<String> = config
        .wedos
        .accounts
        .iter()
        .filter(|a| a.user != DEMO_WEDOS_USER || a.password != DEMO_WEDOS_PASSWORD)
        .map(|a| a.user.clone())
        .collect();
    let state_file = config.state_file.clone();
    let (host, port) = (config.host, config.port);

    // Signals are registered before the URL is printed: whoever reads the URL may send SIGTERM at once.
    let signals = Signals::new(OP)?;
    let emu = Emulator::start(config)
        .await
        .map_err(|e| CliError::local(OP, format!("cannot start on {host}:{port}: {e}")))?;

    if ctx.out.json {
        ctx.out.json_line(&json!({
            "url": emu.url(),
            "velneo_url": emu.velneo_url(),
            "wedos_url": emu.wedos_url(),
            "control_url": format!("{}/_emulator/", emu.url()),
            "state_file": state_file.as_ref().map(|p| p.display().to_string()),
            "dns": emu.dns_addr().map(|a| a.to_string()),
        }))?;
    } else {
        let mut text = format!("hostapi emulator listening on {}\n", emu.url());
        text += &format!("  Velneo Cloud API base URL: {}\n", emu.velneo_url());
        text += &format!("  WEDOS WAPI URL:            {}\n", emu.wedos_url());
        text +=
            &format!("  control endpoints:         {}/_emulator/ (health, reset, state, clock, faults)\n", emu.url());
        if let Some(p) = &state_file {
            text += &format!("  state file:                {}\n", p.display());
        }
        if let Some(dns) = emu.dns_addr() {
            text += &format!("  DNS (UDP and TCP):         {dns} (every WEDOS zone, committed rows)\n");
            text += &format!("  try:                       dig @{} -p {} example.cz SOA\n", dns.ip(), dns.port());
        }
        if velneo_demo {
            text += &format!(
                "  demo Velneo account:       e-mail {DEMO_VELNEO_EMAIL}, API key {DEMO_VELNEO_API_KEY} (public demo values)\n"
            );
        }
        for email in &velneo_others {
            text += &format!("  Velneo account:            e-mail {email} (API key from the config file)\n");
        }
        if wedos_demo {
            text += &format!(
                "  demo WEDOS account:        user {DEMO_WEDOS_USER}, WAPI password {DEMO_WEDOS_PASSWORD} (public demo values)\n"
            );
        }
        for user in &wedos_others {
            text += &format!("  WEDOS account:             user {user} (password from the config file)\n");
        }
        text += "For the hostapi command:\n";
        text += &format!("  export VELNEO_BASE_URL={} WEDOS_BASE_URL={}\n", emu.velneo_url(), emu.wedos_url());
        if velneo_demo {
            text += &format!("  export VELNEO_EMAIL={DEMO_VELNEO_EMAIL} VELNEO_API_KEY={DEMO_VELNEO_API_KEY}\n");
        }
        if wedos_demo {
            text += &format!("  export WEDOS_USER={DEMO_WEDOS_USER} WEDOS_PASSWORD={DEMO_WEDOS_PASSWORD}\n");
        }
        text += "Press Ctrl-C to stop.\n";
        write_stdout(&text)?;
    }

    let which = signals.wait().await;
    eprintln!("hostapi emulator: {which}: stopping");
    emu.stop().await;
    eprintln!("hostapi emulator: stopped");
    Ok(())
}
