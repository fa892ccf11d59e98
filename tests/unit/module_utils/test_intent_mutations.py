"""No traceback for any malformed intent: every leaf of a few valid intents is replaced by values of the wrong
type or shape, and the planner must either plan or raise IntentErrors naming a path."""

import copy
import os

import pytest
import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors

CORPUS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bad_intents")
BASES = [
    "valid_gre_host_selectors",
    "valid_ipv6_inside_ipv4_strongswan",
    "psk_map_unknown_pair",
    "psk_map_unknown_gateway",
    "ospf_area_dotted_out_of_range",
    "port_zero",
]
MUTATIONS = [None, "", "  ", True, 0, -1, 70000, 1.5, "x\ny", "\u00e9", [], {}, ["a"], {"k": "v"}, "0.0.0.0/0", "::"]


def leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaves(item, path + (i,))
    if path:
        yield path


def replaced(intent, path, new):
    out = copy.deepcopy(intent)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return out


@pytest.mark.parametrize("base", BASES)
def test_every_mutation_plans_or_names_a_path(base):
    with open(os.path.join(CORPUS, base + ".yml")) as handle:
        intent = yaml.safe_load(handle)["intent"]
    tried = 0
    for path in list(leaves(intent)):
        for new in MUTATIONS:
            mutated = replaced(intent, path, new)
            tried += 1
            try:
                planner.plan_all(mutated)
            except IntentErrors as err:
                assert err.errors and all(e.path and e.message for e in err.errors), (path, new)
    assert tried > 300
