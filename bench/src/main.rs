//! The Rust figures of `make bench` (bench/bench.py runs this binary and pairs its numbers):
//!
//! * `calls API URL core|reqwest CONCURRENCY SECS`: the core client (`vserver.status` / `ping`) or a bare reqwest
//!   client POSTing the same request, prebuilt and signed once — the limit of this HTTP stack — for SECS seconds
//!   with CONCURRENCY calls in flight. Prints `{"calls", "secs", "cpu"}` (cpu: this process's user+system seconds).
//!   With `BENCH_BARE_TIMEOUT` set, the bare client gets the core's timeouts too (their timers cost little).
//!   `core-file` is the core with the default file store (in a temporary directory) instead of `:memory:`;
//!   `core-store` with the store `HOSTAPI_STATE_STORE` names (a Redis URL).
//!   `allocs`: heap allocations (and reallocations) per call, counted by this binary's global allocator (a counter
//!   in front of the system allocator, on only for 2,000 sequential calls after the timed part; the library itself
//!   sets no allocator).
//! * `growth wedos URL N SECS`: the core with the file store, measured for SECS seconds, then after N more calls
//!   measured again. Prints `{"before", "after"}` (calls/s) and the state files' bytes at the end (`file_bytes`).
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

/// The system allocator, counting allocations: how many heap blocks a call takes, core against bare reqwest.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// Counting is on only while allocations are measured (after the timed part): a counter both threads write
/// would slow the timed calls.
static COUNTING: AtomicBool = AtomicBool::new(false);

fn count() {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every method hands the call on to the system allocator unchanged; the counter is a side effect.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        count();
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        count();
        unsafe { std::alloc::System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

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
    let (calls, secs, cpu) = run(call.clone(), concurrency, secs).await;
    let allocs = allocations_per_call(call).await;
    println!("{}", json!({"calls": calls, "secs": secs, "cpu": cpu, "allocs": allocs}));
}

/// Heap allocations per call of `call`, over 2,000 calls one after another (allocations of the runtime's
/// threads included: those a call causes on the connection's task count).
async fn allocations_per_call(call: Call) -> f64 {
    const CALLS: u64 = 2_000;
    let a0 = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    for _ in 0..CALLS {
        assert!(call().await, "call failed");
    }
    COUNTING.store(false, Ordering::Relaxed);
    (ALLOCATIONS.load(Ordering::Relaxed) - a0) as f64 / CALLS as f64
}

/// Calls made, seconds and CPU seconds of `call` run with `concurrency` in flight for `secs` after a warm-up.
async fn run(call: Call, concurrency: usize, secs: f64) -> (u64, f64, f64) {
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
    (done.load(Ordering::Relaxed), t0.elapsed().as_secs_f64(), cpu_secs() - cpu0)
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

fn wedos_client(base: &str, state_dir: &str) -> wedos::Client {
    wedos::ClientBuilder::from_options(&json!({
        "user": DEMO_WEDOS_USER, "password": DEMO_WEDOS_PASSWORD, "base_url": base,
        "state_store": state_dir, "hourly_limits": [4_000_000_000u64, 100],
        "max_invalid_requests": std::env::var("BENCH_MAX_INVALID").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(10),
    }))
    .and_then(wedos::ClientBuilder::build)
    .expect("client")
}

/// A private temporary directory for the file store, removed when the process ends normally.
fn temp_state_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hostapi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("state dir");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("private");
    dir
}

fn ping(client: wedos::Client) -> Call {
    Arc::new(move || {
        let c = client.clone();
        Box::pin(async move { c.ping().await.is_ok() })
    })
}

async fn wedos_call(base: &str, contender: &str) -> Call {
    match contender {
        "core" => return ping(wedos_client(base, ":memory:")),
        "core-file" => return ping(wedos_client(base, temp_state_dir().to_str().expect("utf-8"))),
        // The store of HOSTAPI_STATE_STORE (a Redis URL, from bench.py: not on the command line).
        "core-store" => {
            let store = std::env::var("HOSTAPI_STATE_STORE").expect("HOSTAPI_STATE_STORE");
            return ping(wedos_client(base, &store));
        }
        _ => {}
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

async fn growth(base: &str, calls: u64, secs: f64) {
    let dir = temp_state_dir();
    let call = ping(wedos_client(base, dir.to_str().expect("utf-8")));
    let rate = |(n, s, _): (u64, f64, f64)| n as f64 / s;
    let before = rate(run(call.clone(), 1, secs).await);
    let c = call.clone();
    tokio::spawn(async move {
        for _ in 0..calls {
            assert!(c().await, "call failed");
        }
    })
    .await
    .expect("calls");
    let after = rate(run(call, 1, secs).await);
    let bytes: u64 = std::fs::read_dir(&dir)
        .expect("state dir")
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| {
            use std::os::unix::fs::MetadataExt;
            m.blocks() * 512 // allocated, not the sparse length
        })
        .sum();
    println!("{}", json!({"before": before, "after": after, "file_bytes": bytes}));
    let _ = std::fs::remove_dir_all(&dir);
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
            if *contender == "core-file" {
                let _ = std::fs::remove_dir_all(temp_state_dir());
            }
        }),
        ["growth", "wedos", url, calls, secs] => {
            rt.block_on(growth(url, calls.parse().expect("calls"), secs.parse().expect("secs")))
        }
        ["axum"] => rt.block_on(axum_server()),
        ["sizes"] => rt.block_on(async {
            let w = wedos_client("http://127.0.0.1:1/wapi/json", ":memory:");
            let v = velneo::ClientBuilder::from_options(&json!({
                "email": DEMO_VELNEO_EMAIL, "api_key": DEMO_VELNEO_API_KEY, "base_url": "http://127.0.0.1:1/v1",
            }))
            .and_then(velneo::ClientBuilder::build)
            .expect("client");
            // What a task holding one call carries (the futures are made, never polled).
            let sizes = json!({
                "velneo vserver.status": std::mem::size_of_val(&v.vserver().status()),
                "wedos ping": std::mem::size_of_val(&w.ping()),
            });
            println!("{sizes}");
        }),
        _ => {
            eprintln!(
                "usage: hostapi-bench calls velneo|wedos BASE_URL core|core-file|reqwest CONCURRENCY SECS \
                 | growth wedos BASE_URL CALLS SECS | axum | sizes"
            );
            std::process::exit(2);
        }
    }
}
