#!/usr/bin/env bash
# The main job on the embedded default, end to end:
#   1. plan and render inventories/seed offline (build/seed/);
#   2. bring up the strongSwan lab (four network-namespace sites with real charon daemons) and roll
#      out inventories/lab's intent with the strongSwan role;
#   3. start two simulated IOS routers and push the seed's site-to-site intent with the IOS role;
#   4. verify every tunnel (IKE + IPsec SAs, traffic probes) and print each tunnel's state.
# The simulated routers are stopped at the end. The lab stays up for exploration unless
# IPSEC_VPN_DEMO_KEEP_LAB=0; `make lab-down` removes it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export ANSIBLE_COLLECTIONS_PATH="$repo/build/collections"
export ANSIBLE_HOME="$repo/build/ansible-home"
export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
keep_lab=${IPSEC_VPN_DEMO_KEEP_LAB:-1}
demo="$repo/build/demo"
ios_state="$demo/ios-sim"
reports="$demo/reports"
step() { printf '\n##### %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "make demo needs root: the strongSwan lab uses network namespaces" >&2
  exit 1
fi
rm -rf "$demo"
mkdir -p "$demo" "$reports"
# Same machine-wide lock as the end-to-end tests: never rebuild the lab under a running test.
lock_dir=/run/lock; [ -d "$lock_dir" ] || lock_dir=${TMPDIR:-/tmp}
exec 9>"$lock_dir/ipsec-vpn-lab.lock"
flock -w 900 9 || { echo "the strongSwan lab is busy (lock held for 15 minutes)" >&2; exit 1; }

stop_ios() { .venv/bin/python -m tests.ios_sim stop --state-dir "$ios_state" >/dev/null 2>&1 || true; }
cleanup() {
  stop_ios
  if [ "$keep_lab" = 0 ]; then lab/labctl down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

step "1/4 offline plan and render of inventories/seed"
scripts/render-seed.sh

step "2/4 strongSwan lab: up, then roll out inventories/lab"
started=$(date +%s%N)
lab/labctl up
echo "lab up in $(( ($(date +%s%N) - started) / 1000000 )) ms"
.venv/bin/ansible-playbook -i inventories/lab/hosts.yml playbooks/strongswan.yml

step "3/4 IOS: two simulated routers, then push the seed's site-to-site intent"
.venv/bin/python -m tests.ios_sim start --world tests/ios_sim/data/world-site-to-site.yml --state-dir "$ios_state"
ios_inventory=(-i inventories/seed/site_to_site -i "$ios_state/inventory.yml"
  --vault-password-file inventories/seed/vault-password.txt)
.venv/bin/ansible-playbook "${ios_inventory[@]}" playbooks/ios.yml

step "4/4 verify every tunnel and write the reports"
status=0
.venv/bin/ansible-playbook -i inventories/lab/hosts.yml playbooks/verify.yml \
  -e "verify_report_dir=$reports/lab" || status=1
.venv/bin/ansible-playbook "${ios_inventory[@]}" playbooks/verify.yml \
  -e "verify_report_dir=$reports/ios" || status=1

step "tunnel states"
.venv/bin/python scripts/print-tunnel-states.py "$reports/lab" "$reports/ios"
echo
echo "reports: build/demo/reports/{lab,ios}/ (JSON, JUnit XML, Markdown with a Mermaid diagram)"
if [ "$keep_lab" = 1 ]; then
  echo "the strongSwan lab is still up: 'lab/labctl status', 'lab/labctl ssh site1', 'make lab-down'"
fi
exit "$status"
