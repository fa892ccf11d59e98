"""The CLI engine without SSH: modes, prompts, errors, display rules, `no` forms, filters, persistence."""

import time

import pytest

from ..session import Session
from ..world import World, WorldError
from .seed import DISPLAYED_R2, SEED_R2, configure


def session_for(world, device="R2", privilege=15):
    session = Session(world.device(device), 99, privilege)
    session.recording = False
    return session


def running(world, device="R2", modifier=""):
    return world.run(device, "show running-config" + modifier)


@pytest.mark.parametrize(
    ("commands", "prompt"),
    [
        ([], "R2#"),
        (["configure terminal"], "R2(config)#"),
        (["configure terminal", "crypto isakmp policy 10"], "R2(config-isakmp)#"),
        (["configure terminal", "crypto map M 10 ipsec-isakmp"], "R2(config-crypto-map)#"),
        (["configure terminal", "interface Serial0"], "R2(config-if)#"),
        (["configure terminal", "router eigrp 1"], "R2(config-router)#"),
        (["configure terminal", "router ospf 1"], "R2(config-router)#"),
        (["configure terminal", "ip access-list extended VPN"], "R2(config-ext-nacl)#"),
        (["configure terminal", "crypto ikev2 proposal P"], "R2(config-ikev2-proposal)#"),
        (["configure terminal", "crypto ikev2 policy P"], "R2(config-ikev2-policy)#"),
        (["configure terminal", "crypto ikev2 keyring K"], "R2(config-ikev2-keyring)#"),
        (["configure terminal", "crypto ikev2 keyring K", "peer R3"], "R2(config-ikev2-keyring-peer)#"),
        (["configure terminal", "crypto ikev2 profile P"], "R2(config-ikev2-profile)#"),
        (["configure terminal", "crypto ipsec transform-set T esp-aes esp-sha-hmac"], "R2(cfg-crypto-trans)#"),
        (["configure terminal", "crypto ipsec profile P"], "R2(ipsec-profile)#"),
        (["configure terminal", "archive"], "R2(config-archive)#"),
        (["configure terminal", "crypto ikev2 keyring K", "peer R3", "exit"], "R2(config-ikev2-keyring)#"),
        (["configure terminal", "crypto isakmp policy 10", "exit"], "R2(config)#"),
        (["configure terminal", "crypto isakmp policy 10", "end"], "R2#"),
    ],
)
def test_prompt_follows_the_mode(world, commands, prompt):
    session = session_for(world)
    for command in commands:
        assert session.receive(command) in ("", "Enter configuration commands, one per line.  End with CNTL/Z.\n",
                                            "% NOTE: This new crypto map will remain disabled until a peer\n"
                                            "        and a valid access list have been configured.\n")
    assert session.prompt() == prompt


def test_user_exec_prompt_and_privileged_commands_refused(world):
    session = session_for(world, privilege=1)
    assert session.prompt() == "R2>"
    output = session.receive("configure terminal")
    assert output == "   ^\n% Invalid input detected at '^' marker.\n\n"
    assert session.receive("show privilege") == "Current privilege level is 1\n"


def test_invalid_input_puts_the_caret_under_the_bad_word(world):
    session = session_for(world)
    session.receive("configure terminal")
    session.receive("crypto isakmp policy 10")
    output = session.receive("encryption bogus")
    caret_line, message = output.splitlines()[:2]
    assert message == "% Invalid input detected at '^' marker."
    assert caret_line.index("^") == len("R2(config-isakmp)#") + len("encryption ")
    assert session.prompt() == "R2(config-isakmp)#"  # an error does not leave the submode


def test_incomplete_and_unknown_commands(world):
    session = session_for(world)
    assert session.receive("show crypto") == "% Incomplete command.\n"
    assert session.receive("frobnicate").endswith("% Invalid input detected at '^' marker.\n\n")
    session.receive("configure terminal")
    assert session.receive("crypto isakmp") == "% Incomplete command.\n"
    assert session.receive("crypto map M") == "% Incomplete command.\n"


def test_show_vlan_is_not_a_router_command(world):
    assert "% Invalid input detected" in world.run("R2", "show vlan")


def test_exec_commands_need_do_in_config_mode(world):
    session = session_for(world)
    session.receive("configure terminal")
    assert "% Invalid input" in session.receive("show privilege")
    assert session.receive("do show privilege") == "Current privilege level is 15\n"
    assert session.prompt() == "R2(config)#"


def test_abbreviations_are_expanded(world):
    session = session_for(world)
    session.receive("conf t")
    session.receive("int se0")
    assert session.prompt() == "R2(config-if)#"
    session.receive("desc uplink to R3")
    session.receive("end")
    assert " description uplink to R3" in running(world, modifier=" interface Serial0")


def test_line_valid_only_globally_leaves_the_submode(world):
    session = session_for(world)
    session.receive("configure terminal")
    session.receive("crypto isakmp policy 10")
    assert session.receive("crypto isakmp key abc address 10.0.0.1") == ""
    assert session.prompt() == "R2(config)#"
    session.receive("crypto ikev2 keyring K")
    session.receive("peer X")
    session.receive("peer Y")  # valid one level up: back to the keyring, then into a new peer
    assert session.prompt() == "R2(config-ikev2-keyring-peer)#"
    assert "crypto isakmp key abc address 10.0.0.1" in running(world)


def test_isakmp_policy_display_rewrites_and_hidden_defaults(world):
    configure(world, "R2", "crypto isakmp policy 10\n encryption aes 256\n hash sha\n authentication rsa-sig\n"
                           " group 1\n lifetime 86400\ncrypto isakmp policy 20\n encryption des\n hash sha256\n"
                           " group 14\n lifetime 3600\ncrypto isakmp policy 30\n encryption aes 128\n"
                           " authentication pre-share")
    section = running(world, modifier=" | section isakmp policy")
    assert section.splitlines() == [
        "crypto isakmp policy 10",
        " encr aes 256",
        "crypto isakmp policy 20",
        " hash sha256",
        " group 14",
        " lifetime 3600",
        "crypto isakmp policy 30",
        " encr aes",
        " authentication pre-share",
    ]


def test_transform_set_shows_mode_tunnel_and_short_aes(world):
    configure(world, "R2", "crypto ipsec transform-set A esp-aes 128 esp-sha-hmac\n"
                           "crypto ipsec transform-set B esp-aes 256 esp-sha256-hmac\n mode transport\n no mode")
    assert running(world, modifier=" | section transform-set").splitlines() == [
        "crypto ipsec transform-set A esp-aes esp-sha-hmac",
        " mode tunnel",
        "crypto ipsec transform-set B esp-aes 256 esp-sha256-hmac",
        " mode tunnel",
    ]


@pytest.mark.parametrize(
    ("line", "bad_word"),
    [
        ("crypto ipsec transform-set T esp-des esp-3des", "esp-3des"),
        ("crypto ipsec transform-set T esp-gcm 256 esp-sha-hmac", "esp-sha-hmac"),
        ("crypto ipsec transform-set T esp-sha-hmac esp-md5-hmac", "esp-md5-hmac"),
        ("crypto ipsec transform-set T esp-des 256", "256"),
        ("crypto ipsec transform-set T esp-blowfish", "esp-blowfish"),
    ],
)
def test_transform_set_syntax_is_validated(world, line, bad_word):
    session = session_for(world)
    session.receive("configure terminal")
    output = session.receive(line)
    assert "% Invalid input detected" in output
    assert output.index("^") == len("R2(config)#") + line.index(bad_word)
    assert "transform-set T" not in running(world)


def test_crypto_keywords_are_validated(world):
    session = session_for(world)
    session.receive("configure terminal")
    session.receive("crypto map M 10 ipsec-isakmp")
    for bad in ("set pfs group3", "set peer 300.1.1.1", "match adress VPN", "set transform-sets X"):
        assert "% Invalid input detected" in session.receive(bad), bad
    session.receive("crypto isakmp policy 10")
    for bad in ("group 3", "hash sha1", "encryption aes 512", "lifetime 10"):
        assert "% Invalid input detected" in session.receive(bad), bad


def test_access_list_entries_are_shown_normalised(world):
    configure(world, "R2", "ip access-list extended OUTSIDE\n"
                           " permit udp any eq 500 any eq 500\n"
                           " permit udp host 1.1.1.1 eq 4500 10.0.0.5 0.0.0.255 eq non500-isakmp\n"
                           " permit 50 any any\n"
                           " permit tcp 10.1.1.1 0.0.0.0 any eq 22\n"
                           " permit ip 172.16.1.7 0.0.0.255 0.0.0.0 255.255.255.255\n"
                           " deny icmp any any echo log\n"
                           " permit tcp any range 1000 2000 any eq www established\n"
                           "access-list 10 permit 10.1.1.1\n"
                           "access-list 10 permit 10.2.0.0 0.0.255.255\n")
    assert running(world, modifier=" | section OUTSIDE").splitlines() == [
        "ip access-list extended OUTSIDE",
        " permit udp any eq isakmp any eq isakmp",
        " permit udp host 1.1.1.1 eq non500-isakmp 10.0.0.0 0.0.0.255 eq non500-isakmp",
        " permit esp any any",
        " permit tcp host 10.1.1.1 any eq 22",
        " permit ip 172.16.1.0 0.0.0.255 any",
        " deny icmp any any echo log",
        " permit tcp any range 1000 2000 any eq www established",
    ]
    assert running(world, modifier=" | include ^access-list 10").splitlines() == [
        "access-list 10 permit 10.1.1.1",
        "access-list 10 permit 10.2.0.0 0.0.255.255",
    ]


def test_access_list_rejects_ports_for_portless_protocols_and_wrong_names(world):
    session = session_for(world)
    session.receive("configure terminal")
    session.receive("ip access-list extended X")
    assert "% Invalid input" in session.receive("permit ip any eq 500 any")
    assert "% Invalid input" in session.receive("permit tcp any any eq isakmp")  # isakmp is a UDP name
    assert "% Invalid input" in session.receive("permit udp any any eq www")  # www is a TCP name


def test_named_acl_sequence_numbers_and_no_forms(world):
    configure(world, "R2", "ip access-list extended A\n permit ip any host 1.1.1.1\n permit ip any host 2.2.2.2\n"
                           " 15 permit ip any host 1.5.1.5\n no permit ip any host 2.2.2.2")
    assert "10 permit ip any host 1.1.1.1" in world.run("R2", "show access-lists A")
    assert running(world, modifier=" | section access-list extended A").splitlines() == [
        "ip access-list extended A",
        " permit ip any host 1.1.1.1",
        " permit ip any host 1.5.1.5",
    ]
    configure(world, "R2", "ip access-list extended A\n no 15")
    assert "1.5.1.5" not in running(world)


def test_no_on_a_numbered_acl_entry_removes_the_whole_list(world):
    configure(world, "R2", "access-list 101 permit ip any host 1.1.1.1\naccess-list 101 permit ip any host 2.2.2.2\n"
                           "access-list 102 permit ip any any\nno access-list 101 permit ip any host 2.2.2.2")
    assert running(world, modifier=" | include ^access-list").splitlines() == ["access-list 102 permit ip any any"]


def test_no_forms_for_crypto_map_entries_bindings_and_blocks(seeded):
    world = seeded
    configure(world, "R2", "crypto map MYMAP 200 ipsec-isakmp\n set peer 10.9.9.9\n match address VPN")
    configure(world, "R2", "no crypto map MYMAP 100")
    section = running(world, modifier=" | section crypto map")
    assert "crypto map MYMAP 200 ipsec-isakmp" in section and "MYMAP 100" not in section
    assert " crypto map MYMAP" in section  # still bound on Serial0
    configure(world, "R2", "interface Serial0\n no crypto map MYMAP")
    assert " crypto map MYMAP" not in running(world, modifier=" interface Serial0")
    configure(world, "R2", "no crypto isakmp policy 10\nno crypto ipsec transform-set MYSET\nno crypto map MYMAP")
    text = running(world)
    assert "crypto isakmp policy" not in text and "transform-set" not in text and "crypto map" not in text
    assert "crypto isakmp key cisco address 202.100.1.2" in text


def test_no_ip_address_shows_the_default_line(world):
    configure(world, "R2", "interface Ethernet0\n no ip address")
    assert running(world, modifier=" interface Ethernet0").splitlines()[3:7] == [
        "!",
        "interface Ethernet0",
        " description LAN",
        " no ip address",
    ]


def test_interface_checks(world):
    session = session_for(world)
    session.receive("configure terminal")
    assert "% Invalid input" in session.receive("interface Serial9")
    assert session.receive("interface Tunnel5") == ""
    assert session.prompt() == "R2(config-if)#"
    assert "overlaps with Serial0" in session.receive("ip address 202.100.1.9 255.255.255.0")
    assert "Bad mask" in session.receive("ip address 10.0.0.1 255.0.255.0")
    assert session.receive("no interface Tunnel5") == ""
    assert "Tunnel5" not in running(world)


def test_ikev2_proposal_values_accumulate(world):
    configure(world, "R2", "crypto ikev2 proposal P\n encryption aes-cbc-256\n encryption aes-cbc-128\n"
                           " integrity sha256\n group 14\n group 19 14\n no encryption aes-cbc-256")
    assert running(world, modifier=" | section ikev2 proposal").splitlines() == [
        "crypto ikev2 proposal P",
        " encryption aes-cbc-128",
        " integrity sha256",
        " group 14 19",
    ]


def test_ikev2_profile_shows_host_mask(world):
    configure(world, "R2", "crypto ikev2 profile P\n match identity remote address 202.100.1.2\n"
                           " authentication remote pre-share\n authentication local pre-share\n keyring local K")
    assert running(world, modifier=" | section ikev2 profile").splitlines() == [
        "crypto ikev2 profile P",
        " match identity remote address 202.100.1.2 255.255.255.255",
        " authentication remote pre-share",
        " authentication local pre-share",
        " keyring local K",
    ]


def test_output_modifiers(seeded):
    world = seeded
    assert running(world, modifier=" | include crypto map").splitlines() == [
        "crypto map MYMAP 100 ipsec-isakmp", " crypto map MYMAP"]
    assert running(world, modifier=" | exclude !").count("!") == 0
    assert running(world, modifier=" | begin ^interface").splitlines()[0] == "interface Ethernet0"
    assert running(world, modifier=" | count crypto").strip() == "Number of lines which match regexp = 6"
    assert running(world, modifier=" | sec interface Serial0").splitlines() == [
        "interface Serial0", " description to R3", " ip address 202.100.1.1 255.255.255.0", " crypto map MYMAP"]


def test_running_config_matches_the_displayed_form_of_the_seed(seeded):
    """Every line of DISPLAYED_R2 is in running-config, under the right parent (what ios_config compares)."""
    text = running(seeded)
    lines = text.splitlines()
    parent = None
    for line in DISPLAYED_R2.splitlines():
        if line.startswith(" "):
            block = lines[lines.index(parent) + 1:]
            children = []
            for candidate in block:
                if not candidate.startswith(" "):
                    break
                children.append(candidate)
            assert line in children, f"{line!r} not under {parent!r}"
        else:
            parent = line
            assert line in lines, line
    assert " encryption des" not in text and "eq 500" not in text


def test_show_running_config_interface(seeded):
    output = running(seeded, modifier=" interface Serial0")
    body = output.split("\n", 3)[3]
    assert body == ("!\ninterface Serial0\n description to R3\n ip address 202.100.1.1 255.255.255.0\n"
                    " crypto map MYMAP\nend\n\n")
    assert f"Current configuration : {len(body) - 1} bytes" in output


def test_write_memory_copies_running_to_startup(world):
    configure(world, "R2", "hostname EDGE")
    assert "hostname EDGE" not in world.run("R2", "show startup-config")
    session = session_for(world)
    assert session.receive("copy running-config startup-config") == ""
    assert session.prompt() == "Destination filename [startup-config]? "
    assert session.receive("") == "Building configuration...\n[OK]\n"
    assert "hostname EDGE" in world.run("R2", "show startup-config")
    assert world.run("R2", "write memory") == "Building configuration...\n[OK]\n"


def test_archive_and_configure_revert_timer():
    world = World.from_dict({
        "options": {"revert_timer_seconds_per_minute": 0.2},
        "devices": {"R1": {"interfaces": {"Ethernet0": {"address": "10.0.0.1/24"}}}},
    })
    assert world.run("R1", "show archive") == "Archive feature not enabled\n"
    assert "Archive path is not configured" in world.run("R1", "configure terminal revert timer 1")
    configure(world, "R1", "archive\n path flash:archive\n write-memory")
    assert world.run("R1", "show archive config rollback timer") == "%No Rollback Confirmed Change pending\n"
    world.run("R1", "configure terminal revert timer 1", "hostname CHANGED", "end")
    assert "Time remaining" in world.run("R1", "show archive config rollback timer")
    assert "hostname CHANGED" in world.run("R1", "show running-config")
    deadline = time.monotonic() + 5
    while "hostname CHANGED" in world.run("R1", "show running-config") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "hostname R1" in world.run("R1", "show running-config")
    world.run("R1", "configure terminal revert timer 1", "hostname KEPT", "end", "configure confirm")
    time.sleep(0.4)
    assert "hostname KEPT" in world.run("R1", "show running-config")
    assert "flash:archive-" in world.run("R1", "show archive")


def test_help_lists_next_keywords(world):
    session = session_for(world)
    output = session.receive("show running-config ?")
    assert "  all\n" in output and "  interface\n" in output and "  <cr>\n" in output


def test_world_errors_name_the_field():
    with pytest.raises(WorldError, match=r"devices\.R1\.interfaces\.Bogus0: unknown interface type"):
        World.from_dict({"devices": {"R1": {"interfaces": {"Bogus0": {}}}}})
    with pytest.raises(WorldError, match=r"devices\.R1\.config line 2: 'encryption bogus'"):
        World.from_dict({"devices": {"R1": {"config": "crypto isakmp policy 1\n encryption bogus\n"}}})
    with pytest.raises(WorldError, match=r"devices\.R1: unknown fields \['passwd'\]"):
        World.from_dict({"devices": {"R1": {"passwd": "x"}}})


def test_seed_pushed_twice_is_not_a_no_op_in_running_config_terms(seeded):
    """Re-typing the raw seed changes nothing (IOS ignores duplicates), yet its lines differ from the display."""
    before = running(seeded).split("\n", 5)[5]
    configure(seeded, "R2", SEED_R2)
    assert running(seeded).split("\n", 5)[5] == before


def test_ambiguous_abbreviations_are_refused(world):
    assert world.run("R2", "c") == '% Ambiguous command:  "c"\n'
    assert "uptime is" in world.run("R2", "sh ver")
    session = session_for(world)
    session.receive("configure terminal")
    session.receive("crypto isakmp policy 5")
    assert session.receive("e") == '% Ambiguous command:  "e"\n'
    assert session.receive("enc aes 256") == ""  # `encryption` and its alias `encr` are one command
    assert "encr aes 256" in running(world, modifier=" | section policy 5")


def test_archive_config_and_configure_replace():
    """`archive config` saves <path>-<n> silently; `show archive` lists the last `maximum` files; `configure
    replace <file> force` puts that file back (IOS prints the passes and `Rollback Done`), and without `force`
    IOS asks first."""
    world = World.from_dict({"devices": {"R1": {"interfaces": {"Ethernet0": {"address": "10.0.0.1/24"}}}}})
    assert "Archive path is not configured" in world.run("R1", "archive config")
    configure(world, "R1", "archive\n path flash:archive\n maximum 2")
    assert world.run("R1", "archive config") == ""
    saved = running(world, "R1").split("\n", 5)[5]
    configure(world, "R1", "hostname OTHER\nip access-list extended X\n permit ip any any")
    assert world.run("R1", "archive config") == ""
    listing = world.run("R1", "show archive")
    assert "There are currently 2 archive configurations saved." in listing
    assert "The next archive file will be named flash:archive-3" in listing
    assert "flash:archive-2 <- Most Recent" in listing
    assert world.run("R1", "configure replace flash:archive-1 force") == "Total number of passes: 1\nRollback Done\n"
    assert running(world, "R1").split("\n", 5)[5] == saved
    assert world.run("R1", "configure replace flash:archive-1 force") == "Total number of passes: 0\nRollback Done\n"
    assert world.run("R1", "configure replace flash:archive-9 force") == \
        "%Error opening flash:archive-9 (No such file or directory)\n"
    # a third file pushes the first out (maximum 2)
    world.run("R1", "archive config")
    assert world.run("R1", "configure replace flash:archive-1 force").startswith("%Error opening")
    # without force: the question, then nothing happens on "no"
    session = session_for(world, "R1")
    assert session.receive("configure replace flash:archive-2") == ""
    assert session.prompt().endswith("Enter Y if you are sure you want to proceed. ? [no]: ")
    assert session.receive("no") == ""
    assert "hostname R1" in running(world, "R1")
    assert session.receive("configure replace flash:archive-2") == ""
    assert session.receive("y") == "Total number of passes: 1\nRollback Done\n"
    assert "hostname OTHER" in running(world, "R1")


@pytest.mark.parametrize("fault", ["rejected", "expired"])
def test_configure_confirm_faults(fault):
    world = World.from_dict({
        "options": {"configure_confirm_fault": fault},
        "devices": {"R1": {"interfaces": {"Ethernet0": {"address": "10.0.0.1/24"}},
                           "config": "archive\n path flash:archive\n"}},
    })
    world.run("R1", "configure terminal revert timer 5", "hostname CHANGED", "end")
    output = world.run("R1", "configure confirm")
    timer = world.run("R1", "show archive config rollback timer")
    if fault == "rejected":
        assert "% Invalid input detected at '^' marker." in output
        assert "Time remaining" in timer
        assert "hostname CHANGED" in running(world, "R1")
    else:
        assert output == ""
        assert timer == "%No Rollback Confirmed Change pending\n"
        assert "hostname R1" in running(world, "R1")
