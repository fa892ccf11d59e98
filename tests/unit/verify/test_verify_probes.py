"""Traffic probe targets (defaults, overrides, skips) and reading ping output."""

import pytest
import verify_helpers as h
from ansible_collections.ipsec.vpn.plugins.module_utils import verify


@pytest.fixture(scope="module")
def site1():
    return h.plan(h.lab_intent(), "site1")


def test_default_targets_are_first_hosts_of_the_protected_networks(site1):
    targets = verify.probe_targets(site1, count=3)
    assert [(t["tunnel"], t["source"], t["destination"]) for t in targets] == [
        ("s1-s2", "10.11.0.1", "10.12.0.1"),
        ("s1-s3", "10.11.1.1", "10.13.0.1"),
    ]
    assert targets[0]["command"] == "ping -n -q -c 3 -W 1 -i 0.3 -I 10.11.0.1 10.12.0.1"
    assert all(t["skipped"] is None for t in targets)


def test_ios_targets_use_ping_source_repeat():
    r2 = h.plan(h.seed_intent(), "R2")
    (target,) = verify.probe_targets(r2)
    assert target["command"] == "ping 172.16.2.1 source 172.16.1.1 repeat 5"


def test_overrides_replace_either_end_or_disable(site1):
    targets = verify.probe_targets(site1, {
        "s1-s2": {"destination": "10.12.0.77"},
        "s1-s3": {"enabled": False},
    })
    assert (targets[0]["source"], targets[0]["destination"]) == ("10.11.0.1", "10.12.0.77")
    assert targets[1]["command"] is None
    assert targets[1]["skipped"] == "disabled by verify_probe_targets"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nope": {"source": "1.1.1.1"}}, "does not have: nope"),
        ({"s1-s2": {"sauce": "1.1.1.1"}}, "unknown keys: sauce"),
        ({"s1-s2": "10.0.0.1"}, "must be a dict"),
        (["s1-s2"], "must be a dict"),
    ],
)
def test_bad_overrides_are_refused(site1, overrides, message):
    with pytest.raises(verify.VerifyError, match=message):
        verify.probe_targets(site1, overrides)


@pytest.mark.parametrize("count", [0, 101, "3", True])
def test_bad_count_is_refused(site1, count):
    with pytest.raises(verify.VerifyError, match="count"):
        verify.probe_targets(site1, count=count)


def test_narrowed_selectors_skip_the_icmp_probe_unless_overridden():
    intent = h.lab_intent()
    intent["tunnels"][0]["selectors"] = {"protocol": "tcp", "b_port": 443}
    site1 = h.plan(intent, "site1")
    targets = verify.probe_targets(site1)
    assert targets[0]["command"] is None and "tcp" in targets[0]["skipped"]
    targets = verify.probe_targets(site1, {"s1-s2": {"source": "10.11.0.1", "destination": "10.12.0.1"}})
    assert targets[0]["command"] is not None


def test_any_networks_need_an_override():
    plan = {"kind": "gateway", "platform": "ios", "tunnels": [{
        "name": "vti", "selectors": {"protocol": "ip"}, "local_networks": ["0.0.0.0/0"],
        "remote_networks": ["10.2.0.0/16"]}]}
    (target,) = verify.probe_targets(plan)
    assert target["command"] is None and "verify_probe_targets" in target["skipped"]


def test_host_networks_probe_the_host_itself():
    plan = {"kind": "gateway", "platform": "strongswan", "tunnels": [{
        "name": "t", "selectors": {"protocol": "ip"}, "local_networks": ["10.1.1.5/32"],
        "remote_networks": ["10.2.2.0/31"]}]}
    (target,) = verify.probe_targets(plan)
    assert (target["source"], target["destination"]) == ("10.1.1.5", "10.2.2.0")


def test_non_gateways_have_no_targets():
    assert verify.probe_targets({"kind": "inside_router"}) == []


# --------------------------------------------------------------------------- reading the output

TARGET = {"tunnel": "t", "source": "10.1.1.1", "destination": "10.2.2.1", "command": "ping", "skipped": None}

IOS_OK = """Type escape sequence to abort.
Sending 5, 100-byte ICMP Echos to 10.2.2.1, timeout is 2 seconds:
Packet sent with a source address of 10.1.1.1
.!!!!
Success rate is 80 percent (4/5), round-trip min/avg/max = 1/2/4 ms
"""


def test_ios_ping_output():
    result = verify.probe_result(TARGET, IOS_OK)
    assert (result["sent"], result["transmitted"], result["received"], result["success"]) == (True, 5, 4, True)
    assert result["error"] is None


def test_ios_ping_failure_and_error():
    result = verify.probe_result(TARGET, "Success rate is 0 percent (0/5)\n")
    assert (result["received"], result["success"]) == (0, False)
    result = verify.probe_result(TARGET, "% Invalid source address- IP address not on any of our up interfaces\n")
    assert result["success"] is False
    assert result["error"].startswith("% Invalid source address")


def test_linux_ping_output():
    result = verify.probe_result(TARGET, h.fixture("linux_ping_ok.txt"), rc=0)
    assert (result["transmitted"], result["received"], result["success"]) == (3, 3, True)
    result = verify.probe_result(TARGET, h.fixture("linux_ping_lost.txt"), rc=1)
    assert (result["transmitted"], result["received"], result["success"]) == (3, 0, False)


def test_probe_that_printed_nothing_was_not_sent():
    # rc 2 and no output: ping could not start; rc None and no output: IOS check mode dropped the ping
    for rc in (2, None):
        result = verify.probe_result(TARGET, "", rc=rc)
        assert result["sent"] is False and "rc={}".format(rc) in result["error"]
        assert result["skipped"] == "the probe produced no output"


def test_skipped_target_is_not_sent():
    result = verify.probe_result({"tunnel": "t", "command": None, "skipped": "why"}, "")
    assert result["sent"] is False and result["skipped"] == "why"
