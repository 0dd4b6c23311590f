//! The fuzz targets' checks over every checked-in seed and regression input, on the stable
//! toolchain and without libFuzzer, so what fuzzing once found stays tested by `cargo
//! test`. The checks themselves (the entry points and their invariants) are
//! `tests/fuzz/checks.rs`, the file the libFuzzer targets run; `tests/fuzz/run.sh` does the
//! fuzzing.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use intercept::content::lfs::Store;

use crate::support::token;

#[path = "../fuzz/checks.rs"]
mod checks;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz")
}

/// Every file of `corpus/<target>` and `regressions/<target>`, in name order, with `token`
/// in place of each token placeholder (regression inputs hold one where the crash had one).
fn inputs(target: &str, token: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["corpus", "regressions"] {
        let dir = fuzz_dir().join(dir).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let name = path.strip_prefix(fuzz_dir()).unwrap().display().to_string();
            out.push((name, checks::fill(&std::fs::read(&path).unwrap(), token)));
        }
    }
    out
}

/// Runs `check` on every input, and fails naming each input that broke it (the panic
/// message of each is printed above).
fn run_all(target: &str, inputs: Vec<(String, Vec<u8>)>, check: &dyn Fn(&str, &[u8])) {
    assert!(!inputs.is_empty(), "no inputs for the {target} target");
    let failed: Vec<String> = inputs
        .into_iter()
        .filter(|(name, data)| catch_unwind(AssertUnwindSafe(|| check(name, data))).is_err())
        .map(|(name, _)| name)
        .collect();
    assert!(
        failed.is_empty(),
        "the {target} checks failed on: {failed:#?} (reproduce with tests/fuzz/run.sh, or \
         target/fuzz/<triple>/release/{target} <file> once built)"
    );
}

#[test]
fn content_seeds_and_regressions_hold_the_invariants() {
    let t = token();
    // A store holding a token-bearing object, as run.sh's temp store does.
    let store_dir = tempfile::tempdir().unwrap();
    let object = format!("INTERCOM_ACCESS_TOKEN={}\n", t.b64());
    let oid = {
        use sha2::{Digest, Sha256};
        Sha256::digest(object.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let at = store_dir.path().join(&oid[..2]).join(&oid[2..4]);
    std::fs::create_dir_all(&at).unwrap();
    std::fs::write(at.join(&oid), &object).unwrap();
    let store = Store {
        dirs: vec![fuzz_dir().join("lfs/objects"), store_dir.path().to_path_buf()],
    };
    let mut all = inputs("content", &t.b64());
    // Each seed with a token beside it: before it (the format is lost, the bytes are
    // plain) and after it (trailing bytes of a container, found in its raw view).
    for (name, data) in all.clone() {
        let mut before = format!("{}\n", t.b64()).into_bytes();
        before.extend_from_slice(&data);
        all.push((format!("{name} (a token before it)"), before));
        let mut after = data;
        after.extend_from_slice(format!("\nT={}\n", t.b64()).as_bytes());
        all.push((format!("{name} (a token after it)"), after));
    }
    let pointer = format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {}\n",
        object.len()
    );
    all.push(("an LFS pointer to a token".to_string(), pointer.into_bytes()));
    run_all("content", all, &|name, data| {
        let gaps = checks::content(data, &store);
        // A regression input of an open gap must still show it: once src/ is fixed, the
        // gap comes off checks::OPEN_GAPS and the check is strict again.
        for gap in checks::OPEN_GAPS {
            let prefix = format!("regressions/content/gap-{}-", gap.id());
            if name.starts_with(&prefix) && !name.contains(" (a token") {
                assert!(
                    gaps.contains(gap),
                    "{name} no longer shows {gap:?}: if src/ fixed it, take it off \
                     checks::OPEN_GAPS and drop the gap- prefix of the file's name"
                );
            }
        }
    });
}

#[test]
fn config_seeds_and_regressions_hold_the_invariants() {
    // The tests' own environment may hold a user config or INTERCEPT_* variables: then
    // only the invariants that do not depend on it are checked.
    let hermetic = checks::config_is_hermetic();
    run_all("config", inputs("config", &token().b64()), &|_, data| {
        checks::config(data, hermetic)
    });
}

#[test]
fn pre_push_seeds_and_regressions_hold_the_invariants() {
    run_all(
        "push_updates",
        inputs("push_updates", &token().b64()),
        &|_, data| checks::push(data),
    );
}

#[test]
fn zip_seeds_and_regressions_hold_the_invariants() {
    run_all("zip", inputs("zip", &token().b64()), &|_, data| checks::zip(data));
}

#[test]
fn tar_seeds_and_regressions_hold_the_invariants() {
    run_all("tar", inputs("tar", &token().b64()), &|_, data| checks::tar(data));
}

#[test]
fn reftable_seeds_and_regressions_hold_the_invariants() {
    run_all("reftable", inputs("reftable", &token().b64()), &|_, data| {
        checks::reftable(data)
    });
}

#[test]
fn pre_receive_seeds_and_regressions_hold_the_invariants() {
    run_all(
        "receive_updates",
        inputs("receive_updates", &token().b64()),
        &|_, data| checks::receive(data),
    );
}
