"""push.converge against an in-process simulated router: idempotence, check mode, a rejected line (named, 'end'
sent, reverted), commit confirm, teardown with clearing, saving."""

import os
import re
import sys

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import push, render
from ios_render_helpers import seed_intent

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)
from tests.ios_sim import World  # noqa: E402
from tests.ios_sim.session import Session  # noqa: E402

ERROR = re.compile(r"% ?(Invalid input|Incomplete command|Ambiguous command|Error|Bad)")


class SimDevice(object):
    """One persistent CLI session on a simulated router, with network_cli's error detection."""

    def __init__(self, world, host):
        self.world = world
        self.host = host
        self.session = Session(world.devices[host], 1, 15)
        self.sent = []

    def get_config(self):
        return self.send("show running-config")

    def send(self, line):
        self.sent.append(line)
        output = self.session.receive(line)
        if ERROR.search(output):
            raise push.DeviceError(output + "\n%s" % self.session.prompt())
        return output


def world(archive=False):
    devices = {}
    for host, address, lan in (("R2", "202.100.1.1/24", "172.16.1.1/24"), ("R3", "202.100.1.2/24", "172.16.2.1/24")):
        devices[host] = {"username": "admin", "password": "x", "privilege": 15,
                         "interfaces": {"Serial0": {"address": address}, "Ethernet0": {"address": lan}},
                         "config": "archive\n path flash:archive\n" if archive else ""}
    return World.from_dict({"devices": devices})


def want(host="R2", scenario="site_to_site", intent=None):
    return render.intended_nodes(planner.plan_host(intent or seed_intent(scenario), host))


def test_converge_then_nothing_left_to_do():
    lab = world()
    device = SimDevice(lab, "R2")
    first = push.converge(device, want(), save=True)
    assert first["changed"] and first["converged"] and first["saved"]
    assert "crypto isakmp key ******** address 202.100.1.2" in first["commands"]
    assert device.sent[-1] == "write memory"
    assert "crypto map MYMAP 100" in lab.run("R2", "show startup-config")
    second = push.converge(SimDevice(lab, "R2"), want())
    assert second["changed"] is False and second["commands"] == [] and second["converged"]


def test_check_mode_only_reads():
    lab = world()
    device = SimDevice(lab, "R2")
    result = push.converge(device, want(), check_mode=True)
    assert result["changed"] and result["commands"]
    assert device.sent == ["show running-config"]
    assert "crypto" not in lab.run("R2", "show running-config")


def test_tunnel_comes_up_between_two_converged_routers():
    lab = world()
    for host in ("R2", "R3"):
        push.converge(SimDevice(lab, host), want(host))
    lab.run("R2", "ping 172.16.2.1 source Ethernet0")
    assert "QM_IDLE" in lab.run("R2", "show crypto isakmp sa")


def test_a_rejected_line_is_named_end_is_sent_and_the_rest_reverted():
    lab = world()
    lab.run("R2", "configure terminal", "ip access-list extended CUSTOMER", "permit ip any any", "end")
    before = lab.run("R2", "show running-config").split("\n", 5)[5]
    intent = seed_intent("gre_over_ipsec")
    intent["tunnels"][0]["overlay"]["ip_mtu"] = 9000
    device = SimDevice(lab, "R2")
    with pytest.raises(push.PushError) as caught:
        push.converge(device, want(intent=intent))
    err = caught.value
    assert "the device rejected 'ip mtu 9000'" in err.msg
    assert "in 'interface Tunnel1'" in err.msg
    assert "% Invalid input detected at '^' marker." in err.msg
    assert "configuration is as before" in err.msg
    assert device.sent[device.sent.index("ip mtu 9000") + 1] == "end"
    assert device.session.mode == "exec"
    assert err.result["restored"] is True and err.result["failed_command"] == "ip mtu 9000"
    assert lab.run("R2", "show running-config").split("\n", 5)[5] == before


def test_without_revert_the_accepted_lines_stay_and_the_message_says_so():
    lab = world()
    intent = seed_intent("gre_over_ipsec")
    intent["tunnels"][0]["overlay"]["ip_mtu"] = 9000
    with pytest.raises(push.PushError) as caught:
        push.converge(SimDevice(lab, "R2"), want(intent=intent), revert_on_error=False)
    assert "stay applied (revert_on_error is off)" in caught.value.msg
    assert "crypto map MYMAP 10 ipsec-isakmp" in lab.run("R2", "show running-config")


def test_a_key_echoed_by_the_device_is_masked_in_the_error():
    assert push.device_message("crypto isakmp key s3cret address 1.1.1.1\n  ^\n% Invalid input detected at '^' "
                               "marker.\nR2(config)#", ["s3cret"]) == "% Invalid input detected at '^' marker."
    assert push.device_message("bad key s3cret here", ["s3cret"]) == "bad key ******** here"


def test_commit_confirm_needs_the_archive():
    lab = world(archive=False)
    lab.run("R2", "configure terminal", "no archive", "end")
    with pytest.raises(push.PushError) as caught:
        push.converge(SimDevice(lab, "R2"), want(), commit_confirm_minutes=2)
    assert "archive" in caught.value.msg
    assert "crypto" not in lab.run("R2", "show running-config")


def test_commit_confirm_wraps_the_push():
    lab = world(archive=True)
    device = SimDevice(lab, "R2")
    result = push.converge(device, want(), commit_confirm_minutes=2)
    assert result["converged"]
    assert "configure terminal revert timer 2" in device.sent
    assert device.sent.index("configure confirm") > device.sent.index("end")
    assert "No Rollback Confirmed Change pending" in lab.run("R2", "show archive config rollback timer")


def test_teardown_clears_the_sessions_and_leaves_nothing_owned():
    lab = world()
    for host in ("R2", "R3"):
        push.converge(SimDevice(lab, host), want(host))
    lab.run("R2", "ping 172.16.2.1 source Ethernet0")
    device = SimDevice(lab, "R2")
    result = push.converge(device, [], clear_sessions=True)
    assert result["changed"] and result["converged"] and result["cleared"] == ["clear crypto session"]
    text = lab.run("R2", "show running-config")
    assert "crypto" not in text and "IPSEC-VPN" not in text and "access-list" not in text
    assert "QM_IDLE" not in lab.run("R2", "show crypto isakmp sa")
    assert push.converge(SimDevice(lab, "R2"), [], clear_sessions=True)["changed"] is False


def vti_intent():
    return {
        "crypto_profiles": {"modern": {
            "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
            "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}], "pfs_group": 14},
        }},
        "gateways": {
            "R2": {"platform": "ios", "outside_interface": "Serial0", "outside_address": "202.100.1.1/24",
                   "protected_networks": ["172.16.1.0/24"]},
            "R3": {"platform": "ios", "outside_interface": "Serial0", "outside_address": "202.100.1.2/24",
                   "protected_networks": ["172.16.2.0/24"]},
        },
        "tunnels": [{
            "name": "r2-r3-vti", "style": "vti", "profile": "modern", "psk": "vti-key-1",
            "overlay": {"routing": {"protocol": "ospf", "process_id": 1, "area": 0}, "tcp_adjust_mss": 1360},
            "a": {"gateway": "R2", "tunnel_address": "10.23.0.1/30"},
            "b": {"gateway": "R3", "tunnel_address": "10.23.0.2/30"},
        }],
    }


def test_vti_with_ikev2_and_ospf_comes_up_and_is_idempotent():
    lab = world()
    for host in ("R2", "R3"):
        result = push.converge(SimDevice(lab, host), want(host, intent=vti_intent()))
        assert result["converged"], result.get("not_converged")
        assert "pre-shared-key ********" in result["commands"]
    text = lab.run("R2", "show running-config")
    for line in ("crypto ikev2 profile IKEV2-r2-r3-vti", "crypto ipsec profile", " tunnel mode ipsec ipv4",
                 " tunnel protection ipsec profile", "router ospf 1", " ip tcp adjust-mss 1360"):
        assert line in text, line
    assert "UP-ACTIVE" in lab.run("R2", "show crypto session")
    assert "O        172.16.2.0/24" in lab.run("R2", "show ip route")
    for host in ("R2", "R3"):
        assert push.converge(SimDevice(lab, host), want(host, intent=vti_intent()))["commands"] == []
    # and away again, SAs cleared
    assert push.converge(SimDevice(lab, "R2"), [], clear_sessions=True)["converged"]
    assert "ikev2" not in lab.run("R2", "show running-config")


def _confirm_world(fault):
    lab = world(archive=True)
    lab.options["revert_timer_seconds_per_minute"] = 600
    lab.options["configure_confirm_fault"] = fault
    return lab


def test_a_rejected_configure_confirm_fails_the_push_and_says_the_change_will_be_rolled_back():
    lab = _confirm_world("rejected")
    device = SimDevice(lab, "R2")
    with pytest.raises(push.PushError) as caught:
        push.converge(device, want(), commit_confirm_minutes=2)
    err = caught.value
    assert "configure confirm" in device.sent
    assert "the device rejected 'configure confirm' (% Invalid input detected at '^' marker.)" in err.msg
    assert "the archive rolls the change back within 2 minute(s)" in err.msg
    assert err.result["confirmed"] is False and err.result["changed"] is True
    # the timer is indeed still pending on the device
    assert "Time remaining" in lab.run("R2", "show archive config rollback timer")


def test_a_confirm_after_the_timer_fired_fails_the_push_although_the_device_said_nothing():
    lab = _confirm_world("expired")
    before = lab.run("R2", "show running-config").split("\n", 5)[5]
    device = SimDevice(lab, "R2")
    with pytest.raises(push.PushError) as caught:
        push.converge(device, want(), commit_confirm_minutes=2)
    assert "the rollback timer fired before 'configure confirm' arrived" in caught.value.msg
    assert caught.value.result["confirmed"] is False
    assert "crypto map MYMAP" not in lab.run("R2", "show running-config")
    assert lab.run("R2", "show running-config").split("\n", 5)[5] == before


def test_a_working_confirm_is_reported():
    lab = _confirm_world(None)
    result = push.converge(SimDevice(lab, "R2"), want(), commit_confirm_minutes=2)
    assert result["confirmed"] is True and result["converged"] is True
