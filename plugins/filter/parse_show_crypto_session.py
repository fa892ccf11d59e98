# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ipsec.vpn.parse_show_crypto_session filter: a thin shell around the pure parser in module_utils."""

from ansible_collections.ipsec.vpn.plugins.module_utils.parsers.ios_crypto_session import parse_show_crypto_session
from ansible_collections.ipsec.vpn.plugins.plugin_utils.command_output import parse_command_output

DOCUMENTATION = r"""
name: parse_show_crypto_session
author: ipsec.vpn developers
version_added: 0.1.0
short_description: Parse IOS C(show crypto session [detail]) output
description:
    - Turns the text of C(show crypto session) or C(show crypto session detail) into a dict, with each session (one peer) under its interface.
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
      - show crypto session detail
  register: session_out

- name: Parse them
  ansible.builtin.set_fact:
    result: "{{ session_out.stdout[0] | ipsec.vpn.parse_show_crypto_session }}"

- name: Use a field
  ansible.builtin.debug:
    msg: "{{ result.interfaces['Tunnel0'].sessions[0].session_status }}"
"""

RETURN = r"""
_value:
    description: The parsed output.
    type: dict
    contains:
      interfaces:
        description: Interfaces by name; each holds a list of C(sessions) with their IKE SAs and IPsec flows (see docs/parsers.md).
        type: dict
      warnings:
        description: Lines that were not understood or were read only in part, each with C(line_number), C(line) and C(message).
        type: list
        elements: dict
"""


def _parse_filter(data):
    """Parse the output of C(show crypto session detail)."""
    return parse_command_output("parse_show_crypto_session", parse_show_crypto_session, data)


class FilterModule:
    def filters(self):
        return {"parse_show_crypto_session": _parse_filter}
