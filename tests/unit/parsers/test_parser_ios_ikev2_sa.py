"""Format-specific checks of the ``show crypto ikev2 sa [detail]`` parser."""

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_ikev2_sa import parse_show_crypto_ikev2_sa
from parser_helpers import read_fixture


def _parse(name):
    return parse_show_crypto_ikev2_sa(read_fixture("ios_ikev2_sa", name))


def test_plain_rows_and_vrfs():
    first, second = _parse("plain_ipv4")["sas"]
    assert (first["tunnel_id"], first["local"], first["remote_port"], first["status"]) == (
        1,
        "198.51.100.1",
        500,
        "READY",
    )
    assert first["encryption"] == "AES-CBC" and first["keysize"] == 256 and first["dh_group"] == 14
    assert first["lifetime"] == 86400 and first["active_time"] == 122
    assert second["fvrf"] == "INTERNET" and second["ivrf"] == "CUST-B" and second["status"] == "IN-NEG"
    assert first["fvrf"] is None


def test_detail_fields():
    (sa,) = _parse("detail_genie_remote_subnets")["sas"]
    assert sa["ivrf"] == "121"
    assert sa["local_spi"] == "000D3669857A0F82" and sa["remote_spi"] == "E0419B1DB02DE6AE"
    assert sa["local_req_msg_id"] == 214 and sa["remote_window"] == 5
    assert sa["dpd_interval"] == 60 and sa["dpd_retry"] == 3
    assert sa["fragmentation"] == "not configured" and sa["nat_t"] == "not detected"
    assert sa["initiator"] is True and sa["pushed_ip"] == "8.1.9.4"
    assert sa["remote_subnets"][0] == "10.0.0.0 255.0.0.0" and len(sa["remote_subnets"]) == 5


def test_ipv6_rows_and_pqc():
    result = _parse("detail_ipv6_pqc_genie")
    assert [sa["family"] for sa in result["sas"]] == ["ipv6", "ipv6"]
    first = result["sas"][0]
    assert first["local"] == "2001:DB8:1101::131" and first["local_port"] == 500
    assert first["remote"] == "2001:DB8:1201::122"
    assert first["pqc_key_exchange"] == "ML-KEM-1024" and first["quantum_safe_pqc"] == "ML-KEM-1024"
    assert first["peer_type"] == "IOS-XE" and first["initiator"] is False


def test_numeric_looking_spi_stays_text():
    (sa,) = _parse("detail_nat_quantum_ppk")["sas"]
    assert sa["remote_spi"] == "0000000012345678"
    assert sa["flags"] == ["QR"] and sa["quantum_safe_ppk"] == "manual" and sa["nat_t"] == "detected outside"


def test_detail_line_before_any_row_is_a_warning():
    result = parse_show_crypto_ikev2_sa("      Life/Active Time: 86400/1 sec\n")
    assert result["sas"] == [] and len(result["warnings"]) == 1
