"""The ipsec.vpn.plan action and playbooks/plan.yml, run through ansible-playbook."""

import json
import os
import re
import shutil

import playbook_runner
import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
COLLECTIONS = os.path.join(REPO, "build", "collections")
SEED = os.path.join(REPO, "inventories", "seed")
VAULT = os.path.join(SEED, "vault-password.txt")


def run_playbook(tmp_path, playbook, inventory, *extra):
    run = playbook_runner.run(playbook, inventory, "--vault-password-file", VAULT, *extra, workdir=tmp_path,
                              cwd=os.getcwd(), timeout=300, env={"ANSIBLE_DEPRECATION_WARNINGS": "0"})
    return run.returncode, run.output


def write(path, data):
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_plan_action_returns_secret_plan_hidden_from_output(tmp_path):
    playbook = write(
        tmp_path / "play.yml",
        [
            {
                "hosts": "R2",
                "gather_facts": False,
                "tasks": [
                    {"name": "plan", "ipsec.vpn.plan": None, "register": "result"},
                    {
                        "name": "check",
                        "ansible.builtin.assert": {
                            "that": [
                                "result.plan.host == 'R2'",
                                "result.plan.tunnels[0].psk == 'cisco'",
                                "result.plan_masked.tunnels[0].psk == '********'",
                                "result.plan.crypto_maps[0].entries[0].sequence == 100",
                                "result.plan.management.address == '10.255.0.2'",
                                "result.plan.management.via_outside == false",
                            ],
                            "quiet": True,
                        },
                    },
                ],
            }
        ],
    )
    rc, out = run_playbook(tmp_path, playbook, os.path.join(SEED, "site_to_site"), "-v")
    assert rc == 0, out
    assert "censored" in out
    assert "'cisco'" not in out and '"cisco"' not in out
    assert "R2: crypto profile 'legacy' accepts weak algorithms" in out


def test_plan_action_fails_with_every_problem_and_no_traceback(tmp_path):
    intent_file = write(
        tmp_path / "bad.yml",
        {
            "ipsec_vpn_intent": {
                "crypto_profiles": {
                    "p": {"ike": {"proposals": []}, "ipsec": {"proposals": [{"encryption": "aes256"}]}}
                },
                "gateways": {"R2": {"platform": "ios", "outside_interface": "Gi1", "outside_address": "10.0.0.300/24"}},
            }
        },
    )
    playbook = write(
        tmp_path / "play.yml",
        [{"hosts": "R2", "gather_facts": False, "tasks": [{"name": "plan", "ipsec.vpn.plan": None}]}],
    )
    rc, out = run_playbook(tmp_path, playbook, os.path.join(SEED, "site_to_site"), "-e", "@%s" % intent_file)
    assert rc != 0
    assert "ipsec_vpn_intent has 3 problems (nothing was changed)" in out
    assert "- crypto_profiles.p.ike.proposals: needs at least one proposal" in out
    assert "- crypto_profiles.p.ipsec.proposals[0].integrity: required with the non-AEAD cipher aes256" in out
    assert "- gateways.R2.outside_address: '10.0.0.300/24' is not an address with prefix length" in out
    assert "Traceback" not in out


def test_lockout_guard_uses_the_hosts_own_ansible_host(tmp_path):
    playbook = write(
        tmp_path / "play.yml",
        [{"hosts": "R2", "gather_facts": False, "tasks": [{"name": "plan", "ipsec.vpn.plan": None}]}],
    )
    # R2 reached on its outside address: the seed's inbound ACL 100 has no permit for SSH.
    rc, out = run_playbook(
        tmp_path,
        playbook,
        os.path.join(SEED, "site_to_site"),
        "-e",
        "ansible_host=202.100.1.1",
        "-e",
        "ansible_port=2222",
    )
    assert rc != 0
    assert "would drop the management connection to 202.100.1.1 port 2222" in out
    assert "outside_acl.permit_management: true" in out


def test_plan_playbook_writes_masked_plans(tmp_path):
    out_dir = tmp_path / "out"
    build = out_dir / "plans"
    rc, out = run_playbook(
        tmp_path,
        os.path.join(REPO, "playbooks", "plan.yml"),
        os.path.join(SEED, "routing"),
        "-e",
        "ipsec_vpn_build_dir=%s" % out_dir,
    )
    assert rc == 0, out
    assert "ipsec.vpn output folder: %s (plans/)" % out_dir in out
    assert sorted(os.listdir(build)) == ["R1.json", "R2.json", "R3.json", "R4.json"]
    r2 = json.loads((build / "R2.json").read_text())
    assert r2["tunnels"][0]["psk"] == "********"
    assert r2["ikev2"]["keyring"]["peers"][0]["psk"] == "********"
    assert "routing-lab-demo-key" not in (build / "R2.json").read_text()
    assert [r["prefix"] for r in r2["routes"]] == ["1.1.1.0/24", "4.4.4.0/24", "30.0.0.0/8"]
    r4 = json.loads((build / "R4.json").read_text())
    assert [(r["prefix"], r["next_hop"]) for r in r4["routes"]] == [("1.1.1.0/24", "10.1.34.3")]


@pytest.mark.parametrize("limit", ["R3", "R2,R3"])
def test_limit_gives_the_same_plan(tmp_path, limit):
    full = tmp_path / "full"
    part = tmp_path / "part"
    inventory = os.path.join(SEED, "routing")
    play = os.path.join(REPO, "playbooks", "plan.yml")
    assert run_playbook(tmp_path, play, inventory, "-e", "ipsec_vpn_build_dir=%s" % full)[0] == 0
    rc, out = run_playbook(tmp_path, play, inventory, "-e", "ipsec_vpn_build_dir=%s" % part, "--limit", limit)
    assert rc == 0, out
    for host in limit.split(","):
        assert (part / "plans" / ("%s.json" % host)).read_text() == (full / "plans" / ("%s.json" % host)).read_text()
    assert not (part / "plans" / "R1.json").exists()


def test_only_the_intent_can_skip_the_crosscheck_and_it_warns(tmp_path):
    broken = (
        "{{ ipsec_vpn_intent | combine({'tunnels': [ipsec_vpn_intent.tunnels[0]"
        " | combine({'b': {'gateway': 'R3', 'psk': 'other'}})]}) }}"
    )
    playbook = write(
        tmp_path / "play.yml",
        [
            {
                "hosts": "R2",
                "gather_facts": False,
                "tasks": [
                    {"name": "break one end", "ansible.builtin.set_fact": {"ipsec_vpn_intent": broken}},
                    {"name": "plan", "ipsec.vpn.plan": None, "register": "result", "ignore_errors": True},
                    {"name": "refused", "ansible.builtin.assert": {"that": ["result is failed"]}},
                    {
                        "name": "no switch on the action",
                        "ipsec.vpn.plan": {"unsafe_skip_crosscheck": True},
                        "register": "switch",
                        "ignore_errors": True,
                    },
                    {
                        "name": "the action refuses it",
                        "ansible.builtin.assert": {
                            "that": ["switch is failed", "'unsafe_skip_crosscheck' in switch.msg"]
                        },
                    },
                    {
                        "name": "plan anyway, from the intent",
                        "ansible.builtin.set_fact": {
                            "ipsec_vpn_intent": "{{ ipsec_vpn_intent | combine({'unsafe_skip_crosscheck': true}) }}"
                        },
                    },
                    {"name": "plan forced", "ipsec.vpn.plan": None, "register": "forced"},
                    {
                        "name": "check",
                        "ansible.builtin.assert": {
                            "that": [
                                "forced.plan.checks[0].status == 'PSK_MISMATCH'",
                                "forced.plan.tunnels[0].psk == 'cisco'",
                            ]
                        },
                    },
                ],
            }
        ],
    )
    rc, out = run_playbook(tmp_path, playbook, os.path.join(SEED, "site_to_site"))
    assert rc == 0, out
    assert "the two ends use different pre-shared keys" in out
    assert re.search(r"\[WARNING\]: R2: unsafe_skip_crosscheck is set", out), out


YAML_BOOLEAN_HOST = """
ipsec_vpn_intent:
  crypto_profiles:
    modern:
      ike: {version: 2, proposals: [{encryption: aes256, integrity: sha256, dh_group: 14}]}
      ipsec: {proposals: [{encryption: aes256, integrity: sha256}]}
  gateways:
    R2: {platform: ios, outside_interface: Serial0, outside_address: 202.100.1.1/24, protected_networks: [172.16.1.0/24]}
    NO: {platform: ios, outside_interface: Serial0, outside_address: 202.100.1.2/24, protected_networks: [172.16.2.0/24]}
  tunnels:
    - {name: r2-no, profile: modern, psk: demo-key, a: {gateway: R2}, b: {gateway: NO}}
"""

YAML_ALIAS_LOOP = """
ipsec_vpn_intent:
  gateways:
    R2:
      platform: ios
      outside_interface: Serial0
      outside_address: 202.100.1.1/24
      management: &loop
        address: *loop
"""


@pytest.mark.parametrize(
    "text, message",
    [
        (
            YAML_BOOLEAN_HOST,
            "- gateways: the key False (a boolean) is not a string: YAML reads unquoted yes/no/on/off/true/false as "
            "booleans and digits such as 1001 or 010 as numbers, so the name as written is lost; quote it",
        ),
        (
            YAML_BOOLEAN_HOST.replace("NO", "1001"),
            "- gateways: the key 1001 (a number) is not a string: YAML reads unquoted yes/no/on/off/true/false as "
            "booleans and digits such as 1001 or 010 as numbers, so the name as written is lost; quote it",
        ),
        (
            YAML_ALIAS_LOOP,
            "- gateways.R2.management.address: this value contains itself (a YAML alias loop such as '&a [*a]'); "
            "the intent must be a tree",
        ),
    ],
    ids=["yaml-boolean-host-name", "yaml-alias-loop", "yaml-number-host-name"],
)
def test_plan_action_refuses_unreadable_intents_without_traceback(tmp_path, text, message):
    intent_file = tmp_path / "intent.yml"
    intent_file.write_text(text)
    playbook = write(
        tmp_path / "play.yml",
        [{"hosts": "R2", "gather_facts": False, "tasks": [{"name": "plan", "ipsec.vpn.plan": None}]}],
    )
    rc, out = run_playbook(tmp_path, playbook, os.path.join(SEED, "site_to_site"), "-e", "@%s" % intent_file)
    assert rc != 0
    assert "ipsec_vpn_intent has 1 problem (nothing was changed)" in out
    assert message in out
    assert "Traceback" not in out and "TypeError" not in out and "RecursionError" not in out


def test_plan_action_reports_validation_and_crosscheck_failures_together(tmp_path):
    intent_file = write(
        tmp_path / "intent.yml",
        {
            "ipsec_vpn_intent": {
                "crypto_profiles": {
                    "modern": {
                        "ike": {"proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
                        "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}]},
                    }
                },
                "gateways": {
                    "R2": {
                        "platform": "ios",
                        "outside_interface": "Serial0",
                        "outside_address": "202.100.1.1/24",
                        "protected_networks": ["172.16.1.0/24"],
                    },
                    "R3": {
                        "platform": "ios",
                        "outside_interface": "Serial0",
                        "outside_address": "202.100.1.2/24",
                        "protected_networks": ["172.16.2.0/24"],
                    },
                    "R4": {
                        "platform": "ios",
                        "outside_interface": "Serial0",
                        "outside_address": "202.100.1.4/24",
                        "site_id": 0,
                    },
                },
                "tunnels": [
                    {
                        "name": "r2-r3",
                        "profile": "modern",
                        "a": {"gateway": "R2", "psk": "key-one"},
                        "b": {"gateway": "R3", "psk": "key-two"},
                    }
                ],
            }
        },
    )
    playbook = write(
        tmp_path / "play.yml",
        [{"hosts": "R2", "gather_facts": False, "tasks": [{"name": "plan", "ipsec.vpn.plan": None}]}],
    )
    rc, out = run_playbook(tmp_path, playbook, os.path.join(SEED, "site_to_site"), "-e", "@%s" % intent_file)
    assert rc != 0
    assert "ipsec_vpn_intent has 2 problems (nothing was changed)" in out
    assert "- gateways.R4.site_id: 0 is outside 1..6553" in out
    assert "the two ends use different pre-shared keys (tunnels[0].a.psk and tunnels[0].b.psk)" in out
    assert "(cross-peer checks ran only on the tunnels that passed validation; plan again once these are fixed)" in out
    assert "key-one" not in out and "key-two" not in out
    assert "Traceback" not in out


def _hub_inventory(tmp_path, spokes=7):
    """A hub with mixed spokes; every host has its own ansible_host/ansible_port (one has none)."""
    gateways = {
        "hub": {"platform": "ios", "outside_interface": "Gi1", "outside_address": "100.64.0.1/24",
                "internet_next_hop": "100.64.0.254", "protected_networks": ["172.16.0.0/16"]},
    }
    hosts = {"hub": {"ansible_host": "10.250.0.1", "ansible_port": 2201}}
    for i in range(1, spokes + 1):
        name = "spoke%d" % i
        gateways[name] = {"platform": "strongswan" if i % 2 else "ios", "outside_interface": "eth0",
                          "outside_address": "100.64.%d.1/24" % i, "internet_next_hop": "100.64.%d.254" % i,
                          "protected_networks": ["10.%d.0.0/24" % i]}
        hosts[name] = {} if i == 3 else {"ansible_host": "10.250.0.%d" % (i + 1), "ansible_port": 2201 + i}
    intent = {
        "crypto_profiles": {"p": {
            "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
            "ipsec": {"proposals": [{"encryption": "aes256gcm16"}], "pfs_group": 14}}},
        "gateways": gateways,
        "groups": [{"name": "hs", "type": "hub_and_spoke", "hubs": ["hub"], "spokes": sorted(gateways)[1:],
                    "profile": "p", "psk": "{{ hub_psk }}"}],
    }
    inventory = tmp_path / "inventory"
    (inventory / "group_vars" / "all").mkdir(parents=True)
    write(inventory / "hosts.yml", {"all": {"hosts": hosts}})
    write(inventory / "group_vars" / "all" / "intent.yml", {"ipsec_vpn_intent": intent, "hub_psk": "hub-key-9Zq"})
    return inventory, intent, hosts


@pytest.mark.parametrize("limit", [None, "spoke3,spoke4", "hub"])
def test_one_plan_per_run_equals_each_hosts_own_plan(tmp_path, limit):
    """Through ansible-playbook: the plan role (one planning task for the run) hands every host exactly what
    the per-host plan action computes for it alone, and what plan_host gives from its own connection variables,
    with and without --limit."""
    from ansible_collections.ipsec.vpn.plugins.module_utils import masking, planner

    inventory, intent, hosts = _hub_inventory(tmp_path)
    out = tmp_path / "plans"
    playbook = write(tmp_path / "play.yml", [
        {"name": "plan once", "hosts": "all", "gather_facts": False, "roles": [{"role": "ipsec.vpn.plan"}]},
        {"name": "compare", "hosts": "all", "gather_facts": False, "tasks": [
            {"name": "plan this host alone", "ipsec.vpn.plan": None, "register": "alone"},
            {"name": "same plan, keys included", "ansible.builtin.assert": {"quiet": True, "that": [
                "alone.plan == ipsec_vpn_plan", "alone.plan_masked == ipsec_vpn_plan_masked"]}},
            {"name": "write the masked plan", "delegate_to": "localhost", "ansible.builtin.copy": {
                "content": "{{ ipsec_vpn_plan_masked | to_json }}", "dest": str(out) + "/{{ inventory_hostname }}.json",
                "mode": "0600"}},
        ]},
    ])
    out.mkdir()
    extra = ["--limit", limit] if limit else []
    rc, output = run_playbook(tmp_path, playbook, str(inventory / "hosts.yml"), *extra)
    assert rc == 0, output
    assert "hub-key-9Zq" not in output
    expected_hosts = limit.split(",") if limit else sorted(hosts)
    assert sorted(p[:-5] for p in os.listdir(out)) == sorted(expected_hosts)
    resolved = json.loads(json.dumps(intent).replace("{{ hub_psk }}", "hub-key-9Zq"))
    for host in expected_hosts:
        own = hosts[host]
        management = {"address": own.get("ansible_host", host)}
        if "ansible_port" in own:
            management["port"] = own["ansible_port"]
        expected = masking.mask(planner.plan_host(resolved, host, management))
        assert json.loads((out / ("%s.json" % host)).read_text()) == expected, host
    # the planning task ran once for the run, not once per host
    assert output.count("TASK [ipsec.vpn.plan : Plan every host of the play") == 1
    assert len(re.findall(r"^ok: \[\w+\]$", output.split("Plan every host of the play")[1].split("TASK [")[0],
                          re.M)) == 1


def test_a_refusal_from_one_hosts_own_ansible_host_stops_every_host(tmp_path):
    """R2's own inventory variables say it is reached on its outside address (the seed's ACL 100 would cut it
    off); R3 is fine. The run plans both together, fails both, and writes no plan at all."""
    inventory = tmp_path / "inventory"
    shutil.copytree(os.path.join(SEED, "site_to_site"), inventory)
    hosts_file = [p for p in os.listdir(inventory) if p.startswith("hosts")][0]
    data = yaml.safe_load((inventory / hosts_file).read_text())
    r2 = _find_host(data, "R2")
    r2["ansible_host"] = "202.100.1.1"
    (inventory / hosts_file).write_text(yaml.safe_dump(data))
    build = tmp_path / "plans"
    rc, out = run_playbook(tmp_path, os.path.join(REPO, "playbooks", "plan.yml"), str(inventory),
                           "-e", "ipsec_vpn_build_dir=%s" % build)
    assert rc != 0
    assert "would drop the management connection to 202.100.1.1 port 22" in out
    assert "Refused host: R2. No host of the play is changed." in out
    assert out.count("fatal: [") == 1
    assert not build.exists() or os.listdir(build) == []
    assert re.search(r"^R3 +: ok=1 +changed=0 +unreachable=0 +failed=0", out, re.M), out


def _find_host(data, name):
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "hosts" and isinstance(value, dict) and name in value:
                if value[name] is None:
                    value[name] = {}
                return value[name]
            found = _find_host(value, name)
            if found is not None:
                return found
    return None
