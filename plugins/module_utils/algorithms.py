# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one algorithm table of the collection and the weak-crypto policy.

Every algorithm has one canonical name (``aes256``, ``sha1``, DH group ``14`` ...). This
module maps canonical names to the keyword each target expects:

``ios_ikev1``
    ``crypto isakmp policy`` sub-commands. The keyword is what follows the command word:
    ``encryption aes 256`` -> ``aes 256``; ``hash sha`` -> ``sha``; ``group 14`` -> ``14``.
``ios_ikev2``
    ``crypto ikev2 proposal`` sub-commands: ``aes-cbc-256``, ``sha1``, prf ``sha256``, ``14``.
``ios_transform``
    ``crypto ipsec transform-set`` keywords: ``esp-aes 256``, ``esp-sha-hmac``,
    ``ah-sha256-hmac``; for DH groups the ``set pfs`` argument: ``group14``.
``strongswan``
    swanctl proposal keywords: ``aes256``, ``sha256``, ``prfsha256``, ``modp2048``.

It also says how IOS *displays* a keyword in running-config where that differs from the
typed form (``encryption aes 256`` is shown as ``encr aes 256``; defaults are hidden), so
renderers can compare in displayed form, and which algorithms are weak according to
RFC 8221 (ESP/AH) and RFC 8247 (IKEv2).

The module is pure Python (no ``ansible`` import) and valid Python 3.8 syntax.
"""

from collections import namedtuple

from ansible_collections.ipsec.vpn.plugins.module_utils.errors import AlgorithmError

TARGETS = ("ios_ikev1", "ios_ikev2", "ios_transform", "strongswan")

TARGET_LABELS = {
    "ios_ikev1": "IOS IKEv1 (isakmp policy)",
    "ios_ikev2": "IOS IKEv2 (ikev2 proposal)",
    "ios_transform": "IOS IPsec (transform set / set pfs)",
    "strongswan": "strongSwan",
}

KINDS = ("encryption", "integrity", "prf", "dh_group", "ah_integrity", "authentication")

# ---------------------------------------------------------------------------------------
# Table rows. ``keywords`` maps target -> keyword; a target that cannot express the
# algorithm maps to ``None`` and ``unsupported`` gives the reason. ``displayed`` maps
# target -> the keyword as IOS prints it when that differs from the typed keyword.
# ``weak`` is the reason the algorithm is refused by default, or None.
# ``ios_xe_blocked`` lists the targets on which IOS-XE 17.11.1+ refuses the keyword unless
# ``crypto engine compliance shield disable`` is configured (Cisco Field Notice FN72510).
# ---------------------------------------------------------------------------------------

Encryption = namedtuple(
    "Encryption",
    [
        "name",
        "description",
        "aead",
        "confidential",
        "ike",
        "key_bits",
        "keywords",
        "unsupported",
        "weak",
        "ios_xe_blocked",
    ],
)
Integrity = namedtuple(
    "Integrity",
    [
        "name",
        "description",
        "keywords",
        "ah_keywords",
        "prf_keywords",
        "unsupported",
        "weak",
        "prf_weak",
        "ios_xe_blocked",
    ],
)
DhGroup = namedtuple(
    "DhGroup",
    ["number", "description", "keywords", "unsupported", "weak", "ios_xe_blocked"],
)
Authentication = namedtuple("Authentication", ["name", "description", "keywords"])

_NO_GCM_V1 = "IOS IKEv1 has no GCM"
_NO_GMAC_IKE = "GMAC gives no confidentiality and is defined for ESP only"
_NO_NULL_IKE = "IKE cannot run without encryption"
_NO_CHACHA_IOS = "IOS has no ChaCha20"


def _enc(name, description, aead, confidential, ike, key_bits, v1, v2, ts, sw, unsupported=None, weak=None, blocked=()):
    return Encryption(
        name=name,
        description=description,
        aead=aead,
        confidential=confidential,
        ike=ike,
        key_bits=key_bits,
        keywords={"ios_ikev1": v1, "ios_ikev2": v2, "ios_transform": ts, "strongswan": sw},
        unsupported=dict(unsupported or {}),
        weak=weak,
        ios_xe_blocked=tuple(blocked),
    )


ENCRYPTION = dict(
    (row.name, row)
    for row in (
        _enc(
            "des",
            "DES-CBC (56-bit)",
            False,
            True,
            True,
            56,
            "des",
            "des",
            "esp-des",
            "des",
            weak="DES is MUST NOT (RFC 8221 s5, RFC 8247 s2.1)",
            blocked=("ios_ikev1", "ios_ikev2", "ios_transform"),
        ),
        _enc(
            "3des",
            "3DES-CBC (168-bit)",
            False,
            True,
            True,
            168,
            "3des",
            "3des",
            "esp-3des",
            "3des",
            weak="3DES is SHOULD NOT (RFC 8221 s5) and has a 64-bit block",
            blocked=("ios_ikev1", "ios_ikev2", "ios_transform"),
        ),
        _enc("aes128", "AES-CBC 128-bit", False, True, True, 128, "aes", "aes-cbc-128", "esp-aes", "aes128"),
        _enc("aes192", "AES-CBC 192-bit", False, True, True, 192, "aes 192", "aes-cbc-192", "esp-aes 192", "aes192"),
        _enc("aes256", "AES-CBC 256-bit", False, True, True, 256, "aes 256", "aes-cbc-256", "esp-aes 256", "aes256"),
        _enc(
            "aes128gcm16",
            "AES-GCM 128-bit, 16-octet ICV (AEAD)",
            True,
            True,
            True,
            128,
            None,
            "aes-gcm-128",
            # explicit: the key size of a bare esp-gcm is not documented (IOS displays it as esp-gcm)
            "esp-gcm 128",
            "aes128gcm16",
            unsupported={"ios_ikev1": _NO_GCM_V1},
        ),
        _enc(
            "aes192gcm16",
            "AES-GCM 192-bit, 16-octet ICV (AEAD)",
            True,
            True,
            True,
            192,
            None,
            None,
            None,
            "aes192gcm16",
            unsupported={
                "ios_ikev1": _NO_GCM_V1,
                "ios_ikev2": "IOS IKEv2 offers only aes-gcm-128 and aes-gcm-256",
                "ios_transform": "IOS transform sets offer only esp-gcm 128 and esp-gcm 256",
            },
        ),
        _enc(
            "aes256gcm16",
            "AES-GCM 256-bit, 16-octet ICV (AEAD)",
            True,
            True,
            True,
            256,
            None,
            "aes-gcm-256",
            "esp-gcm 256",
            "aes256gcm16",
            unsupported={"ios_ikev1": _NO_GCM_V1},
        ),
        _enc(
            "aes128gmac",
            "AES-GMAC 128-bit (authentication only, no confidentiality)",
            True,
            False,
            False,
            128,
            None,
            None,
            "esp-gmac",
            "aes128gmac",
            unsupported={"ios_ikev1": _NO_GMAC_IKE, "ios_ikev2": _NO_GMAC_IKE},
            weak="AES-GMAC authenticates but does not encrypt: no confidentiality (RFC 8221 s5)",
            blocked=("ios_transform",),
        ),
        _enc(
            "aes256gmac",
            "AES-GMAC 256-bit (authentication only, no confidentiality)",
            True,
            False,
            False,
            256,
            None,
            None,
            "esp-gmac 256",
            "aes256gmac",
            unsupported={"ios_ikev1": _NO_GMAC_IKE, "ios_ikev2": _NO_GMAC_IKE},
            weak="AES-GMAC authenticates but does not encrypt: no confidentiality (RFC 8221 s5)",
            blocked=("ios_transform",),
        ),
        _enc(
            "chacha20poly1305",
            "ChaCha20-Poly1305 (AEAD)",
            True,
            True,
            True,
            256,
            None,
            None,
            None,
            "chacha20poly1305",
            unsupported={"ios_ikev1": _NO_CHACHA_IOS, "ios_ikev2": _NO_CHACHA_IOS, "ios_transform": _NO_CHACHA_IOS},
        ),
        _enc(
            "null",
            "NULL encryption (integrity only, no confidentiality)",
            False,
            False,
            False,
            0,
            None,
            None,
            "esp-null",
            "null",
            unsupported={"ios_ikev1": _NO_NULL_IKE, "ios_ikev2": _NO_NULL_IKE},
            weak="NULL encryption gives no confidentiality (RFC 8221 s5 keeps it only for interoperability)",
            blocked=("ios_transform",),
        ),
    )
)


def _integ(name, description, v1, v2, esp, ah, sw, prf_v2, prf_sw, weak=None, prf_weak=None, blocked=()):
    return Integrity(
        name=name,
        description=description,
        keywords={"ios_ikev1": v1, "ios_ikev2": v2, "ios_transform": esp, "strongswan": sw},
        ah_keywords={"ios_ikev1": None, "ios_ikev2": None, "ios_transform": ah, "strongswan": sw},
        prf_keywords={"ios_ikev1": None, "ios_ikev2": prf_v2, "ios_transform": None, "strongswan": prf_sw},
        unsupported={},
        weak=weak,
        prf_weak=prf_weak,
        ios_xe_blocked=tuple(blocked),
    )


INTEGRITY = dict(
    (row.name, row)
    for row in (
        _integ(
            "md5",
            "HMAC-MD5 (96-bit ICV)",
            "md5",
            "md5",
            "esp-md5-hmac",
            "ah-md5-hmac",
            "md5",
            "md5",
            "prfmd5",
            weak="HMAC-MD5 is MUST NOT (RFC 8221 s6, RFC 8247 s2.3)",
            prf_weak="PRF_HMAC_MD5 is MUST NOT (RFC 8247 s2.2)",
            blocked=("ios_ikev1", "ios_ikev2", "ios_transform"),
        ),
        _integ(
            "sha1",
            "HMAC-SHA1 (96-bit ICV)",
            "sha",
            "sha1",
            "esp-sha-hmac",
            "ah-sha-hmac",
            "sha1",
            "sha1",
            "prfsha1",
            weak="HMAC-SHA1 is MUST- (RFC 8221 s6, RFC 8247 s2.3): being phased out",
            prf_weak="PRF_HMAC_SHA1 is MUST- (RFC 8247 s2.2): being phased out",
        ),
        _integ(
            "sha256",
            "HMAC-SHA2-256 (128-bit ICV)",
            "sha256",
            "sha256",
            "esp-sha256-hmac",
            "ah-sha256-hmac",
            "sha256",
            "sha256",
            "prfsha256",
        ),
        _integ(
            "sha384",
            "HMAC-SHA2-384 (192-bit ICV)",
            "sha384",
            "sha384",
            "esp-sha384-hmac",
            "ah-sha384-hmac",
            "sha384",
            "sha384",
            "prfsha384",
        ),
        _integ(
            "sha512",
            "HMAC-SHA2-512 (256-bit ICV)",
            "sha512",
            "sha512",
            "esp-sha512-hmac",
            "ah-sha512-hmac",
            "sha512",
            "sha512",
            "prfsha512",
        ),
    )
)

_IOS_GROUPS = (1, 2, 5, 14, 15, 16, 19, 20, 21, 24)


def _dh(number, description, sw, weak=None, ios=True, reason=None):
    if ios:
        keywords = {
            "ios_ikev1": str(number),
            "ios_ikev2": str(number),
            "ios_transform": f"group{number}",
            "strongswan": sw,
        }
        unsupported = {}
    else:
        keywords = {"ios_ikev1": None, "ios_ikev2": None, "ios_transform": None, "strongswan": sw}
        unsupported = dict((t, reason) for t in ("ios_ikev1", "ios_ikev2", "ios_transform"))
    blocked = ("ios_ikev1", "ios_ikev2", "ios_transform") if number in (1, 2, 5) else ()
    if number == 24:
        blocked = ("ios_ikev2",)  # later revisions of FN72510 list group 24 for IKEv2 proposals
    return DhGroup(
        number=number,
        description=description,
        keywords=keywords,
        unsupported=unsupported,
        weak=weak,
        ios_xe_blocked=blocked,
    )


DH_GROUPS = dict(
    (row.number, row)
    for row in (
        _dh(1, "MODP 768-bit", "modp768", weak="DH group 1 (MODP-768) is MUST NOT (RFC 8247 s2.4)"),
        _dh(2, "MODP 1024-bit", "modp1024", weak="DH group 2 (MODP-1024) is SHOULD NOT (RFC 8247 s2.4)"),
        _dh(5, "MODP 1536-bit", "modp1536", weak="DH group 5 (MODP-1536) is SHOULD NOT (RFC 8247 s2.4)"),
        _dh(14, "MODP 2048-bit", "modp2048"),
        _dh(15, "MODP 3072-bit", "modp3072"),
        _dh(16, "MODP 4096-bit", "modp4096"),
        _dh(19, "ECP 256-bit (NIST P-256)", "ecp256"),
        _dh(20, "ECP 384-bit (NIST P-384)", "ecp384"),
        _dh(21, "ECP 521-bit (NIST P-521)", "ecp521"),
        _dh(
            22,
            "MODP 1024-bit with 160-bit prime-order subgroup",
            "modp1024s160",
            weak="DH group 22 (MODP-1024 with 160-bit subgroup) is MUST NOT (RFC 8247 s2.4)",
            ios=False,
            reason="IOS has no group 22",
        ),
        _dh(
            23,
            "MODP 2048-bit with 224-bit prime-order subgroup",
            "modp2048s224",
            weak="DH group 23 (MODP-2048 with 224-bit subgroup) is SHOULD NOT (RFC 8247 s2.4)",
            ios=False,
            reason="IOS has no group 23",
        ),
        _dh(
            24,
            "MODP 2048-bit with 256-bit prime-order subgroup",
            "modp2048s256",
            weak="DH group 24 (MODP-2048 with 256-bit subgroup) is SHOULD NOT (RFC 8247 s2.4)",
        ),
        _dh(31, "Curve25519", "curve25519", ios=False, reason="IOS has no group 31 (Curve25519)"),
    )
)

AUTHENTICATION = {
    "psk": Authentication(
        "psk",
        "pre-shared key",
        {"ios_ikev1": "pre-share", "ios_ikev2": "pre-share", "ios_transform": None, "strongswan": "psk"},
    ),
    "rsa-sig": Authentication(
        "rsa-sig",
        "RSA signature (certificates)",
        {"ios_ikev1": "rsa-sig", "ios_ikev2": "rsa-sig", "ios_transform": None, "strongswan": "pubkey"},
    ),
}

# IOS ``crypto isakmp policy`` defaults: lines with these values are never shown.
ISAKMP_DEFAULTS = {"encryption": "des", "hash": "sha", "authentication": "rsa-sig", "group": "1", "lifetime": 86400}
ISAKMP_LIFETIME_RANGE = (60, 86400)

# ---------------------------------------------------------------------------------------
# Name normalisation
# ---------------------------------------------------------------------------------------

_ENCRYPTION_ALIASES = {
    "aes": "aes128",
    "aescbc128": "aes128",
    "aescbc192": "aes192",
    "aescbc256": "aes256",
    "aesgcm128": "aes128gcm16",
    "aesgcm192": "aes192gcm16",
    "aesgcm256": "aes256gcm16",
    "aes128gcm": "aes128gcm16",
    "aes192gcm": "aes192gcm16",
    "aes256gcm": "aes256gcm16",
    "aesgmac128": "aes128gmac",
    "aesgmac256": "aes256gmac",
    "tripledes": "3des",
    "chacha20": "chacha20poly1305",
}
_INTEGRITY_ALIASES = {
    "sha": "sha1",
    "sha2256": "sha256",
    "sha2384": "sha384",
    "sha2512": "sha512",
}
_AUTH_ALIASES = {"preshare": "psk", "presharedkey": "psk", "rsasig": "rsa-sig", "pubkey": "rsa-sig"}


def _squash(text):
    return "".join(ch for ch in text.lower() if ch not in "-_ ")


def _kind_check(kind):
    if kind not in KINDS:
        raise AlgorithmError(
            "unknown algorithm kind {!r}: expected one of {}".format(kind, ", ".join(KINDS)), algorithm=None, kind=kind
        )


def _valid_names(kind):
    if kind == "encryption":
        return list(ENCRYPTION)
    if kind in ("integrity", "prf", "ah_integrity"):
        return list(INTEGRITY)
    if kind == "dh_group":
        return [str(n) for n in DH_GROUPS]
    return list(AUTHENTICATION)


def _unknown(kind, name):
    label = {"dh_group": "DH group", "ah_integrity": "AH integrity"}.get(kind, kind)
    return AlgorithmError(
        "unknown {} algorithm {!r}: valid names are {}".format(label, name, ", ".join(_valid_names(kind))),
        algorithm=name,
        kind=kind,
    )


def canonical(kind, name):
    """Validate and normalise a user-supplied algorithm name.

    ``kind`` is one of ``encryption``, ``integrity``, ``prf``, ``ah_integrity``,
    ``dh_group`` or ``authentication``. Names are case-insensitive and ``-``/``_``/space
    are ignored (``AES-256`` -> ``aes256``); DH groups may be ints, digit strings,
    ``group14`` or strongSwan keywords (``modp2048``) and come back as ints.
    Raises :class:`AlgorithmError` listing the valid names.
    """
    _kind_check(kind)
    if kind == "dh_group":
        if isinstance(name, bool):
            raise _unknown(kind, name)
        if isinstance(name, int):
            if name in DH_GROUPS:
                return name
            raise _unknown(kind, name)
        if not isinstance(name, str):
            raise _unknown(kind, name)
        text = _squash(name)
        if text.startswith("group"):
            text = text[len("group") :]
        if text.isdigit() and text.isascii() and int(text) in DH_GROUPS:
            return int(text)
        for number, row in DH_GROUPS.items():
            if row.keywords["strongswan"] == text:
                return number
        raise _unknown(kind, name)
    if not isinstance(name, str) or not name.strip():
        raise _unknown(kind, name)
    text = _squash(name)
    if kind == "encryption":
        text = _ENCRYPTION_ALIASES.get(text, text)
        if text in ENCRYPTION:
            return text
    elif kind == "authentication":
        if text in ("psk", "rsasig"):
            return "psk" if text == "psk" else "rsa-sig"
        if text in _AUTH_ALIASES:
            return _AUTH_ALIASES[text]
    else:
        if kind == "prf" and text.startswith("prf"):
            text = text[3:]
        text = _INTEGRITY_ALIASES.get(text, text)
        if text in INTEGRITY:
            return text
    raise _unknown(kind, name)


def _describe(kind, name):
    if kind == "dh_group":
        return f"DH group {name}"
    if kind == "prf":
        return f"PRF {name}"
    if kind == "ah_integrity":
        return f"AH {name}"
    return str(name)


_KIND_NOT_ON_TARGET = {
    ("ios_ikev1", "prf"): "IOS IKEv1 has no separate prf; the hash algorithm is used",
    ("ios_ikev1", "ah_integrity"): "AH is an IPsec protocol; IKE policies do not use it",
    ("ios_ikev2", "ah_integrity"): "AH is an IPsec protocol; IKE proposals do not use it",
    ("ios_transform", "prf"): "transform sets have no prf; the prf belongs to IKE",
    ("ios_transform", "authentication"): "transform sets have no peer authentication; it belongs to IKE",
}


def _target_check(target):
    if target not in TARGETS:
        raise AlgorithmError(
            "unknown target {!r}: expected one of {}".format(target, ", ".join(TARGETS)), target=target
        )


def _cannot(kind, name, target, reason):
    return AlgorithmError(
        f"{_describe(kind, name)} cannot be expressed for {TARGET_LABELS[target]}: {reason}",
        algorithm=name,
        target=target,
        kind=kind,
    )


def keyword(target, kind, name):
    """Return the keyword ``target`` uses for algorithm ``name`` of ``kind``.

    Raises :class:`AlgorithmError` whose message names the target when the target cannot
    express the algorithm, e.g. ``aes256gcm16 cannot be expressed for IOS IKEv1 (isakmp
    policy): IOS IKEv1 has no GCM``.
    """
    _target_check(target)
    name = canonical(kind, name)
    if (target, kind) in _KIND_NOT_ON_TARGET:
        raise _cannot(kind, name, target, _KIND_NOT_ON_TARGET[(target, kind)])
    if kind == "encryption":
        row = ENCRYPTION[name]
        value = row.keywords[target]
    elif kind == "integrity":
        row = INTEGRITY[name]
        value = row.keywords[target]
    elif kind == "ah_integrity":
        row = INTEGRITY[name]
        value = row.ah_keywords[target]
    elif kind == "prf":
        row = INTEGRITY[name]
        value = row.prf_keywords[target]
    elif kind == "dh_group":
        row = DH_GROUPS[name]
        value = row.keywords[target]
    else:
        value = AUTHENTICATION[name].keywords[target]
        row = None
    if value is None:
        reason = getattr(row, "unsupported", {}).get(target) if row is not None else None
        raise _cannot(kind, name, target, reason or "no keyword for it")
    return value


def weakness(kind, name):
    """Return ``None`` if the algorithm is acceptable, else why it is refused by default.

    The reason cites RFC 8221 (ESP/AH) or RFC 8247 (IKEv2), e.g.
    ``DES is MUST NOT (RFC 8221 s5, RFC 8247 s2.1)``.
    """
    name = canonical(kind, name)
    if kind == "encryption":
        return ENCRYPTION[name].weak
    if kind in ("integrity", "ah_integrity"):
        return INTEGRITY[name].weak
    if kind == "prf":
        return INTEGRITY[name].prf_weak
    if kind == "dh_group":
        return DH_GROUPS[name].weak
    return None


def ios_xe_blocked(target, kind, name):
    """True when IOS-XE 17.11.1+ refuses this keyword on ``target`` by default.

    Such releases refuse weak algorithms unless ``crypto engine compliance shield
    disable`` is configured (takes a reload; Cisco Field Notice FN72510).
    """
    _target_check(target)
    name = canonical(kind, name)
    if kind == "encryption":
        return target in ENCRYPTION[name].ios_xe_blocked
    if kind == "integrity":
        return target in INTEGRITY[name].ios_xe_blocked
    if kind == "ah_integrity":
        return target == "ios_transform" and name == "md5"
    if kind == "dh_group":
        return target in DH_GROUPS[name].ios_xe_blocked
    return False


def is_aead(encryption):
    """True for combined-mode (AEAD) ciphers such as AES-GCM, AES-GMAC, ChaCha20-Poly1305."""
    return ENCRYPTION[canonical("encryption", encryption)].aead


# ---------------------------------------------------------------------------------------
# strongSwan proposals
# ---------------------------------------------------------------------------------------


def _optional(kind, value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return canonical(kind, value)


def strongswan_ike_proposal(encryption, integrity, prf, dh_group):
    """One swanctl IKE proposal: ``aes256-sha256-modp2048``, ``aes256gcm16-prfsha256-ecp256``.

    Classic ciphers need an integrity algorithm; the prf is written only when it differs
    from the one strongSwan derives from the integrity algorithm. AEAD ciphers take no
    integrity algorithm, so the prf is always explicit: the given ``prf``, else the
    integrity's prf, else ``prfsha256``.
    """
    enc = canonical("encryption", encryption)
    integ = _optional("integrity", integrity)
    prf_name = _optional("prf", prf)
    group = canonical("dh_group", dh_group)
    row = ENCRYPTION[enc]
    if not row.ike:
        raise _cannot("encryption", enc, "strongswan", f"{enc} cannot protect IKE")
    parts = [keyword("strongswan", "encryption", enc)]
    if row.aead:
        if prf_name is None:
            prf_name = integ or "sha256"
        parts.append(keyword("strongswan", "prf", prf_name))
    else:
        if integ is None:
            raise AlgorithmError(
                f"{enc} is not AEAD: a strongSwan IKE proposal needs an integrity algorithm",
                algorithm=enc,
                target="strongswan",
                kind="integrity",
            )
        parts.append(keyword("strongswan", "integrity", integ))
        if prf_name is not None and prf_name != integ:
            parts.append(keyword("strongswan", "prf", prf_name))
    parts.append(keyword("strongswan", "dh_group", group))
    return "-".join(parts)


def strongswan_esp_proposal(encryption, integrity, pfs_group=None):
    """One swanctl ESP proposal: ``des-md5``, ``aes256gcm16-ecp256``, ``aes256-sha256-modp2048``.

    A DH group (``pfs_group``) in an ESP proposal means PFS. AEAD ciphers refuse a separate
    integrity algorithm; classic ciphers and ``null`` require one.
    """
    enc = canonical("encryption", encryption)
    integ = _optional("integrity", integrity)
    group = _optional("dh_group", pfs_group)
    parts = [keyword("strongswan", "encryption", enc)]
    if ENCRYPTION[enc].aead:
        if integ is not None:
            raise AlgorithmError(
                f"{enc} is AEAD and takes no separate integrity algorithm, got {integ}: AEAD and classic algorithms "
                "cannot share one strongSwan proposal",
                algorithm=enc,
                target="strongswan",
                kind="integrity",
            )
    else:
        if integ is None:
            raise AlgorithmError(
                f"{enc} is not AEAD: a strongSwan ESP proposal needs an integrity algorithm",
                algorithm=enc,
                target="strongswan",
                kind="integrity",
            )
        parts.append(keyword("strongswan", "integrity", integ))
    if group is not None:
        parts.append(keyword("strongswan", "dh_group", group))
    return "-".join(parts)


def strongswan_ah_proposal(integrity, pfs_group=None):
    """One swanctl AH proposal: ``sha256`` or ``sha256-modp2048`` (with PFS)."""
    integ = canonical("ah_integrity", integrity)
    parts = [keyword("strongswan", "ah_integrity", integ)]
    group = _optional("dh_group", pfs_group)
    if group is not None:
        parts.append(keyword("strongswan", "dh_group", group))
    return "-".join(parts)


def strongswan_authentication(name):
    """swanctl ``auth`` value for a canonical authentication method: ``psk`` or ``pubkey``."""
    return keyword("strongswan", "authentication", name)


# ---------------------------------------------------------------------------------------
# IOS IKEv1 (isakmp policy)
# ---------------------------------------------------------------------------------------


def ios_isakmp_policy(encryption, integrity, dh_group, authentication, lifetime):
    """The values of a ``crypto isakmp policy`` in IOS keywords.

    Returns ``{'encryption': 'des', 'hash': 'md5', 'group': '2', 'authentication':
    'pre-share', 'lifetime': 86400}``. ``lifetime`` is seconds (60..86400) or None for the
    IOS default of 86400.
    """
    policy = {
        "encryption": keyword("ios_ikev1", "encryption", encryption),
        "hash": keyword("ios_ikev1", "integrity", integrity),
        "group": keyword("ios_ikev1", "dh_group", dh_group),
        "authentication": keyword("ios_ikev1", "authentication", authentication),
        "lifetime": _isakmp_lifetime(lifetime),
    }
    return policy


def _isakmp_lifetime(lifetime):
    if lifetime is None:
        return ISAKMP_DEFAULTS["lifetime"]
    low, high = ISAKMP_LIFETIME_RANGE
    if isinstance(lifetime, bool):
        raise AlgorithmError(
            f"isakmp lifetime must be an integer number of seconds, got {lifetime!r}", target="ios_ikev1"
        )
    try:
        value = int(str(lifetime).strip())
    except ValueError:
        raise AlgorithmError(
            f"isakmp lifetime must be an integer number of seconds, got {lifetime!r}", target="ios_ikev1"
        ) from None
    if not low <= value <= high:
        raise AlgorithmError(
            f"isakmp lifetime {value} s cannot be expressed for {TARGET_LABELS['ios_ikev1']}: "
            f"the range is {low}..{high} seconds",
            target="ios_ikev1",
        )
    return value


# ---------------------------------------------------------------------------------------
# IOS IKEv2 (ikev2 proposal)
# ---------------------------------------------------------------------------------------


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v is not None]
    return [value]


def _dedupe(values):
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def ios_ikev2_proposal(encryptions, integrities, prfs, dh_groups):
    """The values of a ``crypto ikev2 proposal`` in IOS keywords.

    Each argument is a name or a list of names (in preference order). Returns
    ``{'encryption': ['aes-cbc-256'], 'integrity': ['sha256'], 'prf': [], 'group': ['14']}``.
    IOS needs at least one group and either CBC ciphers plus integrity, or GCM ciphers plus
    a prf; one proposal does not mix GCM and CBC ciphers, and GCM takes no integrity.
    """
    encs = _dedupe([canonical("encryption", e) for e in _as_list(encryptions)])
    integs = _dedupe([canonical("integrity", i) for i in _as_list(integrities)])
    prf_names = _dedupe([canonical("prf", p) for p in _as_list(prfs)])
    groups = _dedupe([canonical("dh_group", g) for g in _as_list(dh_groups)])
    label = TARGET_LABELS["ios_ikev2"]
    if not encs:
        raise AlgorithmError(f"{label} needs at least one encryption algorithm", target="ios_ikev2")
    if not groups:
        raise AlgorithmError(f"{label} needs at least one DH group", target="ios_ikev2")
    aead = [e for e in encs if ENCRYPTION[e].aead]
    classic = [e for e in encs if not ENCRYPTION[e].aead]
    if aead and classic:
        raise AlgorithmError(
            "{} cannot mix AEAD ({}) and non-AEAD ({}) ciphers in one proposal; use two proposals".format(
                label, ", ".join(aead), ", ".join(classic)
            ),
            target="ios_ikev2",
            kind="encryption",
        )
    if aead:
        if integs:
            raise AlgorithmError(
                "{} with AEAD cipher {} takes no integrity algorithm (got {}); give a prf instead".format(
                    label, aead[0], ", ".join(integs)
                ),
                target="ios_ikev2",
                kind="integrity",
            )
        if not prf_names:
            raise AlgorithmError(f"{label} with AEAD cipher {aead[0]} needs a prf", target="ios_ikev2", kind="prf")
    elif not integs:
        raise AlgorithmError(
            f"{label} with cipher {classic[0]} needs an integrity algorithm", target="ios_ikev2", kind="integrity"
        )
    return {
        "encryption": [keyword("ios_ikev2", "encryption", e) for e in encs],
        "integrity": [keyword("ios_ikev2", "integrity", i) for i in integs],
        "prf": [keyword("ios_ikev2", "prf", p) for p in prf_names],
        "group": [keyword("ios_ikev2", "dh_group", g) for g in groups],
    }


# ---------------------------------------------------------------------------------------
# IOS transform sets
# ---------------------------------------------------------------------------------------


def ios_transform_set(protocol, encryption, integrity):
    """Transform-set keywords: ``['esp-des', 'esp-md5-hmac']``, ``['esp-gcm 256']``, ``['ah-sha256-hmac']``.

    ``protocol`` is ``esp`` or ``ah``. ESP with an AEAD cipher (``esp-gcm``/``esp-gmac``)
    takes no HMAC; any other ESP cipher, including ``null``, needs one. AH takes only an
    integrity algorithm.
    """
    proto = str(protocol).lower().strip() if protocol is not None else ""
    if proto == "ah":
        if encryption not in (None, ""):
            raise AlgorithmError(
                f"AH gives no encryption; got encryption {encryption!r}", target="ios_transform", kind="encryption"
            )
        if integrity in (None, ""):
            raise AlgorithmError(
                "an AH transform set needs an integrity algorithm", target="ios_transform", kind="ah_integrity"
            )
        return [keyword("ios_transform", "ah_integrity", integrity)]
    if proto != "esp":
        raise AlgorithmError(f"transform-set protocol must be 'esp' or 'ah', got {protocol!r}", target="ios_transform")
    if encryption in (None, ""):
        raise AlgorithmError(
            "an ESP transform set needs an encryption algorithm", target="ios_transform", kind="encryption"
        )
    enc = canonical("encryption", encryption)
    integ = _optional("integrity", integrity)
    words = [keyword("ios_transform", "encryption", enc)]
    if ENCRYPTION[enc].aead:
        if integ is not None:
            raise AlgorithmError(
                "{} cannot be expressed for {} with integrity {}: {} takes no HMAC".format(
                    enc, TARGET_LABELS["ios_transform"], integ, words[0].split()[0]
                ),
                algorithm=enc,
                target="ios_transform",
                kind="integrity",
            )
    else:
        if integ is None:
            raise AlgorithmError(
                "{} needs an integrity algorithm in an {} (ESP without authentication is refused)".format(
                    enc, TARGET_LABELS["ios_transform"]
                ),
                algorithm=enc,
                target="ios_transform",
                kind="integrity",
            )
        words.append(keyword("ios_transform", "integrity", integ))
    return words


def ios_pfs(dh_group):
    """``set pfs`` argument for a DH group: ``group14``."""
    return keyword("ios_transform", "dh_group", dh_group)


# ---------------------------------------------------------------------------------------
# Table export (docs/algorithms.md is generated from this)
# ---------------------------------------------------------------------------------------


def _cell(value):
    return f"`{value}`" if value is not None else "—"


def table_rows():
    """Rows of the algorithm table as lists of strings, per section, for documentation."""
    sections = []
    rows = []
    for row in ENCRYPTION.values():
        rows.append(
            [row.name] + [_cell(row.keywords[t]) for t in TARGETS] + ["yes" if row.aead else "no", row.weak or ""]
        )
    sections.append(
        (
            "Encryption",
            [
                "canonical",
                "ios_ikev1",
                "ios_ikev2",
                "ios_transform",
                "strongswan",
                "AEAD",
                "weak (refused unless opted in)",
            ],
            rows,
        )
    )
    rows = []
    for row in INTEGRITY.values():
        rows.append([row.name] + [_cell(row.keywords[t]) for t in TARGETS] + [row.weak or ""])
    sections.append(
        (
            "Integrity (ESP / IKE)",
            ["canonical", "ios_ikev1", "ios_ikev2", "ios_transform", "strongswan", "weak (refused unless opted in)"],
            rows,
        )
    )
    rows = []
    for row in INTEGRITY.values():
        rows.append(
            [row.name, _cell(row.prf_keywords["ios_ikev2"]), _cell(row.prf_keywords["strongswan"]), row.prf_weak or ""]
        )
    sections.append(("PRF", ["canonical", "ios_ikev2", "strongswan", "weak (refused unless opted in)"], rows))
    rows = []
    for row in INTEGRITY.values():
        rows.append(
            [row.name, _cell(row.ah_keywords["ios_transform"]), _cell(row.ah_keywords["strongswan"]), row.weak or ""]
        )
    sections.append(
        ("AH integrity", ["canonical", "ios_transform", "strongswan", "weak (refused unless opted in)"], rows)
    )
    rows = []
    for row in DH_GROUPS.values():
        rows.append([str(row.number)] + [_cell(row.keywords[t]) for t in TARGETS] + [row.weak or ""])
    sections.append(
        (
            "DH groups",
            ["canonical", "ios_ikev1", "ios_ikev2", "ios_transform", "strongswan", "weak (refused unless opted in)"],
            rows,
        )
    )
    return sections


def markdown_table():
    """The whole table as Markdown, one section per kind."""
    out = []
    for title, header, rows in table_rows():
        out.append(f"### {title}")
        out.append("")
        out.append("| " + " | ".join(header) + " |")
        out.append("| " + " | ".join(["---"] * len(header)) + " |")
        for row in rows:
            out.append("| " + " | ".join(row) + " |")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
