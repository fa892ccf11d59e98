# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of the intent that look across fields, run by :func:`intent.validate`.

Two kinds:

* :func:`raw_structure` walks the raw intent before anything else: every mapping key must be
  a string (YAML reads unquoted ``NO``, ``yes`` or ``1001`` as a boolean or a number), the data
  must be a tree (no YAML alias loop), and no string may hold a control character.
* :func:`model_checks` looks at the validated model for intents that would plan cleanly and
  then fail, leak or misroute on the wire: address families that cannot pair, protected
  networks that make no sense, pre-shared keys a device cannot carry, text a device
  configuration cannot hold, overlapping overlays. It returns warnings for legal but
  surprising intents (``(gateway, text)`` pairs the planner puts into each plan).

Pure Python (no ``ansible`` import); address math uses netaddr.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentError
from ansible_collections.ipsec.vpn.plugins.module_utils.pki import PEM_FIELDS as _PEM_FIELDS

_PATH_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

# Cisco's command reference for `crypto isakmp key`: "any combination of alphanumeric
# characters up to 128 bytes". strongSwan's secrets are rendered base64-encoded, so any
# printable text fits there.
IOS_PSK_MAX = 128

# Interface names: IOS `GigabitEthernet0/0/0.100`, `Serial0/1:0`; Linux allows at most 15
# characters and no '/', ':' or white space in a name.
_IOS_INTERFACE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9/.:-]{0,63}$")
_LINUX_INTERFACE_RE = re.compile(r"^[A-Za-z0-9_.@-]{1,15}$")
# IKE identities: IOS renders `identity local address|fqdn <id>`, one word of printable ASCII
# (`?` asks the CLI for help); swanctl puts the identity in double quotes.
_IOS_ID_RE = re.compile(r"^[\x21-\x3e\x40-\x7e]+$")
_STRONGSWAN_ID_BAD = re.compile(r'["\\]')


def _key_path(base, key):
    key = str(key)
    if _PATH_KEY_RE.match(key):
        return "%s.%s" % (base, key) if base else key
    return '%s["%s"]' % (base, key)


def _describe_key(key):
    if isinstance(key, bool):
        return "%r (a boolean)" % key
    if isinstance(key, (int, float)):
        return "%r (a number)" % key
    if key is None:
        return "null"
    return "%r (%s)" % (key, type(key).__name__)


# ---------------------------------------------------------------------------------------
# Raw structure
# ---------------------------------------------------------------------------------------


def raw_structure(intent):
    """Problems of the raw data as a list of :class:`IntentError` (empty when it is a clean tree).

    Iterative, so an alias loop or a deep structure never recurses without a bound.
    """
    errors = []
    # (value, path, ancestors' ids, under a psk field)
    stack = [(intent, "", frozenset(), False)]
    while stack:
        value, path, ancestors, secret = stack.pop()
        if isinstance(value, dict):
            if id(value) in ancestors:
                errors.append(_loop_error(path))
                continue
            inner = ancestors | {id(value)}
            children = []
            for key, item in value.items():
                if not isinstance(key, str):
                    errors.append(
                        IntentError(
                            path or "ipsec_vpn_intent",
                            "the key %s is not a string: YAML reads unquoted yes/no/on/off/true/false as booleans "
                            "and digits such as 1001 or 010 as numbers, so the name as written is lost; quote it "
                            '("NO", "1001") here and in the inventory' % _describe_key(key),
                            "KEY_NOT_A_STRING",
                        )
                    )
                    continue
                child = _key_path(path, key)
                if _CONTROL_RE.search(key):
                    errors.append(IntentError(path or "ipsec_vpn_intent", _control_message("the key %r" % key)))
                    continue
                children.append((item, child, inner, secret or key == "psk" or key in _PEM_FIELDS))
            stack.extend(reversed(children))
        elif isinstance(value, (list, tuple)):
            if id(value) in ancestors:
                errors.append(_loop_error(path))
                continue
            inner = ancestors | {id(value)}
            stack.extend(reversed([(item, "%s[%d]" % (path, i), inner, secret) for i, item in enumerate(value)]))
        elif isinstance(value, str) and not secret and _CONTROL_RE.search(value):
            errors.append(IntentError(path, _control_message("the text")))
    return errors


def _loop_error(path):
    return IntentError(
        path or "ipsec_vpn_intent",
        "this value contains itself (a YAML alias loop such as '&a [*a]'); the intent must be a tree",
        "ALIAS_LOOP",
    )


def _control_message(what):
    return (
        "%s contains a line break or another control character; no device configuration can carry it "
        "(it would end the command and start another)" % what
    )


# ---------------------------------------------------------------------------------------
# Model checks
# ---------------------------------------------------------------------------------------


class _Out:
    def __init__(self, collector):
        self.c = collector
        self.warnings = []
        self._seen = set()

    def error(self, path, message, code="INVALID"):
        if (path, message) not in self._seen:
            self._seen.add((path, message))
            self.c.add(path, message, code)

    def warn(self, gateway, message):
        if (gateway, message) not in self.warnings:
            self.warnings.append((gateway, message))


def model_checks(c, model, raw_groups=None):
    """Record refusals into collector ``c``; return the warnings as ``[(gateway, text)]``."""
    out = _Out(c)
    for name in sorted(model.gateways):
        _gateway_text(out, model.gateways[name])
        _outside_prefix(out, model, model.gateways[name])
        _protected_next_hops(out, model.gateways[name])
    for tunnel in model.tunnels:
        _end_text(out, model, tunnel)
        _psk(out, model, tunnel)
        if tunnel.style == "crypto_map":
            _families(out, tunnel)
            _default_both_ends(out, tunnel)
            _ends_overlap(out, tunnel)
            if not _gateways_only(model, tunnel):
                # host-to-host selectors between the two gateways are legal (transport mode)
                _own_outside(out, model, tunnel)
        _redundant(out, tunnel)
        _transport_mode(out, model, tunnel)
        _inner_in_protected(out, model, tunnel)
    for name in sorted(model.inside_routers):
        _inside_router_family(out, model.inside_routers[name])
    _overlay_overlaps(out, model)
    _group_names(out, model, raw_groups or [])
    return out.warnings


def _item_path(end, index):
    return "%s[%d]" % (end.networks_path, index)


def _fam(net):
    return "IPv%d" % net.version


def _is_default(net):
    return net.prefixlen == 0


# -- text that reaches a device ---------------------------------------------------------


def _gateway_text(out, gw):
    interface = gw["outside_interface"]
    pattern = _IOS_INTERFACE_RE if gw["platform"] == "ios" else _LINUX_INTERFACE_RE
    if interface is not None and not pattern.match(interface):
        out.error(gw["path"] + ".outside_interface", _interface_message(interface, gw["platform"]))
    management = gw.get("management") or {}
    if management.get("interface") and not pattern.match(management["interface"]):
        out.error(gw["path"] + ".management.interface", _interface_message(management["interface"], gw["platform"]))


def _interface_message(text, platform):
    if platform == "ios":
        return (
            "'%s' is not an IOS interface name (a letter, then letters, digits, '/', '.', ':' or '-', such as "
            "GigabitEthernet0/0/0.100)" % text
        )
    return "'%s' is not a Linux interface name (at most 15 letters, digits, '_', '.', '@' or '-', such as eth1)" % text


def _end_text(out, model, tunnel):
    """An end's ``id`` is rendered on both gateways (sent by one, matched by the other)."""
    if tunnel.group is not None:
        return  # groups set no identities: the defaults are addresses
    for side in ("a", "b"):
        end, peer = tunnel.ends[side], tunnel.other(side)
        checks = [("id", end.id)]
        if end.remote_id != peer.id:
            checks.append(("remote_id", end.remote_id))
        for field, value in checks:
            if value is None or _CONTROL_RE.search(value):
                continue  # control characters are reported once, by raw_structure
            for gw_name in (end.gateway, peer.gateway):
                problem = _identity_problem(value, model.gateways[gw_name]["platform"])
                if problem is not None:
                    out.error(
                        "%s.%s" % (end.path, field),
                        "'%s' cannot be an IKE identity on %s: %s" % (value, gw_name, problem),
                    )
                    break


def _identity_problem(value, platform):
    if platform == "ios" and not _IOS_ID_RE.match(value):
        return "IOS takes one word of printable ASCII without '?' (an address or a host name)"
    if platform == "strongswan" and (_STRONGSWAN_ID_BAD.search(value) or value != value.strip()):
        return "swanctl quotes it, so it may not hold '\"' or '\\' nor start or end with white space"
    return None


# -- pre-shared keys ---------------------------------------------------------------------


def _psk(out, model, tunnel):
    ios_ends = [
        tunnel.ends[s].gateway for s in ("a", "b") if model.gateways[tunnel.ends[s].gateway]["platform"] == "ios"
    ]
    for side in ("a", "b"):
        end = tunnel.ends[side]
        if end.psk is None:
            continue
        profile = model.profiles[end.profile]
        if profile["ike"]["authentication"] != "psk":
            for gw_name in (tunnel.ends["a"].gateway, tunnel.ends["b"].gateway):
                out.warn(
                    gw_name,
                    "tunnel '%s': a pre-shared key is given (%s) but profile '%s' authenticates with %s, so the key is "
                    "ignored" % (tunnel.name, end.psk_path, profile["name"], profile["ike"]["authentication"]),
                )
            continue
        problem = psk_problem(end.psk, ios_ends)
        if problem is not None:
            out.error(end.psk_path, problem, "PSK_INVALID")


def psk_problem(key, ios_gateways):
    """Why ``key`` cannot be used (never quoting it), or None. ``ios_gateways``: IOS ends involved."""
    if not key:
        return "the pre-shared key is empty"
    if not key.strip():
        return "the pre-shared key is only white space"
    if _CONTROL_RE.search(key):
        return (
            "the pre-shared key contains a line break or another control character; no device configuration can "
            "carry it"
        )
    if key != key.strip():
        return (
            "the pre-shared key starts or ends with white space; IOS and strongSwan would read different keys, so "
            "remove it"
        )
    if ios_gateways:
        names = sorted(set(ios_gateways))
        who = "IOS gateway%s %s" % ("s" if len(names) > 1 else "", " and ".join(names))
        if any(ch.isspace() for ch in key):
            return (
                "the pre-shared key contains white space, which %s cannot carry (IOS ends the key at the first space)"
                % who
            )
        if any(ord(ch) > 126 for ch in key):
            return "the pre-shared key contains a character outside printable ASCII, which %s cannot carry" % who
        if "?" in key:
            return (
                "the pre-shared key contains '?', which %s cannot carry (the IOS CLI reads '?' as a request for help)"
                % who
            )
        if len(key) > IOS_PSK_MAX:
            return "the pre-shared key has %d characters; %s take%s at most %d" % (
                len(key),
                who,
                "" if len(names) > 1 else "s",
                IOS_PSK_MAX,
            )
    return None


# -- addresses -------------------------------------------------------------------------


def _outside_prefix(out, model, gw):
    outside = gw["outside"]
    host_len = 32 if outside.version == 4 else 128
    if outside.prefixlen == 0:
        out.error(
            gw["path"] + ".outside_address",
            "a /0 outside network would make every address directly connected; give the outside subnet's real "
            "prefix length",
        )
    elif outside.prefixlen == host_len and model.by_gateway.get(gw["name"]):
        tunnel, side = model.by_gateway[gw["name"]][0]
        out.error(
            gw["path"] + ".outside_address",
            "/%d leaves no other address in the outside network, so there can be no next hop toward peer %s (tunnel "
            "'%s') and no directly connected peer; give the outside subnet's real prefix length"
            % (host_len, tunnel.other(side).gateway, tunnel.name),
        )
    hop = gw["internet_next_hop"]
    if hop is not None and hop in outside and outside.prefixlen < host_len - 1:
        if hop == outside.network:
            what = "network"
        elif hop == outside.broadcast:
            what = "broadcast"
        else:
            return
        out.error(
            gw["path"] + ".internet_next_hop",
            "%s is the %s address of the outside network %s, not a router" % (hop, what, outside.cidr),
        )


# -- protected networks ------------------------------------------------------------------


def _protected_next_hops(out, gw):
    for entry in gw["protected"]:
        hop = entry["next_hop"]
        if hop is not None and hop.version != entry["net"].version:
            out.error(
                entry["path"] + ".next_hop",
                "%s is IPv%d but the prefix %s is IPv%d; a route needs a next hop of its own family"
                % (hop, hop.version, entry["net"].cidr, entry["net"].version),
            )


def _inside_router_family(out, router):
    hop = router["next_hop"]
    families = set(net.version for net in router["networks"])
    if hop is not None and families and hop.version not in families:
        out.error(
            router["path"] + ".next_hop",
            "%s is IPv%d but the router's networks are IPv%d; its routes need a next hop of their own family"
            % (hop, hop.version, sorted(families)[0]),
        )


def _families(out, tunnel):
    a, b = tunnel.ends["a"], tunnel.ends["b"]
    fam_a = set(n.version for n in a.networks)
    fam_b = set(n.version for n in b.networks)
    if a.networks and b.networks and not fam_a & fam_b:
        out.error(
            b.networks_path,
            "the two ends protect networks of different IP versions (end a (%s): %s; end b (%s): %s); no traffic "
            "selector can pair them, so tunnel '%s' would protect nothing"
            % (
                a.gateway,
                "/".join("IPv%d" % v for v in sorted(fam_a)),
                b.gateway,
                "/".join("IPv%d" % v for v in sorted(fam_b)),
                tunnel.name,
            ),
        )
        return
    for side in ("a", "b"):
        end = tunnel.ends[side]
        remote_fams = set(n.version for n in end.remote_networks)
        for i, net in enumerate(end.networks):
            if net.version not in remote_fams:
                out.error(
                    _item_path(end, i),
                    "%s is %s but the other end of tunnel '%s' (%s) protects no %s network: no traffic selector "
                    "would carry it" % (net.cidr, _fam(net), tunnel.name, tunnel.other(side).gateway, _fam(net)),
                )


def _default_both_ends(out, tunnel):
    a, b = tunnel.ends["a"], tunnel.ends["b"]
    for j, net in enumerate(b.networks):
        if _is_default(net) and any(_is_default(x) and x.version == net.version for x in a.networks):
            out.error(
                _item_path(b, j),
                "%s on both ends of tunnel '%s': the tunnel would claim all traffic in both directions, the IKE "
                "packets between the two gateways included; protect %s on one end only"
                % (net.cidr, tunnel.name, net.cidr),
            )


def _ends_overlap(out, tunnel):
    a, b = tunnel.ends["a"], tunnel.ends["b"]
    summary = tunnel.group is not None and a.networks_path.endswith(".hub_networks")
    for j, nb in enumerate(b.networks):
        for i, na in enumerate(a.networks):
            if na.version != nb.version or _is_default(na) or _is_default(nb):
                continue
            if na == nb:
                out.error(
                    _item_path(b, j),
                    "%s is protected by both ends of tunnel '%s' (also %s): traffic between them never crosses the "
                    "tunnel, and neither end gets a route to the other; give each end its own networks"
                    % (nb.cidr, tunnel.name, _item_path(a, i)),
                )
            elif (nb in na or na in nb) and not summary:
                inner, outer = (nb, na) if nb in na else (na, nb)
                out.error(
                    _item_path(b, j),
                    "%s of end b (%s) and %s of end a (%s) overlap (%s lies inside %s): the end with the larger "
                    "network would send part of its own LAN into tunnel '%s'; give the ends disjoint networks (a "
                    "summary for hub-and-spoke belongs in groups[].hub_networks)"
                    % (nb.cidr, b.gateway, na.cidr, a.gateway, inner.cidr, outer.cidr, tunnel.name),
                )


def _own_outside(out, model, tunnel):
    for side in ("a", "b"):
        end = tunnel.ends[side]
        gw = model.gateways[end.gateway]
        outside_net = gw["outside_net"]
        if outside_net.prefixlen == 0:
            continue  # refused by _outside_prefix
        for i, net in enumerate(end.networks):
            if _is_default(net) or net.version != outside_net.version:
                continue
            if gw["outside_ip"] in net or net in outside_net:
                out.error(
                    _item_path(end, i),
                    "%s overlaps gateway %s's own outside network %s (outside_address %s): the crypto map of tunnel "
                    "'%s' would catch the gateway's own traffic on that network; protect only inside networks"
                    % (net.cidr, end.gateway, outside_net, gw["outside"], tunnel.name),
                )


def _redundant(out, tunnel):
    for side in ("a", "b"):
        end = tunnel.ends[side]
        nets = end.networks
        for i, inner in enumerate(nets):
            for k, outer in enumerate(nets):
                if i != k and inner.version == outer.version and inner != outer and inner in outer:
                    out.warn(
                        end.gateway,
                        "tunnel '%s' end %s: %s (%s) lies inside %s (%s), so it adds nothing"
                        % (tunnel.name, side, inner.cidr, _item_path(end, i), outer.cidr, _item_path(end, k)),
                    )
                    break


# -- transport mode ---------------------------------------------------------------------


def _transport_mode(out, model, tunnel):
    for side in ("a", "b"):
        end = tunnel.ends[side]
        profile = model.profiles[end.profile]
        if profile["ipsec"]["mode"] != "transport":
            continue
        what = _lan_selectors(model, tunnel)
        if what is None:
            continue
        for gw_name in (tunnel.ends["a"].gateway, tunnel.ends["b"].gateway):
            out.warn(
                gw_name,
                "tunnel '%s': profile '%s' asks for transport mode, but the selectors (%s) are not the two gateways' "
                "own addresses, so both ends will use tunnel mode (IOS uses transport mode only for traffic between "
                "the peers themselves; strongSwan falls back to tunnel mode for selectors that are not host-to-host)"
                % (tunnel.name, profile["name"], what),
            )
        return


def _gateways_only(model, tunnel):
    """True when a crypto-map tunnel's selectors are exactly the two gateways' own addresses."""

    def host_of(end):
        gw = model.gateways[end.gateway]
        nets = end.networks
        host_len = 32 if gw["outside"].version == 4 else 128
        return len(nets) == 1 and nets[0].prefixlen == host_len and nets[0].ip == gw["outside_ip"]

    return host_of(tunnel.ends["a"]) and host_of(tunnel.ends["b"])


def _lan_selectors(model, tunnel):
    """A short text of the selectors when they are not exactly the gateways' addresses, else None."""
    if tunnel.style == "vti":
        return "any <-> any, a VTI"
    if tunnel.style == "gre_over_ipsec":
        if tunnel.overlay["gre_acl"] == "any" and tunnel.overlay["protection"] == "crypto_map":
            return "permit gre any any"
        return None
    if _gateways_only(model, tunnel):
        return None
    a, b = tunnel.ends["a"], tunnel.ends["b"]
    return "%s <-> %s" % (", ".join(str(n.cidr) for n in a.networks), ", ".join(str(n.cidr) for n in b.networks))


# -- overlay addressing -----------------------------------------------------------------


def _address_path(tunnel, end):
    if tunnel.group is not None:
        return tunnel.path + ".overlay_pool"
    return end.path + ".tunnel_address"


def _overlay_overlaps(out, model):
    # sorted sweep: a hub with thousands of tunnels must not cost a comparison per pair
    for gw_name in sorted(model.by_gateway):
        spans = []
        for order, (tunnel, side) in enumerate(model.by_gateway[gw_name]):
            end = tunnel.ends[side]
            if end.tunnel_address is not None:
                subnet = end.tunnel_address.cidr
                spans.append((subnet.version, subnet.first, -subnet.last, order, subnet, tunnel, end))
        spans.sort(key=lambda item: item[:4])
        widest = None  # the span reaching furthest so far (spans of another IP version restart it)
        for item in spans:
            version, first, neg_last, order = item[:4]
            if widest is not None and widest[0] == version and first <= -widest[2]:
                later, earlier = (item, widest) if order > widest[3] else (widest, item)
                out.error(
                    _address_path(later[5], later[6]),
                    "%s: the inner subnet %s of tunnel '%s' overlaps %s of tunnel '%s'; every tunnel interface "
                    "of a router needs a subnet of its own"
                    % (gw_name, later[4], later[5].name, earlier[4], earlier[5].name),
                )
            if widest is None or widest[0] != version or -neg_last > -widest[2]:
                widest = item


def _inner_in_protected(out, model, tunnel):
    # both ends share one inner subnet (checked by the validator), so end a speaks for both
    for side in ("a",):
        end = tunnel.ends[side]
        if end.tunnel_address is None:
            continue
        subnet = end.tunnel_address.cidr
        for owner in (tunnel.ends["a"], tunnel.ends["b"]):
            for i, net in enumerate(owner.networks):
                if _is_default(net) or net.version != subnet.version:
                    continue
                if subnet in net or net in subnet:
                    out.error(
                        _address_path(tunnel, end),
                        "the inner subnet %s of tunnel '%s' overlaps %s, a protected network of %s (%s); inner "
                        "addresses need a subnet of their own"
                        % (subnet, tunnel.name, net.cidr, owner.gateway, _item_path(owner, i)),
                    )
                    return


# -- names ------------------------------------------------------------------------------


def _group_names(out, model, raw_groups):
    tunnel_paths = {}
    for tunnel in model.tunnels:
        if tunnel.group is None:
            tunnel_paths.setdefault(tunnel.name, tunnel.path)
    for gi, raw in enumerate(raw_groups):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            continue
        first = tunnel_paths.get(raw["name"])
        if first is not None:
            out.error(
                "groups[%d].name" % gi,
                "'%s' is already the name of tunnel %s; a group and a tunnel need different names"
                % (raw["name"], first),
            )
