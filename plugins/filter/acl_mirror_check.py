# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ipsec.vpn.acl_mirror_check filter: a thin shell around acl.acl_mirror_check in module_utils."""

from ansible.errors import AnsibleFilterError
from ansible_collections.ipsec.vpn.plugins.module_utils.acl import acl_mirror_check
from ansible_collections.ipsec.vpn.plugins.module_utils.errors import AclError
from ansible_collections.ipsec.vpn.plugins.plugin_utils.filter_args import check_filter_args

DOCUMENTATION = r"""
name: acl_mirror_check
author: ipsec.vpn developers
version_added: 0.1.0
short_description: Check that one access list is the mirror image of another
description:
    - Compares the access list on the right (O(other), peer B) with the mirror image of the piped access list (peer
      A). Two crypto ACLs of an IPsec tunnel must mirror each other, or the peers propose traffic selectors the
      other side refuses.
    - Entries may be IOS ACE text or ACE dicts, mixed freely. They are compared in canonical form, so port names
      and numbers (C(isakmp) and C(500)), sequence numbers and the order of permit-only lists do not matter.
    - When either list holds a C(deny) entry, the matched entries must also come in the same order.
    - An entry that cannot be parsed fails the task with a message that quotes it; a mismatch does not fail, it is
      reported in the result.
positional: _input, other
options:
    _input:
        description: Access list A, as a list of IOS ACE strings and/or ACE dicts.
        type: list
        elements: raw
        required: true
    other:
        description: Access list B, which should mirror A.
        type: list
        elements: raw
        required: true
"""

EXAMPLES = r"""
- name: Compare the two ends of a tunnel
  ansible.builtin.set_fact:
    check: "{{ site_a_acl | ipsec.vpn.acl_mirror_check(site_b_acl) }}"
  vars:
    site_a_acl:
      - permit ip 172.16.1.0 0.0.0.255 172.16.2.0 0.0.0.255
    site_b_acl:
      - permit ip 172.16.2.0 0.0.0.255 172.16.1.0 0.0.0.254

- name: Fail with the reasons when they do not mirror
  ansible.builtin.assert:
    that: check.mirrored
    fail_msg: "{{ check.differences | join('; ') }}"
"""

RETURN = r"""
_value:
    description: The verdict and the details.
    type: dict
    contains:
      mirrored:
        description: True when B holds exactly the mirror of every entry of A, and nothing else.
        type: bool
      missing_in_b:
        description: The mirror of each entry of A that B lacks, in the form of the A entry (what B should hold).
        type: list
        elements: raw
      unexpected_in_b:
        description: The entries of B that mirror no entry of A, as given.
        type: list
        elements: raw
      differences:
        description:
          - One sentence per problem, naming entries by list and index, for example
            C(a[1] 'permit udp host 10.1.1.1 eq 500 any' has no mirror in b (expected ...)).
        type: list
        elements: str
"""


def _acl_mirror_check(*args, **kwargs):
    """Check that list B mirrors list A."""
    values = check_filter_args(DOCUMENTATION, args, kwargs)
    try:
        return acl_mirror_check(values["_input"], values["other"])
    except AclError as err:
        raise AnsibleFilterError(f"acl_mirror_check: {err}") from err


class FilterModule:
    def filters(self):
        return {"acl_mirror_check": _acl_mirror_check}
