"""Collection metadata: license text, no placeholder URLs, dependency bounds that agree with what the tests run."""

import glob
import importlib.metadata
import json
import os
import re

import ansible
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ANSIBLE_PIN_FILE = os.path.join(REPO_ROOT, "requirements.txt")


def _load(path):
    with open(os.path.join(REPO_ROOT, path), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _bounds(spec):
    """'>=8.2.0,<9.0.0' -> ((8, 2, 0), (9, 0, 0))."""
    parts = dict(re.fullmatch(r"(>=|<)(\d+\.\d+\.\d+)", item.strip()).groups() for item in spec.split(","))
    return tuple(int(x) for x in parts[">="].split(".")), tuple(int(x) for x in parts["<"].split("."))


def _installed_version(name):
    """Version of a collection shipped with the ansible package that runs the tests."""
    site = os.path.dirname(os.path.dirname(ansible.__file__))
    namespace, collection = name.split(".")
    [manifest] = glob.glob(os.path.join(site, "ansible_collections", namespace, collection, "MANIFEST.json"))
    with open(manifest, encoding="utf-8") as handle:
        return tuple(int(x) for x in json.load(handle)["collection_info"]["version"].split("."))


def test_license_file_is_the_gpl_version_3():
    galaxy = _load("galaxy.yml")
    assert galaxy["license"] == ["GPL-3.0-or-later"]
    with open(os.path.join(REPO_ROOT, "COPYING"), encoding="utf-8") as handle:
        text = handle.read()
    assert text.lstrip().startswith("GNU GENERAL PUBLIC LICENSE")
    assert "Version 3, 29 June 2007" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert "How to Apply These Terms to Your New Programs" in text
    # The FSF text is 674 lines; a stub or an excerpt is much shorter.
    assert len(text.splitlines()) > 600


def test_no_placeholder_urls_in_metadata_or_plugin_docs():
    paths = ["galaxy.yml", "meta/runtime.yml"] + sorted(
        os.path.relpath(p, REPO_ROOT) for p in glob.glob(os.path.join(REPO_ROOT, "plugins", "**", "*.py"), recursive=True))
    offenders = []
    for path in paths:
        with open(os.path.join(REPO_ROOT, path), encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if re.search(r"\.invalid\b|example\.(com|org|net)/", line):
                    offenders.append("%s:%d: %s" % (path, number, line.strip()))
    assert offenders == []
    galaxy = _load("galaxy.yml")
    for key in ("repository", "documentation", "homepage", "issues"):
        assert galaxy.get(key) is None or galaxy[key].startswith("https://"), key


def test_dependency_bounds_agree_between_galaxy_and_the_execution_environment():
    galaxy = _load("galaxy.yml")["dependencies"]
    ee = {item["name"]: item["version"] for item in _load("ee/requirements.yml")["collections"]}
    assert galaxy == ee


def test_lower_bounds_are_the_tested_versions():
    """The lower bound of each dependency is what the pinned ansible package ships; every tested version fits."""
    with open(ANSIBLE_PIN_FILE, encoding="utf-8") as handle:
        pinned = re.search(r"^ansible==(\S+)$", handle.read(), re.M).group(1)
    running = importlib.metadata.version("ansible")
    for name, spec in _load("galaxy.yml")["dependencies"].items():
        lower, upper = _bounds(spec)
        installed = _installed_version(name)
        assert lower <= installed < upper, (name, installed, spec)
        if running == pinned:
            assert installed == lower, (name, installed, spec)
