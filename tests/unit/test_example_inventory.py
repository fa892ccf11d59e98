"""inventories/example plans and renders offline, with its vaulted keys, for every host.

The expected names follow docs/intent.md's naming rules (`<group>--<hub>--<spoke>`, mesh pairs in string order) applied
to the inventory's own text.
"""

import os
import re

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import render

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(REPO, "inventories", "example")


def _read(*parts):
    with open(os.path.join(EXAMPLE, *parts)) as handle:
        return handle.read()


def _vault():
    secret = VaultSecret(_read("vault-password.txt").strip().encode())
    vault = VaultLib([("default", secret)])
    values = {}
    for name, blob in re.findall(r"^(\w+): !vault \|\n((?:[ ]+\S+\n?)+)", _read("group_vars", "all", "vault.yml"), re.M):
        values[name] = vault.decrypt("\n".join(line.strip() for line in blob.splitlines())).decode()
    return values


def _intent(keys):
    def resolve(value):
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, str):
            match = re.fullmatch(r"\{\{ (\w+) \}\}", value)
            return keys[match.group(1)] if match else value
        return value
    return resolve(yaml.safe_load(_read("group_vars", "all", "intent.yml"))["ipsec_vpn_intent"])


def _managements():
    hosts = yaml.safe_load(_read("hosts.yml"))["all"]["children"]
    return {name: {"address": host["ansible_host"], "port": 22}
            for group in hosts.values() for name, host in group["hosts"].items()}


def test_the_vault_holds_four_distinct_keys_under_the_documented_password():
    assert _read("vault-password.txt").strip() == "ipsec-vpn-example"
    keys = _vault()
    assert sorted(keys) == ["vault_psk_hq_branch7", "vault_psk_hq_dc1", "vault_psk_hq_dc2", "vault_psk_mesh"]
    assert len(set(keys.values())) == 4


def test_every_host_plans_and_the_ios_hosts_render():
    keys = _vault()
    plans = planner.plan_all(_intent(keys), _managements())
    assert sorted(plans) == ["branch-rtr7", "cloud-gw3", "dc1-gw", "dc2-gw", "hq-rtr1"]
    names = {host: sorted(t["name"] for t in plan["tunnels"]) for host, plan in plans.items()}
    assert names["hq-rtr1"] == ["hq--hq-rtr1--branch-rtr7", "hq--hq-rtr1--dc1-gw", "hq--hq-rtr1--dc2-gw"]
    assert names["dc1-gw"] == ["dc--cloud-gw3--dc1-gw", "dc--dc1-gw--dc2-gw", "hq--hq-rtr1--dc1-gw"]
    assert names["cloud-gw3"] == ["dc--cloud-gw3--dc1-gw", "dc--cloud-gw3--dc2-gw"]
    assert {p["platform"] for h, p in plans.items() if h.endswith("-gw") or h.endswith("gw3")} == {"strongswan"}
    for host in ("hq-rtr1", "branch-rtr7"):
        typed = render.render_text(plans[host])
        masked = render.render_text(plans[host], masked=True)
        assert "crypto ikev2 keyring" in typed
        assert keys["vault_psk_hq_branch7"] in typed
        for key in keys.values():
            assert key not in masked
