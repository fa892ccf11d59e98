"""The collection as a user gets it: the built tarball, installed, its playbooks run by their FQCN.

One tarball is built and installed into a scratch collections path for the module; each test runs
``ansible-playbook ipsec.vpn.<name>`` from a scratch working directory against a copy of a seed
inventory (the user's own), with no access to this repository's collections path.
"""

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile

import playbook_runner
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SEED = os.path.join(REPO, "inventories", "seed")
BIN = os.path.dirname(sys.executable)
# The pre-shared key of the seed's site-to-site scenario, from its (vaulted) group_vars.
SEED_PSK_LINE = re.compile(r"^crypto isakmp key \S+ address 202\.100\.1\.2$", re.M)


def _run(cmd, cwd, env, timeout=300):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def _playbook(playbook, inventory, cwd, env, *args):
    """ansible-playbook through the suites' one runner, with the user's environment of ``_user_env`` on top."""
    res = playbook_runner.run(playbook, inventory, *args, cwd=cwd, env=env, timeout=300)
    return res.returncode, res.output


def _user_env(tmp, collections):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PATH=BIN + os.pathsep + env.get("PATH", ""),
        ANSIBLE_COLLECTIONS_PATH=str(collections),
        ANSIBLE_HOME=str(tmp / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
    )
    return env


def _snapshot(root):
    """Every path under ``root`` with its mode, and files with their mtime and content hash.

    Python's own byte-code cache (``__pycache__``, written when Ansible imports the filter plugins like any
    module) is left out: it is not an output of the playbooks. Folder mtimes are left out with it.
    """
    seen = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in dirs + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            entry = (stat.S_IMODE(info.st_mode),)
            if stat.S_ISREG(info.st_mode):
                with open(path, "rb") as handle:
                    entry += (info.st_mtime_ns, hashlib.sha256(handle.read()).hexdigest())
            seen[os.path.relpath(path, root)] = entry
    assert len(seen) > 100, "the installed collection looks empty"
    return seen


@pytest.fixture(scope="module", name="installed")
def fixture_installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("installed")
    env = _user_env(tmp, tmp / "collections")
    rc, out = _run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(tmp / "dist"),
                    REPO], REPO, env)
    assert rc == 0, out
    [tarball] = os.listdir(tmp / "dist")
    assert tarball == "ipsec-vpn-0.1.0.tar.gz"
    # Galaxy cannot be reached: the dependencies come from the ansible package, on Ansible's default search path.
    rc, out = _run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "--offline",
                    "-p", str(tmp / "collections"), str(tmp / "dist" / tarball)], tmp, env)
    assert rc == 0, out
    root = tmp / "collections" / "ansible_collections" / "ipsec" / "vpn"
    assert (root / "MANIFEST.json").is_file()
    return {"tmp": tmp, "env": env, "root": root, "tarball": tmp / "dist" / tarball}


def _workdir(tmp, name, scenario):
    """A scratch working directory with a copy of a seed inventory, as a user's own project would be."""
    work = tmp / name
    shutil.copytree(os.path.join(SEED, scenario), work / "inventory")
    shutil.copy(os.path.join(SEED, "vault-password.txt"), work / "vault-password.txt")
    return work


def test_render_by_fqcn_writes_only_under_the_working_directory(installed):
    tmp, env, root = installed["tmp"], installed["env"], installed["root"]
    work = _workdir(tmp, "work-default", "site_to_site")
    before = _snapshot(root)
    rc, out = _playbook("ipsec.vpn.render", "inventory", work, env, "--vault-password-file", "vault-password.txt")
    assert rc == 0, out
    # The installed collection ran (not this repository), and it is exactly as installed.
    listing = _run([os.path.join(BIN, "ansible-galaxy"), "collection", "list", "ipsec.vpn"], work, env)[1]
    assert "# %s\n" % (tmp / "collections" / "ansible_collections") in listing, listing
    assert listing.count("ipsec.vpn ") == 1, listing
    assert _snapshot(root) == before
    out_dir = work / "ipsec-vpn-build"
    assert "ipsec.vpn output folder: %s" % out_dir in out
    assert sorted(os.listdir(out_dir)) == ["ios", "plans", "strongswan"]
    assert sorted(os.listdir(out_dir / "plans")) == ["R2.json", "R3.json"]
    assert sorted(os.listdir(out_dir / "ios")) == ["R2.cfg", "R2.masked.cfg", "R3.cfg", "R3.masked.cfg"]
    # Keys only in 0600 files inside 0700 folders; the masked copies hold none.
    config = (out_dir / "ios" / "R2.cfg").read_text()
    assert SEED_PSK_LINE.search(config), config
    assert stat.S_IMODE(os.stat(out_dir / "ios" / "R2.cfg").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(out_dir / "ios").st_mode) == 0o700
    assert "crypto isakmp key ******** address 202.100.1.2" in (out_dir / "ios" / "R2.masked.cfg").read_text()


def test_relative_output_dir_is_resolved_against_the_working_directory(installed):
    tmp, env, root = installed["tmp"], installed["env"], installed["root"]
    work = _workdir(tmp, "work-relative", "site_to_site")
    before = _snapshot(root)
    for playbook in ("ipsec.vpn.render", "ipsec.vpn.plan"):
        rc, out = _playbook(playbook, "inventory", work, env, "--vault-password-file", "vault-password.txt",
                            "-e", "ipsec_vpn_build_dir=out/site")
        assert rc == 0, out
        assert "ipsec.vpn output folder: %s" % (work / "out" / "site") in out
    assert _snapshot(root) == before
    # One tree, under the working directory: nothing beside it, nothing under the inventory or the collection.
    assert sorted(os.listdir(work)) == ["inventory", "out", "vault-password.txt"]
    written = sorted(os.path.relpath(os.path.join(f, n), work / "out")
                     for f, _d, files in os.walk(work / "out") for n in files)
    assert written == ["site/ios/R2.cfg", "site/ios/R2.masked.cfg", "site/ios/R3.cfg", "site/ios/R3.masked.cfg",
                       "site/plans/R2.json", "site/plans/R3.json"]


def test_strongswan_render_keys_are_private(installed):
    tmp, env, root = installed["tmp"], installed["env"], installed["root"]
    work = tmp / "work-strongswan"
    shutil.copytree(os.path.join(REPO, "inventories", "lab"), work / "inventory")
    before = _snapshot(root)
    rc, out = _playbook("ipsec.vpn.render", "inventory/hosts.yml", work, env)
    assert rc == 0, out
    assert _snapshot(root) == before
    conf = work / "ipsec-vpn-build" / "strongswan" / "site1" / "conf.d"
    secrets = conf / "ipsec-vpn-keys.secrets.conf"
    assert "secret = " in secrets.read_text()
    assert stat.S_IMODE(os.stat(secrets).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o700


MAKE_OR_SCRIPT = re.compile(r"`make [a-z][\w-]*|^\s*make [a-z][\w-]*|\bscripts/[\w.-]+\.(?:sh|py)\b", re.M)


def test_shipped_docs_do_not_assume_the_repository(installed):
    """The tarball has no Makefile and no scripts/: its documents may name them only in the README's sections about
    a clone of the repository."""
    offenders = []
    with tarfile.open(installed["tarball"]) as tar:
        names = tar.getnames()
        assert "Makefile" not in names and not any(n.startswith("scripts/") for n in names)
        docs = [n for n in names if n.endswith(".md")]
        assert "README.md" in docs and "docs/intent.md" in docs
        for name in docs:
            text = tar.extractfile(name).read().decode("utf-8")
            section = ""
            for number, line in enumerate(text.splitlines(), 1):
                if line.startswith("#"):
                    section = line
                allowed = name == "README.md" and "repository" in section
                if MAKE_OR_SCRIPT.search(line) and not allowed:
                    offenders.append("%s:%d: %s" % (name, number, line.strip()))
    assert offenders == []
