//! The Velneo client against the emulator: every operation, the session rules, retries, timeouts, secrets.

use std::time::{Duration, Instant};

use hostapi::velneo::*;
use hostapi::ErrorKind;
use hostapi_emulator::{Emulator, EmulatorConfig, DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL};
use serde_json::{json, Value};

async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default()).await.expect("emulator starts")
}

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .email(DEMO_VELNEO_EMAIL)
        .api_key(DEMO_VELNEO_API_KEY)
        .base_url(emu.velneo_url())
        .timeout(Duration::from_secs(10))
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .build()
        .expect("client builds")
}

async fn control(emu: &Emulator, method: &str, path: &str, body: Value) -> Value {
    let http = reqwest::Client::new();
    let url = format!("{}/_emulator/{path}", emu.url());
    let rb = match method {
        "GET" => http.get(url),
        "DELETE" => http.delete(url),
        _ => http.post(url).json(&body),
    };
    let resp = rb.send().await.expect("control call");
    assert!(resp.status().is_success(), "control {path}: HTTP {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

async fn logins(emu: &Emulator) -> u64 {
    let state = control(emu, "GET", "state", Value::Null).await;
    state["velneo"][DEMO_VELNEO_EMAIL]["logins"].as_u64().expect("state has a login counter")
}

#[tokio::test]
async fn every_operation_through_the_client() {
    let emu = emulator().await;
    let c = client(&emu);

    // vServer
    let st = c.vserver().status().await.unwrap();
    assert!(st.is_running());
    assert!(st.vrl.as_deref().unwrap().starts_with("vatp"));
    assert!(st.version.is_some());
    assert_eq!(c.vserver().stop().await.unwrap().status_code, 200);
    assert_eq!(c.vserver().status().await.unwrap().status, "stopped");
    assert_eq!(c.vserver().start().await.unwrap().status_code, 200);
    assert!(c.vserver().status().await.unwrap().is_running());
    c.vserver().set_credentials("velneo", "velneo").await.unwrap();
    let backup = c.vserver().backup().await.unwrap();
    let mut downloaded = Vec::new();
    let n = c
        .vserver()
        .download_backup(&backup, |chunk, _total| {
            downloaded.extend_from_slice(chunk);
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(n as usize, downloaded.len());
    assert!(!downloaded.is_empty(), "the backup link downloads");
    let st = c.vserver().wait_for_state("running", Duration::from_millis(10), Duration::from_secs(5)).await.unwrap();
    assert!(st.is_running());

    // A tenant: folder, data instance (sub-folder), app instance inheriting it, group with access, user.
    c.groups().put(GroupSpec::new("Clientes")).await.unwrap();
    c.folders().put(FolderSpec::new("clientes", "Clientes").path("clientes")).await.unwrap();
    let folder = c.folders().get("clientes").await.unwrap();
    assert_eq!(folder.name, "clientes");
    assert!(folder.path.as_deref().unwrap().ends_with("/clientes"), "{folder:?}");
    assert!(c.folders().list().await.unwrap().iter().any(|f| f.name == "clientes"));

    let data = c
        .data_instances()
        .put(InstanceSpec::new("Acme_datos", "2ewlh1l5.vcd", "Biblioteca", "clientes/acme"))
        .await
        .unwrap();
    let data_id = data.id.clone().expect("data instance id");
    let d = c.data_instances().get("Acme_datos").await.unwrap();
    assert_eq!(d.project.as_deref(), Some("2ewlh1l5.vcd"));
    assert_eq!(d.path.as_deref(), Some("clientes/acme"));
    let by_id = c.data_instances().get(InstanceKey::Id(data_id.clone())).await.unwrap();
    assert_eq!(by_id.name, "Acme_datos");
    // Modify by id.
    c.data_instances()
        .put(InstanceSpec::new(data_id.clone(), "2ewlh1l5.vcd", "Biblioteca", "clientes/acme").by_id(true))
        .await
        .unwrap();
    assert_eq!(c.data_instances().list().await.unwrap().iter().filter(|d| d.name == "Acme_datos").count(), 1);

    let app = c
        .app_instances()
        .put(
            InstanceSpec::new("Acme", "2ewlh1l5.vca", "Biblioteca", "clientes/acme")
                .inherit([("2ewlh1l5.vcd", &data_id)]),
        )
        .await
        .unwrap();
    let app_id = app.id.clone().expect("app instance id");
    let a = c.app_instances().get("Acme").await.unwrap();
    assert_eq!(a.solution.as_deref(), Some("Biblioteca"));
    assert_eq!(c.app_instances().get(InstanceKey::Id(app_id.clone())).await.unwrap().name, "Acme");
    assert!(c.app_instances().list().await.unwrap().iter().any(|a| a.name == "Acme"));

    c.groups()
        .put(GroupSpec::new("Clientes").manage_solutions(false).add_solution("Biblioteca").add_app_instance(&app_id))
        .await
        .unwrap();
    let g = c.groups().get("Clientes").await.unwrap();
    assert_eq!(g.name, "Clientes");
    assert!(g.code.is_some());
    assert!(c.groups().list().await.unwrap().iter().any(|g| g.name == "Administradores"));

    c.users()
        .put(
            UserSpec::new("acme")
                .email("it@acme.example")
                .password("s3cret-Pa55")
                .full_name("Acme Admin")
                .group("Clientes")
                .is_supervisor(false)
                .account_disabled(false)
                .must_change_password(true)
                .password_never_expires(false),
        )
        .await
        .unwrap();
    let u = c.users().get("acme").await.unwrap();
    assert_eq!(u.full_name.as_deref(), Some("Acme Admin"));
    assert_eq!(u.email.as_deref(), Some("it@acme.example"));
    assert_eq!(u.must_change_password, Some(true));
    assert_eq!(u.is_supervisor, Some(false));
    assert_eq!(u.groups.as_deref(), Some(&["Clientes".to_owned()][..]));
    let members = c.users().list(UserFilter::Group("Clientes".into())).await.unwrap();
    assert_eq!(members.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), ["acme"]);
    assert!(c.users().list(UserFilter::All).await.unwrap().len() >= 2);
    // Move the user out of the group.
    c.users().put(UserSpec::new("acme").group("Administradores").del_group("Clientes")).await.unwrap();
    assert_eq!(c.users().get("acme").await.unwrap().groups.unwrap(), ["Administradores"]);

    // Clean up, in dependency order.
    c.users().delete("acme").await.unwrap();
    c.app_instances().delete(InstanceKey::Id(app_id)).await.unwrap();
    c.data_instances().delete("Acme_datos").await.unwrap();
    c.folders().delete("clientes").await.unwrap();
    c.groups().delete("Clientes").await.unwrap();
    let e = c.users().get("acme").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Api, "{e}");
    assert_eq!(e.code(), Some(403));
    assert!(e.to_string().starts_with("velneo users.get: "), "{e}");

    c.logout().await.unwrap();
    assert_eq!(c.login_count(), 1);
    // After logout the next call logs in again.
    c.vserver().status().await.unwrap();
    assert_eq!(c.login_count(), 2);
    assert_eq!(logins(&emu).await, 2);
    emu.stop().await;
}

#[tokio::test]
async fn waiting_for_a_state_that_never_comes_times_out() {
    let emu = emulator().await;
    let c = client(&emu);
    let e =
        c.vserver().wait_for_state("stopped", Duration::from_millis(20), Duration::from_millis(100)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.message().contains("still running"), "{e}");
    // A failed download is an error carrying the HTTP status, and nothing is handed to the sink.
    let missing = Backup { url: format!("{}/_emulator/velneo/backups/nope.zip", emu.url()) };
    let e = c.vserver().download_backup(&missing, |_, _| panic!("no bytes expected")).await.unwrap_err();
    assert_eq!(e.http_status(), Some(404), "{e}");
}

#[tokio::test]
async fn real_http_verbs_are_accepted_too() {
    let emu = emulator().await;
    let c = Client::builder()
        .email(DEMO_VELNEO_EMAIL)
        .api_key(DEMO_VELNEO_API_KEY)
        .base_url(emu.velneo_url())
        .http_verbs(true)
        .build()
        .unwrap();
    assert!(c.vserver().status().await.unwrap().is_running());
    c.groups().put(GroupSpec::new("Verbos")).await.unwrap();
    assert_eq!(c.groups().get("Verbos").await.unwrap().name, "Verbos");
    c.groups().delete("Verbos").await.unwrap();
    c.logout().await.unwrap();
}

#[tokio::test]
async fn fifty_concurrent_first_calls_log_in_once() {
    let emu = emulator().await;
    let c = client(&emu);
    let calls = (0..50).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.vserver().status().await })
    });
    for r in futures_join(calls).await {
        r.unwrap();
    }
    assert_eq!(c.login_count(), 1);
    assert_eq!(logins(&emu).await, 1);
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn an_expired_session_costs_one_relogin() {
    let emu = emulator().await;
    let c = client(&emu);
    c.groups().list().await.unwrap();
    control(&emu, "POST", "velneo/expire-sessions", json!({})).await;
    // Many calls meet the 401 at once: still one re-login.
    let calls = (0..10).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.groups().list().await })
    });
    for r in futures_join(calls).await {
        r.unwrap();
    }
    assert_eq!(c.login_count(), 2);
    assert_eq!(logins(&emu).await, 2);
}

#[tokio::test]
async fn a_second_401_is_an_authentication_error() {
    let emu = emulator().await;
    let c = client(&emu);
    c.vserver().status().await.unwrap();
    control(
        &emu,
        "POST",
        "faults",
        json!({"path": "/v1/vserver", "status": 401, "body": "{\"status_code\":401,\"message\":\"Sesión no válida\"}", "times": 2}),
    )
    .await;
    let e = c.vserver().status().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
    assert!(e.message().contains("after logging in again"), "{e}");
    assert_eq!(c.login_count(), 2, "exactly one re-login");
    // The fault is used up: the next call works with the current session.
    c.vserver().status().await.unwrap();
    assert_eq!(c.login_count(), 2);
}

#[tokio::test]
async fn wrong_api_key_is_an_authentication_error_without_the_key() {
    let emu = emulator().await;
    let key = "Wr0ngKeyThatMustNeverBeShown";
    let c = Client::builder().email(DEMO_VELNEO_EMAIL).api_key(key).base_url(emu.velneo_url()).build().unwrap();
    let e = c.vserver().status().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
    assert!(e.to_string().starts_with("velneo session.login: "), "{e}");
    for text in [format!("{e}"), format!("{e:?}"), format!("{c:?}")] {
        assert!(!text.contains(key), "secret leaked: {text}");
    }
}

#[tokio::test]
async fn wrong_vserver_credentials_fail_the_next_call() {
    let emu = emulator().await;
    let c = client(&emu);
    let pw = "NotTheRightPassword";
    c.vserver().set_credentials("velneo", pw).await.unwrap();
    let e = c.users().list(UserFilter::All).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::VServerCredentials, "{e}");
    assert!(!format!("{e} {e:?}").contains(pw));
    c.vserver().set_credentials("velneo", "velneo").await.unwrap();
    c.users().list(UserFilter::All).await.unwrap();
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let emu = emulator().await;
    let c = client(&emu);
    c.vserver().status().await.unwrap();
    control(&emu, "POST", "faults", json!({"path": "/v1/vserver", "status": 503, "body": "busy", "times": 2})).await;
    // Default policy: two retries, so two 503s are absorbed.
    assert!(c.vserver().status().await.unwrap().is_running());

    let no_retry = Client::builder()
        .email(DEMO_VELNEO_EMAIL)
        .api_key(DEMO_VELNEO_API_KEY)
        .base_url(emu.velneo_url())
        .retries(0)
        .build()
        .unwrap();
    no_retry.login().await.unwrap();
    control(&emu, "POST", "faults", json!({"path": "/v1/vserver", "status": 503, "body": "busy", "times": 1})).await;
    let e = no_retry.vserver().status().await.unwrap_err();
    // A 5xx that outlasts the retries is a transient outage, not a protocol error; the message names the server
    // and the attempts.
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(e.http_status(), Some(503));
    assert_eq!(e.body(), Some("busy"));
    let host = emu.url().trim_start_matches("http://").to_owned();
    assert!(e.message().contains(&host) && e.message().contains("(1 attempt)"), "{e}");
    // API errors are never retried: the fault budget shows it.
    control(
        &emu,
        "POST",
        "faults",
        json!({"path": "/v1/group", "status": 403, "body": "{\"status_code\":403,\"message\":\"no\"}", "times": 1}),
    )
    .await;
    let e = c.groups().get("Administradores").await.unwrap_err();
    assert_eq!((e.kind(), e.code()), (ErrorKind::Api, Some(403)), "{e}");
    assert_eq!(c.groups().get("Administradores").await.unwrap().name, "Administradores");
}

/// A server that accepts connections and never answers.
async fn silent_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(sock);
        }
    });
    (format!("http://{addr}/v1"), accepted)
}

#[tokio::test]
async fn a_silent_server_times_out_within_the_bound() {
    let (url, accepted) = silent_server().await;
    let bound = Duration::from_millis(300);
    let c = Client::builder().email("a@b.c").api_key("k").base_url(&url).timeout(bound).retries(0).build().unwrap();
    let t0 = Instant::now();
    let e = c.vserver().status().await.unwrap_err();
    let took = t0.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.to_string().contains("session.login"), "{e}");
    assert!(took >= bound, "gave up early: {took:?}");
    assert!(took < bound * 10, "did not respect the bound: {took:?}");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);

    // With retries, each attempt times out and is retried.
    let c = Client::builder()
        .email("a@b.c")
        .api_key("k")
        .base_url(&url)
        .timeout(Duration::from_millis(100))
        .retries(2)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    let e = c.vserver().status().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1 + 3);
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = Client::builder()
        .email("a@b.c")
        .api_key("k")
        .base_url(format!("http://{addr}/v1"))
        .retries(1)
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
        .build()
        .unwrap();
    let e = c.groups().list().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.to_string().starts_with("velneo session.login: cannot connect"), "{e}");
}

#[test]
fn bad_settings_are_config_errors() {
    let e = Client::builder().api_key("k").build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("VELNEO_EMAIL"), "{e}");
    let e = Client::builder().email("a@b.c").build().unwrap_err();
    assert!(e.to_string().contains("VELNEO_API_KEY"), "{e}");
    let e = Client::builder().email("a@b.c").api_key("k").base_url("ftp://x").build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    let e = Client::builder().email("a@b.c").api_key("k").ca_bundle_pem(b"not a pem".to_vec()).build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    let e = Client::builder().email("a@b.c").api_key("k").ca_bundle_file("/nonexistent/ca.pem").build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    let e = Client::builder().email("a@b.c").api_key("k").timeout(Duration::ZERO).build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    // Credentials in the URL are refused without being echoed.
    let e = Client::builder().email("a@b.c").api_key("k").base_url("https://me:UrlPa55@host/v1").build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    assert!(!format!("{e} {e:?}").contains("UrlPa55"), "{e}");
}

#[tokio::test]
async fn an_unrepresentable_wait_is_a_config_error() {
    let emu = emulator().await;
    let c = client(&emu);
    let e = c.vserver().wait_for_state("running", Duration::from_millis(10), Duration::MAX).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
}

#[tokio::test]
async fn invalid_arguments_fail_before_anything_is_sent() {
    let (url, accepted) = silent_server().await;
    let c = Client::builder().email("a@b.c").api_key("k").base_url(&url).build().unwrap();
    let e = c.users().put(UserSpec::new("")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(e.operation(), "velneo users.put");
    let e =
        c.data_instances().put(InstanceSpec::new("x", "p", "s", "datos").inheritance("nonsense")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    let e = c.app_instances().put(InstanceSpec::new("1", "p", "s", "datos").by_id(true)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 0, "nothing was sent");
}

#[test]
fn from_env_reads_the_three_variables() {
    std::env::set_var("VELNEO_EMAIL", "env@example.com");
    std::env::set_var("VELNEO_API_KEY", "EnvKeyNeverShown123");
    std::env::set_var("VELNEO_BASE_URL", "http://127.0.0.1:9/v1/");
    let c = Client::from_env().unwrap();
    assert_eq!(c.email(), "env@example.com");
    assert_eq!(c.base_url(), "http://127.0.0.1:9/v1");
    assert!(!format!("{c:?}").contains("EnvKeyNeverShown123"));
    std::env::remove_var("VELNEO_API_KEY");
    let e = Client::from_env().unwrap_err();
    assert!(e.to_string().contains("VELNEO_API_KEY"));
}

#[test]
fn secrets_never_show_in_debug() {
    let key = "TopSecretApiKey0987654321";
    let b = Client::builder().email("a@b.c").api_key(key).base_url("http://127.0.0.1:1/v1");
    assert!(!format!("{b:?}").contains(key));
    let c = b.build().unwrap();
    assert!(!format!("{c:?}").contains(key));
    let spec = UserSpec::new("u").password("UserPassw0rd!");
    assert!(!format!("{spec:?}").contains("UserPassw0rd!"));
    let call = hostapi::velneo::Call::VServerCredentials { username: "web".into(), password: "VsPass!".into() };
    assert!(!format!("{call:?}").contains("VsPass!"));
    let req = hostapi::velneo::protocol::build_request(
        "http://x/v1",
        &call,
        hostapi::velneo::protocol::Auth::Session("s"),
        key,
        1,
        Default::default(),
    )
    .unwrap();
    let shown = format!("{req:?}");
    assert!(!shown.contains("VsPass") && !shown.contains(key), "{shown}");
    assert!(!req.body.contains(key), "the API key is never sent");
}

/// A TCP proxy in front of `target` that counts the connections it accepts.
async fn counting_proxy(
    target: std::net::SocketAddr,
) -> (std::net::SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (addr, count)
}

#[tokio::test]
async fn connections_are_reused() {
    let emu = emulator().await;
    let (proxy, connections) = counting_proxy(emu.addr()).await;
    let c = Client::builder()
        .email(DEMO_VELNEO_EMAIL)
        .api_key(DEMO_VELNEO_API_KEY)
        .base_url(format!("http://{proxy}/v1"))
        .build()
        .unwrap();
    for _ in 0..20 {
        c.vserver().status().await.unwrap();
    }
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 1, "21 requests over one kept-alive connection");
}
