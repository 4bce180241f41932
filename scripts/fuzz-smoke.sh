#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang into build-fuzz/ and runs each one for a
# short time on seeds made from sample-bundles/ and rules/. Exits non-zero when a target crashes,
# leaks, times out on one input or breaks a report property; the input is kept under
# build-fuzz/artifacts/ for tests/fuzz reproduction (see docs/fuzzing.md).
#
#   scripts/fuzz-smoke.sh                 every target, FUZZ_TIME seconds each (default 25)
#   FUZZ_TIME=600 scripts/fuzz-smoke.sh bundle yaml
#   FUZZ_CORPUS=/var/tmp/fluxdiag-corpus  keep the grown corpora there (default: a temp dir)
set -uo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C TZ=UTC
ROOT=$PWD
BUILD=${FUZZ_BUILD:-build-fuzz}
TIME=${FUZZ_TIME:-25}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(bundle yaml json rules logline path)

command -v clang >/dev/null || { echo "fuzz-smoke: clang is needed" >&2; exit 2; }
command -v bsdtar >/dev/null || { echo "fuzz-smoke: bsdtar is needed (libarchive-tools)" >&2; exit 2; }
CC=clang cmake -S . -B "$BUILD" -DFLUXDIAG_FUZZ=ON -DBUILD_TESTING=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
cmake --build "$BUILD" -j "$(nproc)" --target "${TARGETS[@]/#/fuzz_}" >/dev/null || {
	echo "fuzz-smoke: build failed" >&2
	exit 2
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CORPUS=${FUZZ_CORPUS:-$WORK/corpus}
ART=$ROOT/$BUILD/artifacts
mkdir -p "$ART"

# ---- seeds: made here, never committed ----
seed_dir() { mkdir -p "$WORK/seeds/$1" && echo "$WORK/seeds/$1"; }

seeds_bundle() {
	local d i=0 b
	d=$(seed_dir bundle)
	for b in source-git-auth healthy-cluster apiserver-unreachable controller-helm-oomkilled \
		network-egress-deny-all apply-helm-values; do
		[ -d "sample-bundles/$b" ] || continue
		case $((i++ % 3)) in
		0) bsdtar -czf "$d/$b.tar.gz" -C sample-bundles "$b" ;;
		1) bsdtar -cf "$d/$b.tar" -C sample-bundles "$b" ;;
		2) bsdtar --format zip -cf "$d/$b.zip" -C sample-bundles "$b" ;;
		esac
	done
	# small ones so mutations reach deep quickly
	bsdtar -czf "$d/small.tar.gz" -C sample-bundles source-git-auth/manifest.json \
		source-git-auth/resources/gitrepositories.source.toolkit.fluxcd.io.yaml \
		source-git-auth/logs/flux-system
	bsdtar -cf "$d/small.tar" -C sample-bundles source-git-auth/manifest.json \
		source-git-auth/resources/kustomizations.kustomize.toolkit.fluxcd.io.yaml
}

seeds_files() { # name, find expression..., at most 64 KiB each, 80 files
	local name=$1 d f n=0
	shift
	d=$(seed_dir "$name")
	while IFS= read -r f; do
		head -c 65536 "$f" >"$d/$n-$(basename "$f")"
		n=$((n + 1))
		[ $n -lt 80 ] || break
	done < <(find sample-bundles "$@" -type f -size -256k | sort)
}

seeds_logline() {
	local d f n=0
	d=$(seed_dir logline)
	while IFS= read -r f; do
		{ printf "\\x$(printf %02x $(((n * 2 + 1) & 0x1f)))"; head -c 16384 "$f"; } >"$d/$n.log"
		n=$((n + 1))
		[ $n -lt 60 ] || break
	done < <(find sample-bundles -name '*.log' -type f | sort)
}

seeds_path() {
	local d n=0 p
	d=$(seed_dir path)
	while IFS= read -r p; do
		printf '%s\n{kind} {namespace}/{name}: {%s|default:none} {cap.reason} {count}\n' "$p" "$p" \
			>"$d/$n"
		n=$((n + 1))
	done < <(grep -ho "path: '[^']*'" rules/*.yaml | sed "s/^path: '//; s/'\$//" | sort -u | head -100)
	printf '.spec.containers[name=manager].resources.limits.memory\n{.spec.containers[name=manager].resources.limits.memory|double} {{literal}} {name|upper}\n' >"$d/a"
	printf 'status.conditions[*]["type"]\n{.metadata.labels["a.b/c"]|lower} {.spec.containers[-1].args}\n' >"$d/b"
}

for t in "${TARGETS[@]}"; do
	case $t in
	bundle) seeds_bundle ;;
	yaml) seeds_files yaml \( -name '*.yaml' -o -name '*.yml' \) ;;
	json) seeds_files json -name '*.json' ;;
	rules) mkdir -p "$WORK/seeds/rules" && cp rules/*.yaml "$WORK/seeds/rules/" ;;
	logline) seeds_logline ;;
	path) seeds_path ;;
	*) echo "fuzz-smoke: unknown target '$t' (bundle yaml json rules logline path)" >&2; exit 2 ;;
	esac
done
[ -d "$WORK/seeds/rules" ] && cp rules/*.yaml "$WORK/seeds/rules/"

passed=0 failed=0
for t in "${TARGETS[@]}"; do
	mkdir -p "$CORPUS/$t"
	log=$WORK/$t.log
	start=$(date +%s)
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$BUILD/fuzz_$t" "$CORPUS/$t" "$WORK/seeds/$t" -max_total_time="$TIME" \
		-timeout=20 -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
		-artifact_prefix="$ART/$t-" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	runs=$(grep -ho 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
	cov=$(grep -ho 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok   fuzz_$t: ${runs:-?} runs in ${took}s, ${cov:-cov: ?}"
	else
		failed=$((failed + 1))
		echo "FAIL fuzz_$t (exit $rc): input kept under $ART/"
		grep -E 'ERROR|SUMMARY|property broken|Test unit written' "$log" | head -20 | sed 's/^/     /'
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
