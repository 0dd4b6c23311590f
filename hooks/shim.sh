#!/bin/sh
# intercept-shim: v3
# Written by intercept (`intercept install`, `intercept doctor --fix`); `intercept uninstall`
# removes it. Do not edit: every install rewrites it.
#
# For a hook intercept checks: runs `intercept hook --shim <name>` and stops git unless
# intercept answers that it checked and found nothing (exit 3). Any other answer blocks:
# 1 a token, 2 could not check, 0 or anything else a binary that is not intercept (an empty
# or truncated file, a program put in its place). Then it runs the hook that would have
# run without intercept, if any, with the same arguments and input. Nothing is written to
# disk: git's input is kept in a variable when two programs need it.
INTERCEPT_BIN=@BIN@
INTERCEPT_HOOK=@HOOK@
INTERCEPT_CHECK=@CHECK@
INTERCEPT_STDIN=@STDIN@
INTERCEPT_CHAIN=@CHAIN@
INTERCEPT_VIA=@VIA@
INTERCEPT_LFS=@LFS@
INTERCEPT_COMMON=@COMMON@

# The hook that runs next: none, the repository's own (hooks/ in its common git directory,
# found without starting git), or the one in the directory this shim stands in front of.
intercept_next=
intercept_common=$INTERCEPT_COMMON
case $INTERCEPT_CHAIN in
  none) ;;
  local)
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
    ;;
  *) intercept_next=$INTERCEPT_CHAIN/$INTERCEPT_HOOK ;;
esac
if [ -n "$intercept_next" ] && ! { [ -f "$intercept_next" ] && [ -x "$intercept_next" ]; }; then
  intercept_next=
fi
# git-lfs cannot write its hooks into a hooks directory that is intercept's, so for a
# repository that stores LFS objects and has no hook of this name, run git-lfs's here.
if [ -z "$intercept_next" ] && [ "$INTERCEPT_LFS" = 1 ] && [ -n "$intercept_common" ] &&
   [ -d "$intercept_common/lfs" ] && command -v git-lfs >/dev/null 2>&1; then
  intercept_next=git-lfs
fi
intercept_run_next() {
  if [ "$intercept_next" = git-lfs ]; then
    git lfs "$INTERCEPT_HOOK" "$@"
  else
    "$intercept_next" "$@"
  fi
}

# A hook intercept does not check: hand over, or nothing to do (one sh start, no more).
if [ "$INTERCEPT_CHECK" != 1 ]; then
  [ "$intercept_next" = git-lfs ] && exec git lfs "$INTERCEPT_HOOK" "$@"
  [ -n "$intercept_next" ] && exec "$intercept_next" "$@"
  exit 0
fi

intercept_stop() {
  echo "intercept: $1" >&2
  echo "intercept: git was stopped because nothing could be checked. Reinstall intercept (./install.sh) or run \`intercept doctor --fix\`; to remove it: intercept uninstall --global. To go ahead once without checking: --no-verify (git commit --no-verify, git push --no-verify)." >&2
  exit 1
}

intercept_bin=$INTERCEPT_BIN
if ! { [ -f "$intercept_bin" ] && [ -x "$intercept_bin" ]; }; then
  intercept_bin=$(command -v intercept 2>/dev/null) ||
    intercept_stop "the $INTERCEPT_HOOK hook cannot check anything: $INTERCEPT_BIN is gone and intercept is not on PATH."
fi
# What the binary is told: which mechanism ran it, from where, for which git command.
INTERCEPT_GIT_PID=$PPID
INTERCEPT_SHIM=$0
export INTERCEPT_VIA INTERCEPT_GIT_PID INTERCEPT_SHIM

if [ "$INTERCEPT_STDIN" = 1 ] && [ -n "$intercept_next" ]; then
  # Both intercept and the next hook read git's input: keep it in memory, not on disk.
  intercept_input=$(cat) ||
    intercept_stop "cannot read the $INTERCEPT_HOOK hook's input."
  intercept_feed() {
    [ -z "$intercept_input" ] || printf '%s\n' "$intercept_input"
  }
  intercept_feed | "$intercept_bin" hook --shim "$INTERCEPT_HOOK" "$@"
  intercept_rc=$?
elif [ "$INTERCEPT_STDIN" = 1 ]; then
  "$intercept_bin" hook --shim "$INTERCEPT_HOOK" "$@"
  intercept_rc=$?
else
  "$intercept_bin" hook --shim "$INTERCEPT_HOOK" "$@" < /dev/null
  intercept_rc=$?
fi
case $intercept_rc in
  3) ;;
  1|2) exit "$intercept_rc" ;;
  0) intercept_stop "$intercept_bin did not check anything: it exited 0 without intercept's answer, so it is not intercept or it is broken (an empty or truncated file)." ;;
  *) intercept_stop "$intercept_bin failed to run (exit $intercept_rc)." ;;
esac

if [ -n "$intercept_next" ]; then
  if [ "$INTERCEPT_STDIN" = 1 ]; then
    intercept_feed | intercept_run_next "$@"
    exit $?
  fi
  intercept_run_next "$@"
  exit $?
fi
exit 0
