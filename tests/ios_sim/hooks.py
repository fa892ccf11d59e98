"""Configuration hooks: the semantic checks and normalisations a pattern alone cannot express.

Each hook gets the session and an ApplyContext. It may change ``ctx.text``/``ctx.binds`` and return None (the line is
then stored or, for `no`, removed the generic way), return "done" when it did the work itself, or raise
InvalidAt/CliError like IOS would.
"""

import ipaddress
from typing import TYPE_CHECKING

from .acl import AceSyntax
from .errors import CliError, Incomplete

if TYPE_CHECKING:  # pragma: no cover
    from .session import ApplyContext, Session

DONE = "done"


def run(name: str, session: "Session", ctx: "ApplyContext"):
    hook = globals().get("hook_" + name)
    if hook is None:
        raise ValueError(f"platform data names unknown handler {name!r}")
    return hook(session, ctx)


def _ace_syntax(session: "Session") -> AceSyntax:
    platform = session.platform
    return AceSyntax(platform.protocol_names, platform.port_names)


def _mask_ok(mask: str) -> bool:
    value = int(ipaddress.IPv4Address(mask))
    inverted = ~value & 0xFFFFFFFF
    return (inverted & (inverted + 1)) == 0


# -- interfaces ------------------------------------------------------------------------------------------------


def hook_interface(session: "Session", ctx: "ApplyContext"):
    name = str(ctx.binds["ifname"])
    device = session.device
    kind = name.rstrip("0123456789/.")
    virtual = kind in session.platform.virtual_interface_types
    if ctx.negate:
        if not virtual:
            raise CliError("% Physical interface cannot be removed; use 'default interface' or 'shutdown'")
        device.config.remove(ctx.parent, lambda node: node.command_id == "interface" and node.binds["ifname"] == name)
        return DONE
    if not virtual and name not in device.physical_interfaces:
        ctx.invalid(1)
    ctx.text = f"interface {name}"
    return None


def hook_ip_address(session: "Session", ctx: "ApplyContext"):
    if ctx.negate:
        return None
    address, mask = str(ctx.binds["address"]), str(ctx.binds["mask"])
    mask_value = int(ipaddress.IPv4Address(mask))
    if not _mask_ok(mask):
        raise CliError(f"Bad mask 0x{mask_value:X} for address {address}")
    network = ipaddress.IPv4Network(f"{address}/{mask}", strict=False)
    edges = (network.network_address, network.broadcast_address)
    if network.prefixlen < 31 and ipaddress.IPv4Address(address) in edges:
        raise CliError(f"Bad mask /{network.prefixlen} for address {address}")
    own = ctx.parent.binds.get("ifname")
    for state in session.device.interfaces():
        if state.name == own or state.network is None:
            continue
        if state.network.overlaps(network):
            raise CliError(f"% {network.network_address} overlaps with {state.name}")
    return None


def hook_tunnel_source(session: "Session", ctx: "ApplyContext"):
    from .grammar import is_ipv4, normalize_ifname

    if ctx.negate:
        return None
    source = str(ctx.binds["source"])
    if is_ipv4(source):
        return None
    name = normalize_ifname(source, session.platform.interface_types)
    if name is None or not session.device.interface_exists(name):
        ctx.invalid(2)
    ctx.binds["source"] = name
    ctx.text = f"tunnel source {name}"
    return None


# -- routing ---------------------------------------------------------------------------------------------------


def hook_ip_route(session: "Session", ctx: "ApplyContext"):
    prefix, mask = str(ctx.binds["prefix"]), str(ctx.binds["mask"])
    if not _mask_ok(mask):
        raise CliError("%Invalid destination prefix")
    network = ipaddress.IPv4Network(f"{prefix}/{mask}", strict=False)
    if str(network.network_address) != prefix:
        raise CliError("%Inconsistent address and mask")
    ifname = ctx.binds.get("ifname")
    if ifname is not None and not session.device.interface_exists(str(ifname)):
        ctx.invalid(4)
    # A changed name or distance replaces the route rather than adding another one.
    ctx.binds.setdefault("ifname", None)
    ctx.binds.setdefault("nexthop", None)
    return None


def hook_router_network(session: "Session", ctx: "ApplyContext"):
    address = str(ctx.binds["address"])
    wildcard = ctx.binds.get("wildcard")
    if wildcard is None:
        first = int(address.split(".", maxsplit=1)[0])
        classful = 8 if first < 128 else 16 if first < 192 else 24
        network = ipaddress.IPv4Network(f"{address}/{classful}", strict=False)
        ctx.binds["address"] = str(network.network_address)
        ctx.text = f"network {network.network_address}"
        return None
    wild = int(ipaddress.IPv4Address(str(wildcard)))
    masked = ipaddress.IPv4Address(int(ipaddress.IPv4Address(address)) & ~wild & 0xFFFFFFFF)
    ctx.binds["address"] = str(masked)
    ctx.text = " ".join(["network", str(masked)] + ctx.text.split()[2:])
    return None


# -- access lists ----------------------------------------------------------------------------------------------


def _normalized_ace(session: "Session", ctx: "ApplyContext", words, first_token: int) -> str:
    syntax = _ace_syntax(session)
    proto = words[1]
    if proto in ("tcp", "udp"):
        for index, word in enumerate(words):
            previous = words[index - 1] if index else ""
            if previous in ("eq", "neq", "lt", "gt", "range") or (
                index >= 2 and words[index - 2] == "range"
            ):
                if not word.isdigit() and not syntax.port_valid_for(word, proto):
                    ctx.invalid(first_token + index)
    ace = syntax.parse(words)
    return syntax.render(ace)


def hook_named_ace(session: "Session", ctx: "ApplyContext"):
    words = ctx.text.split()
    seq = None
    first = 0
    if words[0].isdigit():
        seq, words, first = int(words[0]), words[1:], 1
    if ctx.negate and len(words) < 4:
        raise Incomplete()  # `no permit` alone is incomplete in IOS
    shown = _normalized_ace(session, ctx, words, first)
    parent = ctx.parent
    if ctx.negate:
        session.device.config.remove(parent, lambda node: node.command_id == "ace" and node.text == shown)
        return DONE
    existing = [node for node in parent.children if node.command_id in ("ace", "remark")]
    for node in existing:
        if node.command_id == "ace" and node.text == shown:
            return DONE  # IOS ignores a duplicate entry
    if seq is None:
        seq = max([int(node.binds.get("seq", 0)) for node in existing] or [0]) + 10
    elif any(int(node.binds.get("seq", 0)) == seq for node in existing):
        raise CliError("% Duplicate sequence number")
    ctx.binds = {"seq": seq}
    ctx.text = shown
    return None


def hook_named_ace_seq(session: "Session", ctx: "ApplyContext"):
    seq = int(ctx.text.split()[0])
    session.device.config.remove(ctx.parent, lambda node: node.binds.get("seq") == seq)
    return DONE


def hook_numbered_acl(session: "Session", ctx: "ApplyContext"):
    words = ctx.text.split()
    number = words[1]
    if ctx.negate:
        # IOS removes the whole numbered list, whatever entry was named: a classic trap.
        session.device.config.remove(
            ctx.parent, lambda node: node.command_id in ("access-list", "access-list-standard")
            and str(node.binds.get("number")) == number
        )
        return DONE
    if words[2] == "remark":
        return None
    syntax = _ace_syntax(session)
    if ctx.spec.id == "access-list-standard":
        shown = syntax.render_standard(syntax.parse_standard(words[2:]))
    else:
        shown = _normalized_ace(session, ctx, words[2:], 2)
    ctx.text = f"access-list {number} {shown}"
    return None


# -- crypto ----------------------------------------------------------------------------------------------------

_ESP_CIPHERS = {"esp-des", "esp-3des", "esp-aes", "esp-gcm", "esp-gmac", "esp-null", "esp-seal"}
_KEYED = {"esp-aes", "esp-gcm", "esp-gmac"}
_ESP_AUTH = {"esp-md5-hmac", "esp-sha-hmac", "esp-sha256-hmac", "esp-sha384-hmac", "esp-sha512-hmac"}
_AH = {"ah-md5-hmac", "ah-sha-hmac", "ah-sha256-hmac", "ah-sha384-hmac", "ah-sha512-hmac"}


def hook_transform_set(session: "Session", ctx: "ApplyContext"):
    """Accept transforms in the order IOS's parser offers them: one ESP cipher, one ESP HMAC, one AH, compression."""
    if ctx.negate:
        return None
    transforms = [str(t) for t in ctx.binds["transforms"]]
    first_token = 4
    used = set()
    previous = None
    for index, transform in enumerate(transforms):
        if transform in ("128", "192", "256"):
            if previous not in _KEYED:
                ctx.invalid(first_token + index)
            previous = transform
            continue
        family = ("cipher" if transform in _ESP_CIPHERS else "auth" if transform in _ESP_AUTH
                  else "ah" if transform in _AH else "comp")
        if family in used:
            ctx.invalid(first_token + index)
        if family == "auth" and used & {"gcm"}:
            ctx.invalid(first_token + index)
        used.add(family)
        if transform in ("esp-gcm", "esp-gmac"):
            used.add("gcm")
        previous = transform
    if "cipher" not in used and "auth" not in used and "ah" not in used:
        ctx.invalid(first_token)
    return None


def hook_merge_values(session: "Session", ctx: "ApplyContext"):
    """IKEv2 proposal lines accumulate: `encryption a` then `encryption b` gives `encryption a b`."""
    name = "groups" if "groups" in ctx.binds else "algorithms"
    values = [str(v) for v in ctx.binds.get(name) or []]
    existing = ctx.parent.first(ctx.spec.id)
    keyword = ctx.text.split()[0]
    if ctx.negate:
        if existing is None:
            return DONE
        if not values:
            session.device.config.remove(ctx.parent, lambda node: node is existing)
            return DONE
        remaining = [v for v in existing.binds[name] if v not in values]
        if remaining:
            existing.binds = {name: remaining}
            existing.text = " ".join([keyword] + remaining)
        else:
            session.device.config.remove(ctx.parent, lambda node: node is existing)
        return DONE
    if existing is not None:
        merged = list(existing.binds[name]) + [v for v in values if v not in existing.binds[name]]
        existing.binds = {name: merged}
        existing.text = " ".join([keyword] + merged)
        return DONE
    ctx.binds = {name: values}
    return None
