# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parser for IOS / IOS-XE ``show crypto ikev2 sa [detail]``.

Rows are ``Tunnel-id Local Remote fvrf/ivrf Status``; IPv6 SAs print the addresses on
their own ``Local``/``Remote`` lines. The indented lines that follow a row (algorithms,
lifetimes and, with ``detail``, SPIs, identities, message ids, DPD, NAT-T, ...) belong to it.
"""

import re

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.common import (
    check_text,
    feed_lines,
    snake,
    without_gc,
)

_SECTION = re.compile(r"^(IPv4|IPv6) Crypto IKEv2\s+SA$")
_ROW = re.compile(r"^(\d+)\s+(\S+)/(\d+)\s+(\S+)/(\d+)\s+(\S+)/(\S+)\s+(\S+)$")
_ROW_V6 = re.compile(r"^(\d+)\s+(\S+)/(\S+)\s+([A-Z][A-Z-]*)$")
_ENDPOINT_V6 = re.compile(r"^(Local|Remote)\s+(\S+)/(\d+)$")
_LIFE = re.compile(r"^Life/Active Time:\s*(\d+)/(\d+)\s*sec$")
_PAIR_LINE = re.compile(r"^Local (.+?):\s*(\S+)\s+Remote (.+?):\s*(\S+)$")
_DPD = re.compile(r"^DPD configured for (\d+) seconds, retry (\d+)$")
_SUBNET = re.compile(r"^(\d+\.\d+\.\d+\.\d+)\s+(\d+\.\d+\.\d+\.\d+)$")
_INT_FIELDS = frozenset(("keysize", "ce_id", "session_id"))

# Sentences of the detail view -> (key, value).
_SENTENCES = {
    "Fragmentation not configured.": ("fragmentation", "not configured"),
    "Fragmentation not  configured.": ("fragmentation", "not configured"),
    "Fragmentation configured.": ("fragmentation", "configured"),
    "Extended Authentication not configured.": ("extended_authentication", "not configured"),
    "Extended Authentication configured.": ("extended_authentication", "configured"),
    "NAT-T is not detected": ("nat_t", "not detected"),
    "NAT-T is detected inside": ("nat_t", "detected inside"),
    "NAT-T is detected outside": ("nat_t", "detected outside"),
    "Cisco Trust Security SGT is disabled": ("cisco_trust_security_sgt", "disabled"),
    "Cisco Trust Security SGT is enabled": ("cisco_trust_security_sgt", "enabled"),
    "Quantum Resistance Enabled": ("quantum_resistance", "enabled"),
    "Quantum-Safe Encryption using PPK is enabled": ("quantum_safe_ppk", "enabled"),
    "Quantum-safe Encryption using Manual PPK": ("quantum_safe_ppk", "manual"),
    "Quantum-safe Encryption using Dynamic PPK": ("quantum_safe_ppk", "dynamic"),
}


class _State:
    __slots__ = ("sas", "warnings", "family", "sa", "in_subnets")

    def __init__(self):
        self.sas = []
        self.warnings = []
        self.family = "ipv4"
        self.sa = None
        self.in_subnets = False


def _start_sa(state, tunnel_id, fvrf, ivrf, status):
    sa = {
        "family": state.family,
        "tunnel_id": int(tunnel_id),
        "local": None,
        "local_port": None,
        "remote": None,
        "remote_port": None,
        "fvrf": None if fvrf == "none" else fvrf,
        "ivrf": None if ivrf == "none" else ivrf,
        "status": status,
    }
    state.sas.append(sa)
    state.sa = sa
    state.in_subnets = False
    return sa


def _need_sa(state):
    if state.sa is None:
        raise ValueError("SA detail before any SA row")
    return state.sa


def _comma_pairs(sa, line):
    # "Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: SHA256, DH Grp:14, Auth sign: PSK, Auth verify: PSK[, QR]"
    # "CE id: 1001, Session-id: 1"
    for part in line.split(","):
        label, colon, value = part.partition(":")
        label = label.strip()
        value = value.strip()
        if not colon:
            if label:
                sa.setdefault("flags", []).append(label)
            continue
        key = {"encr": "encryption", "dh grp": "dh_group"}.get(label.lower()) or snake(label)
        if key == "dh_group" or key in _INT_FIELDS:
            sa[key] = int(value) if value.isdigit() else value
        else:
            sa[key] = value


def _handle(state, line):
    m = _SECTION.match(line)
    if m:
        state.family = m.group(1).lower()
        state.sa = None
        return True
    if line.startswith("Tunnel-id"):
        return True
    m = _ROW.match(line)
    if m:
        sa = _start_sa(state, m.group(1), m.group(6), m.group(7), m.group(8))
        sa["local"], sa["local_port"] = m.group(2), int(m.group(3))
        sa["remote"], sa["remote_port"] = m.group(4), int(m.group(5))
        return True
    m = _ROW_V6.match(line)
    if m:
        _start_sa(state, m.group(1), m.group(2), m.group(3), m.group(4))
        return True
    m = _ENDPOINT_V6.match(line)
    if m:
        sa = _need_sa(state)
        side = m.group(1).lower()
        sa[side] = m.group(2)
        sa[side + "_port"] = int(m.group(3))
        return True
    sa = state.sa
    if sa is None:
        return False  # detail before any row, or after a row that was not read
    if line.startswith(("Encr:", "CE id:")):
        _comma_pairs(sa, line)
        return True
    m = _LIFE.match(line)
    if m:
        sa["lifetime"] = int(m.group(1))
        sa["active_time"] = int(m.group(2))
        return True
    m = _PAIR_LINE.match(line)
    if m:
        # "Local req msg id:  2      Remote req msg id:  0", "Local spi: 4A1C...   Remote spi: 8B3F..."
        for side, label, value in (("local_", m.group(1), m.group(2)), ("remote_", m.group(3), m.group(4))):
            key = side + snake(label)
            sa[key] = value if key.endswith("spi") or not value.isdigit() else int(value)
        return True
    m = _DPD.match(line)
    if m:
        sa["dpd_interval"] = int(m.group(1))
        sa["dpd_retry"] = int(m.group(2))
        return True
    # IOS pads some sentences with extra spaces ("NAT-T is detected  outside") or ends them with a period
    sentence = " ".join(line.split())
    found = _SENTENCES.get(sentence) or _SENTENCES.get(sentence.rstrip(".")) or _SENTENCES.get(sentence + ".")
    if found:
        sa[found[0]] = found[1]
        return True
    if line.startswith("Remote subnets:"):
        state.in_subnets = True
        sa.setdefault("remote_subnets", [])
        return True
    m = _SUBNET.match(line)
    if m and state.in_subnets:
        sa["remote_subnets"].append(m.group(1) + " " + m.group(2))
        return True
    label, colon, value = line.partition(":")
    if colon and label and value.strip():
        known = {
            "Status Description": "status_description",
            "Local id": "local_id",
            "Remote id": "remote_id",
            "Dynamic Route Update": "dynamic_route_update",
            "Initiator of SA ": "initiator_of_sa",
            "Initiator of SA": "initiator_of_sa",
            "PEER TYPE": "peer_type",
            "Pushed IP address": "pushed_ip",
            "PQC Key Exchange": "pqc_key_exchange",
            "Quantum-safe Encryption using PQC": "quantum_safe_pqc",
            "IETF Std Fragmentation MTU in use": "fragmentation_mtu",
        }
        key = known.get(label)
        if key:
            value = value.strip()
            if key == "initiator_of_sa":
                sa["initiator"] = value == "Yes"
            sa[key] = value
            return True
    return False


def _close(state, line):
    # a row (it starts with the tunnel id) that was not read: its detail lines must not go to the SA before
    if line[:1].isdigit():
        state.sa = None


@without_gc
def parse_show_crypto_ikev2_sa(text):
    """Parse ``show crypto ikev2 sa`` or ``show crypto ikev2 sa detail``.

    Returns ``{"sas": [...], "warnings": [...]}``.
    """
    text = check_text(text)
    state = _State()
    feed_lines(text, lambda line: _handle(state, line), state.warnings, lambda line: _close(state, line))
    return {"sas": state.sas, "warnings": state.warnings}
