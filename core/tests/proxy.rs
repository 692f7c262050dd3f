//! Proxies from the environment are honoured, except for loopback destinations (a local emulator is always
//! reached directly). This file is its own test process: it sets the proxy variables for all of it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hostapi::ErrorKind;
use hostapi_emulator::{Emulator, EmulatorConfig, DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL};
use tokio::io::AsyncReadExt;

#[tokio::test]
async fn loopback_goes_direct_and_other_hosts_through_the_proxy() {
    // A "proxy" that records the first line of what it is sent and closes.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let hits = Arc::new(AtomicUsize::new(0));
    let (seen2, hits2) = (seen.clone(), hits.clone());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            hits2.fetch_add(1, Ordering::SeqCst);
            let mut buf = vec![0u8; 1024];
            let n = sock.read(&mut buf).await.unwrap_or(0);
            let text = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("").to_owned();
            seen2.lock().unwrap().push(text);
        }
    });
    for var in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        std::env::set_var(var, format!("http://{proxy}"));
    }
    for var in ["NO_PROXY", "no_proxy"] {
        std::env::remove_var(var);
    }

    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let local = hostapi::velneo::Client::builder()
        .email(DEMO_VELNEO_EMAIL)
        .api_key(DEMO_VELNEO_API_KEY)
        .base_url(emu.velneo_url())
        .build()
        .unwrap();
    assert!(local.vserver().status().await.unwrap().is_running());
    assert_eq!(hits.load(Ordering::SeqCst), 0, "loopback traffic bypassed the proxy");

    let remote = hostapi::velneo::Client::builder()
        .email(DEMO_VELNEO_EMAIL)
        .api_key(DEMO_VELNEO_API_KEY)
        .base_url("http://cloudapi.example.invalid/v1")
        .timeout(Duration::from_secs(5))
        .retries(0)
        .build()
        .unwrap();
    let e = remote.vserver().status().await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout), "{e}");
    assert_eq!(hits.load(Ordering::SeqCst), 1, "the other host was asked through the proxy");
    let first = seen.lock().unwrap()[0].clone();
    assert!(first.starts_with("POST http://cloudapi.example.invalid/v1/session"), "{first}");
}
