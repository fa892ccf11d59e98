# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate the raw ``ipsec_vpn_intent`` and return the normalised model.

:func:`validate` walks the whole intent, collects every problem with its exact path
(``tunnels[3].b.networks[0]: '10.0.0.300/24' is not an IPv4/IPv6 network``) and raises
:class:`IntentErrors` with all of them, or returns a :class:`Model`. Groups are expanded into
point-to-point tunnels by :mod:`topology`. The field reference is ``docs/intent.md``.

Pure Python (no ``ansible`` import); address math uses netaddr.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

try:
    import netaddr
except ImportError:  # pragma: no cover - netaddr is a hard requirement of the collection
    netaddr = None
from ansible_collections.ipsec.vpn.plugins.module_utils import acl, algorithms, intent_checks, numbering, pki
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import (
    AclError,
    AlgorithmError,
    IntentError,
    IntentErrors,
)

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_CIDR_RE = re.compile(r"^([0-9A-Fa-f:.]+)/(0|[1-9][0-9]{0,2})$")
_PATH_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")

PLATFORMS = ("ios", "strongswan")
STYLES = ("crypto_map", "gre_over_ipsec", "vti")
GROUP_TYPES = ("hub_and_spoke", "full_mesh")

DEFAULT_CRYPTO_MAP = "IPSEC-VPN"
DEFAULT_OUTSIDE_ACL = "IPSEC-VPN-OUTSIDE"

_TOP_FIELDS = ("unsafe_skip_crosscheck", "crypto_profiles", "gateways", "inside_routers", "tunnels", "groups")


# ---------------------------------------------------------------------------------------
# Small utilities
# ---------------------------------------------------------------------------------------


class Collector:
    """Accumulates :class:`IntentError` instances."""

    def __init__(self):
        self.errors = []

    def add(self, path, message, code="INVALID"):
        self.errors.append(IntentError(path, message, code))


def key_path(base, key):
    """``gateways`` + ``R2`` -> ``gateways.R2``; keys with dots or spaces are quoted."""
    key = str(key)
    if _PATH_KEY_RE.match(key):
        return "%s.%s" % (base, key) if base else key
    return '%s["%s"]' % (base, key)


def _type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


def _short(value):
    text = repr(value) if not isinstance(value, str) else "'%s'" % value
    return text if len(text) <= 60 else text[:57] + "..."


def mapping(c, path, raw, fields, required=()):
    """Check ``raw`` is a dict with only ``fields`` and all ``required``; return it (or None)."""
    if not isinstance(raw, dict):
        c.add(path, "expected a mapping, got %s" % _type_name(raw))
        return None
    for key in raw:
        if key not in fields:
            c.add(key_path(path, key), "unknown field (valid fields: %s)" % ", ".join(fields))
    ok = True
    for key in required:
        if raw.get(key) is None:
            c.add(key_path(path, key), "required field is missing")
            ok = False
    return raw if ok else None


def opt_bool(c, path, value, default):
    if value is None:
        return default
    if not isinstance(value, bool):
        c.add(path, "expected true or false, got %s" % _short(value))
        return default
    return value


def opt_int(c, path, value, default, low=None, high=None):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            c.add(path, "expected an integer, got %s" % _short(value))
            return None
    if (low is not None and value < low) or (high is not None and value > high):
        c.add(path, "%d is outside %d..%d" % (value, low, high))
        return None
    return value


def opt_choice(c, path, value, choices, default):
    if value is None:
        return default
    if value not in choices:
        c.add(path, "%s is not one of %s" % (_short(value), ", ".join(str(x) for x in choices)))
        return None
    return value


def opt_str(c, path, value, default=None):
    if value is None:
        return default
    if not isinstance(value, str) or not value.strip():
        c.add(path, "expected a non-empty string, got %s" % _short(value))
        return None
    return value


def opt_name(c, path, value, default=None, what="name"):
    if value is None:
        return default
    if not isinstance(value, str) or not NAME_RE.match(value):
        c.add(
            path,
            "%s is not a valid %s (letters, digits, '_', '.', '-'; starting with a letter or digit; at most 64)"
            % (_short(value), what),
        )
        return None
    return value


def opt_list(c, path, value, default=None):
    if value is None:
        return [] if default is None else default
    if not isinstance(value, list):
        c.add(path, "expected a list, got %s" % _type_name(value))
        return None
    return value


def parse_network(c, path, value):
    """A network CIDR (no host bits) -> netaddr.IPNetwork, or None after recording an error."""
    if not isinstance(value, str) or not _CIDR_RE.match(value.strip()):
        c.add(path, "%s is not an IPv4/IPv6 network" % _short(value))
        return None
    try:
        net = netaddr.IPNetwork(value.strip())
    except (netaddr.AddrFormatError, ValueError, TypeError):
        c.add(path, "%s is not an IPv4/IPv6 network" % _short(value))
        return None
    if net.ip != net.network:
        c.add(path, "%s has host bits set; did you mean '%s'?" % (_short(value), net.cidr))
        return None
    return net


def parse_interface_address(c, path, value):
    """An interface address with prefix length (``202.100.1.1/24``) -> netaddr.IPNetwork."""
    if not isinstance(value, str) or not _CIDR_RE.match(value.strip()):
        c.add(path, "%s is not an address with prefix length such as 202.100.1.1/24" % _short(value))
        return None
    try:
        net = netaddr.IPNetwork(value.strip())
    except (netaddr.AddrFormatError, ValueError, TypeError):
        c.add(path, "%s is not an address with prefix length such as 202.100.1.1/24" % _short(value))
        return None
    limit = 31 if net.version == 4 else 127
    if net.prefixlen < limit and net.ip in (net.network, net.broadcast):
        c.add(path, "%s is the network or broadcast address of %s, not a host address" % (_short(value), net.cidr))
        return None
    return net


def parse_ip(c, path, value):
    if not isinstance(value, str):
        c.add(path, "%s is not an IPv4/IPv6 address" % _short(value))
        return None
    try:
        return netaddr.IPAddress(value.strip())
    except (netaddr.AddrFormatError, ValueError, TypeError):
        c.add(path, "%s is not an IPv4/IPv6 address" % _short(value))
        return None


def parse_network_list(c, path, raw, allow_empty=True):
    items = opt_list(c, path, raw)
    if items is None:
        return None
    if not items and not allow_empty:
        c.add(path, "needs at least one network")
        return None
    nets = []
    seen = {}
    ok = True
    for i, item in enumerate(items):
        item_path = "%s[%d]" % (path, i)
        net = parse_network(c, item_path, item)
        if net is None:
            ok = False
            continue
        if net in seen:
            c.add(item_path, "%s is listed twice (also at [%d])" % (net.cidr, seen[net]))
            ok = False
            continue
        seen[net] = i
        nets.append(net)
    return nets if ok else None


# ---------------------------------------------------------------------------------------
# Model objects
# ---------------------------------------------------------------------------------------


class Model:
    """The validated, normalised intent."""

    def __init__(self, skip_crosscheck, profiles, gateways, inside_routers, tunnels):
        self.skip_crosscheck = skip_crosscheck
        self.profiles = profiles
        self.gateways = gateways
        self.inside_routers = inside_routers
        self.tunnels = tunnels
        # (gateway, text) warnings of legal but surprising intents (intent_checks.model_checks)
        self.intent_warnings = []
        self.by_gateway = {}
        for tunnel in tunnels:
            for side in ("a", "b"):
                self.by_gateway.setdefault(tunnel.ends[side].gateway, []).append((tunnel, side))
        self.inside_by_gateway = {}
        for name in sorted(inside_routers):
            self.inside_by_gateway.setdefault(inside_routers[name]["gateway"], []).append(name)


class End:
    """One end of a tunnel, fully defaulted."""

    __slots__ = (
        "side",
        "path",
        "gateway",
        "networks",
        "networks_path",
        "profile",
        "profile_path",
        "psk",
        "psk_path",
        "remote_networks",
        "remote_networks_path",
        "id",
        "remote_id",
        "crypto_map_sequence",
        "tunnel_number",
        "tunnel_address",
        "advertise",
    )

    def __init__(self, **kwargs):
        for slot in self.__slots__:
            setattr(self, slot, kwargs.get(slot))


class Tunnel:
    """A point-to-point tunnel (explicit, or expanded from a group)."""

    __slots__ = (
        "name",
        "path",
        "index",
        "group",
        "style",
        "selectors",
        "selectors_path",
        "acl_name",
        "crypto_map_name",
        "crypto_map_sequence",
        "overlay",
        "ends",
    )

    def __init__(self, **kwargs):
        for slot in self.__slots__:
            setattr(self, slot, kwargs.get(slot))

    def other(self, side):
        return self.ends["b" if side == "a" else "a"]


# ---------------------------------------------------------------------------------------
# Crypto profiles
# ---------------------------------------------------------------------------------------


def _alg(c, path, kind, value):
    try:
        return algorithms.canonical(kind, value)
    except AlgorithmError as err:
        c.add(path, str(err))
        return None


class _Weak:
    def __init__(self, c, profile_path, allow, warnings):
        self.c = c
        self.profile_path = profile_path
        self.allow = allow
        self.warnings = warnings

    def check(self, path, kind, name):
        if name is None:
            return
        reason = algorithms.weakness(kind, name)
        if reason is None:
            return
        if self.allow:
            label = "DH group %s" % name if kind == "dh_group" else "%s %s" % (path.rsplit(".", 1)[-1], name)
            self.warnings.append((label, reason))
        else:
            self.c.add(
                path,
                "%s is refused as weak crypto: %s; set %s.allow_weak_crypto: true to accept it"
                % (name, reason, self.profile_path),
                code="WEAK_CRYPTO",
            )


def _ike(c, path, raw, weak):
    d = mapping(c, path, raw, ("version", "mode", "authentication", "lifetime", "proposals"), ("proposals",))
    if d is None:
        return None
    version = opt_choice(c, path + ".version", d.get("version"), (1, 2), 2)
    mode = opt_choice(c, path + ".mode", d.get("mode"), ("main", "aggressive"), "main")
    if version == 2 and mode == "aggressive":
        c.add(path + ".mode", "aggressive mode exists only in IKEv1")
    auth = None
    if d.get("authentication") is None:
        auth = "psk"
    elif d.get("authentication") in ("psk", "rsa-sig", "certificate"):
        # "certificate" and "rsa-sig" are one method (rsa-sig on IOS, pubkey on strongSwan)
        auth = "psk" if d["authentication"] == "psk" else pki.AUTH_CERTIFICATE
    else:
        c.add(path + ".authentication", "%s is not one of psk, certificate, rsa-sig" % _short(d.get("authentication")))
    lifetime = opt_int(c, path + ".lifetime", d.get("lifetime"), 86400, 60, 86400)
    raw_props = opt_list(c, path + ".proposals", d.get("proposals"))
    if raw_props is not None and not raw_props:
        c.add(path + ".proposals", "needs at least one proposal")
    proposals = []
    seen = {}
    for i, raw_prop in enumerate(raw_props or []):
        ppath = "%s.proposals[%d]" % (path, i)
        p = mapping(
            c, ppath, raw_prop, ("encryption", "integrity", "prf", "dh_group", "priority"), ("encryption", "dh_group")
        )
        if p is None:
            continue
        enc = _alg(c, ppath + ".encryption", "encryption", p["encryption"])
        integ = _alg(c, ppath + ".integrity", "integrity", p["integrity"]) if p.get("integrity") is not None else None
        prf = _alg(c, ppath + ".prf", "prf", p["prf"]) if p.get("prf") is not None else None
        group = _alg(c, ppath + ".dh_group", "dh_group", p["dh_group"])
        priority = opt_int(c, ppath + ".priority", p.get("priority"), None, 1, numbering.PRIORITY_MAX)
        if enc is None or group is None:
            continue
        row = algorithms.ENCRYPTION[enc]
        if not row.ike:
            c.add(ppath + ".encryption", "%s cannot protect IKE (it gives no confidentiality)" % enc)
            continue
        if row.aead:
            if version == 1:
                c.add(ppath + ".encryption", "%s is an AEAD cipher; IKEv1 has no AEAD ciphers" % enc)
                continue
            if p.get("integrity") is not None:
                c.add(ppath + ".integrity", "%s is an AEAD cipher and takes no integrity algorithm; give a prf" % enc)
                continue
            if p.get("prf") is None:
                c.add(ppath + ".prf", "required with the AEAD cipher %s" % enc)
                continue
        elif p.get("integrity") is None:
            c.add(ppath + ".integrity", "required with the non-AEAD cipher %s" % enc)
            continue
        if version == 1:
            if p.get("prf") is not None:
                c.add(ppath + ".prf", "only IKEv2 has a separate prf (IKEv1 uses the integrity algorithm)")
                continue
        else:
            if p.get("priority") is not None:
                c.add(ppath + ".priority", "only IKEv1 isakmp policies have a priority")
                continue
            if prf is None:
                prf = integ
        if integ is None and p.get("integrity") is not None or prf is None and p.get("prf") is not None:
            continue
        weak.check(ppath + ".encryption", "encryption", enc)
        weak.check(ppath + ".integrity", "integrity", integ)
        if version == 2 and prf != integ:
            weak.check(ppath + ".prf", "prf", prf)
        weak.check(ppath + ".dh_group", "dh_group", group)
        key = (enc, integ, prf, group)
        if key in seen:
            c.add(ppath, "repeats proposal [%d]" % seen[key])
            continue
        seen[key] = i
        proposals.append(
            {"encryption": enc, "integrity": integ, "prf": prf, "dh_group": group, "priority": priority, "path": ppath}
        )
    return {"version": version, "mode": mode, "authentication": auth, "lifetime": lifetime, "proposals": proposals}


def _ipsec(c, path, raw, weak, profile_name):
    fields = (
        "protocol",
        "mode",
        "proposals",
        "pfs_group",
        "lifetime_seconds",
        "lifetime_kilobytes",
        "transform_set_name",
    )
    d = mapping(c, path, raw, fields, ("proposals",))
    if d is None:
        return None
    protocol = opt_choice(c, path + ".protocol", d.get("protocol"), ("esp", "ah"), "esp")
    mode = opt_choice(c, path + ".mode", d.get("mode"), ("tunnel", "transport"), "tunnel")
    pfs = None
    if d.get("pfs_group") is not None:
        pfs = _alg(c, path + ".pfs_group", "dh_group", d["pfs_group"])
        weak.check(path + ".pfs_group", "dh_group", pfs)
    seconds = opt_int(c, path + ".lifetime_seconds", d.get("lifetime_seconds"), 3600, 120, 86400)
    kilobytes = opt_int(c, path + ".lifetime_kilobytes", d.get("lifetime_kilobytes"), 4608000, 2560, 4294967295)
    ts_name = opt_name(
        c, path + ".transform_set_name", d.get("transform_set_name"), "TS-" + profile_name, "transform set name"
    )
    raw_props = opt_list(c, path + ".proposals", d.get("proposals"))
    if raw_props is not None and not raw_props:
        c.add(path + ".proposals", "needs at least one proposal")
    proposals = []
    seen = {}
    for i, raw_prop in enumerate(raw_props or []):
        ppath = "%s.proposals[%d]" % (path, i)
        p = mapping(c, ppath, raw_prop, ("encryption", "integrity"))
        if p is None:
            continue
        enc = integ = None
        if protocol == "ah":
            if p.get("encryption") is not None:
                c.add(ppath + ".encryption", "AH gives no encryption; remove it or use protocol esp")
                continue
            if p.get("integrity") is None:
                c.add(ppath + ".integrity", "required for AH")
                continue
            integ = _alg(c, ppath + ".integrity", "ah_integrity", p["integrity"])
            if integ is None:
                continue
            weak.check(ppath + ".integrity", "ah_integrity", integ)
        else:
            if p.get("encryption") is None:
                c.add(ppath + ".encryption", "required for ESP")
                continue
            enc = _alg(c, ppath + ".encryption", "encryption", p["encryption"])
            if enc is None:
                continue
            if algorithms.ENCRYPTION[enc].aead:
                if p.get("integrity") is not None:
                    c.add(ppath + ".integrity", "%s is an AEAD cipher and takes no integrity algorithm" % enc)
                    continue
            else:
                if p.get("integrity") is None:
                    c.add(ppath + ".integrity", "required with the non-AEAD cipher %s" % enc)
                    continue
                integ = _alg(c, ppath + ".integrity", "integrity", p["integrity"])
                if integ is None:
                    continue
            weak.check(ppath + ".encryption", "encryption", enc)
            weak.check(ppath + ".integrity", "integrity", integ)
        key = (enc, integ)
        if key in seen:
            c.add(ppath, "repeats proposal [%d]" % seen[key])
            continue
        seen[key] = i
        proposals.append({"encryption": enc, "integrity": integ, "path": ppath})
    return {
        "protocol": protocol,
        "mode": mode,
        "proposals": proposals,
        "pfs_group": pfs,
        "lifetime_seconds": seconds,
        "lifetime_kilobytes": kilobytes,
        "transform_set_name": ts_name,
    }


def _dpd(c, path, raw):
    if raw is None:
        raw = {}
    d = mapping(c, path, raw, ("enabled", "interval", "retry_interval", "mode", "action"))
    if d is None:
        return None
    return {
        "enabled": opt_bool(c, path + ".enabled", d.get("enabled"), True),
        "interval": opt_int(c, path + ".interval", d.get("interval"), 10, 10, 3600),
        "retry_interval": opt_int(c, path + ".retry_interval", d.get("retry_interval"), 2, 2, 60),
        "mode": opt_choice(c, path + ".mode", d.get("mode"), ("periodic", "on-demand"), "on-demand"),
        "action": opt_choice(c, path + ".action", d.get("action"), ("restart", "clear", "trap"), "restart"),
    }


def _target_keywords(profile):
    """Per-platform derived crypto of a valid profile; problems go to ``profile['target_errors']``."""
    ike = profile["ike"]
    ipsec = profile["ipsec"]
    errors = {"ios": [], "strongswan": []}
    sw_ike, sw_esp, sw_ah = [], [], []
    for p in ike["proposals"]:
        try:
            sw_ike.append(
                algorithms.strongswan_ike_proposal(
                    p["encryption"], p["integrity"], p["prf"] if ike["version"] == 2 else None, p["dh_group"]
                )
            )
        except AlgorithmError as err:
            errors["strongswan"].append((p["path"], str(err)))
    for p in ipsec["proposals"]:
        try:
            if ipsec["protocol"] == "ah":
                sw_ah.append(algorithms.strongswan_ah_proposal(p["integrity"], ipsec["pfs_group"]))
            else:
                sw_esp.append(algorithms.strongswan_esp_proposal(p["encryption"], p["integrity"], ipsec["pfs_group"]))
        except AlgorithmError as err:
            errors["strongswan"].append((p["path"], str(err)))
    isakmp, ikev2 = [], []
    for p in ike["proposals"]:
        try:
            if ike["version"] == 1:
                policy = algorithms.ios_isakmp_policy(
                    p["encryption"], p["integrity"], p["dh_group"], ike["authentication"], ike["lifetime"]
                )
                priority = p["priority"]
                policy["priority"] = (
                    priority
                    if priority is not None
                    else numbering.isakmp_priority(
                        p["encryption"], p["integrity"], p["dh_group"], ike["authentication"], ike["lifetime"]
                    )
                )
                policy["pinned"] = priority is not None
                policy["path"] = p["path"]
                isakmp.append(policy)
            else:
                prfs = [p["prf"]] if p["prf"] != p["integrity"] else []
                integs = [p["integrity"]] if p["integrity"] else []
                prop = algorithms.ios_ikev2_proposal([p["encryption"]], integs, prfs, [p["dh_group"]])
                words = prop["encryption"] + prop["integrity"] + ["PRF-" + x for x in prop["prf"]] + prop["group"]
                prop["name"] = "IKEV2-" + "-".join(w.replace(" ", "-") for w in words).upper()
                prop["strength"] = numbering.strength_key(p)
                ikev2.append(prop)
        except AlgorithmError as err:
            errors["ios"].append((p["path"], str(err)))
    if ike["version"] == 2 and ike["lifetime"] < 120:
        errors["ios"].append(
            (profile["path"] + ".ike.lifetime", "%d s is below the IOS IKEv2 minimum of 120 s" % ike["lifetime"])
        )
    transform_sets = []
    for i, p in enumerate(ipsec["proposals"]):
        try:
            words = algorithms.ios_transform_set(ipsec["protocol"], p["encryption"], p["integrity"])
        except AlgorithmError as err:
            errors["ios"].append((p["path"], str(err)))
            continue
        name = ipsec["transform_set_name"] if i == 0 else "%s-%d" % (ipsec["transform_set_name"], i + 1)
        transform_sets.append({"name": name, "protocol": ipsec["protocol"], "transforms": words, "mode": ipsec["mode"]})
    ios_pfs = None
    if ipsec["pfs_group"] is not None:
        try:
            ios_pfs = algorithms.ios_pfs(ipsec["pfs_group"])
        except AlgorithmError as err:
            errors["ios"].append((profile["path"] + ".ipsec.pfs_group", str(err)))
    xe_blocked = []
    for p in ike["proposals"]:
        target = "ios_ikev1" if ike["version"] == 1 else "ios_ikev2"
        for kind, name in (("encryption", p["encryption"]), ("integrity", p["integrity"]), ("dh_group", p["dh_group"])):
            if name is not None and _blocked(target, kind, name):
                xe_blocked.append(_label(kind, name))
    for p in ipsec["proposals"]:
        kinds = (
            ("encryption", p["encryption"]),
            ("ah_integrity" if ipsec["protocol"] == "ah" else "integrity", p["integrity"]),
        )
        for kind, name in kinds:
            if name is not None and _blocked("ios_transform", kind, name):
                xe_blocked.append(_label(kind, name))
    if ipsec["pfs_group"] is not None and _blocked("ios_transform", "dh_group", ipsec["pfs_group"]):
        xe_blocked.append(_label("dh_group", ipsec["pfs_group"]))
    profile.update(
        {
            "strongswan_proposals": sw_ike,
            "strongswan_esp_proposals": sw_esp,
            "strongswan_ah_proposals": sw_ah,
            "ios_isakmp": isakmp,
            "ios_ikev2": ikev2,
            "ios_transform_sets": transform_sets,
            "ios_pfs": ios_pfs,
            "target_errors": errors,
            "ios_xe_blocked": sorted(set(xe_blocked)),
        }
    )


def _blocked(target, kind, name):
    try:
        return algorithms.ios_xe_blocked(target, kind, name)
    except AlgorithmError:
        return False


def _label(kind, name):
    return "DH group %s" % name if kind == "dh_group" else str(name)


def _profile(c, path, name, raw):
    fields = ("allow_weak_crypto", "ike", "ipsec", "dpd", "nat_traversal")
    d = mapping(c, path, raw, fields, ("ike", "ipsec"))
    if d is None:
        return None
    allow = opt_bool(c, path + ".allow_weak_crypto", d.get("allow_weak_crypto"), False)
    warnings = []
    weak = _Weak(c, path, allow, warnings)
    before = len(c.errors)
    ike = _ike(c, path + ".ike", d["ike"], weak)
    ipsec = _ipsec(c, path + ".ipsec", d["ipsec"], weak, name)
    dpd = _dpd(c, path + ".dpd", d.get("dpd"))
    nat_t = opt_bool(c, path + ".nat_traversal", d.get("nat_traversal"), True)
    if len(c.errors) != before or ike is None or ipsec is None or dpd is None:
        return None
    if allow and not warnings:
        notes = ["%s.allow_weak_crypto is true but the profile uses no weak algorithm" % path]
    elif warnings:
        seen = []
        for label, reason in warnings:
            if (label, reason) not in seen:
                seen.append((label, reason))
        notes = [
            "crypto profile '%s' accepts weak algorithms (allow_weak_crypto): %s"
            % (name, "; ".join("%s: %s" % (label, reason) for label, reason in seen))
        ]
    else:
        notes = []
    warnings = notes
    profile = {
        "name": name,
        "path": path,
        "allow_weak_crypto": allow,
        "weak_warnings": warnings,
        "ike": ike,
        "ipsec": ipsec,
        "dpd": dpd,
        "nat_traversal": nat_t,
    }
    _target_keywords(profile)
    return profile


# ---------------------------------------------------------------------------------------
# Gateways and inside routers
# ---------------------------------------------------------------------------------------


def _outside_acl(c, path, raw):
    if raw is None:
        raw = {}
    fields = ("enabled", "name", "permit_nat_traversal", "permit_decrypted", "permit_management", "extra_entries")
    d = mapping(c, path, raw, fields)
    if d is None:
        return None
    name = d.get("name")
    if isinstance(name, int) and not isinstance(name, bool):
        name = str(name)
    extra = []
    for i, text in enumerate(opt_list(c, path + ".extra_entries", d.get("extra_entries")) or []):
        epath = "%s.extra_entries[%d]" % (path, i)
        if not isinstance(text, str):
            c.add(epath, "expected IOS ACE text such as 'permit ospf any any', got %s" % _type_name(text))
            continue
        try:
            extra.append((text.strip(), acl.canonical_ace(acl.parse_ios_ace(text))))
        except AclError as err:
            c.add(epath, str(err))
    return {
        "enabled": opt_bool(c, path + ".enabled", d.get("enabled"), False),
        "name": opt_name(c, path + ".name", name, DEFAULT_OUTSIDE_ACL, "ACL name"),
        "permit_nat_traversal": opt_bool(c, path + ".permit_nat_traversal", d.get("permit_nat_traversal"), None),
        "permit_decrypted": opt_bool(c, path + ".permit_decrypted", d.get("permit_decrypted"), False),
        "permit_management": opt_bool(c, path + ".permit_management", d.get("permit_management"), False),
        "extra_entries": extra,
    }


def validate_management(c, path, raw):
    """Validate a management mapping (from the intent or from the action plugin)."""
    d = mapping(c, path, raw, ("address", "port", "interface", "controller", "allow_lockout"))
    if d is None:
        return None
    controller = None
    if d.get("controller") is not None:
        text = d["controller"]
        if isinstance(text, str) and "/" not in text:
            text = text + ("/32" if ":" not in text else "/128")
        controller = parse_network(c, path + ".controller", text)
    address = d.get("address")
    if address is not None and not isinstance(address, str):
        c.add(path + ".address", "expected an address or host name, got %s" % _type_name(address))
        address = None
    return {
        "address": address.strip() if address else None,
        "port": opt_int(c, path + ".port", d.get("port"), None, 1, 65535),
        "interface": opt_str(c, path + ".interface", d.get("interface")),
        "controller": controller,
        "allow_lockout": opt_bool(c, path + ".allow_lockout", d.get("allow_lockout"), False),
    }


def _gateway(c, path, name, raw):
    fields = (
        "platform",
        "outside_interface",
        "outside_address",
        "internet_next_hop",
        "protected_networks",
        "site_id",
        "crypto_map_name",
        "outside_acl",
        "management",
        "pki",
        "strongswan",
        "tunnel_source",
        "manage_routes",
    )
    d = mapping(c, path, raw, fields, ("platform", "outside_interface", "outside_address"))
    if d is None:
        return None
    before = len(c.errors)
    platform = opt_choice(c, path + ".platform", d.get("platform"), PLATFORMS, None)
    interface = opt_str(c, path + ".outside_interface", d.get("outside_interface"))
    outside = parse_interface_address(c, path + ".outside_address", d.get("outside_address"))
    next_hop = None
    if d.get("internet_next_hop") is not None:
        next_hop = parse_ip(c, path + ".internet_next_hop", d["internet_next_hop"])
        if next_hop is not None and outside is not None:
            if next_hop not in outside or next_hop == outside.ip:
                c.add(
                    path + ".internet_next_hop",
                    "%s is not another address in the outside network %s" % (next_hop, outside.cidr),
                )
    protected = []
    raw_protected = opt_list(c, path + ".protected_networks", d.get("protected_networks"))
    seen = set()
    for i, item in enumerate(raw_protected or []):
        ipath = "%s.protected_networks[%d]" % (path, i)
        hop = None
        if isinstance(item, dict):
            entry = mapping(c, ipath, item, ("prefix", "next_hop"), ("prefix",))
            if entry is None:
                continue
            net = parse_network(c, ipath + ".prefix", entry["prefix"])
            if entry.get("next_hop") is not None:
                hop = parse_ip(c, ipath + ".next_hop", entry["next_hop"])
                if hop is None:
                    continue
        else:
            net = parse_network(c, ipath, item)
        if net is None:
            continue
        if net in seen:
            c.add(ipath, "%s is listed twice" % net.cidr)
            continue
        seen.add(net)
        protected.append({"net": net, "next_hop": hop, "path": ipath})
    site_id = opt_int(c, path + ".site_id", d.get("site_id"), None, numbering.SITE_ID_MIN, numbering.SITE_ID_MAX)
    cmap = opt_name(c, path + ".crypto_map_name", d.get("crypto_map_name"), None, "crypto map name")
    outside_acl = _outside_acl(c, path + ".outside_acl", d.get("outside_acl"))
    management = None
    if d.get("management") is not None:
        management = validate_management(c, path + ".management", d["management"])
    credentials = None
    if d.get("pki") is not None:
        credentials = pki.gateway_pki(c, path + ".pki", d["pki"], mapping, opt_int, platform)
    strongswan = strongswan_settings(c, path + ".strongswan", d.get("strongswan"), platform)
    settings = _device_settings(c, path, d, platform)
    if len(c.errors) != before:
        return None
    return dict(settings, **{
        "name": name,
        "path": path,
        "platform": platform,
        "outside_interface": interface,
        "outside": outside,
        "outside_net": outside.cidr,
        "outside_ip": outside.ip,
        "outside_ip_str": str(outside.ip),
        "outside_ip_key": (outside.version, int(outside.ip)),
        "internet_next_hop": next_hop,
        "internet_next_hop_str": str(next_hop) if next_hop is not None else None,
        "protected": protected,
        "site_id": site_id if site_id is not None else numbering.derived_site_id(name),
        "site_id_explicit": site_id is not None,
        "crypto_map_name": cmap,
        "outside_acl": outside_acl,
        "management": management,
        "pki": credentials,
        "strongswan": strongswan,
    })


STRONGSWAN_START_ACTIONS = ("start", "trap", "none")


def strongswan_settings(c, path, raw, platform):
    """``gateways.<name>.strongswan``: settings that change what a strongSwan gateway runs (None for other
    platforms, which may not set them)."""
    if platform != "strongswan":
        if raw is not None and platform is not None:
            c.add(path, "only a strongSwan gateway takes these settings (platform is %s)" % platform)
        return None
    d = mapping(c, path, {} if raw is None else raw, ("encap", "start_action", "manage_routes", "firewall_restrict"))
    if d is None:
        return None
    return {
        "encap": opt_bool(c, path + ".encap", d.get("encap"), False),
        "start_action": opt_choice(c, path + ".start_action", d.get("start_action"), STRONGSWAN_START_ACTIONS,
                                   "start"),
        "manage_routes": opt_bool(c, path + ".manage_routes", d.get("manage_routes"), True),
        "firewall_restrict": opt_bool(c, path + ".firewall_restrict", d.get("firewall_restrict"), False),
    }


TUNNEL_SOURCES = ("address", "interface")


def _device_settings(c, path, d, platform):
    """What goes on the device beyond the tunnels: the IOS ``tunnel source`` form and whether routes are pushed."""
    source = d.get("tunnel_source")
    if source is not None and platform != "ios":
        c.add(path + ".tunnel_source", "is an IOS setting (the gateway's platform is %s)" % platform)
    if d.get("manage_routes") is not None and platform == "strongswan":
        c.add(path + ".manage_routes", "is an IOS setting; a strongSwan gateway takes strongswan.manage_routes")
    return {
        "tunnel_source": opt_choice(c, path + ".tunnel_source", source, TUNNEL_SOURCES, "address"),
        "manage_routes": opt_bool(c, path + ".manage_routes", d.get("manage_routes"), True),
    }


def _inside_router(c, path, name, raw, gateways):
    d = mapping(c, path, raw, ("gateway", "next_hop", "networks", "platform", "manage_routes"),
                ("gateway", "next_hop", "networks"))
    if d is None:
        return None
    before = len(c.errors)
    gw_name = d["gateway"]
    gateway = None
    if not isinstance(gw_name, str) or gw_name not in gateways:
        c.add(path + ".gateway", "%s is not a gateway of this intent" % _short(gw_name))
    else:
        gateway = gateways[gw_name]
    next_hop = parse_ip(c, path + ".next_hop", d["next_hop"])
    nets = parse_network_list(c, path + ".networks", d["networks"], allow_empty=False)
    platform = opt_choice(c, path + ".platform", d.get("platform"), ("ios",), "ios")
    if name in gateways:
        c.add(path, "%s is also a gateway; a host is either a gateway or an inside router" % name)
    if gateway is not None and nets:
        behind = [p["net"] for p in gateway["protected"] if p["next_hop"] is not None]
        for i, net in enumerate(nets):
            if not any(net in b for b in behind):
                c.add(
                    "%s.networks[%d]" % (path, i),
                    "%s is not inside any protected network of gateway %s that has a next_hop" % (net.cidr, gw_name),
                )
    if len(c.errors) != before:
        return None
    return {
        "name": name,
        "path": path,
        "gateway": gw_name,
        "next_hop": next_hop,
        "networks": nets,
        "platform": platform,
        "manage_routes": opt_bool(c, path + ".manage_routes", d.get("manage_routes"), True),
    }


# ---------------------------------------------------------------------------------------
# Tunnels
# ---------------------------------------------------------------------------------------

_TUNNEL_FIELDS = ("name", "style", "profile", "psk", "a", "b", "selectors", "acl_name", "crypto_map", "overlay")
_END_FIELDS = (
    "gateway",
    "networks",
    "profile",
    "psk",
    "remote_networks",
    "id",
    "remote_id",
    "crypto_map_sequence",
    "tunnel_number",
    "tunnel_address",
    "advertise",
)


def parse_port(c, path, protocol, value):
    """A selector port (int, list of ints, ``'range 1000 2000'``, {op, ports}) -> ACL port dict."""
    if value is None:
        return None
    if protocol not in ("tcp", "udp"):
        c.add(path, "ports need selectors.protocol tcp or udp, not %s" % protocol)
        return None
    if isinstance(value, bool):
        spec = None
    elif isinstance(value, int):
        spec = {"op": "eq", "ports": [value]}
    elif isinstance(value, list):
        spec = {"op": "eq", "ports": list(value)}
    elif isinstance(value, str):
        words = value.split()
        if words and words[0] in acl.PORT_OPS:
            spec = {"op": words[0], "ports": words[1:]}
        else:
            spec = {"op": "eq", "ports": words}
    elif isinstance(value, dict):
        spec = dict(value)
    else:
        spec = None
    if spec is None:
        c.add(path, "%s is not a port, a list of ports or IOS port text such as 'range 1000 2000'" % _short(value))
        return None
    try:
        ace = acl.canonical_ace(
            {
                "action": "permit",
                "protocol": protocol,
                "source": "0.0.0.0/0",
                "source_port": spec,
                "destination": "0.0.0.0/0",
                "destination_port": None,
            }
        )
    except AclError as err:
        c.add(path, str(err).replace("source_port", "port", 1))
        return None
    return ace["source_port"]


def _selectors(c, path, raw):
    if raw is None:
        return {"protocol": "ip", "a_port": None, "b_port": None}
    d = mapping(c, path, raw, ("protocol", "a_port", "b_port"))
    if d is None:
        return None
    try:
        protocol = acl.canonical_protocol(d.get("protocol", "ip") if d.get("protocol") is not None else "ip")
    except AclError as err:
        c.add(path + ".protocol", str(err))
        return None
    a_port = _port_zero(c, path + ".a_port", parse_port(c, path + ".a_port", protocol, d.get("a_port")))
    b_port = _port_zero(c, path + ".b_port", parse_port(c, path + ".b_port", protocol, d.get("b_port")))
    if (d.get("a_port") is not None and a_port is None) or (d.get("b_port") is not None and b_port is None):
        return None
    return {"protocol": protocol, "a_port": a_port, "b_port": b_port}


def _routing(c, path, raw):
    if raw is None:
        return {"protocol": "static"}
    d = mapping(c, path, raw, ("protocol", "as_number", "process_id", "area"), ("protocol",))
    if d is None:
        return None
    proto = opt_choice(c, path + ".protocol", d["protocol"], ("static", "eigrp", "ospf"), None)
    if proto is None:
        return None
    out = {"protocol": proto}
    if proto == "eigrp":
        if d.get("as_number") is None:
            c.add(path + ".as_number", "required for eigrp")
            return None
        out["as_number"] = opt_int(c, path + ".as_number", d["as_number"], None, 1, 65535)
        for extra in ("process_id", "area"):
            if d.get(extra) is not None:
                c.add(path + "." + extra, "only for ospf")
        return out if out["as_number"] is not None else None
    if proto == "ospf":
        out["process_id"] = opt_int(c, path + ".process_id", d.get("process_id"), 1, 1, 65535)
        out["area"] = _ospf_area(c, path + ".area", d.get("area", 0))
        if d.get("as_number") is not None:
            c.add(path + ".as_number", "only for eigrp")
        return out if out["process_id"] is not None and out["area"] is not None else None
    for extra in ("as_number", "process_id", "area"):
        if d.get(extra) is not None:
            c.add(path + "." + extra, "not used with static routing")
    return out


def _ospf_area(c, path, area):
    """An OSPF area: 0..4294967295, decimal or as a dotted quad of octets 0..255."""
    if isinstance(area, str) and re.match(r"^\d+\.\d+\.\d+\.\d+$", area.strip()):
        if all(int(octet) <= 255 for octet in area.strip().split(".")):
            return area.strip()
        c.add(path, "%s is not an OSPF area: give 0..4294967295 or a dotted quad of octets 0..255" % _short(area))
        return None
    return opt_int(c, path, area, 0, 0, 4294967295)


def _port_zero(c, path, port):
    """Port 0 is no real TCP/UDP port: in the intent, 'eq 0' matches nothing (device ranges may start at 0)."""
    if port is not None and port["op"] in ("eq", "neq") and 0 in port["ports"]:
        c.add(path, "port 0 is not a real TCP/UDP port (no traffic uses it); give 1..65535")
        return None
    return port


def _overlay(c, path, raw, style):
    if style == "crypto_map":
        if raw is not None:
            c.add(path, "only for styles gre_over_ipsec and vti")
        return None
    if raw is None:
        raw = {}
    d = mapping(c, path, raw, ("protection", "gre_acl", "routing", "ip_mtu", "tcp_adjust_mss"))
    if d is None:
        return None
    default_protection = "crypto_map" if style == "gre_over_ipsec" else "ipsec_profile"
    protection = opt_choice(
        c, path + ".protection", d.get("protection"), ("crypto_map", "ipsec_profile"), default_protection
    )
    if style == "vti" and protection == "crypto_map":
        c.add(path + ".protection", "a VTI is always protected by an ipsec profile")
        protection = None
    gre_acl = opt_choice(c, path + ".gre_acl", d.get("gre_acl"), ("host", "any"), "host")
    if style == "vti" and d.get("gre_acl") is not None:
        c.add(path + ".gre_acl", "only for style gre_over_ipsec")
    routing = _routing(c, path + ".routing", d.get("routing"))
    out = {
        "protection": protection,
        "gre_acl": gre_acl,
        "routing": routing,
        "ip_mtu": opt_int(c, path + ".ip_mtu", d.get("ip_mtu"), None, 576, 9976),
        "tcp_adjust_mss": opt_int(c, path + ".tcp_adjust_mss", d.get("tcp_adjust_mss"), None, 500, 1460),
    }
    if None in (protection, gre_acl, routing):
        return None
    return out


def tunnel_common(c, path, raw, profiles, fields=None):
    """Validate the tunnel-level fields shared by tunnels and groups (style, profile, selectors ...)."""
    style = opt_choice(c, path + ".style", raw.get("style"), STYLES, "crypto_map")
    profile = raw.get("profile")
    if profile is None:
        c.add(path + ".profile", "required field is missing")
    elif not isinstance(profile, str) or profile not in profiles:
        c.add(path + ".profile", "%s is not a crypto profile of this intent" % _short(profile))
        profile = None
    selectors = _selectors(c, path + ".selectors", raw.get("selectors"))
    if style in ("gre_over_ipsec", "vti") and raw.get("selectors") is not None:
        c.add(
            path + ".selectors", "selectors only narrow crypto_map tunnels; %s tunnels carry GRE or everything" % style
        )
    overlay = _overlay(c, path + ".overlay", raw.get("overlay"), style) if style else None
    return style, profile, selectors, overlay


def _psk_value(c, path, value):
    if value is None:
        return None
    # Only the type here: what a device can carry is checked once the ends' platforms are known.
    if not isinstance(value, str):
        c.add(path, "expected a string (the pre-shared key), got %s" % _type_name(value))
        return None
    return value


def raw_end(c, path, raw, gateways, profiles):
    """Validate the fields of one end as given; defaults that need the other end come later."""
    d = mapping(c, path, raw, _END_FIELDS, ("gateway",))
    if d is None:
        return None
    gw = d["gateway"]
    if not isinstance(gw, str) or gw not in gateways:
        c.add(path + ".gateway", "%s is not a gateway of this intent" % _short(gw))
        return None
    out = {"gateway": gw, "path": path}
    for field in ("networks", "remote_networks", "advertise"):
        out[field] = None
        if d.get(field) is not None:
            out[field] = parse_network_list(c, "%s.%s" % (path, field), d[field])
            if out[field] is None:
                out["invalid"] = True
    out["profile"] = None
    if d.get("profile") is not None:
        if not isinstance(d["profile"], str) or d["profile"] not in profiles:
            c.add(path + ".profile", "%s is not a crypto profile of this intent" % _short(d["profile"]))
            out["invalid"] = True
        else:
            out["profile"] = d["profile"]
    out["psk"] = _psk_value(c, path + ".psk", d.get("psk"))
    out["id"] = opt_str(c, path + ".id", d.get("id"))
    out["remote_id"] = opt_str(c, path + ".remote_id", d.get("remote_id"))
    out["crypto_map_sequence"] = opt_int(
        c, path + ".crypto_map_sequence", d.get("crypto_map_sequence"), None, 1, numbering.SEQUENCE_MAX
    )
    out["tunnel_number"] = opt_int(
        c, path + ".tunnel_number", d.get("tunnel_number"), None, 0, numbering.TUNNEL_NUMBER_MAX
    )
    out["tunnel_address"] = None
    if d.get("tunnel_address") is not None:
        out["tunnel_address"] = parse_interface_address(c, path + ".tunnel_address", d["tunnel_address"])
        if out["tunnel_address"] is None:
            out["invalid"] = True
    for key in ("psk", "id", "remote_id", "crypto_map_sequence", "tunnel_number"):
        if d.get(key) is not None and out[key] is None:
            out["invalid"] = True
    return out


def build_tunnel(c, spec, gateways, profiles):
    """Turn validated pieces into a :class:`Tunnel`, applying the defaults that involve both ends.

    ``spec`` holds ``name, path, index, group, style, profile, psk, psk_path, selectors,
    selectors_path, acl_name, crypto_map_name, crypto_map_sequence, overlay, ends`` where
    ``ends`` maps a/b to :func:`raw_end` output.
    """
    ends_raw = spec["ends"]
    path = spec["path"]
    style = spec["style"]
    ga = gateways[ends_raw["a"]["gateway"]]
    gb = gateways[ends_raw["b"]["gateway"]]
    ok = True
    if ga["name"] == gb["name"]:
        c.add(ends_raw["b"]["path"] + ".gateway", "both ends are gateway %s; a tunnel joins two gateways" % ga["name"])
        return None
    if ga["outside"].version != gb["outside"].version:
        c.add(ends_raw["b"]["path"] + ".gateway", "the two ends' outside addresses are of different IP versions")
        return None
    ends = {}
    for side, gw in (("a", ga), ("b", gb)):
        r = ends_raw[side]
        networks = r["networks"]
        networks_path = r.get("networks_path") or r["path"] + ".networks"
        if networks is None:
            networks = [p["net"] for p in gw["protected"]]
            networks_path = gw["path"] + ".protected_networks"
        if style == "crypto_map" and not networks:
            c.add(
                r["path"] + ".networks",
                "gateway %s has no protected_networks; give the networks of this end" % gw["name"],
            )
            ok = False
        if gw["platform"] == "ios":
            ok = _ios_families(c, spec, gw, r, networks, networks_path) and ok
        psk = r["psk"] if r["psk"] is not None else spec["psk"]
        psk_path = r["path"] + ".psk" if r["psk"] is not None else spec["psk_path"]
        profile = r["profile"] or spec["profile"]
        profile_path = r["path"] + ".profile" if r["profile"] else path + ".profile"
        ends[side] = End(
            side=side,
            path=r["path"],
            gateway=gw["name"],
            networks=networks,
            networks_path=networks_path,
            profile=profile,
            profile_path=profile_path,
            psk=psk,
            psk_path=psk_path,
            remote_networks=r["remote_networks"],
            remote_networks_path=r["path"] + ".remote_networks",
            id=r["id"] if r["id"] is not None else pki.default_id(gw, profiles.get(profile)),
            remote_id=r["remote_id"],
            crypto_map_sequence=r["crypto_map_sequence"],
            tunnel_number=r["tunnel_number"],
            tunnel_address=r["tunnel_address"],
            advertise=r["advertise"],
        )
    for side, other in (("a", "b"), ("b", "a")):
        end, peer = ends[side], ends[other]
        if end.remote_networks is None:
            end.remote_networks = peer.networks
            end.remote_networks_path = peer.networks_path
        if end.remote_id is None:
            end.remote_id = peer.id
        if end.profile is not None and profiles[end.profile]["ike"]["authentication"] == "psk" and end.psk is None:
            c.add(
                spec["psk_path"],
                "tunnel '%s' has no pre-shared key for end %s (%s); set psk, or %s.psk"
                % (spec["name"], side, end.gateway, end.path),
                code="PSK_MISMATCH",
            )
            ok = False
    if style in ("gre_over_ipsec", "vti"):
        ok = _check_tunnel_addresses(c, spec, ends) and ok
        routing = (spec["overlay"] or {}).get("routing") or {}
        if routing.get("protocol") == "eigrp":
            for gw in (ga, gb):
                if gw["platform"] != "ios":
                    c.add(
                        spec["path"] + ".overlay.routing.protocol",
                        "EIGRP runs only on IOS, but %s is a %s gateway; use static or ospf"
                        % (gw["name"], gw["platform"]),
                    )
                    ok = False
    if not ok:
        return None
    return Tunnel(
        name=spec["name"],
        path=path,
        index=spec["index"],
        group=spec["group"],
        style=style,
        selectors=spec["selectors"],
        selectors_path=spec["selectors_path"],
        acl_name=spec["acl_name"] or "VPN-" + spec["name"],
        crypto_map_name=spec["crypto_map_name"],
        crypto_map_sequence=spec["crypto_map_sequence"],
        overlay=spec["overlay"],
        ends=ends,
    )


def _ios_families(c, spec, gw, r, networks, networks_path):
    """What an IOS end cannot carry across address families (docs/ios.md, IPv6): crypto maps and the outside ACL
    are rendered for IPv4 only; a tunnel interface carries its tunnel address's family, routed statically."""
    style, name = spec["style"], spec["name"]
    ok = True
    v6_nets = [n for n in networks if n.version == 6]
    outside6 = gw["outside"].version == 6
    if style == "crypto_map" and (v6_nets or outside6):
        what = "IPv6 protected networks" if v6_nets else "an IPv6 outside address"
        c.add(
            networks_path if v6_nets else gw["path"] + ".outside_address",
            "tunnel '%s': %s on IOS gateway %s need style vti (or gre_over_ipsec with ipsec_profile protection); "
            "IOS crypto maps are rendered for IPv4 only" % (name, what, gw["name"]),
        )
        return False
    overlay = spec["overlay"] or {}
    if style == "gre_over_ipsec" and outside6 and overlay.get("protection") == "crypto_map":
        c.add(
            spec["path"] + ".overlay.protection",
            "tunnel '%s': IOS gateway %s has an IPv6 outside address; GRE over IPv6 is protected with protection "
            "ipsec_profile, IOS crypto maps are rendered for IPv4 only" % (name, gw["name"]),
        )
        ok = False
    if outside6 and gw["outside_acl"] and gw["outside_acl"]["enabled"]:
        c.add(
            gw["path"] + ".outside_acl.enabled",
            "IOS gateway %s has an IPv6 outside address; the outside ACL is rendered for IPv4 only" % gw["name"],
        )
        ok = False
    inner = r.get("tunnel_address")
    if style in ("gre_over_ipsec", "vti") and inner is not None:
        other = [n for n in networks if n.version != inner.version]
        if other:
            c.add(
                networks_path,
                "tunnel '%s': %s is IPv%d but the IOS tunnel interface of %s has the IPv%d tunnel address %s; an IOS "
                "tunnel interface here carries one family, give this network a tunnel of its own family"
                % (name, other[0].cidr, other[0].version, gw["name"], inner.version, inner),
            )
            ok = False
        routing = overlay.get("routing") or {}
        if inner.version == 6 and routing.get("protocol") in ("ospf", "eigrp"):
            c.add(
                spec["path"] + ".overlay.routing.protocol",
                "tunnel '%s': IOS gateway %s gets the IPv6 tunnel address %s, but %s is rendered for IPv4 only on IOS; "
                "use routing protocol static" % (name, gw["name"], inner, routing["protocol"]),
            )
            ok = False
    return ok


def _check_tunnel_addresses(c, spec, ends):
    a, b = ends["a"], ends["b"]
    ok = True
    for end in (a, b):
        if end.tunnel_address is None:
            c.add(end.path + ".tunnel_address", "required for %s tunnels (e.g. 12.1.1.1/24)" % spec["style"])
            ok = False
    if not ok:
        return False
    if a.tunnel_address.cidr != b.tunnel_address.cidr:
        c.add(
            b.path + ".tunnel_address",
            "%s is not in the same subnet as the other end's %s" % (b.tunnel_address, a.tunnel_address),
        )
        return False
    if a.tunnel_address.ip == b.tunnel_address.ip:
        c.add(b.path + ".tunnel_address", "%s is the other end's address too" % b.tunnel_address.ip)
        return False
    return True


def _tunnel(c, index, raw, gateways, profiles):
    path = "tunnels[%d]" % index
    d = mapping(c, path, raw, _TUNNEL_FIELDS, ("name", "a", "b"))
    if d is None:
        return None
    before = len(c.errors)
    name = opt_name(c, path + ".name", d.get("name"), None, "tunnel name")
    style, profile, selectors, overlay = tunnel_common(c, path, d, profiles)
    psk = _psk_value(c, path + ".psk", d.get("psk"))
    acl_name = opt_name(c, path + ".acl_name", d.get("acl_name"), None, "ACL name")
    cmap_name = cmap_seq = None
    if d.get("crypto_map") is not None:
        cm = mapping(c, path + ".crypto_map", d["crypto_map"], ("name", "sequence"))
        if cm is not None:
            cmap_name = opt_name(c, path + ".crypto_map.name", cm.get("name"), None, "crypto map name")
            cmap_seq = opt_int(c, path + ".crypto_map.sequence", cm.get("sequence"), None, 1, numbering.SEQUENCE_MAX)
        uses_map = style == "crypto_map" or (overlay is not None and overlay.get("protection") == "crypto_map")
        if style is not None and not uses_map:
            c.add(path + ".crypto_map", "only for tunnels protected by a crypto map")
    if d.get("acl_name") is not None and style == "vti":
        c.add(path + ".acl_name", "a VTI has no crypto ACL")
    ends = {}
    for side in ("a", "b"):
        ends[side] = raw_end(c, "%s.%s" % (path, side), d[side], gateways, profiles)
    if len(c.errors) != before or None in ends.values() or any(e.get("invalid") for e in ends.values()):
        return None
    if profile is None or style is None or selectors is None:
        return None
    spec = {
        "name": name,
        "path": path,
        "index": index,
        "group": None,
        "style": style,
        "profile": profile,
        "psk": psk,
        "psk_path": path + ".psk",
        "selectors": selectors,
        "selectors_path": path + ".selectors",
        "acl_name": acl_name,
        "crypto_map_name": cmap_name,
        "crypto_map_sequence": cmap_seq,
        "overlay": overlay,
        "ends": ends,
    }
    return build_tunnel(c, spec, gateways, profiles)


# ---------------------------------------------------------------------------------------
# Whole intent
# ---------------------------------------------------------------------------------------


def _named_section(c, path, raw):
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        c.add(path, "expected a mapping, got %s" % _type_name(raw))
        return {}
    return raw


def _check_target_support(c, model):
    """Algorithms a platform cannot express, reported once per profile field and platform."""
    reported = set()
    for tunnel in model.tunnels:
        for side in ("a", "b"):
            end = tunnel.ends[side]
            platform = model.gateways[end.gateway]["platform"]
            profile = model.profiles[end.profile]
            for field_path, message in profile["target_errors"][platform]:
                if (field_path, platform) in reported:
                    continue
                reported.add((field_path, platform))
                c.add(
                    field_path,
                    "%s (profile '%s' is used by %s gateway %s in tunnel '%s')"
                    % (message, profile["name"], platform, end.gateway, tunnel.name),
                )


def _check_names_and_ids(c, gateways, tunnels):
    seen_sites = {}
    for name in sorted(gateways):
        gw = gateways[name]
        if gw["site_id_explicit"]:
            other = seen_sites.get(gw["site_id"])
            if other is not None:
                c.add(
                    gw["path"] + ".site_id",
                    "%d is already the site id of gateway %s; site ids must be unique" % (gw["site_id"], other),
                )
            else:
                seen_sites[gw["site_id"]] = name
    seen_names = {}
    for tunnel in tunnels:
        first = seen_names.get(tunnel.name)
        if first is not None:
            c.add(
                tunnel.path + ".name" if tunnel.group is None else tunnel.path,
                "tunnel name '%s' is already used by %s" % (tunnel.name, first),
            )
        else:
            seen_names[tunnel.name] = tunnel.path


def _check_reachability(c, model):
    """A gateway needs an internet next hop unless every peer is directly connected."""
    reported = set()
    for tunnel in model.tunnels:
        for side in ("a", "b"):
            gw = model.gateways[tunnel.ends[side].gateway]
            peer = model.gateways[tunnel.other(side).gateway]
            if gw["outside"].prefixlen in (0, 32 if gw["outside"].version == 4 else 128):
                continue  # intent_checks refuses the prefix length itself
            if gw["internet_next_hop"] is None and peer["outside_ip"] not in gw["outside_net"]:
                if gw["name"] in reported:
                    continue
                reported.add(gw["name"])
                c.add(
                    gw["path"] + ".internet_next_hop",
                    "required: peer %s (%s, tunnel '%s') is not in the directly connected network %s"
                    % (peer["name"], peer["outside_ip"], tunnel.name, gw["outside_net"]),
                )


def validate(intent):
    """Validate the raw intent; return a :class:`Model` or raise :class:`IntentErrors`."""
    model, errors = validate_partial(intent)
    if errors:
        raise IntentErrors(errors)
    return model


def validate_partial(intent):
    """``(model, errors)``: every problem, and the model of the parts that validated.

    ``model`` is None when the intent cannot be read at all (not a mapping, non-string keys,
    an alias loop). Otherwise it holds the gateways, profiles and tunnels that passed, so the
    planner can still cross-check those tunnels and report everything in one run.
    """
    if netaddr is None:  # pragma: no cover - netaddr is a hard requirement of the collection
        raise IntentErrors(
            [IntentError("", "the netaddr Python library is required on the controller", "MISSING_DEPENDENCY")]
        )
    if intent is None:
        intent = {}
    raw_errors = intent_checks.raw_structure(intent)
    if any(err.code in ("KEY_NOT_A_STRING", "ALIAS_LOOP") for err in raw_errors):
        return None, raw_errors
    model, c = _validate(intent)
    # A field with a control character gets that error only, not a second one about its form.
    bad_text = set(err.path for err in raw_errors)
    errors = raw_errors + [err for err in c.errors if err.path not in bad_text]
    return model, errors


def raw_structure_errors(intent):
    """The structural problems of raw data that JSON cannot encode (never an empty list)."""
    errors = intent_checks.raw_structure(intent)
    return errors or [
        IntentError("ipsec_vpn_intent", "is not plain data (mappings with string keys, lists, strings, numbers)")
    ]


def _validate(intent):
    from ansible_collections.ipsec.vpn.plugins.module_utils import topology

    c = Collector()
    root = mapping(c, "ipsec_vpn_intent", intent, _TOP_FIELDS)
    if root is None:
        return None, c
    skip = opt_bool(c, "unsafe_skip_crosscheck", root.get("unsafe_skip_crosscheck"), False)
    profiles = {}
    raw_profiles = _named_section(c, "crypto_profiles", root.get("crypto_profiles"))
    for name, raw in sorted(raw_profiles.items(), key=lambda kv: str(kv[0])):
        path = key_path("crypto_profiles", name)
        if opt_name(c, path, name, None, "profile name") is None:
            continue
        profile = _profile(c, path, name, raw)
        if profile is not None:
            profiles[name] = profile
    known_profiles = dict((n, profiles.get(n)) for n in raw_profiles)
    gateways = {}
    raw_gateways = _named_section(c, "gateways", root.get("gateways"))
    for name, raw in sorted(raw_gateways.items(), key=lambda kv: str(kv[0])):
        gateways[name] = _gateway(c, key_path("gateways", name), str(name), raw)
    inside = {}
    valid_gateways = dict((k, v) for k, v in gateways.items() if v is not None)
    for name, raw in sorted(
        _named_section(c, "inside_routers", root.get("inside_routers")).items(), key=lambda kv: str(kv[0])
    ):
        router = _inside_router(c, key_path("inside_routers", name), str(name), raw, valid_gateways)
        if router is not None:
            inside[name] = router
    tunnels = []
    raw_tunnels = opt_list(c, "tunnels", root.get("tunnels")) or []
    # Ends that name an invalid (already reported) gateway or profile are skipped quietly.
    lenient_gateways = _Lenient(gateways)
    lenient_profiles = _Lenient(known_profiles)
    for index, raw in enumerate(raw_tunnels):
        tunnel = _tunnel_lenient(c, index, raw, lenient_gateways, lenient_profiles)
        if tunnel is not None:
            tunnels.append(tunnel)
    raw_groups = opt_list(c, "groups", root.get("groups")) or []
    tunnels.extend(topology.expand_groups(c, raw_groups, lenient_gateways, lenient_profiles))
    _check_names_and_ids(c, valid_gateways, tunnels)
    model = Model(skip, profiles, valid_gateways, inside, tunnels)
    _check_target_support(c, model)
    _check_reachability(c, model)
    pki.model_checks(c, model, raw_gateways)
    model.intent_warnings = intent_checks.model_checks(c, model, raw_groups)
    return model, c


class _Lenient(dict):
    """Name -> object mapping where a name whose object failed validation is known but None."""


def _tunnel_lenient(c, index, raw, gateways, profiles):
    # Run the full validation, but drop the tunnel silently when it only refers to
    # gateways/profiles that were themselves invalid (their errors are already recorded).
    if isinstance(raw, dict):
        refs_bad = False
        for side in ("a", "b"):
            end = raw.get(side)
            if isinstance(end, dict) and (
                _known_bad(gateways, end.get("gateway")) or _known_bad(profiles, end.get("profile"))
            ):
                refs_bad = True
        if _known_bad(profiles, raw.get("profile")):
            refs_bad = True
        if refs_bad:
            sub = Collector()
            _tunnel(sub, index, raw, _Valid(gateways), _Valid(profiles))
            for err in sub.errors:
                if "is not a gateway" in err.message or "is not a crypto profile" in err.message:
                    continue
                c.errors.append(err)
            return None
    return _tunnel(c, index, raw, gateways, profiles)


def _known_bad(known, name):
    """True for a name whose definition failed validation (any other value, even a list, is False)."""
    return isinstance(name, str) and name in known and known[name] is None


class _Valid(dict):
    def __init__(self, source):
        super(_Valid, self).__init__((k, v) for k, v in source.items() if v is not None)
