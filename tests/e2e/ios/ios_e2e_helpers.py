"""Run the collection's IOS playbooks with ansible-playbook against simulated routers (tests/ios_sim)."""

import copy
import os
import re
import sys

import playbook_runner
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from tests.ios_sim import World  # noqa: E402  (the simulator lives in the repository, not in the collection)

HERE = os.path.dirname(os.path.abspath(__file__))
WORLD_FILE = os.path.join(HERE, "world-three-sites.yml")
SEED_VARS = os.path.join(REPO, "inventories", "seed", "site_to_site", "group_vars", "all")
VAULT_PASSWORD = os.path.join(REPO, "inventories", "seed", "vault-password.txt")
PLAYBOOKS = os.path.join(REPO, "playbooks")
BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = playbook_runner.ANSIBLE_PLAYBOOK

# A key that appears nowhere else, so that a leak is easy to spot in any output.
PSK = "e2eKey-Qx7v2"

TIMINGS = []


def seed_intent():
    """The seed's site-to-site intent (the key stays the vaulted variable)."""
    with open(os.path.join(SEED_VARS, "intent.yml")) as handle:
        return yaml.safe_load(handle)["ipsec_vpn_intent"]


def three_site_intent(with_r4_tunnel=True):
    """The seed plus gateway R4 (202.100.1.3, LAN 172.16.3.0/24) and, optionally, tunnel r2-r4."""
    intent = copy.deepcopy(seed_intent())
    intent["gateways"]["R4"] = {
        "platform": "ios",
        "outside_interface": "Serial0",
        "outside_address": "202.100.1.3/24",
        "protected_networks": ["172.16.3.0/24"],
        "crypto_map_name": "MYMAP",
    }
    if with_r4_tunnel:
        intent["tunnels"].append({
            "name": "r2-r4",
            "profile": "legacy",
            "psk": "{{ vault_psk_r2_r3 }}",
            "a": {"gateway": "R2"},
            "b": {"gateway": "R4"},
        })
    return intent


class Run(object):
    def __init__(self, rc, output, results, seconds):
        self.rc = rc
        self.output = output
        self.results = results
        self.seconds = seconds

    def task(self, suffix, host):
        """Result of the task whose name ends with ``suffix`` on ``host`` (None when it did not run there)."""
        for name, hosts in self.results.items():
            if name.endswith(suffix) and host in hosts:
                return hosts[host]
        return None

    def changed(self, host):
        return [name for name, hosts in self.results.items() if hosts.get(host, {}).get("changed")]


class Lab(object):
    """A started world plus everything needed to run playbooks against it."""

    def __init__(self, tmp_path, world_file=WORLD_FILE, world_data=None):
        self.tmp = str(tmp_path)
        state = os.path.join(self.tmp, "state")
        if world_data is not None:
            self.world = World.from_dict(world_data, state_dir=state)
        else:
            self.world = World.from_yaml(world_file, state_dir=state)
        self.world.start()
        self.inventory = os.path.join(self.tmp, "inventory.yml")
        self.write_inventory()
        self.runs = 0

    def write_inventory(self, **overrides):
        """Inventory group ``ios`` (what playbooks/ios.yml targets), with host variable overrides."""
        data = yaml.safe_load(self.world.inventory(group="ios"))
        for host, values in overrides.items():
            data["all"]["children"]["ios"]["hosts"][host].update(values)
        with open(self.inventory, "w") as handle:
            yaml.safe_dump(data, handle)

    def stop(self):
        self.world.stop()

    def intent_file(self, intent, name="intent.yml"):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as handle:
            yaml.safe_dump({"ipsec_vpn_intent": intent}, handle, sort_keys=False)
        return path

    def playbook(self, playbook, intent=None, args=(), json_output=True, limit=None):
        """Run ``playbooks/<playbook>``; ``intent`` is a dict (written to a file) or None for no intent."""
        self.runs += 1
        cmd = []
        if intent is not None:
            # the seed's vault is loaded as it is, then the key is replaced from a file (not the command line,
            # which ansible-playbook prints at -vvvv) by one that occurs nowhere else
            keyfile = os.path.join(self.tmp, "key.yml")
            with open(keyfile, "w") as handle:
                yaml.safe_dump({"vault_psk_r2_r3": PSK}, handle)
            cmd += ["-e", "@" + self.intent_file(intent, "intent-%d.yml" % self.runs),
                    "-e", "@" + os.path.join(SEED_VARS, "vault.yml"),
                    "--vault-password-file", VAULT_PASSWORD, "-e", "@" + keyfile]
        if limit:
            cmd += ["--limit", limit]
        cmd += list(args)
        run = playbook_runner.run(os.path.join(PLAYBOOKS, playbook), self.inventory, *cmd, workdir=self.tmp, json_output=json_output, timeout=600,
                                  env={"ANSIBLE_PERSISTENT_COMMAND_TIMEOUT": "30",
                                       "ANSIBLE_PERSISTENT_CONNECT_TIMEOUT": "15"})
        TIMINGS.append((playbook, " ".join(args), round(run.seconds, 1)))
        return Run(run.returncode, run.output, run.results, run.seconds)

    # device helpers -------------------------------------------------------------------------------------------
    def show(self, host, *commands):
        return self.world.run(host, *commands)

    def running(self, host):
        text = self.world.run(host, "show running-config")
        skip = ("! Last configuration", "Current configuration")
        return "\n".join(line for line in text.splitlines() if not line.startswith(skip))

    def config_lines(self, host):
        return list(self.world.device(host).config_lines_received())

    def lines(self, host):
        return list(self.world.device(host).lines_received())


def has_line(text, line):
    return re.search(r"(?m)^%s$" % re.escape(line), text) is not None
