//! `config::resolve` over one fuzzed `.intercept.toml` layer. The user's file and the
//! `INTERCEPT_*` variables are taken away first, so only the fuzzed bytes count.
//! Invariants: `intercept_fuzz::config`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // Single-threaded here: libFuzzer has not started running inputs.
        std::env::set_var("XDG_CONFIG_HOME", "/nonexistent/intercept-fuzz/config");
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("INTERCEPT_") {
                std::env::remove_var(key);
            }
        }
        assert!(intercept_fuzz::config_is_hermetic());
    },
    |data: &[u8]| intercept_fuzz::config(data, true)
);
