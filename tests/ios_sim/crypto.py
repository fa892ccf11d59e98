"""IKE/IPsec negotiation between simulated routers and the `show crypto ...` / `clear crypto ...` commands.

Negotiation is decided from both routers' configuration, the way the real exchange would end:

* IKEv1 phase 1 fails (MM_NO_STATE) when the peer is unreachable over UDP 500, has no crypto map on the interface
  that owns the address, has no pre-shared key for the initiator, or has no isakmp policy that matches one of the
  initiator's (same encryption, hash, authentication, group; the initiator's lifetime not longer than the
  responder's). Only pre-shared keys are modelled. Different keys stop it in MM_KEY_EXCH.
* IKEv2 (crypto map entry or ipsec profile with `set ikev2-profile`) needs a common proposal, a responder profile
  whose `match identity remote address` covers the initiator, `authentication local/remote pre-share` and matching
  keys from both keyrings. A failure leaves no IKEv2 SA.
* Phase 2 then needs, on the responder, an entry for the initiator address whose ACL holds the exact mirror of the
  initiator's ACL entry, a transform set with the same transforms and mode, and the same PFS group. For tunnel
  protection the tunnel endpoints must mirror and the tunnel modes be equal.

Crypto maps come up on the first packet that matches the crypto ACL (like IOS); tunnel protection comes up as soon
as both ends are consistent, and comes back right after `clear crypto session`.
"""

import ipaddress
import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from .acl import Ace, AddressMatch, Packet, int_to_ip, ip_to_int
from .device import Device, InterfaceState

if TYPE_CHECKING:  # pragma: no cover
    from .world import World

ISAKMP_DEFAULTS = {"encryption": "des", "hash": "sha", "authentication": "rsa-sig", "group": "1", "lifetime": 86400}
IPSEC_LIFETIME_SECONDS = 3600
IPSEC_LIFETIME_KB = 4608000
WHOLE = AddressMatch(0, 0xFFFFFFFF)


@dataclass
class IkeSa:
    version: int
    initiator: Device
    responder: Optional[Device]
    initiator_address: str
    responder_address: str
    state: str
    conn_ids: Dict[str, int]
    created: float
    lifetime: int = 86400
    details: Dict[str, str] = field(default_factory=dict)

    @property
    def established(self) -> bool:
        return self.state in ("QM_IDLE", "READY")

    def involves(self, device: Device) -> bool:
        return device is self.initiator or device is self.responder

    def local_address(self, device: Device) -> str:
        return self.initiator_address if device is self.initiator else self.responder_address

    def peer_address(self, device: Device) -> str:
        return self.responder_address if device is self.initiator else self.initiator_address


@dataclass
class Selector:
    address: AddressMatch
    protocol: int = 0
    port: int = 0

    def text(self) -> str:
        address, mask = self.address.ident()
        return f"({address}/{mask}/{self.protocol}/{self.port})"

    def matches(self, address: int, protocol: int) -> bool:
        return self.address.matches(address) and (self.protocol == 0 or self.protocol == protocol)


@dataclass
class IpsecSide:
    device: Device
    interface: str
    tag: str  # crypto map name, or "Tunnel0-head-0"
    anchor: tuple  # ("map", name, seq, selector-key) or ("tunnel", ifname)
    local_address: str
    peer_address: str
    local: Selector
    remote: Selector
    inbound_spi: int
    outbound_spi: int
    conn_ids: Tuple[int, int]
    flow_ids: Tuple[int, int]
    counters: Dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("encaps", "encrypt", "digest", "decaps", "decrypt", "verify", "send_errors", "recv_errors"), 0))
    bytes_out: int = 0
    bytes_in: int = 0
    protection: str = ""  # the `tunnel protection` line the SA was negotiated for


@dataclass
class IpsecSa:
    sides: Dict[str, IpsecSide]
    transforms: Tuple[str, ...]
    mode: str
    pfs: Optional[str]
    lifetime_seconds: int
    lifetime_kb: int
    created: float
    ike: IkeSa
    tunnel_mode: Optional[str] = None  # for tunnel protection: "ipsec ipv4" or "gre ip"

    def involves(self, device: Device) -> bool:
        return device.name in self.sides

    def side(self, device: Device) -> Optional[IpsecSide]:
        return self.sides.get(device.name)

    def other(self, device: Device) -> Optional[IpsecSide]:
        for name, side in self.sides.items():
            if name != device.name:
                return side
        return None


@dataclass
class MapEntry:
    map_name: str
    seq: int
    peers: List[str]
    acl: Optional[str]
    transform_sets: List[str]
    pfs: Optional[str]
    lifetime_seconds: Optional[int]
    lifetime_kb: Optional[int]
    ikev2_profile: Optional[str]


class CryptoEngine:
    def __init__(self, world: "World", seed: int = 1):
        self.world = world
        self.random = random.Random(seed)
        self.ike_sas: List[IkeSa] = []
        self.ipsec_sas: List[IpsecSa] = []
        self.events: List[str] = []
        self.attempted: set = set()
        self.failures: Dict[tuple, Tuple[int, str]] = {}

    def log(self, message: str):
        self.events.append(message)

    # ================================================================================================ config readers

    @staticmethod
    def isakmp_policies(device: Device) -> List[dict]:
        policies = []
        for node in device.config.top("isakmp-policy"):
            policy = dict(ISAKMP_DEFAULTS, priority=int(node.binds["priority"]))
            for child in node.children:
                words = child.words
                if child.command_id == "encryption":
                    policy["encryption"] = " ".join(words[1:]).replace("aes 128", "aes")
                elif child.command_id == "lifetime":
                    policy["lifetime"] = int(words[1])
                else:
                    policy[child.command_id] = words[1]
            policies.append(policy)
        return sorted(policies, key=lambda p: p["priority"])

    @staticmethod
    def isakmp_key(device: Device, peer: str) -> Optional[str]:
        best, best_len = None, -1
        for node in device.config.top("isakmp-key"):
            mask = str(node.binds.get("mask") or "255.255.255.255")
            network = ipaddress.IPv4Network(f"{node.binds['address']}/{mask}", strict=False)
            if ipaddress.IPv4Address(peer) in network and network.prefixlen > best_len:
                best, best_len = str(node.binds["key"]), network.prefixlen
        return best

    @staticmethod
    def map_bindings(device: Device) -> List[Tuple[InterfaceState, str]]:
        bindings = []
        for state in device.interfaces():
            if state.node is not None and state.node.first("crypto-map") is not None:
                bindings.append((state, str(state.node.value("crypto-map", "name"))))
        return bindings

    @staticmethod
    def map_entries(device: Device, name: str) -> List[MapEntry]:
        entries = []
        for node in device.config.top("crypto-map"):
            if node.binds["name"] != name:
                continue
            lifetime_s = lifetime_kb = None
            for child in node.find("set-sa-lifetime"):
                if child.binds.get("seconds") is not None:
                    lifetime_s = int(child.binds["seconds"])
                if child.binds.get("kilobytes") is not None:
                    lifetime_kb = int(child.binds["kilobytes"])
            pfs_node = node.first("set-pfs")
            entries.append(MapEntry(
                map_name=name,
                seq=int(node.binds["seq"]),
                peers=[str(child.binds["address"]) for child in node.find("set-peer")],
                acl=node.value("match-address", "acl"),
                transform_sets=[str(v) for v in node.value("set-transform-set", "names", [])],
                pfs=(str(pfs_node.binds.get("group") or "group1") if pfs_node else None),
                lifetime_seconds=lifetime_s,
                lifetime_kb=lifetime_kb,
                ikev2_profile=node.value("set-ikev2-profile", "name"),
            ))
        return sorted(entries, key=lambda e: e.seq)

    @staticmethod
    def transform_set(device: Device, name: str) -> Optional[Tuple[Tuple[str, ...], str]]:
        node = device.config.top_by("transform-set", name=name)
        if node is None:
            return None
        words = [str(v) for v in node.binds["transforms"]]
        transforms: List[str] = []
        for word in words:
            if word in ("128", "192", "256"):
                transforms[-1] = f"{transforms[-1]} {word}"
            else:
                transforms.append(word)
        normalized = tuple(sorted(
            t + " 128" if t in ("esp-aes", "esp-gcm", "esp-gmac") else t for t in transforms
        ))
        mode_node = node.first("mode")
        mode = mode_node.words[1] if mode_node else "tunnel"
        return normalized, mode

    def transform_offers(self, device: Device, names: List[str]) -> List[Tuple[Tuple[str, ...], str]]:
        if not names:
            return [(tuple(sorted(t if t not in ("esp-aes",) else "esp-aes 128" for t in d["transforms"])), d["mode"])
                    for d in device.platform.default_transform_sets]
        offers = []
        for name in names:
            found = self.transform_set(device, name)
            if found is not None:
                offers.append(found)
        return offers

    @staticmethod
    def global_lifetimes(device: Device) -> Tuple[int, int]:
        seconds, kilobytes = IPSEC_LIFETIME_SECONDS, IPSEC_LIFETIME_KB
        for node in device.config.top("ipsec-sa-lifetime"):
            if node.binds.get("seconds") is not None:
                seconds = int(node.binds["seconds"])
            if node.binds.get("kilobytes") is not None:
                kilobytes = int(node.binds["kilobytes"])
        return seconds, kilobytes

    # ------------------------------------------------------------------------------------------------ IKEv2 readers

    @staticmethod
    def ikev2_proposals(device: Device, local: str) -> List[dict]:
        proposals = {node.binds["name"]: node for node in device.config.top("ikev2-proposal")}
        chosen: List[dict] = []
        for policy in device.config.top("ikev2-policy"):
            locals_ = [str(n.binds["address"]) for n in policy.find("match-local")]
            if locals_ and local not in locals_:
                continue
            for reference in policy.find("proposal"):
                node = proposals.get(reference.binds["name"])
                if node is None:
                    continue
                proposal = {
                    "name": node.binds["name"],
                    "encryption": list(node.value("encryption", "algorithms", [])),
                    "integrity": list(node.value("integrity", "algorithms", [])),
                    "prf": list(node.value("prf", "algorithms", [])),
                    "group": [str(g) for g in node.value("group", "groups", [])],
                }
                if _proposal_complete(proposal):
                    chosen.append(proposal)
        if not chosen:
            default = dict(device.platform.ikev2_default_proposal)
            chosen.append({"name": "default", "encryption": list(default["encryption"]),
                           "integrity": list(default["integrity"]), "prf": [],
                           "group": [str(g) for g in default["group"]]})
        return chosen

    @staticmethod
    def ikev2_profile(device: Device, name: Optional[str]):
        if name is None:
            return None
        return device.config.top_by("ikev2-profile", name=name)

    @staticmethod
    def keyring_key(device: Device, profile, peer: str, direction: str) -> Optional[str]:
        keyring_name = profile.value("keyring", "name") if profile is not None else None
        keyring = device.config.top_by("ikev2-keyring", name=keyring_name) if keyring_name else None
        if keyring is None:
            return None
        best, best_len = None, -1
        for peer_node in keyring.find("peer"):
            address = peer_node.first("address")
            if address is None:
                continue
            mask = str(address.binds.get("mask") or "255.255.255.255")
            network = ipaddress.IPv4Network(f"{address.binds['address']}/{mask}", strict=False)
            if ipaddress.IPv4Address(peer) not in network or network.prefixlen <= best_len:
                continue
            key = None
            for psk in peer_node.find("pre-shared-key"):
                if psk.binds.get("direction") in (None, direction):
                    if psk.binds.get("direction") == direction or key is None:
                        key = str(psk.binds["key"])
            best, best_len = key, network.prefixlen
        return best

    @staticmethod
    def profile_auth_ok(profile) -> bool:
        methods = {n.binds.get("direction"): n.words[2] for n in profile.find("authentication")}
        return methods.get("local") == "pre-share" and methods.get("remote") == "pre-share"

    @staticmethod
    def profile_matches_identity(profile, identity: str) -> bool:
        for node in profile.find("match-identity"):
            mask = str(node.binds.get("mask") or "255.255.255.255")
            network = ipaddress.IPv4Network(f"{node.binds['address']}/{mask}", strict=False)
            if ipaddress.IPv4Address(identity) in network:
                return True
        return False

    # ==================================================================================================== IKE phase 1

    def _ike_sa(self, version: int, a: str, b: str) -> Optional[IkeSa]:
        for sa in self.ike_sas:
            if sa.version == version and {sa.initiator_address, sa.responder_address} == {a, b}:
                return sa
        return None

    def _new_ike(self, version, initiator, responder, local, peer, state, details=None) -> IkeSa:
        old = self._ike_sa(version, local, peer)
        if old is not None:
            self.ike_sas.remove(old)
        conn_ids = {initiator.name: next(initiator.ike_conn_ids)}
        if responder is not None and state not in ("MM_NO_STATE",):
            conn_ids[responder.name] = next(responder.ike_conn_ids)
        sa = IkeSa(version, initiator, responder, local, peer, state, conn_ids, time.monotonic(),
                   details=details or {})
        self.ike_sas.append(sa)
        return sa

    def phase1(self, initiator: Device, local: str, peer: str, ikev2_profile: Optional[str],
               needs_map: bool) -> Tuple[Optional[IkeSa], Optional[Device], str]:
        """Bring up (or reuse) the IKE SA from ``local`` to ``peer``; returns (sa, responder, why-not)."""
        version = 2 if ikev2_profile else 1
        existing = self._ike_sa(version, local, peer)
        if existing is not None and existing.established:
            return existing, existing.responder if existing.initiator is initiator else existing.initiator, ""
        # A failed exchange is not restarted for every packet: only after a configuration change or a clear.
        failed = self.failures.get((version, local, peer))
        if failed is not None and failed[0] == self.world.config_version:
            return None, None, failed[1]
        sa, responder, reason = self._phase1(initiator, local, peer, ikev2_profile, needs_map, version)
        if sa is None:
            self.failures[(version, local, peer)] = (self.world.config_version, reason)
        return sa, responder, reason

    def _phase1(self, initiator, local, peer, ikev2_profile, needs_map, version):
        responder = self.world.device_owning(peer)
        failure_state = "MM_NO_STATE"
        if responder is None or responder is initiator:
            reason = f"no router owns peer address {peer}"
        elif not self._ike_path(initiator, local, peer):
            reason = f"UDP 500 between {local} and {peer} is not reachable (routing or access-group)"
        elif needs_map and not any(state.address == peer and state.admin_up
                                   for state, _unused in self.map_bindings(responder)):
            reason = f"{responder.name} has no crypto map on the interface that owns {peer}"
        elif version == 1:
            return self._ikev1(initiator, responder, local, peer)
        else:
            return self._ikev2(initiator, responder, local, peer, ikev2_profile)
        self.log(f"{initiator.name}->{peer}: IKE phase 1 failed: {reason}")
        if version == 1:
            self._new_ike(1, initiator, responder, local, peer, failure_state)
        return None, responder, reason

    def _ike_path(self, initiator, local, peer) -> bool:
        from .network import ike_reachable

        return ike_reachable(self.world, initiator, local, peer)

    def _ikev1(self, initiator, responder, local, peer):
        offers = self.isakmp_policies(initiator)
        accepted = self.isakmp_policies(responder)
        initiator_key = self.isakmp_key(initiator, peer)
        responder_key = self.isakmp_key(responder, local)
        chosen = None
        for policy in accepted:
            for offer in offers:
                if all(offer[k] == policy[k] for k in ("encryption", "hash", "authentication", "group")) and \
                        offer["lifetime"] <= policy["lifetime"]:
                    chosen = offer
                    break
            if chosen:
                break
        state, reason = "QM_IDLE", ""
        if not offers:
            reason, state = f"{initiator.name} has no crypto isakmp policy", "MM_NO_STATE"
        elif initiator_key is None:
            reason, state = f"{initiator.name} has no pre-shared key for {peer}", "MM_NO_STATE"
        elif chosen is None:
            reason, state = f"no isakmp policy of {responder.name} matches one of {initiator.name}", "MM_NO_STATE"
        elif chosen["authentication"] != "pre-share":
            reason, state = f"authentication {chosen['authentication']} is not simulated", "MM_NO_STATE"
        elif responder_key is None:
            reason, state = f"{responder.name} has no pre-shared key for {local}", "MM_NO_STATE"
        elif responder_key != initiator_key:
            reason, state = f"pre-shared keys of {initiator.name} and {responder.name} differ", "MM_KEY_EXCH"
        details = {k: str(v) for k, v in (chosen or {}).items()}
        sa = self._new_ike(1, initiator, responder, local, peer, state, details)
        if chosen:
            sa.lifetime = int(chosen["lifetime"])
        if reason:
            self.log(f"{initiator.name}->{peer}: IKEv1 phase 1 failed: {reason}")
            return None, responder, reason
        return sa, responder, ""

    def _ikev2(self, initiator, responder, local, peer, profile_name):
        profile = self.ikev2_profile(initiator, profile_name)
        reason = ""
        identity = local
        responder_profile = None
        chosen = None
        if profile is None:
            reason = f"{initiator.name} has no crypto ikev2 profile {profile_name}"
        else:
            identity = str(profile.value("identity-local", "address", local))
            chosen = _common_proposal(self.ikev2_proposals(initiator, local), self.ikev2_proposals(responder, peer))
            for candidate in responder.config.top("ikev2-profile"):
                if self.profile_matches_identity(candidate, identity):
                    responder_profile = candidate
                    break
            if chosen is None:
                reason = "no common IKEv2 proposal"
            elif not self.profile_auth_ok(profile):
                reason = f"{initiator.name} profile {profile_name} lacks authentication local/remote pre-share"
            elif responder_profile is None:
                reason = f"no IKEv2 profile of {responder.name} matches identity {identity}"
            elif not self.profile_auth_ok(responder_profile):
                reason = f"{responder.name} profile {responder_profile.binds['name']} lacks pre-share authentication"
            else:
                keys = (
                    self.keyring_key(initiator, profile, peer, "local"),
                    self.keyring_key(responder, responder_profile, local, "remote"),
                    self.keyring_key(responder, responder_profile, local, "local"),
                    self.keyring_key(initiator, profile, peer, "remote"),
                )
                if None in keys:
                    reason = "a keyring has no pre-shared key for the peer address"
                elif keys[0] != keys[1] or keys[2] != keys[3]:
                    reason = f"IKEv2 pre-shared keys of {initiator.name} and {responder.name} differ"
        if reason:
            self.log(f"{initiator.name}->{peer}: IKEv2 failed: {reason}")
            old = self._ike_sa(2, local, peer)
            if old is not None:
                self.ike_sas.remove(old)
            return None, responder, reason
        lifetime = int(profile.value("lifetime", "seconds", 86400))
        sa = self._new_ike(2, initiator, responder, local, peer, "READY", {
            **chosen, "profile": profile_name, "responder_profile": responder_profile.binds["name"]})
        sa.lifetime = lifetime
        return sa, responder, ""

    # ==================================================================================================== IKE phase 2

    def negotiate_map(self, device: Device, egress: InterfaceState, entry: MapEntry, ace: Ace) -> Optional[IpsecSa]:
        peer = entry.peers[0]
        local = egress.address
        ike, responder, reason = self.phase1(device, local, peer, entry.ikev2_profile, needs_map=True)
        if ike is None:
            return None
        responder_iface = next(state for state, _unused in self.map_bindings(responder) if state.address == peer)
        responder_map = next(name for state, name in self.map_bindings(responder) if state.address == peer)
        wanted = ace.mirror().selector()
        offers = self.transform_offers(device, entry.transform_sets)
        for candidate in self.map_entries(responder, responder_map):
            if local not in candidate.peers or candidate.acl is None:
                continue
            if (ike.version == 2) != (candidate.ikev2_profile is not None):
                continue
            aces = _acl(responder, candidate.acl)
            match = next((a for a in aces or [] if a.action == "permit" and a.selector() == wanted), None)
            if match is None:
                continue
            why = self._phase2_terms(device, responder, offers, self.transform_offers(responder,
                                     candidate.transform_sets), entry.pfs, candidate.pfs)
            if isinstance(why, str):
                self.log(f"{device.name}->{peer}: phase 2 failed: {why}")
                return None
            transforms, mode = why
            seconds = min(entry.lifetime_seconds or self.global_lifetimes(device)[0],
                          candidate.lifetime_seconds or self.global_lifetimes(responder)[0])
            kilobytes = min(entry.lifetime_kb or self.global_lifetimes(device)[1],
                            candidate.lifetime_kb or self.global_lifetimes(responder)[1])
            sa = IpsecSa({}, transforms, mode, entry.pfs, seconds, kilobytes, time.monotonic(), ike)
            sa.sides[device.name] = self._side(device, egress.name, entry.map_name,
                                               ("map", entry.map_name, entry.seq, ace.selector()), local, peer, ace)
            sa.sides[responder.name] = self._side(responder, responder_iface.name, responder_map,
                                                  ("map", responder_map, candidate.seq, match.selector()), peer,
                                                  local, match)
            _pair_spis(sa, device, responder)
            self.ipsec_sas.append(sa)
            self.log(f"{device.name}->{peer}: IPsec SA up ({' '.join(transforms)}, {mode})")
            return sa
        self.log(f"{device.name}->{peer}: phase 2 failed: no crypto map entry of {responder.name} for {local} with "
                 f"the mirrored ACL entry and matching IKE version")
        return None

    def _phase2_terms(self, device, responder, offers, accepted, pfs_a, pfs_b):
        if pfs_a != pfs_b:
            return f"PFS differs ({pfs_a or 'none'} vs {pfs_b or 'none'})"
        for offer in offers:
            if offer in accepted:
                return offer
        if not offers:
            return f"{device.name} has no usable transform set"
        return "no common transform set (transforms and mode)"

    def _side(self, device, interface, tag, anchor, local, peer, ace: Optional[Ace], selectors=None) -> IpsecSide:
        if selectors is None:
            local_sel = Selector(ace.source, ace.protocol, ace.selector()[3])
            remote_sel = Selector(ace.destination, ace.protocol, ace.selector()[4])
        else:
            local_sel, remote_sel = selectors
        return IpsecSide(device, interface, tag, anchor, local, peer, local_sel, remote_sel, 0, 0,
                         (next(device.ipsec_conn_ids), next(device.ipsec_conn_ids)),
                         (next(device.flow_ids), next(device.flow_ids)))

    def negotiate_tunnel(self, device: Device, tunnel: InterfaceState) -> Optional[IpsecSa]:
        from .network import tunnel_endpoints, tunnel_mode

        local, peer = tunnel_endpoints(device, tunnel)
        protection = tunnel.node.first("tunnel-protection")
        if local is None or peer is None or protection is None:
            return None
        profile = device.config.top_by("ipsec-profile", name=protection.binds["profile"])
        if profile is None:
            self.log(f"{device.name} {tunnel.name}: ipsec profile {protection.binds['profile']} does not exist")
            return None
        ikev2_profile = profile.value("set-ikev2-profile", "name")
        ike, responder, reason = self.phase1(device, local, peer, ikev2_profile, needs_map=False)
        if ike is None:
            return None
        mode = tunnel_mode(tunnel)
        remote_tunnel = None
        for state in responder.interfaces():
            if state.node is None or not state.name.startswith("Tunnel") or not state.admin_up:
                continue
            source, destination = tunnel_endpoints(responder, state)
            if source == peer and destination == local and state.node.first("tunnel-protection") is not None:
                remote_tunnel = state
                break
        if remote_tunnel is None:
            self.log(f"{device.name} {tunnel.name}: {responder.name} has no protected tunnel from {peer} to {local}")
            return None
        if tunnel_mode(remote_tunnel) != mode:
            self.log(f"{device.name} {tunnel.name}: tunnel modes differ ({mode} vs {tunnel_mode(remote_tunnel)})")
            return None
        remote_profile = responder.config.top_by(
            "ipsec-profile", name=remote_tunnel.node.value("tunnel-protection", "profile"))
        if remote_profile is None:
            self.log(f"{device.name} {tunnel.name}: {responder.name}'s ipsec profile does not exist")
            return None
        if (remote_profile.value("set-ikev2-profile", "name") is None) != (ikev2_profile is None):
            self.log(f"{device.name} {tunnel.name}: IKE versions of the two ipsec profiles differ")
            return None
        pfs_a = _profile_pfs(profile)
        pfs_b = _profile_pfs(remote_profile)
        why = self._phase2_terms(
            device, responder,
            self.transform_offers(device, [str(v) for v in profile.value("set-transform-set", "names", [])]),
            self.transform_offers(responder, [str(v) for v in remote_profile.value("set-transform-set", "names", [])]),
            pfs_a, pfs_b)
        if isinstance(why, str):
            self.log(f"{device.name} {tunnel.name}: phase 2 failed: {why}")
            return None
        transforms, ipsec_mode = why
        if mode == "ipsec ipv4":
            selectors_a = (Selector(WHOLE), Selector(WHOLE))
            selectors_b = (Selector(WHOLE), Selector(WHOLE))
        else:
            a = AddressMatch.make(local, "0.0.0.0")
            b = AddressMatch.make(peer, "0.0.0.0")
            selectors_a = (Selector(a, 47), Selector(b, 47))
            selectors_b = (Selector(b, 47), Selector(a, 47))
        sa = IpsecSa({}, transforms, ipsec_mode, pfs_a, self.global_lifetimes(device)[0],
                     self.global_lifetimes(device)[1], time.monotonic(), ike, tunnel_mode=mode)
        sa.sides[device.name] = self._side(device, tunnel.name, f"{tunnel.name}-head-0", ("tunnel", tunnel.name),
                                           local, peer, None, selectors_a)
        sa.sides[responder.name] = self._side(responder, remote_tunnel.name, f"{remote_tunnel.name}-head-0",
                                              ("tunnel", remote_tunnel.name), peer, local, None, selectors_b)
        sa.sides[device.name].protection = protection.text
        sa.sides[responder.name].protection = remote_tunnel.node.first("tunnel-protection").text
        _pair_spis(sa, device, responder)
        self.ipsec_sas.append(sa)
        self.log(f"{device.name} {tunnel.name}: IPsec SA up ({' '.join(transforms)}, {ipsec_mode})")
        return sa

    # ============================================================================================ the packet path

    def classify(self, device: Device, egress: InterfaceState, packet: Packet):
        """The crypto map entry and ACL entry that protect ``packet`` leaving ``egress`` (or None)."""
        if egress.node is None or egress.node.first("crypto-map") is None or not egress.address:
            return None
        name = str(egress.node.value("crypto-map", "name"))
        for entry in self.map_entries(device, name):
            if not entry.peers or not entry.acl:
                continue
            aces = _acl(device, entry.acl)
            for ace in aces or []:
                if ace.matches(packet):
                    if ace.action == "permit":
                        return entry, ace
                    break
        return None

    def encapsulate_map(self, device: Device, egress: InterfaceState, packet: Packet):
        found = self.classify(device, egress, packet)
        if found is None:
            return None
        entry, ace = found
        anchor = ("map", entry.map_name, entry.seq, ace.selector())
        sa = self._sa_by_anchor(device, anchor)
        fresh = False
        if sa is None:
            sa = self.negotiate_map(device, egress, entry, ace)
            fresh = True
            if sa is None:
                return "drop"
        if fresh and self.world.options.get("drop_first_packet"):
            return "drop"
        return self._encrypt(device, sa, packet)

    def encapsulate_tunnel(self, device: Device, tunnel: InterfaceState, packet: Packet) -> Optional[Packet]:
        sa = self.tunnel_sa(device, tunnel.name)
        if sa is None:
            sa = self.negotiate_tunnel(device, tunnel)
            if sa is None:
                return None
        if sa.tunnel_mode != "ipsec ipv4":
            side = sa.side(device)
            packet = Packet(ip_to_int(side.local_address), ip_to_int(side.peer_address), 47, size=packet.size + 24,
                            inner=packet, from_router=True)
        return self._encrypt(device, sa, packet)

    def _encrypt(self, device: Device, sa: IpsecSa, packet: Packet) -> Packet:
        side = sa.side(device)
        for counter in ("encaps", "encrypt", "digest"):
            side.counters[counter] += 1
        side.bytes_out += packet.size
        return Packet(ip_to_int(side.local_address), ip_to_int(side.peer_address), 50, size=packet.size + 60,
                      inner=packet, spi=sa.other(device).inbound_spi, from_router=True, icmp_type=None)

    def decapsulate(self, device: Device, iface: InterfaceState, packet: Packet):
        for sa in self.ipsec_sas:
            side = sa.side(device)
            if side is None or side.inbound_spi != packet.spi:
                continue
            inner = packet.inner
            if not (side.remote.matches(inner.source, inner.protocol) and
                    side.local.matches(inner.destination, inner.protocol)):
                side.counters["recv_errors"] += 1
                return None, None
            for counter in ("decaps", "decrypt", "verify"):
                side.counters[counter] += 1
            side.bytes_in += inner.size
            via = None
            if side.anchor[0] == "tunnel" and sa.tunnel_mode == "ipsec ipv4":
                via = device.interface(side.interface)
            return inner, via
        return None, None

    def should_have_been_encrypted(self, device: Device, ingress: InterfaceState, packet: Packet) -> bool:
        """IOS drops clear-text packets that its crypto ACL says should have arrived encrypted."""
        if packet.from_router:
            return False
        mirrored = Packet(packet.destination, packet.source, packet.protocol, packet.destination_port,
                          packet.source_port, packet.icmp_type)
        return self.classify(device, ingress, mirrored) is not None

    def tunnel_sa(self, device: Device, ifname: str) -> Optional[IpsecSa]:
        return self._sa_by_anchor(device, ("tunnel", ifname))

    def _sa_by_anchor(self, device: Device, anchor: tuple) -> Optional[IpsecSa]:
        for sa in self.ipsec_sas:
            side = sa.side(device)
            if side is not None and side.anchor == anchor:
                return sa
        return None

    def note_outcome(self, outcome):
        if not outcome.delivered and outcome.reason:
            self.log(f"packet dropped: {outcome.reason}")

    # =========================================================================================== housekeeping

    def converge(self):
        """Drop SAs whose configuration is gone; bring up tunnel protection (and eager crypto maps)."""
        from .network import line_protocol_up, tunnel_endpoints

        self._revalidate()
        version = self.world.config_version
        for device in self.world.devices.values():
            for state in device.interfaces():
                if state.node is None or not state.name.startswith("Tunnel") or not state.admin_up:
                    continue
                if state.node.first("tunnel-protection") is None or self.tunnel_sa(device, state.name):
                    continue
                source, destination = tunnel_endpoints(device, state)
                if source is None or destination is None:
                    continue
                marker = (version, device.name, state.name)
                if marker in self.attempted:
                    continue
                self.attempted.add(marker)
                self.negotiate_tunnel(device, state)
            if self.world.options.get("crypto_map_initiation") == "eager":
                for state, name in self.map_bindings(device):
                    if not state.address or not line_protocol_up(self.world, device, state):
                        continue
                    for entry in self.map_entries(device, name):
                        for ace in _acl(device, entry.acl) or [] if entry.peers else []:
                            if ace.action != "permit":
                                continue
                            anchor = ("map", name, entry.seq, ace.selector())
                            marker = (version, device.name, anchor)
                            if self._sa_by_anchor(device, anchor) or marker in self.attempted:
                                continue
                            self.attempted.add(marker)
                            self.negotiate_map(device, state, entry, ace)

    def _revalidate(self):
        from .network import tunnel_endpoints

        keep = []
        for sa in self.ipsec_sas:
            valid = True
            for side in sa.sides.values():
                device = side.device
                state = device.interface(side.interface)
                if state is None or state.node is None or not state.admin_up:
                    valid = False
                elif side.anchor[0] == "map":
                    _unused, name, seq, _selector = side.anchor
                    bound = state.node.value("crypto-map", "name")
                    entries = {e.seq: e for e in self.map_entries(device, name)} if bound == name else {}
                    entry = entries.get(seq)
                    valid = valid and entry is not None and side.peer_address in entry.peers and \
                        state.address == side.local_address
                else:
                    from .network import tunnel_mode

                    # IOS resets a tunnel interface (and its SAs) when its mode or protection changes.
                    protection = state.node.first("tunnel-protection")
                    valid = valid and protection is not None and tunnel_mode(state) == sa.tunnel_mode and \
                        protection.text == side.protection and \
                        tunnel_endpoints(device, state) == (side.local_address, side.peer_address)
            if valid:
                keep.append(sa)
            else:
                self.log("IPsec SA removed: its configuration changed")
        self.ipsec_sas = keep
        self.ike_sas = [sa for sa in self.ike_sas if self._ike_referenced(sa)]

    def _ike_referenced(self, sa: IkeSa) -> bool:
        from .network import tunnel_endpoints

        for device, peer in ((sa.initiator, sa.responder_address), (sa.responder, sa.initiator_address)):
            if device is None:
                continue
            for _state, name in self.map_bindings(device):
                if any(peer in entry.peers for entry in self.map_entries(device, name)):
                    return True
            for state in device.interfaces():
                if state.name.startswith("Tunnel") and tunnel_endpoints(device, state)[1] == peer:
                    return True
        return False

    def clear(self, device: Device, ike: bool, ipsec: bool, peer: Optional[str] = None, version=None,
              conn_id=None):
        def selected_ipsec(sa: IpsecSa) -> bool:
            side = sa.side(device)
            return side is not None and (peer is None or side.peer_address == peer)

        def selected_ike(sa: IkeSa) -> bool:
            if not sa.involves(device):
                return False
            if version is not None and sa.version != version:
                return False
            if conn_id is not None and sa.conn_ids.get(device.name) != int(conn_id):
                return False
            return peer is None or sa.peer_address(device) == peer

        if ipsec:
            self.ipsec_sas = [sa for sa in self.ipsec_sas if not selected_ipsec(sa)]
        if ike:
            self.ike_sas = [sa for sa in self.ike_sas if not selected_ike(sa)]
        self.attempted.clear()
        self.failures.clear()

    def clear_counters(self, device: Device):
        for sa in self.ipsec_sas:
            side = sa.side(device)
            if side is not None:
                for name in side.counters:
                    side.counters[name] = 0

    # ================================================================================================ show output

    def show_isakmp_sa(self, device: Device, detail: bool = False) -> str:
        if detail:
            return self._show_isakmp_sa_detail(device)
        lines = ["IPv4 Crypto ISAKMP SA", "dst             src             state          conn-id status"]
        for sa in self.ike_sas:
            if sa.version != 1 or device.name not in sa.conn_ids:
                continue
            lines.append(f"{sa.responder_address:<16}{sa.initiator_address:<16}{sa.state:<15}"
                         f"{sa.conn_ids[device.name]:>7} ACTIVE")
        lines += ["", "IPv6 Crypto ISAKMP SA", ""]
        return "\n".join(lines) + "\n"

    def _show_isakmp_sa_detail(self, device: Device) -> str:
        lines = [
            "Codes: C - IKE configuration mode, D - Dead Peer Detection",
            "       K - Keepalives, N - NAT-traversal",
            "       T - cTCP encapsulation, X - IKE Extended Authentication",
            "       psk - Preshared key, rsig - RSA signature",
            "       renc - RSA encryption",
            "IPv4 Crypto ISAKMP SA",
            "",
            "C-id  Local           Remote          I-VRF  Status Encr Hash   Auth DH Lifetime Cap.",
            "",
        ]
        keepalive = "K" if device.config.root.first("isakmp-keepalive") is not None else ""
        for sa in self.ike_sas:
            if sa.version != 1 or device.name not in sa.conn_ids:
                continue
            details = sa.details
            encryption = details.get("encryption", "").split(" ")[0]
            auth = {"pre-share": "psk", "rsa-sig": "rsig", "rsa-encr": "renc"}.get(details.get("authentication", ""), "")
            lifetime = ""
            if sa.established:
                left = max(0, int(sa.lifetime - (time.monotonic() - sa.created)))
                lifetime = f"{left // 3600}:{left // 60 % 60:02d}:{left % 60:02d}"
            lines.append(f"{sa.conn_ids[device.name]:<6}{sa.local_address(device):<16}{sa.peer_address(device):<16}"
                         f"{'':<7}{'ACTIVE':<7}{encryption:<5}{details.get('hash', ''):<7}{auth:<5}"
                         f"{details.get('group', ''):<3}{lifetime:<9}{keepalive}".rstrip())
            lines.append(f"       Engine-id:Conn-id =  SW:{sa.conn_ids[device.name] - 1000}")
            lines.append("")
        lines += ["IPv6 Crypto ISAKMP SA", ""]
        return "\n".join(lines) + "\n"

    def show_ikev2_sa(self, device: Device, detail: bool = False) -> str:
        lines = [" IPv4 Crypto IKEv2  SA ", "",
                 "Tunnel-id Local                 Remote                fvrf/ivrf            Status "]
        for sa in self.ike_sas:
            if sa.version != 2 or device.name not in sa.conn_ids:
                continue
            local = f"{sa.local_address(device)}/500"
            remote = f"{sa.peer_address(device)}/500"
            tunnel_id = sa.conn_ids[device.name] - 1000
            enc = sa.details.get("encryption", "")
            cipher, keysize = _ikev2_cipher(enc)
            integrity = sa.details.get("integrity", "") or ""
            prf = (sa.details.get("prf") or integrity).upper()
            hash_name = integrity.upper() if integrity else "None"
            active = int(time.monotonic() - sa.created)
            lines.append(f"{tunnel_id:<10}{local:<22}{remote:<22}{'none/none':<21}READY  ")
            lines.append(f"      Encr: {cipher}, keysize: {keysize}, PRF: {prf}, Hash: {hash_name}, "
                         f"DH Grp:{sa.details.get('group', '')}, Auth sign: PSK, Auth verify: PSK")
            lines.append(f"      Life/Active Time: {sa.lifetime}/{active} sec")
        lines += ["", " IPv6 Crypto IKEv2  SA ", ""]
        return "\n".join(lines) + "\n"

    def _blocks(self, device: Device):
        """(interface state, tag, local address, [(selectors, peer, sa-or-None, anchor)]) in display order."""
        from .network import tunnel_endpoints

        result = []
        for state in device.interfaces():
            if state.node is None:
                continue
            if state.node.first("crypto-map") is not None and state.address:
                name = str(state.node.value("crypto-map", "name"))
                flows = []
                for entry in self.map_entries(device, name):
                    if not entry.peers or not entry.acl:
                        continue
                    for ace in _acl(device, entry.acl) or []:
                        if ace.action != "permit":
                            continue
                        anchor = ("map", name, entry.seq, ace.selector())
                        sa = self._sa_by_anchor(device, anchor)
                        peer = sa.side(device).peer_address if sa else entry.peers[0]
                        selectors = (Selector(ace.source, ace.protocol, ace.selector()[3]),
                                     Selector(ace.destination, ace.protocol, ace.selector()[4]))
                        flows.append((selectors, peer, sa, anchor, "crypto map"))
                result.append((state, name, state.address, flows))
            elif state.node.first("tunnel-protection") is not None:
                local, peer = tunnel_endpoints(device, state)
                if local is None or peer is None:
                    continue
                sa = self.tunnel_sa(device, state.name)
                if sa is not None:
                    side = sa.side(device)
                    selectors = (side.local, side.remote)
                else:
                    from .network import tunnel_mode

                    if tunnel_mode(state) == "ipsec ipv4":
                        selectors = (Selector(WHOLE), Selector(WHOLE))
                    else:
                        selectors = (Selector(AddressMatch.make(local, "0.0.0.0"), 47),
                                     Selector(AddressMatch.make(peer, "0.0.0.0"), 47))
                result.append((state, f"{state.name}-head-0", local,
                               [(selectors, peer, sa, ("tunnel", state.name), "crypto map")]))
        return result

    def show_ipsec_sa(self, device: Device, peer=None, interface=None, map_name=None) -> str:
        out: List[str] = []
        for state, tag, local, flows in self._blocks(device):
            if interface is not None and state.name != interface:
                continue
            if map_name is not None and tag != map_name:
                continue
            shown = [flow for flow in flows if peer is None or flow[1] == peer]
            if not shown:
                continue
            out += ["", f"interface: {state.name}", f"    Crypto map tag: {tag}, local addr {local}", ""]
            for (local_sel, remote_sel), flow_peer, sa, _anchor, _origin in shown:
                out += self._ipsec_block(device, state, local, local_sel, remote_sel, flow_peer, sa)
        return "\n".join(out) + "\n" if out else "\n"

    def _ipsec_block(self, device, state, local, local_sel, remote_sel, peer, sa) -> List[str]:
        side = sa.side(device) if sa else None
        counters = side.counters if side else dict.fromkeys(
            ("encaps", "encrypt", "digest", "decaps", "decrypt", "verify", "send_errors", "recv_errors"), 0)
        lines = [
            "   protected vrf: (none)",
            f"   local  ident (addr/mask/prot/port): {local_sel.text()}",
            f"   remote ident (addr/mask/prot/port): {remote_sel.text()}",
            f"   current_peer {peer} port 500",
            "     PERMIT, flags={origin_is_acl,}",
            f"    #pkts encaps: {counters['encaps']}, #pkts encrypt: {counters['encrypt']}, "
            f"#pkts digest: {counters['digest']}",
            f"    #pkts decaps: {counters['decaps']}, #pkts decrypt: {counters['decrypt']}, "
            f"#pkts verify: {counters['verify']}",
            "    #pkts compressed: 0, #pkts decompressed: 0",
            "    #pkts not compressed: 0, #pkts compr. failed: 0",
            "    #pkts not decompressed: 0, #pkts decompress failed: 0",
            f"    #send errors {counters['send_errors']}, #recv errors {counters['recv_errors']}",
            "",
            f"     local crypto endpt.: {local}, remote crypto endpt.: {peer}",
            f"     plaintext mtu {1438 if sa else 1500}, path mtu 1500, ip mtu 1500, ip mtu idb {state.name}",
        ]
        if sa is None:
            lines += ["     current outbound spi: 0x0(0)", "     PFS (Y/N): N, DH group: none", ""]
            for direction in ("inbound", "outbound"):
                lines += [f"     {direction} esp sas:", "", f"     {direction} ah sas:", "",
                          f"     {direction} pcp sas:", ""]
            return lines
        pfs = f"PFS (Y/N): Y, DH group: {sa.pfs}" if sa.pfs else "PFS (Y/N): N, DH group: none"
        lines += [f"     current outbound spi: {_spi(side.outbound_spi)}", f"     {pfs}", ""]
        transform_text = " ".join(_sa_transform_name(t) for t in sa.transforms) + " ,"
        settings = "{Tunnel, }" if sa.mode == "tunnel" else "{Transport, }"
        elapsed = time.monotonic() - sa.created
        remaining_s = int(sa.lifetime_seconds - (elapsed % sa.lifetime_seconds))
        for direction, spi, conn_id, flow_id, used in (
            ("inbound", side.inbound_spi, side.conn_ids[0], side.flow_ids[0], side.bytes_in),
            ("outbound", side.outbound_spi, side.conn_ids[1], side.flow_ids[1], side.bytes_out),
        ):
            remaining_kb = max(0, sa.lifetime_kb - used // 1024)
            lines += [
                f"     {direction} esp sas:",
                f"      spi: {_spi(spi)}",
                f"        transform: {transform_text}",
                f"        in use settings ={settings}",
                f"        conn id: {conn_id}, flow_id: SW:{flow_id}, sibling_flags 80000040, crypto map: {side.tag}",
                f"        sa timing: remaining key lifetime (k/sec): ({remaining_kb}/{remaining_s})",
                f"        IV size: {_iv_size(sa.transforms)} bytes",
                "        replay detection support: Y",
                "        Status: ACTIVE(ACTIVE)",
                "",
                f"     {direction} ah sas:",
                "",
                f"     {direction} pcp sas:",
                "",
            ]
        return lines

    def show_crypto_session(self, device: Device, peer=None, detail=False) -> str:
        lines = ["Crypto session current status", ""]
        for state, _tag, local, flows in self._blocks(device):
            peers: Dict[str, list] = {}
            for flow in flows:
                peers.setdefault(flow[1], []).append(flow)
            for flow_peer, peer_flows in peers.items():
                if peer is not None and flow_peer != peer:
                    continue
                ike = next((sa for sa in self.ike_sas if sa.involves(device) and device.name in sa.conn_ids and
                            sa.local_address(device) == local and sa.peer_address(device) == flow_peer), None)
                active = [flow for flow in peer_flows if flow[2] is not None]
                if ike is not None and ike.established:
                    status = "UP-ACTIVE" if active else "UP-IDLE"
                elif ike is not None:
                    status = "DOWN-NEGOTIATING"
                else:
                    status = "UP-NO-IKE" if active else "DOWN"
                lines += [f"Interface: {state.name}", f"Session status: {status}", f"Peer: {flow_peer} port 500 "]
                if ike is not None:
                    word = "Active" if ike.established else "Inactive"
                    lines.append(f"  IKEv{ike.version} SA: local {local}/500 remote {flow_peer}/500 {word} ")
                for (local_sel, remote_sel), _p, sa, _anchor, origin in peer_flows:
                    lines.append(f"  IPSEC FLOW: permit {_flow_text(local_sel, remote_sel)} ")
                    lines.append(f"        Active SAs: {2 if sa else 0}, origin: {origin}")
                lines.append("")
        return "\n".join(lines) + "\n"

    def show_isakmp_policy(self, device: Device) -> str:
        lines = ["", "Global IKE policy"]
        for policy in self.isakmp_policies(device):
            lines += [
                f"Protection suite of priority {policy['priority']}",
                f"\tencryption algorithm:\t{_V1_ENCRYPTION.get(policy['encryption'], policy['encryption'])}",
                f"\thash algorithm:\t\t{_V1_HASH.get(policy['hash'], policy['hash'])}",
                f"\tauthentication method:\t{_V1_AUTH.get(policy['authentication'], policy['authentication'])}",
                f"\tDiffie-Hellman group:\t#{policy['group']}",
                f"\tlifetime:\t\t{policy['lifetime']} seconds, no volume limit",
            ]
        return "\n".join(lines) + "\n"

    def show_crypto_map(self, device: Device) -> str:
        lines = []
        names = []
        for node in device.config.top("crypto-map"):
            if node.binds["name"] not in names:
                names.append(node.binds["name"])
        for name in names:
            interfaces = [state.name for state, bound in self.map_bindings(device) if bound == name]
            for entry in self.map_entries(device, name):
                lines.append(f'Crypto Map IPv4 "{name}" {entry.seq} ipsec-isakmp')
                for peer in entry.peers:
                    lines.append(f"\tPeer = {peer}")
                if entry.ikev2_profile:
                    lines.append(f"\tIKEv2 Profile: {entry.ikev2_profile}")
                if entry.acl:
                    lines.append(f"\tExtended IP access list {entry.acl}")
                    for ace in _acl_lines(device, entry.acl):
                        lines.append(f"\t    access-list {entry.acl} {ace}")
                if entry.peers:
                    lines.append(f"\tCurrent peer: {entry.peers[0]}")
                seconds, kilobytes = self.global_lifetimes(device)
                lines.append(f"\tSecurity association lifetime: {entry.lifetime_kb or kilobytes} kilobytes/"
                             f"{entry.lifetime_seconds or seconds} seconds")
                lines.append("\tResponder-Only (Y/N): N")
                lines.append(f"\tPFS (Y/N): {'Y' if entry.pfs else 'N'}")
                if entry.pfs:
                    lines.append(f"\tDH group:  {entry.pfs}")
                lines.append("\tMixed-mode : Disabled")
                lines.append("\tTransform sets={ ")
                for ts_name in entry.transform_sets:
                    found = device.config.top_by("transform-set", name=ts_name)
                    if found is not None:
                        transforms = " ".join(str(v) for v in found.binds["transforms"])
                        lines.append(f"\t\t{ts_name}:  {{ {transforms}  }} , ")
                lines.append("\t}")
            lines.append(f"\tInterfaces using crypto map {name}:")
            for interface in interfaces:
                lines.append(f"\t\t{interface}")
            lines.append("")
        return "\n".join(lines) + "\n"


# ======================================================================================================= utilities


def _acl(device: Device, name: Optional[str]):
    from .network import acl_entries

    return acl_entries(device, str(name)) if name else None


def _acl_lines(device: Device, name: str) -> List[str]:
    node = device.config.top_by("acl-extended", name=name)
    if node is not None:
        return [n.text for n in sorted(node.find("ace"), key=lambda n: int(n.binds.get("seq", 0)))]
    return [" ".join(n.words[2:]) for n in device.config.root.children
            if n.command_id in ("access-list", "access-list-standard") and str(n.binds.get("number")) == name]


def _pair_spis(sa: IpsecSa, a: Device, b: Device):
    rng = random.Random(f"{a.name}{b.name}{len(sa.sides)}{time.monotonic_ns()}")
    side_a, side_b = sa.sides[a.name], sa.sides[b.name]
    side_a.inbound_spi = rng.randrange(0x10000000, 0xFFFFFFFF)
    side_b.inbound_spi = rng.randrange(0x10000000, 0xFFFFFFFF)
    side_a.outbound_spi = side_b.inbound_spi
    side_b.outbound_spi = side_a.inbound_spi


def _profile_pfs(profile) -> Optional[str]:
    node = profile.first("set-pfs")
    if node is None:
        return None
    return str(node.binds.get("group") or "group1")


def _proposal_complete(proposal: dict) -> bool:
    if not proposal["encryption"] or not proposal["group"]:
        return False
    aead = all(e.startswith("aes-gcm") for e in proposal["encryption"])
    return bool(proposal["prf"]) if aead else bool(proposal["integrity"])


def _common_proposal(offers: List[dict], accepted: List[dict]) -> Optional[dict]:
    for offer in offers:
        for candidate in accepted:
            encryption = [e for e in offer["encryption"] if e in candidate["encryption"]]
            groups = [g for g in offer["group"] if g in candidate["group"]]
            if not encryption or not groups:
                continue
            if encryption[0].startswith("aes-gcm"):
                prf = [p for p in offer["prf"] if p in candidate["prf"]]
                if prf:
                    return {"encryption": encryption[0], "integrity": "", "prf": prf[0], "group": groups[0]}
                continue
            integrity = [i for i in offer["integrity"] if i in candidate["integrity"]]
            if integrity:
                prf = [p for p in offer["prf"] if p in candidate["prf"]] or integrity
                return {"encryption": encryption[0], "integrity": integrity[0], "prf": prf[0], "group": groups[0]}
    return None


def _ikev2_cipher(name: str) -> Tuple[str, str]:
    if name.startswith("aes-cbc-"):
        return "AES-CBC", name.rsplit("-", 1)[1]
    if name.startswith("aes-gcm-"):
        return "AES-GCM", name.rsplit("-", 1)[1]
    return name.upper(), {"des": "56", "3des": "168"}.get(name, "0")


def _spi(value: int) -> str:
    return f"0x{value:X}({value})"


def _sa_transform_name(transform: str) -> str:
    """How an SA lists a transform: `esp-aes 256` becomes `esp-256-aes`, AES-128 is plain `esp-aes`."""
    if transform.startswith("esp-aes "):
        size = transform.split()[1]
        return "esp-aes" if size == "128" else f"esp-{size}-aes"
    return transform


def _iv_size(transforms) -> int:
    for transform in transforms:
        if transform.startswith(("esp-aes", "esp-seal")):
            return 16
        if transform.startswith(("esp-gcm", "esp-gmac", "esp-des", "esp-3des")):
            return 8
    return 0


def _flow_text(local: Selector, remote: Selector) -> str:
    protocol = "ip" if local.protocol == 0 else str(local.protocol)

    def part(selector: Selector) -> str:
        if selector.address.wildcard == 0:
            return f"host {int_to_ip(selector.address.address)}"
        address, mask = selector.address.ident()
        return f"{address}/{mask}"

    return f"{protocol} {part(local)} {part(remote)}"


_V1_ENCRYPTION = {
    "des": "DES - Data Encryption Standard (56 bit keys).",
    "3des": "Three key triple DES",
    "aes": "AES - Advanced Encryption Standard (128 bit keys).",
    "aes 192": "AES - Advanced Encryption Standard (192 bit keys).",
    "aes 256": "AES - Advanced Encryption Standard (256 bit keys).",
}
_V1_HASH = {"md5": "Message Digest 5", "sha": "Secure Hash Standard", "sha256": "Secure Hash Standard 2 (256 bit)",
            "sha384": "Secure Hash Standard 2 (384 bit)", "sha512": "Secure Hash Standard 2 (512 bit)"}
_V1_AUTH = {"pre-share": "Pre-Shared Key", "rsa-sig": "Rivest-Shamir-Adleman Signature",
            "rsa-encr": "Rivest-Shamir-Adleman Encryption"}

__all__ = ["CryptoEngine", "IkeSa", "IpsecSa", "ip_to_int"]
