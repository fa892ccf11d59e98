"""Command line: start/stop a simulated world in the background, or run it in the foreground.

    python -m tests.ios_sim start --world WORLD.yml --state-dir DIR   # background; writes DIR/ports.json,
                                                                     # DIR/inventory.yml and DIR/ios_sim.pid
    python -m tests.ios_sim stop --state-dir DIR
    python -m tests.ios_sim run --world WORLD.yml [--state-dir DIR]  # foreground until Ctrl-C
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

PID_FILE = "ios_sim.pid"
PORTS_FILE = "ports.json"
INVENTORY_FILE = "inventory.yml"
LOG_FILE = "ios_sim.log"


def _serve(world_path: str, state_dir: str, host: str, ssh_type: str) -> int:
    from .world import World

    world = World.from_yaml(world_path, state_dir=state_dir).start(host=host)
    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if state_dir:
        _write_atomic(os.path.join(state_dir, INVENTORY_FILE), world.inventory(ssh_type=ssh_type or None))
        _write_atomic(os.path.join(state_dir, PORTS_FILE), json.dumps(world.ports, indent=2) + "\n")
    else:
        print(json.dumps(world.ports), flush=True)
    try:
        while not stop["now"]:
            time.sleep(0.2)
    finally:
        world.stop()
        if state_dir:
            for name in (PORTS_FILE, PID_FILE):
                path = os.path.join(state_dir, name)
                if os.path.exists(path):
                    os.unlink(path)
    return 0


def _write_atomic(path: str, text: str):
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            # A zombie has exited; whoever adopted it may take a while to reap it.
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _start(args) -> int:
    state_dir = os.path.abspath(args.state_dir)
    os.makedirs(state_dir, exist_ok=True)
    pid_path = os.path.join(state_dir, PID_FILE)
    if os.path.exists(pid_path):
        with open(pid_path, encoding="utf-8") as handle:
            old = int(handle.read().strip() or 0)
        if old and _alive(old):
            print(f"ios_sim: already running with pid {old} (state dir {state_dir})", file=sys.stderr)
            return 1
        os.unlink(pid_path)
    ports_path = os.path.join(state_dir, PORTS_FILE)
    if os.path.exists(ports_path):
        os.unlink(ports_path)
    package_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    log = open(os.path.join(state_dir, LOG_FILE), "ab")
    command = [sys.executable, "-m", __package__, "run", "--world", os.path.abspath(args.world),
               "--state-dir", state_dir, "--host", args.host]
    if args.ssh_type:
        command += ["--ssh-type", args.ssh_type]
    child = subprocess.Popen(command, cwd=package_parent, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                             start_new_session=True)
    with open(pid_path, "w", encoding="utf-8") as handle:
        handle.write(f"{child.pid}\n")
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if os.path.exists(ports_path):
            with open(ports_path, encoding="utf-8") as handle:
                print(handle.read().strip())
            return 0
        if child.poll() is not None:
            print(f"ios_sim: failed to start, see {os.path.join(state_dir, LOG_FILE)}", file=sys.stderr)
            os.unlink(pid_path)
            return 1
        time.sleep(0.05)
    print(f"ios_sim: no {PORTS_FILE} after {args.timeout}s; see {os.path.join(state_dir, LOG_FILE)}",
          file=sys.stderr)
    return 1


def _stop(args) -> int:
    pid_path = os.path.join(os.path.abspath(args.state_dir), PID_FILE)
    if not os.path.exists(pid_path):
        print(f"ios_sim: not running (no {pid_path})", file=sys.stderr)
        return 1
    with open(pid_path, encoding="utf-8") as handle:
        pid = int(handle.read().strip())
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + args.timeout
        while _alive(pid) and time.monotonic() < deadline:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.05)
        if _alive(pid):
            print(f"ios_sim: pid {pid} did not stop within {args.timeout}s", file=sys.stderr)
            return 1
    if os.path.exists(pid_path):
        os.unlink(pid_path)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.ios_sim", description="Simulated Cisco IOS routers")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start a world in the background")
    run = commands.add_parser("run", help="run a world in the foreground")
    for sub in (start, run):
        sub.add_argument("--world", required=True, help="world YAML file")
        sub.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
        sub.add_argument("--ssh-type", default="", choices=["", "libssh", "paramiko"],
                         help="set ansible_network_cli_ssh_type in the written inventory")
    start.add_argument("--state-dir", required=True, help="where ports.json, inventory.yml, transcripts go")
    start.add_argument("--timeout", type=float, default=15.0)
    run.add_argument("--state-dir", default="")
    stop = commands.add_parser("stop", help="stop a background world")
    stop.add_argument("--state-dir", required=True)
    stop.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    if args.command == "start":
        return _start(args)
    if args.command == "stop":
        return _stop(args)
    return _serve(args.world, args.state_dir, args.host, args.ssh_type)


if __name__ == "__main__":
    sys.exit(main())
