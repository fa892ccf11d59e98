"""Route rules beyond the seed: GRE/VTI overlays, connected peers, inside routers with several tunnels."""

import netaddr
from ansible_collections.ipsec.vpn.plugins.module_utils import planner, routes

PROFILE = {
    "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
    "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}]},
}


def rset(plan):
    return {(r["prefix"], r["next_hop"], r["interface"], r["reason_code"]) for r in plan["routes"]}


def base():
    return {
        "crypto_profiles": {"p": PROFILE},
        "gateways": {
            "gw1": {
                "platform": "ios",
                "outside_interface": "Gi1",
                "outside_address": "20.1.1.2/8",
                "internet_next_hop": "20.1.1.1",
                "protected_networks": ["10.1.0.0/24", {"prefix": "10.100.0.0/16", "next_hop": "10.1.0.254"}],
            },
            "gw2": {
                "platform": "strongswan",
                "outside_interface": "eth1",
                "outside_address": "30.1.1.3/8",
                "internet_next_hop": "30.1.1.1",
                "protected_networks": ["10.2.0.0/24"],
            },
            "gw3": {
                "platform": "ios",
                "outside_interface": "Gi1",
                "outside_address": "20.9.9.9/8",
                "protected_networks": ["10.3.0.0/24"],
            },
        },
        "inside_routers": {"in1": {"gateway": "gw1", "next_hop": "10.1.0.1", "networks": ["10.100.5.0/24"]}},
        "tunnels": [
            {"name": "t12", "profile": "p", "psk": "k", "a": {"gateway": "gw1"}, "b": {"gateway": "gw2"}},
        ],
    }


def test_gre_static_overlay_routes_into_the_tunnel_interface():
    intent = base()
    intent["tunnels"][0].update(style="gre_over_ipsec", overlay={"protection": "ipsec_profile"})
    intent["tunnels"][0]["a"].update(tunnel_address="172.31.0.1/30", tunnel_number=12)
    intent["tunnels"][0]["b"].update(tunnel_address="172.31.0.2/30")
    plans = planner.plan_all(intent)
    assert rset(plans["gw1"]) == {
        ("10.2.0.0/24", None, "Tunnel12", "overlay_static"),
        ("10.100.0.0/16", "10.1.0.254", None, "inside_protected"),
        ("30.0.0.0/8", "20.1.1.1", None, "peer_public"),
    }
    gre = plans["gw2"]["tunnels"][0]
    assert gre["tunnel_interface"]["name"] == "gre%d" % plans["gw1"]["site_id"]
    assert gre["acl"] is None  # protected by a profile, not a crypto map
    assert gre["children"] == [{"name": "t12-1", "local_ts": "30.1.1.3/32[gre]", "remote_ts": "20.1.1.2/32[gre]"}]


def test_dynamic_overlay_needs_no_static_route_to_the_remote_lan():
    intent = base()
    intent["tunnels"][0].update(style="vti", overlay={"routing": {"protocol": "ospf", "process_id": 7, "area": 0}})
    intent["tunnels"][0]["a"].update(tunnel_address="172.31.0.1/30")
    intent["tunnels"][0]["b"].update(tunnel_address="172.31.0.2/30")
    plans = planner.plan_all(intent)
    assert rset(plans["gw1"]) == {
        ("10.100.0.0/16", "10.1.0.254", None, "inside_protected"),
        ("30.0.0.0/8", "20.1.1.1", None, "peer_public"),
    }
    assert any("a routing daemon on this strongSwan host must provide OSPF" in w for w in plans["gw2"]["warnings"])
    assert not any("OSPF" in w for w in plans["gw1"]["warnings"])
    (ospf,) = plans["gw1"]["routing_protocols"]
    assert ospf["process_id"] == 7
    assert [(n["network"], n["wildcard"], n["area"]) for n in ospf["networks"]] == [
        ("10.1.0.0", "0.0.0.255", 0),
        ("10.100.0.0", "0.0.255.255", 0),
        ("172.31.0.0", "0.0.0.3", 0),
    ]


def test_connected_peer_gets_no_public_route_and_remote_lan_goes_to_the_peer():
    intent = base()
    intent["tunnels"] = [{"name": "t13", "profile": "p", "psk": "k", "a": {"gateway": "gw1"}, "b": {"gateway": "gw3"}}]
    plans = planner.plan_all(intent)
    # gw1 has a next hop, so even a connected peer's LAN follows it; no public-network route either way
    assert rset(plans["gw1"]) == {
        ("10.3.0.0/24", "20.1.1.1", None, "remote_protected"),
        ("10.100.0.0/16", "10.1.0.254", None, "inside_protected"),
    }
    # gw3 has no next hop: its peer is directly connected, so it routes the remote LANs to the peer itself
    assert rset(plans["gw3"]) == {
        ("10.1.0.0/24", "20.1.1.2", None, "remote_protected"),
        ("10.100.0.0/16", "20.1.1.2", None, "remote_protected"),
    }


def test_inside_router_only_routes_tunnels_that_protect_its_lan():
    intent = base()
    intent["tunnels"][0]["a"]["networks"] = ["10.1.0.0/24"]  # does not cover in1's LAN
    intent["tunnels"].append(
        {
            "name": "t13",
            "profile": "p",
            "psk": "k",
            "a": {"gateway": "gw1", "networks": ["10.100.0.0/16"]},
            "b": {"gateway": "gw3"},
        }
    )
    plans = planner.plan_all(intent)
    assert rset(plans["in1"]) == {("10.3.0.0/24", "10.1.0.1", None, "via_gateway")}
    assert plans["in1"]["routes"][0]["reason"] == (
        "remote network of tunnel 't13' (gw1 <-> gw3) is reached through gateway gw1"
    )


def test_remote_network_that_is_directly_connected_is_not_routed():
    intent = base()
    intent["tunnels"][0]["b"]["networks"] = ["10.2.0.0/24", "20.0.0.0/8"]
    plans = planner.plan_all(intent)
    assert "20.0.0.0/8" not in [r["prefix"] for r in plans["gw1"]["routes"]]
    assert "10.2.0.0/24" in [r["prefix"] for r in plans["gw1"]["routes"]]


def test_wildcard():
    assert routes.wildcard(netaddr.IPNetwork("172.16.1.0/24")) == "0.0.0.255"
    assert routes.wildcard(netaddr.IPNetwork("10.0.0.0/8")) == "0.255.255.255"
    assert routes.wildcard(netaddr.IPNetwork("10.1.1.1/32")) == "0.0.0.0"


def test_eigrp_needs_ios_on_both_ends():
    import pytest
    from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors

    intent = base()
    intent["tunnels"][0].update(style="gre_over_ipsec", overlay={"routing": {"protocol": "eigrp", "as_number": 9}})
    intent["tunnels"][0]["a"].update(tunnel_address="172.31.0.1/30")
    intent["tunnels"][0]["b"].update(tunnel_address="172.31.0.2/30")
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(intent)
    assert [str(e) for e in info.value.errors] == [
        "tunnels[0].overlay.routing.protocol: EIGRP runs only on IOS, but gw2 is a strongswan gateway; use static or ospf"
    ]


def test_ipv6_networks_inside_an_ipv4_tunnel_are_routed_onto_the_outside_interface():
    # an IPv6 route cannot point at the IPv4 internet next hop: it goes onto the interface, the policy encrypts it
    intent = base()
    intent["gateways"]["gw2"]["protected_networks"] = ["2001:db8:2::/48"]
    intent["gateways"]["gw4"] = {
        "platform": "strongswan",
        "outside_interface": "eth2",
        "outside_address": "40.1.1.4/8",
        "internet_next_hop": "40.1.1.1",
        "protected_networks": ["2001:db8:4::/48"],
    }
    intent["tunnels"] = [{"name": "t24", "profile": "p", "psk": "k", "a": {"gateway": "gw2"}, "b": {"gateway": "gw4"}}]
    plans = planner.plan_all(intent)
    assert rset(plans["gw2"]) == {
        ("2001:db8:4::/48", None, "eth1", "remote_protected"),
        ("40.0.0.0/8", "30.1.1.1", None, "peer_public"),
    }
    assert rset(plans["gw4"]) == {
        ("2001:db8:2::/48", None, "eth2", "remote_protected"),
        ("30.0.0.0/8", "40.1.1.1", None, "peer_public"),
    }
    assert plans["gw2"]["warnings"] == [] and plans["gw4"]["warnings"] == []
