# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ipsec.vpn.parse_show_crypto_ipsec_sa filter: a thin shell around the pure parser in module_utils."""

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_ipsec_sa import parse_show_crypto_ipsec_sa
from ansible_collections.ipsec.vpn.plugins.plugin_utils.command_output import parse_command_output

DOCUMENTATION = r"""
name: parse_show_crypto_ipsec_sa
author: ipsec.vpn developers
version_added: 0.1.0
short_description: Parse IOS C(show crypto ipsec sa) output
description:
    - Turns the text of C(show crypto ipsec sa) and its C(detail), C(peer X) and C(interface X) forms into a dict.
    - Packet counters become integers; SPIs keep their printed hex and decimal forms.
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
      - show crypto ipsec sa detail
  register: ipsec_out

- name: Parse them
  ansible.builtin.set_fact:
    result: "{{ ipsec_out.stdout[0] | ipsec.vpn.parse_show_crypto_ipsec_sa }}"

- name: Use a field
  ansible.builtin.debug:
    msg: "{{ result.interfaces['Tunnel0'].idents[0].counters.pkts_encaps }}"
"""

RETURN = r"""
_value:
    description: The parsed output.
    type: dict
    contains:
      interfaces:
        description: Interfaces by name; each holds C(crypto_map_tag), C(local_addr) and a list of C(idents) (see docs/parsers.md).
        type: dict
      warnings:
        description: Lines that were not understood or were read only in part, each with C(line_number), C(line) and C(message).
        type: list
        elements: dict
"""


def _parse_filter(data):
    """Parse the output of C(show crypto ipsec sa detail)."""
    return parse_command_output("parse_show_crypto_ipsec_sa", parse_show_crypto_ipsec_sa, data)


class FilterModule:
    def filters(self):
        return {"parse_show_crypto_ipsec_sa": _parse_filter}
