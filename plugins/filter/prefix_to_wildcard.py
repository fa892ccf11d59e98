# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ipsec.vpn.prefix_to_wildcard filter: a thin shell around acl.prefix_to_wildcard in module_utils."""

from ansible.errors import AnsibleFilterError
from ansible_collections.ipsec.vpn.plugins.module_utils.acl import prefix_to_wildcard
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import AclError
from ansible_collections.ipsec.vpn.plugins.plugin_utils.filter_args import check_filter_args

DOCUMENTATION = r"""
name: prefix_to_wildcard
author: ipsec.vpn developers
version_added: 0.1.0
short_description: Turn an IPv4 CIDR prefix into an IOS "address wildcard" pair
description:
    - Returns the network address and the wildcard (inverse) mask of an IPv4 prefix, separated by one space, as IOS
      access lists write them; C(172.16.1.0/24) becomes C(172.16.1.0 0.0.0.255).
    - Host bits of the address are cleared, as IOS does (C(172.16.1.77/24) gives C(172.16.1.0 0.0.0.255)). A bare
      address is a C(/32).
    - Always the plain pair; it never shortens to C(host) or C(any).
    - IPv6 and anything that is not a prefix fail the task.
positional: _input
options:
    _input:
        description: An IPv4 prefix such as C(10.0.0.0/8).
        type: str
        required: true
"""

EXAMPLES = r"""
- name: Write an ACL line
  ansible.builtin.debug:
    msg: "permit ip {{ '172.16.1.0/24' | ipsec.vpn.prefix_to_wildcard }} any"
# msg: permit ip 172.16.1.0 0.0.0.255 any

- name: A host route
  ansible.builtin.debug:
    msg: "{{ '198.51.100.7/32' | ipsec.vpn.prefix_to_wildcard }}"
# msg: 198.51.100.7 0.0.0.0
"""

RETURN = r"""
_value:
    description: The network address and wildcard mask, separated by one space.
    type: str
    sample: 172.16.1.0 0.0.0.255
"""


def _prefix_to_wildcard(*args, **kwargs):
    """172.16.1.0/24 -> 172.16.1.0 0.0.0.255."""
    values = check_filter_args(DOCUMENTATION, args, kwargs)
    try:
        return prefix_to_wildcard(values["_input"])
    except AclError as err:
        raise AnsibleFilterError(f"prefix_to_wildcard: {err}") from err


class FilterModule:
    def filters(self):
        return {"prefix_to_wildcard": _prefix_to_wildcard}
