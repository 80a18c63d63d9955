#!/usr/bin/env bash
# Configures and builds zcnas (Release) in ./build. Extra arguments go to cmake.
# --quiet: print nothing unless the build fails (then the whole log).
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=0
if [ "${1:-}" = "--quiet" ]; then quiet=1; shift; fi
if [ $quiet -eq 1 ]; then
    log=$(mktemp)
    if ! { cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" && cmake --build build -j"$(nproc)"; } >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "zcnas: build failed" >&2
        exit 1
    fi
    rm -f "$log"
else
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
    cmake --build build -j"$(nproc)"
fi
