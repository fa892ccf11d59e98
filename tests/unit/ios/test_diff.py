"""The ordered diff: creation order, idempotence in displayed form, ownership, purge, ACL edits, ledger."""

from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import diff, render
from ansible_collections.ipsec.vpn.plugins.module_utils.ios.running import Running
from ios_render_helpers import seed_intent, seed_psk


def want_of(intent, host):
    return render.intended_nodes(planner.plan_host(intent, host))


def device_text(nodes, key="cisco"):
    """A running-config holding exactly ``nodes`` (displayed form) and their ledger; keys shown as ``key``."""
    lines = []
    ledger = render.ledger_node(nodes)
    for node in ([ledger] if ledger is not None else []) + list(nodes):
        lines += [line.replace("********", key) for line in diff.display_lines(node)]
    return "\n".join(lines) + "\n"


def commands(want, text):
    return diff.compute(want, Running.from_text(text)).lines


def three_sites(with_r4=True):
    intent = seed_intent("site_to_site")
    intent["gateways"]["R4"] = {"platform": "ios", "outside_interface": "Serial0", "outside_address": "202.100.1.3/24",
                                "protected_networks": ["172.16.3.0/24"], "crypto_map_name": "MYMAP"}
    if with_r4:
        intent["tunnels"].append({"name": "r2-r4", "profile": "legacy", "psk": "k2", "a": {"gateway": "R2"},
                                  "b": {"gateway": "R4"}})
    return intent


def test_fresh_device_gets_everything_in_dependency_order():
    lines = commands(want_of(seed_intent("site_to_site"), "R2"), "")
    assert lines[0] == "ip access-list extended IPSEC-VPN-OWNED"
    position = dict((line, i) for i, line in reversed(list(enumerate(lines))))
    assert position["ip access-list extended VPN"] < position["match address VPN"]
    assert position["access-list 100 permit esp any any"] < position["ip access-group 100 in"]
    assert position["crypto ipsec transform-set MYSET esp-des esp-md5-hmac"] < position["set transform-set MYSET"]
    assert position["crypto map MYMAP 100 ipsec-isakmp"] < position["crypto map MYMAP"]
    assert position["crypto map MYMAP"] < position["ip route 172.16.2.0 255.255.255.0 202.100.1.2 name IPSEC-VPN"]
    assert lines.count("crypto isakmp key cisco address 202.100.1.2") == 1


def test_nothing_to_do_when_the_device_shows_the_intent():
    want = want_of(seed_intent("site_to_site"), "R2")
    text = device_text(want)
    assert commands(want, text) == []


def test_display_variants_of_other_releases_are_equal():
    want = want_of(seed_intent("site_to_site"), "R2")
    text = device_text(want)
    # a release that hides 'mode tunnel', shows the keepalive mode and per-entry default lifetimes explicitly
    text = text.replace(" mode tunnel\n", "")
    text = text.replace("crypto isakmp keepalive 10 3\n", "crypto isakmp keepalive 10 3 on-demand\n")
    text = text.replace(" set peer 202.100.1.2\n", " set peer 202.100.1.2\n set security-association lifetime "
                                                   "seconds 3600\n")
    text = text.replace("crypto isakmp policy 10\n", "crypto isakmp policy 10\n lifetime 86400\n")
    assert commands(want, text) == []


def test_changed_values_are_set_in_typed_form():
    want = want_of(seed_intent("site_to_site"), "R2")
    text = device_text(want)
    text = text.replace("crypto isakmp policy 10\n", "crypto isakmp policy 10\n encr aes 256\n")
    text = text.replace(" set peer 202.100.1.2\n", " set peer 202.100.1.9\n")
    text = text.replace("crypto isakmp key cisco", "crypto isakmp key old")
    assert commands(want, text) == [
        "crypto isakmp policy 10", "encryption des",
        "crypto isakmp key cisco address 202.100.1.2",
        "crypto map MYMAP 100 ipsec-isakmp", "no set peer 202.100.1.9", "set peer 202.100.1.2",
    ]


def test_an_encrypted_key_cannot_be_compared_and_is_trusted():
    want = want_of(seed_intent("site_to_site"), "R2")
    text = device_text(want).replace("crypto isakmp key cisco", "crypto isakmp key 6 SomeCipherText")
    assert commands(want, text) == []


def test_teardown_leaves_foreign_objects_alone_and_keeps_a_shared_binding():
    want = want_of(seed_intent("site_to_site"), "R2")
    foreign = "\n".join([
        "crypto isakmp policy 5", " encr aes 256", " authentication pre-share",
        "crypto ipsec transform-set CUST-TS esp-aes esp-sha-hmac",
        "crypto map MYMAP 50 ipsec-isakmp", " set peer 202.100.1.99", " match address CUSTOMER",
        "ip access-list extended CUSTOMER", " permit ip any any",
        "ip route 10.98.0.0 255.255.0.0 202.100.1.99",
        "crypto isakmp key other address 202.100.1.99",
    ]) + "\n"
    text = device_text(want) + foreign
    lines = commands([], text)
    for kept in ("CUSTOMER", "CUST-TS", "policy 5", "MYMAP 50", "10.98.0.0", "202.100.1.99"):
        assert not [line for line in lines if kept in line], kept
    assert "no crypto map MYMAP 100" in lines
    assert "no crypto map MYMAP" not in lines  # MYMAP 50 still needs the binding
    assert lines[-3:] == ["no ip access-list extended IPSEC-VPN-OWNED", "ip access-list extended IPSEC-VPN-OWNED",
                          "remark crypto-map-binding Serial0"]
    # reverse stage order: unbind before deleting what was bound, entries before their ACL
    assert lines.index("no ip access-group 100 in") < lines.index("no access-list 100")
    assert lines.index("no crypto map MYMAP 100") < lines.index("no ip access-list extended VPN")
    assert lines.index("no crypto map MYMAP 100") < lines.index("no crypto ipsec transform-set MYSET")
    assert lines.index("no ip route 172.16.2.0 255.255.255.0 202.100.1.2") < lines.index("no crypto map MYMAP 100")


def test_full_teardown_unbinds_and_drops_the_ledger():
    want = want_of(seed_intent("site_to_site"), "R3")
    lines = commands([], device_text(want))
    assert lines[:3] == ["no ip route 172.16.1.0 255.255.255.0 202.100.1.1", "interface Serial0",
                         "no crypto map MYMAP"]
    assert lines[-1] == "no ip access-list extended IPSEC-VPN-OWNED"
    assert commands([], "interface Serial0\n crypto map MYMAP\n") == []  # not in a ledger: not ours


def test_removing_a_tunnel_removes_exactly_its_objects():
    before = device_text(want_of(three_sites(), "R2"))
    lines = commands(want_of(three_sites(with_r4=False), "R2"), before)
    removed = [line for line in lines if line.startswith("no ")]
    assert set(removed) == {
        "no ip access-group 100 in", "no access-list 100",
        "no ip route 172.16.3.0 255.255.255.0 202.100.1.3", "no crypto map MYMAP 40",
        "no crypto isakmp key cisco address 202.100.1.3", "no ip access-list extended VPN-r2-r4",
        "no ip access-list extended IPSEC-VPN-OWNED",
    }
    assert lines.index("no ip route 172.16.3.0 255.255.255.0 202.100.1.3") < lines.index("no crypto map MYMAP 40")
    assert lines.index("no crypto map MYMAP 40") < lines.index("no ip access-list extended VPN-r2-r4")
    assert "remark isakmp-key 202.100.1.3" not in lines[lines.index("no ip access-list extended IPSEC-VPN-OWNED"):]


def test_an_unmarked_object_the_intent_names_is_adopted():
    want = want_of(seed_intent("site_to_site"), "R2")
    text = device_text(want).replace(" remark ipsec.vpn:r2-r3\n", "")
    assert commands(want, text) == ["ip access-list extended VPN", "remark ipsec.vpn:r2-r3"]


def _acl_want(entries, name="X"):
    return [render._acl(name, "ipsec.vpn:t", entries)]


def test_named_acl_edits_in_place_when_the_order_allows():
    have = "ip access-list extended X\n remark ipsec.vpn:t\n permit ip host 10.0.0.1 any\n permit ip host 10.0.0.2 any\n"
    assert commands(_acl_want(["permit ip host 10.0.0.1 any", "permit ip host 10.0.0.2 any",
                               "permit ip host 10.0.0.3 any"]), have) == [
        "ip access-list extended X", "permit ip host 10.0.0.3 any"]
    assert commands(_acl_want(["permit ip host 10.0.0.2 any"]), have) == [
        "ip access-list extended X", "no permit ip host 10.0.0.1 any"]
    assert commands(_acl_want(["permit ip host 10.0.0.3 any", "permit ip host 10.0.0.1 any"]), have) == [
        "no ip access-list extended X", "ip access-list extended X", "remark ipsec.vpn:t",
        "permit ip host 10.0.0.3 any", "permit ip host 10.0.0.1 any"]


def test_a_bound_numbered_acl_is_rewritten_while_unbound():
    have = ("access-list 100 remark ipsec.vpn:t\naccess-list 100 permit esp any any\n"
            "interface Serial0\n ip access-group 100 in\n")
    want = _acl_want(["permit esp any any", "permit gre any any"], name="100")
    assert commands(want, have) == [
        "interface Serial0", "no ip access-group 100 in", "no access-list 100",
        "access-list 100 remark ipsec.vpn:t", "access-list 100 permit esp any any", "access-list 100 permit gre any any",
        "interface Serial0", "ip access-group 100 in"]


def test_an_ikev2_proposal_line_is_removed_before_it_is_replaced():
    want = want_of(seed_intent("routing"), "R2")
    text = device_text(want, seed_psk("routing")).replace(" encryption aes-cbc-256\n", " encryption aes-cbc-128\n")
    assert commands(want, text) == ["crypto ikev2 proposal IKEV2-AES-CBC-256-SHA256-14",
                                    "no encryption aes-cbc-128", "encryption aes-cbc-256"]


def test_keyring_peers_nest_with_exit_and_foreign_peers_stay():
    want = want_of(seed_intent("routing"), "R2")
    text = device_text(want, "changed")
    text = text.replace("crypto ikev2 keyring IPSEC-VPN-KEYRING\n",
                        "crypto ikev2 keyring IPSEC-VPN-KEYRING\n peer other\n  address 198.51.100.50\n")
    lines = commands(want, text)
    assert lines == ["crypto ikev2 keyring IPSEC-VPN-KEYRING", "peer r2-r3", "pre-shared-key " + seed_psk("routing"),
                     "exit"]


def test_nothing_to_do_means_no_ledger_commands_either():
    want = want_of(seed_intent("gre_over_ipsec"), "R2")
    changes = diff.compute(want, Running.from_text(device_text(want)))
    assert changes.commands == [] and not changes.changed


def test_masked_commands_hide_the_key_and_diff_views_too():
    want = want_of(seed_intent("site_to_site"), "R2")
    changes = diff.compute(want, Running.from_text(""))
    assert "crypto isakmp key cisco address 202.100.1.2" in changes.lines
    assert "crypto isakmp key ******** address 202.100.1.2" in changes.masked
    assert not [line for line in changes.masked if "cisco" in line]
    assert "cisco" not in changes.after and "crypto isakmp key ******** address 202.100.1.2" in changes.after
    assert changes.before == ""


def test_manage_all_puts_a_previous_state_back():
    previous = Running.from_text("ip access-list extended CUSTOMER\n permit ip any any\ninterface Serial0\n"
                                 " description uplink\n")
    after = Running.from_text("ip access-list extended CUSTOMER\n permit ip any any\n permit gre any any\n"
                              "ip access-list extended VPN\n permit ip any any\ninterface Serial0\n description uplink\n"
                              " crypto map MYMAP\ncrypto isakmp policy 10\n hash md5\n")
    lines = diff.compute(previous.all_nodes(), after, manage_all=True).lines
    assert set(lines) == {"ip access-list extended CUSTOMER", "no permit gre any any", "interface Serial0",
                          "no crypto map MYMAP", "no crypto isakmp policy 10", "no ip access-list extended VPN"}
