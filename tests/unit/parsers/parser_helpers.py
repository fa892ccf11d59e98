"""Shared helpers for the parser tests: fixture discovery and the generator import."""

import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FIXTURES = os.path.join(REPO_ROOT, "tests", "fixtures", "parsers")
GENERATOR_DIR = os.path.join(REPO_ROOT, "benchmarks", "parsers")

# fixture folder -> the command whose output it holds
COMMANDS = {
    "ios_ipsec_sa": "show crypto ipsec sa",
    "ios_isakmp_sa": "show crypto isakmp sa",
    "ios_crypto_session": "show crypto session",
    "ios_ikev2_sa": "show crypto ikev2 sa",
    "swanctl_list_sas": "swanctl --list-sas",
}


def fixture_texts():
    """Every (folder, name) pair with a .txt output in tests/fixtures/parsers."""
    found = []
    for folder in sorted(COMMANDS):
        for name in sorted(os.listdir(os.path.join(FIXTURES, folder))):
            if name.endswith(".txt"):
                found.append((folder, name[:-4]))
    return found


def read_fixture(folder, name, extension=".txt"):
    with open(os.path.join(FIXTURES, folder, name + extension), encoding="utf-8") as handle:
        return handle.read()


def load_generator():
    """Import benchmarks/parsers/generate.py (it is a script, not part of the collection)."""
    if GENERATOR_DIR not in sys.path:
        sys.path.insert(0, GENERATOR_DIR)
    import generate

    return generate
