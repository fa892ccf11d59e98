# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ipsec.vpn.wildcard_to_prefix filter: a thin shell around acl.wildcard_to_prefix in module_utils."""

from ansible.errors import AnsibleFilterError
from ansible_collections.ipsec.vpn.plugins.module_utils.acl import wildcard_to_prefix
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import AclError
from ansible_collections.ipsec.vpn.plugins.plugin_utils.filter_args import check_filter_args

DOCUMENTATION = r"""
name: wildcard_to_prefix
author: ipsec.vpn developers
version_added: 0.1.0
short_description: Turn an IOS ACL address (address wildcard, host, any) into a CIDR prefix
description:
    - Reads an address as IOS access lists write it and returns the IPv4 prefix in CIDR form;
      C(172.16.1.0 0.0.0.255) becomes C(172.16.1.0/24), C(host 10.1.1.1) becomes C(10.1.1.1/32) and C(any) becomes
      C(0.0.0.0/0).
    - Host bits of the address are cleared, as IOS does.
    - A wildcard whose set bits are not contiguous at the low end (for example C(0.0.255.0)) matches no single
      prefix; the task fails and says so.
positional: _input
options:
    _input:
        description: C(address wildcard), C(host address) or C(any).
        type: str
        required: true
"""

EXAMPLES = r"""
- name: Read a prefix back from ACL text
  ansible.builtin.debug:
    msg: "{{ '10.0.0.0 0.255.255.255' | ipsec.vpn.wildcard_to_prefix }}"
# msg: 10.0.0.0/8

- name: Shorthands
  ansible.builtin.debug:
    msg: "{{ ['host 198.51.100.7', 'any'] | map('ipsec.vpn.wildcard_to_prefix') | list }}"
# msg: ['198.51.100.7/32', '0.0.0.0/0']
"""

RETURN = r"""
_value:
    description: The prefix in CIDR form.
    type: str
    sample: 172.16.1.0/24
"""


def _wildcard_to_prefix(*args, **kwargs):
    """172.16.1.0 0.0.0.255 -> 172.16.1.0/24."""
    values = check_filter_args(DOCUMENTATION, args, kwargs)
    try:
        return wildcard_to_prefix(values["_input"])
    except AclError as err:
        raise AnsibleFilterError(f"wildcard_to_prefix: {err}") from err


class FilterModule:
    def filters(self):
        return {"wildcard_to_prefix": _wildcard_to_prefix}
