# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ipsec.vpn.parse_show_crypto_isakmp_sa filter: a thin shell around the pure parser in module_utils."""

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_isakmp_sa import parse_show_crypto_isakmp_sa
from ansible_collections.ipsec.vpn.plugins.plugin_utils.command_output import parse_command_output

DOCUMENTATION = r"""
name: parse_show_crypto_isakmp_sa
author: ipsec.vpn developers
version_added: 0.1.0
short_description: Parse IOS C(show crypto isakmp sa [detail]) output
description:
    - Turns the text of C(show crypto isakmp sa) or C(show crypto isakmp sa detail) from IOS 12.x, 15.x or IOS-XE into a dict.
    - Reads tables with and without the column header, the C(IPv4)/C(IPv6 Crypto ISAKMP SA) sections, every IKEv1 state and the C(detail) columns.
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
  cisco.ios.ios_command:
    commands:
      - show crypto isakmp sa
  register: isakmp_out

- name: Parse them
  ansible.builtin.set_fact:
    result: "{{ isakmp_out.stdout[0] | ipsec.vpn.parse_show_crypto_isakmp_sa }}"

- name: Use a field
  ansible.builtin.debug:
    msg: "{{ result.sas | selectattr('state', 'ne', 'QM_IDLE') | list | length == 0 }}"
"""

RETURN = r"""
_value:
    description: The parsed output.
    type: dict
    contains:
      sas:
        description: One entry per IKEv1 SA, in the order printed (see docs/parsers.md for every key).
        type: list
        elements: dict
      detail:
        description: Whether the output was the C(detail) form.
        type: bool
      warnings:
        description: Lines that were not understood or were read only in part, each with C(line_number), C(line) and C(message).
        type: list
        elements: dict
"""


def _parse_filter(data):
    """Parse the output of C(show crypto isakmp sa)."""
    return parse_command_output("parse_show_crypto_isakmp_sa", parse_show_crypto_isakmp_sa, data)


class FilterModule:
    def filters(self):
        return {"parse_show_crypto_isakmp_sa": _parse_filter}
