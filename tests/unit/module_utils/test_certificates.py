"""Certificate checks (plugins/module_utils/certificates.py) against PKIs built here with fixed times.

The expected subjects, identities and dates are the ones this file puts into the certificates it builds.
"""

import datetime
import importlib.util
import os

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import certificates as certs
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentError

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
_spec = importlib.util.spec_from_file_location("lab_pki", os.path.join(REPO_ROOT, "lab", "pki.py"))
pki = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pki)

UTC = datetime.timezone.utc
START = datetime.datetime(2026, 1, 1, tzinfo=UTC)
END = datetime.datetime(2027, 1, 1, tzinfo=UTC)
NOW = datetime.datetime(2026, 6, 1, tzinfo=UTC)
PATHS = {
    "certificate": "gateways.hub.certificate",
    "private_key": "gateways.hub.private_key",
    "ca": "gateways.hub.ca",
    "identity": "gateways.hub.identity",
    "remote_identity": "tunnels[0].a.remote_identity",
}
PEER_PATHS = {k: v.replace("hub", "spoke").replace(".a.", ".b.") for k, v in PATHS.items()}


@pytest.fixture(scope="module")
def world():
    ca, ca_key = pki.make_ca("Corp CA", START, END)
    other, other_key = pki.make_ca("Other CA", START, END, organisation="Elsewhere")
    hub, hub_key = pki.make_leaf(ca, ca_key, "hub", START, END, ["hub.corp.test"], ["100.64.0.11"])
    spoke, spoke_key = pki.make_leaf(ca, ca_key, "spoke", START, END, ["spoke.corp.test"], ["100.64.0.12"])
    stranger, stranger_key = pki.make_leaf(other, other_key, "spoke", START, END, ["spoke.corp.test"])
    bare, bare_key = pki.make_leaf(ca, ca_key, "bare", START, END)
    pem = {n: pki.cert_pem(c) for n, c in
           dict(ca=ca, other=other, hub=hub, spoke=spoke, stranger=stranger, bare=bare).items()}
    key = {n: pki.key_pem(k) for n, k in
           dict(hub=hub_key, spoke=spoke_key, stranger=stranger_key, bare=bare_key).items()}
    return pem, key


def codes(errors):
    return [(e.path, e.code) for e in errors]


def test_summary_names_subject_sans_and_dates(world):
    pem, _unused = world
    facts = certs.summary(certs.load_certificate(pem["hub"], "x"))
    assert facts["subject"] == "C=DE, O=ipsec.vpn lab, CN=hub"
    assert facts["issuer"] == "C=DE, O=ipsec.vpn lab, CN=Corp CA"
    assert facts["dns_names"] == ["hub.corp.test"] and facts["ip_addresses"] == ["100.64.0.11"]
    assert facts["not_after"] == "2027-01-01T00:00:00+00:00" and facts["is_ca"] is False
    assert len(facts["fingerprint_sha256"]) == 64


def test_a_good_end_has_no_error_and_presents_its_dns_name(world):
    pem, key = world
    errors, facts = certs.check_end(PATHS, pem["hub"], key["hub"], [pem["ca"]])
    assert errors == []
    assert facts["identity"] == "hub.corp.test"
    assert facts["ca_subjects"] == ["C=DE, O=ipsec.vpn lab, CN=Corp CA"]


def test_without_a_san_the_default_identity_is_the_subject_dn(world):
    pem, key = world
    _unused, facts = certs.check_end(PATHS, pem["bare"], key["bare"], [pem["ca"]])
    assert facts["identity"] == "C=DE, O=ipsec.vpn lab, CN=bare"


def test_missing_fields_are_named(world):
    errors, facts = certs.check_end(PATHS, None, "", [])
    assert codes(errors) == [("gateways.hub.certificate", "INVALID"), ("gateways.hub.private_key", "INVALID"),
                             ("gateways.hub.ca", "INVALID")]
    assert facts is None


def test_a_key_of_another_certificate_is_refused(world):
    pem, key = world
    errors, _unused = certs.check_end(PATHS, pem["hub"], key["spoke"], [pem["ca"]])
    assert codes(errors) == [("gateways.hub.private_key", "CERT_KEY_MISMATCH")]
    assert "does not belong to certificate 'C=DE, O=ipsec.vpn lab, CN=hub'" in errors[0].message
    assert "PRIVATE KEY" not in str(errors[0])


def test_a_certificate_of_another_ca_is_refused(world):
    pem, key = world
    errors, _unused = certs.check_end(PATHS, pem["stranger"], key["stranger"], [pem["ca"]])
    assert codes(errors) == [("gateways.hub.certificate", "CERT_UNTRUSTED")]


def test_an_identity_the_certificate_cannot_prove(world):
    pem, key = world
    errors, _unused = certs.check_end(PATHS, pem["hub"], key["hub"], [pem["ca"]], identity="vpn.corp.test")
    assert codes(errors) == [("gateways.hub.identity", "CERT_IDENTITY")]
    assert errors[0].message.startswith("'vpn.corp.test' is not proven by certificate 'C=DE, O=ipsec.vpn lab, CN=hub'")


@pytest.mark.parametrize("identity, proven", [
    ("hub.corp.test", True),
    ("HUB.corp.test.", True),
    ("100.64.0.11", True),
    ("100.64.0.12", False),
    ("C=DE, O=ipsec.vpn lab, CN=hub", True),
    ("C=DE,O=ipsec.vpn lab,CN=hub", True),
    ("CN=hub, O=ipsec.vpn lab, C=DE", False),  # a DN is an ordered sequence
    ("admin@corp.test", False),
])
def test_what_a_certificate_proves(world, identity, proven):
    pem, _unused = world
    assert certs.proves(certs.load_certificate(pem["hub"], "x"), identity) is proven


def test_validity_window_with_a_fixed_clock(world):
    pem, _unused = world
    cert = certs.load_certificate(pem["hub"], "x")
    assert certs.check_validity(cert, "p", NOW) == ([], [])
    errors, _unused = certs.check_validity(cert, "p", datetime.datetime(2025, 12, 31, tzinfo=UTC))
    assert codes(errors) == [("p", "CERT_NOT_YET_VALID")]
    errors, _unused = certs.check_validity(cert, "p", datetime.datetime(2027, 1, 2, tzinfo=UTC))
    assert codes(errors) == [("p", "CERT_EXPIRED")]
    assert errors[0].message.endswith("expired on 2027-01-01T00:00:00+00:00")
    _unused, warnings = certs.check_validity(cert, "p", datetime.datetime(2026, 12, 20, tzinfo=UTC))
    assert codes(warnings) == [("p", "CERT_EXPIRES_SOON")]
    assert "in 12 day(s) (warning threshold 30 days)" in warnings[0].message
    assert certs.check_validity(cert, "p", datetime.datetime(2026, 12, 20, tzinfo=UTC), warning_days=5) == ([], [])
    with pytest.raises(ValueError):
        certs.check_validity(cert, "p", datetime.datetime(2026, 6, 1))


def _end(world, who, paths, remote_identity=None, ca="ca"):
    pem, _unused = world
    cert = certs.load_certificate(pem[who], "x")
    return {"paths": paths, "cert_pem": pem[who], "ca_pems": [pem[ca]],
            "identity": certs.default_identity(cert), "remote_identity": remote_identity}


def test_a_matching_pair_passes(world):
    assert certs.check_pair(_end(world, "hub", PATHS, "spoke.corp.test"),
                            _end(world, "spoke", PEER_PATHS, "hub.corp.test")) == []


def test_a_peer_signed_by_another_ca_is_caught_before_any_push(world):
    errors = certs.check_pair(_end(world, "hub", PATHS), _end(world, "stranger", PEER_PATHS, ca="other"))
    assert codes(errors) == [("gateways.hub.ca", "CERT_PEER_UNTRUSTED"), ("gateways.spoke.ca", "CERT_PEER_UNTRUSTED")]
    assert "issuer 'C=DE, O=Elsewhere, CN=Other CA'" in errors[0].message


def test_an_expected_identity_the_peer_cannot_prove(world):
    errors = certs.check_pair(_end(world, "hub", PATHS, "branch.corp.test"), _end(world, "spoke", PEER_PATHS))
    assert codes(errors) == [("tunnels[0].a.remote_identity", "CERT_PEER_IDENTITY"),
                             ("tunnels[0].a.remote_identity", "CERT_PEER_IDENTITY")]
    assert errors[0].message.startswith("expects 'branch.corp.test', which the peer's certificate")
    assert errors[1].message == "expects 'branch.corp.test' but the peer presents 'spoke.corp.test'"


def test_an_expected_identity_the_peer_proves_but_does_not_present(world):
    # the spoke presents its DNS name; the hub expects its address, which the certificate also proves
    errors = certs.check_pair(_end(world, "hub", PATHS, "100.64.0.12"), _end(world, "spoke", PEER_PATHS))
    assert errors == [IntentError("tunnels[0].a.remote_identity",
                                  "expects '100.64.0.12' but the peer presents 'spoke.corp.test'",
                                  code="CERT_PEER_IDENTITY")]


def test_garbage_is_refused_without_echoing_it():
    with pytest.raises(IntentError) as caught:
        certs.load_certificate("hello", "gateways.hub.certificate")
    assert str(caught.value) == "gateways.hub.certificate: is not a PEM certificate (no BEGIN CERTIFICATE block)"
    secret = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldA==\n-----END PRIVATE KEY-----\n"
    with pytest.raises(IntentError) as caught:
        certs.load_private_key(secret, "gateways.hub.private_key")
    assert "c2VjcmV0" not in str(caught.value)


def test_the_lab_pki_writes_keys_0600(tmp_path):
    written = pki.write_lab_pki(str(tmp_path / "pki"), {"site1": "100.64.0.11", "site2": "100.64.0.12"})
    assert sorted(written) == sorted(["ca.pem", "ca.key", "site1.pem", "site1.key", "site2.pem", "site2.key",
                                      "other-ca.pem", "other-ca.key", "other-site1.pem", "other-site1.key"])
    assert os.stat(tmp_path / "pki").st_mode & 0o777 == 0o700
    assert os.stat(tmp_path / "pki" / "site1.key").st_mode & 0o777 == 0o600
    site1 = certs.load_certificate((tmp_path / "pki" / "site1.pem").read_text(), "x")
    ca = certs.load_certificate((tmp_path / "pki" / "ca.pem").read_text(), "x")
    assert certs.proves(site1, "site1.lab.test") and certs.proves(site1, "100.64.0.11")
    assert certs.issued_by(site1, ca)
    other = certs.load_certificate((tmp_path / "pki" / "other-site1.pem").read_text(), "x")
    assert not certs.chains_to(other, [ca])
