"""End to end: playbooks/ios.yml and playbooks/ios_teardown.yml with ansible-playbook, over network_cli (SSH),
against three simulated IOS routers (tests/ios_sim). The intent is the seed's site-to-site intent, given with
``-e @intent.yml`` beside the simulator's connection inventory.

The tests of the first group share one world and run in order: check mode, push, idempotence, a tunnel added,
a tunnel removed, teardown. The others each start their own world.
"""

import copy
import os
import re
import stat

import ios_e2e_helpers as e2e
import pytest
import yaml
from ios_e2e_helpers import PSK, has_line

pytestmark = pytest.mark.skipif(not os.path.exists(e2e.ANSIBLE_PLAYBOOK), reason="ansible-playbook not installed")

CONVERGE = "Converge the router on its plan"
REMOVE = "Remove the collection's configuration and clear the crypto sessions"

# R2's configuration that the collection did not create (world-three-sites.yml): it must survive every run.
FOREIGN_R2 = [
    "crypto isakmp policy 5",
    "crypto ipsec transform-set CUST-TS esp-aes esp-sha-hmac",
    "crypto map MYMAP 50 ipsec-isakmp",
    " set peer 202.100.1.99",
    " match address CUSTOMER",
    "ip access-list extended CUSTOMER",
    " permit ip 10.99.0.0 0.0.255.255 10.98.0.0 0.0.255.255",
    "ip route 10.98.0.0 255.255.0.0 202.100.1.99",
]

# The seed's R2 configuration as IOS displays it (encryption des hidden, port 500 shown as isakmp).
SEED_R2_DISPLAYED = [
    "ip access-list extended VPN",
    " permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255",
    "crypto isakmp policy 10",
    " hash md5",
    " authentication pre-share",
    " group 2",
    "crypto isakmp key %s address 202.100.1.2" % PSK,
    "crypto ipsec transform-set MYSET esp-des esp-md5-hmac",
    " mode tunnel",
    "crypto map MYMAP 100 ipsec-isakmp",
    " set peer 202.100.1.2",
    " set transform-set MYSET",
    " match address VPN",
    " crypto map MYMAP",
    "access-list 100 permit udp any eq isakmp any eq isakmp",
    "access-list 100 permit esp any any",
    "access-list 100 permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255",
    "crypto isakmp keepalive 10 3",
]


def tunnel_up(lab, host, target, source="Ethernet0", peer=None):
    """Ping across the tunnel, then read the SAs: (isakmp state, encaps count)."""
    lab.show(host, "ping %s source %s" % (target, source))
    isakmp = lab.show(host, "show crypto isakmp sa")
    ipsec = lab.show(host, "show crypto ipsec sa" + (" peer %s" % peer if peer else ""))
    states = re.findall(r"^\S+\s+\S+\s+(\S+)\s+\d+\s+\S+\s*$", isakmp, re.M)
    encaps = [int(n) for n in re.findall(r"#pkts encaps: (\d+)", ipsec)]
    return states, sum(encaps)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = e2e.Lab(tmp_path_factory.mktemp("ios-e2e"))
    lab.initial = {host: lab.running(host) for host in ("R2", "R3", "R4")}
    yield lab
    lab.stop()
    for playbook, args, seconds in e2e.TIMINGS:
        print("ansible-playbook %-18s %-40s %5.1f s" % (playbook, args, seconds))


def test_check_mode_lists_the_commands_and_sends_no_configuration(lab):
    run = lab.playbook("ios.yml", e2e.seed_intent(), args=["--check", "--diff"])
    assert run.rc == 0, run.output
    result = run.task(CONVERGE, "R2")
    assert result["changed"] is True
    assert "crypto map MYMAP 100 ipsec-isakmp" in result["commands"]
    assert "crypto isakmp key ******** address 202.100.1.2" in result["commands"]
    assert "crypto isakmp key ******** address 202.100.1.2" in result["diff"]["after"]
    assert PSK not in run.output
    for host in ("R2", "R3", "R4"):
        assert lab.config_lines(host) == [], host
        assert not [line for line in lab.lines(host) if line.startswith(("conf", "write", "clear"))], host
        assert lab.running(host) == lab.initial[host]
    assert run.task(CONVERGE, "R4") is None or run.task(CONVERGE, "R4").get("skipped")


def test_seed_push_brings_the_tunnel_up(lab):
    render_dir = os.path.join(lab.tmp, "render")
    run = lab.playbook("ios.yml", e2e.seed_intent(), args=["--diff", "-e", "ios_render_dir=" + render_dir])
    assert run.rc == 0, run.output
    assert run.task(CONVERGE, "R2")["changed"] and run.task(CONVERGE, "R3")["changed"]
    assert run.task(CONVERGE, "R2")["converged"] is True
    assert PSK not in run.output
    r2 = lab.running("R2")
    for line in SEED_R2_DISPLAYED + FOREIGN_R2:
        assert has_line(r2, line), line
    # dependency order in what the device received
    received = lab.config_lines("R2")
    assert received.index("crypto ipsec transform-set MYSET esp-des esp-md5-hmac") < received.index(
        "crypto map MYMAP 100 ipsec-isakmp")
    assert received.index("ip access-list extended VPN") < received.index("match address VPN")
    assert received.index("crypto map MYMAP 100 ipsec-isakmp") < received.index("crypto map MYMAP")
    assert received[-1] == "end"
    # saved
    assert "write memory" in lab.lines("R2") or "write" in lab.lines("R2")
    assert "crypto map MYMAP 100 ipsec-isakmp" in lab.show("R2", "show startup-config")
    # the tunnel comes up on traffic
    states, encaps = tunnel_up(lab, "R2", "172.16.2.1")
    assert states == ["QM_IDLE"] and encaps >= 4
    assert "QM_IDLE" in lab.show("R3", "show crypto isakmp sa")
    # the artifacts: full one private, masked copy readable
    full = os.path.join(render_dir, "R2.cfg")
    masked = os.path.join(render_dir, "R2.masked.cfg")
    assert stat.S_IMODE(os.stat(full).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(masked).st_mode) == 0o644
    assert "crypto isakmp key %s address 202.100.1.2" % PSK in open(full).read()
    assert PSK not in open(masked).read()


def test_second_run_changes_nothing(lab):
    before = len(lab.config_lines("R2")), len(lab.config_lines("R3"))
    run = lab.playbook("ios.yml", e2e.seed_intent())
    assert run.rc == 0, run.output
    for host in ("R2", "R3", "R4"):
        assert run.changed(host) == [], host
    assert run.task(CONVERGE, "R2")["commands"] == []
    assert (len(lab.config_lines("R2")), len(lab.config_lines("R3"))) == before


def test_adding_a_tunnel_with_commit_confirm_and_nothing_secret_in_verbose_output(lab):
    run = lab.playbook("ios.yml", e2e.three_site_intent(), json_output=False,
                       args=["-vvvv", "--diff", "-e", "ios_commit_confirm_minutes=1"])
    assert run.rc == 0, run.output[-3000:]
    assert PSK not in run.output
    assert "crypto isakmp key ******** address 202.100.1.3" in run.output
    lines = lab.lines("R2")
    assert "configure terminal revert timer 1" in lines and lines[-2:] != []
    assert "configure confirm" in lines
    assert "%No Rollback Confirmed Change pending" in lab.show("R2", "show archive config rollback timer")
    states, encaps = tunnel_up(lab, "R2", "172.16.3.1", peer="202.100.1.3")
    assert "QM_IDLE" in states and encaps >= 4
    assert has_line(lab.running("R4"), "crypto map MYMAP 20 ipsec-isakmp")


def _lines(text):
    return set(text.splitlines())


def test_removing_a_tunnel_purges_exactly_its_config(lab):
    before = {host: lab.running(host) for host in ("R2", "R4")}
    received_before = len(lab.config_lines("R2"))
    run = lab.playbook("ios.yml", e2e.three_site_intent(with_r4_tunnel=False))
    assert run.rc == 0, run.output
    after = {host: lab.running(host) for host in ("R2", "R4")}
    gone = _lines(before["R2"]) - _lines(after["R2"])
    added = _lines(after["R2"]) - _lines(before["R2"])
    assert gone == {
        "crypto map MYMAP 40 ipsec-isakmp",
        " description ipsec.vpn:r2-r4",
        " set peer 202.100.1.3",
        " match address VPN-r2-r4",
        "ip access-list extended VPN-r2-r4",
        " remark ipsec.vpn:r2-r4",
        " permit ip 172.16.1.0 0.0.0.255 172.16.3.0 0.0.0.255",
        "crypto isakmp key %s address 202.100.1.3" % PSK,
        " remark isakmp-key 202.100.1.3",
        "ip route 172.16.3.0 255.255.255.0 202.100.1.3 name IPSEC-VPN",
        # the outside ACL's entry for the decrypted traffic of r2-r4
        "access-list 100 permit ip 172.16.3.0 0.0.0.255 172.16.1.0 0.0.0.255",
    }
    assert added == set()
    # the numbered outside ACL is rewritten while unbound, then bound again
    received = lab.config_lines("R2")[received_before:]
    unbind = received.index("no ip access-group 100 in")
    assert received[unbind + 1] == "no access-list 100"
    assert received.index("ip access-group 100 in") > received.index(
        "access-list 100 permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255")
    for line in SEED_R2_DISPLAYED + FOREIGN_R2:
        assert has_line(after["R2"], line), line
    # R4 is still a gateway of the intent, with no tunnel left: everything the collection put there is gone
    assert "crypto" not in after["R4"] and "IPSEC-VPN" not in after["R4"]
    assert after["R4"] == lab.initial["R4"]
    states, encaps = tunnel_up(lab, "R2", "172.16.2.1", peer="202.100.1.2")
    assert "QM_IDLE" in states and encaps >= 4
    assert set(run.task(CONVERGE, "R2")["removed"]) >= {"crypto map MYMAP 40 ipsec-isakmp"}


def test_teardown_removes_only_what_the_collection_created(lab):
    run = lab.playbook("ios_teardown.yml")
    assert run.rc == 0, run.output
    assert run.task(REMOVE, "R2")["changed"] and run.task(REMOVE, "R3")["changed"]
    assert run.task(REMOVE, "R4")["changed"] is False
    assert "clear crypto session" in lab.lines("R3")
    r3 = lab.running("R3")
    assert r3 == lab.initial["R3"]
    r2 = lab.running("R2")
    for line in FOREIGN_R2:
        assert has_line(r2, line), line
    for gone in ("crypto isakmp policy 10", "crypto map MYMAP 100 ipsec-isakmp", "ip access-list extended VPN",
                 "access-list 100", "MYSET", "keepalive", "IPSEC-VPN\n", "ipsec.vpn:"):
        assert gone not in r2, gone
    # the map still has the foreign entry 50, so its binding stays (and stays in the ledger)
    assert has_line(r2, " crypto map MYMAP")
    assert "ip access-list extended IPSEC-VPN-OWNED\n remark crypto-map-binding Serial0\n" in r2
    assert "QM_IDLE" not in lab.show("R2", "show crypto isakmp sa")
    again = lab.playbook("ios_teardown.yml")
    assert again.rc == 0 and all(again.changed(host) == [] for host in ("R2", "R3", "R4"))


# -- each of the following starts its own world --------------------------------------------------------------


@pytest.fixture
def fresh(tmp_path):
    lab = e2e.Lab(tmp_path)
    yield lab
    lab.stop()


@pytest.mark.parametrize("mismatch", ["psk", "profile"])
def test_mismatched_intent_keeps_the_tunnel_down(fresh, mismatch):
    intent = e2e.seed_intent()
    intent["unsafe_skip_crosscheck"] = True
    tunnel = intent["tunnels"][0]
    if mismatch == "psk":
        tunnel["b"]["psk"] = "other-" + PSK
        expected = ("MM_KEY_EXCH", "MM_NO_STATE")
    else:
        legacy = intent["crypto_profiles"]["legacy"]
        other = copy.deepcopy(legacy)
        other["ike"]["proposals"] = [{"encryption": "3des", "integrity": "md5", "dh_group": 2, "priority": 10}]
        intent["crypto_profiles"]["legacy3des"] = other
        tunnel["b"]["profile"] = "legacy3des"
        expected = ("MM_NO_STATE",)
    run = fresh.playbook("ios.yml", intent, limit="R2,R3")
    assert run.rc == 0, run.output
    assert run.task(CONVERGE, "R2")["changed"] and run.task(CONVERGE, "R3")["changed"]
    states, encaps = tunnel_up(fresh, "R2", "172.16.2.1")
    assert states and all(state in expected for state in states), states
    assert encaps == 0
    assert "QM_IDLE" not in fresh.show("R3", "show crypto isakmp sa")


def test_wrong_password_and_wrong_enable_secret_fail_clearly(fresh):
    fresh.write_inventory(R2={"ansible_password": "wrong"}, R3={"ansible_become_password": "wrong"})
    run = fresh.playbook("ios.yml", e2e.seed_intent(), limit="R2,R3")
    assert run.rc != 0
    r2 = run.task(CONVERGE, "R2")
    r3 = run.task(CONVERGE, "R3")
    assert r2["failed"] and re.search(r"authenticat", r2["msg"], re.I), r2["msg"]
    assert r3["failed"] and re.search(r"enable|privilege", r3["msg"], re.I), r3["msg"]
    assert fresh.config_lines("R2") == [] and fresh.config_lines("R3") == []


def _gre_intent(**overlay):
    with open(os.path.join(e2e.REPO, "inventories", "seed", "gre_over_ipsec", "group_vars", "all",
                           "intent.yml")) as handle:
        intent = yaml.safe_load(handle)["ipsec_vpn_intent"]
    intent["tunnels"][0]["overlay"].update(overlay)
    return intent


def test_rejected_line_is_named_end_is_sent_and_the_push_is_reverted(fresh):
    before = fresh.running("R2")
    run = fresh.playbook("ios.yml", _gre_intent(ip_mtu=9000), limit="R2,R3")
    assert run.rc != 0
    result = run.task(CONVERGE, "R2")
    assert result["failed"]
    assert result["failed_command"] == "ip mtu 9000"
    assert "'ip mtu 9000'" in result["msg"] and "interface Tunnel1" in result["msg"]
    assert "% Invalid input detected at '^' marker." in result["msg"]
    assert result["restored"] is True and result["reverted"]
    received = fresh.config_lines("R2")
    failed_at = received.index("ip mtu 9000")
    assert received[failed_at + 1] == "end"
    assert received[-1] == "end"
    # the device holds exactly its previous configuration again
    assert fresh.running("R2") == before
    assert PSK not in run.output
    # the same intent without the impossible MTU goes through, and again changes nothing
    ok = fresh.playbook("ios.yml", _gre_intent(), limit="R2,R3")
    assert ok.rc == 0, ok.output
    r2 = fresh.running("R2")
    for line in ("interface Tunnel1", " tunnel source 202.100.1.1", " tunnel destination 202.100.1.2",
                 "router eigrp 90", " network 12.1.1.0 0.0.0.255", " network 172.16.1.0 0.0.0.255",
                 " permit gre any any", " mode transport"):
        assert has_line(r2, line), line
    assert "D        172.16.2.0/24" in fresh.show("R2", "show ip route")
    again = fresh.playbook("ios.yml", _gre_intent(), limit="R2,R3")
    assert again.rc == 0 and again.changed("R2") == [] and again.changed("R3") == []


def test_a_lockout_refusal_of_one_router_stops_every_router_before_any_change(fresh):
    """R2 is managed through its outside address, which the seed's inbound ACL would close: R2 is refused.
    R3's half of the tunnel is valid on its own, yet no router may receive a single configuration line."""
    intent = e2e.seed_intent()
    intent["gateways"]["R2"]["management"] = {"address": "202.100.1.1", "port": 22}
    before = {host: fresh.running(host) for host in ("R2", "R3", "R4")}
    run = fresh.playbook("ios.yml", intent, json_output=False)
    assert run.rc != 0
    assert "would drop the management connection to 202.100.1.1 port 22" in run.output
    assert "Refused host: R2. No host of the play is changed." in run.output
    # one failure for the run (Ansible shows it as an error line plus the result), not one per host
    assert run.output.count("fatal: [") == 1, run.output
    assert run.output.count("[ERROR]: Task failed") == 1, run.output
    for host in ("R2", "R3", "R4"):
        assert fresh.config_lines(host) == [], host
        assert not [line for line in fresh.lines(host) if line.startswith(("conf", "write", "clear"))], host
        assert fresh.running(host) == before[host], host
    # the same intent with R2's management permitted goes through on both routers
    intent["gateways"]["R2"]["outside_acl"] = dict(intent["gateways"]["R2"].get("outside_acl") or {},
                                                   permit_management=True)
    ok = fresh.playbook("ios.yml", intent)
    assert ok.rc == 0, ok.output
    assert "permit tcp any host 202.100.1.1 eq 22" in fresh.running("R2")
    assert has_line(fresh.running("R3"), "crypto map MYMAP 100 ipsec-isakmp")
