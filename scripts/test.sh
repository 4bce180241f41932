#!/bin/sh
# Runs the whole test suite: the normal build (RelWithDebInfo), then the same suite built with
# AddressSanitizer and UndefinedBehaviorSanitizer (Debug), then a Release build with the fast
# unit tests. Warnings are errors in all three. Installs and builds what is missing first.
set -eu
cd "$(dirname "$0")/.."
export LC_ALL=C TZ=UTC

FLUXDIAG_WERROR=ON sh scripts/setup.sh
# what only the tests need: schema validation, HTML rendering, sanitizers and fuzzers
FLUXDIAG_EXTRA_PACKAGES="python3-jsonschema chromium fonts-dejavu-core poppler-utils valgrind clang libclang-rt-14-dev time groff-base bsdextrautils python3-yaml openssl" \
	sh scripts/setup.sh --extras-only
ctest --test-dir build --output-on-failure -j 2

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DFLUXDIAG_SANITIZE=ON -DFLUXDIAG_WERROR=ON >/dev/null
cmake --build build-asan -j "$(nproc)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp" \
	ctest --test-dir build-asan --output-on-failure -j 2 -E '^collector$'

# Release: optimizer-only warnings (maybe-uninitialized) show up here; the unit tests that take
# seconds, not the end-to-end suites the other two builds already ran
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DFLUXDIAG_WERROR=ON >/dev/null
cmake --build build-release -j "$(nproc)"
ctest --test-dir build-release --output-on-failure -j 2 -R '^test_(values|path|loaders|rules|bundle|browse)$'

# the end-to-end runs under valgrind memcheck (no leaks, no errors), the libFuzzer targets for
# a short smoke period each, and memory/time bounds on decompression bombs
bash scripts/valgrind-e2e.sh build/fluxdiag
FUZZ_TIME=${FUZZ_TIME:-20} bash scripts/fuzz-smoke.sh
bash scripts/hostile-bounds.sh build/fluxdiag
