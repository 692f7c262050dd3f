//! The Velneo response parser: any bytes, for every operation, with a range of HTTP statuses — an answer is
//! parsed or refused with an error, never a panic.
#![no_main]

use hostapi::velneo::protocol::{parse_response, Operation};
use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 9] = [200, 201, 204, 400, 401, 403, 404, 429, 500];

fuzz_target!(|data: &[u8]| {
    let [op, status, body @ ..] = data else { return };
    let op = Operation::ALL[usize::from(*op) % Operation::ALL.len()];
    let status = STATUSES[usize::from(*status) % STATUSES.len()];
    let _ = parse_response(op, status, body);
});
