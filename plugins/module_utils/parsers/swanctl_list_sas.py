# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parser for strongSwan ``swanctl --list-sas`` (5.9.x text format) and ``--raw``.

Keys follow the VICI ``list-sa`` message that swanctl prints, with ``-`` turned into
``_`` (``spi-in`` -> ``spi_in``), so the text and ``--raw`` forms give the same schema.

Facts of the text format (from swanctl's list_sas.c and charon's vici_query.c, 5.9):
- An IKE_SA block starts at column 0: ``name: #id, STATE, IKEv2, <spi>_i[*] <spi>_r[*]``;
  the ``*`` marks the side this host plays.
- CHILD_SA lines are indented: ``  name: #id, reqid N, STATE, MODE[-in-UDP], ESP:algs``.
- SPIs, algorithms and counters exist only for CHILD_SAs in INSTALLED, REKEYING, REKEYED,
  DELETING and DELETED; in the other states swanctl prints ``(null)`` in their place.
- strongSwan 6 adds the additional key exchanges of RFC 9370 to both proposal lines as
  ``/KE1_<method>`` ... ``/KE7_<method>`` (``CURVE_25519/KE1_ML_KEM_768``); they are read into
  ``additional_key_exchanges``, in order.
- Each part of a proposal is put in the field its name belongs to; a name the parser does not
  know is kept verbatim in ``extra_algorithms`` with a warning, never put in another field.
"""

import re

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.common import (
    LINE_ERRORS,
    check_text,
    warning,
    without_gc,
)

IKE_STATES = ("CREATED", "CONNECTING", "ESTABLISHED", "PASSIVE", "REKEYING", "REKEYED", "DELETING", "DESTROYING")
CHILD_STATES = (
    "CREATED",
    "ROUTED",
    "INSTALLING",
    "INSTALLED",
    "UPDATING",
    "REKEYING",
    "REKEYED",
    "RETRYING",
    "DELETING",
    "DELETED",
    "DESTROYING",
)
# CHILD_SA states for which charon reports SPIs, algorithms and traffic counters.
CHILD_STATES_WITH_COUNTERS = ("INSTALLED", "REKEYING", "REKEYED", "DELETING", "DELETED")

NULL = "(null)"

_IKE_HEADER = re.compile(r"^(\S.*?): #(\d+), (\S+), IKEv(\d+|\(null\)), (\S+?)_i(\*?) (\S+?)_r(\*?)$")
_CHILD_HEADER = re.compile(r"^(\S.*?): #(\d+|\(null\)), reqid (\d+|\(null\)), (\S+), (\S+?)(-in-UDP)?, ([^:]*):(.*)$")
_ENDPOINT = re.compile(r"^(local|remote) {1,2}'(.*)' @ (\S+)\[(\d+|\(null\))\](.*)$")
_TIMES = re.compile(r"^(-?\d+|\(null\))s( ago)?$")
_TRAFFIC = re.compile(
    r"^(in|out) {1,2}(\S+?)(?:/([0-9a-fA-F]+))?(?: \(([^)]*)\))?, +(\S+) bytes, +(\S+) packets(?:, +(\S+?)s ago)?$"
)

_INTEGRITY_PREFIXES = ("HMAC_", "AES_XCBC", "AES_CMAC", "CAMELLIA_XCBC", "DES_MAC", "KPDK_", "UNDEFINED")
_INTEGRITY_GMAC = re.compile(r"^AES_\d+_GMAC$")
_KE_PREFIXES = (
    "MODP_",
    "ECP_",
    "CURVE_",
    "ML_KEM",
    "KE_",
    "NTRU",
    "NEWHOPE",
    "FRODO",
    "KYBER",
    "BIKE",
    "HQC",
    "SIKE",
    "SABER",
)
_ADDITIONAL_KE = re.compile(r"^KE([1-7])_([A-Z0-9_]+)$")
_RAW_ADDITIONAL_KE = re.compile(r"^a?ke([1-7])$")


def _value(text):
    return None if text == NULL else text


def _int(text):
    return None if text is None or text == NULL else int(text)


def _alg_and_size(part):
    """``AES_CBC-256`` -> ``("AES_CBC", 256)``; ``HMAC_SHA2_256_128`` -> ``(..., None)``."""
    name, dash, size = part.rpartition("-")
    if dash and size.isdigit():
        return name, int(size)
    return part, None


def _is_integrity(name):
    return name.startswith(_INTEGRITY_PREFIXES) or bool(_INTEGRITY_GMAC.match(name))


def _is_key_exchange(name):
    return name.startswith(_KE_PREFIXES)


def _empty_ike():
    return {
        "name": None,
        "uniqueid": None,
        "state": None,
        "version": None,
        "initiator_spi": None,
        "responder_spi": None,
        "initiator": None,
        "local_id": None,
        "local_host": None,
        "local_port": None,
        "local_vips": [],
        "remote_id": None,
        "remote_host": None,
        "remote_port": None,
        "remote_eap_id": None,
        "remote_xauth_id": None,
        "remote_vips": [],
        "encr_alg": None,
        "encr_keysize": None,
        "integ_alg": None,
        "integ_keysize": None,
        "prf_alg": None,
        "dh_group": None,
        "ppk": False,
        "established": None,
        "rekey_time": None,
        "reauth_time": None,
        "life_time": None,
        "tasks_queued": [],
        "tasks_active": [],
        "tasks_passive": [],
        "child_sas": [],
    }


def _empty_child():
    return {
        "name": None,
        "uniqueid": None,
        "reqid": None,
        "state": None,
        "mode": None,
        "encap": False,
        "protocol": None,
        "encr_alg": None,
        "encr_keysize": None,
        "integ_alg": None,
        "integ_keysize": None,
        "prf_alg": None,
        "dh_group": None,
        "esn": False,
        "install_time": None,
        "rekey_time": None,
        "life_time": None,
        "spi_in": None,
        "cpi_in": None,
        "mark_in": None,
        "mark_mask_in": None,
        "if_id_in": None,
        "bytes_in": None,
        "packets_in": None,
        "use_in": None,
        "spi_out": None,
        "cpi_out": None,
        "mark_out": None,
        "mark_mask_out": None,
        "if_id_out": None,
        "bytes_out": None,
        "packets_out": None,
        "use_out": None,
        "label": None,
        "local_ts": [],
        "remote_ts": [],
    }


def _parse_proposal(target, text, flag):
    """Put each part of ``encr[-size][/integ[-size]][/prf][/ke][/KE1_x...][/PPK|/ESN]`` in its field.

    ``flag`` is the trailing word this line may carry (``PPK`` for IKE, ``ESN`` for CHILD_SAs).
    Returns None, or a warning message when a part was not understood (kept in ``extra_algorithms``).
    """
    text = text.strip()
    if not text:
        return None
    extra = []
    additional = []
    for position, part in enumerate(text.split("/")):
        if part == NULL:
            continue  # a value charon does not have yet
        if part == flag:
            target["ppk" if flag == "PPK" else "esn"] = True
            continue
        m = _ADDITIONAL_KE.match(part)
        if m:
            additional.append((int(m.group(1)), m.group(2)))
        elif part.startswith("PRF_") and target["prf_alg"] is None:
            target["prf_alg"] = part
        elif _is_key_exchange(part) and target["dh_group"] is None:
            target["dh_group"] = part
        elif _is_integrity(part) and target["integ_alg"] is None:
            target["integ_alg"], target["integ_keysize"] = _alg_and_size(part)
        elif position == 0 and not (part.startswith("PRF_") or _is_key_exchange(part) or _is_integrity(part)):
            target["encr_alg"], target["encr_keysize"] = _alg_and_size(part)
        else:
            extra.append(part)
    if additional:
        target["additional_key_exchanges"] = [name for _index, name in sorted(additional)]
    if extra:
        target["extra_algorithms"] = extra
        return "partly understood line: unknown algorithm(s) {}".format(", ".join(map(repr, extra)))
    return None


def _parse_ike_proposal(ike, text):
    return _parse_proposal(ike, text, "PPK")


def _parse_child_proposal(child, text):
    return _parse_proposal(child, text, "ESN")


def _parse_times(target, text, first_key):
    # "established 143s ago, rekeying in 13560s, reauth in 40000s, expires in 14000s"
    # "installed 143s ago, rekeying in 3196s, expires in 3617s"
    for part in text.split(", "):
        words = part.split(" ")
        if words[0] in ("established", "installed"):
            key, value = first_key, words[1]
        elif words[0] == "rekeying" and len(words) == 3:
            key, value = "rekey_time", words[2]
        elif words[0] == "reauth" and len(words) == 3:
            key, value = "reauth_time", words[2]
        elif words[0] == "expires" and len(words) == 3:
            key, value = "life_time", words[2]
        else:
            raise ValueError(f"unknown timer {part!r}")
        if not value.endswith("s"):
            raise ValueError(f"timer without seconds {part!r}")
        target[key] = _int(value[:-1])


def _parse_marks(child, direction, text):
    # "(0x00000001/0xffffffff|0x00000005)", "(-|0x0000000a)", "(0x2a)"
    mark, _sep, if_id = text.partition("|")
    if mark and mark != "-":
        value, _sep, mask = mark.partition("/")
        child["mark_" + direction] = value[2:] if value.startswith("0x") else value
        if mask:
            child["mark_mask_" + direction] = mask[2:] if mask.startswith("0x") else mask
    if if_id:
        child["if_id_" + direction] = if_id[2:] if if_id.startswith("0x") else if_id


class _State:
    __slots__ = ("ike_sas", "warnings", "ike", "child")

    def __init__(self):
        self.ike_sas = []
        self.warnings = []
        self.ike = None
        self.child = None


def _need_ike(state):
    if state.ike is None:
        raise ValueError("line outside an IKE_SA block")
    return state.ike


def _need_child(state):
    if state.child is None:
        raise ValueError("line outside a CHILD_SA block")
    return state.child


def _ike_line(state, line, stripped):
    """Lines indented by two spaces (or unindented output) that belong to the IKE_SA."""
    ike = _need_ike(state)
    if stripped.startswith(("local ", "remote ")) and " @ " in stripped:
        m = _ENDPOINT.match(stripped)
        if not m:
            raise ValueError("malformed endpoint line")
        side = m.group(1)
        ike[side + "_id"] = m.group(2)
        ike[side + "_host"] = _value(m.group(3))
        ike[side + "_port"] = _int(m.group(4))
        rest = m.group(5).strip()
        if side == "remote":
            if rest.startswith("EAP: '"):
                end = rest.index("'", 6)
                ike["remote_eap_id"] = rest[6:end]
                rest = rest[end + 1 :].strip()
            if rest.startswith("XAuth: '"):
                end = rest.index("'", 8)
                ike["remote_xauth_id"] = rest[8:end]
                rest = rest[end + 1 :].strip()
        if rest:
            if not (rest.startswith("[") and rest.endswith("]")):
                raise ValueError(f"unexpected text after endpoint: {rest!r}")
            ike[side + "_vips"] = rest[1:-1].split()
        return True
    if stripped.startswith("established "):
        _parse_times(ike, stripped, "established")
        return True
    if stripped.startswith("queued:"):
        ike["tasks_queued"] = stripped[7:].split()
        return True
    if stripped.startswith("active:"):
        ike["tasks_active"] = stripped[7:].split()
        return True
    if stripped.startswith("passive:"):
        ike["tasks_passive"] = stripped[8:].split()
        return True
    if "/" in stripped and " " not in stripped:
        return _parse_ike_proposal(ike, stripped) or True
    return False


def _child_header(state, stripped):
    m = _CHILD_HEADER.match(stripped)
    if not m:
        return False
    ike = _need_ike(state)
    child = _empty_child()
    child["name"] = m.group(1)
    child["uniqueid"] = _int(m.group(2))
    child["reqid"] = _int(m.group(3))
    child["state"] = m.group(4)
    child["mode"] = _value(m.group(5))
    child["encap"] = m.group(6) is not None
    child["protocol"] = _value(m.group(7))
    message = _parse_child_proposal(child, m.group(8))
    ike["child_sas"].append(child)
    state.child = child
    return message or True


def _child_line(state, stripped):
    child = _need_child(state)
    if stripped.startswith("installed "):
        _parse_times(child, stripped, "install_time")
        return True
    if stripped.startswith(("in ", "out ")):
        m = _TRAFFIC.match(stripped)
        if not m:
            raise ValueError("malformed traffic line")
        direction = m.group(1)
        child["spi_" + direction] = _value(m.group(2))
        child["cpi_" + direction] = m.group(3)
        if m.group(4) is not None:
            _parse_marks(child, direction, m.group(4))
        child["bytes_" + direction] = _int(m.group(5))
        child["packets_" + direction] = _int(m.group(6))
        child["use_" + direction] = _int(m.group(7))
        return True
    if stripped.startswith("local ") or stripped == "local":
        child["local_ts"] = [] if stripped[6:].strip() in ("", NULL) else stripped[6:].split()
        return True
    if stripped.startswith("remote ") or stripped == "remote":
        child["remote_ts"] = [] if stripped[7:].strip() in ("", NULL) else stripped[7:].split()
        return True
    if stripped.startswith("label "):
        child["label"] = stripped[6:].strip()
        return True
    return False


def _handle(state, raw):
    indent = len(raw) - len(raw.lstrip(" "))
    stripped = raw.strip()
    if indent == 0:
        m = _IKE_HEADER.match(stripped)
        if m:
            ike = _empty_ike()
            ike["name"] = m.group(1)
            ike["uniqueid"] = int(m.group(2))
            ike["state"] = m.group(3)
            ike["version"] = _int(m.group(4))
            ike["initiator_spi"] = m.group(5)
            ike["responder_spi"] = m.group(7)
            ike["initiator"] = m.group(6) == "*"
            state.ike_sas.append(ike)
            state.ike = ike
            state.child = None
            return True
    if indent >= 4 and state.child is not None:
        return _child_line(state, stripped)
    taken = _child_header(state, stripped)
    if taken:
        return taken
    if indent <= 2 and state.ike is not None:
        taken = _ike_line(state, raw, stripped)
        if taken:
            return taken
    if state.child is not None:
        return _child_line(state, stripped)
    return False


def _close(state, raw):
    """After a line that was not read: close the block it may have started (an IKE_SA at column 0,
    a CHILD_SA at column 2), so that the lines after it do not write into the block before it."""
    indent = len(raw) - len(raw.lstrip(" "))
    if indent == 0:
        state.ike = None
        state.child = None
    elif indent <= 2:
        state.child = None


def _parse_raw(text, warnings):
    """``swanctl --list-sas --raw``: one ``list-sa event {...}`` per IKE_SA."""
    ike_sas = []
    for number, line in enumerate(text.split("\n"), 1):
        line = line.strip()
        if not line:
            continue
        if not line.startswith("list-sa event "):
            if not line.startswith("list-sas reply"):
                warning(warnings, number, line, "unrecognised line")
            continue
        try:
            tree, end = _raw_section(line, line.index("{") + 1)
            if line[end:].strip():
                raise ValueError("text after the closing brace")
        except LINE_ERRORS as exc:
            warning(warnings, number, line, f"malformed raw event: {exc}")
            continue
        for name, body in tree.items():
            if not isinstance(body, dict):
                warning(warnings, number, line, f"IKE_SA {name!r} is not a section")
                continue
            try:
                ike_sas.append(_ike_from_raw(name, body))
            except LINE_ERRORS as exc:
                warning(warnings, number, line, f"malformed raw IKE_SA {name!r}: {exc}")
    return ike_sas


# list-sas keys use dashes (spi-in), list-conns keys underscores (local_addrs)
_RAW_KEY = re.compile(r"([a-z][a-z0-9_]*(?:-[a-z0-9_]+)*)=")
_RAW_SECTION = re.compile(r"([^\s={}\[\]]+) \{")
# A value ends where the next key, a nested section or the closing brace starts. Values
# are printed unquoted and may hold spaces (identities such as "C=CH, O=org, CN=gw").
_RAW_VALUE_END = re.compile(r" (?=[a-z][a-z0-9_]*(?:-[a-z0-9_]+)*=)| (?=[^\s={}\[\]]+ \{)|(?=\})")


def _closing_bracket(text, pos):
    """Index of the ``]`` closing the list that opens at ``pos``; list items may hold brackets
    themselves (traffic selectors such as ``10.0.0.1/32[gre]``)."""
    depth = 0
    for index in range(pos, len(text)):
        char = text[index]
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("raw VICI list without its closing bracket")


def _raw_section(text, pos):
    """Parse ``key=value key=[a b] name {...}`` up to the matching ``}``; return (dict, end)."""
    section = {}
    length = len(text)
    while True:
        while pos < length and text[pos] == " ":
            pos += 1
        if pos >= length:
            raise ValueError("raw VICI text ends inside a section")
        if text[pos] == "}":
            return section, pos + 1
        m = _RAW_KEY.match(text, pos)
        if m:
            key = m.group(1)
            pos = m.end()
            if text.startswith("[", pos):
                close = _closing_bracket(text, pos)
                section[key] = text[pos + 1 : close].split()
                pos = close + 1
            else:
                end = _RAW_VALUE_END.search(text, pos)
                if end is None:
                    raise ValueError("raw VICI value without an end")
                section[key] = text[pos : end.start()]
                pos = end.start()
            continue
        m = _RAW_SECTION.match(text, pos)
        if not m:
            raise ValueError(f"cannot read raw VICI text at column {pos}")
        section[m.group(1)], pos = _raw_section(text, m.end())


_IKE_INT_KEYS = (
    "uniqueid",
    "version",
    "local_port",
    "remote_port",
    "encr_keysize",
    "integ_keysize",
    "established",
    "rekey_time",
    "reauth_time",
    "life_time",
)
_CHILD_INT_KEYS = (
    "uniqueid",
    "reqid",
    "encr_keysize",
    "integ_keysize",
    "install_time",
    "rekey_time",
    "life_time",
    "bytes_in",
    "packets_in",
    "use_in",
    "bytes_out",
    "packets_out",
    "use_out",
)


def _raw_additional(target):
    """``ake1=MODP_4096 ake2=...`` (the raw keys strongSwan's test scenarios check; ``ke1`` is read the same way)
    -> ``additional_key_exchanges``."""
    found = []
    for key in list(target):
        m = _RAW_ADDITIONAL_KE.match(key)
        if m:
            found.append((int(m.group(1)), target.pop(key)))
    if found:
        target["additional_key_exchanges"] = [name for _index, name in sorted(found)]


def _ike_from_raw(name, body):
    ike = _empty_ike()
    ike["name"] = name
    for key, value in body.items():
        if key == "child-sas":
            continue
        ike[key.replace("-", "_")] = value
    for key in _IKE_INT_KEYS:
        if isinstance(ike.get(key), str):
            ike[key] = int(ike[key])
    ike["initiator"] = body.get("initiator") == "yes"
    ike["ppk"] = body.get("ppk") == "yes"
    _raw_additional(ike)
    children = body.get("child-sas") or {}
    for child_key, child_body in children.items():
        child = _empty_child()
        child["name"] = child_key
        for key, value in child_body.items():
            child[key.replace("-", "_")] = value
        for key in _CHILD_INT_KEYS:
            if isinstance(child.get(key), str):
                child[key] = int(child[key])
        child["encap"] = child_body.get("encap") == "yes"
        child["esn"] = child_body.get("esn") == "1"
        _raw_additional(child)
        ike["child_sas"].append(child)
    return ike


@without_gc
def parse_swanctl_list_sas(text):
    """Parse ``swanctl --list-sas`` (or ``--list-sas --raw``) output.

    Returns ``{"ike_sas": [...], "warnings": [...]}``.
    """
    text = check_text(text)
    warnings = []
    if text.lstrip().startswith("list-sa"):
        return {"ike_sas": _parse_raw(text, warnings), "warnings": warnings}
    state = _State()
    state.warnings = warnings
    for number, raw in enumerate(text.split("\n"), 1):
        raw = raw.rstrip().replace("\t", "    ")
        if not raw.strip():
            continue
        try:
            taken = _handle(state, raw)
            if taken is True:
                continue
            if taken:
                warning(warnings, number, raw, taken)
                continue
        except LINE_ERRORS as exc:
            warning(warnings, number, raw, f"malformed line: {exc}")
            _close(state, raw)
            continue
        warning(warnings, number, raw, "unrecognised line")
        _close(state, raw)
    return {"ike_sas": state.ike_sas, "warnings": warnings}
