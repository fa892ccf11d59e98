"""AWX runs jobs with ansible-runner inside an execution environment: exercise both here.

* ansible-runner runs the planning playbook the way an AWX job template would (private data dir,
  inventory, extra vars, vault password from the environment), and no pre-shared key reaches its
  event stream.
* `scripts/ee.sh` writes the execution-environment build context with `ansible-builder create`, and
  ansible-builder's introspection finds the collection's own requirements (meta/execution-environment.yml).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import ansible_runner
import pytest
import yaml

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
    assert sorted(os.listdir(out_dir / "plans")) == ["R2.json", "R3.json"]
    plan_r2 = json.loads((out_dir / "plans" / "R2.json").read_text())
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


def test_execution_environment_context_is_written(tmp_path):
    """`ansible-builder create` (no container engine here): the context, and what the build would install."""
    subprocess.run([os.path.join(REPO, "scripts", "ee.sh")], check=True, cwd=REPO, capture_output=True)
    with open(os.path.join(REPO, "build", "ee", "Containerfile"), encoding="utf-8") as handle:
        text = handle.read()
    # A base image pinned to a version tag.
    base = re.search(r'^ARG EE_BASE_IMAGE="([^"]+)"$', text, re.M).group(1)
    name, tag = base.rsplit(":", 1)
    assert "/" in name and re.fullmatch(r"\d+(\.\d+)*", tag), base
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core==2.19.14 ansible-runner==2.4.3"' in text
    # The collection is installed in the galaxy stage, before the builder stage introspects the collections.
    galaxy_stage = text.split("FROM base AS galaxy", 1)[1].split("FROM base AS builder", 1)[0]
    assert "ansible-galaxy collection install --offline --no-deps -p /usr/share/ansible/collections " \
           "/tmp/ipsec-vpn.tar.gz" in galaxy_stage
    builder_stage = text.split("FROM base AS builder", 1)[1].split("FROM base AS final", 1)[0]
    assert builder_stage.index("COPY --from=galaxy /usr/share/ansible") < builder_stage.index("introspect.py introspect")

    context = os.path.join(REPO, "build", "ee", "_build")
    with open(os.path.join(context, "requirements.yml"), encoding="utf-8") as handle:
        galaxy_reqs = {c["name"]: c["version"] for c in yaml.safe_load(handle)["collections"]}
    with open(os.path.join(REPO, "galaxy.yml"), encoding="utf-8") as handle:
        assert galaxy_reqs == yaml.safe_load(handle)["dependencies"]
    tarball = os.path.join(context, "collections", "ipsec-vpn.tar.gz")
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
        meta = yaml.safe_load(tar.extractfile("meta/execution-environment.yml"))
    assert {meta["dependencies"]["python"], meta["dependencies"]["system"]} <= names
    assert "ee/execution-environment.yml" not in names

    # ansible-builder's own introspection, on the collection installed from that tarball, finds its requirements.
    collections = tmp_path / "collections"
    # --force: the repository's own link on ANSIBLE_COLLECTIONS_PATH would otherwise count as installed already.
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-galaxy"), "collection", "install",
                    "--offline", "--no-deps", "--force", "-p", str(collections), tarball], check=True,
                   capture_output=True)
    assert (collections / "ansible_collections" / "ipsec" / "vpn" / "meta" / "execution-environment.yml").is_file()
    found = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-builder"), "introspect",
                            "--sanitize", str(collections)], check=True, capture_output=True, text=True).stdout
    for line in ("netaddr>=1.3.0  # from collection ipsec.vpn", "ansible-pylibssh>=1.4.0  # from collection ipsec.vpn",
                 "openssh-client [platform:dpkg]  # from collection ipsec.vpn",
                 "iputils [platform:rpm]  # from collection ipsec.vpn"):
        assert line in found, found
