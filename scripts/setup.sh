#!/bin/sh
# Installs what fluxdiag needs to build and test (Debian packages, as root) when it is missing,
# then builds into ./build. Safe to run again: it installs nothing that is already there.
set -eu
cd "$(dirname "$0")/.."

pkgs="build-essential cmake pkg-config libarchive-dev libyaml-dev libjansson-dev libpcre2-dev
libcriterion-dev libarchive-tools python3 shellcheck zstd xz-utils bzip2 zip"
extras_only=false
if [ "${1:-}" = "--extras-only" ]; then
	extras_only=true
	pkgs="${FLUXDIAG_EXTRA_PACKAGES:-}"
fi
need=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need="$need $p"
done
# kubectl runs the collector tests; any kubectl will do, Debian's is kubernetes-client.
$extras_only || command -v kubectl >/dev/null 2>&1 || need="$need kubernetes-client"
if [ -n "$need" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "fluxdiag setup: missing packages:$need (run as root, or install them)" >&2
		exit 1
	fi
	echo "fluxdiag setup: installing$need" >&2
	apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

$extras_only && exit 0
# FLUXDIAG_WERROR=ON (scripts/test.sh) makes warnings fatal
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLUXDIAG_WERROR="${FLUXDIAG_WERROR:-OFF}" >/dev/null
cmake --build build -j "$(nproc)"
