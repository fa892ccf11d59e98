"""Stable numbering: site ids, sequences, isakmp priorities, overlay subnet indexes."""

import hashlib

import netaddr
from ansible_collections.ipsec.vpn.plugins.module_utils import numbering
from hypothesis import given
from hypothesis import strategies as st


def test_site_id_from_trailing_number():
    assert numbering.derived_site_id("spoke0042") == 42
    assert numbering.derived_site_id("R3") == 3
    assert numbering.derived_site_id("branch-6553") == 6553


def test_site_id_falls_back_to_a_hash():
    for name in ("hq", "branch-0", "site9999", "dc-east"):
        expected = 1 + int(hashlib.sha256(name.encode()).hexdigest(), 16) % 6553
        assert numbering.derived_site_id(name) == expected
        assert 1 <= expected <= 6553


def test_sequence_is_ten_times_the_peer_site_id():
    assert numbering.crypto_map_sequence(3) == 30
    assert numbering.crypto_map_sequence(numbering.SITE_ID_MAX) <= numbering.SEQUENCE_MAX


def test_isakmp_priority_puts_stronger_first():
    strongest = numbering.isakmp_priority("aes256", "sha512", 21, "rsa-sig")
    assert strongest == 1
    modern = numbering.isakmp_priority("aes256", "sha256", 14, "psk")
    legacy = numbering.isakmp_priority("des", "md5", 2, "psk")
    weakest = numbering.isakmp_priority("des", "md5", 1, "psk")
    assert strongest < modern < legacy < weakest <= numbering.PRIORITY_MAX
    assert numbering.isakmp_priority("aes256", "sha256", 14, "rsa-sig") < modern


def test_isakmp_priority_lifetime_offset_stays_in_its_slot():
    base = numbering.isakmp_priority("aes128", "sha256", 14, "psk")
    other = numbering.isakmp_priority("aes128", "sha256", 14, "psk", lifetime=28800)
    assert other == base + 28800 % 19 + 1
    assert base < other < numbering.isakmp_priority("aes128", "sha256", 14, "psk") + 20
    assert numbering.isakmp_priority("aes128", "sha256", 14, "psk", lifetime=86400) == base


ENC = ["aes256", "aes192", "aes128", "3des", "des"]
INTEG = ["sha512", "sha384", "sha256", "sha1", "md5"]
GROUPS = [21, 20, 16, 15, 19, 14, 24, 5, 2, 1]


def test_isakmp_priorities_of_distinct_policies_never_collide():
    seen = {}
    for enc in ENC:
        for integ in INTEG:
            for group in GROUPS:
                for auth in ("rsa-sig", "psk"):
                    priority = numbering.isakmp_priority(enc, integ, group, auth)
                    assert priority not in seen, (priority, seen.get(priority))
                    seen[priority] = (enc, integ, group, auth)
    assert max(seen) + 19 <= numbering.PRIORITY_MAX


@given(st.integers(1, 3000), st.integers(1, 3000), st.integers(1, 3000), st.integers(1, 3000))
def test_mesh_subnet_index_is_unique_per_pair(a, b, c, d):
    if a == b or c == d:
        return
    same_pair = {a, b} == {c, d}
    assert (numbering.mesh_subnet_index(a, b) == numbering.mesh_subnet_index(c, d)) == same_pair
    assert numbering.mesh_subnet_index(a, b) == numbering.mesh_subnet_index(b, a)


@given(st.integers(0, 3), st.integers(1, 6553), st.integers(0, 3), st.integers(1, 6553))
def test_hub_spoke_subnet_index_is_unique(h1, s1, h2, s2):
    same = (h1, s1) == (h2, s2)
    assert (numbering.hub_spoke_subnet_index(h1, s1) == numbering.hub_spoke_subnet_index(h2, s2)) == same


def test_pool_subnet():
    pool = netaddr.IPNetwork("10.255.0.0/24")
    first, count = numbering.pool_subnet(pool, 3)
    assert count == 64
    assert str(netaddr.IPAddress(first)) == "10.255.0.12"
    assert numbering.pool_subnet(pool, 64) == (None, 64)
