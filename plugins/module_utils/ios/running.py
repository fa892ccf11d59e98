# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``show running-config`` text -> recognised nodes (see :mod:`.constructs`).

Only constructs of the table are recognised; every other top-level line is skipped, and unknown lines inside a
recognised block are kept as nodes without a construct (the diff never touches them). Pure Python.
"""

import re

from ansible_collections.ipsec.vpn.plugins.module_utils.ios import constructs as C

_SKIP = re.compile(r"^(?:!.*|Building configuration.*|Current configuration.*|end|\s*)$")
_BANNER = re.compile(r"^banner \S+ (\^C|\S)")


def config_tree(text):
    """Indentation tree of a running-config: a list of ``(line, children)`` with children in the same form."""
    root = []
    stack = [(-1, root)]
    lines = (text or "").splitlines()
    index = 0
    while index < len(lines):
        raw = lines[index].rstrip("\r")
        index += 1
        if _SKIP.match(raw):
            continue
        banner = _BANNER.match(raw)
        if banner:
            delimiter = banner.group(1)
            rest = raw[banner.end():]
            if delimiter not in rest:
                while index < len(lines) and delimiter not in lines[index]:
                    index += 1
                index += 1
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        while stack[-1][0] >= indent:
            stack.pop()
        children = []
        stack[-1][1].append((raw.strip(), children))
        stack.append((indent, children))
    return root


def _recognise_children(node, children):
    for line, grandchildren in children:
        child = C.node_from_line(line, node.construct.name)
        if child.construct is not None and child.construct.block:
            _recognise_children(child, grandchildren)
        node.children.append(child)


def recognise(text):
    """Recognised top-level nodes of a running-config, in device order (numbered ACL lines grouped per number)."""
    nodes = []
    numbered = {}
    for line, children in config_tree(text):
        node = C.node_from_line(line)
        if node.construct is None:
            continue
        if node.construct.parent == "acl_numbered":
            number = node.values["number"]
            group = numbered.get(number)
            if group is None:
                group = C.make("acl_numbered", {"number": number})
                numbered[number] = group
                nodes.append(group)
            group.children.append(node)
            continue
        if node.construct.block:
            _recognise_children(node, children)
        if node.name == "acl_named" and node.values["name"].isdigit():
            # IOS-XE 16+ shows a numbered ACL as 'ip access-list extended 100' with sequence numbers
            node = C.as_numbered(node)
            if node.values["number"] in numbered:
                numbered[node.values["number"]].children.extend(node.children)
                continue
            numbered[node.values["number"]] = node
        nodes.append(node)
    return nodes


class Running(object):
    """Recognised state of one device: nodes, an index by identity and the ledger's entries."""

    def __init__(self, nodes):
        self.nodes = [n for n in nodes if n.name != "ledger"]
        self.index = {}
        for node in self.nodes:
            self.index.setdefault(node.identity(), node)
        ledger = [n for n in nodes if n.name == "ledger"]
        self.ledger_node = ledger[0] if ledger else None
        self.ledger = []
        if self.ledger_node is not None:
            for child in self.ledger_node.children:
                if child.name == "ledger.entry" and child.values["entry"] not in self.ledger:
                    self.ledger.append(child.values["entry"])

    @classmethod
    def from_text(cls, text):
        return cls(recognise(text))

    def get(self, identity):
        return self.index.get(identity)

    def all_nodes(self):
        """Every top-level node, the ledger included."""
        return ([self.ledger_node] if self.ledger_node is not None else []) + self.nodes
