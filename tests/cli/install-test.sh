#!/usr/bin/env bash
# `cmake --install` puts the binary, the rules, the collector, the man page, the bash completion
# and the kubectl plugin link in place, and the installed binary finds its rules.
# Usage: install-test.sh BUILD_DIR
set -u
build=${1:?usage: install-test.sh BUILD_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { if "$@" >/dev/null 2>&1; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*"; fi; }
cmake --install "$build" --prefix "$tmp/usr" >/dev/null || { echo "FAIL: cmake --install"; echo "0 passed, 1 failed"; exit 1; }
ok test -x "$tmp/usr/bin/fluxdiag"
ok test -x "$tmp/usr/bin/fluxdiag-collect"
ok test -L "$tmp/usr/bin/kubectl-fluxdiag"
ok test -f "$tmp/usr/share/fluxdiag/rules/source.yaml"
ok test -f "$tmp/usr/share/man/man1/fluxdiag.1"
ok test -f "$tmp/usr/share/bash-completion/completions/fluxdiag"
# the installed binary uses the installed rules, also when called as a kubectl plugin
n=$(env -u FLUXDIAG_RULES_DIR "$tmp/usr/bin/kubectl-fluxdiag" rules list 2>/dev/null | wc -l)
ok test "$n" -gt 100
echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
