"""Every construct of the table round-trips: typed -> parse -> display -> parse -> same display, and the displayed
form the table predicts is what an independent IOS model (tests/ios_sim) prints for the typed line."""

import os
import sys

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import algorithms as alg
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import constructs as C
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import render, running

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)
from tests.ios_sim import World  # noqa: E402  (test infrastructure; shares no code with the collection)

HIDDEN = None
NO_SIM = "no-sim"  # constructs the simulator does not model

# (construct, context lines typed before it, typed line, displayed line or HIDDEN, sim?)
SAMPLES = [
    ("ledger", [], "ip access-list extended IPSEC-VPN-OWNED", "ip access-list extended IPSEC-VPN-OWNED", True),
    ("ledger.entry", ["ip access-list extended IPSEC-VPN-OWNED"], "remark isakmp-policy 10", "remark isakmp-policy 10",
     True),
    ("acl_named", [], "ip access-list extended VPN", "ip access-list extended VPN", True),
    ("acl_named.remark", ["ip access-list extended VPN"], "remark ipsec.vpn:r2-r3", "remark ipsec.vpn:r2-r3", True),
    ("acl_named.entry", ["ip access-list extended VPN"], "permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255",
     "permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255", True),
    ("acl_named.entry", ["ip access-list extended OUT"], "permit udp any eq 500 host 198.51.100.1 eq 4500",
     "permit udp any eq isakmp host 198.51.100.1 eq non500-isakmp", True),
    ("acl_named.entry", ["ip access-list extended GRE"], "permit gre host 202.100.1.1 host 202.100.1.2",
     "permit gre host 202.100.1.1 host 202.100.1.2", True),
    ("acl_numbered.remark", [], "access-list 100 remark ipsec.vpn:outside", "access-list 100 remark ipsec.vpn:outside",
     True),
    ("acl_numbered.entry", [], "access-list 100 permit udp any eq 500 any eq isakmp",
     "access-list 100 permit udp any eq isakmp any eq isakmp", True),
    ("acl_numbered.entry", [], "access-list 101 permit esp any any", "access-list 101 permit esp any any", True),
    ("isakmp_policy", [], "crypto isakmp policy 10", "crypto isakmp policy 10", True),
    ("isakmp_policy.encryption", ["crypto isakmp policy 10"], "encryption aes 256", "encr aes 256", True),
    ("isakmp_policy.encryption", ["crypto isakmp policy 11"], "encryption aes", "encr aes", True),
    ("isakmp_policy.encryption", ["crypto isakmp policy 12"], "encryption des", HIDDEN, True),
    ("isakmp_policy.hash", ["crypto isakmp policy 10"], "hash md5", "hash md5", True),
    ("isakmp_policy.hash", ["crypto isakmp policy 11"], "hash sha", HIDDEN, True),
    ("isakmp_policy.authentication", ["crypto isakmp policy 10"], "authentication pre-share",
     "authentication pre-share", True),
    ("isakmp_policy.authentication", ["crypto isakmp policy 11"], "authentication rsa-sig", HIDDEN, True),
    ("isakmp_policy.group", ["crypto isakmp policy 10"], "group 14", "group 14", True),
    ("isakmp_policy.group", ["crypto isakmp policy 11"], "group 1", HIDDEN, True),
    ("isakmp_policy.lifetime", ["crypto isakmp policy 10"], "lifetime 3600", "lifetime 3600", True),
    ("isakmp_policy.lifetime", ["crypto isakmp policy 11"], "lifetime 86400", HIDDEN, True),
    ("isakmp_key", [], "crypto isakmp key s3cret address 198.51.100.7", "crypto isakmp key s3cret address 198.51.100.7",
     True),
    ("isakmp_keepalive", [], "crypto isakmp keepalive 10 3", "crypto isakmp keepalive 10 3", True),
    ("isakmp_keepalive", [], "crypto isakmp keepalive 30 5 periodic", "crypto isakmp keepalive 30 5 periodic", True),
    ("nat_transparency_off", [], "no crypto ipsec nat-transparency udp-encapsulation",
     "no crypto ipsec nat-transparency udp-encapsulation", NO_SIM),
    ("ikev2_proposal", [], "crypto ikev2 proposal P1", "crypto ikev2 proposal P1", True),
    ("ikev2_proposal.encryption", ["crypto ikev2 proposal P1"], "encryption aes-cbc-256", "encryption aes-cbc-256",
     True),
    ("ikev2_proposal.integrity", ["crypto ikev2 proposal P1"], "integrity sha256", "integrity sha256", True),
    ("ikev2_proposal.prf", ["crypto ikev2 proposal P2", "encryption aes-gcm-256"], "prf sha384", "prf sha384", True),
    ("ikev2_proposal.group", ["crypto ikev2 proposal P1"], "group 14 19", "group 14 19", True),
    ("ikev2_policy", [], "crypto ikev2 policy IPSEC-VPN", "crypto ikev2 policy IPSEC-VPN", True),
    ("ikev2_policy.match_local", ["crypto ikev2 policy IPSEC-VPN"], "match address local 202.100.1.1",
     "match address local 202.100.1.1", True),
    ("ikev2_policy.proposal", ["crypto ikev2 policy IPSEC-VPN"], "proposal P1", "proposal P1", True),
    ("ikev2_keyring", [], "crypto ikev2 keyring KR", "crypto ikev2 keyring KR", True),
    ("ikev2_keyring.peer", ["crypto ikev2 keyring KR"], "peer r2-r3", "peer r2-r3", True),
    ("ikev2_keyring.peer.description", ["crypto ikev2 keyring KR", "peer r2-r3"], "description ipsec.vpn:r2-r3",
     "description ipsec.vpn:r2-r3", True),
    ("ikev2_keyring.peer.address", ["crypto ikev2 keyring KR", "peer r2-r3"], "address 202.100.1.2",
     "address 202.100.1.2", True),
    ("ikev2_keyring.peer.psk", ["crypto ikev2 keyring KR", "peer r2-r3"], "pre-shared-key s3cret",
     "pre-shared-key s3cret", True),
    ("ikev2_profile", [], "crypto ikev2 profile IKEV2-r2-r3", "crypto ikev2 profile IKEV2-r2-r3", True),
    ("ikev2_profile.description", ["crypto ikev2 profile IKEV2-r2-r3"], "description ipsec.vpn:r2-r3",
     "description ipsec.vpn:r2-r3", True),
    ("ikev2_profile.match_identity", ["crypto ikev2 profile IKEV2-r2-r3"],
     "match identity remote address 202.100.1.2 255.255.255.255",
     "match identity remote address 202.100.1.2 255.255.255.255", True),
    ("ikev2_profile.match_identity", ["crypto ikev2 profile IKEV2-x"], "match identity remote fqdn vpn.example.net",
     "match identity remote fqdn vpn.example.net", True),
    ("ikev2_profile.match_identity", ["crypto ikev2 profile IKEV2-x"], "match identity remote email vpn@example.net",
     "match identity remote email vpn@example.net", True),
    ("ikev2_profile.identity_local", ["crypto ikev2 profile IKEV2-c"], "identity local fqdn site1.lab.test",
     "identity local fqdn site1.lab.test", True),
    ("ikev2_profile.identity_local", ["crypto ikev2 profile IKEV2-d"], "identity local dn", "identity local dn", True),
    ("ikev2_profile.pki_trustpoint", ["crypto ikev2 profile IKEV2-c"], "pki trustpoint IPSEC-VPN",
     "pki trustpoint IPSEC-VPN", True),
    ("ikev2_profile.authentication", ["crypto ikev2 profile IKEV2-c"], "authentication local rsa-sig",
     "authentication local rsa-sig", True),
    ("isakmp_identity", [], "crypto isakmp identity dn", "crypto isakmp identity dn", True),
    ("isakmp_identity", [], "crypto isakmp identity address", HIDDEN, True),
    ("pki_trustpoint", [], "crypto pki trustpoint IPSEC-VPN", "crypto pki trustpoint IPSEC-VPN", True),
    ("pki_trustpoint.enrollment", ["crypto pki trustpoint IPSEC-VPN"], "enrollment terminal", "enrollment terminal",
     True),
    ("pki_trustpoint.revocation_check", ["crypto pki trustpoint IPSEC-VPN"], "revocation-check none",
     "revocation-check none", True),
    ("pki_trustpoint.revocation_check", ["crypto pki trustpoint TP2"], "revocation-check crl", HIDDEN, True),
    ("ikev2_profile.identity_local", ["crypto ikev2 profile IKEV2-r2-r3"], "identity local address 202.100.1.1",
     "identity local address 202.100.1.1", True),
    ("ikev2_profile.authentication", ["crypto ikev2 profile IKEV2-r2-r3"], "authentication remote pre-share",
     "authentication remote pre-share", True),
    ("ikev2_profile.keyring", ["crypto ikev2 profile IKEV2-r2-r3"], "keyring local KR", "keyring local KR", True),
    ("ikev2_profile.dpd", ["crypto ikev2 profile IKEV2-r2-r3"], "dpd 10 2 on-demand", "dpd 10 2 on-demand", True),
    ("ikev2_profile.lifetime", ["crypto ikev2 profile IKEV2-r2-r3"], "lifetime 3600", "lifetime 3600", True),
    ("ikev2_profile.lifetime", ["crypto ikev2 profile IKEV2-y"], "lifetime 86400", HIDDEN, True),
    ("transform_set", [], "crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac",
     "crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac", True),
    ("transform_set", [], "crypto ipsec transform-set TS2 esp-aes 128 esp-sha-hmac",
     "crypto ipsec transform-set TS2 esp-aes esp-sha-hmac", True),
    ("transform_set.mode", ["crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac"], "mode transport",
     "mode transport", True),
    ("transform_set.mode", ["crypto ipsec transform-set TS3 esp-des esp-md5-hmac"], "mode tunnel", "mode tunnel",
     True),
    ("ipsec_sa_lifetime", [], "crypto ipsec security-association lifetime seconds 1800",
     "crypto ipsec security-association lifetime seconds 1800", True),
    ("ipsec_sa_lifetime", [], "crypto ipsec security-association lifetime kilobytes 4608000", HIDDEN, True),
    ("ipsec_profile", [], "crypto ipsec profile VTI-1", "crypto ipsec profile VTI-1", True),
    ("ipsec_profile.description", ["crypto ipsec profile VTI-1"], "description ipsec.vpn:r2-r3",
     "description ipsec.vpn:r2-r3", True),
    ("ipsec_profile.set_transform_set", ["crypto ipsec profile VTI-1"], "set transform-set TS TS2",
     "set transform-set TS TS2", True),
    ("ipsec_profile.set_pfs", ["crypto ipsec profile VTI-1"], "set pfs group14", "set pfs group14", True),
    ("ipsec_profile.set_lifetime", ["crypto ipsec profile VTI-1"], "set security-association lifetime seconds 1800",
     "set security-association lifetime seconds 1800", True),
    ("ipsec_profile.set_ikev2_profile", ["crypto ipsec profile VTI-1"], "set ikev2-profile IKEV2-r2-r3",
     "set ikev2-profile IKEV2-r2-r3", True),
    ("crypto_map_entry", [], "crypto map MYMAP 100 ipsec-isakmp", "crypto map MYMAP 100 ipsec-isakmp", True),
    ("crypto_map_entry.description", ["crypto map MYMAP 100 ipsec-isakmp"], "description ipsec.vpn:r2-r3",
     "description ipsec.vpn:r2-r3", True),
    ("crypto_map_entry.set_peer", ["crypto map MYMAP 100 ipsec-isakmp"], "set peer 202.100.1.2",
     "set peer 202.100.1.2", True),
    ("crypto_map_entry.set_transform_set", ["crypto map MYMAP 100 ipsec-isakmp"], "set transform-set MYSET",
     "set transform-set MYSET", True),
    ("crypto_map_entry.set_pfs", ["crypto map MYMAP 100 ipsec-isakmp"], "set pfs group19", "set pfs group19", True),
    ("crypto_map_entry.set_lifetime", ["crypto map MYMAP 100 ipsec-isakmp"],
     "set security-association lifetime kilobytes 10000", "set security-association lifetime kilobytes 10000", True),
    ("crypto_map_entry.set_lifetime", ["crypto map MYMAP 101 ipsec-isakmp"],
     "set security-association lifetime seconds 3600", HIDDEN, NO_SIM),
    ("crypto_map_entry.set_ikev2_profile", ["crypto map MYMAP 100 ipsec-isakmp"], "set ikev2-profile IKEV2-r2-r3",
     "set ikev2-profile IKEV2-r2-r3", True),
    ("crypto_map_entry.match_address", ["crypto map MYMAP 100 ipsec-isakmp"], "match address VPN",
     "match address VPN", True),
    ("interface", [], "interface Tunnel5", "interface Tunnel5", True),
    ("interface.description", ["interface Tunnel5"], "description ipsec.vpn:r2-r3", "description ipsec.vpn:r2-r3",
     True),
    ("interface.ip_address", ["interface Tunnel5"], "ip address 12.1.1.1 255.255.255.0",
     "ip address 12.1.1.1 255.255.255.0", True),
    ("interface.ip_mtu", ["interface Tunnel5"], "ip mtu 1400", "ip mtu 1400", True),
    ("interface.tcp_mss", ["interface Tunnel5"], "ip tcp adjust-mss 1360", "ip tcp adjust-mss 1360", True),
    ("interface.tunnel_source", ["interface Tunnel5"], "tunnel source 202.100.1.1", "tunnel source 202.100.1.1",
     True),
    ("interface.tunnel_source", ["interface Tunnel6"], "tunnel source Serial0", "tunnel source Serial0", True),
    ("interface.tunnel_destination", ["interface Tunnel5"], "tunnel destination 202.100.1.2",
     "tunnel destination 202.100.1.2", True),
    ("interface.tunnel_mode", ["interface Tunnel5"], "tunnel mode ipsec ipv4", "tunnel mode ipsec ipv4", True),
    ("interface.tunnel_mode", ["interface Tunnel6"], "tunnel mode gre ip", HIDDEN, True),
    ("interface.tunnel_protection", ["crypto ipsec profile VTI-1", "interface Tunnel5"],
     "tunnel protection ipsec profile VTI-1", "tunnel protection ipsec profile VTI-1", True),
    ("interface.crypto_map", ["interface Serial0"], "crypto map MYMAP", "crypto map MYMAP", True),
    ("interface.access_group", ["interface Serial0"], "ip access-group 100 in", "ip access-group 100 in", True),
    ("router_eigrp", [], "router eigrp 90", "router eigrp 90", True),
    ("router_eigrp.network", ["router eigrp 90"], "network 12.1.1.0 0.0.0.255", "network 12.1.1.0 0.0.0.255", True),
    ("router_eigrp.network", ["router eigrp 91"], "network 10.0.0.0 0.255.255.255", "network 10.0.0.0 0.255.255.255",
     True),
    ("router_eigrp.passive", ["interface Tunnel5", "router eigrp 90"], "passive-interface Tunnel5",
     "passive-interface Tunnel5", True),
    ("router_ospf", [], "router ospf 1", "router ospf 1", True),
    ("router_ospf.network", ["router ospf 1"], "network 12.1.1.0 0.0.0.255 area 0", "network 12.1.1.0 0.0.0.255 area 0",
     True),
    ("router_ospf.passive", ["interface Tunnel5", "router ospf 1"], "passive-interface Tunnel5",
     "passive-interface Tunnel5", True),
    ("ip_route", [], "ip route 172.16.2.0 255.255.255.0 202.100.1.2 name IPSEC-VPN",
     "ip route 172.16.2.0 255.255.255.0 202.100.1.2 name IPSEC-VPN", True),
    ("ip_route", ["interface Tunnel5"], "ip route 10.2.0.0 255.255.0.0 Tunnel5 name IPSEC-VPN",
     "ip route 10.2.0.0 255.255.0.0 Tunnel5 name IPSEC-VPN", True),
    # IPv6, typed as IOS shows it (compressed, upper case; see test_ipv6_spellings_are_read_in_the_ios_form), peers
    # in keyrings, isakmp keys and identities as /128 prefixes (Cisco IPv6 VTI guide). The simulator is IPv4 only.
    ("isakmp_key", [], "crypto isakmp key s3cret address ipv6 2001:DB8:64::12/128",
     "crypto isakmp key s3cret address ipv6 2001:DB8:64::12/128", NO_SIM),
    ("ikev2_policy.match_local", ["crypto ikev2 policy IPSEC-VPN"], "match address local 2001:DB8:64::11",
     "match address local 2001:DB8:64::11", NO_SIM),
    ("ikev2_keyring.peer.address", ["crypto ikev2 keyring KR", "peer r2-r3"], "address 2001:DB8:64::12/128",
     "address 2001:DB8:64::12/128", NO_SIM),
    ("ikev2_profile.match_identity", ["crypto ikev2 profile IKEV2-v6"],
     "match identity remote address 2001:DB8:64::12/128", "match identity remote address 2001:DB8:64::12/128", NO_SIM),
    ("ikev2_profile.identity_local", ["crypto ikev2 profile IKEV2-v6"], "identity local address 2001:DB8:64::11",
     "identity local address 2001:DB8:64::11", NO_SIM),
    ("interface.ipv6_address", ["interface Tunnel7"], "ipv6 address 2001:DB8:FF::1/126",
     "ipv6 address 2001:DB8:FF::1/126", NO_SIM),
    ("interface.tunnel_source", ["interface Tunnel7"], "tunnel source 2001:DB8:64::11",
     "tunnel source 2001:DB8:64::11", NO_SIM),
    ("interface.tunnel_destination", ["interface Tunnel7"], "tunnel destination 2001:DB8:64::12",
     "tunnel destination 2001:DB8:64::12", NO_SIM),
    ("interface.tunnel_mode", ["interface Tunnel7"], "tunnel mode ipsec ipv6", "tunnel mode ipsec ipv6", NO_SIM),
    ("interface.tunnel_mode", ["interface Tunnel8"], "tunnel mode ipsec ipv4 v6-overlay",
     "tunnel mode ipsec ipv4 v6-overlay", NO_SIM),
    ("interface.tunnel_mode", ["interface Tunnel9"], "tunnel mode ipsec ipv6 v4-overlay",
     "tunnel mode ipsec ipv6 v4-overlay", NO_SIM),
    ("interface.tunnel_mode", ["interface Tunnel10"], "tunnel mode gre ipv6", "tunnel mode gre ipv6", NO_SIM),
    ("ipv6_route", ["interface Tunnel7"], "ipv6 route 2001:DB8:12::/64 Tunnel7 name IPSEC-VPN",
     "ipv6 route 2001:DB8:12::/64 Tunnel7 name IPSEC-VPN", NO_SIM),
    ("ipv6_route", [], "ipv6 route 2001:DB8:65::/64 2001:DB8:64::1 name IPSEC-VPN",
     "ipv6 route 2001:DB8:65::/64 2001:DB8:64::1 name IPSEC-VPN", NO_SIM),
]

IDS = ["%s:%s" % (sample[0], sample[2]) for sample in SAMPLES]


def test_every_construct_has_a_sample():
    sampled = set(sample[0] for sample in SAMPLES)
    missing = [c.name for c in C.TABLE if c.name not in sampled and not c.virtual]
    assert missing == []


@pytest.mark.parametrize("name,context,typed,shown,sim", SAMPLES, ids=IDS)
def test_render_display_parse_round_trip(name, context, typed, shown, sim):
    construct = C.BY_NAME[name]
    node = C.node_from_line(typed, construct.parent)
    assert node.name == name
    assert node.typed() == typed  # the sample is the canonical typed form
    assert node.shown() == shown
    if shown is None:
        # a hidden default: absence means the same
        assert construct.absent is None
        return
    again = C.node_from_line(shown, construct.parent)
    assert again.name == name
    assert again.shown() == shown
    assert again.identity() == node.identity()
    assert C.node_from_line(again.typed(), construct.parent).shown() == shown
    removal = node.removal()
    assert removal.startswith("no ") or name == "nat_transparency_off"


@pytest.mark.parametrize("name,typed,shown", [
    ("interface.ipv6_address", "ipv6 address 2001:db8:00ff:0::1/126", "ipv6 address 2001:DB8:FF::1/126"),
    ("interface.tunnel_destination", "tunnel destination 2001:db8:64:0:0::12", "tunnel destination 2001:DB8:64::12"),
    ("ikev2_keyring.peer.address", "address 2001:db8:64::12", "address 2001:DB8:64::12/128"),
    ("ikev2_profile.match_identity", "match identity remote address 2001:db8:64::12",
     "match identity remote address 2001:DB8:64::12/128"),
    ("isakmp_key", "crypto isakmp key k address ipv6 2001:db8:64::12",
     "crypto isakmp key k address ipv6 2001:DB8:64::12/128"),
    ("ipv6_route", "ipv6 route 2001:db8:12:0::/64 Tu7 name IPSEC-VPN",
     "ipv6 route 2001:DB8:12::/64 Tunnel7 name IPSEC-VPN"),
])
def test_ipv6_spellings_are_read_in_the_ios_form(name, typed, shown):
    """Any spelling of an IPv6 address reads as the one IOS shows, so an intent's spelling and the device agree."""
    construct = C.BY_NAME[name]
    node = C.node_from_line(typed, construct.parent)
    assert node.name == name
    assert node.shown() == shown
    assert C.node_from_line(shown, construct.parent).identity() == node.identity()


def _world():
    return World.from_dict({"devices": {"R2": {
        "username": "admin", "password": "x", "privilege": 15,
        "interfaces": {"Serial0": {"address": "202.100.1.1/24"}, "Ethernet0": {"address": "172.16.1.1/24"}},
    }}})


def _find(nodes, identities):
    """The node at the end of a path of identities."""
    current = nodes
    found = None
    for identity in identities:
        found = next((n for n in current if n.identity() == identity), None)
        if found is None:
            return None
        current = found.children
    return found


@pytest.mark.parametrize("name,context,typed,shown,sim", [s for s in SAMPLES if s[4] is True],
                         ids=[i for i, s in zip(IDS, SAMPLES) if s[4] is True])
def test_the_device_displays_what_the_table_predicts(name, context, typed, shown, sim):
    world = _world()
    output = world.run("R2", "configure terminal", *(list(context) + [typed]), "end")
    assert "%" not in output.replace("% NOTE", ""), output
    text = world.run("R2", "show running-config")
    nodes = running.recognise(text)
    construct = C.BY_NAME[name]
    # the path of blocks the line sits in: the context lines that open the construct's ancestors
    path = []
    parent = construct.parent
    chain = []
    while parent is not None and parent != "acl_numbered":
        chain.insert(0, parent)
        parent = C.BY_NAME[parent].parent
    lines = list(context)
    for block in chain:
        line = next(line for line in reversed(lines) if C.BY_NAME[block].parse(line) is not None)
        path.append(C.node_from_line(line, C.BY_NAME[block].parent).identity())
    if construct.parent == "acl_numbered":
        path.append(("acl_numbered", typed.split()[1]))
    target = C.node_from_line(typed, construct.parent).identity()
    node = _find(nodes, path + [target])
    if shown is None:
        assert node is None or node.shown() is None, text
        return
    assert node is not None, "%s not found in:\n%s" % (shown, text)
    assert node.shown() == shown
    assert shown in [line.strip() for line in text.splitlines()], text


def test_numbered_acl_lines_are_grouped_and_ledger_is_kept_apart():
    text = "\n".join([
        "access-list 100 remark ipsec.vpn:outside",
        "access-list 100 permit esp any any",
        "access-list 101 permit gre any any",
        "ip access-list extended IPSEC-VPN-OWNED",
        " remark isakmp-policy 10",
        " remark transform-set MYSET",
    ])
    state = running.Running.from_text(text)
    groups = [n for n in state.nodes if n.name == "acl_numbered"]
    assert [g.values["number"] for g in groups] == ["100", "101"]
    assert [c.shown() for c in groups[0].children] == ["access-list 100 remark ipsec.vpn:outside",
                                                       "access-list 100 permit esp any any"]
    assert groups[0].has_marker() and not groups[1].has_marker()
    assert state.ledger == ["isakmp-policy 10", "transform-set MYSET"]
    assert all(n.name != "ledger" for n in state.nodes)


def test_banners_and_unknown_lines_are_skipped():
    text = "\n".join([
        "banner motd ^C",
        "crypto isakmp key fake address 1.1.1.1",
        "^C",
        "crypto map MYMAP 10 ipsec-isakmp",
        " set nat demux",
        " set peer 1.1.1.2",
        "snmp-server community public RO",
    ])
    nodes = running.recognise(text)
    assert [n.name for n in nodes] == ["crypto_map_entry"]
    entry = nodes[0]
    assert [c.name for c in entry.children] == [None, "crypto_map_entry.set_peer"]


def test_classful_network_without_wildcard_is_recognised():
    short = C.node_from_line("network 10.0.0.0", "router_eigrp")
    assert short.identity() == C.node_from_line("network 10.0.0.0 0.255.255.255", "router_eigrp").identity()
    assert C.node_from_line("network 172.16.0.0", "router_eigrp").values["wildcard"] == "0.0.255.255"


def test_interface_names_are_expanded():
    assert C.interface_name("gi0/1") == "GigabitEthernet0/1"
    assert C.interface_name("Se0") == "Serial0"
    assert C.interface_name("Tu10") == "Tunnel10"
    assert C.interface_name("te1/0/1") == "TenGigabitEthernet1/0/1"
    assert C.interface_name("Ethernet0/1") == "Ethernet0/1"
    assert C.node_from_line("interface gi1", None).values["name"] == "GigabitEthernet1"


def test_secrets_are_masked_in_every_form():
    node = C.node_from_line("crypto isakmp key s3cret address 198.51.100.7")
    assert node.mask(node.typed()) == "crypto isakmp key ******** address 198.51.100.7"
    assert node.mask(node.removal()) == "no crypto isakmp key ******** address 198.51.100.7"
    psk = C.node_from_line("pre-shared-key s3cret", "ikev2_keyring.peer")
    assert psk.mask(psk.shown()) == "pre-shared-key ********"
    encrypted = C.node_from_line("crypto isakmp key 6 AbCd address 198.51.100.7")
    assert encrypted.values["encrypted"] is True
    assert encrypted.shown() == "crypto isakmp key 6 AbCd address 198.51.100.7"


def test_ios_xe_sequence_numbers_and_numbered_acls_as_named_blocks():
    xe = "\n".join([
        "ip access-list extended 100",
        " 10 remark ipsec.vpn:outside",
        " 20 permit udp any eq isakmp any eq isakmp",
        " 30 permit esp any any",
        "ip access-list extended VPN",
        " 10 remark ipsec.vpn:r2-r3",
        " 20 permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255",
    ])
    classic = "\n".join([
        "access-list 100 remark ipsec.vpn:outside",
        "access-list 100 permit udp any eq 500 any eq 500",
        "access-list 100 permit esp any any",
        "ip access-list extended VPN",
        " remark ipsec.vpn:r2-r3",
        " permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255",
    ])

    def view(text):
        return [(n.identity(), [c.shown() for c in n.children], n.has_marker()) for n in running.recognise(text)]

    assert view(xe) == view(classic)
    assert view(xe)[0][0] == ("acl_numbered", "100") and view(xe)[0][2] is True


# --------------------------------------------------------------------------------------------------------------
# The lines of the algorithm table's keywords: the construct table assembles them (the algorithm table keeps only
# the keyword). Expected forms: DOMAIN facts on how IOS types and shows an isakmp policy / IKEv2 proposal.
# --------------------------------------------------------------------------------------------------------------

def _policy_block(policy):
    plan = {"platform": "ios", "kind": "gateway", "isakmp_policies": [dict(policy, priority=10)]}
    (node,) = render.intended_nodes(plan)
    typed = [child.typed() for child in node.children]
    shown = [child.shown() for child in node.children if child.shown() is not None]
    return typed, shown


def test_isakmp_policy_lines_of_the_seed():
    typed, shown = _policy_block(alg.ios_isakmp_policy("des", "md5", 2, "psk", 86400))
    assert typed == ["encryption des", "hash md5", "authentication pre-share", "group 2"]
    assert shown == ["hash md5", "authentication pre-share", "group 2"]


def test_isakmp_policy_lines_modern():
    typed, shown = _policy_block(alg.ios_isakmp_policy("aes256", "sha256", 14, "psk", 3600))
    assert typed == ["encryption aes 256", "hash sha256", "authentication pre-share", "group 14", "lifetime 3600"]
    assert shown == ["encr aes 256", "hash sha256", "authentication pre-share", "group 14", "lifetime 3600"]


def test_isakmp_policy_of_defaults_shows_nothing():
    typed, shown = _policy_block(alg.ios_isakmp_policy("des", "sha1", 1, "rsa-sig", None))
    assert typed == ["encryption des", "hash sha", "authentication rsa-sig", "group 1"]
    assert shown == []


def test_ikev2_proposal_lines():
    proposal = dict(alg.ios_ikev2_proposal(["aes256", "aes128"], "sha256", None, [14, 19]), name="P")
    (node,) = render.intended_nodes({"platform": "ios", "kind": "gateway", "ikev2": {"proposals": [proposal]}})
    assert [child.typed() for child in node.children] == [
        "encryption aes-cbc-256 aes-cbc-128",
        "integrity sha256",
        "group 14 19",
    ]


@pytest.mark.parametrize(
    "construct, target, kind, name, expected",
    [
        ("isakmp_policy.encryption", "ios_ikev1", "encryption", "aes256", "encr aes 256"),
        ("isakmp_policy.encryption", "ios_ikev1", "encryption", "aes128", "encr aes"),
        ("isakmp_policy.encryption", "ios_ikev1", "encryption", "3des", "encr 3des"),
        ("isakmp_policy.encryption", "ios_ikev1", "encryption", "des", None),
        ("isakmp_policy.hash", "ios_ikev1", "integrity", "sha1", None),
        ("isakmp_policy.hash", "ios_ikev1", "integrity", "md5", "hash md5"),
        ("isakmp_policy.group", "ios_ikev1", "dh_group", 1, None),
        ("isakmp_policy.group", "ios_ikev1", "dh_group", 14, "group 14"),
        ("isakmp_policy.authentication", "ios_ikev1", "authentication", "rsa-sig", None),
        ("isakmp_policy.authentication", "ios_ikev1", "authentication", "psk", "authentication pre-share"),
        ("ikev2_proposal.encryption", "ios_ikev2", "encryption", "aes256gcm16", "encryption aes-gcm-256"),
        ("ikev2_proposal.prf", "ios_ikev2", "prf", "sha256", "prf sha256"),
        ("ikev2_proposal.group", "ios_ikev2", "dh_group", 19, "group 19"),
    ],
)
def test_displayed_line_of_one_algorithm(construct, target, kind, name, expected):
    assert C.make(construct, {"value": alg.keyword(target, kind, name)}).shown() == expected


def test_displayed_pfs_line():
    node = C.make("crypto_map_entry.set_pfs", {"group": alg.ios_pfs(14)})
    assert node.shown() == "set pfs group14"


def test_build_orders_children_as_the_table_and_drops_defaults():
    node = C.build("crypto_map_entry", {"name": "M", "seq": "10"}, [
        C.make("crypto_map_entry.match_address", {"acl": "A"}),
        C.make("crypto_map_entry.set_lifetime", {"kind": "seconds", "value": "3600"}),
        C.make("crypto_map_entry.set_peer", {"address": "198.51.100.2"}),
        None,
    ])
    assert [child.typed() for child in node.children] == ["set peer 198.51.100.2", "match address A"]
    with pytest.raises(ValueError, match="not a sub-command"):
        C.build("ipsec_profile", {"name": "P"}, [C.make("crypto_map_entry.set_peer", {"address": "198.51.100.2"})])


def test_stage_is_a_property_of_the_construct():
    assert C.make("interface", {"name": "Tunnel3"}).stage == 70
    assert C.make("interface", {"name": "GigabitEthernet1"}).stage == 80  # bindings come after what they bind
    assert C.make("crypto_map_entry", {"name": "M", "seq": "10"}).stage == 60
