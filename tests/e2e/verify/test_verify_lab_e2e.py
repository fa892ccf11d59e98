"""playbooks/verify.yml against the strongSwan lab: one good tunnel, one with a wrong pre-shared key.

site1 <-> site2 (``s1-s2``) is loaded with matching keys and must be reported up with its packet
counters grown by the probe; site1 <-> site3 (``s1-s3``) has a wrong key on site1 and must be
reported down with a phase-1 cause on both ends: on site1, which initiates it, the cause comes from charon's
answer when verify initiates it once more (site3 refuses site1's authentication). site4 is in the inventory but not in the
intent: it gets a verdict ``none`` and is never contacted.

Needs root (the lab uses network namespaces). The lab is held with the lock of lab_lock.py
and taken down at the end.
"""

import json
import os
import subprocess
import time

import pytest
import verify_e2e_helpers as e2e
from lab_lock import LABCTL, lab_lock

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
CONF = "/etc/swanctl/conf.d/verify-e2e.conf"
INVENTORY = os.path.join(e2e.REPO_ROOT, "inventories", "lab", "hosts.yml")
GOOD_PSK = "e2e-verify-good-psk-4711"
WRONG_PSK = "e2e-verify-WRONG-psk-0000"

INTENT = {
    "crypto_profiles": {
        "gcm": {
            "ike": {"version": 2, "proposals": [{"encryption": "aes256gcm16", "prf": "sha256", "dh_group": 19}]},
            "ipsec": {"proposals": [{"encryption": "aes256gcm16"}], "pfs_group": 19},
        },
    },
    "gateways": {
        "site1": {"platform": "strongswan", "outside_interface": "wan0", "outside_address": "100.64.0.11/24",
                  "protected_networks": ["10.11.0.0/24", "10.11.1.0/24"]},
        "site2": {"platform": "strongswan", "outside_interface": "wan0", "outside_address": "100.64.0.12/24",
                  "protected_networks": ["10.12.0.0/24"]},
        "site3": {"platform": "strongswan", "outside_interface": "wan0", "outside_address": "100.64.0.13/24",
                  "protected_networks": ["10.13.0.0/24"]},
    },
    "tunnels": [
        {"name": "s1-s2", "profile": "gcm", "psk": GOOD_PSK,
         "a": {"gateway": "site1", "networks": ["10.11.0.0/24"]}, "b": {"gateway": "site2"}},
        # The intent plans one key for both ends; site1's swanctl file has another (device drift).
        {"name": "s1-s3", "profile": "gcm", "psk": GOOD_PSK,
         "a": {"gateway": "site1", "networks": ["10.11.1.0/24"]}, "b": {"gateway": "site3"}},
    ],
}


def labctl(*args, check=True, stdin=None, timeout=120):
    process = subprocess.run([LABCTL, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                             check=False)
    if check and process.returncode != 0:
        raise AssertionError(f"labctl {' '.join(args)} failed ({process.returncode}):\n{process.stdout}"
                             f"\n{process.stderr}")
    return process


def sas(site):
    return labctl("exec", site, "--", "swanctl", "--list-sas").stdout


@pytest.fixture(scope="module")
def lab():
    if os.geteuid() != 0:
        pytest.fail("the strongSwan lab needs root (network namespaces): run this test as root")
    with lab_lock():
        labctl("up", "--sites", "4")
        try:
            # responders first, then site1, which initiates both tunnels (start_action = start)
            for site in ("site2", "site3", "site1"):
                with open(os.path.join(FIXTURES, f"{site}.conf")) as stream:
                    labctl("exec", site, "--", "sh", "-c", f"cat > {CONF}", stdin=stream.read())
                out = labctl("exec", site, "--", "swanctl", "--load-all").stdout
                assert "successfully loaded" in out, out
            deadline = time.monotonic() + 30
            listing = ""
            while time.monotonic() < deadline:
                listing = sas("site1")
                # s1-s2 installed, and the s1-s3 attempt over (its IKE SA deleted after the failed authentication)
                if "INSTALLED" in listing and "s1-s3" not in listing:
                    break
                time.sleep(0.5)
            else:
                raise AssertionError("the lab tunnels did not settle:\n" + listing)
            yield
        finally:
            labctl("down", check=False)


@pytest.fixture(scope="module")
def verify_run(lab, tmp_path_factory):
    work = str(tmp_path_factory.mktemp("verify-lab"))
    intent = e2e.write_vars(os.path.join(work, "intent.yml"), INTENT)
    reports = os.path.join(work, "reports")
    started = time.monotonic()
    process = e2e.run_verify(INVENTORY, work, "-e", f"@{intent}", "-e", f"verify_report_dir={reports}",
                             "-e", "verify_probe_count=3")
    elapsed = time.monotonic() - started
    return process, reports, intent, work, elapsed


def test_the_broken_tunnel_fails_the_run_with_its_cause(verify_run):
    process, _reports, _inventory, _work, elapsed = verify_run
    assert process.returncode != 0, process.output
    assert "site1: 1 of 2 tunnel(s) down" in process.output, process.output
    assert "- s1-s3 (peer site3): [P1_PEER_REFUSED_AUTH]" in process.output
    assert "site3: 1 of 1 tunnel(s) down" in process.output
    assert "site2: 1 of 1" not in process.output
    print(f"\nverify.yml on 4 lab sites took {elapsed:.1f} s")


def test_report_says_up_for_the_good_tunnel_with_grown_counters(verify_run):
    report, _junit, _markdown, _texts = e2e.read_report(verify_run[1])
    ends = e2e.ends(report)
    for host in ("site1", "site2"):
        end = ends[(host, "s1-s2")]
        assert end["status"] == "up", end
        assert end["phase1"]["state"] == "ESTABLISHED"
        assert end["phase2"]["up"] and end["phase2"]["selectors"][0]["found"]
        assert end["traffic"]["checked"] is True and end["traffic"]["passed"] is True
        assert end["traffic"]["encaps_delta"] >= 3 and end["traffic"]["decaps_delta"] >= 3, end["traffic"]
        assert end["traffic"]["probe"]["received"] == 3
    assert ends[("site1", "s1-s2")]["traffic"]["probe"]["source"] == "10.11.0.1"
    assert ends[("site1", "s1-s2")]["traffic"]["probe"]["destination"] == "10.12.0.1"


def test_report_says_down_with_a_phase1_cause_for_the_broken_tunnel(verify_run):
    report, _junit, _markdown, _texts = e2e.read_report(verify_run[1])
    ends = e2e.ends(report)
    for host in ("site1", "site3"):
        end = ends[(host, "s1-s3")]
        assert end["status"] == "down"
        assert end["cause_phase"] == "phase1"
        assert "pre-shared key" in end["cause"] or "proposals" in end["cause"]
    # site1 (side a) initiated it once more: site3 answered AUTHENTICATION_FAILED
    site1 = ends[("site1", "s1-s3")]
    assert site1["cause_code"] == "P1_PEER_REFUSED_AUTH", site1
    assert site1["detail"].startswith("charon: [IKE] received AUTHENTICATION_FAILED notify error (SA read: "), site1
    assert site1["diagnosis"]["evidence"] == "[IKE] received AUTHENTICATION_FAILED notify error"
    # site3 is the responder: it does not initiate, so its cause still comes from the SA list
    assert ends[("site3", "s1-s3")]["cause_code"] in ("P1_NO_SA", "P1_CONNECTING", "P1_NOT_ESTABLISHED")
    assert report["status"] == "down"
    assert {t["tunnel"]: t["status"] for t in report["tunnels"]} == {"s1-s2": "up", "s1-s3": "down"}
    site4 = next(h for h in report["hosts"] if h["host"] == "site4")
    assert site4["status"] == "none" and site4["tunnels"] == []
    assert report["missing_hosts"] == []


def test_junit_and_markdown(verify_run):
    _report, junit, markdown, _texts = e2e.read_report(verify_run[1])
    cases = e2e.junit_cases(junit)
    assert sorted(cases) == [("site1", "s1-s2"), ("site1", "s1-s3"), ("site2", "s1-s2"), ("site3", "s1-s3")]
    assert cases[("site1", "s1-s2")].find("failure") is None
    assert cases[("site1", "s1-s3")].find("failure").get("type").startswith("P1_")
    assert junit.get("failures") == "2"
    assert e2e.edge_colours(markdown) == {"s1-s2: up": "green", "s1-s3: down": "red"}


def test_no_psk_in_the_report_or_the_output(verify_run):
    process, _reports, _inventory, _work, _elapsed = verify_run
    _report, _junit, _markdown, texts = e2e.read_report(verify_run[1])
    for text in list(texts.values()) + [process.output]:
        assert GOOD_PSK not in text and WRONG_PSK not in text


def test_a_host_with_all_tunnels_up_passes(verify_run):
    _process, _reports, intent, work, _elapsed = verify_run
    reports = os.path.join(work, "reports-site2")
    process = e2e.run_verify(INVENTORY, work, "-e", f"@{intent}", "-e", "verify_hosts=site2",
                             "-e", f"verify_report_dir={reports}")
    assert process.returncode == 0, process.output
    report, junit, _markdown, _texts = e2e.read_report(reports)
    assert report["status"] == "up"
    assert [h["host"] for h in report["hosts"]] == ["site2"]
    assert junit.get("failures") == "0" and junit.get("tests") == "1"


def test_without_probes_traffic_is_not_judged(verify_run):
    _process, _reports, intent, work, _elapsed = verify_run
    reports = os.path.join(work, "reports-noprobe")
    process = e2e.run_verify(INVENTORY, work, "-e", f"@{intent}", "-e", "verify_hosts=site1:site2",
                             "-e", "verify_traffic_probe=false", "-e", f"verify_report_dir={reports}",
                             "-e", "verify_fail_on_down=false")
    assert process.returncode == 0, process.output
    report = json.loads(open(os.path.join(reports, "verify.json")).read())
    end = e2e.ends(report)[("site1", "s1-s2")]
    assert end["status"] == "up" and end["traffic"]["checked"] is False
    assert e2e.ends(report)[("site1", "s1-s3")]["status"] == "down"
