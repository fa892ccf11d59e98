"""Negotiation between two simulated routers and what `show crypto ...` and `ping` report."""

import re

import pytest

from ..world import World
from .seed import WORLD_FILE, configure

PING_R2 = "ping 172.16.2.1 source Ethernet0"
PING_R3 = "ping 172.16.1.1 source Ethernet0"


def isakmp_rows(world, device):
    rows = []
    for line in world.run(device, "show crypto isakmp sa").splitlines():
        fields = line.split()
        if len(fields) == 5 and re.fullmatch(r"[\d.]+", fields[0]):
            rows.append(tuple(fields))
    return rows


def counters(world, device):
    text = world.run(device, "show crypto ipsec sa")
    found = dict(re.findall(r"#pkts (encaps|encrypt|digest|decaps|decrypt|verify): (\d+)", text))
    return {name: int(value) for name, value in found.items()}


def test_crypto_map_waits_for_traffic_then_comes_up(seeded):
    world = seeded
    assert isakmp_rows(world, "R2") == []
    assert "Status: ACTIVE" not in world.run("R2", "show crypto ipsec sa")
    output = world.run("R2", PING_R2)
    assert "!!!!!" in output and "Success rate is 100 percent (5/5)" in output
    assert isakmp_rows(world, "R2") == [("202.100.1.2", "202.100.1.1", "QM_IDLE", "1001", "ACTIVE")]
    # the responder lists the same direction: dst is the responder, src the initiator
    assert isakmp_rows(world, "R3") == [("202.100.1.2", "202.100.1.1", "QM_IDLE", "1001", "ACTIVE")]
    r2 = world.run("R2", "show crypto ipsec sa")
    assert "Crypto map tag: MYMAP, local addr 202.100.1.1" in r2
    assert "local  ident (addr/mask/prot/port): (172.16.1.0/255.255.255.0/0/0)" in r2
    assert "remote ident (addr/mask/prot/port): (172.16.2.0/255.255.255.0/0/0)" in r2
    assert "transform: esp-des esp-md5-hmac ," in r2 and "in use settings ={Tunnel, }" in r2
    assert r2.count("Status: ACTIVE(ACTIVE)") == 2
    assert re.search(r"sa timing: remaining key lifetime \(k/sec\): \(4608000/3[56]\d\d\)", r2)
    assert counters(world, "R2") == {"encaps": 5, "encrypt": 5, "digest": 5, "decaps": 5, "decrypt": 5,
                                     "verify": 5}
    assert counters(world, "R3")["decaps"] == 5 and counters(world, "R3")["encaps"] == 5
    # SPIs pair up: R2's outbound SPI is R3's inbound one
    r2_out = re.search(r"current outbound spi: (0x[0-9A-F]+)", r2).group(1)
    r3 = world.run("R3", "show crypto ipsec sa")
    assert re.search(r"inbound esp sas:\n\s+spi: " + r2_out, r3)


def test_counters_grow_with_repeat_and_replies(seeded):
    world = seeded
    world.run("R2", PING_R2)
    world.run("R3", PING_R3 + " repeat 20")
    assert counters(world, "R2")["encaps"] == 25 and counters(world, "R2")["decaps"] == 25
    world.run("R2", "clear crypto sa counters")
    assert counters(world, "R2")["encaps"] == 0 and counters(world, "R3")["encaps"] == 25


def test_traffic_outside_the_crypto_acl_stays_clear(seeded):
    world = seeded
    output = world.run("R2", "ping 172.16.2.1")  # sourced from Serial0, which the ACL does not cover
    assert "Success rate is 100 percent" in output
    assert isakmp_rows(world, "R2") == []


def test_session_and_ikev1_summary(seeded):
    world = seeded
    assert "Session status: DOWN" in world.run("R2", "show crypto session")
    world.run("R2", PING_R2)
    session = world.run("R2", "show crypto session")
    assert "Interface: Serial0\nSession status: UP-ACTIVE\nPeer: 202.100.1.2 port 500" in session
    assert "IKEv1 SA: local 202.100.1.1/500 remote 202.100.1.2/500 Active" in session
    assert "IPSEC FLOW: permit ip 172.16.1.0/255.255.255.0 172.16.2.0/255.255.255.0" in session
    assert "Active SAs: 2, origin: crypto map" in session


def test_clear_commands_reset_state(seeded):
    world = seeded
    world.run("R2", PING_R2)
    world.run("R3", "clear crypto isakmp")
    assert isakmp_rows(world, "R2") == [] and "Status: ACTIVE" in world.run("R2", "show crypto ipsec sa")
    world.run("R2", "clear crypto session")
    assert "Status: ACTIVE" not in world.run("R3", "show crypto ipsec sa")
    world.run("R3", PING_R3 + " repeat 3")
    assert isakmp_rows(world, "R2") == [("202.100.1.1", "202.100.1.2", "QM_IDLE", "1002", "ACTIVE")]
    assert counters(world, "R2")["decaps"] == 3
    world.run("R2", "clear crypto sa")
    assert counters(world, "R2")["decaps"] == 0
    assert len(isakmp_rows(world, "R2")) == 1  # IKE survives `clear crypto sa`


def test_psk_mismatch_stops_in_key_exchange(seeded):
    world = seeded
    configure(world, "R3", "crypto isakmp key other address 202.100.1.1")
    output = world.run("R2", PING_R2)
    assert "....." in output and "Success rate is 0 percent (0/5)" in output
    assert isakmp_rows(world, "R2")[0][2] == "MM_KEY_EXCH"
    assert "Status: ACTIVE" not in world.run("R2", "show crypto ipsec sa")
    assert any("pre-shared keys" in event for event in world.crypto.events)


@pytest.mark.parametrize(
    ("device", "change"),
    [
        ("R3", "crypto isakmp policy 10\n hash sha"),  # no common policy
        ("R3", "no crypto isakmp key cisco address 202.100.1.1"),  # responder has no key
        ("R3", "interface Serial0\n no crypto map MYMAP"),  # responder does not listen
        ("R3", "crypto isakmp policy 10\n lifetime 3600"),  # responder's lifetime shorter than the offer
        ("R3", "ip access-list extended EDGE\n permit esp any any\ninterface Serial0\n ip access-group EDGE in"),
    ],
    ids=["policy", "no-key", "no-map", "lifetime", "acl-blocks-udp500"],
)
def test_phase1_failures_show_mm_no_state(seeded, device, change):
    world = seeded
    configure(world, device, change)
    assert "Success rate is 0 percent" in world.run("R2", PING_R2)
    rows = isakmp_rows(world, "R2")
    assert [row[2] for row in rows] == ["MM_NO_STATE"]
    assert "Status: ACTIVE" not in world.run("R2", "show crypto ipsec sa")


def test_shorter_initiator_lifetime_is_accepted(seeded):
    world = seeded
    configure(world, "R2", "crypto isakmp policy 10\n lifetime 3600")
    assert "Success rate is 100 percent" in world.run("R2", PING_R2)


@pytest.mark.parametrize(
    "change",
    [
        "crypto ipsec transform-set MYSET esp-3des esp-md5-hmac",
        "crypto ipsec transform-set MYSET esp-des esp-md5-hmac\n mode transport",
        "crypto map MYMAP 100\n set pfs group2",
        "ip access-list extended VPN\n no permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255\n"
        " permit ip 172.16.2.0 0.0.0.255 172.16.0.0 0.0.255.255",
        "crypto map MYMAP 100\n no set peer 202.100.1.1\n set peer 202.100.1.9",
    ],
    ids=["transform", "mode", "pfs", "acl-not-mirrored", "peer-not-pointing-back"],
)
def test_phase2_failures_leave_qm_idle_without_sa(seeded, change):
    world = seeded
    configure(world, "R3", change)
    assert "Success rate is 0 percent" in world.run("R2", PING_R2)
    assert [row[2] for row in isakmp_rows(world, "R2")] == ["QM_IDLE"]
    text = world.run("R2", "show crypto ipsec sa")
    assert "#pkts encaps: 0" in text and "Status: ACTIVE" not in text and "current outbound spi: 0x0(0)" in text
    assert "Session status: UP-IDLE" in world.run("R2", "show crypto session")


def test_removing_the_binding_tears_the_sa_down(seeded):
    world = seeded
    world.run("R2", PING_R2)
    configure(world, "R2", "interface Serial0\n no crypto map MYMAP")
    assert world.run("R2", "show crypto ipsec sa").strip() == ""
    assert "Status: ACTIVE" not in world.run("R3", "show crypto ipsec sa")


def test_drop_first_packet_option():
    world = World.from_yaml(WORLD_FILE)
    world.options["drop_first_packet"] = True
    from .seed import SEED_R2, SEED_R3

    configure(world, "R2", SEED_R2)
    configure(world, "R3", SEED_R3)
    output = world.run("R2", PING_R2)
    assert ".!!!!" in output and "Success rate is 80 percent (4/5)" in output


def test_eager_option_brings_crypto_maps_up_without_traffic():
    world = World.from_yaml(WORLD_FILE)
    world.options["crypto_map_initiation"] = "eager"
    from .seed import SEED_R2, SEED_R3

    configure(world, "R2", SEED_R2)
    configure(world, "R3", SEED_R3)
    assert [row[2] for row in isakmp_rows(world, "R2")] == ["QM_IDLE"]
    assert "Status: ACTIVE(ACTIVE)" in world.run("R3", "show crypto ipsec sa")


IKEV2_R2 = """\
crypto ikev2 proposal PROP
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy POL
 proposal PROP
crypto ikev2 keyring KR
 peer R3
  address 202.100.1.2
  pre-shared-key s3cret
crypto ikev2 profile PROF
 match identity remote address 202.100.1.2 255.255.255.255
 authentication remote pre-share
 authentication local pre-share
 keyring local KR
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
 mode tunnel
ip access-list extended VPN
 permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255
crypto map CMAP 10 ipsec-isakmp
 set peer 202.100.1.2
 set transform-set TS
 set pfs group14
 set ikev2-profile PROF
 match address VPN
interface Serial0
 crypto map CMAP
"""


def mirror_ikev2(text):
    return (text.replace("202.100.1.2", "PEER").replace("PEER", "202.100.1.1").replace("peer R3", "peer R2")
            .replace("172.16.1.0 0.0.0.255 172.16.2.0", "172.16.2.0 0.0.0.255 172.16.1.0"))


def test_ikev2_crypto_map_pair():
    world = World.from_yaml(WORLD_FILE)
    for device, text in (("R2", IKEV2_R2), ("R3", mirror_ikev2(IKEV2_R2))):
        output = configure(world, device, text)
        assert "Invalid" not in output and "Incomplete" not in output, output
    assert "Success rate is 100 percent" in world.run("R2", PING_R2)
    ikev2 = world.run("R2", "show crypto ikev2 sa")
    assert re.search(r"^1\s+202\.100\.1\.1/500\s+202\.100\.1\.2/500\s+none/none\s+READY", ikev2, re.M)
    assert "Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: SHA256, DH Grp:14" in ikev2
    assert isakmp_rows(world, "R2") == []
    ipsec = world.run("R2", "show crypto ipsec sa")
    assert "transform: esp-256-aes esp-sha256-hmac ," in ipsec and "PFS (Y/N): Y, DH group: group14" in ipsec
    assert "IKEv2 SA: local 202.100.1.1/500 remote 202.100.1.2/500 Active" in world.run("R2", "show crypto session")


@pytest.mark.parametrize(
    "change",
    [
        "crypto ikev2 keyring KR\n peer R2\n  pre-shared-key wrong",
        "crypto ikev2 proposal PROP\n no group 14\n group 19",
        "crypto ikev2 profile PROF\n no match identity remote address 202.100.1.1 255.255.255.255\n"
        " match identity remote address 10.0.0.1 255.255.255.255",
    ],
    ids=["psk", "proposal", "identity"],
)
def test_ikev2_failures_leave_no_sa(change):
    world = World.from_yaml(WORLD_FILE)
    configure(world, "R2", IKEV2_R2)
    configure(world, "R3", mirror_ikev2(IKEV2_R2))
    configure(world, "R3", change)
    assert "Success rate is 0 percent" in world.run("R2", PING_R2)
    assert "READY" not in world.run("R2", "show crypto ikev2 sa")
    assert "Status: ACTIVE" not in world.run("R2", "show crypto ipsec sa")


VTI_R2 = """\
crypto isakmp policy 10
 encryption aes 256
 hash sha256
 authentication pre-share
 group 14
crypto isakmp key vti-key address 202.100.1.2
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
crypto ipsec profile VTI
 set transform-set TS
interface Tunnel0
 ip address 10.255.0.1 255.255.255.252
 tunnel source Serial0
 tunnel destination 202.100.1.2
 tunnel mode ipsec ipv4
 tunnel protection ipsec profile VTI
ip route 172.16.2.0 255.255.255.0 Tunnel0
"""
VTI_R3 = (VTI_R2.replace("202.100.1.2", "202.100.1.1").replace("10.255.0.1", "10.255.0.2")
          .replace("172.16.2.0", "172.16.1.0"))


def test_vti_comes_up_without_traffic_and_carries_pings():
    world = World.from_yaml(WORLD_FILE)
    configure(world, "R2", VTI_R2)
    assert "Tunnel0" in world.run("R2", "show ip interface brief")
    assert re.search(r"Tunnel0\s+10\.255\.0\.1\s+YES manual up\s+down", world.run("R2", "show ip interface brief"))
    configure(world, "R3", VTI_R3)
    assert re.search(r"Tunnel0\s+10\.255\.0\.1\s+YES manual up\s+up", world.run("R2", "show ip interface brief"))
    assert [row[2] for row in isakmp_rows(world, "R2")] == ["QM_IDLE"]
    ipsec = world.run("R2", "show crypto ipsec sa")
    assert "interface: Tunnel0\n    Crypto map tag: Tunnel0-head-0, local addr 202.100.1.1" in ipsec
    assert "local  ident (addr/mask/prot/port): (0.0.0.0/0.0.0.0/0/0)" in ipsec
    assert "Success rate is 100 percent" in world.run("R2", PING_R2 + " repeat 10")
    assert counters(world, "R3")["decaps"] == 10
    world.run("R2", "clear crypto session")
    assert "Status: ACTIVE" in world.run("R2", "show crypto ipsec sa")  # tunnel protection re-initiates at once


GRE_R2 = """\
crypto isakmp policy 10
 encryption aes
 hash sha
 authentication pre-share
 group 14
crypto isakmp key gre-key address 202.100.1.2
crypto ipsec transform-set TS esp-aes esp-sha-hmac
 mode transport
crypto ipsec profile GRE
 set transform-set TS
interface Tunnel0
 ip address 10.255.0.1 255.255.255.252
 tunnel source Serial0
 tunnel destination 202.100.1.2
 tunnel protection ipsec profile GRE
router eigrp 100
 network 10.255.0.0 0.0.0.3
 network 172.16.1.0 0.0.0.255
"""
GRE_R3 = (GRE_R2.replace("202.100.1.2", "202.100.1.1").replace("10.255.0.1", "10.255.0.2")
          .replace("172.16.1.0", "172.16.2.0"))


def test_gre_over_ipsec_with_eigrp():
    world = World.from_yaml(WORLD_FILE)
    configure(world, "R2", GRE_R2)
    configure(world, "R3", GRE_R3)
    routes = world.run("R2", "show ip route")
    assert "D        172.16.2.0/24 [90/0] via 10.255.0.2" in routes
    ipsec = world.run("R2", "show crypto ipsec sa")
    assert "local  ident (addr/mask/prot/port): (202.100.1.1/255.255.255.255/47/0)" in ipsec
    assert "in use settings ={Transport, }" in ipsec
    assert "Success rate is 100 percent" in world.run("R2", PING_R2)
    assert counters(world, "R2")["encaps"] == 5
    assert "IPSEC FLOW: permit 47 host 202.100.1.1 host 202.100.1.2" in world.run("R2", "show crypto session")


def test_gre_mode_mismatch_keeps_the_tunnel_unprotected():
    world = World.from_yaml(WORLD_FILE)
    configure(world, "R2", GRE_R2)
    configure(world, "R3", GRE_R3 + "interface Tunnel0\n tunnel mode ipsec ipv4\n")
    assert "Status: ACTIVE" not in world.run("R2", "show crypto ipsec sa")
    # No EIGRP neighbour over the broken tunnel: the LAN route is gone and pings leave in clear by the default route.
    assert "172.16.2.0/24" not in world.run("R2", "show ip route")
    assert "Success rate is 100 percent" in world.run("R2", PING_R2)
    assert "#pkts encaps: 0" in world.run("R2", "show crypto ipsec sa")


def test_show_crypto_map_and_isakmp_policy(seeded):
    crypto_map = seeded.run("R2", "show crypto map")
    assert 'Crypto Map IPv4 "MYMAP" 100 ipsec-isakmp' in crypto_map
    assert "\tPeer = 202.100.1.2" in crypto_map and "\t\tSerial0" in crypto_map
    assert "access-list VPN permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255" in crypto_map
    policy = seeded.run("R2", "show crypto isakmp policy")
    assert "Protection suite of priority 10" in policy and "Message Digest 5" in policy


def test_isakmp_sa_detail(seeded):
    seeded.run("R2", PING_R2)
    detail = seeded.run("R3", "show crypto isakmp sa detail")
    assert "C-id  Local           Remote          I-VRF  Status Encr Hash   Auth DH Lifetime Cap." in detail
    row = re.search(r"^1001\s+202\.100\.1\.2\s+202\.100\.1\.1\s+ACTIVE des\s+md5\s+psk\s+2\s+23:59:\d\d K$", detail,
                    re.M)
    assert row, detail
    assert "Engine-id:Conn-id =  SW:1" in detail


HUB_SPOKE_FILE = WORLD_FILE.replace("world-site-to-site.yml", "world-hub-spoke.yml")
COMMON = """\
crypto isakmp policy 10
 encryption aes 256
 hash sha256
 authentication pre-share
 group 14
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
"""


def spoke_config(spoke_lan):
    return COMMON + f"""\
crypto isakmp key hub-key address 198.51.100.2
ip access-list extended TO-HUB
 permit ip {spoke_lan} 0.0.0.255 10.0.0.0 0.0.0.255
crypto map VPN 10 ipsec-isakmp
 set peer 198.51.100.2
 set transform-set TS
 match address TO-HUB
interface Serial0
 crypto map VPN
"""


HUB = COMMON + """\
crypto isakmp key hub-key address 198.51.100.6
crypto isakmp key hub-key address 198.51.100.10
ip access-list extended TO-SPOKE1
 permit ip 10.0.0.0 0.0.0.255 10.1.0.0 0.0.0.255
ip access-list extended TO-SPOKE2
 permit ip 10.0.0.0 0.0.0.255 10.2.0.0 0.0.0.255
crypto map VPN 10 ipsec-isakmp
 set peer 198.51.100.6
 set transform-set TS
 match address TO-SPOKE1
crypto map VPN 20 ipsec-isakmp
 set peer 198.51.100.10
 set transform-set TS
 match address TO-SPOKE2
interface Serial0
 crypto map VPN
"""


def test_hub_and_spokes_through_a_provider_router():
    world = World.from_yaml(HUB_SPOKE_FILE)
    assert "Success rate is 0 percent" in world.run("SPOKE1", "ping 10.0.0.1 source Ethernet0")  # no route at ISP
    configure(world, "HUB", HUB)
    configure(world, "SPOKE1", spoke_config("10.1.0.0"))
    configure(world, "SPOKE2", spoke_config("10.2.0.0"))
    assert "Success rate is 100 percent" in world.run("SPOKE1", "ping 10.0.0.1 source Ethernet0")
    assert "Success rate is 100 percent" in world.run("HUB", "ping 10.2.0.1 source Ethernet0")
    # dst is the responder: SPOKE1 initiated towards the hub, the hub initiated towards SPOKE2
    assert sorted(row[:3] for row in isakmp_rows(world, "HUB")) == [
        ("198.51.100.10", "198.51.100.2", "QM_IDLE"), ("198.51.100.2", "198.51.100.6", "QM_IDLE")]
    # spoke to spoke is not covered by any crypto ACL and the provider drops it
    assert "Success rate is 0 percent" in world.run("SPOKE1", "ping 10.2.0.1 source Ethernet0")
    assert world.run("ISP", "show crypto ipsec sa").strip() == ""
