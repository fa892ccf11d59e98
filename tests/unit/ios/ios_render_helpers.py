"""Shared helpers of the IOS renderer tests: seed intents (with the vaulted key decrypted), block-aware line checks."""

import copy
import os

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret
from ansible_collections.ipsec.vpn.plugins.module_utils import planner
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import render

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SEED = os.path.join(REPO, "inventories", "seed")
VAULT_PASSWORD = os.path.join(SEED, "vault-password.txt")

_CACHE = {}


def seed_psk(scenario):
    """The seed's vaulted key, decrypted with the published demo password."""
    with open(os.path.join(SEED, scenario, "group_vars", "all", "vault.yml")) as handle:
        text = handle.read()
    with open(VAULT_PASSWORD, "rb") as handle:
        password = handle.read().strip()
    blob = "\n".join(line.strip() for line in text.split("!vault |", 1)[1].strip().splitlines())
    return VaultLib([("default", VaultSecret(password))]).decrypt(blob).decode()


def seed_intent(scenario):
    """The seed inventory's intent with ``{{ vault_psk_r2_r3 }}`` replaced by the decrypted key."""
    if scenario not in _CACHE:
        with open(os.path.join(SEED, scenario, "group_vars", "all", "intent.yml")) as handle:
            intent = yaml.safe_load(handle)["ipsec_vpn_intent"]
        psk = seed_psk(scenario)
        for tunnel in intent.get("tunnels", []):
            assert tunnel["psk"] == "{{ vault_psk_r2_r3 }}"
            tunnel["psk"] = psk
        _CACHE[scenario] = intent
    return copy.deepcopy(_CACHE[scenario])


def rendered(intent, host, **settings):
    """The artifact of ``host``; ``settings`` (tunnel_source, manage_routes) go into the host's intent entry."""
    for where in ("gateways", "inside_routers"):
        if settings and host in (intent.get(where) or {}):
            intent[where][host].update(settings)
    return render.render_text(planner.plan_host(intent, host))


def blocks(text):
    """``[(header, [child, ...]), ...]`` of an IOS text, lower-cased, indentation and comments ignored."""
    out = []
    for raw in text.splitlines():
        if not raw.strip() or raw.strip().startswith("!"):
            continue
        line = " ".join(raw.split()).lower()
        if raw[:1] == " " and out:
            out[-1][1].append(line)
        else:
            out.append((line, []))
    return out


def missing_lines(expected, actual):
    """Lines of ``expected`` that ``actual`` lacks: a top-level line must be there, a sub-command must sit under
    a block with the same header (case and indentation do not matter)."""
    have = {}
    for header, children in blocks(actual):
        have.setdefault(header, set()).update(children)
    missing = []
    for header, children in blocks(expected):
        if header not in have:
            missing.append(header)
            missing.extend("  " + child for child in children)
            continue
        missing.extend("%s / %s" % (header, child) for child in children if child not in have[header])
    return missing


def config_lines(text):
    """Non-comment lines, lower-cased, white space squashed (for line-by-line comparisons)."""
    return [" ".join(raw.split()).lower() for raw in text.splitlines() if raw.strip() and not raw.strip().startswith("!")]
