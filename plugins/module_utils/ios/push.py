# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Converge one IOS device on its intended nodes: read, diff, send, always ``end``, revert on failure, verify, save.

The device is any object with two methods, so the same code drives network_cli (the action plugin wraps the
cliconf ``Connection``) and the in-process simulator in the unit tests:

* ``get_config()`` -> the text of ``show running-config``;
* ``send(line)`` -> the device's output, raising :class:`DeviceError` (with the device's message) when the device
  rejects the line.

Pure Python: no ``ansible`` import.
"""

import re

from ansible_collections.ipsec.vpn.plugins.module_utils import masking
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import diff as D
from ansible_collections.ipsec.vpn.plugins.module_utils.ios.running import Running

_PROMPT = re.compile(r"^\S+(?:\([^)]*\))?[#>]\s*$")
_ARCHIVE_OFF = re.compile(r"archive.*not\s+enabled|no\s+archive", re.IGNORECASE)
_PENDING = re.compile(r"No Rollback Confirmed Change pending", re.IGNORECASE)


class DeviceError(Exception):
    """The device rejected a line; ``str(err)`` is what the device said."""


class PushError(Exception):
    """Converging failed; ``result`` holds what was done (masked), ``msg`` says what went wrong."""

    def __init__(self, msg, result):
        super(PushError, self).__init__(msg)
        self.msg = msg
        self.result = result


def secrets_of(nodes):
    """Every secret value held by intended nodes (to mask device output that echoes them)."""
    found = []

    def walk(node):
        if node.construct is not None and node.construct.secret:
            value = node.values.get(node.construct.secret)
            if value and value not in found:
                found.append(str(value))
        for child in node.children:
            walk(child)

    for node in nodes:
        walk(node)
    return found


def device_message(text, secrets=()):
    """The device's complaint without prompts and blank lines (``% Invalid input detected at '^' marker.``)."""
    lines = [line.rstrip() for line in (text or "").splitlines()]
    kept = [line for line in lines if line.strip() and not _PROMPT.match(line.strip())]
    percent = [line.strip() for line in kept if line.strip().startswith("%")]
    return masking.mask(" ".join(percent) if percent else " ".join(line.strip() for line in kept), secrets)


def _context(commands, index):
    """The block a failed line was typed in (the nearest enclosing header), or None at the top level."""
    depth = commands[index].depth
    for position in range(index - 1, -1, -1):
        command = commands[position]
        if command.depth < depth and command.header:
            return command.masked
        if command.depth == 0 and not command.header:
            return None
    return None


def _send_block(device, commands, enter):
    """Enter configuration mode, send ``commands`` and always send ``end``. Returns ``(applied, failure)`` where
    failure is ``None`` or ``(index, DeviceError)``."""
    failure = None
    applied = 0
    try:
        device.send(enter)
    except DeviceError as err:
        return 0, (-1, err)
    try:
        for index, command in enumerate(commands):
            try:
                device.send(command.line)
            except DeviceError as err:
                failure = (index, err)
                break
            applied += 1
    finally:
        try:
            device.send("end")
        except DeviceError:
            pass
    return applied, failure


def _revert(device, before, secrets):
    """Put back the state read before the push (every recognised object counts). Returns (reverted commands,
    problems, converged)."""
    after = Running.from_text(device.get_config())
    revert = D.compute(before.all_nodes(), after, manage_all=True)
    problems = []
    if revert.commands:
        try:
            device.send("configure terminal")
        except DeviceError as err:
            return revert.masked, [device_message(str(err), secrets)], False
        try:
            for command in revert.commands:
                try:
                    device.send(command.line)
                except DeviceError as err:
                    problems.append("%s: %s" % (command.masked, device_message(str(err), secrets)))
        finally:
            try:
                device.send("end")
            except DeviceError:
                pass
    check = D.compute(before.all_nodes(), Running.from_text(device.get_config()), manage_all=True)
    return revert.masked, problems, not check.commands


def _archive_ready(device):
    archive = device.send("show archive")
    if _ARCHIVE_OFF.search(archive or ""):
        return "commit confirm needs the IOS 'archive' feature (archive / path ...) configured on the device"
    timer = device.send("show archive config rollback timer")
    if not _PENDING.search(timer or ""):
        return ("a confirmed-commit rollback is already pending on the device; resolve it with "
                "'configure confirm' or 'configure revert now' first")
    return None


def _clear_sessions(device):
    """``clear crypto session``; older releases lack it, so fall back to ``clear crypto sa`` + ``isakmp``."""
    try:
        device.send("clear crypto session")
        return ["clear crypto session"]
    except DeviceError:
        sent = []
        for line in ("clear crypto sa", "clear crypto isakmp"):
            try:
                device.send(line)
                sent.append(line)
            except DeviceError:
                pass
        return sent


def converge(device, want, check_mode=False, commit_confirm_minutes=None, revert_on_error=True, verify=True,
             save=False, clear_sessions=False, host=None):
    """Take the device to ``want`` (intended nodes; ``[]`` removes everything the collection owns).

    Returns a result dict (``changed``, ``commands`` masked, ``diff``, ``converged``, ``saved`` ...). Raises
    :class:`PushError` when the device rejected a line; the session is always back in privileged EXEC."""
    secrets = secrets_of(want)
    before_text = device.get_config()
    before = Running.from_text(before_text)
    secrets += [s for s in secrets_of(before.all_nodes()) if s not in secrets]
    changes = D.compute(want, before)
    result = {
        "changed": changes.changed,
        "commands": changes.masked,
        "diff": {"before": changes.before, "after": changes.after},
        "created": [D.display_lines(n)[0] if D.display_lines(n) else n.name for n in changes.created],
        "removed": [D.display_lines(n)[0] if D.display_lines(n) else n.name for n in changes.removed],
    }
    if check_mode or not changes.changed:
        result["converged"] = not changes.changed
        return result
    where = ("%s: " % host) if host else ""
    if commit_confirm_minutes:
        problem = _archive_ready(device)
        if problem:
            result["changed"] = False
            raise PushError(where + problem, result)
        enter = "configure terminal revert timer %d" % int(commit_confirm_minutes)
    else:
        enter = "configure terminal"
    applied, failure = _send_block(device, changes.commands, enter)
    result["applied"] = applied
    if failure is not None:
        index, err = failure
        message = device_message(str(err), secrets)
        if index < 0:
            result["changed"] = False
            raise PushError("%scould not enter configuration mode with %r: %s" % (where, enter, message), result)
        command = changes.commands[index]
        context = _context(changes.commands, index)
        msg = "%sthe device rejected %r (command %d of %d%s): %s The session was returned to privileged EXEC " \
              "with 'end'." % (where, command.masked, index + 1, len(changes.commands),
                               ", in '%s'" % context if context else "",
                               message if message.endswith(".") else message + ".")
        result["failed_command"] = command.masked
        result["device_message"] = message
        result["changed"] = applied > 0
        if applied and revert_on_error:
            reverted, problems, restored = _revert(device, before, secrets)
            result["reverted"] = reverted
            result["revert_problems"] = problems
            result["restored"] = restored
            if restored:
                msg += " The %d command(s) applied before it were reverted: the configuration is as before." % applied
            else:
                msg += " Reverting the %d command(s) applied before it did not fully succeed: %s" % (
                    applied, "; ".join(problems) or "the device still differs from its earlier configuration")
            if commit_confirm_minutes:
                if restored:
                    problem = _confirm(device, None, secrets, commit_confirm_minutes)
                    result["confirmed"] = problem is None
                    if problem:
                        msg += " Confirming the reverted state failed: %s" % problem
                else:
                    msg += " The archive rolls the device back within %d minute(s) unless confirmed." % int(
                        commit_confirm_minutes)
        elif applied and commit_confirm_minutes:
            msg += " The archive rolls the device back within %d minute(s) unless confirmed." % int(
                commit_confirm_minutes)
        elif applied:
            msg += " %d command(s) before it stay applied (revert_on_error is off)." % applied
        raise PushError(msg, result)
    if commit_confirm_minutes:
        problem = _confirm(device, before, secrets, commit_confirm_minutes)
        result["confirmed"] = problem is None
        if problem:
            raise PushError("%sthe %d command(s) were applied under 'configure terminal revert timer %d', but %s"
                            % (where, applied, int(commit_confirm_minutes), problem), result)
    if verify:
        remaining = D.compute(want, Running.from_text(device.get_config()))
        result["converged"] = not remaining.changed
        if remaining.changed:
            result["not_converged"] = remaining.masked
    if clear_sessions:
        result["cleared"] = _clear_sessions(device)
    if save:
        device.send("write memory")
        result["saved"] = True
    return result


def _confirm(device, before, secrets, minutes):
    """Send ``configure confirm`` and prove that it took. Returns None, or what went wrong (keys masked).
    ``before`` is the configuration read before the push (None when the push itself was reverted).

    A confirm that the device rejects, one that leaves the rollback timer running, and one that comes after
    the timer already fired (the device is back at its earlier configuration) are all failures: otherwise the
    task would report success while the archive quietly undoes the change."""
    try:
        device.send("configure confirm")
    except DeviceError as err:
        reason = device_message(str(err), secrets)
        return ("the device rejected 'configure confirm' (%s), so the rollback timer is still running: the "
                "archive rolls the change back within %d minute(s)." % (reason, int(minutes)))
    try:
        timer = device.send("show archive config rollback timer")
    except DeviceError as err:
        return "the rollback timer could not be read after 'configure confirm': %s" % device_message(
            str(err), secrets)
    if not _PENDING.search(timer or ""):
        return ("'configure confirm' did not stop the rollback timer (%s): the archive rolls the change back "
                "within %d minute(s)." % (device_message(timer, secrets), int(minutes)))
    if before is None:
        return None
    back = D.compute(before.all_nodes(), Running.from_text(device.get_config()), manage_all=True)
    if not back.commands:
        return ("the rollback timer fired before 'configure confirm' arrived: the archive rolled the change back "
                "and the device runs its earlier configuration again. Raise the revert timer "
                "(ios_commit_confirm_minutes) or push less at a time.")
    return None
