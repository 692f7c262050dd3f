//! The Rust figures of `make bench` (bench/bench.py runs this binary and pairs its numbers):
//!
//! * `calls API URL core|reqwest CONCURRENCY SECS`: the core client (`vserver.status` / `ping`) or a bare reqwest
//!   client POSTing the same request, prebuilt and signed once — the limit of this HTTP stack — for SECS seconds
//!   with CONCURRENCY calls in flight. Prints `{"calls", "secs", "cpu"}` (cpu: this process's user+system seconds).
//!   With `BENCH_BARE_TIMEOUT` set, the bare client gets the core's timeouts too (their timers cost little).
//! * `axum`: a minimal axum server answering every POST with a fixed small JSON, the emulator's baseline under a
//!   load generator. Prints its URL, serves until stdin closes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hostapi::{velneo, wedos};
use serde_json::json;

const DEMO_VELNEO_EMAIL: &str = "ejemplo@gmail.com";
const DEMO_VELNEO_API_KEY: &str = "NyraFY6GMz8lu1fameMdrH0V";
const DEMO_WEDOS_USER: &str = "tester@example.com";
const DEMO_WEDOS_PASSWORD: &str = "123456";

fn cpu_secs() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

type Call = Arc<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>> + Send + Sync>;

/// Runs `call` with `concurrency` in flight for `secs` after a short warm-up; prints the figures.
async fn measure(call: Call, concurrency: usize, secs: f64) {
    for _ in 0..200 {
        assert!(call().await, "warm-up call failed");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let (cpu0, t0) = (cpu_secs(), Instant::now());
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (call, stop, done) = (call.clone(), stop.clone(), done.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    assert!(call().await, "call failed");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.expect("worker");
    }
    let (secs, cpu) = (t0.elapsed().as_secs_f64(), cpu_secs() - cpu0);
    println!("{}", json!({"calls": done.load(Ordering::Relaxed), "secs": secs, "cpu": cpu}));
}

async fn velneo_call(base: &str, contender: &str) -> Call {
    let client = velneo::ClientBuilder::from_options(&json!({
        "email": DEMO_VELNEO_EMAIL, "api_key": DEMO_VELNEO_API_KEY, "base_url": base,
    }))
    .and_then(velneo::ClientBuilder::build)
    .expect("client");
    if contender == "core" {
        return Arc::new(move || {
            let c = client.clone();
            Box::pin(async move { c.vserver().status().await.is_ok() })
        });
    }
    // What a careful user writes by hand: one keep-alive client, the signed form body, the JSON answer read.
    let velneo::Output::Session(s) = client.execute(&velneo::Call::Login).await.expect("login") else {
        panic!("no session")
    };
    let request = velneo::protocol::build_request(
        base,
        &velneo::Call::VServerStatus,
        velneo::protocol::Auth::Session(&s.session),
        DEMO_VELNEO_API_KEY,
        hostapi::unix_now(),
        Default::default(),
    )
    .expect("request");
    bare(request)
}

async fn wedos_call(base: &str, contender: &str) -> Call {
    let client = wedos::ClientBuilder::from_options(&json!({
        "user": DEMO_WEDOS_USER, "password": DEMO_WEDOS_PASSWORD, "base_url": base,
        "state_dir": ":memory:", "hourly_limits": [4_000_000_000u64, 100],
    }))
    .and_then(wedos::ClientBuilder::build)
    .expect("client");
    if contender == "core" {
        return Arc::new(move || {
            let c = client.clone();
            Box::pin(async move { c.ping().await.is_ok() })
        });
    }
    let request = wedos::protocol::build_request(
        base,
        &wedos::Call::Ping,
        DEMO_WEDOS_USER,
        DEMO_WEDOS_PASSWORD,
        hostapi::unix_now(),
        &Default::default(),
    )
    .expect("request");
    bare(request)
}

/// A bare reqwest POST of a prebuilt request, its answer read whole and parsed as JSON.
fn bare(request: hostapi::HttpRequest) -> Call {
    let mut b = reqwest::Client::builder().no_proxy();
    if std::env::var_os("BENCH_BARE_TIMEOUT").is_some() {
        b = b.timeout(Duration::from_secs(30)).connect_timeout(Duration::from_secs(10));
    }
    let http = b.build().expect("reqwest");
    let request = Arc::new(request);
    Arc::new(move || {
        let (http, r) = (http.clone(), request.clone());
        Box::pin(async move {
            let mut rb = http.post(&r.url).body(r.body.clone());
            for (k, v) in &r.headers {
                rb = rb.header(k, v);
            }
            let Ok(resp) = rb.send().await else { return false };
            let ok = resp.status().is_success();
            match resp.bytes().await {
                Ok(b) => ok && serde_json::from_slice::<serde_json::Value>(&b).is_ok(),
                Err(_) => false,
            }
        })
    })
}

async fn axum_server() {
    use axum::routing::post;
    let answer =
        json!({"status_code": 200, "status": "running", "vrl": "vatps://c3.velneo.com:6070", "version": "25.0.4"});
    let app = axum::Router::new().fallback(post(move || {
        let a = answer.clone();
        async move { axum::Json(a) }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    println!("http://{}", listener.local_addr().expect("addr"));
    let stdin_closed = async {
        let _ = tokio::task::spawn_blocking(|| std::io::copy(&mut std::io::stdin(), &mut std::io::sink())).await;
    };
    axum::serve(listener, app).with_graceful_shutdown(stdin_closed).await.expect("serve");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Two workers, as many as the machine's cores (and as the Python binding's runtime).
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["calls", api, url, contender, concurrency, secs] => rt.block_on(async {
            let call = match *api {
                "velneo" => velneo_call(url, contender).await,
                _ => wedos_call(url, contender).await,
            };
            measure(call, concurrency.parse().expect("concurrency"), secs.parse().expect("secs")).await;
        }),
        ["axum"] => rt.block_on(axum_server()),
        _ => {
            eprintln!("usage: hostapi-bench calls velneo|wedos BASE_URL core|reqwest CONCURRENCY SECS | axum");
            std::process::exit(2);
        }
    }
}
