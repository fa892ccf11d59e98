"""The ipsec.vpn.plan action with certificate intents: files read on the controller (relative to where
ansible-playbook runs), the validity step at an explicit 'now', and no key or certificate body in any output."""

import datetime
import importlib.util
import os

import playbook_runner
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
COLLECTIONS = os.path.join(REPO, "build", "collections")
_spec = importlib.util.spec_from_file_location("lab_pki", os.path.join(REPO, "lab", "pki.py"))
labpki = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(labpki)
UTC = datetime.timezone.utc


def setup(tmp_path):
    start, end = datetime.datetime(2026, 1, 1, tzinfo=UTC), datetime.datetime(2027, 1, 1, tzinfo=UTC)
    ca, ca_key = labpki.make_ca("Lab CA", start, end)
    (tmp_path / "pki").mkdir()
    (tmp_path / "pki" / "ca.pem").write_text(labpki.cert_pem(ca))
    for name, addr in (("site1", "100.64.0.11"), ("site2", "100.64.0.12")):
        cert, key = labpki.make_leaf(ca, ca_key, name, start, end, ["%s.lab.test" % name], [addr])
        (tmp_path / "pki" / (name + ".pem")).write_text(labpki.cert_pem(cert))
        (tmp_path / "pki" / (name + ".key")).write_text(labpki.key_pem(key))
    gateways = {}
    for name, addr, net in (("site1", "100.64.0.11", "10.11.0.0/24"), ("site2", "100.64.0.12", "10.12.0.0/24")):
        gateways[name] = {"platform": "strongswan", "outside_interface": "eth1", "outside_address": addr + "/24",
                          "protected_networks": [net],
                          "pki": {"certificate_file": "pki/%s.pem" % name, "private_key_file": "pki/%s.key" % name,
                                  "ca_files": ["pki/ca.pem"]}}
    intent = {
        "crypto_profiles": {"certs": {
            "ike": {"authentication": "certificate",
                    "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
            "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}]}}},
        "gateways": gateways,
        "tunnels": [{"name": "t1", "profile": "certs", "a": {"gateway": "site1"}, "b": {"gateway": "site2"}}],
    }
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump({"all": {
        "hosts": {"site1": {"ansible_connection": "local"}}, "vars": {"ipsec_vpn_intent": intent}}}))
    (tmp_path / "play.yml").write_text(yaml.safe_dump([{
        "hosts": "site1", "gather_facts": False, "tasks": [
            {"name": "plan", "ipsec.vpn.plan": None, "register": "result"},
            {"name": "show", "ansible.builtin.debug": {"var": "result.plan_masked"}},
            {"name": "check", "ansible.builtin.assert": {"quiet": True, "that": [
                "result.plan.tunnels[0].local_id == 'site1.lab.test'",
                "result.plan.tunnels[0].remote_id == 'site2.lab.test'",
                "'PRIVATE KEY' in result.plan.pki.private_key_pem",
                "result.plan_masked.pki.private_key_pem == '********'"]}}]}]))


def run(tmp_path, *extra):
    res = playbook_runner.run("play.yml", "inventory.yml", "-v", *extra, workdir=tmp_path, home=str(tmp_path / "home"),
                              timeout=300)
    return res.returncode, res.output


def test_files_are_read_and_nothing_secret_is_printed(tmp_path):
    setup(tmp_path)
    rc, out = run(tmp_path, "-e", "ipsec_vpn_now=2026-06-01T00:00:00+00:00")
    assert rc == 0, out
    assert "PRIVATE KEY" not in out and "BEGIN CERTIFICATE" not in out
    assert '"fingerprint_sha256"' in out  # the masked plan was printed, with the certificate's facts


def test_expired_certificates_refuse_the_host(tmp_path):
    setup(tmp_path)
    rc, out = run(tmp_path, "-e", "ipsec_vpn_now=2027-03-01T00:00:00Z")
    assert rc != 0
    assert "- gateways.site1.pki.certificate_file: certificate 'C=DE, O=ipsec.vpn lab, CN=site1'" in out
    assert "expired on 2027-01-01T00:00:00+00:00" in out
    assert "- gateways.site2.pki.certificate_file: certificate 'C=DE, O=ipsec.vpn lab, CN=site2'" in out
    assert "PRIVATE KEY" not in out and "BEGIN CERTIFICATE" not in out


def test_expiry_soon_warns(tmp_path):
    setup(tmp_path)
    rc, out = run(tmp_path, "-e", "ipsec_vpn_now=2026-12-25T00:00:00+00:00")
    assert rc == 0, out
    assert "[WARNING]: site1: gateways.site1.pki.certificate_file: certificate 'C=DE, O=ipsec.vpn lab, CN=site1'" in out


def test_a_missing_file_is_named(tmp_path):
    setup(tmp_path)
    os.remove(str(tmp_path / "pki" / "site2.key"))
    rc, out = run(tmp_path)
    assert rc != 0
    assert "- gateways.site2.pki.private_key_file: cannot read 'pki/site2.key': No such file or directory" in out


def test_the_many_hosts_path_reads_files_and_checks_validity(tmp_path):
    setup(tmp_path)
    (tmp_path / "play.yml").write_text(yaml.safe_dump([{
        "hosts": "site1", "gather_facts": False, "tasks": [
            {"name": "plan", "run_once": True, "ipsec.vpn.plan": {"hosts": "{{ ansible_play_hosts_all }}"},
             "register": "result"},
            {"name": "check", "ansible.builtin.assert": {"quiet": True, "that": [
                "result.plans.site1.tunnels[0].remote_id == 'site2.lab.test'",
                "result.plans_masked.site1.pki.certificate_pem == '********'"]}}]}]))
    rc, out = run(tmp_path, "-e", "ipsec_vpn_now=2026-06-01T00:00:00+00:00")
    assert rc == 0, out
    rc, out = run(tmp_path, "-e", "ipsec_vpn_now=2027-03-01T00:00:00+00:00")
    assert rc != 0
    assert "- gateways.site1.pki.certificate_file: certificate 'C=DE, O=ipsec.vpn lab, CN=site1'" in out
    assert "Refused host: site1. No host of the play is changed." in out
