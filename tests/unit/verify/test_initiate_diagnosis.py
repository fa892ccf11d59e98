"""Causes read from real `swanctl --initiate` outputs of the lab (tests/fixtures/initiate/SOURCES.md)."""

import os

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils.initiate_diagnosis import DIAGNOSES, diagnose

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "fixtures", "initiate")


def _read(name):
    with open(os.path.join(FIXTURES, name + ".txt")) as handle:
        return handle.read()


@pytest.mark.parametrize("name", ["cert_ok", "psk_ok"])
def test_a_tunnel_that_came_up_has_no_diagnosis(name):
    assert diagnose(_read(name)) is None


# expected: the notify or complaint each capture shows (see SOURCES.md), mapped by hand to its cause
@pytest.mark.parametrize("name, code, evidence", [
    ("cert_untrusted_initiator", "P1_PEER_REFUSED_AUTH", "[IKE] received AUTHENTICATION_FAILED notify error"),
    ("cert_identity_initiator_expects", "P1_PEER_REFUSED_AUTH", "[IKE] received AUTHENTICATION_FAILED notify error"),
    ("psk_mismatch", "P1_PEER_REFUSED_AUTH", "[IKE] received AUTHENTICATION_FAILED notify error"),
    ("cert_initiator_distrusts", "P1_PEER_CERT_UNTRUSTED", "[IKE] no trusted ECDSA public key found for "
                                                           "'site2.lab.test'"),
    ("ike_proposal_mismatch", "P1_NO_PROPOSAL", "[IKE] received NO_PROPOSAL_CHOSEN notify error"),
    ("esp_proposal_mismatch", "P2_NO_PROPOSAL", "[IKE] received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built"),
    ("ts_mismatch", "P2_TS_UNACCEPTABLE", "[IKE] received TS_UNACCEPTABLE notify, no CHILD_SA built"),
    ("no_answer", "P1_NO_ANSWER", "[IKE] retransmit 1 of request with message ID 0"),
])
def test_each_failure_gets_its_cause_and_the_line_that_shows_it(name, code, evidence):
    found = diagnose(_read(name))
    assert found == {"code": code, "phase": DIAGNOSES[code][0], "cause": DIAGNOSES[code][1], "evidence": evidence}


def test_the_responders_own_log_names_a_key_mismatch():
    # site2's charon log line during psk_mismatch (the initiator only sees the notify)
    line = "14[IKE] tried 1 shared key for '100.64.0.12' - '100.64.0.11', but MAC mismatched"
    assert diagnose(line)["code"] == "P1_PSK_MISMATCH"


def test_an_identity_constraint_failure():
    assert diagnose("[IKE] constraint check failed: identity 'site9.lab.test' required")["code"] == "P1_PEER_IDENTITY"


def test_nothing_known_gives_no_diagnosis():
    assert diagnose("") is None and diagnose(None) is None
    assert diagnose("initiate failed: something new\n") is None


def _down_entry():
    return {"status": "down", "cause_code": "P1_NO_SA", "cause_phase": "phase1", "cause": "x",
            "detail": "no IKE SA named t1"}


def test_a_diagnosis_replaces_the_sa_based_cause_and_keeps_it_in_the_detail():
    from ansible_collections.ipsec.vpn.plugins.module_utils import verify
    entry = _down_entry()
    verify.apply_diagnosis(entry, _read("cert_untrusted_initiator"))
    assert entry["cause_code"] == "P1_PEER_REFUSED_AUTH"
    assert entry["cause"] == DIAGNOSES["P1_PEER_REFUSED_AUTH"][1]
    assert entry["detail"] == ("charon: [IKE] received AUTHENTICATION_FAILED notify error "
                               "(SA read: P1_NO_SA: no IKE SA named t1)")


def test_a_successful_initiation_keeps_the_cause_and_says_so():
    from ansible_collections.ipsec.vpn.plugins.module_utils import verify
    entry = _down_entry()
    verify.apply_diagnosis(entry, _read("psk_ok"))
    assert entry["cause_code"] == "P1_NO_SA"
    assert entry["detail"] == "no IKE SA named t1; it came up when initiated once more"


def test_an_up_tunnel_is_never_touched():
    from ansible_collections.ipsec.vpn.plugins.module_utils import verify
    entry = {"status": "up", "cause_code": None, "detail": None}
    verify.apply_diagnosis(entry, _read("psk_mismatch"))
    assert entry == {"status": "up", "cause_code": None, "detail": None}
