#!/usr/bin/env python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planner benchmark: plan every host of big generated intents, at 1x and 10x size.

Scenarios
  hub     one hub with 2,000 spokes (2,000 tunnels); 10x = ten such hubs (20,000 tunnels)
  mesh    full mesh of 100 sites (4,950 tunnels); 10x = 316 sites (49,770 tunnels)

Each measurement runs in a fresh Python process (``--repeat`` times; the run with the median
CPU time counts) and reports wall-clock and CPU seconds for ``plan_all(intent)``
(validation, cross-checks and every host's plan) and the peak resident memory of that
process. The 10x/1x verdict uses CPU time, because wall-clock time on a shared machine also
measures the neighbours. ``--tracemalloc`` also reports the peak of Python allocations
(slower); ``--calls`` counts Python function calls, which do not depend on machine load.
Not part of the test suite:

    .venv/bin/python benchmarks/planner/bench.py [--scenario hub|mesh|all] [--tracemalloc] [--calls]
"""

from __future__ import print_function

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

PROFILE = {
    "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
    "ipsec": {"proposals": [{"encryption": "aes256gcm16"}], "pfs_group": 14},
}


def _outside(index):
    """A distinct public /24 per site, counting up from 100.64.0.0/24."""
    return "100.%d.%d.1/24" % (64 + index // 256, index % 256), "100.%d.%d.254" % (64 + index // 256, index % 256)


def _lan(index):
    return "10.%d.%d.0/24" % (index // 256, index % 256)


def hub_intent(hubs, spokes_per_hub):
    gateways = {}
    groups = []
    site = 0
    for h in range(hubs):
        hub = "hub%02d" % h
        address, hop = _outside(site)
        gateways[hub] = {
            "platform": "ios",
            "outside_interface": "GigabitEthernet1",
            "outside_address": address,
            "internet_next_hop": hop,
            "protected_networks": ["172.%d.0.0/16" % (16 + h)],
            "site_id": 6001 + h,
        }
        site += 1
        spokes = []
        for s in range(1, spokes_per_hub + 1):
            name = "h%02d-spoke%04d" % (h, s)
            address, hop = _outside(site)
            gateways[name] = {
                "platform": "strongswan" if s % 2 else "ios",
                "outside_interface": "eth0",
                "outside_address": address,
                "internet_next_hop": hop,
                "protected_networks": [_lan(site)],
            }
            site += 1
            spokes.append(name)
        groups.append(
            {"name": "hs%02d" % h, "type": "hub_and_spoke", "hubs": [hub], "spokes": spokes, "profile": "p", "psk": "k"}
        )
    return {"crypto_profiles": {"p": PROFILE}, "gateways": gateways, "groups": groups}


def mesh_intent(sites):
    gateways = {}
    for i in range(1, sites + 1):
        address, hop = _outside(i)
        gateways["site%04d" % i] = {
            "platform": "strongswan" if i % 2 else "ios",
            "outside_interface": "eth0",
            "outside_address": address,
            "internet_next_hop": hop,
            "protected_networks": [_lan(i)],
        }
    group = {"name": "mesh", "type": "full_mesh", "members": sorted(gateways), "profile": "p", "psk": "k"}
    return {"crypto_profiles": {"p": PROFILE}, "gateways": gateways, "groups": [group]}


SCENARIOS = {
    "hub": {"1x": lambda: hub_intent(1, 2000), "10x": lambda: hub_intent(10, 2000)},
    "mesh": {"1x": lambda: mesh_intent(100), "10x": lambda: mesh_intent(316)},
}


def count_calls(scenario, size):
    """Python function calls made by ``plan_all``: a machine-independent measure of the work."""
    import cProfile
    import pstats

    sys.path.insert(0, os.path.join(REPO, "build", "collections"))
    _link_collection()
    from ansible_collections.ipsec.vpn.plugins.module_utils import planner

    intent = SCENARIOS[scenario][size]()
    profiler = cProfile.Profile()
    profiler.enable()
    planner.plan_all(intent)
    profiler.disable()
    print(json.dumps({"calls": pstats.Stats(profiler).total_calls}))


def measure(scenario, size, use_tracemalloc):
    """Run in this process (called in a child): build, plan, print one JSON line."""
    import resource
    import tracemalloc

    sys.path.insert(0, os.path.join(REPO, "build", "collections"))
    _link_collection()
    from ansible_collections.ipsec.vpn.plugins.module_utils import planner

    intent = SCENARIOS[scenario][size]()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if use_tracemalloc:
        tracemalloc.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    plans = planner.plan_all(intent)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    traced = tracemalloc.get_traced_memory()[1] if use_tracemalloc else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tunnels = sum(len(p.get("tunnels", [])) for p in plans.values()) // 2
    print(
        json.dumps(
            {
                "scenario": scenario,
                "size": size,
                "hosts": len(plans),
                "tunnels": tunnels,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_rss_mb": peak / 1024.0,
                "rss_growth_mb": (peak - before) / 1024.0,
                "traced_peak_mb": traced / 1e6 if traced is not None else None,
            }
        )
    )


def _link_collection():
    link_dir = os.path.join(REPO, "build", "collections", "ansible_collections", "ipsec")
    link = os.path.join(link_dir, "vpn")
    if not os.path.exists(link):
        os.makedirs(link_dir, exist_ok=True)
        os.symlink(REPO, link)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=["hub", "mesh", "all"], default="all")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per measurement; the median counts")
    parser.add_argument(
        "--calls", action="store_true", help="also count Python function calls (a load-independent work measure)"
    )
    parser.add_argument("--child", nargs=2, metavar=("SCENARIO", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--child-calls", nargs=2, metavar=("SCENARIO", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.child[0], args.child[1], args.tracemalloc)
        return 0
    if args.child_calls:
        count_calls(args.child_calls[0], args.child_calls[1])
        return 0
    names = ["hub", "mesh"] if args.scenario == "all" else [args.scenario]
    print(
        "%-5s %-4s %6s %7s %9s %9s %12s %10s"
        % ("case", "size", "hosts", "tunnels", "wall s", "CPU s", "peak RSS MB", "traced MB")
    )
    status = 0
    for name in names:
        rows = {}
        for size in ("1x", "10x"):
            cmd = [sys.executable, os.path.abspath(__file__), "--child", name, size]
            if args.tracemalloc:
                cmd.append("--tracemalloc")
            runs = []
            for _unused in range(max(1, args.repeat)):
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                runs.append(json.loads(out.strip().splitlines()[-1]))
            runs.sort(key=lambda r: r["cpu_seconds"])
            row = runs[len(runs) // 2]  # the median run: robust against a lucky or a disturbed one
            rows[size] = row
            traced = "%.1f" % row["traced_peak_mb"] if row["traced_peak_mb"] is not None else "-"
            print(
                "%-5s %-4s %6d %7d %9.2f %9.2f %12.1f %10s"
                % (
                    name,
                    size,
                    row["hosts"],
                    row["tunnels"],
                    row["seconds"],
                    row["cpu_seconds"],
                    row["peak_rss_mb"],
                    traced,
                )
            )
        if args.calls:
            calls = {}
            for size in ("1x", "10x"):
                cmd = [sys.executable, os.path.abspath(__file__), "--child-calls", name, size]
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                calls[size] = json.loads(out.strip().splitlines()[-1])["calls"]
            print(
                "%-5s function calls: 1x %d, 10x %d, ratio %.2fx"
                % (name, calls["1x"], calls["10x"], calls["10x"] / float(calls["1x"]))
            )
        tunnels_ratio = rows["10x"]["tunnels"] / float(rows["1x"]["tunnels"])
        # CPU time: wall-clock time on a shared 2-core machine also measures the neighbours.
        time_ratio = rows["10x"]["cpu_seconds"] / rows["1x"]["cpu_seconds"]
        mem_ratio = rows["10x"]["rss_growth_mb"] / max(rows["1x"]["rss_growth_mb"], 1e-9)
        print(
            "%-5s ratio 10x/1x: tunnels %.1fx, CPU time %.1fx, memory growth %.1fx -> %s"
            % (name, tunnels_ratio, time_ratio, mem_ratio, "ok" if time_ratio <= 1.2 * tunnels_ratio else "SUPERLINEAR")
        )
        if time_ratio > 1.2 * tunnels_ratio:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
