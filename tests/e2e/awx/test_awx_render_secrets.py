"""ipsec.vpn.render run the way an AWX job template runs it, through ansible-runner.

The private data dir is laid out as AWX lays it: the project's inventory (``inventories/example``, a mixed IOS and
strongSwan deployment), the keys injected by a custom credential type as a file whose path comes in an environment
variable, one key vaulted with a vault password that a credential injects as a file. Every key is unique and high-entropy, generated
for the run, so that a match means a leak and never an ordinary word.

Asserted: the job events and the ``set_stats`` data (AWX job artifacts) describe what was rendered, and no key
appears in stdout, in any event or in any file of the artifacts, at verbosity 0 and 3, in any of the forms a key
takes on its way (plain, quoted, base64 at every byte alignment, swanctl's ``0s`` form).
"""

import base64
import json
import os
import secrets
import shutil
import subprocess
import sys

import ansible_runner
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
EXAMPLE = os.path.join(REPO, "inventories", "example")
KEY_VARS = ["vault_psk_hq_branch7", "vault_psk_hq_dc1", "vault_psk_hq_dc2", "vault_psk_mesh"]
VAULTED = "vault_psk_mesh"
IOS_HOSTS = ["branch-rtr7", "hq-rtr1"]
STRONGSWAN_HOSTS = ["cloud-gw3", "dc1-gw", "dc2-gw"]


def key_forms(key):
    """Every spelling of ``key`` that could carry it out: plain, quoted, base64 of the key alone and inside a longer
    base64 text (each of the three byte alignments, edge characters that depend on neighbours dropped)."""
    forms = {key, '"%s"' % key, "'%s'" % key}
    raw = key.encode()
    alone = base64.b64encode(raw).decode()
    forms.update({alone, "0s" + alone, base64.urlsafe_b64encode(raw).decode()})
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode().rstrip("=")
        start = (shift * 4 + 2) // 3 + (1 if shift else 0)
        forms.add(encoded[start:-2])
    assert all(len(form) >= 16 for form in forms)
    return forms


def test_key_forms_find_a_key_inside_a_base64_blob():
    """The alignment-shifted forms are what finds a key embedded in a longer base64 payload."""
    key = secrets.token_hex(16)
    for prefix in (b"", b"a", b"ab", b"abc", b"psk: "):
        blob = base64.b64encode(prefix + key.encode() + b"\n").decode()
        assert any(form in blob for form in key_forms(key)), prefix
    assert not any(form in base64.b64encode(secrets.token_hex(16).encode()).decode() for form in key_forms(key))


@pytest.fixture(autouse=True)
def venv_on_path(monkeypatch):
    """ansible-runner looks ansible-playbook up on PATH; use the venv that runs the tests."""
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))


def _job(tmp_path, keys):
    """The private data dir of one job: project inventory, credential-injected env and vault password file."""
    pdd = tmp_path / "job"
    shutil.copytree(EXAMPLE, pdd / "inventory", ignore=shutil.ignore_patterns("vault.yml", "vault-password.txt"))
    vault_password = secrets.token_hex(24)
    vault_file = tmp_path / "credential-vault-password"
    vault_file.write_text(vault_password + "\n")
    vaulted = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-vault"), "encrypt_string",
         "--vault-password-file", str(vault_file), "--name", VAULTED, keys[VAULTED]],
        capture_output=True, text=True, check=True).stdout
    # The credential type's file injector writes the keys to a private file and its env injector passes only the
    # path: ansible-runner records the job's environment in its artifacts (``command``), so a key must never be an
    # environment value.
    keys_file = tmp_path / "credential-keys.yml"
    keys_file.write_text("".join("%s: %s\n" % (name, keys[name]) for name in KEY_VARS if name != VAULTED))
    os.chmod(keys_file, 0o600)
    lines = ["---", "# Keys from the credential's injected file (and one vaulted key)."]
    lines += ["%s: \"{{ (lookup('ansible.builtin.file', lookup('ansible.builtin.env', 'IPSEC_VPN_KEYS_FILE'))"
              " | from_yaml)['%s'] }}\"" % (name, name) for name in KEY_VARS if name != VAULTED]
    (pdd / "inventory" / "group_vars" / "all" / "keys.yml").write_text("\n".join(lines) + "\n" + vaulted)
    (pdd / "env").mkdir()
    envvars = dict(
        IPSEC_VPN_KEYS_FILE=str(keys_file),
        ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"),
        ANSIBLE_VAULT_PASSWORD_FILE=str(vault_file),
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
    )
    (pdd / "env" / "envvars").write_text(json.dumps(envvars))
    return pdd


@pytest.mark.parametrize("verbosity", [0, 3])
def test_render_job_publishes_stats_and_leaks_no_key(tmp_path, verbosity):
    keys = {name: secrets.token_hex(20) for name in KEY_VARS}
    pdd = _job(tmp_path, keys)
    out_dir = tmp_path / "outputs"
    result = ansible_runner.run(private_data_dir=str(pdd), playbook="ipsec.vpn.render",
                                extravars={"ipsec_vpn_build_dir": str(out_dir)}, verbosity=verbosity, quiet=True)
    stdout = result.stdout.read()
    assert result.status == "successful", stdout[-3000:]
    assert result.rc == 0

    # The keys really went through the job: the private rendered files hold them, in their device forms.
    hq = (out_dir / "ios" / "hq-rtr1.cfg").read_text()
    assert keys["vault_psk_hq_branch7"] in hq and keys["vault_psk_hq_dc1"] in hq
    mesh_secret = "0s" + base64.b64encode(keys[VAULTED].encode()).decode()
    assert mesh_secret in (out_dir / "strongswan" / "dc1-gw" / "conf.d" / "ipsec-vpn-keys.secrets.conf").read_text()

    events = list(result.events)
    by_type = {}
    for event in events:
        by_type.setdefault(event["event"], []).append(event)
    assert "runner_on_failed" not in by_type and "runner_on_unreachable" not in by_type
    rendered = sorted(e["event_data"]["host"] for e in by_type["runner_on_ok"]
                      if e["event_data"]["task"] == "Render the IOS configuration")
    assert rendered == IOS_HOSTS
    swanctl = sorted(e["event_data"]["host"] for e in by_type.get("runner_on_ok", []) + by_type.get("runner_on_skipped", [])
                     if e["event_data"]["task"] == "Render this gateway's swanctl files" and e["event"] == "runner_on_ok")
    assert swanctl == STRONGSWAN_HOSTS
    [stats_event] = by_type["playbook_on_stats"]
    assert sorted(stats_event["event_data"]["ok"]) == sorted(IOS_HOSTS + STRONGSWAN_HOSTS)
    assert not stats_event["event_data"]["failures"]

    # set_stats: what AWX keeps as the job's artifacts.
    artifact = stats_event["event_data"]["artifact_data"]["ipsec_vpn_render"]
    assert artifact["output_dir"] == str(out_dir)
    assert sorted(artifact["hosts"]) == sorted(IOS_HOSTS + STRONGSWAN_HOSTS)
    for host in IOS_HOSTS:
        assert artifact["hosts"][host] == ["ios/%s.cfg" % host, "ios/%s.masked.cfg" % host, "plans/%s.json" % host]
    for host in STRONGSWAN_HOSTS:
        on_disk = sorted(os.path.relpath(os.path.join(folder, name), out_dir)
                         for folder, _dirs, files in os.walk(out_dir / "strongswan" / host) for name in files)
        assert "strongswan/%s/conf.d/ipsec-vpn-keys.secrets.conf" % host in on_disk
        assert artifact["hosts"][host] == sorted(["plans/%s.json" % host] + on_disk)

    # No key anywhere the job leaves behind: stdout, events, every artifact file.
    haystacks = {"stdout": stdout, "events": json.dumps(events)}
    artifacts = pdd / "artifacts"
    files = [os.path.join(folder, name) for folder, _dirs, names in os.walk(artifacts) for name in names]
    assert any(path.endswith("stdout") for path in files) and any("job_events" in path for path in files)
    for path in files:
        with open(path, "rb") as handle:
            haystacks[os.path.relpath(path, artifacts)] = handle.read().decode("utf-8", "replace")
    leaks = sorted("%s in %s" % (name, where) for name, key in keys.items() for form in key_forms(key)
                   for where, text in haystacks.items() if form in text)
    assert leaks == []
