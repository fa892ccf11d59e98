"""Packet forwarding between simulated routers: interfaces, routes, ACLs, crypto maps, tunnels and ping.

Devices are linked when two up interfaces share an IP subnet. Forwarding is hop by hop with a TTL, so a route that
points the wrong way fails like it would on a router. Encryption happens at the egress interface (crypto map) or
tunnel interface (tunnel protection); the receiving router decrypts and forwards the inner packet.
"""

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional, Tuple

from .acl import Ace, AceSyntax, Packet, int_to_ip, ip_to_int
from .device import Device, InterfaceState

if TYPE_CHECKING:  # pragma: no cover
    from .session import Session
    from .world import World

MAX_TTL = 16


@dataclass
class Route:
    network: ipaddress.IPv4Network
    interface: str
    nexthop: Optional[str]
    code: str  # C, L, S, D, O
    distance: int = 0


@dataclass
class Outcome:
    delivered: bool
    device: Optional[Device] = None
    reason: str = ""


# -- interfaces ----------------------------------------------------------------------------------------------------


def is_tunnel(name: str) -> bool:
    return name.startswith("Tunnel")


def tunnel_endpoints(device: Device, state: InterfaceState) -> Tuple[Optional[str], Optional[str]]:
    """(source address, destination address) of a tunnel interface, None where unresolved."""
    node = state.node
    if node is None:
        return None, None
    source = node.value("tunnel-source", "source")
    destination = node.value("tunnel-destination", "destination")
    source_address = None
    if source is not None:
        if str(source)[0].isdigit():
            source_address = str(source)
        else:
            source_state = device.interface(str(source))
            if source_state is not None and source_state.admin_up:
                source_address = source_state.address
    return source_address, (str(destination) if destination else None)


def tunnel_mode(state: InterfaceState) -> str:
    node = state.node
    text = node.first("tunnel-mode").text if node is not None and node.first("tunnel-mode") else "tunnel mode gre ip"
    return text[len("tunnel mode "):]


def line_protocol_up(world: "World", device: Device, state: InterfaceState) -> bool:
    if not state.admin_up:
        return False
    if not is_tunnel(state.name):
        return True
    source, destination = tunnel_endpoints(device, state)
    if source is None or destination is None:
        return False
    if lookup(world, device, ip_to_int(destination), physical_only=True) is None:
        return False
    if tunnel_mode(state) == "ipsec ipv4":
        return world.crypto.tunnel_sa(device, state.name) is not None
    return True


# -- routing -----------------------------------------------------------------------------------------------------


def connected_routes(world: "World", device: Device, physical_only: bool = False) -> List[Route]:
    routes = []
    for state in device.interfaces():
        if state.network is None or (physical_only and is_tunnel(state.name)):
            continue
        if not (state.admin_up if physical_only else line_protocol_up(world, device, state)):
            continue
        routes.append(Route(state.network, state.name, None, "C"))
    return routes


def static_routes(world: "World", device: Device, connected: List[Route]) -> List[Route]:
    routes = []
    for node in device.config.top("ip-route"):
        network = ipaddress.IPv4Network(f"{node.binds['prefix']}/{node.binds['mask']}")
        ifname = node.binds.get("ifname")
        nexthop = node.binds.get("nexthop")
        distance = int(node.binds.get("distance") or 1)
        if ifname:
            if not any(route.interface == ifname for route in connected) and not _interface_usable(
                world, device, str(ifname), connected
            ):
                continue
            routes.append(Route(network, str(ifname), str(nexthop) if nexthop else None, "S", distance))
            continue
        via = _longest(connected, ip_to_int(str(nexthop)))
        if via is None:
            continue
        routes.append(Route(network, via.interface, str(nexthop), "S", distance))
    return routes


def _interface_usable(world, device, ifname, connected) -> bool:
    state = device.interface(ifname)
    return state is not None and state.admin_up and any(r.interface == ifname for r in connected)


def dynamic_routes(world: "World", device: Device, connected: List[Route]) -> List[Route]:
    """EIGRP/OSPF, one hop deep: a neighbour on a shared link advertises its connected networks that its
    `network` statements cover, when both routers run the same protocol (and AS) on that link."""
    routes = []
    for protocol, code, distance in (("router-eigrp", "D", 90), ("router-ospf", "O", 110)):
        for process in device.config.top(protocol):
            for route in connected:
                if not _covered(process, route.network):
                    continue
                for neighbour, neighbour_iface in _neighbours(world, device, route):
                    for other in neighbour.config.top(protocol):
                        if protocol == "router-eigrp" and other.binds["asn"] != process.binds["asn"]:
                            continue
                        if not _covered(other, neighbour_iface.network):
                            continue
                        for advertised in connected_routes(world, neighbour):
                            if not _covered(other, advertised.network):
                                continue
                            if any(c.network == advertised.network for c in connected):
                                continue
                            routes.append(Route(advertised.network, route.interface, neighbour_iface.address, code,
                                                distance))
    return routes


def _covered(process, network: ipaddress.IPv4Network) -> bool:
    for statement in process.find("network"):
        address = ip_to_int(str(statement.binds["address"]))
        wildcard = statement.binds.get("wildcard")
        if wildcard is None:
            first = address >> 24
            classful = 8 if first < 128 else 16 if first < 192 else 24
            wild = (1 << (32 - classful)) - 1
        else:
            wild = ip_to_int(str(wildcard))
        if (int(network.network_address) & ~wild & 0xFFFFFFFF) == address:
            return True
    return False


def _neighbours(world: "World", device: Device, route: Route):
    for other in world.devices.values():
        if other is device:
            continue
        for state in other.interfaces():
            if state.network == route.network and state.address and line_protocol_up(world, other, state):
                yield other, state


def route_table(world: "World", device: Device, physical_only: bool = False) -> List[Route]:
    connected = connected_routes(world, device, physical_only)
    routes = list(connected)
    routes += static_routes(world, device, connected)
    if not physical_only:
        routes += dynamic_routes(world, device, connected)
    return routes


def _longest(routes: List[Route], address: int) -> Optional[Route]:
    best = None
    for route in routes:
        if int(route.network.network_address) == address & int(route.network.netmask):
            if best is None or route.network.prefixlen > best.network.prefixlen or (
                route.network.prefixlen == best.network.prefixlen and route.distance < best.distance
            ):
                best = route
    return best


def lookup(world: "World", device: Device, address: int, physical_only: bool = False) -> Optional[Route]:
    return _longest(route_table(world, device, physical_only), address)


def show_ip_route(world: "World", device: Device) -> str:
    lines = [
        "Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP",
        "       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area",
        "",
    ]
    default = lookup(world, device, 0)
    if default is not None and default.network.prefixlen == 0:
        lines.append(f"Gateway of last resort is {default.nexthop or '0.0.0.0'} to network 0.0.0.0")
    else:
        lines.append("Gateway of last resort is not set")
    lines.append("")

    def route_order(route):
        return int(route.network.network_address), route.network.prefixlen

    for route in sorted(route_table(world, device), key=route_order):
        prefix = f"{route.network.network_address}/{route.network.prefixlen}"
        if route.code == "C":
            lines.append(f"C        {prefix} is directly connected, {route.interface}")
        elif route.nexthop:
            star = "*" if route.network.prefixlen == 0 else " "
            lines.append(f"{route.code}{star}       {prefix} [{route.distance}/0] via {route.nexthop}")
        else:
            lines.append(f"S        {prefix} is directly connected, {route.interface}")
    return "\n".join(lines) + "\n"


# -- access lists --------------------------------------------------------------------------------------------------


def acl_entries(device: Device, name: str) -> Optional[List[Ace]]:
    """The ACEs of a named or numbered ACL (None if it does not exist; remarks skipped)."""
    platform = device.platform
    syntax = AceSyntax(platform.protocol_names, platform.port_names)
    for node in device.config.top("acl-extended"):
        if node.binds["name"] == name:
            ordered = sorted(node.find("ace"), key=lambda n: int(n.binds.get("seq", 0)))
            return [syntax.parse(n.words) for n in ordered]
    numbered = [n for n in device.config.root.children if n.command_id in ("access-list", "access-list-standard")
                and str(n.binds.get("number")) == name and n.words[2] != "remark"]
    if not numbered:
        return None
    aces = []
    for node in numbered:
        if node.command_id == "access-list":
            aces.append(syntax.parse(node.words[2:]))
        else:
            aces.append(syntax.parse_standard(node.words[2:]))
    return aces


def acl_permits(device: Device, name: Optional[str], packet: Packet) -> bool:
    if name is None:
        return True
    entries = acl_entries(device, str(name))
    if entries is None:
        return True  # IOS lets everything through an access-group whose list does not exist
    for ace in entries:
        if ace.matches(packet):
            return ace.action == "permit"
    return False


def show_access_lists(world: "World", device: Device, name=None) -> str:
    lines = []
    for node in device.config.top("acl-extended"):
        if name and node.binds["name"] != name:
            continue
        lines.append(f"Extended IP access list {node.binds['name']}")
        for ace in sorted(node.find("ace"), key=lambda n: int(n.binds.get("seq", 0))):
            lines.append(f"    {ace.binds['seq']} {ace.text}")
    numbers = []
    for node in device.config.root.children:
        if node.command_id in ("access-list", "access-list-standard"):
            number = str(node.binds["number"])
            if number not in numbers and (not name or name == number):
                numbers.append(number)
    for number in numbers:
        kind = "Standard" if int(number) < 100 else "Extended"
        lines.append(f"{kind} IP access list {number}")
        seq = 10
        for node in device.config.root.children:
            if node.command_id in ("access-list", "access-list-standard") and str(node.binds["number"]) == number:
                if node.words[2] == "remark":
                    continue
                lines.append(f"    {seq} {' '.join(node.words[2:])}")
                seq += 10
    return "\n".join(lines) + ("\n" if lines else "")


def _access_group(state: InterfaceState, direction: str) -> Optional[str]:
    if state.node is None:
        return None
    for node in state.node.find("access-group"):
        if node.binds["direction"] == direction:
            return str(node.binds["acl"])
    return None


# -- forwarding ----------------------------------------------------------------------------------------------------


def forward(world: "World", device: Device, packet: Packet, ingress: Optional[InterfaceState] = None,
            ttl: int = MAX_TTL, decrypted: bool = False) -> Outcome:
    if ingress is not None:
        if not decrypted and world.crypto.should_have_been_encrypted(device, ingress, packet):
            return Outcome(False, device, f"{device.name}: clear-text packet matches crypto map on {ingress.name}")
        if not acl_permits(device, _access_group(ingress, "in"), packet):
            return Outcome(False, device, f"{device.name}: denied by inbound access-group on {ingress.name}")
        own = device.owns_address(int_to_ip(packet.destination))
        if own is not None and packet.protocol == 50 and packet.inner is not None:
            inner, via = world.crypto.decapsulate(device, own, packet)
            if inner is None:
                return Outcome(False, device, f"{device.name}: no inbound SA for ESP from {int_to_ip(packet.source)}")
            return forward(world, device, inner, via or ingress, ttl, decrypted=True)
        if own is not None and packet.protocol == 47 and packet.inner is not None:
            tunnel = _gre_tunnel(world, device, packet)
            if tunnel is None:
                return Outcome(False, device, f"{device.name}: GRE from an unknown tunnel peer")
            return forward(world, device, packet.inner, tunnel, ttl)
    if device.owns_address(int_to_ip(packet.destination)) is not None:
        return Outcome(True, device)
    if ttl <= 0:
        return Outcome(False, device, "TTL expired")
    route = lookup(world, device, packet.destination)
    if route is None:
        return Outcome(False, device, f"{device.name}: no route to {int_to_ip(packet.destination)}")
    egress = device.interface(route.interface)
    if is_tunnel(egress.name):
        return _through_tunnel(world, device, egress, packet, ttl)
    to_send = packet
    if not packet.from_router:
        protected = world.crypto.encapsulate_map(device, egress, packet)
        if protected == "drop":
            return Outcome(False, device, f"{device.name}: packet dropped by crypto map on {egress.name}")
        if protected is not None:
            to_send = protected
    if not acl_permits(device, _access_group(egress, "out"), to_send):
        return Outcome(False, device, f"{device.name}: denied by outbound access-group on {egress.name}")
    nexthop = route.nexthop or int_to_ip(to_send.destination)
    neighbour = _neighbour_owning(world, device, egress, nexthop, to_send)
    if neighbour is None:
        return Outcome(False, device, f"{device.name}: next hop {nexthop} not reachable on {egress.name}")
    return forward(world, neighbour[0], to_send, neighbour[1], ttl - 1)


def _neighbour_owning(world, device, egress: InterfaceState, nexthop: str, packet: Packet):
    """The router at the far end of ``egress`` that takes the packet for ``nexthop``."""
    if egress.network is None:
        return None
    candidates = []
    for other in world.devices.values():
        if other is device:
            continue
        for state in other.interfaces():
            if state.network == egress.network and state.admin_up and state.address:
                candidates.append((other, state))
    for other, state in candidates:
        if state.address == nexthop:
            return other, state
    if ipaddress.IPv4Address(nexthop) not in egress.network and len(candidates) == 1:
        return candidates[0]  # a point-to-point link routed by interface
    return None


def _through_tunnel(world, device, tunnel: InterfaceState, packet: Packet, ttl: int) -> Outcome:
    if not line_protocol_up(world, device, tunnel):
        return Outcome(False, device, f"{device.name}: {tunnel.name} is down")
    source, destination = tunnel_endpoints(device, tunnel)
    protection = tunnel.node.first("tunnel-protection") if tunnel.node is not None else None
    if protection is not None:
        outer = world.crypto.encapsulate_tunnel(device, tunnel, packet)
        if outer is None:
            return Outcome(False, device, f"{device.name}: no IPsec SA on {tunnel.name}")
    else:
        outer = Packet(ip_to_int(source), ip_to_int(destination), 47, size=packet.size + 24, inner=packet,
                       from_router=True)
    return forward(world, device, outer, None, ttl - 1)


def _gre_tunnel(world, device, packet: Packet) -> Optional[InterfaceState]:
    for state in device.interfaces():
        if not is_tunnel(state.name) or not line_protocol_up(world, device, state):
            continue
        source, destination = tunnel_endpoints(device, state)
        if source == int_to_ip(packet.destination) and destination == int_to_ip(packet.source):
            return state
    return None


def ike_reachable(world: "World", device: Device, local: str, peer: str) -> bool:
    """UDP 500 from ``local`` to ``peer`` and back, through routing and access-groups."""
    probe = Packet(ip_to_int(local), ip_to_int(peer), 17, 500, 500, None, from_router=True)
    there = forward(world, device, probe)
    if not there.delivered or there.device is None:
        return False
    back = forward(world, there.device, probe.reply())
    return back.delivered and back.device is device


# -- ping ----------------------------------------------------------------------------------------------------------


def ping_command(session: "Session", args: str) -> str:
    from .errors import CliError, Incomplete, InvalidAt
    from .grammar import is_ipv4, normalize_ifname, tokenize

    device = session.device
    world = session.world
    tokens = [t.text for t in tokenize(args)]
    position = 1
    if tokens and tokens[0].lower() == "ip":
        tokens, position = tokens[1:], 2
    if not tokens:
        raise Incomplete()
    target = tokens[0]
    if not is_ipv4(target):
        raise CliError("% Unrecognized host or address, or protocol not running.\n")
    repeat, size, source = 5, 100, None
    index = 1
    options = {"repeat": (1, 2147483647), "size": (36, 18024), "timeout": (0, 3600)}
    while index < len(tokens):
        word = tokens[index].lower()
        names = [name for name in ("repeat", "size", "source", "timeout", "df-bit") if name.startswith(word)]
        if len(names) != 1:
            raise InvalidAt(position + index)
        name = names[0]
        if name == "df-bit":
            index += 1
            continue
        if index + 1 >= len(tokens):
            raise Incomplete()
        value = tokens[index + 1]
        if name == "source":
            if is_ipv4(value):
                if device.owns_address(value) is None:
                    raise CliError("% Invalid source address- IP address not on any of our up interfaces")
                source = value
            else:
                ifname = normalize_ifname(value, session.platform.interface_types)
                state = device.interface(ifname) if ifname else None
                if state is None:
                    raise InvalidAt(position + index + 1)
                if not state.address or not line_protocol_up(world, device, state):
                    raise CliError("% Invalid source interface - Interface not up or has no address")
                source = state.address
        else:
            low, high = options[name]
            if not value.isdigit() or not low <= int(value) <= high:
                raise InvalidAt(position + index + 1)
            if name == "repeat":
                repeat = int(value)
            elif name == "size":
                size = int(value)
        index += 2
    lines = ["Type escape sequence to abort.",
             f"Sending {repeat}, {size}-byte ICMP Echos to {target}, timeout is 2 seconds:"]
    if source:
        lines.append(f"Packet sent with a source address of {source} ")
    marks = "".join("!" if ping_once(world, device, target, source, size) else "." for _unused in range(repeat))
    lines.extend(marks[i:i + 70] for i in range(0, len(marks), 70))
    successes = marks.count("!")
    percent = successes * 100 // repeat
    summary = f"Success rate is {percent} percent ({successes}/{repeat})"
    if successes:
        summary += ", round-trip min/avg/max = 1/1/4 ms"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def ping_once(world: "World", device: Device, target: str, source: Optional[str], size: int) -> bool:
    """One echo and its reply; counters on the SAs they cross move as a side effect."""
    destination = ip_to_int(target)
    if source is None:
        route = lookup(world, device, destination)
        if device.owns_address(target) is not None:
            source = target
        elif route is None:
            return False
        else:
            state = device.interface(route.interface)
            if not state.address:
                return False
            source = state.address
    echo = Packet(ip_to_int(source), destination, 1, icmp_type="echo", size=size)
    there = forward(world, device, echo)
    world.crypto.note_outcome(there)
    if not there.delivered or there.device is None:
        return False
    back = forward(world, there.device, echo.reply())
    world.crypto.note_outcome(back)
    return back.delivered and back.device is device
