//! The WEDOS notification parser (the form body a notification URL receives, and its JSON): parsed or refused
//! with an error, never a panic.
#![no_main]

use hostapi::wedos::protocol::{parse_notification, parse_notification_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_notification(data);
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = parse_notification_json(&value);
    }
});
