#!/usr/bin/env bash
# Report formats: JSON and SARIF against their schemas, JUnit as XML (check_formats.py), and
# the HTML report rendered by headless Chromium, printed to PDF, and read back as text.
# Usage: run-tests.sh FLUXDIAG
set -u
bin=${1:?usage: run-tests.sh FLUXDIAG}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0

# any python3 that has jsonschema (Debian: python3-jsonschema)
py=""
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import jsonschema' 2>/dev/null; then py=$p; break; fi
done
if [[ -z $py ]]; then
	echo "FAIL: no python3 with jsonschema (apt-get install python3-jsonschema)"
	fail=$((fail + 1))
else
	out=$("$py" "$here/check_formats.py" "$bin" "$src")
	echo "$out" | grep -v '^[0-9]* passed' || true
	p=$(echo "$out" | tail -1 | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
	pass=$((pass + ${p% *})) fail=$((fail + ${p#* }))
fi

# the verdict per cause in every format, against golden files (coverage/)
out=$("${py:-python3}" "$here/coverage_golden.py" "$bin" "$src")
echo "$out" | grep -v '^[0-9]* passed' || true
p=$(echo "$out" | tail -1 | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
if [[ -n $p ]]; then pass=$((pass + ${p% *})) fail=$((fail + ${p#* })); else fail=$((fail + 1)); echo "FAIL: coverage_golden.py"; fi

chromium=""
for c in chromium chromium-browser google-chrome; do command -v "$c" >/dev/null && { chromium=$c; break; }; done
if [[ -z $chromium ]] || ! command -v pdftotext >/dev/null; then
	echo "SKIP: html rendering (needs chromium and pdftotext: apt-get install chromium poppler-utils)"
	skip=$((skip + 1))
else
	for b in source-git-auth controller-helm-oomkilled; do
		"$bin" analyze --format html -o "$tmp/$b.html" "$src/sample-bundles/$b"
		root=$("$bin" analyze --format json "$src/sample-bundles/$b" | "${py:-python3}" -c \
			'import json,sys; r=json.load(sys.stdin); f={x["id"]:x for x in r["findings"]}; print(f[r["root_causes"][0]]["rule"])')
		timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--user-data-dir="$tmp/profile-$b" --print-to-pdf="$tmp/$b.pdf" --no-pdf-header-footer \
			"file://$tmp/$b.html" >/dev/null 2>&1
		if [[ -s $tmp/$b.pdf ]] && pdftotext -layout "$tmp/$b.pdf" "$tmp/$b.txt" &&
			grep -q "Root causes" "$tmp/$b.txt" && grep -q "$root" "$tmp/$b.txt"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: html $b: the printed page does not show 'Root causes' and $root"
		fi
	done
fi
echo "$pass passed, $fail failed, $skip skipped"
[[ $fail == 0 ]]
