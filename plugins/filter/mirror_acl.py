# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ipsec.vpn.mirror_acl filter: a thin shell around acl.mirror_acl in module_utils."""

from ansible.errors import AnsibleFilterError
from ansible_collections.ipsec.vpn.plugins.module_utils.acl import mirror_acl
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import AclError
from ansible_collections.ipsec.vpn.plugins.plugin_utils.filter_args import check_filter_args

DOCUMENTATION = r"""
name: mirror_acl
author: ipsec.vpn developers
version_added: 0.1.0
short_description: Mirror an access list (swap source and destination)
description:
    - Swaps the source and destination of every entry, together with their ports, which turns one peer's crypto
      ACL into the ACL the other peer needs.
    - Entries may be IOS ACE text (C(permit udp host 10.1.1.1 eq 500 any), optionally with a sequence number or an
      C(access-list 100) prefix) or ACE dicts with the keys C(action), C(protocol), C(source), C(source_port),
      C(destination) and C(destination_port).
    - Each output entry has the form of its input entry. Text keeps its sequence number, its C(access-list) prefix
      and its port spelling (C(eq 500) stays C(eq 500), C(eq isakmp) stays C(eq isakmp)).
    - An entry that cannot be parsed or is invalid fails the task with a message that quotes it.
positional: _input
options:
    _input:
        description: The access list, as a list of IOS ACE strings and/or ACE dicts.
        type: list
        elements: raw
        required: true
"""

EXAMPLES = r"""
- name: Build site B's crypto ACL from site A's
  ansible.builtin.set_fact:
    site_b_acl: "{{ site_a_acl | ipsec.vpn.mirror_acl }}"
  vars:
    site_a_acl:
      - permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255
      - 20 permit udp host 198.51.100.1 eq isakmp any
# site_b_acl:
#   - permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.255
#   - 20 permit udp any host 198.51.100.1 eq isakmp

- name: Dict entries stay dicts
  ansible.builtin.debug:
    msg: "{{ [ace] | ipsec.vpn.mirror_acl }}"
  vars:
    ace:
      action: permit
      protocol: tcp
      source: 10.0.0.0/8
      source_port: null
      destination: 203.0.113.10/32
      destination_port: {op: eq, ports: [443]}
# msg:
#   - action: permit
#     protocol: tcp
#     source: 203.0.113.10/32
#     source_port: {op: eq, ports: [443]}
#     destination: 10.0.0.0/8
#     destination_port: null
"""

RETURN = r"""
_value:
    description: The mirrored entries, in the order and form they were given.
    type: list
    elements: raw
"""


def _mirror_acl(*args, **kwargs):
    """Mirror a list of ACEs (IOS text or dicts)."""
    values = check_filter_args(DOCUMENTATION, args, kwargs)
    try:
        return mirror_acl(values["_input"])
    except AclError as err:
        raise AnsibleFilterError(f"mirror_acl: {err}") from err


class FilterModule:
    def filters(self):
        return {"mirror_acl": _mirror_acl}
