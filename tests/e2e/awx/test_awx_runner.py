"""AWX runs jobs with ansible-runner inside an execution environment: exercise both here.

* ansible-runner runs the planning playbook the way an AWX job template would (private data dir,
  inventory, extra vars, vault password from the environment), and no pre-shared key reaches its
  event stream.
* `scripts/ee.sh` writes the execution-environment build context with `ansible-builder create`.
"""

import json
import os
import shutil
import subprocess
import sys

import ansible_runner
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SEED = os.path.join(REPO, "inventories", "seed", "site_to_site")


@pytest.fixture(autouse=True)
def venv_on_path(monkeypatch):
    """ansible-runner looks ansible-playbook up on PATH; use the venv that runs the tests."""
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))


@pytest.fixture(name="private_data_dir")
def fixture_private_data_dir(tmp_path):
    """An AWX-style private data dir holding a copy of the seed inventory and the vault password."""
    pdd = tmp_path / "job"
    shutil.copytree(SEED, pdd / "inventory")
    (pdd / "env").mkdir()
    vault_file = tmp_path / "vault-password.txt"
    shutil.copy(os.path.join(REPO, "inventories", "seed", "vault-password.txt"), vault_file)
    (pdd / "env" / "envvars").write_text(
        json.dumps(
            {
                "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, "build", "collections"),
                "ANSIBLE_VAULT_PASSWORD_FILE": str(vault_file),
                "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
            }
        )
    )
    return pdd


def test_plan_job_runs_under_ansible_runner_without_leaking_psk(private_data_dir, tmp_path):
    out_dir = tmp_path / "plans"
    result = ansible_runner.run(
        private_data_dir=str(private_data_dir),
        playbook=os.path.join(REPO, "playbooks", "plan.yml"),
        extravars={"ipsec_vpn_build_dir": str(out_dir)},
        quiet=True,
    )
    assert result.status == "successful", result.stdout.read()
    assert result.rc == 0
    # Every host of the job reached the plan task and wrote its plan.
    assert sorted(os.listdir(out_dir)) == ["R2.json", "R3.json"]
    plan_r2 = json.loads((out_dir / "R2.json").read_text())
    assert plan_r2["tunnels"][0]["peer_address"] == "202.100.1.2"
    assert plan_r2["tunnels"][0]["psk"] != "cisco"

    # The seed PSK is the word "cisco"; look for it as a value, not as part of "cisco.ios".
    events = json.dumps(list(result.events))
    for leak in ('"psk": "cisco"', "key cisco address", "'psk': 'cisco'"):
        assert leak not in events
    stats = result.stats
    assert set(stats["ok"]) == {"R2", "R3"}
    assert not stats["failures"]


def test_job_fails_cleanly_on_a_bad_intent(private_data_dir, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"ipsec_vpn_intent": {"crypto_profiles": {}, "gateways": {}, "tunnels": [{"name": "x"}]}}))
    result = ansible_runner.run(
        private_data_dir=str(private_data_dir),
        playbook=os.path.join(REPO, "playbooks", "plan.yml"),
        cmdline=f"-e @{bad}",
        quiet=True,
    )
    assert result.status == "failed"
    stdout = result.stdout.read()
    assert "tunnels[0]" in stdout
    assert "Traceback" not in stdout


def test_execution_environment_context_is_written():
    subprocess.run([os.path.join(REPO, "scripts", "ee.sh")], check=True, cwd=REPO, capture_output=True)
    containerfile = os.path.join(REPO, "build", "ee", "Containerfile")
    with open(containerfile, encoding="utf-8") as handle:
        text = handle.read()
    assert "ansible-core==2.19.14" in text
    assert "ansible-galaxy collection install" in text
    assert "ipsec-vpn.tar.gz" in text
    context = os.path.join(REPO, "build", "ee", "_build")
    assert os.path.exists(os.path.join(context, "collections", "ipsec-vpn.tar.gz"))
    with open(os.path.join(context, "requirements.txt"), encoding="utf-8") as handle:
        assert "netaddr" in handle.read()
