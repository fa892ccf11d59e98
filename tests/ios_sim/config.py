"""The running-config model: an ordered tree of lines, rendered the way IOS shows it."""

import copy
import re
from dataclasses import dataclass, field
from itertools import count
from typing import Callable, Dict, Iterable, List, Optional

from .platform import CommandSpec, Platform, natural_key

_ORDER = count()


@dataclass
class Node:
    """One configuration line; a block when it has children (or when its command opens a mode)."""

    spec: Optional[CommandSpec]
    text: str
    binds: Dict[str, object] = field(default_factory=dict)
    children: List["Node"] = field(default_factory=list)
    identity: tuple = ()
    order: int = field(default_factory=lambda: next(_ORDER))

    @property
    def command_id(self) -> str:
        return self.spec.id if self.spec else ""

    @property
    def words(self) -> List[str]:
        return self.text.split()

    def find(self, command_id: str) -> List["Node"]:
        return [child for child in self.children if child.command_id == command_id]

    def first(self, command_id: str) -> Optional["Node"]:
        found = self.find(command_id)
        return found[0] if found else None

    def value(self, command_id: str, name: str, default=None):
        node = self.first(command_id)
        if node is None:
            return default
        return node.binds.get(name, default)


def identity_of(spec: CommandSpec, text: str, binds: Dict[str, object]) -> tuple:
    if spec.key is None:
        return (spec.id, text)
    values = []
    for name in spec.key:
        if name.startswith("?"):
            values.append(binds.get(name[1:]) is not None)
        else:
            value = binds.get(name)
            values.append(tuple(value) if isinstance(value, list) else value)
    return (spec.id, tuple(values))


class ConfigTree:
    def __init__(self, platform: Platform):
        self.platform = platform
        self.root = Node(None, "")

    def clone(self) -> "ConfigTree":
        other = ConfigTree(self.platform)
        other.root = copy.deepcopy(self.root)
        return other

    # -- editing ---------------------------------------------------------------------------------------------

    def set_line(self, parent: Node, spec: CommandSpec, text: str, binds: Dict[str, object]):
        """Add or replace a line; returns (node, created)."""
        identity = identity_of(spec, text, binds)
        for child in parent.children:
            if child.identity == identity:
                child.text = text
                child.binds = dict(binds)
                child.spec = spec
                return child, False
        node = Node(spec, text, dict(binds), identity=identity)
        parent.children.append(node)
        for implicit in spec.implicit:
            self.restore_implicit(node, implicit)
        return node, True

    def restore_implicit(self, node: Node, implicit: dict):
        """Put back a shown default (``mode tunnel``, ``no ip address``) when its command is absent."""
        if node.spec is None or not node.spec.opens:
            return
        child_spec = self.platform.spec(node.spec.opens, implicit["id"])
        if node.first(child_spec.id) is None:
            text = implicit["text"]
            node.children.append(Node(child_spec, text, {}, identity=identity_of(child_spec, text, {})))

    def remove(self, parent: Node, predicate: Callable[[Node], bool]) -> List[Node]:
        removed = [child for child in parent.children if predicate(child)]
        if removed:
            parent.children = [child for child in parent.children if child not in removed]
            if parent.spec is not None:
                for implicit in parent.spec.implicit:
                    self.restore_implicit(parent, implicit)
        return removed

    # -- queries ---------------------------------------------------------------------------------------------

    def top(self, command_id: str) -> List[Node]:
        return self.root.find(command_id)

    def top_by(self, command_id: str, **binds) -> Optional[Node]:
        for node in self.root.find(command_id):
            if all(str(node.binds.get(k)) == str(v) for k, v in binds.items()):
                return node
        return None

    # -- rendering -------------------------------------------------------------------------------------------

    def sorted_children(self, node: Node) -> List[Node]:
        def key(child: Node):
            spec = child.spec
            if spec is None:
                return (0, (), child.order)
            if spec.id == "interface" and spec.mode == "config":
                sort_values = self.platform.interface_sort_key(child.binds["ifname"])
            else:
                sort_values = tuple(natural_key(child.binds.get(name, "")) for name in spec.sort)
            return (spec.rank, sort_values, child.order)

        return sorted(node.children, key=key)

    def display_lines(self, node: Node, depth: int = 0) -> List[str]:
        """Displayed children of ``node`` (indented one space per level), hidden defaults left out."""
        lines = []
        for child in self.sorted_children(node):
            shown = child.spec.display_text(child.text) if child.spec else child.text
            if child.spec and child.spec.is_hidden(shown) and not child.children:
                continue
            lines.append(" " * depth + shown)
            lines.extend(self.display_lines(child, depth + 1))
        return lines

    def render_body(self, extra_top: Iterable[dict] = ()) -> List[str]:
        """The running-config between the header and ``end``: fixed lines and nodes, `!` between groups."""
        items = []
        for fixed in list(self.platform.fixed_lines) + list(extra_top):
            items.append((fixed["rank"], (), -1, fixed["group"], False, [fixed["text"]] + [
                " " + child for child in fixed.get("children", [])
            ]))
        for child in self.sorted_children(self.root):
            spec = child.spec
            shown = spec.display_text(child.text)
            if spec.is_hidden(shown) and not child.children:
                continue
            block = [shown] + self.display_lines(child, 1)
            if spec.id == "interface":
                sort_values = self.platform.interface_sort_key(child.binds["ifname"])
            else:
                sort_values = tuple(natural_key(child.binds.get(name, "")) for name in spec.sort)
            items.append((spec.rank, sort_values, child.order, spec.group, spec.separate, block))
        items.sort(key=lambda item: (item[0], item[1], item[2]))
        lines: List[str] = []
        previous_group = None
        previous_separate = False
        for _rank, _sort, _order, group, separate, block in items:
            if previous_group is not None and (group != previous_group or previous_separate):
                lines.append("!")
            lines.extend(block)
            previous_group, previous_separate = group, separate
        return lines


def filter_output(text: str, how: str, regex: str) -> str:
    """IOS output modifiers: include, exclude, begin, section, count."""
    try:
        pattern = re.compile(regex)
    except re.error:
        pattern = re.compile(re.escape(regex))
    lines = text.split("\n")
    if how == "include":
        return "\n".join(line for line in lines if pattern.search(line))
    if how == "exclude":
        return "\n".join(line for line in lines if not pattern.search(line))
    if how == "begin":
        for index, line in enumerate(lines):
            if pattern.search(line):
                return "\n".join(lines[index:])
        return ""
    if how == "count":
        return f"Number of lines which match regexp = {sum(1 for line in lines if pattern.search(line))}"
    if how == "section":
        sections: List[List[str]] = []
        for line in lines:
            if line.startswith(" ") and sections:
                sections[-1].append(line)
            else:
                sections.append([line])
        picked = [section for section in sections if any(pattern.search(line) for line in section)]
        return "\n".join(line for section in picked for line in section)
    raise ValueError(how)
