"""intent_checks beyond the corpus: the overlay sweep on many tunnels, raw structure walks."""

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import intent_checks, planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors

PROFILE = {
    "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
    "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}]},
}


def vti_hub(inner):
    """A hub R1 with one VTI per entry of ``inner`` (the hub's inner address with prefix length)."""
    gateways = {
        "R1": {
            "platform": "ios",
            "outside_interface": "Gi1",
            "outside_address": "100.64.0.1/16",
            "protected_networks": ["10.1.0.0/24"],
        },
    }
    tunnels = []
    for n, address in enumerate(inner, 2):
        name = "R%d" % n
        gateways[name] = {
            "platform": "ios",
            "outside_interface": "Gi1",
            "outside_address": "100.64.%d.%d/16" % (n // 250, n % 250 + 2),
        }
        ip, plen = address.split("/")
        last = ip.rsplit(".", 1)
        peer = "%s.%d/%s" % (last[0], int(last[1]) + 1, plen)
        tunnels.append(
            {
                "name": "t%d" % n,
                "style": "vti",
                "profile": "p",
                "psk": "k",
                "a": {"gateway": "R1", "tunnel_address": address},
                "b": {"gateway": name, "tunnel_address": peer},
            }
        )
    return {"crypto_profiles": {"p": PROFILE}, "gateways": gateways, "tunnels": tunnels}


def test_many_disjoint_overlays_plan():
    intent = vti_hub(["10.200.%d.%d/30" % (i // 64, (i % 64) * 4 + 1) for i in range(300)])
    assert len(planner.plan_all(intent)) == 301


def test_an_overlay_overlapping_a_distant_earlier_one_is_named_with_it():
    # t4 lies inside t2's /16 although t3 sorts between them
    intent = vti_hub(["10.200.0.1/16", "10.100.0.1/30", "10.200.9.1/24"])
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(intent)
    assert [str(e) for e in info.value.errors] == [
        "tunnels[2].a.tunnel_address: R1: the inner subnet 10.200.9.0/24 of tunnel 't4' overlaps 10.200.0.0/16 of "
        "tunnel 't2'; every tunnel interface of a router needs a subnet of its own"
    ]


def test_raw_structure_allows_shared_aliases_but_not_loops():
    shared = {"address": "10.0.0.1"}
    assert intent_checks.raw_structure({"a": shared, "b": [shared, shared]}) == []
    loop = []
    loop.append(loop)
    assert [str(e) for e in intent_checks.raw_structure({"x": loop})] == [
        "x[0]: this value contains itself (a YAML alias loop such as '&a [*a]'); the intent must be a tree"
    ]


def test_raw_structure_never_quotes_a_key_under_psk():
    errors = intent_checks.raw_structure({"tunnels": [{"psk": "s3cr3t\nkey", "name": "t\n"}]})
    assert [e.path for e in errors] == ["tunnels[0].name"]
    assert "s3cr3t" not in str(errors)
