"""Tests of the algorithm table, keyword lookup, proposals and the weak-crypto policy."""

import os
import re
import subprocess
import sys

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils import algorithms as alg
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import (
    AclError,
    AlgorithmError,
    IntentError,
    IntentErrors,
)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

KIND_NAMES = {
    "encryption": list(alg.ENCRYPTION),
    "integrity": list(alg.INTEGRITY),
    "prf": list(alg.INTEGRITY),
    "ah_integrity": list(alg.INTEGRITY),
    "dh_group": list(alg.DH_GROUPS),
    "authentication": list(alg.AUTHENTICATION),
}


# --------------------------------------------------------------------------- errors and purity


def test_intent_error_str_and_fields():
    err = IntentError("tunnels[3].b.networks[0]", "'10.0.0.0/33' is not a prefix")
    assert str(err) == "tunnels[3].b.networks[0]: '10.0.0.0/33' is not a prefix"
    assert err.args == ("tunnels[3].b.networks[0]: '10.0.0.0/33' is not a prefix",)
    assert (err.path, err.code) == ("tunnels[3].b.networks[0]", "INVALID")
    assert isinstance(err, ValueError)
    assert IntentError("p", "m", code="PSK_MISMATCH").as_dict() == {"path": "p", "message": "m", "code": "PSK_MISMATCH"}
    assert IntentError("p", "m") == IntentError("p", "m")
    assert IntentError("p", "m") != IntentError("p", "m", code="X")
    assert str(IntentError("", "whole intent is empty")) == "whole intent is empty"


def test_intent_errors_lists_all_one_per_line():
    first = IntentError("tunnels[0].a", "unknown host 'r9'")
    second = IntentError("profiles.legacy", "DES is weak", code="WEAK_CRYPTO")
    errors = IntentErrors([first, IntentErrors([second])])
    assert errors.errors == [first, second]
    assert str(errors) == "tunnels[0].a: unknown host 'r9'\nprofiles.legacy: DES is weak"
    assert len(errors) == 2 and list(errors) == [first, second]
    assert errors.as_list()[1]["code"] == "WEAK_CRYPTO"
    assert isinstance(errors, ValueError)
    with pytest.raises(TypeError, match="holds IntentError instances"):
        IntentErrors(["not an error"])  # pylint: disable=pointless-exception-statement


def test_algorithm_and_acl_error_fields():
    err = AlgorithmError("m", algorithm="des", target="ios_ikev1", kind="encryption")
    assert (str(err), err.algorithm, err.target, err.kind) == ("m", "des", "ios_ikev1", "encryption")
    err = AclError("bad", text="permit ip any", field="destination")
    assert (str(err), err.text, err.field) == ("bad", "permit ip any", "destination")
    assert isinstance(err, ValueError)


def test_pure_core_does_not_import_ansible():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import ansible_collections.ipsec.vpn.plugins.module_utils.algorithms;"
        "import ansible_collections.ipsec.vpn.plugins.module_utils.acl;"
        "bad = [m for m in sys.modules if m == 'ansible' or m.startswith('ansible.')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    collections = os.path.join(REPO_ROOT, "build", "collections")
    proc = subprocess.run(
        [sys.executable, "-c", code, collections], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --------------------------------------------------------------------------- table shape


def test_required_canonical_names_present():
    for name in ("des", "3des", "aes128", "aes192", "aes256", "aes128gcm16", "aes256gcm16", "null"):
        assert name in alg.ENCRYPTION
    assert set(alg.INTEGRITY) == {"md5", "sha1", "sha256", "sha384", "sha512"}
    assert {1, 2, 5, 14, 15, 16, 19, 20, 21, 24, 31} <= set(alg.DH_GROUPS)
    assert alg.TARGETS == ("ios_ikev1", "ios_ikev2", "ios_transform", "strongswan")


@pytest.mark.parametrize("target", alg.TARGETS)
@pytest.mark.parametrize("kind", sorted(KIND_NAMES))
def test_every_algorithm_has_keyword_or_error_naming_target(target, kind):
    label = alg.TARGET_LABELS[target]
    for name in KIND_NAMES[kind]:
        try:
            value = alg.keyword(target, kind, name)
        except AlgorithmError as err:
            assert label in str(err), str(err)
            assert err.target == target
            assert " cannot be expressed for " in str(err)
            # a reason follows the colon
            assert str(err).split(label + ": ", 1)[1].strip()
        else:
            assert isinstance(value, str) and value.strip() == value and value


@pytest.mark.parametrize(
    "target, kind, name, expected",
    [
        ("ios_ikev1", "encryption", "des", "des"),
        ("ios_ikev1", "encryption", "3des", "3des"),
        ("ios_ikev1", "encryption", "aes128", "aes"),
        ("ios_ikev1", "encryption", "aes192", "aes 192"),
        ("ios_ikev1", "encryption", "aes256", "aes 256"),
        ("ios_ikev1", "integrity", "sha1", "sha"),
        ("ios_ikev1", "integrity", "md5", "md5"),
        ("ios_ikev1", "integrity", "sha512", "sha512"),
        ("ios_ikev1", "dh_group", 24, "24"),
        ("ios_ikev1", "authentication", "psk", "pre-share"),
        ("ios_ikev1", "authentication", "rsa-sig", "rsa-sig"),
        ("ios_ikev2", "encryption", "aes256", "aes-cbc-256"),
        ("ios_ikev2", "encryption", "aes128gcm16", "aes-gcm-128"),
        ("ios_ikev2", "encryption", "aes256gcm16", "aes-gcm-256"),
        ("ios_ikev2", "integrity", "sha1", "sha1"),
        ("ios_ikev2", "prf", "sha384", "sha384"),
        ("ios_ikev2", "dh_group", "19", "19"),
        ("ios_transform", "encryption", "des", "esp-des"),
        ("ios_transform", "encryption", "3des", "esp-3des"),
        ("ios_transform", "encryption", "aes128", "esp-aes"),
        ("ios_transform", "encryption", "aes192", "esp-aes 192"),
        ("ios_transform", "encryption", "aes256", "esp-aes 256"),
        ("ios_transform", "encryption", "aes128gcm16", "esp-gcm 128"),
        ("ios_transform", "encryption", "aes256gcm16", "esp-gcm 256"),
        ("ios_transform", "encryption", "null", "esp-null"),
        ("ios_transform", "integrity", "sha1", "esp-sha-hmac"),
        ("ios_transform", "integrity", "md5", "esp-md5-hmac"),
        ("ios_transform", "integrity", "sha256", "esp-sha256-hmac"),
        ("ios_transform", "ah_integrity", "sha1", "ah-sha-hmac"),
        ("ios_transform", "ah_integrity", "md5", "ah-md5-hmac"),
        ("ios_transform", "ah_integrity", "sha256", "ah-sha256-hmac"),
        ("ios_transform", "dh_group", 14, "group14"),
        ("strongswan", "encryption", "aes256gcm16", "aes256gcm16"),
        ("strongswan", "encryption", "3des", "3des"),
        ("strongswan", "integrity", "sha1", "sha1"),
        ("strongswan", "prf", "sha256", "prfsha256"),
        ("strongswan", "dh_group", 1, "modp768"),
        ("strongswan", "dh_group", 2, "modp1024"),
        ("strongswan", "dh_group", 5, "modp1536"),
        ("strongswan", "dh_group", 14, "modp2048"),
        ("strongswan", "dh_group", 15, "modp3072"),
        ("strongswan", "dh_group", 16, "modp4096"),
        ("strongswan", "dh_group", 19, "ecp256"),
        ("strongswan", "dh_group", 20, "ecp384"),
        ("strongswan", "dh_group", 21, "ecp521"),
        ("strongswan", "dh_group", 24, "modp2048s256"),
        ("strongswan", "dh_group", 31, "curve25519"),
        ("strongswan", "authentication", "psk", "psk"),
        ("strongswan", "authentication", "rsa-sig", "pubkey"),
    ],
)
def test_keyword_facts(target, kind, name, expected):
    assert alg.keyword(target, kind, name) == expected


@pytest.mark.parametrize(
    "target, kind, name, fragment",
    [
        ("ios_ikev1", "encryption", "aes256gcm16", "IOS IKEv1 has no GCM"),
        ("ios_ikev1", "encryption", "aes128gcm16", "IOS IKEv1 has no GCM"),
        ("ios_ikev1", "dh_group", 31, "IOS has no group 31"),
        ("ios_ikev2", "dh_group", 31, "IOS has no group 31"),
        ("ios_transform", "dh_group", 31, "IOS has no group 31"),
        ("ios_ikev2", "encryption", "chacha20poly1305", "ChaCha20"),
        ("ios_transform", "encryption", "chacha20poly1305", "ChaCha20"),
        ("ios_ikev1", "prf", "sha256", "no separate prf"),
        ("ios_transform", "prf", "sha256", "no prf"),
        ("ios_ikev2", "encryption", "null", "IKE cannot run without encryption"),
        ("ios_ikev1", "ah_integrity", "sha1", "AH"),
    ],
)
def test_keyword_refusals_name_target_and_reason(target, kind, name, fragment):
    with pytest.raises(AlgorithmError) as info:
        alg.keyword(target, kind, name)
    assert alg.TARGET_LABELS[target] in str(info.value)
    assert fragment in str(info.value)
    assert info.value.target == target


def test_keyword_gcm_ikev1_exact_message():
    with pytest.raises(AlgorithmError) as info:
        alg.keyword("ios_ikev1", "encryption", "aes256gcm16")
    assert str(info.value) == "aes256gcm16 cannot be expressed for IOS IKEv1 (isakmp policy): IOS IKEv1 has no GCM"
    assert info.value.algorithm == "aes256gcm16"


def test_keyword_unknown_target_and_kind():
    with pytest.raises(AlgorithmError, match="unknown target 'junos'"):
        alg.keyword("junos", "encryption", "aes256")
    with pytest.raises(AlgorithmError, match="unknown algorithm kind 'cipher'"):
        alg.keyword("strongswan", "cipher", "aes256")


# --------------------------------------------------------------------------- canonical


@pytest.mark.parametrize(
    "kind, given, expected",
    [
        ("encryption", "AES256", "aes256"),
        ("encryption", "aes-256", "aes256"),
        ("encryption", "AES_256", "aes256"),
        ("encryption", "aes-cbc-256", "aes256"),
        ("encryption", "aes-gcm-256", "aes256gcm16"),
        ("encryption", "aes", "aes128"),
        ("encryption", "3DES", "3des"),
        ("integrity", "SHA", "sha1"),
        ("integrity", "sha-1", "sha1"),
        ("integrity", "SHA2-256", "sha256"),
        ("prf", "prfsha384", "sha384"),
        ("ah_integrity", "sha512", "sha512"),
        ("dh_group", 14, 14),
        ("dh_group", "14", 14),
        ("dh_group", " 19 ", 19),
        ("dh_group", "group20", 20),
        ("dh_group", "modp2048", 14),
        ("dh_group", "curve25519", 31),
        ("authentication", "PSK", "psk"),
        ("authentication", "pre-share", "psk"),
        ("authentication", "rsa-sig", "rsa-sig"),
        ("authentication", "pubkey", "rsa-sig"),
    ],
)
def test_canonical_accepts(kind, given, expected):
    assert alg.canonical(kind, given) == expected


@pytest.mark.parametrize(
    "kind, given",
    [
        ("encryption", "aes512"),
        ("encryption", ""),
        ("encryption", None),
        ("encryption", 256),
        ("integrity", "sha3"),
        ("dh_group", 3),
        ("dh_group", True),
        ("dh_group", "fourteen"),
        ("dh_group", 14.0),
        ("dh_group", "１４"),
        ("authentication", "rsa-encr"),
    ],
)
def test_canonical_rejects_listing_valid_names(kind, given):
    with pytest.raises(AlgorithmError) as info:
        alg.canonical(kind, given)
    message = str(info.value)
    assert "valid names are" in message
    assert repr(given) in message
    for valid in KIND_NAMES[kind]:
        assert str(valid) in message


def test_canonical_names_are_fixed_points():
    for kind, names in KIND_NAMES.items():
        for name in names:
            assert alg.canonical(kind, name) == name


# --------------------------------------------------------------------------- weakness


@pytest.mark.parametrize(
    "kind, name, fragments",
    [
        ("encryption", "des", ("MUST NOT", "RFC 8221")),
        ("encryption", "3des", ("SHOULD NOT", "RFC 8221")),
        ("encryption", "null", ("confidentiality",)),
        ("encryption", "aes128gmac", ("confidentiality",)),
        ("integrity", "md5", ("MUST NOT", "RFC 8221", "RFC 8247")),
        ("integrity", "sha1", ("MUST-", "RFC 8221")),
        ("ah_integrity", "md5", ("MUST NOT",)),
        ("prf", "md5", ("MUST NOT", "RFC 8247")),
        ("prf", "sha1", ("MUST-", "RFC 8247")),
        ("dh_group", 1, ("MUST NOT", "RFC 8247")),
        ("dh_group", 2, ("SHOULD NOT", "RFC 8247")),
        ("dh_group", 5, ("SHOULD NOT",)),
        ("dh_group", 22, ("MUST NOT",)),
        ("dh_group", 23, ("SHOULD NOT",)),
        ("dh_group", 24, ("SHOULD NOT",)),
    ],
)
def test_weak_algorithms_have_cited_reasons(kind, name, fragments):
    reason = alg.weakness(kind, name)
    assert reason is not None
    for fragment in fragments:
        assert fragment in reason


def test_des_reason_text():
    assert alg.weakness("encryption", "DES").startswith("DES is MUST NOT (RFC 8221 s5")


@pytest.mark.parametrize(
    "kind, name",
    [
        ("encryption", "aes128"),
        ("encryption", "aes256"),
        ("encryption", "aes128gcm16"),
        ("encryption", "aes256gcm16"),
        ("encryption", "chacha20poly1305"),
        ("integrity", "sha256"),
        ("integrity", "sha512"),
        ("prf", "sha256"),
        ("dh_group", 14),
        ("dh_group", 19),
        ("dh_group", 21),
        ("dh_group", 31),
        ("authentication", "psk"),
    ],
)
def test_strong_algorithms_are_acceptable(kind, name):
    assert alg.weakness(kind, name) is None


def test_weakness_rejects_unknown_names():
    with pytest.raises(AlgorithmError, match="valid names"):
        alg.weakness("encryption", "rot13")


def test_ios_xe_compliance_shield():
    assert alg.ios_xe_blocked("ios_ikev1", "encryption", "des")
    assert alg.ios_xe_blocked("ios_ikev2", "integrity", "md5")
    assert alg.ios_xe_blocked("ios_transform", "encryption", "null")
    assert alg.ios_xe_blocked("ios_transform", "encryption", "aes128gmac")
    assert alg.ios_xe_blocked("ios_transform", "ah_integrity", "md5")
    assert alg.ios_xe_blocked("ios_ikev1", "dh_group", 2)
    assert not alg.ios_xe_blocked("ios_ikev1", "integrity", "sha1")
    assert not alg.ios_xe_blocked("ios_transform", "ah_integrity", "sha1")
    assert not alg.ios_xe_blocked("ios_ikev2", "dh_group", 14)
    assert not alg.ios_xe_blocked("strongswan", "encryption", "des")


def test_is_aead():
    assert alg.is_aead("aes256gcm16")
    assert alg.is_aead("AES-GCM-128")
    assert alg.is_aead("chacha20poly1305")
    assert not alg.is_aead("aes256")
    assert not alg.is_aead("null")
    with pytest.raises(AlgorithmError):
        alg.is_aead("aes1024")


# --------------------------------------------------------------------------- strongSwan


@pytest.mark.parametrize(
    "args, expected",
    [
        (("des", "md5", None, 2), "des-md5-modp1024"),
        (("des", "md5", "md5", 2), "des-md5-modp1024"),
        (("aes256", "sha256", None, 14), "aes256-sha256-modp2048"),
        (("aes256", "sha256", "sha384", 14), "aes256-sha256-prfsha384-modp2048"),
        (("aes256gcm16", None, "sha256", 19), "aes256gcm16-prfsha256-ecp256"),
        (("aes256gcm16", None, None, 19), "aes256gcm16-prfsha256-ecp256"),
        (("aes256gcm16", "sha384", None, 20), "aes256gcm16-prfsha384-ecp384"),
        (("aes128gcm16", "sha512", "sha256", "31"), "aes128gcm16-prfsha256-curve25519"),
        (("3des", "sha1", None, "group5"), "3des-sha1-modp1536"),
    ],
)
def test_strongswan_ike_proposal(args, expected):
    assert alg.strongswan_ike_proposal(*args) == expected


def test_strongswan_ike_proposal_refusals():
    with pytest.raises(AlgorithmError, match="needs an integrity algorithm"):
        alg.strongswan_ike_proposal("aes256", None, None, 14)
    with pytest.raises(AlgorithmError, match="cannot protect IKE"):
        alg.strongswan_ike_proposal("null", "sha256", None, 14)
    with pytest.raises(AlgorithmError, match="cannot protect IKE"):
        alg.strongswan_ike_proposal("aes128gmac", None, "sha256", 14)
    with pytest.raises(AlgorithmError, match="valid names"):
        alg.strongswan_ike_proposal("aes256", "sha256", None, 3)


@pytest.mark.parametrize(
    "args, expected",
    [
        (("des", "md5"), "des-md5"),
        (("des", "md5", None), "des-md5"),
        (("des", "md5", 2), "des-md5-modp1024"),
        (("aes256gcm16", None, 19), "aes256gcm16-ecp256"),
        (("aes256gcm16", None), "aes256gcm16"),
        (("aes256", "sha256", 14), "aes256-sha256-modp2048"),
        (("null", "sha256"), "null-sha256"),
        (("aes128gmac", None), "aes128gmac"),
    ],
)
def test_strongswan_esp_proposal(args, expected):
    assert alg.strongswan_esp_proposal(*args) == expected


def test_strongswan_esp_refuses_mixing_aead_and_integrity():
    with pytest.raises(AlgorithmError, match="AEAD and classic algorithms cannot share one strongSwan proposal"):
        alg.strongswan_esp_proposal("aes256gcm16", "sha256")
    with pytest.raises(AlgorithmError, match="needs an integrity algorithm"):
        alg.strongswan_esp_proposal("aes256", None)
    with pytest.raises(AlgorithmError, match="needs an integrity algorithm"):
        alg.strongswan_esp_proposal("null", "")


def test_strongswan_ah_proposal():
    assert alg.strongswan_ah_proposal("sha256") == "sha256"
    assert alg.strongswan_ah_proposal("sha1", 14) == "sha1-modp2048"
    assert alg.strongswan_authentication("psk") == "psk"
    assert alg.strongswan_authentication("rsa-sig") == "pubkey"


# --------------------------------------------------------------------------- IOS IKEv1


def test_isakmp_policy_seed():
    policy = alg.ios_isakmp_policy("des", "md5", 2, "psk", 86400)
    assert policy == {
        "encryption": "des",
        "hash": "md5",
        "group": "2",
        "authentication": "pre-share",
        "lifetime": 86400,
    }


def test_isakmp_policy_refusals():
    with pytest.raises(AlgorithmError, match="IOS IKEv1 has no GCM"):
        alg.ios_isakmp_policy("aes256gcm16", "sha256", 14, "psk", 86400)
    with pytest.raises(AlgorithmError, match=r"lifetime 59 s cannot be expressed for IOS IKEv1.*60\.\.86400"):
        alg.ios_isakmp_policy("aes256", "sha256", 14, "psk", 59)
    with pytest.raises(AlgorithmError, match="86401"):
        alg.ios_isakmp_policy("aes256", "sha256", 14, "psk", 86401)
    with pytest.raises(AlgorithmError, match="integer number of seconds"):
        alg.ios_isakmp_policy("aes256", "sha256", 14, "psk", "a day")
    with pytest.raises(AlgorithmError, match="group 31"):
        alg.ios_isakmp_policy("aes256", "sha256", 31, "psk", 86400)


# --------------------------------------------------------------------------- IOS IKEv2


def test_ikev2_proposal_cbc():
    proposal = alg.ios_ikev2_proposal(["aes256", "aes128"], "sha256", None, [14, 19])
    assert proposal == {
        "encryption": ["aes-cbc-256", "aes-cbc-128"],
        "integrity": ["sha256"],
        "prf": [],
        "group": ["14", "19"],
    }


def test_ikev2_proposal_gcm_needs_prf():
    proposal = alg.ios_ikev2_proposal("aes256gcm16", None, "sha384", 20)
    assert proposal == {"encryption": ["aes-gcm-256"], "integrity": [], "prf": ["sha384"], "group": ["20"]}
    with pytest.raises(AlgorithmError, match="needs a prf"):
        alg.ios_ikev2_proposal("aes256gcm16", None, None, 20)
    with pytest.raises(AlgorithmError, match="takes no integrity"):
        alg.ios_ikev2_proposal("aes256gcm16", "sha256", "sha256", 20)


def test_ikev2_proposal_refusals():
    with pytest.raises(AlgorithmError, match="cannot mix AEAD"):
        alg.ios_ikev2_proposal(["aes256gcm16", "aes256"], "sha256", "sha256", 14)
    with pytest.raises(AlgorithmError, match="needs an integrity"):
        alg.ios_ikev2_proposal("aes256", None, None, 14)
    with pytest.raises(AlgorithmError, match="at least one DH group"):
        alg.ios_ikev2_proposal("aes256", "sha256", None, [])
    with pytest.raises(AlgorithmError, match="at least one encryption"):
        alg.ios_ikev2_proposal([], "sha256", None, 14)
    with pytest.raises(AlgorithmError, match="IOS IKEv2.*IOS has no group 31"):
        alg.ios_ikev2_proposal("aes256", "sha256", None, 31)
    with pytest.raises(AlgorithmError, match="IOS IKEv2.*ChaCha20"):
        alg.ios_ikev2_proposal("chacha20poly1305", None, "sha256", 19)


def test_ikev2_proposal_dedupes_aliases():
    proposal = alg.ios_ikev2_proposal(["aes256", "AES-256"], ["sha1", "sha"], None, [14, "14"])
    assert proposal["encryption"] == ["aes-cbc-256"]
    assert proposal["integrity"] == ["sha1"]
    assert proposal["group"] == ["14"]


# --------------------------------------------------------------------------- transform sets


@pytest.mark.parametrize(
    "args, expected",
    [
        (("esp", "des", "md5"), ["esp-des", "esp-md5-hmac"]),
        (("esp", "aes256", "sha1"), ["esp-aes 256", "esp-sha-hmac"]),
        (("esp", "aes128", "sha256"), ["esp-aes", "esp-sha256-hmac"]),
        (("esp", "aes256gcm16", None), ["esp-gcm 256"]),
        (("esp", "aes128gcm16", None), ["esp-gcm 128"]),
        (("esp", "null", "sha1"), ["esp-null", "esp-sha-hmac"]),
        (("ah", None, "sha256"), ["ah-sha256-hmac"]),
        (("AH", None, "sha1"), ["ah-sha-hmac"]),
    ],
)
def test_ios_transform_set(args, expected):
    assert alg.ios_transform_set(*args) == expected


def test_ios_transform_set_refusals():
    with pytest.raises(AlgorithmError, match="esp-gcm takes no HMAC"):
        alg.ios_transform_set("esp", "aes256gcm16", "sha256")
    with pytest.raises(AlgorithmError, match="esp-gmac takes no HMAC"):
        alg.ios_transform_set("esp", "aes128gmac", "sha1")
    with pytest.raises(AlgorithmError, match="needs an integrity"):
        alg.ios_transform_set("esp", "aes256", None)
    with pytest.raises(AlgorithmError, match="AH gives no encryption"):
        alg.ios_transform_set("ah", "aes256", "sha1")
    with pytest.raises(AlgorithmError, match="needs an integrity"):
        alg.ios_transform_set("ah", None, None)
    with pytest.raises(AlgorithmError, match="'esp' or 'ah'"):
        alg.ios_transform_set("gre", "aes256", "sha1")
    with pytest.raises(AlgorithmError, match="IOS IPsec .*aes192gcm16|aes192gcm16.*IOS IPsec"):
        alg.ios_transform_set("esp", "aes192gcm16", None)
    assert alg.ios_pfs(14) == "group14"
    with pytest.raises(AlgorithmError, match="group 31"):
        alg.ios_pfs(31)


# --------------------------------------------------------------------------- docs


def _doc_tables(text):
    """Parse '### Title' sections with Markdown tables into {title: [[cells...], ...]}."""
    tables = {}
    title = None
    for line in text.splitlines():
        heading = re.match(r"^### (.+)$", line)
        if heading:
            title = heading.group(1).strip()
            tables[title] = []
        elif title and line.startswith("|") and not re.match(r"^\|\s*-", line):
            tables[title].append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return tables


def test_docs_table_matches_code():
    path = os.path.join(REPO_ROOT, "docs", "algorithms.md")
    with open(path, encoding="utf-8") as handle:
        doc = _doc_tables(handle.read())
    code = _doc_tables(alg.markdown_table())
    assert code, "the generated table is empty"
    for title, rows in code.items():
        assert title in doc, f"docs/algorithms.md lacks the section '### {title}'"
        assert doc[title] == rows, f"docs/algorithms.md section '{title}' differs from the code table"


def test_markdown_table_has_every_row():
    code = _doc_tables(alg.markdown_table())
    assert [row[0] for row in code["Encryption"][1:]] == list(alg.ENCRYPTION)
    assert [row[0] for row in code["DH groups"][1:]] == [str(n) for n in alg.DH_GROUPS]
    assert ["aes256gcm16", "—", "`aes-gcm-256`", "`esp-gcm 256`", "`aes256gcm16`", "yes", ""] in code["Encryption"]


def test_dh_group_24_is_blocked_on_ios_xe_for_ikev2_only():
    # FN72510 (later revision): IKEv2 proposals lose group {1 | 2 | 5 | 24}; isakmp policies group {1 | 2 | 5}
    assert alg.ios_xe_blocked("ios_ikev2", "dh_group", 24)
    assert not alg.ios_xe_blocked("ios_ikev1", "dh_group", 24)
    assert alg.ios_xe_blocked("ios_ikev1", "dh_group", 5) and alg.ios_xe_blocked("ios_ikev2", "dh_group", 5)
