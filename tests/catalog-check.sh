#!/usr/bin/env bash
# docs/rules-catalog.md must be exactly what `fluxdiag rules list --format markdown` writes.
set -u
bin=${1:?usage: catalog-check.sh FLUXDIAG}
src=$(cd "$(dirname "$0")/.." && pwd)
if diff -u "$src/docs/rules-catalog.md" <(FLUXDIAG_RULES_DIR="$src/rules" "$bin" rules list --format markdown); then
	echo "1 passed, 0 failed"
else
	echo "docs/rules-catalog.md is stale: regenerate it with"
	echo "  ./build/fluxdiag rules list --format markdown > docs/rules-catalog.md"
	echo "0 passed, 1 failed"
	exit 1
fi
