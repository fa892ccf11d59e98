"""The thin shells: verify_tunnels / verify_report actions, the verify_probe_targets filter, the role on localhost."""

import json
import os
import sys

import playbook_runner
import pytest
import verify_helpers as h
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.ipsec.vpn.plugins.action.verify_tunnels import probes_from_results, reads_from_outputs
from ansible_collections.ipsec.vpn.plugins.filter.verify_probe_targets import FilterModule

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PROBE_FILTER = FilterModule().filters()["verify_probe_targets"]


# --------------------------------------------------------------------------- verify_tunnels helpers


def test_outputs_are_parsed_by_command_as_typed():
    reads = reads_from_outputs({
        "sh cry isa sa": h.isakmp_text([("202.100.1.2", "202.100.1.1", "QM_IDLE")]),
        "show crypto ipsec sa": ["interface: Serial0", "    Crypto map tag: MYMAP, local addr 202.100.1.1"],
        "/usr/sbin/swanctl --list-sas --raw": {"ike_sas": [], "warnings": []},
    }, "outputs")
    assert reads["isakmp_sa"]["sas"][0]["state"] == "QM_IDLE"
    assert list(reads["ipsec_sa"]["interfaces"]) == ["Serial0"]
    assert reads["swanctl_sas"] == {"ike_sas": [], "warnings": []}


@pytest.mark.parametrize("command", ["show crypto session", "show version"])
def test_outputs_the_verdict_does_not_use_are_refused(command):
    with pytest.raises(ValueError, match="outputs"):
        reads_from_outputs({command: ""}, "outputs")


def test_probe_loop_results_of_both_platforms():
    ios_item = {"tunnel": "a", "source": "10.1.1.1", "destination": "10.2.2.1", "command": "ping 10.2.2.1"}
    linux_item = {"tunnel": "b", "source": "10.1.1.1", "destination": "10.3.3.1", "command": "ping -c 3"}
    check_mode_item = dict(ios_item, tunnel="e")
    skipped_item = {"tunnel": "c", "source": None, "destination": None, "command": None, "skipped": "disabled"}
    failed_item = dict(ios_item, tunnel="d")
    probes = probes_from_results([
        {"item": ios_item, "stdout": ["Success rate is 100 percent (5/5)"], "changed": False},
        {"item": linux_item, "stdout": h.fixture("linux_ping_lost.txt"), "rc": 1},
        {"item": skipped_item, "skipped": True, "skip_reason": "Conditional result was False"},
        {"item": failed_item, "failed": True, "msg": "% Invalid source address- IP address not on any of our up "
                                                     "interfaces"},
        {"item": check_mode_item, "stdout": [], "warnings": ["Only show commands are supported in check mode"]},
    ])
    assert (probes["a"]["sent"], probes["a"]["received"], probes["a"]["transmitted"]) == (True, 5, 5)
    assert (probes["b"]["sent"], probes["b"]["received"]) == (True, 0)
    assert probes["c"]["sent"] is False and probes["c"]["skipped"] == "disabled"
    assert probes["d"]["success"] is False and probes["d"]["error"].startswith("% Invalid source")
    assert probes["e"]["sent"] is False


def test_probe_without_tunnel_name_is_refused():
    with pytest.raises(ValueError, match="tunnel name"):
        probes_from_results([{"stdout": "x"}])


# --------------------------------------------------------------------------- the filter


def test_filter_returns_targets_and_reports_bad_input():
    plan = h.plan(h.lab_intent(), "site1")
    targets = PROBE_FILTER(plan, {"s1-s3": {"enabled": False}}, count=2)
    assert targets[0]["command"].startswith("ping -n -q -c 2 ")
    assert targets[1]["skipped"] == "disabled by verify_probe_targets"
    with pytest.raises(AnsibleFilterError, match="does not have: nope"):
        PROBE_FILTER(plan, {"nope": {}})
    with pytest.raises(AnsibleFilterError, match="count"):
        PROBE_FILTER(plan, count="2")
    with pytest.raises(AnsibleFilterError, match="unknown option"):
        PROBE_FILTER(plan, colour="red")


# --------------------------------------------------------------------------- through ansible-playbook


def _playbook(tmp_path, text, extra_vars):
    (tmp_path / "play.yml").write_text(text)
    (tmp_path / "vars.json").write_text(json.dumps(extra_vars))
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": {
        "site1": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
        "site9": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
    }}}))
    run = playbook_runner.run(tmp_path / "play.yml", tmp_path / "hosts.yml", "-e", "@" + str(tmp_path / "vars.json"),
                              workdir=tmp_path, home=os.path.join(REPO_ROOT, "build", "ansible-home"),
                              json_output=True, timeout=300)
    return run, run.results


PLAY = """
- name: Verify from given outputs
  hosts: site1
  gather_facts: false
  tasks:
    - name: Judge
      ipsec.vpn.verify_tunnels:
        plan: "{{ plan }}"
        before: {"swanctl --list-sas": "{{ before }}"}
        outputs: {"swanctl --list-sas": "{{ after }}"}
        probes: "{{ probes }}"
    - name: Fact
      ansible.builtin.assert:
        that:
          - ipsec_vpn_verify.status == 'down'
          - ipsec_vpn_verify.tunnels[0].traffic.passed
          - ipsec_vpn_verify.failed | map(attribute='tunnel') | list == ['s1-s3']
    - name: Report
      ipsec.vpn.verify_report:
        dest: reports
      run_once: true
    - name: Judge and fail
      ipsec.vpn.verify_tunnels:
        plan: "{{ plan }}"
        outputs: {"swanctl --list-sas": "{{ after }}"}
        fail_on_down: true
"""


def test_actions_in_a_playbook(tmp_path):
    plan = h.plan(h.lab_intent(), "site1")
    targets = PROBE_FILTER(plan, count=3)
    probes = [{"item": targets[0], "stdout": h.fixture("linux_ping_ok.txt"), "rc": 0},
              {"item": targets[1], "stdout": h.fixture("linux_ping_lost.txt"), "rc": 1}]
    process, results = _playbook(tmp_path, PLAY, {
        "plan": plan, "probes": probes,
        "before": h.fixture("swanctl_site1_before_probe.txt"), "after": h.fixture("swanctl_site1_after_probe.txt"),
    })
    assert process.returncode != 0
    judged = results["Judge"]["site1"]
    assert judged["changed"] is False and not judged.get("failed")
    assert judged["verify"]["checked_at"]
    assert results["Fact"]["site1"].get("failed") is not True, results["Fact"]
    report = json.loads((tmp_path / "reports" / "verify.json").read_text())
    assert [h_["host"] for h_ in report["hosts"]] == ["site1"]
    assert results["Report"]["site1"]["paths"]["junit"] == str(tmp_path / "reports" / "verify-junit.xml")
    failed = results["Judge and fail"]["site1"]
    assert failed["failed"] is True and "- s1-s3 (peer site3): [P1_NO_SA]" in failed["msg"]
    assert h.PSK_LAB not in process.stdout + (tmp_path / "reports" / "verify.md").read_text()


ROLE_PLAY = """
- name: Run the role on hosts without tunnels
  hosts: all
  gather_facts: false
  roles:
    - role: ipsec.vpn.verify
"""


def test_role_on_hosts_without_tunnels_contacts_nothing(tmp_path):
    # site1 is not in this intent and site9 is not either: both get a verdict 'none' and the report says so.
    intent = h.seed_intent()
    extra_vars = {"ipsec_vpn_intent": intent, "verify_report_dir": str(tmp_path / "out")}
    process, results = _playbook(tmp_path, ROLE_PLAY, extra_vars)
    assert process.returncode == 0, process.stdout
    assert not any("Read the SAs" in name for name in results)
    report = json.loads((tmp_path / "out" / "verify.json").read_text())
    assert report["status"] == "none"
    assert [(h_["host"], h_["status"]) for h_ in report["hosts"]] == [("site1", "none"), ("site9", "none")]


def test_role_refuses_a_bad_probe_override(tmp_path):
    intent = h.lab_intent()
    process, _results = _playbook(tmp_path, ROLE_PLAY, {
        "ipsec_vpn_intent": intent, "verify_report": False, "verify_probe_targets": {"no-such-tunnel": {}},
    })
    assert process.returncode != 0
    assert "does not have: no-such-tunnel" in process.stdout
