#!/bin/sh
# intercept-shim: v1
# Installed by `intercept install`; `intercept uninstall` removes it and restores what was
# here before. Do not edit: every install rewrites it.
#
# When this is a hook intercept checks, it runs `intercept hook <name>` first and stops the
# git command if a token is found or nothing could be checked (fail closed). Then it runs
# the hook that would have run without intercept, with the same arguments and input, and
# returns its status.
INTERCEPT_BIN=@BIN@
INTERCEPT_HOOK=@HOOK@
INTERCEPT_CHECK=@CHECK@
INTERCEPT_STDIN=@STDIN@
INTERCEPT_CHAIN=@CHAIN@

if [ "$INTERCEPT_STDIN" = 1 ]; then
  intercept_input=$(mktemp "${TMPDIR:-/tmp}/intercept-hook.XXXXXX") || {
    echo "intercept: cannot create a temporary file for the $INTERCEPT_HOOK hook's input, so nothing was checked and git was stopped. Bypass once with --no-verify." >&2
    exit 1
  }
  trap 'rm -f "$intercept_input"' EXIT
  cat > "$intercept_input"
fi

# The hook that runs next: the repository's own (hooks/ in its common git directory,
# found without starting git), or the one in the directory intercept replaced.
if [ "$INTERCEPT_CHAIN" = local ]; then
  intercept_git_dir=${GIT_DIR:-}
  if [ -z "$intercept_git_dir" ]; then
    if [ -d .git ]; then
      intercept_git_dir=.git
    elif [ -f .git ]; then
      IFS= read -r intercept_line < .git
      intercept_git_dir=${intercept_line#gitdir: }
    else
      intercept_git_dir=.
    fi
  fi
  intercept_common=$intercept_git_dir
  if [ -f "$intercept_git_dir/commondir" ]; then
    IFS= read -r intercept_common < "$intercept_git_dir/commondir"
    case $intercept_common in
      /*) ;;
      *) intercept_common=$intercept_git_dir/$intercept_common ;;
    esac
  fi
  intercept_next=$intercept_common/hooks/$INTERCEPT_HOOK
else
  intercept_next=$INTERCEPT_CHAIN/$INTERCEPT_HOOK
fi
intercept_next_runs=
if [ -f "$intercept_next" ] && [ -x "$intercept_next" ]; then
  intercept_next_runs=1
fi

if [ "$INTERCEPT_CHECK" = 1 ]; then
  if [ -x "$INTERCEPT_BIN" ]; then
    intercept_bin=$INTERCEPT_BIN
  elif command -v intercept >/dev/null 2>&1; then
    intercept_bin=intercept
  else
    echo "intercept: the $INTERCEPT_HOOK hook cannot check anything: $INTERCEPT_BIN is gone and intercept is not on PATH." >&2
    echo "intercept: git was stopped because nothing could be checked. Reinstall intercept (./install.sh), or remove its hooks (intercept uninstall --global, or git config --global --unset core.hooksPath). To go ahead once without checking: --no-verify (git commit --no-verify, git push --no-verify)." >&2
    exit 1
  fi
  if [ "$INTERCEPT_STDIN" = 1 ]; then
    "$intercept_bin" hook "$INTERCEPT_HOOK" "$@" < "$intercept_input" || exit $?
  elif [ -n "$intercept_next_runs" ]; then
    "$intercept_bin" hook "$INTERCEPT_HOOK" "$@" < /dev/null || exit $?
  else
    # Nothing runs after intercept: let it take this process's place (one fork less).
    exec "$intercept_bin" hook "$INTERCEPT_HOOK" "$@" < /dev/null
  fi
fi

if [ -n "$intercept_next_runs" ]; then
  if [ "$INTERCEPT_STDIN" = 1 ]; then
    "$intercept_next" "$@" < "$intercept_input"
    exit $?
  fi
  exec "$intercept_next" "$@"
fi
exit 0
