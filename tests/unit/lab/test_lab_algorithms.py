"""The lab's start-up check that every site's charon offers the algorithms the lab's intents use.

``list-algs-debian12-full.txt`` is ``swanctl --list-algs`` of a lab site on Debian 12 (strongSwan 5.9.8) with the
packages scripts/setup.sh installs. A machine without libstrongswan-standard-plugins has no openssl plugin: its
output is the same without the ``[openssl]`` lines, which is how the second case is built.
"""

import glob
import importlib.util
import os
import re

import pytest
import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils import algorithms
from ansible_collections.ipsec.vpn.plugins.module_utils.planner import plan_all

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
FULL = os.path.join(HERE, "fixtures", "list-algs-debian12-full.txt")
LAB_INTENT = os.path.join(REPO_ROOT, "inventories", "lab", "group_vars", "all", "ipsec_vpn_intent.yml")
LAB_CONFS = glob.glob(os.path.join(REPO_ROOT, "tests", "e2e", "*", "fixtures", "*.conf"))


def _load_labctl():
    spec = importlib.util.spec_from_file_location("labctl", os.path.join(REPO_ROOT, "lab", "labctl.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


labctl = _load_labctl()


def _read(path):
    with open(path) as handle:
        return handle.read()


def _strongswan_keywords():
    """Every strongSwan proposal keyword the algorithm table can render."""
    found = set()
    for table in (algorithms.ENCRYPTION, algorithms.INTEGRITY, algorithms.DH_GROUPS):
        for row in table.values():
            for field in ("keywords", "prf_keywords", "ah_keywords"):
                word = (getattr(row, field, None) or {}).get("strongswan")
                if word:
                    found.add(word)
    return found


def _proposal_keywords(value):
    """Keywords of every strongSwan proposal string found under a ``strongswan*proposals`` key of a plan."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("strongswan") and key.endswith("proposals"):
                for proposal in item:
                    found.update(proposal.split("-"))
            else:
                found |= _proposal_keywords(item)
    elif isinstance(value, list):
        for item in value:
            found |= _proposal_keywords(item)
    return found


def test_the_lab_checks_every_keyword_the_collection_can_render():
    assert set(labctl.LAB_ALGORITHMS) | set(labctl.LAB_UNAVAILABLE) == _strongswan_keywords()
    assert not set(labctl.LAB_ALGORITHMS) & set(labctl.LAB_UNAVAILABLE)


def test_no_lab_intent_or_fixture_uses_an_algorithm_the_lab_cannot_offer():
    with open(LAB_INTENT) as handle:
        intent = yaml.safe_load(handle)["ipsec_vpn_intent"]
    with open(os.path.join(REPO_ROOT, "inventories", "lab", "hosts.yml")) as handle:
        hosts = yaml.safe_load(handle)["all"]["children"]["strongswan"]["hosts"]
    # the management addresses the plan action takes from each host's ansible_host (the lockout guard needs them)
    managements = {name: {"address": host["ansible_host"], "port": 22} for name, host in hosts.items()}
    used = _proposal_keywords(plan_all(intent, managements))
    assert {"aes256gcm16", "prfsha256", "ecp256", "des", "md5", "modp1024"} <= used
    assert LAB_CONFS, "the lab fixtures moved"
    for path in LAB_CONFS:
        for proposal in re.findall(r"proposals\s*=\s*(\S+)", _read(path)):
            used.update(proposal.split("-"))
    assert used <= set(labctl.LAB_ALGORITHMS)


def test_a_complete_debian_install_offers_everything():
    offered = labctl.parse_list_algs(_read(FULL))
    assert "ECP_256" in offered["dh"] and "AES_GCM_16" in offered["aead"] and "DES_CBC" in offered["encryption"]
    assert labctl.missing_algorithms(offered) == []
    assert labctl.algorithm_problem("site1", []) is None


def test_without_the_openssl_plugin_start_up_names_the_algorithm_and_the_package():
    text = "\n".join(line for line in _read(FULL).splitlines() if "[openssl]" not in line)
    missing = labctl.missing_algorithms(labctl.parse_list_algs(text))
    names = {item[2] for item in missing}
    # list-algs names one plugin per algorithm, so dropping the [openssl] lines also drops MODP (which gmp would
    # then offer on a real machine); DES, 3DES and the ECP groups have no other plugin on Debian. AES-CBC and
    # AES-GCM stay, from aesni.
    assert {"ECP_256", "ECP_384", "ECP_521", "DES_CBC", "3DES_CBC", "CURVE_25519", "MODP_1024"} <= names
    assert "AES_GCM_16" not in names and "AES_CBC" not in names
    message = labctl.algorithm_problem("site2", missing)
    assert message.startswith("site2: charon does not offer ")
    assert "ECP_256 (dh, proposal keyword ecp256)" in message
    assert message.endswith("apt-get install libstrongswan libstrongswan-standard-plugins")


@pytest.mark.parametrize("keyword", ["ecp256", "des"])
def test_one_missing_algorithm_names_its_package_alone(keyword):
    offered = labctl.parse_list_algs(_read(FULL))
    section, name = labctl.LAB_ALGORITHMS[keyword][:2]
    offered[section].discard(name)
    message = labctl.algorithm_problem("site1", labctl.missing_algorithms(offered, [keyword]))
    assert message == (f"site1: charon does not offer {name} ({section}, proposal keyword {keyword}), which the "
                       "lab's intents may use; install the Debian package(s) that provide them: "
                       "apt-get install libstrongswan-standard-plugins")
