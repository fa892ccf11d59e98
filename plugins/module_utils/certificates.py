# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificate checks for public-key (``rsa-sig``/``pubkey``) tunnels.

Parsing, key matching and signature checks use the ``cryptography`` library; nothing here reads
ASN.1 by hand. The functions are pure: they take PEM text and, where validity matters, an explicit
``now`` (an aware ``datetime``), so that a plan stays a pure function of the intent and the host and
tests can pin the clock. Callers pass the controller's clock in a step of their own.

Every problem is an :class:`IntentError` whose path is the intent field that holds the offending
certificate, key or identity. Messages name certificates by subject and fingerprint, never by body,
and never quote a private key.
"""

import datetime
import ipaddress

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.x509.oid import NameOID

    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - only certificate intents need it
    HAS_CRYPTOGRAPHY = False

from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentError

DEFAULT_EXPIRY_WARNING_DAYS = 30

# RFC 4514 short names, which strongSwan and IOS both print for a subject
_DN_SHORT = {
    "2.5.4.6": "C",
    "2.5.4.8": "ST",
    "2.5.4.7": "L",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.3": "CN",
    "1.2.840.113549.1.9.1": "E",
    "2.5.4.5": "serialNumber",
    "0.9.2342.19200300.100.1.25": "DC",
}


def _require():
    if not HAS_CRYPTOGRAPHY:
        raise IntentError("", "certificate authentication needs the Python 'cryptography' package on the controller")


def load_certificate(pem, path):
    """PEM text -> ``x509.Certificate``; an IntentError at ``path`` when it is not one certificate."""
    _require()
    if not isinstance(pem, str) or "-----BEGIN CERTIFICATE-----" not in pem:
        raise IntentError(path, "is not a PEM certificate (no BEGIN CERTIFICATE block)")
    try:
        return x509.load_pem_x509_certificate(pem.encode("ascii", "replace"))
    except ValueError as exc:
        raise IntentError(path, f"cannot be read as a PEM certificate ({exc})") from None


def load_certificates(pems, path):
    """A list of PEM texts, or one text holding several certificates, -> list of certificates."""
    _require()
    if isinstance(pems, str):
        pems = [pems]
    certs = []
    for index, pem in enumerate(pems):
        item = f"{path}[{index}]"
        if not isinstance(pem, str) or "-----BEGIN CERTIFICATE-----" not in pem:
            raise IntentError(item, "is not a PEM certificate (no BEGIN CERTIFICATE block)")
        try:
            certs.extend(x509.load_pem_x509_certificates(pem.encode("ascii", "replace")))
        except ValueError as exc:
            raise IntentError(item, f"cannot be read as PEM certificates ({exc})") from None
    return certs


def load_private_key(pem, path):
    """PEM text (unencrypted; vault protects it at rest) -> private key object."""
    _require()
    if not isinstance(pem, str) or "PRIVATE KEY-----" not in pem:
        raise IntentError(path, "is not a PEM private key (no BEGIN ... PRIVATE KEY block)")
    try:
        return serialization.load_pem_private_key(pem.encode("ascii", "replace"), password=None)
    except (ValueError, TypeError):
        # the library's message may quote key material: say only what is wrong
        raise IntentError(path, "cannot be read as an unencrypted PEM private key") from None


def dn_string(name):
    """An ``x509.Name`` in the order it is encoded, e.g. ``C=DE, O=Example, CN=site1`` (strongSwan's form)."""
    parts = []
    for rdn in name.rdns:
        for attr in rdn:
            label = _DN_SHORT.get(attr.oid.dotted_string, attr.oid.dotted_string)
            parts.append(f"{label}={attr.value}")
    return ", ".join(parts)


def fingerprint(cert):
    return cert.fingerprint(hashes.SHA256()).hex()


def describe(cert):
    """How messages name a certificate: subject plus a short fingerprint, never the body."""
    return f"'{dn_string(cert.subject)}' (SHA-256 {fingerprint(cert)[:16]})"


def summary(cert):
    """The facts the planner and the renderers need, JSON-friendly."""
    dns, ips, emails = subject_alt_names(cert)
    common = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    return {
        "subject": dn_string(cert.subject),
        "issuer": dn_string(cert.issuer),
        "common_name": common[0] if common else None,
        "dns_names": dns,
        "ip_addresses": ips,
        "emails": emails,
        "not_before": _utc(_not_before(cert)).isoformat(),
        "not_after": _utc(_not_after(cert)).isoformat(),
        "fingerprint_sha256": fingerprint(cert),
        "is_ca": _is_ca(cert),
    }


def subject_alt_names(cert):
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [], [], []
    dns = ext.get_values_for_type(x509.DNSName)
    ips = [str(ip) for ip in ext.get_values_for_type(x509.IPAddress)]
    emails = ext.get_values_for_type(x509.RFC822Name)
    return dns, ips, emails


def _is_ca(cert):
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _not_before(cert):
    return getattr(cert, "not_valid_before_utc", None) or cert.not_valid_before


def _not_after(cert):
    return getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after


def _utc(moment):
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def key_matches(cert, key):
    """Whether ``key`` is the private half of the certificate's public key."""
    ours = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    theirs = cert.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return ours == theirs


def issued_by(cert, issuer):
    """Whether ``issuer`` signed ``cert`` (names chain and the signature verifies)."""
    if cert.issuer != issuer.subject:
        return False
    public = issuer.public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(),
                          cert.signature_hash_algorithm)
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
        elif isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(cert.signature, cert.tbs_certificate_bytes)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def chains_to(cert, cas):
    """Whether ``cert`` chains to one of ``cas`` (intermediates among ``cas`` are followed, at most 8 deep)."""
    current = cert
    for _depth in range(8):
        parent = next((ca for ca in cas if issued_by(current, ca)), None)
        if parent is None:
            return False
        if parent.subject == parent.issuer or parent is current:
            return True
        current = parent
    return False


def identity_kind(identity):
    """``address``, ``dn``, ``email`` or ``fqdn`` for an identity string, as strongSwan would read it."""
    text = identity.strip()
    try:
        ipaddress.ip_address(text)
        return "address"
    except ValueError:
        pass
    if "=" in text:
        return "dn"
    if "@" in text:
        return "email"
    return "fqdn"


def _dn_parts(text):
    parts = []
    for item in text.replace(";", ",").split(","):
        if "=" in item:
            label, value = item.split("=", 1)
            parts.append((label.strip().upper(), value.strip()))
    return parts


def proves(cert, identity):
    """Whether the certificate can prove ``identity``: the subject DN, or a subjectAltName of the right kind.

    This is the check strongSwan makes before it accepts a peer's identity (IOS matches the same fields
    for ``match identity remote``). An address also matches a DNS name that spells it, as strongSwan does.
    """
    kind = identity_kind(identity)
    text = identity.strip()
    dns, ips, emails = subject_alt_names(cert)
    if kind == "dn":
        return _dn_parts(text) == _dn_parts(dn_string(cert.subject))
    if kind == "address":
        wanted = ipaddress.ip_address(text)
        return any(ipaddress.ip_address(ip) == wanted for ip in ips) or text in dns
    if kind == "email":
        return text.lower() in (e.lower() for e in emails)
    return text.lower().rstrip(".") in (d.lower().rstrip(".") for d in dns)


def default_identity(cert):
    """The identity an end presents when the intent names none: its first DNS name, else its subject DN."""
    dns = subject_alt_names(cert)[0]
    return dns[0] if dns else dn_string(cert.subject)


def check_validity(cert, path, now, warning_days=DEFAULT_EXPIRY_WARNING_DAYS):
    """(errors, warnings) for the certificate's validity window at ``now`` (an aware datetime)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    start, end = _utc(_not_before(cert)), _utc(_not_after(cert))
    if now < start:
        return [IntentError(path, f"certificate {describe(cert)} is not valid before {start.isoformat()}",
                            code="CERT_NOT_YET_VALID")], []
    if now > end:
        return [IntentError(path, f"certificate {describe(cert)} expired on {end.isoformat()}",
                            code="CERT_EXPIRED")], []
    left = end - now
    if left <= datetime.timedelta(days=warning_days):
        return [], [IntentError(path, f"certificate {describe(cert)} expires on {end.isoformat()}, in "
                                      f"{left.days} day(s) (warning threshold {warning_days} days)",
                                code="CERT_EXPIRES_SOON")]
    return [], []


def check_end(paths, cert_pem, key_pem, ca_pems, identity=None):
    """Static checks of one end's credentials, independent of the clock.

    ``paths`` maps ``certificate``, ``private_key``, ``ca`` and ``identity`` to the intent path of each
    field. Returns ``(errors, facts)`` where ``facts`` is the certificate summary plus ``identity`` (the one
    it presents) and ``ca_subjects`` (or ``None`` facts when the certificate cannot be read).
    """
    errors = []
    cert = key = None
    cas = []
    if cert_pem in (None, ""):
        errors.append(IntentError(paths["certificate"], "is required for certificate authentication"))
    else:
        try:
            cert = load_certificate(cert_pem, paths["certificate"])
        except IntentError as exc:
            errors.append(exc)
    if key_pem in (None, ""):
        errors.append(IntentError(paths["private_key"], "is required for certificate authentication"))
    else:
        try:
            key = load_private_key(key_pem, paths["private_key"])
        except IntentError as exc:
            errors.append(exc)
    if not ca_pems:
        errors.append(IntentError(paths["ca"], "is required for certificate authentication (the CA chain that "
                                               "signs this end's and the peer's certificates)"))
    else:
        try:
            cas = load_certificates(ca_pems, paths["ca"])
        except IntentError as exc:
            errors.append(exc)
    if cert is not None and key is not None and not key_matches(cert, key):
        errors.append(IntentError(paths["private_key"], f"does not belong to certificate {describe(cert)} (the "
                                                        "public keys differ)", code="CERT_KEY_MISMATCH"))
    if cert is not None and cas and not chains_to(cert, cas):
        errors.append(IntentError(paths["certificate"], f"certificate {describe(cert)} is not signed by any CA of "
                                                        f"{paths['ca']}", code="CERT_UNTRUSTED"))
    facts = None
    if cert is not None:
        presented = identity if identity else default_identity(cert)
        if identity and not proves(cert, identity):
            errors.append(IntentError(paths["identity"], f"'{identity}' is not proven by certificate "
                                                         f"{describe(cert)}: it is neither its subject nor one of "
                                                         "its subjectAltNames", code="CERT_IDENTITY"))
        facts = dict(summary(cert), identity=presented, ca_subjects=[dn_string(c.subject) for c in cas])
    return errors, facts


def check_pair(end_a, end_b):
    """Cross-peer checks of two ends' credentials.

    Each end is a dict with ``paths`` (as for :func:`check_end`), ``cert_pem``, ``ca_pems``, ``identity`` (what
    it presents) and ``remote_identity`` (what it expects from the peer, or None: then the peer's presented
    identity is expected). Every problem names the field of the end that holds the wrong thing.
    """
    errors = []
    for local, peer in ((end_a, end_b), (end_b, end_a)):
        try:
            peer_cert = load_certificate(peer["cert_pem"], peer["paths"]["certificate"])
            cas = load_certificates(local["ca_pems"], local["paths"]["ca"])
        except IntentError:
            continue  # already reported by check_end
        if not chains_to(peer_cert, cas):
            errors.append(IntentError(local["paths"]["ca"], f"no CA here signs the peer's certificate "
                                                            f"{describe(peer_cert)} (issuer "
                                                            f"'{dn_string(peer_cert.issuer)}')",
                                      code="CERT_PEER_UNTRUSTED"))
        expected = local.get("remote_identity")
        if expected and not proves(peer_cert, expected):
            errors.append(IntentError(local["paths"]["remote_identity"],
                                      f"expects '{expected}', which the peer's certificate {describe(peer_cert)} "
                                      "cannot prove", code="CERT_PEER_IDENTITY"))
        presented = peer.get("identity")
        if expected and presented and _normal(expected) != _normal(presented):
            errors.append(IntentError(local["paths"]["remote_identity"],
                                      f"expects '{expected}' but the peer presents '{presented}'",
                                      code="CERT_PEER_IDENTITY"))
    return errors


def _normal(identity):
    if identity_kind(identity) == "dn":
        return tuple(_dn_parts(identity))
    return identity.strip().lower().rstrip(".")
