# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verdict: is every planned tunnel of a host up, and if not, why not.

Pure Python (no ``ansible`` import). The inputs are a host's plan (see docs/plan.md; the
masked plan is enough, nothing here reads a pre-shared key) and the *parsed* output of one
read of each show command (see ``parsers/``):

* IOS: ``show crypto isakmp sa`` (IKEv1), ``show crypto ikev2 sa`` (IKEv2) and
  ``show crypto ipsec sa``, as ``{"isakmp_sa": ..., "ikev2_sa": ..., "ipsec_sa": ...}``;
* strongSwan: ``swanctl --list-sas``, as ``{"swanctl_sas": ...}``.

:func:`verdict` indexes each read once (by peer address, by IKE SA name), then walks the
plan's tunnels, so its cost is linear in the number of tunnels plus the size of the output.
With a second read taken *before* traffic probes were sent, it also checks that the
encrypt/decrypt counters of every probed tunnel grew.

Every failed check gets a ``cause_code`` and a ``cause`` sentence from :data:`CAUSES`;
docs/verify.md has the same table.
"""

import functools
import ipaddress
import re

from ansible_collections.ipsec.vpn.plugins.module_utils import acl, initiate_diagnosis
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import AclError

SCHEMA_VERSION = 1

UP = "up"
DOWN = "down"

# IOS IKEv1 states, in the order main/aggressive mode walks through them.
_IKEV1_UP = "QM_IDLE"
_IKEV2_UP = "READY"
_SWANCTL_IKE_UP = ("ESTABLISHED", "REKEYING", "REKEYED")
_SWANCTL_CHILD_UP = ("INSTALLED", "REKEYING", "REKEYED", "UPDATING")

# cause code -> (phase, probable cause). Phases: phase1, phase2, traffic.
CAUSES = {
    "P1_NO_SA": (
        "phase1",
        "no IKE SA toward the peer: the connection was never initiated (no interesting traffic, crypto map not "
        "applied to the outside interface, connection not loaded), the peer is unreachable or UDP 500/4500 is "
        "blocked on the path, or the peer rejected phase 1 (proposal, pre-shared key or identity mismatch) and "
        "the SA was deleted",
    ),
    "P1_MM_NO_STATE": (
        "phase1",
        "phase 1 stuck in MM_NO_STATE: the peer does not answer IKE (unreachable, UDP 500 blocked, no crypto map "
        "on its outside interface) or no ISAKMP policy is acceptable to both ends (encryption, hash, DH group, "
        "authentication, lifetime)",
    ),
    "P1_MM_SA_SETUP": (
        "phase1",
        "phase 1 stuck in MM_SA_SETUP: the policy was agreed but the key exchange does not complete; the peer "
        "has no pre-shared key for this address, or its replies are lost (UDP 500/4500 filtered one way, NAT)",
    ),
    "P1_MM_KEY_EXCH": (
        "phase1",
        "phase 1 stuck in MM_KEY_EXCH: the peers exchanged keys but authentication fails, most often a "
        "pre-shared key mismatch (or an unexpected IKE identity)",
    ),
    "P1_MM_KEY_AUTH": (
        "phase1",
        "phase 1 in MM_KEY_AUTH: authenticated but quick mode has not started; transient, otherwise the peer "
        "deletes the SA right after authentication (identity or policy refused on its side)",
    ),
    "P1_AGGRESSIVE": (
        "phase1",
        "aggressive-mode phase 1 does not complete: the peer does not answer or refuses aggressive mode, no "
        "policy matches, or the pre-shared key / identity differs",
    ),
    "P1_IKEV2_NEGOTIATING": (
        "phase1",
        "IKEv2 SA not READY (still negotiating): proposal mismatch (encryption, integrity, PRF, DH group), "
        "authentication failure (pre-shared key, identity) or the peer does not answer (UDP 500/4500)",
    ),
    "P1_CONNECTING": (
        "phase1",
        "IKE SA stuck in CONNECTING: the peer is unreachable or does not answer (UDP 500/4500 blocked, charon "
        "not listening), or it rejects the IKE proposals",
    ),
    "P1_NOT_ESTABLISHED": (
        "phase1",
        "IKE SA exists but is not established (being deleted or torn down): the peer deleted it after a failed "
        "authentication or DPD declared it dead",
    ),
    "P2_NOT_CONFIGURED": (
        "phase2",
        "the device shows no IPsec flow at all for this peer: the crypto map entry, crypto ACL or tunnel "
        "protection is missing or not applied (configuration differs from the plan)",
    ),
    "P2_SELECTOR_MISMATCH": (
        "phase2",
        "IPsec flows toward the peer use other selectors than planned: the local crypto ACL / traffic "
        "selectors differ from the plan, or the peer narrowed them (its ACL is not the mirror of ours)",
    ),
    "P2_NO_SA": (
        "phase2",
        "IKE SA up but no IPsec SA: phase-2 mismatch (transform set / ESP proposal, PFS group, mode) or the "
        "peer's selectors are not the mirror of ours",
    ),
    "TRAFFIC_NO_ENCAPS": (
        "traffic",
        "the probe was sent but nothing was encrypted: the probe is not covered by the selectors, or the route "
        "to the remote network does not leave through the interface that carries the crypto map / tunnel",
    ),
    "TRAFFIC_NO_DECAPS": (
        "traffic",
        "packets are encrypted but nothing comes back decrypted: the peer does not send (no return route to "
        "our protected network on the peer or behind it, peer-side filtering or NAT), or ESP / UDP 4500 is "
        "dropped on the way back",
    ),
}


class VerifyError(ValueError):
    """The inputs of the verdict are unusable (not a plan, missing read)."""


# ---------------------------------------------------------------------------------------
# selectors: one normal form for plan ACEs, IOS idents and swanctl traffic selectors
# ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def _network_text(text):
    return str(ipaddress.ip_network(text.strip(), strict=False))


def _network(text):
    return ipaddress.ip_network(str(text).strip(), strict=False)


@functools.lru_cache(maxsize=65536)
def _address_key(text):
    """One spelling per address: IOS prints IPv6 in upper case (``2001:DB8:12::2``), the plan as written."""
    if not text:
        return text
    try:
        return str(ipaddress.ip_address(str(text).strip()))
    except ValueError:
        return text


def _single_port(protocol, spec):
    """Port an IOS ident shows for an ACE port spec: the port for ``eq N`` (names through acl.py's port table),
    else 0 (any)."""
    if not spec:
        return 0
    ports = spec.get("ports") or []
    if spec.get("op") == "eq" and len(ports) == 1:
        try:
            return acl.port_number(protocol, ports[0])
        except AclError:
            return 0
    return 0


def selector_from_ace(ace):
    """``(local, remote)`` selector pair of a plan ACE seen from this host (source is local).

    A selector is ``(network_text, protocol_number, port)``, the form IOS prints in
    ``local/remote ident (addr/mask/prot/port)``.
    """
    protocol = ace.get("protocol", "ip")
    number = acl.protocol_number(protocol)
    local = (_network_text(str(ace["source"])), number, _single_port(protocol, ace.get("source_port")))
    remote = (_network_text(str(ace["destination"])), number, _single_port(protocol, ace.get("destination_port")))
    return local, remote


def selector_from_ident(ident):
    """Selector of a parsed IOS ident ``{addr, mask, prot, port[, prefix_length]}``."""
    if ident is None:
        return None
    if "prefix_length" in ident:
        net = _network_text("{}/{}".format(ident["addr"], ident["prefix_length"]))
    else:
        net = _network_text("{}/{}".format(ident["addr"], ident["mask"]))
    return (net, int(ident.get("prot") or 0), int(ident.get("port") or 0))


def selector_from_ts(text):
    """Selector of a swanctl traffic selector: ``10.1.0.0/16``, ``10.1.0.0/16[tcp/443]``, ``1.2.3.4/32[gre]``.

    Port ranges keep their text (``1000-2000``) so that they compare equal to the plan's.
    """
    text = str(text).strip()
    address, _bracket, rest = text.partition("[")
    protocol, port = 0, 0
    if rest:
        rest = rest.rstrip("]")
        proto_text, _slash, port_text = rest.partition("/")
        proto_text = proto_text.lower()
        if proto_text in ("", "0"):
            protocol = 0
        elif proto_text.isdigit():
            protocol = int(proto_text)
        else:
            protocol = acl.TS_PROTOCOL_NUMBERS.get(proto_text, proto_text)
        if port_text:
            port = int(port_text) if port_text.isdigit() else port_text.lower()
    if "/" not in address:
        address += "/128" if ":" in address else "/32"
    return (_network_text(address), protocol, port)


def format_selector(selector):
    """``('10.1.0.0/16', 6, 443)`` -> ``'10.1.0.0/16 tcp/443'``; ``('10.1.0.0/16', 0, 0)`` -> ``'10.1.0.0/16'``."""
    if selector is None:
        return "?"
    network, protocol, port = selector
    if not protocol and not port:
        return network
    proto = acl.protocol_name(protocol) if isinstance(protocol, int) else str(protocol)
    return "{} {}/{}".format(network, proto, port) if port else "{} {}".format(network, proto)


def format_pair(pair):
    return "{} <-> {}".format(format_selector(pair[0]), format_selector(pair[1]))


def planned_selectors(tunnel, platform):
    """The selector pairs a tunnel should show on ``platform``, in plan order.

    Returns ``[(local, remote, child_name_or_None), ...]``.
    """
    if platform == "strongswan":
        out = []
        for child in tunnel.get("children") or []:
            out.append((selector_from_ts(child["local_ts"]), selector_from_ts(child["remote_ts"]), child.get("name")))
        return out
    acl = tunnel.get("acl")
    if acl and acl.get("entries"):
        return [selector_from_ace(ace) + (None,) for ace in acl["entries"] if ace.get("action", "permit") == "permit"]
    if tunnel.get("style") == "gre_over_ipsec":
        local = (str(_network(tunnel["local_address"])), 47, 0)
        remote = (str(_network(tunnel["peer_address"])), 47, 0)
        return [(local, remote, None)]
    # VTI (and anything without an ACL): IOS shows any/any.
    any_net = "::/0" if ":" in str(tunnel.get("peer_address", "")) else "0.0.0.0/0"
    return [((any_net, 0, 0), (any_net, 0, 0), None)]


# ---------------------------------------------------------------------------------------
# indexes: built once per read
# ---------------------------------------------------------------------------------------


def _pair_key(a, b):
    return (a, b) if a <= b else (b, a)


def index_ike_rows(parsed, up_state):
    """Index ``show crypto isakmp sa`` / ``show crypto ikev2 sa`` rows by address pair and by address."""
    by_pair = {}
    by_address = {}
    for sa in (parsed or {}).get("sas") or []:
        first = _address_key(sa.get("dst") or sa.get("remote"))
        second = _address_key(sa.get("src") or sa.get("local"))
        if not first or not second:
            continue
        row = {
            "local": sa.get("local") or None,
            "remote": sa.get("remote") or None,
            "dst": sa.get("dst"),
            "src": sa.get("src"),
            "state": sa.get("state") or sa.get("status"),
            "status": sa.get("status"),
            "deleted": str(sa.get("status_detail") or "").lower() == "deleted"
            or str(sa.get("status") or "").upper() in ("DELETED", "DELETE"),
            "conn_id": sa.get("conn_id", sa.get("tunnel_id")),
        }
        row["up"] = row["state"] == up_state and not row["deleted"]
        by_pair.setdefault(_pair_key(first, second), []).append(row)
        by_address.setdefault(first, []).append(row)
        if second != first:
            by_address.setdefault(second, []).append(row)
    return {"by_pair": by_pair, "by_address": by_address}


def _sa_active(sa):
    status = sa.get("status")
    return status is None or str(status).upper() == "ACTIVE"


def index_ipsec(parsed):
    """Index ``show crypto ipsec sa`` idents by peer address: ``{peer: [flow, ...]}``."""
    by_peer = {}
    for interface in ((parsed or {}).get("interfaces") or {}).values():
        for ident in interface.get("idents") or []:
            peer = _address_key(ident.get("current_peer") or ident.get("remote_crypto_endpt"))
            if not peer:
                continue
            counters = ident.get("counters") or {}
            inbound = [sa for key in ("inbound_esp_sas", "inbound_ah_sas") for sa in ident.get(key) or []]
            outbound = [sa for key in ("outbound_esp_sas", "outbound_ah_sas") for sa in ident.get(key) or []]
            try:
                pair = (selector_from_ident(ident.get("local_ident")), selector_from_ident(ident.get("remote_ident")))
            except (ValueError, TypeError, KeyError):
                pair = (None, None)
            flow = {
                "interface": interface.get("interface"),
                "local_address": ident.get("local_crypto_endpt") or interface.get("local_addr"),
                "pair": pair,
                "encaps": counters.get("pkts_encaps"),
                "decaps": counters.get("pkts_decaps"),
                "active": any(_sa_active(sa) for sa in inbound) and any(_sa_active(sa) for sa in outbound),
                "sa_count": len(inbound) + len(outbound),
            }
            by_peer.setdefault(peer, []).append(flow)
    return by_peer


def index_swanctl(parsed):
    """Index ``swanctl --list-sas`` IKE SAs by connection name and by remote address."""
    by_name = {}
    by_remote = {}
    for ike in (parsed or {}).get("ike_sas") or []:
        if ike.get("name"):
            by_name.setdefault(ike["name"], []).append(ike)
        if ike.get("remote_host"):
            by_remote.setdefault(_address_key(ike["remote_host"]), []).append(ike)
    return {"by_name": by_name, "by_remote": by_remote}


def _child_counters(parsed):
    """``{child uniqueid: (packets_out, packets_in)}`` of a swanctl read."""
    out = {}
    for ike in (parsed or {}).get("ike_sas") or []:
        for child in ike.get("child_sas") or []:
            key = (ike.get("uniqueid"), child.get("uniqueid"), child.get("spi_in"))
            out[key] = (child.get("packets_out") or 0, child.get("packets_in") or 0)
    return out


# ---------------------------------------------------------------------------------------
# per-platform tunnel checks
# ---------------------------------------------------------------------------------------


def _fail(result, code, detail=None):
    phase, text = CAUSES[code]
    result["status"] = DOWN
    result["cause_code"] = code
    result["cause_phase"] = phase
    result["cause"] = text
    result["detail"] = detail


def _ios_phase1(tunnel, index, up_state):
    local, peer = _address_key(tunnel.get("local_address")), _address_key(tunnel["peer_address"])
    rows = index["by_pair"].get(_pair_key(local, peer)) if local else None
    if not rows:
        rows = index["by_address"].get(peer) or []
    states = sorted({row["state"] for row in rows if row["state"]})
    up = any(row["up"] for row in rows)
    state = up_state if up else _most_advanced(states)
    return {"up": up, "state": state, "states": states, "sa_count": len(rows)}, rows


# IKEv1 states from the furthest along to the least; IKEv2 has only READY and negotiating states.
_IKEV1_PROGRESS = ("MM_KEY_AUTH", "MM_KEY_EXCH", "MM_SA_SETUP", "AG_AUTH", "AG_INIT_EXCH", "AG_NO_STATE", "MM_NO_STATE")


def _most_advanced(states):
    for state in _IKEV1_PROGRESS:
        if state in states:
            return state
    return states[0] if states else None


def _ios_phase1_cause(version, rows):
    if not rows:
        return "P1_NO_SA", None
    live = [row for row in rows if not row["deleted"]] or rows
    states = sorted({row["state"] for row in live if row["state"]})
    detail = "IKE SA state(s) seen: " + ", ".join(states) if states else None
    if version == 2:
        return "P1_IKEV2_NEGOTIATING", detail
    # The most advanced state tells how far negotiation got.
    for state in _IKEV1_PROGRESS:
        if state in states:
            if state.startswith("AG_"):
                return "P1_AGGRESSIVE", detail
            return "P1_" + state, detail
    return "P1_NOT_ESTABLISHED", detail


def _verify_ios(tunnel, reads, before, probe):
    version = int((tunnel.get("ike") or {}).get("version") or 1)
    key, up_state = ("ikev2", _IKEV2_UP) if version == 2 else ("isakmp", _IKEV1_UP)
    phase1, rows = _ios_phase1(tunnel, reads[key], up_state)
    result = _new_result(tunnel, "ios")
    result["phase1"] = phase1

    planned = planned_selectors(tunnel, "ios")
    flows = reads["ipsec"].get(_address_key(tunnel["peer_address"])) or []
    by_pair = {}
    for flow in flows:
        by_pair.setdefault(flow["pair"], []).append(flow)
    before_flows = {}
    if before is not None:
        for flow in before["ipsec"].get(_address_key(tunnel["peer_address"])) or []:
            before_flows.setdefault(flow["pair"], []).append(flow)

    selectors = []
    planned_pairs = set()
    for local, remote, _child in planned:
        pair = (local, remote)
        planned_pairs.add(pair)
        matched = by_pair.get(pair) or []
        entry = {
            "local": format_selector(local),
            "remote": format_selector(remote),
            "found": bool(matched),
            "up": any(flow["active"] for flow in matched),
            "encaps": _sum(flow["encaps"] for flow in matched),
            "decaps": _sum(flow["decaps"] for flow in matched),
        }
        if before is not None:
            old = before_flows.get(pair) or []
            entry["encaps_before"] = _sum(flow["encaps"] for flow in old)
            entry["decaps_before"] = _sum(flow["decaps"] for flow in old)
        selectors.append(entry)
    unexpected = sorted({format_pair(flow["pair"]) for flow in flows if flow["pair"] not in planned_pairs})
    # IOS builds an IPsec SA per crypto ACL entry only when traffic for that entry flows, so
    # phase 2 is up when at least one planned pair has an active SA and none is missing.
    phase2_up = all(entry["found"] for entry in selectors) and any(entry["up"] for entry in selectors)
    result["phase2"] = {"up": phase2_up, "selectors": selectors, "unexpected_selectors": unexpected}

    if not phase1["up"]:
        code, detail = _ios_phase1_cause(version, rows)
        _fail(result, code, detail)
    elif not flows:
        _fail(result, "P2_NOT_CONFIGURED", "no ident with current_peer {}".format(tunnel["peer_address"]))
    elif not all(entry["found"] for entry in selectors):
        missing = [e["local"] + " <-> " + e["remote"] for e in selectors if not e["found"]]
        _fail(result, "P2_SELECTOR_MISMATCH",
              "planned {}; device shows {}".format("; ".join(missing), "; ".join(unexpected) or "nothing else"))
    elif not phase2_up:
        _fail(result, "P2_NO_SA",
              "flows exist for the planned selectors but none has an active inbound and outbound SA")
    result["traffic"] = _traffic(result, selectors, before is not None, probe)
    return result


def _swanctl_best_ike(candidates):
    for ike in candidates:
        if ike.get("state") in _SWANCTL_IKE_UP:
            return ike
    return candidates[0] if candidates else None


def _verify_swanctl(tunnel, reads, before, probe):
    index = reads["swanctl"]
    result = _new_result(tunnel, "strongswan")
    candidates = index["by_name"].get(tunnel["name"]) or []
    if not candidates:
        candidates = [ike for ike in index["by_remote"].get(_address_key(tunnel["peer_address"])) or []
                      if not ike.get("local_host")
                      or _address_key(ike.get("local_host")) == _address_key(tunnel.get("local_address"))]
    established = [ike for ike in candidates if ike.get("state") in _SWANCTL_IKE_UP]
    best = _swanctl_best_ike(candidates)
    states = sorted({ike.get("state") for ike in candidates if ike.get("state")})
    result["phase1"] = {
        "up": bool(established),
        "state": best.get("state") if best else None,
        "states": states,
        "sa_count": len(candidates),
    }

    children = [child for ike in established for child in ike.get("child_sas") or []]
    old_counters = before["counters"] if before is not None else {}
    selectors = []
    planned_pairs = set()
    for local, remote, name in planned_selectors(tunnel, "strongswan"):
        planned_pairs.add((local, remote))
        matched = []
        for ike in established:
            for child in ike.get("child_sas") or []:
                if _child_pairs(child) & {(local, remote)}:
                    matched.append((ike, child))
        active = [(ike, child) for ike, child in matched if child.get("state") in _SWANCTL_CHILD_UP]
        entry = {
            "name": name,
            "local": format_selector(local),
            "remote": format_selector(remote),
            "found": bool(matched),
            "up": bool(active),
            "encaps": _sum(child.get("packets_out") for _ike, child in active),
            "decaps": _sum(child.get("packets_in") for _ike, child in active),
            "states": sorted({child.get("state") for _ike, child in matched if child.get("state")}),
        }
        if before is not None:
            # A child that was not in the first read (new, or rekeyed since) counts from zero.
            entry["encaps_before"] = _sum(
                old_counters.get((ike.get("uniqueid"), child.get("uniqueid"), child.get("spi_in")), (0, 0))[0]
                for ike, child in active
            )
            entry["decaps_before"] = _sum(
                old_counters.get((ike.get("uniqueid"), child.get("uniqueid"), child.get("spi_in")), (0, 0))[1]
                for ike, child in active
            )
        selectors.append(entry)
    unexpected = sorted({
        format_pair(pair) for child in children for pair in _child_pairs(child) if pair not in planned_pairs
    })
    phase2_up = bool(selectors) and all(entry["up"] for entry in selectors)
    result["phase2"] = {"up": phase2_up, "selectors": selectors, "unexpected_selectors": unexpected}

    if not established:
        if not candidates:
            _fail(result, "P1_NO_SA")
        elif "CONNECTING" in states:
            _fail(result, "P1_CONNECTING", "IKE SA state(s) seen: " + ", ".join(states))
        else:
            _fail(result, "P1_NOT_ESTABLISHED", "IKE SA state(s) seen: " + ", ".join(states))
    elif not children:
        _fail(result, "P2_NO_SA", "IKE SA {} established without any CHILD_SA".format(best.get("name")))
    elif not all(entry["found"] for entry in selectors):
        missing = [e["local"] + " <-> " + e["remote"] for e in selectors if not e["found"]]
        _fail(result, "P2_SELECTOR_MISMATCH",
              "planned {}; CHILD_SAs show {}".format("; ".join(missing), "; ".join(unexpected) or "nothing else"))
    elif not phase2_up:
        states = sorted({s for e in selectors for s in e["states"]})
        _fail(result, "P2_NO_SA", "CHILD_SA state(s): " + ", ".join(states))
    result["traffic"] = _traffic(result, selectors, before is not None, probe)
    return result


def _child_pairs(child):
    """Every (local, remote) selector pair a CHILD_SA covers."""
    pairs = set()
    try:
        locals_ = [selector_from_ts(ts) for ts in child.get("local_ts") or []]
        remotes = [selector_from_ts(ts) for ts in child.get("remote_ts") or []]
    except (ValueError, TypeError):
        return pairs
    for local in locals_:
        for remote in remotes:
            pairs.add((local, remote))
    return pairs


# ---------------------------------------------------------------------------------------
# traffic
# ---------------------------------------------------------------------------------------


def _sum(values):
    total = None
    for value in values:
        if value is None:
            continue
        total = (total or 0) + int(value)
    return total


def _delta(after, before):
    if after is None:
        return 0
    if before is None or after < before:  # counters cleared or SA replaced: count from zero
        return after
    return after - before


def _traffic(result, selectors, have_before, probe):
    traffic = {
        "checked": False,
        "passed": None,
        "reason": None,
        "encaps_delta": None,
        "decaps_delta": None,
        "probe": probe,
    }
    if probe is None:
        traffic["reason"] = "no probe was sent for this tunnel"
        return traffic
    if not probe.get("sent"):
        traffic["reason"] = probe.get("skipped") or "probe not sent"
        return traffic
    if not have_before:
        traffic["reason"] = "no counter read before the probe"
        return traffic
    encaps = sum(_delta(e["encaps"], e.get("encaps_before")) for e in selectors)
    decaps = sum(_delta(e["decaps"], e.get("decaps_before")) for e in selectors)
    traffic.update(checked=True, encaps_delta=encaps, decaps_delta=decaps, passed=encaps > 0 and decaps > 0)
    if result["status"] == UP and not traffic["passed"]:
        detail = "probe {} -> {}: encaps +{}, decaps +{}".format(
            probe.get("source"), probe.get("destination"), encaps, decaps)
        if probe.get("received") is not None:
            detail += ", {}/{} echo replies".format(probe.get("received"), probe.get("transmitted"))
        _fail(result, "TRAFFIC_NO_ENCAPS" if encaps == 0 else "TRAFFIC_NO_DECAPS", detail)
    return traffic


# ---------------------------------------------------------------------------------------
# the verdict
# ---------------------------------------------------------------------------------------


def _new_result(tunnel, platform):
    return {
        "tunnel": tunnel["name"],
        "peer": tunnel.get("peer"),
        "peer_platform": tunnel.get("peer_platform"),
        "local_address": tunnel.get("local_address"),
        "peer_address": tunnel.get("peer_address"),
        "side": tunnel.get("side"),
        "style": tunnel.get("style"),
        "ike_version": (tunnel.get("ike") or {}).get("version"),
        "local_networks": list(tunnel.get("local_networks") or []),
        "remote_networks": list(tunnel.get("remote_networks") or []),
        "platform": platform,
        "status": UP,
        "cause_code": None,
        "cause_phase": None,
        "cause": None,
        "detail": None,
        "phase1": None,
        "phase2": None,
        "traffic": None,
    }


def _index_reads(platform, reads, needs):
    if reads is None:
        return None
    if not isinstance(reads, dict):
        raise VerifyError("reads must be a dict of parsed show outputs")
    if platform == "strongswan":
        if "swanctl_sas" not in reads:
            raise VerifyError("a strongSwan read needs 'swanctl_sas' (parsed swanctl --list-sas)")
        return {"swanctl": index_swanctl(reads["swanctl_sas"]), "counters": _child_counters(reads["swanctl_sas"])}
    missing = [key for key in needs if reads.get(key) is None]
    if missing:
        raise VerifyError("an IOS read needs {} (parsed show output)".format(", ".join(missing)))
    return {
        "isakmp": index_ike_rows(reads.get("isakmp_sa"), _IKEV1_UP),
        "ikev2": index_ike_rows(reads.get("ikev2_sa"), _IKEV2_UP),
        "ipsec": index_ipsec(reads.get("ipsec_sa")),
    }


def required_reads(plan):
    """Which parsed reads :func:`verdict` needs for this plan (and so which commands to run)."""
    platform = plan.get("platform")
    if plan.get("kind") != "gateway" or not plan.get("tunnels"):
        return []
    if platform == "strongswan":
        return ["swanctl_sas"]
    versions = {int((t.get("ike") or {}).get("version") or 1) for t in plan["tunnels"]}
    needs = []
    if 1 in versions:
        needs.append("isakmp_sa")
    if 2 in versions:
        needs.append("ikev2_sa")
    needs.append("ipsec_sa")
    return needs


def _warnings(reads):
    out = []
    for key, parsed in sorted((reads or {}).items()):
        for item in (parsed or {}).get("warnings") or []:
            out.append("{}: line {}: {} ({!r})".format(key, item.get("line_number"), item.get("message"),
                                                       item.get("line")))
    return out


def apply_diagnosis(entry, output):
    """Let what charon said while initiating a down tunnel once more name its cause.

    The SA-based cause stays in ``detail`` behind charon's own line, so nothing is lost; an initiation that
    succeeded only adds a note (the tunnel was down when it was read).
    """
    if entry["status"] == UP or output is None:
        return
    found = initiate_diagnosis.diagnose(output)
    if found is None:
        if initiate_diagnosis.succeeded(output):
            entry["detail"] = "; ".join(x for x in (entry["detail"], "it came up when initiated once more") if x)
        return
    earlier = "{}: {}".format(entry["cause_code"], entry["detail"]) if entry["detail"] else entry["cause_code"]
    entry["diagnosis"] = found
    entry["cause_code"] = found["code"]
    entry["cause_phase"] = found["phase"]
    entry["cause"] = found["cause"]
    entry["detail"] = "charon: {}{}".format(found["evidence"], " (SA read: {})".format(earlier) if earlier else "")


def verdict(plan, reads, before=None, probes=None, diagnoses=None):
    """Verdict for every tunnel of one host's plan.

    ``reads``: parsed show outputs after the probes (see the module docstring);
    ``before``: the same, read before the probes (``None``: traffic is not checked);
    ``probes``: ``{tunnel name: probe result}`` from :func:`probe_result` (``None``: no probes);
    ``diagnoses``: ``{tunnel name: swanctl --initiate output}`` for down tunnels (see :func:`apply_diagnosis`).

    Returns ``{schema_version, host, platform, status, summary, tunnels, failed, message, warnings}``;
    ``status`` is ``up`` (every tunnel up), ``down`` (at least one down) or ``none`` (no
    tunnels to verify); ``failed`` lists ``{tunnel, peer, cause_code, cause, detail}`` and
    ``message`` says the same in text (:func:`failure_message`).
    """
    if not isinstance(plan, dict) or "kind" not in plan:
        raise VerifyError("plan must be a host plan (a dict with 'kind'; see docs/plan.md)")
    platform = plan.get("platform")
    tunnels = (plan.get("tunnels") or []) if plan.get("kind") == "gateway" else []
    result = {
        "schema_version": SCHEMA_VERSION,
        "host": plan.get("host"),
        "platform": platform,
        "status": "none",
        "summary": {"total": 0, "up": 0, "down": 0, "traffic_checked": 0},
        "tunnels": [],
        "failed": [],
        "message": "",
        "warnings": _warnings(reads) + _warnings(before),
    }
    if not tunnels:
        return result
    if platform not in ("ios", "strongswan"):
        raise VerifyError("cannot verify platform {!r}".format(platform))
    needs = required_reads(plan)
    current = _index_reads(platform, reads, needs)
    if current is None:
        raise VerifyError("reads are required")
    old = _index_reads(platform, before, needs)
    check = _verify_swanctl if platform == "strongswan" else _verify_ios
    probes = probes or {}
    for tunnel in tunnels:
        probe = probes.get(tunnel["name"]) if probes else None
        entry = check(tunnel, current, old, probe)
        apply_diagnosis(entry, (diagnoses or {}).get(tunnel["name"]))
        result["tunnels"].append(entry)
        if entry["status"] == UP:
            result["summary"]["up"] += 1
        else:
            result["summary"]["down"] += 1
            result["failed"].append({
                "tunnel": entry["tunnel"],
                "peer": entry["peer"],
                "cause_code": entry["cause_code"],
                "cause": entry["cause"],
                "detail": entry["detail"],
            })
        if entry["traffic"] and entry["traffic"]["checked"]:
            result["summary"]["traffic_checked"] += 1
    result["summary"]["total"] = len(result["tunnels"])
    result["status"] = DOWN if result["failed"] else UP
    result["message"] = failure_message(result)
    return result


def failure_message(result):
    """One human-readable message listing the failed tunnels of a verdict (``''`` when all are up)."""
    if not result.get("failed"):
        return ""
    lines = ["{}: {} of {} tunnel(s) down".format(result.get("host"), len(result["failed"]),
                                                  result["summary"]["total"])]
    for item in result["failed"]:
        line = "- {} (peer {}): [{}] {}".format(item["tunnel"], item["peer"], item["cause_code"], item["cause"])
        if item.get("detail"):
            line += " ({})".format(item["detail"])
        lines.append(line)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# traffic probes: targets and results
# ---------------------------------------------------------------------------------------


def _first_host(prefix):
    net = _network(prefix)
    if net.prefixlen >= net.max_prefixlen - 1:
        return str(net.network_address)
    return str(net.network_address + 1)


def probe_targets(plan, overrides=None, count=5):
    """One traffic probe per tunnel of the plan: ``[{tunnel, source, destination, command, skipped}]``.

    Default source / destination: the first host of the first local / remote protected
    network of the tunnel (``10.11.1.0/24`` -> ``10.11.1.1``). ``overrides`` maps a tunnel
    name to ``{source, destination}`` (either may be given) or ``{enabled: false}``. A
    probe is skipped (``skipped`` says why, ``command`` is ``None``) when the selectors do
    not carry ICMP or the protected networks are ``any``. ``command`` is the platform's
    ping: IOS ``ping <dst> source <src> repeat <count>``, Linux ``ping -n -q -c <count>
    -W 1 -I <src> <dst>``.
    """
    overrides = overrides or {}
    if not isinstance(overrides, dict):
        raise VerifyError("probe overrides must be a dict: tunnel name -> {source, destination}")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 100:
        raise VerifyError("probe count must be an integer 1..100")
    if plan.get("kind") != "gateway":
        return []
    platform = plan.get("platform")
    names = {t["name"] for t in plan.get("tunnels") or []}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise VerifyError("probe overrides name tunnels this host does not have: " + ", ".join(unknown))
    targets = []
    for tunnel in plan.get("tunnels") or []:
        override = overrides.get(tunnel["name"]) or {}
        if not isinstance(override, dict):
            raise VerifyError("probe override of {!r} must be a dict".format(tunnel["name"]))
        bad = sorted(set(override) - {"source", "destination", "enabled"})
        if bad:
            raise VerifyError("probe override of {!r} has unknown keys: {}".format(tunnel["name"], ", ".join(bad)))
        target = {"tunnel": tunnel["name"], "source": None, "destination": None, "command": None, "skipped": None}
        targets.append(target)
        if override.get("enabled") is False:
            target["skipped"] = "disabled by verify_probe_targets"
            continue
        protocol = str((tunnel.get("selectors") or {}).get("protocol") or "ip").lower()
        source = override.get("source")
        destination = override.get("destination")
        if protocol not in ("ip", "icmp", "1") and not (source and destination):
            target["skipped"] = "selectors are narrowed to {}; an ICMP probe would not be encrypted".format(protocol)
            continue
        try:
            if not source:
                source = _default_end(tunnel.get("local_networks"))
            if not destination:
                destination = _default_end(tunnel.get("remote_networks"))
        except ValueError as exc:
            target["skipped"] = str(exc)
            continue
        target["source"], target["destination"] = str(source), str(destination)
        if platform == "ios":
            target["command"] = "ping {} source {} repeat {}".format(destination, source, count)
        else:
            target["command"] = "ping -n -q -c {} -W 1 -i 0.3 -I {} {}".format(count, source, destination)
    return targets


def _default_end(networks):
    for prefix in networks or []:
        net = _network(prefix)
        if net.prefixlen == 0:
            continue
        return _first_host(prefix)
    raise ValueError("no protected network to probe (only 'any'); set verify_probe_targets for this tunnel")


def _int_or_none(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


_IOS_SUCCESS = re.compile(r"^Success rate is \d+ percent \((\d+)/(\d+)\)")


def probe_result(target, output, rc=None):
    """Read a probe's output (IOS ``Success rate is 100 percent (5/5)`` or Linux ``3 packets
    transmitted, 3 received``) into ``{sent, source, destination, transmitted, received, success, skipped}``."""
    result = {
        "sent": False,
        "source": target.get("source"),
        "destination": target.get("destination"),
        "transmitted": None,
        "received": None,
        "success": False,
        "skipped": target.get("skipped"),
        "error": None,
    }
    if target.get("command") is None:
        return result
    text = output or ""
    result["sent"] = True
    for line in text.splitlines():
        line = line.strip()
        match = _IOS_SUCCESS.match(line)
        if match:
            result["received"], result["transmitted"] = int(match.group(1)), int(match.group(2))
        elif "packets transmitted" in line:
            parts = [p.strip() for p in line.split(",")]
            result["transmitted"] = _int_or_none(parts[0].split()[0])
            for part in parts[1:]:
                if part.endswith("received"):
                    result["received"] = _int_or_none(part.split()[0])
        elif line.startswith("%"):
            result["error"] = line
    if result["transmitted"] is None:
        result["error"] = result["error"] or "no ping summary in the output (rc={})".format(rc)
        if not text.strip():
            # Nothing ran (IOS check mode drops non-show commands, or the command could not start).
            result["sent"] = False
            result["skipped"] = result["skipped"] or "the probe produced no output"
    result["success"] = bool(result["received"])
    return result
