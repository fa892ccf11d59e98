"""The strongswan role's rendering, without a lab: ``strongswan_apply: false`` on local hosts.

Covers the plan shapes the lab cannot negotiate (route-based VTI with if_id, AH in transport mode,
IKEv1 aggressive mode toward an IOS peer, GRE over IPsec with MTU and MSS clamping), idempotent
rendering, check/diff mode without keys, pruning of a removed tunnel, refusal of names swanctl
cannot take, and teardown. Runs ``ansible-playbook`` with ``ansible_connection: local``; needs no
root and no strongSwan.
"""

import base64
import copy
import json
import os
import re
import stat
import subprocess
import sys

import playbook_runner
import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "strongswan.yml")
TEARDOWN = os.path.join(REPO_ROOT, "playbooks", "strongswan_teardown.yml")
INTENT_FILE = os.path.join(HERE, "intents", "render.yml")
KEYS = "ipsec-vpn-keys.secrets.conf"
MARKER = "# Managed by the ipsec.vpn strongswan role; local changes are overwritten."


def load_intent():
    with open(INTENT_FILE) as fh:
        return yaml.safe_load(fh)["ipsec_vpn_intent"]


def psks(intent):
    return [t["psk"] for t in intent["tunnels"]]


@pytest.fixture()
def workdir(tmp_path):
    inventory = {
        "all": {
            "children": {
                "strongswan": {
                    "hosts": {"gw1": {}, "gw2": {}, "rtr3": {}},
                    "vars": {
                        "ansible_connection": "local",
                        "ansible_python_interpreter": sys.executable,
                        "strongswan_apply": False,
                        "strongswan_conf_dir": str(tmp_path / "{{ inventory_hostname }}" / "conf.d"),
                        "strongswan_state_dir": str(tmp_path / "{{ inventory_hostname }}" / "state"),
                    },
                }
            }
        }
    }
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(inventory))
    return tmp_path


def run(workdir, playbook, intent, *args):
    intent_path = workdir / "intent.json"
    intent_path.write_text(json.dumps({"ipsec_vpn_intent": intent}))
    res = playbook_runner.run(playbook, workdir / "hosts.yml", "-e", f"@{intent_path}", *args, cwd=REPO_ROOT,
                              timeout=300)
    return res.returncode, res.output, res.changed()


def read(workdir, host, *parts):
    return (workdir / host).joinpath(*parts).read_text()


def listing(workdir, host, sub):
    folder = workdir / host / sub
    return sorted(os.listdir(folder)) if folder.is_dir() else []


def test_render_every_shape(workdir):
    intent = load_intent()
    rc, out, recap = run(workdir, PLAYBOOK, intent)
    assert rc == 0, out
    assert recap["gw1"] > 0 and recap["gw2"] > 0 and recap["rtr3"] == 0, out
    assert listing(workdir, "gw1", "conf.d") == ["ipsec-vpn-ah-gw1-rtr3.conf", KEYS, "ipsec-vpn-vti-gw1-gw2.conf"]
    assert listing(workdir, "gw2", "conf.d") == ["ipsec-vpn-gre-gw2-rtr3.conf", KEYS, "ipsec-vpn-vti-gw1-gw2.conf"]
    # the IOS router is not the role's business
    assert not (workdir / "rtr3").exists()
    for host in ("gw1", "gw2"):
        for name in listing(workdir, host, "conf.d"):
            mode = stat.S_IMODE((workdir / host / "conf.d" / name).stat().st_mode)
            assert mode == 0o600, (host, name, oct(mode))

    vti = read(workdir, "gw1", "conf.d", "ipsec-vpn-vti-gw1-gw2.conf")
    assert vti.startswith(MARKER + "\n")
    for line in ("version = 2", "local_addrs = 100.66.0.1", "remote_addrs = 100.66.0.2",
                 "proposals = aes256gcm16-prfsha384-ecp384, aes128-sha256-modp2048",
                 'id = "100.66.0.1"', 'id = "100.66.0.2"', "dpd_delay = 15s",
                 "local_ts = 0.0.0.0/0", "remote_ts = 0.0.0.0/0", "mode = tunnel",
                 "esp_proposals = aes256gcm16-ecp384, aes128-sha256-ecp384",
                 "rekey_time = 1620s", "life_time = 1800s", "rekey_bytes = 94371840", "life_bytes = 104857600",
                 "dpd_action = clear", "start_action = start", "if_id_in = 2", "if_id_out = 2"):
        assert re.search(rf"^\s*{re.escape(line)}$", vti, re.M), (line, vti)
    assert "dpd_timeout" not in vti and "aggressive" not in vti and "secret" not in vti.split("connections")[1]

    ah = read(workdir, "gw1", "conf.d", "ipsec-vpn-ah-gw1-rtr3.conf")
    for line in ("version = 1", "aggressive = yes", "proposals = aes256-sha256-modp2048", "rekey_time = 28800s",
                 'id = "gw1.example.net"', 'id = "100.66.0.3"', "mode = transport",
                 "ah_proposals = sha256-modp2048", "dpd_delay = 0s", "dpd_timeout = 0s", "dpd_action = clear",
                 "local_ts = 10.61.0.0/24", "remote_ts = 10.63.0.0/24"):
        assert re.search(rf"^\s*{re.escape(line)}$", ah, re.M), (line, ah)
    assert "esp_proposals" not in ah and "if_id" not in ah

    gre = read(workdir, "gw2", "conf.d", "ipsec-vpn-gre-gw2-rtr3.conf")
    assert re.search(r"^\s*local_ts = 100\.66\.0\.2/32\[gre\]$", gre, re.M), gre
    assert re.search(r"^\s*remote_ts = 100\.66\.0\.3/32\[gre\]$", gre, re.M), gre

    keys = read(workdir, "gw1", "conf.d", KEYS)
    assert "ike-ah-gw1-rtr3 {" in keys and "ike-vti-gw1-gw2 {" in keys
    assert 'id-local = "gw1.example.net"' in keys
    for tunnel in intent["tunnels"]:
        encoded = "secret = 0s" + base64.b64encode(tunnel["psk"].encode()).decode()
        on_gw1 = "gw1" in (tunnel["a"]["gateway"], tunnel["b"]["gateway"])
        assert (encoded in keys) == on_gw1, tunnel["name"]
        assert tunnel["psk"] not in out, "a key reached the playbook output"

    xfrm = read(workdir, "gw1", "state", "ipsec-vpn-vti-gw1-gw2.link.sh")
    assert xfrm.startswith("#!/bin/sh\n# " + MARKER[2:])
    assert "dev=xfrm2" in xfrm and 'ip link add "$dev" type xfrm dev eth1 if_id 2' in xfrm
    assert "ip addr replace 172.30.12.1/30" in xfrm
    gre_link = read(workdir, "gw2", "state", "ipsec-vpn-gre-gw2-rtr3.link.sh")
    assert 'ip link add "$dev" type gre local 100.66.0.2 remote 100.66.0.3 ttl 255' in gre_link
    assert "ip link set dev \"$dev\" mtu 1400" in gre_link and "dev=gre3" in gre_link
    # the scripts are valid shell
    for host, name in (("gw1", "ipsec-vpn-vti-gw1-gw2.link.sh"), ("gw2", "ipsec-vpn-gre-gw2-rtr3.link.sh")):
        subprocess.run(["sh", "-n", str(workdir / host / "state" / name)], check=True)


def test_firewall_table_with_ah_and_mss(workdir):
    intent = load_intent()
    for gateway in ("gw1", "gw2"):
        # the restriction is an intent setting; these local hosts are managed through lo, not eth1
        intent["gateways"][gateway]["strongswan"] = {"firewall_restrict": True}
        intent["gateways"][gateway]["management"] = {"interface": "lo"}
    rc, out = run(workdir, PLAYBOOK, intent, "-e", "strongswan_manage_firewall=true")[:2]
    assert rc == 0, out
    gw1 = read(workdir, "gw1", "state", "ipsec-vpn-firewall.nft")
    assert 'iifname "eth1" udp dport { 500, 4500 } accept' in gw1
    assert 'iifname "eth1" meta l4proto ah accept' in gw1 and 'meta l4proto esp accept' in gw1
    assert gw1.rstrip().endswith("}") and 'iifname "eth1" drop' in gw1
    gw2 = read(workdir, "gw2", "state", "ipsec-vpn-firewall.nft")
    assert "meta l4proto ah" not in gw2
    assert 'oifname "gre3" tcp flags syn tcp option maxseg size set 1360' in gw2
    nft = "/usr/sbin/nft"
    if os.geteuid() == 0 and os.access(nft, os.X_OK):
        # nft -c parses and checks the whole ruleset without loading it
        for host in ("gw1", "gw2"):
            res = subprocess.run([nft, "-c", "-f", str(workdir / host / "state" / "ipsec-vpn-firewall.nft")],
                                 capture_output=True, text=True, check=False)
            assert res.returncode == 0, (host, res.stderr)


def test_second_run_changes_nothing(workdir):
    intent = load_intent()
    assert run(workdir, PLAYBOOK, intent)[0] == 0
    rc, out, recap = run(workdir, PLAYBOOK, intent)
    assert rc == 0, out
    assert recap == {"gw1": 0, "gw2": 0, "rtr3": 0}, out


def test_check_diff_then_apply_a_removal(workdir):
    intent = load_intent()
    assert run(workdir, PLAYBOOK, intent)[0] == 0
    before = {h: {n: read(workdir, h, "conf.d", n) for n in listing(workdir, h, "conf.d")} for h in ("gw1", "gw2")}
    changed = copy.deepcopy(intent)
    changed["tunnels"] = [t for t in changed["tunnels"] if t["name"] != "vti-gw1-gw2"]
    changed["tunnels"][0]["psk"] = "render-ah-psk-rotated-Vb5n1"
    changed["crypto_profiles"]["ah-aggressive"]["ike"]["lifetime"] = 14400

    rc, out, recap = run(workdir, PLAYBOOK, changed, "--check", "--diff")
    assert rc == 0, out
    assert "-        rekey_time = 28800s" in out and "+        rekey_time = 14400s" in out, out
    assert recap["gw1"] > 0 and recap["gw2"] > 0
    for psk in psks(intent) + psks(changed):
        assert psk not in out
        assert base64.b64encode(psk.encode()).decode() not in out
    after = {h: {n: read(workdir, h, "conf.d", n) for n in listing(workdir, h, "conf.d")} for h in ("gw1", "gw2")}
    assert after == before, "check mode changed files"

    (workdir / "gw1" / "conf.d" / "ipsec-vpn-handmade.conf").write_text("# not the role's\n")
    rc, out = run(workdir, PLAYBOOK, changed)[:2]
    assert rc == 0, out
    assert listing(workdir, "gw1", "conf.d") == ["ipsec-vpn-ah-gw1-rtr3.conf", "ipsec-vpn-handmade.conf", KEYS]
    assert listing(workdir, "gw2", "conf.d") == ["ipsec-vpn-gre-gw2-rtr3.conf", KEYS]
    assert listing(workdir, "gw1", "state") == []
    keys = read(workdir, "gw1", "conf.d", KEYS)
    assert "vti-gw1-gw2" not in keys
    assert "0s" + base64.b64encode(b"render-ah-psk-rotated-Vb5n1").decode() in keys

    rc, out, recap = run(workdir, TEARDOWN, changed)
    assert rc == 0, out
    assert recap["gw1"] > 0 and recap["gw2"] > 0 and recap["rtr3"] == 0, out
    assert listing(workdir, "gw1", "conf.d") == ["ipsec-vpn-handmade.conf"]
    assert listing(workdir, "gw2", "conf.d") == []
    assert not (workdir / "gw2" / "state").exists()


def test_names_swanctl_cannot_take_are_refused(workdir):
    intent = load_intent()
    intent["tunnels"][0]["name"] = "vti.gw1-gw2"
    rc, out = run(workdir, PLAYBOOK, intent)[:2]
    assert rc != 0
    assert "tunnel 'vti.gw1-gw2': swanctl section names cannot contain dots" in out, out
    assert listing(workdir, "gw1", "conf.d") == []
