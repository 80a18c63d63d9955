# Sourced by demo.sh and test.sh: points ZCNAS_DATA at the data directory. An existing ZCNAS_DATA is
# kept; otherwise ../shared/data beside the checkout is used when it exists. zcnas ships no datasets or
# benchmark tables: without either, zcnas itself says what it looked for and where to get the files.
if [ -n "${ZCNAS_DATA:-}" ] && [ -d "$ZCNAS_DATA" ]; then
    ZCNAS_DATA="$(cd "$ZCNAS_DATA" && pwd)"   # absolute: the tests run in other directories
    export ZCNAS_DATA
elif [ -z "${ZCNAS_DATA:-}" ] && [ -d "$(dirname "${BASH_SOURCE[0]}")/../../shared/data" ]; then
    ZCNAS_DATA="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../shared/data" && pwd)"
    export ZCNAS_DATA
fi
