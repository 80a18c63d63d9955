#!/usr/bin/env bash
# One command: install what is missing, build (quietly), and run the demo on the data in $ZCNAS_DATA
# (default: ../shared/data beside the checkout). Arguments go to `zcnas demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh --quiet
source scripts/data-env.sh
exec build/zcnas demo "$@"
