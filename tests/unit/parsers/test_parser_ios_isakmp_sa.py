"""Format-specific checks of the ``show crypto isakmp sa [detail]`` parser."""

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_isakmp_sa import (
    IKEV1_STATES,
    parse_show_crypto_isakmp_sa,
)
from parser_helpers import read_fixture


def _parse(name):
    return parse_show_crypto_isakmp_sa(read_fixture("ios_isakmp_sa", name))


def test_ios122_slot_without_status():
    sas = _parse("ios122_slot_no_status")["sas"]
    assert [(sa["dst"], sa["state"], sa["conn_id"], sa["slot"], sa["status"]) for sa in sas] == [
        ("10.1.1.2", "QM_IDLE", 1, 0, None),
        ("10.1.1.3", "MM_KEY_EXCH", 2, 0, None),
    ]


def test_ios124_slot_and_deleted_status():
    sas = _parse("ios124_slot_status")["sas"]
    assert sas[1]["state"] == "MM_NO_STATE"
    assert sas[1]["status"] == "ACTIVE" and sas[1]["status_detail"] == "deleted"
    assert sas[1]["exchange"] == "main"


def test_rows_without_any_header():
    sas = _parse("ios124_no_header")["sas"]
    assert [sa["state"] for sa in sas] == ["QM_IDLE", "AG_AUTH"]
    assert sas[1]["exchange"] == "aggressive"


def test_xe_sections_set_the_family():
    result = _parse("xe_sections_deleted_genie")
    assert [sa["family"] for sa in result["sas"]] == ["ipv4"] * 3 + ["ipv6"] * 3
    assert result["sas"][4]["dst"] == "100.0.10::2"
    assert result["detail"] is False


def test_ipv6_stacked_lines():
    (sa,) = _parse("xe_ipv6_stacked")["sas"]
    assert sa["family"] == "ipv6"
    assert sa["src"] == "2001:DB8:2002::A8BB:CCFF:FE01:9002"
    assert sa["conn_id"] == 1001 and sa["state"] == "QM_IDLE" and sa["status"] == "ACTIVE"


def test_every_ikev1_state():
    sas = _parse("xe_all_ikev1_states")["sas"]
    assert [sa["state"] for sa in sas] == list(IKEV1_STATES[:4]) + ["QM_IDLE"] + list(IKEV1_STATES[4:7])
    assert {sa["exchange"] for sa in sas} == {"main", "aggressive", "quick"}


def test_detail_columns_ivrf_and_unallocated_engine():
    result = _parse("detail_genie_ivrf")
    assert result["detail"] is True
    first, second, third, fourth = result["sas"]
    assert first["ivrf"] == "RED" and second["ivrf"] is None and third["ivrf"] == "BLUE"
    assert first["dh_group"] == 16 and first["lifetime_seconds"] == 107
    assert first["engine_id"] == "SW" and first["engine_conn_id"] == 12609
    assert fourth["engine_conn"] == "????" and fourth["engine_conn_id"] is None
    assert fourth["family"] == "ipv6"


def test_detail_legend_and_empty_capabilities():
    result = _parse("detail_ios15_legend_empty_caps")
    assert result["warnings"] == []
    caps = [sa["capabilities"] for sa in result["sas"]]
    assert caps == ["", "DN", "DNX"]
    assert result["sas"][0]["lifetime_seconds"] == 23 * 3600 + 59 * 60 + 50
    assert result["sas"][2]["encryption"] == "aes:256"
    assert result["sas"][2]["engine_id"] == "Onboard VPN"


@pytest.mark.parametrize("text", ["", "IPv4 Crypto ISAKMP SA\n", "dst src state conn-id status\n"])
def test_nothing_to_report(text):
    assert parse_show_crypto_isakmp_sa(text)["sas"] == []


def test_detail_row_missing_columns_is_a_warning():
    text = "C-id  Local  Remote  I-VRF  Status Encr Hash Auth DH Lifetime Cap.\n1001 10.0.0.1 10.0.0.2 ACTIVE aes sha\n"
    result = parse_show_crypto_isakmp_sa(text)
    assert result["sas"] == []
    assert result["warnings"][0]["line_number"] == 2
