"""Intents, plans and device output text for the verdict and report tests.

The IOS text writers print what a device shows, in the IOS-XE format the parsers read
(``show crypto isakmp sa``, ``show crypto ikev2 sa``, ``show crypto ipsec sa``), so the tests
go through the real parsers rather than hand-made parsed dicts.
"""

import ipaddress
import os

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import parse
from ansible_collections.ipsec.vpn.plugins.module_utils.planner import plan_host

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

PSK_R2_R3 = "Sup3r-Secret-r2r3-PSK"
PSK_LAB = "lab-psk-that-must-never-leak"


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as stream:
        return stream.read()


def seed_intent(version=1, extra_entries=False):
    """The seed's R2 <-> R3 crypto-map pair (IKEv1 DES/MD5 or IKEv2 AES)."""
    if version == 1:
        profile = {
            "allow_weak_crypto": True,
            "ike": {"version": 1, "proposals": [{"encryption": "des", "integrity": "md5", "dh_group": 2,
                                                 "priority": 10}]},
            "ipsec": {"proposals": [{"encryption": "des", "integrity": "md5"}], "transform_set_name": "MYSET"},
        }
    else:
        profile = {
            "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
            "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}]},
        }
    r2_networks = ["172.16.1.0/24", "172.16.11.0/24"] if extra_entries else ["172.16.1.0/24"]
    return {
        "crypto_profiles": {"p": profile},
        "gateways": {
            "R2": {"platform": "ios", "outside_interface": "Serial0", "outside_address": "202.100.1.1/24",
                   "protected_networks": r2_networks, "crypto_map_name": "MYMAP"},
            "R3": {"platform": "ios", "outside_interface": "Serial0", "outside_address": "202.100.1.2/24",
                   "protected_networks": ["172.16.2.0/24"], "crypto_map_name": "MYMAP"},
        },
        "tunnels": [{"name": "r2-r3", "profile": "p", "psk": PSK_R2_R3, "acl_name": "VPN",
                     "crypto_map": {"sequence": 100}, "a": {"gateway": "R2"}, "b": {"gateway": "R3"}}],
    }


def lab_intent():
    """site1 <-> site2 (good) and site1 <-> site3 (the e2e test breaks its PSK on one end)."""
    return {
        "unsafe_skip_crosscheck": True,
        "crypto_profiles": {
            "gcm": {
                "ike": {"version": 2, "proposals": [{"encryption": "aes256gcm16", "prf": "sha256", "dh_group": 19}]},
                "ipsec": {"proposals": [{"encryption": "aes256gcm16"}], "pfs_group": 19},
            },
        },
        "gateways": {
            "site1": {"platform": "strongswan", "outside_interface": "wan0", "outside_address": "100.64.0.11/24",
                      "protected_networks": ["10.11.0.0/24", "10.11.1.0/24"]},
            "site2": {"platform": "strongswan", "outside_interface": "wan0", "outside_address": "100.64.0.12/24",
                      "protected_networks": ["10.12.0.0/24"]},
            "site3": {"platform": "strongswan", "outside_interface": "wan0", "outside_address": "100.64.0.13/24",
                      "protected_networks": ["10.13.0.0/24"]},
        },
        "tunnels": [
            {"name": "s1-s2", "profile": "gcm", "psk": PSK_LAB, "a": {"gateway": "site1", "networks": ["10.11.0.0/24"]},
             "b": {"gateway": "site2"}},
            {"name": "s1-s3", "profile": "gcm", "psk": PSK_LAB, "a": {"gateway": "site1", "networks": ["10.11.1.0/24"]},
             "b": {"gateway": "site3"}},
        ],
    }


def hub_intent(spokes, version=1):
    """An IOS hub with ``spokes`` strongSwan spokes (hub_and_spoke group)."""
    gateways = {"hub": {"platform": "ios", "outside_interface": "GigabitEthernet1",
                        "outside_address": "100.65.0.1/16", "protected_networks": ["10.0.0.0/16"],
                        "site_id": 6500}}
    for i in range(1, spokes + 1):
        gateways["spoke{:04d}".format(i)] = {
            "platform": "strongswan", "outside_interface": "eth0",
            "outside_address": "100.65.{}.{}/16".format(i // 250 + 1, i % 250 + 1),
            "protected_networks": ["10.{}.{}.0/24".format(100 + i // 256, i % 256)],
        }
    ike = {"version": version, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]}
    return {
        "crypto_profiles": {
            "p": {"ike": ike, "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}]}},
        },
        "gateways": gateways,
        "groups": [{"name": "g", "type": "hub_and_spoke", "hubs": ["hub"], "profile": "p", "psk": "k" * 24,
                    "spokes": sorted(k for k in gateways if k != "hub")}],
    }


def plan(intent, host):
    return plan_host(intent, host)


# --------------------------------------------------------------------------- IOS text writers


def _mask(prefix):
    net = ipaddress.ip_network(prefix)
    return "{}/{}".format(net.network_address, net.netmask)


def isakmp_text(rows):
    """``rows``: [(dst, src, state)]."""
    out = ["IPv4 Crypto ISAKMP SA", "dst             src             state          conn-id status"]
    for number, (dst, src, state) in enumerate(rows, 1001):
        out.append("{:<15} {:<15} {:<14} {:>7} ACTIVE".format(dst, src, state, number))
    out += ["", "IPv6 Crypto ISAKMP SA", ""]
    return "\n".join(out) + "\n"


def ikev2_text(rows):
    """``rows``: [(local, remote, status)]."""
    out = ["IPv4 Crypto IKEv2  SA", "",
           "Tunnel-id Local                 Remote                fvrf/ivrf            Status"]
    for number, (local, remote, status) in enumerate(rows, 1):
        out.append("{:<9} {:<21} {:<21} {:<20} {}".format(number, local + "/500", remote + "/500", "none/none",
                                                          status))
        out.append("      Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: SHA256, DH Grp:14, Auth sign: PSK, "
                   "Auth verify: PSK")
        out.append("      Life/Active Time: 86400/120 sec")
    return "\n".join(out) + "\n"


def _sa_block(spi, active=True):
    lines = [
        "      spi: 0x{0:08X}({0})".format(spi),
        "        transform: esp-256-aes esp-sha256-hmac ,",
        "        in use settings ={Tunnel, }",
        "        conn id: 2001, flow_id: CSR:1, sibling_flags FFFFFFFF80004048, crypto map: MYMAP",
        "        sa timing: remaining key lifetime (k/sec): (4607999/3500)",
        "        IV size: 16 bytes",
        "        replay detection support: Y  replay window size: 64",
        "        Status: {}".format("ACTIVE(ACTIVE)" if active else "STANDBY(STANDBY)"),
        "",
    ]
    return lines


def ipsec_text(interface, local_addr, flows):
    """``flows``: [dict(peer, local, remote, prot=0, lport=0, rport=0, encaps, decaps, sas=True)]."""
    out = ["interface: {}".format(interface), "    Crypto map tag: MYMAP, local addr {}".format(local_addr), ""]
    for number, flow in enumerate(flows):
        prot, lport, rport = flow.get("prot", 0), flow.get("lport", 0), flow.get("rport", 0)
        out += [
            "   protected vrf: (none)",
            "   local  ident (addr/mask/prot/port): ({}/{}/{})".format(_mask(flow["local"]), prot, lport),
            "   remote ident (addr/mask/prot/port): ({}/{}/{})".format(_mask(flow["remote"]), prot, rport),
            "   current_peer {} port 500".format(flow["peer"]),
            "     PERMIT, flags={origin_is_acl,}",
            "    #pkts encaps: {0}, #pkts encrypt: {0}, #pkts digest: {0}".format(flow.get("encaps", 0)),
            "    #pkts decaps: {0}, #pkts decrypt: {0}, #pkts verify: {0}".format(flow.get("decaps", 0)),
            "    #pkts compressed: 0, #pkts decompressed: 0",
            "    #pkts not compressed: 0, #pkts compr. failed: 0",
            "    #pkts not decompressed: 0, #pkts decompress failed: 0",
            "    #send errors 0, #recv errors 0",
            "",
            "     local crypto endpt.: {}, remote crypto endpt.: {}".format(local_addr, flow["peer"]),
            "     plaintext mtu 1438, path mtu 1500, ip mtu 1500, ip mtu idb {}".format(interface),
            "     current outbound spi: 0x{:X}({})".format(0x1000 + number, 0x1000 + number),
            "     PFS (Y/N): N, DH group: none",
            "",
            "     inbound esp sas:",
        ]
        if flow.get("sas", True):
            out += _sa_block(0x20000000 + number, flow.get("active", True))
        out += ["     inbound ah sas:", "", "     inbound pcp sas:", "", "     outbound esp sas:"]
        if flow.get("sas", True):
            out += _sa_block(0x30000000 + number, flow.get("active", True))
        out += ["     outbound ah sas:", "", "     outbound pcp sas:", ""]
    return "\n".join(out) + "\n"


def healthy_ios_text(host_plan, encaps=10, decaps=10):
    """What a device whose config matches the plan shows once every tunnel is up."""
    v1, v2, flows = [], [], []
    for tunnel in host_plan["tunnels"]:
        if tunnel["ike"]["version"] == 1:
            v1.append((tunnel["peer_address"], tunnel["local_address"], "QM_IDLE"))
        else:
            v2.append((tunnel["local_address"], tunnel["peer_address"], "READY"))
        for ace in tunnel["acl"]["entries"]:
            flows.append({"peer": tunnel["peer_address"], "local": ace["source"], "remote": ace["destination"],
                          "encaps": encaps, "decaps": decaps})
    return {
        "isakmp": isakmp_text(v1),
        "ikev2": ikev2_text(v2),
        "ipsec": ipsec_text(host_plan["outside_interface"], host_plan["outside_ip"], flows),
    }


def parse_ios(texts):
    return {
        "isakmp_sa": parse("show crypto isakmp sa", texts["isakmp"]),
        "ikev2_sa": parse("show crypto ikev2 sa", texts["ikev2"]),
        "ipsec_sa": parse("show crypto ipsec sa", texts["ipsec"]),
    }


def parse_swanctl(text):
    return {"swanctl_sas": parse("swanctl --list-sas", text)}
