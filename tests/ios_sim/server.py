"""SSH front end: one paramiko server per device, a thread per connection, an IOS-like line editor."""

import logging
import socket
import threading
from itertools import count
from typing import TYPE_CHECKING, List, Optional

import paramiko

from .session import Session

if TYPE_CHECKING:  # pragma: no cover
    from .device import Device

LOG = logging.getLogger("ios_sim")
_HOST_KEY: Optional[paramiko.PKey] = None
_HOST_KEY_LOCK = threading.Lock()
_SESSION_IDS = count(1)


def host_key() -> paramiko.PKey:
    """One ECDSA host key per process: generating it is fast, unlike RSA."""
    global _HOST_KEY
    with _HOST_KEY_LOCK:
        if _HOST_KEY is None:
            _HOST_KEY = paramiko.ECDSAKey.generate(bits=256)
        return _HOST_KEY


class _ServerInterface(paramiko.ServerInterface):
    def __init__(self, device: "Device"):
        self.device = device
        self.ready = threading.Event()
        self.exec_command: Optional[str] = None
        self.failed_logins = 0

    def get_allowed_auths(self, username):
        return "password"

    def check_auth_password(self, username, password):
        if username == self.device.username and password == self.device.password:
            return paramiko.AUTH_SUCCESSFUL
        self.failed_logins += 1
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, channel, term, width, height, pixelwidth, pixelheight, modes):
        return True

    def check_channel_window_change_request(self, channel, width, height, pixelwidth, pixelheight):
        return True

    def check_channel_env_request(self, channel, name, value):
        return True

    def check_channel_shell_request(self, channel):
        self.ready.set()
        return True

    def check_channel_exec_request(self, channel, command):
        self.exec_command = command.decode("utf-8", "replace")
        self.ready.set()
        return True


class DeviceServer:
    """Listens on 127.0.0.1 (or the given address) for one device."""

    def __init__(self, device: "Device", host: str = "127.0.0.1", port: int = 0):
        self.device = device
        self.host = host
        self.requested_port = port
        self.sock: Optional[socket.socket] = None
        self.port: Optional[int] = None
        self.transports: List[paramiko.Transport] = []
        self.stopping = threading.Event()
        self.thread: Optional[threading.Thread] = None
        self.sessions: List[Session] = []

    def start(self) -> int:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((self.host, self.requested_port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._accept_loop, name=f"ios-sim-{self.device.name}", daemon=True)
        self.thread.start()
        return self.port

    def stop(self):
        self.stopping.set()
        if self.sock:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept() at once on Linux
            except OSError:
                pass
            self.sock.close()
        if self.thread:
            self.thread.join(timeout=2)
        for transport in list(self.transports):
            try:
                transport.close()
            except Exception:  # noqa: BLE001 - closing a dead transport must not stop the shutdown
                pass

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                client, _unused = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket):
        transport = paramiko.Transport(client)
        self.transports.append(transport)
        try:
            transport.add_server_key(host_key())
            interface = _ServerInterface(self.device)
            try:
                transport.start_server(server=interface)
            except (paramiko.SSHException, EOFError, OSError):
                return
            channel = transport.accept(timeout=30)
            if channel is None:
                return
            if not interface.ready.wait(timeout=10):
                channel.close()
                return
            session = Session(self.device, next(_SESSION_IDS), self.device.privilege)
            self.sessions.append(session)
            if interface.exec_command is not None:
                self.sessions.remove(session)
                output = session.receive(interface.exec_command)
                channel.sendall(output.replace("\n", "\r\n").encode())
                channel.send_exit_status(0)
                channel.close()
                return
            try:
                _LineEditor(channel, session, self.stopping).run()
            finally:
                self.sessions.remove(session)
        except Exception:  # noqa: BLE001 - one broken connection must not take the device down
            LOG.exception("session on %s failed", self.device.name)
        finally:
            try:
                transport.close()
            finally:
                if transport in self.transports:
                    self.transports.remove(transport)


class _LineEditor:
    """Echo, backspace, `?` help and line submission, the way an IOS vty behaves."""

    def __init__(self, channel: paramiko.Channel, session: Session, stopping: threading.Event):
        self.channel = channel
        self.session = session
        self.stopping = stopping
        self.buffer = ""
        self.skip_newline = False

    def send(self, text: str):
        self.channel.sendall(text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8", "replace"))

    def run(self):
        self.channel.settimeout(0.5)
        self.send("\n" + self.session.prompt())
        while not self.stopping.is_set() and not self.session.closed:
            try:
                data = self.channel.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            if not data:
                return
            for char in data.decode("utf-8", "replace"):
                self.feed(char)
                if self.session.closed:
                    break
        self.channel.close()

    def feed(self, char: str):
        if char == "\n" and self.skip_newline:
            self.skip_newline = False
            return
        self.skip_newline = char == "\r"
        if char in "\r\n":
            line, self.buffer = self.buffer, ""
            output = self.session.receive(line)
            if self.session.closed:
                self.send("\n" + output)
                return
            # One write, like a router: the client looks for a repeated prompt in the very next read.
            self.send("\n" + output + self.session.prompt())
            return
        if char in "\x7f\x08":
            if self.buffer:
                self.buffer = self.buffer[:-1]
                if self.session.echo:
                    self.send("\b \b")
            return
        if char == "\x1a":  # Ctrl-Z leaves configuration mode
            self.buffer = ""
            self.session.end_config()
            self.send("^Z\n" + self.session.prompt())
            return
        if char == "\x03":
            self.buffer = ""
            self.send("^C\n" + self.session.prompt())
            return
        if char == "?" and self.session.echo:
            self.send("?\n")
            output = self.session.receive(self.buffer + "?")
            self.send(output + self.session.prompt() + self.buffer)
            return
        if char < " " and char != "\t":
            return
        self.buffer += char
        if self.session.echo:
            self.send(char)
