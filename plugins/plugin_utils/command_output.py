# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared shell of the ``parse_*`` filters: check that the input is command output, then parse it."""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text


def parse_command_output(filter_name, parse, data):
    """Run ``parse`` on ``data`` (text or bytes); anything else is a clear filter error."""
    if isinstance(data, bytes):
        data = to_text(data, errors="surrogate_or_strict")
    if not isinstance(data, str):
        raise AnsibleFilterError(f"{filter_name}: expected the command output as a string, got {type(data).__name__}")
    return parse(data)
