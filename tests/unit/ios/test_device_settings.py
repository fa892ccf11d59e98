"""What used to be IOS role variables is intent: gateways.<host>.tunnel_source and .manage_routes."""

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import render
from ios_render_helpers import seed_intent


def test_defaults_are_the_reference_configuration():
    plan = planner.plan_host(seed_intent("gre_over_ipsec"), "R2")
    assert plan["manage_routes"] is True
    assert plan["tunnels"][0]["tunnel_interface"]["source_by"] == "address"


def test_the_plan_carries_them_and_the_renderer_follows_the_plan():
    intent = seed_intent("gre_over_ipsec")
    intent["gateways"]["R2"].update(tunnel_source="interface", manage_routes=False)
    plan = planner.plan_host(intent, "R2")
    assert plan["tunnels"][0]["tunnel_interface"]["source_by"] == "interface"
    assert plan["manage_routes"] is False
    lines = [n.typed() or "" for node in render.intended_nodes(plan) for n in [node] + node.children]
    assert "tunnel source Serial0" in lines
    assert not any(line.startswith("ip route") for line in lines)


def test_bad_values_name_their_path():
    intent = seed_intent("gre_over_ipsec")
    intent["gateways"]["R2"]["tunnel_source"] = "loopback"
    intent["gateways"]["R3"]["manage_routes"] = "sometimes"
    with pytest.raises(IntentErrors) as info:
        planner.plan_host(intent, "R2")
    paths = [e.path for e in info.value.errors]
    assert "gateways.R2.tunnel_source" in paths and "gateways.R3.manage_routes" in paths


def test_tunnel_source_is_refused_on_strongswan():
    intent = seed_intent("gre_over_ipsec")
    intent["gateways"]["R3"].update(platform="strongswan", outside_interface="eth0", tunnel_source="interface")
    with pytest.raises(IntentErrors) as info:
        planner.plan_host(intent, "R2")
    assert any(e.path == "gateways.R3.tunnel_source" and "IOS setting" in e.message for e in info.value.errors)
