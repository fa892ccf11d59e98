"""The lockout guard and the outside ACL built around the management connection."""

import copy

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import constructs as C


def ace_lines(acl_block):
    """The typed IOS entry lines the construct table writes for a plan's ACL (the plan itself holds no IOS text)."""
    return [C.acl_entry(ace).typed() for ace in acl_block["entries"]]


BASE = {
    "crypto_profiles": {
        "p": {
            "ike": {"proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
            "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}]},
        }
    },
    "gateways": {
        "R2": {
            "platform": "ios",
            "outside_interface": "Gi1",
            "outside_address": "203.0.113.1/24",
            "protected_networks": ["172.16.1.0/24"],
            "outside_acl": {"enabled": True},
        },
        "R3": {
            "platform": "ios",
            "outside_interface": "Gi1",
            "outside_address": "203.0.113.2/24",
            "protected_networks": ["172.16.2.0/24"],
        },
    },
    "tunnels": [{"name": "t", "profile": "p", "psk": "k", "a": {"gateway": "R2"}, "b": {"gateway": "R3"}}],
}
VIA_OUTSIDE = {"address": "203.0.113.1", "port": 22}


def intent(**outside_acl):
    data = copy.deepcopy(BASE)
    data["gateways"]["R2"]["outside_acl"].update(outside_acl)
    return data


def test_management_elsewhere_is_not_guarded():
    plan = planner.plan_host(intent(), "R2", {"address": "10.255.0.2", "port": 22})
    assert plan["management"] == {"address": "10.255.0.2", "port": 22, "interface": None, "via_outside": False}
    assert ace_lines(plan["outside_acl"]) == [
        "permit udp any eq 500 any eq isakmp",
        "permit udp any any eq non500-isakmp",
        "permit esp any any",
    ]


def test_refusal_then_permit_management():
    with pytest.raises(IntentErrors) as info:
        planner.plan_host(intent(), "R2", VIA_OUTSIDE)
    assert info.value.errors[0].code == "LOCKOUT"
    plan = planner.plan_host(intent(permit_management=True), "R2", VIA_OUTSIDE)
    assert ace_lines(plan["outside_acl"])[3] == "permit tcp any host 203.0.113.1 eq 22"
    assert plan["management"]["via_outside"] is True


def test_permit_management_uses_the_controller_prefix():
    data = intent(permit_management=True)
    data["gateways"]["R2"]["management"] = {"controller": "198.51.100.0/24", "port": 2222}
    plan = planner.plan_host(data, "R2", VIA_OUTSIDE)
    assert ace_lines(plan["outside_acl"])[3] == "permit tcp 198.51.100.0 0.0.0.255 host 203.0.113.1 eq 2222"
    assert plan["management"]["port"] == 2222  # the intent's value wins over the host's own port


def test_extra_entry_can_allow_management_but_an_earlier_deny_cannot_be_bypassed():
    ok = intent(extra_entries=["permit tcp any host 203.0.113.1 eq 22"])
    assert ace_lines(planner.plan_host(ok, "R2", VIA_OUTSIDE)["outside_acl"])[-1] == (
        "permit tcp any host 203.0.113.1 eq 22"
    )
    denied = intent(extra_entries=["deny tcp any any eq 22", "permit ip any any"])
    with pytest.raises(IntentErrors):
        planner.plan_host(denied, "R2", VIA_OUTSIDE)
    narrow = intent(extra_entries=["permit tcp 10.0.0.0 0.255.255.255 host 203.0.113.1 eq 22"])
    with pytest.raises(IntentErrors):
        planner.plan_host(narrow, "R2", VIA_OUTSIDE)  # the controller's address is unknown


def test_allow_lockout_turns_the_refusal_into_a_warning():
    data = intent()
    data["gateways"]["R2"]["management"] = {"allow_lockout": True}
    plan = planner.plan_host(data, "R2", VIA_OUTSIDE)
    assert any(w.startswith("lockout risk accepted (management.allow_lockout)") for w in plan["warnings"])


def test_interface_decides_when_given():
    plan = planner.plan_host(intent(), "R2", {"address": "203.0.113.1", "interface": "Loopback0"})
    assert plan["management"]["via_outside"] is False
    with pytest.raises(IntentErrors):
        planner.plan_host(intent(), "R2", {"address": "10.9.9.9", "interface": "Gi1"})


def test_host_name_address_gives_a_warning():
    plan = planner.plan_host(intent(), "R2", {"address": "r2.example.net"})
    assert any("is a name" in w for w in plan["warnings"])


def test_crypto_acl_with_a_known_controller():
    data = copy.deepcopy(BASE)
    data["gateways"]["R2"]["outside_acl"]["enabled"] = False
    data["gateways"]["R2"]["management"] = {"controller": "172.16.2.10"}
    with pytest.raises(IntentErrors) as info:
        planner.plan_host(data, "R2", {"address": "172.16.1.1"})
    assert "would encrypt the replies of the management connection from 172.16.1.1 to 172.16.2.10/32" in str(info.value)
    data["gateways"]["R2"]["management"] = {"controller": "10.255.255.10"}
    assert planner.plan_host(data, "R2", {"address": "172.16.1.1"})["kind"] == "gateway"


def test_plan_hosts_refuses_every_host_when_one_is_locked_out():
    """One run over R2 and R3: R2's lockout refusal means no plan at all, and names R2 as the refused host."""
    with pytest.raises(IntentErrors) as info:
        planner.plan_hosts(intent(), {"R2": VIA_OUTSIDE, "R3": {"address": "10.255.0.3"}})
    assert [e.code for e in info.value.errors] == ["LOCKOUT"]
    assert info.value.errors[0].path == "gateways.R2.outside_acl"
    assert info.value.refused_hosts == ["R2"]
    # R3 alone is fine: its plan does not depend on R2's management
    assert planner.plan_hosts(intent(), {"R3": {"address": "10.255.0.3"}})["R3"]["host"] == "R3"
