//! The WEDOS response parser: any bytes as the answer to each request of the shared vectors, with a range of
//! HTTP statuses — parsed or refused with an error, never a panic.
#![no_main]

use std::sync::OnceLock;

use hostapi::wedos::protocol::{parse_response_timed, Call};
use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 6] = [200, 201, 400, 404, 500, 502];

/// Every call the request vectors describe.
fn calls() -> &'static [Call] {
    static CALLS: OnceLock<Vec<Call>> = OnceLock::new();
    CALLS.get_or_init(|| {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/wedos/requests.json")).expect("vectors");
        doc["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .filter_map(|c| Call::from_json(c["operation"].as_str()?, &c["args"]).ok())
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let [call, status, body @ ..] = data else { return };
    let calls = calls();
    let call = &calls[usize::from(*call) % calls.len()];
    let status = STATUSES[usize::from(*status) % STATUSES.len()];
    let _ = parse_response_timed(call, status, body);
});
