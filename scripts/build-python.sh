#!/usr/bin/env bash
# Builds the library (scripts/build.sh) and the Python package (python/) against it into build/python,
# without installing anything: then `export PYTHONPATH=$PWD/build/python` and `import zcnas`.
# (To install it instead: a venv and pip, see the README's "Using zcnas from Python".)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh --quiet
log=$(mktemp)
if ! (cd python && ZCNAS_BUILD=../build /usr/bin/python3 setup.py -q build --force --build-lib ../build/python \
          --build-temp ../build/python-tmp) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "zcnas: building the Python package failed" >&2
    exit 1
fi
rm -f "$log"
echo "zcnas: the Python package is in build/python: export PYTHONPATH=$PWD/build/python"
