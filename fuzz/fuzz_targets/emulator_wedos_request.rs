//! The emulator's WAPI request handling (form and JSON envelope, auth, every command), with the harness filling
//! in a valid user and auth so that the commands are reached: answered, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hostapi_emulator::fuzzing::wedos_request(data);
});
