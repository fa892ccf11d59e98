# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Back up an IOS device before a push and roll it back afterwards: an archive point, then ``configure replace``.

* :func:`checkpoint` takes an archive point (``archive config``) and returns what identifies it: the archive
  file's name and a fingerprint of the running-config it holds (SHA-256 over the text with every key masked, so
  nothing secret leaves the device).
* :func:`restore` runs ``configure replace <file> force`` and proves that the device is back at the archive point
  (same fingerprint); the result lists, masked, which lines the rollback removed and put back.

Why ``configure replace`` and not reverse commands computed from the collection's ownership data: the replace
restores the whole configuration exactly as IOS saved it, including lines the construct table does not model
and the order of entries, and it is computed by IOS itself, so a rollback does not depend on the same diff
engine whose push it undoes (a bug there would be repeated by its own reversal). The price: it needs the IOS
archive (``archive`` / ``path``), which a commit-confirm push needs anyway, and it also undoes any change someone
else made on the device between the archive point and the rollback; the result's ``undone`` lines show them.

The device is the same two-method object as in :mod:`.push` (``get_config()``, ``send(line)``). Pure Python: no
``ansible`` import.
"""

import hashlib
import re

from ansible_collections.ipsec.vpn.plugins.module_utils import masking
from ansible_collections.ipsec.vpn.plugins.module_utils.ios import push
from ansible_collections.ipsec.vpn.plugins.module_utils.ios.running import Running

_MOST_RECENT = re.compile(r"^\s*\d+\s+(\S+)\s+<-\s*Most Recent\s*$", re.M)
_ARCHIVE_OFF = re.compile(r"archive\s+feature\s+not\s+enabled|archive\s+path\s+is\s+not\s+configured", re.I)
_DONE = re.compile(r"^\s*Rollback Done\s*$", re.M)
# Lines IOS writes about the config rather than into it: they change with every change.
_VOLATILE = re.compile(r"^(?:Building configuration|Current configuration\s*:|! Last configuration change|"
                       r"! NVRAM config last updated|! No configuration change since last restart|ntp clock-period)")
# Keys the construct table may not recognise (on foreign objects), masked as well.
_KEY = re.compile(r"^(\s*(?:crypto isakmp key|pre-shared-key(?:\s+(?:local|remote))?|key-string)\s+(?:[0-9]\s+)?)(\S+)")


class RollbackError(Exception):
    """Taking the archive point or rolling back failed; ``msg`` says what, ``result`` what was done (masked)."""

    def __init__(self, msg, result=None):
        super(RollbackError, self).__init__(msg)
        self.msg = msg
        self.result = result or {}


def _secrets(text):
    found = push.secrets_of(Running.from_text(text).all_nodes())
    for line in (text or "").splitlines():
        match = _KEY.match(line)
        if match and match.group(2) not in found:
            found.append(match.group(2))
    return found


def masked_lines(text):
    """The configuration lines of a running-config, without the volatile header lines, every key masked."""
    secrets = _secrets(text)
    lines = []
    for line in (text or "").splitlines():
        line = line.rstrip()
        if not line.strip() or _VOLATILE.match(line):
            continue
        lines.append(masking.mask(line, secrets, whole_words=True))
    return lines


def fingerprint(text):
    """SHA-256 of :func:`masked_lines` (a key-only difference is not seen, by design: no key is hashed)."""
    return hashlib.sha256("\n".join(masked_lines(text)).encode("utf-8")).hexdigest()


def _most_recent(listing):
    found = _MOST_RECENT.findall(listing or "")
    return found[-1] if found else None


def checkpoint(device, host=None):
    """Save the running-config as a new archive file. Returns ``{archive, fingerprint, lines}``; raises
    :class:`RollbackError` when the archive is not configured or no new file appeared."""
    where = ("%s: " % host) if host else ""
    try:
        listing = device.send("show archive")
        if _ARCHIVE_OFF.search(listing or ""):
            raise RollbackError("%sno archive point can be taken: the IOS archive is not configured on the device "
                                "(archive / path flash:<name>)" % where)
        previous = _most_recent(listing)
        answer = device.send("archive config")
        if _ARCHIVE_OFF.search(answer or ""):
            raise RollbackError("%sno archive point can be taken: %s" % (where, push.device_message(answer)))
        name = _most_recent(device.send("show archive"))
        text = device.get_config()
    except push.DeviceError as err:
        raise RollbackError("%staking the archive point failed: %s" % (where, push.device_message(str(err)))) from None
    if not name or name == previous:
        raise RollbackError("%s'archive config' did not create a new archive file (show archive still lists %s "
                            "as the most recent)" % (where, previous or "none"))
    return {"archive": name, "fingerprint": fingerprint(text), "lines": len(masked_lines(text))}


def restore(device, point, save=False, check_mode=False, host=None):
    """Roll the device back to ``point`` (from :func:`checkpoint`) with ``configure replace <file> force``.

    Returns ``{changed, restored, archive, undone, put_back, saved}``: ``undone`` are the lines the rollback
    removed or changed away from, ``put_back`` the lines it restored (both masked). Nothing is sent when the device
    already matches the point. Raises :class:`RollbackError` when IOS refuses the replace or the device still
    differs from the archive point afterwards."""
    where = ("%s: " % host) if host else ""
    archive = point.get("archive")
    if not archive or not point.get("fingerprint"):
        raise RollbackError("%sno archive point to roll back to (run the checkpoint first)" % where)
    try:
        before = device.get_config()
        result = {"archive": archive, "changed": False, "restored": True, "undone": [], "put_back": []}
        if fingerprint(before) == point["fingerprint"]:
            return result
        if check_mode:
            result.update(changed=True, restored=False)
            return result
        secrets = _secrets(before)
        command = "configure replace %s force" % archive
        try:
            answer = device.send(command)
        except push.DeviceError as err:
            raise RollbackError("%s'%s' was refused: %s" % (where, command, push.device_message(str(err), secrets)),
                                result) from None
        after = device.get_config()
    except push.DeviceError as err:
        raise RollbackError("%srolling back failed: %s" % (where, push.device_message(str(err)))) from None
    old, new = masked_lines(before), masked_lines(after)
    kept_new = set(new)
    kept_old = set(old)
    result.update(changed=True, undone=[line for line in old if line not in kept_new],
                  put_back=[line for line in new if line not in kept_old])
    result["restored"] = fingerprint(after) == point["fingerprint"]
    if not _DONE.search(answer or "") or not result["restored"]:
        raise RollbackError("%s'%s' did not bring the device back to its archive point (%s)%s" % (
            where, command, push.device_message(answer, secrets) or "no answer",
            "" if result["restored"] else ": the running-config still differs from %s" % archive), result)
    if save:
        try:
            device.send("write memory")
        except push.DeviceError as err:
            raise RollbackError("%sthe rollback worked but 'write memory' failed: %s" % (
                where, push.device_message(str(err), secrets)), result) from None
        result["saved"] = True
    return result
