"""Expected values written by hand from the raw text (tests/fixtures/parsers/independent/).

Each ``independent/<folder>/<name>.yml`` holds values read off ``<folder>/<name>.txt`` by a person,
not produced by a parser. A file may list only some fields: every key it names must be in the
result with that value, every list must have exactly the listed items, and ``warnings`` (when
given) must match exactly.
"""

import os

from parser_helpers import FIXTURES

INDEPENDENT = os.path.join(FIXTURES, "independent")

# folder -> command; the count outputs name their command in the file name
FOLDER_COMMANDS = {
    "ios_ipsec_sa": "show crypto ipsec sa",
    "ios_isakmp_sa": "show crypto isakmp sa",
    "ios_crypto_session": "show crypto session",
    "ios_ikev2_sa": "show crypto ikev2 sa",
    "swanctl_list_sas": "swanctl --list-sas",
    "ios_sa_count": None,
}


def command_for(folder, name):
    if folder == "ios_sa_count":
        return "show crypto {} sa count".format(name.split("_", 1)[0])
    return FOLDER_COMMANDS[folder]


def independent_files():
    """Every (folder, name) with a hand-written expected file."""
    found = []
    for folder in sorted(FOLDER_COMMANDS):
        path = os.path.join(INDEPENDENT, folder)
        if not os.path.isdir(path):
            continue
        for entry in sorted(os.listdir(path)):
            if entry.endswith(".yml"):
                found.append((folder, entry[:-4]))
    return found


def mismatches(expected, actual, path="result"):
    """Differences between the hand-written ``expected`` (possibly partial) and ``actual``."""
    out = []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a mapping, got {actual!r}"]
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing (expected {value!r})")
            else:
                out.extend(mismatches(value, actual[key], f"{path}.{key}"))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items, got {actual!r}"]
        for index, (want, got) in enumerate(zip(expected, actual)):
            out.extend(mismatches(want, got, f"{path}[{index}]"))
        return out
    if expected != actual or type(expected) is not type(actual):
        out.append(f"{path}: expected {expected!r}, got {actual!r}")
    return out
