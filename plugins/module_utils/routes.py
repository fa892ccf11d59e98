# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Static routes each gateway and inside router needs, with the reason for each.

Rules (see ``docs/plan.md``):

* a gateway routes each protected network that sits behind an inside router via that router;
* it routes each remote protected network of a policy-based tunnel toward the internet next
  hop (or straight to the peer when the peer is directly connected), so the packets leave
  through the interface that carries the crypto map;
* it routes the remote networks of a GRE/VTI tunnel with static overlay routing into the
  tunnel interface;
* it routes the peer's public network via the internet next hop unless directly connected;
* an inside router routes the remote networks of every tunnel that protects its own networks
  via its gateway.

Pure Python; address math uses netaddr.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import netaddr
except ImportError:  # pragma: no cover - netaddr is a hard requirement of the collection
    netaddr = None


def net_info(net, memo):
    """``(version, first, last, prefixlen, text)`` of a netaddr.IPNetwork, memoised by object.

    The planner reuses the same network objects everywhere (validated once), so a memo keyed
    by ``id()`` for the duration of one planning run saves repeated netaddr property calls.
    """
    info = memo.get(id(net))
    if info is None:
        info = memo[id(net)] = (net.version, net.first, net.last, net.prefixlen, str(net), net)
    return info


def _covered(info, candidates):
    version, first, last = info[0], info[1], info[2]
    return any(c[0] == version and c[1] <= first and last <= c[2] for c in candidates)


def _overlaps(net, candidates):
    first, last, version = net.first, net.last, net.version
    return any(c.version == version and first <= c.last and c.first <= last for c in candidates)


# Dotted netmasks and wildcards by prefix length, computed once with netaddr.
if netaddr is not None:
    NETMASKS = {
        4: [str(netaddr.IPNetwork("0.0.0.0/%d" % n).netmask) for n in range(33)],
        6: [str(netaddr.IPNetwork("::/%d" % n).netmask) for n in range(129)],
    }
    WILDCARDS4 = [str(netaddr.IPNetwork("0.0.0.0/%d" % n).hostmask) for n in range(33)]
else:  # pragma: no cover
    NETMASKS = {4: [], 6: []}
    WILDCARDS4 = []


class RouteTable:
    """Collects routes (identical ones once); ``as_list`` sorts them by prefix, then next hop."""

    def __init__(self, memo=None):
        self._routes = {}
        self._memo = memo if memo is not None else {}

    def add(self, net, reason_code, reason, next_hop=None, interface=None):
        """Add a route to ``net`` (a netaddr.IPNetwork) via ``next_hop`` (str or None) or ``interface``."""
        version, first, _last, prefixlen, prefix, _net = net_info(net, self._memo)
        hop = str(next_hop) if next_hop is not None else None
        key = (version, first, prefixlen, hop or "", interface or "")
        if key in self._routes:
            return
        self._routes[key] = {
            "prefix": prefix,
            "network": prefix.rsplit("/", 1)[0],
            "netmask": NETMASKS[version][prefixlen],
            "next_hop": hop,
            "interface": interface,
            "reason_code": reason_code,
            "reason": reason,
        }

    def as_list(self):
        return [self._routes[key] for key in sorted(self._routes)]


def gateway_routes(model, gateway, ends, memo=None):
    """Routes for one gateway.

    ``ends`` lists ``(tunnel, side, interface_name)`` for the gateway's tunnel ends;
    ``interface_name`` is the tunnel interface for GRE/VTI, else None. ``memo`` is an optional
    dict shared between calls of one planning run (see :func:`net_info`).
    """
    memo = memo if memo is not None else {}
    table = RouteTable(memo)
    outside = net_info(gateway["outside_net"], memo)
    connected = [outside] + [net_info(p["net"], memo) for p in gateway["protected"] if p["next_hop"] is None]
    for p in gateway["protected"]:
        if p["next_hop"] is not None:
            table.add(
                p["net"],
                "inside_protected",
                "protected network %s sits behind the inside router at %s" % (p["net"], p["next_hop"]),
                next_hop=p["next_hop"],
            )
    hop = gateway["internet_next_hop_str"]
    for tunnel, side, interface in ends:
        end = tunnel.ends[side]
        peer = model.gateways[tunnel.other(side).gateway]
        peer_version, peer_int = peer["outside_ip_key"]
        directly = peer_version == outside[0] and outside[1] <= peer_int <= outside[2]
        if tunnel.style == "crypto_map":
            via = hop if hop is not None else peer["outside_ip_str"]
            for net in end.remote_networks:
                if _covered(net_info(net, memo), connected):
                    continue
                if net.version != outside[0]:
                    # IPv6 inside IPv4 (or the reverse): no next hop of the outer family can carry the route
                    table.add(
                        net,
                        "remote_protected",
                        "remote protected network of tunnel '%s' (peer %s): it must leave through %s, where the IPsec "
                        "policy encrypts it into the IPv%d outer tunnel"
                        % (tunnel.name, peer["name"], gateway["outside_interface"], outside[0]),
                        interface=gateway["outside_interface"],
                    )
                    continue
                table.add(
                    net,
                    "remote_protected",
                    "remote protected network of tunnel '%s' (peer %s): it must leave through %s, where the crypto "
                    "map encrypts it" % (tunnel.name, peer["name"], gateway["outside_interface"]),
                    next_hop=via,
                )
        elif tunnel.overlay["routing"]["protocol"] == "static":
            for net in end.remote_networks:
                if _covered(net_info(net, memo), connected):
                    continue
                table.add(
                    net,
                    "overlay_static",
                    "remote protected network of tunnel '%s' (peer %s) is reached through %s"
                    % (tunnel.name, peer["name"], interface),
                    interface=interface,
                )
        if not directly and hop is not None:
            table.add(
                peer["outside_net"],
                "peer_public",
                "public network of peer %s (tunnel '%s') is reached via the internet next hop"
                % (peer["name"], tunnel.name),
                next_hop=hop,
            )
    return table.as_list()


def inside_router_routes(model, router):
    """Routes for one inside router: the remote networks of the tunnels protecting its networks."""
    table = RouteTable()
    own = router["networks"]
    gateway = model.gateways[router["gateway"]]
    for tunnel, side in model.by_gateway.get(gateway["name"], []):
        end = tunnel.ends[side]
        if not _overlaps_any(end.networks, own):
            continue
        for net in end.remote_networks:
            if _overlaps(net, own):
                continue
            table.add(
                net,
                "via_gateway",
                "remote network of tunnel '%s' (%s <-> %s) is reached through gateway %s"
                % (tunnel.name, end.gateway, tunnel.other(side).gateway, gateway["name"]),
                next_hop=router["next_hop"],
            )
    return table.as_list()


def _overlaps_any(nets, others):
    return any(_overlaps(n, others) for n in nets)


def wildcard(net):
    """``netaddr.IPNetwork('172.16.1.0/24')`` -> ``'0.0.0.255'``."""
    if net.version == 4:
        return WILDCARDS4[net.prefixlen]
    return str(net.hostmask)
