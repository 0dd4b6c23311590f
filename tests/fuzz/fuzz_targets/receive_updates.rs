//! pre-receive's standard-input parser, `source::pushed::receive_updates`.
//! Invariants: `intercept_fuzz::receive`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| intercept_fuzz::receive(data));
