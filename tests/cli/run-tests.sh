#!/usr/bin/env bash
# CLI behaviour: exit statuses, located rule errors, one-line bundle errors, formats.
# Usage: run-tests.sh PATH/TO/fluxdiag
set -u
bin=${1:?usage: run-tests.sh FLUXDIAG}
# shellcheck source=tests/cli/lib.sh
source "$(dirname "$0")/lib.sh"

check version 0 "$bin" --version
expect_grep version-text '^fluxdiag [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/out"
check help 0 "$bin" --help
expect_grep help-text 'fluxdiag analyze' "$tmp/out"
check no-command 2 "$bin"
check unknown-command 2 "$bin" frobnicate
check bad-format 2 "$bin" analyze --format yaml "$src/sample-bundles"
check missing-bundle 2 "$bin" analyze "$tmp/nope.tar.gz"
expect_grep missing-bundle-msg "^fluxdiag: $tmp/nope.tar.gz: cannot open bundle" "$tmp/err"

printf 'just some text, not an archive\n' >"$tmp/junk.tar.gz"
check not-an-archive 2 "$bin" analyze "$tmp/junk.tar.gz"
expect_grep not-an-archive-msg "junk.tar.gz: (not a readable bundle|cannot open bundle)" "$tmp/err"
[[ $(wc -l <"$tmp/err") == 1 ]] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: not-an-archive: more than one line"; }

# unrelated files in a tarball: not a support bundle, one line, exit 2
mkdir -p "$tmp/notes/docs"
printf '# Holiday photos\n' >"$tmp/notes/README.md"
printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00' >"$tmp/notes/docs/beach.jpg"
printf 'title: holidays\nyear: 2026\n' >"$tmp/notes/docs/config.yaml"
tar -czf "$tmp/notes.tar.gz" -C "$tmp" notes
check not-a-bundle 2 "$bin" analyze "$tmp/notes.tar.gz"
expect_grep not-a-bundle-msg "^fluxdiag: $tmp/notes.tar.gz: not a support bundle: 3 files read, none is a Kubernetes object or a pod log$" "$tmp/err"
[[ $(wc -l <"$tmp/err") == 1 && ! -s "$tmp/out" ]] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: not-a-bundle: one line on stderr, nothing on stdout"; }
check not-a-bundle-dir 2 "$bin" analyze -f json "$tmp/notes"

mkdir -p "$tmp/badrules"
cat >"$tmp/badrules/source.yaml" <<'YAML'
rules:
  - id: X-RESTARTS
    title: restarts
    severity: warning
    category: controller
    message: m
    fix: [f]
    why: w
    match:
      resource:
        kind: Pod
        where:
          path: status.containerStatuses[*].restartCount
          gt: 3
YAML
check bad-rules-analyze 3 "$bin" analyze --rules "$tmp/badrules" "$src/sample-bundles"
expect_grep bad-rules-located "badrules/source.yaml:14:11: unknown operator 'gt'" "$tmp/err"
check bad-rules-lint 3 "$bin" rules lint "$tmp/badrules"
expect_grep bad-rules-caret '^ +\^$' "$tmp/err"
# a failed write is one line and exit status 2, in every format and command
if [[ -w /dev/full ]]; then
	for f in text markdown json sarif junit html; do
		check "write-error-$f" 2 sh -c '"$1" analyze --format "$2" "$3" >/dev/full' sh "$bin" "$f" \
			"$src/sample-bundles/source-git-auth"
		expect_grep "write-error-$f-msg" '^fluxdiag: cannot write the report to standard output: No space left on device$' "$tmp/err"
		[[ $(wc -l <"$tmp/err") == 1 ]] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: write-error-$f: not one line"; }
	done
	check write-error-output-file 2 "$bin" analyze -o /dev/full "$src/sample-bundles/source-git-auth"
	expect_grep write-error-output-file-msg '^fluxdiag: cannot write the report to /dev/full: ' "$tmp/err"
	check write-error-rules-list 2 sh -c '"$1" rules list >/dev/full' sh "$bin"
	expect_grep write-error-rules-list-msg '^fluxdiag: cannot write to standard output: ' "$tmp/err"
	check write-error-help 2 sh -c '"$1" --help >/dev/full' sh "$bin"
	check write-error-get 2 sh -c '"$1" get gitrepositories "$2" >/dev/full' sh "$bin" \
		"$src/sample-bundles/source-git-auth"
	[[ $(wc -l <"$tmp/err") == 1 ]] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: write-error-get: not one line"; }
fi
check lint-shipped 0 "$bin" rules lint "$src/rules"
[[ ! -s $tmp/err ]] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: lint-shipped warns:"; head -3 "$tmp/err"; }
# nested quantifiers: a located warning from lint, the rule still loads; possessive is quiet
mkdir -p "$tmp/slowrules"
printf 'rules:\n  - id: X-SLOW\n    title: t\n    severity: warning\n    category: source\n    match: {log: {pattern: %s}}\n    message: m\n    fix: [f]\n    why: w\n' \
	"'error (\\w+\\s*)+ failed'" >"$tmp/slowrules/slow.yaml"
check lint-nested-quantifier 0 "$bin" rules lint "$tmp/slowrules"
expect_grep lint-nested-quantifier-msg 'slow.yaml:6:35: warning: nested quantifiers' "$tmp/err"
expect_grep lint-nested-quantifier-ok '1 rules OK' "$tmp/out"
sed -i 's/\\s\*)+/\\s*)++/' "$tmp/slowrules/slow.yaml"
check lint-possessive 0 "$bin" rules lint "$tmp/slowrules"
[[ ! -s $tmp/err ]] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: lint-possessive warns:"; head -3 "$tmp/err"; }
check rules-list 0 "$bin" rules list
check rules-list-md 0 "$bin" rules list --format markdown
expect_grep rules-list-md-head '^# fluxdiag rule catalog' "$tmp/out"

# a tiny bundle from stdin, and the fail-on threshold
mkdir -p "$tmp/b/resources"
cat >"$tmp/b/manifest.json" <<'JSON'
{"format":"fluxdiag-bundle/v1","collected_at":"2026-11-20T09:14:03Z","collector":{"name":"t","version":"0"},"commands":[]}
JSON
cat >"$tmp/b/resources/ks.yaml" <<'YAML'
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec: {interval: 10m, path: ./apps, sourceRef: {kind: GitRepository, name: flux-system}}
status:
  conditions:
  - type: Ready
    status: "False"
    reason: BuildFailed
    message: "kustomize build failed: accumulating resources: accumulation err='accumulating resources from './podinfo': open /tmp/kustomization-1/apps/podinfo: no such file or directory'"
    lastTransitionTime: "2026-11-20T09:00:00Z"
YAML
tar -czf "$tmp/b.tar.gz" -C "$tmp" b
check stdin-json 1 sh -c "'$bin' analyze --format json - < '$tmp/b.tar.gz'"
expect_grep stdin-schema '"schema": "fluxdiag.report/v1"' "$tmp/out"
for z in zstd xz bzip2; do
	if command -v "$z" >/dev/null; then
		tar -cf - -C "$tmp" b | "$z" -c >"$tmp/b.tar.$z"
		check "compressed-$z" 1 "$bin" analyze "$tmp/b.tar.$z"
		expect_grep "compressed-$z-format" 'fluxdiag-bundle/v1' "$tmp/out"
	fi
done
(cd "$tmp" && zip -qr b.zip b) 2>/dev/null && { check zip 1 "$bin" analyze "$tmp/b.zip"; }
check fail-on-critical 0 "$bin" analyze --fail-on critical "$tmp/b.tar.gz"
check fail-on-none 0 "$bin" analyze --fail-on none "$tmp/b"
# a cause that cannot be told: exit 0 by default, 1 with --fail-on unknown; the text says what
# holds at the top
check coverage-unknown-default 0 "$bin" analyze "$src/sample-bundles/healthy-cluster"
expect_grep coverage-text-summary '^1 root cause; 1 of 8 causes could not be checked: backlog$' "$tmp/out"
expect_grep coverage-text-line '^  backlog +cannot tell +no Flux controller metrics in the bundle$' "$tmp/out"
check fail-on-unknown 1 "$bin" analyze --fail-on unknown "$src/sample-bundles/healthy-cluster"
check fail-on-unknown-with-none 1 "$bin" analyze --fail-on none --fail-on unknown "$src/sample-bundles/healthy-cluster"
check fail-on-unknown-all-checked 0 "$bin" analyze --fail-on unknown "$src/sample-bundles/backlog-negative"
expect_grep coverage-all-checked '^No findings: every cause was checked$' "$tmp/out"
check markdown 1 "$bin" analyze -f markdown "$tmp/b"
expect_grep markdown-head '^# fluxdiag report' "$tmp/out"
check output-file 1 "$bin" analyze -f json -o "$tmp/report.json" "$tmp/b"
expect_grep output-file-written '"root_causes"' "$tmp/report.json"
check no-color-when-piped 1 "$bin" analyze "$tmp/b"
if grep -q $'\x1b' "$tmp/out"; then fail=$((fail + 1)); echo "FAIL: colour escape in piped output"; else pass=$((pass + 1)); fi

# rule authors' own tests
check rules-test-example 0 "$bin" rules test "$src/examples/custom-rules"
expect_grep rules-test-summary '^2 passed, 0 failed$' "$tmp/out"
cp -r "$src/examples/custom-rules" "$tmp/cr"
sed -i 's/absent: \[ORG-HELMREPO-PLAIN-HTTP\]/absent: [ORG-HELMREPO-PLAIN-HTTP]\nfindings: [{rule: ORG-HELMREPO-PLAIN-HTTP}]/' "$tmp/cr/tests/secure-repo.yaml"
check rules-test-failing 1 "$bin" rules test "$tmp/cr"
expect_grep rules-test-fail-line 'no ORG-HELMREPO-PLAIN-HTTP finding' "$tmp/out"
check rules-test-no-dir 2 "$bin" rules test "$tmp"
printf 'bundle: insecure-repo\nfindings: [unclosed\n' >"$tmp/cr/tests/broken.yaml"
check rules-test-broken-expectation 1 "$bin" rules test "$tmp/cr"
expect_grep rules-test-broken-located 'tests/broken.yaml:3:1: YAML:' "$tmp/out"
check missing-rules-dir 3 "$bin" analyze --rules "$tmp/no-such-rules" "$tmp/b"
expect_grep missing-rules-dir-msg "no-such-rules: cannot open rules directory" "$tmp/err"

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
