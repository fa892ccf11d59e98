"""Truncated, shuffled and garbage input: the parsers never raise and report what they skipped."""

import json

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import PARSERS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parser_helpers import COMMANDS, fixture_texts, read_fixture

CORPUS = {(folder, name): read_fixture(folder, name) for folder, name in fixture_texts()}
KEYS = sorted(CORPUS)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(command, text):
    result = PARSERS[command](text)
    assert isinstance(result["warnings"], list)
    for item in result["warnings"]:
        assert set(item) == {"line_number", "line", "message"}
    json.dumps(result)
    return result


@SETTINGS
@given(key=st.sampled_from(KEYS), cut=st.floats(min_value=0, max_value=1))
def test_truncated_fixtures(key, cut):
    text = CORPUS[key]
    _check(COMMANDS[key[0]], text[: int(len(text) * cut)])


@SETTINGS
@given(key=st.sampled_from(KEYS), data=st.data())
def test_shuffled_and_dropped_lines(key, data):
    lines = CORPUS[key].split("\n")
    kept = data.draw(st.lists(st.sampled_from(lines), max_size=len(lines) + 5)) if lines else []
    _check(COMMANDS[key[0]], "\n".join(kept))


@SETTINGS
@given(command=st.sampled_from(sorted(PARSERS)), text=st.text(max_size=2000))
def test_arbitrary_text(command, text):
    _check(command, text)


@SETTINGS
@given(
    command=st.sampled_from(sorted(PARSERS)),
    key=st.sampled_from(KEYS),
    position=st.floats(min_value=0, max_value=1),
    junk=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
)
def test_fixture_with_junk_spliced_in(command, key, position, junk):
    """Junk inside a real output (any parser on any output) must become warnings, not exceptions."""
    text = CORPUS[key]
    at = int(len(text) * position)
    _check(command, text[:at] + junk + text[at:])


def test_wrong_parser_for_the_output_only_warns():
    text = read_fixture("swanctl_list_sas", "established_net_net")
    result = _check("show crypto ipsec sa", text)
    assert result["interfaces"] == {} or result["warnings"]
    assert len(result["warnings"]) >= 5


def test_unknown_lines_are_counted_line_by_line():
    text = read_fixture("ios_ipsec_sa", "xe17_pqc_sec_timing_subif")
    lines = text.split("\n")
    lines.insert(10, "    #pkts brand new counter: many")
    lines.insert(3, "   this line is new in some release")
    result = _check("show crypto ipsec sa", "\n".join(lines))
    assert [w["line_number"] for w in result["warnings"]] == [4, 12]


@SETTINGS
@given(key=st.sampled_from([k for k in KEYS if k[0] == "ios_ipsec_sa"]), data=st.data())
def test_ipsec_fast_path_matches_line_path_on_damaged_text(key, data):
    from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_ipsec_sa import parse_show_crypto_ipsec_sa

    lines = CORPUS[key].split("\n")
    kept = data.draw(st.lists(st.sampled_from(lines), max_size=len(lines) + 5)) if lines else []
    text = "\n".join(kept)
    assert json.dumps(parse_show_crypto_ipsec_sa(text)) == json.dumps(parse_show_crypto_ipsec_sa(text, fast=False))
