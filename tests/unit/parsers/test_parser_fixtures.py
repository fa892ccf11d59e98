"""Every fixture output parses to its reviewed expected result, with no surprise warnings."""

import json

import pytest
import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import parse
from parser_helpers import COMMANDS, fixture_texts, read_fixture

FIXTURES = fixture_texts()
# Fixtures that are deliberately damaged: they must produce warnings.
DAMAGED = {
    ("ios_ipsec_sa", "noise_and_prompt"),
    ("ios_ipsec_sa", "truncated_mid_counters"),
    ("ios_crypto_session", "unknown_line"),
}


def test_corpus_is_large_enough():
    assert len(FIXTURES) >= 40
    for folder in COMMANDS:
        assert sum(1 for f, _unused in FIXTURES if f == folder) >= 4, folder


def test_every_fixture_has_a_source():
    sources = read_fixture("", "SOURCES", ".md")
    for folder, name in FIXTURES:
        assert f"{folder}/{name}.txt" in sources, f"{folder}/{name}.txt is not described in SOURCES.md"


@pytest.mark.parametrize(("folder", "name"), FIXTURES, ids=[f"{f}/{n}" for f, n in FIXTURES])
def test_fixture_matches_expected(folder, name):
    result = parse(COMMANDS[folder], read_fixture(folder, name))
    expected = yaml.safe_load(read_fixture(folder, name, ".yml"))
    assert result == expected
    # the result must survive the trip to the controller as JSON
    assert json.loads(json.dumps(result)) == result
    if (folder, name) in DAMAGED:
        assert result["warnings"]
    else:
        assert result["warnings"] == []
