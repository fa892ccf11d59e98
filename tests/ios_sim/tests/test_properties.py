"""Properties of the display rules: what running-config shows can be typed back and shows the same again."""

import ipaddress

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ..acl import AceSyntax, Packet
from ..platform import load_platform
from ..world import World
from .seed import SEED_R2, WORLD_FILE, configure
from .test_crypto import GRE_R2, IKEV2_R2

FIXED = {line["text"] for line in load_platform().fixed_lines} | {"login local", "transport input ssh"}


def body_lines(text):
    """running-config lines a user can type: no header, comments, fixed lines, credentials or `end`."""
    lines = text.split("\n")[3:]
    return [line for line in lines if line.strip() and not line.startswith("!") and line.strip() not in FIXED
            and not line.startswith(("username ", "enable secret ")) and line != "end"]


def test_running_config_is_a_fixed_point_of_typing_it_back():
    first = World.from_yaml(WORLD_FILE)
    rich = (SEED_R2 + IKEV2_R2.replace("CMAP", "CMAP2").replace("VPN", "VPN2") + GRE_R2
            + "ip access-list extended EDGE\n remark edge filter\n permit udp any eq 4500 any eq 4500\n"
              " deny ip any any log\ninterface Ethernet0\n ip access-group EDGE in\n shutdown\n"
              "crypto ipsec security-association lifetime seconds 1800\n"
              "router ospf 5\n network 172.16.1.9 0.0.0.255 area 0\n")
    output = configure(first, "R2", rich)
    assert "Invalid" not in output and "Incomplete" not in output, output
    shown = first.run("R2", "show running-config")
    second = World.from_yaml(WORLD_FILE)
    output = configure(second, "R2", "\n".join(body_lines(shown)))
    assert "Invalid" not in output and "Incomplete" not in output, output
    assert body_lines(second.run("R2", "show running-config")) == body_lines(shown)
    assert " network 172.16.1.0 0.0.0.255 area 0" in shown  # the address is masked with the wildcard


SYNTAX = AceSyntax(load_platform().protocol_names, load_platform().port_names)
octets = st.integers(0, 255)
addresses = st.tuples(octets, octets, octets, octets).map(lambda t: ".".join(map(str, t)))
prefix_wildcards = st.integers(0, 32).map(lambda n: str(ipaddress.IPv4Address((1 << (32 - n)) - 1)))
endpoints = st.one_of(
    st.just(["any"]),
    addresses.map(lambda a: ["host", a]),
    st.tuples(addresses, prefix_wildcards).map(list),
)
ports = st.one_of(st.just(500), st.just(4500), st.just(80), st.integers(1, 65535))
port_matches = st.one_of(
    st.just([]),
    st.tuples(st.sampled_from(["eq", "neq", "lt", "gt"]), ports).map(lambda t: [t[0], str(t[1])]),
    st.tuples(ports, ports).map(lambda t: ["range", str(min(t)), str(max(t))]),
)


@st.composite
def aces(draw):
    protocol = draw(st.sampled_from(["ip", "tcp", "udp", "esp", "gre", "icmp", "50", "47"]))
    words = [draw(st.sampled_from(["permit", "deny"])), protocol] + draw(endpoints)
    if protocol in ("tcp", "udp"):
        words += draw(port_matches)
    words += draw(endpoints)
    if protocol in ("tcp", "udp"):
        words += draw(port_matches)
    return words


packets = st.builds(
    Packet,
    source=st.integers(0, 2**32 - 1),
    destination=st.integers(0, 2**32 - 1),
    protocol=st.sampled_from([1, 6, 17, 47, 50]),
    source_port=st.integers(1, 65535),
    destination_port=st.integers(1, 65535),
    icmp_type=st.just(None),
)


@settings(max_examples=300, deadline=None)
@given(aces(), packets)
def test_displayed_ace_means_what_was_typed(words, packet):
    typed = SYNTAX.parse(words)
    shown = SYNTAX.render(typed)
    reparsed = SYNTAX.parse(shown.split())
    assert SYNTAX.render(reparsed) == shown
    assert reparsed.matches(packet) == typed.matches(packet)


def satisfying_port(match):
    """A port the match accepts (None when there is no port condition)."""
    if match is None:
        return None
    if match.operator in ("eq", "range"):
        return match.low
    if match.operator == "neq":
        return match.low % 65535 + 1
    if match.operator == "lt":
        return match.low - 1
    return match.low + 1  # gt


@settings(max_examples=200, deadline=None)
@given(aces())
def test_a_mirrored_entry_matches_the_reply(words):
    ace = SYNTAX.parse(words)
    source = ace.source.address | (ace.source.wildcard & 0x01010101)
    destination = ace.destination.address | (ace.destination.wildcard & 0x02020202)
    packet = Packet(source, destination, ace.protocol or 6, satisfying_port(ace.source_port),
                    satisfying_port(ace.destination_port), None)
    assume(packet.source_port is None or 0 <= packet.source_port <= 65535)
    assume(packet.destination_port is None or 0 <= packet.destination_port <= 65535)
    assert ace.matches(packet)
    assert ace.mirror().matches(packet.reply())
    assert not ace.matches(packet.reply()) or ace.mirror().matches(packet)
