"""Every fixture output parses to its reviewed expected result, with no surprise warnings."""

import json
import os

import pytest
import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import parse
from parser_helpers import COMMANDS, fixture_texts, read_fixture
from parser_helpers import FIXTURES as FIXTURE_DIR

FIXTURES = fixture_texts()
# Reviewed parser output next to the text; fixtures of newer layouts have only hand-written
# expectations (independent/, see test_parser_independent.py).
REVIEWED = [(f, n) for f, n in FIXTURES if os.path.exists(os.path.join(FIXTURE_DIR, f, n + ".yml"))]
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


def test_every_fixture_has_expected_values():
    for folder, name in FIXTURES:
        reviewed = os.path.join(FIXTURE_DIR, folder, name + ".yml")
        independent = os.path.join(FIXTURE_DIR, "independent", folder, name + ".yml")
        assert os.path.exists(reviewed) or os.path.exists(independent), f"{folder}/{name}: no expected values"


@pytest.mark.parametrize(("folder", "name"), REVIEWED, ids=[f"{f}/{n}" for f, n in REVIEWED])
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
