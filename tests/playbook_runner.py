"""The one way the test suites (unit, IOS simulator, end to end) run ``ansible-playbook``.

The binary is the one next to the Python running the tests, the collection comes from ``build/collections`` (the
symlink ``scripts/setup.sh`` makes), colours and retry files are off, and a ``workdir`` keeps Ansible's temporary
files and persistent-connection sockets out of the shared folders. This is test infrastructure: it imports nothing
from the collection, so the simulator's tests may use it too.
"""

import json
import os
import re
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN, "ansible-playbook")
COLLECTIONS = os.path.join(REPO, "build", "collections")
JSON_CALLBACK = "ansible.posix.json"

_RECAP = re.compile(
    r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", re.M
)


class Result(object):
    """One run: ``returncode`` (also ``rc``), ``stdout``, ``stderr``, ``output`` (both), ``seconds``, ``recap``
    (``{host: {ok, changed, unreachable, failed, skipped}}`` from the default callback) and, with the JSON
    callback, ``results`` (``{task name: {host: result}}``)."""

    def __init__(self, process, seconds, json_output):
        self.returncode = self.rc = process.returncode
        self.stdout = process.stdout
        self.stderr = process.stderr
        self.output = process.stdout + process.stderr
        self.seconds = seconds
        self.recap = {
            m.group(1): {"ok": int(m.group(2)), "changed": int(m.group(3)), "unreachable": int(m.group(4)),
                         "failed": int(m.group(5)), "skipped": int(m.group(6))}
            for m in _RECAP.finditer(process.stdout)
        }
        self.results = {}
        self.data = None
        if json_output:
            try:
                self.data = json.loads(process.stdout)
            except ValueError as error:
                raise AssertionError("ansible-playbook printed no JSON:\n%s\n%s" % (process.stdout, process.stderr)) \
                    from error
            for play in self.data["plays"]:
                for task in play["tasks"]:
                    self.results.setdefault(task["task"]["name"], {}).update(task["hosts"])

    def changed(self):
        return {host: counts["changed"] for host, counts in self.recap.items()}


def available():
    return os.access(ANSIBLE_PLAYBOOK, os.X_OK)


def environment(workdir=None, home=None, json_output=False, **overrides):
    """The environment of a run; ``overrides`` (``ANSIBLE_...=value``) win."""
    env = dict(
        os.environ,
        PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
        ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
        ANSIBLE_HOME=home or (os.path.join(str(workdir), "ansible-home") if workdir else
                              os.path.join(REPO, "build", "ansible-home")),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="False",
        ANSIBLE_HOST_KEY_CHECKING="False",
        ANSIBLE_STDOUT_CALLBACK=JSON_CALLBACK if json_output else "default",
    )
    if workdir:
        control = os.path.join(str(workdir), "pc")
        os.makedirs(control, exist_ok=True)
        env.update(ANSIBLE_LOCAL_TEMP=os.path.join(str(workdir), "tmp"), ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=control)
    env.update((key, str(value)) for key, value in overrides.items())
    return env


def run(playbook, inventory, *args, workdir=None, home=None, cwd=None, json_output=False, timeout=600, env=None):
    """Run ``ansible-playbook -i inventory playbook *args``; ``env`` adds or overrides variables."""
    if not available():
        raise AssertionError("ansible-playbook is not installed next to %s; run 'make setup'" % sys.executable)
    run_env = environment(workdir, home, json_output, **(env or {}))
    started = time.monotonic()
    process = subprocess.run([ANSIBLE_PLAYBOOK, "-i", str(inventory), str(playbook)] + [str(a) for a in args],
                             cwd=str(cwd or workdir or REPO), env=run_env, capture_output=True, text=True,
                             timeout=timeout, check=False)
    return Result(process, time.monotonic() - started, json_output)
