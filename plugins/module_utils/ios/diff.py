# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Intended nodes vs recognised running-config -> the ordered command list.

Order of the command list:

1. ledger additions (before anything is created, so that a push that fails half-way leaves no object the
   collection created without a record of it);
2. creations and updates, by stage (ACLs, IKEv1, IKEv2, transform sets, IPsec profiles, crypto map entries,
   tunnel interfaces, interface bindings, routing, static routes): whatever an object refers to exists first;
3. removals of owned objects that left the intent, in reverse stage order (unbind before delete);
4. the ledger rewritten without the removed objects.

Values are compared in IOS's displayed form (``Construct.display``), so a second run against the device finds
nothing to do. Only objects the collection owns are ever removed (``Construct.owner_kind``); everything else is left
alone. Pure Python.
"""

from ansible_collections.ipsec.vpn.plugins.module_utils.ios import constructs as C


class Cmd(object):
    """One command: the line sent to the device, the same line with secrets masked, and its nesting ``depth``
    (0 for global configuration mode); ``header`` is true for a line that enters a sub-mode."""

    __slots__ = ("line", "masked", "depth", "header")

    def __init__(self, line, masked=None, depth=0, header=False):
        self.line = line
        self.masked = line if masked is None else masked
        self.depth = depth
        self.header = header

    def __repr__(self):
        return "Cmd(%r)" % self.masked

    def __eq__(self, other):
        return isinstance(other, Cmd) and other.line == self.line

    def __hash__(self):
        return hash(self.line)


def _cmd(node, text, depth=0):
    header = bool(node is not None and node.construct is not None and node.construct.block
                  and not node.construct.virtual and text == node.typed())
    return Cmd(text, node.mask(text) if node is not None else text, depth, header)


def _exit(depth):
    return Cmd(C.EXIT, depth=depth)


class Changes(object):
    """The outcome of a diff: commands plus human-readable before/after views of the managed objects."""

    def __init__(self, commands, before, after, created, updated, removed):
        self.commands = commands
        self.before = before
        self.after = after
        self.created = created
        self.updated = updated
        self.removed = removed

    @property
    def lines(self):
        return [c.line for c in self.commands]

    @property
    def masked(self):
        return [c.masked for c in self.commands]

    @property
    def changed(self):
        return bool(self.commands)


def create(node, depth=0):
    """Commands that create ``node`` from nothing."""
    if node.construct.virtual:
        return [_cmd(child, child.typed(), depth) for child in node.children if child.construct is not None]
    lines = [_cmd(node, node.typed(), depth)]
    for child in node.children:
        if child.construct is None:
            continue
        if child.construct.block:
            lines += create(child, depth + 1) + [_exit(depth + 1)]
        else:
            lines.append(_cmd(child, child.typed(), depth + 1))
    return lines


def display_lines(node, only=None, depth=0):
    """Displayed lines of a node (hidden defaults left out), indented; ``only`` filters direct children."""
    if node.construct is None:
        return []
    out = []
    if not node.construct.virtual:
        shown = node.shown()
        out.append(" " * depth + node.mask(shown))
        depth += 1
    for child in node.children:
        if child.construct is None or (only is not None and not only(child)):
            continue
        if child.construct.block:
            out += display_lines(child, None, depth)
            continue
        shown = child.shown()
        if shown is not None:
            out.append(("" if node.construct.virtual else " " * depth) + child.mask(shown))
    return out


class _Differ(object):
    def __init__(self, want, have_nodes, ledger, manage_all):
        self.want = want
        self.have_nodes = have_nodes
        self.ledger = list(ledger)
        self.manage_all = manage_all
        self.have_index = {}
        for node in have_nodes:
            self.have_index.setdefault(node.identity(), node)
        self.want_ids = set(n.identity() for n in want)
        self.want_by_id = dict((n.identity(), n) for n in want)
        self.kept_ledger = []
        self.created, self.updated, self.removed = [], [], []

    # ownership --------------------------------------------------------------------------------------------------
    def owned(self, node):
        if self.manage_all:
            return True
        kind = node.owner_kind()
        if kind == "always":
            return True
        if kind == "ledger":
            return C.ledger_entry(node) in self.ledger
        if kind == "marker":
            return node.has_marker()
        return False

    def child_managed(self, child, parent, parent_wanted):
        if self.manage_all:
            return True
        kind = child.owner_kind()
        if kind == "ledger":
            return C.ledger_entry(child, parent) in self.ledger
        if kind == "marker":
            return child.has_marker()
        if kind == "parent":
            return parent_wanted and parent.owner_kind() != "never"
        return False

    # comparison -------------------------------------------------------------------------------------------------
    @staticmethod
    def same(want, have):
        if want.construct.secret and have.values.get("encrypted"):
            # an encrypted (type 6) key cannot be compared: trust it, see docs/ios.md
            return True
        return want.shown() == have.shown()

    def update(self, want, have, depth=0):
        construct = want.construct
        if construct.compare == "ordered":
            return self.update_acl(want, have)
        if construct.compare == "replace":
            if [c.shown() for c in want.children] == [c.shown() for c in have.children if c.construct]:
                return []
            return [_cmd(have, have.removal())] + create(want)
        if not construct.block:
            return [] if self.same(want, have) else [_cmd(want, want.typed(), depth)]
        child_lines = self.child_diff(want, have, depth + 1)
        if want.shown() != have.shown() or child_lines:
            return [_cmd(want, want.typed(), depth)] + child_lines
        return []

    def child_diff(self, want, have, depth):
        removes, adds = [], []
        have_index = {}
        for child in have.children:
            if child.construct is not None:
                have_index.setdefault(child.identity(), child)
        want_ids = set()
        for child in want.children:
            if child.construct is None:
                continue
            identity = child.identity()
            want_ids.add(identity)
            existing = have_index.get(identity)
            if child.construct.block:
                lines = create(child, depth) if existing is None else self.update(child, existing, depth)
                if lines:
                    adds += lines + [_exit(depth)]
                continue
            if existing is not None and self.same(child, existing):
                continue
            if existing is None and child.shown() == child.construct.absent:
                continue
            if existing is not None and child.construct.replace_first:
                removes.append(_cmd(existing, existing.removal(), depth))
            adds.append(_cmd(child, child.typed(), depth))
        for child in have.children:
            if child.construct is None or child.identity() in want_ids:
                continue
            if not self.child_managed(child, have, True):
                continue
            if not child.construct.block and child.shown() in (None, child.construct.absent):
                continue  # the device shows a default explicitly: nothing to take away
            removes.append(_cmd(child, child.removal(), depth))
        return removes + adds

    # ACLs: entries are compared in order ------------------------------------------------------------------------
    def bound_interfaces(self, acl_name):
        """(block, line) pairs of the device that apply ACL ``acl_name``."""
        found = []
        for node in self.have_nodes:
            for child in node.children:
                binds = child.construct.binds_acl if child.construct is not None else None
                if binds and child.values.get(binds) == acl_name:
                    found.append((node, child))
        return found

    def rewrite_acl(self, want, have):
        name = want.values.get("name", want.values.get("number"))
        bound = self.bound_interfaces(name)
        lines = []
        for interface, group in bound:
            lines += [_cmd(interface, interface.typed()), _cmd(group, group.removal(), 1)]
        lines += [_cmd(have, have.removal())] + create(want)
        for interface, group in bound:
            lines += [_cmd(interface, interface.typed()), _cmd(group, group.typed(), 1)]
        return lines

    def update_acl(self, want, have):
        numbered = want.construct.virtual
        remark = want.construct.marker
        want_entries = [c for c in want.children if c.construct is not None and c.construct.ordered]
        have_entries = [c for c in have.children if c.construct is not None and c.construct.ordered]
        want_shown = [c.shown() for c in want_entries]
        have_shown = [c.shown() for c in have_entries]
        markers = [c for c in want.children if c.name == remark and C.has_marker(c.values.get("text"))]
        need_marker = bool(markers) and not have.has_marker()
        if want_shown == have_shown:
            if not need_marker:
                return []
            if numbered:
                return [_cmd(markers[0], markers[0].typed())]
            return [_cmd(want, want.typed()), _cmd(markers[0], markers[0].typed(), 1)]
        if numbered or len(set(want_shown)) != len(want_shown) or len(set(have_shown)) != len(have_shown):
            return self.rewrite_acl(want, have)
        kept = [s for s in have_shown if s in want_shown]
        added = [c for c in want_entries if c.shown() not in have_shown]
        if kept + [c.shown() for c in added] != want_shown:
            return self.rewrite_acl(want, have)
        lines = [_cmd(want, want.typed())]
        if need_marker:
            lines.append(_cmd(markers[0], markers[0].typed(), 1))
        lines += [_cmd(c, c.removal(), 1) for c in have_entries if c.shown() not in want_shown]
        lines += [_cmd(c, c.typed(), 1) for c in added]
        return lines

    # removal ----------------------------------------------------------------------------------------------------
    def still_needed(self, line):
        """A line with ``kept_while`` (a crypto map binding) stays while the device holds a matching object the
        collection does not own (entries of that map)."""
        construct, field, own = line.construct.kept_while
        value = line.values.get(own)
        for node in self.have_nodes:
            if node.name == construct and node.values.get(field) == value and not self.owned(node):
                return True
        return False

    def remove_children(self, have):
        lines = []
        for child in have.children:
            if child.construct is None or child.owner_kind() == "parent":
                continue
            if not self.child_managed(child, have, False):
                continue
            if child.construct.kept_while and not self.manage_all and self.still_needed(child):
                self.kept_ledger.append(C.ledger_entry(child, have))
                continue
            lines.append(_cmd(child, child.removal(), 1))
        return [_cmd(have, have.typed())] + lines if lines else []

    def before_lines(self, node):
        """Displayed lines of the part of a device object the collection manages (for diff output)."""
        if self.owned(node):
            return display_lines(node)
        if node.construct is None or not node.construct.block:
            return []
        want = self.want_by_id.get(node.identity())
        want_ids = set(c.identity() for c in want.children if c.construct is not None) if want is not None else set()

        def managed(child):
            return child.identity() in want_ids or self.child_managed(child, node, want is not None)

        lines = display_lines(node, managed)
        return lines if len(lines) > 1 else []

    # driver -----------------------------------------------------------------------------------------------------
    def run(self):
        forward, backward = [], []
        for node in self.want:
            existing = self.have_index.get(node.identity())
            if existing is None:
                lines = create(node)
                if node.owner_kind() != "never":
                    self.created.append(node)
            else:
                lines = self.update(node, existing)
                if lines and node.owner_kind() != "never":
                    self.updated.append(node)
            if lines:
                forward.append((node.stage, lines))
        for node in self.have_nodes:
            if node.identity() in self.want_ids:
                continue
            if self.owned(node):
                backward.append((node.stage, [_cmd(node, node.removal())]))
                self.removed.append(node)
            elif node.construct.block:
                lines = self.remove_children(node)
                if lines:
                    backward.append((node.stage, lines))
        forward.sort(key=lambda item: item[0])
        backward.sort(key=lambda item: -item[0])
        commands = []
        for _stage, lines in forward:
            commands += lines
        for _stage, lines in backward:
            commands += lines
        return commands


def _ledger_commands(want_entries, have_entries, kept):
    final = list(want_entries) + [e for e in kept if e not in want_entries]
    additions = [e for e in final if e not in have_entries]
    gone = [e for e in have_entries if e not in final]

    def block(entries):
        node = C.ledger_block(entries)
        return [Cmd(node.typed(), header=True)] + [Cmd(child.typed(), depth=1) for child in node.children]

    first = block(additions) if additions else []
    last = []
    if gone:
        last = [Cmd(C.ledger_block([]).removal())]
        if final:
            last += block(final)
    return first, last


def compute(want, running, manage_all=False):
    """Commands that take the device from ``running`` (a :class:`~.running.Running`) to ``want`` (intended nodes).

    ``manage_all`` treats every recognised object as owned (used to put a device back to a previous state after a
    failed push); then ``want`` is that previous state, ledger included."""
    if manage_all:
        have_nodes = running.all_nodes()
        differ = _Differ(want, have_nodes, [], True)
        commands = differ.run()
    else:
        differ = _Differ(want, running.nodes, running.ledger, False)
        body = differ.run()
        first, last = _ledger_commands(C.ledger_entries(want), running.ledger, differ.kept_ledger)
        commands = first + body + last if body or first or last else []
    before = []
    for node in running.all_nodes() if manage_all else running.nodes:
        before += differ.before_lines(node)
    after = []
    for node in want:
        after += display_lines(node)
    return Changes(commands, "\n".join(before) + ("\n" if before else ""), "\n".join(after) + ("\n" if after else ""),
                   differ.created, differ.updated, differ.removed)
