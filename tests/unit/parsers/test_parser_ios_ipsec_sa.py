"""Format-specific checks of the ``show crypto ipsec sa`` parser (values read off the fixture texts by hand)."""

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_ipsec_sa import parse_show_crypto_ipsec_sa
from parser_helpers import read_fixture


def _parse(name):
    return parse_show_crypto_ipsec_sa(read_fixture("ios_ipsec_sa", name))


def test_genie_golden_groups_idents_under_interfaces():
    result = _parse("xe_genie_golden")
    assert list(result["interfaces"]) == ["GigabitEthernet3", "Tunnel0"]
    gi3 = result["interfaces"]["GigabitEthernet3"]
    assert gi3["crypto_map_tag"] == "vpn-crypto-map"
    assert gi3["local_addr"] == "1.1.1.2"
    assert [i["remote_ident"]["addr"] for i in gi3["idents"]] == ["10.10.10.0", "30.30.30.0"]
    first = gi3["idents"][0]
    assert first["counters"]["pkts_encaps"] == 4
    assert first["counters"]["recv_errors"] == 0
    assert first["current_outbound_spi"] == 964441838
    assert first["inbound_esp_sas"][0]["spi_hex"] == "0x658F7C11"
    assert first["inbound_esp_sas"][0]["flow_id"] == "CSR:76"
    assert first["inbound_esp_sas"][0]["remaining_kb"] == 4607999
    # the second ident has no SAs at all
    assert all(gi3["idents"][1][key] == [] for key in ("inbound_esp_sas", "outbound_esp_sas"))
    tunnel = result["interfaces"]["Tunnel0"]["idents"][0]
    assert tunnel["outbound_esp_sas"][0]["conn_id"] == 2078


def test_detail_counters_and_flow_ids_with_spaces():
    ident = _parse("ios15_detail_onboard_vpn_nat_t")["interfaces"]["Tunnel2"]["idents"][0]
    counters = ident["counters"]
    assert counters["pkts_encaps"] == 13133657
    assert counters["pkts_replay_failed_rcv"] == 1
    assert counters["pkts_encaps_failed_send"] == 0
    assert counters["pkts_invalid_len_rcv"] == 0
    assert len(counters) == 29
    assert all(isinstance(value, int) for value in counters.values())
    sa = ident["inbound_esp_sas"][0]
    assert sa["flow_id"] == "Onboard VPN:457"
    assert sa["mode"] == "transport" and sa["udp_encaps"] is True
    assert sa["replay_window_size"] == 1024
    assert ident["peer_port"] == 4500
    # sanitised output: the decimal in parentheses is kept as printed
    assert ident["current_outbound_spi_hex"] == "0x4321DCBA"
    assert ident["current_outbound_spi"] == 987612345


def test_ios124_layout():
    iface = _parse("ios124_classic")["interfaces"]["FastEthernet0"]
    assert iface["local_addr"] == "10.12.1.1"
    ident = iface["idents"][0]
    assert ident["current_peer"] == "10.12.1.2" and ident["peer_port"] == 500
    assert ident["counters"]["pkts_digest"] == 10
    assert ident["counters"]["pkts_decompress_failed"] == 0
    assert ident["media_mtu"] == 1500 and ident["path_mtu"] == 1500
    assert ident["current_outbound_spi"] == 0x3D3
    assert ident["outbound_esp_sas"][0]["slot"] == 0
    assert ident["outbound_esp_sas"][0]["status"] is None


def test_dynamic_map_virtual_access_vrf_and_ah():
    iface = _parse("ios15_dynamic_virtual_access_ah")["interfaces"]["Virtual-Access2"]
    ident = iface["idents"][0]
    assert ident["flags"] == []
    assert ident["action"] == "PERMIT"
    assert ident["protected_vrf"] == "CUSTOMER-A"
    assert ident["pfs"] is True and ident["dh_group"] == "group14"
    assert ident["counters"]["send_errors"] == 1 and ident["counters"]["recv_errors"] == 2
    assert [sa["transform"] for sa in ident["inbound_ah_sas"]] == [["ah-sha-hmac"]]
    assert ident["outbound_ah_sas"][0]["spi"] == 185347390
    assert ident["inbound_ah_sas"][0]["iv_size"] is None
    assert ident["inbound_esp_sas"][0]["status"] == "ACTIVE"
    assert ident["inbound_esp_sas"][0]["status_detail"] is None


def test_xe17_pqc_sec_timing_initiator_esn():
    iface = _parse("xe17_pqc_sec_timing_subif")["interfaces"]["GigabitEthernet0/0/1.100"]
    ident = iface["idents"][0]
    assert ident["pqc_key_exchange"] == "ML-KEM-1024"
    assert ident["dh_group"] == "group21"
    assert ident["ip_mtu_idb"] == "GigabitEthernet0/0/1.100"
    sa = ident["outbound_esp_sas"][0]
    assert sa["transform"] == ["esp-gcm", "256"]
    assert sa["esn"] is True and sa["in_use_settings"] == ["Tunnel", "esn"]
    assert sa["initiator"] is True
    assert sa["remaining_sec"] == 3498 and sa["remaining_kb"] is None
    assert sa["kilobyte_volume_rekey"] == "disabled"
    assert sa["crypto_map"] == "CMAP-WAN"


def test_ipv6_idents():
    ident = _parse("ipv6_ident")["interfaces"]["Tunnel6"]["idents"][0]
    assert ident["local_ident"] == {"addr": "::", "mask": "0", "prefix_length": 0, "prot": 0, "port": 0}
    assert ident["remote_ident"]["addr"] == "2001:DB8:20::" and ident["remote_ident"]["prefix_length"] == 48
    assert ident["current_peer"] == "2001:DB8:FFFF::2"
    assert ident["inbound_esp_sas"][0]["transform"] == ["esp-aes", "256", "esp-sha256-hmac"]


def test_peer_filter_with_pcp_and_ports():
    result = _parse("peer_filter_pcp")
    ident = result["interfaces"]["Serial0/0/0"]["idents"][0]
    assert ident["local_ident"]["prot"] == 6 and ident["remote_ident"]["port"] == 23
    assert ident["flags"] == ["origin_is_acl", "ipsec_sa_request_sent"]
    assert ident["counters"]["pkts_compressed"] == 3
    assert [sa["spi"] for sa in ident["inbound_pcp_sas"]] == [39842]
    assert ident["outbound_pcp_sas"][0]["replay_detection"] is False
    assert result["warnings"] == []


def test_noise_is_ignored_and_damage_reported():
    result = _parse("noise_and_prompt")
    lines = {w["line_number"]: w for w in result["warnings"]}
    assert sorted(lines) == [14, 16]
    assert "counter" in lines[14]["message"]
    assert lines[16]["message"] == "unrecognised line"
    ident = result["interfaces"]["Tunnel9"]["idents"][0]
    # the bad value is skipped, the valid counters after it on the line are not lost
    assert "pkts_encaps" not in ident["counters"]
    assert ident["counters"]["pkts_encrypt"] == 5 and ident["counters"]["pkts_digest"] == 5
    assert ident["counters"]["pkts_decaps"] == 5


def test_truncated_output_keeps_what_was_read():
    result = _parse("truncated_mid_sa")
    ident = result["interfaces"]["GigabitEthernet0/0/1.100"]["idents"][0]
    sa = ident["inbound_esp_sas"][0]
    assert sa["conn_id"] == 2041
    assert ident["outbound_esp_sas"][0]["conn_id"] == 2042
    assert ident["outbound_esp_sas"][0]["remaining_sec"] is None


def test_empty_output():
    assert parse_show_crypto_ipsec_sa("") == {"interfaces": {}, "warnings": []}


def test_crlf_and_bytes_are_accepted():
    text = read_fixture("ios_ipsec_sa", "xe_genie_golden")
    assert parse_show_crypto_ipsec_sa(text.replace("\n", "\r\n").encode()) == parse_show_crypto_ipsec_sa(text)
