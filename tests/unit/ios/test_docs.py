"""docs/ios.md shows the construct table as the code defines it."""

import os

import yaml
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import constructs as C

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def test_docs_table_matches_code():
    with open(os.path.join(REPO, "docs", "ios.md")) as handle:
        text = handle.read()
    start = text.index("<!-- construct table")
    start = text.index("\n", start) + 1
    end = text.index("<!-- end of construct table -->")
    assert text[start:end].strip() == C.markdown_table().strip(), (
        "refresh docs/ios.md with constructs.markdown_table()")


def test_every_role_variable_is_documented():
    with open(os.path.join(REPO, "roles", "ios", "defaults", "main.yml")) as handle:
        defaults = yaml.safe_load(handle)
    with open(os.path.join(REPO, "roles", "ios", "meta", "argument_specs.yml")) as handle:
        spec = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
    with open(os.path.join(REPO, "roles", "ios", "README.md")) as handle:
        readme = handle.read()
    assert sorted(defaults) == sorted(spec)
    for name, option in spec.items():
        assert option.get("default") == defaults[name], name
        assert "`%s`" % name in readme, name
