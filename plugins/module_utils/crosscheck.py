# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cross-peer checks: do the two ends of every tunnel agree, and are the devices unambiguous?

Each problem is an :class:`IntentError` whose ``code`` is the check's status:
``IKE_VERSION_MISMATCH``, ``PHASE1_INCOMPATIBLE``, ``IDENTITY_MISMATCH``, ``PSK_MISMATCH``,
``PHASE2_INCOMPATIBLE``, ``SELECTOR_MISMATCH``, ``SELECTOR_OVERLAP``, ``DUPLICATE_PEER`` or ``NO_INITIATOR``.
Messages never contain a pre-shared key.

The checks work on the planner's per-end views (``EndView``), so they compare exactly what
each device would be configured with.

Pure Python; address math uses netaddr.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import heapq

from ansible_collections.ipsec.vpn.plugins.module_utils import acl, pki
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentError

STATUSES = (
    "OK",
    "IKE_VERSION_MISMATCH",
    "PHASE1_INCOMPATIBLE",
    "IDENTITY_MISMATCH",
    "PSK_MISMATCH",
    "PHASE2_INCOMPATIBLE",
    "SELECTOR_MISMATCH",
    "SELECTOR_OVERLAP",
    "DUPLICATE_PEER",
    "CERT_PEER_UNTRUSTED",
    "CERT_PEER_IDENTITY",
    "NO_INITIATOR",
)

MAX_OVERLAPS_PER_DEVICE = 50


class EndView:
    """What one end of a tunnel will be configured with (built by the planner)."""

    __slots__ = ("tunnel", "side", "end", "gateway", "profile", "aces", "ace_dicts", "policy_based")

    def __init__(self, tunnel, side, end, gateway, profile, aces, ace_dicts, policy_based):
        self.tunnel = tunnel
        self.side = side
        self.end = end
        self.gateway = gateway
        self.profile = profile
        self.aces = aces
        self.ace_dicts = ace_dicts
        self.policy_based = policy_based


def _who(view):
    return "end %s (%s, profile '%s')" % (view.side, view.end.gateway, view.profile["name"])


def _ike_set(profile):
    ike = profile["ike"]
    return set((p["encryption"], p["integrity"], p["prf"], p["dh_group"]) for p in ike["proposals"])


def _esp_set(profile):
    return set((p["encryption"], p["integrity"]) for p in profile["ipsec"]["proposals"])


def _fmt_ike(profile):
    out = []
    for p in profile["ike"]["proposals"]:
        words = [p["encryption"]] + ([p["integrity"]] if p["integrity"] else [])
        if profile["ike"]["version"] == 2 and p["prf"] != p["integrity"]:
            words.append("prf" + p["prf"])
        words.append("group%d" % p["dh_group"])
        out.append("-".join(words))
    return ", ".join(out)


def _fmt_esp(profile):
    ipsec = profile["ipsec"]
    out = []
    for p in ipsec["proposals"]:
        out.append("-".join(x for x in (p["encryption"], p["integrity"]) if x))
    return "%s %s" % (ipsec["protocol"], ", ".join(out))


def check_tunnel(a, b):
    """Problems between the two ends of one tunnel (``EndView`` a and b)."""
    tunnel = a.tunnel
    path = tunnel.path
    label = "tunnel '%s'" % tunnel.name
    problems = []
    pa, pb = a.profile, b.profile
    ike_a, ike_b = pa["ike"], pb["ike"]
    if ike_a["version"] != ike_b["version"]:
        problems.append(
            IntentError(
                path,
                "%s: IKE versions differ: %s uses IKEv%d, %s uses IKEv%d"
                % (label, _who(a), ike_a["version"], _who(b), ike_b["version"]),
                "IKE_VERSION_MISMATCH",
            )
        )
    else:
        reasons = []
        if not _ike_set(pa) & _ike_set(pb):
            reasons.append(
                "no common IKE proposal (%s offers %s; %s offers %s)" % (_who(a), _fmt_ike(pa), _who(b), _fmt_ike(pb))
            )
        if ike_a["authentication"] != ike_b["authentication"]:
            reasons.append(
                "authentication differs (%s: %s, %s: %s)"
                % (_who(a), ike_a["authentication"], _who(b), ike_b["authentication"])
            )
        if ike_a["version"] == 1 and ike_a["mode"] != ike_b["mode"]:
            reasons.append("IKEv1 mode differs (%s: %s, %s: %s)" % (_who(a), ike_a["mode"], _who(b), ike_b["mode"]))
        if reasons:
            problems.append(
                IntentError(path, "%s: phase 1 cannot agree: %s" % (label, "; ".join(reasons)), "PHASE1_INCOMPATIBLE")
            )
    for x, y in ((a, b), (b, a)):
        if x.end.remote_id != y.end.id:
            problems.append(
                IntentError(
                    x.end.path + ".remote_id",
                    "%s: end %s (%s) expects the identity '%s' but end %s (%s) sends '%s'"
                    % (label, x.side, x.end.gateway, x.end.remote_id, y.side, y.end.gateway, y.end.id),
                    "IDENTITY_MISMATCH",
                )
            )
    if ike_a["authentication"] == "psk" and ike_b["authentication"] == "psk" and a.end.psk != b.end.psk:
        problems.append(
            IntentError(
                path,
                "%s: the two ends use different pre-shared keys (%s and %s)" % (label, a.end.psk_path, b.end.psk_path),
                "PSK_MISMATCH",
            )
        )
    reasons = []
    ip_a, ip_b = pa["ipsec"], pb["ipsec"]
    if ip_a["protocol"] != ip_b["protocol"]:
        reasons.append("protocol differs (%s: %s, %s: %s)" % (_who(a), ip_a["protocol"], _who(b), ip_b["protocol"]))
    elif not _esp_set(pa) & _esp_set(pb):
        reasons.append(
            "no common IPsec proposal (%s offers %s; %s offers %s)" % (_who(a), _fmt_esp(pa), _who(b), _fmt_esp(pb))
        )
    if ip_a["mode"] != ip_b["mode"]:
        reasons.append("mode differs (%s: %s, %s: %s)" % (_who(a), ip_a["mode"], _who(b), ip_b["mode"]))
    if ip_a["pfs_group"] != ip_b["pfs_group"]:
        reasons.append(
            "PFS differs (%s: %s, %s: %s)" % (_who(a), _pfs(ip_a["pfs_group"]), _who(b), _pfs(ip_b["pfs_group"]))
        )
    if reasons:
        problems.append(
            IntentError(path, "%s: phase 2 cannot agree: %s" % (label, "; ".join(reasons)), "PHASE2_INCOMPATIBLE")
        )
    if a.aces is not None and b.aces is not None:
        expected = sorted(_mirror_key(k) for k in a.aces)
        if expected != sorted(b.aces):
            detail = _mirror_detail(a, b)
            problems.append(
                IntentError(
                    path,
                    "%s: the crypto ACLs are not mirror images: %s" % (label, detail),
                    "SELECTOR_MISMATCH",
                )
            )
    problems.extend(_initiator_problems(a, b, path, label))
    return problems


def certificate_checks(tunnel, model):
    """``CERT_PEER_UNTRUSTED`` (no CA of one end signs the other end's certificate) and ``CERT_PEER_IDENTITY``
    (the identity one end expects is not in the other end's certificate), for certificate tunnels."""
    return pki.pair_checks(tunnel, model)


def _start_action(view):
    settings = view.gateway.get("strongswan") or {}
    return settings.get("start_action")


def _initiator_problems(a, b, path, label):
    """``NO_INITIATOR``: two strongSwan ends with ``start_action: none`` both wait for the other, so the tunnel
    never comes up (an IOS end initiates on traffic)."""
    if _start_action(a) == "none" and _start_action(b) == "none":
        return [IntentError(path, "%s: neither end initiates: %s and %s both have strongswan.start_action: none; set "
                            "start or trap on one of them" % (label, a.end.gateway, b.end.gateway), "NO_INITIATOR")]
    return []


def _pfs(group):
    return "DH group %d" % group if group is not None else "none"


def _mirror_key(key):
    proto, src, sport, dst, dport = key
    return (proto, dst, dport, src, sport)


def _describe_key(key):
    proto, src, sport, dst, dport = key
    words = [proto, src]
    if sport is not None:
        words.append("%s %s" % (sport[0], " ".join(str(p) for p in sport[1])))
    words += ["->", dst]
    if dport is not None:
        words.append("%s %s" % (dport[0], " ".join(str(p) for p in dport[1])))
    return "'%s'" % " ".join(words)


def _mirror_detail(a, b):
    expected = [_mirror_key(k) for k in a.aces]
    have = list(b.aces)
    missing = [k for k in expected if k not in have]
    unexpected = [k for k in have if k not in expected]
    parts = []
    if missing:
        parts.append(
            "end b (%s) lacks the mirror of %s"
            % (b.end.gateway, ", ".join(_describe_key(_mirror_key(k)) for k in missing[:5]))
        )
    if unexpected:
        parts.append(
            "end b (%s) has %s, which mirrors nothing on end a (%s)"
            % (b.end.gateway, ", ".join(_describe_key(k) for k in unexpected[:5]), a.end.gateway)
        )
    if not parts:
        parts.append("the entries differ in number")
    return "; ".join(parts)


def _ports_overlap(x, y):
    if x is None or y is None:
        return True
    xs = acl.port_intervals({"op": x[0], "ports": list(x[1])})
    ys = acl.port_intervals({"op": y[0], "ports": list(y[1])})
    return any(lo1 <= hi2 and lo2 <= hi1 for lo1, hi1 in xs for lo2, hi2 in ys)


def device_overlaps(host, views, nets):
    """``SELECTOR_OVERLAP`` problems among the policy-based tunnels of one device.

    ``views`` are the device's ``EndView`` objects; ``nets`` maps a prefix string to its
    netaddr.IPNetwork. Returns ``[(tunnel_a, tunnel_b, IntentError)]``.
    """
    items = []
    for view in views:
        if not view.policy_based or not view.aces:
            continue
        for key in view.aces:
            proto, src, sport, dst, dport = key
            s, d = nets[src], nets[dst]
            items.append((d.version, d.first, d.last, s.version, s.first, s.last, proto, sport, dport, view, key))
    items.sort(key=lambda it: (it[0], it[1], it[2]))
    active = []
    found = []
    reported = set()
    counter = 0
    for item in items:
        dver, dfirst, dlast = item[0], item[1], item[2]
        while active and (active[0][0] < dver or (active[0][0] == dver and active[0][1] < dfirst)):
            heapq.heappop(active)
        for _v, _last, _n, other in active:
            if other[9].tunnel is item[9].tunnel:
                continue
            if other[3] != item[3] or other[5] < item[4] or item[5] < other[4]:
                continue
            p1, p2 = other[6], item[6]
            if p1 != "ip" and p2 != "ip" and p1 != p2:
                continue
            if not (_ports_overlap(other[7], item[7]) and _ports_overlap(other[8], item[8])):
                continue
            pair = tuple(sorted((other[9].tunnel.name, item[9].tunnel.name)))
            if pair in reported:
                continue
            reported.add(pair)
            first, second = (other[9], item[9]) if other[9].tunnel.name == pair[0] else (item[9], other[9])
            k1 = other[10] if other[9] is first else item[10]
            k2 = item[10] if item[9] is second else other[10]
            message = (
                "tunnels '%s' and '%s' on %s have overlapping selectors (%s -> %s overlaps %s -> %s), so the crypto "
                "ACLs are ambiguous; make the protected networks disjoint, or use style gre_over_ipsec or vti"
                % (first.tunnel.name, second.tunnel.name, host, k1[1], k1[3], k2[1], k2[3])
            )
            found.append((first.tunnel, second.tunnel, IntentError(second.tunnel.path, message, "SELECTOR_OVERLAP")))
            if len(found) >= MAX_OVERLAPS_PER_DEVICE:
                return found
        counter += 1
        heapq.heappush(active, (dver, dlast, counter, item))
    return found


def duplicate_peers(model):
    """``DUPLICATE_PEER`` problems: gateways that share a public address.

    Returns ``({gateway_name: IntentError}, [IntentError])``.
    """
    by_ip = {}
    for name in sorted(model.gateways):
        gw = model.gateways[name]
        by_ip.setdefault(str(gw["outside"].ip), []).append(name)
    per_gateway = {}
    problems = []
    for ip, names in sorted(by_ip.items()):
        if len(names) < 2:
            continue
        for name in names[1:]:
            err = IntentError(
                model.gateways[name]["path"] + ".outside_address",
                "gateways %s share the public address %s; peers are told apart by address, so each gateway needs its own"
                % (", ".join(names), ip),
                "DUPLICATE_PEER",
            )
            problems.append(err)
        for name in names:
            per_gateway[name] = problems[-1]
    return per_gateway, problems
