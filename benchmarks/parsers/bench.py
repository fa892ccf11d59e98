#!/usr/bin/env python
"""Benchmark the ``show crypto ipsec sa detail`` parser against Genie and ntc-templates TextFSM.

Run from the repository root:
    python3 benchmarks/parsers/bench.py                  # creates/uses build/bench-venv
    python3 benchmarks/parsers/bench.py --python /path/to/python-with-genie
    python3 benchmarks/parsers/bench.py --peers 10,100 --repeat 5 --json build/bench.json
    git show HEAD~1:plugins/module_utils/parsers/ios_ipsec_sa.py > build/old_ipsec_sa.py
    python3 benchmarks/parsers/bench.py --baseline build/old_ipsec_sa.py   # before/after in one run

Every parser reads the same generated text (benchmarks/parsers/generate.py) in the same process:
the ``xe16`` layout at each size (the one layout every peer reads), then, at the largest size, the
``xe16v6`` layout (IPv6 peers and key lifetimes in words mixed in), which some peers cannot read.
The runs are interleaved: each round runs every parser once, starting with a different parser each
round, so a change of machine load hits every parser alike. For each parser the report gives the
median wall time of the ``--repeat`` rounds with its spread (fastest and slowest round), the median
CPU time of the process (which leaves out the time the process waited for a core) and the ratio
peer median / ipsec.vpn median. A scaling line gives each parser's median time per peer at every
size. Accuracy is the share of ground-truth fields (per SA, see FIELDS) that a parser returns with
the right value. A peer that cannot be installed or imported is reported as missing, and the rest
still runs.

Peers:
- genie device.parse(): ``Device(os="iosxe").parse(command, output=text)``: lookup + regexes + schema check;
- genie cli():          ``ShowCryptoIpsecSaDetail(device=dev).cli(output=text)``: the regexes only;
- textfsm parse_output: ``ntc_templates.parse.parse_output(platform="cisco_ios", ...)``, as most playbooks call it;
- textfsm compiled:     the same template compiled once, then ``Reset()`` + ``ParseText()`` per run;
- ipsec.vpn baseline:   with ``--baseline FILE``, another version of ios_ipsec_sa.py (e.g. the previous commit's).
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import traceback
import venv

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_VENV = os.path.join(REPO_ROOT, "build", "bench-venv")
COMMAND = "show crypto ipsec sa detail"

# Fields compared per SA row (one row per inbound/outbound ESP SA).
FIELDS = (
    "interface",
    "local_addr",
    "local_mask",
    "remote_addr",
    "remote_mask",
    "peer",
    "peer_port",
    "pkts_encaps",
    "pkts_encrypt",
    "pkts_digest",
    "pkts_decaps",
    "pkts_decrypt",
    "pkts_verify",
    "pkts_replay_failed_rcv",
    "pkts_no_sa_send",
    "local_endpt",
    "remote_endpt",
    "path_mtu",
    "ip_mtu_idb",
    "current_outbound_spi",
    "pfs",
    "dh_group",
    "direction",
    "transform",
    "conn_id",
    "flow_id",
    "crypto_map",
    "remaining_kb",
    "remaining_sec",
    "iv_size",
    "status",
)


# --- environment -------------------------------------------------------------------------


def _ensure_venv(path):
    """Create the benchmark venv and install the peers; return its python (or None on failure)."""
    python = os.path.join(path, "bin", "python")
    marker = os.path.join(path, ".installed")
    if os.path.exists(marker):
        return python
    if not os.path.exists(python):
        print(f"creating {path}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(path)
    requirements = os.path.join(HERE, "requirements.txt")
    print(f"installing {requirements} into {path} (a few minutes the first time)", file=sys.stderr)
    result = subprocess.run([python, "-m", "pip", "install", "-q", "-r", requirements], check=False)
    if result.returncode != 0:
        # Install what can be installed, one package at a time, so one missing peer does not stop the rest.
        with open(requirements) as handle:
            for line in handle:
                line = line.split("#", 1)[0].strip()
                if line:
                    subprocess.run([python, "-m", "pip", "install", "-q", line], check=False)
    with open(marker, "w") as handle:
        handle.write("done\n")
    return python


def collection_path():
    """Make ansible_collections.ipsec.vpn importable (a symlink tree under build/, as the tests do)."""
    root = os.path.join(REPO_ROOT, "build", "collections")
    namespace = os.path.join(root, "ansible_collections", "ipsec")
    os.makedirs(namespace, exist_ok=True)
    link = os.path.join(namespace, "vpn")
    if not os.path.islink(link):
        try:
            os.symlink(REPO_ROOT, link)
        except FileExistsError:
            pass
    return root


# --- flattening every parser's result into comparable rows -------------------------------


def _row(interface, ident, direction, sa):
    return {
        "interface": interface,
        "local_addr": ident.get("local_addr"),
        "local_mask": ident.get("local_mask"),
        "remote_addr": ident.get("remote_addr"),
        "remote_mask": ident.get("remote_mask"),
        "peer": ident.get("peer"),
        "peer_port": ident.get("peer_port"),
        **{
            key: ident.get(key)
            for key in (
                "pkts_encaps",
                "pkts_encrypt",
                "pkts_digest",
                "pkts_decaps",
                "pkts_decrypt",
                "pkts_verify",
                "pkts_replay_failed_rcv",
                "pkts_no_sa_send",
                "local_endpt",
                "remote_endpt",
                "path_mtu",
                "ip_mtu_idb",
                "current_outbound_spi",
                "pfs",
                "dh_group",
            )
        },
        "direction": direction,
        **{
            key: sa.get(key)
            for key in (
                "transform",
                "conn_id",
                "flow_id",
                "crypto_map",
                "remaining_kb",
                "remaining_sec",
                "iv_size",
                "status",
            )
        },
    }


def _norm(value):
    return None if value is None else str(value).strip()


def rows_from_ours(result):
    rows = {}
    for name, iface in result.get("interfaces", {}).items():
        for ident in iface["idents"]:
            flat = {
                "local_addr": ident["local_ident"]["addr"],
                "local_mask": ident["local_ident"]["mask"],
                "remote_addr": ident["remote_ident"]["addr"],
                "remote_mask": ident["remote_ident"]["mask"],
                "peer": ident["current_peer"],
                "peer_port": ident["peer_port"],
                "local_endpt": ident["local_crypto_endpt"],
                "remote_endpt": ident["remote_crypto_endpt"],
                "path_mtu": ident["path_mtu"],
                "ip_mtu_idb": ident["ip_mtu_idb"],
                "current_outbound_spi": ident["current_outbound_spi"],
                "pfs": "Y" if ident["pfs"] else "N",
                "dh_group": ident["dh_group"],
                **ident["counters"],
            }
            for direction in ("inbound", "outbound"):
                for sa in ident[direction + "_esp_sas"]:
                    sa_flat = dict(
                        sa, transform=" ".join(sa["transform"]), status="%s(%s)" % (sa["status"], sa["status_detail"])
                    )
                    rows[sa["spi"]] = _row(name, flat, direction, sa_flat)
    return rows


def _spi_decimal(text):
    text = str(text)
    return int(text[text.index("(") + 1 : text.index(")")]) if "(" in text else None


def rows_from_genie(result):
    rows = {}
    for name, iface in result.get("interface", {}).items():
        for ident in iface.get("ident", {}).values():
            local, remote = ident.get("local_ident", {}), ident.get("remote_ident", {})
            flat = dict(
                ident,
                local_addr=local.get("addr"),
                local_mask=local.get("mask"),
                remote_addr=remote.get("addr"),
                remote_mask=remote.get("mask"),
                peer=ident.get("peer_ip"),
                peer_port=ident.get("port"),
                local_endpt=ident.get("local_crypto_endpt"),
                remote_endpt=ident.get("remote_crypto_endpt"),
                current_outbound_spi=_spi_decimal(ident.get("current_outbound_spi", "")),
            )
            for direction in ("inbound", "outbound"):
                for spi, sa in ident.get(direction + "_esp_sas", {}).get("spi", {}).items():
                    kb = sec = None
                    lifetime = sa.get("remaining_key_lifetime", "")
                    if lifetime.startswith("("):
                        kb, _unused, sec = lifetime.strip("()").partition("/")
                    sa_flat = dict(
                        sa,
                        remaining_kb=kb,
                        remaining_sec=sec,
                        iv_size=str(sa.get("iv_size", "")).replace(" bytes", "") or None,
                        flow_id="%s:%s" % (sa.get("flow_id"), sa.get("flow_id_val")) if "flow_id" in sa else None,
                    )
                    rows[_spi_decimal(spi)] = _row(name, flat, direction, sa_flat)
    return rows


def rows_from_textfsm(records):
    rows = {}
    for rec in records:
        rec = {key.upper(): value for key, value in rec.items()}  # parse_output() lowercases the headers
        if rec.get("SA_TYPE") != "esp":
            continue
        ident = {
            "local_addr": rec["LOCAL_IDENT_ADDR"],
            "local_mask": rec["LOCAL_IDENT_MASK"],
            "remote_addr": rec["REMOTE_IDENT_ADDR"],
            "remote_mask": rec["REMOTE_IDENT_MASK"],
            "peer": rec["CURRENT_PEER"],
            "peer_port": rec["PORT"],
            "pkts_encaps": rec["PKTS_ENCAPS"],
            "pkts_encrypt": rec["PKTS_ENCRYPT"],
            "pkts_digest": rec["PKTS_DIGEST"],
            "pkts_decaps": rec["PKTS_DECAPS"],
            "pkts_decrypt": rec["PKTS_DECRYPT"],
            "pkts_verify": rec["PKTS_VERIFY"],
            "pkts_replay_failed_rcv": rec["PKTS_REPLAY_FAILED"],
            "pkts_no_sa_send": rec["PKTS_NO_SA"],
            "local_endpt": rec["LOCAL_CRYPTO_ENDPT"],
            "remote_endpt": rec["REMOTE_CRYPTO_ENDPT"],
            "path_mtu": rec["PATH_MTU"],
            "ip_mtu_idb": rec["IP_MTU_IDB"],
            "current_outbound_spi": rec["CURRENT_OUTBOUND_SPI_DEC"],
            "pfs": rec["PFS"],
            "dh_group": rec["DH_GROUP"],
        }
        sa = {
            "transform": rec["SA_TRANSFORM"],
            "conn_id": rec["SA_CONN_ID"],
            "flow_id": rec["SA_FLOW_ID"],
            "crypto_map": rec["SA_CRYPTO_MAP"],
            "remaining_kb": rec["SA_LIFETIME_KBYTES"],
            "remaining_sec": rec["SA_LIFETIME_SEC"],
            "iv_size": rec["SA_IV_SIZE"],
            "status": rec["SA_STATUS"],
        }
        rows[int(rec["SA_SPI_DEC"])] = _row(rec["INTERFACE"], ident, rec["SA_ORIENTATION"], sa)
    return rows


def accuracy(truth_rows, rows):
    right = total = 0
    for spi, expected in truth_rows.items():
        got = rows.get(spi, {})
        for field in FIELDS:
            total += 1
            right += _norm(got.get(field)) == _norm(expected[field])
    return right / total if total else 0.0


# --- the worker: runs inside the venv that has the peers ---------------------------------


def _load_baseline(path):
    """Import another version of ios_ipsec_sa.py (it imports the collection's current helpers)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("ipsec_sa_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.parse_show_crypto_ipsec_sa


def _peers(baseline=None):
    """name -> (parse(text) -> native result, result -> rows); plus a list of missing peers."""
    sys.path.insert(0, collection_path())
    from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_ipsec_sa import parse_show_crypto_ipsec_sa

    peers = {"ipsec.vpn": (parse_show_crypto_ipsec_sa, rows_from_ours)}
    if baseline:
        peers["ipsec.vpn baseline"] = (_load_baseline(baseline), rows_from_ours)
    missing = []
    try:
        from genie.conf.base import Device
        from genie.libs.parser.iosxe.show_crypto import ShowCryptoIpsecSaDetail

        device = Device("bench", os="iosxe")
        device.custom.setdefault("abstraction", {})["order"] = ["os"]
        peers["genie device.parse()"] = (lambda text: device.parse(COMMAND, output=text), rows_from_genie)
        peers["genie cli() regex only"] = (
            lambda text: ShowCryptoIpsecSaDetail(device=device).cli(output=text),
            rows_from_genie,
        )
    except Exception as exc:  # any import problem means the peer is missing, not a failed benchmark
        missing.append(f"genie/pyats: {type(exc).__name__}: {exc}")
    try:
        import ntc_templates
        import textfsm
        from ntc_templates.parse import parse_output

        template = os.path.join(
            os.path.dirname(ntc_templates.__file__), "templates", "cisco_ios_show_crypto_ipsec_sa_detail.textfsm"
        )
        with open(template) as handle:
            fsm = textfsm.TextFSM(handle)

        def compiled(text):
            fsm.Reset()
            return [dict(zip(fsm.header, row)) for row in fsm.ParseText(text)]

        def via_parse_output(text):
            return parse_output(platform="cisco_ios", command=COMMAND, data=text)

        peers["textfsm parse_output()"] = (via_parse_output, rows_from_textfsm)
        peers["textfsm compiled once"] = (compiled, rows_from_textfsm)
    except Exception as exc:
        missing.append(f"ntc-templates/textfsm: {type(exc).__name__}: {exc}")
    return peers, missing


def _summary(wall, cpu):
    return {
        "median_s": statistics.median(wall),
        "min_s": min(wall),
        "max_s": max(wall),
        "cpu_median_s": statistics.median(cpu),
        "repeat": len(wall),
        "wall_s": wall,
        "cpu_s": cpu,
    }


def _timed(peers, text, truth, peers_count, repeat):
    """Interleaved rounds of every parser over ``text``; medians, spread, CPU time and accuracy."""
    names = list(peers)
    truth_rows = rows_from_ours(truth)
    entry = {"peers": peers_count, "lines": text.count("\n"), "sas": len(truth_rows), "results": {}}
    wall = {name: [] for name in names}
    cpu = {name: [] for name in names}
    outputs = {}
    failed = {}
    for round_number in range(repeat):
        # one run of each parser per round, starting with a different parser each round
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            if name in failed:
                continue
            function = peers[name][0]
            outputs.pop(name, None)  # free the previous result before the next run
            gc.collect()
            start_cpu = time.process_time()
            start = time.perf_counter()
            try:
                output = function(text)
            except Exception as exc:
                failed[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                continue
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
            outputs[name] = output
    for name in names:
        if name in failed:
            entry["results"][name] = {"error": failed[name]}
        else:
            entry["results"][name] = dict(
                _summary(wall[name], cpu[name]), accuracy=accuracy(truth_rows, peers[name][1](outputs[name]))
            )
    return entry


def worker(args):
    sys.path.insert(0, HERE)
    import generate

    peers, missing = _peers(args.baseline)
    report = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "missing": missing,
        "sizes": [],
        "xe17": {},
    }
    for peers_count in args.peers:
        text, truth = generate.generate_ipsec(peers_count, seed=peers_count, detail=True, style="xe16")
        report["sizes"].append(_timed(peers, text, truth, peers_count, args.repeat))
        print(f"done {peers_count} peers", file=sys.stderr)
    # The same at the largest size with IPv6 peers and key lifetimes in words mixed in (xe16v6).
    largest = max(args.peers)
    text, truth = generate.generate_ipsec(largest, seed=largest, detail=True, style="xe16v6")
    report["xe16v6"] = _timed(peers, text, truth, largest, args.repeat)
    print(f"done {largest} peers, xe16v6", file=sys.stderr)
    report["loadavg_end"] = os.getloadavg()
    # Accuracy only, on the IOS-XE 17 mix (several peers per crypto-map interface, dynamic maps, PQC, ...).
    text, truth = generate.generate_ipsec(100, seed=100, detail=True, style="xe17")
    truth_rows = rows_from_ours(truth)
    for name, (function, to_rows) in peers.items():
        try:
            report["xe17"][name] = {"accuracy": accuracy(truth_rows, to_rows(function(text)))}
        except Exception as exc:
            report["xe17"][name] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"}
    return report


def _ms(seconds):
    return f"{seconds * 1000:,.2f}" if seconds < 10 else f"{seconds * 1000:,.0f}"


def print_report(report):
    load = report.get("loadavg")
    load_end = report.get("loadavg_end")
    print(f"Python {report['python']}, {report['cpus']} CPUs", end="")
    if load and load_end:
        print(f", load average {load[0]:.1f} at the start, {load_end[0]:.1f} at the end", end="")
    print()
    print("wall times in ms: median of the rounds [fastest .. slowest]; cpu = median CPU time of the process;")
    print("ratio = parser's median / ipsec.vpn's median (same rounds)")
    for line in report["missing"]:
        print(f"MISSING PEER: {line}")
    v6 = report.get("xe16v6")
    for entry in report["sizes"] + ([v6] if v6 else []):
        ours = entry["results"]["ipsec.vpn"]["median_s"]
        title = ", IPv6 peers and lifetimes in words mixed in (xe16v6)" if entry is v6 else ""
        print(
            f"\n{entry['peers']} peers{title} ({entry['lines']} lines, {entry['sas']} ESP SAs), "
            f"{entry['results']['ipsec.vpn']['repeat']} rounds:"
        )
        print(
            f"  {'parser':24} {'median':>9} {'[fastest .. slowest]':>22} {'cpu':>9} {'ratio':>7} {'per peer':>10} {'accuracy':>8}"
        )
        for name, res in entry["results"].items():
            if "error" in res:
                print(f"  {name:24} FAILED: {res['error']}")
                continue
            spread = f"[{_ms(res['min_s'])} .. {_ms(res['max_s'])}]"
            print(
                f"  {name:24} {_ms(res['median_s']):>9} {spread:>22} {_ms(res['cpu_median_s']):>9} "
                f"{res['median_s'] / ours:6.1f}x {res['median_s'] / entry['peers'] * 1e6:8.1f}us "
                f"{res['accuracy'] * 100:7.2f}%"
            )
    sizes = report["sizes"]
    if len(sizes) > 1:
        counts = "/".join(str(entry["peers"]) for entry in sizes)
        print(f"\nScaling: median time per peer (us) at {counts} peers; last/first = 1.0 for linear time")
        for name in sizes[0]["results"]:
            per_peer = [
                entry["results"][name]["median_s"] / entry["peers"] * 1e6
                for entry in sizes
                if "median_s" in entry["results"].get(name, {})
            ]
            if len(per_peer) == len(sizes):
                steps = " / ".join(f"{value:,.1f}" for value in per_peer)
                print(f"  {name:24} {steps}   last/first {per_peer[-1] / per_peer[0]:.2f}")
    print("\nIOS-XE 17 mix, 100 peers (accuracy only):")
    for name, res in report["xe17"].items():
        print(f"  {name:24} " + (f"FAILED: {res['error']}" if "error" in res else f"{res['accuracy'] * 100:.2f}%"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--python", help="interpreter that has genie/pyats/ntc-templates (default: build/bench-venv)")
    parser.add_argument("--peers", default="10,100,1000", help="comma-separated peer counts")
    parser.add_argument("--repeat", type=int, default=9, help="rounds per size (median reported)")
    parser.add_argument("--baseline", help="another version of ios_ipsec_sa.py to time in the same rounds")
    parser.add_argument("--json", help="also write the report as JSON to this file")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.peers = [int(p) for p in args.peers.split(",")]
    if args.worker:
        try:
            report = worker(args)
        except Exception:
            traceback.print_exc()
            return 1
        print(json.dumps(report))
        return 0
    python = args.python or _ensure_venv(DEFAULT_VENV)
    command = [
        python,
        os.path.abspath(__file__),
        "--worker",
        "--peers",
        ",".join(map(str, args.peers)),
        "--repeat",
        str(args.repeat),
    ]
    if args.baseline:
        command += ["--baseline", os.path.abspath(args.baseline)]
    completed = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if completed.returncode != 0:
        print(f"benchmark worker failed under {python}", file=sys.stderr)
        return completed.returncode
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    print_report(report)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
