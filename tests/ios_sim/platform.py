"""Loads a platform definition (modes, grammar, display rules) from the YAML data files."""

import os
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import yaml

from .grammar import Keyword, Seq, Types, parse_pattern

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


@dataclass
class CommandSpec:
    id: str
    mode: str
    syntax: str
    pattern: Seq
    opens: Optional[str] = None
    key: Optional[List[str]] = None
    normalize: List[Tuple[re.Pattern, str]] = field(default_factory=list)
    display: List[Tuple[re.Pattern, str]] = field(default_factory=list)
    hidden: List[re.Pattern] = field(default_factory=list)
    implicit: List[dict] = field(default_factory=list)
    rank: int = 500
    group: str = ""
    separate: bool = False
    sort: List[str] = field(default_factory=list)
    no_min: int = 0
    no_only: bool = False
    handler: Optional[str] = None
    note: Optional[str] = None
    priv: int = 15

    def display_text(self, text: str) -> str:
        for regex, replacement in self.display:
            text = regex.sub(replacement, text)
        return text

    def is_hidden(self, shown: str) -> bool:
        return any(regex.fullmatch(shown) for regex in self.hidden)

    def normalized(self, text: str) -> str:
        for regex, replacement in self.normalize:
            text = regex.sub(replacement, text)
        return text


@dataclass
class Mode:
    name: str
    prompt: str
    parent: Optional[str]


class Platform:
    """Everything the simulator knows about one IOS flavour, read from a data file."""

    def __init__(self, path: str):
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
        self.raw = raw
        self.version = raw["version"]
        self.image = raw["image"]
        self.model = raw["model"]
        self.processor_board_id = raw["processor_board_id"]
        self.interface_types: List[str] = raw["interface_types"]
        self.virtual_interface_types: List[str] = raw["virtual_interface_types"]
        self.port_names: Dict[str, Dict[str, int]] = raw["port_names"]
        self.protocol_names: Dict[str, int] = raw["protocol_names"]
        all_ports: Dict[str, int] = {}
        for table in self.port_names.values():
            all_ports.update(table)
        self.types = Types(raw.get("types", {}), all_ports, self.interface_types)
        self.macros: Dict[str, str] = raw.get("macros", {})
        self.modes: Dict[str, Mode] = {
            name: Mode(name, spec.get("prompt", ""), spec.get("parent")) for name, spec in raw["modes"].items()
        }
        self.fixed_lines: List[dict] = raw.get("fixed_lines", [])
        self.ikev2_default_proposal = raw["ikev2_default_proposal"]
        self.default_transform_sets = raw["default_transform_sets"]
        self.commands: Dict[str, List[CommandSpec]] = {}
        for mode, entries in raw["commands"].items():
            if mode not in self.modes:
                raise ValueError(f"{path}: commands given for unknown mode {mode!r}")
            self.commands[mode] = [self._spec(mode, entry) for entry in entries]
        self.config_common = [self._spec("*", entry) for entry in raw.get("config_common", [])]
        for specs in self.commands.values():
            for spec in specs:
                if spec.opens and spec.opens not in self.modes:
                    raise ValueError(f"{path}: command {spec.id!r} opens unknown mode {spec.opens!r}")

    def _spec(self, mode: str, entry: dict) -> CommandSpec:
        pattern = parse_pattern(entry["syntax"], self.macros)
        leading_keywords = 0
        for item in pattern.items:
            if not isinstance(item, Keyword):
                break
            leading_keywords += 1
        opens = entry.get("opens")
        default_no_min = len(pattern.items) if opens else max(leading_keywords, 1)
        return CommandSpec(
            id=entry["id"],
            mode=mode,
            syntax=entry["syntax"],
            pattern=pattern,
            opens=opens,
            key=entry.get("key"),
            normalize=[(re.compile(a), b) for a, b in entry.get("normalize", [])],
            display=[(re.compile(a), b) for a, b in entry.get("display", [])],
            hidden=[re.compile(h) for h in entry.get("hidden", [])],
            implicit=entry.get("implicit", []),
            rank=entry.get("rank", 500),
            group=entry.get("group", ""),
            separate=entry.get("separate", False),
            sort=entry.get("sort", []),
            no_min=entry.get("no_min", default_no_min),
            no_only=entry.get("no_only", False),
            handler=entry.get("handler"),
            note=entry.get("note"),
            priv=entry.get("priv", 15),
        )

    def spec(self, mode: str, command_id: str) -> CommandSpec:
        for spec in self.commands[mode]:
            if spec.id == command_id:
                return spec
        raise KeyError(f"no command {command_id!r} in mode {mode!r}")

    def mode_chain(self, mode: str) -> List[str]:
        """The mode and its ancestors up to (not including) exec, innermost first."""
        chain = []
        while mode and mode != "exec":
            chain.append(mode)
            mode = self.modes[mode].parent
        return chain

    def interface_sort_key(self, name: str):
        match = re.match(r"([A-Za-z-]+)(.*)", name)
        kind, rest = (match.group(1), match.group(2)) if match else (name, "")
        order = self.interface_types.index(kind) if kind in self.interface_types else len(self.interface_types)
        return (order, natural_key(rest))


def natural_key(text) -> tuple:
    parts = re.split(r"(\d+)", str(text))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p != "")


_CACHE: Dict[str, Platform] = {}


def load_platform(name_or_path: str = "ios15") -> Platform:
    """Load (and cache) a platform by data-file name (``ios15``) or path."""
    path = name_or_path
    if os.path.sep not in name_or_path and not name_or_path.endswith((".yml", ".yaml")):
        path = os.path.join(DATA_DIR, name_or_path + ".yml")
    path = os.path.abspath(path)
    if path not in _CACHE:
        _CACHE[path] = Platform(path)
    return _CACHE[path]
