# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host's plan -> intended IOS nodes -> the reviewable text artifact.

The renderer reads only the plan (docs/plan.md) and never recomputes it: names, numbers, ACL lines, isakmp policy
lines and IKEv2 proposal lines come from the plan as they are. Every line goes through the construct table
(:mod:`.constructs`), so what is rendered is exactly what the diff later recognises. Pure Python.
"""

from ansible_collections.ipsec.vpn.plugins.module_utils.ios import constructs as C

DEFAULT_OPTIONS = {
    # tunnel source of GRE/VTI tunnel interfaces: "address" (the outside IP, as the reference configs show)
    # or "interface" (the outside interface name).
    "tunnel_source": "address",
    # push the plan's static routes (named IPSEC-VPN so that they can be told apart and purged).
    "manage_routes": True,
}

STAGE_BINDINGS = 80


class RenderError(ValueError):
    """The plan holds something this renderer cannot express for IOS."""


def _options(options):
    merged = dict(DEFAULT_OPTIONS)
    for key, value in (options or {}).items():
        if value is not None:
            merged[key] = value
    if merged["tunnel_source"] not in ("address", "interface"):
        raise RenderError("tunnel_source must be 'address' or 'interface', got %r" % (merged["tunnel_source"],))
    return merged


def _child(parent, line):
    node = C.node_from_line(line, parent)
    if node.construct is None:
        raise RenderError("rendered line %r is not a known sub-command of %s" % (line, parent))
    return node


def _block(name, values, lines, stage=None):
    node = C.make(name, values, stage=stage)
    for line in lines:
        node.children.append(line if isinstance(line, C.Node) else _child(name, line))
    return node


def _acl(name, marker, lines):
    name = str(name)
    if name.isdigit():
        node = C.make("acl_numbered", {"number": name})
        for line in ["remark " + marker] + list(lines):
            child = C.node_from_line("access-list %s %s" % (name, line))
            if child.construct is None or child.construct.parent != "acl_numbered":
                raise RenderError("ACL %s: cannot render %r" % (name, line))
            node.children.append(child)
        return node
    return _block("acl_named", {"name": name}, ["remark " + marker] + list(lines))


def _lifetime_lines(entry):
    lines = []
    for kind, field in (("seconds", "lifetime_seconds"), ("kilobytes", "lifetime_kilobytes")):
        value = entry.get(field)
        if value is not None and int(value) != C.IPSEC_LIFETIME_DEFAULTS[kind]:
            lines.append("set security-association lifetime %s %d" % (kind, int(value)))
    return lines


def _container(containers, order, name):
    name = C.interface_name(name)
    if name not in containers:
        containers[name] = C.make("interface", {"name": name}, stage=STAGE_BINDINGS)
        order.append(name)
    return containers[name]


def _route(route):
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
    return "address" if C.is_ipv4(kind_value) else "fqdn"


def intended_nodes(plan, options=None):
    """The intended top-level nodes of a host, in stage order. ``[]`` for hosts that are not IOS."""
    opts = _options(options)
    if not plan or plan.get("platform") != "ios":
        return []
    nodes = []
    if plan.get("kind") == "inside_router":
        if opts["manage_routes"]:
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
        nodes.append(_acl(acl["name"], C.marker_text(tunnel["name"]), acl["ios_lines"]))
    outside = plan.get("outside_acl")
    if outside:
        nodes.append(_acl(outside["name"], C.marker_text("outside"), outside["ios_lines"]))

    # IKEv1
    for policy in plan.get("isakmp_policies") or []:
        nodes.append(_block("isakmp_policy", {"priority": str(policy["priority"])}, policy["lines"]))
    seen_keys = set()
    for tunnel in tunnels:
        if tunnel["ike"]["version"] != 1 or not tunnel.get("psk") or tunnel["peer_address"] in seen_keys:
            continue
        if len(str(tunnel["psk"]).split()) != 1:
            raise RenderError("tunnel %s: an IOS pre-shared key cannot contain white space" % tunnel["name"])
        seen_keys.add(tunnel["peer_address"])
        nodes.append(C.make("isakmp_key", {"key": str(tunnel["psk"]), "address": tunnel["peer_address"],
                                           "mask": None, "encrypted": False}))
    keepalive = plan.get("isakmp_keepalive")
    if keepalive:
        nodes.append(C.make("isakmp_keepalive", {"interval": str(keepalive["interval"]),
                                                 "retry": str(keepalive["retry_interval"]),
                                                 "mode": keepalive.get("mode") or "on-demand"}))
    if plan.get("nat_traversal") is False:
        nodes.append(C.make("nat_transparency_off"))

    # IKEv2
    ikev2 = plan.get("ikev2") or {}
    for proposal in ikev2.get("proposals") or []:
        nodes.append(_block("ikev2_proposal", {"name": proposal["name"]}, proposal["lines"]))
    policy = ikev2.get("policy")
    if policy:
        lines = []
        if policy.get("match_address_local"):
            lines.append("match address local %s" % policy["match_address_local"])
        lines += ["proposal %s" % name for name in policy["proposals"]]
        nodes.append(_block("ikev2_policy", {"name": policy["name"]}, lines))
    keyring = ikev2.get("keyring")
    if keyring:
        peers = []
        for peer in keyring["peers"]:
            if len(str(peer["psk"]).split()) != 1:
                raise RenderError("tunnel %s: an IOS pre-shared key cannot contain white space" % peer["name"])
            psk = C.make("ikev2_keyring.peer.psk", {"direction": None, "key": str(peer["psk"]), "encrypted": False})
            peers.append(_block("ikev2_keyring.peer", {"name": peer["name"]},
                                ["description " + C.marker_text(peer["name"]), "address " + peer["address"], psk]))
        nodes.append(_block("ikev2_keyring", {"name": keyring["name"]}, peers))
    for profile in ikev2.get("profiles") or []:
        remote = profile["match_identity_remote"]
        local = profile["identity_local"]
        remote_line = "match identity remote address %s 255.255.255.255" % remote
        if _identity(remote) == "fqdn":
            remote_line = "match identity remote fqdn %s" % remote
        lines = [
            "description " + C.marker_text(profile["tunnel"]),
            remote_line,
            "identity local %s %s" % (_identity(local), local),
            "authentication remote %s" % profile["authentication"],
            "authentication local %s" % profile["authentication"],
            "keyring local %s" % profile["keyring"],
        ]
        if profile.get("dpd"):
            dpd = profile["dpd"]
            lines.append("dpd %s %s %s" % (dpd["interval"], dpd["retry_interval"], dpd["mode"]))
        if profile.get("lifetime") and int(profile["lifetime"]) != C.IKEV2_LIFETIME_DEFAULT:
            lines.append("lifetime %d" % int(profile["lifetime"]))
        nodes.append(_block("ikev2_profile", {"name": profile["name"]}, lines))

    # IPsec
    for tset in plan.get("transform_sets") or []:
        nodes.append(_block("transform_set", {"name": tset["name"], "transforms": " ".join(tset["transforms"])},
                            ["mode %s" % tset["mode"]]))
    sa_lifetime = plan.get("ipsec_sa_lifetime")
    if sa_lifetime:
        for kind in ("seconds", "kilobytes"):
            value = sa_lifetime.get(kind, sa_lifetime.get("lifetime_" + kind))
            if value is not None:
                nodes.append(C.make("ipsec_sa_lifetime", {"kind": kind, "value": str(int(value))}))
    for profile in plan.get("ipsec_profiles") or []:
        lines = ["description " + C.marker_text(profile["tunnel"]),
                 "set transform-set " + " ".join(profile["transform_sets"])]
        if profile.get("pfs"):
            lines.append("set pfs " + profile["pfs"])
        lines += _lifetime_lines(profile)
        if profile.get("ikev2_profile"):
            lines.append("set ikev2-profile " + profile["ikev2_profile"])
        nodes.append(_block("ipsec_profile", {"name": profile["name"]}, lines))
    for cmap in plan.get("crypto_maps") or []:
        for entry in cmap["entries"]:
            lines = ["description " + C.marker_text(entry["tunnel"]), "set peer " + entry["peer"],
                     "set transform-set " + " ".join(entry["transform_sets"])]
            if entry.get("pfs"):
                lines.append("set pfs " + entry["pfs"])
            lines += _lifetime_lines(entry)
            if entry.get("ikev2_profile"):
                lines.append("set ikev2-profile " + entry["ikev2_profile"])
            if entry.get("acl"):
                lines.append("match address " + entry["acl"])
            nodes.append(_block("crypto_map_entry", {"name": cmap["name"], "seq": str(entry["sequence"])}, lines))
        binding = _container(containers, container_order, cmap["interface"])
        binding.children.append(_child("interface", "crypto map " + cmap["name"]))

    # tunnel interfaces (GRE over IPsec, VTI)
    for tunnel in sorted(tunnels, key=lambda t: (t.get("tunnel_interface") or {}).get("number") or 0):
        tif = tunnel.get("tunnel_interface")
        if not tif:
            continue
        source = tif["source_address"] if opts["tunnel_source"] == "address" else C.interface_name(tif["source"])
        lines = ["description " + C.marker_text(tunnel["name"]), "ip address %s %s" % (tif["ip"], tif["netmask"])]
        if tif.get("ip_mtu"):
            lines.append("ip mtu %d" % int(tif["ip_mtu"]))
        if tif.get("tcp_adjust_mss"):
            lines.append("ip tcp adjust-mss %d" % int(tif["tcp_adjust_mss"]))
        lines += ["tunnel source %s" % source, "tunnel destination %s" % tif["destination"]]
        lines.append("tunnel mode %s" % ("ipsec ipv4" if tif["mode"] == "ipsec_ipv4" else "gre ip"))
        if tif.get("protection") == "ipsec_profile":
            lines.append("tunnel protection ipsec profile %s" % tif["ipsec_profile"])
        nodes.append(_block("interface", {"name": C.interface_name(tif["name"])}, lines))

    # outside ACL binding
    if outside:
        binding = _container(containers, container_order, outside["interface"])
        binding.children.append(_child("interface", "ip access-group %s %s" % (outside["name"],
                                                                               outside.get("direction", "in"))))
    nodes.extend(containers[name] for name in container_order)

    # routing
    for proto in plan.get("routing_protocols") or []:
        if proto["protocol"] == "eigrp":
            lines = ["network %s %s" % (n["network"], n["wildcard"]) for n in proto["networks"]]
            lines += ["passive-interface %s" % C.interface_name(i) for i in proto.get("passive_interfaces") or []]
            nodes.append(_block("router_eigrp", {"asn": str(proto["as_number"])}, lines))
        elif proto["protocol"] == "ospf":
            # the area is per network in the planner's output (docs/plan.md shows it per process): take either
            lines = ["network %s %s area %s" % (n["network"], n["wildcard"], n.get("area", proto.get("area")))
                     for n in proto["networks"]]
            lines += ["passive-interface %s" % C.interface_name(i) for i in proto.get("passive_interfaces") or []]
            nodes.append(_block("router_ospf", {"pid": str(proto["process_id"])}, lines))
        else:
            raise RenderError("routing protocol %r is not supported on IOS" % proto["protocol"])
    if opts["manage_routes"]:
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
    return _block("ledger", {}, ["remark " + entry for entry in entries])


def has_secrets(nodes):
    def walk(node):
        if node.construct is not None and node.construct.secret and node.values.get(node.construct.secret):
            return True
        return any(walk(child) for child in node.children)

    return any(walk(node) for node in nodes)


def render_text(plan, nodes=None, masked=False, options=None):
    """The reviewable artifact: every intended line, typed, in push order, ``!`` between sections.

    With ``masked=True`` every pre-shared key is replaced by ``********``."""
    if nodes is None:
        nodes = intended_nodes(plan, options)
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
