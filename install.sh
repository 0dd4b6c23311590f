#!/bin/sh
# Installs intercept for this user and protects every git repository of theirs:
# builds and installs the binary with cargo, then runs `intercept install --global`.
# Running it again rebuilds the binary and rewrites the same hooks; nothing else changes.
set -eu
cd "$(dirname "$0")"

if ! command -v cargo >/dev/null 2>&1; then
  echo "install.sh: cargo was not found. Install Rust (https://rustup.rs), then run ./install.sh again." >&2
  exit 1
fi
if ! command -v git >/dev/null 2>&1; then
  echo "install.sh: git was not found. Install git, then run ./install.sh again." >&2
  exit 1
fi

root=${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}
echo "install.sh: building intercept (release) and installing it into $root/bin ..."
cargo install --locked --quiet --force --path . --root "$root"
bin="$root/bin/intercept"
echo "install.sh: installed $bin ($("$bin" --version))"

"$bin" install --global

cat <<EOF_DONE

intercept now checks every 'git commit', 'git merge' and 'git push' in every repository
of this user: one that adds an Intercom access token is blocked, with what to do about it.
The repositories' own hooks keep running after intercept.

  intercept status             in a repository: which hooks will run there
  intercept scan .             scan files by hand
  intercept uninstall --global undo: remove the hooks, restore your previous git config
                               (then 'cargo uninstall intercept' removes the binary)
EOF_DONE

case ":$PATH:" in
  *":$root/bin:"*) ;;
  *) echo "note: $root/bin is not on your PATH; add it to use 'intercept' by hand (the hooks do not need it)." ;;
esac
