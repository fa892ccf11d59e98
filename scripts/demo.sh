#!/usr/bin/env bash
# The main job on the embedded default. Until the lab and the IOS simulator are wired in, this is
# the offline render of inventories/seed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
exec "$repo/scripts/render-seed.sh"
