# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host's plan -> intended IOS nodes -> the reviewable text artifact.

The renderer reads only the plan (docs/plan.md), which is structured data, and never recomputes it: names, numbers,
ACL entries, isakmp policy and IKEv2 proposal keywords come from the plan as they are. It spells no IOS line itself:
it fills construct nodes (:mod:`.constructs`) with values, and the construct table writes the lines, so what is
rendered is exactly what the diff later recognises. Pure Python.
"""

from ansible_collections.ipsec.vpn.plugins.module_utils.errors import AclError
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import constructs as C


class RenderError(ValueError):
    """The plan holds something this renderer cannot express for IOS."""


def _sub(construct, **values):
    """A sub-command node; ``None`` when a value it needs is missing (the line is left out)."""
    if any(value is None for value in values.values()):
        return None
    return C.make(construct, values)


def _text(value):
    return None if value is None else str(value)


def _acl(name, marker, entries):
    name = str(name)
    number = name if name.isdigit() else None
    children = [C.acl_remark(marker, number)]
    for ace in entries:
        try:
            children.append(C.acl_entry(ace, number))
        except (AclError, ValueError, TypeError, KeyError) as err:
            raise RenderError("ACL %s: cannot render entry %r for IOS: %s" % (name, ace, err)) from None
    if number is not None:
        return C.build("acl_numbered", {"number": number}, children)
    return C.build("acl_named", {"name": name}, children)


def _lifetimes(parent, entry):
    return [_sub(parent + ".set_lifetime", kind=kind, value=_text(entry.get("lifetime_" + kind)))
            for kind in ("seconds", "kilobytes")]


def _sa_settings(parent, entry):
    """``set transform-set``, ``set pfs``, lifetimes and ``set ikev2-profile`` of a crypto map entry or IPsec
    profile (the table puts them in IOS order)."""
    return [
        _sub(parent + ".set_transform_set", names=" ".join(entry["transform_sets"])),
        _sub(parent + ".set_pfs", group=entry.get("pfs") or None),
        _sub(parent + ".set_ikev2_profile", name=entry.get("ikev2_profile") or None),
    ] + _lifetimes(parent, entry)


def _container(containers, order, name):
    name = C.interface_name(name)
    if name not in containers:
        containers[name] = C.make("interface", {"name": name})
        order.append(name)
    return containers[name]


def _route(route):
    if C.is_ipv6(route["prefix"]):
        return C.make("ipv6_route", {
            "prefix": C.ios_ipv6(route["prefix"]),
            "interface": C.interface_name(route.get("interface")),
            "next_hop": C.ios_ipv6(route.get("next_hop")),
            "distance": None,
            "name": C.ROUTE_NAME,
            "tag": None,
        })
    return C.make(
        "ip_route",
        {
            "prefix": route["network"],
            "mask": route["netmask"],
            "interface": C.interface_name(route.get("interface")),
            "next_hop": route.get("next_hop"),
            "distance": None,
            "name": C.ROUTE_NAME,
            "permanent": False,
            "tag": None,
        },
    )


def _identity(kind_value):
    """The IOS identity type of an IKE identity (the same reading as the planner's ``identity_kind``)."""
    text = str(kind_value)
    if C.is_ipv4(text) or C.is_ipv6(text):
        return "address"
    if "=" in text:
        return "dn"
    if "@" in text:
        return "email"
    return "fqdn"


def _host_prefix(address):
    """An IPv6 peer where IOS wants a prefix (keyring, isakmp key, match identity): ``2001:DB8::2/128``."""
    return C.ios_ipv6("%s/128" % address)


def _psk(tunnel_name, psk):
    if len(str(psk).split()) != 1:
        raise RenderError("tunnel %s: an IOS pre-shared key cannot contain white space" % tunnel_name)
    return str(psk)


def _isakmp_policy(policy):
    return C.build("isakmp_policy", {"priority": str(policy["priority"])}, [
        _sub("isakmp_policy." + field, value=_text(policy.get(field)))
        for field in ("encryption", "hash", "authentication", "group", "lifetime")
    ])


def _ikev2_proposal(proposal):
    return C.build("ikev2_proposal", {"name": proposal["name"]}, [
        _sub("ikev2_proposal." + field, value=" ".join(str(v) for v in proposal.get(field) or []) or None)
        for field in ("encryption", "integrity", "prf", "group")
    ])


def _ikev2_profile(profile):
    remote, local = profile["match_identity_remote"], profile["identity_local"]
    remote_kind = _identity(remote)
    dpd = profile.get("dpd")
    if C.is_ipv6(remote):
        match = {"kind": "address", "value": _host_prefix(remote), "mask": None}
    else:
        match = {"kind": remote_kind, "value": remote, "mask": C.HOST_MASK if remote_kind == "address" else None}
    children = [
        _sub("ikev2_profile.description", text=C.marker_text(profile["tunnel"])),
        C.make("ikev2_profile.match_identity", match),
        C.make("ikev2_profile.identity_local", {"kind": _identity(local),
                                                "value": None if _identity(local) == "dn" else C.ios_ipv6(local)}),
        _sub("ikev2_profile.authentication", direction="remote", method=profile["authentication"]),
        _sub("ikev2_profile.authentication", direction="local", method=profile["authentication"]),
        _sub("ikev2_profile.pki_trustpoint", name=profile.get("trustpoint")),
        _sub("ikev2_profile.keyring", name=profile.get("keyring")),
        _sub("ikev2_profile.dpd", interval=_text(dpd["interval"]), retry=_text(dpd["retry_interval"]),
             mode=dpd["mode"]) if dpd else None,
        _sub("ikev2_profile.lifetime", value=_text(profile.get("lifetime") or None)),
    ]
    return C.build("ikev2_profile", {"name": profile["name"]}, children)


def _trustpoint(pki):
    return C.build("pki_trustpoint", {"name": pki["trustpoint"]}, [
        _sub("pki_trustpoint.enrollment", value="terminal"),
        _sub("pki_trustpoint.revocation_check", value=pki["revocation_check"]),
    ])


def _tunnel_interface(tunnel):
    tif = tunnel["tunnel_interface"]
    source_by = tif.get("source_by") or "address"
    if source_by not in ("address", "interface"):
        raise RenderError("tunnel %s: tunnel_interface.source_by must be 'address' or 'interface', got %r"
                          % (tunnel["name"], source_by))
    source = tif["source_address"] if source_by == "address" else C.interface_name(tif["source"])
    ipv6 = tif.get("ip_version") == 6
    children = [
        _sub("interface.description", text=C.marker_text(tunnel["name"])),
        _sub("interface.ipv6_address", address=C.ios_ipv6(tif["address"])) if ipv6 else
        _sub("interface.ip_address", address=tif["ip"], mask=tif["netmask"]),
        _sub("interface.ip_mtu", value=_text(tif.get("ip_mtu") or None)),
        _sub("interface.tcp_mss", value=_text(tif.get("tcp_adjust_mss") or None)),
        _sub("interface.tunnel_source", source=C.ios_ipv6(source)),
        _sub("interface.tunnel_destination", address=C.ios_ipv6(tif["destination"])),
        _sub("interface.tunnel_mode", mode=C.TUNNEL_MODES[tif["mode"]]),
        _sub("interface.tunnel_protection", profile=tif["ipsec_profile"])
        if tif.get("protection") == "ipsec_profile" else None,
    ]
    return C.build("interface", {"name": C.interface_name(tif["name"])}, children)


def _routing(proto):
    passive = [C.interface_name(i) for i in proto.get("passive_interfaces") or []]
    if proto["protocol"] == "eigrp":
        children = [_sub("router_eigrp.network", address=n["network"], wildcard=n["wildcard"])
                    for n in proto["networks"]]
        children += [_sub("router_eigrp.passive", ifname=i) for i in passive]
        return C.build("router_eigrp", {"asn": str(proto["as_number"])}, children)
    if proto["protocol"] == "ospf":
        children = [_sub("router_ospf.network", address=n["network"], wildcard=n["wildcard"], area=_text(n["area"]))
                    for n in proto["networks"]]
        children += [_sub("router_ospf.passive", ifname=i) for i in passive]
        return C.build("router_ospf", {"pid": str(proto["process_id"])}, children)
    raise RenderError("routing protocol %r is not supported on IOS" % proto["protocol"])


def intended_nodes(plan):
    """The intended top-level nodes of a host, in stage order. ``[]`` for hosts that are not IOS."""
    if not plan or plan.get("platform") != "ios":
        return []
    nodes = []
    manage_routes = plan.get("manage_routes", True)
    if plan.get("kind") == "inside_router":
        if manage_routes:
            nodes.extend(_route(r) for r in plan.get("routes") or [])
        return nodes
    if plan.get("kind") != "gateway":
        return []

    tunnels = plan.get("tunnels") or []
    containers, container_order = {}, []

    # ACLs
    seen_acls = set()
    for tunnel in tunnels:
        acl = tunnel.get("acl")
        if not acl or acl["name"] in seen_acls:
            continue
        seen_acls.add(acl["name"])
        nodes.append(_acl(acl["name"], C.marker_text(tunnel["name"]), acl["entries"]))
    outside = plan.get("outside_acl")
    if outside:
        nodes.append(_acl(outside["name"], C.marker_text("outside"), outside["entries"]))

    # IKEv1
    nodes.extend(_isakmp_policy(policy) for policy in plan.get("isakmp_policies") or [])
    seen_keys = set()
    for tunnel in tunnels:
        if tunnel["ike"]["version"] != 1 or not tunnel.get("psk") or tunnel["peer_address"] in seen_keys:
            continue
        seen_keys.add(tunnel["peer_address"])
        address = tunnel["peer_address"]
        nodes.append(C.make("isakmp_key", {"key": _psk(tunnel["name"], tunnel["psk"]),
                                           "address": _host_prefix(address) if C.is_ipv6(address) else address,
                                           "mask": None, "encrypted": False}))
    keepalive = plan.get("isakmp_keepalive")
    if keepalive:
        nodes.append(C.make("isakmp_keepalive", {"interval": str(keepalive["interval"]),
                                                 "retry": str(keepalive["retry_interval"]),
                                                 "mode": keepalive.get("mode") or "on-demand"}))
    if plan.get("nat_traversal") is False:
        nodes.append(C.make("nat_transparency_off"))
    if plan.get("isakmp_identity"):
        nodes.append(C.make("isakmp_identity", {"value": plan["isakmp_identity"]}))
    if plan.get("pki"):
        nodes.append(_trustpoint(plan["pki"]))

    # IKEv2
    ikev2 = plan.get("ikev2") or {}
    nodes.extend(_ikev2_proposal(proposal) for proposal in ikev2.get("proposals") or [])
    policy = ikev2.get("policy")
    if policy:
        children = [_sub("ikev2_policy.match_local", address=C.ios_ipv6(policy.get("match_address_local")) or None)]
        children += [_sub("ikev2_policy.proposal", name=name) for name in policy["proposals"]]
        nodes.append(C.build("ikev2_policy", {"name": policy["name"]}, children))
    keyring = ikev2.get("keyring")
    if keyring:
        peers = []
        for peer in keyring["peers"]:
            peers.append(C.build("ikev2_keyring.peer", {"name": peer["name"]}, [
                _sub("ikev2_keyring.peer.description", text=C.marker_text(peer["name"])),
                C.make("ikev2_keyring.peer.address", {"address": _host_prefix(peer["address"])
                                                      if C.is_ipv6(peer["address"]) else peer["address"], "mask": None}),
                C.make("ikev2_keyring.peer.psk", {"direction": None, "key": _psk(peer["name"], peer["psk"]),
                                                  "encrypted": False}),
            ]))
        nodes.append(C.build("ikev2_keyring", {"name": keyring["name"]}, peers))
    nodes.extend(_ikev2_profile(profile) for profile in ikev2.get("profiles") or [])

    # IPsec
    for tset in plan.get("transform_sets") or []:
        nodes.append(C.build("transform_set", {"name": tset["name"], "transforms": " ".join(tset["transforms"])},
                             [_sub("transform_set.mode", mode=tset["mode"])]))
    sa_lifetime = plan.get("ipsec_sa_lifetime")
    if sa_lifetime:
        for kind in ("seconds", "kilobytes"):
            value = sa_lifetime.get(kind, sa_lifetime.get("lifetime_" + kind))
            if value is not None:
                nodes.append(C.make("ipsec_sa_lifetime", {"kind": kind, "value": str(int(value))}))
    for profile in plan.get("ipsec_profiles") or []:
        children = [_sub("ipsec_profile.description", text=C.marker_text(profile["tunnel"]))]
        settings = _sa_settings("ipsec_profile", profile)
        nodes.append(C.build("ipsec_profile", {"name": profile["name"]}, children + settings))
    for cmap in plan.get("crypto_maps") or []:
        for entry in cmap["entries"]:
            children = [
                _sub("crypto_map_entry.description", text=C.marker_text(entry["tunnel"])),
                _sub("crypto_map_entry.set_peer", address=C.ios_ipv6(entry["peer"])),
                _sub("crypto_map_entry.match_address", acl=entry.get("acl") or None),
            ]
            nodes.append(C.build("crypto_map_entry", {"name": cmap["name"], "seq": str(entry["sequence"])},
                                 children + _sa_settings("crypto_map_entry", entry)))
        binding = _container(containers, container_order, cmap["interface"])
        binding.children.append(C.make("interface.crypto_map", {"map": cmap["name"]}))

    # tunnel interfaces (GRE over IPsec, VTI)
    for tunnel in sorted(tunnels, key=lambda t: (t.get("tunnel_interface") or {}).get("number") or 0):
        if tunnel.get("tunnel_interface"):
            nodes.append(_tunnel_interface(tunnel))

    # outside ACL binding
    if outside:
        binding = _container(containers, container_order, outside["interface"])
        binding.children.append(C.make("interface.access_group", {"acl": outside["name"],
                                                                  "direction": outside.get("direction", "in")}))
    nodes.extend(containers[name] for name in container_order)

    # routing
    nodes.extend(_routing(proto) for proto in plan.get("routing_protocols") or [])
    if manage_routes:
        nodes.extend(_route(r) for r in plan.get("routes") or [])

    return sorted(nodes, key=lambda n: n.stage)


# ---------------------------------------------------------------------------------------------------------------
# text
# ---------------------------------------------------------------------------------------------------------------


def node_lines(node, masked=False, depth=0):
    """Typed lines of a node and its children (indented one space per level)."""
    lines = []
    if node.construct is None:
        return lines
    if node.construct.virtual:
        for child in node.children:
            text = child.typed()
            lines.append(child.mask(text) if masked else text)
        return lines
    text = node.typed()
    lines.append(" " * depth + (node.mask(text) if masked else text))
    for child in node.children:
        if child.construct is None:
            continue
        if child.construct.block:
            lines.extend(node_lines(child, masked, depth + 1))
        else:
            text = child.typed()
            lines.append(" " * (depth + 1) + (child.mask(text) if masked else text))
    return lines


def ledger_node(nodes):
    """The ledger ACL as intended for ``nodes`` (None when nothing needs it)."""
    entries = C.ledger_entries(nodes)
    if not entries:
        return None
    return C.ledger_block(entries)


def has_secrets(nodes):
    def walk(node):
        if node.construct is not None and node.construct.secret and node.values.get(node.construct.secret):
            return True
        return any(walk(child) for child in node.children)

    return any(walk(node) for node in nodes)


def render_text(plan, nodes=None, masked=False):
    """The reviewable artifact: every intended line, typed, in push order, ``!`` between sections.

    With ``masked=True`` every pre-shared key is replaced by ``********``."""
    if nodes is None:
        nodes = intended_nodes(plan)
    host = plan.get("host", "?") if plan else "?"
    out = [
        "! ipsec.vpn: intended IOS configuration of %s (%s, plan schema %s)"
        % (host, (plan or {}).get("kind"), (plan or {}).get("schema_version")),
        "! Typed form, in push order. Pre-shared keys: %s." % ("masked" if masked else "in clear text"),
    ]
    for warning in (plan or {}).get("warnings") or []:
        out.append("! warning: " + " ".join(str(warning).split()))
    ledger = ledger_node(nodes)
    if ledger is not None:
        out.append("!")
        out.append("! objects without a description slot that this collection owns (see docs/ios.md)")
        out.extend(node_lines(ledger, masked))
    stage = None
    for node in nodes:
        if node.construct.block or node.stage != stage:
            out.append("!")
        stage = node.stage
        out.extend(node_lines(node, masked))
    out.append("!")
    return "\n".join(out) + "\n"
