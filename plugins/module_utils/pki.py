# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The certificate part of the intent: ``gateways.<host>.pki`` and the checks that need certificates.

* :func:`gateway_pki` validates one gateway's ``pki`` mapping (PEM text given inline, or read from a file by the
  ``ipsec.vpn.plan`` action before planning: the planner never opens a file) and runs the static checks of
  :mod:`certificates` (key matches certificate, certificate chains to the CA, local identity provable);
* :func:`default_id` is the identity an end of a certificate profile presents when the intent names none;
* :func:`model_checks` refuses certificate tunnels on gateways without ``pki`` and explicit ``id`` values the
  gateway's certificate cannot prove;
* :func:`pair_checks` is the cross-peer part (peer's CA, peer's identity), called with the cross-checks;
* :func:`validity` checks the validity windows at an explicit ``now``; it is a step of its own, outside the plan.

Messages name certificates by subject and fingerprint, never by body. Pure Python (no ``ansible`` import).
"""

import datetime

from ansible_collections.ipsec.vpn.plugins.module_utils import certificates
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import IntentError

FIELDS = (
    "certificate",
    "certificate_file",
    "private_key",
    "private_key_file",
    "ca",
    "ca_files",
    "identity",
    "trustpoint",
    "revocation_check",
    "expiry_warning_days",
)
# Fields whose strings are PEM bodies (multi-line by nature): exempt from the one-line text rule, never quoted.
PEM_FIELDS = frozenset(("certificate", "private_key", "ca", "pem"))
FILE_FIELDS = ("certificate_file", "private_key_file", "ca_files")
REVOCATION_CHECKS = ("none", "crl", "ocsp")
DEFAULT_TRUSTPOINT = "IPSEC-VPN"
_TRUSTPOINT_RE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"

AUTH_CERTIFICATE = "rsa-sig"


def _short(value):
    text = repr(value) if not isinstance(value, str) else "'%s'" % value
    return text if len(text) <= 60 else text[:57] + "..."


def file_content(value):
    """``(path, pem, error)`` of a file field as the plan action leaves it: ``{path, pem}`` or ``{path, error}``."""
    if isinstance(value, dict):
        return value.get("path"), value.get("pem"), value.get("error")
    return value, None, None


def _pem_of(c, path, inline, inline_path, from_file, file_path, what, many=False):
    """``(text or list, path)`` of one credential given inline or as a file, errors added to ``c``."""
    if inline is not None and from_file is not None:
        c.add(file_path, "give %s either inline (%s) or as a file, not both" % (what, inline_path.rsplit(".", 1)[1]))
        return None, inline_path
    if from_file is not None:
        items = from_file if (many and isinstance(from_file, list)) else [from_file]
        texts = []
        for index, item in enumerate(items):
            ipath = "%s[%d]" % (file_path, index) if many and isinstance(from_file, list) else file_path
            name, pem, error = file_content(item)
            if not isinstance(name, str) or not name.strip():
                c.add(ipath, "expected a file path, got %s" % _short(name))
                return None, file_path
            if error:
                c.add(ipath, "cannot read '%s': %s" % (name, error))
                return None, file_path
            if pem is None:
                c.add(ipath, "'%s' was not read: file inputs are read on the controller by the ipsec.vpn.plan "
                             "action (give the PEM text inline when calling the planner directly)" % name)
                return None, file_path
            texts.append(pem)
        return (texts if many else texts[0]), file_path
    if inline is None:
        return None, inline_path
    if many:
        items = inline if isinstance(inline, list) else [inline]
        if not all(isinstance(i, str) for i in items):
            c.add(inline_path, "expected PEM text or a list of PEM texts")
            return None, inline_path
        return items, inline_path
    if not isinstance(inline, str):
        c.add(inline_path, "expected PEM text")
        return None, inline_path
    return inline, inline_path


def gateway_pki(c, path, raw, mapping, opt_int, platform=None):
    """Validate ``gateways.<host>.pki``; return its normalised form, or None (errors in ``c``).

    ``mapping`` and ``opt_int`` are the intent module's helpers (passed in to keep one definition of each)."""
    import re

    d = mapping(c, path, raw, FIELDS)
    if d is None:
        return None
    before = len(c.errors)
    cert, cert_path = _pem_of(c, path, d.get("certificate"), path + ".certificate", d.get("certificate_file"),
                              path + ".certificate_file", "the certificate")
    key, key_path = _pem_of(c, path, d.get("private_key"), path + ".private_key", d.get("private_key_file"),
                            path + ".private_key_file", "the private key")
    cas, ca_path = _pem_of(c, path, d.get("ca"), path + ".ca", d.get("ca_files"), path + ".ca_files",
                           "the CA chain", many=True)
    identity = d.get("identity")
    if identity is not None and (not isinstance(identity, str) or not identity.strip()):
        c.add(path + ".identity", "expected an identity (a distinguished name, FQDN, e-mail or address)")
        identity = None
    trustpoint = d.get("trustpoint", DEFAULT_TRUSTPOINT)
    if not isinstance(trustpoint, str) or not re.match(_TRUSTPOINT_RE, trustpoint):
        c.add(path + ".trustpoint", "%s is not a trustpoint name (letters, digits, '_', '.', '-')" % _short(trustpoint))
    revocation = d.get("revocation_check", "none")
    if revocation not in REVOCATION_CHECKS:
        c.add(path + ".revocation_check", "%s is not one of %s" % (_short(revocation), ", ".join(REVOCATION_CHECKS)))
    days = opt_int(c, path + ".expiry_warning_days", d.get("expiry_warning_days"),
                   certificates.DEFAULT_EXPIRY_WARNING_DAYS, 0, 3650)
    if len(c.errors) != before:
        return None
    paths = {"certificate": cert_path, "private_key": key_path, "ca": ca_path, "identity": path + ".identity"}
    if not certificates.HAS_CRYPTOGRAPHY:
        c.add(path, "certificate authentication needs the Python 'cryptography' package on the controller",
              "MISSING_DEPENDENCY")
        return None
    errors, facts = certificates.check_end(paths, cert, key, cas, identity)
    for err in errors:
        c.errors.append(err)
    if errors:
        return None
    if platform == "ios":
        private = certificates.load_private_key(key, key_path)
        if not isinstance(private, certificates.rsa.RSAPrivateKey):
            c.add(key_path, "IOS authenticates certificate tunnels with rsa-sig, which needs an RSA key; this key "
                            "is not one", "CERT_KEY_TYPE")
            return None
    ca_facts = [certificates.summary(ca) for ca in certificates.load_certificates(cas, ca_path)]
    cert_obj = certificates.load_certificate(cert, cert_path)
    return {
        "path": path,
        "paths": paths,
        "certificate_pem": cert,
        "private_key_pem": key,
        "ca_pem": list(cas),
        "facts": facts,
        "serial": format(cert_obj.serial_number, "X"),
        "ca_facts": ca_facts,
        "ca_serials": [format(ca.serial_number, "X") for ca in certificates.load_certificates(cas, ca_path)],
        "identity": facts["identity"],
        "identity_path": path + ".identity" if identity else cert_path,
        "trustpoint": trustpoint,
        "revocation_check": revocation,
        "expiry_warning_days": days,
    }


def is_certificate(profile):
    return profile is not None and profile["ike"]["authentication"] == AUTH_CERTIFICATE


def default_id(gw, profile):
    """The identity an end sends when ``id`` is not given: the certificate's for certificate profiles."""
    if is_certificate(profile) and gw.get("pki"):
        return gw["pki"]["identity"]
    return gw["outside_ip_str"]


def model_checks(c, model, raw_gateways):
    """Certificate tunnels need ``pki`` on both gateways; explicit ids must be provable by the end's certificate."""
    reported = set()
    for tunnel in model.tunnels:
        for side in ("a", "b"):
            end = tunnel.ends[side]
            profile = model.profiles.get(end.profile)
            if not is_certificate(profile):
                continue
            gw = model.gateways[end.gateway]
            pki = gw.get("pki")
            if pki is None:
                raw = raw_gateways.get(end.gateway)
                given = isinstance(raw, dict) and raw.get("pki") is not None
                if not given and end.gateway not in reported:
                    reported.add(end.gateway)
                    c.add(gw["path"] + ".pki", "required: tunnel '%s' uses certificate authentication (profile "
                                               "'%s'); give the certificate, private key and CA chain"
                          % (tunnel.name, profile["name"]), "CERT_MISSING")
                continue
            cert = certificates.load_certificate(pki["certificate_pem"], pki["paths"]["certificate"])
            if end.id != pki["identity"] and not certificates.proves(cert, end.id):
                c.add(end.path + ".id", "'%s' is not proven by certificate %s of gateway %s: it is neither its "
                                        "subject nor one of its subjectAltNames"
                      % (end.id, certificates.describe(cert), end.gateway), "CERT_IDENTITY")
            if gw["platform"] == "ios" and certificates.identity_kind(end.remote_id) == "dn":
                c.add(end.path + ".remote_id", "IOS matches a peer's certificate identity by address, FQDN or "
                                               "e-mail, not by distinguished name ('%s'); give the peer's FQDN or "
                                               "address (or set the peer's pki.identity to one)" % end.remote_id)


def pair_checks(tunnel, model):
    """Cross-peer certificate problems of one tunnel: the CA of each end must sign the peer's certificate and the
    peer's certificate must prove the identity this end expects."""
    ends = []
    for side in ("a", "b"):
        end = tunnel.ends[side]
        if not is_certificate(model.profiles.get(end.profile)):
            return []
        pki = model.gateways[end.gateway].get("pki")
        if pki is None:
            return []
        paths = dict(pki["paths"], remote_identity=end.path + ".remote_id")
        ends.append({"paths": paths, "cert_pem": pki["certificate_pem"], "ca_pems": pki["ca_pem"],
                     "identity": end.id, "remote_identity": end.remote_id})
    found = certificates.check_pair(ends[0], ends[1])
    # the plain identity comparison is IDENTITY_MISMATCH already: keep what only certificates can tell
    return [err for err in found if "but the peer presents" not in err.message]


def validity(model, host, now, warning_days=None):
    """``(errors, warnings)``: the validity windows, at ``now``, of ``host``'s certificate and CA chain and of its
    certificate peers' certificates. ``now`` is an aware datetime the caller takes from its clock."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    errors, warnings = [], []
    gateways = [host]
    for tunnel, side in model.by_gateway.get(host, []):
        if is_certificate(model.profiles.get(tunnel.ends[side].profile)):
            gateways.append(tunnel.other(side).gateway)
    seen = set()
    for name in gateways:
        if name in seen:
            continue
        seen.add(name)
        pki = (model.gateways.get(name) or {}).get("pki")
        if pki is None:
            continue
        days = pki["expiry_warning_days"] if warning_days is None else warning_days
        cert = certificates.load_certificate(pki["certificate_pem"], pki["paths"]["certificate"])
        e, w = certificates.check_validity(cert, pki["paths"]["certificate"], now, days)
        errors += e
        warnings += w
        if name == host:
            for index, ca in enumerate(certificates.load_certificates(pki["ca_pem"], pki["paths"]["ca"])):
                e, w = certificates.check_validity(ca, "%s[%d]" % (pki["paths"]["ca"], index), now, days)
                errors += e
                warnings += w
    return errors, warnings


def utc_now():
    """The controller's clock, for the validity step (never used inside the planner)."""
    return datetime.datetime.now(datetime.timezone.utc)


def plan_pki(gw, used):
    """The ``pki`` key of a gateway's plan: what the renderers need, bodies under masked keys; None when no
    certificate tunnel uses the gateway."""
    pki = gw.get("pki")
    if pki is None or not used:
        return None
    facts = pki["facts"]
    return {
        "trustpoint": pki["trustpoint"],
        "revocation_check": pki["revocation_check"],
        "identity": pki["identity"],
        "identity_kind": certificates.identity_kind(pki["identity"]),
        "certificate": {
            "subject": facts["subject"],
            "issuer": facts["issuer"],
            "serial": pki["serial"],
            "fingerprint_sha256": facts["fingerprint_sha256"],
            "not_after": facts["not_after"],
        },
        "ca": [
            {"subject": f["subject"], "serial": s, "fingerprint_sha256": f["fingerprint_sha256"]}
            for f, s in zip(pki["ca_facts"], pki["ca_serials"])
        ],
        "certificate_pem": pki["certificate_pem"],
        "private_key_pem": pki["private_key_pem"],
        "ca_pem": list(pki["ca_pem"]),
    }


def identity_kind(identity):
    return certificates.identity_kind(identity)


def problem(path, message, code):
    return IntentError(path, message, code)


def read_files(intent, reader):
    """A copy of ``intent`` whose ``gateways.<host>.pki`` file fields hold ``{path, pem}`` (or ``{path, error}``)
    instead of a path: ``reader(path)`` returns a file's text or raises ``OSError``/``ValueError``. The caller (the
    plan action, on the controller) supplies the reader; the planner then sees only text."""
    if not isinstance(intent, dict) or not isinstance(intent.get("gateways"), dict):
        return intent
    gateways = {}
    for name, gw in intent["gateways"].items():
        pki = gw.get("pki") if isinstance(gw, dict) else None
        if not isinstance(pki, dict) or not any(pki.get(f) is not None for f in FILE_FIELDS):
            gateways[name] = gw
            continue
        pki = dict(pki)
        for field in FILE_FIELDS:
            value = pki.get(field)
            if value is None:
                continue
            if field == "ca_files":
                pki[field] = [_read(reader, v) for v in value] if isinstance(value, list) else [_read(reader, value)]
            else:
                pki[field] = _read(reader, value)
        gateways[name] = dict(gw, pki=pki)
    return dict(intent, gateways=gateways)


def _read(reader, path):
    if not isinstance(path, str):
        return path
    try:
        return {"path": path, "pem": reader(path)}
    except (OSError, ValueError) as exc:
        return {"path": path, "error": getattr(exc, "strerror", None) or str(exc)}


def parse_now(text):
    """An ISO 8601 time with a zone (``2026-06-01T00:00:00+00:00``, ``...Z``) -> aware datetime; ValueError else."""
    moment = datetime.datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("%r has no time zone" % text)
    return moment
