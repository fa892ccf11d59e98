#!/usr/bin/env python
"""Count the CPU instructions the ``show crypto ipsec sa detail`` parser runs per peer (load-independent).

Wall and CPU times on a shared machine move with the load; the number of instructions does not.
This runs the parser under ``valgrind --tool=callgrind`` on the generated text at each size, once
with N parses and once with none, and prints the difference per parse and per peer. It needs
valgrind and takes a minute or two (the parser runs about 50 times slower under it).

Run from the repository root:
    python3 benchmarks/parsers/instructions.py
    python3 benchmarks/parsers/instructions.py --peers 10,100,1000 --baseline build/old_ipsec_sa.py
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))

CHILD = """
import importlib.util, sys
sys.path.insert(0, sys.argv[3])
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import ios_ipsec_sa as module
if len(sys.argv) > 4:
    spec = importlib.util.spec_from_file_location("ipsec_sa_baseline", sys.argv[4])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
with open(sys.argv[2]) as handle:
    text = handle.read()
module.parse_show_crypto_ipsec_sa(text[:2000])  # warm up: caches and first-call costs
for _unused in range(int(sys.argv[1])):
    module.parse_show_crypto_ipsec_sa(text)
"""


def _instructions(command):
    """Total instructions of ``command`` under callgrind."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not found:
        raise RuntimeError(f"callgrind failed: {result.stderr[-500:]}")
    return int(found.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--peers", default="10,100,1000", help="comma-separated peer counts")
    parser.add_argument("--baseline", help="another version of ios_ipsec_sa.py to count as well")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        print("valgrind is not installed", file=sys.stderr)
        return 1
    sys.path.insert(0, HERE)
    import bench
    import generate

    collections = bench.collection_path()
    versions = [("ipsec.vpn", [])]
    if args.baseline:
        versions.append(("ipsec.vpn baseline", [os.path.abspath(args.baseline)]))
    print("instructions per parse of the generated xe16 detail text (millions) and per peer (thousands)")
    with tempfile.TemporaryDirectory() as folder:
        child = os.path.join(folder, "child.py")
        with open(child, "w") as handle:
            handle.write(CHILD)
        for peers in (int(p) for p in args.peers.split(",")):
            text, _truth = generate.generate_ipsec(peers, seed=peers, detail=True, style="xe16")
            path = os.path.join(folder, f"ipsec_{peers}.txt")
            with open(path, "w") as handle:
                handle.write(text)
            runs = max(2, 2000 // peers)  # about the same work at every size
            for name, extra in versions:
                base = _instructions([sys.executable, child, "0", path, collections] + extra)
                total = _instructions([sys.executable, child, str(runs), path, collections] + extra)
                per_parse = (total - base) / runs
                print(f"  {peers:5} peers  {name:20} {per_parse / 1e6:9.2f} M  {per_parse / peers / 1e3:7.1f} k/peer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
