"""Walk the bad-intent corpus: every file must fail with exactly its listed errors, never a traceback."""

import glob
import os

import pytest
import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors

CORPUS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bad_intents")
FILES = sorted(glob.glob(os.path.join(CORPUS, "*.yml")))


def test_corpus_is_big_enough():
    assert len(FILES) >= 30


@pytest.mark.parametrize("path", FILES, ids=[os.path.basename(f)[:-4] for f in FILES])
def test_bad_intent(path):
    with open(path) as handle:
        case = yaml.safe_load(handle)
    assert set(case) <= {"description", "intent", "errors", "host", "management"}
    assert case["description"] and case["errors"]
    with pytest.raises(IntentErrors) as info:
        if case.get("host"):
            planner.plan_host(case["intent"], case["host"], case.get("management"))
        else:
            planner.plan_all(case["intent"])
    assert [str(err) for err in info.value.errors] == case["errors"]
    for err in info.value.errors:
        # every error names a path inside the intent and carries a category
        assert err.path and err.message and err.code
    if not case.get("host"):
        assert [str(err) for err in planner.check_intent(case["intent"])] == case["errors"]
