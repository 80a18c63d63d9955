#!/usr/bin/env bash
# One command: install what is missing, build, run the whole test suite (unit tests, CLI tests and the
# PyTorch/SciPy oracles), then the C unit tests and the CLI behaviour and search tests again under AddressSanitizer +
# UBSan (the heavier end-to-end tests run once, in the optimised build), and the MPI build's jobs of
# 2 and 3 ranks.
# Then every libFuzzer harness for ZCNAS_FUZZ_SECONDS (default 10) each (scripts/fuzz.sh).
# --long: then also the whole-space sweeps of tests/long/, the whole malformed-input sweep and 100-kill
# fault injection on the ASan build, the whole suite and the MPI jobs under ASan (hours on 2 cores; not in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
long=0
for arg in "$@"; do
    case "$arg" in
        --long) long=1 ;;
        *) echo "usage: scripts/test.sh [--long]" >&2; exit 2 ;;
    esac
done
scripts/install-deps.sh
scripts/build.sh
source scripts/data-env.sh
# The tests read the real datasets and benchmark tables from $ZCNAS_DATA; without it, stop with
# zcnas's own message (what it looked for and where the official files are).
if [ -z "${ZCNAS_DATA:-}" ]; then build/zcnas demo --quiet >/dev/null; exit 1; fi
echo "zcnas: tests read data from ZCNAS_DATA=$ZCNAS_DATA"
(cd build && ctest --output-on-failure -j2)
# The MPI build (-DZCNAS_MPI=ON; the default build has no MPI): jobs of 2 and 3 ranks on this machine
# against one process (tests/cli/mpi_jobs.py).
cmake -S . -B build-mpi -DZCNAS_MPI=ON >/dev/null
cmake --build build-mpi -j"$(nproc)" --target zcnas_cli >/dev/null
(cd build-mpi && ctest --output-on-failure -R '^mpi_jobs$')
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZCNAS_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)" >/dev/null
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ZCNAS_SWEEP_EVERY=3 \
    ctest --output-on-failure -j2 -R '^(test_|cli_behaviour|cli_search|cli_faults|cli_malformed|fuzz_regressions)')
# Every libFuzzer harness briefly (clang; the long runs are recorded in tests/fuzz/RESULTS.md).
scripts/fuzz.sh "${ZCNAS_FUZZ_SECONDS:-10}"
if [ "$long" = 1 ]; then
    for t in tests/long/long_*.py; do
        name=$(basename "$t" .py)
        /usr/bin/python3 "$t" --zcnas build/zcnas --workdir "build/tests/$name.work"
    done
    # the whole malformed-input sweep and many more kills, on the ASan/UBSan build
    ASAN_OPTIONS=detect_leaks=1 ZCNAS_SWEEP_EVERY=1 /usr/bin/python3 tests/cli/cli_malformed.py \
        --zcnas build-asan/zcnas --workdir build-asan/tests/cli_malformed.long
    ZCNAS_FAULT_KILLS=100 /usr/bin/python3 tests/cli/cli_faults.py --zcnas build-asan/zcnas \
        --workdir build-asan/tests/cli_faults.long
    # the whole test suite under ASan/UBSan (CI runs the C tests and the CLI's error paths there)
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j2)
    # the MPI jobs under ASan/UBSan (without leak checks: Open MPI's unloaded plugins leave reports
    # that cannot be attributed or suppressed)
    cmake -S . -B build-mpi-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZCNAS_SANITIZE=ON -DZCNAS_MPI=ON >/dev/null
    cmake --build build-mpi-asan -j"$(nproc)" --target zcnas_cli >/dev/null
    (cd build-mpi-asan && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -R '^mpi_jobs$')
fi
