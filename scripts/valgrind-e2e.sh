#!/usr/bin/env bash
# Runs `fluxdiag analyze` (sample bundles as directories and as .tar.gz, every output format)
# and `fluxdiag rules lint` under valgrind memcheck: any memory error, or a definite or indirect
# leak, fails. Prints "N passed, M failed"; non-zero when anything failed.
#
#   scripts/valgrind-e2e.sh [path/to/fluxdiag]     (default: build/fluxdiag)
set -uo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C TZ=UTC NO_COLOR=1
# every arena block a separate malloc, so valgrind sees each one
export FLUXDIAG_ARENA_MALLOC=1
FLUXDIAG=${1:-build/fluxdiag}
[ -x "$FLUXDIAG" ] || { echo "valgrind-e2e: $FLUXDIAG not built" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind-e2e: valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
command -v bsdtar >/dev/null || { echo "valgrind-e2e: bsdtar is needed (libarchive-tools)" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0

# PCRE2's JIT code reads the subject in 16-byte blocks past its end (within the page) by design,
# which valgrind reports from frames that belong to no object ("???"). Only those are ignored:
# every frame of fluxdiag and its libraries has an object name.
for kind in Cond Addr1 Addr2 Addr4 Addr8 Addr16 Addr32 Value1 Value2 Value4 Value8 Value16 Value32; do
	printf '{\n   pcre2-jit-%s\n   Memcheck:%s\n   obj:???\n}\n' "$kind" "$kind"
done >"$WORK/pcre2-jit.supp"

vg() { # name, expected exit statuses (space separated), command...
	local name=$1 ok=$2 rc
	shift 2
	valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --error-exitcode=99 --track-origins=yes \
		--suppressions="$WORK/pcre2-jit.supp" \
		--log-file="$WORK/vg.log" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if [ $rc -ne 99 ] && [[ " $ok " == *" $rc "* ]] && ! grep -q '^==[0-9]*== [A-Z]' "$WORK/vg.log"; then
		passed=$((passed + 1))
		echo "ok   $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name (exit $rc)"
		sed 's/^/     /' "$WORK/vg.log" | head -40
		head -5 "$WORK/err" | sed 's/^/     stderr: /'
	fi
}

BUNDLES="source-git-auth healthy-cluster apiserver-unreachable controller-helm-oomkilled
network-egress-deny-all apply-helm-values backlog-workers-saturated cache-stale-watch"
fmts=(text markdown json)
i=0
for b in $BUNDLES; do
	[ -d "sample-bundles/$b" ] || continue
	fmt=${fmts[$((i % 3))]}
	vg "analyze $b (directory, $fmt)" "0 1" "$FLUXDIAG" analyze --format "$fmt" "sample-bundles/$b"
	bsdtar -czf "$WORK/$b.tar.gz" -C sample-bundles "$b"
	fmt=${fmts[$(((i + 1) % 3))]}
	vg "analyze $b.tar.gz ($fmt)" "0 1" "$FLUXDIAG" analyze --format "$fmt" "$WORK/$b.tar.gz"
	i=$((i + 1))
done

# standard input, a damaged archive, a refused archive, a hostile one with limits
vg "analyze - (standard input)" "0 1" sh -c "exec \"\$0\" analyze --format json - <\"\$1\"" \
	"$FLUXDIAG" "$WORK/source-git-auth.tar.gz"
head -c 20000 "$WORK/source-git-auth.tar.gz" >"$WORK/truncated.tar.gz"
vg "analyze a truncated archive" "0 1 2" "$FLUXDIAG" analyze "$WORK/truncated.tar.gz"
printf 'not an archive\n' >"$WORK/junk.tar.gz"
vg "analyze a file that is not an archive (exit 2)" "2" "$FLUXDIAG" analyze "$WORK/junk.tar.gz"
mkdir -p "$WORK/hostile/b/resources" "$WORK/hostile/b/logs/flux-system/source-controller-1"
printf 'kind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a: &a [x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n' \
	>"$WORK/hostile/b/resources/lol.yaml"
head -c 100000 /dev/zero | tr '\0' '[' >"$WORK/hostile/b/resources/deep.json"
printf '{"kind":"Pod","metadata":{"name":"p\\u001b[2J"}}\n{bad\n' >"$WORK/hostile/b/resources/bad.json"
{ printf 'authentication required \033]0;x\007\n\000\377\376\n'; head -c 300000 /dev/zero | tr '\0' 'A'; } \
	>"$WORK/hostile/b/logs/flux-system/source-controller-1/manager.log"
(cd "$WORK/hostile" && bsdtar -czf ../hostile.tar.gz b)
vg "analyze a hostile bundle with low limits" "0 1" "$FLUXDIAG" analyze --max-line-bytes 1K \
	--max-depth 8 --max-aliases 4 --max-objects-per-file 2 --max-entry-bytes 64K \
	"$WORK/hostile.tar.gz"

vg "rules lint rules/" "0" "$FLUXDIAG" rules lint rules/
printf 'rules:\n  - id: X\n    title: [unclosed\n' >"$WORK/bad-rule.yaml"
vg "rules lint a broken rule file (exit 3)" "3" "$FLUXDIAG" rules lint "$WORK/bad-rule.yaml"
vg "rules list --format json" "0" "$FLUXDIAG" rules list --format json

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
