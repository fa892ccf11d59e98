"""Format-specific checks of the ``show crypto session [detail]`` parser."""

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_crypto_session import parse_show_crypto_session
from parser_helpers import read_fixture


def _parse(name):
    return parse_show_crypto_session(read_fixture("ios_crypto_session", name))


def test_peers_stay_under_their_interface():
    interfaces = _parse("xe_detail_dmvpn_ikev2_two_peers")["interfaces"]
    assert list(interfaces) == ["Tunnel0", "Tunnel1"]
    peers = [s["peer"] for s in interfaces["Tunnel0"]["sessions"]]
    assert peers == ["203.0.113.21", "203.0.113.22"]
    first = interfaces["Tunnel0"]["sessions"][0]
    assert first["fvrf"] == "INTERNET" and first["ivrf"] is None
    assert first["port"] == 4500 and first["profile"] == "DMVPN-IKEV2"
    (ike_sa,) = first["ike_sas"]
    assert ike_sa["version"] == "IKEv2" and ike_sa["capabilities"] == "DN" and ike_sa["session_id"] == 11
    flow = first["ipsec_flows"][0]
    assert flow["outbound_pkts_drop"] == 3 and flow["inbound_life_kb"] == 4604571
    second_flow = interfaces["Tunnel0"]["sessions"][1]["ipsec_flows"][0]
    assert second_flow["inbound_life_kb"] == "KB Vol Rekey Disabled" and second_flow["inbound_life_sec"] == 3588
    down = interfaces["Tunnel1"]["sessions"][0]
    assert down["session_status"] == "DOWN-NEGOTIATING" and down["ike_sas"] == []


def test_genie_golden_session_ids_per_ike_sa():
    session = _parse("xe_detail_ikev1_genie")["interfaces"]["Tunnel13"]["sessions"][0]
    assert [sa["conn_id"] for sa in session["ike_sas"]] == [1002, 1001]
    assert [sa["session_id"] for sa in session["ike_sas"]] == [0, 0]
    assert session["uptime"] == "6d00h"
    assert session["ipsec_flows"][0]["outbound_pkts_encrypted"] == 36933108


def test_ios124_ike_sa_lines_and_two_sessions():
    sessions = _parse("ios124_plain_crypto_map")["interfaces"]["FastEthernet0/0"]["sessions"]
    assert [s["session_status"] for s in sessions] == ["UP-ACTIVE", "DOWN"]
    assert [sa["status"] for sa in sessions[0]["ike_sas"]] == ["Active", "Inactive"]
    assert sessions[0]["ike_sas"][0]["version"] == "IKE"
    assert sessions[1]["ipsec_flows"][0]["active_sas"] == 0


def test_remote_access_fields():
    session = _parse("remote_access_virtual_access")["interfaces"]["Virtual-Access3"]["sessions"][0]
    assert session["username"] == "alice" and session["group"] == "staff"
    assert session["assigned_address"] == "10.250.0.17"
    assert session["ipsec_flows"][0]["origin"] == "dynamic crypto map"
    assert session["ike_sas"][0]["capabilities"] == "CDNX"


def test_unknown_line_is_reported_with_its_number():
    result = _parse("unknown_line")
    assert [(w["line_number"], w["message"]) for w in result["warnings"]] == [(5, "unrecognised line")]
    assert result["interfaces"]["GigabitEthernet0/0/0"]["sessions"][0]["session_status"] == "UP-IDLE"
