# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Access-control entries: IOS text <-> structured form, mirroring, wildcards, selectors.

An ACE is a plain, JSON-friendly dict with six stable keys::

    {"action": "permit", "protocol": "udp",
     "source": "172.16.1.0/24", "source_port": {"op": "eq", "ports": [500]},
     "destination": "0.0.0.0/0", "destination_port": None}

Addresses are CIDR strings (``0.0.0.0/0`` is ``any``, a ``/32`` is ``host``). Ports are
ints or IOS port names (``isakmp``, ``www`` ...); the typed rendering keeps the spelling
it was given, :func:`canonical_ace` turns names into numbers for comparison, and the
displayed rendering uses the names IOS prints in running-config.

Pure Python (no ``ansible`` import); address math uses netaddr.
"""

import re

try:
    import netaddr
except ImportError:  # pragma: no cover - netaddr is a hard requirement of the collection
    netaddr = None

from ansible_collections.ipsec.vpn.plugins.module_utils.errors import AclError

ACE_KEYS = ("action", "protocol", "source", "source_port", "destination", "destination_port")
ACTIONS = ("permit", "deny")
PORT_OPS = ("eq", "neq", "lt", "gt", "range")
MAX_EQ_PORTS = 10
ANY4 = "0.0.0.0/0"

# IP protocol keywords of IOS extended ACLs and their numbers. ``ip`` matches every protocol.
IOS_PROTOCOLS = {
    "icmp": 1,
    "igmp": 2,
    "ipinip": 4,
    "tcp": 6,
    "udp": 17,
    "gre": 47,
    "esp": 50,
    "ahp": 51,
    "eigrp": 88,
    "ospf": 89,
    "nos": 94,
    "pim": 103,
    "pcp": 108,
}
_PROTOCOL_BY_NUMBER = {number: name for name, number in IOS_PROTOCOLS.items()}
_PROTOCOL_ALIASES = {"ah": "ahp"}
PORT_PROTOCOLS = ("tcp", "udp")

# Port names IOS accepts after eq/neq/lt/gt/range, per protocol. Where two names share a
# number, the first one listed is the one IOS prints.
IOS_TCP_PORTS = (
    ("bgp", 179),
    ("chargen", 19),
    ("cmd", 514),
    ("daytime", 13),
    ("discard", 9),
    ("domain", 53),
    ("drip", 3949),
    ("echo", 7),
    ("exec", 512),
    ("finger", 79),
    ("ftp", 21),
    ("ftp-data", 20),
    ("gopher", 70),
    ("hostname", 101),
    ("ident", 113),
    ("irc", 194),
    ("klogin", 543),
    ("kshell", 544),
    ("login", 513),
    ("lpd", 515),
    ("msrpc", 135),
    ("nntp", 119),
    ("onep-plain", 15001),
    ("onep-tls", 15002),
    ("pim-auto-rp", 496),
    ("pop2", 109),
    ("pop3", 110),
    ("smtp", 25),
    ("sunrpc", 111),
    ("syslog", 514),
    ("tacacs", 49),
    ("talk", 517),
    ("telnet", 23),
    ("time", 37),
    ("uucp", 540),
    ("whois", 43),
    ("www", 80),
)
IOS_UDP_PORTS = (
    ("biff", 512),
    ("bootpc", 68),
    ("bootps", 67),
    ("discard", 9),
    ("dnsix", 195),
    ("domain", 53),
    ("echo", 7),
    ("isakmp", 500),
    ("mobile-ip", 434),
    ("nameserver", 42),
    ("netbios-dgm", 138),
    ("netbios-ns", 137),
    ("netbios-ss", 139),
    ("non500-isakmp", 4500),
    ("ntp", 123),
    ("pim-auto-rp", 496),
    ("rip", 520),
    ("snmp", 161),
    ("snmptrap", 162),
    ("sunrpc", 111),
    ("syslog", 514),
    ("tacacs", 49),
    ("talk", 517),
    ("tftp", 69),
    ("time", 37),
    ("who", 513),
    ("xdmcp", 177),
)
PORT_NAMES = {"tcp": dict(IOS_TCP_PORTS), "udp": dict(IOS_UDP_PORTS)}
PORT_DISPLAY = {}
for _proto, _table in (("tcp", IOS_TCP_PORTS), ("udp", IOS_UDP_PORTS)):
    PORT_DISPLAY[_proto] = {}
    for _name, _number in _table:
        PORT_DISPLAY[_proto].setdefault(_number, _name)

# strongSwan traffic-selector protocol names (resolved through /etc/protocols).
_TS_PROTOCOL_NAMES = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "gre": "gre", "esp": "esp", "ahp": "ah"}
# ... and their numbers, for reading traffic selectors back (swanctl also prints ipv6-icmp, which IOS ACLs lack).
TS_PROTOCOL_NUMBERS = dict(
    [(ts, IOS_PROTOCOLS[ios]) for ios, ts in _TS_PROTOCOL_NAMES.items()] + [("ipv6-icmp", 58)]
)

_MATCHES_SUFFIX = re.compile(r"\s*\(\d+ match(?:es)?\)\s*$")
_SEQUENCE = re.compile(r"^\d+$")


def _need_netaddr():
    if netaddr is None:  # pragma: no cover
        raise AclError("the netaddr Python library is required for ACL handling")


def _quote(text):
    return "'" + str(text) + "'"


# ---------------------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------------------


def _network(value, field="address"):
    """netaddr.IPNetwork for a CIDR string (or bare address = host), normalised to its network."""
    _need_netaddr()
    if isinstance(value, bool) or not isinstance(value, str) or not value.strip():
        raise AclError(f"{field} must be a CIDR string such as '172.16.1.0/24', got {value!r}", field=field)
    text = value.strip()
    try:
        net = netaddr.IPNetwork(text)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise AclError(f"{field} {_quote(text)} is not a CIDR prefix", text=text, field=field) from None
    if "/" in text:
        length = text.split("/", 1)[1]
        if not length.isdigit():
            raise AclError(f"{field} {_quote(text)} needs a prefix length after '/'", text=text, field=field)
    return net.cidr


def _ipv4(value, field="address"):
    net = _network(value, field)
    if net.version != 4:
        raise AclError(f"{field} {_quote(value)} is IPv6; IOS ACE rendering needs IPv4", text=value, field=field)
    return net


def normalise_prefix(prefix):
    """``'172.16.1.5/24'`` -> ``'172.16.1.0/24'``; a bare address becomes a host prefix."""
    return str(_network(prefix, "prefix"))


def prefix_to_wildcard(prefix):
    """``'172.16.1.0/24'`` -> ``'172.16.1.0 0.0.0.255'``; ``'10.1.1.1/32'`` -> ``'10.1.1.1 0.0.0.0'``.

    Always the pure ``address wildcard`` pair (no ``host``/``any`` shorthands: see
    :func:`ios_address`). Host bits in the address are cleared, as IOS does.
    """
    net = _ipv4(prefix, "prefix")
    return f"{net.network} {net.hostmask}"


def _wildcard_network(address, wildcard, text):
    _need_netaddr()
    try:
        addr = netaddr.IPAddress(address, version=4)
        mask = netaddr.IPAddress(wildcard, version=4)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise AclError(f"{_quote(text)} is not an IPv4 'address wildcard' pair", text=text) from None
    if "." not in address or "." not in wildcard:
        raise AclError(f"{_quote(text)} is not an IPv4 'address wildcard' pair", text=text)
    bits = int(mask)
    # A contiguous wildcard is 2**n - 1: its set bits are all at the low end.
    if bits & (bits + 1):
        raise AclError(
            f"wildcard {_quote(wildcard)} in {_quote(text)} is not contiguous, so no prefix can express it",
            text=text,
        )
    length = 32 - bits.bit_length()
    return netaddr.IPNetwork(f"{addr}/{length}").cidr


def wildcard_to_prefix(text):
    """``'172.16.1.0 0.0.0.255'`` -> ``'172.16.1.0/24'``; also ``'host A'`` and ``'any'``.

    A non-contiguous wildcard (``0.0.255.0``) raises :class:`AclError` saying so.
    """
    if not isinstance(text, str):
        raise AclError(f"expected 'address wildcard', 'host A' or 'any', got {text!r}", text=text)
    tokens = text.split()
    if tokens == ["any"]:
        return ANY4
    if len(tokens) == 2 and tokens[0] == "host":
        _need_netaddr()
        try:
            addr = netaddr.IPAddress(tokens[1], version=4)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise AclError(f"{_quote(text)}: {_quote(tokens[1])} is not an IPv4 address", text=text) from None
        return f"{addr}/32"
    if len(tokens) != 2:
        raise AclError(f"{_quote(text)} is not 'address wildcard', 'host A' or 'any'", text=text)
    return str(_wildcard_network(tokens[0], tokens[1], text))


def ios_address(prefix):
    """IOS ACE address for a CIDR prefix: ``'any'``, ``'host A'`` or ``'A W'``."""
    net = _ipv4(prefix, "prefix")
    if net.prefixlen == 0:
        return "any"
    if net.prefixlen == 32:
        return f"host {net.network}"
    return f"{net.network} {net.hostmask}"


# ---------------------------------------------------------------------------------------
# Protocols and ports
# ---------------------------------------------------------------------------------------


def canonical_protocol(protocol):
    """``'TCP'``/``6``/``'6'`` -> ``'tcp'``; ``50`` -> ``'esp'``; unnamed numbers -> ``'97'``; ``'ip'`` stays."""
    if isinstance(protocol, bool):
        raise AclError(f"protocol must be a name or 0-255, got {protocol!r}", field="protocol")
    if isinstance(protocol, int):
        number = protocol
    elif isinstance(protocol, str) and protocol.strip():
        text = protocol.strip().lower()
        text = _PROTOCOL_ALIASES.get(text, text)
        if text == "ip" or text in IOS_PROTOCOLS:
            return text
        if not (text.isdigit() and text.isascii()):
            raise AclError(
                f"protocol {_quote(protocol)} is not ip, one of {', '.join(sorted(IOS_PROTOCOLS))} or 0-255",
                text=protocol,
                field="protocol",
            )
        number = int(text)
    else:
        raise AclError(f"protocol must be a name or 0-255, got {protocol!r}", field="protocol")
    if not 0 <= number <= 255:
        raise AclError(f"protocol number {number} is outside 0-255", field="protocol")
    return _PROTOCOL_BY_NUMBER.get(number, str(number))


def protocol_number(protocol):
    """``'tcp'``/``'TCP'``/``6`` -> 6; ``'ah'``/``'ahp'`` -> 51; ``'ip'`` -> 0 (any protocol)."""
    name = canonical_protocol(protocol)
    if name == "ip":
        return 0
    return IOS_PROTOCOLS[name] if name in IOS_PROTOCOLS else int(name)


def protocol_name(number):
    """The IOS name of a protocol number (``51`` -> ``'ahp'``), else the number as text; 0 is ``'ip'``."""
    return "ip" if number == 0 else _PROTOCOL_BY_NUMBER.get(number, str(number))


def port_number(protocol, port):
    """``('udp', 'isakmp')`` -> 500, ``('tcp', '443')`` -> 443; an unknown name raises :class:`AclError`."""
    return _port_number(canonical_protocol(protocol), port, "port")


def _port_number(protocol, port, field):
    if isinstance(port, bool):
        raise AclError(f"{field}: port must be 0-65535 or an IOS port name, got {port!r}", field=field)
    if isinstance(port, int):
        number = port
    elif isinstance(port, str) and port.strip():
        text = port.strip().lower()
        if text.isdigit() and text.isascii():
            number = int(text)
        else:
            names = PORT_NAMES.get(protocol, {})
            if text not in names:
                raise AclError(
                    f"{field}: {_quote(port)} is not an IOS {protocol} port name",
                    text=port,
                    field=field,
                )
            return names[text]
    else:
        raise AclError(f"{field}: port must be 0-65535 or an IOS port name, got {port!r}", field=field)
    if not 0 <= number <= 65535:
        raise AclError(f"{field}: port {number} is outside 0-65535", field=field)
    return number


def _check_port_spec(protocol, spec, field):
    """Validate a port spec; return (op, [numbers])."""
    if not isinstance(spec, dict):
        raise AclError(f"{field} must be null or a dict with 'op' and 'ports', got {spec!r}", field=field)
    extra = sorted(set(spec) - {"op", "ports"})
    if extra:
        raise AclError(f"{field} has unknown keys: {', '.join(extra)}", field=field)
    op = spec.get("op")
    if op not in PORT_OPS:
        raise AclError(f"{field}.op must be one of {', '.join(PORT_OPS)}, got {op!r}", field=field)
    if protocol not in PORT_PROTOCOLS:
        raise AclError(
            f"{field}: ports need protocol tcp or udp, not {protocol}",
            field=field,
        )
    ports = spec.get("ports")
    if isinstance(ports, (int, str)) and not isinstance(ports, bool):
        ports = [ports]
    if not isinstance(ports, (list, tuple)) or not ports:
        raise AclError(f"{field}.ports must be a non-empty list, got {ports!r}", field=field)
    numbers = [_port_number(protocol, p, field) for p in ports]
    if op in ("lt", "gt") and len(numbers) != 1:
        raise AclError(f"{field}: '{op}' takes exactly one port, got {len(numbers)}", field=field)
    if op in ("eq", "neq") and len(numbers) > MAX_EQ_PORTS:
        raise AclError(f"{field}: '{op}' takes at most {MAX_EQ_PORTS} ports, got {len(numbers)}", field=field)
    if op == "range":
        if len(numbers) != 2:
            raise AclError(f"{field}: 'range' takes exactly two ports, got {len(numbers)}", field=field)
        if numbers[0] > numbers[1]:
            raise AclError(f"{field}: range {numbers[0]} {numbers[1]} runs backwards", field=field)
    if op == "lt" and numbers[0] == 0:
        raise AclError(f"{field}: 'lt 0' matches no port", field=field)
    if op == "gt" and numbers[0] == 65535:
        raise AclError(f"{field}: 'gt 65535' matches no port", field=field)
    return op, list(ports), numbers


def port_intervals(spec):
    """Closed intervals of port numbers a (valid, canonical) port spec matches."""
    if spec is None:
        return [(0, 65535)]
    op = spec["op"]
    ports = spec["ports"]
    if op == "eq":
        return [(p, p) for p in sorted(set(ports))]
    if op == "lt":
        return [(0, ports[0] - 1)]
    if op == "gt":
        return [(ports[0] + 1, 65535)]
    if op == "range":
        return [(ports[0], ports[1])]
    # neq: everything except the listed ports
    out = []
    low = 0
    for p in sorted(set(ports)):
        if p > low:
            out.append((low, p - 1))
        low = p + 1
    if low <= 65535:
        out.append((low, 65535))
    return out


# ---------------------------------------------------------------------------------------
# ACE dicts
# ---------------------------------------------------------------------------------------


def _check_keys(ace):
    if not isinstance(ace, dict):
        raise AclError(f"an ACE must be a dict or IOS text, got {ace!r}")
    extra = sorted(k for k in ace if k not in ACE_KEYS)
    if extra:
        raise AclError(f"ACE has unknown keys: {', '.join(str(k) for k in extra)}", field=str(extra[0]))
    for key in ("action", "protocol", "source", "destination"):
        if key not in ace or ace[key] is None:
            raise AclError(f"ACE has no {key}", field=key)


def canonical_ace(ace):
    """Validated, normalised copy of an ACE dict (or IOS ACE text) for comparisons.

    Port names become numbers (``eq`` / ``neq`` lists sorted, duplicates dropped),
    protocol numbers with an IOS name become the name, addresses become their network
    (``172.16.1.5/24`` -> ``172.16.1.0/24``). Idempotent. :class:`AclError` names the bad
    field.
    """
    if isinstance(ace, str):
        ace = parse_ios_ace(ace)
    _check_keys(ace)
    action = ace["action"]
    if not isinstance(action, str) or action.strip().lower() not in ACTIONS:
        raise AclError(f"action must be permit or deny, got {action!r}", field="action")
    protocol = canonical_protocol(ace["protocol"])
    source = _network(ace["source"], "source")
    destination = _network(ace["destination"], "destination")
    if source.version != destination.version:
        raise AclError(
            f"source {_quote(ace['source'])} and destination {_quote(ace['destination'])} mix IPv4 and IPv6",
            field="destination",
        )
    out = {
        "action": action.strip().lower(),
        "protocol": protocol,
        "source": str(source),
        "source_port": None,
        "destination": str(destination),
        "destination_port": None,
    }
    for field in ("source_port", "destination_port"):
        spec = ace.get(field)
        if spec is None:
            continue
        op, _given, numbers = _check_port_spec(protocol, spec, field)
        if op in ("eq", "neq"):
            numbers = sorted(set(numbers))
        out[field] = {"op": op, "ports": numbers}
    return out


def validate_ace(ace):
    """Raise :class:`AclError` if the ACE dict is invalid; return it unchanged otherwise."""
    canonical_ace(ace)
    return ace


# ---------------------------------------------------------------------------------------
# IOS text
# ---------------------------------------------------------------------------------------


def _split_prefix(text):
    """Split IOS ACE text into (prefix tokens, body tokens, trailing suffix).

    The prefix is ``access-list <id>`` and/or a sequence number; the suffix is a
    ``(N matches)`` counter from ``show access-lists``.
    """
    if not isinstance(text, str):
        raise AclError(f"an IOS ACE must be a string, got {text!r}")
    stripped = text.strip()
    suffix = ""
    match = _MATCHES_SUFFIX.search(stripped)
    if match:
        suffix = match.group(0).strip()
        stripped = stripped[: match.start()]
    tokens = stripped.split()
    prefix = []
    if tokens and tokens[0].lower() == "access-list":
        if len(tokens) < 2:
            raise AclError(f"cannot parse ACE {_quote(text)}: 'access-list' needs a list number or name", text=text)
        prefix, tokens = tokens[:2], tokens[2:]
    if tokens and _SEQUENCE.match(tokens[0]):
        prefix, tokens = prefix + tokens[:1], tokens[1:]
    return prefix, tokens, suffix


def _parse_address(tokens, pos, text, side):
    if pos >= len(tokens):
        raise AclError(f"cannot parse ACE {_quote(text)}: the {side} address is missing", text=text)
    word = tokens[pos].lower()
    if word == "any":
        return ANY4, pos + 1
    if word == "host":
        if pos + 1 >= len(tokens):
            raise AclError(f"cannot parse ACE {_quote(text)}: 'host' needs an address ({side})", text=text)
        pair = f"host {tokens[pos + 1]}"
    else:
        if pos + 1 >= len(tokens) or "." not in tokens[pos + 1]:
            found = _quote(tokens[pos + 1]) if pos + 1 < len(tokens) else "the end of the line"
            raise AclError(
                f"cannot parse ACE {_quote(text)}: {side} address {_quote(tokens[pos])} needs a wildcard, "
                f"found {found}",
                text=text,
            )
        pair = f"{tokens[pos]} {tokens[pos + 1]}"
    try:
        prefix = wildcard_to_prefix(pair)
    except AclError as err:
        raise AclError(f"cannot parse ACE {_quote(text)}: {side} {err}", text=text) from None
    return prefix, pos + 2


def _is_port_token(protocol, token):
    text = token.lower()
    return (text.isdigit() and text.isascii()) or text in PORT_NAMES.get(protocol, {})


def _parse_ports(tokens, pos, text, protocol, side):
    if pos >= len(tokens) or tokens[pos].lower() not in PORT_OPS:
        return None, pos
    op = tokens[pos].lower()
    if protocol not in PORT_PROTOCOLS:
        raise AclError(
            f"cannot parse ACE {_quote(text)}: {side} port operator {_quote(op)} needs protocol tcp or udp",
            text=text,
        )
    pos += 1
    want = {"lt": 1, "gt": 1, "range": 2}.get(op)
    ports = []
    while pos < len(tokens) and (want is None or len(ports) < want) and _is_port_token(protocol, tokens[pos]):
        token = tokens[pos].lower()
        ports.append(int(token) if token.isdigit() else token)
        pos += 1
        if want is None and len(ports) == MAX_EQ_PORTS:
            break
    if not ports or (want is not None and len(ports) != want):
        got = _quote(tokens[pos]) if pos < len(tokens) else "the end of the line"
        raise AclError(
            f"cannot parse ACE {_quote(text)}: {side} '{op}' expects "
            f"{want or 'one or more'} {protocol} port(s), found {got}",
            text=text,
        )
    spec = {"op": op, "ports": ports}
    try:
        _check_port_spec(protocol, spec, f"{side}_port")
    except AclError as err:
        raise AclError(f"cannot parse ACE {_quote(text)}: {err}", text=text) from None
    return spec, pos


def parse_ios_ace(text):
    """Parse one IOS extended ACE into the dict form.

    Accepts ``permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255``,
    ``permit udp any eq 500 any eq isakmp``, ``permit gre host 198.51.100.1 host
    198.51.100.2``, ``permit esp any any``, a leading sequence number (``10 permit ...``),
    an ``access-list 100`` prefix and a trailing ``(N matches)`` counter. tcp/udp ports
    with eq/neq/lt/gt/range keep their spelling (ints for numbers, names as given).
    Anything else raises :class:`AclError` quoting the text and saying where.
    """
    _prefix, tokens, _suffix = _split_prefix(text)
    if not tokens:
        raise AclError(f"cannot parse ACE {_quote(text)}: no permit/deny entry in it", text=text)
    action = tokens[0].lower()
    if action == "remark":
        raise AclError(f"cannot parse ACE {_quote(text)}: it is a remark, not an entry", text=text)
    if action not in ACTIONS:
        raise AclError(
            f"cannot parse ACE {_quote(text)}: expected 'permit' or 'deny', found {_quote(tokens[0])}", text=text
        )
    if len(tokens) < 2:
        raise AclError(f"cannot parse ACE {_quote(text)}: the protocol is missing", text=text)
    given_protocol = tokens[1].lower()
    try:
        protocol = canonical_protocol(given_protocol)
    except AclError as err:
        raise AclError(f"cannot parse ACE {_quote(text)}: {err}", text=text) from None
    pos = 2
    source, pos = _parse_address(tokens, pos, text, "source")
    source_port, pos = _parse_ports(tokens, pos, text, protocol, "source")
    destination, pos = _parse_address(tokens, pos, text, "destination")
    destination_port, pos = _parse_ports(tokens, pos, text, protocol, "destination")
    if pos < len(tokens):
        raise AclError(
            f"cannot parse ACE {_quote(text)}: unexpected {_quote(' '.join(tokens[pos:]))} "
            f"after the destination (options such as log or established are not supported)",
            text=text,
        )
    return {
        "action": action,
        "protocol": given_protocol,
        "source": source,
        "source_port": source_port,
        "destination": destination,
        "destination_port": destination_port,
    }


def _render_ports(protocol, spec, displayed):
    if spec is None:
        return []
    ports = _listify(spec["ports"])
    words = [spec["op"]]
    if not displayed:
        return words + [str(port).strip().lower() for port in ports]
    seen = set()
    for port in ports:
        number = _port_number(protocol, port, "port")
        if spec["op"] in ("eq", "neq"):
            if number in seen:
                continue
            seen.add(number)
        words.append(PORT_DISPLAY.get(protocol, {}).get(number, str(number)))
    return words


def _listify(value):
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def render_ios_ace(ace, displayed=False):
    """IOS text for an ACE dict (or ACE text), without sequence number.

    Typed form keeps the given protocol and port spelling (``eq 500`` stays ``eq 500``).
    Displayed form (``displayed=True``) is what running-config shows: protocol numbers
    with an IOS name become the name (``50`` -> ``esp``), port numbers with an IOS name
    become the name (udp ``500`` -> ``isakmp``, tcp ``80`` -> ``www``) and repeated
    ``eq`` ports are dropped. Addresses are ``any``, ``host A`` or ``A W``. IPv6 raises
    :class:`AclError`.
    """
    if isinstance(ace, str):
        ace = parse_ios_ace(ace)
    canon = canonical_ace(ace)
    source = ios_address(str(_ipv4(canon["source"], "source")))
    destination = ios_address(str(_ipv4(canon["destination"], "destination")))
    protocol = canon["protocol"]
    proto_word = protocol if displayed else str(ace["protocol"]).strip().lower()
    words = [canon["action"], proto_word, source]
    words += _render_ports(protocol, ace.get("source_port"), displayed)
    words.append(destination)
    words += _render_ports(protocol, ace.get("destination_port"), displayed)
    return " ".join(words)


def spelling_key(ace):
    """A hashable key of an ACE dict: two ACEs with one key have the same typed IOS text (IPv6 too)."""
    canon = canonical_ace(ace)

    def ports(spec):
        if spec is None:
            return None
        return (spec["op"],) + tuple(str(port).strip().lower() for port in _listify(spec["ports"]))

    return (canon["action"], str(ace["protocol"]).strip().lower(), canon["source"], ports(ace.get("source_port")),
            canon["destination"], ports(ace.get("destination_port")))


def render_ios_acl_entry(ace, sequence=None, displayed=False):
    """``'10 permit ...'`` when a sequence number is given, else the bare ACE text."""
    body = render_ios_ace(ace, displayed=displayed)
    return f"{int(sequence)} {body}" if sequence is not None else body


# ---------------------------------------------------------------------------------------
# Mirroring
# ---------------------------------------------------------------------------------------


def _mirror_dict(ace):
    _check_keys(ace)
    out = dict(ace)
    out["source"], out["destination"] = ace["destination"], ace["source"]
    out["source_port"], out["destination_port"] = ace.get("destination_port"), ace.get("source_port")
    return {key: out.get(key) for key in ACE_KEYS}


def mirror_ace(ace):
    """Swap source and destination (with their ports). Text in, text out; dict in, dict out.

    Text keeps its ``access-list N`` prefix, sequence number and port spelling.
    """
    if isinstance(ace, str):
        prefix, _tokens, _suffix = _split_prefix(ace)
        mirrored = _mirror_dict(parse_ios_ace(ace))
        body = render_ios_ace(mirrored)
        return " ".join(prefix + [body])
    canonical_ace(ace)
    return _mirror_dict(ace)


def mirror_acl(entries):
    """Mirror every entry of a list (dicts or IOS text); each output keeps its input's form."""
    if isinstance(entries, (str, dict)) or not isinstance(entries, (list, tuple)):
        raise AclError(f"expected a list of ACEs (dicts or IOS text), got {type(entries).__name__}")
    out = []
    for index, entry in enumerate(entries):
        try:
            out.append(mirror_ace(entry))
        except AclError as err:
            raise AclError(f"entry [{index}]: {err}", text=getattr(err, "text", None), field=err.field) from None
    return out


def _describe(entry):
    if isinstance(entry, str):
        return _quote(entry.strip())
    try:
        return _quote(render_ios_ace(entry))
    except AclError:
        return repr(entry)


def _canon_list(entries, name):
    if isinstance(entries, (str, dict)) or not isinstance(entries, (list, tuple)):
        raise AclError(f"{name} must be a list of ACEs (dicts or IOS text), got {type(entries).__name__}")
    out = []
    for index, entry in enumerate(entries):
        try:
            out.append(canonical_ace(entry))
        except AclError as err:
            raise AclError(f"{name}[{index}]: {err}", text=err.text, field=err.field) from None
    return out


def _field_differences(x, y):
    return [key for key in ACE_KEYS if x[key] != y[key]]


def acl_mirror_check(a, b):
    """Compare ACL ``b`` with the mirror image of ACL ``a``.

    Returns ``{"mirrored": bool, "missing_in_b": [...], "unexpected_in_b": [...],
    "differences": [...]}``. ``missing_in_b`` holds the mirror of every ``a`` entry that
    ``b`` lacks (in the form of the ``a`` entry); ``unexpected_in_b`` the ``b`` entries
    that mirror no ``a`` entry; ``differences`` one human-readable line per problem,
    naming entries like ``a[1] 'permit ...' has no mirror in b``. Entries are compared in
    canonical form (port names = numbers, sequence numbers ignored). When either list
    has a deny entry, the order of matched entries must agree as well.
    """
    canon_a = _canon_list(a, "a")
    canon_b = _canon_list(b, "b")
    expected = [_mirror_dict(entry) for entry in canon_a]
    matched_b = [None] * len(canon_b)
    match_of_a = [None] * len(canon_a)
    for i, want in enumerate(expected):
        for j, have in enumerate(canon_b):
            if matched_b[j] is None and have == want:
                matched_b[j] = i
                match_of_a[i] = j
                break
    missing = [i for i, j in enumerate(match_of_a) if j is None]
    unexpected = [j for j, i in enumerate(matched_b) if i is None]
    differences = []
    for i in missing:
        detail = ""
        if i in unexpected:
            fields = _field_differences(expected[i], canon_b[i])
            detail = f"; b[{i}] {_describe(b[i])} differs in {', '.join(fields)}"
        differences.append(
            f"a[{i}] {_describe(a[i])} has no mirror in b (expected {_describe(mirror_ace(a[i]))}{detail})"
        )
    for j in unexpected:
        differences.append(f"b[{j}] {_describe(b[j])} mirrors no entry of a")
    order_ok = True
    if not missing and not unexpected and any(e["action"] == "deny" for e in canon_a + canon_b):
        positions = [j for j in match_of_a if j is not None]
        if positions != sorted(positions):
            order_ok = False
            differences.append(
                "b holds the mirror of every entry of a but in another order "
                f"(b positions {positions}); with deny entries the order changes what matches"
            )
    return {
        "mirrored": not missing and not unexpected and order_ok,
        "missing_in_b": [mirror_ace(a[i]) for i in missing],
        "unexpected_in_b": [b[j] for j in unexpected],
        "differences": differences,
    }


# ---------------------------------------------------------------------------------------
# strongSwan traffic selectors
# ---------------------------------------------------------------------------------------


def traffic_selector(ace, side):
    """strongSwan traffic selector for one side (``'source'`` or ``'destination'``) of an ACE.

    ``'172.16.1.0/24'``; ``'10.0.0.0/8[tcp/443]'``; ``'198.51.100.1/32[gre]'``;
    ``'10.0.0.0/8[udp/1000-2000]'`` for ranges (``lt``/``gt`` become ranges).
    ``neq`` and several ``eq`` ports cannot be expressed and raise :class:`AclError`
    naming the target strongswan. Works for IPv4 and IPv6. Protocol names are the ones
    /etc/protocols knows (``ah`` for IOS ``ahp``); protocols without one are numeric.
    Note that charon negotiates port ranges, but its kernel interfaces install only single
    ports (swanctl.conf(5)), so planners should prefer ``eq`` with one port.
    """
    if side not in ("source", "destination"):
        raise AclError(f"side must be 'source' or 'destination', got {side!r}", field="side")
    canon = canonical_ace(ace)
    address = canon[side]
    protocol = canon["protocol"]
    spec = canon[f"{side}_port"]
    if protocol == "ip":
        return address
    proto = _TS_PROTOCOL_NAMES.get(protocol)
    if proto is None:
        proto = str(IOS_PROTOCOLS.get(protocol, protocol))
    if spec is None:
        return f"{address}[{proto}]"
    op, ports = spec["op"], spec["ports"]
    where = f"{side}_port {op} {' '.join(str(p) for p in ports)}"
    if op == "neq":
        raise AclError(f"{where} cannot be expressed for strongswan: a traffic selector has no 'not equal'", field=side)
    if op == "eq":
        if len(ports) != 1:
            raise AclError(
                f"{where} cannot be expressed for strongswan: a traffic selector holds one port or one range",
                field=side,
            )
        port = str(ports[0])
    else:
        ((low, high),) = port_intervals(spec)
        port = str(low) if low == high else f"{low}-{high}"
    return f"{address}[{proto}/{port}]"


# ---------------------------------------------------------------------------------------
# Overlap
# ---------------------------------------------------------------------------------------


def _nets_overlap(x, y):
    if x.version != y.version:
        return False
    return x.first <= y.last and y.first <= x.last


def _intervals_overlap(xs, ys):
    return any(a <= d and c <= b for a, b in xs for c, d in ys)


def aces_overlap(a, b):
    """True when some packet matches both ACEs (protocol, both addresses and both ports)."""
    x = canonical_ace(a)
    y = canonical_ace(b)
    if x["protocol"] != "ip" and y["protocol"] != "ip" and x["protocol"] != y["protocol"]:
        return False
    for side in ("source", "destination"):
        if not _nets_overlap(netaddr.IPNetwork(x[side]), netaddr.IPNetwork(y[side])):
            return False
        if not _intervals_overlap(port_intervals(x[f"{side}_port"]), port_intervals(y[f"{side}_port"])):
            return False
    return True
