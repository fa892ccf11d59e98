"""Two tunnels between the same two gateways share one IKE SA: on IOS they get one IKEv2 profile per peer (each
tunnel keeps its own crypto map entry and ACL, which reference it), and what cannot share one IKE SA (other IKE
settings, versions or identities for the same pair) is refused naming both tunnels."""

import copy
import os
import sys

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import push, render
from ios_render_helpers import blocks

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)
from test_push import SimDevice, world  # noqa: E402

PROFILE = {
    "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
    "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}], "pfs_group": 14},
}


def two_tunnels(platform_b="ios"):
    return {
        "crypto_profiles": {"p": copy.deepcopy(PROFILE)},
        "gateways": {
            "R2": {"platform": "ios", "outside_interface": "Serial0", "outside_address": "202.100.1.1/24",
                   "protected_networks": ["172.16.1.0/24"]},
            "R3": {"platform": platform_b, "outside_interface": "Serial0", "outside_address": "202.100.1.2/24",
                   "protected_networks": ["172.16.2.0/24"]},
        },
        "tunnels": [
            {"name": "web", "profile": "p", "psk": "pair-key-1", "selectors": {"protocol": "tcp", "b_port": 443},
             "a": {"gateway": "R2", "crypto_map_sequence": 10}, "b": {"gateway": "R3", "crypto_map_sequence": 10}},
            {"name": "dns", "profile": "p", "psk": "pair-key-1", "selectors": {"protocol": "udp", "b_port": 53},
             "a": {"gateway": "R2", "crypto_map_sequence": 20}, "b": {"gateway": "R3", "crypto_map_sequence": 20}},
        ],
    }


def errors(intent):
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(intent)
    return [str(e) for e in info.value.errors]


def test_one_ikev2_profile_per_peer_both_entries_use_it():
    plan = planner.plan_host(two_tunnels(), "R2")
    assert [p["name"] for p in plan["ikev2"]["profiles"]] == ["IKEV2-dns"]  # the first tunnel by name names it
    entries = plan["crypto_maps"][0]["entries"]
    assert [(e["sequence"], e["tunnel"], e["ikev2_profile"]) for e in entries] == [
        (10, "web", "IKEV2-dns"), (20, "dns", "IKEV2-dns")]
    text = render.render_text(plan)
    headers = [header for header, _children in blocks(text)]
    assert headers.count("crypto ikev2 profile ikev2-dns") == 1
    assert not any(h.startswith("crypto ikev2 profile ikev2-web") for h in headers)
    keyring = next(children for header, children in blocks(text) if header.startswith("crypto ikev2 keyring"))
    assert keyring.count("address 202.100.1.2") == 1
    maps = dict((header, children) for header, children in blocks(text) if header.startswith("crypto map"))
    assert "set ikev2-profile ikev2-dns" in maps["crypto map ipsec-vpn 10 ipsec-isakmp"]
    assert "set ikev2-profile ikev2-dns" in maps["crypto map ipsec-vpn 20 ipsec-isakmp"]


def test_both_tunnels_come_up_on_the_simulator_and_a_second_run_sends_nothing():
    lab = world()
    intent = two_tunnels()
    for host in ("R2", "R3"):
        result = push.converge(SimDevice(lab, host), render.intended_nodes(planner.plan_host(intent, host)))
        assert result["converged"], result.get("not_converged")
    text = lab.run("R2", "show running-config")
    assert text.count("crypto ikev2 profile ") == 1
    for host in ("R2", "R3"):
        again = push.converge(SimDevice(lab, host), render.intended_nodes(planner.plan_host(intent, host)))
        assert again["commands"] == []


def test_different_ike_settings_for_one_pair_are_refused_naming_both_tunnels():
    intent = two_tunnels()
    intent["crypto_profiles"]["q"] = copy.deepcopy(PROFILE)
    intent["crypto_profiles"]["q"]["ike"]["proposals"][0]["dh_group"] = 19
    intent["tunnels"][0]["profile"] = "q"
    assert "tunnels[0]: R2: tunnels 'dns' and 'web' both join R2 and R3, so they share one IKE SA, but their IKE " \
           "settings (crypto_profiles.q.ike) differ; give both tunnels the same profile IKE settings and " \
           "identities" in errors(intent)


def test_another_ike_version_for_one_pair_is_refused():
    intent = two_tunnels()
    intent["crypto_profiles"]["v1"] = copy.deepcopy(PROFILE)
    intent["crypto_profiles"]["v1"]["ike"]["version"] = 1
    intent["tunnels"][1]["profile"] = "v1"
    found = [e for e in errors(intent) if "share one IKE SA" in e]
    assert found and all("'dns' and 'web'" in e and "their IKE version differ" in e for e in found)


def test_another_identity_for_one_pair_is_refused():
    intent = two_tunnels()
    intent["tunnels"][0]["a"]["id"] = "r2.example.net"
    found = [e for e in errors(intent) if "share one IKE SA" in e]
    assert any("tunnels 'dns' and 'web'" in e and "their local identity differ" in e for e in found), found
    assert any("their remote identity differ" in e for e in found), found


def test_same_settings_under_another_profile_name_share_the_sa():
    intent = two_tunnels()
    intent["crypto_profiles"]["copy"] = copy.deepcopy(PROFILE)
    intent["tunnels"][0]["profile"] = "copy"
    plan = planner.plan_host(intent, "R2")
    assert [p["name"] for p in plan["ikev2"]["profiles"]] == ["IKEV2-dns"]
