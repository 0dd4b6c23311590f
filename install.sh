#!/bin/sh
# Installs intercept for this user: builds the binary and installs it with cargo.
# Running it again rebuilds and reinstalls; it changes nothing else.
set -eu
cd "$(dirname "$0")"

if ! command -v cargo >/dev/null 2>&1; then
  echo "install.sh: cargo was not found. Install Rust (https://rustup.rs), then run ./install.sh again." >&2
  exit 1
fi

root=${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}
echo "install.sh: building intercept (release) and installing it into $root/bin ..."
cargo install --locked --quiet --force --path . --root "$root"
bin="$root/bin/intercept"
echo "install.sh: installed $bin ($("$bin" --version))"

case ":$PATH:" in
  *":$root/bin:"*) ;;
  *) echo "install.sh: note: $root/bin is not on your PATH; add it, e.g. export PATH=\"$root/bin:\$PATH\"" ;;
esac
echo "install.sh: try it: intercept scan ."
