"""A small IOS-like command grammar: syntax patterns from YAML, matched with abbreviation and backtracking.

Pattern language (one string per command):

* ``word``            a keyword; the user may abbreviate it to any unambiguous prefix
* ``<name:TYPE>``     a parameter bound to ``name`` (``<:TYPE>`` binds nothing); TYPE is ``word``, ``line``
                      (the raw rest of the line), ``ip``, ``port``, ``ifname``, ``A-B`` (an integer range) or the name
                      of an enumeration from the data file's ``types``; a trailing ``+`` repeats it (one or more)
* ``{a|b c}``         exactly one of the alternatives
* ``[a|b c]``         at most one of the alternatives
* ``$NAME``           the pattern text of macro NAME from the data file's ``macros``

Matching returns the canonical token list (keywords spelled out in full, parameters as typed), or explains where the
input went wrong so the session can print IOS's caret line.
"""

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

_TOKEN_RE = re.compile(r"\{|\}|\[|\]|\||<[^>]*>|[^\s{}\[\]|<>]+")


@dataclass
class Keyword:
    word: str


@dataclass
class Param:
    name: str
    kind: str
    repeat: bool = False


@dataclass
class Seq:
    items: list


@dataclass
class Alt:
    options: List[Seq]
    optional: bool


class PatternError(ValueError):
    """A syntax pattern in the data file is malformed."""


def parse_pattern(text: str, macros: Dict[str, str]) -> Seq:
    expanded = _expand_macros(text, macros)
    tokens = _TOKEN_RE.findall(expanded)
    seq, pos = _parse_seq(tokens, 0, text)
    if pos != len(tokens):
        raise PatternError(f"unbalanced bracket in pattern {text!r}")
    return seq


def _expand_macros(text: str, macros: Dict[str, str]) -> str:
    for _unused in range(10):
        new = re.sub(r"\$(\w+)", lambda m: macros[m.group(1)], text)
        if new == text:
            return new
        text = new
    raise PatternError(f"macro recursion in {text!r}")


def _parse_seq(tokens, pos, source):
    items = []
    while pos < len(tokens):
        tok = tokens[pos]
        if tok in ("}", "]", "|"):
            break
        if tok in ("{", "["):
            closing = "}" if tok == "{" else "]"
            options = []
            pos += 1
            while True:
                option, pos = _parse_seq(tokens, pos, source)
                options.append(option)
                if pos >= len(tokens):
                    raise PatternError(f"missing {closing!r} in pattern {source!r}")
                if tokens[pos] == "|":
                    pos += 1
                    continue
                if tokens[pos] != closing:
                    raise PatternError(f"expected {closing!r} in pattern {source!r}")
                pos += 1
                break
            items.append(Alt(options, optional=(tok == "[")))
            continue
        if tok.startswith("<"):
            name, _unused, kind = tok[1:-1].partition(":")
            repeat = name.endswith("+") or kind.endswith("+")
            name, kind = name.rstrip("+"), kind.rstrip("+")
            if not kind:
                raise PatternError(f"parameter {tok!r} has no type in pattern {source!r}")
            items.append(Param(name, kind, repeat))
        else:
            items.append(Keyword(tok.lower()))
        pos += 1
    return Seq(items), pos


@dataclass
class Token:
    text: str
    start: int


def tokenize(line: str) -> List[Token]:
    return [Token(m.group(0), m.start()) for m in re.finditer(r"\S+", line)]


@dataclass
class Match:
    """One way the input matched a pattern."""

    canon: Tuple[str, ...]
    binds: Tuple[Tuple[str, object], ...]
    exact: int  # how many keywords were typed in full; used to prefer the least abbreviated reading
    end: int  # tokens consumed

    def bound(self) -> Dict[str, object]:
        result: Dict[str, object] = {}
        for name, value in self.binds:
            if name:
                result.setdefault(name, value)
        return result


@dataclass
class Tracker:
    """Remembers how far the best failed attempt got, for the caret and for 'Incomplete command'."""

    furthest: int = -1
    wanted_more: bool = False
    keywords_at: Dict[int, set] = field(default_factory=dict)

    def fail(self, index: int, ntokens: int):
        if index >= ntokens:
            self.wanted_more = True
        elif index > self.furthest:
            self.furthest = index


class Types:
    """Parameter type checks; enumerations come from the data file."""

    def __init__(self, enums: Dict[str, List[str]], port_names: Dict[str, int], interface_types: List[str]):
        self.enums = {k: [str(v).lower() for v in vals] for k, vals in enums.items()}
        self.port_names = port_names
        self.interface_types = interface_types

    def check(self, kind: str, text: str) -> Optional[Tuple[object, int]]:
        """Return (canonical value, exactness) or None if ``text`` is not a valid ``kind``."""
        low = text.lower()
        if kind == "word":
            return text, 0
        if kind == "ip":
            return (text, 0) if is_ipv4(text) else None
        if kind == "port":
            if text.isdigit() and int(text) <= 65535:
                return text, 0
            names = [n for n in self.port_names if n.startswith(low)]
            if low in self.port_names:
                return low, 1
            if len(names) == 1:
                return names[0], 0
            return None
        if kind == "ifname":
            name = normalize_ifname(text, self.interface_types)
            return (name, 0) if name else None
        range_match = re.fullmatch(r"(\d+)-(\d+)", kind)
        if range_match:
            if text.isdigit() and int(range_match.group(1)) <= int(text) <= int(range_match.group(2)):
                return str(int(text)), 0
            return None
        if kind in self.enums or "|" in kind:
            values = self.enums[kind] if kind in self.enums else kind.split("|")
            if low in values:
                return low, 1
            prefixed = [v for v in values if v.startswith(low)]
            if len(prefixed) == 1 and not low.isdigit():
                return prefixed[0], 0
            return None
        raise PatternError(f"unknown parameter type {kind!r}")


def is_ipv4(text: str) -> bool:
    if not re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", text):
        return False
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def normalize_ifname(text: str, interface_types: List[str]) -> Optional[str]:
    """``se0`` -> ``Serial0``, ``gi0/0.10`` -> ``GigabitEthernet0/0.10``; None if the type is unknown."""
    match = re.fullmatch(r"([A-Za-z][A-Za-z-]*?)(\d+(?:/\d+)*(?:\.\d+)?)", text)
    if not match:
        return None
    prefix, number = match.group(1).lower(), match.group(2)
    candidates = [t for t in interface_types if t.lower().startswith(prefix)]
    exact = [t for t in candidates if t.lower() == prefix]
    if exact:
        return exact[0] + number
    if len(candidates) >= 1:
        return candidates[0] + number
    return None


def match_pattern(pattern: Seq, tokens: List[Token], types: Types, tracker: Tracker, partial: bool = False):
    """Yield every Match of ``tokens`` against ``pattern``.

    With ``partial`` a match may stop early: the input is then a prefix of a valid command (used by ``no`` forms).
    """
    ntok = len(tokens)
    for end, canon, binds, exact, complete in _match_seq(pattern.items, 0, tokens, types, tracker):
        if end == ntok and (complete or partial):
            yield Match(tuple(canon), tuple(binds), exact, end), complete
        elif end < ntok:
            tracker.fail(end, ntok)


def _match_seq(items, index, tokens, types, tracker):
    if not items:
        yield index, [], [], 0, True
        return
    head, rest = items[0], items[1:]
    for end, canon, binds, exact, complete in _match_item(head, index, tokens, types, tracker):
        if not complete:
            yield end, canon, binds, exact, False
            continue
        for end2, canon2, binds2, exact2, complete2 in _match_seq(rest, end, tokens, types, tracker):
            yield end2, canon + canon2, binds + binds2, exact + exact2, complete2


def _match_item(item, index, tokens, types, tracker):
    ntok = len(tokens)
    if isinstance(item, Keyword):
        if index >= ntok:
            tracker.fail(index, ntok)
            yield index, [], [], 0, False
            return
        typed = tokens[index].text.lower()
        if item.word == typed:
            yield index + 1, [item.word], [], 1, True
        elif item.word.startswith(typed):
            yield index + 1, [item.word], [], 0, True
        else:
            tracker.fail(index, ntok)
        return
    if isinstance(item, Param):
        if index >= ntok:
            tracker.fail(index, ntok)
            yield index, [], [], 0, False
            return
        if item.kind == "line":
            raw = tokens[index:]
            yield ntok, [t.text for t in raw], [(item.name, _raw_rest(tokens, index))], 0, True
            return
        values = []
        pos = index
        exact = 0
        while pos < ntok:
            checked = types.check(item.kind, tokens[pos].text)
            if checked is None:
                break
            values.append(checked[0])
            exact += checked[1]
            pos += 1
            if not item.repeat:
                break
        if not values:
            tracker.fail(index, ntok)
            return
        if item.repeat:
            # Offer the longest run first, then shorter ones so later items can still match.
            for count in range(len(values), 0, -1):
                yield index + count, [str(v) for v in values[:count]], [(item.name, values[:count])], exact, True
        else:
            yield index + 1, [str(values[0])], [(item.name, values[0])], exact, True
        return
    if isinstance(item, Alt):
        if item.optional:
            # Trying the option first gives greedy matching; skipping it is the fallback.
            for option in item.options:
                yield from _match_seq(option.items, index, tokens, types, tracker)
            yield index, [], [], 0, True
        else:
            for option in item.options:
                yield from _match_seq(option.items, index, tokens, types, tracker)
        return
    raise TypeError(item)


def _raw_rest(tokens: List[Token], index: int) -> str:
    return " ".join(t.text for t in tokens[index:])


def next_words(pattern: Seq, tokens: List[Token], types: Types) -> List[str]:
    """Keywords or parameter placeholders that may follow ``tokens`` (for ``?`` help)."""
    words: List[str] = []
    _collect_next(pattern.items, 0, tokens, types, words, Tracker())
    return words


def _collect_next(items, index, tokens, types, words, tracker):
    ntok = len(tokens)
    if not items:
        if index == ntok and "<cr>" not in words:
            words.append("<cr>")
        return
    head, rest = items[0], items[1:]
    if index == ntok:
        for word in _first_words(head):
            if word not in words:
                words.append(word)
        if isinstance(head, Alt) and head.optional:
            _collect_next(rest, index, tokens, types, words, tracker)
        return
    for end, _canon, _binds, _exact, complete in _match_item(head, index, tokens, types, tracker):
        if complete:
            _collect_next(rest, end, tokens, types, words, tracker)


def _first_words(item) -> List[str]:
    if isinstance(item, Keyword):
        return [item.word]
    if isinstance(item, Param):
        return [f"<{item.kind}>" if not item.name else f"<{item.name}>"]
    words = []
    for option in item.options:
        if option.items:
            words.extend(_first_words(option.items[0]))
    return words


def first_keywords(pattern: Seq) -> List[str]:
    """The keywords a command can start with (empty when it starts with a parameter)."""
    if not pattern.items:
        return []
    return [word for word in _first_words(pattern.items[0]) if not word.startswith("<")]
