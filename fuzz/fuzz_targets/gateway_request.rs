//! The gateway's request bodies (acme-dns register/update, lego httpreq, external-dns changes) through every parser
//! and check that runs before anything is sent to WEDOS: answered or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hostapi_cli::fuzzing::request_body(data);
});
