#!/usr/bin/env bash
# The manual page renders without a warning. Exit 77 (skipped) without groff.
# Usage: man-check.sh PATH/TO/fluxdiag.1
set -u
page=${1:?usage: man-check.sh FLUXDIAG.1}
if ! command -v groff >/dev/null 2>&1; then
	echo "skipped: groff is not installed"
	exit 77
fi
warnings=$(LC_ALL=C groff -man -Tutf8 -ww -z "$page" 2>&1)
if [[ -n $warnings ]]; then
	echo "FAIL: groff warnings for $page:"
	sed 's/^/  /' <<<"$warnings"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! command -v col >/dev/null 2>&1; then
	echo "FAIL: col is not installed (Debian package bsdextrautils; scripts/test.sh installs it)"
	echo "0 passed, 1 failed"
	exit 1
fi
text=$(LC_ALL=C groff -man -Tutf8 "$page" 2>/dev/null | col -b)
fail=0
for cmd in analyze 'rules list' 'rules lint' 'rules test' get describe logs events trace \
	FLUXDIAG_RULES_DIR NO_COLOR 'EXIT STATUS'; do
	if ! grep -q -- "$cmd" <<<"$text"; then
		echo "FAIL: '$cmd' is not in the manual page"
		fail=$((fail + 1))
	fi
done
echo "$((12 - fail)) passed, $fail failed"
[[ $fail == 0 ]]
