"""Tests of ACE parsing, rendering, mirroring, mirror checks, wildcards, selectors and overlap."""

import copy

import netaddr
import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import acl
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import AclError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st


def ace(action="permit", protocol="ip", source="0.0.0.0/0", destination="0.0.0.0/0", sport=None, dport=None):
    return {
        "action": action,
        "protocol": protocol,
        "source": source,
        "source_port": sport,
        "destination": destination,
        "destination_port": dport,
    }


# --------------------------------------------------------------------------- strategies

PROTOCOLS = ["ip", "tcp", "udp", "icmp", "gre", "esp", "ahp", "50", "97", "ospf"]


@st.composite
def ipv4_prefixes(draw):
    length = draw(st.integers(0, 32))
    address = draw(st.integers(0, 2**32 - 1))
    return str(netaddr.IPNetwork(f"{netaddr.IPAddress(address)}/{length}").cidr)


def port_values(protocol):
    names = sorted(acl.PORT_NAMES[protocol])
    return st.one_of(st.integers(0, 65535), st.sampled_from(names))


@st.composite
def port_specs(draw, protocol):
    op = draw(st.sampled_from(acl.PORT_OPS))
    if op in ("eq", "neq"):
        ports = draw(st.lists(port_values(protocol), min_size=1, max_size=4))
    elif op == "lt":
        ports = [draw(st.integers(1, 65535))]
    elif op == "gt":
        ports = [draw(st.integers(0, 65534))]
    else:
        low = draw(st.integers(0, 65535))
        ports = [low, draw(st.integers(low, 65535))]
    return {"op": op, "ports": ports}


@st.composite
def aces(draw):
    protocol = draw(st.sampled_from(PROTOCOLS))
    sport = dport = None
    if protocol in ("tcp", "udp"):
        sport = draw(st.one_of(st.none(), port_specs(protocol)))
        dport = draw(st.one_of(st.none(), port_specs(protocol)))
    return ace(
        action=draw(st.sampled_from(["permit", "deny"])),
        protocol=protocol,
        source=draw(ipv4_prefixes()),
        destination=draw(ipv4_prefixes()),
        sport=sport,
        dport=dport,
    )


@st.composite
def ace_texts(draw):
    body = acl.render_ios_ace(draw(aces()), displayed=draw(st.booleans()))
    prefix = draw(st.sampled_from(["", "10 ", "access-list 100 ", "access-list 150 20 "]))
    return prefix + body


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- wildcards


@pytest.mark.parametrize(
    "prefix, expected",
    [
        ("172.16.1.0/24", "172.16.1.0 0.0.0.255"),
        ("10.0.0.0/8", "10.0.0.0 0.255.255.255"),
        ("10.1.1.1/32", "10.1.1.1 0.0.0.0"),
        ("10.1.1.1", "10.1.1.1 0.0.0.0"),
        ("0.0.0.0/0", "0.0.0.0 255.255.255.255"),
        ("172.16.1.77/24", "172.16.1.0 0.0.0.255"),
        ("198.51.100.128/25", "198.51.100.128 0.0.0.127"),
    ],
)
def test_prefix_to_wildcard(prefix, expected):
    assert acl.prefix_to_wildcard(prefix) == expected


@pytest.mark.parametrize("bad", ["172.16.1.0/33", "banana", "", None, 24, "2001:db8::/32", "10.0.0.0/x"])
def test_prefix_to_wildcard_rejects(bad):
    with pytest.raises(AclError):
        acl.prefix_to_wildcard(bad)


def test_prefix_to_wildcard_ipv6_message():
    with pytest.raises(AclError, match=r"'2001:db8::/32' is IPv6; IOS ACE rendering needs IPv4"):
        acl.prefix_to_wildcard("2001:db8::/32")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("172.16.1.0 0.0.0.255", "172.16.1.0/24"),
        ("10.0.0.0 0.255.255.255", "10.0.0.0/8"),
        ("10.1.1.1 0.0.0.0", "10.1.1.1/32"),
        ("host 10.1.1.1", "10.1.1.1/32"),
        ("any", "0.0.0.0/0"),
        ("0.0.0.0 255.255.255.255", "0.0.0.0/0"),
        ("172.16.1.9 0.0.0.255", "172.16.1.0/24"),
    ],
)
def test_wildcard_to_prefix(text, expected):
    assert acl.wildcard_to_prefix(text) == expected


def test_wildcard_to_prefix_non_contiguous():
    with pytest.raises(AclError) as info:
        acl.wildcard_to_prefix("10.0.0.0 0.0.255.0")
    assert "not contiguous" in str(info.value)
    assert "'0.0.255.0'" in str(info.value)


@pytest.mark.parametrize(
    "bad", ["host", "host 10.1.1", "10.0.0.0", "10.0.0.0 0.0.0.255 extra", "10.0.0.0 255", "any any", 42, ""]
)
def test_wildcard_to_prefix_rejects(bad):
    with pytest.raises(AclError):
        acl.wildcard_to_prefix(bad)


@pytest.mark.parametrize("length", range(33))
def test_wildcard_prefix_round_trip_every_length(length):
    network = netaddr.IPNetwork(f"198.51.100.7/{length}").cidr
    prefix = str(network)
    wildcard = acl.prefix_to_wildcard(prefix)
    assert wildcard.split()[1] == str(network.hostmask)
    assert acl.wildcard_to_prefix(wildcard) == prefix
    assert acl.prefix_to_wildcard(acl.wildcard_to_prefix(wildcard)) == wildcard


@PROPERTY
@given(ipv4_prefixes())
def test_wildcard_prefix_round_trip_property(prefix):
    assert acl.wildcard_to_prefix(acl.prefix_to_wildcard(prefix)) == prefix
    assert acl.wildcard_to_prefix(acl.ios_address(prefix)) == prefix


@PROPERTY
@given(st.integers(1, 2**32 - 2))
def test_every_non_contiguous_wildcard_is_refused(bits):
    assume(bits & (bits + 1))
    with pytest.raises(AclError, match="not contiguous"):
        acl.wildcard_to_prefix(f"10.0.0.0 {netaddr.IPAddress(bits)}")


@pytest.mark.parametrize(
    "prefix, expected",
    [
        ("0.0.0.0/0", "any"),
        ("10.1.1.1/32", "host 10.1.1.1"),
        ("172.16.0.0/12", "172.16.0.0 0.15.255.255"),
    ],
)
def test_ios_address(prefix, expected):
    assert acl.ios_address(prefix) == expected


# --------------------------------------------------------------------------- parse


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255",
            ace(source="172.16.1.0/24", destination="172.16.2.0/24"),
        ),
        (
            "permit udp any eq 500 any eq isakmp",
            ace(protocol="udp", sport={"op": "eq", "ports": [500]}, dport={"op": "eq", "ports": ["isakmp"]}),
        ),
        (
            "permit gre host 198.51.100.1 host 198.51.100.2",
            ace(protocol="gre", source="198.51.100.1/32", destination="198.51.100.2/32"),
        ),
        ("permit esp any any", ace(protocol="esp")),
        ("permit ahp any any", ace(protocol="ahp")),
        ("10 deny ip any any", ace(action="deny")),
        ("access-list 100 permit 50 any any", ace(protocol="50")),
        ("access-list 101 10 permit icmp any host 10.9.9.9", ace(protocol="icmp", destination="10.9.9.9/32")),
        ("  20 permit ip any any (15 matches)", ace()),
        ("permit ip any any (1 match)", ace()),
        (
            "permit tcp 10.0.0.0 0.255.255.255 range 1024 65535 any eq www 443",
            ace(
                protocol="tcp",
                source="10.0.0.0/8",
                sport={"op": "range", "ports": [1024, 65535]},
                dport={"op": "eq", "ports": ["www", 443]},
            ),
        ),
        (
            "deny tcp any neq 22 any lt 1024",
            ace(action="deny", protocol="tcp", sport={"op": "neq", "ports": [22]}, dport={"op": "lt", "ports": [1024]}),
        ),
        ("permit udp any any gt 33434", ace(protocol="udp", dport={"op": "gt", "ports": [33434]})),
        ("PERMIT UDP ANY EQ NON500-ISAKMP ANY", ace(protocol="udp", sport={"op": "eq", "ports": ["non500-isakmp"]})),
        ("permit ip 172.16.1.9 0.0.0.255 any", ace(source="172.16.1.0/24")),
    ],
)
def test_parse_ios_ace(text, expected):
    assert acl.parse_ios_ace(text) == expected


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "no permit/deny entry"),
        ("10", "no permit/deny entry"),
        ("allow ip any any", "expected 'permit' or 'deny', found 'allow'"),
        ("remark crypto traffic", "remark, not an entry"),
        ("access-list 100 remark x", "remark, not an entry"),
        ("access-list", "needs a list number"),
        ("permit", "the protocol is missing"),
        ("permit ipx any any", "protocol 'ipx' is not ip"),
        ("permit 256 any any", "outside 0-255"),
        ("permit ip any", "the destination address is missing"),
        ("permit ip host", "'host' needs an address"),
        ("permit ip 10.0.0.0 any", "needs a wildcard"),
        ("permit ip 10.0.0.0 0.0.255.0 any", "not contiguous"),
        ("permit ip host 10.0.0.300 any", "not an IPv4 address"),
        ("permit ip any any log", "unexpected 'log' after the destination"),
        ("permit tcp any any eq 80 established", "unexpected 'established'"),
        ("permit udp any eq foo any", "found 'foo'"),
        ("permit udp any eq www any", "found 'www'"),
        ("permit tcp any eq isakmp any", "found 'isakmp'"),
        ("permit udp any range 100 any", "'range' expects 2 udp port(s)"),
        ("permit udp any range 200 100 any", "range 200 100 runs backwards"),
        ("permit udp any any eq 70000", "outside 0-65535"),
        ("permit udp any any lt 0", "'lt 0' matches no port"),
        ("permit ip any eq 5 any", "needs protocol tcp or udp"),
        ("permit esp any any eq 5", "needs protocol tcp or udp"),
    ],
)
def test_parse_ios_ace_errors_quote_text(text, fragment):
    with pytest.raises(AclError) as info:
        acl.parse_ios_ace(text)
    assert fragment in str(info.value)
    if text.strip():
        assert repr(text).strip("'\"") in str(info.value) or text in str(info.value)


def test_parse_rejects_non_string():
    with pytest.raises(AclError, match="must be a string"):
        acl.parse_ios_ace(["permit", "ip"])


def test_parse_eq_takes_at_most_ten_ports():
    text = "permit tcp any any eq " + " ".join(str(p) for p in range(1, 12))
    with pytest.raises(AclError, match="unexpected '11'"):
        acl.parse_ios_ace(text)


# --------------------------------------------------------------------------- render


@pytest.mark.parametrize(
    "entry, typed, displayed",
    [
        (
            ace(protocol="udp", sport={"op": "eq", "ports": [500]}, dport={"op": "eq", "ports": ["isakmp"]}),
            "permit udp any eq 500 any eq isakmp",
            "permit udp any eq isakmp any eq isakmp",
        ),
        (
            ace(protocol="udp", dport={"op": "eq", "ports": [4500]}),
            "permit udp any any eq 4500",
            "permit udp any any eq non500-isakmp",
        ),
        (
            ace(protocol="tcp", dport={"op": "eq", "ports": [80, 22, "www"]}),
            "permit tcp any any eq 80 22 www",
            "permit tcp any any eq www 22",
        ),
        (
            ace(protocol="tcp", dport={"op": "eq", "ports": [514]}),
            "permit tcp any any eq 514",
            "permit tcp any any eq cmd",
        ),
        (
            ace(protocol="udp", dport={"op": "eq", "ports": [514]}),
            "permit udp any any eq 514",
            "permit udp any any eq syslog",
        ),
        (ace(protocol="50"), "permit 50 any any", "permit esp any any"),
        (ace(protocol=51), "permit 51 any any", "permit ahp any any"),
        (ace(protocol="97"), "permit 97 any any", "permit 97 any any"),
        (
            ace(action="deny", source="172.16.1.0/24", destination="10.1.1.1/32"),
            "deny ip 172.16.1.0 0.0.0.255 host 10.1.1.1",
            "deny ip 172.16.1.0 0.0.0.255 host 10.1.1.1",
        ),
        (
            ace(protocol="tcp", source="10.0.0.0/8", sport={"op": "range", "ports": [1000, 2000]}),
            "permit tcp 10.0.0.0 0.255.255.255 range 1000 2000 any",
            "permit tcp 10.0.0.0 0.255.255.255 range 1000 2000 any",
        ),
        (
            ace(protocol="TCP", dport={"op": "eq", "ports": ["WWW"]}),
            "permit tcp any any eq www",
            "permit tcp any any eq www",
        ),
    ],
)
def test_render_ios_ace(entry, typed, displayed):
    assert acl.render_ios_ace(entry) == typed
    assert acl.render_ios_ace(entry, displayed=True) == displayed


def test_render_from_text_and_with_sequence():
    assert acl.render_ios_ace("10 permit udp any any eq 500", displayed=True) == "permit udp any any eq isakmp"
    assert acl.render_ios_acl_entry(ace(protocol="esp"), sequence=20) == "20 permit esp any any"
    assert acl.render_ios_acl_entry(ace(protocol="esp")) == "permit esp any any"


def test_render_ipv6_refused():
    with pytest.raises(AclError, match=r"source '2001:db8::/32' is IPv6; IOS ACE rendering needs IPv4"):
        acl.render_ios_ace(ace(source="2001:db8::/32", destination="2001:db8:1::/48"))


@PROPERTY
@given(ace_texts())
def test_render_parse_round_trip_text(text):
    prefix, _tokens, _suffix = acl._split_prefix(text)
    body = text[len(" ".join(prefix)) :].strip() if prefix else text
    assert acl.render_ios_ace(acl.parse_ios_ace(text)) == body


@PROPERTY
@given(aces())
def test_parse_render_round_trip_dict(entry):
    assert acl.parse_ios_ace(acl.render_ios_ace(entry)) == entry
    assert acl.canonical_ace(acl.parse_ios_ace(acl.render_ios_ace(entry, displayed=True))) == acl.canonical_ace(entry)


# --------------------------------------------------------------------------- canonical


def test_canonical_ace_names_to_numbers():
    entry = ace(
        protocol="UDP",
        source="172.16.1.9/24",
        sport={"op": "eq", "ports": ["isakmp", 500, "4500"]},
        dport={"op": "range", "ports": ["bootps", "bootpc"]},
    )
    assert acl.canonical_ace(entry) == {
        "action": "permit",
        "protocol": "udp",
        "source": "172.16.1.0/24",
        "source_port": {"op": "eq", "ports": [500, 4500]},
        "destination": "0.0.0.0/0",
        "destination_port": {"op": "range", "ports": [67, 68]},
    }


def test_canonical_ace_protocol_numbers_to_names():
    assert acl.canonical_ace(ace(protocol=50))["protocol"] == "esp"
    assert acl.canonical_ace(ace(protocol="47"))["protocol"] == "gre"
    assert acl.canonical_ace(ace(protocol="ah"))["protocol"] == "ahp"
    assert acl.canonical_ace(ace(protocol="097"))["protocol"] == "97"


def test_canonical_ace_accepts_missing_port_keys_and_text():
    entry = {"action": "permit", "protocol": "ip", "source": "10.0.0.0/8", "destination": "0.0.0.0/0"}
    assert acl.canonical_ace(entry)["source_port"] is None
    assert acl.canonical_ace("10 permit udp any eq isakmp any")["source_port"] == {"op": "eq", "ports": [500]}


@pytest.mark.parametrize(
    "entry, field, fragment",
    [
        (ace(action="allow"), "action", "action must be permit or deny"),
        (ace(protocol="ipx"), "protocol", "protocol 'ipx'"),
        (ace(protocol=True), "protocol", "protocol must be"),
        (ace(protocol=300), "protocol", "outside 0-255"),
        (ace(source="10.0.0.0/40"), "source", "source '10.0.0.0/40' is not a CIDR prefix"),
        (ace(destination=""), "destination", "destination must be a CIDR string"),
        (ace(destination="2001:db8::/32"), "destination", "mix IPv4 and IPv6"),
        (ace(dport={"op": "eq", "ports": [80]}), "destination_port", "ports need protocol tcp or udp, not ip"),
        (ace(protocol="tcp", dport={"op": "between", "ports": [80]}), "destination_port", "op must be one of"),
        (ace(protocol="tcp", dport={"op": "eq", "ports": []}), "destination_port", "non-empty list"),
        (ace(protocol="tcp", dport={"op": "eq", "ports": ["isakmp"]}), "destination_port", "not an IOS tcp port"),
        (ace(protocol="udp", sport={"op": "lt", "ports": [1, 2]}), "source_port", "exactly one port"),
        (ace(protocol="udp", sport={"op": "range", "ports": [1]}), "source_port", "exactly two ports"),
        (ace(protocol="udp", sport={"op": "eq", "ports": list(range(11))}), "source_port", "at most 10"),
        (ace(protocol="udp", sport={"op": "gt", "ports": [65535]}), "source_port", "matches no port"),
        (ace(protocol="udp", sport={"op": "eq", "ports": [True]}), "source_port", "port must be"),
        (ace(protocol="udp", sport={"op": "eq", "ports": [80], "x": 1}), "source_port", "unknown keys: x"),
        (ace(protocol="udp", sport=[80]), "source_port", "must be null or a dict"),
    ],
)
def test_canonical_ace_errors_name_field(entry, field, fragment):
    with pytest.raises(AclError) as info:
        acl.canonical_ace(entry)
    assert info.value.field == field
    assert fragment in str(info.value)
    assert field.split("_")[0] in str(info.value)


def test_canonical_ace_structure_errors():
    with pytest.raises(AclError, match="unknown keys: log"):
        acl.canonical_ace(dict(ace(), log=True))
    with pytest.raises(AclError, match="ACE has no source"):
        acl.canonical_ace({"action": "permit", "protocol": "ip", "destination": "0.0.0.0/0"})
    with pytest.raises(AclError, match="must be a dict or IOS text"):
        acl.canonical_ace(42)


def test_canonical_ace_does_not_modify_input():
    entry = ace(protocol="udp", sport={"op": "eq", "ports": ["isakmp"]})
    before = copy.deepcopy(entry)
    acl.canonical_ace(entry)
    assert entry == before


def test_canonical_ace_ipv6():
    entry = ace(source="2001:db8:0:1::5/64", destination="2001:db8:2::/48")
    assert acl.canonical_ace(entry)["source"] == "2001:db8:0:1::/64"


@PROPERTY
@given(aces())
def test_canonical_ace_idempotent(entry):
    once = acl.canonical_ace(entry)
    assert acl.canonical_ace(once) == once
    assert list(once) == list(acl.ACE_KEYS)


# --------------------------------------------------------------------------- mirror


def test_mirror_ace_dict():
    entry = ace(protocol="udp", source="172.16.1.0/24", sport={"op": "eq", "ports": ["isakmp"]}, dport=None)
    assert acl.mirror_ace(entry) == ace(
        protocol="udp", destination="172.16.1.0/24", sport=None, dport={"op": "eq", "ports": ["isakmp"]}
    )


def test_mirror_ace_text_keeps_prefix_and_spelling():
    assert (
        acl.mirror_ace("access-list 100 10 permit udp host 10.1.1.1 eq 500 any eq isakmp")
        == "access-list 100 10 permit udp any eq isakmp host 10.1.1.1 eq 500"
    )
    assert (
        acl.mirror_ace("permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255")
        == "permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255"
    )


def test_mirror_acl_mixed_forms_and_errors():
    entries = ["permit esp host 10.0.0.1 host 10.0.0.2", ace(source="10.1.0.0/16")]
    assert acl.mirror_acl(entries) == ["permit esp host 10.0.0.2 host 10.0.0.1", ace(destination="10.1.0.0/16")]
    with pytest.raises(AclError, match=r"entry \[1\]: cannot parse ACE 'permit ip any'"):
        acl.mirror_acl(["permit ip any any", "permit ip any"])
    with pytest.raises(AclError, match="expected a list"):
        acl.mirror_acl("permit ip any any")


@PROPERTY
@given(aces())
def test_mirror_involution_dict(entry):
    mirrored = acl.mirror_ace(entry)
    assert acl.mirror_ace(mirrored) == entry
    assert mirrored["source"] == entry["destination"]
    assert mirrored["destination_port"] == entry["source_port"]


@PROPERTY
@given(st.lists(ace_texts(), max_size=5))
def test_mirror_involution_text(texts):
    assert acl.mirror_acl(acl.mirror_acl(texts)) == texts


# --------------------------------------------------------------------------- mirror check

SITE_A = [
    "permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255",
    "permit udp host 10.1.1.1 eq 500 any",
]


def test_mirror_check_passes_for_mirror():
    result = acl.acl_mirror_check(SITE_A, acl.mirror_acl(SITE_A))
    assert result == {"mirrored": True, "missing_in_b": [], "unexpected_in_b": [], "differences": []}


def test_mirror_check_ignores_spelling_order_and_sequence_numbers():
    b = ["20 permit udp any host 10.1.1.1 eq isakmp", "10 permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255"]
    assert acl.acl_mirror_check(SITE_A, b)["mirrored"] is True


def test_mirror_check_reports_near_miss():
    b = ["permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255", "permit udp any host 10.1.1.1 eq 501"]
    result = acl.acl_mirror_check(SITE_A, b)
    assert result["mirrored"] is False
    assert result["missing_in_b"] == ["permit udp any host 10.1.1.1 eq 500"]
    assert result["unexpected_in_b"] == ["permit udp any host 10.1.1.1 eq 501"]
    assert result["differences"] == [
        "a[1] 'permit udp host 10.1.1.1 eq 500 any' has no mirror in b (expected 'permit udp any host 10.1.1.1 "
        "eq 500'; b[1] 'permit udp any host 10.1.1.1 eq 501' differs in destination_port)",
        "b[1] 'permit udp any host 10.1.1.1 eq 501' mirrors no entry of a",
    ]


def test_mirror_check_not_mirrored_when_identical():
    result = acl.acl_mirror_check(SITE_A, SITE_A)
    assert result["mirrored"] is False
    assert len(result["missing_in_b"]) == 2
    assert "a[0] 'permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255' has no mirror in b" in result["differences"][0]


def test_mirror_check_counts_duplicates():
    a = ["permit ip any host 10.0.0.1", "permit ip any host 10.0.0.1"]
    result = acl.acl_mirror_check(a, ["permit ip host 10.0.0.1 any"])
    assert result["mirrored"] is False
    assert result["missing_in_b"] == ["permit ip host 10.0.0.1 any"]


def test_mirror_check_deny_order_matters():
    a = ["deny ip host 10.0.0.5 any", "permit ip 10.0.0.0 0.0.0.255 any"]
    b_same = ["deny ip any host 10.0.0.5", "permit ip any 10.0.0.0 0.0.0.255"]
    b_swapped = list(reversed(b_same))
    assert acl.acl_mirror_check(a, b_same)["mirrored"] is True
    result = acl.acl_mirror_check(a, b_swapped)
    assert result["mirrored"] is False
    assert result["missing_in_b"] == [] and result["unexpected_in_b"] == []
    assert "another order" in result["differences"][0]


def test_mirror_check_dicts_and_errors():
    a = [ace(source="10.0.0.0/8")]
    result = acl.acl_mirror_check(a, [ace(destination="10.0.0.0/8")])
    assert result["mirrored"] is True
    result = acl.acl_mirror_check(a, [])
    assert result["missing_in_b"] == [ace(destination="10.0.0.0/8")]
    assert result["differences"] == [
        "a[0] 'permit ip 10.0.0.0 0.255.255.255 any' has no mirror in b (expected 'permit ip any 10.0.0.0 0.255.255.255')"
    ]
    with pytest.raises(AclError, match=r"b\[0\]: cannot parse ACE 'permit ip any'"):
        acl.acl_mirror_check(a, ["permit ip any"])
    with pytest.raises(AclError, match="a must be a list"):
        acl.acl_mirror_check("permit ip any any", [])


def _mutations(entry):
    """Alternative entries that differ from ``entry`` in one field."""
    out = [dict(entry, action="deny" if entry["action"] == "permit" else "permit")]
    source = netaddr.IPNetwork(entry["source"])
    other = source.prefixlen - 1 if source.prefixlen else 1
    out.append(dict(entry, source=str(netaddr.IPNetwork(f"{source.network}/{other}").cidr)))
    out.append(dict(entry, destination="203.0.113.0/24" if entry["destination"] != "203.0.113.0/24" else "0.0.0.0/0"))
    if entry["protocol"] in ("tcp", "udp"):
        spec = entry["destination_port"]
        if spec is None:
            out.append(dict(entry, destination_port={"op": "eq", "ports": [1]}))
        else:
            out.append(dict(entry, destination_port=None))
    else:
        out.append(dict(entry, protocol="tcp" if acl.canonical_protocol(entry["protocol"]) != "tcp" else "udp"))
    return out


@PROPERTY
@given(st.lists(aces(), min_size=1, max_size=5), st.data())
def test_mirror_check_detects_any_single_mutation(entries, data):
    as_text = data.draw(st.booleans())
    a = [acl.render_ios_ace(e) for e in entries] if as_text else entries
    b = acl.mirror_acl(a)
    assert acl.acl_mirror_check(a, b)["mirrored"] is True
    kind = data.draw(st.sampled_from(["drop", "add", "change"]))
    index = data.draw(st.integers(0, len(b) - 1))
    mutated = list(b)
    if kind == "drop":
        del mutated[index]
    elif kind == "add":
        mutated.insert(index, data.draw(aces()))
    else:
        base = acl.parse_ios_ace(b[index]) if as_text else b[index]
        replacement = data.draw(st.sampled_from(_mutations(base)))
        assume(acl.canonical_ace(replacement) != acl.canonical_ace(base))
        mutated[index] = acl.render_ios_ace(replacement) if as_text else replacement
    result = acl.acl_mirror_check(a, mutated)
    assert result["mirrored"] is False
    assert result["differences"]


# --------------------------------------------------------------------------- traffic selectors


@pytest.mark.parametrize(
    "entry, side, expected",
    [
        (ace(source="172.16.1.0/24"), "source", "172.16.1.0/24"),
        (ace(source="172.16.1.0/24"), "destination", "0.0.0.0/0"),
        (
            ace(protocol="tcp", destination="10.0.0.0/8", dport={"op": "eq", "ports": [443]}),
            "destination",
            "10.0.0.0/8[tcp/443]",
        ),
        (
            ace(protocol="tcp", destination="10.0.0.0/8", dport={"op": "eq", "ports": ["www"]}),
            "destination",
            "10.0.0.0/8[tcp/80]",
        ),
        (ace(protocol="tcp", destination="10.0.0.0/8", dport={"op": "eq", "ports": [443]}), "source", "0.0.0.0/0[tcp]"),
        (ace(protocol="gre", source="198.51.100.1/32"), "source", "198.51.100.1/32[gre]"),
        (ace(protocol="50"), "source", "0.0.0.0/0[esp]"),
        (ace(protocol="ahp"), "source", "0.0.0.0/0[ah]"),
        (ace(protocol="97"), "source", "0.0.0.0/0[97]"),
        (ace(protocol="ospf"), "source", "0.0.0.0/0[89]"),
        (ace(protocol="udp", sport={"op": "range", "ports": [1000, 2000]}), "source", "0.0.0.0/0[udp/1000-2000]"),
        (ace(protocol="udp", sport={"op": "range", "ports": [500, 500]}), "source", "0.0.0.0/0[udp/500]"),
        (ace(protocol="udp", sport={"op": "lt", "ports": [1024]}), "source", "0.0.0.0/0[udp/0-1023]"),
        (ace(protocol="udp", sport={"op": "gt", "ports": [1023]}), "source", "0.0.0.0/0[udp/1024-65535]"),
        (ace(protocol="udp", sport={"op": "eq", "ports": ["isakmp"]}), "source", "0.0.0.0/0[udp/500]"),
        (ace(source="2001:db8::/32", destination="2001:db8:1::/48"), "destination", "2001:db8:1::/48"),
    ],
)
def test_traffic_selector(entry, side, expected):
    assert acl.traffic_selector(entry, side) == expected


def test_traffic_selector_refusals_name_strongswan():
    with pytest.raises(AclError, match="destination_port neq 22 cannot be expressed for strongswan"):
        acl.traffic_selector(ace(protocol="tcp", dport={"op": "neq", "ports": [22]}), "destination")
    with pytest.raises(AclError, match="cannot be expressed for strongswan: a traffic selector holds one port"):
        acl.traffic_selector(ace(protocol="tcp", dport={"op": "eq", "ports": [80, 443]}), "destination")
    with pytest.raises(AclError, match="side must be"):
        acl.traffic_selector(ace(), "local")


def test_traffic_selector_accepts_text():
    assert acl.traffic_selector("permit udp any eq isakmp host 10.1.1.1", "destination") == "10.1.1.1/32[udp]"


# --------------------------------------------------------------------------- overlap


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (ace(source="10.0.0.0/8"), ace(source="10.1.0.0/16"), True),
        (ace(source="10.0.0.0/8"), ace(source="172.16.0.0/12"), False),
        (ace(destination="10.0.0.0/8"), ace(destination="11.0.0.0/8"), False),
        (ace(protocol="tcp"), ace(protocol="udp"), False),
        (ace(protocol="ip"), ace(protocol="gre"), True),
        (ace(protocol="esp"), ace(protocol="50"), True),
        (
            ace(protocol="tcp", dport={"op": "eq", "ports": [80]}),
            ace(protocol="tcp", dport={"op": "eq", "ports": ["www"]}),
            True,
        ),
        (
            ace(protocol="tcp", dport={"op": "eq", "ports": [80]}),
            ace(protocol="tcp", dport={"op": "eq", "ports": [81]}),
            False,
        ),
        (
            ace(protocol="tcp", dport={"op": "lt", "ports": [80]}),
            ace(protocol="tcp", dport={"op": "gt", "ports": [79]}),
            False,
        ),
        (
            ace(protocol="tcp", dport={"op": "lt", "ports": [81]}),
            ace(protocol="tcp", dport={"op": "gt", "ports": [79]}),
            True,
        ),
        (
            ace(protocol="tcp", dport={"op": "neq", "ports": [80]}),
            ace(protocol="tcp", dport={"op": "eq", "ports": [80]}),
            False,
        ),
        (
            ace(protocol="tcp", dport={"op": "neq", "ports": [80]}),
            ace(protocol="tcp", dport={"op": "range", "ports": [80, 81]}),
            True,
        ),
        (ace(protocol="udp", sport={"op": "eq", "ports": [500]}), ace(protocol="ip"), True),
        (
            ace(protocol="udp", sport={"op": "eq", "ports": [500]}),
            ace(protocol="udp", sport={"op": "eq", "ports": [4500]}),
            False,
        ),
        (ace(source="2001:db8::/32", destination="::/0"), ace(), False),
        ("permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255", "permit ip host 172.16.1.7 any", True),
    ],
)
def test_aces_overlap(a, b, expected):
    assert acl.aces_overlap(a, b) is expected
    first, second = b, a  # the relation must be symmetric
    assert acl.aces_overlap(first, second) is expected


@PROPERTY
@given(aces(), aces())
def test_overlap_symmetric_and_reflexive(a, b):
    assert acl.aces_overlap(a, a)
    first, second = b, a
    assert acl.aces_overlap(a, b) == acl.aces_overlap(first, second)
    assert acl.aces_overlap(a, b) == acl.aces_overlap(acl.mirror_ace(a), acl.mirror_ace(b))


@PROPERTY
@given(st.sampled_from(acl.PORT_OPS), st.integers(0, 65535), st.integers(0, 65535), st.integers(0, 65535))
def test_port_intervals_match_semantics(op, p, q, probe):
    if op == "range":
        p, q = min(p, q), max(p, q)
        spec = {"op": op, "ports": [p, q]}
        expected = p <= probe <= q
    elif op == "lt":
        assume(p > 0)
        spec = {"op": op, "ports": [p]}
        expected = probe < p
    elif op == "gt":
        assume(p < 65535)
        spec = {"op": op, "ports": [p]}
        expected = probe > p
    elif op == "eq":
        spec = {"op": op, "ports": sorted({p, q})}
        expected = probe in (p, q)
    else:
        spec = {"op": op, "ports": sorted({p, q})}
        expected = probe not in (p, q)
    covered = any(low <= probe <= high for low, high in acl.port_intervals(spec))
    assert covered is expected


def test_protocol_and_port_tables_serve_other_modules():
    assert acl.protocol_number("ah") == acl.protocol_number("ahp") == 51
    assert acl.protocol_number("ip") == 0 and acl.protocol_number("TCP") == 6 and acl.protocol_number(97) == 97
    assert acl.protocol_name(51) == "ahp" and acl.protocol_name(97) == "97" and acl.protocol_name(0) == "ip"
    assert acl.port_number("udp", "isakmp") == 500 and acl.port_number("tcp", "443") == 443
    assert acl.TS_PROTOCOL_NUMBERS["ah"] == 51 and acl.TS_PROTOCOL_NUMBERS["ipv6-icmp"] == 58
