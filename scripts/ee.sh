#!/usr/bin/env bash
# Write the AWX execution-environment build context: build the collection tarball, then
# `ansible-builder create` into build/ee/ (no container engine is needed for this step).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
mkdir -p build/dist
rm -f build/dist/ipsec-vpn-*.tar.gz
.venv/bin/ansible-galaxy collection build --force --output-path build/dist . >/dev/null
mv build/dist/ipsec-vpn-*.tar.gz build/dist/ipsec-vpn.tar.gz
rm -rf build/ee
.venv/bin/ansible-builder create -f ee/execution-environment.yml -c build/ee --output-filename Containerfile
echo "execution-environment build context: build/ee/Containerfile"
