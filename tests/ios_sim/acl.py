"""Access-control entries as the simulated router understands them: normalise for display, match packets, mirror."""

import ipaddress
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

PORT_OPERATORS = ("eq", "neq", "lt", "gt", "range")


def ip_to_int(text: str) -> int:
    return int(ipaddress.IPv4Address(text))


def int_to_ip(value: int) -> str:
    return str(ipaddress.IPv4Address(value & 0xFFFFFFFF))


@dataclass(frozen=True)
class AddressMatch:
    address: int  # already masked with the wildcard
    wildcard: int

    @classmethod
    def make(cls, address: str, wildcard: str) -> "AddressMatch":
        wild = ip_to_int(wildcard)
        return cls(ip_to_int(address) & ~wild & 0xFFFFFFFF, wild)

    def matches(self, address: int) -> bool:
        return (address & ~self.wildcard & 0xFFFFFFFF) == self.address

    def covers(self, other: "AddressMatch") -> bool:
        """True if every address ``other`` matches is matched here."""
        return (other.wildcard | self.wildcard) == self.wildcard and self.matches(other.address)

    def text(self) -> str:
        if self.wildcard == 0xFFFFFFFF:
            return "any"
        if self.wildcard == 0:
            return f"host {int_to_ip(self.address)}"
        return f"{int_to_ip(self.address)} {int_to_ip(self.wildcard)}"

    def ident(self) -> Tuple[str, str]:
        """(address, netmask) as IOS prints it in ``local ident``."""
        return int_to_ip(self.address), int_to_ip(~self.wildcard)


ANY = AddressMatch(0, 0xFFFFFFFF)


@dataclass(frozen=True)
class PortMatch:
    operator: str
    low: int
    high: int = 0

    def matches(self, port: Optional[int]) -> bool:
        if port is None:
            return False
        if self.operator == "eq":
            return port == self.low
        if self.operator == "neq":
            return port != self.low
        if self.operator == "lt":
            return port < self.low
        if self.operator == "gt":
            return port > self.low
        return self.low <= port <= self.high


@dataclass(frozen=True)
class Ace:
    action: str  # permit | deny
    protocol: int  # 0 = any IP protocol
    source: AddressMatch
    destination: AddressMatch
    source_port: Optional[PortMatch] = None
    destination_port: Optional[PortMatch] = None
    icmp_type: Optional[str] = None
    established: bool = False
    log: bool = False

    def matches(self, packet: "Packet") -> bool:
        if self.protocol and self.protocol != packet.protocol:
            return False
        if not (self.source.matches(packet.source) and self.destination.matches(packet.destination)):
            return False
        if self.source_port and not self.source_port.matches(packet.source_port):
            return False
        if self.destination_port and not self.destination_port.matches(packet.destination_port):
            return False
        return not (self.icmp_type and self.icmp_type != packet.icmp_type)

    def mirror(self) -> "Ace":
        return Ace(self.action, self.protocol, self.destination, self.source, self.destination_port,
                   self.source_port, self.icmp_type, self.established, self.log)

    def selector(self) -> tuple:
        """What IPsec negotiates for this entry: addresses, protocol and (single) ports."""
        return (self.source, self.destination, self.protocol, _single_port(self.source_port),
                _single_port(self.destination_port))


def _single_port(port: Optional[PortMatch]) -> int:
    return port.low if port and port.operator == "eq" else 0


@dataclass
class Packet:
    source: int
    destination: int
    protocol: int = 1
    source_port: Optional[int] = None
    destination_port: Optional[int] = None
    icmp_type: Optional[str] = "echo"
    size: int = 100
    inner: Optional["Packet"] = None  # the protected packet inside ESP or GRE
    spi: Optional[int] = None
    from_router: bool = False  # IKE and encapsulated packets never hit a crypto map again

    def reply(self) -> "Packet":
        icmp = "echo-reply" if self.icmp_type == "echo" else self.icmp_type
        return Packet(self.destination, self.source, self.protocol, self.destination_port, self.source_port, icmp,
                      self.size)


class AceSyntax:
    """Parses canonical ACE tokens (already validated by the grammar) and renders IOS's displayed form."""

    def __init__(self, protocol_names: Dict[str, int], port_names: Dict[str, Dict[str, int]]):
        self.protocol_names = protocol_names
        self.protocol_by_number = {number: name for name, number in protocol_names.items() if number}
        self.port_names = port_names
        self.port_by_number = {
            proto: {number: name for name, number in table.items()} for proto, table in port_names.items()
        }

    def parse(self, tokens: List[str]) -> Ace:
        action, proto_text = tokens[0], tokens[1]
        protocol = self.protocol_names.get(proto_text)
        if protocol is None:
            protocol = int(proto_text)
        proto_name = self.protocol_by_number.get(protocol, "")
        pos = 2
        source, pos = self._address(tokens, pos)
        source_port, pos = self._port(tokens, pos, proto_name)
        destination, pos = self._address(tokens, pos)
        destination_port, pos = self._port(tokens, pos, proto_name)
        icmp_type = None
        established = log = False
        for token in tokens[pos:]:
            if token == "log":
                log = True
            elif token == "established":
                established = True
            else:
                icmp_type = token
        return Ace(action, protocol, source, destination, source_port, destination_port, icmp_type, established, log)

    def parse_standard(self, tokens: List[str]) -> Ace:
        action = tokens[0]
        rest = [t for t in tokens[1:] if t != "log"]
        if rest[0] == "any":
            source = ANY
        elif rest[0] == "host":
            source = AddressMatch.make(rest[1], "0.0.0.0")
        else:
            source = AddressMatch.make(rest[0], rest[1] if len(rest) > 1 else "0.0.0.0")
        return Ace(action, 0, source, ANY, log="log" in tokens)

    def _address(self, tokens, pos):
        if tokens[pos] == "any":
            return ANY, pos + 1
        if tokens[pos] == "host":
            return AddressMatch.make(tokens[pos + 1], "0.0.0.0"), pos + 2
        return AddressMatch.make(tokens[pos], tokens[pos + 1]), pos + 2

    def _port(self, tokens, pos, proto_name):
        if pos >= len(tokens) or tokens[pos] not in PORT_OPERATORS:
            return None, pos
        operator = tokens[pos]
        low = self._port_number(tokens[pos + 1], proto_name)
        if operator == "range":
            return PortMatch(operator, low, self._port_number(tokens[pos + 2], proto_name)), pos + 3
        return PortMatch(operator, low), pos + 2

    def _port_number(self, text, proto_name):
        if text.isdigit():
            return int(text)
        table = self.port_names.get(proto_name, {})
        if text in table:
            return table[text]
        for other in self.port_names.values():
            if text in other:
                return other[text]
        raise ValueError(text)

    def port_valid_for(self, text: str, proto_name: str) -> bool:
        return text.isdigit() or text in self.port_names.get(proto_name, {})

    def render(self, ace: Ace) -> str:
        """IOS's displayed form: `host`, `any`, masked addresses, protocol and port names."""
        proto_name = self.protocol_by_number.get(ace.protocol, str(ace.protocol)) if ace.protocol else "ip"
        words = [ace.action, proto_name, ace.source.text()]
        words += self._port_text(ace.source_port, proto_name)
        words.append(ace.destination.text())
        words += self._port_text(ace.destination_port, proto_name)
        if ace.icmp_type:
            words.append(ace.icmp_type)
        if ace.established:
            words.append("established")
        if ace.log:
            words.append("log")
        return " ".join(words)

    def render_standard(self, ace: Ace) -> str:
        source = ace.source.text()
        if ace.source.wildcard == 0:
            source = int_to_ip(ace.source.address)
        return f"{ace.action} {source}" + (" log" if ace.log else "")

    def _port_text(self, port: Optional[PortMatch], proto_name: str) -> List[str]:
        if port is None:
            return []
        names = self.port_by_number.get(proto_name, {})
        words = [port.operator, names.get(port.low, str(port.low))]
        if port.operator == "range":
            words.append(names.get(port.high, str(port.high)))
        return words
