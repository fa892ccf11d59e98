# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ipsec.vpn.parse_show_crypto_ikev2_sa filter: a thin shell around the pure parser in module_utils."""

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_ikev2_sa import parse_show_crypto_ikev2_sa
from ansible_collections.ipsec.vpn.plugins.plugin_utils.command_output import parse_command_output

DOCUMENTATION = r"""
name: parse_show_crypto_ikev2_sa
author: ipsec.vpn developers
version_added: 0.1.0
short_description: Parse IOS C(show crypto ikev2 sa [detail]) output
description:
    - Turns the text of C(show crypto ikev2 sa) or C(show crypto ikev2 sa detail) into a dict, IPv4 and IPv6 SAs alike.
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
      - show crypto ikev2 sa detail
  register: ikev2_out

- name: Parse them
  ansible.builtin.set_fact:
    result: "{{ ikev2_out.stdout[0] | ipsec.vpn.parse_show_crypto_ikev2_sa }}"

- name: Use a field
  ansible.builtin.debug:
    msg: "{{ result.sas | map(attribute='status') | list }}"
"""

RETURN = r"""
_value:
    description: The parsed output.
    type: dict
    contains:
      sas:
        description: One entry per IKEv2 SA, in the order printed (see docs/parsers.md).
        type: list
        elements: dict
      warnings:
        description: Lines that were not understood or were read only in part, each with C(line_number), C(line) and C(message).
        type: list
        elements: dict
"""


def _parse_filter(data):
    """Parse the output of C(show crypto ikev2 sa detail)."""
    return parse_command_output("parse_show_crypto_ikev2_sa", parse_show_crypto_ikev2_sa, data)


class FilterModule:
    def filters(self):
        return {"parse_show_crypto_ikev2_sa": _parse_filter}
