#!/usr/bin/env bash
# One command: install what is missing, build, and run the demo on the bundled CIFAR-10 sample.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/zcnas demo "$@"
