#!/usr/bin/env bash
# Prints which analyzer source file calls into which ("a.c -> b.c"), computed from the object
# files of the core library: each undefined symbol of one object is resolved to the object that
# defines it. Flags every cycle and exits 1 when there is one.
#
#   scripts/call-graph.sh [-v] [OBJECT_DIR]
#     -v          also list the symbols behind each edge
#     OBJECT_DIR  default: build/CMakeFiles/fluxdiag_core.dir/analyzer
set -euo pipefail

verbose=false
if [ "${1:-}" = "-v" ]; then
	verbose=true
	shift
fi
dir=${1:-build/CMakeFiles/fluxdiag_core.dir/analyzer}
shopt -s nullglob
objs=("$dir"/*.o)
if [ ${#objs[@]} -eq 0 ]; then
	echo "call-graph: no object files in $dir (build first)" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# defined symbols: "symbol file"; undefined: "file symbol"
for o in "${objs[@]}"; do
	f=$(basename "$o" .o)
	nm --defined-only -g "$o" | awk -v f="$f" 'NF == 3 { print $3, f }' >>"$tmp/def"
	nm --undefined-only -g "$o" | awk -v f="$f" '{ print f, $NF }' >>"$tmp/undef"
done
touch "$tmp/def" "$tmp/undef"

# edges: "from to symbol", from != to
awk 'NR == FNR { def[$1] = $2; next }
     ($2 in def) && def[$2] != $1 { print $1, def[$2], $2 }' "$tmp/def" "$tmp/undef" |
	sort -u >"$tmp/edges"

awk -v verbose="$verbose" '
	{ key = $1 " -> " $2; if (!(key in syms)) { order[n++] = key; syms[key] = $3 } else syms[key] = syms[key] ", " $3 }
	END { for (i = 0; i < n; i++) { k = order[i]; if (verbose == "true") print k "  (" syms[k] ")"; else print k } }
' "$tmp/edges"

# tsort reports a loop as the files on it, one a line, after "input contains a loop"
awk '{ print $1, $2 }' "$tmp/edges" | sort -u >"$tmp/pairs"
# files without edges still take part in the order
for o in "${objs[@]}"; do f=$(basename "$o" .o); echo "$f $f"; done >>"$tmp/pairs"
if ! tsort "$tmp/pairs" >/dev/null 2>"$tmp/loops"; then
	# one line per loop tsort found: "cycle: a.c b.c ..."
	awk '/input contains a loop/ { if (line != "") print line; line = "cycle:"; next }
	     { sub(/^tsort: /, ""); line = line " " $0 }
	     END { if (line != "") print line }' "$tmp/loops" >&2
	exit 1
fi
