"""One simulated router: credentials, interfaces, running/startup config, archive and transcript."""

import ipaddress
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional

from .config import ConfigTree, Node
from .platform import Platform

if TYPE_CHECKING:  # pragma: no cover
    from .world import World


@dataclass
class TranscriptEntry:
    """One line a client sent: when, on which session, at which prompt."""

    time: float
    session: int
    prompt: str
    line: str
    mode: str

    @property
    def in_config_mode(self) -> bool:
        return self.mode != "exec"


@dataclass
class InterfaceState:
    name: str
    address: Optional[str]
    mask: Optional[str]
    admin_up: bool
    node: Optional[Node]

    @property
    def network(self) -> Optional[ipaddress.IPv4Network]:
        if not self.address or not self.mask:
            return None
        return ipaddress.IPv4Network(f"{self.address}/{self.mask}", strict=False)


class Device:
    def __init__(self, world: "World", name: str, spec: dict, platform: Platform):
        self.world = world
        self.name = name
        self.platform = platform
        self.username = str(spec.get("username", "admin"))
        self.password = str(spec.get("password", "admin"))
        self.privilege = int(spec.get("privilege", 1))
        enable = spec.get("enable_secret")
        self.enable_secret = None if enable is None else str(enable)
        self.physical_interfaces: List[str] = []
        self.config = ConfigTree(platform)
        self.startup: Optional[ConfigTree] = None
        self.transcript: List[TranscriptEntry] = []
        self.transcript_path: Optional[str] = None
        self.archive: List[ConfigTree] = []
        self.revert_timer: Optional[threading.Timer] = None
        self.revert_deadline: Optional[float] = None
        self.revert_snapshot: Optional[ConfigTree] = None
        self.revert_now = None  # set while a rollback is pending: fires it at once (fault injection)
        self.boot_time = time.time()
        self.last_change = time.time()
        self.port: Optional[int] = None
        self.ike_conn_ids = iter(range(1001, 32767))
        self.ipsec_conn_ids = iter(range(2001, 1000000))
        self.flow_ids = iter(range(1, 1000000))

    # -- identity --------------------------------------------------------------------------------------------

    @property
    def hostname(self) -> str:
        node = self.config.root.first("hostname")
        return str(node.binds["name"]) if node else "Router"

    # -- interfaces ------------------------------------------------------------------------------------------

    def interface_node(self, name: str) -> Optional[Node]:
        for node in self.config.top("interface"):
            if node.binds["ifname"] == name:
                return node
        return None

    def interface_exists(self, name: str) -> bool:
        return name in self.physical_interfaces or self.interface_node(name) is not None

    def interface(self, name: str) -> Optional[InterfaceState]:
        node = self.interface_node(name)
        if node is None and name not in self.physical_interfaces:
            return None
        address = mask = None
        admin_up = True
        if node is not None:
            ip_node = node.first("ip-address")
            if ip_node is not None and ip_node.text.startswith("ip address"):
                address, mask = str(ip_node.binds["address"]), str(ip_node.binds["mask"])
            admin_up = node.first("shutdown") is None
        return InterfaceState(name, address, mask, admin_up, node)

    def interfaces(self) -> List[InterfaceState]:
        names = list(self.physical_interfaces)
        for node in self.config.top("interface"):
            if node.binds["ifname"] not in names:
                names.append(node.binds["ifname"])
        names.sort(key=self.platform.interface_sort_key)
        return [self.interface(name) for name in names]

    def owns_address(self, address: str) -> Optional[InterfaceState]:
        for state in self.interfaces():
            if state.address == address and state.admin_up:
                return state
        return None

    # -- transcript ------------------------------------------------------------------------------------------

    def record(self, session: int, prompt: str, line: str, mode: str):
        entry = TranscriptEntry(time.time(), session, prompt, line, mode)
        self.transcript.append(entry)
        if self.transcript_path:
            with open(self.transcript_path, "a", encoding="utf-8") as handle:
                handle.write(f"{entry.time:.3f}\t{session}\t{prompt}\t{line}\n")

    def config_lines_received(self) -> List[str]:
        """Every line received while in a configuration mode (including `end`/`exit`)."""
        return [entry.line for entry in self.transcript if entry.in_config_mode]

    def lines_received(self) -> List[str]:
        return [entry.line for entry in self.transcript]

    # -- persistence -----------------------------------------------------------------------------------------

    def save(self):
        self.startup = self.config.clone()
        if self.archive_path() and self.config.root.first("archive").first("write-memory"):
            self.archive.append(self.config.clone())

    def archive_path(self) -> Optional[str]:
        node = self.config.root.first("archive")
        if node is None:
            return None
        return node.value("path", "url")

    def archived(self, url: str):
        """The archive file named ``url`` (``<path>-<n>``), or None when it is not (or no longer) kept."""
        path = self.archive_path()
        if not path or not url.startswith(path + "-") or not url[len(path) + 1:].isdigit():
            return None
        number = int(url[len(path) + 1:])
        first = len(self.archive) - min(len(self.archive), self.archive_maximum()) + 1
        if number < first or number > len(self.archive):
            return None
        return self.archive[number - 1]

    def archive_maximum(self) -> int:
        node = self.config.root.first("archive")
        return int(node.value("maximum", "count", 10)) if node else 10
