"""Groups: expansion into tunnels, stable names and addresses, per-member keys, multi-hub behaviour."""

import copy

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors

PROFILE = {
    "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
    "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}]},
}


def gateway(i, platform="ios", nets=None):
    return {
        "platform": platform,
        "outside_interface": "eth0" if platform == "strongswan" else "GigabitEthernet1",
        "outside_address": "100.64.%d.1/24" % i,
        "internet_next_hop": "100.64.%d.254" % i,
        "protected_networks": nets or ["10.%d.0.0/16" % i],
    }


def hub_and_spoke(spokes, hubs=("hub1",), style="crypto_map", **group):
    gateways = {}
    for n, hub in enumerate(hubs):
        gateways[hub] = dict(gateway(200 + n), site_id=6000 + n)
    for name in spokes:
        gateways[name] = gateway(int(name.lstrip("spoke")), "strongswan")
    group = dict(
        {"name": "hs", "type": "hub_and_spoke", "hubs": list(hubs), "spokes": list(spokes), "profile": "p", "psk": "k"},
        style=style,
        **group,
    )
    return {"crypto_profiles": {"p": copy.deepcopy(PROFILE)}, "gateways": gateways, "groups": [group]}


def test_hub_and_spoke_names_and_ends():
    plans = planner.plan_all(hub_and_spoke(["spoke1", "spoke2", "spoke3"]))
    hub = plans["hub1"]
    assert [t["name"] for t in hub["tunnels"]] == ["hs--hub1--spoke1", "hs--hub1--spoke2", "hs--hub1--spoke3"]
    assert all(t["side"] == "a" and t["group"] == "hs" for t in hub["tunnels"])
    (spoke,) = plans["spoke2"]["tunnels"]
    assert (spoke["side"], spoke["peer"], spoke["remote_networks"]) == ("b", "hub1", ["10.200.0.0/16"])
    assert [e["sequence"] for e in hub["crypto_maps"][0]["entries"]] == [10, 20, 30]


def test_hub_networks_override():
    plans = planner.plan_all(hub_and_spoke(["spoke1", "spoke2"], hub_networks=["10.0.0.0/8"]))
    assert plans["spoke1"]["tunnels"][0]["remote_networks"] == ["10.0.0.0/8"]
    assert plans["hub1"]["tunnels"][0]["local_networks"] == ["10.0.0.0/8"]


def test_per_spoke_keys_and_missing_key():
    intent = hub_and_spoke(["spoke1", "spoke2"], psk={"spoke1": "one", "spoke2": "two"})
    plans = planner.plan_all(intent)
    assert [t["psk"] for t in plans["hub1"]["tunnels"]] == ["one", "two"]
    del intent["groups"][0]["psk"]["spoke2"]
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(intent)
    assert [str(e) for e in info.value.errors] == [
        "groups[0].psk: tunnel 'hs--hub1--spoke2' has no pre-shared key for end a (hub1); set psk, or groups[0].hubs[0].psk",
        "groups[0].psk: tunnel 'hs--hub1--spoke2' has no pre-shared key for end b (spoke2); set psk, or groups[0].spokes[1].psk",
    ]


def test_full_mesh():
    gateways = dict(("m%d" % i, gateway(i)) for i in (3, 1, 2, 4))
    intent = {
        "crypto_profiles": {"p": copy.deepcopy(PROFILE)},
        "gateways": gateways,
        "groups": [
            {
                "name": "mesh",
                "type": "full_mesh",
                "members": ["m3", "m1", "m2", "m4"],
                "profile": "p",
                "psk": {"m1--m2": "a", "m1--m3": "b", "m1--m4": "c", "m2--m3": "d", "m2--m4": "e", "m3--m4": "f"},
            }
        ],
    }
    plans = planner.plan_all(intent)
    names = [t["name"] for t in plans["m2"]["tunnels"]]
    assert names == ["mesh--m1--m2", "mesh--m2--m3", "mesh--m2--m4"]
    assert [t["side"] for t in plans["m2"]["tunnels"]] == ["b", "a", "a"]
    assert [t["psk"] for t in plans["m2"]["tunnels"]] == ["a", "d", "e"]
    assert sum(len(p["tunnels"]) for p in plans.values()) == 2 * 6


def test_overlay_pool_addresses_are_derived_from_site_ids():
    intent = hub_and_spoke(["spoke5", "spoke9"], style="vti", overlay_pool="172.16.0.0/16")
    plans = planner.plan_all(intent)
    spoke5 = plans["spoke5"]["tunnels"][0]["tunnel_interface"]
    # spoke site id 5, hub index 0 -> /30 number 20 -> 172.16.0.80/30
    assert spoke5["address"] == "172.16.0.82/30"
    assert spoke5["name"] == "xfrm6000" and plans["spoke5"]["tunnels"][0]["if_id"] == 6000
    hub_side = [t for t in plans["hub1"]["tunnels"] if t["peer"] == "spoke5"][0]["tunnel_interface"]
    assert (hub_side["address"], hub_side["name"], hub_side["mode"]) == ("172.16.0.81/30", "Tunnel5", "ipsec_ipv4")
    assert hub_side["ipsec_profile"] == "IPSEC-hs--hub1--spoke5"
    # static overlay routing points the spoke's LAN into the tunnel interface
    assert {(r["prefix"], r["interface"]) for r in plans["hub1"]["routes"] if r["reason_code"] == "overlay_static"} == {
        ("10.5.0.0/16", "Tunnel5"),
        ("10.9.0.0/16", "Tunnel9"),
    }


def test_adding_a_spoke_changes_nothing_for_the_others():
    small = planner.plan_all(hub_and_spoke(["spoke1", "spoke3"], style="gre_over_ipsec", overlay_pool="172.16.0.0/16"))
    big = planner.plan_all(
        hub_and_spoke(["spoke1", "spoke2", "spoke3"], style="gre_over_ipsec", overlay_pool="172.16.0.0/16")
    )
    for name in ("spoke1", "spoke3"):
        assert small[name] == big[name]
    small_hub = {t["name"]: t for t in small["hub1"]["tunnels"]}
    big_hub = {t["name"]: t for t in big["hub1"]["tunnels"]}
    for name, tunnel in small_hub.items():
        assert big_hub[name] == tunnel


def test_dual_hub_crypto_maps_overlap_but_vtis_do_not():
    intent = hub_and_spoke(["spoke1", "spoke2"], hubs=("hub1", "hub2"), hub_networks=["10.200.0.0/15"])
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(intent)
    assert sorted(e.code for e in info.value.errors) == ["SELECTOR_OVERLAP", "SELECTOR_OVERLAP"]
    assert "'hs--hub1--spoke1' and 'hs--hub2--spoke1' on spoke1" in info.value.errors[0].message
    vti = hub_and_spoke(
        ["spoke1", "spoke2"],
        hubs=("hub1", "hub2"),
        hub_networks=["10.200.0.0/15"],
        style="vti",
        overlay_pool="172.16.0.0/16",
    )
    plans = planner.plan_all(vti)
    addresses = [t["tunnel_interface"]["address"] for t in plans["spoke1"]["tunnels"]]
    assert addresses == ["172.16.0.18/30", "172.16.0.22/30"]  # subnets 4*1+0 and 4*1+1


def test_derived_site_id_collision_on_a_hub_asks_for_explicit_ids():
    intent = hub_and_spoke(["spoke1", "spoke2"])
    intent["gateways"]["east-1"] = intent["gateways"].pop("spoke2")
    intent["groups"][0]["spokes"] = ["spoke1", "east-1"]
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(intent)
    (err,) = info.value.errors
    assert err.path == "groups[0]"
    assert "tunnels 'hs--hub1--east-1' and 'hs--hub1--spoke1' both get crypto map sequence 10" in err.message
    assert "explicit site_id" in err.message
    intent["gateways"]["east-1"]["site_id"] = 77
    assert planner.plan_host(intent, "hub1")["crypto_maps"][0]["entries"][1]["sequence"] == 770


def test_group_validation_errors():
    intent = hub_and_spoke(["spoke1"])
    intent["groups"][0]["spokes"] = ["spoke1", "hub1", "spoke1"]
    intent["groups"][0]["members"] = ["spoke1"]
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(intent)
    assert [str(e) for e in info.value.errors] == [
        "groups[0].members: only for full_mesh groups",
        "groups[0].spokes[2]: spoke1 is listed twice",
    ]
