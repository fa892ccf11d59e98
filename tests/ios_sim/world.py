"""A world: several simulated routers that can reach each other, each behind its own SSH server."""

import ipaddress
import os
import threading
import time
from typing import Dict, List, Optional

import yaml

from .crypto import CryptoEngine
from .device import Device
from .platform import load_platform
from .server import DeviceServer
from .session import Session

DEFAULT_OPTIONS = {
    # "on-traffic": crypto maps negotiate on the first matching packet (IOS behaviour); "eager": as soon as
    # both ends are consistent. Tunnel protection is always eager, like IOS.
    "crypto_map_initiation": "on-traffic",
    # IOS usually loses the packet that triggers the negotiation (".!!!!"); off by default so ping is 5/5.
    "drop_first_packet": False,
    # How many real seconds one minute of `configure terminal revert timer` lasts (tests shorten it).
    "revert_timer_seconds_per_minute": 60,
    # Make `configure confirm` fail, for tests of the client: null (it works), "rejected" (answered as invalid
    # input, as on a release without the rollback-confirmed-change feature; the timer keeps running) or
    # "expired" (the pending timer fires just before the confirm arrives, so the change is rolled back and the
    # confirm finds nothing to confirm, silently, as when a push outlasts its timer).
    "configure_confirm_fault": None,
}


class WorldError(ValueError):
    """The world description is invalid; the message names the device and field."""


class World:
    def __init__(self, data: dict, state_dir: Optional[str] = None, source: str = "world"):
        if not isinstance(data, dict) or not isinstance(data.get("devices"), dict) or not data["devices"]:
            raise WorldError(f"{source}: 'devices' must be a non-empty mapping of name -> device")
        self.source = source
        self.platform = load_platform(str(data.get("platform", "ios15")))
        unknown = set(data.get("options", {}) or {}) - set(DEFAULT_OPTIONS)
        if unknown:
            raise WorldError(f"{source}: unknown options {sorted(unknown)}; known: {sorted(DEFAULT_OPTIONS)}")
        self.options = dict(DEFAULT_OPTIONS, **(data.get("options") or {}))
        self.lock = threading.RLock()
        self.state_dir = state_dir
        self.config_version = 0
        self.crypto = CryptoEngine(self)
        self.devices: Dict[str, Device] = {}
        self.servers: Dict[str, DeviceServer] = {}
        self.host = "127.0.0.1"
        if state_dir:
            os.makedirs(state_dir, exist_ok=True)
        for name, spec in data["devices"].items():
            self.devices[name] = self._build_device(str(name), spec or {})

    # -- construction ----------------------------------------------------------------------------------------

    @classmethod
    def from_yaml(cls, path: str, state_dir: Optional[str] = None) -> "World":
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        return cls(data, state_dir=state_dir, source=path)

    @classmethod
    def from_dict(cls, data: dict, state_dir: Optional[str] = None) -> "World":
        return cls(data, state_dir=state_dir)

    def _build_device(self, name: str, spec: dict) -> Device:
        where = f"{self.source}: devices.{name}"
        known = {"hostname", "username", "password", "privilege", "enable_secret", "interfaces", "config"}
        unknown = set(spec) - known
        if unknown:
            raise WorldError(f"{where}: unknown fields {sorted(unknown)}; known: {sorted(known)}")
        if int(spec.get("privilege", 1)) not in (1, 15):
            raise WorldError(f"{where}.privilege: must be 1 or 15")
        device = Device(self, name, spec, self.platform)
        if self.state_dir:
            device.transcript_path = os.path.join(self.state_dir, f"{name}.transcript")
            open(device.transcript_path, "w", encoding="utf-8").close()
        lines = [f"hostname {spec.get('hostname', name)}"]
        interfaces = spec.get("interfaces") or {}
        if not isinstance(interfaces, dict):
            raise WorldError(f"{where}.interfaces: must be a mapping of interface name -> settings")
        from .grammar import normalize_ifname

        for raw_name, settings in interfaces.items():
            ifname = normalize_ifname(str(raw_name), self.platform.interface_types)
            if ifname is None:
                raise WorldError(f"{where}.interfaces.{raw_name}: unknown interface type; known: "
                                 f"{self.platform.interface_types}")
            settings = settings or {}
            if ifname.rstrip("0123456789/.") not in self.platform.virtual_interface_types:
                device.physical_interfaces.append(ifname)
            lines.append(f"interface {ifname}")
            if settings.get("description"):
                lines.append(f" description {settings['description']}")
            address = settings.get("address")
            if address:
                try:
                    interface_address = ipaddress.IPv4Interface(str(address).replace(" ", "/"))
                except ValueError as error:
                    raise WorldError(f"{where}.interfaces.{raw_name}.address: {error}") from error
                lines.append(f" ip address {interface_address.ip} {interface_address.netmask}")
            if settings.get("shutdown"):
                lines.append(" shutdown")
        loader = Session(device, 0, 15)
        try:
            loader.load_text("\n".join(lines), f"{where}.interfaces")
            loader.load_text(str(spec.get("config") or ""), f"{where}.config")
        except ValueError as error:
            raise WorldError(str(error)) from error
        device.startup = device.config.clone()
        return device

    # -- lifecycle -------------------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", ports: Optional[Dict[str, int]] = None) -> "World":
        """Start one SSH server per device on free ports (or the given ones); returns self."""
        self.host = host
        for name, device in self.devices.items():
            server = DeviceServer(device, host, (ports or {}).get(name, 0))
            device.port = server.start()
            self.servers[name] = server
        return self

    def stop(self):
        for server in self.servers.values():
            server.stop()
        self.servers.clear()
        for device in self.devices.values():
            if device.revert_timer is not None:
                device.revert_timer.cancel()

    def __enter__(self) -> "World":
        if not self.servers:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    @property
    def ports(self) -> Dict[str, int]:
        return {name: device.port for name, device in self.devices.items()}

    def device(self, name: str) -> Device:
        return self.devices[name]

    def inventory(self, group: str = "routers", network_os: str = "cisco.ios.ios", ssh_type: Optional[str] = None,
                  extra_vars: Optional[dict] = None) -> str:
        """An Ansible YAML inventory for the started devices (network_cli, become with the enable secret)."""
        hosts = {}
        for name, device in self.devices.items():
            host_vars = {
                "ansible_host": self.host,
                "ansible_port": device.port,
                "ansible_user": device.username,
                "ansible_password": device.password,
            }
            if device.enable_secret is not None:
                host_vars["ansible_become_password"] = device.enable_secret
            hosts[name] = host_vars
        group_vars = {
            "ansible_connection": "ansible.netcommon.network_cli",
            "ansible_network_os": network_os,
            "ansible_become": True,
            "ansible_become_method": "enable",
            "ansible_host_key_checking": False,
        }
        if ssh_type:
            group_vars["ansible_network_cli_ssh_type"] = ssh_type
        group_vars.update(extra_vars or {})
        return yaml.safe_dump({"all": {"children": {group: {"hosts": hosts, "vars": group_vars}}}},
                              sort_keys=False)

    # -- running commands without SSH (for tests and the loader) ------------------------------------------

    def run(self, device_name: str, *lines: str, privilege: int = 15) -> str:
        """Run lines on a fresh session of a device (not recorded in its transcript); returns all output."""
        session = Session(self.devices[device_name], 0, privilege)
        session.recording = False
        output = []
        for line in lines:
            output.append(session.receive(line))
        return "".join(output)

    def transcript(self, device_name: str) -> List[str]:
        return self.devices[device_name].lines_received()

    # -- shared state ----------------------------------------------------------------------------------------

    def now(self) -> float:
        return time.time()

    def device_owning(self, address: str) -> Optional[Device]:
        for device in self.devices.values():
            if device.owns_address(address) is not None:
                return device
        return None

    def before_command(self, device: Device):
        self.crypto.converge()

    def config_changed(self, device: Device):
        self.config_version += 1

    def schedule_revert(self, device: Device, snapshot, minutes: int):
        seconds = minutes * float(self.options["revert_timer_seconds_per_minute"])

        def revert():
            with self.lock:
                device.config = snapshot.clone()
                device.revert_timer = None
                device.revert_deadline = None
                self.config_changed(device)

        device.revert_now = revert

        if device.revert_timer is not None:
            device.revert_timer.cancel()
        device.revert_timer = threading.Timer(seconds, revert)
        device.revert_timer.daemon = True
        device.revert_deadline = time.monotonic() + seconds
        device.revert_timer.start()
