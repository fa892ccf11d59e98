#!/usr/bin/env python
"""Deterministic generator of large ``show crypto ipsec sa [detail]``, ``show crypto isakmp sa``
and ``swanctl --list-sas`` outputs, together with their ground truth.

The ground truth is built first, as data in the schema of docs/parsers.md; the text is then
rendered from it in the layout IOS-XE 17 / IOS 15 and strongSwan 5.9 print. The label -> key
tables below are written out by hand (not derived with the parser's own helpers), so a
round trip ``parse(render(truth)) == truth`` checks the parser rather than echoing it.

Usage:
    python generate.py ipsec --peers 1000 [--plain] [--seed 7] --out DIR
    python generate.py isakmp --peers 100 --out DIR
    python generate.py swanctl --peers 100 --out DIR
Each writes ``<name>.txt`` and ``<name>.truth.json`` into DIR.

Addresses come from 10.0.0.0/8, 172.16.0.0/12 and 198.51.100.0/24 / 203.0.113.0/24
(documentation prefixes); never from 192.0.2.0/24.
"""
# pylint: disable=bad-string-format-type  # counters start as None and are filled in before rendering

import argparse
import json
import os
import random

# (printed label, schema key) for each counter line; plain output stops after the
# "#send errors" line, detail output prints DETAIL_COUNTER_LINES instead of it.
PLAIN_COUNTER_LINES = (
    (("#pkts encaps:", "pkts_encaps"), ("#pkts encrypt:", "pkts_encrypt"), ("#pkts digest:", "pkts_digest")),
    (("#pkts decaps:", "pkts_decaps"), ("#pkts decrypt:", "pkts_decrypt"), ("#pkts verify:", "pkts_verify")),
    (("#pkts compressed:", "pkts_compressed"), ("#pkts decompressed:", "pkts_decompressed")),
    (("#pkts not compressed:", "pkts_not_compressed"), ("#pkts compr. failed:", "pkts_compr_failed")),
    (("#pkts not decompressed:", "pkts_not_decompressed"), ("#pkts decompress failed:", "pkts_decompress_failed")),
)
SEND_RECV_ERRORS = (("#send errors", "send_errors"), ("#recv errors", "recv_errors"))
DETAIL_COUNTER_LINES = (
    (("#pkts no sa (send)", "pkts_no_sa_send"), ("#pkts invalid sa (rcv)", "pkts_invalid_sa_rcv")),
    (
        ("#pkts encaps failed (send)", "pkts_encaps_failed_send"),
        ("#pkts decaps failed (rcv)", "pkts_decaps_failed_rcv"),
    ),
    (("#pkts invalid prot (recv)", "pkts_invalid_prot_recv"), ("#pkts verify failed:", "pkts_verify_failed")),
    (
        ("#pkts invalid identity (recv)", "pkts_invalid_identity_recv"),
        ("#pkts invalid len (rcv)", "pkts_invalid_len_rcv"),
    ),
    (
        ("#pkts replay rollover (send):", "pkts_replay_rollover_send"),
        ("#pkts replay rollover (rcv)", "pkts_replay_rollover_rcv"),
    ),
    (("##pkts replay failed (rcv):", "pkts_replay_failed_rcv"),),
    (("#pkts tagged (send):", "pkts_tagged_send"), ("#pkts untagged (rcv):", "pkts_untagged_rcv")),
    (("#pkts not tagged (send):", "pkts_not_tagged_send"), ("#pkts not untagged (rcv):", "pkts_not_untagged_rcv")),
    (("#pkts internal err (send):", "pkts_internal_err_send"), ("#pkts internal err (recv)", "pkts_internal_err_recv")),
)

TRANSFORMS = (
    (["esp-256-aes", "esp-sha256-hmac"], 16),
    (["esp-aes", "esp-sha-hmac"], 16),
    (["esp-gcm", "256"], 8),
    (["esp-3des", "esp-md5-hmac"], 8),
)
SA_LIST_KEYS = (
    "inbound_esp_sas",
    "inbound_ah_sas",
    "inbound_pcp_sas",
    "outbound_esp_sas",
    "outbound_ah_sas",
    "outbound_pcp_sas",
)


def _mask(prefix_length):
    bits = (0xFFFFFFFF << (32 - prefix_length)) & 0xFFFFFFFF
    return ".".join(str((bits >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def _spi(rng):
    value = rng.randrange(0x100, 0xFFFFFFFF)
    return value, "0x%X" % value


def _sa(rng, transform, iv_size, crypto_map, conn_id, settings, initiator, timing):
    """One SA; ``initiator`` None means the release does not print the field."""
    spi, spi_hex = _spi(rng)
    words = " ".join(settings).lower().split()
    sa = {
        "spi": spi,
        "spi_hex": spi_hex,
        "transform": list(transform),
        "in_use_settings": list(settings),
        "mode": "transport" if "transport" in words else "tunnel",
        "udp_encaps": "udp-encaps" in words,
        "esn": "esn" in words,
        "conn_id": conn_id,
        "flow_id": "CSR:%d" % (conn_id - 2000),
        "sibling_flags": "FFFFFFFF8000%d048" % (4 if initiator else 0),  # bit 0x4000: we initiated
        "crypto_map": crypto_map,
        "remaining_kb": None,
        "remaining_sec": timing[1],
        "iv_size": iv_size,
        "replay_detection": True,
        "status": "ACTIVE",
        "status_detail": "ACTIVE",
        "replay_window_size": 64,
    }
    if initiator is not None:
        sa["initiator"] = initiator
    if timing[0] is None:
        sa["kilobyte_volume_rekey"] = "disabled"
    elif timing[0] != "words":  # the word form prints no kilobytes
        sa["remaining_kb"] = timing[0]
    return sa


def _empty_ident():
    ident = {
        "protected_vrf": None,
        "local_ident": None,
        "remote_ident": None,
        "current_peer": None,
        "peer_port": None,
        "action": "PERMIT",
        "flags": ["origin_is_acl"],
        "counters": {},
        "local_crypto_endpt": None,
        "remote_crypto_endpt": None,
        "plaintext_mtu": 1438,
        "path_mtu": 1500,
        "ip_mtu": 1500,
        "ip_mtu_idb": "GigabitEthernet1",
        "current_outbound_spi": 0,
        "current_outbound_spi_hex": "0x0",
        "pfs": False,
        "dh_group": "none",
    }
    for key in SA_LIST_KEYS:
        ident[key] = []
    return ident


def _words(seconds):
    """A key lifetime in the word form IOS prints: 3120 -> "0 hours, 52 mins" (whole minutes)."""
    hours, minutes = divmod(seconds // 60, 60)
    if hours and not minutes:
        return "%d hours" % hours
    if not hours and minutes % 2:
        return "%d mins" % minutes
    return "%d hours, %d mins" % (hours, minutes)


def ipsec_truth(peers, seed=7, detail=True, sas_per_peer=2, style="xe17"):
    """Build the ground truth for ``peers`` peers.

    ``style="xe17"`` (default) mixes in everything IOS-XE 17 prints: Virtual-Access interfaces
    of dynamic maps (``flags={}``), PQC key exchange, ``initiator : True``, ``(sec)`` timing with
    ``Kilobyte Volume Rekey``; crypto-map interfaces carry several peers. ``style="xe16"`` is the
    older CSR1000v 16.x layout without those, with one tunnel interface per peer: the one layout
    every peer parser in the benchmark can read (ntc-templates stops at a second ident on an
    interface, Genie's schema check rejects ``flags={}``). ``style="xe16v6"`` is xe16 with IPv6
    peers mixed in (every 5th: ``IPsecv6`` policy lines, ``addr/prefixlen`` idents, the remote
    endpoint on a line of its own, ``ipv6 mtu``) and the key lifetime printed in words
    (``0 hours, 52 mins``) for every 4th peer's SAs.
    """
    modern = style == "xe17"
    if style not in ("xe16", "xe17", "xe16v6"):
        raise ValueError("style must be xe16, xe17 or xe16v6")
    mixed = style == "xe16v6"
    rng = random.Random(seed)
    local_addr = "198.51.100.1"
    crypto_map = "VPN-MAP"
    interfaces = {}
    next_conn = 2001

    def interface(name, tag):
        if name not in interfaces:
            interfaces[name] = {"interface": name, "crypto_map_tag": tag, "local_addr": local_addr, "idents": []}
        return interfaces[name]

    for peer_index in range(peers):
        peer_addr = (
            "203.0.113.%d" % (1 + peer_index % 250)
            if peer_index < 250
            else "172.%d.%d.%d" % (16 + (peer_index // 65536) % 16, (peer_index // 256) % 256, 1 + peer_index % 250)
        )
        nat_t = peer_index % 4 == 3
        ipv6 = mixed and peer_index % 5 == 1
        words = mixed and peer_index % 4 == 2
        if ipv6:
            peer_addr = "2001:DB8:%X::%X" % (0x100 + peer_index // 65536, 1 + peer_index % 65536)
        # xe16: one tunnel interface (tunnel protection) per peer, the layout every peer parser reads
        kind = peer_index % 10 if modern else 6
        if kind < 6:
            iface = interface("GigabitEthernet1", crypto_map)
            idents = sas_per_peer
            dynamic = False
        elif kind < 8:
            name = "Tunnel%d" % peer_index
            iface = interface(name, name + "-head-0")
            idents = 1
            dynamic = False
        elif kind == 8 and modern:
            name = "Virtual-Access%d" % (peer_index + 2)
            iface = interface(name, name + "-head-0")
            idents = 1
            dynamic = True
        else:
            iface = interface("GigabitEthernet2.%d" % (100 + peer_index % 3), crypto_map)
            idents = sas_per_peer
            dynamic = False
        if ipv6:
            iface["local_addr"] = "2001:DB8:FF::1"
            iface["ipsecv6_policy_name"] = iface["crypto_map_tag"]
            iface["ipsecv6_created_acl_name"] = iface["crypto_map_tag"] + "-ipsecv6-ACL"
        for ident_index in range(idents):
            ident = _empty_ident()
            if ipv6:
                ident["local_ident"] = {"addr": "2001:DB8:FF::1", "mask": "128", "prot": 41, "port": 0}
                ident["remote_ident"] = {"addr": peer_addr, "mask": "128", "prot": 41, "port": 0}
                ident["local_ident"]["prefix_length"] = 128
                ident["remote_ident"]["prefix_length"] = 128
            elif iface["interface"].startswith(("Tunnel", "Virtual-Access")):
                ident["local_ident"] = {"addr": "0.0.0.0", "mask": "0.0.0.0", "prot": 0, "port": 0}
                ident["remote_ident"] = {"addr": "0.0.0.0", "mask": "0.0.0.0", "prot": 0, "port": 0}
                ident["protected_vrf"] = "CUST-%d" % (peer_index % 3) if peer_index % 3 else None
            else:
                ident["local_ident"] = {
                    "addr": "10.%d.%d.0" % (peer_index // 256 % 256, peer_index % 256),
                    "mask": _mask(24),
                    "prot": 0,
                    "port": 0,
                }
                ident["remote_ident"] = {
                    "addr": "10.%d.%d.0" % (128 + ident_index, peer_index % 256),
                    "mask": _mask(24 + ident_index % 3),
                    "prot": 0,
                    "port": 0,
                }
            if dynamic:
                ident["flags"] = []
            ident["current_peer"] = peer_addr
            ident["peer_port"] = 4500 if nat_t else 500
            ident["local_crypto_endpt"] = iface["local_addr"]
            ident["remote_crypto_endpt"] = peer_addr
            ident["ip_mtu_idb"] = "GigabitEthernet1"
            ident["plaintext_mtu"] = 1422 if nat_t else 1438
            encaps = rng.randrange(0, 5_000_000)
            decaps = rng.randrange(0, 5_000_000)
            counters = {}
            for line in PLAIN_COUNTER_LINES:
                for _label, key in line:
                    counters[key] = 0
            counters.update(
                pkts_encaps=encaps,
                pkts_encrypt=encaps,
                pkts_digest=encaps,
                pkts_decaps=decaps,
                pkts_decrypt=decaps,
                pkts_verify=decaps,
            )
            if detail:
                for line in DETAIL_COUNTER_LINES:
                    for _label, key in line:
                        counters[key] = 0
                counters["pkts_replay_failed_rcv"] = rng.randrange(0, 3)
                counters["pkts_no_sa_send"] = rng.randrange(0, 2)
            else:
                counters["send_errors"] = rng.randrange(0, 2)
                counters["recv_errors"] = 0
            ident["counters"] = counters
            if peer_index % 5 == 2:
                ident["pfs"] = True
                ident["dh_group"] = "group%d" % (14, 19, 20, 21)[peer_index % 4]
                if peer_index % 15 == 2 and modern:
                    ident["pqc_key_exchange"] = "ML-KEM-1024"
            transform, iv_size = TRANSFORMS[peer_index % len(TRANSFORMS)]
            mode = "Transport" if iface["interface"].startswith("Tunnel") and peer_index % 20 == 6 else "Tunnel"
            settings = [mode + (" UDP-Encaps" if nat_t else "")]
            if peer_index % 7 == 5:
                settings.append("esn")
            initiator = peer_index % 2 == 0 if modern else None
            if words:
                timing = ("words", 60 * rng.randrange(1, 60 * 24))
            elif peer_index % 3 == 1 and modern:
                timing = (None, rng.randrange(30, 3600))
            else:
                timing = (rng.randrange(4_000_000, 4_608_000), rng.randrange(30, 3600))
            tag = iface["crypto_map_tag"]
            rekeys = 1 + (peer_index % 6 == 0)  # some SAs mid-rekey: two inbound, two outbound
            for _unused in range(rekeys):
                inbound = _sa(rng, transform, iv_size, tag, next_conn + 1, settings, initiator, timing)
                outbound = _sa(rng, transform, iv_size, tag, next_conn, settings, initiator, timing)
                next_conn += 2
                ident["inbound_esp_sas"].append(inbound)
                ident["outbound_esp_sas"].append(outbound)
            ident["current_outbound_spi"] = ident["outbound_esp_sas"][-1]["spi"]
            ident["current_outbound_spi_hex"] = ident["outbound_esp_sas"][-1]["spi_hex"]
            iface["idents"].append(ident)
    return {"interfaces": interfaces, "warnings": []}


def _render_sa(out, sa):
    out.append("      spi: %s(%d)" % (sa["spi_hex"], sa["spi"]))
    out.append("        transform: %s ," % " ".join(sa["transform"]))
    out.append("        in use settings ={%s, }" % ", ".join(sa["in_use_settings"]))
    conn = "        conn id: %d, flow_id: %s, sibling_flags %s, crypto map: %s" % (
        sa["conn_id"],
        sa["flow_id"],
        sa["sibling_flags"],
        sa["crypto_map"],
    )
    if "initiator" in sa:
        conn += ", initiator : %s" % ("True" if sa["initiator"] else "False")
    out.append(conn)
    if sa["remaining_kb"] is None and "kilobyte_volume_rekey" not in sa:
        out.append("        sa timing: remaining key lifetime %s" % _words(sa["remaining_sec"]))
    elif sa["remaining_kb"] is None:
        out.append("        sa timing: remaining key lifetime (sec): %d" % sa["remaining_sec"])
        out.append("        Kilobyte Volume Rekey has been %s" % sa["kilobyte_volume_rekey"])
    else:
        out.append(
            "        sa timing: remaining key lifetime (k/sec): (%d/%d)" % (sa["remaining_kb"], sa["remaining_sec"])
        )
    out.append("        IV size: %d bytes" % sa["iv_size"])
    out.append(
        "        replay detection support: %s  replay window size: %d"
        % ("Y" if sa["replay_detection"] else "N", sa["replay_window_size"])
    )
    out.append("        Status: %s(%s)" % (sa["status"], sa["status_detail"]))
    out.append("")


def render_ipsec(truth, detail=True):
    out = []
    for iface in truth["interfaces"].values():
        out.append("interface: %s" % iface["interface"])
        out.append("    Crypto map tag: %s, local addr %s" % (iface["crypto_map_tag"], iface["local_addr"]))
        out.append("")
        if "ipsecv6_policy_name" in iface:
            out.append("   IPsecv6 policy name: %s" % iface["ipsecv6_policy_name"])
            out.append("   IPsecv6-created ACL name: %s" % iface["ipsecv6_created_acl_name"])
            out.append("")
        for ident in iface["idents"]:
            out.append("   protected vrf: %s" % (ident["protected_vrf"] or "(none)"))
            for side, label in (("local_ident", "local  ident"), ("remote_ident", "remote ident")):
                value = ident[side]
                out.append(
                    "   %s (addr/%s/prot/port): (%s/%s/%d/%d)"
                    % (
                        label,
                        "prefixlen" if "prefix_length" in value else "mask",
                        value["addr"],
                        value["mask"],
                        value["prot"],
                        value["port"],
                    )
                )
            out.append("   current_peer %s port %d" % (ident["current_peer"], ident["peer_port"]))
            out.append("     %s, flags={%s}" % (ident["action"], "".join(f + "," for f in ident["flags"])))
            counters = ident["counters"]
            for line in PLAIN_COUNTER_LINES:
                out.append("    " + ", ".join("%s %d" % (label, counters[key]) for label, key in line))
            if detail:
                for line in DETAIL_COUNTER_LINES:
                    out.append("    " + ", ".join("%s %d" % (label, counters[key]) for label, key in line))
            else:
                out.append("    " + ", ".join("%s %d" % (label, counters[key]) for label, key in SEND_RECV_ERRORS))
            out.append("")
            v6 = ":" in ident["remote_crypto_endpt"]
            if v6:  # IPv6: the remote endpoint on a line of its own, "ipv6 mtu"
                out.append("     local crypto endpt.: %s," % ident["local_crypto_endpt"])
                out.append("     remote crypto endpt.: %s" % ident["remote_crypto_endpt"])
            else:
                out.append(
                    "     local crypto endpt.: %s, remote crypto endpt.: %s"
                    % (ident["local_crypto_endpt"], ident["remote_crypto_endpt"])
                )
            ip = "ipv6" if v6 else "ip"
            out.append(
                "     plaintext mtu %d, path mtu %d, %s mtu %d, %s mtu idb %s"
                % (ident["plaintext_mtu"], ident["path_mtu"], ip, ident["ip_mtu"], ip, ident["ip_mtu_idb"])
            )
            out.append(
                "     current outbound spi: %s(%d)" % (ident["current_outbound_spi_hex"], ident["current_outbound_spi"])
            )
            pfs = "     PFS (Y/N): %s, DH group: %s" % ("Y" if ident["pfs"] else "N", ident["dh_group"])
            if "pqc_key_exchange" in ident:
                pfs += ", PQC Key Exchange: %s" % ident["pqc_key_exchange"]
            out.append(pfs)
            out.append("")
            for key in SA_LIST_KEYS:
                direction, proto, _unused = key.split("_")
                out.append("     %s %s sas:" % (direction, proto))
                for sa in ident[key]:
                    _render_sa(out, sa)
                if not ident[key]:
                    out.append("")
    return "\n".join(out) + "\n"


def generate_ipsec(peers, seed=7, detail=True, style="xe17"):
    truth = ipsec_truth(peers, seed=seed, detail=detail, style=style)
    return render_ipsec(truth, detail=detail), truth


# --- show crypto isakmp sa (IOS-XE layout) -------------------------------------------------

ISAKMP_STATES = (
    "QM_IDLE",
    "MM_NO_STATE",
    "MM_SA_SETUP",
    "MM_KEY_EXCH",
    "MM_KEY_AUTH",
    "AG_NO_STATE",
    "AG_INIT_EXCH",
    "AG_AUTH",
)


def generate_isakmp(peers, seed=7):
    rng = random.Random(seed)
    sas = []
    lines = ["IPv4 Crypto ISAKMP SA", "dst             src             state          conn-id status"]
    for index in range(peers):
        state = ISAKMP_STATES[0] if index % 3 else ISAKMP_STATES[index // 3 % len(ISAKMP_STATES)]
        deleted = index % 11 == 10
        sa = {
            "family": "ipv4",
            "dst": "198.51.100.1",
            "src": "172.%d.%d.%d" % (16 + index // 65536 % 16, index // 256 % 256, 1 + index % 250),
            "state": state,
            "exchange": {"MM": "main", "AG": "aggressive", "QM": "quick"}[state[:2]],
            "conn_id": 1001 + index,
            "status": "ACTIVE",
            "status_detail": "deleted" if deleted else None,
        }
        sas.append(sa)
        lines.append(
            "%-15s %-15s %-14s %7d %s%s"
            % (sa["dst"], sa["src"], state, sa["conn_id"], "ACTIVE", " (deleted)" if deleted else "")
        )
    lines.extend(["", "IPv6 Crypto ISAKMP SA", ""])
    rng.random()
    return "\n".join(lines) + "\n", {"detail": False, "sas": sas, "warnings": []}


# --- swanctl --list-sas (strongSwan 5.9 layout) --------------------------------------------


def _empty_child():
    keys = (
        "name",
        "uniqueid",
        "reqid",
        "state",
        "mode",
        "protocol",
        "encr_alg",
        "encr_keysize",
        "integ_alg",
        "integ_keysize",
        "prf_alg",
        "dh_group",
        "install_time",
        "rekey_time",
        "life_time",
        "spi_in",
        "cpi_in",
        "mark_in",
        "mark_mask_in",
        "if_id_in",
        "bytes_in",
        "packets_in",
        "use_in",
        "spi_out",
        "cpi_out",
        "mark_out",
        "mark_mask_out",
        "if_id_out",
        "bytes_out",
        "packets_out",
        "use_out",
        "label",
    )
    child = dict.fromkeys(keys)
    child.update(encap=False, esn=False, local_ts=[], remote_ts=[])
    return child


def generate_swanctl(peers, seed=7):
    rng = random.Random(seed)
    ike_sas = []
    out = []
    for index in range(peers):
        initiator = index % 2 == 0
        nat = index % 4 == 3
        ike = {
            "name": "peer-%d" % index,
            "uniqueid": index + 1,
            "state": "ESTABLISHED",
            "version": 2 if index % 5 else 1,
            "initiator_spi": "%016x" % rng.getrandbits(64),
            "responder_spi": "%016x" % rng.getrandbits(64),
            "initiator": initiator,
            "local_id": "198.51.100.1",
            "local_host": "198.51.100.1",
            "local_port": 4500 if nat else 500,
            "local_vips": [],
            "remote_id": "peer-%d.example.net" % index,
            "remote_host": "172.%d.%d.%d" % (16 + index // 65536 % 16, index // 256 % 256, 1 + index % 250),
            "remote_port": 4500 if nat else 500,
            "remote_eap_id": None,
            "remote_xauth_id": None,
            "remote_vips": [],
            "encr_alg": "AES_CBC",
            "encr_keysize": 256,
            "integ_alg": "HMAC_SHA2_256_128",
            "integ_keysize": None,
            "prf_alg": "PRF_HMAC_SHA2_256",
            "dh_group": "MODP_2048",
            "ppk": False,
            "established": rng.randrange(1, 10000),
            "rekey_time": rng.randrange(100, 14000),
            "reauth_time": None,
            "life_time": None,
            "tasks_queued": [],
            "tasks_active": [],
            "tasks_passive": [],
            "child_sas": [],
        }
        out.append(
            "%s: #%d, %s, IKEv%d, %s_i%s %s_r%s"
            % (
                ike["name"],
                ike["uniqueid"],
                ike["state"],
                ike["version"],
                ike["initiator_spi"],
                "*" if initiator else "",
                ike["responder_spi"],
                "" if initiator else "*",
            )
        )
        out.append("  local  '%s' @ %s[%d]" % (ike["local_id"], ike["local_host"], ike["local_port"]))
        out.append("  remote '%s' @ %s[%d]" % (ike["remote_id"], ike["remote_host"], ike["remote_port"]))
        out.append("  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048")
        out.append("  established %ds ago, rekeying in %ds" % (ike["established"], ike["rekey_time"]))
        for child_index in range(2):
            child = _empty_child()
            installed = not (index % 9 == 4 and child_index == 1)
            child.update(
                name="net-%d" % child_index,
                uniqueid=2 * index + child_index + 1,
                reqid=2 * index + child_index + 1,
                state="INSTALLED" if installed else "CREATED",
                mode="TUNNEL",
                encap=nat,
            )
            child["local_ts"] = ["10.%d.%d.0/24" % (index // 256 % 256, index % 256)]
            child["remote_ts"] = ["10.%d.%d.0/24" % (128 + child_index, index % 256)]
            header = "  %s: #%d, reqid %d, %s, %s%s, " % (
                child["name"],
                child["uniqueid"],
                child["reqid"],
                child["state"],
                child["mode"],
                "-in-UDP" if nat else "",
            )
            if installed:
                child.update(
                    protocol="ESP",
                    encr_alg="AES_GCM_16",
                    encr_keysize=256,
                    spi_in="%08x" % rng.getrandbits(32),
                    spi_out="%08x" % rng.getrandbits(32),
                    install_time=rng.randrange(1, 3000),
                    rekey_time=rng.randrange(100, 3000),
                    life_time=rng.randrange(3000, 4000),
                    bytes_in=rng.randrange(0, 10**9),
                    packets_in=rng.randrange(0, 10**6),
                    bytes_out=rng.randrange(0, 10**9),
                    packets_out=rng.randrange(0, 10**6),
                )
                if child["packets_in"]:
                    child["use_in"] = rng.randrange(0, 60)
                if child["packets_out"]:
                    child["use_out"] = rng.randrange(0, 60)
                if index % 7 == 6:
                    child["dh_group"] = "ECP_256"
                out.append(header + "ESP:AES_GCM_16-256" + ("/ECP_256" if child["dh_group"] else ""))
                out.append(
                    "    installed %ds ago, rekeying in %ds, expires in %ds"
                    % (child["install_time"], child["rekey_time"], child["life_time"])
                )
                for direction in ("in", "out"):
                    line = "    %-3s %s, %6d bytes, %5d packets" % (
                        direction,
                        child["spi_" + direction],
                        child["bytes_" + direction],
                        child["packets_" + direction],
                    )
                    if child["use_" + direction] is not None:
                        line += ", %5ds ago" % child["use_" + direction]
                    out.append(line)
            else:
                out.append(header + "(null):")
                out.append("    installed (null)s ago")
                out.append("    in  (null), (null) bytes, (null) packets")
                out.append("    out (null), (null) bytes, (null) packets")
            out.append("    local  %s" % " ".join(child["local_ts"]))
            out.append("    remote %s" % " ".join(child["remote_ts"]))
            ike["child_sas"].append(child)
        ike_sas.append(ike)
    return "\n".join(out) + "\n", {"ike_sas": ike_sas, "warnings": []}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("kind", choices=("ipsec", "isakmp", "swanctl"))
    parser.add_argument("--peers", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plain", action="store_true", help="ipsec: plain output instead of detail")
    parser.add_argument("--style", choices=("xe16", "xe17", "xe16v6"), default="xe17", help="ipsec: release layout")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.kind == "ipsec":
        text, truth = generate_ipsec(args.peers, seed=args.seed, detail=not args.plain, style=args.style)
    elif args.kind == "isakmp":
        text, truth = generate_isakmp(args.peers, seed=args.seed)
    else:
        text, truth = generate_swanctl(args.peers, seed=args.seed)
    os.makedirs(args.out, exist_ok=True)
    name = "%s_%d" % (args.kind, args.peers)
    with open(os.path.join(args.out, name + ".txt"), "w") as handle:
        handle.write(text)
    with open(os.path.join(args.out, name + ".truth.json"), "w") as handle:
        json.dump(truth, handle, indent=1, sort_keys=True)
    print(os.path.join(args.out, name + ".txt"))


if __name__ == "__main__":
    main()
