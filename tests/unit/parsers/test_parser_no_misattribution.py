"""An unknown line becomes one warning and changes nothing else; a damaged line that starts a block
never lets the lines after it write into the block before it.

The first tests insert an unknown line before every line of fixtures that hold every block type of
each parser (IOS ipsec sa: interface header, ident, counters, endpoints/MTU, SA section, SA; isakmp:
summary row, IPv6 stacked row, detail row and its Engine-id line; session: session header, IKE SA,
IPsec flow; ikev2: row and detail lines; swanctl: IKE_SA header and lines, CHILD_SA header and
lines), at that line's indentation, and check that the result is the same apart from one warning.
"""

import copy

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import parse
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_ipsec_sa import parse_show_crypto_ipsec_sa
from parser_helpers import COMMANDS, read_fixture

UNKNOWN = "zzz unknown: 42"

# (folder, fixture) pairs that between them hold every block type of each parser
CASES = [
    ("ios_ipsec_sa", "xe_genie_golden"),
    ("ios_ipsec_sa", "ipv6_policy_not_available"),
    ("ios_ipsec_sa", "ios124_classic"),
    ("ios_ipsec_sa", "ios15_dynamic_virtual_access_ah"),
    ("ios_ipsec_sa", "generated_detail_3"),
    ("ios_ipsec_sa", "word_lifetime"),
    ("ios_isakmp_sa", "xe_sections_deleted_genie"),
    ("ios_isakmp_sa", "xe_ipv6_stacked"),
    ("ios_isakmp_sa", "detail_genie_ivrf"),
    ("ios_isakmp_sa", "detail_ipv6_no_cid_engine"),
    ("ios_isakmp_sa", "ios122_slot_no_status"),
    ("ios_crypto_session", "xe_detail_dmvpn_ikev2_two_peers"),
    ("ios_crypto_session", "detail_ipv6_wrapped_system_ip"),
    ("ios_crypto_session", "remote_access_virtual_access"),
    ("ios_ikev2_sa", "detail_genie_remote_subnets"),
    ("ios_ikev2_sa", "detail_ipv6_pqc_genie"),
    ("ios_ikev2_sa", "detail_nat_t_variants"),
    ("swanctl_list_sas", "two_ike_several_children"),
    ("swanctl_list_sas", "strongswan6_additional_ke"),
    ("swanctl_list_sas", "marks_if_id_ipcomp"),
    ("swanctl_list_sas", "roadwarrior_vips_eap"),
]


def _without_warnings(result):
    result = copy.deepcopy(result)
    return result, result.pop("warnings")


def _inserted(lines, at):
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip(" "))]
    return lines[:at] + [indent + UNKNOWN] + lines[at:]


@pytest.mark.parametrize(("folder", "name"), CASES, ids=[f"{f}/{n}" for f, n in CASES])
def test_unknown_line_anywhere_changes_nothing_else(folder, name):
    text = read_fixture(folder, name)
    lines = text.split("\n")
    base, base_warnings = _without_warnings(parse(COMMANDS[folder], text))
    assert base_warnings == []
    for at in range(len(lines)):
        if not lines[at].strip():
            continue
        damaged, warnings = _without_warnings(parse(COMMANDS[folder], "\n".join(_inserted(lines, at))))
        assert damaged == base, (name, at, lines[at])
        assert [(w["line_number"], w["line"].strip(), w["message"]) for w in warnings] == [
            (at + 1, UNKNOWN, "unrecognised line")
        ], (name, at)


def test_unknown_line_in_ipsec_blocks_line_by_line_too():
    """The same on the line-by-line path of the ipsec-sa parser (the fast path is left by the insertion)."""
    text = read_fixture("ios_ipsec_sa", "xe17_pqc_sec_timing_subif")
    lines = text.split("\n")
    base, _w = _without_warnings(parse_show_crypto_ipsec_sa(text, fast=False))
    for at in range(len(lines)):
        if lines[at].strip():
            damaged, warnings = _without_warnings(parse_show_crypto_ipsec_sa("\n".join(_inserted(lines, at)), fast=False))
            assert damaged == base and len(warnings) == 1, at


# --- damaged lines that start a block ---------------------------------------------------------------


def _replace(text, old, new):
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def _ipsec_sas(result):
    return [
        sa
        for interface in result["interfaces"].values()
        for ident in interface["idents"]
        for key in ("inbound_esp_sas", "outbound_esp_sas", "inbound_ah_sas", "outbound_ah_sas")
        for sa in ident[key]
    ]


@pytest.mark.parametrize("fast", [True, False])
def test_ipsec_damaged_spi_line_keeps_the_sa_before_it(fast):
    text = read_fixture("ios_ipsec_sa", "word_lifetime")
    base = parse_show_crypto_ipsec_sa(text, fast=fast)
    damaged = parse_show_crypto_ipsec_sa(_replace(text, "spi: 0xC3D4E5F6(3285509622)", "spi: 0xC3D4E5F6(32855x09622)"), fast=fast)
    before = [sa for sa in _ipsec_sas(base) if sa["conn_id"] != 2105]
    assert _ipsec_sas(damaged) == before  # the SA before it (conn id 2103) did not get conn id 2105's lines
    assert all(w["message"] != "unrecognised line" or "spi" in w["line"] for w in damaged["warnings"])
    assert len(damaged["warnings"]) == 8  # the spi line and the 7 lines of its SA


@pytest.mark.parametrize("fast", [True, False])
def test_ipsec_damaged_section_line_keeps_the_list_before_it(fast):
    text = read_fixture("ios_ipsec_sa", "xe_genie_golden")
    base = parse_show_crypto_ipsec_sa(text, fast=fast)
    damaged = parse_show_crypto_ipsec_sa(_replace(text, "outbound esp sas:", "outbound esp sas: 2"), fast=fast)
    for name, interface in base["interfaces"].items():
        for index, ident in enumerate(interface["idents"]):
            got = damaged["interfaces"][name]["idents"][index]
            # the inbound SAs keep their own values; the outbound ones went nowhere
            assert got["inbound_esp_sas"] == ident["inbound_esp_sas"]
    assert damaged["warnings"]


def test_ipsec_damaged_local_ident_on_12x_starts_no_write_into_the_ident_before():
    # IOS 12.x starts an ident with its "local ident" line: give the classic fixture a second ident
    text = read_fixture("ios_ipsec_sa", "ios124_classic")
    lines = text.rstrip("\n").split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("local  ident"))
    second = [line.replace("10.1.1.0", "10.9.9.0").replace("10.1.2.0", "10.9.8.0") for line in lines[start:]]
    doubled = "\n".join(lines + second) + "\n"
    base = parse_show_crypto_ipsec_sa(doubled)
    assert len(next(iter(base["interfaces"].values()))["idents"]) == 2
    garbled = second[0].replace("):", "):garbled(", 1)
    damaged = parse_show_crypto_ipsec_sa("\n".join(lines + [garbled] + second[1:]) + "\n")
    first_base = next(iter(base["interfaces"].values()))["idents"][0]
    first_damaged = next(iter(damaged["interfaces"].values()))["idents"][0]
    assert first_damaged == first_base  # the second ident's lines did not go into the first
    assert damaged["warnings"][0]["line"] == garbled


def test_isakmp_damaged_detail_row_keeps_the_engine_line_from_the_row_before():
    text = read_fixture("ios_isakmp_sa", "detail_no_header_engine")
    base = parse("show crypto isakmp sa detail", text)
    damaged = parse("show crypto isakmp sa detail", _replace(text, "ACTIVE aes  sha    psk  5  07:30:00", "ACTIVE aes  sha"))
    assert damaged["sas"] == base["sas"][:1]
    assert [w["line"].strip() for w in damaged["warnings"]] == [
        "1005  172.16.1.1      172.16.3.1             ACTIVE aes  sha DN",
        "Engine-id:Conn-id =  Onboard VPN:5",
    ]


def test_isakmp_unknown_algorithm_is_kept_apart():
    text = read_fixture("ios_isakmp_sa", "detail_no_header_engine")
    damaged = parse("show crypto isakmp sa detail", _replace(text, "3des md5    psk  2", "3des md5 xmss psk 2"))
    sa = damaged["sas"][0]
    assert (sa["encryption"], sa["hash"], sa["auth"], sa["dh_group"]) == ("3des", "md5", "psk", 2)
    assert sa["extra_algorithms"] == ["xmss"]
    assert [w["message"] for w in damaged["warnings"]] == ["partly understood line: unknown algorithm(s) 'xmss'"]


def test_isakmp_key_size_as_a_word_stays_with_the_cipher():
    text = read_fixture("ios_isakmp_sa", "detail_no_header_engine")
    result = parse("show crypto isakmp sa detail", _replace(text, "ACTIVE aes  sha    psk  5", "ACTIVE aes 256 sha psk 5"))
    sa = result["sas"][1]
    assert (sa["encryption"], sa["hash"], sa["auth"], sa["dh_group"]) == ("aes 256", "sha", "psk", 5)
    assert result["warnings"] == []


def test_session_damaged_ike_line_keeps_the_sa_before_it():
    text = read_fixture("ios_crypto_session", "xe_detail_ikev1_genie")
    base = parse("show crypto session detail", text)
    lines = text.split("\n")
    ike_lines = [i for i, line in enumerate(lines) if line.strip().startswith("IKE")]
    assert len(ike_lines) >= 2
    lines[ike_lines[1]] = lines[ike_lines[1]].split(" local ")[0] + " somewhere else"
    damaged = parse("show crypto session detail", "\n".join(lines))
    base_sas = [sa for i in base["interfaces"].values() for s in i["sessions"] for sa in s["ike_sas"]]
    damaged_sas = [sa for i in damaged["interfaces"].values() for s in i["sessions"] for sa in s["ike_sas"]]
    assert damaged_sas == base_sas[:1] + base_sas[2:]  # the first keeps its own capabilities line only
    assert len(damaged["warnings"]) == 2  # the IKE line and the Capabilities line after it


def test_ikev2_damaged_row_keeps_the_sa_before_it():
    text = read_fixture("ios_ikev2_sa", "detail_nat_t_variants")
    base = parse("show crypto ikev2 sa detail", text)
    damaged = parse("show crypto ikev2 sa detail", _replace(text, "2         198.51.100.1/4500", "2         198.51.100.1-4500"))
    assert damaged["sas"] == [base["sas"][0]] + base["sas"][2:]
    assert len(damaged["warnings"]) == 15  # the row and its 14 detail lines


def test_swanctl_damaged_child_header_keeps_the_child_before_it():
    text = read_fixture("swanctl_list_sas", "two_ike_several_children")
    base = parse("swanctl --list-sas", text)
    damaged = parse("swanctl --list-sas", _replace(text, "  lan-b: #31, reqid 31, REKEYED,", "  lan-b: #31 reqid 31 REKEYED"))
    first = damaged["ike_sas"][0]
    assert first["child_sas"][0] == base["ike_sas"][0]["child_sas"][0]
    assert first["child_sas"][1:] == base["ike_sas"][0]["child_sas"][2:]
    assert damaged["ike_sas"][1:] == base["ike_sas"][1:]
    assert len(damaged["warnings"]) == 6  # the header and its five lines


def test_swanctl_damaged_ike_header_keeps_the_ike_sa_before_it():
    text = read_fixture("swanctl_list_sas", "strongswan6_additional_ke")
    base = parse("swanctl --list-sas", text)
    damaged = parse("swanctl --list-sas", _replace(text, "pqc-tunnel: #2, ESTABLISHED, IKEv2,", "pqc-tunnel: #2 ESTABLISHED IKEv2"))
    assert damaged["ike_sas"] == [base["ike_sas"][0], base["ike_sas"][2]]
    assert len(damaged["warnings"]) == 11  # the header, its 4 lines, the CHILD_SA header and its 5 lines


@pytest.mark.parametrize(
    ("proposal", "fields", "extra"),
    [
        (
            "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519/FOO_BAR_9",
            {"encr_alg": "AES_CBC", "integ_alg": "HMAC_SHA2_256_128", "prf_alg": "PRF_HMAC_SHA2_256", "dh_group": "CURVE_25519"},
            ["FOO_BAR_9"],
        ),
        (
            "AES_GCM_16-256/WEIRD/PRF_HMAC_SHA2_384/ECP_384",
            {"encr_alg": "AES_GCM_16", "integ_alg": None, "prf_alg": "PRF_HMAC_SHA2_384", "dh_group": "ECP_384"},
            ["WEIRD"],
        ),
    ],
)
def test_swanctl_unknown_algorithm_is_kept_apart(proposal, fields, extra):
    text = read_fixture("swanctl_list_sas", "established_net_net")
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("  ") and "/" in line and " " not in line.strip())
    lines[at] = "  " + proposal
    result = parse("swanctl --list-sas", "\n".join(lines))
    ike = result["ike_sas"][0]
    assert {key: ike[key] for key in fields} == fields
    assert ike["extra_algorithms"] == extra
    assert [w["line_number"] for w in result["warnings"]] == [at + 1]
    assert result["warnings"][0]["message"].startswith("partly understood line: unknown algorithm(s)")
    assert ike["child_sas"] == parse("swanctl --list-sas", text)["ike_sas"][0]["child_sas"]


def test_swanctl_unknown_child_algorithm_is_kept_apart():
    text = read_fixture("swanctl_list_sas", "strongswan6_additional_ke")
    result = parse("swanctl --list-sas", _replace(text, "ESP:AES_CBC-256/HMAC_SHA2_256_128\n", "ESP:AES_CBC-256/HMAC_SHA2_256_128/XYZ_1\n"))
    child = result["ike_sas"][0]["child_sas"][0]
    assert (child["encr_alg"], child["integ_alg"], child["dh_group"]) == ("AES_CBC", "HMAC_SHA2_256_128", None)
    assert child["extra_algorithms"] == ["XYZ_1"]
    assert len(result["warnings"]) == 1


def test_swanctl_raw_additional_key_exchanges():
    text = read_fixture("swanctl_list_sas", "raw")
    base = parse("swanctl --list-sas --raw", text)
    result = parse("swanctl --list-sas --raw", text.replace("dh-group=CURVE_25519 ", "dh-group=CURVE_25519 ake2=ML_KEM_1024 ake1=MODP_4096 ", 1))
    ike = result["ike_sas"][0]
    assert ike["additional_key_exchanges"] == ["MODP_4096", "ML_KEM_1024"]
    assert "ake1" not in ike and "ake2" not in ike
    ike.pop("additional_key_exchanges")
    assert result == base
