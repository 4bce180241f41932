#!/bin/sh
# bench/run.sh - how fast fluxdiag reads large bundles, against the cost of decompressing them.
#
# For each size of logs (megabytes, default "0 100 500 1000"; 0 is the objects alone) it
# generates a deterministic bundle (bench/gen_bundle.py, cached in bench/out/), then measures on
# that same file, best of --runs (default 3):
#   floor  bsdtar -xOf BUNDLE > /dev/null          (libarchive decompression alone)
#   rules  fluxdiag analyze --format json BUNDLE   (the shipped rule pack)
#   x10    the same with 10x as many log rules      (--rules bench/out/rules-x10)
# and prints wall time, CPU time, peak RSS, the ratio to the floor, MB/s and lines/s, and
# whether the report found every planted failure (FAIL otherwise, exit status 1).
#
# Usage: bench/run.sh [--bin PATH] [--sizes "0 100 500 1000"] [--runs N] [--objects-scale F]
#        cmake --build build --target bench
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=$root/build/fluxdiag
sizes="0 100 500 1000"
runs=3
scale=1.0
while [ $# -gt 0 ]; do
	case $1 in
	--bin) bin=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--objects-scale) scale=$2; shift 2 ;;
	-h | --help) sed -n '2,16p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

# ---- what the benchmark needs
need_pkgs=""
command -v bsdtar >/dev/null 2>&1 || need_pkgs="$need_pkgs libarchive-tools"
[ -x /usr/bin/time ] || need_pkgs="$need_pkgs time"
command -v python3 >/dev/null 2>&1 || need_pkgs="$need_pkgs python3"
if [ -n "$need_pkgs" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing:$need_pkgs" >&2
		# shellcheck disable=SC2086 # a list of package names
		apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_pkgs >&2
	else
		echo "run.sh: missing:$need_pkgs (install them, e.g. apt-get install$need_pkgs)" >&2
		exit 2
	fi
fi
if [ ! -x "$bin" ]; then
	echo "run.sh: $bin not built; building" >&2
	cmake -S "$root" -B "$root/build" >&2 && cmake --build "$root/build" -j2 >&2
fi

out=$here/out
mkdir -p "$out"
rules10=$out/rules-x10
# the shipped pack has 18 log rules: 162 more make 10x
python3 "$here/gen_rules.py" --count 162 --out "$rules10"

# measure LABEL CMD...: best wall of $runs runs; sets m_wall m_cpu m_rss (KiB)
measure() {
	m_wall="" m_cpu="" m_rss=""
	i=0
	while [ "$i" -lt "$runs" ]; do
		/usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" "$@" >"$out/stdout.txt" 2>"$out/stderr.txt" || {
			rc=$?
			# fluxdiag exits 1 when it finds something: that is not a failure here
			if [ "$1" != "$bin" ] || [ "$rc" != 1 ]; then
				echo "run.sh: '$*' failed ($rc)" >&2
				cat "$out/stderr.txt" >&2
				exit 1
			fi
		}
		# GNU time puts "Command exited with non-zero status N" first
		read -r w u s r <<EOT
$(tail -n 1 "$out/time.txt")
EOT
		if [ -z "$m_wall" ] || awk -v a="$w" -v b="$m_wall" 'BEGIN{exit !(a<b)}'; then
			m_wall=$w
			m_cpu=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')
		fi
		if [ -z "$m_rss" ] || [ "$r" -gt "$m_rss" ]; then m_rss=$r; fi
		i=$((i + 1))
	done
}

json_field() { # FILE KEY: a number from the report's "bundle" object
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bundle"][sys.argv[2]])' "$1" "$2"
}

status=0
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "fluxdiag: $bin; best of $runs runs; objects scale $scale"
echo
printf '%-6s %-6s %9s %8s %8s %9s %7s %9s %10s %s\n' \
	logsMB run wall_s cpu_s ratio rss_MiB MB/s lines/s bundleMB report
for mb in $sizes; do
	b=$out/bundle-$mb.tar.gz
	if [ ! -f "$b" ] || [ -n "$(find "$here/gen_bundle.py" -newer "$b")" ] || [ "$(cat "$b.args" 2>/dev/null)" != "$mb $scale" ]; then
		python3 "$here/gen_bundle.py" --log-mb "$mb" --objects-scale "$scale" --out "$b" >&2
		echo "$mb $scale" >"$b.args"
	fi
	gz_mb=$(du -m "$b" | cut -f1)
	measure bsdtar -xOf "$b"
	floor=$m_wall
	printf '%-6s %-6s %9s %8s %8s %9s %7s %9s %10s %s\n' "$mb" floor "$m_wall" "$m_cpu" 1.00 \
		"$(awk -v r="$m_rss" 'BEGIN{printf "%.1f", r/1024}')" - - "$gz_mb" -
	for variant in rules x10; do
		if [ "$variant" = rules ]; then
			measure "$bin" analyze --format json "$b"
		else
			measure "$bin" analyze --format json --rules "$rules10" "$b"
		fi
		cp "$out/stdout.txt" "$out/report-$mb-$variant.json"
		if verdict=$(python3 "$here/check_report.py" "$out/report-$mb-$variant.json"); then :; else status=1; fi
		bytes=$(json_field "$out/report-$mb-$variant.json" bytes_read)
		lines=$(json_field "$out/report-$mb-$variant.json" log_lines)
		awk -v mb="$mb" -v v="$variant" -v w="$m_wall" -v c="$m_cpu" -v f="$floor" -v r="$m_rss" \
			-v by="$bytes" -v l="$lines" -v g="$gz_mb" -v ver="$verdict" 'BEGIN{
			printf "%-6s %-6s %9s %8s %8.2f %9.1f %7.0f %9.0f %10s %s\n", mb, v, w, c, w/f, r/1024,
				by/1e6/w, l/w, g, ver }'
	done
done
exit $status
