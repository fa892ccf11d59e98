# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parser for IOS / IOS-XE ``show crypto session [detail]``.

IOS prints one block per session (one peer), each headed by ``Interface: X``; a DMVPN hub
or a crypto map with many peers repeats the same interface name. Sessions are grouped
under their interface in the order printed. IOS 12.4 ``IKE SA:`` lines and 15.x/IOS-XE
``IKEv1 SA:`` / ``IKEv2 SA:`` lines are both read; with IPv6 peers IOS wraps the SA line after
the local or after the remote endpoint, and the wrapped part is read with it.
"""

import re

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.common import (
    check_text,
    feed_lines,
    hms_to_seconds,
    warning,
    without_gc,
)

_PEER = re.compile(r"^Peer:\s+(\S+)\s+port\s+(\d+)(.*)$")
_VRFS = re.compile(r"(fvrf|ivrf):\s*(\(none\)|\S+)")
_IKE_SA = re.compile(r"^(IKE(?:v\d)?) SA:\s+local\s+(\S+)/(\d+)\s+remote\s+(\S+)/(\d+)\s+(\S+)(.*)$")
# the first line of a wrapped SA line: "IKEv2 SA: local A/500", "... local A/500 remote", "... remote B/500"
_IKE_SA_HEAD = re.compile(r"^(IKE(?:v\d)?) SA:\s+local\s+(\S+)/(\d+)(?:\s+(remote)(?:\s+(\S+)/(\d+))?)?\s*$")
_IKE_SA_TAIL = re.compile(r"^(?:(remote)\s+)?(?:(\S+)/(\d+)\s*)?(?:([A-Z][A-Za-z-]*))?(.*)$")
_SYSTEM_IP = re.compile(r"^System IP:\s*(\S+)(?:\s+Interface:\s*(\S+))?\s*$")
_CAPS = re.compile(r"^Capabilities:\s*(\S+)\s+connid:\s*(\d+)\s+lifetime:\s*(\S+)\s*$")
_ACTIVE_SAS = re.compile(r"^Active SAs:\s*(\d+),\s*origin:\s*(.*?)\s*$")
_DIRECTION = re.compile(
    r"^(Inbound|Outbound):\s+#pkts\s+(?:dec|enc)'ed\s+(\d+)\s+drop\s+(\d+)\s+life\s+\(KB/Sec\)\s+(.*)/(\S+)\s*$"
)
_LEGEND_STARTS = ("Code:", "Codes:", "K - ", "X - ", "R - ", "S - ", "C - ")
_SIMPLE_FIELDS = {
    "Profile:": "profile",
    "Uptime:": "uptime",
    "Username:": "username",
    "Group:": "group",
    "Assigned address:": "assigned_address",
    "Session status:": "session_status",
}


def _none(value):
    return None if value in ("(none)", "none", "") else value


class _State:
    __slots__ = ("interfaces", "warnings", "session", "flow", "ike_sa", "interface", "session_id", "wrapped")

    def __init__(self):
        self.interfaces = {}
        self.warnings = []
        self.interface = None
        self.session = None
        self.flow = None
        self.ike_sa = None
        self.session_id = None
        self.wrapped = None  # (IKE SA, its first line) while the rest of a wrapped SA line is due


def _new_session():
    return {
        "profile": None,
        "uptime": None,
        "session_status": None,
        "peer": None,
        "port": None,
        "fvrf": None,
        "ivrf": None,
        "phase1_id": None,
        "desc": None,
        "session_id": None,
        "ike_sas": [],
        "ipsec_flows": [],
    }


def _need_session(state):
    if state.session is None:
        raise ValueError("session field before any Interface: line")
    return state.session


def _new_ike_sa(state, version, local, local_port):
    ike_sa = {
        "version": version,
        "local": local,
        "local_port": int(local_port),
        "remote": None,
        "remote_port": None,
        "status": None,
        "capabilities": None,
        "conn_id": None,
        "lifetime": None,
        "lifetime_seconds": None,
        "session_id": state.session_id,
    }
    state.session_id = None
    _need_session(state)["ike_sas"].append(ike_sa)
    state.ike_sa = ike_sa
    return ike_sa


def _wrapped_tail(state, line):
    """The second line of a wrapped IKE SA line: ``remote B/500 Active``, ``B/500 Active`` or ``Active``."""
    ike_sa, _first = state.wrapped
    m = _IKE_SA_TAIL.match(line)
    need_remote = ike_sa["remote"] is None
    if not m or (need_remote and m.group(2) is None) or (not need_remote and m.group(2) is not None):
        return False
    if m.group(1) and not need_remote:
        return False
    if need_remote:
        ike_sa["remote"] = m.group(2)
        ike_sa["remote_port"] = int(m.group(3))
    if m.group(4) is None:
        return False
    ike_sa["status"] = m.group(4)
    if m.group(5).strip():
        ike_sa["extra"] = m.group(5).strip()
    state.wrapped = None
    return True


def _handle(state, line):
    if state.wrapped is None:
        return _handle_line(state, line)
    if _wrapped_tail(state, line):
        return True
    pending = state.wrapped
    state.wrapped = None
    taken = _handle_line(state, line)
    if taken:
        # another known line came first: the wrapped part is not coming
        warning(state.warnings, 0, pending[1], "IKE SA line without its wrapped part")
    else:
        state.wrapped = pending  # an unknown line in between: the wrapped part may still follow
    return taken


def _handle_line(state, line):
    if line.startswith("Interface:"):
        name = line[10:].strip()
        interface = state.interfaces.get(name)
        if interface is None:
            interface = {"interface": name, "sessions": []}
            state.interfaces[name] = interface
        session = _new_session()
        interface["sessions"].append(session)
        state.interface = interface
        state.session = session
        state.flow = None
        state.ike_sa = None
        state.session_id = None
        return True
    for prefix, key in _SIMPLE_FIELDS.items():
        if line.startswith(prefix):
            session = _need_session(state)
            # A second status line in one block means IOS started a new peer without
            # repeating the Interface: line; keep it as its own session.
            if key == "session_status" and session["peer"] is not None:
                session = _new_session()
                state.interface["sessions"].append(session)
                state.session = session
            session[key] = line[len(prefix) :].strip()
            return True
    if line.startswith("Peer:"):
        m = _PEER.match(line)
        if not m:
            raise ValueError("malformed Peer: line")
        session = _need_session(state)
        session["peer"] = m.group(1)
        session["port"] = int(m.group(2))
        for key, value in _VRFS.findall(m.group(3)):
            session[key] = _none(value)
        return True
    if line.startswith("Phase1_id:"):
        _need_session(state)["phase1_id"] = line[10:].strip()
        return True
    if line.startswith("Desc:"):
        _need_session(state)["desc"] = _none(line[5:].strip())
        return True
    if line.startswith("Session ID:"):
        # IOS prints one "Session ID" before each IKE SA line; the session keeps the first.
        session = _need_session(state)
        state.session_id = int(line[11:].strip())
        if session["session_id"] is None:
            session["session_id"] = state.session_id
        return True
    if line.startswith("IKE"):
        m = _IKE_SA.match(line)
        if m:
            ike_sa = _new_ike_sa(state, m.group(1), m.group(2), m.group(3))
            ike_sa["remote"] = m.group(4)
            ike_sa["remote_port"] = int(m.group(5))
            ike_sa["status"] = m.group(6)
            if m.group(7).strip():
                ike_sa["extra"] = m.group(7).strip()
            return True
        m = _IKE_SA_HEAD.match(line)
        if not m:
            return False
        ike_sa = _new_ike_sa(state, m.group(1), m.group(2), m.group(3))
        if m.group(5) is not None:
            ike_sa["remote"] = m.group(5)
            ike_sa["remote_port"] = int(m.group(6))
        state.wrapped = (ike_sa, line)
        return True
    if line.startswith("System IP:"):
        m = _SYSTEM_IP.match(line)
        if not m:
            raise ValueError("malformed System IP line")
        session = _need_session(state)
        session["system_ip"] = m.group(1)
        if m.group(2) is not None:
            session["system_ip_interface"] = m.group(2)
        return True
    if line.startswith("Capabilities:"):
        m = _CAPS.match(line)
        if not m or state.ike_sa is None:
            raise ValueError("Capabilities line without an IKE SA line")
        state.ike_sa["capabilities"] = _none(m.group(1).strip("()"))
        state.ike_sa["conn_id"] = int(m.group(2))
        lifetime = m.group(3)
        state.ike_sa["lifetime"] = lifetime
        # "lifetime:0" for an SA without a lifetime (no IKE)
        state.ike_sa["lifetime_seconds"] = int(lifetime) if lifetime.isdigit() else hms_to_seconds(lifetime)
        return True
    if line.startswith("IPSEC FLOW:"):
        flow_text = line[11:].strip()
        flow = {
            "flow": flow_text,
            "action": flow_text.split(" ", 1)[0],
            "active_sas": None,
            "origin": None,
        }
        _need_session(state)["ipsec_flows"].append(flow)
        state.flow = flow
        return True
    if line.startswith("Active SAs:"):
        m = _ACTIVE_SAS.match(line)
        if not m or state.flow is None:
            raise ValueError("Active SAs line without an IPSEC FLOW line")
        state.flow["active_sas"] = int(m.group(1))
        state.flow["origin"] = m.group(2)
        return True
    if line.startswith(("Inbound:", "Outbound:")):
        m = _DIRECTION.match(line)
        if not m or state.flow is None:
            raise ValueError("packet line without an IPSEC FLOW line")
        if m.group(1) == "Inbound":
            state.flow["inbound_pkts_decrypted"] = int(m.group(2))
            prefix = "inbound_"
        else:
            state.flow["outbound_pkts_encrypted"] = int(m.group(2))
            prefix = "outbound_"
        state.flow[prefix + "pkts_drop"] = int(m.group(3))
        life_kb = m.group(4).strip()
        state.flow[prefix + "life_kb"] = int(life_kb) if life_kb.isdigit() else life_kb
        life_sec = m.group(5)
        state.flow[prefix + "life_sec"] = int(life_sec) if life_sec.isdigit() else life_sec
        return True
    return bool(line == "Crypto session current status" or line.startswith(_LEGEND_STARTS))


@without_gc
def parse_show_crypto_session(text):
    """Parse ``show crypto session`` or ``show crypto session detail``.

    Returns ``{"interfaces": {name: {"interface": name, "sessions": [...]}}, "warnings": [...]}``.
    """
    text = check_text(text)
    state = _State()
    feed_lines(text, lambda line: _handle(state, line), state.warnings, lambda line: _close(state, line))
    if state.wrapped is not None:
        warning(state.warnings, 0, state.wrapped[1], "IKE SA line without its wrapped part")
    return {"interfaces": state.interfaces, "warnings": state.warnings}


def _close(state, line):
    """After a line that was not read: close the record it may have started, so that the lines
    after it do not write into the one before."""
    if line.startswith("IKE"):
        state.ike_sa = None
    elif line.startswith("IPSEC FLOW"):
        state.flow = None
    elif line.startswith("Session ID"):
        state.session_id = None
    elif line.startswith(("Interface", "Session status", "Peer")):
        state.ike_sa = None
        state.flow = None
