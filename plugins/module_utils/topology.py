# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Expand hub-and-spoke and full-mesh groups into point-to-point tunnels.

Names are stable and deterministic: ``<group>--<hub>--<spoke>`` (the hub is end ``a``) and
``<group>--<m1>--<m2>`` with ``m1 < m2`` in string order (``m1`` is end ``a``). GRE/VTI inner
addresses come from ``overlay_pool`` at an index derived from the members' site ids, so the
addresses of one tunnel never depend on which other members exist.

Pure Python (no ``ansible`` import).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import netaddr
except ImportError:  # pragma: no cover - netaddr is a hard requirement of the collection
    netaddr = None
from ansible_collections.ipsec.vpn.plugins.module_utils import intent as _intent
from ansible_collections.ipsec.vpn.plugins.module_utils import numbering

_GROUP_FIELDS = (
    "name",
    "type",
    "hubs",
    "spokes",
    "members",
    "style",
    "profile",
    "psk",
    "selectors",
    "overlay",
    "hub_networks",
    "overlay_pool",
)


def _members(c, path, raw, gateways, required=True):
    items = _intent.opt_list(c, path, raw)
    if items is None:
        return None
    if required and not items:
        c.add(path, "needs at least one gateway")
        return None
    out = []
    seen = set()
    ok = True
    for i, name in enumerate(items):
        item_path = "%s[%d]" % (path, i)
        if not isinstance(name, str) or name not in gateways:
            c.add(item_path, "%s is not a gateway of this intent" % _intent._short(name))
            ok = False
            continue
        if name in seen:
            c.add(item_path, "%s is listed twice" % name)
            ok = False
            continue
        seen.add(name)
        out.append((name, item_path))
    return out if ok else None


def _psk_for(c, path, psk, key, what):
    """Return (psk, psk_path) for one expanded tunnel."""
    if isinstance(psk, dict):
        value = psk.get(key)
        if value is None:
            return None, "%s.psk" % path
        return value, _intent.key_path(path + ".psk", key)
    return psk, path + ".psk"


def _unused_psk_keys(c, path, psk, pairs, kind):
    """A key in the per-gateway map that no expanded tunnel uses is a typo: refuse it."""
    used = set(p[5] for p in pairs)
    listed = sorted(used)[:8]
    names = ", ".join(listed) + (", ..." if len(used) > len(listed) else "")
    for key in psk:
        if key in used:
            continue
        if kind == "hub_and_spoke":
            what = "a spoke of this group (spokes: %s)" % names
        else:
            what = "a pair of members of this group, written '<m1>--<m2>' with m1 < m2 (pairs: %s)" % names
        c.add(_intent.key_path(path + ".psk", key), "'%s' is not %s; its key would never be used" % (key, what))


def _addresses(c, path, pool, index, label):
    prefixlen = numbering.overlay_prefixlen(pool.version)
    first, count = numbering.pool_subnet(pool, index, prefixlen)
    if first is None:
        c.add(
            path + ".overlay_pool",
            "%s has %d /%d subnets but %s needs subnet number %d; use a larger pool"
            % (pool.cidr, count, prefixlen, label, index),
        )
        return None, None
    version = pool.version
    a = netaddr.IPNetwork("%s/%d" % (netaddr.IPAddress(first + 1, version), prefixlen))
    b = netaddr.IPNetwork("%s/%d" % (netaddr.IPAddress(first + 2, version), prefixlen))
    return a, b


def _end(gateway, path, networks=None, tunnel_address=None, networks_path=None):
    return {
        "gateway": gateway,
        "path": path,
        "networks": networks,
        "networks_path": networks_path,
        "remote_networks": None,
        "advertise": None,
        "profile": None,
        "psk": None,
        "id": None,
        "remote_id": None,
        "crypto_map_sequence": None,
        "tunnel_number": None,
        "tunnel_address": tunnel_address,
    }


def expand_groups(c, raw_groups, gateways, profiles):
    """Validate ``groups`` and return their tunnels (:class:`intent.Tunnel`), errors into ``c``.

    ``gateways``/``profiles`` map names to validated objects, or to None for names whose
    definition was invalid (those errors are already recorded, so references to them are
    skipped quietly).
    """
    tunnels = []
    seen_groups = {}
    valid_gateways = dict((k, v) for k, v in gateways.items() if v is not None)
    for gi, raw in enumerate(raw_groups):
        path = "groups[%d]" % gi
        d = _intent.mapping(c, path, raw, _GROUP_FIELDS, ("name", "type"))
        if d is None:
            continue
        before = len(c.errors)
        name = _intent.opt_name(c, path + ".name", d["name"], None, "group name")
        if name is not None:
            if name in seen_groups:
                c.add(path + ".name", "group name '%s' is already used by %s" % (name, seen_groups[name]))
            seen_groups[name] = path
        kind = _intent.opt_choice(c, path + ".type", d["type"], _intent.GROUP_TYPES, None)
        style, profile, selectors, overlay = _intent.tunnel_common(c, path, d, profiles)
        if profile is not None and profiles.get(profile) is None:
            return_quietly = True
        else:
            return_quietly = False
        psk = d.get("psk")
        if psk is not None and not isinstance(psk, (str, dict)):
            c.add(path + ".psk", "expected a string or a mapping of keys, got %s" % _intent._type_name(psk))
        if isinstance(psk, dict):
            for key, value in psk.items():
                if not isinstance(value, str):
                    c.add(
                        _intent.key_path(path + ".psk", key),
                        "expected a string (the pre-shared key), got %s" % _intent._type_name(value),
                    )
        hub_networks = None
        if d.get("hub_networks") is not None:
            hub_networks = _intent.parse_network_list(c, path + ".hub_networks", d["hub_networks"], allow_empty=False)
        pool = None
        if d.get("overlay_pool") is not None:
            pool = _intent.parse_network(c, path + ".overlay_pool", d["overlay_pool"])
            if style == "crypto_map":
                c.add(path + ".overlay_pool", "only for styles gre_over_ipsec and vti")
        elif style in ("gre_over_ipsec", "vti"):
            c.add(path + ".overlay_pool", "required for %s groups (inner addresses come from it)" % style)
        pairs = []
        if kind == "hub_and_spoke":
            for extra in ("members",):
                if d.get(extra) is not None:
                    c.add(path + "." + extra, "only for full_mesh groups")
            if d.get("hubs") is None:
                c.add(path + ".hubs", "required field is missing")
            if d.get("spokes") is None:
                c.add(path + ".spokes", "required field is missing")
            hubs = _members(c, path + ".hubs", d.get("hubs"), gateways) if d.get("hubs") is not None else None
            spokes = _members(c, path + ".spokes", d.get("spokes"), gateways) if d.get("spokes") is not None else None
            if hubs and len(hubs) > numbering.MAX_HUBS:
                c.add(path + ".hubs", "at most %d hubs per group" % numbering.MAX_HUBS)
            if hubs and spokes:
                hub_names = set(h for h, _p in hubs)
                for spoke, spath in spokes:
                    if spoke in hub_names:
                        c.add(spath, "%s is also a hub of this group" % spoke)
                for hub_index, (hub, hpath) in enumerate(hubs):
                    for spoke, spath in spokes:
                        pairs.append((hub, hpath, spoke, spath, hub_index, spoke))
        elif kind == "full_mesh":
            for extra in ("hubs", "spokes", "hub_networks"):
                if d.get(extra) is not None:
                    c.add(path + "." + extra, "only for hub_and_spoke groups")
            if d.get("members") is None:
                c.add(path + ".members", "required field is missing")
            members = (
                _members(c, path + ".members", d.get("members"), gateways) if d.get("members") is not None else None
            )
            if members is not None and len(members) < 2:
                c.add(path + ".members", "a full mesh needs at least two members")
            elif members:
                ordered = sorted(members)
                for i, (m1, p1) in enumerate(ordered):
                    for m2, p2 in ordered[i + 1 :]:
                        pairs.append((m1, p1, m2, p2, None, "%s--%s" % (m1, m2)))
        if isinstance(psk, dict) and pairs:
            _unused_psk_keys(c, path, psk, pairs, kind)
        if len(c.errors) != before or return_quietly or kind is None or name is None or style is None:
            continue
        if any(gateways.get(x[0]) is None or gateways.get(x[2]) is None for x in pairs):
            continue
        if profile is None or selectors is None:
            continue
        for a_name, a_path, b_name, b_path, hub_index, psk_key in pairs:
            tunnel_name = "%s--%s--%s" % (name, a_name, b_name)
            if not _intent.NAME_RE.match(tunnel_name):
                c.add(a_path, "the expanded tunnel name '%s' is not a valid tunnel name" % tunnel_name)
                continue
            value, psk_path = _psk_for(c, path, psk, psk_key, kind)
            a_addr = b_addr = None
            if pool is not None and style in ("gre_over_ipsec", "vti"):
                site_a = valid_gateways[a_name]["site_id"]
                site_b = valid_gateways[b_name]["site_id"]
                if hub_index is not None:
                    index = numbering.hub_spoke_subnet_index(hub_index, site_b)
                    label = "spoke %s (site id %d) of hub %s" % (b_name, site_b, a_name)
                else:
                    index = numbering.mesh_subnet_index(site_a, site_b)
                    label = "pair %s/%s (site ids %d, %d)" % (a_name, b_name, site_a, site_b)
                a_addr, b_addr = _addresses(c, path, pool, index, label)
                if a_addr is None:
                    break
            spec = {
                "name": tunnel_name,
                "path": path,
                "index": gi,
                "group": name,
                "style": style,
                "profile": profile,
                "psk": value,
                "psk_path": psk_path,
                "selectors": selectors,
                "selectors_path": path + ".selectors",
                "acl_name": None,
                "crypto_map_name": None,
                "crypto_map_sequence": None,
                "overlay": overlay,
                "ends": {
                    "a": _end(
                        a_name,
                        a_path,
                        hub_networks if hub_index is not None else None,
                        a_addr,
                        path + ".hub_networks" if hub_networks is not None and hub_index is not None else None,
                    ),
                    "b": _end(b_name, b_path, None, b_addr),
                },
            }
            tunnel = _intent.build_tunnel(c, spec, valid_gateways, profiles)
            if tunnel is not None:
                tunnels.append(tunnel)
    return tunnels
