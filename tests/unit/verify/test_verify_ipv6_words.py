"""IPv6 tunnels and SAs whose key lifetime IOS prints in words are judged like IPv4 ones.

IOS prints IPv6 addresses in upper case and in its own compressed form, the plan holds them as
written in the intent; the remote crypto endpoint sits on a line of its own and the key lifetime
may read "0 hours, 52 mins".
"""

import pytest
import verify_helpers as h
from ansible_collections.ipsec.vpn.plugins.module_utils import verify
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import parse


def _ipv6_vti_intent(version):
    intent = h.seed_intent(version=version)
    gateways = intent["gateways"]
    gateways["R2"].update(outside_address="2001:db8:12:0::1/64", protected_networks=["2001:db8:a1::/48"])
    gateways["R3"].update(outside_address="2001:db8:12::2/64", protected_networks=["2001:db8:a2::/48"])
    tunnel = intent["tunnels"][0]
    tunnel.update(style="vti")
    tunnel.pop("crypto_map")
    tunnel.pop("acl_name")
    tunnel["a"]["tunnel_address"] = "2001:db8:99::1/64"
    tunnel["b"]["tunnel_address"] = "2001:db8:99::2/64"
    return intent


def _ipsec_v6(lifetime, encaps=12, decaps=11, status="ACTIVE(ACTIVE)"):
    sa = [
        "        transform: esp-256-aes esp-sha256-hmac ,",
        "        in use settings ={Tunnel, }",
        "        conn id: 2001, flow_id: CSR:1, sibling_flags FFFFFFFF80004048, crypto map: Tunnel3-head-0",
        "        sa timing: remaining key lifetime " + lifetime,
        "        IV size: 16 bytes",
        "        replay detection support: Y  replay window size: 64",
        "        Status: " + status,
        "",
    ]
    return "\n".join(
        [
            "interface: Tunnel3",
            "    Crypto map tag: Tunnel3-head-0, local addr 2001:DB8:12::1",
            "",
            "   IPsecv6 policy name: Tunnel3-head-0",
            "   IPsecv6-created ACL name: Tunnel3-head-0-ipsecv6-ACL",
            "",
            "   protected vrf: (none)",
            "   local  ident (addr/prefixlen/prot/port): (::/0/0/0)",
            "   remote ident (addr/prefixlen/prot/port): (::/0/0/0)",
            "   current_peer 2001:DB8:12::2 port 500",
            "     PERMIT, flags={origin_is_acl,}",
            "    #pkts encaps: {0}, #pkts encrypt: {0}, #pkts digest: {0}".format(encaps),
            "    #pkts decaps: {0}, #pkts decrypt: {0}, #pkts verify: {0}".format(decaps),
            "    #pkts compressed: 0, #pkts decompressed: 0",
            "    #pkts not compressed: 0, #pkts compr. failed: 0",
            "    #pkts not decompressed: 0, #pkts decompress failed: 0",
            "    #send errors 0, #recv errors 0",
            "",
            "     local crypto endpt.: 2001:DB8:12::1,",
            "     remote crypto endpt.: 2001:DB8:12::2",
            "     plaintext mtu 1422, path mtu 1500, ipv6 mtu 1500, ipv6 mtu idb Serial0",
            "     current outbound spi: 0x30000000(805306368)",
            "     PFS (Y/N): N, DH group: none",
            "",
            "     inbound esp sas:",
            "      spi: 0x20000000(536870912)",
        ]
        + sa
        + ["     inbound ah sas:", "", "     inbound pcp sas:", "", "     outbound esp sas:",
           "      spi: 0x30000000(805306368)"]
        + sa
        + ["     outbound ah sas:", "", "     outbound pcp sas:", ""]
    )


IKEV2_V6 = """ IPv4 Crypto IKEv2  SA

 IPv6 Crypto IKEv2  SA

Tunnel-id    fvrf/ivrf              Status
1          none/none             {status}
Local  2001:DB8:12::1/500
Remote  2001:DB8:12::2/500
      Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: SHA256, DH Grp:14, Auth sign: PSK, Auth verify: PSK
      Life/Active Time: 86400/219 sec
"""

ISAKMP_V6 = """IPv4 Crypto ISAKMP SA
dst             src             state          conn-id status

IPv6 Crypto ISAKMP SA

 dst: 2001:DB8:12::2
 src: 2001:DB8:12::1
 state: {state}         conn-id:   1001 status: ACTIVE
"""


def _reads(version, lifetime="0 hours, 52 mins", phase1="up", **ipsec):
    reads = {"ipsec_sa": parse("show crypto ipsec sa", _ipsec_v6(lifetime, **ipsec))}
    if version == 2:
        reads["ikev2_sa"] = parse("show crypto ikev2 sa", IKEV2_V6.format(status="READY" if phase1 == "up" else "IN-NEG"))
    else:
        reads["isakmp_sa"] = parse(
            "show crypto isakmp sa", ISAKMP_V6.format(state="QM_IDLE" if phase1 == "up" else "MM_KEY_EXCH")
        )
    return reads


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("lifetime", ["0 hours, 52 mins", "45 mins", "(k/sec): (4607999/3120)", "(sec): 3120"])
def test_ipv6_vti_with_any_lifetime_form_is_up(version, lifetime):
    plan = h.plan(_ipv6_vti_intent(version), "R2")
    reads = _reads(version, lifetime)
    for parsed in reads.values():
        assert parsed["warnings"] == []
    result = verify.verdict(plan, reads)
    assert result["status"] == "up", result["failed"]
    (end,) = result["tunnels"]
    assert end["phase1"]["up"] and end["phase2"]["up"]
    assert end["phase2"]["selectors"][0]["local"] == "::/0"
    assert result["warnings"] == []


@pytest.mark.parametrize("version", [1, 2])
def test_ipv6_vti_down_states_are_still_reported(version):
    plan = h.plan(_ipv6_vti_intent(version), "R2")
    end = verify.verdict(plan, _reads(version, phase1="down"))["tunnels"][0]
    assert end["status"] == "down"
    assert end["cause_code"] == ("P1_IKEV2_NEGOTIATING" if version == 2 else "P1_MM_KEY_EXCH")
    standby = verify.verdict(plan, _reads(version, status="STANDBY(STANDBY)"))["tunnels"][0]
    assert standby["status"] == "down" and standby["phase2"]["up"] is False


def test_ipv6_traffic_counters_are_compared():
    plan = h.plan(_ipv6_vti_intent(2), "R2")
    before = _reads(2, encaps=10, decaps=10)
    after = _reads(2, encaps=15, decaps=15)
    target = {"tunnel": "r2-r3", "source": "2001:db8:a1::1", "destination": "2001:db8:a2::1", "command": "ping"}
    probes = {"r2-r3": verify.probe_result(target, "Success rate is 100 percent (5/5), round-trip min/avg/max = 1/1/1 ms")}
    end = verify.verdict(plan, after, before=before, probes=probes)["tunnels"][0]
    assert end["status"] == "up"
    assert end["traffic"]["checked"] is True


def test_ipv4_word_lifetime_is_up_without_warnings():
    r2 = h.plan(h.seed_intent(), "R2")
    texts = h.healthy_ios_text(r2)
    texts["ipsec"] = texts["ipsec"].replace("remaining key lifetime (k/sec): (4607999/3500)",
                                            "remaining key lifetime 0 hours, 58 mins")
    assert "0 hours, 58 mins" in texts["ipsec"]
    result = verify.verdict(r2, h.parse_ios(texts))
    assert result["status"] == "up" and result["warnings"] == []
