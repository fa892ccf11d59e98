# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ipsec.vpn.crypto parser for ansible.utils.cli_parse.

It picks the parser from the command (``parser.command``, or the task's ``command``) and
returns the same structure as the matching ipsec.vpn.parse_* filter.
"""

from ansible.module_utils.common.text.converters import to_native
from ansible_collections.ansible.utils.plugins.plugin_utils.base.cli_parser import CliParserBase
from ansible_collections.ipsec.vpn.plugins.module_utils.parsers import PARSERS, canonical_command

DOCUMENTATION = r"""
author: ipsec.vpn developers
name: crypto
short_description: Parse IOS C(show crypto ...) and strongSwan C(swanctl --list-sas) output
description:
    - A sub-plugin for M(ansible.utils.cli_parse), selected with C(parser.name=ipsec.vpn.crypto).
    - The parser is chosen from the command, which may be abbreviated as on IOS
      (C(sh cry ipsec sa det)).
    - Supported commands are C(show crypto isakmp sa [detail]), C(show crypto ipsec sa [detail|peer X|interface X]),
      C(show crypto session [detail]), C(show crypto ikev2 sa [detail]) and C(swanctl --list-sas [--raw]).
    - C(show crypto ipsec sa count) and C(show crypto isakmp sa count) print totals, not SAs; they get their own
      parser, which returns C(counts) (one integer per printed label, in snake case) and C(warnings).
    - The result is the same as that of the matching C(ipsec.vpn.parse_*) filter, including its C(warnings) list.
version_added: 0.1.0
"""

EXAMPLES = r"""
- name: Run the command on the router and parse it
  ansible.utils.cli_parse:
    command: show crypto ipsec sa detail
    parser:
      name: ipsec.vpn.crypto
    set_fact: ipsec_sa

- name: Parse text captured earlier from a strongSwan gateway
  ansible.utils.cli_parse:
    text: "{{ swanctl_out.stdout }}"
    parser:
      name: ipsec.vpn.crypto
      command: swanctl --list-sas
  register: swanctl_parsed
"""

RETURN = r"""
parsed:
    description:
      - The structure of the matching C(ipsec.vpn.parse_*) filter (schemas in docs/parsers.md), with a C(warnings)
        list of the lines that were not understood.
    returned: success
    type: dict
"""


class CliParser(CliParserBase):
    """Dispatch to the ipsec.vpn parser that matches the command."""

    DEFAULT_TEMPLATE_EXTENSION = None
    PROVIDE_TEMPLATE_CONTENTS = False

    def parse(self, *_args, **_kwargs):
        """Return ``{"parsed": dict}`` or ``{"errors": [str]}`` as cli_parse expects."""
        parser_args = self._task_args.get("parser") or {}
        command = parser_args.get("command") or self._task_args.get("command")
        text = self._task_args.get("text")
        if not command:
            return {"errors": ["ipsec.vpn.crypto needs parser.command (or command) to choose a parser"]}
        if not isinstance(text, str):
            return {"errors": [f"ipsec.vpn.crypto expected the command output as a string, got {type(text).__name__}"]}
        try:
            parse_function = PARSERS[canonical_command(command)]
        except ValueError as exc:
            return {"errors": [to_native(exc)]}
        return {"parsed": parse_function(text)}
