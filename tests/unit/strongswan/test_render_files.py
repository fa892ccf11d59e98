"""strongswan.render against the files the role's Jinja templates wrote before the renderer moved to Python.

``fixtures/rendered/<case>/<host>/{conf.d,state}/`` are the role's outputs (``playbooks/render.yml``) for the
render intent of tests/e2e/strongswan, the lab's default intent and the lab e2e test's changed intent, with the
role variables each case names below (now intent settings, gateways.<host>.strongswan, or renderer options).
Every file the renderer writes must equal them byte for byte.
"""

import base64
import json
import os

import pytest
import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.strongswan import render

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def _yaml_intent(*parts):
    with open(os.path.join(REPO, *parts)) as handle:
        return yaml.safe_load(handle)["ipsec_vpn_intent"]


def _json_intent(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return json.load(handle)["ipsec_vpn_intent"]


RENDER_INTENT = ("tests", "e2e", "strongswan", "intents", "render.yml")
LAB_INTENT = ("inventories", "lab", "group_vars", "all", "ipsec_vpn_intent.yml")
FIREWALL = {"manage_firewall": True}
RESTRICT = {"firewall_restrict": True}


def _with(make_intent, **settings):
    """The intent with ``gateways.<host>.strongswan`` set for the hosts named in ``settings``."""
    def make():
        intent = make_intent()
        for host, values in settings.items():
            intent["gateways"][host]["strongswan"] = dict(values)
        return intent
    return make


def _render():
    return _yaml_intent(*RENDER_INTENT)


def _lab():
    return _yaml_intent(*LAB_INTENT)


def _lab_changed():
    return _json_intent("lab-changed-intent.json")


SITES = ("site1", "site2", "site3", "site4")
# case -> (intent, renderer options, hosts compared). The lab intent sets firewall_restrict itself.
CASES = {
    "render": (_render, {}, None),
    "render-fw": (_with(_render, gw1=RESTRICT, gw2=RESTRICT), FIREWALL, None),
    # both ends with start_action none is refused (NO_INITIATOR), so gw1 keeps start and only gw2 is compared
    "render-none": (_with(_render, gw2={"start_action": "none", "encap": True}), {}, ["gw2"]),
    "lab": (_lab, FIREWALL, None),
    "lab-changed": (_with(_lab_changed, **{s: RESTRICT for s in SITES}), FIREWALL, None),
    "lab-encap-trap": (_with(_lab, **{s: dict(RESTRICT, encap=True, start_action="trap") for s in SITES}),
                       dict(FIREWALL, keyingtries=3), None),
}


def _management(host):
    # the lab inventory's ansible_host of each site; the render inventory's local hosts are managed through lo
    return {"address": f"198.18.{host[-1]}.2", "port": 22} if host.startswith("site") else {"interface": "lo"}


def _expected(case, host):
    out = {}
    for sub, folder in (("conf.d", render.CONF), ("state", render.STATE)):
        directory = os.path.join(FIXTURES, "rendered", case, host, sub)
        for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
            with open(os.path.join(directory, name), newline="") as handle:
                out[(folder, name)] = handle.read()
    return out


def _hosts(case):
    return sorted(os.listdir(os.path.join(FIXTURES, "rendered", case)))


@pytest.mark.parametrize(("case", "host"), [(c, h) for c in sorted(CASES) for h in CASES[c][2] or _hosts(c)])
def test_every_file_is_byte_identical_to_the_template_output(case, host):
    make_intent, options, _hosts_compared = CASES[case]
    plan = planner.plan_host(make_intent(), host, _management(host))
    files = render.rendered_files(plan, options)
    got = {(f["folder"], f["name"]): f["content"] for f in files}
    expected = _expected(case, host)
    assert sorted(got) == sorted(expected)
    for key, text in expected.items():
        assert got[key] == text, key


def test_modes_kinds_and_the_one_secret_file():
    plan = planner.plan_host(_yaml_intent(*RENDER_INTENT), "gw2")
    files = render.rendered_files(plan, {"manage_firewall": True})
    summary = [(f["folder"], f["name"], oct(f["mode"]), f["kind"], f["secret"]) for f in files]
    assert summary == [
        ("conf", "ipsec-vpn-gre-gw2-rtr3.conf", "0o600", "connection", False),
        ("conf", "ipsec-vpn-vti-gw1-gw2.conf", "0o600", "connection", False),
        ("conf", "ipsec-vpn-keys.secrets.conf", "0o600", "keys", True),
        ("state", "ipsec-vpn-gre-gw2-rtr3.link.sh", "0o700", "link", False),
        ("state", "ipsec-vpn-vti-gw1-gw2.link.sh", "0o700", "link", False),
        ("state", "ipsec-vpn-firewall.nft", "0o600", "firewall", False),
    ]
    # a key appears in the keys file only, base64-encoded after 0s
    keys = next(f["content"] for f in files if f["secret"])
    assert "secret = 0s" + base64.b64encode(b"render-gre-psk-Tz4k8").decode() in keys
    for f in files:
        if not f["secret"]:
            assert "render-gre-psk-Tz4k8" not in f["content"] and "secret =" not in f["content"]


def test_prefix_names_every_file_and_the_usage_line():
    plan = planner.plan_host(_yaml_intent(*RENDER_INTENT), "gw1")
    names = [f["name"] for f in render.rendered_files(plan, {"file_prefix": "x-"})]
    assert names == ["x-ah-gw1-rtr3.conf", "x-vti-gw1-gw2.conf", "x-keys.secrets.conf", "x-vti-gw1-gw2.link.sh"]
    link = render.link_script(next(t for t in plan["tunnels"] if t["name"] == "vti-gw1-gw2"), {"file_prefix": "x-"})
    assert "# Usage: sh x-vti-gw1-gw2.link.sh up|down\n" in link


def test_secrets_sorted_by_name_ignoring_case_and_tunnels_without_key_left_out():
    plan = {"tunnels": [
        {"name": "b", "psk": "k2", "local_id": "1", "remote_id": "2"},
        {"name": "A", "psk": "k1", "local_id": "3", "remote_id": "4"},
        {"name": "c", "psk": None, "local_id": "5", "remote_id": "6"},
    ]}
    text = render.secrets_conf(plan)
    assert [line.strip() for line in text.splitlines() if line.startswith("    ike-")] == ["ike-A {", "ike-b {"]
    assert "ike-c" not in text


def test_firewall_lets_the_management_session_in_only_when_it_arrives_outside():
    plan = planner.plan_host(_yaml_intent(*RENDER_INTENT), "gw1")
    plan["management"] = {"address": "100.66.0.1", "port": None, "via_outside": True, "interface": None}
    plan["strongswan"] = {"firewall_restrict": True}
    text = render.firewall_nft(plan, render.device_settings(plan))
    assert 'iifname "eth1" tcp dport 22 accept comment "management"' in text
    assert text.index("management") < text.index('drop comment "strongswan_firewall_restrict"')
    plan["management"]["port"] = 2222
    assert "tcp dport 2222 accept" in render.firewall_nft(plan, {"firewall_restrict": True})
    assert "tcp dport" not in render.firewall_nft(plan, {"firewall_restrict": False})
    plan["management"]["via_outside"] = False
    assert "management\"" not in render.firewall_nft(plan, {"firewall_restrict": True})


@pytest.mark.parametrize("bad", [{"name": "a.b"}, {"child": "a.b-1"}, {"local_id": 'x"y'}, {"remote_id": "x\\y"},
                                 {"remote_id": "x\ny"}, {"name": "-a"}])
def test_names_and_identities_swanctl_cannot_take_are_refused(bad):
    tunnel = {"name": bad.get("name", "ok"), "children": [{"name": bad.get("child", "ok-1")}],
              "local_id": bad.get("local_id", "1.1.1.1"), "remote_id": bad.get("remote_id", "2.2.2.2")}
    problems = render.name_problems([tunnel])
    assert problems == [f"tunnel '{tunnel['name']}': swanctl section names cannot contain dots (they separate "
                        "swanctl.conf keys) and identities cannot contain double quotes or backslashes; rename the "
                        "tunnel or group, or change tunnels[].a/b.id."]
    with pytest.raises(render.RenderError, match="cannot contain dots"):
        render.rendered_files({"tunnels": [tunnel]})


def test_good_names_pass():
    tunnel = {"name": "lab-hub--site1--site2", "children": [{"name": "lab-hub--site1--site2-1"}],
              "local_id": "gw1.example.net", "remote_id": "C=CH, O=org, CN=gw"}
    assert render.name_problems([tunnel]) == []
