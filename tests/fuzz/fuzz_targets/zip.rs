//! The plumbing's zip reader on its own, over arbitrary bytes.
//! Invariants: `intercept_fuzz::zip`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| intercept_fuzz::zip(data));
