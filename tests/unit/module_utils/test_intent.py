"""Intent validation: defaults, normalisation, error collection and paths."""

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import intent as intent_mod
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors


def minimal(**profile):
    spec = {
        "ike": {"proposals": [{"encryption": "AES-256", "integrity": "SHA-256", "dh_group": "modp2048"}]},
        "ipsec": {"proposals": [{"encryption": "aes_256", "integrity": "sha2_256"}]},
    }
    spec.update(profile)
    return {
        "crypto_profiles": {"p": spec},
        "gateways": {
            "a1": {
                "platform": "strongswan",
                "outside_interface": "eth0",
                "outside_address": "198.51.100.1/24",
                "protected_networks": ["10.1.0.0/16"],
            },
            "b1": {
                "platform": "ios",
                "outside_interface": "Gi1",
                "outside_address": "198.51.100.2/24",
                "protected_networks": ["10.2.0.0/16"],
            },
        },
        "tunnels": [{"name": "t", "profile": "p", "psk": "k", "a": {"gateway": "a1"}, "b": {"gateway": "b1"}}],
    }


def errors_of(intent):
    with pytest.raises(IntentErrors) as info:
        intent_mod.validate(intent)
    return [str(e) for e in info.value.errors]


def test_defaults_and_normalised_names():
    model = intent_mod.validate(minimal())
    profile = model.profiles["p"]
    assert profile["ike"]["version"] == 2
    assert profile["ike"]["mode"] == "main"
    assert profile["ike"]["authentication"] == "psk"
    assert profile["ike"]["lifetime"] == 86400
    proposal = profile["ike"]["proposals"][0]
    assert (proposal["encryption"], proposal["integrity"], proposal["prf"], proposal["dh_group"]) == (
        "aes256",
        "sha256",
        "sha256",
        14,
    )
    ipsec = profile["ipsec"]
    assert (ipsec["protocol"], ipsec["mode"], ipsec["lifetime_seconds"], ipsec["lifetime_kilobytes"]) == (
        "esp",
        "tunnel",
        3600,
        4608000,
    )
    assert ipsec["transform_set_name"] == "TS-p"
    assert profile["dpd"] == {
        "enabled": True,
        "interval": 10,
        "retry_interval": 2,
        "mode": "on-demand",
        "action": "restart",
    }
    assert profile["nat_traversal"] is True
    gw = model.gateways["a1"]
    assert gw["outside_acl"]["enabled"] is False and gw["outside_acl"]["name"] == "IPSEC-VPN-OUTSIDE"
    assert gw["site_id"] == 1 and gw["site_id_explicit"] is False
    tunnel = model.tunnels[0]
    assert tunnel.style == "crypto_map" and tunnel.acl_name == "VPN-t"
    assert [str(n) for n in tunnel.ends["a"].networks] == ["10.1.0.0/16"]
    assert [str(n) for n in tunnel.ends["a"].remote_networks] == ["10.2.0.0/16"]
    assert tunnel.ends["b"].id == "198.51.100.2" and tunnel.ends["a"].remote_id == "198.51.100.2"


def test_plan_defaults_for_ios_end():
    plan = planner.plan_host(minimal(), "b1")
    assert plan["crypto_maps"][0]["name"] == "IPSEC-VPN"
    assert plan["transform_sets"] == [
        {"name": "TS-p", "protocol": "esp", "transforms": ["esp-aes 256", "esp-sha256-hmac"], "mode": "tunnel"}
    ]
    assert plan["outside_acl"] is None
    assert plan["isakmp_keepalive"] is None  # IKEv2: DPD lives in the IKEv2 profile
    assert plan["ikev2"]["profiles"][0]["dpd"] == {"interval": 10, "retry_interval": 2, "mode": "on-demand"}
    sw = planner.plan_host(minimal(), "a1")["tunnels"][0]
    assert sw["strongswan"]["children_life_bytes"] == 4608000 * 1024
    assert sw["dpd"]["strongswan_dpd_delay"] == 10 and sw["dpd"]["strongswan_dpd_timeout"] == 0


def test_every_section_reports_at_once():
    intent = minimal()
    intent["crypto_profiles"]["p"]["ike"]["version"] = 3
    intent["gateways"]["a1"]["outside_address"] = "198.51.100.0/24"
    intent["tunnels"][0]["b"]["networks"] = ["10.2.0.0/33"]
    intent["groups"] = [{"name": "g", "type": "ring"}]
    assert errors_of(intent) == [
        "crypto_profiles.p.ike.version: 3 is not one of 1, 2",
        "gateways.a1.outside_address: '198.51.100.0/24' is the network or broadcast address of 198.51.100.0/24, not a host address",
        "tunnels[0].b.networks[0]: '10.2.0.0/33' is not an IPv4/IPv6 network",
        "groups[0].type: 'ring' is not one of hub_and_spoke, full_mesh",
        "groups[0].profile: required field is missing",
    ]


def test_dotted_host_names_are_quoted_in_paths():
    intent = minimal()
    intent["gateways"]["gw.example.net"] = intent["gateways"].pop("a1")
    intent["gateways"]["gw.example.net"]["platform"] = "vyos"
    intent["tunnels"] = []
    assert errors_of(intent) == ["gateways[\"gw.example.net\"].platform: 'vyos' is not one of ios, strongswan"]


def test_opt_in_without_weak_algorithms_is_a_warning():
    intent = minimal(allow_weak_crypto=True)
    plan = planner.plan_host(intent, "a1")
    assert plan["warnings"] == [
        "crypto_profiles.p.allow_weak_crypto is true but the profile uses no weak algorithm",
    ]


def test_aead_esp_and_ah():
    intent = minimal(ipsec={"proposals": [{"encryption": "aes256gcm16", "integrity": "sha256"}]})
    assert errors_of(intent) == [
        "crypto_profiles.p.ipsec.proposals[0].integrity: aes256gcm16 is an AEAD cipher and takes no integrity algorithm"
    ]
    ah = minimal(ipsec={"protocol": "ah", "proposals": [{"integrity": "sha384"}], "pfs_group": 19})
    plans = planner.plan_all(ah)
    assert plans["a1"]["tunnels"][0]["ipsec"]["strongswan_ah_proposals"] == ["sha384-ecp256"]
    assert plans["a1"]["tunnels"][0]["ipsec"]["strongswan_esp_proposals"] == []
    assert plans["b1"]["transform_sets"][0]["transforms"] == ["ah-sha384-hmac"]
    assert plans["b1"]["outside_acl"] is None


def test_ipv6_only_between_strongswan_gateways():
    intent = minimal()
    intent["gateways"]["b1"]["protected_networks"] = ["2001:db8:2::/48"]
    assert errors_of(intent) == [
        "gateways.b1.protected_networks: tunnel 't': IPv6 protected networks on IOS gateway b1 need style vti (or "
        "gre_over_ipsec with ipsec_profile protection); IOS crypto maps are rendered for IPv4 only"
    ]
    intent["gateways"]["b1"]["platform"] = "strongswan"
    intent["gateways"]["a1"]["protected_networks"] = ["2001:db8:1::/48"]
    plan = planner.plan_host(intent, "a1")
    assert plan["tunnels"][0]["children"][0]["local_ts"] == "2001:db8:1::/48"
    assert plan["tunnels"][0]["acl"]["entries"][0]["source"] == "2001:db8:1::/48"


def test_unknown_top_level_key_and_wrong_types():
    assert errors_of({"tunnel": [], "gateways": []}) == [
        "ipsec_vpn_intent.tunnel: unknown field (valid fields: unsafe_skip_crosscheck, crypto_profiles, gateways, inside_routers, tunnels, groups)",
        "gateways: expected a mapping, got a list",
    ]


def test_strongswan_cannot_express_two_eq_ports():
    intent = minimal()
    intent["tunnels"][0]["selectors"] = {"protocol": "tcp", "b_port": [80, 443]}
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(intent)
    (err,) = info.value.errors
    assert err.path == "tunnels[0].selectors"
    assert "cannot be expressed for the strongSwan end a1 of tunnel 't'" in err.message


def test_empty_intent_is_valid_and_plans_nothing():
    assert planner.plan_all({}) == {}
    assert planner.plan_host({}, "anything") == {
        "schema_version": 1,
        "host": "anything",
        "kind": "none",
        "platform": None,
        "warnings": [],
        "routes": [],
        "checks": [],
    }


def test_ikev2_lifetime_below_the_ios_minimum_only_matters_for_ios():
    intent = minimal()
    intent["crypto_profiles"]["p"]["ike"]["lifetime"] = 90
    assert errors_of(intent) == [
        "crypto_profiles.p.ike.lifetime: 90 s is below the IOS IKEv2 minimum of 120 s "
        "(profile 'p' is used by ios gateway b1 in tunnel 't')"
    ]
    intent["gateways"]["b1"]["platform"] = "strongswan"
    assert planner.plan_host(intent, "b1")["tunnels"][0]["strongswan"]["rekey_time"] == 90
