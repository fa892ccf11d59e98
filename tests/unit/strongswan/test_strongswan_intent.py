"""gateways.<name>.strongswan: validation, the plan's strongswan section, NO_INITIATOR and the firewall lockout guard."""

import copy
import os

import pytest
import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))

with open(os.path.join(REPO, "tests", "e2e", "strongswan", "intents", "render.yml")) as _handle:
    RENDER = yaml.safe_load(_handle)["ipsec_vpn_intent"]


def intent(**gateways):
    out = copy.deepcopy(RENDER)
    for name, extra in gateways.items():
        out["gateways"][name].update(extra)
    return out


def errors_of(raw, host="gw1", management=None):
    with pytest.raises(IntentErrors) as info:
        planner.plan_host(raw, host, management)
    return [(err.path, err.code, err.message) for err in info.value.errors]


def test_defaults_reach_the_plan():
    plan = planner.plan_host(intent(), "gw1", {"interface": "lo"})
    assert plan["strongswan"] == {"encap": False, "start_action": "start", "manage_routes": True,
                                  "firewall_restrict": False}
    assert planner.plan_host(intent(), "rtr3")["strongswan"] is None


def test_settings_reach_the_plan():
    raw = intent(gw1={"strongswan": {"encap": True, "start_action": "trap", "manage_routes": False}})
    assert planner.plan_host(raw, "gw1")["strongswan"] == {"encap": True, "start_action": "trap",
                                                           "manage_routes": False, "firewall_restrict": False}


@pytest.mark.parametrize(("value", "path", "message"), [
    ({"encap": "yes"}, "gateways.gw1.strongswan.encap", "expected true or false"),
    ({"start_action": "restart"}, "gateways.gw1.strongswan.start_action", "is not one of start, trap, none"),
    ({"firewall_restrict": 1}, "gateways.gw1.strongswan.firewall_restrict", "expected true or false"),
    ({"encapsulation": True}, "gateways.gw1.strongswan.encapsulation", "unknown field"),
    ("on", "gateways.gw1.strongswan", "expected a mapping"),
])
def test_bad_settings_name_their_path(value, path, message):
    problems = errors_of(intent(gw1={"strongswan": value}))
    assert any(p == path and message in m for p, _c, m in problems), problems


def test_an_ios_gateway_cannot_take_them():
    problems = errors_of(intent(rtr3={"strongswan": {"encap": True}}), host="rtr3")
    assert ("gateways.rtr3.strongswan", "INVALID",
            "only a strongSwan gateway takes these settings (platform is ios)") in problems


def test_two_strongswan_ends_that_both_wait_are_refused():
    raw = intent(gw1={"strongswan": {"start_action": "none"}}, gw2={"strongswan": {"start_action": "none"}})
    problems = errors_of(raw)
    assert [(p, c) for p, c, _m in problems] == [("tunnels[0]", "NO_INITIATOR")]
    assert "neither end initiates: gw1 and gw2 both have strongswan.start_action: none" in problems[0][2]
    # one end that waits is fine, and so is an IOS peer (it initiates on traffic)
    planner.plan_host(intent(gw1={"strongswan": {"start_action": "none"}}), "gw1")
    planner.plan_host(intent(gw2={"strongswan": {"start_action": "none"}}), "gw2")


RESTRICT = {"strongswan": {"firewall_restrict": True}}


def test_firewall_restrict_with_a_management_name_is_a_lockout():
    problems = errors_of(intent(gw1=RESTRICT), management={"address": "gw1"})
    assert [(p, c) for p, c, _m in problems] == [("gateways.gw1.strongswan.firewall_restrict", "LOCKOUT")]
    assert "management address 'gw1' is not an IP address" in problems[0][2]
    assert "gateways.gw1.management.interface" in problems[0][2]
    # no management data at all: the same
    assert errors_of(intent(gw1=RESTRICT))[0][1] == "LOCKOUT"


def test_firewall_restrict_lockout_can_be_accepted():
    raw = intent(gw1=dict(RESTRICT, management={"allow_lockout": True}))
    plan = planner.plan_host(raw, "gw1", {"address": "gw1"})
    assert any(w.startswith("lockout risk accepted (management.allow_lockout): the firewall restriction")
               for w in plan["warnings"])


@pytest.mark.parametrize("management", [
    {"address": "100.66.0.1"},             # arrives on the outside interface: the table lets the port in
    {"address": "198.18.1.2"},             # an address elsewhere: the session does not use eth1
    {"address": "gw1", "interface": "mgmt0"},
])
def test_firewall_restrict_with_a_known_path_plans(management):
    plan = planner.plan_host(intent(gw1=RESTRICT), "gw1", management)
    assert plan["strongswan"]["firewall_restrict"] is True


def test_without_restriction_a_management_name_is_only_the_usual_warning():
    plan = planner.plan_host(intent(), "gw1", {"address": "gw1"})
    assert plan["strongswan"]["firewall_restrict"] is False
