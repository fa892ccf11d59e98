# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller-side planner: one host's share of the intent, ready for the roles.

``plan_host(intent, host, management=None)`` is a pure function of the global intent, the
host's name and the host's own management address; it never reads other hosts' variables.
``plan_all(intent)`` plans every host at once; ``check_intent(intent)`` lists all problems.
The plan's schema is ``docs/plan.md``.

Cost: validating and cross-checking the intent is linear in the number of tunnels (the
selector-overlap check sorts, so n log n per device); planning one host once the intent is
prepared is linear in that host's tunnels. ``plan_host`` keeps the last few prepared intents
(keyed by a digest of their content) so that planning many hosts of one intent in one process
validates it once.

Pure Python (no ``ansible`` import); address math uses netaddr.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import gc
import hashlib
import json

try:
    import netaddr
except ImportError:  # pragma: no cover - netaddr is a hard requirement of the collection
    netaddr = None
from ansible_collections.ipsec.vpn.plugins.module_utils import acl, crosscheck, pki, routes
from ansible_collections.ipsec.vpn.plugins.module_utils import intent as intent_mod
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import AclError, IntentError, IntentErrors

SCHEMA_VERSION = 1
IKEV2_POLICY = "IPSEC-VPN"
IKEV2_KEYRING = "IPSEC-VPN-KEYRING"
_CACHE_SIZE = 4


# ---------------------------------------------------------------------------------------
# ACE utilities (memoised: big topologies render the same prefixes over and over)
# ---------------------------------------------------------------------------------------


class _AceCache:
    def __init__(self):
        self.selectors = {}
        self.nets = {}
        self.blocks = {}

    def profile_blocks(self, profile, platform):
        key = (profile["name"], platform)
        blocks = self.blocks.get(key)
        if blocks is None:
            blocks = self.blocks[key] = _profile_blocks(profile, platform)
        return blocks

    def net(self, text):
        net = self.nets.get(text)
        if net is None:
            net = self.nets[text] = netaddr.IPNetwork(text)
        return net

    def selector(self, key, ace, side):
        cache_key = (key, side)
        text = self.selectors.get(cache_key)
        if text is None:
            if key[0] == "ip":
                text = key[1] if side == "source" else key[3]
            else:
                text = acl.traffic_selector(ace, side)
            self.selectors[cache_key] = text
        return text


def _port_key(spec):
    if spec is None:
        return None
    return (spec["op"], tuple(spec["ports"]))


def _port_copy(spec):
    return None if spec is None else {"op": spec["op"], "ports": list(spec["ports"])}


def _ace(protocol, src, sport, dst, dport):
    ace = {
        "action": "permit",
        "protocol": protocol,
        "source": src,
        "source_port": _port_copy(sport),
        "destination": dst,
        "destination_port": _port_copy(dport),
    }
    return ace, (protocol, src, _port_key(sport), dst, _port_key(dport))


# ---------------------------------------------------------------------------------------
# Per-end tunnel entries
# ---------------------------------------------------------------------------------------


def _dpd(profile, version):
    dpd = profile["dpd"]
    enabled = dpd["enabled"]
    return {
        "enabled": enabled,
        "interval": dpd["interval"],
        "retry_interval": dpd["retry_interval"],
        "mode": dpd["mode"],
        "action": dpd["action"],
        "strongswan_dpd_delay": dpd["interval"] if enabled else 0,
        "strongswan_dpd_timeout": (dpd["interval"] + 5 * dpd["retry_interval"]) if enabled and version == 1 else 0,
        "strongswan_dpd_action": dpd["action"] if enabled else "clear",
    }


def _profile_blocks(profile, platform):
    """The ``ike``, ``ipsec``, ``dpd`` and ``strongswan`` blocks of a tunnel entry.

    They depend only on the profile and the platform, so the planner builds them once and
    every tunnel entry of that profile and platform refers to the same (read-only) dicts.
    """
    ike, ipsec = profile["ike"], profile["ipsec"]
    ios = platform == "ios"
    version = ike["version"]
    ls, kb = ipsec["lifetime_seconds"], ipsec["lifetime_kilobytes"]
    return {
        "ike": {
            "version": version,
            "mode": ike["mode"],
            "authentication": ike["authentication"],
            "lifetime": ike["lifetime"],
            "proposals": [
                {"encryption": p["encryption"], "integrity": p["integrity"], "prf": p["prf"], "dh_group": p["dh_group"]}
                for p in ike["proposals"]
            ],
            "strongswan_proposals": list(profile["strongswan_proposals"]),
            "ios_isakmp_priorities": [p["priority"] for p in profile["ios_isakmp"]] if ios and version == 1 else [],
            "ios_ikev2_proposals": [p["name"] for p in profile["ios_ikev2"]] if ios and version == 2 else [],
        },
        "ipsec": {
            "protocol": ipsec["protocol"],
            "mode": ipsec["mode"],
            "proposals": [{"encryption": p["encryption"], "integrity": p["integrity"]} for p in ipsec["proposals"]],
            "pfs_group": ipsec["pfs_group"],
            "ios_pfs": profile["ios_pfs"],
            "lifetime_seconds": ls,
            "lifetime_kilobytes": kb,
            "strongswan_esp_proposals": list(profile["strongswan_esp_proposals"]),
            "strongswan_ah_proposals": list(profile["strongswan_ah_proposals"]),
            "ios_transform_sets": [t["name"] for t in profile["ios_transform_sets"]] if ios else [],
        },
        "dpd": _dpd(profile, version),
        "strongswan": {
            "version": version,
            "aggressive": ike["mode"] == "aggressive",
            "local_auth": "psk" if ike["authentication"] == "psk" else "pubkey",
            "remote_auth": "psk" if ike["authentication"] == "psk" else "pubkey",
            "rekey_time": ike["lifetime"],
            "children_rekey_time": ls * 9 // 10,
            "children_life_time": ls,
            "children_rekey_bytes": kb * 1024 * 9 // 10,
            "children_life_bytes": kb * 1024,
            "mode": ipsec["mode"],
        },
    }


def _uses_crypto_map(tunnel):
    return tunnel.style == "crypto_map" or (
        tunnel.style == "gre_over_ipsec" and tunnel.overlay["protection"] == "crypto_map"
    )


def _selector_entries(tunnel, side, gw, peer, cache):
    """The crypto ACL entries (ACE dicts) and their comparison keys for one end."""
    end = tunnel.ends[side]
    entries, keys = [], []
    if tunnel.style == "crypto_map":
        sel = tunnel.selectors
        lport = sel["a_port"] if side == "a" else sel["b_port"]
        rport = sel["b_port"] if side == "a" else sel["a_port"]
        # Entry i of end b mirrors entry i of end a: a walks its own networks first, b the remote ones.
        if side == "a":
            pairs = [(local, remote) for local in end.networks for remote in end.remote_networks]
        else:
            pairs = [(local, remote) for remote in end.remote_networks for local in end.networks]
        for local, remote in pairs:
            if local.version != remote.version:
                continue
            ace, key = _ace(sel["protocol"], str(local), lport, str(remote), rport)
            cache.nets[key[1]] = local
            cache.nets[key[3]] = remote
            entries.append(ace)
            keys.append(key)
    elif tunnel.style == "gre_over_ipsec":
        if tunnel.overlay["gre_acl"] == "any" and tunnel.overlay["protection"] == "crypto_map":
            any_net = "0.0.0.0/0" if gw["outside"].version == 4 else "::/0"
            ace, key = _ace("gre", any_net, None, any_net, None)
        else:
            host_len = 32 if gw["outside"].version == 4 else 128
            ace, key = _ace(
                "gre",
                "%s/%d" % (gw["outside_ip_str"], host_len),
                None,
                "%s/%d" % (peer["outside_ip_str"], host_len),
                None,
            )
        entries.append(ace)
        keys.append(key)
    for key in keys:
        cache.net(key[1])
        cache.net(key[3])
    return entries, keys


def _tunnel_mode(style, outer, inner):
    """The tunnel interface's mode: GRE names the outer family only (it carries either inner family); a VTI names
    the outer family and, when it differs, the overlay's (IOS ``tunnel mode ipsec ipv4 v6-overlay``)."""
    if style == "gre_over_ipsec":
        return "gre_ip" if outer == 4 else "gre_ipv6"
    mode = "ipsec_ipv%d" % outer
    return mode if inner == outer else "%s_v%d_overlay" % (mode, inner)


def _tunnel_entry(model, tunnel, side, cache, errors):
    end = tunnel.ends[side]
    peer_end = tunnel.other(side)
    gw = model.gateways[end.gateway]
    peer = model.gateways[peer_end.gateway]
    profile = model.profiles[end.profile]
    ike = profile["ike"]
    platform = gw["platform"]
    ios = platform == "ios"
    entries, keys = _selector_entries(tunnel, side, gw, peer, cache)
    uses_map = _uses_crypto_map(tunnel)
    acl_entry = {"name": tunnel.acl_name, "entries": entries} if uses_map else None
    children = []
    if tunnel.style == "vti":
        any_net = "0.0.0.0/0" if gw["outside"].version == 4 else "::/0"
        children.append({"name": "%s-1" % tunnel.name, "local_ts": any_net, "remote_ts": any_net})
    else:
        for n, (key, ace) in enumerate(zip(keys, entries), 1):
            try:
                local_ts = cache.selector(key, ace, "source")
                remote_ts = cache.selector(key, ace, "destination")
            except AclError as err:
                if platform == "strongswan":
                    errors.append(
                        IntentError(
                            tunnel.selectors_path,
                            "cannot be expressed for the strongSwan end %s of tunnel '%s': %s"
                            % (end.gateway, tunnel.name, err),
                        )
                    )
                local_ts = remote_ts = None
            children.append({"name": "%s-%d" % (tunnel.name, n), "local_ts": local_ts, "remote_ts": remote_ts})
    sel = tunnel.selectors or {"protocol": "ip", "a_port": None, "b_port": None}
    if tunnel.style == "crypto_map":
        selectors = {
            "protocol": sel["protocol"],
            "local_port": _port_copy(sel["a_port"] if side == "a" else sel["b_port"]),
            "remote_port": _port_copy(sel["b_port"] if side == "a" else sel["a_port"]),
        }
    elif tunnel.style == "gre_over_ipsec":
        selectors = {"protocol": "gre", "local_port": None, "remote_port": None}
    else:
        selectors = {"protocol": "ip", "local_port": None, "remote_port": None}
    crypto_map = None
    if uses_map and ios:
        sequence = end.crypto_map_sequence or tunnel.crypto_map_sequence or 10 * peer["site_id"]
        crypto_map = {"name": None, "sequence": sequence, "interface": gw["outside_interface"]}
    tunnel_interface = None
    if_id = None
    if tunnel.style in ("gre_over_ipsec", "vti"):
        number = end.tunnel_number if end.tunnel_number is not None else peer["site_id"]
        if ios:
            name = "Tunnel%d" % number
        else:
            name = ("gre%d" if tunnel.style == "gre_over_ipsec" else "xfrm%d") % number
        addr = end.tunnel_address
        protection = tunnel.overlay["protection"]
        tunnel_interface = {
            "name": name,
            "number": number,
            "address": "%s/%d" % (addr.ip, addr.prefixlen),
            "ip": str(addr.ip),
            "netmask": str(addr.netmask),
            "network": str(addr.cidr),
            "source": gw["outside_interface"],
            "source_address": gw["outside_ip_str"],
            "destination": peer["outside_ip_str"],
            "ip_version": addr.version,
            "prefixlen": addr.prefixlen,
            "mode": _tunnel_mode(tunnel.style, gw["outside"].version, addr.version),
            "protection": protection,
            "ipsec_profile": ("IPSEC-%s" % tunnel.name) if protection == "ipsec_profile" and ios else None,
            # IOS: "tunnel source <address>" or "tunnel source <interface>" (gateways.<host>.tunnel_source)
            "source_by": gw["tunnel_source"] if ios else None,
            "ip_mtu": tunnel.overlay["ip_mtu"],
            "tcp_adjust_mss": tunnel.overlay["tcp_adjust_mss"],
        }
        if tunnel.style == "vti" and not ios:
            if_id = number
    version = ike["version"]
    blocks = cache.profile_blocks(profile, platform)
    entry = {
        "name": tunnel.name,
        "group": tunnel.group,
        "style": tunnel.style,
        "side": side,
        "profile": profile["name"],
        "peer": peer["name"],
        "peer_platform": peer["platform"],
        "peer_site_id": peer["site_id"],
        "local_address": gw["outside_ip_str"],
        "peer_address": peer["outside_ip_str"],
        "local_id": end.id,
        "remote_id": end.remote_id,
        "ike": blocks["ike"],
        "ipsec": blocks["ipsec"],
        "dpd": blocks["dpd"],
        "nat_traversal": profile["nat_traversal"],
        "psk": end.psk if ike["authentication"] == "psk" else None,
        "local_networks": [str(n) for n in end.networks],
        "remote_networks": [str(n) for n in end.remote_networks],
        "selectors": selectors,
        "acl": acl_entry,
        "children": children,
        "crypto_map": crypto_map,
        "ipsec_profile": tunnel_interface["ipsec_profile"] if tunnel_interface else None,
        "ikev2_profile": ("IKEV2-%s" % tunnel.name) if ios and version == 2 else None,
        "tunnel_interface": tunnel_interface,
        "if_id": if_id,
        "strongswan": blocks["strongswan"],
    }
    view = crosscheck.EndView(
        tunnel,
        side,
        end,
        gw,
        profile,
        keys if (uses_map or tunnel.style == "gre_over_ipsec") else None,
        entries,
        uses_map,
    )
    return entry, view


# ---------------------------------------------------------------------------------------
# Device-level aggregation
# ---------------------------------------------------------------------------------------


def _isakmp_policies(host, items, model, errors):
    by_key = {}
    for entry, _view in items:
        if entry["ike"]["version"] != 1:
            continue
        profile = model.profiles[entry["profile"]]
        for policy in profile["ios_isakmp"]:
            key = (policy["encryption"], policy["hash"], policy["authentication"], policy["group"], policy["lifetime"])
            merged = by_key.get(key)
            if merged is None:
                merged = by_key[key] = {"policy": policy, "profiles": set(), "pins": {}}
            merged["profiles"].add(profile["name"])
            if policy["pinned"]:
                merged["pins"].setdefault(policy["priority"], policy["path"])
    out = []
    by_priority = {}
    for key in sorted(by_key, key=str):
        merged = by_key[key]
        policy = merged["policy"]
        if len(merged["pins"]) > 1:
            pins = sorted(merged["pins"].items())
            errors.append(
                IntentError(
                    pins[1][1] + ".priority",
                    "%s: the same isakmp policy is pinned to priority %d here and to %d at %s"
                    % (host, pins[1][0], pins[0][0], pins[0][1]),
                )
            )
            continue
        priority = next(iter(merged["pins"])) if merged["pins"] else policy["priority"]
        clash = by_priority.get(priority)
        if clash is not None:
            errors.append(
                IntentError(
                    policy["path"],
                    "%s: isakmp policy priority %d is taken by a different policy (from %s); set an explicit "
                    "priority on one of them" % (host, priority, clash["path"]),
                )
            )
            continue
        by_priority[priority] = policy
        fields = dict((k, policy[k]) for k in ("encryption", "hash", "authentication", "group", "lifetime"))
        out.append(
            dict(
                fields,
                priority=priority,
                profiles=sorted(merged["profiles"]),
            )
        )
    out.sort(key=lambda p: p["priority"])
    # Tunnels refer to the priorities actually used (a pinned twin may replace a derived one).
    final = dict(
        ((p["encryption"], p["hash"], p["authentication"], p["group"], p["lifetime"]), p["priority"]) for p in out
    )
    for entry, _view in items:
        if entry["ike"]["version"] != 1:
            continue
        profile = model.profiles[entry["profile"]]
        priorities = [
            final.get((p["encryption"], p["hash"], p["authentication"], p["group"], p["lifetime"]), p["priority"])
            for p in profile["ios_isakmp"]
        ]
        if priorities != entry["ike"]["ios_isakmp_priorities"]:
            # the block is shared with other tunnels of the profile: replace, never modify
            entry["ike"] = dict(entry["ike"], ios_isakmp_priorities=priorities)
    return out


def _same_for_device(host, items, what, getter, path_of, errors):
    """Value that must be the same for every tunnel of an IOS device (global IOS settings)."""
    seen = {}
    for entry, view in items:
        value = getter(entry)
        if value is None:
            continue
        seen.setdefault(json.dumps(value, sort_keys=True), (value, entry, view))
    if len(seen) > 1:
        values = list(seen.values())
        (v1, e1, _w1), (v2, e2, w2) = values[0], values[1]
        errors.append(
            IntentError(
                path_of(w2),
                "%s: IOS has one global %s, but tunnel '%s' (profile '%s') wants %s and tunnel '%s' (profile '%s') "
                "wants %s" % (host, what, e1["name"], e1["profile"], _fmt(v1), e2["name"], e2["profile"], _fmt(v2)),
            )
        )
        return None
    if not seen:
        return None
    return next(iter(seen.values()))[0]


def _fmt(value):
    if isinstance(value, dict):
        return ", ".join("%s %s" % (k, value[k]) for k in sorted(value))
    return json.dumps(value)


def _ikev2(host, gw, items, model, errors):
    proposals = {}
    peers = {}
    profiles = []
    shared = {}  # peer gateway -> the one IKEv2 profile of every tunnel to it (they share one IKE SA)
    for entry, _view in sorted(items, key=lambda item: item[0]["name"]):
        if entry["ike"]["version"] != 2:
            continue
        if entry["peer"] in shared:
            entry["ikev2_profile"] = shared[entry["peer"]]
            continue
        shared[entry["peer"]] = entry["ikev2_profile"]
        profile = model.profiles[entry["profile"]]
        for prop in profile["ios_ikev2"]:
            proposals.setdefault(prop["name"], prop)
        if entry["psk"] is not None and entry["peer_address"] not in peers:
            peers[entry["peer_address"]] = {
                "name": entry["name"],
                "address": entry["peer_address"],
                "psk": entry["psk"],
            }
        dpd = entry["dpd"]
        profiles.append(
            {
                "name": entry["ikev2_profile"],
                "tunnel": entry["name"],
                "match_identity_remote": entry["remote_id"],
                "identity_local": entry["local_id"],
                "authentication": "pre-share" if entry["ike"]["authentication"] == "psk" else "rsa-sig",
                "keyring": IKEV2_KEYRING if entry["psk"] is not None else None,
                "trustpoint": _trustpoint(gw, entry),
                "lifetime": entry["ike"]["lifetime"],
                "dpd": {"interval": dpd["interval"], "retry_interval": dpd["retry_interval"], "mode": dpd["mode"]}
                if dpd["enabled"]
                else None,
            }
        )
    ordered = sorted(proposals.values(), key=lambda p: (p["strength"], p["name"]))
    return {
        "proposals": [
            dict((k, p[k]) for k in ("name", "encryption", "integrity", "prf", "group")) for p in ordered
        ],
        "policy": {
            "name": IKEV2_POLICY,
            "match_address_local": gw["outside_ip_str"],
            "proposals": [p["name"] for p in ordered],
        }
        if ordered
        else None,
        "keyring": {
            "name": IKEV2_KEYRING,
            "peers": [peers[k] for k in sorted(peers, key=_address_key)],
        }
        if peers
        else None,
        "profiles": sorted(profiles, key=lambda p: p["name"]),
    }


def _trustpoint(gw, entry):
    if entry["ike"]["authentication"] != pki.AUTH_CERTIFICATE or not gw.get("pki"):
        return None
    return gw["pki"]["trustpoint"]


def _isakmp_identity(gw, entries):
    """IOS ``crypto isakmp identity`` for IKEv1 certificate tunnels: what the certificate identity is made of."""
    if not gw.get("pki") or not any(
        e["ike"]["version"] == 1 and e["ike"]["authentication"] == pki.AUTH_CERTIFICATE for e in entries
    ):
        return None
    return {"dn": "dn", "address": "address"}.get(pki.identity_kind(gw["pki"]["identity"]), "hostname")


def _address_key(text):
    address = netaddr.IPAddress(text)
    return (address.version, int(address))


def _one_key_per_peer(host, items, errors):
    """A device looks the pre-shared key up by the peer's address (IOS ``crypto isakmp key``, IKEv2
    keyring) or identity (strongSwan secrets), so two tunnels to one peer must share the key."""
    first = {}
    for entry, view in items:
        if entry["psk"] is None:
            continue
        key = (entry["peer_address"], entry["remote_id"])
        known = first.get(key)
        if known is None:
            first[key] = entry
        elif known["psk"] != entry["psk"]:
            errors.append(
                IntentError(
                    view.end.psk_path,
                    "%s: tunnels '%s' and '%s' reach the same peer %s with different pre-shared keys; a device holds "
                    "one key per peer" % (host, known["name"], entry["name"], entry["peer_address"]),
                    "PSK_MISMATCH",
                )
            )


def _ike_sa_terms(entry, model):
    """What two tunnels to one peer must agree on to share one IKE SA (one strongSwan connection, one IOS IKEv2
    profile): version, IKE proposals and lifetime, authentication, DPD, NAT traversal and both identities."""
    profile = model.profiles[entry["profile"]]
    return [
        ("IKE version", entry["ike"]["version"]),
        ("IKE settings (crypto_profiles.%s.ike)" % profile["name"],
         dict((k, entry["ike"][k]) for k in ("mode", "authentication", "lifetime", "proposals"))),
        ("dead-peer detection (crypto_profiles.%s.dpd)" % profile["name"], entry["dpd"]),
        ("NAT traversal", entry["nat_traversal"]),
        ("local identity", entry["local_id"]),
        ("remote identity", entry["remote_id"]),
    ]


def _one_ike_sa_per_peer(host, items, model, errors):
    """Two tunnels between the same two gateways share one IKE SA: a responder picks one IKE configuration by the
    peer's address and identity, so each tunnel's child must be acceptable under it."""
    first = {}
    for entry, view in sorted(items, key=lambda item: item[0]["name"]):
        known = first.setdefault(entry["peer"], entry)
        if known is entry:
            continue
        theirs, ours = _ike_sa_terms(known, model), _ike_sa_terms(entry, model)
        for (what, value), (_what, known_value) in zip(ours, theirs):
            if value != known_value:
                errors.append(
                    IntentError(
                        view.tunnel.path,
                        "%s: tunnels '%s' and '%s' both join %s and %s, so they share one IKE SA, but their %s "
                        "differ; give both tunnels the same profile IKE settings and identities"
                        % (host, known["name"], entry["name"], host, entry["peer"], what),
                    )
                )
                break


def _transform_sets(host, items, model, errors):
    by_name = {}
    for entry, _view in items:
        profile = model.profiles[entry["profile"]]
        for ts in profile["ios_transform_sets"]:
            known = by_name.get(ts["name"])
            if known is None:
                by_name[ts["name"]] = (ts, profile)
            elif known[0] != ts:
                errors.append(
                    IntentError(
                        profile["path"] + ".ipsec.transform_set_name",
                        "%s: transform set '%s' of profile '%s' (%s, mode %s) differs from the one of profile '%s' "
                        "(%s, mode %s); give one of them another transform_set_name"
                        % (
                            host,
                            ts["name"],
                            profile["name"],
                            " ".join(ts["transforms"]),
                            ts["mode"],
                            known[1]["name"],
                            " ".join(known[0]["transforms"]),
                            known[0]["mode"],
                        ),
                    )
                )
    return [dict(by_name[name][0]) for name in sorted(by_name)]


def _crypto_maps(host, gw, items, errors):
    pinned = {}
    for entry, view in items:
        if entry["crypto_map"] is not None and view.tunnel.crypto_map_name:
            pinned.setdefault(view.tunnel.crypto_map_name, view)
    name = gw["crypto_map_name"]
    if name is None and pinned:
        name = sorted(pinned)[0]
    name = name or intent_mod.DEFAULT_CRYPTO_MAP
    for other, view in pinned.items():
        if other != name:
            errors.append(
                IntentError(
                    view.tunnel.path + ".crypto_map.name",
                    "%s: crypto map '%s' differs from the device's map '%s'; an interface carries one crypto map"
                    % (host, other, name),
                )
            )
    entries = []
    by_seq = {}
    acl_names = {}
    for entry, view in items:
        cm = entry["crypto_map"]
        if cm is None:
            continue
        cm["name"] = name
        clash = by_seq.get(cm["sequence"])
        if clash is not None:
            errors.append(
                IntentError(
                    view.tunnel.path,
                    "%s: tunnels '%s' and '%s' both get crypto map sequence %d (peers %s and %s); %s"
                    % (
                        host,
                        clash["name"],
                        entry["name"],
                        cm["sequence"],
                        clash["peer"],
                        entry["peer"],
                        _pin_hint(view, "crypto_map_sequence", clash["peer"], entry["peer"]),
                    ),
                )
            )
            continue
        by_seq[cm["sequence"]] = entry
        acl_clash = acl_names.get(entry["acl"]["name"])
        if acl_clash is not None:
            errors.append(
                IntentError(
                    view.tunnel.path + ".acl_name",
                    "%s: ACL '%s' is already the crypto ACL of tunnel '%s'" % (host, entry["acl"]["name"], acl_clash),
                )
            )
        acl_names[entry["acl"]["name"]] = entry["name"]
        entries.append(
            {
                "sequence": cm["sequence"],
                "tunnel": entry["name"],
                "peer": entry["peer_address"],
                "acl": entry["acl"]["name"],
                "transform_sets": list(entry["ipsec"]["ios_transform_sets"]),
                "pfs": entry["ipsec"]["ios_pfs"],
                "lifetime_seconds": entry["ipsec"]["lifetime_seconds"],
                "lifetime_kilobytes": entry["ipsec"]["lifetime_kilobytes"],
                "ikev2_profile": entry["ikev2_profile"],
            }
        )
    if not entries:
        return []
    entries.sort(key=lambda e: e["sequence"])
    return [{"name": name, "interface": gw["outside_interface"], "entries": entries}]


def _pin_hint(view, field, peer1, peer2):
    """How to resolve a numbering collision, naming only fields that exist for this tunnel."""
    sites = "%s or %s" % (
        intent_mod.key_path("gateways", peer1) + ".site_id",
        intent_mod.key_path("gateways", peer2) + ".site_id",
    )
    if view.tunnel.group is None:
        return "set %s.%s or an explicit site_id on one of the peers (%s)" % (view.end.path, field, sites)
    return "set an explicit site_id on one of the peers (%s); group tunnels take no per-end %s" % (sites, field)


def _tunnel_interfaces(host, gw, items, errors):
    out = []
    by_number = {}
    by_subnet = {}
    for entry, view in items:
        ti = entry["tunnel_interface"]
        if ti is None:
            continue
        clash = by_number.get(ti["number"])
        if clash is not None:
            errors.append(
                IntentError(
                    view.tunnel.path,
                    "%s: tunnels '%s' and '%s' both get tunnel interface %s (peers %s and %s); %s"
                    % (
                        host,
                        clash["name"],
                        entry["name"],
                        ti["name"],
                        clash["peer"],
                        entry["peer"],
                        _pin_hint(view, "tunnel_number", clash["peer"], entry["peer"]),
                    ),
                )
            )
            continue
        by_number[ti["number"]] = entry
        subnet_clash = by_subnet.get(ti["network"])
        if subnet_clash is not None:
            errors.append(
                IntentError(
                    view.end.path + ".tunnel_address"
                    if view.tunnel.group is None
                    else view.tunnel.path + ".overlay_pool",
                    "%s: tunnel subnet %s is already used by tunnel '%s'" % (host, ti["network"], subnet_clash),
                )
            )
        by_subnet[ti["network"]] = entry["name"]
        out.append(ti)
    out.sort(key=lambda t: t["number"])
    return out


def _routing_protocols(host, gw, items, errors):
    processes = {}
    for _entry, view in items:
        tunnel = view.tunnel
        if tunnel.style == "crypto_map":
            continue
        routing = tunnel.overlay["routing"]
        if routing["protocol"] == "static":
            continue
        end = view.end
        if end.advertise is not None:
            nets = list(end.advertise)
        else:
            nets = [end.tunnel_address.cidr] + list(end.networks)
        for net in nets:
            if gw["outside"].ip in net:
                errors.append(
                    IntentError(
                        end.path + ".advertise" if end.advertise is not None else end.networks_path,
                        "%s: advertising %s over tunnel '%s' would include the tunnel's own source %s (recursive "
                        "routing); leave the outside network out" % (host, net.cidr, tunnel.name, gw["outside"].ip),
                    )
                )
        if routing["protocol"] == "eigrp":
            key = ("eigrp", routing["as_number"])
            proc = processes.setdefault(
                key, {"protocol": "eigrp", "as_number": routing["as_number"], "nets": {}, "passive_interfaces": []}
            )
            area = None
        else:
            key = ("ospf", routing["process_id"])
            proc = processes.setdefault(key, {"protocol": "ospf", "process_id": routing["process_id"], "nets": {}})
            area = routing["area"]
        for net in nets:
            nkey = (net.version, net.first, net.prefixlen)
            known = proc["nets"].get(nkey)
            if known is not None and known["area"] != area:
                errors.append(
                    IntentError(
                        tunnel.path + ".overlay.routing.area",
                        "%s: %s is advertised into OSPF area %s and area %s" % (host, net.cidr, known["area"], area),
                    )
                )
                continue
            proc["nets"][nkey] = {"net": net, "area": area}
    out = []
    for key in sorted(processes, key=str):
        proc = processes[key]
        networks = []
        for nkey in sorted(proc["nets"]):
            item = proc["nets"][nkey]
            net = item["net"]
            row = {"prefix": str(net.cidr), "network": str(net.network), "wildcard": routes.wildcard(net)}
            if proc["protocol"] == "ospf":
                row["area"] = item["area"]
            networks.append(row)
        proc = dict((k, v) for k, v in proc.items() if k != "nets")
        proc["networks"] = networks
        out.append(proc)
    return out


def _outside_parts(gw, items):
    """Outside ACL entries in order, without the management permit (added per host later)."""
    head = []
    protocols = set()
    nat_t = False
    gre = []
    decrypted = []
    for entry, view in items:
        protocols.add(entry["ipsec"]["protocol"])
        nat_t = nat_t or entry["nat_traversal"]
        if entry["style"] == "gre_over_ipsec":
            if view.tunnel.overlay["gre_acl"] == "any":
                gre.append(_plain("gre", "0.0.0.0/0", "0.0.0.0/0"))
            else:
                gre.append(_plain("gre", "%s/32" % entry["peer_address"], "%s/32" % entry["local_address"]))
        if entry["acl"] is not None:
            for ace in entry["acl"]["entries"]:
                decrypted.append(
                    {
                        "action": ace["action"],
                        "protocol": ace["protocol"],
                        "source": ace["destination"],
                        "source_port": _port_copy(ace["destination_port"]),
                        "destination": ace["source"],
                        "destination_port": _port_copy(ace["source_port"]),
                    }
                )
    any4 = "0.0.0.0/0"
    head.append(
        {
            "action": "permit",
            "protocol": "udp",
            "source": any4,
            "source_port": {"op": "eq", "ports": [500]},
            "destination": any4,
            "destination_port": {"op": "eq", "ports": ["isakmp"]},
        }
    )
    if gw["outside_acl"]["permit_nat_traversal"] is not None:
        nat_t = gw["outside_acl"]["permit_nat_traversal"]
    if nat_t:
        head.append(
            {
                "action": "permit",
                "protocol": "udp",
                "source": any4,
                "source_port": None,
                "destination": any4,
                "destination_port": {"op": "eq", "ports": ["non500-isakmp"]},
            }
        )
    if "esp" in protocols:
        head.append(_plain("esp", any4, any4))
    if "ah" in protocols:
        head.append(_plain("ahp", any4, any4))
    head.extend(gre)
    return {
        "head": head,
        "decrypted": decrypted,
        # as written (port names and protocol spelling kept), not canonical
        "extra": [acl.parse_ios_ace(text) for text, _ace in gw["outside_acl"]["extra_entries"]],
    }


def _plain(protocol, src, dst):
    return {
        "action": "permit",
        "protocol": protocol,
        "source": src,
        "source_port": None,
        "destination": dst,
        "destination_port": None,
    }


# ---------------------------------------------------------------------------------------
# Preparation of a whole intent
# ---------------------------------------------------------------------------------------


class Prepared:
    """A validated, cross-checked intent with every host's plan (before the lockout guard)."""

    def __init__(self, model, plans, outside, problems):
        self.model = model
        self.plans = plans
        self.outside = outside
        self.problems = problems


def _gateway_warnings(model, gw, items, skip):
    warnings = set()
    seen_profiles = set()
    for entry, _view in items:
        profile = model.profiles[entry["profile"]]
        if profile["name"] in seen_profiles:
            continue
        seen_profiles.add(profile["name"])
        for text in profile["weak_warnings"]:
            warnings.add(text)
        if gw["platform"] == "ios" and profile["ios_xe_blocked"]:
            warnings.add(
                "crypto profile '%s' uses %s, which IOS-XE 17.11.1 and later refuse unless 'crypto engine compliance "
                "shield disable' is configured (Cisco Field Notice FN72510; takes a reload)"
                % (profile["name"], ", ".join(profile["ios_xe_blocked"]))
            )
        if profile["ike"]["version"] == 1 and profile["ike"]["mode"] == "aggressive":
            warnings.add(
                "crypto profile '%s' uses IKEv1 aggressive mode: the identity travels in clear and the PSK hash can be "
                "attacked offline; strongSwan refuses aggressive-mode PSK as a responder by default" % profile["name"]
            )
    if gw["platform"] == "strongswan":
        for entry, view in items:
            if entry["style"] != "crypto_map" and view.tunnel.overlay["routing"]["protocol"] == "ospf":
                warnings.add(
                    "tunnel '%s' runs OSPF over its overlay: routing_protocols lists the networks, but a routing "
                    "daemon on this strongSwan host must provide OSPF" % entry["name"]
                )
    if skip:
        warnings.add("unsafe_skip_crosscheck is set: cross-peer check failures do not stop the run (test use only)")
    warnings.update(_intent_warnings(model, gw))
    return warnings


def _route_warnings(device, plan):
    if device["manage_routes"] or not plan["routes"]:
        return set()
    return {
        "%s.manage_routes is false: the %d route(s) this plan lists are not pushed, so the device must get them "
        "elsewhere" % (device["path"], len(plan["routes"]))
    }


def prepare(intent):
    """Validate, plan and cross-check the whole intent; raise :class:`IntentErrors` on any problem.

    The planner builds no reference cycles, so the cyclic garbage collector is paused while it
    runs: with tens of thousands of live objects its full passes would otherwise make big
    intents cost more than linear time.
    """
    with _gc_paused():
        return _prepare(intent)


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector (the planner makes no cycles); nests safely."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _prepare(intent):
    model, invalid = intent_mod.validate_partial(intent)
    if invalid:
        raise _with_crosschecks(model, invalid)
    cache = _AceCache()
    errors = []
    views = {}
    per_gateway = {}
    for tunnel in model.tunnels:
        pair = []
        for side in ("a", "b"):
            entry, view = _tunnel_entry(model, tunnel, side, cache, errors)
            per_gateway.setdefault(view.end.gateway, []).append((entry, view))
            pair.append(view)
        views[tunnel.name] = pair
    # Cross-peer checks.
    problems_by_tunnel = {}
    check_problems = []
    for tunnel in model.tunnels:
        a, b = views[tunnel.name]
        found = crosscheck.check_tunnel(a, b) + crosscheck.certificate_checks(tunnel, model)
        problems_by_tunnel[tunnel.name] = found
        check_problems.extend(found)
    dup_by_gateway, dup_problems = crosscheck.duplicate_peers(model)
    check_problems.extend(dup_problems)
    for tunnel in model.tunnels:
        for side in ("a", "b"):
            err = dup_by_gateway.get(tunnel.ends[side].gateway)
            if err is not None and err not in problems_by_tunnel[tunnel.name]:
                problems_by_tunnel[tunnel.name].append(err)
    for host in sorted(per_gateway):
        items = per_gateway[host]
        for t1, t2, err in crosscheck.device_overlaps(host, [v for _e, v in items], cache.nets):
            check_problems.append(err)
            problems_by_tunnel[t1.name].append(err)
            problems_by_tunnel[t2.name].append(err)
    plans = {}
    outside = {}
    memo = {}
    for name in sorted(model.gateways):
        gw = model.gateways[name]
        items = sorted(per_gateway.get(name, []), key=lambda item: item[0]["name"])
        plans[name], outside[name] = _gateway_plan(model, gw, items, problems_by_tunnel, errors, memo)
    for name in sorted(model.inside_routers):
        router = model.inside_routers[name]
        plans[name] = {
            "schema_version": SCHEMA_VERSION,
            "host": name,
            "kind": "inside_router",
            "platform": router["platform"],
            "warnings": [],
            "gateway": router["gateway"],
            "networks": [str(n) for n in router["networks"]],
            "routes": routes.inside_router_routes(model, router),
            "manage_routes": router["manage_routes"],
            "checks": [],
        }
        plans[name]["warnings"] = sorted(_route_warnings(router, plans[name]))
    if errors or (check_problems and not model.skip_crosscheck):
        raise IntentErrors(errors + ([] if model.skip_crosscheck else check_problems))
    if check_problems:
        for plan in plans.values():
            for check in plan["checks"]:
                if check["status"] != "OK":
                    for problem in check["problems"]:
                        plan["warnings"].append(
                            "cross-check %s ignored: %s" % (problem["code"], _problem_text(problem))
                        )
            plan["warnings"] = sorted(set(plan["warnings"]))
    return Prepared(model, plans, outside, check_problems)


def _with_crosschecks(model, errors):
    """IntentErrors of a failed validation plus the cross-peer failures of the tunnels that passed it."""
    found = []
    ran = False
    if model is not None:
        try:
            found = _partial_crosschecks(model)
            ran = True
        except (IntentErrors, ValueError, KeyError, TypeError, AttributeError):
            # A model with holes may trip the planner; the validation errors still stand.
            found = []
    seen = set(errors)
    extra = [err for err in found if err not in seen]
    if ran:
        note = "cross-peer checks ran only on the tunnels that passed validation; plan again once these are fixed"
    else:
        note = "cross-peer checks run once validation passes"
    return IntentErrors(list(errors) + extra, note=note)


def _partial_crosschecks(model):
    cache = _AceCache()
    errors = []
    problems = []
    for tunnel in model.tunnels:
        a = _tunnel_entry(model, tunnel, "a", cache, errors)[1]
        b = _tunnel_entry(model, tunnel, "b", cache, errors)[1]
        problems.extend(crosscheck.check_tunnel(a, b))
        problems.extend(crosscheck.certificate_checks(tunnel, model))
    problems.extend(crosscheck.duplicate_peers(model)[1])
    return problems


def _intent_warnings(model, gw):
    """Warnings the validator found for this gateway (legal but surprising intents)."""
    return set(text for name, text in model.intent_warnings if name == gw["name"])


def _problem_text(problem):
    return "%s: %s" % (problem["path"], problem["message"]) if problem["path"] else problem["message"]


def _gateway_plan(model, gw, items, problems_by_tunnel, errors, memo):
    host = gw["name"]
    ios = gw["platform"] == "ios"
    entries = [entry for entry, _view in items]
    plan = {
        "schema_version": SCHEMA_VERSION,
        "host": host,
        "kind": "gateway",
        "platform": gw["platform"],
        "warnings": [],
        "site_id": gw["site_id"],
        "outside_interface": gw["outside_interface"],
        "outside_address": "%s/%d" % (gw["outside"].ip, gw["outside"].prefixlen),
        "outside_ip": gw["outside_ip_str"],
        "outside_netmask": str(gw["outside"].netmask),
        "outside_network": str(gw["outside_net"]),
        "internet_next_hop": str(gw["internet_next_hop"]) if gw["internet_next_hop"] is not None else None,
        "protected_networks": [
            {"prefix": str(p["net"]), "next_hop": str(p["next_hop"]) if p["next_hop"] is not None else None}
            for p in gw["protected"]
        ],
        "tunnels": entries,
        "isakmp_policies": [],
        "isakmp_keepalive": None,
        "nat_traversal": True,
        "ikev2": {"proposals": [], "policy": None, "keyring": None, "profiles": []},
        "transform_sets": [],
        "ipsec_profiles": [],
        "crypto_maps": [],
        "ipsec_sa_lifetime": None,
        "tunnel_interfaces": [],
        "routing_protocols": [],
        "routes": [],
        "outside_acl": None,
        "management": None,
        "strongswan": dict(gw["strongswan"]) if gw.get("strongswan") else None,
        "checks": [],
        "pki": pki.plan_pki(gw, any(e["ike"]["authentication"] == pki.AUTH_CERTIFICATE for e in entries)),
        "isakmp_identity": None,
    }
    if ios:
        plan["isakmp_identity"] = _isakmp_identity(gw, entries)
        plan["isakmp_policies"] = _isakmp_policies(host, items, model, errors)
        v1 = [(e, v) for e, v in items if e["ike"]["version"] == 1]
        keepalive = _same_for_device(
            host,
            v1,
            "isakmp keepalive (IKEv1 DPD)",
            lambda e: (
                {
                    "interval": e["dpd"]["interval"],
                    "retry_interval": e["dpd"]["retry_interval"],
                    "mode": e["dpd"]["mode"],
                }
                if e["dpd"]["enabled"]
                else {"disabled": True}
            ),
            lambda v: v.profile["path"] + ".dpd",
            errors,
        )
        plan["isakmp_keepalive"] = keepalive if keepalive and "disabled" not in keepalive else None
        nat_t = _same_for_device(
            host,
            items,
            "NAT transparency setting",
            lambda e: e["nat_traversal"],
            lambda v: v.profile["path"] + ".nat_traversal",
            errors,
        )
        plan["nat_traversal"] = True if nat_t is None else nat_t
        plan["ikev2"] = _ikev2(host, gw, items, model, errors)
        plan["transform_sets"] = _transform_sets(host, items, model, errors)
        plan["crypto_maps"] = _crypto_maps(host, gw, items, errors)
        plan["ipsec_profiles"] = sorted(
            (
                {
                    "name": e["ipsec_profile"],
                    "tunnel": e["name"],
                    "transform_sets": list(e["ipsec"]["ios_transform_sets"]),
                    "pfs": e["ipsec"]["ios_pfs"],
                    "lifetime_seconds": e["ipsec"]["lifetime_seconds"],
                    "lifetime_kilobytes": e["ipsec"]["lifetime_kilobytes"],
                    "ikev2_profile": e["ikev2_profile"],
                }
                for e in entries
                if e["ipsec_profile"]
            ),
            key=lambda p: p["name"],
        )
    else:
        plan["nat_traversal"] = any(e["nat_traversal"] for e in entries) if entries else True
    _one_key_per_peer(host, items, errors)
    _one_ike_sa_per_peer(host, items, model, errors)
    plan["tunnel_interfaces"] = _tunnel_interfaces(host, gw, items, errors)
    plan["routing_protocols"] = _routing_protocols(host, gw, items, errors)
    route_ends = [
        (v.tunnel, v.side, e["tunnel_interface"]["name"] if e["tunnel_interface"] else None) for e, v in items
    ]
    plan["routes"] = routes.gateway_routes(model, gw, route_ends, memo)
    plan["manage_routes"] = gw["manage_routes"]
    checks = []
    for entry, _view in items:
        problems = problems_by_tunnel.get(entry["name"], [])
        checks.append(
            {
                "tunnel": entry["name"],
                "peer": entry["peer"],
                "status": problems[0].code if problems else "OK",
                "problems": [p.as_dict() for p in problems],
            }
        )
    plan["checks"] = checks
    plan["warnings"] = sorted(_gateway_warnings(model, gw, items, model.skip_crosscheck) | _route_warnings(gw, plan))
    return plan, (_outside_parts(gw, items) if gw["outside_acl"]["enabled"] else None)


# ---------------------------------------------------------------------------------------
# Lockout guard and final assembly
# ---------------------------------------------------------------------------------------


def _management(gw, management):
    """Merge the intent's management settings (which win) with the host's own connection data."""
    given = dict(management or {})
    configured = gw["management"] or {}
    out = {
        "address": configured.get("address") or given.get("address"),
        "port": configured.get("port") or given.get("port") or 22,
        "interface": configured.get("interface") or given.get("interface"),
        "controller": configured.get("controller")
        if configured.get("controller") is not None
        else given.get("controller"),
        "allow_lockout": bool(configured.get("allow_lockout") or given.get("allow_lockout")),
    }
    return out


def _net_covers(outer, inner):
    return outer.version == inner.version and outer.first <= inner.first and inner.last <= outer.last


def _ace_matches_management(ace, address, port, controller):
    """(covers, may_match): does the ACE permit/deny surely or possibly match the management connection?"""
    canon = acl.canonical_ace(ace)
    if canon["protocol"] not in ("ip", "tcp"):
        return False, False
    dst = netaddr.IPNetwork(canon["destination"])
    src = netaddr.IPNetwork(canon["source"])
    host_net = netaddr.IPNetwork("%s/%d" % (address, 32 if address.version == 4 else 128))
    if not _net_covers(dst, host_net):
        return False, False
    if controller is None:
        src_covers = src.prefixlen == 0
        src_may = True
    else:
        src_covers = _net_covers(src, controller)
        src_may = src.first <= controller.last and controller.first <= src.last
    dport = canon["destination_port"]
    intervals = acl.port_intervals(dport)
    port_covers = any(lo <= port <= hi for lo, hi in intervals)
    sport_any = canon["source_port"] is None
    covers = src_covers and port_covers and sport_any
    may = src_may and port_covers
    return covers, may


def _unique_entries(entries):
    """ACEs in order without repeats; two entries are one when the device would be sent the same line."""
    out, seen = [], set()
    for ace in entries:
        key = acl.spelling_key(ace)
        if key not in seen:
            seen.add(key)
            out.append(ace)
    return out


def _clone(value):
    """Deep copy of JSON-like data (dicts, lists, scalars); much faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {key: _clone(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clone(item) for item in value]
    return value


def _finalize(prepared, host, management, clone=True):
    """The prepared plan of ``host`` with the outside ACL and the lockout guard applied.

    With ``clone`` the result is an independent copy; otherwise only the top-level dict is
    new and the nested data is shared with ``prepared`` (for callers that own ``prepared``).
    """
    model = prepared.model
    base = prepared.plans.get(host)
    if base is None:
        return {
            "schema_version": SCHEMA_VERSION,
            "host": host,
            "kind": "none",
            "platform": None,
            "warnings": [],
            "routes": [],
            "checks": [],
        }
    plan = _clone(base) if clone else dict(base)
    if plan["kind"] != "gateway":
        return plan
    gw = model.gateways[host]
    mgmt = _management(gw, management)
    errors = []
    address = None
    if mgmt["address"]:
        try:
            address = netaddr.IPAddress(mgmt["address"])
        except (netaddr.AddrFormatError, ValueError, TypeError):
            address = None
    controller = mgmt["controller"]
    if controller is not None and not isinstance(controller, netaddr.IPNetwork):
        sub = intent_mod.Collector()
        text = controller if "/" in str(controller) else "%s/%d" % (controller, 128 if ":" in str(controller) else 32)
        controller = intent_mod.parse_network(sub, gw["path"] + ".management.controller", text)
    if mgmt["interface"]:
        via_outside = mgmt["interface"] == gw["outside_interface"]
    else:
        via_outside = address is not None and address in gw["outside_net"]
    plan["management"] = {
        "address": mgmt["address"],
        "port": mgmt["port"],
        "interface": mgmt["interface"],
        "via_outside": via_outside,
    }
    warnings = set(plan["warnings"])
    if mgmt["address"] and address is None and not mgmt["interface"]:
        warnings.add(
            "management address '%s' is a name, so the lockout guard cannot tell whether the connection uses %s; set "
            "%s.management.interface" % (mgmt["address"], gw["outside_interface"], gw["path"])
        )
    oacl = gw["outside_acl"]
    if oacl["enabled"]:
        parts = prepared.outside[host]
        entries = list(parts["head"])
        mgmt_entry = None
        if oacl["permit_management"]:
            if address is None:
                errors.append(
                    IntentError(
                        gw["path"] + ".outside_acl.permit_management",
                        "needs the management address as an IP address (got %s)"
                        % (repr(mgmt["address"]) if mgmt["address"] else "none"),
                    )
                )
            else:
                host_len = 32 if address.version == 4 else 128
                mgmt_entry = {
                    "action": "permit",
                    "protocol": "tcp",
                    "source": str(controller.cidr)
                    if controller is not None
                    else ("0.0.0.0/0" if address.version == 4 else "::/0"),
                    "source_port": None,
                    "destination": "%s/%d" % (address, host_len),
                    "destination_port": {"op": "eq", "ports": [mgmt["port"]]},
                }
                entries.append(mgmt_entry)
        if oacl["permit_decrypted"]:
            entries.extend(parts["decrypted"])
        entries.extend(parts["extra"])
        plan["outside_acl"] = {
            "name": oacl["name"],
            "interface": gw["outside_interface"],
            "direction": "in",
            "entries": _unique_entries(entries),
        }
        unique = plan["outside_acl"]["entries"]
        if via_outside and address is not None:
            allowed = False
            for ace in unique:
                covers, may = _ace_matches_management(ace, address, mgmt["port"], controller)
                action = acl.canonical_ace(ace)["action"]
                if action == "permit" and covers:
                    allowed = True
                    break
                if action == "deny" and may:
                    break
            if not allowed:
                message = (
                    "the inbound ACL '%s' on %s would drop the management connection to %s port %d (Ansible reaches %s "
                    "through the outside interface); set %s.outside_acl.permit_management: true to add 'permit tcp "
                    "any host %s eq %d', add a permit entry to %s.outside_acl.extra_entries, or set "
                    "%s.management.allow_lockout: true if another path reaches the device"
                    % (
                        oacl["name"],
                        gw["outside_interface"],
                        address,
                        mgmt["port"],
                        host,
                        gw["path"],
                        address,
                        mgmt["port"],
                        gw["path"],
                        gw["path"],
                    )
                )
                if mgmt["allow_lockout"]:
                    warnings.add("lockout risk accepted (management.allow_lockout): " + message)
                else:
                    errors.append(IntentError(gw["path"] + ".outside_acl", message, "LOCKOUT"))
    if address is not None:
        for tunnel_entry in plan["tunnels"]:
            if tunnel_entry["acl"] is None:
                continue
            for ace in tunnel_entry["acl"]["entries"]:
                src = netaddr.IPNetwork(ace["source"])
                dst = netaddr.IPNetwork(ace["destination"])
                if address not in src or ace["protocol"] not in ("ip", "tcp"):
                    continue
                if controller is not None:
                    caught = _net_covers(dst, controller) or (
                        dst.first <= controller.last and controller.first <= dst.last
                    )
                else:
                    caught = dst.prefixlen == 0
                if not caught:
                    continue
                path = model_tunnel_path(model, tunnel_entry["name"])
                message = (
                    "the crypto ACL '%s' of tunnel '%s' (%s) would encrypt the replies of the management connection "
                    "from %s to %s, so Ansible would lose %s; narrow the tunnel's networks, set "
                    "%s.management.controller to the controller's address if it is not behind the peer, or set "
                    "%s.management.allow_lockout: true"
                    % (
                        tunnel_entry["acl"]["name"],
                        tunnel_entry["name"],
                        acl.render_ios_ace(ace)
                        if src.version == 4
                        else "%s -> %s" % (ace["source"], ace["destination"]),
                        address,
                        controller.cidr if controller is not None else "anywhere",
                        host,
                        gw["path"],
                        gw["path"],
                    )
                )
                if mgmt["allow_lockout"]:
                    warnings.add("lockout risk accepted (management.allow_lockout): " + message)
                else:
                    errors.append(IntentError(path, message, "LOCKOUT"))
                break
    _firewall_lockout(gw, plan, mgmt, address, warnings, errors)
    if errors:
        raise IntentErrors(errors)
    plan["warnings"] = sorted(warnings)
    return plan


def _firewall_lockout(gw, plan, mgmt, address, warnings, errors):
    """The lockout guard for ``strongswan.firewall_restrict``, which drops everything arriving on the outside
    interface except IPsec, replies and, when the session is known to arrive there, the management port.

    A session known to use the outside interface is let in by the table; one known to use another interface (or
    an address outside the outside network) is not affected. When the management address is a name (or unknown)
    and no interface is given, the guard cannot tell, and the drop could cut Ansible off: refused."""
    settings = plan.get("strongswan") or {}
    if not settings.get("firewall_restrict") or plan["management"]["via_outside"]:
        return
    if mgmt["interface"] or address is not None:
        return
    path = gw["path"] + ".strongswan.firewall_restrict"
    known = ("the management address '%s' is not an IP address" % mgmt["address"]) if mgmt["address"] else (
        "no management address is known")
    message = (
        "the firewall restriction drops every other connection arriving on %s, and %s, so the guard cannot tell "
        "whether Ansible's session arrives there; set %s.management.interface or %s.management.address, or "
        "%s.management.allow_lockout: true if another path reaches the host"
        % (gw["outside_interface"], known, gw["path"], gw["path"], gw["path"])
    )
    if mgmt["allow_lockout"]:
        warnings.add("lockout risk accepted (management.allow_lockout): " + message)
    else:
        errors.append(IntentError(path, message, "LOCKOUT"))


def model_tunnel_path(model, name):
    for tunnel in model.tunnels:
        if tunnel.name == name:
            return tunnel.path
    return ""


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------

_CACHE = []


def intent_digest(intent):
    """SHA-256 over the intent's canonical JSON (used only as an in-memory cache key).

    Raises :class:`IntentErrors` (not TypeError/ValueError) for data JSON cannot sort or
    hold: non-string keys, alias loops.
    """
    try:
        text = json.dumps(intent, sort_keys=True, default=repr, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        raise IntentErrors(intent_mod.raw_structure_errors(intent)) from None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prepared_for(intent):
    """:func:`prepare` with a small in-process cache keyed by the intent's content."""
    digest = intent_digest(intent)
    for key, prepared in _CACHE:
        if key == digest:
            return prepared
    prepared = prepare(intent)
    _CACHE.insert(0, (digest, prepared))
    del _CACHE[_CACHE_SIZE:]
    return prepared


def plan_host(intent, host, management=None):
    """The plan of one host (see ``docs/plan.md``); raises :class:`IntentErrors`."""
    return _finalize(prepared_for(intent), host, management)


def plan_all(intent, managements=None):
    """``{host: plan}`` for every host the intent names.

    Prepares the intent afresh (one validation for all hosts) and hands the plans over
    without copying them, so the result belongs to the caller.
    """
    prepared = prepare(intent)
    managements = managements or {}
    out = {}
    errors = []
    with _gc_paused():
        for host in sorted(prepared.plans):
            try:
                out[host] = _finalize(prepared, host, managements.get(host), clone=False)
            except IntentErrors as err:
                errors.extend(err.errors)
    if errors:
        raise IntentErrors(errors)
    return out


def plan_hosts(intent, managements):
    """``{host: plan}`` for the hosts named in ``managements`` (``{host: management or None}``).

    One preparation of the intent for all of them; each plan equals ``plan_host(intent, host,
    managements[host])``. Every host's refusal is collected first, so one :class:`IntentErrors`
    names all of them and no host gets a plan when any host is refused.
    """
    prepared = prepare(intent)
    out = {}
    errors = []
    refused = []
    with _gc_paused():
        for host in sorted(managements):
            try:
                out[host] = _finalize(prepared, host, managements[host], clone=False)
            except IntentErrors as err:
                errors.extend(err.errors)
                refused.append(host)
    if errors:
        failure = IntentErrors(errors)
        failure.refused_hosts = refused
        raise failure
    return out


def check_intent(intent):
    """Every problem of the intent as a list of :class:`IntentError` (empty when all is well).

    Cross-check failures are listed even when ``unsafe_skip_crosscheck`` is set.
    """
    try:
        prepared = prepared_for(intent)
    except IntentErrors as err:
        return list(err.errors)
    return list(prepared.problems)
