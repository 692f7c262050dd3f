//! Clock skew across a Prague hour boundary: the client learns the server's clock from its answers and never
//! spends a request on a guessed hour. Driven by the emulator's clock control and a shifted client clock, both
//! running in real time, not by waiting for a real hour.

use std::time::Duration;

use hostapi::wedos::store::now_f64;
use hostapi::wedos::*;
use hostapi_emulator::{Emulator, EmulatorConfig, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER};
use serde_json::{json, Value};

async fn control(emu: &Emulator, path: &str, body: Value) -> Value {
    let http = reqwest::Client::new();
    let url = format!("{}/_emulator/{path}", emu.url());
    let rb = if body.is_null() { http.get(url) } else { http.post(url).json(&body) };
    rb.send().await.expect("control call").json().await.unwrap_or(Value::Null)
}

async fn answers_with(emu: &Emulator, code: i64) -> u64 {
    let st = control(emu, "state", Value::Null).await;
    st["wedos"][DEMO_WEDOS_USER]["codes"][code.to_string()].as_u64().unwrap_or(0)
}

/// Calls every 200 ms from 8 s before a Prague hour boundary (client time) to 8 s after, with the server's clock
/// `skew` seconds off the client's. Returns (calls, 2050 answers, 2052 answers, errors).
async fn across_a_boundary(skew: i64) -> (u32, u64, u64, Vec<String>) {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let clock = control(&emu, "clock", Value::Null).await;
    let real = clock["now"].as_i64().unwrap() - clock["offset_secs"].as_i64().unwrap();
    // 2026-03-29 00:59:52 UTC: 8 s before Prague's spring switch (01:59:59 CET → 03:00:00 CEST), the strangest
    // boundary of the year.
    let start = 1_774_746_000 - 8;
    let shift = start - real;
    control(&emu, "clock", json!({"offset_secs": shift + skew})).await;
    let c = Client::builder()
        .user(DEMO_WEDOS_USER)
        .password(DEMO_WEDOS_PASSWORD)
        .base_url(emu.wedos_url())
        .state_location(StateLocation::Memory)
        .clock(Clock::from_fn_f64(move || now_f64() + shift as f64))
        .build()
        .unwrap();
    let t0 = tokio::time::Instant::now();
    let mut calls = 0;
    let mut errors = Vec::new();
    while t0.elapsed() < Duration::from_secs(16) {
        let next = tokio::time::Instant::now() + Duration::from_millis(200);
        calls += 1;
        if let Err(e) = c.ping().await {
            errors.push(e.to_string());
        }
        tokio::time::sleep_until(next).await;
    }
    (calls, answers_with(&emu, 2050).await, answers_with(&emu, 2052).await, errors)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn skewed_clocks_across_an_hour_boundary_cost_no_2050_and_no_2052() {
    let runs = futures_join(vec![2, -2, 6, -6]).await;
    for (skew, (calls, e2050, e2052, errors)) in runs {
        eprintln!("skew {skew:+} s: {calls} calls, {e2050} × 2050, {e2052} × 2052");
        assert!(calls >= 40, "skew {skew}: only {calls} calls");
        assert_eq!((e2050, e2052), (0, 0), "skew {skew}: {errors:?}");
        assert!(errors.is_empty(), "skew {skew}: {errors:?}");
    }
}

async fn futures_join(skews: Vec<i64>) -> Vec<(i64, (u32, u64, u64, Vec<String>))> {
    let tasks: Vec<_> = skews.into_iter().map(|s| (s, tokio::spawn(across_a_boundary(s)))).collect();
    let mut out = Vec::new();
    for (s, t) in tasks {
        out.push((s, t.await.unwrap()));
    }
    out
}
