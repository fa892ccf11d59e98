# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ipsec.vpn.parse_swanctl_list_sas filter: a thin shell around the pure parser in module_utils."""

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.swanctl_list_sas import parse_swanctl_list_sas
from ansible_collections.ipsec.vpn.plugins.plugin_utils.command_output import parse_command_output

DOCUMENTATION = r"""
name: parse_swanctl_list_sas
author: ipsec.vpn developers
version_added: 0.1.0
short_description: Parse strongSwan C(swanctl --list-sas) output
description:
    - Turns the text of C(swanctl --list-sas) (strongSwan 5.9 format) or C(swanctl --list-sas --raw) into a dict.
    - Keys follow the VICI C(list-sa) message with C(-) replaced by C(_), so both forms give the same schema.
    - Lines the parser does not understand are returned in C(warnings); the filter never fails on odd text.
positional: _input
options:
    _input:
        description: The command output, as one string.
        type: str
        required: true
"""

EXAMPLES = r"""
- name: Read the SAs
  ansible.builtin.command: swanctl --list-sas
  register: sas_out
  changed_when: false

- name: Parse them
  ansible.builtin.set_fact:
    result: "{{ sas_out.stdout | ipsec.vpn.parse_swanctl_list_sas }}"

- name: Use a field
  ansible.builtin.debug:
    msg: "{{ result.ike_sas | selectattr('state', 'eq', 'ESTABLISHED') | list | length }}"
"""

RETURN = r"""
_value:
    description: The parsed output.
    type: dict
    contains:
      ike_sas:
        description: One entry per IKE_SA with its C(child_sas) (see docs/parsers.md).
        type: list
        elements: dict
      warnings:
        description: Lines that were not understood or were read only in part, each with C(line_number), C(line) and C(message).
        type: list
        elements: dict
"""


def _parse_filter(data):
    """Parse the output of C(swanctl --list-sas)."""
    return parse_command_output("parse_swanctl_list_sas", parse_swanctl_list_sas, data)


class FilterModule:
    def filters(self):
        return {"parse_swanctl_list_sas": _parse_filter}
