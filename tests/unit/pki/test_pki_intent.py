"""Certificate intents: gateways.<host>.pki, certificate profiles, identities, cross-peer certificate checks and the
validity step at a fixed 'now'. Certificates are built here (lab/pki.py) with fixed dates; expected subjects,
identities and paths are the ones this file puts into the certificates and the intent."""

import copy
import datetime
import importlib.util
import json
import os

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import masking, pki, planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
_spec = importlib.util.spec_from_file_location("lab_pki", os.path.join(REPO_ROOT, "lab", "pki.py"))
labpki = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(labpki)

UTC = datetime.timezone.utc
START = datetime.datetime(2026, 1, 1, tzinfo=UTC)
END = datetime.datetime(2027, 1, 1, tzinfo=UTC)
NOW = datetime.datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def world():
    ca, ca_key = labpki.make_ca("Corp CA", START, END)
    other, other_key = labpki.make_ca("Other CA", START, END, organisation="Elsewhere")
    out = {"ca": labpki.cert_pem(ca), "other": labpki.cert_pem(other)}
    for name, addr in (("hub", "100.64.0.11"), ("spoke", "100.64.0.12")):
        cert, key = labpki.make_leaf(ca, ca_key, name, START, END, ["%s.corp.test" % name], [addr])
        out[name], out[name + "_key"] = labpki.cert_pem(cert), labpki.key_pem(key)
    cert, key = labpki.make_leaf(other, other_key, "spoke", START, END, ["spoke.corp.test"], ["100.64.0.12"])
    out["stranger"], out["stranger_key"] = labpki.cert_pem(cert), labpki.key_pem(key)
    return out


def intent(world, hub_platform="strongswan", spoke_platform="strongswan", auth="certificate", version=2):
    def gw(name, addr, net, platform):
        return {
            "platform": platform,
            "outside_interface": "eth1" if platform == "strongswan" else "GigabitEthernet1",
            "outside_address": addr + "/24",
            "protected_networks": [net],
            "pki": {"certificate": world[name], "private_key": world[name + "_key"], "ca": world["ca"]},
        }

    return {
        "crypto_profiles": {
            "certs": {
                "ike": {"version": version, "authentication": auth,
                        "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
                "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}]},
            }
        },
        "gateways": {
            "hub": gw("hub", "100.64.0.11", "10.11.0.0/24", hub_platform),
            "spoke": gw("spoke", "100.64.0.12", "10.12.0.0/24", spoke_platform),
        },
        "tunnels": [{"name": "t1", "profile": "certs", "a": {"gateway": "hub"}, "b": {"gateway": "spoke"}}],
    }


def problems(data):
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(data)
    return [(e.path, e.code, e.message) for e in info.value.errors]


def test_identities_default_to_the_certificates_dns_names(world):
    plans = planner.plan_all(intent(world))
    hub = plans["hub"]["tunnels"][0]
    assert (hub["local_id"], hub["remote_id"]) == ("hub.corp.test", "spoke.corp.test")
    assert hub["ike"]["authentication"] == "rsa-sig" and hub["strongswan"]["local_auth"] == "pubkey"
    assert plans["hub"]["pki"]["identity"] == "hub.corp.test"
    assert plans["hub"]["pki"]["certificate"]["subject"] == "C=DE, O=ipsec.vpn lab, CN=hub"
    assert plans["hub"]["pki"]["ca"][0]["subject"] == "C=DE, O=ipsec.vpn lab, CN=Corp CA"
    assert [c["status"] for c in plans["hub"]["checks"]] == ["OK"]


def test_rsa_sig_is_a_synonym(world):
    assert planner.plan_all(intent(world, auth="rsa-sig")) == planner.plan_all(intent(world))


def test_the_masked_plan_holds_no_key_or_certificate_body(world):
    plan = planner.plan_host(intent(world), "hub")
    assert "PRIVATE KEY" in json.dumps(plan) and "BEGIN CERTIFICATE" in json.dumps(plan)
    text = json.dumps(masking.mask(plan))
    assert "PRIVATE KEY" not in text and "BEGIN CERTIFICATE" not in text
    assert masking.mask(plan)["pki"]["private_key_pem"] == "********"


def test_missing_pki_is_named(world):
    data = intent(world)
    del data["gateways"]["spoke"]["pki"]
    assert problems(data) == [(
        "gateways.spoke.pki", "CERT_MISSING",
        "required: tunnel 't1' uses certificate authentication (profile 'certs'); give the certificate, private key "
        "and CA chain")]


def test_missing_key_and_certificate_are_named(world):
    data = intent(world)
    del data["gateways"]["spoke"]["pki"]["private_key"]
    del data["gateways"]["hub"]["pki"]["certificate"]
    assert problems(data) == [
        ("gateways.hub.pki.certificate", "INVALID", "is required for certificate authentication"),
        ("gateways.spoke.pki.private_key", "INVALID", "is required for certificate authentication"),
    ]


def test_a_key_of_another_certificate_is_refused(world):
    data = intent(world)
    data["gateways"]["hub"]["pki"]["private_key"] = world["spoke_key"]
    [(path, code, message)] = problems(data)
    assert (path, code) == ("gateways.hub.pki.private_key", "CERT_KEY_MISMATCH")
    assert message.startswith("does not belong to certificate 'C=DE, O=ipsec.vpn lab, CN=hub' (SHA-256 ")
    assert message.endswith(") (the public keys differ)")
    assert "PRIVATE" not in message


def test_a_certificate_of_another_ca_is_refused_at_its_own_end(world):
    data = intent(world)
    data["gateways"]["spoke"]["pki"].update(certificate=world["stranger"], private_key=world["stranger_key"])
    [(path, code, message)] = problems(data)
    assert (path, code) == ("gateways.spoke.pki.certificate", "CERT_UNTRUSTED")
    assert "is not signed by any CA of gateways.spoke.pki.ca" in message


def test_wrong_ca_is_a_cross_peer_failure(world):
    # the spoke trusts only the other CA (which signs its own certificate): the hub's certificate is untrusted there
    data = intent(world)
    data["gateways"]["spoke"]["pki"].update(certificate=world["stranger"], private_key=world["stranger_key"],
                                            ca=world["other"])
    found = problems(data)
    assert [(p, c) for p, c, _m in found] == [("gateways.hub.pki.ca", "CERT_PEER_UNTRUSTED"),
                                              ("gateways.spoke.pki.ca", "CERT_PEER_UNTRUSTED")]
    assert "no CA here signs the peer's certificate 'C=DE, O=ipsec.vpn lab, CN=spoke'" in found[0][2]
    assert "(issuer 'C=DE, O=Elsewhere, CN=Other CA')" in found[0][2]


def test_an_identity_the_peer_certificate_cannot_prove(world):
    data = intent(world)
    data["tunnels"][0]["a"]["remote_id"] = "other.corp.test"
    found = problems(data)
    assert ("tunnels[0].a.remote_id", "IDENTITY_MISMATCH") in [(p, c) for p, c, _m in found]
    assert ("tunnels[0].a.remote_id", "CERT_PEER_IDENTITY",
            "expects 'other.corp.test', which the peer's certificate 'C=DE, O=ipsec.vpn lab, CN=spoke' (SHA-256 "
            + found[-1][2].split("(SHA-256 ")[1].split(")")[0] + ") cannot prove") in found


def test_an_own_identity_the_certificate_cannot_prove(world):
    data = intent(world)
    data["tunnels"][0]["b"]["id"] = "spoke.elsewhere.test"
    data["tunnels"][0]["a"]["remote_id"] = "spoke.elsewhere.test"
    found = problems(data)
    assert [(p, c) for p, c, _m in found][:1] == [("tunnels[0].b.id", "CERT_IDENTITY")]
    assert found[0][2].startswith("'spoke.elsewhere.test' is not proven by certificate 'C=DE, O=ipsec.vpn lab, "
                                  "CN=spoke'")


def test_an_address_identity_proven_by_the_ip_san(world):
    data = intent(world)
    data["gateways"]["spoke"]["pki"]["identity"] = "100.64.0.12"
    plan = planner.plan_host(data, "hub")
    assert plan["tunnels"][0]["remote_id"] == "100.64.0.12"


def test_revocation_and_trustpoint_choices(world):
    data = intent(world)
    data["gateways"]["hub"]["pki"].update(revocation_check="sometimes", trustpoint="bad name")
    assert [(p, m) for p, _c, m in problems(data)] == [
        ("gateways.hub.pki.trustpoint", "'bad name' is not a trustpoint name (letters, digits, '_', '.', '-')"),
        ("gateways.hub.pki.revocation_check", "'sometimes' is not one of none, crl, ocsp"),
    ]


def test_a_file_field_not_read_by_the_action(world):
    data = intent(world)
    data["gateways"]["hub"]["pki"]["certificate"] = None
    data["gateways"]["hub"]["pki"]["certificate_file"] = "pki/hub.pem"
    assert [(p, m) for p, _c, m in problems(data)] == [(
        "gateways.hub.pki.certificate_file",
        "'pki/hub.pem' was not read: file inputs are read on the controller by the ipsec.vpn.plan action (give the "
        "PEM text inline when calling the planner directly)")]


def test_a_file_read_by_the_action_counts_as_its_text(world):
    data = intent(world)
    text = data["gateways"]["hub"]["pki"].pop("certificate")
    data["gateways"]["hub"]["pki"]["certificate_file"] = {"path": "pki/hub.pem", "pem": text}
    assert planner.plan_host(data, "hub")["pki"]["certificate_pem"] == text


def test_both_inline_and_file_is_refused(world):
    data = intent(world)
    data["gateways"]["hub"]["pki"]["ca_files"] = [{"path": "ca.pem", "pem": world["ca"]}]
    assert [(p, m) for p, _c, m in problems(data)] == [
        ("gateways.hub.pki.ca_files", "give the CA chain either inline (ca) or as a file, not both")]


def test_validity_at_a_fixed_now(world):
    model = planner.prepared_for(intent(world)).model
    assert pki.validity(model, "hub", NOW) == ([], [])
    errors, _unused = pki.validity(model, "hub", datetime.datetime(2027, 2, 1, tzinfo=UTC))
    assert [(e.path, e.code) for e in errors] == [
        ("gateways.hub.pki.certificate", "CERT_EXPIRED"), ("gateways.hub.pki.ca[0]", "CERT_EXPIRED"),
        ("gateways.spoke.pki.certificate", "CERT_EXPIRED")]
    assert errors[0].message.endswith("expired on 2027-01-01T00:00:00+00:00")
    errors, _unused = pki.validity(model, "spoke", datetime.datetime(2025, 12, 1, tzinfo=UTC))
    assert errors[0].code == "CERT_NOT_YET_VALID"
    assert errors[0].message.endswith("is not valid before 2026-01-01T00:00:00+00:00")
    errors, warnings = pki.validity(model, "hub", datetime.datetime(2026, 12, 20, tzinfo=UTC))
    assert errors == [] and [w.code for w in warnings] == ["CERT_EXPIRES_SOON"] * 3
    assert "in 12 day(s) (warning threshold 30 days)" in warnings[0].message


def test_the_plan_does_not_depend_on_the_clock(world):
    # the plan holds no date but the certificates' own: planning twice gives identical JSON
    data = intent(world)
    first = json.dumps(planner.plan_all(copy.deepcopy(data)), sort_keys=True)
    assert first == json.dumps(planner.plan_all(copy.deepcopy(data)), sort_keys=True)


def test_a_key_given_for_a_certificate_profile_is_ignored_with_a_warning(world):
    data = intent(world)
    data["tunnels"][0]["psk"] = "demo-key"
    plan = planner.plan_host(data, "hub")
    assert plan["warnings"] == ["tunnel 't1': a pre-shared key is given (tunnels[0].psk) but profile 'certs' "
                                "authenticates with rsa-sig, so the key is ignored"]
    assert plan["tunnels"][0]["psk"] is None
