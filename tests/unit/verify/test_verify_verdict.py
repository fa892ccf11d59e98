"""The verdict: phase 1, phase 2, selectors, traffic counters and probable causes, per platform."""

import copy
import gc
import json
import time

import pytest
import verify_helpers as h
from ansible_collections.ipsec.vpn.plugins.module_utils import verify
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import parse

# --------------------------------------------------------------------------- IOS, IKEv1 (the seed pair)


@pytest.fixture(scope="module")
def r2():
    return h.plan(h.seed_intent(), "R2")


def _probe(tunnel="r2-r3", source="172.16.1.1", destination="172.16.2.1"):
    target = {"tunnel": tunnel, "source": source, "destination": destination, "command": "ping"}
    return {tunnel: verify.probe_result(target, "Success rate is 100 percent (5/5), round-trip min/avg/max = 1/1/1 ms")}


def test_ios_healthy_pair_is_up(r2):
    result = verify.verdict(r2, h.parse_ios(h.healthy_ios_text(r2)))
    assert result["status"] == "up"
    assert result["summary"] == {"total": 1, "up": 1, "down": 0, "traffic_checked": 0}
    (end,) = result["tunnels"]
    assert end["phase1"]["up"] and end["phase1"]["state"] == "QM_IDLE"
    assert end["phase2"]["up"]
    assert end["phase2"]["selectors"][0]["local"] == "172.16.1.0/24"
    assert end["phase2"]["selectors"][0]["remote"] == "172.16.2.0/24"
    assert end["cause_code"] is None and result["failed"] == []
    assert end["traffic"]["checked"] is False


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ("MM_NO_STATE", "P1_MM_NO_STATE"),
        ("MM_SA_SETUP", "P1_MM_SA_SETUP"),
        ("MM_KEY_EXCH", "P1_MM_KEY_EXCH"),
        ("MM_KEY_AUTH", "P1_MM_KEY_AUTH"),
        ("AG_INIT_EXCH", "P1_AGGRESSIVE"),
        (None, "P1_NO_SA"),
    ],
)
def test_ios_phase1_states_give_their_cause(r2, state, code):
    texts = h.healthy_ios_text(r2)
    texts["isakmp"] = h.isakmp_text([("202.100.1.2", "202.100.1.1", state)] if state else [])
    texts["ipsec"] = h.ipsec_text("Serial0", "202.100.1.1", [
        {"peer": "202.100.1.2", "local": "172.16.1.0/24", "remote": "172.16.2.0/24", "sas": False}])
    result = verify.verdict(r2, h.parse_ios(texts))
    assert result["status"] == "down"
    (end,) = result["tunnels"]
    assert end["cause_code"] == code
    assert end["cause_phase"] == "phase1"
    assert end["cause"] == verify.CAUSES[code][1]
    assert result["failed"] == [{"tunnel": "r2-r3", "peer": "R3", "cause_code": code, "cause": end["cause"],
                                 "detail": end["detail"]}]
    if state:
        assert end["phase1"]["state"] == state


def test_ios_psk_mismatch_names_the_key(r2):
    texts = h.healthy_ios_text(r2)
    texts["isakmp"] = h.isakmp_text([("202.100.1.2", "202.100.1.1", "MM_KEY_EXCH")])
    end = verify.verdict(r2, h.parse_ios(texts))["tunnels"][0]
    assert "pre-shared key mismatch" in end["cause"]


def test_ios_deleted_row_beside_qm_idle_is_up(r2):
    texts = h.healthy_ios_text(r2)
    texts["isakmp"] = (
        "IPv4 Crypto ISAKMP SA\ndst             src             state          conn-id status\n"
        "202.100.1.2     202.100.1.1     MM_NO_STATE       1001 ACTIVE (deleted)\n"
        "202.100.1.2     202.100.1.1     QM_IDLE           1002 ACTIVE\n"
    )
    assert verify.verdict(r2, h.parse_ios(texts))["status"] == "up"


def test_ios_only_a_deleted_qm_idle_is_down(r2):
    texts = h.healthy_ios_text(r2)
    texts["isakmp"] = (
        "IPv4 Crypto ISAKMP SA\ndst             src             state          conn-id status\n"
        "202.100.1.2     202.100.1.1     QM_IDLE           1002 ACTIVE (deleted)\n"
    )
    end = verify.verdict(r2, h.parse_ios(texts))["tunnels"][0]
    assert end["status"] == "down" and end["cause_phase"] == "phase1"


def test_ios_sa_of_another_peer_does_not_count(r2):
    texts = h.healthy_ios_text(r2)
    texts["isakmp"] = h.isakmp_text([("202.100.1.9", "202.100.1.1", "QM_IDLE")])
    texts["ipsec"] = h.ipsec_text("Serial0", "202.100.1.1", [
        {"peer": "202.100.1.9", "local": "172.16.1.0/24", "remote": "172.16.2.0/24"}])
    end = verify.verdict(r2, h.parse_ios(texts))["tunnels"][0]
    assert end["cause_code"] == "P1_NO_SA"


def test_ios_no_flow_for_the_peer_is_not_configured(r2):
    texts = h.healthy_ios_text(r2)
    texts["ipsec"] = "\n"
    end = verify.verdict(r2, h.parse_ios(texts))["tunnels"][0]
    assert end["cause_code"] == "P2_NOT_CONFIGURED"


def test_ios_other_selectors_are_a_selector_mismatch(r2):
    texts = h.healthy_ios_text(r2)
    texts["ipsec"] = h.ipsec_text("Serial0", "202.100.1.1", [
        {"peer": "202.100.1.2", "local": "172.16.1.0/24", "remote": "172.16.0.0/16"}])
    end = verify.verdict(r2, h.parse_ios(texts))["tunnels"][0]
    assert end["cause_code"] == "P2_SELECTOR_MISMATCH"
    assert "172.16.0.0/16" in end["detail"] and "172.16.2.0/24" in end["detail"]
    assert end["phase2"]["unexpected_selectors"] == ["172.16.1.0/24 <-> 172.16.0.0/16"]


def test_ios_port_selectors_compare_protocol_and_port():
    intent = h.seed_intent()
    intent["tunnels"][0]["selectors"] = {"protocol": "tcp", "b_port": 443}
    r2 = h.plan(intent, "R2")
    texts = h.healthy_ios_text(r2)
    flow = {"peer": "202.100.1.2", "local": "172.16.1.0/24", "remote": "172.16.2.0/24", "prot": 6, "rport": 443}
    texts["ipsec"] = h.ipsec_text("Serial0", "202.100.1.1", [flow])
    assert verify.verdict(r2, h.parse_ios(texts))["status"] == "up"
    flow["rport"] = 80
    texts["ipsec"] = h.ipsec_text("Serial0", "202.100.1.1", [flow])
    end = verify.verdict(r2, h.parse_ios(texts))["tunnels"][0]
    assert end["cause_code"] == "P2_SELECTOR_MISMATCH"
    assert "tcp/80" in end["detail"]


def test_ios_flow_without_sa_is_phase2(r2):
    texts = h.healthy_ios_text(r2)
    texts["ipsec"] = h.ipsec_text("Serial0", "202.100.1.1", [
        {"peer": "202.100.1.2", "local": "172.16.1.0/24", "remote": "172.16.2.0/24", "sas": False}])
    end = verify.verdict(r2, h.parse_ios(texts))["tunnels"][0]
    assert end["cause_code"] == "P2_NO_SA"
    assert end["phase1"]["up"] and not end["phase2"]["up"]


def test_ios_standby_sa_is_not_active(r2):
    texts = h.healthy_ios_text(r2)
    texts["ipsec"] = h.ipsec_text("Serial0", "202.100.1.1", [
        {"peer": "202.100.1.2", "local": "172.16.1.0/24", "remote": "172.16.2.0/24", "active": False}])
    assert verify.verdict(r2, h.parse_ios(texts))["tunnels"][0]["cause_code"] == "P2_NO_SA"


def test_ios_12_4_output_without_status_lines_is_active():
    # IOS 12.4 prints no "Status:" line under an SA: an SA that is listed is in use.
    intent = h.seed_intent()
    intent["gateways"]["R2"].update(outside_address="10.12.1.1/24", protected_networks=["10.1.1.0/24"])
    intent["gateways"]["R3"].update(outside_address="10.12.1.2/24", protected_networks=["10.1.2.0/24"])
    r2 = h.plan(intent, "R2")
    reads = {
        "isakmp_sa": parse("show crypto isakmp sa", h.isakmp_text([("10.12.1.2", "10.12.1.1", "QM_IDLE")])),
        "ipsec_sa": parse("show crypto ipsec sa", h.fixture("ios124_classic.txt")),
    }
    result = verify.verdict(r2, reads)
    assert result["status"] == "up", result["failed"]
    assert result["tunnels"][0]["phase2"]["selectors"][0]["encaps"] == 10


def test_ios_multi_entry_acl_idle_entry_is_fine_missing_entry_is_not():
    r2 = h.plan(h.seed_intent(extra_entries=True), "R2")
    assert len(r2["tunnels"][0]["acl"]["entries"]) == 2
    texts = h.healthy_ios_text(r2)
    texts["ipsec"] = h.ipsec_text("Serial0", "202.100.1.1", [
        {"peer": "202.100.1.2", "local": "172.16.1.0/24", "remote": "172.16.2.0/24"},
        {"peer": "202.100.1.2", "local": "172.16.11.0/24", "remote": "172.16.2.0/24", "sas": False},
    ])
    end = verify.verdict(r2, h.parse_ios(texts))["tunnels"][0]
    assert end["status"] == "up"
    assert [s["up"] for s in end["phase2"]["selectors"]] == [True, False]
    texts["ipsec"] = h.ipsec_text("Serial0", "202.100.1.1", [
        {"peer": "202.100.1.2", "local": "172.16.1.0/24", "remote": "172.16.2.0/24"}])
    end = verify.verdict(r2, h.parse_ios(texts))["tunnels"][0]
    assert end["cause_code"] == "P2_SELECTOR_MISMATCH"
    assert "172.16.11.0/24" in end["detail"]


# --------------------------------------------------------------------------- IOS traffic


@pytest.mark.parametrize(
    ("after", "status", "code", "deltas"),
    [
        ((15, 15), "up", None, (5, 5)),
        ((15, 10), "down", "TRAFFIC_NO_DECAPS", (5, 0)),
        ((10, 10), "down", "TRAFFIC_NO_ENCAPS", (0, 0)),
        ((3, 2), "up", None, (3, 2)),  # counters reset (SA cleared) between the reads count from zero
    ],
)
def test_ios_traffic_counters(r2, after, status, code, deltas):
    before = h.parse_ios(h.healthy_ios_text(r2, encaps=10, decaps=10))
    now = h.parse_ios(h.healthy_ios_text(r2, encaps=after[0], decaps=after[1]))
    result = verify.verdict(r2, now, before=before, probes=_probe())
    end = result["tunnels"][0]
    assert end["status"] == status
    assert end["cause_code"] == code
    assert (end["traffic"]["encaps_delta"], end["traffic"]["decaps_delta"]) == deltas
    assert end["traffic"]["checked"] is True
    assert end["traffic"]["passed"] is (status == "up")
    assert result["summary"]["traffic_checked"] == 1
    if code:
        assert end["cause_phase"] == "traffic"
        assert "172.16.1.1 -> 172.16.2.1" in end["detail"]


def test_ios_flow_that_appears_with_the_probe_counts_from_zero(r2):
    before_texts = h.healthy_ios_text(r2)
    before_texts["isakmp"] = h.isakmp_text([])
    before_texts["ipsec"] = "\n"
    now = h.parse_ios(h.healthy_ios_text(r2, encaps=4, decaps=4))
    end = verify.verdict(r2, now, before=h.parse_ios(before_texts), probes=_probe())["tunnels"][0]
    assert end["status"] == "up"
    assert end["traffic"]["encaps_delta"] == 4 and end["traffic"]["passed"]


def test_traffic_is_not_judged_without_a_probe_or_first_read(r2):
    same = h.parse_ios(h.healthy_ios_text(r2))
    assert verify.verdict(r2, same, before=same)["tunnels"][0]["traffic"]["checked"] is False
    end = verify.verdict(r2, same, probes=_probe())["tunnels"][0]
    assert end["traffic"]["checked"] is False and end["status"] == "up"
    assert "before" in end["traffic"]["reason"]
    skipped = {"r2-r3": verify.probe_result({"tunnel": "r2-r3", "command": None, "skipped": "disabled"}, "")}
    end = verify.verdict(r2, same, before=same, probes=skipped)["tunnels"][0]
    assert end["traffic"]["checked"] is False and end["traffic"]["reason"] == "disabled"


def test_phase1_cause_wins_over_traffic(r2):
    down = h.healthy_ios_text(r2, encaps=0, decaps=0)
    down["isakmp"] = h.isakmp_text([("202.100.1.2", "202.100.1.1", "MM_NO_STATE")])
    end = verify.verdict(r2, h.parse_ios(down), before=h.parse_ios(down), probes=_probe())["tunnels"][0]
    assert end["cause_code"] == "P1_MM_NO_STATE"
    assert end["traffic"]["checked"] and end["traffic"]["passed"] is False


# --------------------------------------------------------------------------- IOS, IKEv2


def test_ios_ikev2_ready_and_negotiating():
    r2 = h.plan(h.seed_intent(version=2), "R2")
    texts = h.healthy_ios_text(r2)
    assert verify.required_reads(r2) == ["ikev2_sa", "ipsec_sa"]
    result = verify.verdict(r2, h.parse_ios(texts))
    assert result["status"] == "up"
    assert result["tunnels"][0]["phase1"]["state"] == "READY"
    texts["ikev2"] = h.ikev2_text([("202.100.1.1", "202.100.1.2", "IN-NEG")])
    end = verify.verdict(r2, h.parse_ios(texts))["tunnels"][0]
    assert end["cause_code"] == "P1_IKEV2_NEGOTIATING"
    assert end["phase1"]["state"] == "IN-NEG"


def test_ios_reads_must_be_present(r2):
    with pytest.raises(verify.VerifyError, match="isakmp_sa"):
        verify.verdict(r2, {"ipsec_sa": parse("show crypto ipsec sa", "")})


# --------------------------------------------------------------------------- strongSwan (lab output)


@pytest.fixture(scope="module")
def site1():
    return h.plan(h.lab_intent(), "site1")


def test_swanctl_lab_output_good_and_broken_tunnel(site1):
    reads = h.parse_swanctl(h.fixture("swanctl_site1_after_probe.txt"))
    result = verify.verdict(site1, reads)
    by_name = {end["tunnel"]: end for end in result["tunnels"]}
    assert by_name["s1-s2"]["status"] == "up"
    assert by_name["s1-s2"]["phase1"]["state"] == "ESTABLISHED"
    assert by_name["s1-s2"]["phase2"]["selectors"][0]["name"] == "s1-s2-1"
    assert by_name["s1-s3"]["status"] == "down"
    assert by_name["s1-s3"]["cause_code"] == "P1_NO_SA"
    assert result["status"] == "down"
    assert [f["tunnel"] for f in result["failed"]] == ["s1-s3"]


def test_swanctl_counters_grow_between_lab_reads(site1):
    before = h.parse_swanctl(h.fixture("swanctl_site1_before_probe.txt"))
    after = h.parse_swanctl(h.fixture("swanctl_site1_after_probe.txt"))
    targets = {t["tunnel"]: t for t in verify.probe_targets(site1, count=3)}
    probes = {
        "s1-s2": verify.probe_result(targets["s1-s2"], h.fixture("linux_ping_ok.txt"), rc=0),
        "s1-s3": verify.probe_result(targets["s1-s3"], h.fixture("linux_ping_lost.txt"), rc=1),
    }
    result = verify.verdict(site1, after, before=before, probes=probes)
    good = result["tunnels"][0]
    assert good["traffic"] == {
        "checked": True, "passed": True, "reason": None, "encaps_delta": 3, "decaps_delta": 3,
        "probe": probes["s1-s2"],
    }
    # the broken tunnel keeps its phase-1 cause although its probe also failed
    assert result["tunnels"][1]["cause_code"] == "P1_NO_SA"
    # the same read twice: the probe left no trace, so traffic did not pass
    stale = verify.verdict(site1, after, before=after, probes=probes)["tunnels"][0]
    assert stale["cause_code"] == "TRAFFIC_NO_ENCAPS"


def test_swanctl_raw_output_gives_the_same_verdict(site1):
    pretty = verify.verdict(site1, h.parse_swanctl(h.fixture("swanctl_site1_after_probe.txt")))
    raw = verify.verdict(site1, h.parse_swanctl(h.fixture("swanctl_site1_raw.txt")))
    assert [(e["tunnel"], e["status"], e["cause_code"]) for e in raw["tunnels"]] == [
        (e["tunnel"], e["status"], e["cause_code"]) for e in pretty["tunnels"]]
    assert raw["tunnels"][0]["phase2"]["selectors"][0]["encaps"] == 3


def _swanctl(ike_state="ESTABLISHED", child=None, name="s1-s3", remote="100.64.0.13"):
    text = (
        "{name}: #7, {state}, IKEv2, 1111111111111111_i* 2222222222222222_r\n"
        "  local  '100.64.0.11' @ 100.64.0.11[500]\n"
        "  remote '{remote}' @ {remote}[500]\n"
    ).format(name=name, state=ike_state, remote=remote)
    if child:
        text += (
            "  {name}-1: #9, reqid 2, {state}, TUNNEL-in-UDP, ESP:AES_GCM_16-256\n"
            "    installed 5s ago, rekeying in 3331s, expires in 3955s\n"
            "    in  cdbd7a0b,    0 bytes,     0 packets\n"
            "    out ccd1f840,    0 bytes,     0 packets\n"
            "    local  {local}\n"
            "    remote {remote_ts}\n"
        ).format(name=name, state=child[0], local=child[1], remote_ts=child[2])
    return text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (_swanctl("CONNECTING"), "P1_CONNECTING"),
        (_swanctl("DELETING"), "P1_NOT_ESTABLISHED"),
        (_swanctl("ESTABLISHED"), "P2_NO_SA"),
        (_swanctl("ESTABLISHED", ("INSTALLED", "10.11.1.0/24", "10.13.0.0/25")), "P2_SELECTOR_MISMATCH"),
        (_swanctl("ESTABLISHED", ("INSTALLING", "10.11.1.0/24", "10.13.0.0/24")), "P2_NO_SA"),
        (_swanctl("ESTABLISHED", ("INSTALLED", "10.11.1.0/24", "10.13.0.0/24")), None),
        # matched by peer address when the connection has another name
        (_swanctl("ESTABLISHED", ("INSTALLED", "10.11.1.0/24", "10.13.0.0/24"), name="legacy"), None),
        (_swanctl("CONNECTING", name="legacy"), "P1_CONNECTING"),
    ],
)
def test_swanctl_states(site1, text, code):
    end = verify.verdict(site1, h.parse_swanctl(text))["tunnels"][1]
    assert end["tunnel"] == "s1-s3"
    assert end["cause_code"] == code
    assert end["status"] == ("up" if code is None else "down")


def test_swanctl_narrowed_selector_is_reported(site1):
    text = _swanctl("ESTABLISHED", ("INSTALLED", "10.11.1.0/24", "10.13.0.0/25"))
    end = verify.verdict(site1, h.parse_swanctl(text))["tunnels"][1]
    assert end["phase2"]["unexpected_selectors"] == ["10.11.1.0/24 <-> 10.13.0.0/25"]
    assert "10.13.0.0/24" in end["detail"]


def test_swanctl_port_selectors():
    intent = h.lab_intent()
    intent["tunnels"][1]["selectors"] = {"protocol": "tcp", "b_port": 443}
    site1 = h.plan(intent, "site1")
    assert site1["tunnels"][1]["children"][0]["remote_ts"] == "10.13.0.0/24[tcp/443]"
    good = _swanctl("ESTABLISHED", ("INSTALLED", "10.11.1.0/24[tcp]", "10.13.0.0/24[tcp/443]"))
    assert verify.verdict(site1, h.parse_swanctl(good))["tunnels"][1]["status"] == "up"
    bad = _swanctl("ESTABLISHED", ("INSTALLED", "10.11.1.0/24[tcp]", "10.13.0.0/24[tcp/80]"))
    assert verify.verdict(site1, h.parse_swanctl(bad))["tunnels"][1]["cause_code"] == "P2_SELECTOR_MISMATCH"


def test_swanctl_read_must_be_present(site1):
    with pytest.raises(verify.VerifyError, match="swanctl_sas"):
        verify.verdict(site1, {"ipsec_sa": {}})


# --------------------------------------------------------------------------- hosts without tunnels, errors


def test_host_without_tunnels_has_status_none():
    plan = {"schema_version": 1, "host": "x", "kind": "none", "platform": None}
    result = verify.verdict(plan, None)
    assert result["status"] == "none" and result["tunnels"] == []
    assert verify.required_reads(plan) == []


def test_not_a_plan_is_refused():
    with pytest.raises(verify.VerifyError, match="plan"):
        verify.verdict({"tunnels": []}, {})


def test_failure_message_lists_every_failed_tunnel(site1):
    result = verify.verdict(site1, h.parse_swanctl(""))
    message = verify.failure_message(result)
    assert message.splitlines()[0] == "site1: 2 of 2 tunnel(s) down"
    assert "- s1-s2 (peer site2): [P1_NO_SA]" in message
    assert "- s1-s3 (peer site3): [P1_NO_SA]" in message
    one = verify.failure_message(verify.verdict(site1, h.parse_swanctl(h.fixture("swanctl_site1_after_probe.txt"))))
    assert one.splitlines()[0] == "site1: 1 of 2 tunnel(s) down"
    assert one.count("\n- ") == 1 and "s1-s2" not in one


def test_failure_message_is_empty_when_all_are_up(r2):
    assert verify.failure_message(verify.verdict(r2, h.parse_ios(h.healthy_ios_text(r2)))) == ""


def test_verdict_never_copies_a_psk(site1, r2):
    assert site1["tunnels"][0]["psk"] == h.PSK_LAB  # the unmasked plan is accepted
    for plan, reads in ((site1, h.parse_swanctl(h.fixture("swanctl_site1_after_probe.txt"))),
                        (r2, h.parse_ios(h.healthy_ios_text(r2)))):
        text = json.dumps(verify.verdict(plan, reads))
        assert h.PSK_LAB not in text and h.PSK_R2_R3 not in text and '"psk"' not in text


def test_parser_warnings_are_passed_on(r2):
    texts = h.healthy_ios_text(r2)
    texts["isakmp"] += "this line means nothing\n"
    result = verify.verdict(r2, h.parse_ios(texts))
    assert result["status"] == "up"
    assert any("this line means nothing" in w for w in result["warnings"])


def test_verdict_does_not_modify_its_inputs(site1):
    reads = h.parse_swanctl(h.fixture("swanctl_site1_after_probe.txt"))
    plan_copy, reads_copy = copy.deepcopy(site1), copy.deepcopy(reads)
    verify.verdict(site1, reads, before=reads)
    assert site1 == plan_copy and reads == reads_copy


# --------------------------------------------------------------------------- scale: 1,000 tunnels


def _hub_reads(hub_plan, drop=()):
    texts = h.healthy_ios_text(hub_plan)
    if drop:
        dropped = {t["peer_address"] for t in hub_plan["tunnels"] if t["name"] in drop}
        rows = [(t["peer_address"], t["local_address"], "QM_IDLE") for t in hub_plan["tunnels"]
                if t["peer_address"] not in dropped]
        texts["isakmp"] = h.isakmp_text(rows)
    return h.parse_ios(texts)


def _best_time(func, repeat=5):
    best = None
    gc.collect()
    gc.disable()
    try:
        for _attempt in range(repeat):
            start = time.perf_counter()
            func()
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
    finally:
        gc.enable()
    return best


def test_thousand_tunnel_hub_is_linear():
    small = h.plan(h.hub_intent(250), "hub")
    large = h.plan(h.hub_intent(1000), "hub")
    assert len(large["tunnels"]) == 1000
    small_reads, large_reads = _hub_reads(small), _hub_reads(large)
    result = verify.verdict(large, large_reads, before=large_reads)
    assert result["status"] == "up" and result["summary"]["up"] == 1000
    t_small = _best_time(lambda: verify.verdict(small, small_reads, before=small_reads))
    t_large = _best_time(lambda: verify.verdict(large, large_reads, before=large_reads))
    # 4x the tunnels: linear costs about 4x, a per-tunnel scan of every SA would cost 16x.
    assert t_large < 10 * t_small, (t_small, t_large)
    assert t_large < 2.0, t_large


def test_thousand_tunnel_hub_names_exactly_the_failed_spokes():
    large = h.plan(h.hub_intent(1000), "hub")
    drop = {large["tunnels"][7]["name"], large["tunnels"][999]["name"]}
    result = verify.verdict(large, _hub_reads(large, drop=drop))
    assert {f["tunnel"] for f in result["failed"]} == drop
    assert {f["cause_code"] for f in result["failed"]} == {"P1_NO_SA"}
    assert result["summary"] == {"total": 1000, "up": 998, "down": 2, "traffic_checked": 0}


# --------------------------------------------------------------------------- selectors of route-based tunnels


def test_gre_and_vti_selectors_without_an_acl():
    gre = {"name": "g", "style": "gre_over_ipsec", "acl": None, "local_address": "203.0.113.1",
           "peer_address": "198.51.100.7"}
    assert verify.planned_selectors(gre, "ios") == [
        (("203.0.113.1/32", 47, 0), ("198.51.100.7/32", 47, 0), None)]
    vti = {"name": "v", "style": "vti", "acl": None, "local_address": "203.0.113.1", "peer_address": "198.51.100.7"}
    assert verify.planned_selectors(vti, "ios") == [(("0.0.0.0/0", 0, 0), ("0.0.0.0/0", 0, 0), None)]


def test_selector_forms_agree():
    ace = {"action": "permit", "protocol": "tcp", "source": "10.1.0.0/16", "source_port": None,
           "destination": "10.2.0.5/32", "destination_port": {"op": "eq", "ports": [443]}}
    local, remote = verify.selector_from_ace(ace)
    assert local == verify.selector_from_ident({"addr": "10.1.0.0", "mask": "255.255.0.0", "prot": 6, "port": 0})
    assert remote == verify.selector_from_ident({"addr": "10.2.0.5", "mask": "255.255.255.255", "prot": 6,
                                                 "port": 443})
    assert remote == verify.selector_from_ts("10.2.0.5/32[tcp/443]")
    assert verify.selector_from_ts("10.2.0.5[tcp/443]") == remote
    assert verify.selector_from_ts("2001:db8::/64") == ("2001:db8::/64", 0, 0)
    assert verify.selector_from_ident({"addr": "2001:DB8::", "mask": "64", "prot": 0, "port": 0,
                                       "prefix_length": 64}) == ("2001:db8::/64", 0, 0)
    assert verify.format_selector(remote) == "10.2.0.5/32 tcp/443"
    assert verify.selector_from_ts("10.1.0.0/16[udp/1000-2000]") == ("10.1.0.0/16", 17, "1000-2000")


def test_plan_selectors_read_port_names_through_the_acl_tables():
    # IOS prints the number in 'local ident (addr/mask/prot/port)': udp isakmp is port 500
    ace = {"action": "permit", "protocol": "udp", "source": "10.1.0.0/16", "source_port": {"op": "eq", "ports": ["isakmp"]},
           "destination": "10.2.0.0/16", "destination_port": {"op": "range", "ports": [1000, 2000]}}
    assert verify.selector_from_ace(ace) == (("10.1.0.0/16", 17, 500), ("10.2.0.0/16", 17, 0))
    assert verify.selector_from_ts("10.1.0.0/16[ah]") == ("10.1.0.0/16", 51, 0)
    assert verify.format_selector(("10.1.0.0/16", 51, 0)) == "10.1.0.0/16 ahp"
