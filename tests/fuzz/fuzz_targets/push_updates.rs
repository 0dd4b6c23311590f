//! pre-push's standard-input parser, `source::pushed::push_updates`.
//! Invariants: `intercept_fuzz::push`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| intercept_fuzz::push(data));
