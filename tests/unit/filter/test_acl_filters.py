"""Tests of the ACL filter plugins: direct calls, ansible-doc rendering and a real ansible-playbook run."""

import os
import subprocess
import sys
import textwrap

import playbook_runner
import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.ipsec.vpn.plugins.filter import acl_mirror_check as check_plugin
from ansible_collections.ipsec.vpn.plugins.filter import mirror_acl as mirror_plugin
from ansible_collections.ipsec.vpn.plugins.filter import prefix_to_wildcard as p2w_plugin
from ansible_collections.ipsec.vpn.plugins.filter import wildcard_to_prefix as w2p_plugin

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
COLLECTIONS = os.path.join(REPO_ROOT, "build", "collections")
BIN = os.path.dirname(sys.executable)
PLUGINS = {
    "mirror_acl": mirror_plugin,
    "acl_mirror_check": check_plugin,
    "prefix_to_wildcard": p2w_plugin,
    "wildcard_to_prefix": w2p_plugin,
}


def _filter(name):
    return PLUGINS[name].FilterModule().filters()[name]


SITE_A = ["permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255", "20 permit udp host 198.51.100.1 eq isakmp any"]
SITE_B = ["permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255", "20 permit udp any host 198.51.100.1 eq isakmp"]


# --------------------------------------------------------------------------- direct calls


def test_each_plugin_exports_exactly_its_filter():
    for name, module in PLUGINS.items():
        assert list(module.FilterModule().filters()) == [name]
        for attr in ("DOCUMENTATION", "EXAMPLES", "RETURN"):
            assert getattr(module, attr).strip()


def test_mirror_acl_filter():
    assert _filter("mirror_acl")(SITE_A) == SITE_B
    ace = {
        "action": "permit",
        "protocol": "tcp",
        "source": "10.0.0.0/8",
        "source_port": None,
        "destination": "203.0.113.10/32",
        "destination_port": {"op": "eq", "ports": [443]},
    }
    out = _filter("mirror_acl")([ace])
    assert out[0]["source"] == "203.0.113.10/32"
    assert out[0]["source_port"] == {"op": "eq", "ports": [443]}
    assert out[0]["destination_port"] is None


def test_mirror_acl_filter_errors():
    with pytest.raises(AnsibleFilterError, match=r"mirror_acl: entry \[0\]: cannot parse ACE 'permit ip any any log'"):
        _filter("mirror_acl")(["permit ip any any log"])
    with pytest.raises(AnsibleFilterError, match="option '_input' must be a list, got a str"):
        _filter("mirror_acl")("permit ip any any")
    with pytest.raises(AnsibleFilterError, match="at most 1 positional"):
        _filter("mirror_acl")(SITE_A, "extra")
    with pytest.raises(AnsibleFilterError, match="mirror_acl: .*missing required arguments: _input"):
        _filter("mirror_acl")()
    with pytest.raises(AnsibleFilterError, match="mirror_acl: unknown option.s. colour; supported: _input"):
        _filter("mirror_acl")(SITE_A, colour="red")


def test_acl_mirror_check_filter():
    assert _filter("acl_mirror_check")(SITE_A, SITE_B)["mirrored"] is True
    assert _filter("acl_mirror_check")(SITE_A, other=SITE_B)["mirrored"] is True
    result = _filter("acl_mirror_check")(SITE_A, SITE_B[:1])
    assert result["mirrored"] is False
    assert result["missing_in_b"] == ["20 permit udp any host 198.51.100.1 eq isakmp"]
    assert result["differences"][0].startswith("a[1] '20 permit udp host 198.51.100.1 eq isakmp any' has no mirror")


def test_acl_mirror_check_filter_errors():
    with pytest.raises(AnsibleFilterError, match="missing required arguments: other"):
        _filter("acl_mirror_check")(SITE_A)
    with pytest.raises(AnsibleFilterError, match="option 'other' must be a list, got a dict"):
        _filter("acl_mirror_check")(SITE_A, {"action": "permit"})
    with pytest.raises(AnsibleFilterError, match=r"acl_mirror_check: b\[0\]: cannot parse ACE 'permit ip any'"):
        _filter("acl_mirror_check")(SITE_A, ["permit ip any"])
    with pytest.raises(AnsibleFilterError, match="given twice"):
        _filter("acl_mirror_check")(SITE_A, SITE_B, other=SITE_B)


def test_wildcard_filters():
    assert _filter("prefix_to_wildcard")("172.16.1.0/24") == "172.16.1.0 0.0.0.255"
    assert _filter("prefix_to_wildcard")("198.51.100.7/32") == "198.51.100.7 0.0.0.0"
    assert _filter("wildcard_to_prefix")("10.0.0.0 0.255.255.255") == "10.0.0.0/8"
    assert _filter("wildcard_to_prefix")("host 198.51.100.7") == "198.51.100.7/32"
    assert _filter("wildcard_to_prefix")("any") == "0.0.0.0/0"


def test_wildcard_filter_errors():
    with pytest.raises(AnsibleFilterError, match="wildcard_to_prefix: wildcard '0.0.255.0' .* not contiguous"):
        _filter("wildcard_to_prefix")("10.0.0.0 0.0.255.0")
    with pytest.raises(AnsibleFilterError, match="prefix_to_wildcard: prefix '2001:db8::/32' is IPv6"):
        _filter("prefix_to_wildcard")("2001:db8::/32")
    with pytest.raises(AnsibleFilterError, match="option '_input' must be a str, got a list"):
        _filter("prefix_to_wildcard")(["10.0.0.0/8"])
    with pytest.raises(AnsibleFilterError, match="option '_input' must be a str, got a int"):
        _filter("wildcard_to_prefix")(24)


# --------------------------------------------------------------------------- real Ansible


def _env(tmp_path):
    env = dict(os.environ)
    env.update(
        {
            "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
            "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        }
    )
    return env


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_ansible_doc_renders(name, tmp_path):
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-doc"), "-t", "filter", f"ipsec.vpn.{name}"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"ipsec.vpn.{name}" in proc.stdout
    assert "EXAMPLES" in proc.stdout
    assert f"ipsec.vpn.{name}" in proc.stdout.split("EXAMPLES", 1)[1]
    assert "WARNING" not in proc.stderr.upper(), proc.stderr


PLAYBOOK = textwrap.dedent(
    """\
    - name: Exercise the ACL filters
      hosts: localhost
      gather_facts: false
      vars:
        site_a:
          - permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255
          - 20 permit udp host 198.51.100.1 eq isakmp any
        ace_dict:
          action: permit
          protocol: tcp
          source: 10.0.0.0/8
          source_port: null
          destination: 203.0.113.10/32
          destination_port: {op: eq, ports: [443]}
      tasks:
        - name: Mirror text and dicts
          ansible.builtin.set_fact:
            site_b: "{{ site_a | ipsec.vpn.mirror_acl }}"
            dict_b: "{{ [ace_dict] | ipsec.vpn.mirror_acl }}"

        - name: Check the mirror
          ansible.builtin.set_fact:
            good: "{{ site_a | ipsec.vpn.acl_mirror_check(site_b) }}"
            bad: "{{ site_a | ipsec.vpn.acl_mirror_check(site_a) }}"

        - name: Convert addresses
          ansible.builtin.set_fact:
            wildcard: "{{ '172.16.1.0/24' | ipsec.vpn.prefix_to_wildcard }}"
            prefixes: "{{ ['host 198.51.100.7', 'any', '10.0.0.0 0.255.255.255'] | map('ipsec.vpn.wildcard_to_prefix') | list }}"

        - name: A non-contiguous wildcard fails the task
          ansible.builtin.debug:
            msg: "{{ '10.0.0.0 0.0.255.0' | ipsec.vpn.wildcard_to_prefix }}"
          register: broken
          ignore_errors: true

        - name: Everything came out right
          ansible.builtin.assert:
            that:
              - site_b[0] == 'permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255'
              - site_b[1] == '20 permit udp any host 198.51.100.1 eq isakmp'
              - dict_b[0].source == '203.0.113.10/32'
              - dict_b[0].source_port.ports == [443]
              - dict_b[0].destination_port is none
              - good.mirrored
              - good.differences == []
              - not bad.mirrored
              - bad.missing_in_b | length == 2
              - "'has no mirror in b' in bad.differences[0]"
              - wildcard == '172.16.1.0 0.0.0.255'
              - prefixes == ['198.51.100.7/32', '0.0.0.0/0', '10.0.0.0/8']
              - broken is failed
              - "'not contiguous' in broken.msg"
    """
)


def test_filters_in_a_real_playbook(tmp_path):
    playbook = tmp_path / "filters.yml"
    playbook.write_text(PLAYBOOK)
    proc = playbook_runner.run(
        playbook, "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}",
        workdir=tmp_path, timeout=300,
        env={"ANSIBLE_LOCALHOST_WARNING": "0", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0"},
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "failed=0" in proc.stdout, output
    assert "ok=5" in proc.stdout, output
    assert "All assertions passed" in proc.stdout, output
