#!/usr/bin/env bash
# Other tools' bundles: the troubleshoot.sh bundles in ../shared/external-bundles (beside the
# project), and a `kubectl cluster-info dump` written by real kubectl from the collector tests'
# fake API server, as a directory and as a tarball.
# Usage: run-tests.sh FLUXDIAG
set -u
bin=${1:?usage: run-tests.sh FLUXDIAG}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
ext="$src/../shared/external-bundles"
tmp=$(mktemp -d)
srv_pid=""
cleanup() { [[ -n $srv_pid ]] && kill "$srv_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0 fail=0 skip=0
py=python3

# expect NAME REPORT.json PYTHON-EXPR-ON-r [message]
expect() {
	if "$py" -c "import json,sys; r=json.load(open(sys.argv[1])); f=r['findings']; \
rules={x['rule'] for x in f}; names={(x['rule'], (x['object'] or {}).get('name')) for x in f}; \
sys.exit(0 if ($3) else 1)" "$2"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1: $3"
	fi
}

analyze() { # out.json bundle
	"$bin" analyze --format json --fail-on none "$2" >"$1" 2>"$tmp/err"
	local rc=$?
	if [[ $rc != 0 ]]; then
		fail=$((fail + 1))
		echo "FAIL: analyze $2: exit $rc: $(head -3 "$tmp/err")"
		return 1
	fi
}

if [[ -f $ext/troubleshoot-k3s-v0.50.tar.gz ]]; then
	if analyze "$tmp/k3s.json" "$ext/troubleshoot-k3s-v0.50.tar.gz"; then
		expect k3s-format "$tmp/k3s.json" "r['bundle']['format'] == 'troubleshoot.sh'"
		expect k3s-objects "$tmp/k3s.json" "r['bundle']['objects'] >= 100 and r['bundle']['log_files'] >= 10"
		expect k3s-restarts "$tmp/k3s.json" "('K8S-POD-RESTARTING', 'coredns-b96499967-tncf4') in names and ('K8S-POD-RESTARTING', 'local-path-provisioner-7b7dc8d6f5-45btl') in names"
		expect k3s-no-flux-noise "$tmp/k3s.json" "not any(x.startswith(('SRC-', 'KS-', 'HR-', 'CTRL-')) for x in rules)"
		expect k3s-no-flux-verdict "$tmp/k3s.json" "'no Flux objects or controllers in the bundle' in r['coverage']['summary'] and all(c['verdict'] == 'unknown' and 'Flux is not installed, or the bundle was collected without them' in c['detail'] for c in r['coverage']['causes'] if c['category'] in ('controller', 'source', 'config'))"
		expect k3s-generic-rules-still-run "$tmp/k3s.json" "[c for c in r['coverage']['causes'] if c['category'] == 'apply'][0]['verdict'] == 'found'"
		expect k3s-links-skipped "$tmp/k3s.json" "any('link entries were skipped' in w for w in r['bundle']['warnings'])"
	fi
	if analyze "$tmp/base.json" "$ext/troubleshoot-baseline.tar.gz"; then
		expect baseline-format "$tmp/base.json" "r['bundle']['format'] == 'troubleshoot.sh'"
		expect baseline-objects "$tmp/base.json" "r['bundle']['objects'] >= 300"
		expect baseline-no-flux-verdict "$tmp/base.json" "r['coverage']['summary'].startswith('No cause found; no Flux objects or controllers in the bundle') and r['coverage']['unknown'] == 8"
	fi
else
	echo "SKIP: troubleshoot bundles ($ext not found)"
	skip=$((skip + 1))
fi

# kubectl cluster-info dump, from real kubectl
if command -v kubectl >/dev/null && command -v "$py" >/dev/null; then
	timeout 300 "$py" "$src/tests/collector/fake_apiserver.py" --scenario "$src/tests/collector/scenarios/main" \
		--port-file "$tmp/port" --request-log "$tmp/requests.log" >"$tmp/server.log" 2>&1 &
	srv_pid=$!
	for _ in $(seq 50); do [[ -s $tmp/port ]] && break; sleep 0.1; done
	port=$(cat "$tmp/port" 2>/dev/null)
	cat >"$tmp/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: "http://127.0.0.1:$port"}}]
contexts: [{name: fake, context: {cluster: fake, user: u}}]
users: [{name: u, user: {token: test}}]
current-context: fake
KC
	if HOME=$tmp timeout 120 kubectl --kubeconfig "$tmp/kubeconfig" cluster-info dump --all-namespaces \
		--output-directory "$tmp/cluster-dump" >"$tmp/dump.out" 2>&1; then
		pass=$((pass + 1))
		tar -czf "$tmp/cluster-dump.tar.gz" -C "$tmp" cluster-dump
		for form in cluster-dump cluster-dump.tar.gz; do
			if analyze "$tmp/$form.json" "$tmp/$form"; then
				expect "$form-format" "$tmp/$form.json" "r['bundle']['format'] == 'kubectl-cluster-info-dump'"
				expect "$form-read" "$tmp/$form.json" "r['bundle']['objects'] >= 10 and r['bundle']['log_files'] >= 5"
				expect "$form-controller-logs" "$tmp/$form.json" "'CTRL-LEADER-ELECTION-LOST' in rules or 'CTRL-RESTARTS' in rules"
			fi
		done
		cmp -s <("$py" -c "import json;print(sorted(x['rule'] for x in json.load(open('$tmp/cluster-dump.json'))['findings']))") \
			<("$py" -c "import json;print(sorted(x['rule'] for x in json.load(open('$tmp/cluster-dump.tar.gz.json'))['findings']))") &&
			pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: directory and tarball of the dump differ"; }
	else
		fail=$((fail + 1))
		echo "FAIL: kubectl cluster-info dump: $(tail -3 "$tmp/dump.out")"
	fi
else
	echo "SKIP: cluster-info dump (needs kubectl and python3)"
	skip=$((skip + 1))
fi

echo "$pass passed, $fail failed, $skip skipped"
[[ $fail == 0 ]]
