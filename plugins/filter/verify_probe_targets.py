# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ipsec.vpn.verify_probe_targets filter: a thin shell around verify.probe_targets in module_utils."""

from ansible.errors import AnsibleFilterError
from ansible_collections.ipsec.vpn.plugins.module_utils.verify import VerifyError, probe_targets
from ansible_collections.ipsec.vpn.plugins.plugin_utils.filter_args import check_filter_args

DOCUMENTATION = r"""
name: verify_probe_targets
author: ipsec.vpn developers
version_added: 0.1.0
short_description: One traffic probe per tunnel of a host's plan
description:
    - Returns one probe per tunnel of the plan, in plan order, each with C(tunnel), C(source), C(destination),
      C(command) (the platform's ping) and C(skipped).
    - The source is the first host of the tunnel's first local protected network and the destination the first
      host of its first remote protected network (C(10.12.1.0/24) gives C(10.12.1.1)); O(overrides) replaces either
      per tunnel or disables the probe.
    - A probe is skipped (C(command) null, C(skipped) says why) when disabled, when the selectors are narrowed to a
      protocol other than ICMP (unless both ends are overridden), or when the protected networks are C(any).
    - IOS command C(ping <dst> source <src> repeat <count>); Linux command C(ping -n -q -c <count> -W 1 -i 0.3 -I <src>
      <dst>).
positional: _input, overrides
options:
    _input:
        description: The host's plan (M(ipsec.vpn.plan) C(plan_masked) is enough).
        type: dict
        required: true
    overrides:
        description:
            - Per tunnel name, C(source) and/or C(destination) addresses, or C(enabled=false).
            - Naming a tunnel the plan does not have is an error.
        type: dict
        default: {}
    count:
        description: Echo requests per probe (1 to 100).
        type: int
        default: 5
"""

EXAMPLES = r"""
- name: Probe every tunnel
  ansible.builtin.command: "{{ item.command }}"
  loop: "{{ vpn.plan_masked | ipsec.vpn.verify_probe_targets(verify_probe_targets, count=3) }}"
  when: item.command is not none
  changed_when: false
  failed_when: false
  register: probes
  vars:
    verify_probe_targets:
      site1--site2: {source: 10.11.0.1, destination: 10.12.0.1}
      site1--site3: {enabled: false}
"""

RETURN = r"""
_value:
    description: One probe per tunnel.
    type: list
    elements: dict
    contains:
        tunnel:
            description: Tunnel name.
            type: str
        source:
            description: Source address of the probe, or null when skipped.
            type: str
        destination:
            description: Destination address of the probe, or null when skipped.
            type: str
        command:
            description: The command to run on the host, or null when skipped.
            type: str
        skipped:
            description: Why no probe is sent, or null.
            type: str
"""


def _verify_probe_targets(*args, **kwargs):
    """Probe targets of a plan."""
    values = check_filter_args(DOCUMENTATION, args, kwargs)
    count = values.get("count")
    if isinstance(count, bool) or not isinstance(count, int):
        raise AnsibleFilterError("verify_probe_targets: count must be an integer")
    try:
        return probe_targets(values["_input"], values.get("overrides") or {}, count)
    except (VerifyError, KeyError, ValueError) as err:
        raise AnsibleFilterError(f"verify_probe_targets: {err}") from err


class FilterModule:
    def filters(self):
        return {"verify_probe_targets": _verify_probe_targets}
