#!/usr/bin/env bash
# Offline render of every scenario in inventories/seed: per-host plans (and configs, where a
# renderer exists) land in build/seed/<scenario>/. Nothing is contacted.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export ANSIBLE_COLLECTIONS_PATH="$repo/build/collections"
export ANSIBLE_HOME="$repo/build/ansible-home"
for scenario_dir in inventories/seed/*/; do
  scenario=$(basename "$scenario_dir")
  out="$repo/build/seed/$scenario"
  mkdir -p "$out"
  echo "== rendering seed scenario '$scenario' into build/seed/$scenario"
  .venv/bin/ansible-playbook -i "$scenario_dir" \
    --vault-password-file inventories/seed/vault-password.txt \
    -e "ipsec_vpn_build_dir=$out" playbooks/render.yml
done
echo "rendered: $(find build/seed -type f | wc -l) files under build/seed/"
