"""docs/intent.md documents exactly the fields the validator accepts (role argument specs copy it)."""

import os
import re

from ansible_collections.ipsec.vpn.plugins.module_utils import intent as intent_mod

DOC = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))), "docs", "intent.md"
)


def documented_fields():
    """``{heading: [first-column field names]}`` of every field table in the document."""
    sections = {}
    heading = None
    with open(DOC) as handle:
        for line in handle:
            if line.startswith("#"):
                heading = line.strip("# \n")
                continue
            if line.startswith("| `") and heading:
                cell = line.split("|")[1]
                sections.setdefault(heading, []).extend(re.findall(r"`([^`]+)`", cell))
    return sections


def fields_of(section):
    names = []
    for name in documented_fields()[section]:
        part = name.split(".", 1)[0].split("[", 1)[0]
        if part not in names:
            names.append(part)
    return set(names)


def test_top_level():
    assert fields_of("Top level") == set(intent_mod._TOP_FIELDS)


def test_tunnel_and_end_fields():
    assert fields_of("`tunnels[]`") == set(intent_mod._TUNNEL_FIELDS)
    assert fields_of("`tunnels[].a` / `tunnels[].b`") == set(intent_mod._END_FIELDS)


def test_gateway_fields():
    gateway = {
        "platform",
        "outside_interface",
        "outside_address",
        "internet_next_hop",
        "protected_networks",
        "site_id",
        "crypto_map_name",
        "outside_acl",
        "management",
        "pki",
        "strongswan",
        "tunnel_source",
        "manage_routes",
    }
    assert fields_of("`gateways.<inventory_hostname>`") == gateway
    assert fields_of("`gateways.<host>.outside_acl`") == {
        "enabled",
        "name",
        "permit_nat_traversal",
        "permit_decrypted",
        "permit_management",
        "extra_entries",
    }
    assert fields_of("`gateways.<host>.management`") == {"address", "port", "interface", "controller", "allow_lockout"}
    assert fields_of("`gateways.<host>.strongswan`") == {"encap", "start_action", "manage_routes", "firewall_restrict"}


def test_every_documented_field_is_accepted():
    # a minimal valid intent that sets every documented optional field once is accepted
    intent = {
        "unsafe_skip_crosscheck": False,
        "crypto_profiles": {
            "p": {
                "allow_weak_crypto": False,
                "nat_traversal": True,
                "dpd": {"enabled": True, "interval": 10, "retry_interval": 3, "mode": "periodic", "action": "clear"},
                "ike": {
                    "version": 1,
                    "mode": "main",
                    "authentication": "psk",
                    "lifetime": 28800,
                    "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14, "priority": 5}],
                },
                "ipsec": {
                    "protocol": "esp",
                    "mode": "tunnel",
                    "proposals": [{"encryption": "aes256", "integrity": "sha256"}],
                    "pfs_group": 14,
                    "lifetime_seconds": 1800,
                    "lifetime_kilobytes": 100000,
                    "transform_set_name": "TS1",
                },
            }
        },
        "gateways": {
            "g1": {
                "platform": "ios",
                "outside_interface": "Gi1",
                "outside_address": "198.51.100.1/24",
                "internet_next_hop": "198.51.100.254",
                "protected_networks": [{"prefix": "10.1.0.0/16", "next_hop": "10.0.0.2"}],
                "site_id": 1,
                "crypto_map_name": "CM",
                "outside_acl": {
                    "enabled": True,
                    "name": "OUT",
                    "permit_nat_traversal": True,
                    "permit_decrypted": True,
                    "permit_management": True,
                    "extra_entries": ["permit ospf any any"],
                },
                "management": {
                    "address": "10.255.0.1",
                    "port": 22,
                    "interface": "Gi0",
                    "controller": "10.255.255.0/24",
                    "allow_lockout": False,
                },
                "tunnel_source": "interface",
                "manage_routes": False,
            },
            "g2": {
                "platform": "strongswan",
                "outside_interface": "eth0",
                "outside_address": "198.51.100.2/24",
                "protected_networks": ["10.2.0.0/16"],
            },
        },
        "inside_routers": {
            "r1": {"gateway": "g1", "next_hop": "10.0.0.1", "networks": ["10.1.1.0/24"], "platform": "ios",
                   "manage_routes": True}
        },
        "tunnels": [
            {
                "name": "t1",
                "style": "crypto_map",
                "profile": "p",
                "psk": "k",
                "selectors": {"protocol": "tcp", "a_port": "range 1000 2000", "b_port": 443},
                "acl_name": "A1",
                "crypto_map": {"name": "CM", "sequence": 10},
                "a": {
                    "gateway": "g1",
                    "networks": ["10.1.0.0/16"],
                    "profile": "p",
                    "psk": "k",
                    "remote_networks": ["10.2.0.0/16"],
                    "id": "198.51.100.1",
                    "remote_id": "198.51.100.2",
                    "crypto_map_sequence": 11,
                },
                "b": {"gateway": "g2"},
            },
            {
                "name": "t2",
                "style": "gre_over_ipsec",
                "profile": "p",
                "psk": "k",
                "overlay": {
                    "protection": "ipsec_profile",
                    "gre_acl": "host",
                    "routing": {"protocol": "ospf", "process_id": 3, "area": "0.0.0.1"},
                    "ip_mtu": 1400,
                    "tcp_adjust_mss": 1360,
                },
                "a": {
                    "gateway": "g1",
                    "tunnel_number": 5,
                    "tunnel_address": "172.31.0.1/30",
                    "advertise": ["10.1.0.0/16"],
                },
                "b": {"gateway": "g2", "tunnel_address": "172.31.0.2/30"},
            },
        ],
        "groups": [
            {
                "name": "grp",
                "type": "full_mesh",
                "members": ["g1", "g2"],
                "style": "vti",
                "profile": "p",
                "psk": {"g1--g2": "k"},
                "overlay": {"routing": {"protocol": "ospf", "process_id": 2, "area": 0}},
                "overlay_pool": "172.30.0.0/16",
            }
        ],
    }
    model = intent_mod.validate(intent)
    assert len(model.tunnels) == 3


def test_profile_group_and_overlay_fields():
    from ansible_collections.ipsec.vpn.plugins.module_utils import topology

    assert fields_of("`crypto_profiles.<name>`") == {"allow_weak_crypto", "ike", "ipsec", "dpd", "nat_traversal"}
    assert fields_of("`crypto_profiles.<name>.ike`") == {"version", "mode", "authentication", "lifetime", "proposals"}
    assert fields_of("`crypto_profiles.<name>.ipsec`") == {
        "protocol",
        "mode",
        "proposals",
        "pfs_group",
        "lifetime_seconds",
        "lifetime_kilobytes",
        "transform_set_name",
    }
    assert fields_of("`crypto_profiles.<name>.dpd`") == {"enabled", "interval", "retry_interval", "mode", "action"}
    assert fields_of("`tunnels[].overlay` (GRE over IPsec, VTI)") == {
        "protection",
        "gre_acl",
        "routing",
        "ip_mtu",
        "tcp_adjust_mss",
    }
    assert fields_of("`groups[]`") == set(topology._GROUP_FIELDS)
    inside = {"gateway", "next_hop", "networks", "platform", "manage_routes"}
    assert fields_of("`inside_routers.<inventory_hostname>`") == inside


def test_pki_fields():
    from ansible_collections.ipsec.vpn.plugins.module_utils import pki

    assert fields_of("`gateways.<host>.pki`") == set(pki.FIELDS)
