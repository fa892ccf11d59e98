"""Format-specific checks of the ``swanctl --list-sas`` parser (strongSwan 5.9 layout)."""

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.swanctl_list_sas import (
    CHILD_STATES,
    CHILD_STATES_WITH_COUNTERS,
    IKE_STATES,
    parse_swanctl_list_sas,
)
from parser_helpers import read_fixture


def _parse(name):
    return parse_swanctl_list_sas(read_fixture("swanctl_list_sas", name))


def test_basic_established():
    (ike,) = _parse("established_net_net")["ike_sas"]
    assert ike["name"] == "gw-gw" and ike["state"] == "ESTABLISHED" and ike["version"] == 2
    assert ike["initiator"] is True and ike["initiator_spi"] == "2aa9b8e4f08d3bdb"
    assert (ike["local_host"], ike["local_port"]) == ("192.168.0.1", 4500)
    assert (ike["encr_alg"], ike["encr_keysize"], ike["dh_group"]) == ("AES_CBC", 128, "CURVE_25519")
    assert ike["established"] == 1 and ike["rekey_time"] == 14195 and ike["reauth_time"] is None
    (child,) = ike["child_sas"]
    assert (child["encr_alg"], child["encr_keysize"], child["integ_alg"]) == ("AES_GCM_16", 128, None)
    assert child["bytes_in"] == 0 and child["use_in"] is None
    assert child["local_ts"] == ["10.1.0.0/16"]


def test_every_ike_state():
    sas = _parse("ike_states")["ike_sas"]
    # ESTABLISHED is covered by every other fixture
    assert [sa["state"] for sa in sas] == [s for s in IKE_STATES if s != "ESTABLISHED"]
    connecting = sas[1]
    assert connecting["responder_spi"] == "0000000000000000" and connecting["remote_id"] == "%any"
    assert connecting["tasks_queued"][:2] == ["IKE_VENDOR", "IKE_INIT"] and len(connecting["tasks_active"]) == 4
    assert sas[0]["encr_alg"] is None and sas[0]["established"] is None
    assert sas[2]["initiator"] is False
    rekeying_child = sas[3]["child_sas"][0]
    assert rekeying_child["rekey_time"] == -10
    assert sas[6]["version"] == 1 and sas[6]["integ_alg"] == "HMAC_SHA1_96"


def test_counters_only_in_installed_like_states():
    children = _parse("child_states")["ike_sas"][0]["child_sas"]
    assert [c["state"] for c in children] == list(CHILD_STATES)
    for child in children:
        has_counters = child["state"] in CHILD_STATES_WITH_COUNTERS
        assert (child["bytes_in"] is not None) == has_counters, child["state"]
        assert (child["spi_in"] is not None) == has_counters, child["state"]
        assert (child["protocol"] == "ESP") == has_counters, child["state"]
    created = children[0]
    assert created["reqid"] == 0 and created["install_time"] is None and created["remote_ts"] == ["10.2.1.0/24"]
    installed = children[3]
    assert installed["dh_group"] == "MODP_3072" and installed["use_in"] == 4 and installed["use_out"] is None


def test_eap_identity_and_virtual_ips():
    (ike,) = _parse("roadwarrior_vips_eap")["ike_sas"]
    assert ike["remote_eap_id"] == "carol@strongswan.org"
    assert ike["remote_vips"] == ["10.3.0.1", "fec3::1"] and ike["local_vips"] == []
    assert ike["reauth_time"] == 9630
    child = ike["child_sas"][0]
    assert child["encap"] is True and child["mode"] == "TUNNEL"
    assert child["local_ts"] == ["10.1.0.0/16", "fec1::/16"]
    assert child["integ_alg"] == "HMAC_SHA2_512_256"


def test_xauth_and_local_vip():
    (ike,) = _parse("client_vip_xauth_ikev1")["ike_sas"]
    assert ike["version"] == 1 and ike["remote_xauth_id"] == "carol" and ike["remote_eap_id"] is None
    assert ike["local_vips"] == ["10.3.0.1"] and ike["local_id"] == "carol@strongswan.org"


def test_marks_if_ids_ipcomp_and_ppk():
    (ike,) = _parse("marks_if_id_ipcomp")["ike_sas"]
    assert ike["ppk"] is True
    vti, transport = ike["child_sas"]
    assert (vti["cpi_in"], vti["mark_in"], vti["mark_mask_in"], vti["if_id_in"]) == (
        "4f2a",
        "0000002a",
        "ffffffff",
        "00000009",
    )
    assert (vti["mark_out"], vti["if_id_out"]) == (None, "00000009")
    assert vti["esn"] is True and vti["bytes_in"] == 98304
    assert transport["mode"] == "TRANSPORT" and transport["mark_in"] == "00000005" and transport["if_id_in"] is None
    assert transport["local_ts"] == ["10.0.1.1/32[udp/1701]"]


def test_several_children_and_ike_sas():
    result = _parse("two_ike_several_children")
    assert [ike["name"] for ike in result["ike_sas"]] == ["site-b", "site-c"]
    children = result["ike_sas"][0]["child_sas"]
    assert [(c["name"], c["uniqueid"], c["state"]) for c in children] == [
        ("lan-a", 30, "INSTALLED"),
        ("lan-b", 31, "REKEYED"),
        ("lan-b", 33, "INSTALLED"),
    ]
    assert children[0]["bytes_out"] == 1204800 and children[1]["rekey_time"] is None
    aead = result["ike_sas"][1]
    assert aead["integ_alg"] is None and aead["prf_alg"] == "PRF_HMAC_SHA2_256"


def test_raw_dump_gives_the_same_schema():
    (ike,) = _parse("raw")["ike_sas"]
    assert ike["local_id"] == "C=CH, O=strongSwan, CN=moon.strongswan.org"
    assert ike["remote_vips"] == ["10.3.0.2", "fec3::2"]
    assert ike["local_port"] == 4500 and ike["initiator"] is True
    child = ike["child_sas"][0]
    assert child["name"] == "net-net" and child["encap"] is True and child["bytes_out"] == 84
    assert child["local_ts"] == ["10.1.0.0/16"]
    text_keys = set(_parse("established_net_net")["ike_sas"][0]["child_sas"][0])
    assert text_keys <= set(child)


def test_child_line_outside_an_ike_sa_is_a_warning():
    result = parse_swanctl_list_sas("  net: #1, reqid 1, INSTALLED, TUNNEL, ESP:AES_GCM_16-256\n")
    assert result["ike_sas"] == [] and result["warnings"][0]["line_number"] == 1


def test_raw_dump_reads_selectors_with_a_protocol():
    # GRE over IPsec: the selectors carry a protocol in brackets inside the list brackets
    text = read_fixture("swanctl_list_sas", "raw").replace(
        "local-ts=[10.1.0.0/16]", "local-ts=[100.64.0.11/32[gre] 10.1.0.0/16[tcp/443]]"
    )
    assert text != read_fixture("swanctl_list_sas", "raw")
    result = parse_swanctl_list_sas(text)
    assert result["warnings"] == []
    child = result["ike_sas"][0]["child_sas"][0]
    assert child["local_ts"] == ["100.64.0.11/32[gre]", "10.1.0.0/16[tcp/443]"]
    assert child["bytes_out"] == 84
