# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stable numbering: site ids, crypto map sequences, isakmp priorities, overlay subnets.

Every number here is a function of one object's own content (a gateway's name or explicit
site id, a proposal's algorithms), never of the set of other objects, so adding or removing
a tunnel cannot renumber another one. Collisions are detected by the planner and reported as
errors that ask for an explicit value.

Pure Python; address math uses netaddr.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import re

SITE_ID_MIN = 1
SITE_ID_MAX = 6553  # 10 x site id must stay a valid crypto map sequence (<= 65535)
SEQUENCE_MAX = 65535
PRIORITY_MAX = 10000
TUNNEL_NUMBER_MAX = 2147483647
MAX_HUBS = 4

_TRAILING_NUMBER = re.compile(r"(\d+)$")

# Strongest first. Only algorithms IOS IKEv1 can express appear; anything else ranks last.
_V1_ENCRYPTION_ORDER = ("aes256", "aes192", "aes128", "3des", "des")
_V1_INTEGRITY_ORDER = ("sha512", "sha384", "sha256", "sha1", "md5")
_V1_GROUP_ORDER = (21, 20, 16, 15, 19, 14, 24, 5, 2, 1)
_V1_AUTH_ORDER = ("rsa-sig", "psk")
_DEFAULT_ISAKMP_LIFETIME = 86400

# Preference for sorting proposals of any kind (lower = stronger).
_ENCRYPTION_STRENGTH = (
    "aes256gcm16",
    "chacha20poly1305",
    "aes256",
    "aes192gcm16",
    "aes192",
    "aes128gcm16",
    "aes128",
    "3des",
    "des",
    "aes256gmac",
    "aes128gmac",
    "null",
)
_INTEGRITY_STRENGTH = ("sha512", "sha384", "sha256", "sha1", "md5")


def derived_site_id(name):
    """Site id for a gateway without an explicit one.

    The number at the end of the name when it is 1..6553 (``spoke0042`` -> 42, ``R3`` -> 3),
    else ``1 + sha256(name) mod 6553``.
    """
    match = _TRAILING_NUMBER.search(name)
    if match:
        value = int(match.group(1))
        if SITE_ID_MIN <= value <= SITE_ID_MAX:
            return value
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    return SITE_ID_MIN + int(digest, 16) % SITE_ID_MAX


def crypto_map_sequence(peer_site_id):
    """Default crypto map sequence of a tunnel: ten times the peer's site id."""
    return 10 * peer_site_id


def _index(order, value):
    try:
        return order.index(value)
    except ValueError:
        return len(order) - 1


def isakmp_priority(encryption, integrity, dh_group, authentication, lifetime=None):
    """Derived IOS isakmp policy priority (1..10000), stronger policies first.

    ``rank`` enumerates (encryption, integrity, DH group, authentication) from strongest to
    weakest; the priority is ``1 + 20 x rank`` and a non-default lifetime adds
    ``lifetime mod 19 + 1`` so that two policies differing only in lifetime stay apart.
    """
    rank = _index(_V1_ENCRYPTION_ORDER, encryption)
    rank = rank * len(_V1_INTEGRITY_ORDER) + _index(_V1_INTEGRITY_ORDER, integrity)
    rank = rank * len(_V1_GROUP_ORDER) + _index(_V1_GROUP_ORDER, dh_group)
    rank = rank * len(_V1_AUTH_ORDER) + _index(_V1_AUTH_ORDER, authentication)
    priority = 1 + 20 * rank
    if lifetime is not None and lifetime != _DEFAULT_ISAKMP_LIFETIME:
        priority += lifetime % 19 + 1
    return priority


def strength_key(proposal):
    """Sort key putting stronger proposals first (used to order merged IKEv2 proposals)."""
    return (
        _index(_ENCRYPTION_STRENGTH, proposal.get("encryption")),
        _index(_INTEGRITY_STRENGTH, proposal.get("integrity")) if proposal.get("integrity") else -1,
        _index(_V1_GROUP_ORDER, proposal.get("dh_group")),
    )


def hub_spoke_subnet_index(hub_index, spoke_site_id):
    """Index of the /30 or /126 (inside a group's overlay pool) for one hub/spoke tunnel."""
    return MAX_HUBS * spoke_site_id + hub_index


def mesh_subnet_index(site_a, site_b):
    """Index of the /30 or /126 for a full-mesh pair: a triangular number of the two site ids."""
    low, high = sorted((site_a, site_b))
    return high * (high - 1) // 2 + low


# One overlay subnet per tunnel: a /30 for IPv4; for IPv6 a /126, numbered like the /30 (the ends take the first
# and second address after the subnet's own, so neither end holds the Subnet-Router anycast address).
OVERLAY_PREFIXLEN = {4: 30, 6: 126}


def overlay_prefixlen(version):
    return OVERLAY_PREFIXLEN[version]


def pool_subnet(pool, index, prefixlen=30):
    """``(first address as int, number of subnets)`` of the ``index``-th ``/prefixlen`` in ``pool``.

    ``pool`` is a netaddr.IPNetwork. The first element is None when ``index`` is outside the pool.
    """
    size = 1 << ((32 if pool.version == 4 else 128) - prefixlen)
    count = pool.size // size
    if index < 0 or index >= count:
        return None, count
    first = pool.first + index * size
    return first, count
