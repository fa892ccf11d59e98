"""The construct table is the only place an IOS configuration line is spelled.

Every string a collection module writes (literals, f-strings, ``%`` and ``.format`` templates, prefixes that get a
value appended) is tried against the parser of every construct; a match means that module spells an IOS
configuration line itself, and the line belongs in ``plugins/module_utils/ios/constructs.py`` instead.
"""

import ast
import os
import re

import pytest
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import constructs as C

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
HOME = os.path.join("plugins", "module_utils", "ios", "constructs.py")
VALUE = "1"  # stands for whatever a placeholder receives
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrif]")
_BRACES = re.compile(r"\{[^{}]*\}")


def _templates(tree):
    """(line number, text) of every string template in a module, placeholders filled with VALUE."""
    out = []
    inner = set()  # the literal parts of f-strings are tried as part of the whole f-string only
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inner.update(id(part) for part in node.values)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inner:
            text = node.value
            out.append((node.lineno, _PERCENT.sub(VALUE, text)))
            out.append((node.lineno, _BRACES.sub(VALUE, text)))
            if text.endswith(" "):  # "set peer " + address
                out.append((node.lineno, text + VALUE))
        elif isinstance(node, ast.JoinedStr):
            parts = [p.value if isinstance(p, ast.Constant) else VALUE for p in node.values]
            out.append((node.lineno, "".join(parts)))
    return out


_TOKEN = re.compile(r"^[\w.:/-]+$")


def _looks_like_values(match):
    """Captured values made of IOS-style tokens (a quote means a sentence, e.g. "group name '%s' is used")."""
    return all(_TOKEN.match(word) for value in match.groupdict().values() if value for word in value.split())


def spelled_lines(source, path="<source>"):
    """``[(path, line number, text, construct name)]`` for every template that a construct recognises.

    A template counts when it fills a placeholder (``"set peer %s"``) or matches a construct without values
    (``"no crypto ipsec nat-transparency udp-encapsulation"``): literal labels such as "crypto map name" do not."""
    found = []
    seen = set()
    for lineno, text in _templates(ast.parse(source)):
        text = text.strip()
        if "\n" in text or not text or (lineno, text) in seen:
            continue
        seen.add((lineno, text))
        for construct in C.TABLE:
            match = construct.regex.match(text)
            if match is None or not _looks_like_values(match):
                continue
            if VALUE in text.split() or not match.groupdict():
                found.append((path, lineno, text, construct.name))
                break
    return found


def _modules():
    for top in ("plugins",):
        for folder, _dirs, files in os.walk(os.path.join(REPO, top)):
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.relpath(os.path.join(folder, name), REPO)
                    if path != HOME:
                        yield path


@pytest.mark.parametrize(
    "source, construct",
    [
        ('line = "set peer " + address', "crypto_map_entry.set_peer"),
        ('line = "crypto isakmp key %s address %s" % (k, a)', "isakmp_key"),
        ('line = f"tunnel source {src}"', "interface.tunnel_source"),
        ('line = "ip access-list extended {}".format(name)', "acl_named"),
        ('line = "remark " + entry', "acl_named.remark"),
    ],
)
def test_the_check_finds_a_spelled_line(source, construct):
    hits = spelled_lines(source)
    assert len(hits) == 1
    assert C.BY_NAME[construct].regex.match(hits[0][2])


def test_messages_and_show_commands_are_not_configuration_lines():
    source = 'a = "no parser for command %r" % c\nb = "show crypto ipsec sa"\nc = "end"\nd = "configure terminal"'
    assert spelled_lines(source) == []


def test_no_module_but_the_construct_table_spells_an_ios_line():
    found = []
    for path in _modules():
        with open(os.path.join(REPO, path)) as handle:
            found += spelled_lines(handle.read(), path)
    assert found == [], "IOS configuration lines spelled outside %s (build them from the construct table):\n%s" % (
        HOME, "\n".join("%s:%d: %r looks like construct %s" % hit for hit in found))
