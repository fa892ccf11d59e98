"""Cross-peer checks: one test per kind of mismatch, plus 'every problem at once' and the test-only skip."""

import copy

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import constructs as C


def ace_lines(acl_block):
    """The typed IOS entry lines the construct table writes for a plan's ACL (the plan itself holds no IOS text)."""
    return [C.acl_entry(ace).typed() for ace in acl_block["entries"]]


SECRET_A = "alpha-secret-1"
SECRET_B = "bravo-secret-2"


def base_intent():
    return {
        "crypto_profiles": {
            "p1": {
                "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
                "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}], "pfs_group": 14},
            },
            "p1_other_ike": {
                "ike": {"version": 2, "proposals": [{"encryption": "aes128", "integrity": "sha384", "dh_group": 19}]},
                "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}], "pfs_group": 14},
            },
            "p1_v1": {
                "ike": {"version": 1, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
                "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}], "pfs_group": 14},
            },
            "p1_other_esp": {
                "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
                "ipsec": {"proposals": [{"encryption": "aes256gcm16"}], "pfs_group": 14},
            },
            "p1_other_pfs": {
                "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
                "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}], "pfs_group": 19},
            },
        },
        "gateways": {
            "hq": {
                "platform": "ios",
                "outside_interface": "GigabitEthernet1",
                "outside_address": "198.51.100.1/24",
                "internet_next_hop": "198.51.100.254",
                "protected_networks": ["10.1.0.0/16"],
            },
            "br1": {
                "platform": "strongswan",
                "outside_interface": "eth1",
                "outside_address": "203.0.113.11/24",
                "internet_next_hop": "203.0.113.254",
                "protected_networks": ["10.11.0.0/16"],
            },
            "br2": {
                "platform": "strongswan",
                "outside_interface": "eth1",
                "outside_address": "203.0.113.12/24",
                "internet_next_hop": "203.0.113.254",
                "protected_networks": ["10.12.0.0/16"],
            },
        },
        "tunnels": [
            {"name": "hq-br1", "profile": "p1", "psk": SECRET_A, "a": {"gateway": "hq"}, "b": {"gateway": "br1"}},
            {"name": "hq-br2", "profile": "p1", "psk": SECRET_A, "a": {"gateway": "hq"}, "b": {"gateway": "br2"}},
        ],
    }


def problems_of(intent):
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(intent)
    assert planner.check_intent(intent) == info.value.errors
    return info.value.errors


def only(errors, code):
    found = [e for e in errors if e.code == code]
    assert found, "no %s in %s" % (code, errors)
    return found


def test_base_intent_is_ok():
    intent = base_intent()
    assert planner.check_intent(intent) == []
    plans = planner.plan_all(intent)
    assert [c["status"] for c in plans["hq"]["checks"]] == ["OK", "OK"]
    assert plans["br1"]["checks"] == [{"tunnel": "hq-br1", "peer": "hq", "status": "OK", "problems": []}]


def test_phase1_incompatible():
    intent = base_intent()
    intent["tunnels"][0]["b"]["profile"] = "p1_other_ike"
    (err,) = problems_of(intent)
    assert err.code == "PHASE1_INCOMPATIBLE"
    assert err.path == "tunnels[0]"
    assert "no common IKE proposal" in err.message
    assert "aes256-sha256-group14" in err.message and "aes128-sha384-group19" in err.message


def test_ike_version_mismatch():
    intent = base_intent()
    intent["tunnels"][0]["b"]["profile"] = "p1_v1"
    (err,) = problems_of(intent)
    assert err.code == "IKE_VERSION_MISMATCH"
    assert "IKEv2" in err.message and "IKEv1" in err.message


def test_psk_mismatch_names_paths_not_secrets():
    intent = base_intent()
    intent["tunnels"][0]["b"]["psk"] = SECRET_B
    (err,) = problems_of(intent)
    assert err.code == "PSK_MISMATCH"
    assert "tunnels[0].psk" in err.message and "tunnels[0].b.psk" in err.message
    assert SECRET_A not in str(err) and SECRET_B not in str(err)


def test_missing_psk_names_the_tunnel():
    intent = base_intent()
    del intent["tunnels"][1]["psk"]
    errors = problems_of(intent)
    assert [e.path for e in errors] == ["tunnels[1].psk", "tunnels[1].psk"]
    assert all(e.code == "PSK_MISMATCH" and "tunnel 'hq-br2' has no pre-shared key" in e.message for e in errors)


def test_identity_mismatch():
    intent = base_intent()
    intent["tunnels"][0]["a"]["remote_id"] = "br1.example.net"
    (err,) = problems_of(intent)
    assert err.code == "IDENTITY_MISMATCH"
    assert err.path == "tunnels[0].a.remote_id"
    assert "'br1.example.net'" in err.message and "'203.0.113.11'" in err.message


def test_phase2_incompatible_proposals():
    intent = base_intent()
    intent["tunnels"][0]["b"]["profile"] = "p1_other_esp"
    (err,) = problems_of(intent)
    assert err.code == "PHASE2_INCOMPATIBLE"
    assert "no common IPsec proposal" in err.message


def test_phase2_incompatible_pfs():
    intent = base_intent()
    intent["tunnels"][0]["a"]["profile"] = "p1_other_pfs"
    (err,) = problems_of(intent)
    assert err.code == "PHASE2_INCOMPATIBLE"
    assert "PFS differs" in err.message and "group 19" in err.message and "group 14" in err.message


def test_selector_mismatch():
    intent = base_intent()
    intent["tunnels"][0]["b"]["remote_networks"] = ["10.1.0.0/17"]
    (err,) = problems_of(intent)
    assert err.code == "SELECTOR_MISMATCH"
    assert "not mirror images" in err.message and "10.1.0.0/17" in err.message


def test_selector_mismatch_on_ports():
    intent = base_intent()
    intent["tunnels"][0]["selectors"] = {"protocol": "tcp", "b_port": 443}
    assert planner.check_intent(intent) == []
    plans = planner.plan_all(intent)
    assert ace_lines(plans["hq"]["tunnels"][0]["acl"]) == [
        "permit tcp 10.1.0.0 0.0.255.255 10.11.0.0 0.0.255.255 eq 443"
    ]
    assert plans["br1"]["tunnels"][0]["children"][0]["local_ts"] == "10.11.0.0/16[tcp/443]"
    assert plans["br1"]["tunnels"][0]["children"][0]["remote_ts"] == "10.1.0.0/16[tcp]"


def test_selector_overlap_between_two_tunnels_of_one_device():
    intent = base_intent()
    intent["gateways"]["br2"]["protected_networks"] = ["10.11.128.0/17"]
    (err,) = problems_of(intent)
    assert err.code == "SELECTOR_OVERLAP"
    assert "'hq-br1' and 'hq-br2' on hq" in err.message


def test_duplicate_peer_address():
    intent = base_intent()
    intent["gateways"]["br2"]["outside_address"] = "203.0.113.11/24"
    errors = problems_of(intent)
    (err,) = only(errors, "DUPLICATE_PEER")
    assert err.path == "gateways.br2.outside_address"
    assert "br1, br2 share the public address 203.0.113.11" in err.message


def test_every_problem_is_reported_at_once():
    intent = base_intent()
    intent["tunnels"][0]["b"]["psk"] = SECRET_B
    intent["tunnels"][1]["b"]["profile"] = "p1_v1"
    intent["tunnels"][1]["a"]["remote_id"] = "nobody"
    codes = sorted(e.code for e in problems_of(intent))
    assert codes == ["IDENTITY_MISMATCH", "IKE_VERSION_MISMATCH", "PSK_MISMATCH"]


def test_unsafe_skip_crosscheck_plans_anyway_and_says_so():
    intent = base_intent()
    intent["tunnels"][0]["b"]["psk"] = SECRET_B
    intent["unsafe_skip_crosscheck"] = True
    plans = planner.plan_all(intent)
    check = plans["hq"]["checks"][0]
    assert check["status"] == "PSK_MISMATCH"
    assert check["problems"][0]["code"] == "PSK_MISMATCH"
    assert plans["hq"]["checks"][1]["status"] == "OK"
    assert any("unsafe_skip_crosscheck" in w for w in plans["hq"]["warnings"])
    assert any("cross-check PSK_MISMATCH ignored" in w for w in plans["br1"]["warnings"])
    assert [e.code for e in planner.check_intent(intent)] == ["PSK_MISMATCH"]
    # the skip never hides validation errors
    broken = copy.deepcopy(intent)
    broken["gateways"]["hq"]["outside_address"] = "198.51.100.300/24"
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(broken)
    assert info.value.errors[0].path == "gateways.hq.outside_address"


def test_same_peer_twice_with_different_keys():
    intent = base_intent()
    intent["tunnels"].append(
        {
            "name": "hq-br1-web",
            "profile": "p1",
            "psk": SECRET_B,
            "selectors": {"protocol": "tcp", "a_port": 443},
            "a": {"gateway": "hq", "networks": ["10.2.0.0/16"], "crypto_map_sequence": 111},
            "b": {"gateway": "br1", "networks": ["10.13.0.0/16"]},
        }
    )
    errors = problems_of(intent)
    # both devices look the key up by the peer: hq (IOS keyring) and br1 (strongSwan secrets)
    assert [e.code for e in errors] == ["PSK_MISMATCH", "PSK_MISMATCH"]
    assert errors[0].message.startswith("br1: tunnels 'hq-br1' and 'hq-br1-web' reach the same peer 198.51.100.1")
    assert errors[1].message.startswith("hq: tunnels 'hq-br1' and 'hq-br1-web' reach the same peer 203.0.113.11")
    assert errors[1].path == "tunnels[2].psk"
    assert SECRET_A not in str(errors) and SECRET_B not in str(errors)
