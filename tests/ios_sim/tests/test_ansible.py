"""Real `ansible-playbook` runs (cisco.ios modules over ansible.netcommon.network_cli) against simulated routers."""


import playbook_runner  # tests/playbook_runner.py: test infrastructure, not collection code
import pytest

from ..world import World
from .seed import DISPLAYED_R2, SEED_R2, SEED_R3, WORLD_FILE, configure

pytestmark = pytest.mark.skipif(not playbook_runner.available(),
                                reason="ansible-playbook is not installed next to this Python")


@pytest.fixture
def lab(tmp_path):
    world = World.from_yaml(WORLD_FILE, state_dir=str(tmp_path / "state")).start()
    yield world
    world.stop()


def run_playbook(tmp_path, world, text, *args, ssh_type=None):
    """Run a playbook against ``world``; returns (return code, {task name: {host: result}}, raw output)."""
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(world.inventory(ssh_type=ssh_type))
    playbook = tmp_path / "play.yml"
    playbook.write_text(text)
    run = playbook_runner.run(playbook, inventory, *args, workdir=tmp_path, json_output=True, timeout=300,
                              env={"ANSIBLE_PERSISTENT_COMMAND_TIMEOUT": "30",
                                   "ANSIBLE_PERSISTENT_CONNECT_TIMEOUT": "15"})
    return run.returncode, run.results, run.output


PUSH_AND_VERIFY = """
- name: push the site-to-site configuration
  hosts: routers
  gather_facts: false
  tasks:
    - name: push
      cisco.ios.ios_config:
        src: "{{ inventory_hostname }}.cfg"
- name: send interesting traffic from R2 and look at the SAs
  hosts: R2
  gather_facts: false
  tasks:
    - name: verify
      cisco.ios.ios_command:
        commands:
          - ping 172.16.2.1 source Ethernet0
          - show crypto isakmp sa
          - show crypto ipsec sa
"""

PUSH_FILE = """
- name: push one file
  hosts: R2
  gather_facts: false
  tasks:
    - name: push
      cisco.ios.ios_config:
        src: "{{ source_file }}"
"""


def test_seed_pushed_with_ios_config_brings_the_tunnel_up_and_is_idempotent(lab, tmp_path):
    (tmp_path / "R2.cfg").write_text(SEED_R2)
    (tmp_path / "R3.cfg").write_text(SEED_R3)
    code, results, log = run_playbook(tmp_path, lab, PUSH_AND_VERIFY)
    assert code == 0, log
    assert results["push"]["R2"]["changed"] is True and results["push"]["R3"]["changed"] is True
    ping, isakmp, ipsec = results["verify"]["R2"]["stdout"]
    assert "Success rate is 100 percent (5/5)" in ping
    assert "202.100.1.2     202.100.1.1     QM_IDLE           1001 ACTIVE" in isakmp
    assert "Status: ACTIVE(ACTIVE)" in ipsec and "#pkts encaps: 5, #pkts encrypt: 5" in ipsec

    # Written in IOS's displayed form, the same intent is a no-op the second time.
    (tmp_path / "displayed.cfg").write_text(DISPLAYED_R2)
    code, results, log = run_playbook(tmp_path, lab, PUSH_FILE, "-e", "source_file=displayed.cfg")
    assert code == 0, log
    assert results["push"]["R2"]["changed"] is False, results["push"]["R2"]

    # Written as typed, it is never idempotent: running-config hides `encryption des` and shows port 500 by name.
    code, results, log = run_playbook(tmp_path, lab, PUSH_FILE, "-e", "source_file=R2.cfg")
    assert code == 0, log
    assert results["push"]["R2"]["changed"] is True
    assert results["push"]["R2"]["commands"] == [
        "crypto isakmp policy 10", "encryption des", "access-list 100 permit udp any eq 500 any eq isakmp"]


MISMATCH = """
- name: give R3 a different key
  hosts: R3
  gather_facts: false
  tasks:
    - name: change key
      cisco.ios.ios_config:
        lines: ["crypto isakmp key other address 202.100.1.1"]
- name: try the tunnel
  hosts: R2
  gather_facts: false
  tasks:
    - name: psk mismatch
      cisco.ios.ios_command:
        commands: [ping 172.16.2.1 source Ethernet0, show crypto isakmp sa]
- name: restore the key, break the policy
  hosts: R3
  gather_facts: false
  tasks:
    - name: change policy
      cisco.ios.ios_config:
        lines: ["crypto isakmp key cisco address 202.100.1.1"]
    - name: change hash
      cisco.ios.ios_config:
        parents: ["crypto isakmp policy 10"]
        lines: ["hash sha256"]
- name: try again
  hosts: R2
  gather_facts: false
  tasks:
    - name: policy mismatch
      cisco.ios.ios_command:
        commands: [clear crypto session, ping 172.16.2.1 source Ethernet0, show crypto isakmp sa]
"""


def test_mismatches_show_failed_phase1_states(lab, tmp_path):
    configure(lab, "R2", SEED_R2)
    configure(lab, "R3", SEED_R3)
    code, results, log = run_playbook(tmp_path, lab, MISMATCH)
    assert code == 0, log
    ping, isakmp = results["psk mismatch"]["R2"]["stdout"]
    assert "Success rate is 0 percent (0/5)" in ping
    assert "MM_KEY_EXCH" in isakmp and "QM_IDLE" not in isakmp
    _unused, ping, isakmp = results["policy mismatch"]["R2"]["stdout"]
    assert "Success rate is 0 percent (0/5)" in ping
    assert "202.100.1.2     202.100.1.1     MM_NO_STATE       1002 ACTIVE" in isakmp


CHECK_MODE = """
- name: check mode
  hosts: R2
  gather_facts: false
  tasks:
    - name: would change
      cisco.ios.ios_config:
        lines: ["crypto isakmp keepalive 30 5"]
"""


def test_check_mode_sends_no_configuration_commands(lab, tmp_path):
    code, results, log = run_playbook(tmp_path, lab, CHECK_MODE, "--check")
    assert code == 0, log
    assert results["would change"]["R2"]["changed"] is True
    device = lab.device("R2")
    assert device.config_lines_received() == []
    assert "configure terminal" not in device.lines_received()
    assert "show running-config" in device.lines_received()
    code, results, log = run_playbook(tmp_path, lab, CHECK_MODE)
    assert code == 0, log
    assert device.config_lines_received() == ["crypto isakmp keepalive 30 5", "end"]


BAD_LINE = """
- name: a rendering mistake inside a crypto submode
  hosts: R2
  gather_facts: false
  tasks:
    - name: bad line
      cisco.ios.ios_config:
        parents: ["crypto isakmp policy 20"]
        lines: ["hash sha256", "encryption aes 512"]
      ignore_errors: true
    - name: next task
      cisco.ios.ios_command:
        commands: [show privilege]
"""


def test_error_in_a_submode_fails_the_task_and_leaves_the_session_there(lab, tmp_path):
    code, results, log = run_playbook(tmp_path, lab, BAD_LINE)
    assert code == 0, log
    failure = results["bad line"]["R2"]
    assert failure["failed"] is True
    assert "% Invalid input detected at '^' marker." in failure["msg"]
    received = [(entry.prompt, entry.line) for entry in lab.device("R2").transcript]
    at_error = received.index(("R2(config-isakmp)#", "encryption aes 512"))
    # The failed task sends nothing more; the connection sends `end` when the next task starts.
    assert received[at_error + 1] == ("R2(config-isakmp)#", "end")
    assert received[at_error + 2] == ("R2#", "show privilege")
    assert results["next task"]["R2"]["stdout"] == ["Current privilege level is 15"]
    # Lines before the error were applied, as on a real router.
    assert "crypto isakmp policy 20\n hash sha256\n" in lab.run("R2", "show running-config | section policy 20")


SAVE = """
- name: save when modified
  hosts: R2
  gather_facts: false
  tasks:
    - name: first
      cisco.ios.ios_config:
        lines: ["crypto isakmp keepalive 20 5"]
        save_when: modified
    - name: second
      cisco.ios.ios_config:
        lines: ["crypto isakmp keepalive 20 5"]
        save_when: modified
"""


def test_save_when_modified_copies_to_startup_once(lab, tmp_path):
    code, results, log = run_playbook(tmp_path, lab, SAVE)
    assert code == 0, log
    assert results["first"]["R2"]["changed"] is True and results["second"]["R2"]["changed"] is False
    assert lab.device("R2").lines_received().count("copy running-config startup-config") == 1
    assert "crypto isakmp keepalive 20 5" in lab.run("R2", "show startup-config")


SHOW = """
- name: show
  hosts: R2
  gather_facts: false
  tasks:
    - name: privilege
      cisco.ios.ios_command:
        commands: [show privilege]
"""


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("ansible_password=wrong", "Failed to authenticate"),
        ("ansible_become_password=wrong", "failed to elevate privilege to enable mode"),
    ],
    ids=["login-password", "enable-secret"],
)
def test_wrong_credentials_fail_clearly(lab, tmp_path, override, message):
    code, results, log = run_playbook(tmp_path, lab, SHOW, "-e", override)
    assert code != 0
    result = results["privilege"]["R2"]
    assert result.get("failed") or result.get("unreachable")
    assert message in result["msg"], result["msg"]


@pytest.mark.parametrize("ssh_type", ["libssh", "paramiko"])
def test_both_ssh_transports_work(lab, tmp_path, ssh_type):
    code, results, log = run_playbook(tmp_path, lab, SHOW, ssh_type=ssh_type)
    assert code == 0, log
    assert results["privilege"]["R2"]["stdout"] == ["Current privilege level is 15"]
