//! `make demo`: a new customer provisions a tenant on their Velneo vServer, then manages DNS on their WEDOS
//! account, against the embedded emulator.
//!
//! Run it with `cargo run --release -p hostapi --example demo`. Point it at real accounts by setting
//! `VELNEO_EMAIL`, `VELNEO_API_KEY`, `VELNEO_BASE_URL`, `WEDOS_USER`, `WEDOS_PASSWORD` (and `DEMO_ZONE`, a zone of
//! yours) and passing `--real` (the emulator is not started then).

use std::time::Duration;

use hostapi::velneo::*;
use hostapi::wedos;
use hostapi_emulator::{
    Emulator, EmulatorConfig, DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn step(what: &str) {
    println!("\n== {what}");
}

#[tokio::main]
async fn main() -> Result<()> {
    let real = std::env::args().any(|a| a == "--real");
    let emulator = if real { None } else { Some(Emulator::start(EmulatorConfig::default()).await?) };
    let client = match &emulator {
        Some(emu) => {
            println!("hostapi demo: Velneo Cloud API emulator at {}", emu.velneo_url());
            println!("demo account: {DEMO_VELNEO_EMAIL} (API key from the documented demo account)");
            Client::builder()
                .email(DEMO_VELNEO_EMAIL)
                .api_key(DEMO_VELNEO_API_KEY)
                .base_url(emu.velneo_url())
                .build()?
        }
        None => Client::from_env()?,
    };
    println!("client: {client:?}");

    step("vServer status (the first call logs in)");
    let status = client.vserver().status().await?;
    println!(
        "status={} vrl={} version={}",
        status.status,
        status.vrl.unwrap_or_default(),
        status.version.unwrap_or_default()
    );

    step("vServer credentials (a supervisor the API administers the vServer with)");
    client.vserver().set_credentials("velneo", "velneo").await?;
    println!("stored");

    step("shared folder 'clientes' for group 'Clientes'");
    client.groups().put(GroupSpec::new("Clientes").manage_solutions(false)).await?;
    println!("group Clientes created");
    client.folders().put(FolderSpec::new("clientes", "Clientes").path("clientes")).await?;
    let folder = client.folders().get("clientes").await?;
    println!("folder {} at {}", folder.name, folder.path.unwrap_or_default());

    step("data instance in a sub-folder created on the fly");
    let data = client
        .data_instances()
        .put(InstanceSpec::new("Acme_datos", "2ewlh1l5.vcd", "Biblioteca", "clientes/acme"))
        .await?;
    let data_id = data.id.unwrap_or_default();
    println!("data instance Acme_datos id={data_id}");

    step("app instance inheriting the data instance");
    let app = client
        .app_instances()
        .put(
            InstanceSpec::new("Acme", "2ewlh1l5.vca", "Biblioteca", "clientes/acme")
                .inherit([("2ewlh1l5.vcd", &data_id)]),
        )
        .await?;
    let app_id = app.id.unwrap_or_default();
    println!("app instance Acme id={app_id}");

    step("group access to the app instance; a user in the group");
    client.groups().put(GroupSpec::new("Clientes").add_solution("Biblioteca").add_app_instance(&app_id)).await?;
    client
        .users()
        .put(
            UserSpec::new("acme")
                .email("it@acme.example")
                .password("Acme-2026!")
                .full_name("Acme IT")
                .group("Clientes")
                .must_change_password(true),
        )
        .await?;
    println!("user acme created");

    step("read everything back");
    for g in client.groups().list().await? {
        println!("group  {:<16} code={:?} create_sites={:?}", g.name, g.code, g.can_create_sites);
    }
    for u in client.users().list(UserFilter::All).await? {
        println!("user   {:<16} {:<20} supervisor={:?}", u.name, u.full_name.unwrap_or_default(), u.is_supervisor);
    }
    let acme = client.users().get("acme").await?;
    println!(
        "acme   groups={:?} must_change_password={:?}",
        acme.groups.unwrap_or_default(),
        acme.must_change_password
    );
    for f in client.folders().list().await? {
        println!("folder {:<16} {}", f.name, f.path.unwrap_or_default());
    }
    for a in client.app_instances().list().await? {
        println!("app    {:<16} {} ({})", a.name, a.project.unwrap_or_default(), a.solution.unwrap_or_default());
    }
    for d in client.data_instances().list().await? {
        println!("data   {:<16} {} path={}", d.name, d.project.unwrap_or_default(), d.path.unwrap_or_default());
    }
    let by_id = client.app_instances().get(InstanceKey::Id(app_id.clone())).await?;
    println!("app instance {app_id} is {}", by_id.name);

    step("stop and start the vServer");
    client.vserver().stop().await?;
    println!("status={}", client.vserver().status().await?.status);
    client.vserver().start().await?;
    println!("status={}", client.vserver().status().await?.status);

    step("backup");
    let backup = client.vserver().backup().await?;
    println!("backup at {}", backup.url);

    step("clean up");
    client.users().delete("acme").await?;
    client.app_instances().delete(InstanceKey::Id(app_id)).await?;
    client.data_instances().delete("Acme_datos").await?;
    client.folders().delete("clientes").await?;
    client.groups().delete("Clientes").await?;
    println!("tenant removed; logins performed: {}", client.login_count());

    step("a mistake, reported as a typed error");
    match client.groups().get("NoSuchGroup").await {
        Err(e) => println!("{:?} error: {e}", e.kind()),
        Ok(g) => println!("unexpected: {g:?}"),
    }

    step("logout");
    client.logout().await?;
    println!("session ended");

    wedos_part(emulator.as_ref()).await?;

    if let Some(emu) = emulator {
        emu.stop().await;
    }
    println!("\ndemo finished");
    Ok(())
}

async fn wedos_part(emulator: Option<&Emulator>) -> Result<()> {
    println!("\n==== WEDOS WAPI");
    let (client, zone) = match emulator {
        Some(emu) => {
            println!("emulator at {} — demo user {DEMO_WEDOS_USER}", emu.wedos_url());
            let c = wedos::Client::builder()
                .user(DEMO_WEDOS_USER)
                .password(DEMO_WEDOS_PASSWORD)
                .base_url(emu.wedos_url())
                .poll_interval(Duration::from_millis(100))
                .build()?;
            (c, "example.cz".to_owned())
        }
        None => (wedos::Client::from_env()?, std::env::var("DEMO_ZONE")?),
    };
    println!("client: {client:?}");

    step("ping (auth = sha1(user + sha1(password) + the hour in Prague))");
    let pong = client.ping().await?;
    println!("{} {} clTRID={}", pong.code, pong.result, pong.cltrid.unwrap_or_default());

    step("credit");
    let credit = client.credit_info().await?;
    println!("{:.2} {}", credit.amount.unwrap_or_default(), credit.currency.unwrap_or_default());

    step(&format!("a TXT record in {zone}: add, commit, list, delete"));
    client
        .dns()
        .add_row(wedos::NewDnsRow::new(&zone, "_hostapi-demo", "TXT", "hostapi was here").ttl(300).comment("demo"))
        .await?;
    client.dns().commit(&zone).await?;
    let rows = client.dns().rows(&zone).await?;
    for r in &rows {
        println!("row {:>4} {:<16} {:>6} {:<5} {}", r.id, r.name, r.ttl.unwrap_or_default(), r.rdtype, r.rdata);
    }
    let ours = rows.iter().find(|r| r.name == "_hostapi-demo").ok_or("the new row is not listed")?;
    client.dns().delete_row(&zone, ours.id).await?;
    client.dns().commit(&zone).await?;
    println!("row {} deleted and committed", ours.id);

    step("ping-async, its result awaited through the POLL queue");
    let pending = client.ping_async().await?;
    println!(
        "pending: clTRID={} svTRID={}",
        pending.cltrid.as_deref().unwrap_or(""),
        pending.svtrid.as_deref().unwrap_or("")
    );
    let n = client.wait_for(&pending, Duration::from_secs(30)).await?;
    println!("notification {}: {} {} data={}", n.id.unwrap_or_default(), n.code, n.result, n.data.unwrap_or_default());

    step("a mistake, reported as a typed error");
    match client.dns().delete_row(&zone, 999_999).await {
        Err(e) => println!("{:?} error: {e}", e.kind()),
        Ok(r) => println!("unexpected: {r:?}"),
    }
    Ok(())
}
