"""Walk the intent corpus, never a traceback.

A case with ``errors`` must fail with exactly those errors. A case without ``errors`` must plan,
and every host's warnings must be exactly those listed under ``warnings`` for it (none when the
host is not listed): the valid edge cases list ``warnings: {}``.
"""

import glob
import os

import pytest
import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors

CORPUS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bad_intents")
FILES = sorted(glob.glob(os.path.join(CORPUS, "*.yml")))
KEYS = {"description", "intent", "errors", "warnings", "note", "host", "management"}


def load(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def test_corpus_is_big_enough():
    cases = [load(f) for f in FILES]
    assert len([c for c in cases if c.get("errors")]) >= 30
    assert len([c for c in cases if not c.get("errors") and c.get("warnings")]) >= 3
    assert len([c for c in cases if not c.get("errors") and c.get("warnings") == {}]) >= 4


@pytest.mark.parametrize("path", FILES, ids=[os.path.basename(f)[:-4] for f in FILES])
def test_intent_case(path):
    case = load(path)
    assert set(case) <= KEYS
    assert case["description"]
    assert case.get("errors") or isinstance(case.get("warnings"), dict), "a case lists errors or warnings"
    if case.get("errors"):
        assert "warnings" not in case
        check_refused(case)
    else:
        check_planned(case)


def check_refused(case):
    with pytest.raises(IntentErrors) as info:
        if case.get("host"):
            planner.plan_host(case["intent"], case["host"], case.get("management"))
        else:
            planner.plan_all(case["intent"])
    assert [str(err) for err in info.value.errors] == case["errors"]
    if "note" in case:
        assert info.value.note == case["note"]
    for err in info.value.errors:
        # every error names a path inside the intent and carries a category
        assert err.path and err.message and err.code
    if not case.get("host"):
        assert [str(err) for err in planner.check_intent(case["intent"])] == case["errors"]


def check_planned(case):
    plans = planner.plan_all(case["intent"])
    expected = case["warnings"]
    assert set(expected) <= set(plans), "warnings listed for a host the intent does not plan"
    for host, plan in sorted(plans.items()):
        assert plan["warnings"] == expected.get(host, []), host
    assert planner.check_intent(case["intent"]) == []
