//! The detector and the content layer over arbitrary bytes, read as `intercept scan` reads a
//! file (and as a blob and standard input): gzip, zip, zlib, UTF-16 and LFS pointers.
//! Invariants: `intercept_fuzz::content`.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use intercept::content::lfs::Store;
use libfuzzer_sys::fuzz_target;

/// The checked-in LFS objects, and the token-bearing ones run.sh makes in its temp dir
/// (`FUZZ_LFS_STORE`), so pointers in the corpus lead somewhere.
fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut dirs = vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/lfs/objects"))];
        dirs.extend(std::env::var_os("FUZZ_LFS_STORE").map(PathBuf::from));
        Store { dirs }
    })
}

fuzz_target!(
    init: {
        store();
        intercept::redact::detector();
    },
    |data: &[u8]| {
        // Open gaps (known, not fixed yet) are tolerated: see `intercept_fuzz::Gap`.
        let _open_gaps = intercept_fuzz::content(data, store());
    }
);
