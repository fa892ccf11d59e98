"""Exclusive use of the strongSwan lab between test sessions that run at the same time.

Every test that brings the lab up holds an exclusive ``flock`` on the machine-wide lock file
``ipsec-vpn-lab.lock`` (in ``/run/lock``) from
``labctl up`` until ``labctl down``. A second holder waits (up to ``timeout`` seconds) instead
of rebuilding the lab under the first one. From a shell::

    flock -w 900 /run/lock/ipsec-vpn-lab.lock sh -c 'lab/labctl up && ... && lab/labctl down'

The lock is released when the holder exits, even if it crashes, so a stale lock cannot block
anyone. A lab left up by a run that did not take the lock is waited for (``labctl status``
exit code 3 means down) for ``foreign_wait`` seconds, then rebuilt.
"""

import contextlib
import fcntl
import os
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The lab's namespaces are machine-wide, so the lock is too (not per checkout).
LOCK_FILE = os.path.join("/run/lock" if os.path.isdir("/run/lock") else tempfile.gettempdir(), "ipsec-vpn-lab.lock")
LABCTL = os.path.join(REPO_ROOT, "lab", "labctl")


def lab_is_down():
    return subprocess.run([LABCTL, "status"], capture_output=True, text=True, timeout=60,
                          check=False).returncode == 3


@contextlib.contextmanager
def lab_lock(timeout=900.0, foreign_wait=120.0, poll=2.0):
    """Hold the lab lock for the duration of the ``with`` block."""
    os.makedirs(os.path.dirname(LOCK_FILE), exist_ok=True)
    with open(LOCK_FILE, "a+") as handle:
        deadline = time.monotonic() + timeout
        announced = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"the strongSwan lab is still locked by another run after {timeout:.0f} s "
                                         f"({LOCK_FILE})") from None
                if not announced:
                    sys.stderr.write(f"waiting for the strongSwan lab lock {LOCK_FILE}\n")
                    announced = True
                time.sleep(poll)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {' '.join(sys.argv[:2])}\n")
        handle.flush()
        # Someone who does not use the lock may still have the lab up: give them a while.
        wait_until = time.monotonic() + foreign_wait
        while not lab_is_down() and time.monotonic() < wait_until:
            time.sleep(poll)
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
