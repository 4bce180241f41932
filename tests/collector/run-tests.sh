#!/usr/bin/env bash
# Tests of collectors/fluxdiag-collect against a fake Kubernetes API server (real kubectl).
# Needs kubectl, python3, tar, gzip; shellcheck is used when installed.
# Optional: FLUXDIAG=/path/to/fluxdiag runs the analyzer on the main bundle.
# The last line of output is "N passed, M failed".

set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COLLECT=$ROOT/collectors/fluxdiag-collect
PY=${PYTHON:-python3}

PASSED=0
FAILED=0
SKIPPED=0
pass() {
	PASSED=$((PASSED + 1))
	printf 'PASS: %s\n' "$1"
}
fail() {
	FAILED=$((FAILED + 1))
	printf 'FAIL: %s\n' "$1"
}
skip() {
	SKIPPED=$((SKIPPED + 1))
	printf 'SKIP: %s\n' "$1"
}
finish() {
	[ "$SKIPPED" -gt 0 ] && printf '%d skipped\n' "$SKIPPED"
	printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
	[ "$FAILED" -eq 0 ]
	exit
}

for tool in kubectl "$PY" tar gzip timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "required tool $tool is not installed"
		finish
	fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/fluxdiag-collector-tests.XXXXXX")
SERVER_PIDS=()
# shellcheck disable=SC2317 # called from a trap
cleanup() {
	local p
	for p in "${SERVER_PIDS[@]+"${SERVER_PIDS[@]}"}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# kubectl keeps its discovery cache under $HOME
export HOME=$T/home
mkdir -p "$HOME"
unset KUBECONFIG

# start_server NAME BEHAVIOR_JSON: starts a fake API server, writes $T/NAME/kubeconfig
start_server() {
	local name=$1 behavior=$2 d=$T/$1 port
	mkdir -p "$d"
	timeout 300 "$PY" "$HERE/fake_apiserver.py" --scenario "$HERE/scenarios/main" \
		--port-file "$d/port" --request-log "$d/requests.log" --behavior "$behavior" \
		>"$d/server.out" 2>&1 &
	SERVER_PIDS+=($!)
	for _ in $(seq 1 100); do
		[ -s "$d/port" ] && break
		sleep 0.1
	done
	port=$(cat "$d/port" 2>/dev/null)
	if [ -z "$port" ]; then
		echo "fake API server $name did not start:" >&2
		cat "$d/server.out" >&2
		return 1
	fi
	write_kubeconfig "$d/kubeconfig" "$port"
}

write_kubeconfig() {
	cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: http://127.0.0.1:$2
contexts:
- name: fake-cluster
  context:
    cluster: fake
    user: fake
current-context: fake-cluster
users:
- name: fake
  user:
    token: not-a-real-token
EOF
}

# collect NAME ARGS...: runs the collector in the background; result in $T/NAME/{rc,stderr,bundle.tar.gz}
collect() {
	local name=$1 d=$T/$1
	shift
	mkdir -p "$d"
	(
		start=$(date +%s)
		timeout 100 "$COLLECT" -o "$d/bundle.tar.gz" "$@" >"$d/stdout" 2>"$d/stderr"
		echo $? >"$d/rc"
		echo $(($(date +%s) - start)) >"$d/seconds"
	) &
}

# --- static checks --------------------------------------------------------------------------

if command -v shellcheck >/dev/null 2>&1; then
	if out=$(shellcheck "$COLLECT" "$HERE/run-tests.sh" 2>&1); then
		pass "shellcheck"
	else
		printf '%s\n' "$out"
		fail "shellcheck"
	fi
else
	skip "shellcheck (not installed)"
fi

if "$COLLECT" --help | grep -q '^Usage: fluxdiag-collect'; then pass "--help"; else fail "--help"; fi
if "$COLLECT" --version | grep -Eq '^fluxdiag-collect [0-9]+\.[0-9]+\.[0-9]+$'; then
	pass "--version"
else
	fail "--version"
fi
"$COLLECT" --no-such-option >/dev/null 2>&1
if [ $? -eq 2 ]; then pass "unknown option exits 2"; else fail "unknown option exits 2"; fi
"$COLLECT" --timeout 5x >/dev/null 2>&1
if [ $? -eq 2 ]; then pass "invalid duration exits 2"; else fail "invalid duration exits 2"; fi

# --- scenarios, collected in parallel -------------------------------------------------------

start_server main '{}' || {
	fail "fake API server starts"
	finish
}
start_server forbidden '{"forbidden": ["secrets"]}' || fail "fake API server starts"
start_server missing-crd '{"absent_groups": ["image.toolkit.fluxcd.io", "fluxcd.controlplane.io"]}' || fail "fake API server starts"
start_server server-error '{"errors": {"helmreleases": 500}, "etcd_down": true}' || fail "fake API server starts"
start_server slow '{"delays": {"kustomizations": 5}}' || fail "fake API server starts"
start_server deadline '{"delays": {"gitrepositories": 60, "ocirepositories": 60}}' || fail "fake API server starts"
start_server namespaces '{}' || fail "fake API server starts"

# a closed port: bind one, note it, let it go
mkdir -p "$T/unreachable"
CLOSED=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
write_kubeconfig "$T/unreachable/kubeconfig" "$CLOSED"

collect main --kubeconfig "$T/main/kubeconfig" --max-log-bytes 1Mi
collect forbidden --kubeconfig "$T/forbidden/kubeconfig" -q
collect missing-crd --kubeconfig "$T/missing-crd/kubeconfig" -q
collect server-error --kubeconfig "$T/server-error/kubeconfig" -q --redact 'stefan[a-z]+'
collect slow --kubeconfig "$T/slow/kubeconfig" -q --request-timeout 2s
collect deadline --kubeconfig "$T/deadline/kubeconfig" -q --request-timeout 60s --timeout 8s
collect namespaces --kubeconfig "$T/namespaces/kubeconfig" -q --namespace apps
collect unreachable --kubeconfig "$T/unreachable/kubeconfig" -q --timeout 20s
wait_collectors() {
	for _ in $(seq 1 1100); do
		local all=1 c
		for c in main forbidden missing-crd server-error slow deadline namespaces unreachable; do
			[ -f "$T/$c/seconds" ] || all=0
		done
		[ "$all" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}
wait_collectors || fail "collectors finished in time"

for c in main forbidden missing-crd server-error slow deadline namespaces unreachable; do
	d=$T/$c
	rc=$(cat "$d/rc" 2>/dev/null || echo none)
	if [ "$rc" = 0 ] && [ -s "$d/bundle.tar.gz" ]; then
		pass "$c: exit 0 and a bundle written ($(cat "$d/seconds")s)"
	else
		fail "$c: exit 0 and a bundle written (rc=$rc)"
		sed 's/^/    /' "$d/stderr" | tail -20
		continue
	fi
	if grep -Eq '^fluxdiag-collect: wrote .*: [0-9]+ steps, [0-9]+ failed' "$d/stderr"; then
		pass "$c: final line tells how many steps failed"
	else
		fail "$c: final line tells how many steps failed"
	fi
	reqlog=()
	[ -f "$d/requests.log" ] && reqlog=("$d/requests.log")
	while IFS= read -r line; do
		case $line in
		PASS:*) pass "${line#PASS: }" ;;
		FAIL:*) fail "${line#FAIL: }" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done < <("$PY" "$HERE/check_bundle.py" "$c" "$d/bundle.tar.gz" "${reqlog[@]+"${reqlog[@]}"}" 2>&1 || echo "FAIL: $c: check_bundle.py crashed")
done

if grep -q '^fluxdiag-collect: \[ *1\] kubectl config current-context: ok ([0-9]* ms)$' "$T/main/stderr"; then
	pass "main: progress lines with durations on stderr"
else
	fail "main: progress lines with durations on stderr"
fi
if [ "$(grep -c '^fluxdiag-collect:' "$T/forbidden/stderr")" = 1 ]; then
	pass "forbidden: -q prints only the final line"
else
	fail "forbidden: -q prints only the final line"
fi
s=$(cat "$T/deadline/seconds" 2>/dev/null || echo 999)
if [ "$s" -le 14 ]; then pass "deadline: run bounded by --timeout 8s (${s}s)"; else fail "deadline: run bounded by --timeout 8s (${s}s)"; fi
s=$(cat "$T/unreachable/seconds" 2>/dev/null || echo 999)
if [ "$s" -le 26 ]; then pass "unreachable: run bounded by --timeout 20s (${s}s)"; else fail "unreachable: run bounded (${s}s)"; fi

# --- interrupted by SIGTERM: no bundle, no temporary files, no kubectl left behind -------------

if start_server sigterm '{"delays": {"gitrepositories": 30}}'; then
	mkdir -p "$T/sigterm/tmp"
	TMPDIR=$T/sigterm/tmp "$COLLECT" -q --kubeconfig "$T/sigterm/kubeconfig" -o "$T/sigterm/bundle.tar.gz" 2>"$T/sigterm/stderr" &
	cpid=$!
	for _ in $(seq 1 100); do
		grep -q '"/apis/source.toolkit.fluxcd.io/v1/gitrepositories' "$T/sigterm/requests.log" 2>/dev/null && break
		sleep 0.1
	done
	kill -TERM "$cpid"
	t0=$(date +%s)
	wait "$cpid"
	rc=$?
	dt=$(($(date +%s) - t0))
	if [ "$rc" = 143 ] && [ "$dt" -le 3 ] && [ ! -e "$T/sigterm/bundle.tar.gz" ] &&
		[ -z "$(ls -A "$T/sigterm/tmp")" ] && ! ls "$T/sigterm"/bundle.tar.gz.partial.* >/dev/null 2>&1; then
		pass "sigterm: stops at once (rc $rc, ${dt}s), leaves no bundle and no temporary files"
	else
		fail "sigterm: stops at once (rc $rc, ${dt}s), leaves no bundle and no temporary files"
	fi
else
	fail "fake API server starts"
fi

# --- the analyzer on the main bundle --------------------------------------------------------

if [ -n "${FLUXDIAG:-}" ] && [ -x "${FLUXDIAG}" ] && [ -s "$T/main/bundle.tar.gz" ]; then
	timeout 60 "$FLUXDIAG" analyze --format json "$T/main/bundle.tar.gz" >"$T/report.json" 2>"$T/report.err"
	if "$PY" - "$T/report.json" <<'EOF'; then
import json, sys
r = json.load(open(sys.argv[1]))
byid = {f["id"]: f for f in r.get("findings", [])}
rc = r.get("root_causes", [])
f = byid.get(rc[0]) if rc else None
ok = (f is not None and f.get("rule") == "SRC-GIT-AUTH"
      and f.get("object", {}).get("kind") == "GitRepository"
      and f.get("object", {}).get("namespace") == "flux-system"
      and f.get("object", {}).get("name") == "podinfo")
if not ok:
    print("root_causes:", rc, "first finding:", f)
sys.exit(0 if ok else 1)
EOF
		pass "analyzer: root cause of the main bundle is SRC-GIT-AUTH on GitRepository flux-system/podinfo"
	else
		sed 's/^/    /' "$T/report.err" | tail -5
		fail "analyzer: root cause of the main bundle is SRC-GIT-AUTH on GitRepository flux-system/podinfo"
	fi
else
	skip "analyzer check (set FLUXDIAG to the fluxdiag binary)"
fi

finish
