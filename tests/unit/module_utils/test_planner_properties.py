"""Property tests over generated intents: mirror images, stable numbering, --limit independence."""

import copy

from ansible_collections.ipsec.vpn.plugins.module_utils import acl, planner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PROFILES = {
    "v2cbc": {
        "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
        "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}], "pfs_group": 14},
    },
    "v2gcm": {
        "ike": {"version": 2, "proposals": [{"encryption": "aes256gcm16", "prf": "sha384", "dh_group": 20}]},
        "ipsec": {"proposals": [{"encryption": "aes256gcm16"}, {"encryption": "aes128gcm16"}]},
    },
    "v1": {
        "ike": {
            "version": 1,
            "proposals": [
                {"encryption": "aes256", "integrity": "sha384", "dh_group": 20},
                {"encryption": "aes128", "integrity": "sha256", "dh_group": 14},
            ],
        },
        "ipsec": {"proposals": [{"encryption": "aes192", "integrity": "sha512"}], "mode": "transport"},
        "dpd": {"interval": 10, "retry_interval": 3},
    },
}

PORT = st.one_of(
    st.none(),
    st.integers(1, 65535),
    st.tuples(st.integers(1, 30000), st.integers(0, 30000)).map(lambda t: "range %d %d" % (t[0], t[0] + t[1])),
)


@st.composite
def intents(draw, min_gateways=2, max_gateways=6):
    count = draw(st.integers(min_gateways, max_gateways))
    gateways = {}
    for i in range(count):
        name = draw(st.sampled_from(["gw", "site-", "R", "branch"])) + str(i + 1)
        nets = ["10.%d.%d.0/24" % (i + 1, j) for j in range(draw(st.integers(1, 3)))]
        gateways[name] = {
            "platform": draw(st.sampled_from(["ios", "strongswan"])),
            "outside_interface": "Gi1",
            "outside_address": "100.64.%d.1/24" % (i + 1),
            "internet_next_hop": "100.64.%d.254" % (i + 1),
            "protected_networks": nets,
        }
    names = sorted(gateways)
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=len(pairs), unique=True))
    tunnels = []
    for n, (a, b) in enumerate(chosen):
        if draw(st.booleans()):
            a, b = b, a
        style = draw(st.sampled_from(["crypto_map", "crypto_map", "vti", "gre_over_ipsec"]))
        tunnel = {
            "name": "t%d-%s-%s" % (n, a, b),
            "style": style,
            "profile": draw(st.sampled_from(sorted(PROFILES))),
            "psk": "key-%d" % n,
            "a": {"gateway": a},
            "b": {"gateway": b},
        }
        if style == "crypto_map":
            protocol = draw(st.sampled_from(["ip", "tcp", "udp", "icmp"]))
            selectors = {"protocol": protocol}
            if protocol in ("tcp", "udp"):
                selectors["a_port"] = draw(PORT)
                selectors["b_port"] = draw(PORT)
            tunnel["selectors"] = dict((k, v) for k, v in selectors.items() if v is not None)
            if draw(st.booleans()):
                tunnel["a"]["networks"] = gateways[a]["protected_networks"][:1]
        else:
            tunnel["a"]["tunnel_address"] = "172.31.%d.1/30" % n
            tunnel["b"]["tunnel_address"] = "172.31.%d.2/30" % n
            both_ios = gateways[a]["platform"] == gateways[b]["platform"] == "ios"
            protocols = ["static", "ospf", "eigrp"] if both_ios else ["static", "ospf"]
            tunnel["overlay"] = {"routing": {"protocol": draw(st.sampled_from(protocols))}}
            if tunnel["overlay"]["routing"]["protocol"] == "eigrp":
                tunnel["overlay"]["routing"]["as_number"] = 100
        tunnels.append(tunnel)
    return {"crypto_profiles": copy.deepcopy(PROFILES), "gateways": gateways, "tunnels": tunnels}


def entry(plans, host, name):
    (found,) = [t for t in plans[host]["tunnels"] if t["name"] == name]
    return found


def mirror(ace):
    return dict(
        ace,
        source=ace["destination"],
        destination=ace["source"],
        source_port=ace["destination_port"],
        destination_port=ace["source_port"],
    )


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(intents())
def test_both_ends_are_mirror_images(intent):
    plans = planner.plan_all(intent)
    for tunnel in intent["tunnels"]:
        a = entry(plans, tunnel["a"]["gateway"], tunnel["name"])
        b = entry(plans, tunnel["b"]["gateway"], tunnel["name"])
        assert (a["local_address"], a["peer_address"]) == (b["peer_address"], b["local_address"])
        assert (a["local_id"], a["remote_id"]) == (b["remote_id"], b["local_id"])
        assert (a["local_networks"], a["remote_networks"]) == (b["remote_networks"], b["local_networks"])
        assert a["psk"] == b["psk"] == tunnel["psk"]
        assert a["ike"]["proposals"] == b["ike"]["proposals"]
        assert a["ipsec"]["strongswan_esp_proposals"] == b["ipsec"]["strongswan_esp_proposals"]
        assert a["selectors"]["local_port"] == b["selectors"]["remote_port"]
        if tunnel["style"] == "vti":
            assert a["acl"] is None and b["acl"] is None
        else:
            assert [mirror(x) for x in a["acl"]["entries"]] == b["acl"]["entries"]
            assert acl.acl_mirror_check(a["acl"]["entries"], b["acl"]["entries"])["mirrored"]
            assert set(a["acl"]) == {"name", "entries"}  # structured only: the construct table writes the lines
        assert [(c["local_ts"], c["remote_ts"]) for c in a["children"]] == [
            (c["remote_ts"], c["local_ts"]) for c in b["children"]
        ]
        for side in (a, b):
            assert side["name"] in [c["tunnel"] for c in plans[_host(plans, side)]["checks"]]


def _host(plans, tunnel_entry):
    for host, plan in plans.items():
        if plan.get("kind") == "gateway" and plan["outside_ip"] == tunnel_entry["local_address"]:
            return host
    raise AssertionError("no host for %s" % tunnel_entry["local_address"])


def numbers(plans):
    out = {}
    for host, plan in plans.items():
        for t in plan["tunnels"]:
            out[(host, t["name"])] = (
                t["crypto_map"]["sequence"] if t["crypto_map"] else None,
                t["tunnel_interface"]["number"] if t["tunnel_interface"] else None,
                t["if_id"],
                tuple(t["ike"]["ios_isakmp_priorities"]),
                tuple(t["ipsec"]["ios_transform_sets"]),
                t["acl"]["name"] if t["acl"] else None,
            )
        for policy in plan.get("isakmp_policies", []):
            out[(host, "isakmp", policy["encryption"], policy["hash"], policy["group"])] = policy["priority"]
    return out


@SETTINGS
@given(intents(min_gateways=3), st.data())
def test_removing_a_tunnel_renumbers_nothing_else(intent, data):
    before = numbers(planner.plan_all(intent))
    smaller = copy.deepcopy(intent)
    removed = smaller["tunnels"].pop(data.draw(st.integers(0, len(smaller["tunnels"]) - 1)))
    after = numbers(planner.plan_all(smaller))
    for key, value in after.items():
        assert before[key] == value, key
    assert not any(key[1] == removed["name"] for key in after)


@SETTINGS
@given(intents(min_gateways=3), st.data())
def test_adding_a_tunnel_renumbers_nothing_else(intent, data):
    smaller = copy.deepcopy(intent)
    added = smaller["tunnels"].pop(data.draw(st.integers(0, len(smaller["tunnels"]) - 1)))
    before = numbers(planner.plan_all(smaller))
    after = numbers(planner.plan_all(intent))
    for key, value in before.items():
        assert after[key] == value, key
    assert any(key[1] == added["name"] for key in after)


@SETTINGS
@given(intents())
def test_plan_host_equals_plan_all_and_ignores_other_hosts_management(intent):
    managements = dict(
        (h, {"address": "10.200.0.%d" % i, "port": 2200 + i}) for i, h in enumerate(sorted(intent["gateways"]))
    )
    everything = planner.plan_all(intent, managements)
    plain = planner.plan_all(intent)
    for host in sorted(intent["gateways"]):
        alone = planner.plan_host(intent, host, managements[host])
        assert alone == everything[host]
        # another host's management data never leaks into this host's plan
        without = planner.plan_host(intent, host)
        assert dict(without, management=None) == dict(plain[host], management=None)
        assert dict(without, management=None) == dict(alone, management=None)


@SETTINGS
@given(intents(), st.data())
def test_plan_hosts_equals_plan_host_for_every_subset(intent, data):
    """What one run plans for a set of hosts (``plan_hosts``) is, host by host, what ``plan_host`` gives alone:
    for the whole inventory and for any --limit subset, with each host's own management endpoint."""
    hosts = sorted(intent["gateways"]) + ["not-in-the-intent"]
    managements = dict((h, {"address": "10.201.0.%d" % i, "port": 2300 + i}) for i, h in enumerate(hosts))
    subset = data.draw(st.lists(st.sampled_from(hosts), min_size=1, unique=True))
    for chosen in (hosts, subset):
        together = planner.plan_hosts(intent, dict((h, managements[h]) for h in chosen))
        assert sorted(together) == sorted(chosen)
        for host in chosen:
            assert together[host] == planner.plan_host(intent, host, managements[host])
