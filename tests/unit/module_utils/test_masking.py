"""One mask and one file writer for the whole collection."""

import ast
import os
import stat

from ansible_collections.ipsec.vpn.plugins.module_utils import files, masking

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def test_structures_lose_every_secret_and_the_input_is_kept():
    plan = {"tunnels": [{"psk": "k1", "name": "t"}], "ikev2": {"keyring": {"peers": [{"psk": "k2"}]}},
            "Password": "p", "nothing": None, "psk_path": "tunnels[0].psk"}
    masked = masking.mask(plan)
    assert masked == {"tunnels": [{"psk": "********", "name": "t"}],
                      "ikev2": {"keyring": {"peers": [{"psk": "********"}]}},
                      "Password": "********", "nothing": None, "psk_path": "tunnels[0].psk"}
    assert plan["tunnels"][0]["psk"] == "k1"
    assert masking.mask({"psk": None}) == {"psk": None}  # certificate tunnels: nothing to hide, nothing invented


def test_texts_lose_the_given_secrets_longest_first():
    assert masking.mask("bad key s3cret here", ["s3cret"]) == "bad key ******** here"
    assert masking.mask("ab abc", ["ab", "abc"]) == "******** ********"
    assert masking.mask("no secret", []) == "no secret"


def test_whole_words_leave_a_short_key_inside_an_address_alone():
    line = "crypto isakmp key 1 address 10.1.1.1"
    assert masking.mask(line, ["1"], whole_words=True) == "crypto isakmp key ******** address 10.1.1.1"


def test_no_other_module_holds_a_mask_of_its_own():
    owners = []
    for folder, _dirs, names in os.walk(os.path.join(REPO, "plugins")):
        for name in names:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path) as handle:
                tree = ast.parse(handle.read())
            if any(isinstance(n, ast.Constant) and n.value == "********" for n in ast.walk(tree)):
                owners.append(os.path.relpath(path, REPO))
    assert owners == [os.path.join("plugins", "module_utils", "masking.py")]


def test_writer_creates_with_the_mode_and_reports_changes(tmp_path):
    path = str(tmp_path / "R2.cfg")
    assert files.write_atomic(path, "crypto isakmp key k address 198.51.100.2\n", 0o600) is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert files.write_atomic(path, "crypto isakmp key k address 198.51.100.2\n", 0o600) is False
    assert files.write_atomic(path, "crypto isakmp key k address 198.51.100.2\n", 0o644) is True  # mode only
    assert files.write_atomic(path, b"other\n", 0o644) is True
    with open(path) as handle:
        assert handle.read() == "other\n"
    assert [p.name for p in tmp_path.iterdir()] == ["R2.cfg"]  # no temporary file left behind
