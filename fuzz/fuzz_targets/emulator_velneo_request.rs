//! The emulator's Velneo request handling (form decoding, parameters, every resource), with the harness signing
//! JSON parameters so that the handlers behind the signature check are reached: answered, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hostapi_emulator::fuzzing::velneo_request(data);
});
