"""The simulator over real SSH (paramiko client): login, enable, modes, transcript, concurrency, the CLI."""

import json
import os
import re
import subprocess
import sys
import threading
import time

import paramiko
import pytest

from ..world import World
from .seed import WORLD_FILE

PROMPT = re.compile(r"[\r\n]?[\w+\-.:/\[\]]+(?:\([^)]+\)){0,3}[>#] ?$")
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


class Shell:
    """A minimal interactive client that, like network_cli, reads until something looks like a prompt."""

    def __init__(self, port, username="admin", password="cisco123"):
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self.client.connect("127.0.0.1", port=port, username=username, password=password, look_for_keys=False,
                            allow_agent=False, timeout=5)
        self.channel = self.client.invoke_shell(width=512)
        self.channel.settimeout(5)
        self.banner = self.read_until(PROMPT)

    def read_until(self, pattern) -> str:
        data = ""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            data += self.channel.recv(65536).decode()
            if pattern.search(data):
                return data
        raise AssertionError(f"no match for {pattern.pattern!r} in {data!r}")

    def send(self, line, until=PROMPT) -> str:
        self.channel.send(line + "\r")
        return self.read_until(until)

    def close(self):
        self.client.close()


@pytest.fixture
def started(tmp_path):
    world = World.from_yaml(WORLD_FILE, state_dir=str(tmp_path)).start()
    yield world
    world.stop()


def test_login_enable_and_prompts(started):
    shell = Shell(started.ports["R2"])
    try:
        assert shell.banner.endswith("R2>")
        assert shell.send("show privilege").endswith("Current privilege level is 1\r\nR2>")
        reply = shell.send("enable", until=re.compile(r"Password: $"))
        assert reply == "enable\r\nPassword: "
        assert shell.send("enablepass") == "\r\nR2#"  # the secret is not echoed
        assert shell.send("configure terminal").endswith("R2(config)#")
        assert shell.send("crypto isakmp policy 10").endswith("R2(config-isakmp)#")
        reply = shell.send("encryption aes 512")
        assert "% Invalid input detected at '^' marker." in reply and reply.endswith("R2(config-isakmp)#")
        # Still in the submode after the error: the next line is parsed there.
        assert shell.send("hash sha256").endswith("R2(config-isakmp)#")
        assert shell.send("end").endswith("R2#")
        assert "crypto isakmp policy 10\r\n hash sha256\r\n" in shell.send("show running-config | section isakmp")
    finally:
        shell.close()


def test_wrong_enable_secret_is_refused_after_three_tries(started):
    shell = Shell(started.ports["R2"])
    try:
        shell.send("enable", until=re.compile(r"Password: $"))
        assert shell.send("nope", until=re.compile(r"Password: $")) == "\r\nPassword: "
        shell.send("nope", until=re.compile(r"Password: $"))
        assert shell.send("nope") == "\r\n% Bad secrets\r\n\r\nR2>"
    finally:
        shell.close()


def test_wrong_login_password_is_rejected(started):
    with pytest.raises(paramiko.AuthenticationException):
        Shell(started.ports["R2"], password="wrong")


def test_transcript_records_every_line_with_prompt(started, tmp_path):
    shell = Shell(started.ports["R3"])
    try:
        shell.send("enable", until=re.compile(r"Password: $"))
        shell.send("enablepass")
        shell.send("terminal length 0")
        shell.send("configure terminal")
        shell.send("hostname EDGE3")
        shell.send("end")
    finally:
        shell.close()
    expected = [("R3>", "enable"), ("Password: ", "<hidden>"), ("R3#", "terminal length 0"),
                ("R3#", "configure terminal"), ("R3(config)#", "hostname EDGE3"), ("EDGE3(config)#", "end")]
    device = started.device("R3")
    assert [(entry.prompt, entry.line) for entry in device.transcript] == expected
    assert device.config_lines_received() == ["hostname EDGE3", "end"]
    with open(tmp_path / "R3.transcript", encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t")[2:] for line in handle]
    assert [tuple(row) for row in rows] == expected
    assert "enablepass" not in (tmp_path / "R3.transcript").read_text()


def test_exec_channel_runs_one_command(started):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect("127.0.0.1", port=started.ports["R2"], username="admin", password="cisco123",
                   look_for_keys=False, allow_agent=False)
    try:
        _unused, stdout, _unused = client.exec_command("show privilege")
        assert stdout.read().decode() == "Current privilege level is 1\r\n"
    finally:
        client.close()


def test_concurrent_sessions_on_both_devices(started):
    errors = []

    def worker(device, index):
        try:
            shell = Shell(started.ports[device])
            shell.send("enable", until=re.compile(r"Password: $"))
            shell.send("enablepass")
            for round_ in range(10):
                reply = shell.send(f"configure terminal\rinterface Loopback{index}\rdescription r{round_}\rend",
                                   until=re.compile(rf"{device}#$"))
                if "Invalid" in reply:
                    errors.append(reply)
                reply = shell.send(f"show running-config interface Loopback{index}")
                if f"description r{round_}" not in reply:
                    errors.append(reply)
            shell.close()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))

    threads = [threading.Thread(target=worker, args=(device, index)) for device in ("R2", "R3") for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert started.run("R2", "show running-config | include ^interface Loopback").split() == [
        "interface", "Loopback0", "interface", "Loopback1", "interface", "Loopback2", "interface", "Loopback3"]


def test_cli_start_writes_ports_inventory_and_stops(tmp_path):
    state = tmp_path / "state"
    started_at = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "tests.ios_sim", "start", "--world", WORLD_FILE,
                             "--state-dir", str(state)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30, check=False)
    startup_seconds = time.monotonic() - started_at
    assert result.returncode == 0, result.stderr
    try:
        ports = json.loads((state / "ports.json").read_text())
        assert set(ports) == {"R2", "R3"} and json.loads(result.stdout) == ports
        assert f"ansible_port: {ports['R2']}" in (state / "inventory.yml").read_text()
        assert (state / "ios_sim.pid").exists()
        shell = Shell(ports["R2"])
        assert shell.banner.endswith("R2>")
        shell.close()
        second = subprocess.run([sys.executable, "-m", "tests.ios_sim", "start", "--world", WORLD_FILE,
                                 "--state-dir", str(state)], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
        assert second.returncode == 1 and "already running" in second.stderr
    finally:
        stop = subprocess.run([sys.executable, "-m", "tests.ios_sim", "stop", "--state-dir", str(state)],
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=30, check=False)
    assert stop.returncode == 0, stop.stderr
    assert not (state / "ios_sim.pid").exists() and not (state / "ports.json").exists()
    assert "R2>\tenable" not in (state / "R2.transcript").read_text()  # we never sent enable
    assert startup_seconds < 5, f"start took {startup_seconds:.2f}s"
