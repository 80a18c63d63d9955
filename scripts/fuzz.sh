#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz (clang, -DZCNAS_FUZZ=ON, in ./build-fuzz) and runs each
# for SECONDS, one after the other, on a scratch copy of its seed corpus (build-fuzz/corpus/<name>; the
# repository's corpus is never written) plus its past crashes (tests/fuzz/regressions/<name>), with its
# dictionary. Prints one line per harness (executions, executions per second, result) and exits 1 if any
# found a crash, leak, timeout, out-of-memory or sanitizer report (the input is kept in
# build-fuzz/artifacts/<name>/, named in the message).
#   scripts/fuzz.sh SECONDS            every harness
#   scripts/fuzz.sh SECONDS NAME...    only these
#   scripts/fuzz.sh --runs N [NAME...] N executions each (the long run of tests/fuzz/RESULTS.md)
#   scripts/fuzz.sh --list             the harness names
# A finding is fixed in the parser, and its input copied to tests/fuzz/regressions/<name>/, which the
# ctest test fuzz_regressions replays in every build.
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=tests/fuzz/harnesses.txt
names=($(grep -E '^[a-z]' "$manifest" | awk '{print $1}'))

usage() {
    echo "usage: scripts/fuzz.sh SECONDS [NAME...] | scripts/fuzz.sh --runs N [NAME...] | scripts/fuzz.sh --list" >&2
    exit 2
}
[ $# -ge 1 ] || usage
if [ "$1" = "--list" ]; then
    printf '%s\n' "${names[@]}"
    exit 0
fi
runs=0
if [ "$1" = "--runs" ]; then   # the long run: a number of executions per harness instead of a time
    [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || usage
    runs=$2
    shift 2
    seconds=0
else
    seconds=$1
    shift
    [[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage
fi
selected=("$@")
[ ${#selected[@]} -gt 0 ] || selected=("${names[@]}")
for n in "${selected[@]}"; do
    if ! printf '%s\n' "${names[@]}" | grep -qx -- "$n"; then
        echo "zcnas: no fuzz harness '$n' (scripts/fuzz.sh --list)" >&2
        exit 2
    fi
done

# clang with libFuzzer (Debian: clang and libfuzzer-14-dev); as root they are installed, as
# scripts/install-deps.sh does for the build's packages.
have_libfuzzer() {
    command -v clang >/dev/null 2>&1 || return 1
    local probe
    probe=$(mktemp -d)
    printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
        >"$probe/probe.c"
    local ok=0
    clang -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" >/dev/null 2>&1 || ok=1
    rm -rf "$probe"
    return $ok
}
if ! have_libfuzzer; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "zcnas: installing clang libfuzzer-14-dev" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends clang libfuzzer-14-dev >/dev/null
    else
        echo "zcnas: fuzzing needs clang with libFuzzer; run:" >&2
        echo "  sudo apt-get install -y clang libfuzzer-14-dev" >&2
        exit 1
    fi
fi

# Build: the library with the fuzzer's coverage, ASan and UBSan, and one fuzz_<name> per harness.
mkdir -p build-fuzz
log=build-fuzz/build.log
targets=()
for n in "${selected[@]}"; do targets+=("fuzz_$n"); done
if ! { CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DZCNAS_FUZZ=ON -DZCNAS_WITH_DNNL=OFF \
           -DBUILD_TESTING=OFF && cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "zcnas: the fuzz build failed (log: $log)" >&2
    exit 1
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
failed=0
printf '%-20s %14s %10s  %s\n' harness executions exec/s result
for n in "${selected[@]}"; do
    max_len=$(awk -v n="$n" '$1 == n {print $3}' "$manifest")
    corpus=build-fuzz/corpus/$n
    artifacts=build-fuzz/artifacts/$n
    flog=build-fuzz/logs/$n.log
    mkdir -p "$corpus" "$artifacts" build-fuzz/logs
    [ -d "tests/fuzz/corpus/$n" ] && cp -f "tests/fuzz/corpus/$n"/* "$corpus"/ 2>/dev/null || true
    args=("$corpus")
    [ -d "tests/fuzz/regressions/$n" ] && args+=("tests/fuzz/regressions/$n")
    [ -f "tests/fuzz/$n.dict" ] && args+=("-dict=tests/fuzz/$n.dict")
    if [ "$runs" -gt 0 ]; then args+=("-runs=$runs"); else args+=("-max_total_time=$seconds"); fi
    args+=(-timeout=10 -rss_limit_mb=2048 "-max_len=$max_len" -print_final_stats=1
           "-artifact_prefix=$artifacts/")
    rc=0
    "build-fuzz/tests/fuzz/fuzz_$n" "${args[@]}" >"$flog" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$flog" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$flog" | tail -1)
    if [ $rc -eq 0 ]; then
        result=ok
    else
        failed=1
        unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$flog" | tail -1)
        kind=crash
        grep -q "ERROR: LeakSanitizer" "$flog" && kind=leak
        grep -q "ERROR: libFuzzer: timeout" "$flog" && kind=timeout
        grep -q "ERROR: libFuzzer: out-of-memory" "$flog" && kind=out-of-memory
        grep -q "runtime error:" "$flog" && kind="sanitizer report (UBSan)"
        grep -q "ERROR: AddressSanitizer" "$flog" && kind="sanitizer report (ASan)"
        grep -q "property violated" "$flog" && kind="property violated"
        result="FAILED: $kind, input ${unit:-(none written)}, log $flog"
    fi
    printf '%-20s %14s %10s  %s\n' "$n" "${execs:-?}" "${rate:-?}" "$result"
done
if [ $failed -ne 0 ]; then
    echo "zcnas: fuzzing found problems: fix them, and copy each input to tests/fuzz/regressions/<harness>/" >&2
    exit 1
fi
