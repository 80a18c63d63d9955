#!/usr/bin/env bash
# Installs the Debian 12 packages zcnas needs to build and test. As root it runs apt-get; otherwise
# it prints the exact command to run and exits non-zero if something is missing.
set -euo pipefail
pkgs=(cmake gcc make libc6-dev python3 python3-dev python3-setuptools python3-pytest python3-numpy python3-scipy python3-torch python3-pil libdnnl-dev libjpeg-dev libpng-dev
      protobuf-c-compiler libprotobuf-c-dev libonnx-dev
      pkgconf clang libfuzzer-14-dev libopenmpi-dev openmpi-bin)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    echo "zcnas: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "zcnas: missing Debian packages; run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
