"""The seed inventories planned end to end: exact routes, crypto objects and ACL lines."""

import os

import pytest
import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import constructs as C


def ace_lines(acl_block):
    """The typed IOS entry lines the construct table writes for a plan's ACL (the plan itself holds no IOS text)."""
    return [C.acl_entry(ace).typed() for ace in acl_block["entries"]]


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SEED = os.path.join(REPO, "inventories", "seed")
PSK = "seed-test-key"


def load_seed(name):
    """The seed intent with the vaulted PSK variable replaced by a test value."""
    with open(os.path.join(SEED, name, "group_vars", "all", "intent.yml")) as handle:
        intent = yaml.safe_load(handle)["ipsec_vpn_intent"]
    for tunnel in intent.get("tunnels", []):
        assert tunnel["psk"] == "{{ vault_psk_r2_r3 }}"
        tunnel["psk"] = PSK
    return intent


def route_set(plan):
    return {(r["prefix"], r["next_hop"], r["interface"], r["reason_code"]) for r in plan["routes"]}


def test_routing_seed_routes_exactly():
    plans = planner.plan_all(load_seed("routing"))
    assert sorted(plans) == ["R1", "R2", "R3", "R4"]
    assert route_set(plans["R1"]) == {("4.4.4.0/24", "10.1.12.2", None, "via_gateway")}
    assert route_set(plans["R2"]) == {
        ("1.1.1.0/24", "10.1.12.1", None, "inside_protected"),
        ("4.4.4.0/24", "20.1.1.1", None, "remote_protected"),
        ("30.0.0.0/8", "20.1.1.1", None, "peer_public"),
    }
    assert route_set(plans["R3"]) == {
        ("1.1.1.0/24", "30.1.1.1", None, "remote_protected"),
        ("4.4.4.0/24", "10.1.34.4", None, "inside_protected"),
        ("20.0.0.0/8", "30.1.1.1", None, "peer_public"),
    }
    assert route_set(plans["R4"]) == {("1.1.1.0/24", "10.1.34.3", None, "via_gateway")}
    # exactly one route per prefix, sorted numerically, every one with a reason
    for plan in plans.values():
        prefixes = [r["prefix"] for r in plan["routes"]]
        assert len(prefixes) == len(set(prefixes))
        assert all(r["reason"] for r in plan["routes"])
    assert [r["prefix"] for r in plans["R2"]["routes"]] == ["1.1.1.0/24", "4.4.4.0/24", "30.0.0.0/8"]
    assert plans["R2"]["routes"][2]["netmask"] == "255.0.0.0"


def test_routing_seed_inside_routers_have_routes_only():
    plan = planner.plan_host(load_seed("routing"), "R1")
    assert plan["kind"] == "inside_router"
    assert plan["gateway"] == "R2"
    assert "tunnels" not in plan and "outside_acl" not in plan
    assert plan["checks"] == []


def test_routing_seed_ikev2_objects():
    r2 = planner.plan_host(load_seed("routing"), "R2")
    assert r2["isakmp_policies"] == []
    assert [p["name"] for p in r2["ikev2"]["proposals"]] == ["IKEV2-AES-CBC-256-SHA256-14"]
    assert r2["ikev2"]["proposals"][0] == {
        "name": "IKEV2-AES-CBC-256-SHA256-14", "encryption": ["aes-cbc-256"], "integrity": ["sha256"], "prf": [],
        "group": ["14"],
    }
    assert r2["ikev2"]["policy"] == {
        "name": "IPSEC-VPN",
        "match_address_local": "20.1.1.2",
        "proposals": ["IKEV2-AES-CBC-256-SHA256-14"],
    }
    assert r2["ikev2"]["keyring"]["peers"] == [{"name": "r2-r3", "address": "30.1.1.3", "psk": PSK}]
    (profile,) = r2["ikev2"]["profiles"]
    assert profile["match_identity_remote"] == "30.1.1.3" and profile["identity_local"] == "20.1.1.2"
    tunnel = r2["tunnels"][0]
    assert tunnel["ike"]["strongswan_proposals"] == ["aes256-sha256-modp2048"]
    assert tunnel["ipsec"]["strongswan_esp_proposals"] == ["aes256-sha256-modp2048"]
    assert tunnel["ipsec"]["ios_pfs"] == "group14"
    # derived sequence: ten times the peer's site id (R3 -> 3)
    assert r2["crypto_maps"][0]["entries"][0]["sequence"] == 30
    assert r2["crypto_maps"][0]["entries"][0]["ikev2_profile"] == "IKEV2-r2-r3"


def test_site_to_site_seed_matches_the_reference_config():
    plans = planner.plan_all(load_seed("site_to_site"))
    r2, r3 = plans["R2"], plans["R3"]
    (policy,) = r2["isakmp_policies"]
    assert policy["priority"] == 10
    assert {k: policy[k] for k in ("encryption", "hash", "authentication", "group", "lifetime")} == {
        "encryption": "des", "hash": "md5", "authentication": "pre-share", "group": "2", "lifetime": 86400,
    }
    assert r2["isakmp_keepalive"] == {"interval": 10, "retry_interval": 3, "mode": "on-demand"}
    assert r2["transform_sets"] == [
        {"name": "MYSET", "protocol": "esp", "transforms": ["esp-des", "esp-md5-hmac"], "mode": "tunnel"}
    ]
    (cmap,) = r2["crypto_maps"]
    assert (cmap["name"], cmap["interface"]) == ("MYMAP", "Serial0")
    assert cmap["entries"] == [
        {
            "sequence": 100,
            "tunnel": "r2-r3",
            "peer": "202.100.1.2",
            "acl": "VPN",
            "transform_sets": ["MYSET"],
            "pfs": None,
            "lifetime_seconds": 3600,
            "lifetime_kilobytes": 4608000,
            "ikev2_profile": None,
        }
    ]
    assert ace_lines(r2["tunnels"][0]["acl"]) == ["permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255"]
    assert ace_lines(r3["tunnels"][0]["acl"]) == ["permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255"]
    assert r2["outside_acl"]["name"] == "100"
    assert ace_lines(r2["outside_acl"]) == [
        "permit udp any eq 500 any eq isakmp",
        "permit esp any any",
        "permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255",
    ]
    assert r3["outside_acl"] is None
    # peers directly connected on 202.100.1.0/24: only the remote LAN, straight to the peer
    assert route_set(r2) == {("172.16.2.0/24", "202.100.1.2", None, "remote_protected")}
    assert [c["status"] for c in r2["checks"]] == ["OK"]
    assert any("allow_weak_crypto" in w for w in r2["warnings"])
    assert any("FN72510" in w for w in r2["warnings"])


def test_gre_seed():
    plans = planner.plan_all(load_seed("gre_over_ipsec"))
    r2 = plans["R2"]
    tunnel = r2["tunnels"][0]
    assert ace_lines(tunnel["acl"]) == ["permit gre any any"]
    assert tunnel["ipsec"]["mode"] == "transport"
    assert r2["transform_sets"][0]["mode"] == "transport"
    ti = tunnel["tunnel_interface"]
    assert (ti["name"], ti["address"], ti["source"], ti["destination"], ti["mode"], ti["protection"]) == (
        "Tunnel1",
        "12.1.1.1/24",
        "Serial0",
        "202.100.1.2",
        "gre_ip",
        "crypto_map",
    )
    assert r2["routing_protocols"] == [
        {
            "protocol": "eigrp",
            "as_number": 90,
            "passive_interfaces": [],
            "networks": [
                {"prefix": "12.1.1.0/24", "network": "12.1.1.0", "wildcard": "0.0.0.255"},
                {"prefix": "172.16.1.0/24", "network": "172.16.1.0", "wildcard": "0.0.0.255"},
            ],
        }
    ]
    assert r2["routes"] == []  # EIGRP learns the remote LAN; the peer is directly connected
    # 'permit gre any any' is not host-to-host, so neither end really runs transport mode
    transport = (
        "tunnel 'r2-r3-gre': profile 'legacy_transport' asks for transport mode, but the selectors (permit gre any "
        "any) are not the two gateways' own addresses, so both ends will use tunnel mode (IOS uses transport mode "
        "only for traffic between the peers themselves; strongSwan falls back to tunnel mode for selectors that are "
        "not host-to-host)"
    )
    assert transport in r2["warnings"]
    assert transport in plans["R3"]["warnings"]
    assert plans["R3"]["tunnels"][0]["tunnel_interface"]["address"] == "12.1.1.2/24"
    assert r2["isakmp_keepalive"] is None


def test_seed_vault_decrypts_with_the_demo_password():
    from ansible.parsing.vault import VaultLib, VaultSecret

    with open(os.path.join(SEED, "vault-password.txt"), "rb") as handle:
        secret = VaultSecret(handle.read().strip())
    vault = VaultLib([("default", secret)])
    with open(os.path.join(SEED, "site_to_site", "group_vars", "all", "vault.yml")) as handle:
        text = handle.read()
    blob = text.split("!vault |", 1)[1]
    ciphertext = "\n".join(line.strip() for line in blob.strip().splitlines())
    assert vault.decrypt(ciphertext) == b"cisco"


@pytest.mark.parametrize("name", ["site_to_site", "gre_over_ipsec", "routing"])
def test_seed_hosts_use_network_cli(name):
    with open(os.path.join(SEED, name, "hosts.yml")) as handle:
        text = handle.read()
    assert "ansible_network_os: cisco.ios.ios" in text
    assert "ansible_connection: ansible.netcommon.network_cli" in text


def test_gre_outside_acl_forms():
    intent = load_seed("gre_over_ipsec")
    intent["gateways"]["R2"]["outside_acl"] = {"enabled": True, "permit_nat_traversal": False}
    plan = planner.plan_host(intent, "R2")
    assert ace_lines(plan["outside_acl"]) == [
        "permit udp any eq 500 any eq isakmp",
        "permit esp any any",
        "permit gre any any",
    ]
    intent["tunnels"][0]["overlay"]["gre_acl"] = "host"
    plan = planner.plan_host(intent, "R2")
    assert ace_lines(plan["outside_acl"])[-1] == "permit gre host 202.100.1.2 host 202.100.1.1"
    assert ace_lines(plan["tunnels"][0]["acl"]) == ["permit gre host 202.100.1.1 host 202.100.1.2"]
