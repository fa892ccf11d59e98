"""EXEC-mode commands: show, enable, terminal, configure, write/copy, archive, ping and clear."""

import time
from typing import TYPE_CHECKING, Callable, Dict

from .grammar import Match
from .platform import CommandSpec

if TYPE_CHECKING:  # pragma: no cover
    from .session import Session

_COMMANDS: Dict[str, Callable] = {}


def command(name: str):
    def register(function):
        _COMMANDS[name] = function
        return function

    return register


def run(session: "Session", spec: CommandSpec, match: Match) -> str:
    handler = _COMMANDS.get(spec.id)
    if handler is None:
        raise ValueError(f"exec command {spec.id!r} has no implementation")
    return handler(session, match.bound(), match.canon)


def _lines(*lines) -> str:
    return "".join(line + "\n" for line in lines)


# -- session ---------------------------------------------------------------------------------------------------


@command("enable")
def _enable(session: "Session", binds, canon) -> str:
    from .session import Pending

    device = session.device
    if session.priv == 15:
        return ""
    if device.enable_secret is None:
        return _lines("% No password set")
    attempts = {"left": 3}

    def answer(secret: str) -> str:
        if secret == device.enable_secret:
            session.priv = 15
            return ""
        attempts["left"] -= 1
        if attempts["left"] > 0:
            session.pending = Pending("Password: ", answer, echo=False)
            return ""
        return _lines("% Bad secrets", "")

    session.pending = Pending("Password: ", answer, echo=False)
    return ""


@command("disable")
def _disable(session: "Session", binds, canon) -> str:
    session.priv = 1
    return ""


@command("exit")
def _exit(session: "Session", binds, canon) -> str:
    session.closed = True
    return ""


@command("terminal")
def _terminal(session: "Session", binds, canon) -> str:
    if canon[1] == "length":
        session.terminal_length = int(binds["n"])
    elif canon[1] == "width":
        session.terminal_width = int(binds["n"])
    return ""


@command("show-privilege")
def _show_privilege(session: "Session", binds, canon) -> str:
    return _lines(f"Current privilege level is {session.priv}")


@command("show-clock")
def _show_clock(session: "Session", binds, canon) -> str:
    return _lines("*" + time.strftime("%H:%M:%S.000 UTC %a %b %d %Y", time.gmtime()))


def _uptime(seconds: float) -> str:
    minutes = int(seconds // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return ", ".join(parts)


@command("show-version")
def _show_version(session: "Session", binds, canon) -> str:
    device = session.device
    platform = session.platform
    interfaces = device.physical_interfaces
    counts: Dict[str, int] = {}
    for name in interfaces:
        kind = name.rstrip("0123456789/.")
        counts[kind] = counts.get(kind, 0) + 1
    labels = {"GigabitEthernet": "Gigabit Ethernet", "FastEthernet": "FastEthernet", "Ethernet": "Ethernet",
              "Serial": "Serial"}
    interface_lines = [f"{n} {labels.get(kind, kind)} interface{'s' if n != 1 else ''}" for kind, n in counts.items()]
    return _lines(
        f"Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version {platform.version}, RELEASE SOFTWARE (fc2)",
        "Technical Support: http://www.cisco.com/techsupport",
        "Copyright (c) 1986-2015 by Cisco Systems, Inc.",
        "Compiled Fri 06-Feb-15 17:01 by prod_rel_team",
        "",
        "ROM: System Bootstrap, Version 15.0(1r)M15, RELEASE SOFTWARE (fc1)",
        "",
        f"{device.hostname} uptime is {_uptime(time.time() - device.boot_time)}",
        "System returned to ROM by power-on",
        f'System image file is "{platform.image}"',
        "Last reload type: Normal Reload",
        "",
        f"Cisco {platform.model} (revision 1.0) with 483328K/40960K bytes of memory.",
        f"Processor board ID {platform.processor_board_id}",
        *interface_lines,
        "DRAM configuration is 64 bits wide with parity enabled.",
        "255K bytes of non-volatile configuration memory.",
        "250880K bytes of ATA System CompactFlash 0 (Read/Write)",
        "",
        "Configuration register is 0x2102",
    )


# -- configuration ---------------------------------------------------------------------------------------------


def _config_text(session: "Session", tree, interface=None) -> str:
    device = session.device
    extra = [{"rank": 20, "group": "hostname", "text": f"hostname {device.hostname}"}] if not tree.root.first(
        "hostname") else []
    extra.append({"rank": 140, "group": "users",
                  "text": f"username {device.username} privilege {device.privilege} secret 5 $1$sim$"
                          + "x" * 22})
    if device.enable_secret is not None:
        extra.append({"rank": 35, "group": "enable", "text": "enable secret 5 $1$sim$" + "y" * 22})
    if interface is not None:
        node = None
        for candidate in tree.top("interface"):
            if candidate.binds["ifname"] == interface:
                node = candidate
        if node is None:
            return None
        body = [node.text] + tree.display_lines(node, 1)
    else:
        stamp = time.strftime("%H:%M:%S UTC %a %b %d %Y", time.gmtime(device.last_change))
        body = ["!", f"! Last configuration change at {stamp}", "!"] + tree.render_body(extra) + ["!"]
    text = "\n".join(body + ["end"]) + "\n"
    return text


@command("show-running")
def _show_running(session: "Session", binds, canon) -> str:
    interface = binds.get("ifname")
    if interface is not None and not session.device.interface_exists(str(interface)):
        from .errors import InvalidAt

        raise InvalidAt(len(canon) - 1)
    body = _config_text(session, session.device.config, interface)
    if body is None:  # an interface that exists but was never configured
        body = f"interface {interface}\n no ip address\nend\n"
    if interface is not None:
        body = "!\n" + body
    return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n" + body + "\n"


@command("show-startup")
def _show_startup(session: "Session", binds, canon) -> str:
    startup = session.device.startup
    if startup is None:
        return _lines("startup-config is not present")
    body = _config_text(session, startup)
    return f"Using {len(body)} out of 262136 bytes\n" + body + "\n"


@command("configure")
def _configure(session: "Session", binds, canon) -> str:
    device = session.device
    world = session.world
    if canon[1] == "confirm":
        fault = world.options.get("configure_confirm_fault")
        if fault == "rejected":
            from .errors import InvalidAt

            raise InvalidAt(1)
        if fault == "expired" and device.revert_timer is not None:
            device.revert_timer.cancel()
            device.revert_now()
        if device.revert_timer is not None:
            device.revert_timer.cancel()
            device.revert_timer = None
            device.revert_deadline = None
            device.revert_snapshot = None
        return ""
    if canon[1] == "replace":
        return _configure_replace(session, str(binds["url"]), "force" in canon)
    minutes = binds.get("minutes")
    if minutes is not None:
        if not device.archive_path():
            from .errors import CliError

            raise CliError("Archive path is not configured. Please configure the archive path and try again.")
        snapshot = device.config.clone()
        device.archive.append(snapshot)
        world.schedule_revert(device, snapshot, int(minutes))
    session.stack.append(("config", None))
    return _lines("Enter configuration commands, one per line.  End with CNTL/Z.")


REPLACE_QUESTION = (
    "This will apply all necessary additions and deletions\n"
    "to replace the current running configuration with the\n"
    "contents of the specified configuration file, which is\n"
    "assumed to be a complete configuration, not a partial\n"
    "configuration. Enter Y if you are sure you want to proceed. ? [no]: "
)


def _configure_replace(session: "Session", url: str, force: bool) -> str:
    """`configure replace URL [force]`: the running config becomes the archived (or startup) file; only the
    differences are applied. Without `force` IOS asks first."""
    device = session.device
    if url in ("nvram:startup-config", "startup-config"):
        target = device.startup
    else:
        target = device.archived(url)
    if target is None:
        return _lines(f"%Error opening {url} (No such file or directory)")

    def apply() -> str:
        passes = 0 if _config_text(session, device.config) == _config_text(session, target) else 1
        device.config = target.clone()
        device.last_change = time.time()
        session.world.config_changed(device)
        return _lines(f"Total number of passes: {passes}", "Rollback Done")

    if force:
        return apply()
    from .session import Pending

    def answer(text: str) -> str:
        if text.strip().lower() in ("y", "yes"):
            return apply()
        return ""

    session.pending = Pending(REPLACE_QUESTION, answer)
    return ""


@command("archive-config")
def _archive_config(session: "Session", binds, canon) -> str:
    """`archive config`: save the running config as the next archive file (silent, as on IOS)."""
    device = session.device
    if not device.archive_path():
        from .errors import CliError

        raise CliError("Archive path is not configured. Please configure the archive path and try again.")
    device.archive.append(device.config.clone())
    return ""


def _save(session: "Session") -> str:
    session.device.save()
    return _lines("Building configuration...", "[OK]")


@command("write")
def _write(session: "Session", binds, canon) -> str:
    return _save(session)


@command("copy-run-start")
def _copy_run_start(session: "Session", binds, canon) -> str:
    from .session import Pending

    def answer(filename: str) -> str:
        if filename.strip() not in ("", "startup-config"):
            return _lines(f"%Error opening {filename.strip()} (No such file or directory)")
        return _save(session)

    session.pending = Pending("Destination filename [startup-config]? ", answer)
    return ""


@command("show-archive")
def _show_archive(session: "Session", binds, canon) -> str:
    device = session.device
    if "rollback" in canon:
        if device.revert_deadline is None:
            return _lines("%No Rollback Confirmed Change pending")
        remaining = max(0, int(device.revert_deadline - time.monotonic()))
        return _lines("Timer type: Rollback, Timer value: pending", f"Time remaining: {remaining} seconds")
    path = device.archive_path()
    if not path:
        return _lines("Archive feature not enabled")
    maximum = device.archive_maximum()
    saved = device.archive[-maximum:]
    lines = [
        f"The maximum archive configurations allowed is {maximum}.",
        f"There are currently {len(saved)} archive configurations saved.",
        f"The next archive file will be named {path}-{len(device.archive) + 1}",
        " Archive #  Name",
    ]
    first_number = len(device.archive) - len(saved) + 1
    for slot in range(maximum):
        if slot < len(saved):
            marker = " <- Most Recent" if slot == len(saved) - 1 else ""
            lines.append(f"   {slot + 1:<8} {path}-{first_number + slot}{marker}")
        else:
            lines.append(f"   {slot + 1}")
    return _lines(*lines)


# -- interfaces and routing ------------------------------------------------------------------------------------


@command("show-ip-int-brief")
def _show_ip_int_brief(session: "Session", binds, canon) -> str:
    from . import network

    lines = ["Interface                  IP-Address      OK? Method Status                Protocol"]
    for state in session.device.interfaces():
        status = "up" if state.admin_up else "administratively down"
        protocol = "up" if network.line_protocol_up(session.world, session.device, state) else "down"
        address = state.address or "unassigned"
        lines.append(f"{state.name:<27}{address:<16}YES {'manual' if state.address else 'unset':<7}"
                     f"{status:<22}{protocol}")
    return _lines(*lines)


@command("show-ip-route")
def _show_ip_route(session: "Session", binds, canon) -> str:
    from . import network

    return network.show_ip_route(session.world, session.device)


@command("show-access-lists")
def _show_access_lists(session: "Session", binds, canon) -> str:
    from . import network

    return network.show_access_lists(session.world, session.device, binds.get("name"))


@command("ping")
def _ping(session: "Session", binds, canon) -> str:
    from . import network

    return network.ping_command(session, str(binds["args"]))


# -- crypto ----------------------------------------------------------------------------------------------------


def _crypto(session: "Session"):
    return session.world.crypto


@command("show-isakmp-sa")
def _show_isakmp_sa(session: "Session", binds, canon) -> str:
    return _crypto(session).show_isakmp_sa(session.device, detail="detail" in canon)


@command("show-isakmp-policy")
def _show_isakmp_policy(session: "Session", binds, canon) -> str:
    return _crypto(session).show_isakmp_policy(session.device)


@command("show-ipsec-sa")
def _show_ipsec_sa(session: "Session", binds, canon) -> str:
    return _crypto(session).show_ipsec_sa(session.device, peer=binds.get("peer"), interface=binds.get("ifname"),
                                          map_name=binds.get("map"))


@command("show-crypto-session")
def _show_crypto_session(session: "Session", binds, canon) -> str:
    return _crypto(session).show_crypto_session(session.device, peer=binds.get("peer"), detail="detail" in canon)


@command("show-ikev2-sa")
def _show_ikev2_sa(session: "Session", binds, canon) -> str:
    return _crypto(session).show_ikev2_sa(session.device, detail="detail" in canon)


@command("show-crypto-map")
def _show_crypto_map(session: "Session", binds, canon) -> str:
    return _crypto(session).show_crypto_map(session.device)


@command("clear-session")
def _clear_session(session: "Session", binds, canon) -> str:
    _crypto(session).clear(session.device, ike=True, ipsec=True, peer=binds.get("peer"))
    return ""


@command("clear-sa")
def _clear_sa(session: "Session", binds, canon) -> str:
    if "counters" in canon:
        _crypto(session).clear_counters(session.device)
    else:
        _crypto(session).clear(session.device, ike=False, ipsec=True, peer=binds.get("peer"))
    return ""


@command("clear-isakmp")
def _clear_isakmp(session: "Session", binds, canon) -> str:
    _crypto(session).clear(session.device, ike=True, ipsec=False, version=1, conn_id=binds.get("connid"))
    return ""


@command("clear-ikev2")
def _clear_ikev2(session: "Session", binds, canon) -> str:
    _crypto(session).clear(session.device, ike=True, ipsec=False, version=2)
    return ""
