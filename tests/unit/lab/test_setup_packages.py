"""scripts/setup.sh installs the strongSwan role's own Debian package lists for the lab, so the two cannot drift."""

import os
import subprocess

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLE_VARS = os.path.join(REPO_ROOT, "roles", "strongswan", "vars", "Debian.yml")


def _setup_packages():
    out = subprocess.run([os.path.join(REPO_ROOT, "scripts", "setup.sh"), "--print-apt-packages"],
                         capture_output=True, text=True, check=True, timeout=30).stdout
    return out.split()


def _role_lists():
    with open(ROLE_VARS) as handle:
        return yaml.safe_load(handle)


def test_setup_installs_every_package_of_the_roles_plain_extra_and_firewall_lists():
    lists = _role_lists()
    wanted = lists["strongswan__packages_plain"] + lists["strongswan__packages_extra"] + \
        lists["strongswan__packages_firewall"]
    assert set(wanted) <= set(_setup_packages())


def test_the_openssl_plugin_package_is_in_both_service_variants():
    # Without it charon has no ECP groups ("configured DH group ECP_256 not supported").
    lists = _role_lists()
    for name in ("strongswan__packages_plain", "strongswan__packages_systemd"):
        assert "libstrongswan-standard-plugins" in lists[name], name
    # systemd and plain differ only in the daemon package
    assert set(lists["strongswan__packages_systemd"]) - {"charon-systemd"} == \
        set(lists["strongswan__packages_plain"]) - {"strongswan-charon"}


def test_setup_adds_the_lab_harness_tools():
    assert {"openssh-server", "iputils-ping", "iproute2"} <= set(_setup_packages())


def test_setup_installs_the_strongswan_packages_the_lab_needs_by_name():
    # swanctl, charon, kernel-libipsec and the legacy algorithms (extra plugins), ECP/DES/3DES (standard plugins)
    wanted = {"strongswan-swanctl", "strongswan-charon", "libstrongswan-standard-plugins",
              "libcharon-extra-plugins", "libstrongswan-extra-plugins", "nftables"}
    assert wanted <= set(_setup_packages())
