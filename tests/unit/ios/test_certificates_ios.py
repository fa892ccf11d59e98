"""Certificate tunnels on IOS: render, push to the simulated router, a second run changes nothing, teardown;
identities and trustpoints agree with the strongSwan peer's expectations before any push. Expected lines are
written from Cisco's command syntax (crypto pki trustpoint / enrollment terminal / revocation-check, IKEv2 profile
authentication rsa-sig, pki trustpoint, match identity remote fqdn) and from the certificates built here."""

import datetime
import importlib.util
import os
import sys

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import masking, planner
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentErrors
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import push, render
from cryptography.hazmat.primitives.asymmetric import rsa

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)
from tests.unit.ios.test_push import SimDevice, world  # noqa: E402

_spec = importlib.util.spec_from_file_location("lab_pki", os.path.join(REPO, "lab", "pki.py"))
labpki = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(labpki)
UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def creds():
    start, end = datetime.datetime(2026, 1, 1, tzinfo=UTC), datetime.datetime(2027, 1, 1, tzinfo=UTC)
    ca, ca_key = labpki.make_ca("Lab CA", start, end)
    out = {"ca": labpki.cert_pem(ca)}
    for name, addr in (("R2", "202.100.1.1"), ("R3", "202.100.1.2"), ("gw", "202.100.1.3")):
        # IOS rsa-sig needs RSA keys; the strongSwan end keeps the lab's EC key
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if name != "gw" else None
        cert, key = labpki.make_leaf(ca, ca_key, name.lower(), start, end, ["%s.lab.test" % name.lower()], [addr],
                                     key=key)
        out[name] = {"certificate": labpki.cert_pem(cert), "private_key": labpki.key_pem(key), "ca": out["ca"]}
    return out


def intent(creds, version=2, revocation=None):
    gateways = {}
    for name, addr, lan, platform in (("R2", "202.100.1.1/24", "172.16.1.0/24", "ios"),
                                      ("R3", "202.100.1.2/24", "172.16.2.0/24", "ios"),
                                      ("gw", "202.100.1.3/24", "172.16.3.0/24", "strongswan")):
        gateways[name] = {"platform": platform, "outside_interface": "Serial0" if platform == "ios" else "eth1",
                          "outside_address": addr, "protected_networks": [lan], "pki": dict(creds[name])}
    if revocation:
        gateways["R2"]["pki"]["revocation_check"] = revocation
    return {
        "crypto_profiles": {"certs": {
            "ike": {"version": version, "authentication": "certificate",
                    "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
            "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}]}}},
        "gateways": gateways,
        "tunnels": [
            {"name": "r2-r3", "profile": "certs", "a": {"gateway": "R2"}, "b": {"gateway": "R3"}},
            {"name": "r2-gw", "profile": "certs", "a": {"gateway": "R2"}, "b": {"gateway": "gw"}},
        ],
    }


def nodes(data, host):
    return render.intended_nodes(planner.plan_host(data, host))


def test_rendered_ikev2_certificate_lines(creds):
    text = render.render_text(planner.plan_host(intent(creds), "R2"))
    for line in ("crypto pki trustpoint IPSEC-VPN", " enrollment terminal", " revocation-check none",
                 "crypto ikev2 profile IKEV2-r2-gw", " match identity remote fqdn gw.lab.test",
                 " identity local fqdn r2.lab.test", " authentication remote rsa-sig", " authentication local rsa-sig",
                 " pki trustpoint IPSEC-VPN", " match identity remote fqdn r3.lab.test"):
        assert line in text.splitlines(), line
    assert "keyring" not in text and "pre-shared" not in text
    assert "BEGIN" not in text and "PRIVATE" not in text


def test_the_strongswan_peer_expects_what_the_router_presents(creds):
    gw = planner.plan_host(intent(creds), "gw")["tunnels"][0]
    r2 = planner.plan_host(intent(creds), "R2")
    profile = next(p for p in r2["ikev2"]["profiles"] if p["tunnel"] == "r2-gw")
    assert gw["remote_id"] == profile["identity_local"] == "r2.lab.test"
    assert profile["match_identity_remote"] == gw["local_id"] == "gw.lab.test"
    assert profile["trustpoint"] == r2["pki"]["trustpoint"] == "IPSEC-VPN"
    assert r2["pki"]["ca"][0]["fingerprint_sha256"] == planner.plan_host(intent(creds), "gw")["pki"]["ca"][0][
        "fingerprint_sha256"]


def test_push_then_nothing_left_to_do_then_teardown(creds):
    lab = world()
    data = intent(creds, revocation="crl")
    first = push.converge(SimDevice(lab, "R2"), nodes(data, "R2"))
    assert first["converged"], first.get("not_converged")
    assert "crypto pki trustpoint IPSEC-VPN" in first["commands"]
    assert "revocation-check crl" in first["commands"]
    text = lab.run("R2", "show running-config")
    assert "crypto pki trustpoint IPSEC-VPN\n enrollment terminal\n" in text
    assert "revocation-check" not in text  # crl is IOS's default: not shown
    assert " pki trustpoint IPSEC-VPN" in text
    assert " remark pki-trustpoint IPSEC-VPN" in text
    second = push.converge(SimDevice(lab, "R2"), nodes(data, "R2"))
    assert second["changed"] is False and second["commands"] == []
    gone = push.converge(SimDevice(lab, "R2"), [])
    assert "no crypto pki trustpoint IPSEC-VPN" in gone["commands"] and gone["converged"]
    assert "crypto pki" not in lab.run("R2", "show running-config")


def test_ikev1_certificate_tunnel_sets_the_isakmp_identity(creds):
    data = intent(creds, version=1)
    data["gateways"]["R2"]["pki"]["identity"] = "202.100.1.1"
    data["gateways"]["R3"]["pki"]["identity"] = "202.100.1.2"
    data["tunnels"] = data["tunnels"][:1]
    plan = planner.plan_host(data, "R2")
    assert plan["isakmp_identity"] == "address"
    assert plan["isakmp_policies"][0]["authentication"] == "rsa-sig"
    data["gateways"]["R2"]["pki"].pop("identity")
    data["gateways"]["R3"]["pki"].pop("identity")
    plan = planner.plan_host(data, "R2")
    assert plan["isakmp_identity"] == "hostname"
    lab = world()
    result = push.converge(SimDevice(lab, "R2"), render.intended_nodes(plan))
    assert result["converged"] and "crypto isakmp identity hostname" in result["commands"]
    assert "crypto isakmp identity hostname" in lab.run("R2", "show running-config")
    assert push.converge(SimDevice(lab, "R2"), render.intended_nodes(plan))["commands"] == []


def test_a_dn_remote_identity_is_refused_on_ios(creds):
    data = intent(creds)
    data["gateways"]["gw"]["pki"]["identity"] = "C=DE, O=ipsec.vpn lab, CN=gw"
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(data)
    found = [(e.path, e.message) for e in info.value.errors]
    # the one-word rule of IOS identities (intent_checks) names the peer's id too
    assert ("tunnels[1].b.id", "'C=DE, O=ipsec.vpn lab, CN=gw' cannot be an IKE identity on R2: IOS takes one word "
            "of printable ASCII without '?' (an address or a host name)") in found
    assert [f for f in found if f[0] != "tunnels[1].b.id"] == [(
        "tunnels[1].a.remote_id",
        "IOS matches a peer's certificate identity by address, FQDN or e-mail, not by distinguished name ('C=DE, "
        "O=ipsec.vpn lab, CN=gw'); give the peer's FQDN or address (or set the peer's pki.identity to one)")]


def test_no_key_or_body_in_the_push_result(creds):
    lab = world()
    result = push.converge(SimDevice(lab, "R2"), nodes(intent(creds), "R2"))
    text = repr(masking.mask(result))
    assert "PRIVATE KEY" not in text and "BEGIN CERTIFICATE" not in text


def test_an_ec_key_is_refused_on_ios(creds):
    data = intent(creds)
    data["gateways"]["R3"]["platform"] = "ios"
    data["gateways"]["R3"]["pki"] = dict(creds["gw"])  # EC key, and a certificate for gw.lab.test
    with pytest.raises(IntentErrors) as info:
        planner.plan_all(data)
    assert ("gateways.R3.pki.private_key", "CERT_KEY_TYPE", "IOS authenticates certificate tunnels with rsa-sig, "
            "which needs an RSA key; this key is not one") in [(e.path, e.code, e.message) for e in info.value.errors]
