//! What the core logs (through `tracing`, at DEBUG): requests and retries, never a secret.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hostapi_emulator::{
    Emulator, EmulatorConfig, DEMO_VELNEO_API_KEY, DEMO_VELNEO_EMAIL, DEMO_WEDOS_PASSWORD, DEMO_WEDOS_USER,
};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A subscriber that writes every event's fields into one string.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut s = self.0.lock().unwrap();
        span.record(&mut Fields(&mut s));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut s = self.0.lock().unwrap();
        let _ = write!(s, "\n{} {}:", event.metadata().level(), event.metadata().target());
        event.record(&mut Fields(&mut s));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn debug_logs_show_requests_and_retries_but_no_secret() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();

    let v = hostapi::velneo::Client::builder()
        .email(DEMO_VELNEO_EMAIL)
        .api_key(DEMO_VELNEO_API_KEY)
        .base_url(emu.velneo_url())
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    v.vserver().set_credentials("velneo", "velneo").await.unwrap();
    v.users().put(hostapi::velneo::UserSpec::new("logtest").password("UserPa55-in-logs?")).await.unwrap();
    reqwest::Client::new()
        .post(format!("{}/_emulator/faults", emu.url()))
        .json(&json!({"path": "/v1/vserver", "status": 503, "times": 1}))
        .send()
        .await
        .unwrap();
    v.vserver().status().await.unwrap();

    let w = hostapi::wedos::Client::builder()
        .user(DEMO_WEDOS_USER)
        .password(DEMO_WEDOS_PASSWORD)
        .base_url(emu.wedos_url())
        .build()
        .unwrap();
    w.ping().await.unwrap();
    let wrong = hostapi::wedos::Client::builder()
        .user(DEMO_WEDOS_USER)
        .password("Wrong-WAPI-Pa55")
        .base_url(emu.wedos_url())
        .build()
        .unwrap();
    wrong.ping().await.unwrap_err();

    let logs = capture.0.lock().unwrap().clone();
    assert!(logs.contains("sending request"), "requests are logged: {logs}");
    assert!(logs.contains("retrying after HTTP status"), "retries are logged: {logs}");
    assert!(logs.contains("velneo users.put") && logs.contains("wedos ping"), "operations are named: {logs}");
    let wapi_auth = hostapi::wedos::protocol::password_hash(DEMO_WEDOS_PASSWORD);
    for secret in [DEMO_VELNEO_API_KEY, DEMO_WEDOS_PASSWORD, "Wrong-WAPI-Pa55", "UserPa55-in-logs?", wapi_auth.as_str()]
    {
        assert!(!logs.contains(secret), "a secret is in the logs");
    }
    emu.stop().await;
}
