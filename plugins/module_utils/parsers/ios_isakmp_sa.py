# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parser for IOS / IOS-XE ``show crypto isakmp sa [detail]`` (IKEv1 SAs).

Formats read:
- IOS 12.2/12.4: one table, header ``dst src state conn-id slot [status]`` or none at all;
- IOS 15.x and IOS-XE: ``IPv4 Crypto ISAKMP SA`` / ``IPv6 Crypto ISAKMP SA`` sections, header
  ``dst src state conn-id status``; IPv6 rows printed as ``dst:``/``src:``/``state:`` lines;
- ``detail``: the code legend, ``C-id Local Remote I-VRF Status Encr Hash Auth DH Lifetime Cap.``
  rows (I-VRF and Cap. may be empty) and their ``Engine-id:Conn-id`` line. IPv6-only output
  prints the header without the C-id column and rows without a conn id; rows are recognised by
  their shape, with or without a header.
"""

import re

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.common import (
    check_text,
    feed_lines,
    hms_to_seconds,
    split_paren,
    warning,
    without_gc,
)

# IKEv1 states IOS prints, by exchange: main mode, aggressive mode, quick mode.
IKEV1_STATES = (
    "MM_NO_STATE",
    "MM_SA_SETUP",
    "MM_KEY_EXCH",
    "MM_KEY_AUTH",
    "AG_NO_STATE",
    "AG_INIT_EXCH",
    "AG_AUTH",
    "QM_IDLE",
)
_EXCHANGES = {"MM": "main", "AG": "aggressive", "QM": "quick"}

_SECTION = re.compile(r"^(IPv4|IPv6) Crypto ISAKMP SA$")
_STATE_TOKEN = re.compile(r"^[A-Z][A-Z0-9]*_[A-Z0-9_]+$")
_LIFETIME = re.compile(r"^\d+:\d\d:\d\d$")
_V6_STATE = re.compile(r"^state:\s*(\S+)\s+conn-id:\s*(\d+)(?:\s+slot:\s*(\d+))?(?:\s+status:\s*(.*))?$")
_ENGINE = re.compile(r"^Engine-id:Conn-id\s*=\s*(.*)$")
_LEGEND_STARTS = ("Codes:", "C - ", "K - ", "T - ", "psk - ", "renc - ", "X - ", "D - ", "N - ", "F - ")
_STATUS_WORDS = frozenset(("ACTIVE", "INACTIVE", "DELETED", "UP", "DOWN"))
# What each algorithm column of the detail view may hold (IKEv1 on IOS): anything else is kept
# verbatim in "extra_algorithms", never shifted into a neighbouring column.
_ENCRYPTION = re.compile(r"^(?:des|3des|aes|aes:(?:128|192|256)|aes-gcm(?::(?:128|256))?|null)$")
_HASHES = frozenset(("md5", "sha", "sha256", "sha384", "sha512"))
_AUTHS = frozenset(("psk", "rsig", "renc", "rsa-sig", "rsa-encr", "pre-share", "eccsig", "ecdsa"))


def _exchange(state):
    return _EXCHANGES.get(state[:2])


class _State:
    __slots__ = ("sas", "warnings", "family", "detail", "last", "pending_v6")

    def __init__(self):
        self.sas = []
        self.warnings = []
        self.family = "ipv4"
        self.detail = False
        self.last = None
        self.pending_v6 = None


def _row(state, line):
    """A summary row: ``dst src state conn-id [slot] [status]``."""
    words = line.split()
    if len(words) < 4 or not _STATE_TOKEN.match(words[2]) or not words[3].isdigit():
        return False
    sa = {
        "family": "ipv6" if ":" in words[0] else state.family,
        "dst": words[0],
        "src": words[1],
        "state": words[2],
        "exchange": _exchange(words[2]),
        "conn_id": int(words[3]),
    }
    rest = words[4:]
    # A status never starts with a digit, so a leading number is the slot column.
    if rest and rest[0].isdigit():
        sa["slot"] = int(rest[0])
        rest = rest[1:]
    status = " ".join(rest)
    sa["status"], sa["status_detail"] = split_paren(status) if status else (None, None)
    state.sas.append(sa)
    state.last = sa
    return True


def _detail_row(state, line):
    """``[1001]  10.0.0.1  10.0.0.2  [ivrf]  ACTIVE aes  sha  psk  14 23:59:50 [caps]``."""
    words = line.split()
    start = 1 if words[0].isdigit() else 0
    if len(words) < start + 8 or ("." not in words[start] and ":" not in words[start]):
        return False
    index = start + 2
    ivrf = None
    if words[index] not in _STATUS_WORDS:
        ivrf = words[index]
        index += 1
    if index >= len(words) or words[index] not in _STATUS_WORDS:
        return False
    status = words[index]
    lifetime_at = None
    for position in range(index + 1, len(words)):
        if _LIFETIME.match(words[position]):
            lifetime_at = position
            break
    if lifetime_at is None or lifetime_at - index < 5:
        raise ValueError("detail row without encryption/hash/auth/DH/lifetime columns")
    encryption = hash_alg = auth = dh = None
    extra = []
    for token in words[index + 1 : lifetime_at]:
        if encryption is None and hash_alg is None and _ENCRYPTION.match(token):
            encryption = token
        elif encryption in ("aes", "aes-gcm") and hash_alg is None and token in ("128", "192", "256"):
            encryption += " " + token  # "aes 256": the key size as a word of its own
        elif hash_alg is None and auth is None and token in _HASHES:
            hash_alg = token
        elif auth is None and dh is None and token in _AUTHS:
            auth = token
        elif dh is None and token.isdigit():
            dh = int(token)
        else:
            extra.append(token)
    sa = {
        "family": "ipv6" if ":" in words[start] else state.family,
        "conn_id": int(words[0]) if start else None,
        "local": words[start],
        "remote": words[start + 1],
        "ivrf": ivrf,
        "status": status,
        "encryption": encryption,
        "hash": hash_alg,
        "auth": auth,
        "dh_group": dh,
        "lifetime": words[lifetime_at],
        "lifetime_seconds": hms_to_seconds(words[lifetime_at]),
        "capabilities": " ".join(words[lifetime_at + 1 :]),
        "engine_conn": None,
        "engine_id": None,
        "engine_conn_id": None,
    }
    state.sas.append(sa)
    state.last = sa
    state.detail = True
    if extra:
        sa["extra_algorithms"] = extra
        return "partly understood line: unknown algorithm(s) {}".format(", ".join(map(repr, extra)))
    return True


def _handle(state, line):
    m = _SECTION.match(line)
    if m:
        state.family = m.group(1).lower()
        return True
    if line.startswith("dst ") and " src " in line and " state " in line:
        return True
    if line.startswith(("C-id ", "Conn id ")) or (
        line.startswith("Local ") and " Status " in line and " Lifetime" in line
    ):
        state.detail = True
        return True
    if line.startswith(_LEGEND_STARTS):
        return True
    m = _ENGINE.match(line)
    if m:
        if state.last is None:
            raise ValueError("Engine-id line without its SA row")
        raw_value = m.group(1).strip()
        engine, colon, conn = raw_value.rpartition(":")
        state.last["engine_conn"] = raw_value
        # IOS prints "????" when the crypto engine has not allocated a connection yet.
        if colon and conn.isdigit():
            state.last["engine_id"] = engine
            state.last["engine_conn_id"] = int(conn)
        return True
    # IPv6 rows: " dst: X" / " src: Y" / " state: QM_IDLE  conn-id: 1001 status: ACTIVE"
    if line.startswith("dst:"):
        state.pending_v6 = {"family": "ipv6", "dst": line[4:].strip()}
        return True
    if line.startswith("src:"):
        if state.pending_v6 is None:
            raise ValueError("src: line without a dst: line")
        state.pending_v6["src"] = line[4:].strip()
        return True
    if line.startswith("state:"):
        m = _V6_STATE.match(line)
        pending = state.pending_v6
        if not m or pending is None or "src" not in pending:
            raise ValueError("state: line without dst:/src: lines")
        pending["state"] = m.group(1)
        pending["exchange"] = _exchange(m.group(1))
        pending["conn_id"] = int(m.group(2))
        if m.group(3) is not None:
            pending["slot"] = int(m.group(3))
        status = (m.group(4) or "").strip()
        pending["status"], pending["status_detail"] = split_paren(status) if status else (None, None)
        state.sas.append(pending)
        state.last = pending
        state.pending_v6 = None
        return True
    if state.detail and line[:1].isdigit():
        taken = _detail_row(state, line)
        if taken:
            return taken
    return _row(state, line) or _detail_row(state, line)


def _close(state, line):
    # a row that was not read: its Engine-id or src:/state: lines must not go to another SA
    first = line.split(None, 1)[0]
    if first[:1].isdigit() or ":" in first[:-1] or first in ("dst:", "src:", "state:"):
        state.last = None
        state.pending_v6 = None


@without_gc
def parse_show_crypto_isakmp_sa(text):
    """Parse ``show crypto isakmp sa`` or ``show crypto isakmp sa detail``.

    Returns ``{"detail": bool, "sas": [...], "warnings": [...]}``.
    """
    text = check_text(text)
    state = _State()
    feed_lines(text, lambda line: _handle(state, line), state.warnings, lambda line: _close(state, line))
    if state.pending_v6 is not None:
        warning(state.warnings, 0, "", "incomplete IPv6 SA at end of output: {}".format(state.pending_v6.get("dst")))
    return {"detail": state.detail, "sas": state.sas, "warnings": state.warnings}
