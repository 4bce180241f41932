# shellcheck shell=bash
# Shared by the command-line test scripts: a temp dir, pass/fail counters and two checks.
# The sourcing script sets `bin` first; it prints "$pass passed, $fail failed" at the end.
here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
src=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

check() { # name expected_status command...
	local name=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	if [[ $got == "$want" ]]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name: exit $got, want $want"
		sed 's/^/  stderr: /' "$tmp/err" | head -5
	fi
}

expect_grep() { # name pattern file
	if grep -qE -- "$2" "$3"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1: /$2/ not in $3:"
		head -5 "$3" | sed 's/^/  /'
	fi
}
