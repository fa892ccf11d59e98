"""strongswan.state, .routes, .commands and .backup: reading a gateway and deciding what to do.

The swanctl outputs in fixtures/ were captured from the lab (strongSwan 5.9.8) with the lab's default intent
loaded: site1 is the hub of lab-hub--site1--site2/--site3 and side a of legacy-site1-site4.
"""

import json
import os
import subprocess

import pytest
import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.strongswan import backup, commands, render, routes, state

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
HUB2, HUB3, LEGACY = "lab-hub--site1--site2", "lab-hub--site1--site3", "legacy-site1-site4"


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def lab_plan(host):
    with open(os.path.join(REPO, "inventories", "lab", "group_vars", "all", "ipsec_vpn_intent.yml")) as handle:
        intent = yaml.safe_load(handle)["ipsec_vpn_intent"]
    return planner.plan_host(intent, host, {"address": f"198.18.{host[-1]}.2", "port": 22})


def observed(**changes):
    base = {"dirs": {"conf": 0o755, "state": 0o700}, "files": [], "record": None, "charon": True, "conns": "",
            "sas": "", "routes_v4": "", "routes_v6": "", "firewall_loaded": True, "errors": [], "complete": True}
    base.update(changes)
    return base


def files_on_host(wanted, marker=True):
    return [{"folder": f["folder"], "name": f["name"], "mode": f["mode"], "sha256": state.digest(f["content"]),
             "marker": marker, "content": None if f["secret"] else f["content"]} for f in wanted]


OPTIONS = {"file_prefix": "ipsec-vpn-", "apply": True, "manage_links": False, "manage_firewall": True,
           "manage_routes": True, "wanted_routes": [], "initiate": True, "start_action": "start"}


# ---------------------------------------------------------------------------------------------
# loaded state
# ---------------------------------------------------------------------------------------------


def test_list_conns_raw_is_read_into_addresses_version_and_children():
    conns = state.parse_list_conns(fixture("site1-list-conns.raw"))
    assert sorted(conns) == [HUB2, HUB3, LEGACY]
    assert conns[LEGACY] == {
        "local_addrs": ["100.64.0.11"], "remote_addrs": ["100.64.0.14"], "version": "IKEv1",
        "children": {f"{LEGACY}-1": {"mode": "TUNNEL", "local_ts": ["10.11.1.0/24"], "remote_ts": ["10.14.1.0/24"]}},
    }
    assert conns[HUB2]["version"] == "IKEv2"


def test_the_lab_plan_matches_what_charon_loaded_and_drift_is_named():
    plan = lab_plan("site1")
    loaded = state.parse_list_conns(fixture("site1-list-conns.raw"))
    assert state.conn_drift(plan["tunnels"], loaded) == []
    del loaded[HUB3]
    loaded[LEGACY]["remote_addrs"] = ["100.64.0.99"]
    loaded[HUB2]["children"] = {}
    assert state.conn_drift(plan["tunnels"], loaded) == [
        f"{HUB2}: children are [], the plan has ['{HUB2}-1']",
        f"{HUB3}: not loaded",
        f"{LEGACY}: remote_addrs is ['100.64.0.99'], the plan has ['100.64.0.14']",
    ]


def test_children_down_and_initiators_from_the_captured_sas():
    plan = lab_plan("site1")
    sas = state.parse_sas(fixture("site1-list-sas.txt"))
    assert sas["warnings"] == []
    assert state.children_down(plan["tunnels"], sas) == []
    assert state.initiators(plan["tunnels"], sas) == []
    # without any SA: site1 is side a of the legacy pair and the hub (side a) of both spoke tunnels
    none = state.parse_sas("")
    assert state.children_down(plan["tunnels"], none) == [f"{HUB2}-1", f"{HUB3}-1", f"{LEGACY}-1"]
    assert state.initiators(plan["tunnels"], none) == [(HUB2, f"{HUB2}-1"), (HUB3, f"{HUB3}-1"),
                                                       (LEGACY, f"{LEGACY}-1")]
    # a spoke (side b toward a strongSwan hub) leaves the initiation to the hub
    assert state.initiators(lab_plan("site2")["tunnels"], none) == []


def test_a_child_under_a_connecting_ike_sa_is_down():
    plan = lab_plan("site2")
    text = fixture("site2-list-sas.txt").replace("ESTABLISHED", "CONNECTING")
    assert state.children_down(plan["tunnels"], state.parse_sas(text)) == [f"{HUB2}-1"]


def test_initiator_toward_an_ios_peer_from_side_b():
    tunnels = [{"name": "t", "side": "b", "peer_platform": "ios", "children": [{"name": "t-1"}, {"name": "t-2"}]},
               {"name": "u", "side": "b", "peer_platform": "strongswan", "children": [{"name": "u-1"}]}]
    assert state.initiators(tunnels, state.parse_sas("")) == [("t", "t-1"), ("t", "t-2")]


# ---------------------------------------------------------------------------------------------
# what a run does
# ---------------------------------------------------------------------------------------------


def converged_host(plan, wanted):
    return observed(files=files_on_host(wanted), record=state.conf_digests(wanted),
                    conns=fixture("site1-list-conns.raw"), sas=fixture("site1-list-sas.txt"))


def test_a_converged_host_needs_nothing():
    plan = lab_plan("site1")
    wanted = render.rendered_files(plan, {"manage_firewall": True, "firewall_restrict": True})
    actions = state.present_actions(plan, converged_host(plan, wanted), OPTIONS, wanted)
    assert actions == {"write": [], "terminate": [], "delete_conf": [], "links_down": [], "delete_links": [],
                       "links_up": [], "firewall_load": False, "load": [], "routes_add": [], "routes_delete": []}


def test_files_already_new_but_never_loaded_are_loaded():
    """The interrupted run: the files are new, charon still runs the old configuration."""
    plan = lab_plan("site1")
    wanted = render.rendered_files(plan, {"manage_firewall": True, "firewall_restrict": True})
    host = converged_host(plan, wanted)
    host["record"] = dict(host["record"], **{"ipsec-vpn-legacy-site1-site4.conf": "0" * 64})
    actions = state.present_actions(plan, host, OPTIONS, wanted)
    assert actions["write"] == []
    assert actions["load"] == ["the files differ from what was last loaded"]
    # no record at all (first run of this version, or charon never loaded them)
    actions = state.present_actions(plan, dict(host, record=None), OPTIONS, wanted)
    assert actions["load"] == ["the files differ from what was last loaded"]


def test_charon_restarted_without_its_configuration_is_loaded():
    plan = lab_plan("site1")
    wanted = render.rendered_files(plan, {"manage_firewall": True, "firewall_restrict": True})
    host = dict(converged_host(plan, wanted), conns="", sas="")
    actions = state.present_actions(plan, host, OPTIONS, wanted)
    assert actions["load"] == [f"{HUB2}: not loaded", f"{HUB3}: not loaded", f"{LEGACY}: not loaded"]


def test_no_charon_means_no_load_and_no_terminate():
    plan = lab_plan("site1")
    wanted = render.rendered_files(plan, {})
    actions = state.present_actions(plan, observed(charon=False), dict(OPTIONS, manage_firewall=False), wanted)
    assert actions["load"] == [] and actions["terminate"] == []
    assert [(f["name"], change) for f, change in actions["write"]] == [
        (f"ipsec-vpn-{HUB2}.conf", "create"), (f"ipsec-vpn-{HUB3}.conf", "create"),
        (f"ipsec-vpn-{LEGACY}.conf", "create"), ("ipsec-vpn-keys.secrets.conf", "create")]


def test_a_removed_tunnel_is_terminated_deleted_and_unloaded_and_foreign_files_stay():
    plan = lab_plan("site1")
    wanted = render.rendered_files(plan, {"manage_firewall": True, "firewall_restrict": True})
    host = converged_host(plan, wanted)
    plan["tunnels"] = [t for t in plan["tunnels"] if t["name"] != LEGACY]
    smaller = render.rendered_files(plan, {"manage_firewall": True, "firewall_restrict": True})
    host["files"].append({"folder": "conf", "name": "ipsec-vpn-handmade.conf", "mode": 0o644, "sha256": "x",
                          "marker": False, "content": None})
    actions = state.present_actions(plan, host, OPTIONS, smaller)
    assert actions["terminate"] == [LEGACY]
    assert actions["delete_conf"] == [f"ipsec-vpn-{LEGACY}.conf"]
    assert [(f["name"], c) for f, c in actions["write"]] == [("ipsec-vpn-keys.secrets.conf", "update")]
    assert actions["load"][0] == f"files changed: ipsec-vpn-keys.secrets.conf, ipsec-vpn-{LEGACY}.conf"
    assert f"removed tunnels still loaded: {LEGACY}" in actions["load"]


def test_a_tunnel_removed_by_an_interrupted_run_is_still_unloaded():
    """Its file is gone already but charon still has it: the record names it."""
    plan = lab_plan("site1")
    wanted = render.rendered_files(plan, {"manage_firewall": True, "firewall_restrict": True})
    host = converged_host(plan, wanted)
    plan["tunnels"] = [t for t in plan["tunnels"] if t["name"] != LEGACY]
    smaller = render.rendered_files(plan, {"manage_firewall": True, "firewall_restrict": True})
    host["files"] = files_on_host(smaller)
    actions = state.present_actions(plan, host, OPTIONS, smaller)
    assert actions["write"] == [] and actions["delete_conf"] == []
    assert actions["terminate"] == [LEGACY]
    assert actions["load"] == ["the files differ from what was last loaded", f"removed tunnels still loaded: {LEGACY}"]


def test_mode_only_change_and_firewall_reload():
    plan = lab_plan("site2")
    wanted = render.rendered_files(plan, {"manage_firewall": True})
    host = observed(files=files_on_host(wanted), record=state.conf_digests(wanted), firewall_loaded=False,
                    conns=fixture("site1-list-conns.raw"))
    host["files"][0]["mode"] = 0o644
    actions = state.present_actions(plan, host, dict(OPTIONS, manage_routes=False), wanted)
    assert [(f["name"], c) for f, c in actions["write"]] == [(f"ipsec-vpn-{HUB2}.conf", "mode")]
    assert actions["firewall_load"] is True
    # site1's loaded connections seen from site2's plan: the addresses are the other way round
    assert actions["load"] == [f"{HUB2}: local_addrs is ['100.64.0.11'], the plan has ['100.64.0.12']",
                               f"{HUB2}: remote_addrs is ['100.64.0.12'], the plan has ['100.64.0.11']"]


def test_render_only_runs_nothing_on_the_host():
    plan = lab_plan("site1")
    wanted = render.rendered_files(plan, {})
    actions = state.present_actions(plan, observed(charon=False), dict(OPTIONS, apply=False, manage_links=True),
                                    wanted)
    assert actions["load"] == [] and actions["links_up"] == [] and actions["routes_add"] == []
    assert actions["firewall_load"] is False


def test_stale_link_scripts_are_taken_down_and_deleted():
    host = observed(files=[{"folder": "state", "name": "ipsec-vpn-old.link.sh", "mode": 0o700, "sha256": "x",
                            "marker": True, "content": "#"}])
    plan = {"tunnels": []}
    actions = state.present_actions(plan, host, dict(OPTIONS, manage_links=True, manage_routes=False,
                                                     manage_firewall=False), [])
    assert actions["links_down"] == ["ipsec-vpn-old.link.sh"]
    assert actions["delete_links"] == ["ipsec-vpn-old.link.sh"]


def test_connection_of_file():
    assert state.connection_of_file("ipsec-vpn-a--b.conf", "ipsec-vpn-") == "a--b"
    assert state.connection_of_file("ipsec-vpn-keys.secrets.conf", "ipsec-vpn-") is None
    assert state.connection_of_file("ipsec-vpn-keys.conf", "ipsec-vpn-") == "keys"
    assert state.connection_of_file("other.conf", "ipsec-vpn-") is None


# ---------------------------------------------------------------------------------------------
# routes
# ---------------------------------------------------------------------------------------------


ROUTES_PLAN = {"routes": [
    {"prefix": "10.12.0.0/24", "next_hop": "100.64.0.12", "interface": None, "reason_code": "remote_protected"},
    {"prefix": "10.50.0.0/16", "next_hop": "10.11.0.254", "interface": None, "reason_code": "inside_protected"},
    {"prefix": "10.60.0.0/24", "next_hop": None, "interface": "xfrm2", "reason_code": "overlay_static"},
    {"prefix": "100.65.0.9/32", "next_hop": "100.64.0.1", "interface": None, "reason_code": "peer_public"},
]}


def test_wanted_routes_select_reasons_and_skip_overlays_without_links():
    assert routes.wanted_routes(ROUTES_PLAN) == [
        "10.50.0.0/16 via 10.11.0.254", "100.65.0.9/32 via 100.64.0.1", "10.60.0.0/24 dev xfrm2"]
    assert routes.wanted_routes(ROUTES_PLAN, manage_links=False) == [
        "10.50.0.0/16 via 10.11.0.254", "100.65.0.9/32 via 100.64.0.1"]
    assert routes.wanted_routes(ROUTES_PLAN, ["remote_protected"]) == ["10.12.0.0/24 via 100.64.0.12"]


def test_installed_routes_read_ip_json_host_routes_and_default():
    v4 = json.dumps([{"dst": "100.65.0.9", "gateway": "100.64.0.1", "dev": "wan0"},
                     {"dst": "default", "gateway": "100.64.0.1", "dev": "wan0"},
                     {"dst": "10.60.0.0/24", "dev": "xfrm2"}])
    v6 = json.dumps([{"dst": "2001:db8::1", "dev": "wan0"}])
    assert routes.installed_routes(v4, v6) == ["100.65.0.9/32 via 100.64.0.1", "0.0.0.0/0 via 100.64.0.1",
                                               "10.60.0.0/24 dev xfrm2", "2001:db8::1/128 dev wan0"]
    assert routes.installed_routes("", "\n") == []
    assert routes.every_installed_route(v4, v6) == [("-4", "100.65.0.9"), ("-4", "default"), ("-4", "10.60.0.0/24"),
                                                    ("-6", "2001:db8::1")]


def test_route_changes():
    add, delete = routes.route_changes(["a via 1", "b via 2"], ["b via 2", "c dev x"])
    assert (add, delete) == (["a via 1"], ["c dev x"])


# ---------------------------------------------------------------------------------------------
# commands, run for real in a shell (apply off: no swanctl needed)
# ---------------------------------------------------------------------------------------------


def sh(script, data=None):
    return subprocess.run(["sh", "-c", script], input=data, capture_output=True, text=True, timeout=30, check=False)


def read_options(tmp_path, **extra):
    base = {"conf_dir": str(tmp_path / "conf.d"), "state_dir": str(tmp_path / "state"), "file_prefix": "ipsec-vpn-",
            "apply": False, "vici_socket": str(tmp_path / "vici"), "manage_routes": False, "route_protocol": 145,
            "manage_firewall": False, "firewall_table": "ipsec_vpn", "command_timeout": 5}
    base.update(extra)
    return base


def test_write_then_read_round_trip_keeps_the_keys_file_content_on_the_host(tmp_path):
    opts = read_options(tmp_path)
    plan = lab_plan("site1")
    wanted = render.rendered_files(plan, {})
    empty = commands.parse_read(sh(commands.as_one_command(commands.read_script(opts))).stdout)
    assert empty["complete"] and empty["files"] == [] and empty["dirs"] == {"conf": None, "state": None}
    for folder, mode in (("conf", 0o755), ("state", 0o700)):
        assert sh(commands.mkdir(commands.folder_path(opts, folder), mode)).returncode == 0
    for f in wanted:
        res = sh(commands.write_file(commands.file_path(opts, f["folder"], f["name"]), f["mode"]), f["content"])
        assert res.returncode == 0, res.stderr
    (tmp_path / "conf.d" / "ipsec-vpn-handmade.conf").write_text("# not ours\nsecret = x\n")
    (tmp_path / "state" / state.record_file_name("ipsec-vpn-")).write_text(
        commands.record_text(state.conf_digests(wanted)))
    seen = commands.parse_read(sh(commands.as_one_command(commands.read_script(opts))).stdout)
    assert seen["complete"] and seen["errors"] == []
    assert seen["dirs"] == {"conf": 0o755, "state": 0o700}
    assert seen["record"] == state.conf_digests(wanted)
    by_name = {f["name"]: f for f in seen["files"]}
    assert sorted(by_name) == sorted([f["name"] for f in wanted] + ["ipsec-vpn-handmade.conf"])
    for f in wanted:
        assert by_name[f["name"]]["sha256"] == state.digest(f["content"])
        assert by_name[f["name"]]["mode"] == f["mode"] and by_name[f["name"]]["marker"]
        assert by_name[f["name"]]["content"] == (None if f["secret"] else f["content"])
    assert by_name["ipsec-vpn-handmade.conf"]["marker"] is False
    assert by_name["ipsec-vpn-handmade.conf"]["content"] is None
    # the read matches the plan: nothing to do (apply off)
    actions = state.present_actions(plan, seen, dict(OPTIONS, apply=False), wanted)
    assert actions["write"] == [] and actions["delete_conf"] == []
    # no leftover temporary file
    assert not [n for n in os.listdir(tmp_path / "conf.d") if n.startswith(".")]


def test_a_failing_validation_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "f.nft"
    target.write_text("old\n")
    script = commands.write_file(str(target), 0o600).replace('&& mv -f', '&& false && mv -f')
    assert sh(script, "new\n").returncode != 0
    assert target.read_text() == "old\n" and os.listdir(tmp_path) == ["f.nft"]


def test_commands_are_time_bounded_and_quoted():
    assert commands.terminate("a b", 30) == "timeout -k 5 30 swanctl --terminate --ike 'a b' --timeout 10"
    assert commands.route("replace", "10.0.0.0/24 via 1.2.3.4", 145, 60) == (
        "timeout -k 5 60 ip route replace 10.0.0.0/24 via 1.2.3.4 table main proto 145")
    assert commands.route("del", "default", 145, 60, family="-6") == (
        "timeout -k 5 60 ip -6 route del default table main proto 145")
    script = commands.read_script(dict(read_options(__import__("pathlib").Path("/x")), apply=True,
                                       manage_routes=True, manage_firewall=True))
    for line in script.splitlines():
        for tool in ("swanctl ", "ip -j", "nft list"):
            if tool in line:
                assert "timeout -k 5 5 " + tool in line, line


def test_a_command_that_outlives_its_time_is_killed():
    res = sh(commands.bounded(["sleep", "5"], 1))
    assert res.returncode == commands.TIMED_OUT


def test_parse_read_of_the_apply_sections():
    text = "\n".join(["@@dirs 755 700", "@@record", "", "@@charon 1", "@@conns", fixture("site1-list-conns.raw"),
                      "@@sas", fixture("site1-list-sas.txt"), "@@routes4", '[{"dst":"10.9.0.0/24","dev":"x"}]',
                      "@@routes6", "[]", "@@firewall 1", "@@end"])
    seen = commands.parse_read(text)
    assert seen["charon"] and seen["complete"] and seen["record"] is None and seen["firewall_loaded"] is False
    assert sorted(state.parse_list_conns(seen["conns"])) == [HUB2, HUB3, LEGACY]
    assert len(state.parse_sas(seen["sas"])["ike_sas"]) == 3
    assert routes.installed_routes(seen["routes_v4"], seen["routes_v6"]) == ["10.9.0.0/24 dev x"]
    assert commands.parse_read("@@dirs - -\n@@error list-sas 124\n")["errors"] == ["list-sas 124"]
    assert commands.parse_read("@@dirs - -\n")["complete"] is False


# ---------------------------------------------------------------------------------------------
# backup and restore
# ---------------------------------------------------------------------------------------------


def backed_up_host():
    plan = lab_plan("site1")
    wanted = render.rendered_files(plan, {"manage_firewall": True, "firewall_restrict": True})
    host = converged_host(plan, wanted)
    host["routes_v4"] = json.dumps([{"dst": "10.50.0.0/16", "gateway": "10.11.0.254", "dev": "lan0"}])
    return plan, wanted, host


def test_manifest_records_files_loaded_state_and_routes_without_content():
    _plan, wanted, host = backed_up_host()
    data = backup.manifest(host, "before-rollout", "2026-01-01T00:00:00Z")
    assert [f["name"] for f in data["files"]] == sorted(f["name"] for f in wanted if f["folder"] == "conf") + [
        "ipsec-vpn-firewall.nft"]
    assert all(set(f) == {"folder", "name", "mode", "sha256"} for f in data["files"])
    assert data["connections"] == [HUB2, HUB3, LEGACY]
    assert data["children_up"] == [[HUB2, f"{HUB2}-1"], [HUB3, f"{HUB3}-1"], [LEGACY, f"{LEGACY}-1"]]
    assert data["routes"] == ["10.50.0.0/16 via 10.11.0.254"]
    assert data["record"] == state.conf_digests(wanted)
    assert "psk" not in json.dumps(data) and "secret" not in json.dumps(data).replace("secrets.conf", "")


def test_restore_after_a_failed_change_puts_files_back_reloads_and_reinitiates():
    plan, wanted, host = backed_up_host()
    data = backup.manifest(host, "previous", "t")
    # the failed change: a new tunnel file, a changed keys file, charon running the new set, a route gone
    after = json.loads(json.dumps(host))
    after["files"].append({"folder": "conf", "name": "ipsec-vpn-new.conf", "mode": 0o600, "sha256": "n",
                           "marker": True, "content": "x"})
    keys = next(f for f in after["files"] if f["name"] == "ipsec-vpn-keys.secrets.conf")
    keys["sha256"] = "changed"
    after["routes_v4"] = ""
    after["sas"] = ""
    del plan, wanted
    actions = backup.restore_actions(data, after, {"apply": True, "manage_routes": True, "manage_firewall": True,
                                                   "file_prefix": "ipsec-vpn-"})
    assert actions["copy"] == [("conf", "ipsec-vpn-keys.secrets.conf", 0o600)]
    assert actions["delete"] == [("conf", "ipsec-vpn-new.conf")]
    assert actions["load"] is True and actions["firewall_load"] is False
    assert actions["routes_add"] == ["10.50.0.0/16 via 10.11.0.254"] and actions["routes_delete"] == []
    assert backup.still_down(actions["reinitiate"], state.parse_sas("")) == [
        (HUB2, f"{HUB2}-1"), (HUB3, f"{HUB3}-1"), (LEGACY, f"{LEGACY}-1")]
    assert backup.still_down(actions["reinitiate"], state.parse_sas(fixture("site1-list-sas.txt"))) == []


def test_restore_of_an_unchanged_host_does_nothing():
    _plan, _wanted, host = backed_up_host()
    data = backup.manifest(host, "previous", "t")
    actions = backup.restore_actions(data, host, {"apply": True, "manage_routes": True, "manage_firewall": True,
                                                  "file_prefix": "ipsec-vpn-"})
    assert actions["copy"] == [] and actions["delete"] == [] and actions["load"] is False
    assert actions["routes_add"] == [] and actions["routes_delete"] == [] and actions["firewall_load"] is False


@pytest.mark.parametrize("name", ["../x", "", "a/b", ".hidden", "a b"])
def test_backup_names_cannot_leave_the_backup_folder(name):
    with pytest.raises(backup.BackupError):
        backup.backup_dir("/etc/swanctl/ipsec-vpn", name)


def test_backup_dir():
    assert backup.backup_dir("/etc/swanctl/ipsec-vpn/", "before-1.2") == "/etc/swanctl/ipsec-vpn/backups/before-1.2"


def test_a_manifest_without_its_fields_is_refused():
    with pytest.raises(backup.BackupError, match="without 'files'"):
        backup.check_manifest({"name": "x", "children_up": [], "routes": []})
