//! `hostapi wedos …`: converts flags into the core's typed calls and prints the records.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hostapi::wedos::{Client, DnsDomain, DnsRow, Domain, NewDnsRow, Notification, Pending, Response};
use serde_json::Value;

use crate::args::*;
use crate::common::Ctx;
use crate::error::{CliError, Result};
use crate::output::{self, fields, json_cell, opt, table};

const BUILD_OP: &str = "wedos client";

fn client(ctx: &mut Ctx, settings: &crate::settings::WedosSettings, creds: &WedosCreds) -> Result<Client> {
    let stdin = creds.password_stdin.then_some(("password", "WAPI password"));
    let options = ctx.client_options(settings.options(BUILD_OP)?, BUILD_OP, stdin)?;
    let explain = |e| crate::settings::explain(hostapi::ops::Api::Wedos, e);
    hostapi::wedos::ClientBuilder::from_options(&options).map_err(explain)?.build().map_err(explain)
}

/// A request of the model without a subcommand of its own (see `model_cmds`): the account's flags from the
/// `wedos` level of `matches`.
pub async fn run_model(
    ctx: &mut Ctx,
    wedos: &clap::ArgMatches,
    spec: &'static hostapi::ops::OpSpec,
    m: &clap::ArgMatches,
) -> Result<()> {
    use clap::FromArgMatches;
    let usage = |e: clap::Error| CliError::new(crate::error::code::USAGE, e.to_string());
    let settings = crate::settings::WedosSettings::from_arg_matches(wedos).map_err(usage)?;
    let creds = WedosCreds::from_arg_matches(wedos).map_err(usage)?;
    let c = client(ctx, &settings, &creds)?;
    crate::model_cmds::run(ctx, &c, spec, m).await
}

pub async fn run(ctx: &mut Ctx, cmd: WedosCmd) -> Result<()> {
    // `call --data` is checked before anything else (no request for a call that cannot be built).
    let data = match &cmd.op {
        WedosOp::Call { command, data: Some(text) } => Some(parse_data(command, text)?),
        _ => None,
    };
    let c = client(ctx, &cmd.settings, &cmd.creds)?;
    let out = ctx.out;
    match cmd.op {
        WedosOp::Ping => response(ctx, &c.ping().await?),
        WedosOp::PingAsync { wait: None } => pending(ctx, &c.ping_async().await?),
        WedosOp::PingAsync { wait: Some(timeout) } => {
            let pb = crate::common::spinner("waiting for the ping-async notification".into());
            let r = c.ping_async_wait(timeout).await;
            pb.finish_and_clear();
            notification(ctx, &r?)
        }
        WedosOp::Credit => {
            let cr = c.credit_info().await?;
            if out.json {
                return out.json(&cr);
            }
            fields(vec![("amount", opt(&cr.amount)), ("currency", opt(&cr.currency))])
        }
        WedosOp::Domains(d) => match d {
            DomainsOp::List { status } => {
                let list = c.domains().list(status.as_deref()).await?;
                if out.json {
                    return out.json(&list);
                }
                domains_table(&list)
            }
            DomainsOp::TransferCheck { name } => {
                let t = c.domains().transfer_check(&name).await?;
                if out.json {
                    return out.json(&t);
                }
                table(
                    &["NAME", "TRANSFERABLE", "CODE", "RESULT"],
                    vec![vec![t.name.clone(), yes_no(t.transferable), t.code.to_string(), t.result.clone()]],
                )
            }
            DomainsOp::Create { name, owner_c, period, nsset, wait } => {
                let p = c.domains().create(&name, period, &owner_c, nsset.as_deref()).await?;
                match wait {
                    None => pending(ctx, &p),
                    Some(timeout) => {
                        let pb = crate::common::spinner("waiting for the domain-create notification".into());
                        let r = c.wait_for(&p, timeout).await;
                        pb.finish_and_clear();
                        notification(ctx, &r?)
                    }
                }
            }
            DomainsOp::Renew { name, period } => response(ctx, &c.domains().renew(&name, period).await?),
            DomainsOp::Info { name } => {
                let d = c.domains().info(&name).await?;
                if out.json {
                    return out.json(&d);
                }
                fields(vec![("name", d.name.clone()), ("status", opt(&d.status)), ("expiration", opt(&d.expiration))])
            }
            DomainsOp::Check { name } => {
                let d = c.domains().check(&name).await?;
                if out.json {
                    return out.json(&d);
                }
                table(
                    &["NAME", "AVAILABLE", "CODE", "RESULT"],
                    vec![vec![d.name.clone(), yes_no(d.available), d.code.to_string(), d.result.clone()]],
                )
            }
        },
        WedosOp::Dns(d) => match d {
            DnsOp::Domains => {
                let list = c.dns().domains().await?;
                if out.json {
                    return out.json(&list);
                }
                dns_domains_table(&list)
            }
            DnsOp::Rows { domain } => {
                let rows = c.dns().rows(&domain).await?;
                if out.json {
                    return out.json(&rows);
                }
                rows_table(&rows)
            }
            DnsOp::Add { domain, name, rdtype, rdata, ttl, comment } => {
                let row = NewDnsRow {
                    domain: domain.clone(),
                    name: name.clone(),
                    ttl,
                    rdtype: rdtype.clone(),
                    rdata: rdata.clone(),
                    comment,
                };
                let r = c.dns().add_row(row).await?;
                if out.json {
                    // `row_id` as before the core returned the row: the same as `id`.
                    let mut v = serde_json::to_value(&r).unwrap_or(Value::Null);
                    v["row_id"] = r.id.map(Value::from).unwrap_or(Value::Null);
                    return out.json(&v);
                }
                fields(vec![
                    ("code", r.code.to_string()),
                    ("result", r.result.clone()),
                    ("row_id", r.id.map(|id| id.to_string()).unwrap_or_else(|| "-".into())),
                ])
            }
            DnsOp::Domain { domain } => {
                let z = c.dns().domain_info(&domain).await?;
                if out.json {
                    return out.json(&z);
                }
                dns_domains_table(std::slice::from_ref(&z))
            }
            DnsOp::Row { domain, row_id } => {
                let r = c.dns().row_detail(&domain, row_id).await?;
                if out.json {
                    return out.json(&r);
                }
                rows_table(std::slice::from_ref(&r))
            }
            DnsOp::Update { domain, row_id, ttl, rdata } => {
                response(ctx, &c.dns().update_row(&domain, row_id, ttl, &rdata).await?)
            }
            DnsOp::Delete { domain, row_id } => response(ctx, &c.dns().delete_row(&domain, row_id).await?),
            DnsOp::Commit { domain } => response(ctx, &c.dns().commit(&domain).await?),
        },
        WedosOp::Acme(a) => match a {
            AcmeOp::Present { fqdn, value, ttl, wait, wait_timeout, nameserver } => {
                let (fqdn, value) = acme_target(fqdn, value)?;
                let row = if wait {
                    let timeout = std::time::Duration::try_from_secs_f64(wait_timeout)
                        .map_err(|_| CliError::config("wedos acme present", "--wait-timeout must be a number of seconds"))?;
                    let wait = hostapi::wedos::propagation::TxtWait { timeout, nameservers: nameserver };
                    let progress = |line: &str| eprintln!("hostapi: {line}");
                    c.dns().set_txt_and_wait(&fqdn, &value, ttl, &wait, Some(&progress)).await?
                } else {
                    c.dns().set_txt(&fqdn, &value, ttl).await?
                };
                if out.json {
                    return out.json(&row);
                }
                output::write_stdout(&format!(
                    "{} TXT row {} present (id {})\n",
                    fqdn.trim_end_matches('.'),
                    value,
                    row.id
                ))
            }
            AcmeOp::Cleanup { fqdn, value } => {
                let (fqdn, value) = acme_target(fqdn, value)?;
                let n = c.dns().clear_txt(&fqdn, &value).await?;
                if out.json {
                    return out.json(&serde_json::json!({"deleted": n}));
                }
                let fqdn = fqdn.trim_end_matches('.');
                output::write_stdout(&match n {
                    0 => format!("{fqdn} has no TXT row {value}: nothing to remove\n"),
                    1 => format!("{fqdn} TXT row {value} removed\n"),
                    n => format!("{fqdn} TXT row {value} removed ({n} rows)\n"),
                })
            }
            AcmeOp::Timeout => output::write_stdout("{\"timeout\": 600, \"interval\": 10}\n"),
        },
        WedosOp::Notifications(n) => match n {
            NotificationsOp::Poll => match c.notifications().poll().await? {
                Some(n) => notification(ctx, &n),
                None if out.json => out.json(&Value::Null),
                None => output::write_stdout("The notification queue is empty.\n"),
            },
            NotificationsOp::Ack { id } => response(ctx, &c.notifications().ack(&id).await?),
            NotificationsOp::Watch { once, interval } => watch(ctx, &c, once, interval).await,
            NotificationsOp::Serve { port, bind, spool, count } => {
                crate::serve::serve(ctx, &c, std::net::SocketAddr::new(bind, port), spool, count).await
            }
        },
        WedosOp::Gateway(args) => crate::gateway::run(ctx, c, args).await,
        WedosOp::Guard(g) => match g {
            GuardOp::Status => guard_status(ctx, &c).await,
            GuardOp::Reset => {
                let before = c.guard_status().await?;
                c.reset_auth_guard().await?;
                if out.json {
                    return out.json(&serde_json::json!({
                        "reset": true,
                        "store": c.state_store(),
                        "state_file": c.state_file(),
                    }));
                }
                let mut text = if before.damaged.is_some() {
                    format!("The damaged account state of {} is started afresh ({}).\n", c.user(), c.state_store())
                } else {
                    format!(
                        "The guard of {} is reset ({} invalid answers and {} authentication failures forgotten).\n",
                        c.user(),
                        before.invalid.len(),
                        before.auth_failures
                    )
                };
                if let Some(left) = before.blocked_for_secs {
                    text.push_str(&format!("The server's IP block still runs for {left:.0} s.\n"));
                }
                output::write_stdout(&text)
            }
        },
        WedosOp::Call { command, .. } => response(ctx, &c.call(&command, data).await?),
    }
}

fn pending(ctx: &Ctx, p: &Pending) -> Result<()> {
    if ctx.out.json {
        return ctx.out.json(p);
    }
    fields(vec![
        ("command", p.command.clone()),
        ("result", "request pending".into()),
        ("cltrid", opt(&p.cltrid)),
        ("svtrid", opt(&p.svtrid)),
    ])
}

/// The record name and value of an ACME hook: the arguments (lego), else certbot's environment.
fn acme_target(fqdn: Option<String>, value: Option<String>) -> Result<(String, String)> {
    let label = "wedos acme";
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let fqdn = match fqdn {
        Some(f) => f,
        None => match env("CERTBOT_DOMAIN") {
            Some(d) => format!("_acme-challenge.{}", d.trim_start_matches("*.")),
            None => {
                return Err(CliError::config(
                    label,
                    "give FQDN and VALUE, or run as certbot's hook (CERTBOT_DOMAIN, CERTBOT_VALIDATION)",
                ))
            }
        },
    };
    let value = match value.or_else(|| env("CERTBOT_VALIDATION")) {
        Some(v) => v,
        None => return Err(CliError::config(label, "give VALUE, or set CERTBOT_VALIDATION")),
    };
    Ok((fqdn, value))
}

fn parse_data(command: &str, text: &str) -> Result<Value> {
    let label = format!("wedos {command}");
    let v: Value =
        serde_json::from_str(text).map_err(|e| CliError::config(&label, format!("--data is not JSON: {e}")))?;
    if !v.is_object() {
        return Err(CliError::config(&label, "--data must be a JSON object"));
    }
    Ok(v)
}

/// Prints each notification as it is handed over (and acknowledged), until Ctrl-C (or an empty queue with
/// `--once`). Ctrl-C is only acted on between notifications, so none is acknowledged without being printed.
async fn watch(ctx: &Ctx, c: &Client, once: bool, interval: Duration) -> Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let notify = Arc::new(tokio::sync::Notify::new());
    {
        let stop = stop.clone();
        let notify = notify.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, Ordering::SeqCst);
                notify.notify_one();
                // A second Ctrl-C ends at once (the first one waits for the call in flight).
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(i32::from(crate::error::code::INTERRUPTED));
                }
            }
        });
    }
    let mut header_done = false;
    while !stop.load(Ordering::SeqCst) {
        match c.notifications().next().await? {
            Some(n) => output::print_notification_line(&ctx.out, &n, &mut header_done)?,
            None if once => break,
            None => {
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = notify.notified() => {}
                }
            }
        }
    }
    Ok(())
}

async fn guard_status(ctx: &Ctx, c: &Client) -> Result<()> {
    let st = c.guard_status().await?;
    if ctx.out.json {
        return ctx.out.json(&serde_json::json!({
            "user": c.user(),
            "base_url": c.base_url(),
            "store": st.store,
            "state_file": c.state_file(),
            "requests_last_hour": st.requests_in_window,
            "domain_checks_last_hour": st.domain_checks_in_window,
            "in_flight": st.in_flight,
            "invalid_last_hour": st.invalid,
            "auth_failures": st.auth_failures,
            "credentials_proven": st.credentials_proven,
            "stopped": st.stopped,
            "blocked_for_secs": st.blocked_for_secs,
            "clock_offset": st.clock_offset,
            "spooled_notifications": st.spooled_notifications,
            "damaged": st.damaged,
        }));
    }
    if let Some(why) = &st.damaged {
        return fields(vec![("user", c.user().to_owned()), ("store", st.store.clone()), ("damaged", why.clone())]);
    }
    let invalid = match st.invalid.last() {
        None => "0".to_owned(),
        Some(last) => format!(
            "{} (the last: {} {})",
            st.invalid.len(),
            last.command,
            last.code.map_or_else(|| "outcome unknown".to_owned(), |c| c.to_string())
        ),
    };
    fields(vec![
        ("user", c.user().to_owned()),
        ("store", st.store.clone()),
        ("requests, last hour", st.requests_in_window.to_string()),
        ("domain checks, last hour", st.domain_checks_in_window.to_string()),
        ("requests in flight", st.in_flight.len().to_string()),
        ("invalid answers, last hour", invalid),
        ("auth failures in a row", st.auth_failures.to_string()),
        (
            "stopped",
            st.stopped
                .as_ref()
                .map(|s| {
                    format!("yes, after {} failures (the last {}): run hostapi wedos guard reset", s.failures, s.code)
                })
                .unwrap_or_else(|| "no".into()),
        ),
        ("server IP block", st.blocked_for_secs.map(|t| format!("{t:.0} s left")).unwrap_or_else(|| "none".into())),
        (
            "clock offset",
            st.clock_offset
                .map(|o| format!("{:+.2} s (± {:.2})", o.middle(), o.width() / 2.0))
                .unwrap_or_else(|| "not known yet".into()),
        ),
        ("spooled notifications", st.spooled_notifications.to_string()),
    ])
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

fn response(ctx: &Ctx, r: &Response) -> Result<()> {
    if ctx.out.json {
        return ctx.out.json(r);
    }
    let mut f = vec![
        ("code", r.code.to_string()),
        ("result", r.result.clone()),
        ("command", opt(&r.command)),
        ("svtrid", opt(&r.svtrid)),
    ];
    if r.test {
        f.push(("test", "yes (validated only, nothing changed)".into()));
    }
    if r.data.is_some() {
        f.push(("data", json_cell(&r.data)));
    }
    fields(f)
}

fn notification(ctx: &Ctx, n: &Notification) -> Result<()> {
    if ctx.out.json {
        return ctx.out.json(n);
    }
    fields(vec![
        ("id", opt(&n.id)),
        ("code", n.code.to_string()),
        ("result", n.result.clone()),
        ("command", opt(&n.command)),
        ("cltrid", opt(&n.cltrid)),
        ("svtrid", opt(&n.svtrid)),
        ("data", json_cell(&n.data)),
    ])
}

fn domains_table(list: &[Domain]) -> Result<()> {
    table(
        &["NAME", "STATUS", "EXPIRATION"],
        list.iter().map(|d| vec![d.name.clone(), opt(&d.status), opt(&d.expiration)]).collect(),
    )
}

fn dns_domains_table(list: &[DnsDomain]) -> Result<()> {
    table(
        &["NAME", "STATUS", "TYPE"],
        list.iter().map(|d| vec![d.name.clone(), opt(&d.status), opt(&d.kind)]).collect(),
    )
}

fn rows_table(rows: &[DnsRow]) -> Result<()> {
    table(
        &["ID", "NAME", "TTL", "TYPE", "RDATA", "CHANGED", "COMMENT"],
        rows.iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.name.clone(),
                    opt(&r.ttl),
                    r.rdtype.clone(),
                    r.rdata.clone(),
                    opt(&r.changed_date),
                    opt(&r.author_comment),
                ]
            })
            .collect(),
    )
}
