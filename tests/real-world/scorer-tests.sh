#!/bin/bash
# The scorer's own checks: corpus errors are located (exit 2), a score under its floor fails
# (exit 1), a right answer passes. Usage: scorer-tests.sh FLUXDIAG
set -u
fluxdiag=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
healthy=$here/../../sample-bundles/healthy-cluster
oom=$here/../../sample-bundles/controller-helm-oomkilled
fails=0

# mkcase ID BUNDLE: a case directory whose case.yaml is read from stdin
mkcase() {
	mkdir -p "$tmp/$1/cases/$1"
	cat >"$tmp/$1/cases/$1/case.yaml"
	ln -s "$(cd "$2" && pwd)" "$tmp/$1/cases/$1/bundle"
	echo '{"overall": {"category": 100, "root": 100}}' >"$tmp/$1/floor.json"
}
# expect ID STATUS TEXT: the scorer on that corpus exits STATUS and prints TEXT
expect() {
	python3 "$here/score.py" "$fluxdiag" --cases "$tmp/$1/cases" --floor "$tmp/$1/floor.json" \
		>"$tmp/out" 2>&1
	local rc=$?
	if [ "$rc" != "$2" ] || ! grep -qF -- "$3" "$tmp/out"; then
		echo "FAIL: $1: expected exit $2 and '$3', got exit $rc:"
		sed 's/^/  /' "$tmp/out"
		fails=$((fails + 1))
	fi
}

mkcase none-ok "$healthy" <<'Y'
source: https://example.org/report/1
summary: a healthy cluster
evidence: |
  nothing
expect: {category: none, root: none}
Y
expect none-ok 0 "overall"

mkcase none-noisy "$oom" <<'Y'
source: https://example.org/report/2
summary: declared healthy, but the controller is OOM-killed
evidence: |
  nothing
expect: {category: none, root: none}
Y
expect none-noisy 1 "overall category right 0.0% < floor 100.0%"

mkcase controller-wrong-root "$oom" <<'Y'
source: https://example.org/report/3
summary: the right category, another object
evidence: |
  nothing
expect: {category: controller, root: Deployment/flux-system/helm-controller}
Y
expect controller-wrong-root 1 "overall root right 0.0% < floor 100.0%"

mkcase controller-bad-yaml "$oom" <<'Y'
source: https://example.org/report/4
summary: [unclosed
Y
expect controller-bad-yaml 2 "controller-bad-yaml/case.yaml:3:1: not valid YAML"

mkcase controller-bad-category "$oom" <<'Y'
source: https://example.org/report/5
summary: s
evidence: e
expect: {category: crash, root: Pod/flux-system/x}
Y
expect controller-bad-category 2 "expect.category is 'crash', must be one of"

mkcase controller-root-absent "$oom" <<'Y'
source: https://example.org/report/6
summary: s
evidence: e
expect: {category: controller, root: Pod/flux-system/helm-controller-0000}
Y
expect controller-root-absent 2 "expected root Pod/flux-system/helm-controller-0000 is not an object in"

mkcase apply-wrong-prefix "$oom" <<'Y'
source: https://example.org/report/7
summary: s
evidence: e
expect: {category: controller, root: Deployment/flux-system/helm-controller}
Y
expect apply-wrong-prefix 2 "case id 'apply-wrong-prefix' must start with its category 'controller-'"

mkcase none-missing-source "$healthy" <<'Y'
summary: s
evidence: e
expect: {category: none, root: none}
Y
expect none-missing-source 2 "'source' is missing or empty"

# two cases from the same report (a comment anchor does not make it another report)
mkcase none-dup "$healthy" <<'Y'
source: https://example.org/report/8
summary: s
evidence: e
expect: {category: none, root: none}
Y
mkdir -p "$tmp/none-dup/cases/none-dup-2"
sed 's|report/8|report/8#issuecomment-1|' "$tmp/none-dup/cases/none-dup/case.yaml" >"$tmp/none-dup/cases/none-dup-2/case.yaml"
ln -s "$(cd "$healthy" && pwd)" "$tmp/none-dup/cases/none-dup-2/bundle"
expect none-dup 2 "is already the source of case none-dup (one case per report)"

if [ "$fails" = 0 ]; then echo "scorer tests passed"; fi
exit $((fails > 0))
