"""End-to-end tests of the ipsec.vpn.strongswan role against the strongSwan lab.

The lab (lab/labctl: four network-namespace sites, each with its own sshd and charon doing ESP
in userspace through kernel-libipsec) is built once for this module and torn down at its end.
Every test runs ``ansible-playbook`` over SSH, then looks at the sites directly (``labctl exec
SITE -- swanctl ...``) and sends LAN-to-LAN pings between the sites' loopback prefixes. The tests
form one scenario, in file order:

1. the lab's default intent (inventories/lab/group_vars) is rolled out; its weak IKEv1 pair
   (site1 <-> site4, DES/MD5/DH 2) and its IKEv2 hub (site1) with two spokes come up and pass
   traffic;
2. a second run changes nothing and no SA is re-established;
3. check mode with diff previews a change without touching a site and without showing a key;
4. intents with mismatched proposals or non-mirrored selectors are refused by the planner
   before any site changes;
5. a changed intent removes a tunnel (its files and SAs go, its neighbours stay) and adds a GRE
   over IPsec tunnel whose GRE CHILD_SA negotiates (no GRE packet can flow: this kernel has no
   GRE links);
6. the teardown playbook leaves no connection, SA, file, route or firewall table behind.

Needs root (network namespaces); without root the tests fail with a message saying so. The lab
is shared with the other suites that use it through tests/e2e/lab_lock.py (an exclusive lock on
/run/lock/ipsec-vpn-lab.lock, held from ``labctl up`` to ``labctl down``).
"""

import base64
import copy
import json
import os
import re
import subprocess
import sys
import time

import playbook_runner
import pytest
import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.swanctl_list_sas import parse_swanctl_list_sas
from lab_lock import lab_lock  # tests/e2e/lab_lock.py, shared by every suite that uses the lab

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
LABCTL = os.path.join(REPO_ROOT, "lab", "labctl")
INVENTORY = os.path.join(REPO_ROOT, "inventories", "lab", "hosts.yml")
DEFAULT_INTENT = os.path.join(REPO_ROOT, "inventories", "lab", "group_vars", "all", "ipsec_vpn_intent.yml")
PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "strongswan.yml")
TEARDOWN = os.path.join(REPO_ROOT, "playbooks", "strongswan_teardown.yml")
SITES = ("site1", "site2", "site3", "site4")
CONF_DIR = "/etc/swanctl/conf.d"
STATE_DIR = "/etc/swanctl/ipsec-vpn"
MARKER = "# Managed by the ipsec.vpn strongswan role; local changes are overwritten."
ROUTE_PROTOCOL = "145"
KEYS_FILE = "ipsec-vpn-keys.secrets.conf"

LEGACY = "legacy-site1-site4"
HUB_TUNNELS = {"site2": "lab-hub--site1--site2", "site3": "lab-hub--site1--site3"}
GRE = "gre-site2-site4"
GRE_PSK = "e2e-gre-site2-site4-k3y-Zq81"

TIMES = {}


# --------------------------------------------------------------------------------------------
# utilities
# --------------------------------------------------------------------------------------------


def _run(argv, check=True, timeout=120, stdin=None):
    res = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout, check=False)
    if check and res.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed rc={res.returncode}\n{res.stdout}\n{res.stderr}")
    return res


def labctl(*args, check=True, timeout=120, stdin=None):
    return _run([LABCTL] + list(args), check=check, timeout=timeout, stdin=stdin)


def site_sh(site, script, check=True):
    """Run a shell snippet inside a site (its network namespace, /etc and /run)."""
    return labctl("exec", site, "--", "sh", "-c", script, check=check)


def list_sas(site):
    """The site's SAs, parsed by the collection's own parser: {ike_name: [ike_sa, ...]}."""
    parsed = parse_swanctl_list_sas(site_sh(site, "swanctl --list-sas").stdout)
    assert parsed["warnings"] == [], parsed["warnings"]
    sas = {}
    for ike in parsed["ike_sas"]:
        sas.setdefault(ike["name"], []).append(ike)
    return sas


def the_sa(site, name):
    """The single ESTABLISHED IKE_SA named ``name`` on ``site``, with an INSTALLED CHILD_SA."""
    sas = list_sas(site).get(name, [])
    assert len(sas) == 1, f"{site}: expected exactly one IKE_SA {name}, got {sas}"
    ike = sas[0]
    assert ike["state"] == "ESTABLISHED", (site, ike)
    assert any(c["state"] == "INSTALLED" for c in ike["child_sas"]), (site, ike)
    return ike


def sa_ids(site):
    """{ike_name: (ike unique id, sorted child unique ids)} of every SA on ``site``."""
    return {
        name: sorted((ike["uniqueid"], tuple(sorted(c["uniqueid"] for c in ike["child_sas"]))) for ike in sas)
        for name, sas in list_sas(site).items()
    }


def ping(site, src, dst, count=3):
    return site_sh(site, f"ping -n -q -c {count} -W 1 -i 0.3 -I {src} {dst}", check=False)


def conf_snapshot(site):
    """{file name: sha256} of the site's swanctl conf.d."""
    out = site_sh(site, f"cd {CONF_DIR} && for f in *; do [ -f \"$f\" ] && sha256sum \"$f\"; done; true").stdout
    return dict(reversed(line.split(None, 1)) for line in out.splitlines() if line.strip())


def role_files(site):
    """Names of the files in conf.d that carry the role's marker."""
    out = site_sh(site, f"grep -l -x -F '{MARKER}' {CONF_DIR}/*.conf 2>/dev/null; true").stdout
    return sorted(os.path.basename(line) for line in out.split())


def load_default_intent():
    with open(DEFAULT_INTENT) as fh:
        return yaml.safe_load(fh)["ipsec_vpn_intent"]


def write_intent(tmp_path, name, intent):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"ipsec_vpn_intent": intent}))
    return str(path)


def playbook(playbook_path, *args, label):
    run = playbook_runner.run(playbook_path, INVENTORY, *args, cwd=REPO_ROOT, timeout=600)
    TIMES[label] = run.seconds
    return run


def wait_for(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")


# --------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab():
    """The lab, up for this module.

    Module scope rather than session scope on purpose: other modules (tests/e2e/lab,
    tests/e2e/verify) need the same lab in the same pytest run, and a lock held until the end of
    the session would make them wait for it forever.
    """
    if os.geteuid() != 0:
        pytest.fail("the strongSwan lab needs root (network namespaces): run these tests as root")
    module_started = time.monotonic()
    with lab_lock():
        started = time.monotonic()
        labctl("up", "--sites", str(len(SITES)))
        TIMES["lab up"] = time.monotonic() - started
        facts = {f["name"]: f for f in json.loads(labctl("facts", "--sites", str(len(SITES))).stdout)}
        try:
            yield facts
        finally:
            started = time.monotonic()
            labctl("down", check=False)
            TIMES["lab down"] = time.monotonic() - started
            TIMES["module total"] = time.monotonic() - module_started
            sys.stdout.write("\nstrongswan e2e timings: "
                             + ", ".join(f"{k} {v:.1f}s" for k, v in TIMES.items()) + "\n")


@pytest.fixture(scope="module")
def default_run(lab):
    """The README's main command on the lab: the default intent, rolled out once."""
    run = playbook(PLAYBOOK, label="first run")
    assert run.rc == 0, run.output
    assert set(run.recap) == set(SITES), run.output
    return run


@pytest.fixture(scope="module")
def changed_intent(default_run, tmp_path_factory):
    """The default intent without the legacy tunnel and with a GRE over IPsec tunnel site2 <-> site4."""
    intent = load_default_intent()
    intent["tunnels"] = [t for t in intent["tunnels"] if t["name"] != LEGACY]
    intent["crypto_profiles"]["gre-cbc"] = {
        "ike": {"version": 2, "proposals": [{"encryption": "aes256", "integrity": "sha256", "dh_group": 14}]},
        "ipsec": {"proposals": [{"encryption": "aes256", "integrity": "sha256"}], "pfs_group": 14},
    }
    intent["tunnels"].append({
        "name": GRE,
        "style": "gre_over_ipsec",
        "profile": "gre-cbc",
        "psk": GRE_PSK,
        "a": {"gateway": "site2", "tunnel_address": "172.31.24.1/30"},
        "b": {"gateway": "site4", "tunnel_address": "172.31.24.2/30"},
    })
    return write_intent(tmp_path_factory.mktemp("intents"), "changed", intent)


# --------------------------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------------------------


def test_weak_ikev1_pair_des_md5_modp1024(lab, default_run):
    """The seed's crypto between site1 (10.11.1.0/24) and site4 (10.14.1.0/24)."""
    # the weak-crypto opt-in is not silent: the plan of both ends warns about DES
    for site in ("site1", "site4"):
        assert re.search(rf"\[WARNING\]: {site}: .*allow_weak_crypto.*\bdes\b", default_run.output, re.I), site
    src, dst = lab["site1"]["lan_addresses"][1], lab["site4"]["lan_addresses"][1]
    res = ping("site1", src, dst)
    assert res.returncode == 0 and " 0% packet loss" in res.stdout, res.stdout + res.stderr
    for site, peer in (("site1", "site4"), ("site4", "site1")):
        ike = the_sa(site, LEGACY)
        assert ike["version"] == 1
        assert ike["remote_host"] == lab[peer]["public_address"]
        assert (ike["encr_alg"], ike["integ_alg"], ike["dh_group"]) == ("DES_CBC", "HMAC_MD5_96", "MODP_1024"), ike
        child = next(c for c in ike["child_sas"] if c["state"] == "INSTALLED")
        assert child["name"] == f"{LEGACY}-1"
        assert child["protocol"] == "ESP" and child["mode"] == "TUNNEL"
        # IKEv1 quick mode does the PFS exchange right away: the DH group shows on the first CHILD_SA
        assert (child["encr_alg"], child["integ_alg"], child["dh_group"]) == ("DES_CBC", "HMAC_MD5_96", "MODP_1024")
        assert child["local_ts"] == [lab[site]["lan_prefixes"][1]] and child["remote_ts"] == [lab[peer]["lan_prefixes"][1]]
        assert child["packets_in"] >= 3 and child["packets_out"] >= 3, child
        assert child["bytes_in"] > 0 and child["bytes_out"] > 0, child
    # nothing else is protected: site1's other LAN cannot reach site4
    assert ping("site1", lab["site1"]["lan_addresses"][0], dst, count=1).returncode != 0


def test_files_are_private_and_the_key_stays_in_the_secrets_file(lab, default_run):
    out = site_sh("site1", f"stat -c '%a %n' {CONF_DIR}/ipsec-vpn-*.conf").stdout.split("\n")
    modes = dict(line.split(" ", 1)[::-1] for line in out if line)
    expected = {f"{CONF_DIR}/ipsec-vpn-{t}.conf" for t in (LEGACY, *HUB_TUNNELS.values())}
    expected.add(f"{CONF_DIR}/{KEYS_FILE}")
    assert set(modes) == expected
    assert set(modes.values()) == {"600"}
    psk = next(t["psk"] for t in load_default_intent()["tunnels"] if t["name"] == LEGACY)
    conn = site_sh("site1", f"cat {CONF_DIR}/ipsec-vpn-{LEGACY}.conf").stdout
    assert psk not in conn
    assert not re.search(r"^\s*(secrets \{|secret =)", conn, re.M)
    secrets = site_sh("site1", f"cat {CONF_DIR}/{KEYS_FILE}").stdout
    assert "secret = 0s" + base64.b64encode(psk.encode()).decode() in secrets
    assert f"{LEGACY} {{" in conn and "proposals = des-md5-modp1024" in conn
    assert psk not in default_run.output


def test_hub_and_spokes_ikev2_aes_gcm_ecp256(lab, default_run):
    hub = lab["site1"]
    assert sorted(list_sas("site1")) == sorted([LEGACY, *HUB_TUNNELS.values()])
    for spoke, name in HUB_TUNNELS.items():
        s = lab[spoke]
        for src_site, src, dst in (("site1", hub["lan_addresses"][0], s["lan_addresses"][0]),
                                   (spoke, s["lan_addresses"][0], hub["lan_addresses"][0])):
            res = ping(src_site, src, dst)
            assert res.returncode == 0 and " 0% packet loss" in res.stdout, (src_site, res.stdout + res.stderr)
        for site in ("site1", spoke):
            ike = the_sa(site, name)
            assert ike["version"] == 2
            assert (ike["encr_alg"], ike["encr_keysize"], ike["prf_alg"], ike["dh_group"]) == (
                "AES_GCM_16", 256, "PRF_HMAC_SHA2_256", "ECP_256"), ike
            child = next(c for c in ike["child_sas"] if c["state"] == "INSTALLED")
            assert (child["encr_alg"], child["encr_keysize"], child["integ_alg"]) == ("AES_GCM_16", 256, None)
            # IKEv2: the first CHILD_SA is keyed from IKE_AUTH, so no DH group (PFS applies from the first rekey)
            assert child["dh_group"] is None
            assert child["packets_in"] >= 3 and child["packets_out"] >= 3, child
    # a spoke's other LAN is not part of the hub tunnels
    assert ping("site2", lab["site2"]["lan_addresses"][1], hub["lan_addresses"][0], count=1).returncode != 0


def test_second_run_changes_nothing_and_no_sa_flaps(lab, default_run):
    before = {site: sa_ids(site) for site in SITES}
    files_before = {site: conf_snapshot(site) for site in SITES}
    run = playbook(PLAYBOOK, label="second run")
    assert run.rc == 0, run.output
    assert run.changed() == {site: 0 for site in SITES}, run.output
    assert {site: conf_snapshot(site) for site in SITES} == files_before
    assert {site: sa_ids(site) for site in SITES} == before


def test_a_rerun_after_an_interrupted_run_loads_what_charon_lacks(lab, default_run, tmp_path):
    """An interrupted run: a rotated key is in the files on site1 and site2, but charon never loaded them (a run
    that only wrote the files: strongswan_apply off). A re-run has no file to change and must still load them;
    then the tunnel runs on the new key and a third run changes nothing."""
    intent = load_default_intent()
    intent["groups"][0]["psk"]["site2"] = "e2e-rotated-site2-key-Wm4p"
    path = write_intent(tmp_path, "rotated", intent)
    try:
        written = playbook(PLAYBOOK, "-e", f"@{path}", "-e", "strongswan_apply=false", label="files only")
        assert written.rc == 0, written.output
        files = {site: conf_snapshot(site) for site in SITES}
        rerun = playbook(PLAYBOOK, "-e", f"@{path}", label="re-run after the interrupted run")
        assert rerun.rc == 0, rerun.output
        assert {site: conf_snapshot(site) for site in SITES} == files, "the re-run had no file to change"
        assert rerun.changed()["site1"] > 0 and rerun.changed()["site2"] > 0, rerun.output
        name = HUB_TUNNELS["site2"]
        wait_for(lambda: ping("site2", lab["site2"]["lan_addresses"][0],
                              lab["site1"]["lan_addresses"][0]).returncode == 0, what="traffic with the rotated key")
        # both ends loaded the new key: a fresh IKE_SA authenticates
        site_sh("site2", f"swanctl --terminate --ike {name} --timeout 10")
        site_sh("site1", f"swanctl --initiate --ike {name} --child {name}-1 --timeout 15")
        for site in ("site1", "site2"):
            the_sa(site, name)
        again = playbook(PLAYBOOK, "-e", f"@{path}", label="third run")
        assert again.rc == 0 and again.changed() == {site: 0 for site in SITES}, again.output
    finally:
        back = playbook(PLAYBOOK, label="back to the default intent")
        assert back.rc == 0, back.output


def test_backup_then_restore_puts_back_files_tunnels_and_traffic(lab, default_run, tmp_path):
    files_before = {site: conf_snapshot(site) for site in SITES}
    saved = playbook(PLAYBOOK, "-e", "strongswan_state=backup", "-e", "strongswan_backup_name=e2e", label="backup")
    assert saved.rc == 0, saved.output
    for site in SITES:
        listing = site_sh(site, f"ls {STATE_DIR}/backups/e2e/conf").stdout.split()
        assert sorted(listing) == sorted(files_before[site]), (site, listing)
    intent = load_default_intent()
    intent["tunnels"] = [t for t in intent["tunnels"] if t["name"] != LEGACY]
    removed = playbook(PLAYBOOK, "-e", f"@{write_intent(tmp_path, 'no-legacy', intent)}", label="change to restore")
    assert removed.rc == 0, removed.output
    assert LEGACY not in list_sas("site4")
    restored = playbook(PLAYBOOK, "-e", "strongswan_state=restore", "-e", "strongswan_backup_name=e2e",
                        label="restore")
    assert restored.rc == 0, restored.output
    assert {site: conf_snapshot(site) for site in SITES} == files_before
    src, dst = lab["site1"]["lan_addresses"][1], lab["site4"]["lan_addresses"][1]
    wait_for(lambda: ping("site1", src, dst).returncode == 0, what="legacy traffic after the restore")
    for site in ("site1", "site4"):
        the_sa(site, LEGACY)
    # the restored state is the default intent's: a normal run changes nothing
    run = playbook(PLAYBOOK, label="run after the restore")
    assert run.rc == 0 and run.changed() == {site: 0 for site in SITES}, run.output


def test_check_and_diff_mode_preview_changes_nothing_and_hides_keys(lab, changed_intent):
    before = {site: sa_ids(site) for site in SITES}
    files_before = {site: conf_snapshot(site) for site in SITES}
    run = playbook(PLAYBOOK, "-e", f"@{changed_intent}", "--check", "--diff", label="check+diff run")
    assert run.rc == 0, run.output
    # the preview shows the new GRE connection and the removal of the legacy files ...
    assert "+                local_ts = 100.64.0.12/32[gre]" in run.output, run.output
    assert f"ipsec-vpn-{LEGACY}.conf" in run.output
    assert run.changed()["site1"] > 0 and run.changed()["site2"] > 0
    # ... but not a key, in clear or base64
    for psk in [GRE_PSK, *load_default_intent()["groups"][0]["psk"].values()]:
        assert psk not in run.output
    assert base64.b64encode(GRE_PSK.encode()).decode() not in run.output
    assert {site: conf_snapshot(site) for site in SITES} == files_before
    assert {site: sa_ids(site) for site in SITES} == before


@pytest.mark.parametrize(
    ("code", "mutate"),
    [
        pytest.param(
            "PHASE1_INCOMPATIBLE",
            lambda intent: (
                intent["crypto_profiles"].__setitem__("legacy-aes", {
                    "ike": {"version": 1, "proposals": [{"encryption": "aes128", "integrity": "sha256", "dh_group": 14}]},
                    "ipsec": copy.deepcopy(intent["crypto_profiles"]["legacy"]["ipsec"]),
                    "allow_weak_crypto": True,
                }),
                next(t for t in intent["tunnels"] if t["name"] == LEGACY)["b"].__setitem__("profile", "legacy-aes"),
            ),
            id="mismatched-proposals",
        ),
        pytest.param(
            "SELECTOR_MISMATCH",
            lambda intent: next(t for t in intent["tunnels"] if t["name"] == LEGACY)["b"].__setitem__(
                "remote_networks", ["10.11.0.0/24"]),
            id="non-mirrored-selectors",
        ),
    ],
)
def test_bad_intent_is_refused_before_any_site_changes(lab, default_run, tmp_path, code, mutate):
    intent = load_default_intent()
    mutate(intent)
    # change a hub key too: if anything reached a site, its files would differ
    intent["groups"][0]["psk"]["site2"] = "changed-but-never-pushed-0000"
    path = write_intent(tmp_path, "bad", intent)
    before = {site: sa_ids(site) for site in SITES}
    files_before = {site: conf_snapshot(site) for site in SITES}
    run = playbook(PLAYBOOK, "-e", f"@{path}", label=f"refused run ({code})")
    assert run.rc != 0, run.output
    assert code in run.output, run.output
    assert "nothing was changed" in run.output
    assert all(r["changed"] == 0 for r in run.recap.values()), run.output
    assert {site: conf_snapshot(site) for site in SITES} == files_before
    assert {site: sa_ids(site) for site in SITES} == before


@pytest.fixture(scope="module")
def changed_run(lab, changed_intent):
    """The changed intent, rolled out once (with remote_protected routes selected, to test routes).

    strongswan_require_up is off for this run: whether the GRE CHILD_SA comes up depends on the
    lab's charon settings and is the subject of its own test.
    """
    # a hand-made file with the role's name pattern but without its marker must survive
    site_sh("site1", f"echo '# hand-made, not from the role' > {CONF_DIR}/ipsec-vpn-handmade.conf")
    hub_ids = {name: sa_ids("site1")[name] for name in HUB_TUNNELS.values()}
    run = playbook(PLAYBOOK, "-e", f"@{changed_intent}", "-e",
                   json.dumps({"strongswan_route_reasons": ["remote_protected"], "strongswan_require_up": False}),
                   label="changed run")
    assert run.rc == 0, run.output
    return run, hub_ids


def test_removed_tunnel_loses_its_files_and_sas_and_its_neighbours_stay_up(lab, changed_run):
    _run_result, hub_ids = changed_run
    for site in ("site1", "site4"):
        assert f"ipsec-vpn-{LEGACY}.conf" not in role_files(site), role_files(site)
        assert LEGACY not in site_sh(site, "swanctl --list-conns").stdout
        assert LEGACY not in list_sas(site)
    legacy_psk = next(t["psk"] for t in load_default_intent()["tunnels"] if t["name"] == LEGACY)
    assert base64.b64encode(legacy_psk.encode()).decode() not in site_sh("site1", f"cat {CONF_DIR}/{KEYS_FILE}").stdout
    assert ping("site1", lab["site1"]["lan_addresses"][1], lab["site4"]["lan_addresses"][1], count=1).returncode != 0
    # only the role's own files were removed
    assert "ipsec-vpn-handmade.conf" in conf_snapshot("site1")
    # the hub's other tunnels did not flap
    assert {name: sa_ids("site1")[name] for name in HUB_TUNNELS.values()} == hub_ids
    # routes: with remote_protected selected, a spoke routes the hub LAN to the hub's public address,
    # and traffic still takes the tunnel (charon's table 220 comes first)
    routes = site_sh("site2", f"ip -4 route show table main proto {ROUTE_PROTOCOL}").stdout
    assert "10.11.0.0/24 via 100.64.0.11 dev wan0" in routes, routes
    res = ping("site2", lab["site2"]["lan_addresses"][0], lab["site1"]["lan_addresses"][0])
    assert res.returncode == 0, res.stdout + res.stderr


def test_gre_over_ipsec_child_with_gre_selectors_is_installed(lab, changed_run):
    """GRE over IPsec site2 <-> site4: the CHILD_SA protecting GRE between the public addresses.

    The CHILD_SA protecting GRE (protocol 47) between the public addresses must negotiate and be
    INSTALLED. This kernel cannot create GRE links, so the gre4/gre2 interfaces are not created
    (strongswan_manage_links is off in the lab) and no GRE packet can flow; the interface scripts
    are rendered for review only.

    With kernel-libipsec, a selector whose remote end is the IKE peer itself needs the route into
    the TUN device to spare IKE packets: charon must run with kernel-libipsec allow_peer_ts = yes
    and IKE packets marked (socket-default fwmark = 0x42, kernel-netlink fwmark = !0x42).
    Without that, charon refuses the CHILD_SA ("conflicts with IKE traffic", TS_UNACCEPTABLE).
    """
    for site, peer in (("site2", "site4"), ("site4", "site2")):
        script = site_sh(site, f"cat {STATE_DIR}/ipsec-vpn-{GRE}.link.sh").stdout
        dev = "gre4" if site == "site2" else "gre2"
        assert f"dev={dev}" in script
        assert (f'ip link add "$dev" type gre local {lab[site]["public_address"]} '
                f'remote {lab[peer]["public_address"]} ttl 255') in script, script
        assert site_sh(site, f"ip link show {dev}", check=False).returncode != 0, "GRE link unexpectedly present"
        conns = site_sh(site, "swanctl --list-conns").stdout
        assert f"local:  {lab[site]['public_address']}/32[gre]" in conns, conns
        assert f"remote: {lab[peer]['public_address']}/32[gre]" in conns, conns

    settings = site_sh("site2", "cat /etc/strongswan.conf").stdout
    if not re.search(r"allow_peer_ts\s*=\s*yes", settings) or "fwmark" not in settings:
        pytest.fail("the lab's charon runs without kernel-libipsec allow_peer_ts = yes and an IKE fwmark, so it "
                    "refuses CHILD_SAs whose selector is the peer's own address (GRE over IPsec); lab/labctl must "
                    "set charon.plugins.kernel-libipsec.allow_peer_ts = yes, "
                    "charon.plugins.socket-default.fwmark = 0x42 and charon.plugins.kernel-netlink.fwmark = !0x42")
    for site, peer in (("site2", "site4"), ("site4", "site2")):
        ike = wait_for(lambda s=site: the_gre_sa(s), timeout=30, what=f"{GRE} on {site}")
        assert (ike["encr_alg"], ike["encr_keysize"], ike["integ_alg"], ike["dh_group"]) == (
            "AES_CBC", 256, "HMAC_SHA2_256_128", "MODP_2048"), ike
        child = next(c for c in ike["child_sas"] if c["state"] == "INSTALLED")
        assert child["local_ts"] == [f"{lab[site]['public_address']}/32[gre]"], child
        assert child["remote_ts"] == [f"{lab[peer]['public_address']}/32[gre]"], child


def the_gre_sa(site):
    for ike in list_sas(site).get(GRE, []):
        if ike["state"] == "ESTABLISHED" and any(c["state"] == "INSTALLED" for c in ike["child_sas"]):
            return ike
    return None


def test_teardown_leaves_nothing(lab, default_run):
    site_sh("site1", f"echo '# hand-made, not from the role' > {CONF_DIR}/ipsec-vpn-handmade.conf")
    run = playbook(TEARDOWN, label="teardown")
    assert run.rc == 0, run.output
    for site in SITES:
        assert site_sh(site, "swanctl --list-conns").stdout.strip() == "", site
        assert list_sas(site) == {}, site
        assert role_files(site) == [], site
        assert site_sh(site, f"test -e {STATE_DIR}", check=False).returncode != 0, site
        assert site_sh(site, "nft list table inet ipsec_vpn", check=False).returncode != 0, site
        assert site_sh(site, f"ip -4 route show table main proto {ROUTE_PROTOCOL}").stdout.strip() == "", site
    # the hand-made file is not the role's: it stays
    assert "ipsec-vpn-handmade.conf" in conf_snapshot("site1")
    site_sh("site1", f"rm -f {CONF_DIR}/ipsec-vpn-handmade.conf")
    assert ping("site1", lab["site1"]["lan_addresses"][0], lab["site2"]["lan_addresses"][0], count=1).returncode != 0
    again = playbook(TEARDOWN, label="teardown again")
    assert again.rc == 0, again.output
    assert again.changed() == {site: 0 for site in SITES}, again.output
