"""Command -> parser selection, the filters and the cli_parse sub-plugin."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.ipsec.vpn.plugins.filter.parse_show_crypto_ipsec_sa import FilterModule as IpsecFilter
from ansible_collections.ipsec.vpn.plugins.filter.parse_show_crypto_isakmp_sa import FilterModule as IsakmpFilter
from ansible_collections.ipsec.vpn.plugins.filter.parse_swanctl_list_sas import FilterModule as SwanctlFilter
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import canonical_command, parse
from ansible_collections.ipsec.vpn.plugins.sub_plugins.cli_parser.crypto_parser import CliParser
from parser_helpers import read_fixture


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("show crypto ipsec sa", "show crypto ipsec sa"),
        ("sh cry ipsec sa det", "show crypto ipsec sa"),
        ("show crypto ipsec sa peer 203.0.113.9 detail", "show crypto ipsec sa"),
        ("show crypto ipsec sa interface Tunnel0", "show crypto ipsec sa"),
        ("sho crypto isakmp sa detail", "show crypto isakmp sa"),
        ("show  crypto   session detail", "show crypto session"),
        ("sh cry ses", "show crypto session"),
        ("show crypto ikev2 sa detailed", "show crypto ikev2 sa"),
        ("swanctl --list-sas", "swanctl --list-sas"),
        ("/usr/sbin/swanctl --list-sas --raw", "swanctl --list-sas"),
        ("swanctl -l", "swanctl --list-sas"),
        ("show crypto ipsec sa count", "show crypto ipsec sa count"),
        ("sh cry ipsec sa cou", "show crypto ipsec sa count"),
        ("show crypto isakmp sa count", "show crypto isakmp sa count"),
        ("show crypto ipsec sa detail", "show crypto ipsec sa"),
    ],
)
def test_commands_are_recognised(typed, canonical):
    assert canonical_command(typed) == canonical


@pytest.mark.parametrize("typed", ["show crypto map", "show ip route", "swanctl --list-conns", "", None])
def test_unknown_commands_are_refused_clearly(typed):
    with pytest.raises(ValueError, match="no parser|must be a string"):
        canonical_command(typed)


def test_parse_dispatches():
    text = read_fixture("ios_isakmp_sa", "xe_all_ikev1_states")
    assert len(parse("sh cry isa sa", text)["sas"]) == 8


def test_count_output_is_not_read_as_sas():
    text = read_fixture("ios_sa_count", "ipsec_sa_count")
    assert parse("show crypto ipsec sa count", text) == {
        "counts": {"ipsec_sa_total": 6, "active": 6, "rekeying": 0, "unused": 0, "invalid": 0},
        "warnings": [],
    }
    partly = parse("show crypto isakmp sa count", "Active ISAKMP SA's: 3, weird\n")
    assert partly["counts"] == {"active_isakmp_sas": 3}
    assert partly["warnings"][0]["message"] == "partly understood line: not a count: 'weird'"


def test_filters_parse_and_refuse_non_text():
    ipsec = IpsecFilter().filters()["parse_show_crypto_ipsec_sa"]
    text = read_fixture("ios_ipsec_sa", "xe_genie_golden")
    assert ipsec(text)["interfaces"]["Tunnel0"]["idents"][0]["current_peer"] == "2.2.2.1"
    assert ipsec(text.encode()) == ipsec(text)
    with pytest.raises(AnsibleFilterError, match="expected the command output as a string"):
        ipsec({"stdout": text})
    isakmp = IsakmpFilter().filters()["parse_show_crypto_isakmp_sa"]
    assert isakmp(read_fixture("ios_isakmp_sa", "ios124_no_header"))["sas"][1]["state"] == "AG_AUTH"
    swanctl = SwanctlFilter().filters()["parse_swanctl_list_sas"]
    assert swanctl(read_fixture("swanctl_list_sas", "raw"))["ike_sas"][0]["name"] == "gw-gw"


def _cli_parse(task_args):
    return CliParser(task_args=task_args, task_vars={}, debug=None).parse()


def test_cli_parser_uses_the_command():
    text = read_fixture("ios_crypto_session", "remote_access_virtual_access")
    result = _cli_parse({"text": text, "parser": {"name": "ipsec.vpn.crypto", "command": "show crypto session detail"}})
    assert result["parsed"]["interfaces"]["Virtual-Access3"]["sessions"][0]["username"] == "alice"
    # the task-level command is used when parser.command is absent
    result = _cli_parse({"text": text, "command": "sh cry sess", "parser": {"name": "ipsec.vpn.crypto"}})
    assert "parsed" in result


def test_cli_parser_errors():
    assert "errors" in _cli_parse({"text": "x", "parser": {"name": "ipsec.vpn.crypto"}})
    result = _cli_parse({"text": "x", "parser": {"name": "ipsec.vpn.crypto", "command": "show clock"}})
    assert "no parser" in result["errors"][0]
    result = _cli_parse({"text": None, "parser": {"name": "ipsec.vpn.crypto", "command": "swanctl --list-sas"}})
    assert "string" in result["errors"][0]


def test_parsers_restore_the_garbage_collector_state():
    import gc

    from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import PARSERS

    assert gc.isenabled()
    for function in PARSERS.values():
        function("garbage\n")
        assert gc.isenabled()
    gc.disable()
    try:
        PARSERS["show crypto ipsec sa"]("interface: Tunnel0\n")
        assert not gc.isenabled()
    finally:
        gc.enable()
