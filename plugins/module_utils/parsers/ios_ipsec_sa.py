# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parser for IOS / IOS-XE ``show crypto ipsec sa`` in all its forms.

Handles the plain, ``detail``, ``peer X``, ``interface X`` and ``vrf X`` variants: they
print the same blocks and differ only in which blocks appear and in the extra
``#pkts`` counter lines of ``detail``. Formats from IOS 12.x (``current_peer: a:port``,
``local addr.``, ``slot:``), 15.x and IOS-XE 16/17 (``sibling_flags``, ``initiator``,
``(sec)`` timing, ``Kilobyte Volume Rekey``, PQC) are all read.

The parser is a single pass over the text. Where a line starts a block in the layout that
IOS 15.x and IOS-XE print (interface header, ident with its counters, SA section, SA), one
precompiled regex reads the whole block and the blocks after it (the fast path). Any other line
is dispatched on its first word to a handler that reads that line alone; a block that deviates
from the layout in any way is read that way too, so both paths give the same result.
See docs/parsers.md for the schema.
"""

import re
import sys

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.common import (
    LINE_ERRORS,
    check_text,
    is_chatter,
    none_if_none,
    parse_spi,
    snake,
    split_paren,
    warning,
    without_gc,
    words_to_seconds,
)

SA_LISTS = (
    "inbound_esp_sas",
    "inbound_ah_sas",
    "inbound_pcp_sas",
    "outbound_esp_sas",
    "outbound_ah_sas",
    "outbound_pcp_sas",
)

_IDENT = re.compile(r"^(local|remote)\s+ident\s+\(([^)]*)\):\s*\((.*)\)$")
_CRYPTO_MAP_TAG = re.compile(r"^Crypto map tag:\s*(.*?),\s+local addr\.?\s+(\S+)\s*(.*)$")
_ACTION = re.compile(r"^(\w+),\s*flags=\{(.*)\}\s*$")
_SA_SECTION = re.compile(r"^(inbound|outbound)\s+(esp|ah|pcp)\s+sas:$")
_LIFETIME = re.compile(r"^sa timing:\s*remaining key lifetime\s*\(([^)]*)\):\s*\(?([^)]*)\)?\s*$")
# "sa timing: remaining key lifetime 0 hours, 52 mins" (and the other word forms)
_LIFETIME_WORDS = re.compile(r"^sa timing:\s*remaining key lifetime\s+([0-9][0-9A-Za-z ,]*?)\s*$")
_LIFETIME_NA = re.compile(r"^sa timing:\s*remaining key lifetime is not applicable\s*$")
_REPLAY = re.compile(r"^replay detection support:\s*(\S+)(?:\s+replay window size:\s*(\d+))?\s*$")
_ECN = re.compile(r"^ecn bit support:\s*(\S+)(?:\s+status:\s*(\S+))?\s*$")

# Cache: printed counter label (e.g. "#pkts compr. failed:") -> schema key.
_COUNTER_KEYS = {}


def _counter_key(label):
    key = _COUNTER_KEYS.get(label)
    if key is None:
        key = snake(label.lstrip("#").rstrip(":"))
        _COUNTER_KEYS[label] = key
    return key


def _new_ident():
    return {
        "protected_vrf": None,
        "local_ident": None,
        "remote_ident": None,
        "current_peer": None,
        "peer_port": None,
        "action": None,
        "flags": [],
        "counters": {},
        "local_crypto_endpt": None,
        "remote_crypto_endpt": None,
        "plaintext_mtu": None,
        "path_mtu": None,
        "ip_mtu": None,
        "ip_mtu_idb": None,
        "current_outbound_spi": None,
        "current_outbound_spi_hex": None,
        "pfs": None,
        "dh_group": None,
        "inbound_esp_sas": [],
        "inbound_ah_sas": [],
        "inbound_pcp_sas": [],
        "outbound_esp_sas": [],
        "outbound_ah_sas": [],
        "outbound_pcp_sas": [],
    }


def _new_sa(spi_hex, spi):
    return {
        "spi": spi,
        "spi_hex": spi_hex,
        "transform": None,
        "in_use_settings": None,
        "mode": None,
        "udp_encaps": None,
        "esn": None,
        "conn_id": None,
        "flow_id": None,
        "sibling_flags": None,
        "crypto_map": None,
        "remaining_kb": None,
        "remaining_sec": None,
        "iv_size": None,
        "replay_detection": None,
        "status": None,
        "status_detail": None,
    }


def _parse_ident(value, label):
    """``10.1.1.0/255.255.255.0/0/0`` or ``2001:DB8::/64/0/0`` -> dict."""
    addr, mask, prot, port = value.rsplit("/", 3)
    ident = {"addr": addr, "mask": mask, "prot": int(prot), "port": int(port)}
    # IPv6 idents hold a prefix length, whatever the label says ("addr/mask" on some releases)
    if ":" in addr:
        ident["prefix_length"] = int(mask)
    return ident


class _State:
    """Mutable cursor of the single-pass parser."""

    __slots__ = ("result", "warnings", "interface", "ident", "sa_list", "sa", "line_number", "line")

    def __init__(self):
        self.result = {"interfaces": {}}
        self.warnings = []
        self.interface = None
        self.ident = None
        self.sa_list = None
        self.sa = None


def _need_ident(state):
    if state.ident is None:
        # Output that starts mid-way (a truncated capture, or "peer X" output that
        # lost its interface line): keep the data under an unnamed interface.
        if state.interface is None:
            _start_interface(state, "")
        _start_ident(state)
    return state.ident


def _need_sa(state):
    if state.sa is None:
        raise ValueError("SA attribute outside an SA block")
    return state.sa


def _start_interface(state, name):
    interfaces = state.result["interfaces"]
    interface = interfaces.get(name)
    if interface is None:
        interface = {"interface": name, "crypto_map_tag": None, "local_addr": None, "idents": []}
        interfaces[name] = interface
    state.interface = interface
    state.ident = None
    state.sa_list = None
    state.sa = None
    return interface


def _start_ident(state):
    if state.interface is None:
        _start_interface(state, "")
    ident = _new_ident()
    state.interface["idents"].append(ident)
    state.ident = ident
    state.sa_list = None
    state.sa = None
    return ident


# --- handlers: each takes (state, line) and returns False if it did not recognise the line


def _h_interface(state, line):
    if not line.startswith("interface:"):
        return False
    _start_interface(state, line[10:].strip())
    return True


def _h_crypto(state, line):
    m = _CRYPTO_MAP_TAG.match(line)
    if not m:
        return False
    if state.interface is None:
        _start_interface(state, "")
    state.interface["crypto_map_tag"] = none_if_none(m.group(1))
    state.interface["local_addr"] = m.group(2)
    if m.group(3):
        state.interface["extra"] = m.group(3)
    state.ident = None
    return True


def _h_ipsecv6(state, line):
    # "IPsecv6 policy name: OSPFv3-1-256", "IPsecv6-created ACL name: Gi0/0-ipsecv6-ACL"
    label, colon, value = line.partition(":")
    key = {"IPsecv6 policy name": "ipsecv6_policy_name", "IPsecv6-created ACL name": "ipsecv6_created_acl_name"}.get(
        label.strip()
    )
    if not colon or key is None:
        return False
    if state.interface is None:
        _start_interface(state, "")
    state.interface[key] = value.strip()
    return True


def _h_protected(state, line):
    if not line.startswith("protected vrf:"):
        return False
    vrf = line[14:].strip()
    _start_ident(state)["protected_vrf"] = None if vrf == "(none)" else vrf
    return True


def _h_local_remote(state, line):
    if "ident" in line[:13]:
        m = _IDENT.match(line)
        if not m:
            return False
        side = m.group(1) + "_ident"
        ident = state.ident
        # IOS 12.x has no "protected vrf" line: a new local ident starts a new block.
        if ident is None or (side == "local_ident" and ident["local_ident"] is not None):
            ident = _start_ident(state)
        ident[side] = _parse_ident(m.group(3), m.group(2))
        return True
    if line.startswith(("local crypto endpt", "remote crypto endpt")):
        # "local crypto endpt.: A, remote crypto endpt.: B"; IPv6 prints each on a line of its own
        # ("local crypto endpt.: A," then "remote crypto endpt.: B").
        ident = _need_ident(state)
        unknown = []
        for part in line.split(","):
            part = part.strip()
            if not part:
                continue
            label, _sep, value = part.partition(":")
            value = value.strip()
            if label.startswith("local crypto endpt") and value:
                ident["local_crypto_endpt"] = value
            elif label.startswith("remote crypto endpt") and value:
                ident["remote_crypto_endpt"] = value
            else:
                unknown.append(part)
        if unknown:
            return "partly understood line: unknown endpoint field(s) {}".format(", ".join(map(repr, unknown)))
        return True
    return False


def _h_current_peer(state, line):
    ident = _need_ident(state)
    if line.startswith("current_peer:"):
        # IOS 12.x: "current_peer: 10.1.1.2:500"
        address, _sep, port = line[13:].strip().rpartition(":")
        ident["current_peer"] = address
        ident["peer_port"] = int(port)
        return True
    words = line.split()
    if len(words) < 2 or words[0] != "current_peer":
        return False
    ident["current_peer"] = words[1]
    if len(words) >= 4 and words[2] == "port":
        ident["peer_port"] = int(words[3])
        if len(words) > 4:
            ident["current_peer_extra"] = " ".join(words[4:])
    elif len(words) > 2:
        ident["current_peer_extra"] = " ".join(words[2:])
    return True


def _h_action(state, line):
    m = _ACTION.match(line)
    if not m:
        return False
    ident = _need_ident(state)
    ident["action"] = m.group(1)
    ident["flags"] = [flag.strip() for flag in m.group(2).split(",") if flag.strip()]
    return True


def _h_counters(state, line):
    counters = _need_ident(state)["counters"]
    bad = []
    for part in line.split(","):
        part = part.strip()
        if not part:
            continue
        label, _sep, number = part.rpartition(" ")
        if not label or not number.isdigit():
            bad.append(part)
            continue
        counters[_counter_key(label)] = int(number)
    if bad:
        # the good counters on the line are kept; the bad ones are reported
        raise ValueError(f"counter without a value: {', '.join(repr(b) for b in bad)}")
    return True


def _h_mtu(state, line):
    # "plaintext mtu 1438, path mtu 1500, ip mtu 1500, ip mtu idb GigabitEthernet3"
    # IOS 12.x: "path mtu 1500, media mtu 1500" or "path mtu 1500, ip mtu 1500, ip mtu idb Fa0/0"
    if "mtu" not in line:
        return False
    ident = _need_ident(state)
    unknown = []
    for part in line.split(","):
        label, _sep, value = part.strip().rpartition(" ")
        key = _MTU_KEYS.get(label)
        if key is None or not value:
            unknown.append(part.strip())
        elif key == "ip_mtu_idb":
            ident[key] = value
        elif value.isdigit():
            ident[key] = int(value)
        else:
            unknown.append(part.strip())
    if unknown:
        return "partly understood line: unknown MTU field(s) {}".format(", ".join(map(repr, unknown)))
    return True


# IPv6 idents print "ipv6 mtu" where IPv4 ones print "ip mtu": one key for both.
_MTU_KEYS = {
    "plaintext mtu": "plaintext_mtu",
    "path mtu": "path_mtu",
    "ip mtu": "ip_mtu",
    "ip mtu idb": "ip_mtu_idb",
    "ipv6 mtu": "ip_mtu",
    "ipv6 mtu idb": "ip_mtu_idb",
    "media mtu": "media_mtu",
}


def _h_current(state, line):
    if line.startswith("current outbound spi:"):
        ident = _need_ident(state)
        ident["current_outbound_spi_hex"], ident["current_outbound_spi"] = parse_spi(line[21:])
        return True
    if line.startswith("current_peer"):
        return _h_current_peer(state, line)
    return False


def _h_pfs(state, line):
    # "PFS (Y/N): N, DH group: none"
    # "PFS (Y/N): Y, DH group: group21, PQC Key Exchange: ML-KEM-1024"
    if not line.startswith("PFS"):
        return False
    ident = _need_ident(state)
    for part in line.split(","):
        label, _sep, value = part.partition(":")
        label = label.strip()
        value = value.strip()
        if label.startswith("PFS"):
            ident["pfs"] = value == "Y"
        elif label == "DH group":
            ident["dh_group"] = value
        elif label:
            ident[snake(label)] = value
    return True


def _h_section(state, line):
    m = _SA_SECTION.match(line)
    if not m:
        return False
    ident = _need_ident(state)
    state.sa_list = ident[m.group(1) + "_" + m.group(2) + "_sas"]
    state.sa = None
    return True


def _h_spi(state, line):
    if state.sa_list is None:
        raise ValueError("SPI outside an SA list")
    value = line[4:].strip()
    if value == "[Not Available]":
        # IPv6 SAs whose SPI the crypto engine does not report
        spi_hex, spi = None, None
    else:
        spi_hex, spi = parse_spi(value)
    sa = _new_sa(spi_hex, spi)
    if line.startswith("cpi"):
        sa["cpi"] = sa.pop("spi")
        sa["cpi_hex"] = sa.pop("spi_hex")
    state.sa_list.append(sa)
    state.sa = sa
    return True


def _h_transform(state, line):
    if not line.startswith("transform:"):
        return False
    value = line[10:].strip()
    if value.endswith(","):
        value = value[:-1].rstrip()
    _need_sa(state)["transform"] = value.split()
    return True


_SETTINGS_CACHE = {}


def _settings(inner):
    """``Tunnel UDP-Encaps, `` -> ``(("Tunnel", "UDP-Encaps"), mode, udp_encaps, esn)``, cached."""
    cached = _SETTINGS_CACHE.get(inner)
    if cached is None:
        settings = tuple(item.strip() for item in inner.split(",") if item.strip())
        words = " ".join(settings).lower().split()
        mode = "transport" if "transport" in words else "tunnel" if "tunnel" in words else None
        cached = (settings, mode, "udp-encaps" in words, "esn" in words)
        if len(_SETTINGS_CACHE) < 256:  # a handful of distinct values in practice
            _SETTINGS_CACHE[inner] = cached
    return cached


def _set_settings(sa, inner):
    """Fill in_use_settings/mode/udp_encaps/esn from the text between the braces."""
    settings, sa["mode"], sa["udp_encaps"], sa["esn"] = _settings(inner)
    sa["in_use_settings"] = list(settings)


def _h_in_use(state, line):
    # "in use settings ={Tunnel UDP-Encaps, }"  "in use settings ={Tunnel, esn, }"
    if not line.startswith("in use settings"):
        return False
    sa = _need_sa(state)
    _set_settings(sa, line[line.index("{") + 1 : line.rindex("}")])
    return True


def _h_conn(state, line):
    # "conn id: 2076, flow_id: CSR:76, sibling_flags FFFFFFFF80000048, crypto map: vpn-crypto-map"
    # "conn id: 2001, flow_id: Onboard VPN:1, sibling_flags 80000046, crypto map: CM, initiator : True"
    # IOS 12.x: "slot: 0, conn id: 3442, flow_id: 1, crypto map: test"
    sa = _need_sa(state)
    for part in line.split(", "):
        part = part.strip()
        if part.startswith("conn id:"):
            sa["conn_id"] = int(part[8:])
        elif part.startswith("flow_id:"):
            sa["flow_id"] = part[8:].strip()
        elif part.startswith("sibling_flags"):
            sa["sibling_flags"] = part[13:].strip()
        elif part.startswith("crypto map:"):
            sa["crypto_map"] = none_if_none(part[11:].strip())
        elif part.startswith("initiator"):
            sa["initiator"] = part.partition(":")[2].strip() == "True"
        elif part.startswith("slot:"):
            sa["slot"] = int(part[5:])
        elif part:
            label, _sep, value = part.partition(":")
            if not value:
                raise ValueError(f"unknown SA field {part!r}")
            sa[snake(label)] = value.strip()
    return True


def _h_timing(state, line):
    m = _LIFETIME.match(line)
    if not m:
        m = _LIFETIME_WORDS.match(line)
        if m:
            _need_sa(state)["remaining_sec"] = words_to_seconds(m.group(1))
            return True
        if _LIFETIME_NA.match(line):
            _need_sa(state)["sa_timing"] = "not applicable"
            return True
        return False
    sa = _need_sa(state)
    units = m.group(1)
    values = m.group(2).split("/")
    if units == "k/sec" and len(values) == 2:
        sa["remaining_kb"] = int(values[0])
        sa["remaining_sec"] = int(values[1])
    elif units == "sec" and len(values) == 1:
        sa["remaining_sec"] = int(values[0])
    else:
        raise ValueError(f"unknown lifetime units {units!r}")
    return True


def _h_no(state, line):
    # "no sa timing": manually keyed SAs (OSPFv3 IPsec) have no lifetime
    if line != "no sa timing":
        return False
    _need_sa(state)["sa_timing"] = "none"
    return True


def _h_kilobyte(state, line):
    # "Kilobyte Volume Rekey has been disabled"
    if not line.startswith("Kilobyte Volume Rekey has been "):
        return False
    _need_sa(state)["kilobyte_volume_rekey"] = line[31:].strip()
    return True


def _h_iv(state, line):
    if not line.startswith("IV size:"):
        return False
    _need_sa(state)["iv_size"] = int(line[8:].split()[0])
    return True


def _h_replay(state, line):
    m = _REPLAY.match(line)
    if not m:
        return False
    sa = _need_sa(state)
    sa["replay_detection"] = m.group(1) == "Y"
    if m.group(2) is not None:
        sa["replay_window_size"] = int(m.group(2))
    return True


def _h_status(state, line):
    if not line.startswith("Status:"):
        return False
    sa = _need_sa(state)
    sa["status"], sa["status_detail"] = split_paren(line[7:])
    return True


def _h_ecn(state, line):
    m = _ECN.match(line)
    if not m:
        return False
    sa = _need_sa(state)
    sa["ecn_bit_support"] = m.group(1) == "Y"
    if m.group(2) is not None:
        sa["ecn_status"] = m.group(2)
    return True


_DISPATCH = {
    "interface:": _h_interface,
    "Crypto": _h_crypto,
    "IPsecv6": _h_ipsecv6,
    "IPsecv6-created": _h_ipsecv6,
    "protected": _h_protected,
    "local": _h_local_remote,
    "remote": _h_local_remote,
    "current_peer": _h_current_peer,
    "current_peer:": _h_current_peer,
    "current": _h_current,
    "#pkts": _h_counters,
    "##pkts": _h_counters,
    "#send": _h_counters,
    "plaintext": _h_mtu,
    "path": _h_mtu,
    "PERMIT,": _h_action,
    "DENY,": _h_action,
    "PFS": _h_pfs,
    "inbound": _h_section,
    "outbound": _h_section,
    "spi:": _h_spi,
    "cpi:": _h_spi,
    "transform:": _h_transform,
    "in": _h_in_use,
    "conn": _h_conn,
    "slot:": _h_conn,
    "sa": _h_timing,
    "no": _h_no,
    "Kilobyte": _h_kilobyte,
    "IV": _h_iv,
    "replay": _h_replay,
    "Status:": _h_status,
    "ecn": _h_ecn,
}


# --- fast path: whole blocks in the layout IOS 15.x and IOS-XE print, matched by one regex each.
# A block that deviates in any way (extra line, other wording, a tab or a non-ASCII character) does
# not match and is read line by line above, so both paths give the same result; tests compare them
# on every fixture and on damaged text. The parser makes the text end with a newline, so every line
# of a block ends with _NL: the end of the line, then the blank lines and the indentation that
# follow, and the next block can be tried where a match ends without going back to the line loop.
# The patterns are written for the speed of the regex engine: no lazy quantifiers (they try the
# rest of the pattern after every character), and explicit ASCII classes instead of \d, \s, \S and
# \w, which look up Unicode properties for every character where a class is one table look-up.


def _ascii(exclude="", space=False):
    """A character class: printable ASCII (and the space if ``space``) less the characters ``exclude``."""
    return "[" + re.escape("".join(chr(c) for c in range(32 if space else 33, 127) if chr(c) not in exclude)) + "]"


# Python 3.11 adds possessive repeats ("++", "*+"): a repeat that never gives characters back
# leaves no backtracking state behind, which saves the engine about a tenth of its work here.
# Every repeat below is followed by a character it cannot match, so it never has to give one back
# and both forms match the same text.
_PLUS = "++" if sys.version_info >= (3, 11) else "+"
_STAR = "*+" if sys.version_info >= (3, 11) else "*"
_SPACES = " " + _STAR
_NL = _SPACES + r"\n[ \n]" + _STAR
_NUM = "([0-9]" + _PLUS + ")"
_HEX = "(0x[0-9A-Fa-f]" + _PLUS + ")"
_NAME = "([0-9A-Z_a-z]" + _PLUS + ")"
_TOKEN = "([!-~]" + _PLUS + ")"  # no space
_ITEM = "(" + _ascii(",") + _PLUS + ")"  # no space, no comma
_ADDR = "(" + _ascii("/()") + _PLUS + ")"
_TEXT = "(" + _ascii(",", space=True) + _STAR + ")"  # spaces allowed, no comma
_BRACED = "(" + _ascii("}", space=True) + _STAR + ")"
_PLAIN_COUNTERS = (
    ("#pkts encaps:", "#pkts encrypt:", "#pkts digest:"),
    ("#pkts decaps:", "#pkts decrypt:", "#pkts verify:"),
    ("#pkts compressed:", "#pkts decompressed:"),
    ("#pkts not compressed:", "#pkts compr. failed:"),
    ("#pkts not decompressed:", "#pkts decompress failed:"),
)
_ERROR_COUNTERS = (("#send errors", "#recv errors"),)
_DETAIL_COUNTERS = (
    ("#pkts no sa (send)", "#pkts invalid sa (rcv)"),
    ("#pkts encaps failed (send)", "#pkts decaps failed (rcv)"),
    ("#pkts invalid prot (recv)", "#pkts verify failed:"),
    ("#pkts invalid identity (recv)", "#pkts invalid len (rcv)"),
    ("#pkts replay rollover (send):", "#pkts replay rollover (rcv)"),
    ("##pkts replay failed (rcv):",),
    ("#pkts tagged (send):", "#pkts untagged (rcv):"),
    ("#pkts not tagged (send):", "#pkts not untagged (rcv):"),
    ("#pkts internal err (send):", "#pkts internal err (recv)"),
)


def _counter_lines(lines):
    return "".join(", ".join(re.escape(label) + " " + _NUM for label in line) + _NL for line in lines)


def _counter_keys(lines):
    return tuple(_counter_key(label) for line in lines for label in line)


_COUNTER_LINES = (
    _counter_lines(_PLAIN_COUNTERS)
    + "(?:"
    + _counter_lines(_ERROR_COUNTERS)
    + ")?(?:"
    + _counter_lines(_DETAIL_COUNTERS)
    + ")?"
)
_COUNTER_BLOCK = re.compile(_SPACES + _COUNTER_LINES)
_PLAIN_KEYS = _counter_keys(_PLAIN_COUNTERS)
_ERROR_KEYS = _counter_keys(_ERROR_COUNTERS)
_DETAIL_KEYS = _counter_keys(_DETAIL_COUNTERS)
_COUNTER_BLOCK_KEYS = _PLAIN_KEYS + _ERROR_KEYS + _DETAIL_KEYS
_FIRST_ERROR_GROUP = len(_PLAIN_KEYS)
_FIRST_DETAIL_GROUP = len(_PLAIN_KEYS) + len(_ERROR_KEYS)


def _ints(values):
    """int() of each value; most counters are 0, and comparing with "0" costs less than int()."""
    return [0 if value == "0" else int(value) for value in values]


def _counters_from_groups(values):
    """The counters dict from the groups of _COUNTER_BLOCK (optional parts are None when absent)."""
    if values[_FIRST_DETAIL_GROUP] is None:  # plain output: no detail lines
        if values[_FIRST_ERROR_GROUP] is None:
            return dict(zip(_PLAIN_KEYS, _ints(values[:_FIRST_ERROR_GROUP])))
        return dict(zip(_PLAIN_KEYS + _ERROR_KEYS, _ints(values[:_FIRST_DETAIL_GROUP])))
    if values[_FIRST_ERROR_GROUP] is None:  # detail output prints no "#send errors" line
        values = values[:_FIRST_ERROR_GROUP] + values[_FIRST_DETAIL_GROUP:]
        return dict(zip(_PLAIN_KEYS + _DETAIL_KEYS, _ints(values)))
    return dict(zip(_COUNTER_BLOCK_KEYS, _ints(values)))


def _block(*lines):
    """One pattern for consecutive lines (blank lines allowed between them, as the line loop allows)."""
    return re.compile(_SPACES + _NL.join(lines) + _NL)


_INTERFACE_BLOCK = _block("interface: " + _TOKEN, "Crypto map tag: " + _ITEM + ", local addr " + _TOKEN)
# "0 hours, 52 mins": the word forms of the key lifetime, with units words_to_seconds() knows
_WORD = "[0-9]" + _PLUS + " (?:days?|hours?|hrs?|mins?|minutes?|secs?|seconds?)"
_WORDS = _WORD + "(?:, " + _WORD + ")" + _STAR
_SA_BLOCK = _block(
    r"spi: %s\(%s\)" % (_HEX, _NUM),
    "transform: " + _TEXT + ",",
    r"in use settings =\{" + _BRACED + r"\}",
    "conn id: %s, flow_id: %s, sibling_flags %s, crypto map: %s(?:, initiator : (True|False))?"
    % (_NUM, _TEXT, _NAME, _ITEM),
    r"sa timing: remaining key lifetime (?:\((?:k/sec\): \(%s/%s\)|sec\): %s" % (_NUM, _NUM, _NUM)
    + _NL
    + "Kilobyte Volume Rekey has been "
    + _NAME
    + ")|("
    + _WORDS
    + "))",
    "IV size: %s bytes" % _NUM,
    "replay detection support: ([YN])(?:  replay window size: %s)?" % _NUM,
    r"Status: %s(?:\(%s\))?" % (_NAME, _NAME),
)
# A run of section lines: the empty sections before the last one add nothing (their lists exist
# already), so only the last one, whose SAs follow, is captured.
_SECTION_BLOCK = re.compile(
    _SPACES + "(?:(?:in|out)bound (?:esp|ah|pcp) sas:" + _NL + ")*((?:in|out)bound (?:esp|ah|pcp)) sas:" + _NL
)
_SECTION_KEYS = {key.replace("_", " ")[:-4]: key for key in SA_LISTS}  # "inbound esp" -> "inbound_esp_sas"


def _ident_line(side):
    """``local  ident (addr/mask/prot/port): (10.1.1.0/255.255.255.0/0/0)``"""
    pattern = side + " " + _PLUS + "ident " + _PLUS + r"\(addr/(?:mask|prefixlen)/prot/port\):" + _SPACES
    return pattern + r"\(" + _ADDR + "/" + _ADDR + "/" + _NUM + "/" + _NUM + r"\)"


_IDENT_HEAD = (
    "protected vrf: " + _TOKEN,
    _ident_line("local"),
    _ident_line("remote"),
    "current_peer %s port %s" % (_TOKEN, _NUM),
    _NAME + "," + _SPACES + r"flags=\{" + _BRACED + r"\}",
)
_IDENT_TAIL = (
    # IPv6 prints the remote endpoint on a line of its own, and "ipv6 mtu" for "ip mtu"
    r"local crypto endpt\.: %s,(?: |%s)remote crypto endpt\.: %s" % (_ITEM, _NL, _ITEM),
    "plaintext mtu %s, path mtu %s, (?:ip|ipv6) mtu %s, (?:ip|ipv6) mtu idb %s" % (_NUM, _NUM, _NUM, _ITEM),
    r"current outbound spi: %s\(%s\)" % (_HEX, _NUM),
    r"PFS \(Y/N\): ([YN]), DH group: %s(?:, PQC Key Exchange: %s)?" % (_ITEM, _ITEM),
)
# the counter lines end with _NL themselves
_IDENT_BLOCK = re.compile(_SPACES + _NL.join(_IDENT_HEAD) + _NL + _COUNTER_LINES + _NL.join(_IDENT_TAIL) + _NL)
_HEAD_GROUPS = _block(*_IDENT_HEAD).groups
_TAIL_START = _HEAD_GROUPS + _COUNTER_BLOCK.groups

_FLAGS_CACHE = {}


def _flags(text):
    """``origin_is_acl,`` -> ``["origin_is_acl"]`` (a fresh list each time; the split is cached)."""
    cached = _FLAGS_CACHE.get(text)
    if cached is None:
        cached = tuple(flag.strip() for flag in text.split(",") if flag.strip())
        if len(_FLAGS_CACHE) < 256:
            _FLAGS_CACHE[text] = cached
    return list(cached)


def _fast_ident(state, m):
    """Add the ident of an _IDENT_BLOCK match to the current interface and return it."""
    groups = m.groups()
    (vrf, l_addr, l_mask, l_prot, l_port, r_addr, r_mask, r_prot, r_port, peer, peer_port, action, flags) = groups[
        :_HEAD_GROUPS
    ]
    (local_endpt, remote_endpt, plaintext_mtu, path_mtu, ip_mtu, idb, spi_hex, spi, pfs, dh_group, pqc) = groups[
        _TAIL_START:
    ]
    # same keys in the same order as _new_ident() and the line handlers give
    ident = {
        "protected_vrf": None if vrf == "(none)" else vrf,
        "local_ident": {"addr": l_addr, "mask": l_mask, "prot": int(l_prot), "port": int(l_port)},
        "remote_ident": {"addr": r_addr, "mask": r_mask, "prot": int(r_prot), "port": int(r_port)},
        "current_peer": peer,
        "peer_port": int(peer_port),
        "action": action,
        "flags": _flags(flags),
        "counters": _counters_from_groups(groups[_HEAD_GROUPS:_TAIL_START]),
        "local_crypto_endpt": local_endpt,
        "remote_crypto_endpt": remote_endpt,
        "plaintext_mtu": int(plaintext_mtu),
        "path_mtu": int(path_mtu),
        "ip_mtu": int(ip_mtu),
        "ip_mtu_idb": idb,
        "current_outbound_spi": int(spi),
        "current_outbound_spi_hex": spi_hex,
        "pfs": pfs == "Y",
        "dh_group": dh_group,
        "inbound_esp_sas": [],
        "inbound_ah_sas": [],
        "inbound_pcp_sas": [],
        "outbound_esp_sas": [],
        "outbound_ah_sas": [],
        "outbound_pcp_sas": [],
    }
    if pqc is not None:
        ident["pqc_key_exchange"] = pqc
    if ":" in l_addr:
        ident["local_ident"]["prefix_length"] = int(l_mask)
    if ":" in r_addr:
        ident["remote_ident"]["prefix_length"] = int(r_mask)
    if state.interface is None:
        _start_interface(state, "")
    state.interface["idents"].append(ident)
    state.ident = ident
    state.sa_list = None
    state.sa = None
    return ident


def _fast_sa(m):
    """The SA dict of an _SA_BLOCK match (same keys in the same order as the line handlers give)."""
    (
        spi_hex,
        spi,
        transform,
        settings,
        conn_id,
        flow_id,
        sibling,
        crypto_map,
        initiator,
        kb,
        sec_kb,
        sec,
        volume_rekey,
        words,
        iv_size,
        replay,
        window,
        status,
        status_detail,
    ) = m.groups()
    cached = _SETTINGS_CACHE.get(settings) or _settings(settings)
    sa = {
        "spi": int(spi),
        "spi_hex": spi_hex,
        "transform": transform.split(),
        "in_use_settings": list(cached[0]),
        "mode": cached[1],
        "udp_encaps": cached[2],
        "esn": cached[3],
        "conn_id": int(conn_id),
        "flow_id": flow_id.strip(),
        "sibling_flags": sibling,
        "crypto_map": None if crypto_map == "(none)" else crypto_map,
        "remaining_kb": None if kb is None else int(kb),
        "remaining_sec": int(sec_kb) if kb is not None else int(sec) if words is None else words_to_seconds(words),
        "iv_size": int(iv_size),
        "replay_detection": replay == "Y",
        "status": status,
        "status_detail": status_detail,
    }
    # optional keys come after the fixed ones, in the order of their lines
    if initiator is not None:
        sa["initiator"] = initiator == "True"
    if volume_rekey is not None:
        sa["kilobyte_volume_rekey"] = volume_rekey
    if window is not None:
        sa["replay_window_size"] = int(window)
    return sa


def _fast_sas(state, text, pos, sa_list):
    """Read SA blocks into ``sa_list`` (None: a section line must come first) and the sections after them.

    Returns the position reached, ``pos`` itself when nothing matched.
    """
    section_match = _SECTION_BLOCK.match
    sa_match = _SA_BLOCK.match
    section_keys = _SECTION_KEYS
    start = pos
    sa = None
    while True:
        if sa_list is not None:
            m = sa_match(text, pos)
            while m is not None:
                sa = _fast_sa(m)
                sa_list.append(sa)
                pos = m.end()
                m = sa_match(text, pos)
        m = section_match(text, pos)
        if m is None:
            break
        ident = state.ident
        if ident is None:
            ident = _need_ident(state)
        sa_list = ident[section_keys[m.group(1)]]
        sa = None
        pos = m.end()
    if pos != start:
        state.sa_list = sa_list
        state.sa = sa
    return pos


def _fast_idents(state, text, pos):
    """Read idents, each with its SA sections, as long as they match; return the position reached."""
    ident_match = _IDENT_BLOCK.match
    m = ident_match(text, pos)
    while m is not None:
        _fast_ident(state, m)
        pos = _fast_sas(state, text, m.end(), None)
        m = ident_match(text, pos)
    return pos


def _fast_block(state, text, pos, line):
    """Try the fast path at ``pos``, the start of ``line`` (stripped); return the end of what it read, or None."""
    if line.startswith("interface: "):
        m = _INTERFACE_BLOCK.match(text, pos)
        if m is None:
            return None
        interface = _start_interface(state, m.group(1))
        interface["crypto_map_tag"] = none_if_none(m.group(2))
        interface["local_addr"] = m.group(3)
        return _fast_idents(state, text, m.end())
    if line.startswith("protected vrf:"):
        end = _fast_idents(state, text, pos)
    elif line.startswith("spi: 0x"):
        if state.sa_list is None:
            return None
        end = _fast_sas(state, text, pos, state.sa_list)
    elif line.startswith(("inbound ", "outbound ")):
        end = _fast_sas(state, text, pos, None)
    elif line.startswith("#pkts encaps:"):
        m = _COUNTER_BLOCK.match(text, pos)
        if m is None:
            return None
        _need_ident(state)["counters"].update(_counters_from_groups(m.groups()))
        end = m.end()
    else:
        return None
    return None if end == pos else end


def _close_block(state, first, line):
    """After a line that was not read: if it may have started a block, leave no block open, so
    that the lines after it cannot write into the block before it."""
    if first in ("spi:", "cpi:"):
        state.sa = None
    elif first in ("inbound", "outbound"):
        state.sa_list = None
        state.sa = None
    elif first in ("protected", "interface:") or (
        # a local ident line starts an ident on 12.x (no "protected vrf" line); an ident whose
        # local ident is read already is an earlier one
        first == "local" and "ident" in line and state.ident is not None and state.ident["local_ident"] is not None
    ):
        state.ident = None
        state.sa_list = None
        state.sa = None


@without_gc
def parse_show_crypto_ipsec_sa(text, fast=True):
    """Parse ``show crypto ipsec sa [detail|peer X|interface X]`` output.

    Returns ``{"interfaces": {name: {...}}, "warnings": [...]}``. Never raises on
    malformed text; unknown or malformed lines become warnings. ``fast=False`` reads every
    line one by one (the tests use it to check the block fast path).
    """
    text = check_text(text)
    if text[-1:] not in ("", "\n"):
        text += "\n"  # the same lines; lets every line of a fast-path block end with "\n"
    state = _State()
    dispatch = _DISPATCH
    length = len(text)
    pos = 0
    # Line numbers are needed only for warnings: they are counted when one is given, from the
    # last line counted (counted_pos starts line counted_number).
    counted_pos = 0
    counted_number = 1
    while pos < length:
        end = text.find("\n", pos)
        if end < 0:
            end = length
        raw = text[pos:end]
        line = raw.strip()
        if not line:
            pos = end + 1
            continue
        if fast:
            block_end = _fast_block(state, text, pos, line)
            if block_end is not None:
                # a block ends after the indentation of the line that follows it: go back to its start
                pos = text.rfind("\n", pos, block_end) + 1
                continue
        start = pos
        pos = end + 1
        space = line.find(" ")
        first = line if space < 0 else line[:space]
        handler = dispatch.get(first)
        if handler is None:
            if first[:1] == "#":
                handler = _h_counters
            elif first[-1:] == ",":
                handler = _h_action
        try:
            taken = handler(state, line) if handler is not None else False
            if taken is True:
                continue
            if taken:
                message = taken  # read in part: what was understood is kept
            else:
                if is_chatter(line):
                    continue
                message = "unrecognised line"
                _close_block(state, first, line)
        except LINE_ERRORS as exc:
            message = f"malformed line: {exc}"
            _close_block(state, first, line)
        counted_number += text.count("\n", counted_pos, start)
        counted_pos = start
        warning(state.warnings, counted_number, raw, message)
    result = state.result
    result["warnings"] = state.warnings
    return result
