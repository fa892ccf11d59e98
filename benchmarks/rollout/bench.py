#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rollout-path benchmark: `render.yml` on generated inventories against Ansible's own floor.

For each size (default 200 and 1,000 sites) it generates an inventory (one IOS hub, the rest strongSwan spokes,
every host ``ansible_connection: local``), then times in the same run, alternating the two so that machine load hits
both alike:

  render   ``ansible-playbook playbooks/render.yml`` (offline: plans, IOS configs, swanctl files)
  floor    a bare playbook with one ``template`` task per host writing a small file: what any per-host playbook
           costs before it does any work of its own

and prints the medians, render/floor at each size, and each one's growth from the smallest to the largest size.
Goals (issue "site rollout"): render <= 1.5x the floor at every size, and render's growth no worse than the floor's
by more than 10 %. When ``playbooks/site.yml`` exists it also times ``site.yml --check`` at up to 200 sites
against no devices (planning and the check-mode path only).

Not part of the test suite:

    .venv/bin/python benchmarks/rollout/bench.py [--sizes 200,1000] [--rounds 3] [--forks 5]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(REPO, "build", "bench-rollout")
PYTHON_BIN = os.path.dirname(sys.executable)

FLOOR_PLAYBOOK = """---
- name: Ansible's floor, one template task per host
  hosts: all
  gather_facts: false
  tasks:
    - name: Write one small file per host
      ansible.builtin.template:
        src: floor.j2
        dest: "{{ out }}/{{ inventory_hostname }}.txt"
        mode: "0644"
      delegate_to: localhost
"""
FLOOR_TEMPLATE = "{{ inventory_hostname }} {{ ipsec_vpn_intent.gateways[inventory_hostname].outside_address }}\n"


def _outside(index):
    return "100.%d.%d.1/24" % (64 + index // 256, index % 256), "100.%d.%d.254" % (64 + index // 256, index % 256)


def intent(sites):
    """One IOS hub and sites-1 strongSwan spokes, each spoke one /24 LAN."""
    hub_address, hub_hop = _outside(0)
    gateways = {"hub": {"platform": "ios", "outside_interface": "GigabitEthernet1", "outside_address": hub_address,
                        "internet_next_hop": hub_hop, "protected_networks": ["172.16.0.0/16"], "site_id": 6001}}
    spokes = []
    for i in range(1, sites):
        name = "spoke%04d" % i
        address, hop = _outside(i)
        gateways[name] = {"platform": "strongswan", "outside_interface": "eth0", "outside_address": address,
                          "internet_next_hop": hop, "protected_networks": ["10.%d.%d.0/24" % (i // 256, i % 256)]}
        spokes.append(name)
    profile = {"ike": {"version": 2, "proposals": [{"encryption": "aes256gcm16", "prf": "sha256", "dh_group": 19}]},
               "ipsec": {"proposals": [{"encryption": "aes256gcm16"}], "pfs_group": 19}}
    return {"crypto_profiles": {"p": profile}, "gateways": gateways,
            "groups": [{"name": "g", "type": "hub_and_spoke", "hubs": ["hub"], "spokes": spokes, "profile": "p",
                        "psk": "bench-key-0123456789abcdef"}]}


def write_inventory(sites):
    root = os.path.join(WORK, str(sites))
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "group_vars", "all"))
    data = intent(sites)
    hosts = {name: {} for name in data["gateways"]}
    inventory = {"all": {"hosts": hosts, "vars": {"ansible_connection": "local",
                                                  "ansible_python_interpreter": sys.executable}}}
    with open(os.path.join(root, "hosts.json"), "w") as handle:
        json.dump(inventory, handle)
    with open(os.path.join(root, "group_vars", "all", "intent.json"), "w") as handle:
        json.dump({"ipsec_vpn_intent": data}, handle)
    with open(os.path.join(root, "floor.yml"), "w") as handle:
        handle.write(FLOOR_PLAYBOOK)
    with open(os.path.join(root, "floor.j2"), "w") as handle:
        handle.write(FLOOR_TEMPLATE)
    return root


def run(root, args, label):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"),
               ANSIBLE_HOME=os.path.join(REPO, "build", "ansible-home"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_HOST_KEY_CHECKING="0", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.null",
               PATH=PYTHON_BIN + os.pathsep + os.environ.get("PATH", ""))
    out = os.path.join(root, "out-" + label)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    started = time.monotonic()
    res = subprocess.run([os.path.join(PYTHON_BIN, "ansible-playbook"), "-i", os.path.join(root, "hosts.json")]
                         + [a.format(out=out) for a in args], cwd=root, env=env, capture_output=True, text=True,
                         check=False)
    elapsed = time.monotonic() - started
    if res.returncode != 0:
        sys.exit("%s failed (rc %d):\n%s\n%s" % (label, res.returncode, res.stdout[-3000:], res.stderr[-3000:]))
    return elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sizes", default="200,1000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--forks", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    forks = "--forks=%d" % args.forks
    render = os.path.join(REPO, "playbooks", "render.yml")
    site = os.path.join(REPO, "playbooks", "site.yml")
    results = {}
    for sites in sizes:
        root = write_inventory(sites)
        times = {"render": [], "floor": []}
        for _round in range(args.rounds):
            times["floor"].append(run(root, [forks, "floor.yml", "-e", "out={out}"], "floor"))
            times["render"].append(run(root, [forks, render, "-e", "ipsec_vpn_build_dir={out}"], "render"))
        if os.path.exists(site) and sites <= 200:
            times["site_check"] = [run(root, [forks, site, "--check", "-e", "ipsec_vpn_build_dir={out}"], "site")]
        results[sites] = {k: statistics.median(v) for k, v in times.items()}
        line = "  ".join("%s %.1fs" % (k, v) for k, v in sorted(results[sites].items()))
        print("%5d sites: %s  render/floor %.2fx" % (sites, line, results[sites]["render"] / results[sites]["floor"]),
              flush=True)
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        render_growth, floor_growth = large["render"] / small["render"], large["floor"] / small["floor"]
        print("growth %d -> %d sites: render %.2fx, floor %.2fx, render/floor growth %.2f (goal <= 1.10)"
              % (sizes[0], sizes[-1], render_growth, floor_growth, render_growth / floor_growth))
    worst = max(r["render"] / r["floor"] for r in results.values())
    print("worst render/floor %.2fx (goal <= 1.50)" % worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
