"""Every intent field named in an error, warning or hint exists in the intent schema (docs/intent.md).

The schema comes from the field tables of docs/intent.md (which test_intent_doc pins to the validator) plus the
few sub-fields the tables describe in prose. Paths are checked after normalising list indexes to ``[]`` and
user-chosen names (profiles, gateways, inside routers, per-gateway key maps) to ``*``.
"""

import glob
import os
import re

import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils import planner

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DOC = os.path.join(REPO, "docs", "intent.md")
CORPUS = sorted(glob.glob(os.path.join(REPO, "tests", "unit", "bad_intents", "*.yml")))

# Sub-fields the tables describe in their "meaning" column rather than as rows.
PROSE_FIELDS = [
    "tunnels[].selectors.protocol",
    "tunnels[].selectors.a_port",
    "tunnels[].selectors.b_port",
    "tunnels[].crypto_map.name",
    "tunnels[].crypto_map.sequence",
    "tunnels[].overlay.routing.protocol",
    "tunnels[].overlay.routing.as_number",
    "tunnels[].overlay.routing.process_id",
    "tunnels[].overlay.routing.area",
    "gateways.*.protected_networks[].prefix",
    "gateways.*.protected_networks[].next_hop",
    "groups[].psk.*",
]
LISTS = (
    "proposals",
    "protected_networks",
    "networks",
    "remote_networks",
    "advertise",
    "extra_entries",
    "hubs",
    "spokes",
    "members",
    "hub_networks",
)
ROOTS = ("crypto_profiles", "gateways", "inside_routers", "tunnels", "groups")
PATH_RE = re.compile(r"\b(?:%s)(?:\[\d*\]|\[\"[^\"]*\"\]|\.[A-Za-z0-9_<>*-]+)+" % "|".join(ROOTS))


def schema():
    """Every valid normalised path (``tunnels[].a.networks[]``, ``gateways.*.site_id`` ...)."""
    paths = set()
    heading = None
    with open(DOC) as handle:
        for line in handle:
            if line.startswith("#"):
                names = re.findall(r"`([^`]+)`", line)
                heading = names if names else ([""] if "Top level" in line else None)
                continue
            if heading is None or not line.startswith("| `"):
                continue
            for field in re.findall(r"`([^`]+)`", line.split("|")[1]):
                for head in heading:
                    paths.add(normalise("%s.%s" % (head, field) if head else field))
    for field in PROSE_FIELDS:
        paths.add(normalise(field))
    # groups share the tunnel-level style, profile, selectors and overlay fields
    for path in list(paths):
        for shared in ("selectors", "overlay"):
            if path.startswith("tunnels[]." + shared):
                paths.add("groups[]" + path[len("tunnels[]") :])
    # list fields have items, and every prefix of a valid path is valid
    for path in list(paths):
        if path.rsplit(".", 1)[-1] in LISTS:
            paths.add(path + "[]")
    for path in list(paths):
        parts = path.split(".")
        for n in range(1, len(parts)):
            paths.add(".".join(parts[:n]))
    return paths


def normalise(path):
    path = re.sub(r"<[^>]+>", "*", path)
    path = re.sub(r"\[\d*\]", "[]", path)
    path = re.sub(r"\[\"[^\"]*\"\]", ".*", path)
    parts = path.split(".")
    out = []
    for i, part in enumerate(parts):
        previous = out[-1] if out else None
        if i == 1 and previous in ("crypto_profiles", "gateways", "inside_routers"):
            part = "*"
        if previous == "psk" and len(out) >= 2 and out[-2] == "groups[]":
            part = "*"
        out.append(part)
    return ".".join(out)


def corpus_texts():
    texts = []
    for path in CORPUS:
        with open(path) as handle:
            case = yaml.safe_load(handle)
        texts.extend(case.get("errors") or [])
        for items in (case.get("warnings") or {}).values():
            texts.extend(items)
    return texts


def test_schema_reads_the_document():
    paths = schema()
    for expected in (
        "tunnels[].a.crypto_map_sequence",
        "gateways.*.site_id",
        "groups[].overlay_pool",
        "crypto_profiles.*.ike.proposals[].dh_group",
        "gateways.*.outside_acl.permit_management",
    ):
        assert expected in paths
    # the hint this test exists for: groups have no per-end fields
    assert normalise("groups[3].hubs[0].crypto_map_sequence") not in paths
    assert normalise("groups[3].hubs[0]") in paths


def test_every_path_in_a_corpus_message_exists():
    paths = schema()
    bad = []
    for text in corpus_texts():
        if ": unknown field (" in text:
            text = text.split(": unknown field (", 1)[1]  # that path is the user's misspelling, by design
        for found in PATH_RE.findall(text):
            if normalise(found) not in paths:
                bad.append("%s (in: %s)" % (found, text[:120]))
    assert not bad, "\n".join(bad)


def test_every_warning_of_the_seed_names_existing_fields():
    paths = schema()
    for name in ("site_to_site", "gre_over_ipsec", "routing"):
        with open(os.path.join(REPO, "inventories", "seed", name, "group_vars", "all", "intent.yml")) as handle:
            intent = yaml.safe_load(handle)["ipsec_vpn_intent"]
        for tunnel in intent.get("tunnels", []):
            tunnel["psk"] = "seed-test-key"  # stands in for the vaulted variable
        for plan in planner.plan_all(intent).values():
            for text in plan["warnings"]:
                for found in PATH_RE.findall(text):
                    assert normalise(found) in paths, (found, text)


def test_field_names_after_a_path_in_source_hints_exist():
    # '... set %s.crypto_map_sequence ...': the literal field after a formatted path must be a schema field
    fields = set()
    for path in schema():
        for part in path.split("."):
            fields.add(part.replace("[]", ""))
    bad = []
    for source in glob.glob(os.path.join(REPO, "plugins", "module_utils", "*.py")):
        with open(source) as handle:
            text = handle.read()
        for literal in re.findall(r'"([^"\n]*%s\.[a-z_]+[^"\n]*)"', text):
            for field in re.findall(r"%s\.([a-z_]+)", literal):
                if field not in fields:
                    bad.append("%s: %s" % (os.path.basename(source), literal))
    assert not bad, "\n".join(bad)
