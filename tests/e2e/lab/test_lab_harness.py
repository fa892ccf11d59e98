"""End-to-end checks of the strongSwan lab harness (lab/labctl).

A module fixture builds the lab (4 sites), the tests reach every site over SSH and
through Ansible, bring hand-written swanctl connections up between site1 and site2
(IKEv2 AES-GCM/ECP256 and IKEv1 DES/MD5/modp1024), pass LAN-to-LAN traffic, and
finally check that ``labctl down`` leaves nothing behind.

Needs root (network namespaces), strongSwan (charon, swanctl, kernel-libipsec),
openssh-server, iproute2 and iputils-ping.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest
from lab_lock import lab_lock

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
LABCTL = os.path.join(REPO_ROOT, "lab", "labctl")
FIXTURES = os.path.join(HERE, "fixtures")
BUILD_LAB = os.path.join(REPO_ROOT, "build", "lab")
SSH_CONFIG = os.path.join(BUILD_LAB, "ssh_config")
INVENTORY = os.path.join(REPO_ROOT, "inventories", "lab", "hosts.yml")
SITES = 4
NS_PREFIX = "ipsec-lab-"
TEST_CONF = "/etc/swanctl/conf.d/lab-test.conf"


def labctl(*args, check=True, timeout=120):
    res = subprocess.run([LABCTL] + list(args), capture_output=True, text=True, timeout=timeout, check=False)
    if check and res.returncode != 0:
        raise AssertionError(f"labctl {' '.join(args)} failed rc={res.returncode}\n{res.stdout}\n{res.stderr}")
    return res


def ssh(site, command, check=True, stdin=None, timeout=60):
    res = subprocess.run(
        ["ssh", "-F", SSH_CONFIG, site, command],
        input=stdin, capture_output=True, text=True, timeout=timeout,
        check=False,
    )
    if check and res.returncode != 0:
        raise AssertionError(f"ssh {site} {command!r} failed rc={res.returncode}\n{res.stdout}\n{res.stderr}")
    return res


def lab_namespaces():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(NS_PREFIX)]


def live_lab_processes():
    """Non-zombie processes that are charon, or that the lab started (they carry its marker)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{entry}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        state = stat[stat.rindex(")") + 2:].split()[0]
        if state == "Z":
            continue
        if comm == "charon" or any(item.startswith(b"IPSEC_LAB_SITE=") for item in env):
            found.append(f"{entry}:{comm}")
    return found


def list_sas_raw(site):
    """swanctl --list-sas --raw, flattened to {ike_name: {"ike": {...}, "children": [{...}]}}."""
    out = ssh(site, "swanctl --list-sas --raw").stdout
    sas = {}
    for line in out.splitlines():
        m = re.match(r"list-sa event \{(\S+) \{(.*)\}\}$", line)
        if not m:
            continue
        name, body = m.groups()
        child_part = ""
        if "child-sas {" in body:
            body, child_part = body.split("child-sas {", 1)
        children = [dict(re.findall(r"([\w-]+)=(\S+)", c)) for c in re.findall(r"\{([^{}]*)\}", child_part)]
        sas[name] = {"ike": dict(re.findall(r"([\w-]+)=(\S+)", body)), "children": children}
    return sas


def read_state():
    with open(os.path.join(BUILD_LAB, "state.json")) as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def lab():
    assert os.geteuid() == 0, "the strongSwan lab needs root (network namespaces); run the e2e tests as root"
    with lab_lock():
        started = time.monotonic()
        labctl("up", "--sites", str(SITES))
        up_seconds = time.monotonic() - started
        facts = {f["name"]: f for f in json.loads(labctl("facts", "--sites", str(SITES)).stdout)}
        sys.stdout.write(f"\nlab up took {up_seconds:.2f}s\n")
        yield facts
        labctl("down", check=False)


def test_up_again_rebuilds_over_a_running_lab(lab):
    first = read_state()
    labctl("up", "--sites", str(SITES))
    second = read_state()
    assert first["sites"]["site1"]["charon_pid"] != second["sites"]["site1"]["charon_pid"]
    assert sorted(lab_namespaces()) == sorted([NS_PREFIX + "wan"] + [NS_PREFIX + s for s in lab])
    assert labctl("status").returncode == 0


def test_inventory_file_matches_generator(lab):
    with open(INVENTORY) as fh:
        committed = fh.read()
    assert committed == labctl("inventory", "--sites", str(SITES)).stdout, "regenerate with lab/labctl inventory"


def test_all_sites_reachable_over_ssh(lab):
    for name, facts in lab.items():
        out = ssh(name, "hostname; ip -o addr show; swanctl --stats; /usr/bin/python3 -c 'print(42)'").stdout
        assert out.splitlines()[0] == name
        for addr in [facts["management_address"], facts["public_address"]] + facts["lan_addresses"]:
            assert f"inet {addr}/" in out, f"{name} lacks {addr}"
        for addr in [facts["public_address6"]] + facts["lan_addresses6"]:
            assert f"inet6 {addr}/" in out, f"{name} lacks {addr}"
        assert "IKE_SAs: 0 total" in out
        assert "kernel-libipsec" in out and "bypass-lan" not in out
        assert out.splitlines()[-1] == "42"


def test_ansible_ping(lab):
    ansible = os.path.join(os.path.dirname(sys.executable), "ansible")
    if not os.access(ansible, os.X_OK):
        ansible = shutil.which("ansible")
    assert ansible, "ansible is not installed in the test venv nor on PATH"
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="0", ANSIBLE_FORCE_COLOR="0")
    res = subprocess.run([ansible, "-i", INVENTORY, "all", "-m", "ping"], cwd=REPO_ROOT,
                         capture_output=True, text=True, env=env, timeout=180, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    for name in lab:
        assert re.search(rf"^{name} \| SUCCESS", res.stdout, re.M), res.stdout


TUNNELS = [
    pytest.param(
        "ikev2_gcm", "lab-ikev2-gcm", 0,
        {"version": "2", "encr-alg": "AES_GCM_16", "encr-keysize": "256", "prf-alg": "PRF_HMAC_SHA2_256",
         "dh-group": "ECP_256"},
        # the first IKEv2 CHILD_SA takes its keys from IKE_AUTH: no DH group (PFS shows at rekey only)
        {"encr-alg": "AES_GCM_16", "encr-keysize": "256"},
        id="ikev2-aesgcm-ecp256",
    ),
    pytest.param(
        "ikev1_weak", "lab-ikev1-weak", 1,
        {"version": "1", "encr-alg": "DES_CBC", "integ-alg": "HMAC_MD5_96", "prf-alg": "PRF_HMAC_MD5",
         "dh-group": "MODP_1024"},
        {"encr-alg": "DES_CBC", "integ-alg": "HMAC_MD5_96", "dh-group": "MODP_1024"},
        id="ikev1-des-md5-modp1024",
    ),
]


def _ping(site, src, dst, count=3):
    return ssh(site, f"ping -n -q -c {count} -W 1 -i 0.3 -I {src} {dst}", check=False)


def _unload(ike_name):
    for site in ("site1", "site2"):
        ssh(site, f"rm -f {TEST_CONF}; swanctl --load-all; swanctl --terminate --ike {ike_name} --force",
            check=False)


@pytest.mark.parametrize(("fixture", "ike_name", "lan", "ike_expect", "child_expect"), TUNNELS)
def test_tunnel_between_site1_and_site2(lab, fixture, ike_name, lan, ike_expect, child_expect):
    a, b = lab["site1"], lab["site2"]
    src, dst = a["lan_addresses"][lan], b["lan_addresses"][lan]
    # negative control: without the tunnel the peer's LAN is unreachable
    assert _ping("site1", src, dst, count=1).returncode != 0, "LAN reachable without a tunnel"
    try:
        for site in ("site1", "site2"):
            with open(os.path.join(FIXTURES, f"{fixture}_{site}.conf")) as fh:
                ssh(site, f"cat > {TEST_CONF}", stdin=fh.read())
        # responder first, then the initiator (start_action = start on site1 only)
        for site in ("site2", "site1"):
            out = ssh(site, "swanctl --load-all").stdout
            assert f"loaded connection '{ike_name}'" in out, out
        deadline = time.monotonic() + 30
        sas = {}
        while time.monotonic() < deadline:
            sas = list_sas_raw("site1")
            sa = sas.get(ike_name)
            if sa and sa["ike"].get("state") == "ESTABLISHED" and any(
                c.get("state") == "INSTALLED" for c in sa["children"]
            ):
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"{ike_name} not ESTABLISHED/INSTALLED within 30s: {sas}\n"
                        + ssh("site1", "swanctl --list-sas; swanctl --list-conns", check=False).stdout)
        ping = _ping("site1", src, dst)
        assert ping.returncode == 0, ping.stdout + ping.stderr
        assert " 0% packet loss" in ping.stdout
        for site, peer in (("site1", b), ("site2", a)):
            sa = list_sas_raw(site)[ike_name]
            ike = sa["ike"]
            assert ike["state"] == "ESTABLISHED"
            assert ike["remote-host"] == peer["public_address"]
            for key, value in ike_expect.items():
                assert ike.get(key) == value, (site, key, ike)
            child = next(c for c in sa["children"] if c.get("state") == "INSTALLED")
            for key, value in child_expect.items():
                assert child.get(key) == value, (site, key, child)
            assert child["mode"] == "TUNNEL" and child["encap"] == "yes"  # libipsec: ESP in UDP
            assert int(child["packets-in"]) >= 3 and int(child["packets-out"]) >= 3, (site, child)
            assert int(child["bytes-in"]) > 0 and int(child["bytes-out"]) > 0, (site, child)
    finally:
        _unload(ike_name)
    assert _ping("site1", src, dst, count=1).returncode != 0, "LAN still reachable after the tunnel was closed"


@pytest.mark.parametrize("child, ike_name, lan", [("lan6", "lab-v6", 0), ("lan6in4", "lab-v6in4", 1)],
                         ids=["ipv6-outside", "ipv6-inside-ipv4"])
def test_ipv6_through_kernel_libipsec(lab, child, ike_name, lan):
    """IPv6 LAN traffic through a tunnel whose outside is IPv6, and through one whose outside is IPv4."""
    src, dst = lab["site1"]["lan_addresses6"][lan], lab["site2"]["lan_addresses6"][lan]
    assert _ping6("site1", src, dst, count=1).returncode != 0, "IPv6 LAN reachable without a tunnel"
    try:
        for site in ("site2", "site1"):
            with open(os.path.join(FIXTURES, f"ipv6_{site}.conf")) as fh:
                ssh(site, f"cat > {TEST_CONF}", stdin=fh.read())
            out = ssh(site, "swanctl --load-all").stdout
            assert f"loaded connection '{ike_name}'" in out, out
        init = ssh("site1", f"swanctl --initiate --child {child} --timeout 20", check=False)
        assert init.returncode == 0, init.stdout + init.stderr
        ping = _ping6("site1", src, dst)
        assert ping.returncode == 0 and " 0% packet loss" in ping.stdout, ping.stdout + ping.stderr
        sa = list_sas_raw("site2")[ike_name]
        outside = "public_address6" if ike_name == "lab-v6" else "public_address"
        assert sa["ike"]["remote-host"] == lab["site1"][outside]
        installed = next(c for c in sa["children"] if c.get("state") == "INSTALLED")
        assert int(installed["packets-in"]) >= 3 and int(installed["packets-out"]) >= 3, installed
    finally:
        _unload(ike_name)


def _ping6(site, src, dst, count=3):
    return ssh(site, f"ping -6 -n -q -c {count} -W 1 -i 0.3 -I {src} {dst}", check=False)


PKI = os.path.join(BUILD_LAB, "pki")
CERT_FILES = {"x509/lab-test.pem": "{site}.pem", "x509ca/lab-test-ca.pem": "{ca}.pem",
              "private/lab-test.key": "{site}.key"}


def _install_credentials(site, stem, ca="ca"):
    for dest, source in CERT_FILES.items():
        with open(os.path.join(PKI, source.format(site=stem, ca=ca))) as fh:
            ssh(site, f"umask 077; cat > /etc/swanctl/{dest}", stdin=fh.read())


def _load_cert_conf(site):
    with open(os.path.join(FIXTURES, f"cert_{site}.conf")) as fh:
        ssh(site, f"cat > {TEST_CONF}", stdin=fh.read())
    return ssh(site, "swanctl --load-all", check=False)


def _remove_credentials():
    for site in ("site1", "site2"):
        files = " ".join(f"/etc/swanctl/{dest}" for dest in CERT_FILES)
        ssh(site, f"rm -f {TEST_CONF} {files}; swanctl --load-all; swanctl --terminate --ike lab-cert --force",
            check=False)


def test_certificate_tunnel_from_the_lab_pki(lab):
    """IKEv2 with ECDSA certificates made at 'up' comes up and passes traffic; a foreign CA is refused."""
    a, b = lab["site1"], lab["site2"]
    src, dst = a["lan_addresses"][0], b["lan_addresses"][0]
    assert os.stat(os.path.join(PKI, "site1.key")).st_mode & 0o777 == 0o600
    try:
        for site in ("site1", "site2"):
            _install_credentials(site, site)
            out = _load_cert_conf(site).stdout
            assert "loaded connection 'lab-cert'" in out and "loaded certificate" in out, out
        init = ssh("site1", "swanctl --initiate --child lan --timeout 20", check=False)
        assert init.returncode == 0, init.stdout + init.stderr
        assert "authentication of 'site2.lab.test' with ECDSA_WITH_SHA256_DER successful" in init.stdout, init.stdout
        ping = _ping("site1", src, dst)
        assert ping.returncode == 0 and " 0% packet loss" in ping.stdout, ping.stdout + ping.stderr
        sa = list_sas_raw("site2")["lab-cert"]
        assert sa["ike"]["remote-id"] == "site1.lab.test" and sa["ike"]["local-id"] == "site2.lab.test"
        ssh("site1", "swanctl --terminate --ike lab-cert --force", check=False)

        # site1 now presents a certificate of an unrelated CA: site2 cannot build a trust chain
        _install_credentials("site1", "other-site1")
        _load_cert_conf("site1")
        init = ssh("site1", "swanctl --initiate --child lan --timeout 20", check=False)
        assert init.returncode != 0, init.stdout
        assert "AUTHENTICATION_FAILED" in init.stdout, init.stdout
        assert _ping("site1", src, dst, count=1).returncode != 0
    finally:
        _remove_credentials()


def test_down_leaves_nothing(lab):
    started = time.monotonic()
    labctl("down")
    sys.stdout.write(f"\nlab down took {time.monotonic() - started:.2f}s\n")
    assert lab_namespaces() == []
    assert not [e for e in (os.listdir("/etc/netns") if os.path.isdir("/etc/netns") else [])
                if e.startswith(NS_PREFIX)]
    assert live_lab_processes() == []
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    assert " ipl-" not in links
    routes = subprocess.run(["ip", "route", "show", "table", "all"], capture_output=True, text=True, check=False).stdout
    assert "198.18." not in routes and "100.64.0." not in routes
    assert labctl("status", check=False).returncode == 3
    # idempotent
    assert "removed 0 namespace(s), 0 process(es)" in labctl("down").stdout


def test_up_refuses_a_colliding_prefix(lab):
    """A route overlapping a lab prefix makes 'up' fail clearly and build nothing."""
    labctl("down")
    # a blackhole route sends nothing anywhere, yet occupies a lab LAN prefix
    subprocess.run(["ip", "route", "add", "blackhole", "10.13.1.0/24"], check=True)
    try:
        res = labctl("up", "--sites", str(SITES), check=False)
    finally:
        subprocess.run(["ip", "route", "del", "blackhole", "10.13.1.0/24"], check=False)
    assert res.returncode == 2
    assert "collision" in res.stderr and "10.13.1.0/24" in res.stderr
    assert lab_namespaces() == []
    assert live_lab_processes() == []
