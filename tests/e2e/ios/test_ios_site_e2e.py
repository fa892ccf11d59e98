"""End to end: playbooks/site.yml on simulated IOS routers (plan once, archive point, push in serial batches,
verify, roll a failed batch back, report)."""

import json
import os

import ios_e2e_helpers as e2e
import pytest
from ios_e2e_helpers import PSK, has_line


@pytest.fixture
def lab(tmp_path):
    lab = e2e.Lab(tmp_path)
    yield lab
    lab.stop()


def _report(lab):
    with open(os.path.join(lab.tmp, "reports", "rollout.json")) as handle:
        return {item["host"]: item for item in json.load(handle)["hosts"]}


def _site(lab, *extra):
    args = ["-e", "rollout_report_dir=%s" % os.path.join(lab.tmp, "reports"), "-e", "rollout_batch_size=1"]
    return lab.playbook("site.yml", e2e.seed_intent(), args=args + list(extra), limit="R2,R3")


def test_two_batches_push_verify_and_report(lab):
    run = _site(lab)
    assert run.rc == 0, run.output
    report = _report(lab)
    assert report["R2"]["batch"] == 1 and report["R2"]["status"] == "converged"
    assert report["R3"]["batch"] == 2 and report["R3"]["status"] == "converged"
    # R2's only peer came in batch 2: R3's batch verified the tunnel (SAs and a probe)
    assert report["R3"]["verified"] == "up", report
    assert report["R2"]["archive"] == "flash:archive-1"
    for host in ("R2", "R3"):
        lines = lab.lines(host)
        assert lines.index("archive config") < lines.index("configure terminal"), host
        assert not [line for line in lines if line.startswith("configure replace")], host
    assert has_line(lab.running("R3"), "crypto map MYMAP 100 ipsec-isakmp")
    assert "QM_IDLE" in lab.show("R2", "show crypto isakmp sa")
    assert PSK not in run.output
    assert PSK not in open(os.path.join(lab.tmp, "reports", "rollout.md")).read()


def test_a_batch_that_fails_verification_is_rolled_back_and_the_run_fails(lab):
    # Behind the planner's back, R3 drops inbound IKE: its push goes through, its tunnel cannot come up.
    lab.world.run("R3", "configure terminal", "ip access-list extended BLOCK-IKE", "deny udp any any eq isakmp",
                  "permit ip any any", "interface Serial0", "ip access-group BLOCK-IKE in", "end")
    before = {host: lab.running(host) for host in ("R2", "R3")}
    run = _site(lab)
    assert run.rc != 0
    report = _report(lab)
    assert report["R2"]["status"] == "converged", report
    r3 = report["R3"]
    assert r3["batch"] == 2 and r3["status"] == "rolled_back", r3
    assert r3["verified"] == "down"
    assert "Verify this host's tunnels" in r3["reason"] or "tunnel" in r3["reason"], r3
    assert any(line.startswith("crypto map MYMAP 100") for line in r3["undone"]), r3
    # R3 runs exactly its previous configuration again, saved; R2 keeps its new one (batch 1 is not affected)
    assert "configure replace flash:archive-1 force" in lab.lines("R3")
    assert lab.running("R3") == before["R3"]
    assert "crypto map MYMAP 100" not in lab.show("R3", "show startup-config")
    assert has_line(lab.running("R2"), "crypto map MYMAP 100 ipsec-isakmp")
    assert not [line for line in lab.lines("R2") if line.startswith("configure replace")]
    assert PSK not in run.output
