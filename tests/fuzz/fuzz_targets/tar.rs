//! The plumbing's tar reader on its own, over arbitrary bytes.
//! Invariants: `intercept_fuzz::tar`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| intercept_fuzz::tar(data));
