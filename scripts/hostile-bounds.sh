#!/usr/bin/env bash
# Memory and time bounds on decompression bombs: builds bombs of 2 GiB entries as small .tar.gz
# files in a temp dir (streamed through a pipe: the 2 GiB never touch the disk) and checks that
# `fluxdiag analyze` with its default limits stays under MAX_RSS_MB of memory and MAX_SECONDS
# of wall time on each.
#
#   scripts/hostile-bounds.sh [path/to/fluxdiag]        (default: build/fluxdiag)
#   FLUXDIAG_BOUNDS_ARGS="--max-total-bytes 1Gi" ...    extra analyze options, to try limits
#   BOUNDS_CASES="log-zero yaml-A" ...                  run some cases only
set -uo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C TZ=UTC
FLUXDIAG=${1:-build/fluxdiag}
MAX_RSS_MB=${MAX_RSS_MB:-512}
MAX_SECONDS=${MAX_SECONDS:-10}
HARD_STOP=${HARD_STOP:-120} # a case still running after this is killed and fails
SIZE=$((2 << 30))
read -r -a EXTRA <<<"${FLUXDIAG_BOUNDS_ARGS:-}"
CASES=${BOUNDS_CASES:-"log-zero log-A log-newlines log-matching yaml-A json-nested unread-entries zip-A configmap-lists"}

[ -x "$FLUXDIAG" ] || { echo "hostile-bounds: $FLUXDIAG not built" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "hostile-bounds: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "hostile-bounds: python3 is needed" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# tar_header NAME SIZE: one ustar header block for a regular file, on stdout
tar_header() {
	python3 - "$1" "$2" <<'PY'
import sys, tarfile
ti = tarfile.TarInfo(sys.argv[1]); ti.size = int(sys.argv[2]); ti.mtime = 1795166043
sys.stdout.buffer.write(ti.tobuf(format=tarfile.USTAR_FORMAT))
PY
}

MANIFEST='{"format":"fluxdiag-bundle/v1","collected_at":"2026-11-20T09:14:03Z","commands":[]}'

# A bomb is a chain of gzip members (gzip readers, libarchive's too, read concatenated members
# as one stream): small members for the tar headers, and a 2 GiB payload member compressed once
# (about 10 s) and reused by every case that needs it.
payload() { # KIND -> path of the cached member
	local m=$WORK/payload-$1.gz
	if [ ! -s "$m" ]; then
		case $1 in
		zero) head -c $SIZE /dev/zero ;;
		A) head -c $SIZE /dev/zero | tr '\0' A ;;
		newline) head -c $SIZE /dev/zero | tr '\0' '\n' ;;
		bracket) head -c $SIZE /dev/zero | tr '\0' '[' ;;
		matching) yes '{"level":"error","ts":"2026-11-20T09:10:00Z","msg":"Reconciler error","controllerKind":"GitRepository","name":"podinfo","namespace":"flux-system","error":"authentication required"}' | head -c $SIZE ;;
		esac | gzip -6 >"$m"
	fi
	echo "$m"
}

# bomb OUT NAME:KIND...: manifest, then one 2 GiB entry per NAME:KIND
bomb() {
	local out=$1 spec
	shift
	{
		tar_header bomb/manifest.json ${#MANIFEST}
		printf '%s' "$MANIFEST"
		head -c $((512 - ${#MANIFEST})) /dev/zero
	} | gzip >"$out"
	for spec in "$@"; do
		tar_header "bomb/${spec%%:*}" $SIZE | gzip >>"$out"
		cat "$(payload "${spec##*:}")" >>"$out"
	done
	head -c 1024 /dev/zero | gzip >>"$out" # end of archive
}

# zip_bomb OUT: a zip whose four log entries each inflate to 2 GiB of 'A' (deflate inside the
# format, where no compression filter sees it); written by Python's zipfile, streamed
zip_bomb() {
	python3 - "$1" "$SIZE" <<'PY'
import sys, zipfile
out, size = sys.argv[1], int(sys.argv[2])
chunk = b"A" * (1 << 20)
with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
    for k in range(4):
        name = f"bomb/logs/flux-system/source-controller-{k}/manager.log"
        with z.open(name, "w", force_zip64=True) as f:
            for _ in range(size // len(chunk)):
                f.write(chunk)
PY
}

# configmap_lists OUT: 894000 small ConfigMaps in three YAML Lists of 298000 (about 220 MB of
# YAML, 2.7 MB compressed: 83:1, under the bomb ratio): memory grows with objects, not bytes
configmap_lists() {
	python3 - "$1" "$MANIFEST" <<'PY'
import gzip, io, sys, tarfile
out, manifest = sys.argv[1], sys.argv[2].encode()
def cm(i):
    return (f"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-{i:07d}\n"
            f"    namespace: apps\n    labels: {{app: podinfo, tier: web}}\n"
            f"    creationTimestamp: '2026-11-20T09:00:00Z'\n"
            f"  data:\n    config.yaml: 'replicas: 2'\n    mode: production\n    owner: team-a\n").encode()
with gzip.open(out, "wb", compresslevel=9) as gz, tarfile.open(fileobj=gz, mode="w|") as t:
    ti = tarfile.TarInfo("bomb/manifest.json"); ti.size = len(manifest)
    t.addfile(ti, io.BytesIO(manifest))
    for k in range(3):
        body = b"apiVersion: v1\nkind: List\nitems:\n" + b"".join(cm(k * 298000 + i) for i in range(298000))
        ti = tarfile.TarInfo(f"bomb/resources/configmaps-{k}.yaml"); ti.size = len(body)
        t.addfile(ti, io.BytesIO(body))
PY
}

LOG=logs/flux-system/source-controller-1/manager.log
passed=0 failed=0
for c in $CASES; do
	f=$WORK/$c.tar.gz
	case $c in
	log-zero) bomb "$f" "$LOG:zero" ;;
	log-A) bomb "$f" "$LOG:A" ;;
	log-newlines) bomb "$f" "$LOG:newline" ;;
	log-matching) bomb "$f" "$LOG:matching" ;;
	yaml-A) bomb "$f" resources/pods.yaml:A ;;
	json-nested) bomb "$f" resources/pods.json:bracket ;;
	unread-entries) bomb "$f" blob-1.bin:zero blob-2.bin:zero blob-3.bin:zero blob-4.bin:zero ;;
	zip-A) zip_bomb "$f" ;;
	configmap-lists) configmap_lists "$f" ;;
	*) echo "hostile-bounds: unknown case $c" >&2; exit 2 ;;
	esac
	out=$WORK/$c.json
	rss_bound=$MAX_RSS_MB sec_bound=$MAX_SECONDS want=
	case_args=()
	if [ "$c" = configmap-lists ]; then
		# held to 1 GiB by --max-objects (default 200000), and to --timeout (plus a second
		# or two to render and free); the report says where it stopped
		rss_bound=1024 sec_bound=${CONFIGMAP_SECONDS:-62}
		case_args=(--timeout 60s)
		want='--max-objects|--timeout'
	fi
	/usr/bin/time -o "$WORK/time" -f '%M %e' timeout "$HARD_STOP" "$FLUXDIAG" analyze \
		--format json --fail-on none "${case_args[@]}" "${EXTRA[@]}" "$f" >"$out" 2>"$WORK/err"
	rc=$?
	read -r rss_kb secs < <(tail -1 "$WORK/time")
	rss_mb=$((rss_kb / 1024))
	bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bundle"]["bytes_read"])' "$out" 2>/dev/null || echo '?')
	msg="$c ($(($(stat -c %s "$f") / 1024)) KiB compressed): rss ${rss_mb} MiB, ${secs} s, ${bytes} bytes read, exit $rc"
	if [ $rc -eq 124 ]; then
		failed=$((failed + 1))
		echo "FAIL $msg: killed after ${HARD_STOP} s"
	elif [ $rc -ne 0 ]; then
		failed=$((failed + 1))
		echo "FAIL $msg: $(head -c 300 "$WORK/err")"
	elif [ "$rss_mb" -ge "$rss_bound" ] || ! awk -v s="$secs" -v m="$sec_bound" 'BEGIN{exit !(s < m)}'; then
		failed=$((failed + 1))
		echo "FAIL $msg: over the bound (${rss_bound} MiB, ${sec_bound} s)"
	elif [ -n "$want" ] && ! grep -qE -- "$want" "$out"; then
		failed=$((failed + 1))
		echo "FAIL $msg: no warning matching /$want/ in the report"
	elif ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out" 2>/dev/null; then
		failed=$((failed + 1))
		echo "FAIL $msg: the report is not valid JSON"
	else
		passed=$((passed + 1))
		echo "ok   $msg"
	fi
	rm -f "$f"
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
