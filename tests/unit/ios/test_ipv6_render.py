"""IPv6 on IOS: VTIs over IPv6 and IPv4 outside addresses render IPv6 commands, overlay pools give /126 prefixes,
and what the renderer cannot express is refused at validation time with the field's path.

Expected lines follow Cisco's IPv6 virtual tunnel interface configuration guide (``ipv6 address P/L``,
``tunnel mode ipsec ipv6``, keyring ``address <v6>/128``, ``match identity remote address <v6>/128``,
``crypto isakmp key K address ipv6 <v6>/128``) and the VTI mixed-mode keywords (``ipsec ipv4 v6-overlay``,
``ipsec ipv6 v4-overlay``), in the upper-case form IOS shows."""

import copy

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import render
from ios_render_helpers import config_lines, missing_lines

OUTSIDE6 = ("2001:db8:64::11/64", "2001:db8:64::12/64")
OUTSIDE4 = ("202.100.1.1/24", "202.100.1.2/24")


def intent(outside=OUTSIDE6, inner=("2001:db8:ff::1/126", "2001:db8:ff::2/126"),
           lans=("2001:db8:11::/64", "2001:db8:12::/64"), version=2, style="vti", routing=None):
    tunnel = {"name": "r2-r3", "style": style, "profile": "p", "psk": "v6-key-1",
              "a": {"gateway": "R2"}, "b": {"gateway": "R3"}}
    if style != "crypto_map":
        tunnel["a"]["tunnel_address"], tunnel["b"]["tunnel_address"] = inner
        tunnel["overlay"] = {"routing": routing or {"protocol": "static"}}
        if style == "gre_over_ipsec":
            tunnel["overlay"]["protection"] = "ipsec_profile"
    return {
        "crypto_profiles": {"p": {
            "ike": {"version": version, "proposals": [{"encryption": "aes256", "integrity": "sha256",
                                                       "dh_group": 14}]},
            "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}], "pfs_group": 14},
        }},
        "gateways": {
            "R2": {"platform": "ios", "outside_interface": "Serial0", "outside_address": outside[0],
                   "protected_networks": [lans[0]]},
            "R3": {"platform": "ios", "outside_interface": "Serial0", "outside_address": outside[1],
                   "protected_networks": [lans[1]]},
        },
        "tunnels": [tunnel],
    }


def text(raw, host="R2"):
    return render.render_text(planner.plan_host(raw, host))


def errors(raw):
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(raw)
    return [str(e) for e in info.value.errors]


def test_ipv6_vti_over_ipv6_renders_ipv6_commands():
    out = text(intent())
    expected = """
crypto ikev2 policy IPSEC-VPN
 match address local 2001:DB8:64::11
crypto ikev2 keyring IPSEC-VPN-KEYRING
 peer r2-r3
  address 2001:DB8:64::12/128
  pre-shared-key v6-key-1
crypto ikev2 profile IKEV2-r2-r3
 match identity remote address 2001:DB8:64::12/128
 identity local address 2001:DB8:64::11
interface Tunnel3
 ipv6 address 2001:DB8:FF::1/126
 tunnel source 2001:DB8:64::11
 tunnel destination 2001:DB8:64::12
 tunnel mode ipsec ipv6
 tunnel protection ipsec profile IPSEC-r2-r3
ipv6 route 2001:DB8:12::/64 Tunnel3 name IPSEC-VPN
"""
    assert missing_lines(expected, out) == []
    lines = config_lines(out)
    # nothing IPv4-shaped is left for an IPv6 address
    assert not [line for line in lines if line.startswith(("ip address", "ip route")) or "ffff:ffff" in line]
    assert "tunnel mode ipsec ipv4" not in lines


def test_the_other_end_mirrors():
    out = text(intent(), "R3")
    assert missing_lines("""
interface Tunnel2
 ipv6 address 2001:DB8:FF::2/126
 tunnel destination 2001:DB8:64::11
ipv6 route 2001:DB8:11::/64 Tunnel2 name IPSEC-VPN
crypto ikev2 profile IKEV2-r2-r3
 match identity remote address 2001:DB8:64::11/128
""", out) == []


def test_mixed_families_use_the_overlay_modes():
    v6_in_v4 = text(intent(outside=OUTSIDE4))
    assert missing_lines("""
interface Tunnel3
 ipv6 address 2001:DB8:FF::1/126
 tunnel source 202.100.1.1
 tunnel mode ipsec ipv4 v6-overlay
ipv6 route 2001:DB8:12::/64 Tunnel3 name IPSEC-VPN
crypto ikev2 profile IKEV2-r2-r3
 match identity remote address 202.100.1.2 255.255.255.255
""", v6_in_v4) == []
    v4_in_v6 = text(intent(inner=("10.23.0.1/30", "10.23.0.2/30"), lans=("172.16.1.0/24", "172.16.2.0/24")))
    assert missing_lines("""
interface Tunnel3
 ip address 10.23.0.1 255.255.255.252
 tunnel destination 2001:DB8:64::12
 tunnel mode ipsec ipv6 v4-overlay
ip route 172.16.2.0 255.255.255.0 Tunnel3 name IPSEC-VPN
""", v4_in_v6) == []


def test_gre_over_ipv6_with_an_ipsec_profile():
    out = text(intent(style="gre_over_ipsec"))
    assert missing_lines("""
interface Tunnel3
 ipv6 address 2001:DB8:FF::1/126
 tunnel mode gre ipv6
 tunnel protection ipsec profile IPSEC-r2-r3
""", out) == []


def test_ikev1_key_for_an_ipv6_peer():
    out = text(intent(version=1))
    assert "crypto isakmp key v6-key-1 address ipv6 2001:DB8:64::12/128" in out.splitlines()


def test_intent_spelling_does_not_matter():
    spelled = intent(outside=("2001:0db8:0064:0::11/64", "2001:DB8:64::12/64"),
                     inner=("2001:db8:ff:0::1/126", "2001:db8:00ff::2/126"))
    assert config_lines(text(spelled)) == config_lines(text(intent()))


def test_ipv6_overlay_pool_gives_126_prefixes():
    raw = intent()
    raw["tunnels"] = []
    raw["groups"] = [{"name": "mesh", "type": "full_mesh", "members": ["R2", "R3"], "style": "vti", "profile": "p",
                      "psk": "v6-key-1", "overlay_pool": "2001:db8:ff::/120",
                      "overlay": {"routing": {"protocol": "static"}}}]
    raw["gateways"]["R2"]["site_id"] = 1
    raw["gateways"]["R3"]["site_id"] = 2
    plans = planner.plan_all(raw)
    # full-mesh subnet index for sites 1 and 2: 2 * 1 / 2 + 1 = 2, so the third /126 of the pool
    r2 = plans["R2"]["tunnel_interfaces"][0]
    r3 = plans["R3"]["tunnel_interfaces"][0]
    assert (r2["address"], r3["address"]) == ("2001:db8:ff::9/126", "2001:db8:ff::a/126")
    assert r2["network"] == "2001:db8:ff::8/126"
    assert (r2["ip_version"], r2["prefixlen"], r2["mode"]) == (6, 126, "ipsec_ipv6")


def test_what_ios_cannot_carry_is_refused_with_the_path():
    crypto_map = intent(style="crypto_map")
    assert errors(crypto_map)[0] == (
        "gateways.R2.protected_networks: tunnel 'r2-r3': IPv6 protected networks on IOS gateway R2 need style vti (or "
        "gre_over_ipsec with ipsec_profile protection); IOS crypto maps are rendered for IPv4 only")
    outside_only = intent(style="crypto_map", lans=("172.16.1.0/24", "172.16.2.0/24"))
    assert errors(outside_only)[0].startswith(
        "gateways.R2.outside_address: tunnel 'r2-r3': an IPv6 outside address on IOS gateway R2 need style vti")
    gre_map = intent(style="gre_over_ipsec")
    gre_map["tunnels"][0]["overlay"]["protection"] = "crypto_map"
    assert errors(gre_map)[0].startswith(
        "tunnels[0].overlay.protection: tunnel 'r2-r3': IOS gateway R2 has an IPv6 outside address; GRE over IPv6 is "
        "protected with protection ipsec_profile")
    mixed = intent(inner=("10.23.0.1/30", "10.23.0.2/30"))
    assert errors(mixed)[0] == (
        "gateways.R2.protected_networks: tunnel 'r2-r3': 2001:db8:11::/64 is IPv6 but the IOS tunnel interface of R2 "
        "has the IPv4 tunnel address 10.23.0.1/30; an IOS tunnel interface here carries one family, give this network "
        "a tunnel of its own family")
    ospf = intent(routing={"protocol": "ospf", "process_id": 1, "area": 0})
    assert errors(ospf)[0].startswith("tunnels[0].overlay.routing.protocol: tunnel 'r2-r3': IOS gateway R2 gets the "
                                      "IPv6 tunnel address 2001:db8:ff::1/126, but ospf is rendered for IPv4 only")
    acl = copy.deepcopy(intent())
    acl["gateways"]["R2"]["outside_acl"] = {"enabled": True}
    assert errors(acl) == ["gateways.R2.outside_acl.enabled: IOS gateway R2 has an IPv6 outside address; the outside "
                           "ACL is rendered for IPv4 only"]
