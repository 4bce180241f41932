#!/usr/bin/env bash
# The browsing commands (get, describe, logs, events, trace): exit statuses and a few outputs.
# Usage: browse-tests.sh PATH/TO/fluxdiag
set -u
bin=${1:?usage: browse-tests.sh FLUXDIAG}
# shellcheck source=tests/cli/lib.sh
source "$(dirname "$0")/lib.sh"
git_auth=$src/sample-bundles/source-git-auth
oom=$src/sample-bundles/controller-helm-oomkilled
ts=$src/../shared/external-bundles/troubleshoot-k3s-v0.50.tar.gz

expect_lines() { # name count file
	local n
	n=$(wc -l <"$3")
	if [[ $n == "$2" ]]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1: $n lines in $3, want $2"
	fi
}

# get
check get-ks 0 "$bin" get ks "$git_auth"
expect_grep get-ks-head '^NAME +READY +SUSPENDED +AGE +STATUS$' "$tmp/out"
expect_grep get-ks-apps '^apps +False +False +35m +Source artifact not found' "$tmp/out"
check get-ks-plural-case 0 "$bin" get Kustomizations "$git_auth"
check get-ks-group 0 "$bin" get kustomizations.kustomize.toolkit.fluxcd.io "$git_auth"
check get-gitrepo-A 0 "$bin" get gitrepo -A "$git_auth"
expect_grep get-gitrepo-A-ns '^flux-system +podinfo +False' "$tmp/out"
check get-by-name 0 "$bin" get gitrepositories podinfo "$git_auth"
expect_lines get-by-name-rows 2 "$tmp/out"
check get-by-slash 0 "$bin" get gitrepo/podinfo "$git_auth"
check get-missing-name 1 "$bin" get gitrepo nope "$git_auth"
expect_grep get-missing-msg '^fluxdiag: GitRepository flux-system/nope not found' "$tmp/err"
check get-empty 0 "$bin" get hr "$git_auth"
expect_grep get-empty-msg '^No resources found in flux-system namespace\.$' "$tmp/err"
check get-pods 0 "$bin" get po "$oom"
expect_grep get-pods-crash '^helm-controller-5d9c8b7f6-r7t4w +0/1 +CrashLoopBackOff +7 ' "$tmp/out"
check get-nodes 0 "$bin" get nodes "$git_auth"
expect_grep get-nodes-head '^NAME +STATUS +ROLES +AGE +VERSION$' "$tmp/out"
check get-unknown-kind 2 "$bin" get frobnicators "$git_auth"
check get-no-bundle 2 "$bin" get ks
check get-missing-bundle 2 "$bin" get ks "$tmp/nope.tar.gz"
expect_grep get-missing-bundle-msg "cannot open bundle" "$tmp/err"
check get-n-and-A 2 "$bin" get ks -n x -A "$git_auth"
check get-bad-option 2 "$bin" get ks --frob "$git_auth"
check get-help 0 "$bin" get --help

# archives and standard input
tar -C "$src/sample-bundles" -czf "$tmp/oom.tar.gz" controller-helm-oomkilled
check get-archive 0 "$bin" get deploy "$tmp/oom.tar.gz"
expect_grep get-archive-deploy '^helm-controller +0/1 ' "$tmp/out"
check get-stdin 0 sh -c "\"$bin\" get ks - <\"$tmp/oom.tar.gz\""

# describe
check describe 0 "$bin" describe gitrepo/podinfo "$git_auth"
expect_grep describe-name '^Name: +podinfo$' "$tmp/out"
expect_grep describe-cond '^    Ready +False +GitOperationFailed' "$tmp/out"
expect_grep describe-event '^  60s \(x9 over 33m\) +Warning +GitOperationFailed' "$tmp/out"
check describe-pair 0 "$bin" describe ks apps "$git_auth"
check describe-missing 1 "$bin" describe ks/nope "$git_auth"
expect_lines describe-missing-one-line 1 "$tmp/err"
check describe-bad-ref 2 "$bin" describe ks "$git_auth"

# events
check events 0 "$bin" events "$git_auth"
expect_grep events-head '^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$' "$tmp/out"
check events-for 0 "$bin" events --for gitrepo/podinfo "$git_auth"
expect_lines events-for-rows 2 "$tmp/out"
check events-A 0 "$bin" events -A "$git_auth"
expect_grep events-A-head '^NAMESPACE +LAST SEEN' "$tmp/out"
check events-bad-for 2 "$bin" events --for podinfo "$git_auth"

# trace
check trace 0 "$bin" trace ks/apps "$git_auth"
expect_grep trace-root '^Kustomization flux-system/apps  Ready=False ArtifactFailed' "$tmp/out"
expect_grep trace-source '^├── GitRepository flux-system/podinfo  Ready=False' "$tmp/out"
expect_grep trace-ctrl 'controller source-controller  1/1 pods ready, 0 restarts' "$tmp/out"
check trace-missing 1 "$bin" trace hr/nope "$git_auth"

# logs
check logs-previous 0 "$bin" logs helm-controller --previous "$oom"
expect_lines logs-previous-lines 10 "$tmp/out"
check logs-grep 0 "$bin" logs helm-controller -p --grep 'Starting workers' "$oom"
expect_lines logs-grep-lines 1 "$tmp/out"
check logs-stdin 0 sh -c "\"$bin\" logs helm-controller -p - <\"$tmp/oom.tar.gz\""
expect_lines logs-stdin-lines 10 "$tmp/out"
check logs-missing-pod 1 "$bin" logs nope "$oom"
expect_grep logs-missing-msg '^fluxdiag: pod flux-system/nope not found in the bundle$' "$tmp/err"
check logs-missing-container 1 "$bin" logs helm-controller -c sidecar "$oom"
check logs-bad-regex 2 "$bin" logs helm-controller --grep '(' "$oom"
check logs-option-elsewhere 2 "$bin" get ks --previous "$oom"

# a log with terminal escapes is printed escaped
mkdir -p "$tmp/evil/logs/flux-system/source-controller-1"
printf '{"format":"fluxdiag-bundle/v1","collected_at":"2026-11-20T09:14:03Z","commands":[]}' \
	>"$tmp/evil/manifest.json"
printf 'ok\n\033]0;owned\007\033[2J\n' >"$tmp/evil/logs/flux-system/source-controller-1/manager.log"
check logs-escape 0 "$bin" logs source-controller "$tmp/evil"
if LC_ALL=C grep -q $'[\001-\010\013-\037\177]' "$tmp/out"; then
	fail=$((fail + 1))
	echo "FAIL: logs-escape: raw control characters in the output"
else
	pass=$((pass + 1))
fi
expect_grep logs-escape-text '^\\x1b\]0;owned\\x07\\x1b\[2J$' "$tmp/out"

# the troubleshoot.sh bundle, when it is there
if [[ -r $ts ]]; then
	check ts-pods 0 "$bin" get pods -n default "$ts"
	expect_grep ts-pods-nginx '^nginx-deployment-7986654d4-ztx2g +2/2 +Running' "$tmp/out"
	check ts-logs 0 "$bin" logs nginx-deployment -n default -c hello -p "$ts"
	expect_grep ts-logs-text '^Hello from k3s' "$tmp/out"
	check ts-logs-default 0 "$bin" logs nginx-deployment-7986654d4-ztx2g -n default "$ts"
	expect_grep ts-logs-note '^Defaulted container "nginx" out of: nginx, hello$' "$tmp/err"
else
	echo "skipped: $ts not present"
fi

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
