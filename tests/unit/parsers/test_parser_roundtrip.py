"""parse(generate(n)) == truth for the generator in benchmarks/parsers/generate.py."""

import json

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import parse
from parser_helpers import load_generator

generate = load_generator()


@pytest.mark.parametrize("peers", [1, 7, 60, 400])
@pytest.mark.parametrize("detail", [True, False])
def test_ipsec_round_trip(peers, detail):
    text, truth = generate.generate_ipsec(peers, seed=peers, detail=detail)
    assert parse("show crypto ipsec sa detail" if detail else "show crypto ipsec sa", text) == truth


def test_ipsec_v6_words_truth_covers_ipv6_and_words():
    text, truth = generate.generate_ipsec(20, seed=3, style="xe16v6")
    assert "IPsecv6 policy name" in text and "ipv6 mtu idb" in text
    assert "(addr/prefixlen/prot/port)" in text
    assert any("hours" in line or line.endswith("mins") for line in text.splitlines() if "key lifetime" in line)
    idents = [ident for iface in truth["interfaces"].values() for ident in iface["idents"]]
    assert any(":" in ident["current_peer"] for ident in idents)


def test_ipsec_truth_covers_the_interesting_shapes():
    _text, truth = generate.generate_ipsec(60, seed=3)
    names = list(truth["interfaces"])
    assert any(name.startswith("Virtual-Access") for name in names)
    assert any(name.startswith("Tunnel") for name in names)
    assert any("." in name for name in names)
    idents = [ident for iface in truth["interfaces"].values() for ident in iface["idents"]]
    assert any(ident["flags"] == [] for ident in idents)
    assert any("pqc_key_exchange" in ident for ident in idents)
    assert any(len(ident["inbound_esp_sas"]) == 2 for ident in idents)
    sas = [sa for ident in idents for sa in ident["inbound_esp_sas"]]
    assert any(sa["udp_encaps"] for sa in sas) and any(sa["esn"] for sa in sas)
    assert any(sa["remaining_kb"] is None for sa in sas) and any(sa["remaining_kb"] for sa in sas)


def test_ipsec_round_trip_detects_a_changed_value():
    text, truth = generate.generate_ipsec(5, seed=1)
    first = next(iter(truth["interfaces"].values()))["idents"][0]
    changed = text.replace("#pkts encaps: %d," % first["counters"]["pkts_encaps"], "#pkts encaps: 1234567,", 1)
    assert parse("show crypto ipsec sa", changed) != truth


@pytest.mark.parametrize("peers", [1, 40, 300])
def test_isakmp_round_trip(peers):
    text, truth = generate.generate_isakmp(peers)
    assert parse("show crypto isakmp sa", text) == truth


@pytest.mark.parametrize("peers", [1, 40, 300])
def test_swanctl_round_trip(peers):
    text, truth = generate.generate_swanctl(peers, seed=peers)
    assert parse("swanctl --list-sas", text) == truth


def test_fast_path_equals_line_by_line_reading():
    """The block fast path of the ipsec-sa parser must give exactly what line-by-line reading gives."""
    from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_ipsec_sa import parse_show_crypto_ipsec_sa
    from parser_helpers import fixture_texts, read_fixture

    texts = [read_fixture(folder, name) for folder, name in fixture_texts() if folder == "ios_ipsec_sa"]
    texts += [generate.generate_ipsec(80, seed=5, style=style)[0] for style in ("xe16", "xe17", "xe16v6")]
    texts.append(generate.generate_ipsec(30, seed=6, detail=False)[0])
    for text in texts:
        for cut in (len(text), len(text) // 3, len(text) // 2 + 7):
            sample = text[:cut]
            fast = json.dumps(parse_show_crypto_ipsec_sa(sample))  # key order included
            assert fast == json.dumps(parse_show_crypto_ipsec_sa(sample, fast=False))


@pytest.mark.parametrize("style", ["xe16", "xe17", "xe16v6"])
def test_ipsec_round_trip_both_layouts(style):
    text, truth = generate.generate_ipsec(120, seed=9, style=style)
    assert parse("show crypto ipsec sa detail", text) == truth


def test_fast_path_equals_line_by_line_reading_with_a_character_inserted():
    """One character inserted anywhere in a generated peer: both paths give the same JSON (key order included)."""
    from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_ipsec_sa import parse_show_crypto_ipsec_sa

    for style, peers in (("xe16", 1), ("xe17", 1), ("xe16v6", 3)):
        text = generate.generate_ipsec(peers, seed=4, style=style)[0]
        for at in range(0, len(text), 11):
            for char in (",", " ", "(", "\n"):
                sample = text[:at] + char + text[at:]
                fast = json.dumps(parse_show_crypto_ipsec_sa(sample))
                assert fast == json.dumps(parse_show_crypto_ipsec_sa(sample, fast=False)), (style, at, char)
