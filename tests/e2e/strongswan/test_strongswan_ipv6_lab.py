"""IPv6 through the ipsec.vpn.strongswan role on the lab, planned from an intent.

``v6in4-site1-site4``: IPv4 outside addresses (100.64.0.11 <-> .14) carrying IPv6 LANs (2001:db8:11:1::/64 <->
2001:db8:14::/64), IKEv2, rolled out by ``playbooks/strongswan.yml`` with the intent as extra vars. The tunnel
comes up, passes ping -6 between the LAN addresses in both directions, and its CHILD_SA shows the IPv6 selectors.
The teardown playbook runs at the end. Takes the lab lock (tests/e2e/lab_lock.py).

An IPv6 outside address through the role is not covered here yet: with ``v6-site2-site3`` (2001:db8:64::12 <->
::13) both charons send IKE_SA_INIT and neither logs a received packet, although ping -6 between the two WAN
addresses works on a fresh lab and the hand-written fixtures of tests/e2e/lab pass.
"""

import json
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_strongswan_lab as base  # noqa: E402  (helpers of the main strongSwan lab suite)
from lab_lock import lab_lock  # noqa: E402

SITES = base.SITES
V6IN4 = "v6in4-site1-site4"


@pytest.fixture(scope="module")
def lab():
    if os.geteuid() != 0:
        pytest.fail("the strongSwan lab needs root (network namespaces): run these tests as root")
    with lab_lock():
        base.labctl("up", "--sites", str(len(SITES)))
        facts = {f["name"]: f for f in json.loads(base.labctl("facts", "--sites", str(len(SITES))).stdout)}
        try:
            yield facts
        finally:
            base.playbook(base.TEARDOWN, label="ipv6 teardown")
            base.labctl("down", check=False)


def ipv6_intent(lab):
    def gateway(site, outside6, networks):
        facts = lab[site]
        if outside6:
            address = "%s/%s" % (facts["public_address6"], facts["public_prefix6"].split("/")[1])
        else:
            address = "%s/%s" % (facts["public_address"], facts["public_prefix"].split("/")[1])
        return {"platform": "strongswan", "outside_interface": "wan0", "outside_address": address,
                "protected_networks": networks}

    return {
        "crypto_profiles": {"v6": {
            "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 19}]},
            "ipsec": {"proposals": [{"encryption": "aes256gcm16"}], "pfs_group": 19},
            "dpd": {"interval": 10, "retry_interval": 3},
        }},
        "gateways": {
            "site1": gateway("site1", False, [lab["site1"]["lan_prefixes6"][1]]),
            "site4": gateway("site4", False, [lab["site4"]["lan_prefixes6"][0]]),
        },
        "tunnels": [
            {"name": V6IN4, "profile": "v6", "psk": "e2e-v6in4-site1-site4-k3y-Tp17",
             "a": {"gateway": "site1"}, "b": {"gateway": "site4"}},
        ],
    }


@pytest.fixture(scope="module")
def rolled_out(lab, tmp_path_factory):
    path = base.write_intent(tmp_path_factory.mktemp("intents"), "ipv6", ipv6_intent(lab))
    run = base.playbook(base.PLAYBOOK, "-e", f"@{path}", label="ipv6 run")
    assert run.rc == 0, run.output
    return run


def ping6(site, src, dst, count=3):
    return base.site_sh(site, f"ping -6 -n -q -c {count} -W 1 -i 0.3 -I {src} {dst}", check=False)


def wait_ping6(site, src, dst):
    deadline = time.monotonic() + 30
    while True:
        res = ping6(site, src, dst)
        if res.returncode == 0 and " 0% packet loss" in res.stdout:
            return res
        if time.monotonic() > deadline:
            raise AssertionError(f"{site}: ping -6 {src} -> {dst} failed\n{res.stdout}{res.stderr}")
        time.sleep(1)


@pytest.mark.parametrize("name,left,right,outer", [(V6IN4, "site1", "site4", 4)])
def test_ipv6_lans_talk_through_the_role(lab, rolled_out, name, left, right, outer):
    lan = {"site1": 1, "site2": 0, "site3": 0, "site4": 0}
    for src_site, dst_site in ((left, right), (right, left)):
        src = lab[src_site]["lan_addresses6"][lan[src_site]]
        dst = lab[dst_site]["lan_addresses6"][lan[dst_site]]
        wait_ping6(src_site, src, dst)
    for site, peer in ((left, right), (right, left)):
        ike = base.the_sa(site, name)
        expected_peer = lab[peer]["public_address6"] if outer == 6 else lab[peer]["public_address"]
        assert ike["remote_host"] == expected_peer, ike
        child = next(c for c in ike["child_sas"] if c["state"] == "INSTALLED")
        assert child["local_ts"] == [lab[site]["lan_prefixes6"][lan[site]]], child
        assert child["remote_ts"] == [lab[peer]["lan_prefixes6"][lan[peer]]], child
        assert child["packets_in"] >= 3 and child["packets_out"] >= 3, child
