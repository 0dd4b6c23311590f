#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer on the stable toolchain and runs each for a bounded
# time over a copy of the checked-in seed corpus, plus token-bearing seeds made now.
#
#   bash tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (from any directory)
#
# SECONDS_PER_TARGET defaults to 20; TARGET to all of content, config, push_updates,
# receive_updates, zip and reftable. Prints each target's executions and time, and exits
# non-zero when a target crashes (a panic, a broken invariant, a sanitizer report, a
# timeout or running out of memory). The crashing input is kept in target/fuzz/crashes/<target>/, with a minimized
# copy (minimized-*) beside it; keep it as a regression in tests/fuzz/regressions/<target>/
# (after replacing any token in it: run.sh's seeds hold random, generated ones).
#
# Nothing is written to the checkout outside target/: the corpus is copied to a temp dir,
# what libFuzzer adds to it is thrown away with it. Environment:
#   FUZZ_SANITIZER  address (the default, as cargo-fuzz) or none (about twice as fast)
#   FUZZ_JOBS       cargo build jobs (default 2)
#   RUSTFLAGS       appended to the libFuzzer flags
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=${1:-20}
shift || true
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=(content config push_updates receive_updates zip tar reftable)
fi
case $seconds in
  '' | *[!0-9]* | 0) echo "run.sh: seconds per target must be a whole number from 1, not '$seconds'" >&2; exit 2 ;;
esac

export CARGO_TARGET_DIR="$repo/target/fuzz"
crashes="$CARGO_TARGET_DIR/crashes"
triple=$(rustc -vV | sed -n 's/^host: //p')
sanitizer=${FUZZ_SANITIZER:-address}

# What `cargo fuzz build` passes (cargo-fuzz 0.13, src/project.rs), plus debug assertions
# (`cargo fuzz build -a`). `--target` keeps the flags off build scripts and proc macros.
# RUSTC_BOOTSTRAP=1 lets the stable compiler take -Zsanitizer.
flags="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing \
-Cllvm-args=-simplifycfg-branch-fold-threshold=0 \
-Cllvm-args=-sanitizer-coverage-stack-depth \
-Cdebug-assertions"
case $sanitizer in
  none) ;;
  address) flags="$flags -Zsanitizer=address" ;;
  *) echo "run.sh: FUZZ_SANITIZER is address or none, not '$sanitizer'" >&2; exit 2 ;;
esac

echo "== building the fuzz targets ($triple, sanitizer: $sanitizer) into $CARGO_TARGET_DIR"
build_started=$(date +%s)
env -u CARGO_ENCODED_RUSTFLAGS RUSTC_BOOTSTRAP=1 RUSTFLAGS="$flags ${RUSTFLAGS:-}" \
  cargo build --manifest-path "$here/Cargo.toml" --locked --release --target "$triple" \
  --bins -j "${FUZZ_JOBS:-2}"
echo "== built in $(( $(date +%s) - build_started )) s"
bin_dir="$CARGO_TARGET_DIR/$triple/release"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/intercept-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Token-bearing seeds and LFS objects, from random UUIDs, only ever in the temp dir; and
# the regression inputs, their token placeholders filled in.
# (The shared test-support crate makes them: one token generator for every test.)
env -u CARGO_ENCODED_RUSTFLAGS CARGO_TARGET_DIR="$repo/target" \
  cargo run -q --locked --manifest-path "$repo/Cargo.toml" -p intercept-test-support --bin fuzz-seeds \
  -- "$tmp" "$here/regressions"
export FUZZ_LFS_STORE="$tmp/lfs/objects"
# LeakSanitizer stays on; ODR reports are noise for Rust (cargo-fuzz sets the same).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_odr_violation=0"

failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$bin_dir/$t"
  if [ ! -x "$bin" ]; then
    echo "run.sh: no fuzz target '$t' (targets: content config push_updates receive_updates zip tar reftable)" >&2
    exit 2
  fi
  corpus="$tmp/corpus/$t"
  mkdir -p "$corpus" "$crashes/$t"
  cp -R "$here/corpus/$t/." "$corpus/"
  case $t in
    content | zip | tar | reftable) max_len=65536 ;;
    *) max_len=4096 ;;
  esac
  log="$tmp/$t.log"
  echo "== fuzzing $t for $seconds s ($(ls "$corpus" | wc -l) seeds)"
  started=$(date +%s.%N)
  set +e
  "$bin" "$corpus" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -dict="$here/dict/$t.dict" -artifact_prefix="$crashes/$t/" -print_final_stats=1 \
    >"$log" 2>&1
  status=$?
  set -e
  elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.* cov: \([0-9]*\).* ft: \([0-9]*\).*/cov \1, ft \2/p')
  line="$t: ${execs:-?} executions in $elapsed s (${cov:-no coverage line})"
  if [ "$status" -ne 0 ]; then
    line="$line: CRASHED (exit $status)"
    failed+=("$t")
    echo "---- $t: libFuzzer's report" >&2
    # From the panic or sanitizer report on, without the input itself: libFuzzer prints a
    # short one in hex, text and base64, and one from a token-bearing seed holds a
    # (generated) token.
    awk '/^(0x[0-9a-fA-F][0-9a-fA-F],)+$/ { skip = 1; next } skip { skip = 0; next }
         /^Base64: / { next }
         !on && /panicked at|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)/ { on = 1 }
         on && shown < 100 { print; shown++ }' "$log" >&2
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    if [ -n "$artifact" ] && [ -f "$artifact" ]; then
      minimized="$crashes/$t/minimized-$(basename "$artifact")"
      "$bin" -minimize_crash=1 -max_total_time=30 -timeout=10 -rss_limit_mb=2048 \
        -exact_artifact_path="$minimized" "$artifact" >"$tmp/$t.minimize.log" 2>&1 || true
      echo "---- $t: crashing input $artifact" >&2
      [ -f "$minimized" ] && echo "---- $t: minimized to $minimized ($(wc -c <"$minimized") bytes)" >&2
      echo "---- reproduce: FUZZ_LFS_STORE=... $bin $artifact" >&2
    fi
  fi
  echo "== $line"
  summary+=("$line")
done

echo "== fuzzing summary"
printf '  %s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "run.sh: ${failed[*]} crashed; inputs in $crashes" >&2
  exit 1
fi
