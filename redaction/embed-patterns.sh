#!/usr/bin/env bash
# Copies redaction/patterns.txt into collectors/fluxdiag-collect, between the lines
# "# BEGIN redaction/patterns.txt" and "# END redaction/patterns.txt" (the collector stays one
# self-contained script). With --check, changes nothing and exits 1 when the copy differs.
set -eu
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$ROOT/redaction/patterns.txt
SCRIPT=$ROOT/collectors/fluxdiag-collect
BEGIN_LINE='# BEGIN redaction/patterns.txt'
END_LINE='# END redaction/patterns.txt'

if grep -qx 'FLUXDIAG_PATTERNS' "$DATA"; then
	echo "$DATA: a line may not be FLUXDIAG_PATTERNS (it ends the embedded copy)" >&2
	exit 2
fi
if [ "$(grep -cxF "$BEGIN_LINE" "$SCRIPT")" != 1 ] || [ "$(grep -cxF "$END_LINE" "$SCRIPT")" != 1 ]; then
	echo "$SCRIPT: needs exactly one '$BEGIN_LINE' and one '$END_LINE' line" >&2
	exit 2
fi

tmp=$(mktemp "$SCRIPT.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
	awk -v l="$BEGIN_LINE" '{ print } $0 == l { exit }' "$SCRIPT"
	printf '%s\n' "read -r -d '' REDACTION_PATTERNS <<'FLUXDIAG_PATTERNS' || true"
	cat "$DATA"
	printf '%s\n' FLUXDIAG_PATTERNS
	awk -v l="$END_LINE" '$0 == l { p = 1 } p' "$SCRIPT"
} >"$tmp"

if [ "${1:-}" = --check ]; then
	if cmp -s "$tmp" "$SCRIPT"; then
		exit 0
	fi
	echo "collectors/fluxdiag-collect: the embedded redaction patterns differ from redaction/patterns.txt (run redaction/embed-patterns.sh):" >&2
	diff -u "$SCRIPT" "$tmp" >&2 || true
	exit 1
fi
cmp -s "$tmp" "$SCRIPT" && exit 0
chmod --reference="$SCRIPT" "$tmp"
mv -f -- "$tmp" "$SCRIPT"
echo "updated the redaction patterns in collectors/fluxdiag-collect"
