"""Every fixture with hand-written expected values parses to those values (see independent.py)."""

import os

import pytest
import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import parse
from independent import INDEPENDENT, command_for, independent_files, mismatches
from parser_helpers import FIXTURES, read_fixture

FILES = independent_files()


def test_enough_hand_written_expectations():
    assert len(FILES) >= 27
    for folder in ("ios_ipsec_sa", "ios_isakmp_sa", "ios_crypto_session", "ios_ikev2_sa", "swanctl_list_sas"):
        assert sum(1 for f, _n in FILES if f == folder) >= 4, folder


@pytest.mark.parametrize(("folder", "name"), FILES, ids=[f"{f}/{n}" for f, n in FILES])
def test_hand_written_values(folder, name):
    assert os.path.exists(os.path.join(FIXTURES, folder, name + ".txt"))
    with open(os.path.join(INDEPENDENT, folder, name + ".yml"), encoding="utf-8") as handle:
        expected = yaml.safe_load(handle)
    result = parse(command_for(folder, name), read_fixture(folder, name))
    problems = mismatches(expected, result)
    assert not problems, "\n".join(problems)


def test_partial_comparison_can_fail():
    assert mismatches({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3, "c": 4}]}) == ["result.a[1].b: expected 2, got 3"]
    assert mismatches({"a": [1]}, {"a": [1, 2]})
    assert mismatches({"a": 1}, {"a": True})
    assert mismatches({"a": None}, {})
