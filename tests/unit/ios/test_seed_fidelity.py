"""The seed inventories rendered for IOS must contain the reference configurations line by line."""

import re

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import render
from ios_render_helpers import config_lines, missing_lines, rendered, seed_intent

# The reference configuration of R2 in the site-to-site seed, as given (typed form).
SITE_TO_SITE_R2 = """\
ip access-list extended VPN
 permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255
crypto isakmp policy 10
 encryption des
 hash md5
 authentication pre-share
 group 2
crypto isakmp key cisco address 202.100.1.2
crypto ipsec transform-set MYSET esp-des esp-md5-hmac
 mode tunnel
crypto map MYMAP 100 ipsec-isakmp
 set peer 202.100.1.2
 set transform-set MYSET
 match address VPN
interface Serial0
 crypto map MYMAP
access-list 100 permit udp any eq 500 any eq isakmp
access-list 100 permit esp any any
access-list 100 permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255
crypto isakmp keepalive 10 3
"""

# R3 of the same seed: the mirror (ACL swapped, peer swapped); the seed gives R3 no outside ACL.
SITE_TO_SITE_R3 = """\
ip access-list extended VPN
 permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255
crypto isakmp policy 10
 encryption des
 hash md5
 authentication pre-share
 group 2
crypto isakmp key cisco address 202.100.1.1
crypto ipsec transform-set MYSET esp-des esp-md5-hmac
 mode tunnel
crypto map MYMAP 100 ipsec-isakmp
 set peer 202.100.1.1
 set transform-set MYSET
 match address VPN
interface Serial0
 crypto map MYMAP
crypto isakmp keepalive 10 3
"""

GRE_R2 = """\
interface Tunnel1
 ip address 12.1.1.1 255.255.255.0
 tunnel source 202.100.1.1
 tunnel destination 202.100.1.2
 tunnel mode gre ip
router eigrp 90
 network 172.16.1.0 0.0.0.255
 network 12.1.1.0 0.0.0.255
ip access-list extended VPN
 permit gre any any
"""
GRE_R2_OUTSIDE_ACL = "access-list 100 permit gre any any\n"


def test_site_to_site_r2_contains_every_reference_line():
    text = rendered(seed_intent("site_to_site"), "R2")
    assert missing_lines(SITE_TO_SITE_R2, text) == []


def test_site_to_site_r3_contains_every_reference_line():
    text = rendered(seed_intent("site_to_site"), "R3")
    assert missing_lines(SITE_TO_SITE_R3, text) == []
    assert "access-list 100" not in text


def test_missing_lines_catches_a_line_under_the_wrong_block():
    # the checker itself: a sub-command under another block does not count
    assert missing_lines("crypto map MYMAP 100 ipsec-isakmp\n set peer 1.1.1.1\n",
                         "crypto map MYMAP 100 ipsec-isakmp\ncrypto map X 1\n set peer 1.1.1.1\n") == [
        "crypto map mymap 100 ipsec-isakmp / set peer 1.1.1.1"]


def _mirror(line):
    swaps = {"202.100.1.1": "202.100.1.2", "202.100.1.2": "202.100.1.1",
             "172.16.1.0": "172.16.2.0", "172.16.2.0": "172.16.1.0"}
    return re.sub(r"\d+\.\d+\.\d+\.\d+", lambda m: swaps.get(m.group(0), m.group(0)), line)


def test_site_to_site_r3_is_the_mirror_of_r2_line_by_line():
    r2 = config_lines(rendered(seed_intent("site_to_site"), "R2"))
    r3 = config_lines(rendered(seed_intent("site_to_site"), "R3"))
    # R2 alone has the outside ACL 100 (and its binding and ledger entry): leave those out, mirror the rest
    outside = ("access-list 100", "ip access-group 100", "remark access-group")
    r2_crypto = [_mirror(line) for line in r2 if not line.startswith(outside)]
    assert r2_crypto == r3
    # the swapped parts really differ between the two ends
    assert "permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255" in r2
    assert "permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255" in r3
    assert "set peer 202.100.1.2" in r2 and "set peer 202.100.1.1" in r3


def test_gre_seed_r2_contains_every_reference_line():
    text = rendered(seed_intent("gre_over_ipsec"), "R2")
    assert missing_lines(GRE_R2 + GRE_R2_OUTSIDE_ACL, text) == []
    assert " ip access-group 100 in" in text


def test_gre_seed_r3_mirrors_r2():
    r2 = config_lines(rendered(seed_intent("gre_over_ipsec"), "R2"))
    r3 = config_lines(rendered(seed_intent("gre_over_ipsec"), "R3"))
    swaps = {"202.100.1.1": "202.100.1.2", "202.100.1.2": "202.100.1.1", "12.1.1.1": "12.1.1.2",
             "172.16.1.0": "172.16.2.0"}
    # R2 alone has the outside ACL 100 (and its binding and ledger entry), as in the seed: mirror the rest
    outside = ("access-list 100", "ip access-group 100", "remark access-group")
    mirrored = [re.sub(r"\d+\.\d+\.\d+\.\d+", lambda m: swaps.get(m.group(0), m.group(0)), line)
                for line in r2 if not line.startswith(outside)]
    assert sorted(mirrored) == sorted(r3)


def _gre_default_intent():
    intent = seed_intent("gre_over_ipsec")
    del intent["tunnels"][0]["overlay"]["gre_acl"]
    for host in ("R2", "R3"):
        intent["gateways"][host]["outside_acl"] = {"enabled": True, "name": "100", "permit_nat_traversal": False}
    return intent


def test_gre_acl_default_is_host_to_host_and_any_only_when_asked():
    intent = _gre_default_intent()
    r2 = rendered(intent, "R2")
    r3 = rendered(intent, "R3")
    assert missing_lines("ip access-list extended VPN\n permit gre host 202.100.1.1 host 202.100.1.2\n", r2) == []
    assert missing_lines("ip access-list extended VPN\n permit gre host 202.100.1.2 host 202.100.1.1\n", r3) == []
    assert "access-list 100 permit gre host 202.100.1.2 host 202.100.1.1" in r2
    assert "any any" not in r2.replace("permit esp any any", "")
    asked = rendered(seed_intent("gre_over_ipsec"), "R2")
    assert " permit gre any any" in asked


def test_tunnel_source_can_be_the_interface():
    text = rendered(seed_intent("gre_over_ipsec"), "R2", tunnel_source="interface")
    assert missing_lines("interface Tunnel1\n tunnel source Serial0\n", text) == []
    assert "tunnel source 202.100.1.1" not in text
    with pytest.raises(IntentErrors, match=r"gateways\.R2\.tunnel_source"):
        rendered(seed_intent("gre_over_ipsec"), "R2", tunnel_source="loopback")


def test_routing_seed_renders_the_routes_as_ip_route_lines():
    intent = seed_intent("routing")
    expected = {
        "R1": ["ip route 4.4.4.0 255.255.255.0 10.1.12.2 name IPSEC-VPN"],
        "R2": ["ip route 1.1.1.0 255.255.255.0 10.1.12.1 name IPSEC-VPN",
               "ip route 4.4.4.0 255.255.255.0 20.1.1.1 name IPSEC-VPN",
               "ip route 30.0.0.0 255.0.0.0 20.1.1.1 name IPSEC-VPN"],
        "R3": ["ip route 1.1.1.0 255.255.255.0 30.1.1.1 name IPSEC-VPN",
               "ip route 4.4.4.0 255.255.255.0 10.1.34.4 name IPSEC-VPN",
               "ip route 20.0.0.0 255.0.0.0 30.1.1.1 name IPSEC-VPN"],
        "R4": ["ip route 1.1.1.0 255.255.255.0 10.1.34.3 name IPSEC-VPN"],
    }
    for host, routes in expected.items():
        lines = [line for line in rendered(intent, host).splitlines() if line.startswith("ip route")]
        assert lines == routes, host
    # inside routers get routes and nothing else
    r1 = config_lines(rendered(intent, "R1"))
    assert r1 == [r.lower() for r in expected["R1"]]


def test_routes_can_be_left_out():
    intent = seed_intent("routing")
    text = rendered(intent, "R2", manage_routes=False)
    assert "ip route" not in text
    assert "! warning: gateways.R2.manage_routes is false: the 3 route(s) this plan lists are not pushed" in text
    assert "crypto map IPSEC-VPN 30 ipsec-isakmp" in text


def test_masked_artifact_has_no_key_and_says_so():
    intent = seed_intent("site_to_site")
    plan = planner.plan_host(intent, "R2")
    clear = render.render_text(plan)
    masked = render.render_text(plan, masked=True)
    assert "crypto isakmp key cisco address 202.100.1.2" in clear
    assert "crypto isakmp key ******** address 202.100.1.2" in masked
    assert " cisco " not in masked and "key cisco" not in masked
    assert render.has_secrets(render.intended_nodes(plan))


def test_render_is_deterministic_and_hosts_outside_ios_render_nothing():
    intent = seed_intent("routing")
    assert rendered(intent, "R2") == rendered(seed_intent("routing"), "R2")
    assert render.intended_nodes(planner.plan_host(intent, "nobody")) == []
    assert render.intended_nodes({"platform": "strongswan", "kind": "gateway"}) == []
