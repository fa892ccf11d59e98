"""End to end over network_cli against the IOS simulator: an archive point before the push, `configure replace`
back to it (ipsec.vpn.ios_checkpoint), and a failed `configure confirm` that fails the task and says so."""

import os

import ios_e2e_helpers as e2e
import pytest
import yaml
from ios_e2e_helpers import PSK, has_line

CONVERGE = "Converge the router on its plan"


@pytest.fixture
def lab(tmp_path):
    lab = e2e.Lab(tmp_path)
    yield lab
    lab.stop()


def _rollback_playbook(lab):
    path = os.path.join(lab.tmp, "push-and-roll-back.yml")
    plays = [
        {"name": "plan", "hosts": "R2,R3", "gather_facts": False, "roles": [{"role": "ipsec.vpn.plan"}]},
        {"name": "push, then roll back", "hosts": "R2,R3", "gather_facts": False, "tasks": [
            {"name": "Take the archive point", "ipsec.vpn.ios_checkpoint": {"state": "created"},
             "register": "point"},
            {"name": "Push", "ansible.builtin.include_role": {"name": "ipsec.vpn.ios"}},
            {"name": "Roll back", "ipsec.vpn.ios_checkpoint": {
                "state": "restored", "checkpoint": "{{ point.checkpoint }}", "save_config": True}},
            {"name": "Roll back again", "ipsec.vpn.ios_checkpoint": {
                "state": "restored", "checkpoint": "{{ point.checkpoint }}"}},
        ]},
    ]
    with open(path, "w") as handle:
        yaml.safe_dump(plays, handle, sort_keys=False)
    return path


def test_push_then_configure_replace_to_the_archive_point(lab):
    before = {host: lab.running(host) for host in ("R2", "R3")}
    run = lab.playbook(_rollback_playbook(lab), e2e.seed_intent())
    assert run.rc == 0, run.output
    for host in ("R2", "R3"):
        point = run.task("Take the archive point", host)["checkpoint"]
        assert point["archive"] == "flash:archive-1", point
        pushed = run.task(CONVERGE, host)
        assert pushed["changed"], pushed
        back = run.task("Roll back", host)
        assert back["changed"] and back["restored"] and back["saved"], back
        assert any(line.startswith("crypto map MYMAP 100 ipsec-isakmp") for line in back["undone"]), back
        assert run.task("Roll back again", host)["changed"] is False
        lines = lab.lines(host)
        assert "archive config" in lines
        assert lines.index("archive config") < lines.index("configure terminal")
        assert "configure replace flash:archive-1 force" in lines
        assert lab.running(host) == before[host], host
        assert "crypto map MYMAP 100" not in lab.show(host, "show startup-config")
    assert PSK not in run.output


@pytest.mark.parametrize("fault", ["rejected", "expired"])
def test_a_failed_configure_confirm_fails_the_task_and_says_what_happened(lab, fault):
    lab.world.options["configure_confirm_fault"] = fault
    lab.world.options["revert_timer_seconds_per_minute"] = 600
    before = lab.running("R2")
    run = lab.playbook("ios.yml", e2e.seed_intent(), args=["-e", "ios_commit_confirm_minutes=1"], limit="R2,R3")
    assert run.rc != 0
    result = run.task(CONVERGE, "R2")
    assert result["failed"] and result["confirmed"] is False, result
    assert "configure confirm" in lab.lines("R2")
    if fault == "rejected":
        assert "the device rejected 'configure confirm'" in result["msg"]
        assert "the archive rolls the change back within 1 minute(s)" in result["msg"]
        assert has_line(lab.running("R2"), "crypto map MYMAP 100 ipsec-isakmp")
        assert "Time remaining" in lab.show("R2", "show archive config rollback timer")
    else:
        assert "the rollback timer fired before 'configure confirm' arrived" in result["msg"]
        assert lab.running("R2") == before
    # a failed confirm is never saved
    assert "crypto map MYMAP 100" not in lab.show("R2", "show startup-config")
    assert PSK not in run.output
